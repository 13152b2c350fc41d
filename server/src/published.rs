//! Questionnaires the office publishes (`census-server publish`): checked by the loader,
//! stored once under `id@version` with their exact bytes, downloaded by tablets and
//! accepted at ingest by every instance without a restart ([`PublishedCache`]).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

use census_core::load::Questionnaire;

use crate::store::{NewPublication, Storage, StoreError};

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    census_core::wire::sha256_hex(bytes)
}

/// Reads and checks the questionnaire file at `path` for publication: the loader must
/// accept it (else its full report) and it must have a `coverage` block (its population).
pub fn prepare(path: &Path) -> Result<NewPublication, String> {
    let body = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let name = path.display().to_string();
    let q = compile(&name, &body)?;
    let items = q
        .coverage_items()
        .map_err(|refusal| format!("{name} cannot be published: {refusal}"))?;
    Ok(NewPublication {
        id: q.id().to_owned(),
        version: q.version().to_owned(),
        population: items.population,
        sha256: sha256_hex(&body),
        body,
    })
}

/// The questionnaire in `body` (of file `name`), compiled, or the loader's full report.
pub fn compile(name: &str, body: &[u8]) -> Result<Arc<Questionnaire>, String> {
    let text = std::str::from_utf8(body)
        .map_err(|e| format!("{name} cannot be used: it is not UTF-8 text ({e})"))?;
    census_core::load::load_questionnaire(name, text)
        .map_err(|report| format!("{name} cannot be used:\n{report}"))
}

/// The published questionnaires this instance has compiled, by id and version. A
/// publication never changes, so what is cached stays true; what is not cached is looked
/// up in the database (another instance, or the command line, may have published it).
#[derive(Debug, Default)]
pub struct PublishedCache {
    loaded: RwLock<BTreeMap<(String, String), Arc<Questionnaire>>>,
}

impl PublishedCache {
    /// The published questionnaires among `wanted` (id, version): from the cache, else
    /// read from `store` and compiled (then cached). Those not published are left out.
    pub async fn resolve(
        &self,
        store: &dyn Storage,
        wanted: &[(String, String)],
    ) -> Result<Vec<Arc<Questionnaire>>, StoreError> {
        let mut found = Vec::new();
        for key in wanted {
            if let Some(q) = self.cached(key) {
                found.push(q);
                continue;
            }
            let Some(body) = store.published_body(&key.0, &key.1).await? else {
                continue;
            };
            let name = format!("published {}@{}", key.0, key.1);
            match tokio::task::spawn_blocking(move || compile(&name, &body)).await {
                Ok(Ok(q)) => {
                    if let Ok(mut map) = self.loaded.write() {
                        map.insert(key.clone(), Arc::clone(&q));
                    }
                    found.push(q);
                }
                Ok(Err(report)) => {
                    // Checked when published: only a newer loader could refuse it now.
                    tracing::error!(
                        questionnaire = %crate::logsafe::text(&format!("{}@{}", key.0, key.1)),
                        report = %crate::logsafe::text(&report),
                        "a published questionnaire no longer compiles"
                    );
                }
                Err(e) => {
                    return Err(StoreError::Backend(format!(
                        "compiling a published questionnaire failed: {e}"
                    )));
                }
            }
        }
        Ok(found)
    }

    fn cached(&self, key: &(String, String)) -> Option<Arc<Questionnaire>> {
        self.loaded.read().ok()?.get(key).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_lowercase_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
