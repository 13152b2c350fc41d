//! The questionnaire engine's refusals ([`EngineError`], from `census-core`, which knows no
//! languages) and a stored case that cannot be rebuilt ([`RestoreError`]), in the
//! enumerator's language: the sentence translated, the engine's own words in parentheses.

use census_core::engine::EngineError;

use crate::i18n::Tr;
use crate::store::RestoreError;

/// The translation key of an engine refusal (also its kind in the log).
pub fn engine_error_key(error: &EngineError) -> &'static str {
    match error {
        EngineError::UnknownRow(_) => "err_engine_unknown_row",
        EngineError::UnknownItem(_) => "err_engine_unknown_item",
        EngineError::WrongValue { .. } => "err_engine_wrong_value",
        EngineError::TooManyRows { .. } => "err_engine_too_many_rows",
        EngineError::NotAllowed(_) => "err_engine_not_allowed",
        EngineError::BadData(_) => "err_engine_bad_data",
    }
}

/// The enumerator's message for an engine refusal, in the interface language.
pub fn engine_error_message(error: &EngineError, tr: &Tr) -> String {
    let max = match error {
        EngineError::TooManyRows { max, .. } => tr.ltr(&max.to_string()),
        _ => String::new(),
    };
    let detail = match error {
        EngineError::TooManyRows { roster, .. } => roster.clone(),
        other => other.to_string(),
    };
    tr.f(
        engine_error_key(error),
        &[("detail", &detail), ("max", &max)],
    )
}

/// The enumerator's message for a stored case that cannot be rebuilt.
pub fn restore_error_message(error: &RestoreError, tr: &Tr) -> String {
    tr.f("err_restore", &[("detail", &error.to_string())])
}
