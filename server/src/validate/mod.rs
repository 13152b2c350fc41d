//! Every case checked at ingest against its questionnaire, before anything is stored
//! (design principle 10): a bad case is refused alone, with its reason in its own reply.
//!
//! Checked for each case of an opened batch ([`check_batch`]), cheapest first:
//! - the JSON of the whole case record ([`json`]: numbers finite, texts valid Unicode
//!   without NUL, bounded nesting and text length), when the batch is parsed
//!   (`crate::incoming`);
//! - a known status ([`STATUSES`]) and a questionnaire id@version the office holds
//!   ([`Questionnaires`]; by default the bundled census questionnaire);
//! - sizes: the case document at most [`MAX_CASE_BYTES`], its events at most
//!   [`MAX_EVENTS_BYTES`], each roster at most its `max_rows`;
//! - GPS points on the globe;
//! - the document read by the engine itself (`Case::from_json`): every item known at its
//!   level, every answer of its item's type, choice codes in their lists, row ids valid.
//!
//! A constraint that fails is *not* a refusal: the tablet keeps such an answer (it blocks
//! completion there, and a completed case may be edited again), so refusing it would
//! lose the enumerator's work; review sees it. Who may write a case and by how much its
//! revision may grow is [`ownership`], applied by the stores.

pub mod json;
pub mod ownership;

use std::collections::BTreeMap;
use std::sync::Arc;

use census_core::engine::Case;
use census_core::load::Questionnaire;
use census_core::wire::{Listing, QuestionnaireRef};
use chrono::NaiveDate;
use serde_json::Value;

use crate::incoming::{IncomingBatch, IncomingCase};

/// Largest case document (bytes of JSON).
pub const MAX_CASE_BYTES: usize = 1024 * 1024;
/// Largest events array of one case in one batch (bytes of JSON).
pub const MAX_EVENTS_BYTES: usize = 4 * 1024 * 1024;
/// Case statuses the tablet writes (`census_core::coverage::status`).
pub const STATUSES: [&str; 6] = [
    "not_started",
    "in_progress",
    "complete",
    "refused",
    "absent",
    "vacant",
];

/// The bundled census questionnaire (`schemas/rgph2024.json`): the default the office
/// accepts when it is given no questionnaire.
pub const BUNDLED_QUESTIONNAIRE: &str = include_str!("../../../schemas/rgph2024.json");

/// The questionnaires the office accepts, compiled, by id and version.
#[derive(Clone)]
pub struct Questionnaires(Arc<BTreeMap<(String, String), Arc<Questionnaire>>>);

impl std::fmt::Debug for Questionnaires {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

impl Questionnaires {
    /// These questionnaires.
    pub fn new(list: impl IntoIterator<Item = Arc<Questionnaire>>) -> Questionnaires {
        Questionnaires(Arc::new(
            list.into_iter()
                .map(|q| ((q.id().to_owned(), q.version().to_owned()), q))
                .collect(),
        ))
    }

    /// The bundled census questionnaire alone.
    pub fn bundled() -> Result<Questionnaires, String> {
        let q = census_core::load::load_questionnaire("rgph2024.json", BUNDLED_QUESTIONNAIRE)
            .map_err(|report| format!("the bundled questionnaire cannot be used:\n{report}"))?;
        Ok(Questionnaires::new([q]))
    }

    /// The questionnaire `id` at `version`.
    pub fn get(&self, id: &str, version: &str) -> Option<&Arc<Questionnaire>> {
        self.0.get(&(id.to_owned(), version.to_owned()))
    }

    /// Every questionnaire held.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Questionnaire>> {
        self.0.values()
    }

    /// The (id, version) pairs held.
    pub fn accepted(&self) -> Vec<(String, String)> {
        self.0.keys().cloned().collect()
    }

    /// As the wire lists them.
    pub fn refs(&self) -> Vec<QuestionnaireRef> {
        self.0
            .keys()
            .map(|(id, version)| QuestionnaireRef {
                id: id.clone(),
                version: version.clone(),
            })
            .collect()
    }
}

impl Default for Questionnaires {
    /// The bundled census questionnaire; none if it could not be compiled (then every case
    /// is refused, which a test of the bundled file rules out).
    fn default() -> Questionnaires {
        Questionnaires::bundled().unwrap_or_else(|e| {
            tracing::error!(error = %e, "no questionnaire accepted");
            Questionnaires::new([])
        })
    }
}

/// Checks every case of `batch` not refused yet, marking the bad ones refused with their
/// reason; drops listing rows that could not be stored. `today` is the day expressions
/// see (`today()`).
pub fn check_batch(batch: &mut IncomingBatch, questionnaires: &Questionnaires, today: NaiveDate) {
    for case in batch.cases.iter_mut().filter(|c| c.refused.is_none()) {
        if let Err(reason) = check_case(case, questionnaires, today) {
            case.refused = Some(reason);
        }
    }
    let dropped = keep_storable_listing(&mut batch.listing);
    if dropped > 0 {
        tracing::warn!(device = %batch.device_id, dropped, "unstorable listing rows dropped");
    }
}

/// Refuses a status the tablet does not write.
pub fn check_status(status: &str) -> Result<(), String> {
    if STATUSES.contains(&status) {
        Ok(())
    } else {
        Err(format!(
            "unknown status {status:?} (known: {})",
            STATUSES.join(", ")
        ))
    }
}

/// Reads payload JSON and checks every case, as the batches handler does once a batch is
/// opened (the fuzz target in `server/fuzz` and its bounded test drive this).
pub fn read_and_check(
    json: &[u8],
    questionnaires: &Questionnaires,
    today: NaiveDate,
) -> Result<IncomingBatch, census_core::wire::WireError> {
    let mut batch = IncomingBatch::from_json(json)?;
    check_batch(&mut batch, questionnaires, today);
    Ok(batch)
}

/// Why `case` cannot be stored, checked against its questionnaire.
pub fn check_case(
    case: &IncomingCase,
    questionnaires: &Questionnaires,
    today: NaiveDate,
) -> Result<(), String> {
    check_status(&case.status)?;
    let q = questionnaires
        .get(&case.questionnaire_id, &case.questionnaire_version)
        .ok_or_else(|| {
            format!(
                "questionnaire {} version {} is not accepted by the office",
                case.questionnaire_id, case.questionnaire_version
            )
        })?;
    let size = case.case.get().len();
    if size > MAX_CASE_BYTES {
        return Err(format!(
            "the case document is {size} bytes, more than the {MAX_CASE_BYTES} the office takes"
        ));
    }
    let size = case.events.get().len();
    if size > MAX_EVENTS_BYTES {
        return Err(format!(
            "the case's events are {size} bytes, more than the {MAX_EVENTS_BYTES} the office \
             takes in one batch"
        ));
    }
    let doc: Value = serde_json::from_str(case.case.get())
        .map_err(|e| format!("the case document cannot be read: {e}"))?;
    let version = doc
        .get("questionnaire")
        .and_then(|v| v.get("version"))
        .and_then(Value::as_str);
    if version != Some(q.version()) {
        return Err(format!(
            "the case document is of questionnaire version {}, the record says {}",
            version.unwrap_or("(none)"),
            q.version()
        ));
    }
    if let Some(root) = doc.get("root") {
        check_rows(q, root, "root")?;
    }
    Case::from_json(Arc::clone(q), today, &doc).map_err(|e| format!("the case is invalid: {e}"))?;
    Ok(())
}

/// Rosters within their `max_rows`, GPS answers on the globe, in a row and the rows below.
fn check_rows(q: &Questionnaire, row: &Value, at: &str) -> Result<(), String> {
    for field in ["inputs", "answers"] {
        let Some(values) = row.get(field).and_then(Value::as_object) else {
            continue;
        };
        for (id, v) in values {
            if let Value::Object(point) = v {
                check_gps(point).map_err(|e| format!("{at}.{field}.{id}: {e}"))?;
            }
        }
    }
    let Some(rosters) = row.get("rosters").and_then(Value::as_object) else {
        return Ok(());
    };
    for (id, rows) in rosters {
        let Some(rows) = rows.as_array() else {
            continue; // The engine names it.
        };
        let max = q.roster(id).map_or(0, |r| r.max_rows());
        if rows.len() > max as usize {
            return Err(format!(
                "{at}.rosters.{id} has {} rows, more than its {max}",
                rows.len()
            ));
        }
        for (i, child) in rows.iter().enumerate() {
            check_rows(q, child, &format!("{at}.rosters.{id}[{i}]"))?;
        }
    }
    Ok(())
}

fn check_gps(point: &serde_json::Map<String, Value>) -> Result<(), String> {
    let number = |name: &str| point.get(name).and_then(Value::as_f64);
    match (number("lat"), number("lon")) {
        (Some(lat), Some(lon))
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {}
        (Some(_), Some(_)) => return Err("a GPS point is off the globe".into()),
        _ => return Ok(()), // Not a GPS point: the engine checks its type.
    }
    match number("accuracy_m") {
        Some(a) if a < 0.0 => Err("a GPS accuracy is negative".into()),
        _ => Ok(()),
    }
}

/// Drops listing rows whose texts cannot be stored (NUL, overlong) or whose position is
/// off the globe; returns how many.
pub fn keep_storable_listing(listing: &mut Listing) -> usize {
    let ok_text = |s: &str| s.len() <= 256 && !s.contains('\0');
    let ok_gps = |g: &Option<census_core::value::GpsPoint>| {
        g.is_none_or(|g| {
            (-90.0..=90.0).contains(&g.lat)
                && (-180.0..=180.0).contains(&g.lon)
                && g.accuracy_m.is_none_or(|a| a.is_finite() && a >= 0.0)
        })
    };
    let before = listing.buildings.len() + listing.dwellings.len();
    listing
        .buildings
        .retain(|b| ok_text(&b.district_id) && ok_text(&b.listed_at) && ok_gps(&b.gps));
    listing
        .dwellings
        .retain(|d| ok_text(&d.district_id) && ok_text(&d.listed_at) && ok_text(&d.occupancy));
    before - listing.buildings.len() - listing.dwellings.len()
}

/// The questionnaires of `serve`'s command line: each `--questionnaire id@version` (only
/// the bundled questionnaire can be named without its file) and each
/// `--questionnaire-file`; neither given: the bundled census questionnaire. Returns them
/// with a line to print for each.
pub fn from_command_line(
    named: &[String],
    files: &[std::path::PathBuf],
) -> Result<(Questionnaires, Vec<String>), String> {
    let bundled = Questionnaires::bundled()?;
    let mut list = Vec::new();
    let mut lines = Vec::new();
    for q in named {
        let (id, version) = q
            .split_once('@')
            .ok_or_else(|| format!("--questionnaire {q:?}: use id@version"))?;
        let found = bundled.get(id, version).ok_or_else(|| {
            format!(
                "--questionnaire {q}: the office has no file for it (bundled: {}); give it \
                 with --questionnaire-file",
                bundled
                    .accepted()
                    .iter()
                    .map(|(i, v)| format!("{i}@{v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        list.push(Arc::clone(found));
        lines.push(format!("questionnaire {q} (bundled)"));
    }
    for path in files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let name = path.display().to_string();
        let q = census_core::load::load_questionnaire(&name, &text)
            .map_err(|report| format!("{name} cannot be used:\n{report}"))?;
        lines.push(format!(
            "questionnaire {}@{} from {name}",
            q.id(),
            q.version()
        ));
        list.push(q);
    }
    if named.is_empty() && files.is_empty() {
        lines.push("questionnaire rgph2024 (bundled; give --questionnaire-file for others)".into());
        return Ok((bundled, lines));
    }
    Ok((Questionnaires::new(list), lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_questionnaire_compiles_and_is_the_default() {
        let q = Questionnaires::bundled().unwrap();
        assert_eq!(
            q.accepted(),
            [("rgph2024".to_string(), "1.0.0".to_string())]
        );
        assert_eq!(Questionnaires::default().accepted(), q.accepted());
        let (named, _) = from_command_line(&["rgph2024@1.0.0".into()], &[]).unwrap();
        assert_eq!(named.accepted(), q.accepted());
        assert!(from_command_line(&["rgph2024@9".into()], &[]).is_err());
        assert!(from_command_line(&["rgph2024".into()], &[]).is_err());
    }

    /// Rosters past their `max_rows` and GPS points off the globe are refused before the
    /// engine reads the document; the engine then names unknown items.
    #[test]
    fn rows_and_points_out_of_range_are_refused() {
        let qs = Questionnaires::bundled().unwrap();
        let q = qs.get("rgph2024", "1.0.0").unwrap();
        let household = |i: usize| {
            serde_json::json!({"row_id": i + 1, "inputs": {}, "answers": {},
                "rosters": {"persons": [], "deaths": []}})
        };
        let doc = |households: usize, gps: Value| {
            serde_json::json!({"inputs": {}, "answers": {"d_gps": gps},
                "rosters": {"households": (0..households).map(household).collect::<Vec<_>>()}})
        };
        let on_globe = serde_json::json!({"lat": 34.0, "lon": -6.8, "accuracy_m": 5.0});
        assert_eq!(check_rows(q, &doc(20, on_globe.clone()), "root"), Ok(()));
        let err = check_rows(q, &doc(21, on_globe), "root").unwrap_err();
        assert!(err.contains("21 rows, more than its 20"), "{err}");
        for point in [
            serde_json::json!({"lat": 91.0, "lon": 0.0}),
            serde_json::json!({"lat": 0.0, "lon": -181.0}),
            serde_json::json!({"lat": 0.0, "lon": 0.0, "accuracy_m": -1.0}),
        ] {
            let err = check_rows(q, &doc(1, point), "root").unwrap_err();
            assert!(err.starts_with("root.answers.d_gps: a GPS"), "{err}");
        }
    }
}
