//! Facts a coverage report needs, taken from the data itself: persons, the head's name and
//! the interview's place from the `census-case` document, and active interviewing time from
//! the event log (paradata). Nothing here trusts a number typed as a total.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value as J;

use super::names::name_key;
use crate::engine::{Case, RowPath};
use crate::value::{GpsPoint, Value};

/// Which items of a questionnaire hold what coverage needs, as its file's `coverage` block
/// declares them (checked by the loader). There is no default: a questionnaire without the
/// block cannot be counted ([`NoCoverage`]).
///
/// The field names are those of the block, unchanged since the census questionnaire's first
/// block: `households`, `persons`, `relationship`, `head_code`, `name`, `dwelling_gps`,
/// and `population`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemMap {
    /// Whom the questionnaire counts: private households (the default) or the residents of
    /// collective living quarters, counted apart.
    #[serde(default)]
    pub population: Population,
    /// Roster of households under the root (the dwelling); `None`: the persons roster is
    /// directly under the root (an establishment's residents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub households: Option<String>,
    /// Roster of persons: under a household, or under the root without households.
    pub persons: String,
    /// A person's relationship to the head (a single-choice question of the persons);
    /// `None` where persons have no head (collective quarters). Given with `head_code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
    /// The relationship code of the head; given with `relationship`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_code: Option<String>,
    /// A person's name (a text question of the persons).
    pub name: String,
    /// The GPS answer of the root: the dwelling's or the establishment's (a GPS question of
    /// the root level).
    pub dwelling_gps: String,
}

/// Whom a questionnaire counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Population {
    /// Persons of private households in ordinary dwellings.
    #[default]
    Household,
    /// Residents of collective living quarters (boarding schools, prisons, barracks,
    /// hospitals, hotels, worker camps): the population counted apart.
    Collective,
}

impl Population {
    /// The word used in files and on the wire: `household` or `collective`.
    pub fn as_str(self) -> &'static str {
        match self {
            Population::Household => "household",
            Population::Collective => "collective",
        }
    }

    /// Reads [`Population::as_str`]'s word back; any other word is `None`.
    pub fn parse(word: &str) -> Option<Population> {
        match word {
            "household" => Some(Population::Household),
            "collective" => Some(Population::Collective),
            _ => None,
        }
    }

    /// Whether this is the household population (the default, skipped when serialising).
    pub fn is_household(&self) -> bool {
        *self == Population::Household
    }
}

/// A questionnaire without a `coverage` block: coverage does not know which roster holds
/// its persons, so it refuses to count its cases rather than guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoCoverage {
    /// The questionnaire's id.
    pub questionnaire_id: String,
    /// Its version.
    pub version: String,
}

impl std::fmt::Display for NoCoverage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "questionnaire {} {} has no \"coverage\" block: coverage cannot tell which roster \
             holds its persons, so its cases cannot be counted (declare the block, see \
             schemas/FORMAT.md)",
            self.questionnaire_id, self.version
        )
    }
}

impl std::error::Error for NoCoverage {}

/// What a case document says, for coverage.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CaseContent {
    /// Person rows in the case (in its households, or directly under the root).
    pub persons: u32,
    /// The (first) head's name as a comparison key.
    pub head_key: Option<String>,
    /// The (first) head's name as written (trimmed), for people to read (the review
    /// queue); never compared.
    pub head_name: Option<String>,
    /// The dwelling's GPS answer.
    pub gps: Option<GpsPoint>,
}

fn rows<'a>(row: &'a J, roster: &str) -> impl Iterator<Item = &'a J> {
    row.get("rosters")
        .and_then(|r| r.get(roster))
        .and_then(J::as_array)
        .into_iter()
        .flatten()
}

fn answer<'a>(row: &'a J, item: &str) -> Option<&'a J> {
    row.get("answers").and_then(|a| a.get(item))
}

/// Reads a GPS answer (`{"lat": …, "lon": …, "accuracy_m": …}`), refusing impossible values.
pub fn gps_value(value: &J) -> Option<GpsPoint> {
    let lat = value.get("lat")?.as_f64()?;
    let lon = value.get("lon")?.as_f64()?;
    let valid = (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon);
    valid.then(|| GpsPoint {
        lat,
        lon,
        accuracy_m: value.get("accuracy_m").and_then(J::as_f64),
    })
}

/// The coverage content of a `census-case` document. A document of another shape gives
/// zero persons and no head, never an error: coverage counts what is there.
pub fn case_content(case: &J, map: &ItemMap) -> CaseContent {
    let Some(root) = case.get("root") else {
        return CaseContent::default();
    };
    let mut content = CaseContent {
        gps: answer(root, &map.dwelling_gps).and_then(gps_value),
        ..CaseContent::default()
    };
    let persons: Vec<&J> = match &map.households {
        Some(households) => rows(root, households)
            .flat_map(|household| rows(household, &map.persons))
            .collect(),
        None => rows(root, &map.persons).collect(),
    };
    for person in persons {
        content.persons += 1;
        let is_head = match (&map.relationship, &map.head_code) {
            (Some(relationship), Some(head)) => {
                answer(person, relationship).and_then(J::as_str) == Some(head.as_str())
            }
            _ => false,
        };
        if is_head && content.head_key.is_none() {
            let name = answer(person, &map.name).and_then(J::as_str);
            content.head_key = name.and_then(name_key);
            content.head_name = name
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned);
        }
    }
    content
}

/// The coverage content of a case held in memory (the tablet holds the typed case): the
/// same figures as [`case_content`] of its `census-case` document, without writing it.
pub fn case_content_of(case: &Case, map: &ItemMap) -> CaseContent {
    let root = RowPath::root();
    let text = |row: &RowPath, item: &str| match case.answer(row, item) {
        Some(Value::Text(text)) => Some(text.clone()),
        _ => None,
    };
    let mut content = CaseContent {
        gps: match case.answer(&root, &map.dwelling_gps) {
            Some(Value::Gps(p))
                if (-90.0..=90.0).contains(&p.lat) && (-180.0..=180.0).contains(&p.lon) =>
            {
                Some(*p)
            }
            _ => None,
        },
        ..CaseContent::default()
    };
    let persons: Vec<RowPath> = match &map.households {
        Some(households) => case
            .rows(&root, households)
            .into_iter()
            .flat_map(|household| case.rows(&household, &map.persons))
            .collect(),
        None => case.rows(&root, &map.persons),
    };
    for person in persons {
        content.persons += 1;
        let is_head = match (&map.relationship, &map.head_code) {
            (Some(relationship), Some(head)) => {
                text(&person, relationship).as_deref() == Some(head.as_str())
            }
            _ => false,
        };
        if is_head && content.head_key.is_none() {
            let name = text(&person, &map.name);
            content.head_key = name.as_deref().and_then(name_key);
            content.head_name = name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        }
    }
    content
}

/// A gap between two answers longer than this is a pause, not interviewing.
pub const PAUSE_SECONDS: i64 = 600;

/// Interview time and place from the event log, accumulated over the revisions a case is
/// sent in (each revision brings only its new events).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Paradata {
    /// First event.
    pub first_at: Option<DateTime<Utc>>,
    /// Last event.
    pub last_at: Option<DateTime<Utc>>,
    /// Sum of the gaps between consecutive events, pauses excluded.
    pub active_seconds: u64,
    /// The first position the device reported during the interview.
    pub gps: Option<GpsPoint>,
}

impl Paradata {
    /// Adds events (time, position) that come after those already counted.
    pub fn extend(&mut self, events: impl IntoIterator<Item = (DateTime<Utc>, Option<GpsPoint>)>) {
        for (at, gps) in events {
            if let Some(last) = self.last_at {
                let gap = (at - last).num_seconds();
                if (0..=PAUSE_SECONDS).contains(&gap) {
                    self.active_seconds += gap as u64;
                }
            }
            self.first_at = Some(self.first_at.map_or(at, |f| f.min(at)));
            self.last_at = Some(self.last_at.map_or(at, |l| l.max(at)));
            if self.gps.is_none() {
                self.gps = gps;
            }
        }
    }

    /// The day of the last event, `YYYY-MM-DD` (UTC).
    pub fn last_day(&self) -> Option<String> {
        self.last_at.map(|t| t.format("%Y-%m-%d").to_string())
    }
}

/// Reads `(at, gps)` of each event of a wire events array; events whose time does not
/// parse are skipped (they still count as events elsewhere).
pub fn event_times(events: &J) -> Vec<(DateTime<Utc>, Option<GpsPoint>)> {
    events
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let at = DateTime::parse_from_rfc3339(e.get("at")?.as_str()?).ok()?;
            Some((at.with_timezone(&Utc), e.get("gps").and_then(gps_value)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::synthetic::census_items;
    use serde_json::json;

    fn case(persons: &[(&str, &str)]) -> J {
        let persons: Vec<J> = persons
            .iter()
            .enumerate()
            .map(|(i, (rel, name))| {
                json!({"row_id": i + 1, "answers": {"p_relationship": rel, "p_name": name}})
            })
            .collect();
        json!({"format": "census-case", "root": {
            "answers": {"d_gps": {"lat": 31.5, "lon": -7.8, "accuracy_m": 6.0}},
            "rosters": {"households": [{"row_id": 1, "answers": {},
                "rosters": {"persons": persons}}]}}})
    }

    #[test]
    fn persons_head_and_place_come_from_the_document() {
        let c = case_content(
            &case(&[
                ("02", "Fatima Alaoui"),
                ("01", "Mohamed Alaoui"),
                ("03", "Sara"),
            ]),
            &census_items(),
        );
        assert_eq!(c.persons, 3);
        assert_eq!(c.head_key.as_deref(), Some("alaoui mohamed"));
        assert_eq!(c.gps.map(|g| g.lat), Some(31.5));
    }

    #[test]
    fn a_document_of_another_shape_counts_nothing() {
        let c = case_content(&json!({"root": 5}), &census_items());
        assert_eq!(c, CaseContent::default());
        let c = case_content(&json!([1, 2]), &census_items());
        assert_eq!(c, CaseContent::default());
        assert_eq!(gps_value(&json!({"lat": 120.0, "lon": 0.0})), None);
    }

    #[test]
    fn residents_directly_under_the_root_are_counted_without_a_head() {
        let items = ItemMap {
            population: Population::Collective,
            households: None,
            persons: "residents".into(),
            relationship: None,
            head_code: None,
            name: "r_name".into(),
            dwelling_gps: "e_gps".into(),
        };
        let doc = json!({"root": {"answers": {"e_gps": {"lat": 33.9, "lon": -6.9}},
            "rosters": {"residents": [{"row_id": 1, "answers": {"r_name": "Omar Tazi"}},
                                      {"row_id": 2, "answers": {"r_name": "Nadia Amrani"}}],
                        "households": [{"row_id": 3, "rosters": {"persons": [{}]}}]}}});
        let c = case_content(&doc, &items);
        assert_eq!(c.persons, 2, "only the declared roster is read");
        assert_eq!(c.head_key, None);
        assert_eq!(c.gps.map(|g| g.lon), Some(-6.9));
        // The census items read their own roster only: the one decoy person.
        assert_eq!(case_content(&doc, &census_items()).persons, 1);
    }

    #[test]
    fn the_block_reads_with_its_first_field_names_and_population_defaults_to_household() {
        let block = json!({"households": "households", "persons": "persons",
            "relationship": "p_relationship", "head_code": "01", "name": "p_name",
            "dwelling_gps": "d_gps"});
        let items: ItemMap = serde_json::from_value(block.clone()).unwrap();
        assert_eq!(items, census_items());
        assert_eq!(
            serde_json::to_value(&items).unwrap()["households"],
            "households"
        );
        let collective: ItemMap = serde_json::from_value(json!({"population": "collective",
            "persons": "residents", "name": "r_name", "dwelling_gps": "e_gps"}))
        .unwrap();
        assert_eq!(collective.population, Population::Collective);
        assert_eq!(collective.households, None);
        assert_eq!(
            Population::parse("collective"),
            Some(Population::Collective)
        );
        assert_eq!(Population::parse("hotel"), None);
    }

    #[test]
    fn pauses_do_not_count_as_interviewing() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let mut p = Paradata::default();
        p.extend([
            (t("2024-09-02T09:00:00Z"), None),
            (t("2024-09-02T09:05:00Z"), None),
        ]);
        // A second revision: resumed after lunch, then 2 more minutes.
        p.extend([
            (t("2024-09-02T13:00:00Z"), None),
            (t("2024-09-02T13:02:00Z"), None),
        ]);
        assert_eq!(p.active_seconds, 7 * 60);
        assert_eq!(p.last_day().as_deref(), Some("2024-09-02"));
        let events = json!([{"at": "2024-09-02T09:00:00Z", "gps": {"lat": 31.0, "lon": -8.0}},
                            {"at": "not a time"}]);
        let times = event_times(&events);
        assert_eq!(times.len(), 1);
        assert_eq!(times[0].1.map(|g| g.lon), Some(-8.0));
    }
}
