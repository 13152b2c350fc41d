//! What a write changed that the coverage summaries depend on (see
//! `store::summary_sql`): the districts to recompute and the changes to the national
//! head-of-household counts. Both stores collect a [`Touched`] while ingesting or importing
//! and apply it before committing.

use std::collections::{BTreeMap, BTreeSet};

use crate::facts::FactsRow;

/// A case's facts as stored before a write, as far as the summaries are concerned.
#[derive(Debug, Clone, PartialEq)]
pub struct FactsBefore {
    /// District.
    pub district_id: String,
    /// Head's name key.
    pub head_key: Option<String>,
    /// Persons.
    pub persons: i64,
    /// Status.
    pub status: String,
}

/// The (head key, size) a case adds to the national head counts, if any: only households
/// with a named head and at least one person, complete or in progress (the ones the
/// duplicate detector compares).
fn head_of(head_key: Option<&str>, persons: i64, status: &str) -> Option<(String, i64)> {
    let key = head_key?;
    (persons > 0 && matches!(status, "complete" | "in_progress")).then(|| (key.to_owned(), persons))
}

/// Districts and head counts touched by one transaction.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Touched {
    /// Districts whose summaries must be recomputed.
    pub districts: BTreeSet<String>,
    /// Net change of each (head key, size) count; zero changes are dropped.
    heads: BTreeMap<(String, i64), i64>,
}

impl Touched {
    /// Notes a district whose listing, frame or cases changed.
    pub fn district(&mut self, district_id: &str) {
        if !self.districts.contains(district_id) {
            self.districts.insert(district_id.to_owned());
        }
    }

    /// Notes a case written over `before` (`None`: a new case).
    pub fn case(&mut self, before: Option<&FactsBefore>, after: &FactsRow) {
        self.district(&after.district_id);
        if let Some(b) = before {
            self.district(&b.district_id);
            if let Some(key) = head_of(b.head_key.as_deref(), b.persons, &b.status) {
                self.add_head(key, -1);
            }
        }
        if let Some(key) = head_of(after.head_key.as_deref(), after.persons, &after.status) {
            self.add_head(key, 1);
        }
    }

    fn add_head(&mut self, key: (String, i64), change: i64) {
        let entry = self.heads.entry(key.clone()).or_insert(0);
        *entry += change;
        if *entry == 0 {
            self.heads.remove(&key);
        }
    }

    /// The head-count changes in key order (the order every transaction applies them in, so
    /// that two never wait on each other in a cycle): (head key, size, change).
    pub fn head_changes(&self) -> impl Iterator<Item = (&str, i64, i64)> {
        self.heads
            .iter()
            .map(|((key, persons), change)| (key.as_str(), *persons, *change))
    }

    /// The touched districts as a list.
    pub fn district_list(&self) -> Vec<String> {
        self.districts.iter().cloned().collect()
    }

    /// Whether nothing was touched.
    pub fn is_empty(&self) -> bool {
        self.districts.is_empty() && self.heads.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(district: &str, head: Option<&str>, persons: i64, status: &str) -> FactsRow {
        FactsRow {
            case_id: uuid::Uuid::nil(),
            district_id: district.into(),
            building_number: 1,
            dwelling_number: 1,
            household_number: Some(1),
            status: status.into(),
            enumerator_id: "E".into(),
            persons,
            head_key: head.map(str::to_owned),
            lat: None,
            lon: None,
            first_at: None,
            last_at: None,
            last_day: None,
            active_seconds: 0,
            outside_m: None,
            population: census_core::coverage::Population::Household,
            head_name: None,
            soft_checks: 0,
        }
    }

    fn before(f: &FactsRow) -> FactsBefore {
        FactsBefore {
            district_id: f.district_id.clone(),
            head_key: f.head_key.clone(),
            persons: f.persons,
            status: f.status.clone(),
        }
    }

    #[test]
    fn a_new_case_adds_its_head_and_district() {
        let mut t = Touched::default();
        t.case(None, &facts("D1", Some("alaoui fatima"), 4, "complete"));
        assert_eq!(t.district_list(), vec!["D1".to_string()]);
        assert_eq!(
            t.head_changes().collect::<Vec<_>>(),
            vec![("alaoui fatima", 4, 1)]
        );
    }

    #[test]
    fn a_corrected_head_moves_the_count_and_an_unchanged_one_nets_to_nothing() {
        let old = facts("D1", Some("alaoui fatima"), 4, "complete");
        let mut t = Touched::default();
        t.case(Some(&before(&old)), &old);
        assert_eq!(t.head_changes().count(), 0);
        let new = facts("D1", Some("alaoui fatiha"), 5, "complete");
        t.case(Some(&before(&old)), &new);
        assert_eq!(
            t.head_changes().collect::<Vec<_>>(),
            vec![("alaoui fatiha", 5, 1), ("alaoui fatima", 4, -1)]
        );
    }

    #[test]
    fn refused_unnamed_and_empty_households_are_not_counted() {
        let mut t = Touched::default();
        t.case(None, &facts("D1", Some("x"), 3, "refused"));
        t.case(None, &facts("D1", None, 3, "complete"));
        t.case(None, &facts("D2", Some("x"), 0, "in_progress"));
        assert_eq!(t.head_changes().count(), 0);
        assert_eq!(t.districts.len(), 2);
        assert!(!t.is_empty());
    }
}
