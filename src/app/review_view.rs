//! The reviewer's screens' data (controller, supervisor): the reviewer card, the office's
//! coverage report of the area when one was downloaded (else the tablet's own coverage), and
//! the review queue with the decisions saved on the tablet. Read from the encrypted store
//! and the sync status only: the sync thread does the downloading.

use std::collections::HashMap;

use census_core::coverage::{CoverageReport, HouseholdFacts, Level};
use census_core::wire::{Decision, MapPoint, QueueEntry};
use chrono::{DateTime, NaiveDate, Utc};

use super::coverage_view::{self, CoverageData, capitalised, row};
use super::state::AppState;
use crate::i18n::Tr;
use crate::store::{QueuedDecision, ReviewDownload, Store, StoreError};
use crate::sync::{SyncActivity, SyncProblem};
use crate::ui::screens::coverage_map::{DotStatus, MapDot};
use crate::ui::screens::review::{RefusedDecision, ReviewEntry, ReviewView};
use crate::ui::screens::reviewer_card::ReviewerCard;
use crate::ui::screens::view::CoverageView;

/// A time in the tablet's local time, kept left to right.
fn local_time(tr: &Tr, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&chrono::Local);
    tr.ltr(&local.format("%Y-%m-%d %H:%M").to_string())
}

/// The reviewer's message for a problem of the review sync.
fn review_problem_text(problem: &SyncProblem, tr: &Tr) -> String {
    match problem {
        SyncProblem::Offline => tr.t("review_offline").to_owned(),
        SyncProblem::ServerTrouble => tr.t("review_server_trouble").to_owned(),
        other => other.message(tr),
    }
}

/// The review queue as downloaded, with when.
type DownloadedQueue = (Vec<QueueEntry>, DateTime<Utc>);

/// The review queue as last downloaded, and when (`None`: never, or signed out).
fn stored_queue(store: &Store) -> Result<Option<DownloadedQueue>, StoreError> {
    let Some(download) = store.review_download(ReviewDownload::Queue)? else {
        return Ok(None);
    };
    let entries = serde_json::from_str(&download.body)
        .map_err(|e| StoreError::Corrupted(format!("review queue: {e}")))?;
    Ok(Some((entries, download.fetched_at)))
}

/// The reviewer card.
pub fn reviewer_card(state: &AppState, store: &Store, tr: &Tr) -> Result<ReviewerCard, StoreError> {
    let signed_in = store.reviewer_token()?.is_some();
    let queue = stored_queue(store)?;
    let decisions = store.queued_review_decisions()?;
    let status = state.sync_status.as_ref();
    let problem = status
        .filter(|_| signed_in)
        .and_then(|s| s.review_problem.as_ref());
    Ok(ReviewerCard {
        configured: state.config.server_url.is_some(),
        signed_in,
        session_closed: !signed_in && store.reviewer_session_closed()?,
        as_of: queue.as_ref().map(|(_, at)| local_time(tr, *at)),
        activity: status
            .filter(|s| signed_in && s.activity == SyncActivity::Reviewing)
            .map(|_| tr.t("sync_reviewing").to_owned()),
        problem: problem.map(|p| review_problem_text(p, tr)),
        code_refused: matches!(problem, Some(SyncProblem::ReviewerNotRecognised)),
        queue: queue.map_or(0, |(entries, _)| entries.len()),
        waiting: decisions.iter().filter(|d| d.refusal.is_none()).count(),
        busy: status.is_some_and(|s| s.is_busy()),
    })
}

/// "District 07-041-0012, building 1, dwelling 2, household 1".
fn place(tr: &Tr, entry: &QueueEntry) -> String {
    let n = |v: u32| v.to_string();
    let household = entry.household_number.map_or_else(String::new, n);
    let inside = tr.f(
        "cov_household_ref",
        &[
            ("building", &n(entry.building_number)),
            ("dwelling", &n(entry.dwelling_number)),
            ("household", &household),
        ],
    );
    let code = tr.ltr(&entry.district_id);
    capitalised(tr.f("cov_in_district", &[("code", &code), ("place", &inside)]))
}

fn waiting_text(tr: &Tr, decision: &QueuedDecision) -> String {
    match decision.decision {
        Decision::Approved => tr.t("review_waiting_approved").to_owned(),
        Decision::SentBack => tr.f(
            "review_waiting_sent_back",
            &[("comment", &decision.comment)],
        ),
    }
}

/// The review screen's data.
pub fn review_view(state: &AppState, store: &Store, tr: &Tr) -> Result<ReviewView, StoreError> {
    let reviewer = reviewer_card(state, store, tr)?;
    let entries = stored_queue(store)?.map(|(e, _)| e).unwrap_or_default();
    let decisions: HashMap<_, QueuedDecision> = store
        .queued_review_decisions()?
        .into_iter()
        .map(|d| (d.case_id, d))
        .collect();
    let places: HashMap<_, String> = entries.iter().map(|e| (e.case_id, place(tr, e))).collect();
    let view_entries = entries
        .iter()
        .map(|e| {
            let updated = DateTime::parse_from_rfc3339(&e.updated_at)
                .map(|t| local_time(tr, t.with_timezone(&Utc)))
                .unwrap_or_else(|_| tr.ltr(&e.updated_at));
            ReviewEntry {
                case_id: e.case_id,
                revision: e.revision,
                place: places.get(&e.case_id).cloned().unwrap_or_default(),
                enumerator: tr.f("review_enumerator", &[("id", &tr.ltr(&e.enumerator_id))]),
                facts: tr.f(
                    "review_facts",
                    &[
                        ("persons", &tr.ltr(&e.persons.to_string())),
                        ("minutes", &tr.ltr(&format!("{:.0}", e.minutes.floor()))),
                        ("at", &updated),
                    ],
                ),
                waiting: decisions
                    .get(&e.case_id)
                    .filter(|d| d.refusal.is_none())
                    .map(|d| waiting_text(tr, d)),
            }
        })
        .collect();
    let mut refused: Vec<RefusedDecision> = decisions
        .values()
        .filter_map(|d| {
            let reason = d.refusal.as_ref()?;
            let place = places.get(&d.case_id).cloned().unwrap_or_else(|| {
                let id = d.case_id.simple().to_string();
                let short: String = id.chars().take(8).collect();
                capitalised(tr.f("cov_unknown_case", &[("id", &tr.ltr(&short))]))
            });
            Some(RefusedDecision {
                case_id: d.case_id,
                text: tr.f(
                    "review_refused_line",
                    &[("place", &place), ("reason", reason)],
                ),
                place,
            })
        })
        .collect();
    refused.sort_by(|a, b| a.place.cmp(&b.place));
    Ok(ReviewView {
        reviewer,
        entries: view_entries,
        refused,
    })
}

/// The office's map points of the reviewer's area, as dots (none when not received).
fn stored_map(store: &Store) -> Result<Vec<MapDot>, StoreError> {
    let Some(download) = store.review_download(ReviewDownload::Map)? else {
        return Ok(Vec::new());
    };
    let points: Vec<MapPoint> = serde_json::from_str(&download.body).unwrap_or_default();
    Ok(points
        .iter()
        .map(|p| MapDot {
            lat: p.lat,
            lon: p.lon,
            status: DotStatus::parse(&p.status),
        })
        .collect())
}

/// The office's report of the reviewer's area in the coverage screen's words: the roll-ups
/// (control sectors, supervision zones), the districts, and what was found in each. Cases are
/// named by building, dwelling and household when the queue knows them.
pub fn area_view(
    report: &CoverageReport,
    queue: &[QueueEntry],
    names: &HashMap<String, String>,
    tr: &Tr,
) -> CoverageView {
    let districts: Vec<(String, String)> = report
        .level(Level::District)
        .map(|a| (a.id.clone(), names.get(&a.id).cloned().unwrap_or_default()))
        .collect();
    let data = CoverageData {
        households: queue
            .iter()
            .map(|e| HouseholdFacts {
                case_id: e.case_id,
                district_id: e.district_id.clone(),
                building_number: e.building_number,
                dwelling_number: e.dwelling_number,
                household_number: e.household_number,
                status: "complete".to_owned(),
                enumerator_id: e.enumerator_id.clone(),
                persons: e.persons,
                head_key: None,
                gps: None,
                last_day: None,
                active_seconds: (e.minutes.max(0.0) * 60.0) as u64,
                population: Default::default(),
            })
            .collect(),
        ..CoverageData::default()
    };
    let mut view = coverage_view::view_of(districts, &data, report, tr);
    for district in &mut view.districts {
        district.on_tablet = names.contains_key(&district.code);
    }
    for (level, key) in [
        (Level::SupervisionZone, "cov_level_supervision_zone"),
        (Level::ControlSector, "cov_level_control_sector"),
    ] {
        for area in report.level(level) {
            let code = tr.ltr(&area.id);
            view.areas
                .push(row(tr.f(key, &[("code", &code)]), &area.counts));
        }
    }
    view
}

/// The coverage screen: the office's report of the reviewer's area when one is stored, else
/// the tablet's own data; with the reviewer card.
pub fn coverage_screen(
    state: &AppState,
    store: &Store,
    today: NaiveDate,
    tr: &Tr,
) -> Result<CoverageView, StoreError> {
    let card = reviewer_card(state, store, tr)?;
    let area = match store.review_download(ReviewDownload::Coverage)? {
        Some(download) if card.signed_in => serde_json::from_str::<CoverageReport>(&download.body)
            .ok()
            .map(|report| (report, download.fetched_at)),
        _ => None,
    };
    let mut view = match area {
        Some((report, fetched_at)) => {
            let queue = stored_queue(store)?.map(|(e, _)| e).unwrap_or_default();
            let names: HashMap<String, String> = store
                .districts()?
                .into_iter()
                .map(|d| (d.district_id, d.name))
                .collect();
            let mut view = area_view(&report, &queue, &names, tr);
            view.as_of = Some(local_time(tr, fetched_at));
            view.map = stored_map(store)?;
            view
        }
        None => coverage_view::coverage_view(
            store,
            &state.questionnaires,
            today,
            &state.enumerator_id,
            tr,
        )?,
    };
    view.reviewer = card;
    Ok(view)
}
