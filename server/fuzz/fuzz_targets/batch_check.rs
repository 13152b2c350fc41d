//! The fuzz oracle for one input, shared by the `batch_open` fuzz target and the bounded
//! test `server/tests/fuzz_batch.rs`: reading and checking never panics, and a case left
//! unrefused is storable — its document and events parse as JSON values (which refuse
//! numbers out of range, lone surrogates and nesting past 128 levels) and hold no NUL.

use std::sync::OnceLock;

use census_server::validate::{Questionnaires, read_and_check};
use serde_json::Value;

fn questionnaires() -> &'static Questionnaires {
    static QS: OnceLock<Questionnaires> = OnceLock::new();
    QS.get_or_init(Questionnaires::default)
}

fn has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// Checks one input; panics (the fuzzer's finding) when the oracle does not hold.
/// Returns how many cases were accepted.
pub fn check(data: &[u8]) -> usize {
    let today = chrono::NaiveDate::from_ymd_opt(2024, 9, 2).unwrap_or_default();
    let Ok(batch) = read_and_check(data, questionnaires(), today) else {
        return 0;
    };
    let mut accepted = 0;
    for case in batch.cases.iter().filter(|c| c.refused.is_none()) {
        for text in [case.case.get(), case.events.get()] {
            match serde_json::from_str::<Value>(text) {
                Ok(v) => assert!(!has_nul(&v), "an accepted case holds a NUL: {text}"),
                Err(e) => panic!("an accepted case is unreadable ({e}): {text}"),
            }
        }
        assert!(case.status.len() < 64 && !case.questionnaire_id.is_empty());
        accepted += 1;
    }
    accepted
}
