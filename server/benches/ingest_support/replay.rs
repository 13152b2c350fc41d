//! Households the app really produces, replayed at any volume: the committed fixture
//! (`benches/data/app-households.json`, two dwellings enumerated through the tablet's
//! screens by `tests/app_households.rs`) copied under new case ids, places and names.

use census_core::wire::CaseRecord;
use serde_json::Value;

/// The fixture's text.
const FIXTURE: &str = include_str!("../data/app-households.json");

/// The app's households, as templates.
pub struct Replay {
    templates: Vec<Value>,
    /// The names typed in the templates (persons and respondents), made unique per copy so
    /// that the office's duplicate search sees distinct households.
    names: Vec<String>,
    /// Whether copies get time-ordered ids, as the app makes them (version 7, the default),
    /// or random ones (version 4, as tablets before December 2026 made them:
    /// `INGEST_CASE_IDS=random`), the worst case for the office's case-id indexes.
    random_ids: bool,
}

impl Replay {
    /// Reads the fixture.
    pub fn load() -> Replay {
        let templates: Vec<Value> = serde_json::from_str(FIXTURE).expect("fixture");
        let mut names = Vec::new();
        for t in &templates {
            collect_names(&t["case"], &mut names);
        }
        names.sort();
        names.dedup();
        let random_ids = std::env::var("INGEST_CASE_IDS").is_ok_and(|v| v == "random");
        Replay {
            templates,
            names,
            random_ids,
        }
    }

    /// Persons per household in the fixture, on average.
    pub fn persons_per_household(&self) -> f64 {
        let persons: usize = self
            .templates
            .iter()
            .map(|t| {
                t["case"]["root"]["rosters"]["households"]
                    .as_array()
                    .map_or(0, |hh| {
                        hh.iter()
                            .map(|h| h["rosters"]["persons"].as_array().map_or(0, Vec::len))
                            .sum()
                    })
            })
            .sum();
        persons as f64 / self.templates.len() as f64
    }

    /// Whether copies get random case ids (see the field).
    pub fn random_ids(&self) -> bool {
        self.random_ids
    }

    /// Household `n` of `district`: a copy of template `n mod len` with a new case id, its
    /// place (building `n/3 + 1`, dwelling `n mod 3 + 1`) in the record, the case's inputs
    /// and the events that carry them, and its names followed by a random word and `n`.
    pub fn household(&self, district: &str, n: u32) -> CaseRecord {
        let mut v = self.templates[n as usize % self.templates.len()].clone();
        let (building, dwelling) = (n / 3 + 1, n % 3 + 1);
        let case_id = if self.random_ids {
            uuid::Uuid::new_v4()
        } else {
            uuid::Uuid::now_v7()
        };
        v["case_id"] = Value::String(case_id.to_string());
        v["district_id"] = district.into();
        v["building_number"] = building.into();
        v["dwelling_number"] = dwelling.into();
        let inputs = &mut v["case"]["root"]["inputs"];
        inputs["district_id"] = district.into();
        inputs["building_number"] = building.into();
        inputs["dwelling_number"] = dwelling.into();
        if let Some(events) = v["events"].as_array_mut() {
            for e in events {
                match (e["kind"].as_str(), e["item_id"].as_str()) {
                    (Some("case_created"), _) => {
                        e["new"]["district_id"] = district.into();
                        e["new"]["building_no"] = building.into();
                        e["new"]["dwelling_no"] = dwelling.into();
                    }
                    (Some("answer"), Some("district_id")) => e["new"] = district.into(),
                    (Some("answer"), Some("building_number")) => e["new"] = building.into(),
                    (Some("answer"), Some("dwelling_number")) => e["new"] = dwelling.into(),
                    _ => {}
                }
            }
        }
        // A family name drawn at random as well: in the field a head's name falls anywhere in
        // the office's name indexes (`case_facts_by_head`, `head_counts`), not in the order
        // households arrive, as a suffix alone would make it.
        let family = uuid::Uuid::new_v4().simple().to_string();
        let suffix = format!(" {} {district}-{n}", &family[..12]);
        rename(&mut v, &self.names, &suffix);
        serde_json::from_value(v).expect("a wire record")
    }
}

/// The person and respondent names answered anywhere under `level`.
fn collect_names(level: &Value, out: &mut Vec<String>) {
    match level {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("p_name" | "hh_respondent_name", Value::String(s)) => out.push(s.clone()),
                    _ => collect_names(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_names(i, out)),
        _ => {}
    }
}

/// Appends `suffix` to every string equal to one of `names`, anywhere in `v`.
fn rename(v: &mut Value, names: &[String], suffix: &str) {
    match v {
        Value::String(s) if names.binary_search(s).is_ok() => s.push_str(suffix),
        Value::Object(map) => map.values_mut().for_each(|x| rename(x, names, suffix)),
        Value::Array(items) => items.iter_mut().for_each(|x| rename(x, names, suffix)),
        _ => {}
    }
}
