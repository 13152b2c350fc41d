//! Export: one CSV per level with keys, plus a data dictionary, from stored cases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use census_server::export::export;
use census_server::store::DeviceRecord;
use support::*;

fn read(path: &std::path::Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let mut rows = vec![header];
    for rec in r.records() {
        rows.push(rec.unwrap().iter().map(str::to_owned).collect());
    }
    rows
}

fn col(rows: &[Vec<String>], name: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_writes_one_file_per_level_with_keys() {
    let (store, _dir) = sqlite_store().await;
    let device = DeviceRecord {
        device_id: "tab-1".into(),
        enumerator_id: "E-1".into(),
        public_key: vec![0; 32],
        districts: vec!["DR-1".into()],
    };
    let fake = Device {
        id: "tab-1".into(),
        key: census_core::wire::DeviceKey::generate().unwrap(),
        token: String::new(),
        office_public: [1; 32],
        enumerator: "E-1".into(),
    };
    let cases = vec![
        household_case("DR-1", 1, 4, 1),
        household_case("DR-1", 2, 5, 1),
    ];
    let case_ids: Vec<String> = cases.iter().map(|c| c.case_id.to_string()).collect();
    store
        .ingest(
            &device,
            &payload(&fake, cases),
            &[],
            &support::census_items(),
        )
        .await
        .unwrap();

    let out = tempfile::tempdir().unwrap();
    assert_eq!(export(store.as_ref(), out.path()).await.unwrap(), 2);

    let dwellings = read(&out.path().join("dwellings.csv"));
    assert_eq!(dwellings.len(), 3);
    let dt = col(&dwellings, "dwelling_type");
    assert!(dwellings[1..].iter().all(|r| r[dt] == "apartment"));
    assert_eq!(dwellings[1][col(&dwellings, "input_district")], "DR-1");

    let households = read(&out.path().join("households.csv"));
    assert_eq!(households.len(), 3);
    assert_eq!(households[1][col(&households, "households_row")], "1");

    let persons = read(&out.path().join("persons.csv"));
    assert_eq!(persons.len(), 1 + 4 + 5);
    let (cid, prow, age, langs) = (
        col(&persons, "case_id"),
        col(&persons, "persons_row"),
        col(&persons, "age"),
        col(&persons, "languages"),
    );
    col(&persons, "households_row");
    for r in &persons[1..] {
        assert!(case_ids.contains(&r[cid]));
        assert!(r[prow].parse::<u32>().is_ok());
        assert!(r[age].parse::<u32>().is_ok());
        assert_eq!(r[langs], r#"["darija","french"]"#);
    }

    let dict = read(&out.path().join("data_dictionary.csv"));
    let age_row = dict
        .iter()
        .find(|r| r[0] == "persons.csv" && r[1] == "age")
        .unwrap();
    assert_eq!(
        (
            age_row[2].as_str(),
            age_row[3].as_str(),
            age_row[4].as_str()
        ),
        ("answer", "number", "9")
    );
    assert!(
        dict.iter()
            .any(|r| r[0] == "persons.csv" && r[1] == "case_id" && r[2] == "case key")
    );
}
