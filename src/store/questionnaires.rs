//! Questionnaires installed on the tablet, and which one each district's new cases use.
//!
//! A questionnaire arrives from the office as the exact bytes it published, with their
//! SHA-256; the sync client checks the digest and runs the loader before it is stored here.
//! An installed `id@version` never changes: a case keeps the version it was started with,
//! and a newer version named by the assignment applies to new cases only.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Store, StoreError, now_text};
use census_core::coverage::Population;

/// A questionnaire file as installed: its identity and its text.
#[derive(Clone, PartialEq, Eq)]
pub struct InstalledQuestionnaire {
    /// Questionnaire id (`rgph2024`).
    pub id: String,
    /// Version (`1.0.0`).
    pub version: String,
    /// Whom it counts.
    pub population: Population,
    /// SHA-256 of `body`, lowercase hex.
    pub sha256: String,
    /// The file's JSON text, as published.
    pub body: String,
}

impl std::fmt::Debug for InstalledQuestionnaire {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstalledQuestionnaire")
            .field("id", &self.id)
            .field("version", &self.version)
            .field("population", &self.population)
            .field("bytes", &self.body.len())
            .finish()
    }
}

fn population(text: &str) -> Result<Population, StoreError> {
    match text {
        "household" => Ok(Population::Household),
        "collective" => Ok(Population::Collective),
        other => Err(StoreError::Corrupted(format!(
            "questionnaire population {other:?}"
        ))),
    }
}

impl Store {
    /// Installs a questionnaire (idempotent for the same bytes). Another text under an
    /// installed `id@version` is refused: a published version never changes.
    pub fn install_questionnaire(&mut self, q: &InstalledQuestionnaire) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<String> = tx
            .prepare_cached(
                "SELECT sha256 FROM questionnaire WHERE questionnaire_id = ?1 AND version = ?2",
            )?
            .query_row(params![q.id, q.version], |r| r.get(0))
            .optional()?;
        match existing {
            Some(sha) if sha == q.sha256 => return Ok(()),
            Some(_) => {
                return Err(StoreError::Invalid(format!(
                    "questionnaire {}@{} is already installed with other contents",
                    q.id, q.version
                )));
            }
            None => {}
        }
        tx.prepare_cached(
            "INSERT INTO questionnaire (questionnaire_id, version, population, sha256, body,
                 installed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            q.id,
            q.version,
            q.population.as_str(),
            q.sha256,
            q.body,
            now_text()
        ])?;
        tx.commit()?;
        Ok(())
    }

    /// Every installed questionnaire, oldest first.
    pub fn installed_questionnaires(&self) -> Result<Vec<InstalledQuestionnaire>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT questionnaire_id, version, population, sha256, body FROM questionnaire
             ORDER BY installed_at, questionnaire_id, version",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, version, pop, sha256, body) = row?;
            out.push(InstalledQuestionnaire {
                id,
                version,
                population: population(&pop)?,
                sha256,
                body,
            });
        }
        Ok(out)
    }

    /// Whether `id@version` is installed.
    pub fn has_questionnaire(&self, id: &str, version: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT 1 FROM questionnaire WHERE questionnaire_id = ?1 AND version = ?2",
            )?
            .query_row(params![id, version], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Makes `id@version` (installed) the questionnaire of `population` for the district's
    /// new cases; cases already started keep theirs.
    pub fn set_district_questionnaire(
        &mut self,
        district_id: &str,
        population: Population,
        id: &str,
        version: &str,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO district_questionnaire (district_id, population, questionnaire_id,
                     version) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (district_id, population) DO UPDATE SET
                     questionnaire_id = excluded.questionnaire_id, version = excluded.version",
            )?
            .execute(params![district_id, population.as_str(), id, version])
            .map_err(|e| {
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
                    StoreError::NotFound(format!(
                        "district {district_id} or questionnaire {id}@{version}"
                    ))
                } else {
                    StoreError::from(e)
                }
            })?;
        Ok(())
    }

    /// The questionnaire (`id`, `version`) the district's new cases of `population` use.
    pub fn district_questionnaire(
        &self,
        district_id: &str,
        population: Population,
    ) -> Result<Option<(String, String)>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT questionnaire_id, version FROM district_questionnaire
                 WHERE district_id = ?1 AND population = ?2",
            )?
            .query_row(params![district_id, population.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }
}
