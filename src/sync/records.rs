//! Conversions between the store's values and the wire's: a stored case at its revision
//! becomes a [`CaseRecord`] (the case in the engine's `census-case` JSON form plus its event
//! log); a downloaded assignment and review decisions become the store's.

use std::sync::Arc;

use census_core::load::Questionnaire;
use census_core::wire::{
    self, CaseRecord, EventRecord, ListedBuildingRecord, ListedDwellingRecord, Listing,
    ReviewDecision,
};
use chrono::{DateTime, SecondsFormat, Utc};

use crate::store::sync_state::ReviewNote;
use crate::store::{
    Assignment, Building, BuildingState, CaseId, District, Event, StoreError, StoredCase,
    StoredListing,
};

/// Why a stored case cannot be turned into a record (it stays in the outbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordError {
    /// No questionnaire of that id and version is installed on this tablet.
    UnknownQuestionnaire {
        /// Questionnaire id.
        id: String,
        /// Questionnaire version.
        version: String,
    },
    /// The stored answers do not rebuild into a case of the questionnaire.
    Unreadable(String),
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordError::UnknownQuestionnaire { id, version } => write!(
                f,
                "questionnaire {id} version {version} is not installed on this tablet: update \
                 the app; the case is kept"
            ),
            RecordError::Unreadable(why) => write!(
                f,
                "the case's stored answers could not be read back ({why}); the case is kept: \
                 tell your supervisor"
            ),
        }
    }
}

fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// One event of the log in its wire form.
pub fn event_record(event: &Event) -> EventRecord {
    EventRecord {
        seq: u64::try_from(event.seq).unwrap_or(0),
        at: rfc3339(event.at),
        kind: event.kind.clone(),
        row_path: event.row_path.clone().unwrap_or_default(),
        item_id: event.item_id.clone().unwrap_or_default(),
        old: event.old.clone().unwrap_or(serde_json::Value::Null),
        new: event.new.clone().unwrap_or(serde_json::Value::Null),
        screen: (!event.screen.is_empty()).then(|| event.screen.clone()),
        gps: event.gps,
        last_at: event.last_at.map(rfc3339),
    }
}

/// Finds the installed questionnaire a case was made with.
pub fn questionnaire_for<'a>(
    installed: &'a [Arc<Questionnaire>],
    id: &str,
    version: &str,
) -> Result<&'a Arc<Questionnaire>, RecordError> {
    installed
        .iter()
        .find(|q| q.id() == id && q.version() == version)
        .ok_or_else(|| RecordError::UnknownQuestionnaire {
            id: id.to_owned(),
            version: version.to_owned(),
        })
}

/// A stored case and its event log as a wire record, its answers serialised through the
/// engine (so the office receives exactly the engine's `census-case` document).
pub fn case_record(
    installed: &[Arc<Questionnaire>],
    stored: &StoredCase,
    events: &[Event],
) -> Result<CaseRecord, RecordError> {
    let meta = &stored.meta;
    let questionnaire = questionnaire_for(
        installed,
        &meta.questionnaire_id,
        &meta.questionnaire_version,
    )?;
    let today = Utc::now().date_naive();
    let case = stored
        .restore(questionnaire.clone(), today)
        .map_err(|e| RecordError::Unreadable(e.to_string()))?;
    Ok(CaseRecord {
        case_id: meta.case_id.0,
        questionnaire_id: meta.questionnaire_id.clone(),
        questionnaire_version: meta.questionnaire_version.clone(),
        district_id: meta.district_id.clone(),
        building_number: meta.building_no,
        dwelling_number: meta.dwelling_no,
        household_number: Some(meta.household_no),
        status: meta.status.as_str().to_owned(),
        revision: u64::try_from(meta.revision.0).unwrap_or(0),
        long_form: None,
        case: case.to_json(),
        events: events.iter().map(event_record).collect(),
        updated_at: rfc3339(meta.updated_at),
    })
}

/// The tablet's listing in its wire form.
pub fn listing_record(listing: &StoredListing) -> Listing {
    Listing {
        buildings: listing
            .buildings
            .iter()
            .map(|b| ListedBuildingRecord {
                district_id: b.district_id.clone(),
                building_number: b.building_no,
                gps: b.gps,
                demolished: b.state == BuildingState::Demolished,
                listed_at: b.listed_at.clone(),
            })
            .collect(),
        dwellings: listing
            .dwellings
            .iter()
            .map(|d| ListedDwellingRecord {
                district_id: d.district_id.clone(),
                building_number: d.building_no,
                dwelling_number: d.dwelling_no,
                occupancy: d.occupancy.as_str().to_owned(),
                listed_at: d.listed_at.clone(),
            })
            .collect(),
    }
}

/// The office's assignment in the store's form. Buildings of the frame are added to the
/// tablet's listing (the store never overwrites the enumerator's own listing).
pub fn store_assignment(assignment: &wire::Assignment) -> Assignment {
    Assignment {
        districts: assignment
            .districts
            .iter()
            .map(|d| District {
                district_id: d.district_id.clone(),
                name: if d.commune.is_empty() {
                    d.district_id.clone()
                } else {
                    format!("{} — {}", d.commune, d.district_id)
                },
                expected_buildings: d.expected_buildings,
                expected_dwellings: d.expected_dwellings,
                expected_households: d.expected_households,
                sampling: d.sampling,
                hierarchy: Some(d.hierarchy()),
                buildings: d
                    .buildings
                    .iter()
                    .map(|b| Building {
                        building_no: b.building_number,
                        address: b.description.clone(),
                        gps: b.gps,
                        // Cartography's buildings wait for the enumerator to confirm them.
                        state: BuildingState::ToConfirm,
                        dwellings: Vec::new(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// A downloaded review decision as the store keeps it.
pub fn review_note(decision: &ReviewDecision) -> ReviewNote {
    ReviewNote {
        decision_id: format!("review-{}", decision.cursor),
        case_id: CaseId(decision.case_id),
        decision: decision.decision,
        comment: decision.comment.clone(),
        decided_at: DateTime::parse_from_rfc3339(&decision.at)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|_| Utc::now()),
    }
}

/// Whether a store error means "no such case on this tablet".
pub fn is_not_found(error: &StoreError) -> bool {
    matches!(error, StoreError::NotFound(_))
}
