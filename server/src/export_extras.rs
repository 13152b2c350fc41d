//! What a questionnaire-aware export writes beside the level tables, per case:
//!
//! - `confirmations.csv`: soft checks the enumerator confirmed, with the row, the check's
//!   message in the export's language and the enumerator's note;
//! - `reviews.csv`: review decisions (revision, decision, who, role, when, comment);
//! - `paradata.csv`: interview start and end, active minutes (gaps over
//!   [`PAUSE_SECONDS`] are pauses), revisions stored, events, GPS at start;
//! - `paradata_sections.csv`: active seconds per screen (section), each gap counted for the
//!   screen of the event that ends it.

use std::collections::BTreeMap;
use std::path::Path;

use census_core::coverage::facts::{PAUSE_SECONDS, gps_value};
use census_core::load::Questionnaire;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Csv, safe};
use crate::store::{CaseRecords, RevisionEvents, StoredCase};

/// The extra files' stems.
pub const FILES: [&str; 4] = ["confirmations", "reviews", "paradata", "paradata_sections"];

/// The open extra files.
pub struct Extras {
    confirmations: Csv,
    reviews: Csv,
    paradata: Csv,
    sections: Csv,
}

fn header(w: &mut Csv, names: &[&str]) -> Result<(), String> {
    w.row(names.iter().map(|s| s.to_string()))
}

impl Extras {
    /// Creates the files in `dir` with their headers.
    pub fn create(dir: &Path) -> Result<Extras, String> {
        let [c, r, p, s] = FILES;
        let mut e = Extras {
            confirmations: Csv::create(dir, c)?,
            reviews: Csv::create(dir, r)?,
            paradata: Csv::create(dir, p)?,
            sections: Csv::create(dir, s)?,
        };
        header(
            &mut e.confirmations,
            &["case_id", "district_id", "row", "check", "message", "note"],
        )?;
        header(
            &mut e.reviews,
            &[
                "case_id",
                "district_id",
                "revision",
                "decision",
                "reviewer",
                "reviewer_role",
                "at",
                "comment",
            ],
        )?;
        header(
            &mut e.paradata,
            &[
                "case_id",
                "district_id",
                "device_id",
                "start",
                "end",
                "active_minutes",
                "revisions",
                "events",
                "gps_start_lat",
                "gps_start_lon",
                "gps_start_accuracy",
            ],
        )?;
        header(
            &mut e.sections,
            &["case_id", "district_id", "section", "active_seconds"],
        )?;
        Ok(e)
    }

    /// Writes the confirmations of `case`'s document.
    pub fn confirmations(
        &mut self,
        q: &Questionnaire,
        lang: &str,
        case: &StoredCase,
    ) -> Result<(), String> {
        let Some(list) = case.case.get("confirmations").and_then(Value::as_array) else {
            return Ok(());
        };
        for c in list {
            let text = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("");
            let check = text("check");
            self.confirmations.row([
                case.case_id.to_string(),
                safe(&case.district_id),
                safe(text("row")),
                safe(check),
                safe(q.check_message(check, lang).unwrap_or("")),
                safe(text("note")),
            ])?;
        }
        Ok(())
    }

    /// Writes the review decisions and paradata of `case` from its stored revisions and
    /// decisions.
    pub fn history(&mut self, case: &StoredCase, history: &CaseRecords) -> Result<(), String> {
        let id = case.case_id.to_string();
        let district = safe(&case.district_id);
        for d in &history.decisions {
            self.reviews.row([
                id.clone(),
                district.clone(),
                d.revision.to_string(),
                safe(&d.decision),
                safe(d.reviewer.as_deref().unwrap_or("")),
                safe(d.reviewer_role.as_deref().unwrap_or("")),
                safe(&d.at),
                safe(&d.comment),
            ])?;
        }
        let p = paradata(&history.revisions);
        let time = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
        let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        self.paradata.row([
            id.clone(),
            district.clone(),
            safe(&case.device_id),
            time(p.first),
            time(p.last),
            format!("{:.1}", p.active_seconds as f64 / 60.0),
            history.revisions.len().to_string(),
            p.events.to_string(),
            num(p.gps.map(|g| g.0)),
            num(p.gps.map(|g| g.1)),
            num(p.gps.and_then(|g| g.2)),
        ])?;
        for (section, seconds) in &p.sections {
            self.sections.row([
                id.clone(),
                district.clone(),
                safe(section),
                seconds.to_string(),
            ])?;
        }
        Ok(())
    }

    /// Flushes and syncs the files.
    pub fn finish(self) -> Result<(), String> {
        self.confirmations.finish()?;
        self.reviews.finish()?;
        self.paradata.finish()?;
        self.sections.finish()
    }
}

/// A case's interview time from its stored events.
#[derive(Debug, Default, PartialEq)]
pub struct CaseParadata {
    /// First event.
    pub first: Option<DateTime<Utc>>,
    /// Last event.
    pub last: Option<DateTime<Utc>>,
    /// Gaps between consecutive events, pauses excluded.
    pub active_seconds: u64,
    /// Events read.
    pub events: u64,
    /// First position reported: latitude, longitude, accuracy.
    pub gps: Option<(f64, f64, Option<f64>)>,
    /// Active seconds per screen.
    pub sections: BTreeMap<String, u64>,
}

/// The paradata of every revision's events, in time order.
pub fn paradata(revisions: &[RevisionEvents]) -> CaseParadata {
    let mut events: Vec<(DateTime<Utc>, &Value)> = revisions
        .iter()
        .filter_map(|r| r.events.as_array())
        .flatten()
        .filter_map(|e| {
            let at = DateTime::parse_from_rfc3339(e.get("at")?.as_str()?).ok()?;
            Some((at.with_timezone(&Utc), e))
        })
        .collect();
    events.sort_by_key(|(at, _)| *at);
    let mut p = CaseParadata {
        events: events.len() as u64,
        ..CaseParadata::default()
    };
    for (at, e) in &events {
        if let Some(last) = p.last {
            let gap = (*at - last).num_seconds();
            if (0..=PAUSE_SECONDS).contains(&gap) {
                p.active_seconds += gap as u64;
                let screen = e.get("screen").and_then(Value::as_str).unwrap_or("");
                *p.sections.entry(screen.to_owned()).or_default() += gap as u64;
            }
        }
        p.first = p.first.or(Some(*at));
        p.last = Some(*at);
        if p.gps.is_none() {
            p.gps = e
                .get("gps")
                .and_then(gps_value)
                .map(|g| (g.lat, g.lon, g.accuracy_m));
        }
    }
    p
}
