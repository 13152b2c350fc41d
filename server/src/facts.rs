//! One narrow row per household case, extracted at ingest from the case's own data and
//! paradata, so that coverage reads a small table instead of every case document.

/// The longest gap between events that still counts as interviewing (core's rule, bound
/// into [`UPSERT_FACTS`] as `$17`).
pub use census_core::coverage::facts::PAUSE_SECONDS;
use census_core::coverage::{
    CaseContent, HouseholdFacts, ItemMap, NoCoverage, Paradata, Population, case_content,
};
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::incoming::IncomingCase;
use crate::shapes::Shapes;

/// The items coverage reads, per questionnaire (id, version), from the questionnaire files
/// the server was given. A questionnaire without items is not counted (never read with
/// another questionnaire's names).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CoverageItems(Arc<BTreeMap<(String, String), ItemMap>>);

impl CoverageItems {
    /// From (id, version, items) triples.
    pub fn new(items: impl IntoIterator<Item = (String, String, ItemMap)>) -> CoverageItems {
        CoverageItems(Arc::new(
            items
                .into_iter()
                .map(|(id, version, map)| ((id, version), map))
                .collect(),
        ))
    }

    /// These items and those of `more` (a questionnaire already here keeps its items).
    pub fn with(&self, more: impl IntoIterator<Item = (String, String, ItemMap)>) -> CoverageItems {
        let mut map = (*self.0).clone();
        for (id, version, items) in more {
            map.entry((id, version)).or_insert(items);
        }
        CoverageItems(Arc::new(map))
    }

    /// From questionnaires, each of which must declare its coverage block: the first
    /// without one is refused with [`NoCoverage`]'s message.
    pub fn of_questionnaires<'q>(
        questionnaires: impl IntoIterator<Item = &'q census_core::load::Questionnaire>,
    ) -> Result<CoverageItems, NoCoverage> {
        let mut items = Vec::new();
        for q in questionnaires {
            let map = q.coverage_items()?.clone();
            items.push((q.id().to_owned(), q.version().to_owned(), map));
        }
        Ok(CoverageItems::new(items))
    }

    /// The items of questionnaire `id` at `version`; a questionnaire the server was not
    /// given is refused for coverage.
    pub fn of(&self, id: &str, version: &str) -> Result<&ItemMap, NoCoverage> {
        self.0
            .get(&(id.to_owned(), version.to_owned()))
            .ok_or_else(|| NoCoverage {
                questionnaire_id: id.to_owned(),
                version: version.to_owned(),
            })
    }
}

/// What the server knows to read a batch's cases: its districts' shapes and the
/// questionnaires' coverage items.
#[derive(Debug, Clone, Default)]
pub struct FactsContext {
    /// The shapes of the sending device's districts.
    pub shapes: Shapes,
    /// The coverage items per questionnaire.
    pub items: CoverageItems,
}

/// The `case_facts` row of a case.
#[derive(Debug, Clone, PartialEq)]
pub struct FactsRow {
    /// Case id.
    pub case_id: Uuid,
    /// District.
    pub district_id: String,
    /// Building.
    pub building_number: i64,
    /// Dwelling.
    pub dwelling_number: i64,
    /// Household number.
    pub household_number: Option<i64>,
    /// Status.
    pub status: String,
    /// Enumerator of the sending device.
    pub enumerator_id: String,
    /// Persons in the roster.
    pub persons: i64,
    /// Head's name key.
    pub head_key: Option<String>,
    /// Latitude of the interview.
    pub lat: Option<f64>,
    /// Longitude of the interview.
    pub lon: Option<f64>,
    /// First new event (Unix seconds).
    pub first_at: Option<i64>,
    /// Last new event (Unix seconds).
    pub last_at: Option<i64>,
    /// Day of `last_at`, `YYYY-MM-DD`.
    pub last_day: Option<String>,
    /// Active seconds within the new events (the database adds the gap to earlier ones).
    pub active_seconds: i64,
    /// Metres outside the district's boundary or box (0 inside); `None` without a position
    /// or a shape.
    pub outside_m: Option<f64>,
    /// Whom the case counts (`household` or `collective`: counted apart).
    pub population: Population,
    /// Head's name as written (the review queue shows it; never compared).
    pub head_name: Option<String>,
    /// Soft checks the enumerator confirmed with a note (the case's `confirmations`).
    pub soft_checks: i64,
}

fn time(seconds: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0)
}

impl FactsRow {
    /// The facts of `case` sent by `enumerator_id`, counting only events after `last_seq`
    /// (those before were counted when first received), read with its questionnaire's
    /// coverage items and measured against its district's shape. A case whose
    /// questionnaire has no coverage items counts no persons, with a warning naming it.
    pub fn of(
        case: &IncomingCase,
        enumerator_id: &str,
        last_seq: i64,
        ctx: &FactsContext,
    ) -> FactsRow {
        let document: serde_json::Value = serde_json::from_str(case.case.get()).unwrap_or_default();
        let soft_checks = document
            .get("confirmations")
            .and_then(serde_json::Value::as_array)
            .map_or(0, Vec::len);
        let items = ctx
            .items
            .of(&case.questionnaire_id, &case.questionnaire_version);
        let (content, population) = match items {
            Ok(items) => (case_content(&document, items), items.population),
            Err(refusal) => {
                tracing::warn!(case = %case.case_id, "{refusal}");
                (CaseContent::default(), Population::Household)
            }
        };
        let last = u64::try_from(last_seq).unwrap_or(0);
        let mut paradata = Paradata::default();
        paradata.extend(
            case.event_seqs
                .iter()
                .zip(&case.event_times)
                .filter(|(seq, _)| **seq > last)
                .filter_map(|(_, (at, gps))| Some((time((*at)?)?, *gps))),
        );
        let gps = content.gps.or(paradata.gps);
        FactsRow {
            case_id: case.case_id,
            district_id: case.district_id.clone(),
            building_number: i64::from(case.building_number),
            dwelling_number: i64::from(case.dwelling_number),
            household_number: case.household_number.map(i64::from),
            status: case.status.clone(),
            enumerator_id: enumerator_id.to_owned(),
            persons: i64::from(content.persons),
            head_key: content.head_key,
            head_name: content.head_name.map(|n| n.chars().take(200).collect()),
            soft_checks: i64::try_from(soft_checks).unwrap_or(i64::MAX),
            lat: gps.map(|g| g.lat),
            lon: gps.map(|g| g.lon),
            first_at: paradata.first_at.map(|t| t.timestamp()),
            last_at: paradata.last_at.map(|t| t.timestamp()),
            last_day: paradata.last_day(),
            active_seconds: i64::try_from(paradata.active_seconds).unwrap_or(i64::MAX),
            outside_m: gps.and_then(|g| ctx.shapes.outside_m(&case.district_id, &g)),
            population,
        }
    }
}

/// Upserts a facts row (`$1`…`$16` in [`FactsRow`] field order, `$17` core's
/// [`PAUSE_SECONDS`], `$18` the population's word, `$19` the head's name as written, `$20`
/// the soft checks confirmed). A later revision replaces
/// the content and adds its interviewing time, plus the gap since the previous revision's
/// last event when that gap is not a pause (the same rule as the tablet's); a revision without a position keeps the earlier
/// one and its distance outside the district. The same text serves SQLite (with `?`
/// placeholders) and PostgreSQL.
pub const UPSERT_FACTS: &str = "
INSERT INTO case_facts (case_id, district_id, building_number, dwelling_number,
  household_number, status, enumerator_id, persons, head_key, lat, lon, first_at, last_at,
  last_day, active_seconds, outside_m, population, head_name, soft_checks)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $18, $19, $20)
ON CONFLICT (case_id) DO UPDATE SET district_id = excluded.district_id,
  population = excluded.population, head_name = excluded.head_name,
  soft_checks = excluded.soft_checks,
  building_number = excluded.building_number, dwelling_number = excluded.dwelling_number,
  household_number = excluded.household_number, status = excluded.status,
  enumerator_id = excluded.enumerator_id, persons = excluded.persons,
  head_key = excluded.head_key,
  outside_m = CASE WHEN excluded.lat IS NULL THEN case_facts.outside_m
                   ELSE excluded.outside_m END,
  lat = COALESCE(excluded.lat, case_facts.lat), lon = COALESCE(excluded.lon, case_facts.lon),
  active_seconds = case_facts.active_seconds + excluded.active_seconds
    + CASE WHEN excluded.first_at IS NOT NULL AND case_facts.last_at IS NOT NULL
            AND excluded.first_at - case_facts.last_at BETWEEN 0 AND $17
           THEN excluded.first_at - case_facts.last_at ELSE 0 END,
  first_at = CASE WHEN case_facts.first_at IS NULL OR excluded.first_at < case_facts.first_at
                  THEN COALESCE(excluded.first_at, case_facts.first_at)
                  ELSE case_facts.first_at END,
  last_day = CASE WHEN case_facts.last_at IS NULL OR excluded.last_at > case_facts.last_at
                  THEN COALESCE(excluded.last_day, case_facts.last_day)
                  ELSE case_facts.last_day END,
  last_at = CASE WHEN case_facts.last_at IS NULL OR excluded.last_at > case_facts.last_at
                 THEN COALESCE(excluded.last_at, case_facts.last_at)
                 ELSE case_facts.last_at END";

/// What the summaries need of a case's facts before it is written: `$1` the case.
/// (A case keeps its questionnaire, hence its population: the summaries' refresh of the
/// district reads it from the facts.)
pub const FACTS_BEFORE: &str =
    "SELECT district_id, head_key, persons, status FROM case_facts WHERE case_id = $1";

/// The facts columns read back, in [`HouseholdFacts`] order (`facts_select`).
pub const FACTS_COLUMNS: &str = "f.case_id, f.district_id, f.building_number, \
  f.dwelling_number, f.household_number, f.status, f.enumerator_id, f.persons, f.head_key, \
  f.lat, f.lon, f.last_day, f.active_seconds, f.population";

/// Builds [`HouseholdFacts`] from the columns of [`FACTS_COLUMNS`].
#[allow(clippy::too_many_arguments)]
pub fn household_facts(
    case_id: Uuid,
    district_id: String,
    building_number: i64,
    dwelling_number: i64,
    household_number: Option<i64>,
    status: String,
    enumerator_id: String,
    persons: i64,
    head_key: Option<String>,
    gps: (Option<f64>, Option<f64>),
    last_day: Option<String>,
    active_seconds: i64,
    population: &str,
) -> HouseholdFacts {
    let u = |v: i64| u32::try_from(v).unwrap_or(0);
    HouseholdFacts {
        case_id,
        district_id,
        building_number: u(building_number),
        dwelling_number: u(dwelling_number),
        household_number: household_number.map(u),
        status,
        enumerator_id,
        persons: u(persons),
        head_key,
        gps: match gps {
            (Some(lat), Some(lon)) => Some(census_core::GpsPoint {
                lat,
                lon,
                accuracy_m: None,
            }),
            _ => None,
        },
        last_day,
        active_seconds: u64::try_from(active_seconds).unwrap_or(0),
        population: Population::parse(population).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incoming::IncomingBatch;

    /// A case of questionnaire `enquete@2` whose persons roster is `membres`, named by `nom`.
    fn case_of_another_questionnaire() -> IncomingBatch {
        let case = serde_json::json!({"root": {"answers": {}, "rosters": {"menages": [
            {"row_id": 1, "answers": {}, "rosters": {"membres": [
                {"row_id": 2, "answers": {"nom": "Amina Idrissi", "lien": "1"}},
                {"row_id": 3, "answers": {"nom": "Yassine Idrissi", "lien": "3"}}]}}]}}});
        let json = serde_json::json!({"wire_version": 1,
            "batch_id": "6f1c1a52-6d3e-4a8e-9a3b-1d2c3e4f5a6b", "device_id": "t",
            "enumerator_id": "E", "created_at": "now", "questionnaires": [],
            "cases": [{"case_id": "0b7e6b9e-2f4a-4d51-8e7a-3c2b1a0f9e8d",
                "questionnaire_id": "enquete", "questionnaire_version": "2",
                "district_id": "D", "building_number": 1, "dwelling_number": 1,
                "status": "complete", "revision": 1, "case": case, "events": [],
                "updated_at": "now"}]});
        IncomingBatch::from_json(json.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn a_case_is_read_with_its_questionnaires_coverage_items() {
        let batch = case_of_another_questionnaire();
        let case = &batch.cases[0];
        let unknown = FactsRow::of(case, "E", 0, &FactsContext::default());
        assert_eq!(unknown.persons, 0, "no items: not counted, never guessed");
        assert_eq!(
            FactsContext::default()
                .items
                .of("enquete", "2")
                .unwrap_err()
                .to_string(),
            "questionnaire enquete 2 has no \"coverage\" block: coverage cannot tell which \
             roster holds its persons, so its cases cannot be counted (declare the block, see \
             schemas/FORMAT.md)"
        );
        let items = ItemMap {
            households: Some("menages".into()),
            persons: "membres".into(),
            relationship: Some("lien".into()),
            head_code: Some("1".into()),
            name: "nom".into(),
            dwelling_gps: "gps".into(),
            population: Population::Household,
        };
        let ctx = FactsContext {
            items: CoverageItems::new([("enquete".into(), "2".into(), items)]),
            ..FactsContext::default()
        };
        let f = FactsRow::of(case, "E", 0, &ctx);
        assert_eq!(f.persons, 2);
        assert_eq!(f.head_key, census_core::coverage::name_key("Amina Idrissi"));
    }
}
