//! Summaries kept beside the facts so that a coverage report reads a few rows per district
//! instead of every household: counts per district and status, listing counts, progress per
//! district, enumerator and day, and the short lists of occupied dwellings without a case,
//! frame buildings never visited and dwelling/household numbers used twice. One text for
//! both databases (`{scope:alias}` as in `coverage_sql`).
//!
//! Per-district summaries are *recomputed* for the districts a transaction touched, from
//! that district's own rows (a few hundred), inside the same transaction, so they are right
//! by construction: no delta can drift. Head-of-household counts are national (a duplicate
//! may sit across a district border), so they are kept as counts incremented and decremented
//! per case, applied in key order so that concurrent transactions never wait on each other
//! in a cycle.

use census_core::coverage::CoverageRules;

/// Summary tables and their indexes, created when missing.
pub const TABLES: &str = "
CREATE TABLE IF NOT EXISTS server_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tally_cases (
  district_id TEXT NOT NULL, status TEXT NOT NULL, cases BIGINT NOT NULL,
  persons BIGINT NOT NULL, PRIMARY KEY (district_id, status));
CREATE TABLE IF NOT EXISTS tally_listing (
  district_id TEXT PRIMARY KEY, buildings BIGINT NOT NULL, dwellings BIGINT NOT NULL,
  occupied BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS tally_days (
  district_id TEXT NOT NULL, enumerator_id TEXT NOT NULL, day TEXT NOT NULL,
  households BIGINT NOT NULL, persons BIGINT NOT NULL, active_seconds BIGINT NOT NULL,
  PRIMARY KEY (district_id, enumerator_id, day));
CREATE TABLE IF NOT EXISTS omitted_dwellings (
  district_id TEXT NOT NULL, building_number BIGINT NOT NULL, dwelling_number BIGINT NOT NULL,
  PRIMARY KEY (district_id, building_number, dwelling_number));
CREATE TABLE IF NOT EXISTS unvisited_buildings (
  district_id TEXT NOT NULL, building_number BIGINT NOT NULL,
  PRIMARY KEY (district_id, building_number));
CREATE TABLE IF NOT EXISTS repeated_numbers (
  district_id TEXT NOT NULL, building_number BIGINT NOT NULL, dwelling_number BIGINT NOT NULL,
  household_number BIGINT NOT NULL,
  PRIMARY KEY (district_id, building_number, dwelling_number, household_number));
CREATE TABLE IF NOT EXISTS head_counts (
  head_key TEXT NOT NULL, persons BIGINT NOT NULL, cases BIGINT NOT NULL,
  PRIMARY KEY (head_key, persons));
CREATE INDEX IF NOT EXISTS head_counts_shared ON head_counts (head_key) WHERE cases > 1;
CREATE INDEX IF NOT EXISTS case_facts_outside ON case_facts (outside_m);
";

/// The version of the summaries a database holds; a lower one is rebuilt at open.
pub const SUMMARIES_VERSION: &str = "1";

/// Reads the summaries' version.
pub const READ_VERSION: &str = "SELECT value FROM server_meta WHERE key = 'summaries'";

/// Records the summaries' version (`$1`).
pub const WRITE_VERSION: &str = "
INSERT INTO server_meta (key, value) VALUES ('summaries', $1)
ON CONFLICT (key) DO UPDATE SET value = excluded.value";

/// The index that finds short interviews, on the expression the candidates query uses with
/// the default pace (a report with another pace gives the same answer, by a scan).
pub fn short_interview_index() -> String {
    let rules = CoverageRules::new("", "");
    format!(
        "CREATE INDEX IF NOT EXISTS case_facts_short ON case_facts \
         ((active_seconds - {} * persons)) WHERE status = 'complete'",
        rules.min_seconds_per_person
    )
}

/// The population a case counts (`case_facts.population`: `household`, or `collective` for
/// collective living quarters, whose persons are counted apart) and the summary of the
/// latter per district and status (migration "population counted apart"). PostgreSQL's
/// text; SQLite adds the column only when missing (see `sqlite::summaries`).
pub const APART_TABLES: &str = "
ALTER TABLE case_facts ADD COLUMN IF NOT EXISTS population TEXT NOT NULL DEFAULT 'household';
CREATE TABLE IF NOT EXISTS tally_apart (
  district_id TEXT NOT NULL, status TEXT NOT NULL, cases BIGINT NOT NULL,
  persons BIGINT NOT NULL, PRIMARY KEY (district_id, status));
";

/// The review queue's columns of `case_facts` (migration 5): the head's name as written and
/// the soft checks confirmed (PostgreSQL; SQLite adds them one by one when missing).
pub const REVIEW_FACTS_COLUMNS: &str = "
ALTER TABLE case_facts ADD COLUMN IF NOT EXISTS head_name TEXT;
ALTER TABLE case_facts ADD COLUMN IF NOT EXISTS soft_checks BIGINT NOT NULL DEFAULT 0;
";

/// [`APART_TABLES`]' table alone (SQLite, which has no `ADD COLUMN IF NOT EXISTS`).
pub const APART_TABLE: &str = "
CREATE TABLE IF NOT EXISTS tally_apart (
  district_id TEXT NOT NULL, status TEXT NOT NULL, cases BIGINT NOT NULL,
  persons BIGINT NOT NULL, PRIMARY KEY (district_id, status));
";

/// Statements recomputing the per-district summaries of the scope's districts, in order.
/// Household cases are tallied in `tally_cases`, collective living quarters apart in
/// `tally_apart`.
pub const REFRESH: [&str; 14] = [
    "DELETE FROM tally_cases WHERE {scope:tally_cases}",
    "INSERT INTO tally_cases (district_id, status, cases, persons)
     SELECT district_id, status, count(*), sum(persons) FROM case_facts f
     WHERE {scope:f} AND f.population = 'household' GROUP BY district_id, status",
    "DELETE FROM tally_apart WHERE {scope:tally_apart}",
    "INSERT INTO tally_apart (district_id, status, cases, persons)
     SELECT district_id, status, count(*), sum(persons) FROM case_facts f
     WHERE {scope:f} AND f.population = 'collective' GROUP BY district_id, status",
    "DELETE FROM tally_listing WHERE {scope:tally_listing}",
    "INSERT INTO tally_listing (district_id, buildings, dwellings, occupied)
     SELECT d.district_id,
       (SELECT count(*) FROM listed_buildings b WHERE b.district_id = d.district_id),
       (SELECT count(*) FROM listed_dwellings w WHERE w.district_id = d.district_id),
       (SELECT count(*) FROM listed_dwellings w WHERE w.district_id = d.district_id
          AND w.occupancy = 'occupied')
     FROM districts d WHERE {scope:d}",
    "DELETE FROM tally_days WHERE {scope:tally_days}",
    "INSERT INTO tally_days (district_id, enumerator_id, day, households, persons,
       active_seconds)
     SELECT district_id, enumerator_id, last_day, count(*), sum(persons), sum(active_seconds)
     FROM case_facts f WHERE {scope:f} AND status = 'complete' AND last_day IS NOT NULL
     GROUP BY district_id, enumerator_id, last_day",
    "DELETE FROM omitted_dwellings WHERE {scope:omitted_dwellings}",
    "INSERT INTO omitted_dwellings (district_id, building_number, dwelling_number)
     SELECT w.district_id, w.building_number, w.dwelling_number FROM listed_dwellings w
     WHERE {scope:w} AND w.occupancy = 'occupied' AND NOT EXISTS (
       SELECT 1 FROM case_facts f WHERE f.district_id = w.district_id
         AND f.building_number = w.building_number AND f.dwelling_number = w.dwelling_number)",
    "DELETE FROM unvisited_buildings WHERE {scope:unvisited_buildings}",
    "INSERT INTO unvisited_buildings (district_id, building_number)
     SELECT b.district_id, b.building_number FROM frame_buildings b
     WHERE {scope:b}
       AND NOT EXISTS (SELECT 1 FROM listed_buildings l WHERE l.district_id = b.district_id
                       AND l.building_number = b.building_number)
       AND NOT EXISTS (SELECT 1 FROM case_facts f WHERE f.district_id = b.district_id
                       AND f.building_number = b.building_number)",
    "DELETE FROM repeated_numbers WHERE {scope:repeated_numbers}",
    "INSERT INTO repeated_numbers (district_id, building_number, dwelling_number,
       household_number)
     SELECT district_id, building_number, dwelling_number, household_number FROM case_facts f
     WHERE {scope:f} AND household_number IS NOT NULL
     GROUP BY district_id, building_number, dwelling_number, household_number
     HAVING count(*) > 1",
];

/// Refreshes the planner's statistics of the summaries and the facts (after a rebuild).
pub const ANALYZE: &str = "ANALYZE case_facts; ANALYZE tally_cases; ANALYZE tally_apart;
ANALYZE tally_listing;
ANALYZE tally_days; ANALYZE omitted_dwellings; ANALYZE unvisited_buildings;
ANALYZE repeated_numbers; ANALYZE head_counts;";

/// Statements recomputing the national head-of-household counts from the facts.
pub const REBUILD_HEADS: [&str; 2] = [
    "DELETE FROM head_counts",
    "INSERT INTO head_counts (head_key, persons, cases)
     SELECT head_key, persons, count(*) FROM case_facts
     WHERE head_key IS NOT NULL AND persons > 0 AND status IN ('complete', 'in_progress')
     GROUP BY head_key, persons",
];

/// Adds `$3` cases to the count of head key `$1` and size `$2`.
pub const ADD_HEAD: &str = "
INSERT INTO head_counts (head_key, persons, cases) VALUES ($1, $2, $3)
ON CONFLICT (head_key, persons) DO UPDATE SET cases = head_counts.cases + excluded.cases";

/// Sets `outside_m` of case `$1` to `$2`.
pub const SET_OUTSIDE: &str = "UPDATE case_facts SET outside_m = $2 WHERE case_id = $1";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refresh_statement_is_scoped() {
        for sql in REFRESH {
            assert!(sql.contains("{scope:"), "unscoped: {sql}");
        }
    }

    #[test]
    fn the_short_interview_index_uses_the_default_pace() {
        assert!(short_interview_index().contains("active_seconds - 60 * persons"));
    }
}
