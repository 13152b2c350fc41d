//! What the office publishes to its tablets, as stored: the recovery key's public half
//! (`census-server set-recovery-key`) and the published questionnaires
//! (`census-server publish`).

use census_core::coverage::Population;

/// The public half of an office recovery key, as stored (its private half never reaches
/// the server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryKey {
    /// [`census_core::wire::key_id`] of the key.
    pub key_id: String,
    /// The X25519 public key.
    pub public_key: [u8; 32],
    /// When it was first set, RFC 3339.
    pub set_at: String,
}

impl RecoveryKey {
    /// The record of `public_key`, set now.
    pub fn new(public_key: [u8; 32]) -> RecoveryKey {
        RecoveryKey {
            key_id: census_core::wire::key_id(&public_key),
            public_key,
            set_at: chrono::Utc::now().to_rfc3339(),
        }
    }
}

/// A questionnaire file to publish, checked by the loader.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPublication {
    /// Questionnaire id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Whom it counts (from its `coverage` block).
    pub population: Population,
    /// SHA-256 of `body`, lowercase hex.
    pub sha256: String,
    /// The file's exact bytes.
    pub body: Vec<u8>,
}

impl std::fmt::Debug for NewPublication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewPublication")
            .field("id", &self.id)
            .field("version", &self.version)
            .field("population", &self.population)
            .field("sha256", &self.sha256)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// What publishing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishOutcome {
    /// Stored now.
    Published,
    /// The same bytes were published already under this id@version: nothing changed.
    AlreadyPublished,
    /// Other bytes are published under this id@version (their SHA-256): refused.
    Changed {
        /// SHA-256 of the bytes published before.
        published_sha256: String,
    },
}

/// A published questionnaire, without its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedSummary {
    /// Questionnaire id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Whom it counts.
    pub population: Population,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
    /// When it was published, RFC 3339.
    pub published_at: String,
}

impl PublishedSummary {
    /// As named in an assignment.
    pub fn to_wire(&self) -> census_core::wire::PublishedQuestionnaire {
        census_core::wire::PublishedQuestionnaire {
            id: self.id.clone(),
            version: self.version.clone(),
            population: self.population,
            sha256: self.sha256.clone(),
        }
    }
}

/// The population named by its stored word.
pub fn population_of(word: &str) -> Result<Population, crate::store::StoreError> {
    match word {
        "household" => Ok(Population::Household),
        "collective" => Ok(Population::Collective),
        other => Err(crate::store::StoreError::Backend(format!(
            "a published questionnaire has an unknown population {other:?}"
        ))),
    }
}

/// The most recently published questionnaire of each population, from `list` in order of
/// publication (oldest first), household first.
pub fn newest_per_population(list: &[PublishedSummary]) -> Vec<PublishedSummary> {
    [Population::Household, Population::Collective]
        .into_iter()
        .filter_map(|p| list.iter().rev().find(|q| q.population == p).cloned())
        .collect()
}
