//! Loads arbitrary bytes as a questionnaire file. Whatever the input, the loader must
//! answer with a questionnaire or a report of problems — never a panic, never a hang.
//! When a file loads, a case is created on it and its issues are listed, which runs every
//! compiled expression once.

#![no_main]

use census_core::engine::Case;
use census_core::load::load_questionnaire;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match load_questionnaire("fuzz.json", text) {
        Ok(questionnaire) => {
            let today = chrono::NaiveDate::from_ymd_opt(2024, 9, 5).unwrap_or_default();
            let case = Case::new(questionnaire, today);
            let _ = case.issues();
        }
        Err(report) => {
            assert!(!report.problems.is_empty(), "a refusal must name a problem");
            let _ = report.to_string();
        }
    }
});
