//! Temporary (questionnaire helper): run the loader on rgph2024.json.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
#[test]
fn load_rgph() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/rgph2024.json")).unwrap();
    match census_core::load::load_questionnaire("rgph2024.json", &text) {
        Ok(_) => println!("LOADED OK"),
        Err(r) => panic!("\n{r}"),
    }
}
