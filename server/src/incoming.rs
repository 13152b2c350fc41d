//! The server's view of a batch payload: the same JSON as
//! [`census_core::wire::BatchPayload`], but each case's `case` document and `events` array
//! are kept as the raw text the device sent (checked, never rebuilt), so that ingest does not
//! build and re-serialise a tree of values per household.
//!
//! A case that cannot be read (its JSON unsafe to keep, see [`crate::validate::json`], or
//! a field of the wrong shape) does not spoil the batch: it is read as far as its id and
//! revision and marked refused with the reason, and the other cases go on. Only a case
//! without a readable id makes the whole batch unreadable.

use std::borrow::Cow;

use census_core::sampling::LongFormSelection;
use census_core::value::GpsPoint;
use census_core::wire::{
    BatchPayload, Listing, OfficeSecret, QuestionnaireRef, SignedBatch, WireError,
    check_payload_matches, open_signed_batch_json,
};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use uuid::Uuid;

/// A batch payload as the server stores it.
#[derive(Debug, Deserialize)]
pub struct IncomingBatch {
    /// Wire version.
    pub wire_version: u32,
    /// Batch id.
    pub batch_id: Uuid,
    /// Device id.
    pub device_id: String,
    /// Enumerator id.
    pub enumerator_id: String,
    /// When the device built the batch.
    pub created_at: String,
    /// Questionnaires the cases use.
    pub questionnaires: Vec<QuestionnaireRef>,
    /// The cases, in the batch's order (those that could not be read are refused).
    #[serde(deserialize_with = "read_cases")]
    pub cases: Vec<IncomingCase>,
    /// The device's listing (empty in older batches).
    #[serde(default)]
    pub listing: Listing,
    /// How the server reads the cases' questionnaires (not part of the payload: the HTTP
    /// layer sets it from the server's configuration; default: none, and cases of a
    /// questionnaire without items are not counted).
    #[serde(skip)]
    pub coverage_items: crate::facts::CoverageItems,
}

/// A case of an [`IncomingBatch`].
#[derive(Debug)]
pub struct IncomingCase {
    /// Case id.
    pub case_id: Uuid,
    /// Questionnaire id.
    pub questionnaire_id: String,
    /// Questionnaire version.
    pub questionnaire_version: String,
    /// District.
    pub district_id: String,
    /// Building number.
    pub building_number: u32,
    /// Dwelling number.
    pub dwelling_number: u32,
    /// Household number.
    pub household_number: Option<u32>,
    /// Status.
    pub status: String,
    /// Revision.
    pub revision: u64,
    /// Long-form decision.
    pub long_form: Option<LongFormSelection>,
    /// The census-case document, as sent.
    pub case: Box<RawValue>,
    /// The events array, as sent (`[]` when absent).
    pub events: Box<RawValue>,
    /// The seq of each event, in order.
    pub event_seqs: Vec<u64>,
    /// Each event's time (Unix seconds, when it parses) and position, in order.
    pub event_times: Vec<(Option<i64>, Option<GpsPoint>)>,
    /// Last change on the device.
    pub updated_at: String,
    /// Why the office refuses the case (set when it is read or checked), or `None`.
    pub refused: Option<String>,
}

/// The case as parsed, before its events are checked.
#[derive(Deserialize)]
struct RawCase {
    case_id: Uuid,
    questionnaire_id: String,
    questionnaire_version: String,
    district_id: String,
    building_number: u32,
    dwelling_number: u32,
    #[serde(default)]
    household_number: Option<u32>,
    status: String,
    revision: u64,
    #[serde(default)]
    long_form: Option<LongFormSelection>,
    case: Box<RawValue>,
    #[serde(default = "no_events")]
    events: Box<RawValue>,
    updated_at: String,
}

fn no_events() -> Box<RawValue> {
    // "[]" is valid JSON, so this cannot fail; the fallback keeps the code panic-free.
    RawValue::from_string("[]".into()).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

/// One event, checked field by field as [`census_core::wire::EventRecord`] would be, without
/// building its values.
#[derive(Deserialize)]
#[allow(dead_code)] // The fields are read only to check their types.
struct EventCheck<'a> {
    seq: u64,
    #[serde(borrow)]
    at: Cow<'a, str>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    row_path: Cow<'a, str>,
    #[serde(borrow)]
    item_id: Cow<'a, str>,
    old: IgnoredAny,
    new: IgnoredAny,
    #[serde(default, borrow)]
    screen: Option<Cow<'a, str>>,
    #[serde(default)]
    gps: Option<GpsPoint>,
}

impl TryFrom<RawCase> for IncomingCase {
    type Error = String;

    fn try_from(c: RawCase) -> Result<IncomingCase, String> {
        let events = c.events;
        let checked: Vec<EventCheck<'_>> =
            serde_json::from_str(events.get()).map_err(|e| format!("events: {e}"))?;
        if let Some(e) = checked.iter().find(|e| {
            e.gps.is_some_and(|g| {
                !(-90.0..=90.0).contains(&g.lat)
                    || !(-180.0..=180.0).contains(&g.lon)
                    || g.accuracy_m.is_some_and(|a| a < 0.0)
            })
        }) {
            return Err(format!("event {}: its GPS point is off the globe", e.seq));
        }
        let event_seqs = checked.iter().map(|e| e.seq).collect();
        let event_times = checked
            .iter()
            .map(|e| {
                let at = chrono::DateTime::parse_from_rfc3339(&e.at)
                    .ok()
                    .map(|t| t.timestamp());
                (at, e.gps)
            })
            .collect();
        Ok(IncomingCase {
            case_id: c.case_id,
            questionnaire_id: c.questionnaire_id,
            questionnaire_version: c.questionnaire_version,
            district_id: c.district_id,
            building_number: c.building_number,
            dwelling_number: c.dwelling_number,
            household_number: c.household_number,
            status: c.status,
            revision: c.revision,
            long_form: c.long_form,
            case: c.case,
            events,
            event_seqs,
            event_times,
            updated_at: c.updated_at,
            refused: None,
        })
    }
}

/// What is read of a case that cannot be read whole.
#[derive(Deserialize)]
struct CaseKey {
    case_id: Uuid,
    #[serde(default)]
    revision: Option<Box<RawValue>>,
}

fn read_cases<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<IncomingCase>, D::Error> {
    let raw: Vec<Box<RawValue>> = Vec::deserialize(d)?;
    raw.iter()
        .enumerate()
        .map(|(i, r)| {
            IncomingCase::read(r)
                .map_err(|e| serde::de::Error::custom(format!("case {}: {e}", i + 1)))
        })
        .collect()
}

impl IncomingCase {
    /// Reads one case of a batch: checked and parsed, or refused with the reason (`Err`
    /// only when not even its id can be read).
    pub fn read(raw: &RawValue) -> Result<IncomingCase, String> {
        let text = raw.get();
        let reason = match crate::validate::json::check(text) {
            Err(e) => format!("the case holds JSON the office cannot keep: {e}"),
            Ok(()) => match serde_json::from_str::<RawCase>(text) {
                Ok(c) => match IncomingCase::try_from(c) {
                    Ok(case) => return Ok(case),
                    Err(e) => format!("the case cannot be read: {e}"),
                },
                Err(e) => format!("the case cannot be read: {e}"),
            },
        };
        let key: CaseKey =
            serde_json::from_str(text).map_err(|e| format!("no readable case_id: {e}"))?;
        let revision = key
            .revision
            .and_then(|r| serde_json::from_str::<u64>(r.get()).ok())
            .unwrap_or(0);
        Ok(IncomingCase::refused(key.case_id, revision, reason))
    }

    /// A case refused before it was read whole: only its id and revision are known.
    fn refused(case_id: Uuid, revision: u64, reason: String) -> IncomingCase {
        IncomingCase {
            case_id,
            questionnaire_id: String::new(),
            questionnaire_version: String::new(),
            district_id: String::new(),
            building_number: 0,
            dwelling_number: 0,
            household_number: None,
            status: String::new(),
            revision,
            long_form: None,
            case: RawValue::NULL.to_owned(),
            events: no_events(),
            event_seqs: Vec::new(),
            event_times: Vec::new(),
            updated_at: String::new(),
            refused: Some(reason),
        }
    }
}

impl IncomingCase {
    /// Whether the case document is a JSON object.
    pub fn case_is_object(&self) -> bool {
        self.case.get().trim_start().starts_with('{')
    }

    /// The highest event seq sent (0 without events), capped to `i64::MAX`.
    pub fn max_seq(&self) -> i64 {
        let max = self.event_seqs.iter().copied().max().unwrap_or(0);
        i64::try_from(max).unwrap_or(i64::MAX)
    }

    /// The lowest event seq sent (0 without events), capped to `i64::MAX`.
    pub fn first_seq(&self) -> i64 {
        let min = self.event_seqs.iter().copied().min().unwrap_or(0);
        i64::try_from(min).unwrap_or(i64::MAX)
    }

    /// When the events sent start after the office's `last_seq` of this case + 1 (the
    /// device sends only what was not acknowledged, and the office lost some of it): the
    /// seq the device must send from the next event of. `None` when the log joins up.
    pub fn events_gap(&self, last_seq: i64) -> Option<u64> {
        let joins = self.event_seqs.is_empty() || self.first_seq() <= last_seq.saturating_add(1);
        (!joins).then(|| u64::try_from(last_seq).unwrap_or(0))
    }

    /// The events with a seq above `last_seq`: how many, and their JSON array (`None` when
    /// there are none). The text is the one sent when every event is new.
    pub fn new_events(&self, last_seq: i64) -> Result<Option<(usize, Cow<'_, str>)>, String> {
        let last = u64::try_from(last_seq).unwrap_or(0);
        let fresh = self.event_seqs.iter().filter(|s| **s > last).count();
        if fresh == 0 {
            return Ok(None);
        }
        if fresh == self.event_seqs.len() {
            return Ok(Some((fresh, Cow::Borrowed(self.events.get()))));
        }
        let all: Vec<&RawValue> =
            serde_json::from_str(self.events.get()).map_err(|e| e.to_string())?;
        let mut text = String::from("[");
        for (event, _) in all.iter().zip(&self.event_seqs).filter(|(_, s)| **s > last) {
            if text.len() > 1 {
                text.push(',');
            }
            text.push_str(event.get());
        }
        text.push(']');
        Ok(Some((fresh, Cow::Owned(text))))
    }
}

impl IncomingBatch {
    /// Parses payload JSON.
    pub fn from_json(json: &[u8]) -> Result<IncomingBatch, WireError> {
        serde_json::from_slice(json).map_err(|e| WireError::BadJson(e.to_string()))
    }

    /// The server's view of a typed payload (tests and tools that build payloads in memory).
    pub fn from_payload(payload: &BatchPayload) -> Result<IncomingBatch, WireError> {
        let json = serde_json::to_vec(payload).map_err(|e| WireError::BadJson(e.to_string()))?;
        IncomingBatch::from_json(&json)
    }
}

/// Verifies, decrypts, inflates and parses a batch already split from its envelope, as
/// [`census_core::wire::open_signed_batch`] does, into the server's view of the payload.
pub fn open_incoming(
    batch: &SignedBatch,
    device_public_key: &[u8],
    office_secret: &OfficeSecret,
    inflated_limit: usize,
) -> Result<IncomingBatch, WireError> {
    let json = open_signed_batch_json(batch, device_public_key, office_secret, inflated_limit)?;
    let payload = IncomingBatch::from_json(&json)?;
    check_payload_matches(
        batch,
        payload.wire_version,
        &payload.batch_id,
        &payload.device_id,
    )?;
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch_with_events(events: &str) -> String {
        format!(
            r#"{{"wire_version":1,"batch_id":"6f1c1a52-6d3e-4a8e-9a3b-1d2c3e4f5a6b",
            "device_id":"t","enumerator_id":"E","created_at":"now","questionnaires":[],
            "cases":[{{"case_id":"0b7e6b9e-2f4a-4d51-8e7a-3c2b1a0f9e8d","questionnaire_id":"q",
            "questionnaire_version":"1","district_id":"D","building_number":1,
            "dwelling_number":1,"status":"complete","revision":2,"case":{{"a":1}},
            {events}"updated_at":"now"}}]}}"#
        )
    }

    fn event(seq: u64) -> String {
        format!(
            r#"{{"seq":{seq},"at":"t","kind":"set","row_path":"","item_id":"x","old":null,"new":[1,{{"b":"\u00e9"}}]}}"#
        )
    }

    /// The server reads exactly the cases the typed payload would; a case the typed
    /// payload cannot read is refused alone, the batch still read.
    #[test]
    fn accepts_what_the_wire_type_accepts() {
        let cases = [
            String::new(),
            format!(r#""events":[{},{}],"#, event(1), event(2)),
            r#""events":null,"#.to_string(),
            r#""events":[{"seq":1}],"#.to_string(),
            r#""events":[{"seq":-1,"at":"t","kind":"k","row_path":"","item_id":"x","old":1,"new":2}],"#.to_string(),
            r#""events":[{"seq":1,"at":5,"kind":"k","row_path":"","item_id":"x","old":1,"new":2}],"#.to_string(),
            r#""events":{},"#.to_string(),
        ];
        for events in cases {
            let json = batch_with_events(&events);
            let typed = serde_json::from_str::<BatchPayload>(&json).is_ok();
            let raw = IncomingBatch::from_json(json.as_bytes()).unwrap();
            assert_eq!(typed, raw.cases[0].refused.is_none(), "{events}");
            assert_eq!(raw.cases[0].revision, 2);
        }
    }

    /// Poisoned JSON in a case refuses that case alone; a case without a readable id
    /// makes the batch unreadable.
    #[test]
    fn a_poisoned_case_is_refused_alone() {
        let poisons = [
            (r#""case":{"a":1e999},"#, "out of range"),
            (r#""case":{"a":"\ud800"},"#, "surrogate"),
            (r#""case":{"a":"\u0000"},"#, "NUL"),
            (r#""updated_at":"x\u0000","#, "NUL"),
            (
                r#""case":{"a":"x"},"building_number":-1,"#,
                "cannot be read",
            ),
        ];
        for (poison, why) in poisons {
            let json = batch_with_events("").replacen(r#""case":{"a":1},"#, poison, 1);
            let json = json.replacen(
                r#""status":"complete","#,
                r#""status":"complete","events":[],"#,
                1,
            );
            let batch = IncomingBatch::from_json(json.as_bytes()).unwrap();
            let reason = batch.cases[0].refused.as_deref().unwrap_or_default();
            assert!(reason.contains(why), "{poison}: {reason}");
            assert_eq!(batch.cases[0].revision, 2, "{poison}");
        }
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let json = batch_with_events("").replacen(r#"{"a":1}"#, &deep, 1);
        let batch = IncomingBatch::from_json(json.as_bytes()).unwrap();
        assert!(
            batch.cases[0]
                .refused
                .as_deref()
                .unwrap()
                .contains("nested")
        );
        let json = batch_with_events("").replacen("0b7e6b9e", "not-a-uuid", 1);
        assert!(IncomingBatch::from_json(json.as_bytes()).is_err());
    }

    #[test]
    fn new_events_keep_the_sent_text_or_select_newer_ones() {
        let json = batch_with_events(&format!(
            r#""events":[{}, {},{}],"#,
            event(1),
            event(2),
            event(3)
        ));
        let batch = IncomingBatch::from_json(json.as_bytes()).unwrap();
        let case = &batch.cases[0];
        assert_eq!(case.max_seq(), 3);
        let (n, all) = case.new_events(0).unwrap().unwrap();
        assert_eq!((n, &*all), (3, case.events.get()));
        let (n, newer) = case.new_events(1).unwrap().unwrap();
        assert_eq!(
            (n, newer.into_owned()),
            (2, format!("[{},{}]", event(2), event(3)))
        );
        assert!(case.new_events(3).unwrap().is_none());
        assert_eq!(case.first_seq(), 1);
        assert_eq!(case.events_gap(0), None);
        assert_eq!(case.events_gap(3), None);
        let later = IncomingBatch::from_json(
            batch_with_events(&format!(r#""events":[{},{}],"#, event(4), event(5))).as_bytes(),
        )
        .unwrap();
        assert_eq!(later.cases[0].events_gap(3), None, "4 follows 3");
        assert_eq!(later.cases[0].events_gap(2), Some(2), "3 is missing");
        assert_eq!(
            later.cases[0].events_gap(0),
            Some(0),
            "a case the office lost"
        );
        assert!(case.case_is_object());
    }
}
