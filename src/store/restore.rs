//! A stored case read back into the engine: the row paths the store keeps as text are parsed
//! here, once, and a path that does not parse is a clear error naming the row, never a
//! silently skipped answer. Used by the questionnaire (opening a case), the coverage screen
//! and the sync client (turning a case into its wire record).

use std::sync::Arc;

use census_core::engine::{Case, RowPath};
use census_core::load::Questionnaire;

use super::types::StoredCase;

/// Why a stored case could not be rebuilt into the engine's case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    /// A row path kept by the store does not parse.
    #[error("the stored row {path:?} is not a valid row path ({reason})")]
    BadRowPath {
        /// The path as stored.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The engine refused the stored rows, answers or confirmations.
    #[error("the stored answers do not fit the questionnaire: {0}")]
    Engine(String),
}

fn parse_path(text: &str) -> Result<RowPath, RestoreError> {
    text.parse().map_err(
        |e: census_core::engine::RowPathError| RestoreError::BadRowPath {
            path: text.to_owned(),
            reason: e.to_string(),
        },
    )
}

impl StoredCase {
    /// Rebuilds the engine's case from what the store holds (a case with nothing stored yet
    /// starts fresh with its defaults, which the caller saves).
    pub fn restore(
        &self,
        questionnaire: Arc<Questionnaire>,
        today: chrono::NaiveDate,
    ) -> Result<Case, RestoreError> {
        let rows = self
            .rows
            .iter()
            .map(|(path, position)| Ok((parse_path(path)?, *position)))
            .collect::<Result<Vec<_>, RestoreError>>()?;
        let answers = self
            .answers
            .iter()
            .map(|(path, item, json)| Ok((parse_path(path)?, item.clone(), json.clone())))
            .collect::<Result<Vec<_>, RestoreError>>()?;
        let confirmations = self
            .confirmations
            .iter()
            .map(|c| Ok((parse_path(&c.row_path)?, c.check_id.clone(), c.note.clone())))
            .collect::<Result<Vec<_>, RestoreError>>()?;
        if rows.is_empty() && answers.is_empty() && confirmations.is_empty() {
            return Ok(Case::new(questionnaire, today));
        }
        Case::restore(questionnaire, today, rows, answers, confirmations)
            .map_err(|e| RestoreError::Engine(e.to_string()))
    }
}
