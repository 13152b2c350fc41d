//! Storage behind one trait, with two implementations: [`sqlite::SqliteStore`] (embedded
//! default, one file) and [`postgres::PgStore`] (national scale). Both keep the same
//! guarantees: a batch id is processed once (a replay gets the stored reply); a case is
//! stored only at a newer revision, never twice; a batch's cases and its reply commit in
//! one transaction.

pub mod coverage_sql;
mod office_types;
pub mod packed;
pub mod postgres;
pub mod reassign;
mod review_types;
pub mod sqlite;
pub mod summary_sql;
mod types;

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use census_core::coverage::publish::Centroid;
use census_core::coverage::{CoverageRules, Gathered, Level};
use census_core::wire::{BatchPayload, BatchReply, Decision, ReviewDecision};
use uuid::Uuid;

use crate::incoming::{IncomingBatch, IncomingCase};

pub use office_types::{
    NewPublication, PublishOutcome, PublishedSummary, RecoveryKey, newest_per_population,
};
pub use review_types::{
    COMMAND_LINE_REVIEWER, CaseHistory, CaseRecords, DistrictExtent, FrameBuildingRow,
    HistoryDecision, MapPoint, NewReview, NewReviewer, PlacedDecision, QueueEntry, Reviewer,
    RevisionEvents, Role, Scope,
};
pub use types::{Counts, DeviceRecord, District, NewCode, NewDevice, StoreError, StoredCase};

/// A boxed future returned by [`Storage`] methods.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// What [`Storage::ingest`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingested {
    /// One result per case.
    pub reply: BatchReply,
    /// The batch id had been processed before: this is the stored reply, nothing was
    /// written.
    pub replayed: bool,
}

/// The office's storage.
pub trait Storage: Send + Sync {
    /// `"sqlite"` or `"postgres"`.
    fn kind(&self) -> &'static str;
    /// How commits reach the disk, as the database reports it on the connection the server
    /// writes with: `synchronous=FULL` (SQLite) or `synchronous_commit=on` (PostgreSQL) when
    /// every acknowledged batch is durable.
    fn durability(&self) -> StoreFuture<'_, String>;
    /// Inserts or updates districts of the frame (a district's random start, once drawn,
    /// is kept). Returns how many rows were written.
    fn import_districts<'a>(&'a self, districts: &'a [District]) -> StoreFuture<'a, usize>;
    /// Records a one-time enrolment code (by its hash).
    fn add_enrolment_code<'a>(&'a self, code: &'a NewCode) -> StoreFuture<'a, ()>;
    /// Uses a one-time code to enrol (or re-enrol) a device. The first enrolment binds the
    /// device id to its signing key: while the id is live (enrolled, not revoked), another
    /// enrolment of it with another key is refused ([`StoreError::DeviceIdTaken`]); with the
    /// same key (the same tablet, given a new code) it replaces the token and assignment. A
    /// revoked id may be enrolled again with any key.
    fn enrol<'a>(&'a self, device: &'a NewDevice) -> StoreFuture<'a, DeviceRecord>;
    /// Revokes a device: its token stops working at once. Whether a live device had that id.
    fn revoke_device<'a>(&'a self, device_id: &'a str) -> StoreFuture<'a, bool>;
    /// Revokes every live reviewer account with this name: their tokens and page sessions
    /// stop working at once. How many were revoked.
    fn revoke_reviewer<'a>(&'a self, name: &'a str) -> StoreFuture<'a, u64>;
    /// The live (not revoked) device holding this token hash.
    fn device_by_token<'a>(
        &'a self,
        token_hash: &'a [u8; 32],
    ) -> StoreFuture<'a, Option<DeviceRecord>>;
    /// The districts with these ids (unknown ids are skipped), sorted by id.
    fn districts<'a>(&'a self, ids: &'a [String]) -> StoreFuture<'a, Vec<District>>;
    /// Stores a verified batch from `device` (see the module documentation).
    fn ingest_incoming<'a>(
        &'a self,
        device: &'a DeviceRecord,
        payload: &'a IncomingBatch,
        accepted_questionnaires: &'a [(String, String)],
    ) -> StoreFuture<'a, Ingested>;
    /// [`Storage::ingest_incoming`] of a typed payload (tests and tools), its cases read for
    /// coverage with `items` (the questionnaires' coverage blocks).
    fn ingest<'a>(
        &'a self,
        device: &'a DeviceRecord,
        payload: &'a BatchPayload,
        accepted_questionnaires: &'a [(String, String)],
        items: &'a crate::facts::CoverageItems,
    ) -> StoreFuture<'a, Ingested> {
        Box::pin(async move {
            let mut incoming = IncomingBatch::from_payload(payload)
                .map_err(|e| StoreError::Backend(e.to_string()))?;
            incoming.coverage_items = items.clone();
            self.ingest_incoming(device, &incoming, accepted_questionnaires)
                .await
        })
    }
    /// Moves a stored case to another enrolled device of its district (an office action,
    /// recorded): only that device may write it from then on.
    fn reassign_case<'a>(
        &'a self,
        case_id: Uuid,
        to_device: &'a str,
    ) -> StoreFuture<'a, reassign::ReassignResult>;
    /// Records a review decision with its reviewer, the office's time and the revision
    /// read; returns its cursor. In one transaction with the case: refused when the case is
    /// unknown ([`StoreError::NoSuchCase`]), when the reviewer read another revision than
    /// the stored one ([`StoreError::CaseChanged`]), and when approving a case that is not
    /// complete ([`StoreError::NotComplete`]; sending back is allowed at any status).
    fn record_review<'a>(&'a self, review: &'a NewReview) -> StoreFuture<'a, u64>;
    /// [`Storage::record_review`] of the office's command line (reviewer
    /// [`COMMAND_LINE_REVIEWER`], no revision read).
    fn add_review<'a>(
        &'a self,
        case_id: Uuid,
        decision: Decision,
        comment: &'a str,
    ) -> StoreFuture<'a, u64> {
        Box::pin(async move {
            self.record_review(&NewReview {
                case_id,
                decision,
                comment: comment.to_owned(),
                reviewer: COMMAND_LINE_REVIEWER.to_owned(),
                reviewer_role: Role::Office,
                revision_read: None,
            })
            .await
        })
    }
    /// Review decisions after `since` on cases of `districts`, at most `limit`.
    fn reviews_since<'a>(
        &'a self,
        districts: &'a [String],
        since: u64,
        limit: u32,
    ) -> StoreFuture<'a, Vec<ReviewDecision>>;
    /// Cases received at or after `since` (RFC 3339), at their latest revision, ordered by
    /// case id, after `after`, at most `limit` (`census-server export --since`).
    fn cases_received_page<'a>(
        &'a self,
        since: &'a str,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreFuture<'a, Vec<StoredCase>>;
    /// Stored cases ordered by case id, after `after`, at most `limit`.
    fn cases_page<'a>(
        &'a self,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreFuture<'a, Vec<StoredCase>>;
    /// Row counts (cases, events, batches), for tests and the operator.
    fn counts(&self) -> StoreFuture<'_, Counts>;
    /// Inserts or updates district extents (boxes). Returns how many.
    fn import_extents<'a>(&'a self, extents: &'a [DistrictExtent]) -> StoreFuture<'a, usize>;
    /// Inserts or updates frame buildings. Returns how many.
    fn import_frame_buildings<'a>(
        &'a self,
        buildings: &'a [FrameBuildingRow],
    ) -> StoreFuture<'a, usize>;
    /// Creates a reviewer account.
    fn add_reviewer<'a>(&'a self, reviewer: &'a NewReviewer) -> StoreFuture<'a, ()>;
    /// The live (not revoked) reviewer holding this token hash.
    fn reviewer_by_token<'a>(
        &'a self,
        token_hash: &'a [u8; 32],
    ) -> StoreFuture<'a, Option<Reviewer>>;
    /// The ids of the districts in the area `id` at `level`, sorted.
    fn area_districts<'a>(&'a self, level: Level, id: &'a str) -> StoreFuture<'a, Vec<String>>;
    /// The per-district counts and candidates of a coverage report of `scope`.
    fn gather_coverage<'a>(
        &'a self,
        scope: &'a Scope,
        rules: &'a CoverageRules,
    ) -> StoreFuture<'a, Gathered>;
    /// Recomputes every coverage summary from the stored facts, listing and frame (they are
    /// kept current at each write; this is for data loaded around the store, and repairs).
    fn rebuild_summaries(&self) -> StoreFuture<'_, ()>;
    /// Completed cases of `scope` without a decision at their current revision, oldest
    /// change first, at most `limit`.
    fn review_queue<'a>(&'a self, scope: &'a Scope, limit: u32)
    -> StoreFuture<'a, Vec<QueueEntry>>;
    /// The history of a case, when it exists.
    fn case_history(&self, case_id: Uuid) -> StoreFuture<'_, Option<CaseHistory>>;
    /// The revisions' events and the decisions of each of `case_ids` (a page of an export),
    /// by case; a case with neither is absent. One read for the page, not one per case.
    fn case_records<'a>(
        &'a self,
        case_ids: &'a [Uuid],
    ) -> StoreFuture<'a, HashMap<Uuid, CaseRecords>>;
    /// A case as stored (its latest revision, with its document), when it exists.
    fn stored_case(&self, case_id: Uuid) -> StoreFuture<'_, Option<StoredCase>>;
    /// Decisions on cases of `scope`, newest first, at most `limit`.
    fn recent_decisions<'a>(
        &'a self,
        scope: &'a Scope,
        limit: u32,
    ) -> StoreFuture<'a, Vec<PlacedDecision>>;
    /// Map points of `scope` (cases with a position, occupied dwellings without a case at
    /// their building's position), at most `limit`.
    fn map_points<'a>(&'a self, scope: &'a Scope, limit: u32) -> StoreFuture<'a, Vec<MapPoint>>;
    /// GPS centroids of the households of each district of `scope`.
    fn centroids<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, BTreeMap<String, Centroid>>;
    /// The random 32-byte secret named `name`, created at its first use: every instance on
    /// this database, and this one after a restart, reads the same (the review page's
    /// session key is derived from one).
    fn shared_secret<'a>(&'a self, name: &'a str) -> StoreFuture<'a, [u8; 32]>;
    /// Makes `key` the office's current recovery key (rotation: the one before stays
    /// recorded, no longer current); whether the key was new.
    fn set_recovery_key<'a>(&'a self, key: &'a RecoveryKey) -> StoreFuture<'a, bool>;
    /// The office's current recovery key, if one was set.
    fn recovery_key(&self) -> StoreFuture<'_, Option<RecoveryKey>>;
    /// Publishes a questionnaire file under its id@version, once: the same bytes again
    /// change nothing, other bytes are refused ([`PublishOutcome`]).
    fn publish_questionnaire<'a>(
        &'a self,
        publication: &'a NewPublication,
    ) -> StoreFuture<'a, PublishOutcome>;
    /// The exact bytes published as `id`@`version`.
    fn published_body<'a>(
        &'a self,
        id: &'a str,
        version: &'a str,
    ) -> StoreFuture<'a, Option<Vec<u8>>>;
    /// Every published questionnaire, oldest publication first.
    fn published_questionnaires(&self) -> StoreFuture<'_, Vec<PublishedSummary>>;
    /// Cartography's buildings of `districts`, by district and building number.
    fn frame_buildings<'a>(
        &'a self,
        districts: &'a [String],
    ) -> StoreFuture<'a, Vec<FrameBuildingRow>>;
    /// Looks at the per-address token bucket `bucket`/`client` that every instance shares,
    /// taking a token when `take`: `Err(wait)` inside when it is empty. `None` when this
    /// store keeps no shared buckets (SQLite, served by one process: that process's own
    /// buckets count).
    fn shared_bucket<'a>(
        &'a self,
        bucket: &'a str,
        client: &'a str,
        rule: crate::ratelimit::BucketRule,
        take: bool,
    ) -> StoreFuture<'a, Option<Result<(), std::time::Duration>>> {
        let _ = (bucket, client, rule, take);
        Box::pin(async { Ok(None) })
    }
}

/// Opens the storage named by `database`: a `postgres://` or `postgresql://` URL, or a
/// SQLite file path (optionally prefixed with `sqlite:`).
pub async fn open(database: &str) -> Result<Arc<dyn Storage>, StoreError> {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::connect(database).await?))
    } else {
        let path = database.strip_prefix("sqlite:").unwrap_or(database);
        let path = path.strip_prefix("//").unwrap_or(path).to_owned();
        let store = tokio::task::spawn_blocking(move || sqlite::SqliteStore::open(&path))
            .await
            .map_err(|e| StoreError::Backend(format!("open task failed: {e}")))??;
        Ok(Arc::new(store))
    }
}

/// Why a case is refused before touching the database, or `None` when it may be stored.
pub fn precheck(
    case: &IncomingCase,
    device: &DeviceRecord,
    accepted_questionnaires: &[(String, String)],
) -> Option<String> {
    if let Some(reason) = &case.refused {
        return Some(reason.clone());
    }
    if let Err(reason) = crate::validate::check_status(&case.status) {
        return Some(reason);
    }
    if !device.districts.iter().any(|d| d == &case.district_id) {
        return Some(format!(
            "district {} is outside your districts",
            case.district_id
        ));
    }
    if i64::try_from(case.revision).is_err() {
        return Some("revision is out of range".into());
    }
    if !case.case_is_object() {
        return Some("the case document is not a JSON object".into());
    }
    if !accepted_questionnaires.is_empty()
        && !accepted_questionnaires
            .iter()
            .any(|(id, v)| id == &case.questionnaire_id && v == &case.questionnaire_version)
    {
        return Some(format!(
            "questionnaire {} version {} is not accepted by the office",
            case.questionnaire_id, case.questionnaire_version
        ));
    }
    None
}

/// The reason given when a case id already belongs to a district outside the device's.
pub const FOREIGN_CASE: &str = "this case id belongs to a district outside your districts";
