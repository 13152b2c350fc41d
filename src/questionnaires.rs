//! The questionnaires a tablet can open cases with: those installed in its encrypted store
//! (downloaded from the office, or the bundled ones in demo mode), each loaded and checked
//! by the questionnaire loader.
//!
//! A case always opens with the `id@version` it was started with; a new case takes the
//! questionnaire the district's assignment names for its population (household, or
//! collective for a collective living quarter), else the newest installed one of that
//! population.

use std::collections::BTreeMap;
use std::sync::Arc;

use census_core::coverage::Population;
use census_core::load::{Questionnaire, load_questionnaire};

use crate::store::{InstalledQuestionnaire, Store, StoreError};

/// Why a questionnaire cannot be used for a case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuestionnaireProblem {
    /// The case was started with a questionnaire this tablet does not hold.
    #[error("questionnaire {id} {version} is not installed on this tablet")]
    NotInstalled {
        /// Questionnaire id.
        id: String,
        /// Version.
        version: String,
    },
    /// No questionnaire of the population is installed.
    #[error("no {} questionnaire is installed on this tablet", .0.as_str())]
    NoneFor(Population),
    /// An installed file no longer passes the loader (a newer format, a damaged store).
    #[error("questionnaire {name} cannot be used: {report}")]
    Broken {
        /// `id@version`.
        name: String,
        /// The loader's report.
        report: String,
    },
}

impl QuestionnaireProblem {
    /// The enumerator's message, in the interface language.
    pub fn message(&self, tr: &crate::i18n::Tr) -> String {
        match self {
            QuestionnaireProblem::NotInstalled { id, version } => tr.f(
                "questionnaire_not_installed",
                &[("id", id), ("version", version)],
            ),
            QuestionnaireProblem::NoneFor(Population::Household) => {
                tr.t("questionnaire_none_household").to_owned()
            }
            QuestionnaireProblem::NoneFor(Population::Collective) => {
                tr.t("questionnaire_none_collective").to_owned()
            }
            QuestionnaireProblem::Broken { name, report } => tr.f(
                "questionnaire_broken",
                &[("detail", &format!("{name}: {report}"))],
            ),
        }
    }
}

/// The loaded questionnaires of one tablet.
#[derive(Debug, Clone, Default)]
pub struct Questionnaires {
    loaded: BTreeMap<(String, String), (Population, Arc<Questionnaire>)>,
    /// Installed files the loader refused, with its report (shown when a case needs one).
    broken: BTreeMap<(String, String), String>,
}

impl Questionnaires {
    /// Loads every questionnaire installed in `store`.
    pub fn load(store: &Store) -> Result<Questionnaires, StoreError> {
        let mut out = Questionnaires::default();
        for installed in store.installed_questionnaires()? {
            out.add(&installed);
        }
        Ok(out)
    }

    /// Loads one installed file (a file the loader refuses is kept as broken).
    pub fn add(&mut self, installed: &InstalledQuestionnaire) {
        let key = (installed.id.clone(), installed.version.clone());
        let name = format!("{}@{}.json", installed.id, installed.version);
        match load_questionnaire(&name, &installed.body) {
            Ok(q) => {
                self.broken.remove(&key);
                self.loaded.insert(key, (installed.population, q));
            }
            Err(report) => {
                self.broken.insert(key, report.to_string());
            }
        }
    }

    /// The questionnaire `id@version`.
    pub fn get(&self, id: &str, version: &str) -> Result<Arc<Questionnaire>, QuestionnaireProblem> {
        let key = (id.to_owned(), version.to_owned());
        if let Some((_, q)) = self.loaded.get(&key) {
            return Ok(q.clone());
        }
        match self.broken.get(&key) {
            Some(report) => Err(QuestionnaireProblem::Broken {
                name: format!("{id}@{version}"),
                report: report.clone(),
            }),
            None => Err(QuestionnaireProblem::NotInstalled {
                id: id.to_owned(),
                version: version.to_owned(),
            }),
        }
    }

    /// The questionnaire a new case of `population` in `district_id` starts with: the one
    /// the assignment names, else the newest installed of that population.
    pub fn for_new_case(
        &self,
        store: &Store,
        district_id: &str,
        population: Population,
    ) -> Result<Arc<Questionnaire>, NewCaseProblem> {
        if let Some((id, version)) = store.district_questionnaire(district_id, population)? {
            return Ok(self.get(&id, &version)?);
        }
        self.loaded
            .values()
            .filter(|(p, _)| *p == population)
            .map(|(_, q)| q)
            .max_by(|a, b| version_order(a.version(), b.version()))
            .cloned()
            .ok_or(NewCaseProblem::Questionnaire(
                QuestionnaireProblem::NoneFor(population),
            ))
    }

    /// Every loaded questionnaire (the sync client serialises cases through them).
    pub fn all(&self) -> Vec<Arc<Questionnaire>> {
        self.loaded.values().map(|(_, q)| q.clone()).collect()
    }

    /// Whether no questionnaire is loaded.
    pub fn is_empty(&self) -> bool {
        self.loaded.is_empty()
    }
}

/// Why a new case cannot be started.
#[derive(Debug, thiserror::Error)]
pub enum NewCaseProblem {
    /// No usable questionnaire.
    #[error(transparent)]
    Questionnaire(#[from] QuestionnaireProblem),
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Orders versions by their dot-separated numbers (`1.10.0` after `1.9.2`), then as text.
fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    let numbers = |v: &str| -> Option<Vec<u64>> { v.split('.').map(|p| p.parse().ok()).collect() };
    match (numbers(a), numbers(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// The SHA-256 of `text`, lowercase hex (as the office publishes it).
pub fn sha256_hex(text: &str) -> String {
    census_core::wire::sha256_hex(text.as_bytes())
}

/// Checks a downloaded questionnaire: its bytes against the digest the office published,
/// then the loader. Returns what to install.
pub fn check_download(
    published: &census_core::wire::PublishedQuestionnaire,
    body: String,
) -> Result<InstalledQuestionnaire, String> {
    let digest = sha256_hex(&body);
    if digest != published.sha256 {
        return Err(format!(
            "questionnaire {}@{} does not match what the office published (digest {digest})",
            published.id, published.version
        ));
    }
    let name = format!("{}@{}.json", published.id, published.version);
    let q = load_questionnaire(&name, &body).map_err(|report| report.to_string())?;
    if q.id() != published.id || q.version() != published.version {
        return Err(format!(
            "the file published as {}@{} says it is {}@{}",
            published.id,
            published.version,
            q.id(),
            q.version()
        ));
    }
    Ok(InstalledQuestionnaire {
        id: published.id.clone(),
        version: published.version.clone(),
        population: published.population,
        sha256: digest,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_by_number() {
        use std::cmp::Ordering::*;
        assert_eq!(version_order("1.10.0", "1.9.2"), Greater);
        assert_eq!(version_order("2.0.0", "2.0.0"), Equal);
        assert_eq!(version_order("1.0.0", "1.0.1"), Less);
    }
}
