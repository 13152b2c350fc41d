//! The coverage queries, one text for both databases. `{scope}` stands for the scope
//! predicate on a `district_id` column (each store substitutes its own: a JSON list in
//! SQLite, an array in PostgreSQL, or true for the whole country), `$n` for parameters
//! (SQLite reads them as `?n`). Every query is an aggregate or returns only candidates, so a
//! report reads far fewer rows than the cases table holds.

use census_core::coverage::CoverageRules;

/// Tables, created when missing (the type names are valid in both databases; SQLite reads
/// them by affinity). `case_facts` holds one narrow row per case, written with the case.
pub const TABLES: &str = "
CREATE TABLE IF NOT EXISTS case_facts (
  case_id {uuid} PRIMARY KEY, district_id TEXT NOT NULL, building_number BIGINT NOT NULL,
  dwelling_number BIGINT NOT NULL, household_number BIGINT, status TEXT NOT NULL,
  enumerator_id TEXT NOT NULL, persons BIGINT NOT NULL, head_key TEXT,
  lat DOUBLE PRECISION, lon DOUBLE PRECISION, first_at BIGINT, last_at BIGINT,
  last_day TEXT, active_seconds BIGINT NOT NULL, outside_m DOUBLE PRECISION);
CREATE INDEX IF NOT EXISTS case_facts_by_dwelling
  ON case_facts (district_id, building_number, dwelling_number);
CREATE INDEX IF NOT EXISTS case_facts_by_head ON case_facts (head_key, persons);
CREATE TABLE IF NOT EXISTS listed_buildings (
  district_id TEXT NOT NULL, building_number BIGINT NOT NULL, lat DOUBLE PRECISION,
  lon DOUBLE PRECISION, listed_at TEXT NOT NULL, device_id TEXT NOT NULL,
  PRIMARY KEY (district_id, building_number));
CREATE TABLE IF NOT EXISTS listed_dwellings (
  district_id TEXT NOT NULL, building_number BIGINT NOT NULL, dwelling_number BIGINT NOT NULL,
  occupancy TEXT NOT NULL, listed_at TEXT NOT NULL, device_id TEXT NOT NULL,
  PRIMARY KEY (district_id, building_number, dwelling_number));
CREATE TABLE IF NOT EXISTS frame_buildings (
  district_id TEXT NOT NULL, building_number BIGINT NOT NULL, lat DOUBLE PRECISION,
  lon DOUBLE PRECISION, description TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (district_id, building_number));
CREATE TABLE IF NOT EXISTS district_extents (
  district_id TEXT PRIMARY KEY, lat_min DOUBLE PRECISION NOT NULL,
  lat_max DOUBLE PRECISION NOT NULL, lon_min DOUBLE PRECISION NOT NULL,
  lon_max DOUBLE PRECISION NOT NULL, boundary TEXT);
CREATE TABLE IF NOT EXISTS reviewers (
  token_hash {bytes} PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
  scope_level TEXT NOT NULL, scope_id TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS reviews_by_case ON reviews (case_id, revision);
CREATE INDEX IF NOT EXISTS cases_complete_by_change ON cases (updated_at, case_id)
  WHERE status = 'complete';
";

/// Upserts a listed building (`$1` district … `$6` device).
pub const UPSERT_LISTED_BUILDING: &str = "
INSERT INTO listed_buildings (district_id, building_number, lat, lon, listed_at, device_id)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (district_id, building_number) DO UPDATE SET lat = excluded.lat,
  lon = excluded.lon, listed_at = excluded.listed_at, device_id = excluded.device_id";

/// Removes a building the enumerator found demolished from the listing (`$1` district,
/// `$2` building): it no longer counts as listed.
pub const DELETE_LISTED_BUILDING: &str = "
DELETE FROM listed_buildings WHERE district_id = $1 AND building_number = $2";

/// Upserts a listed dwelling (`$1` district … `$6` device).
pub const UPSERT_LISTED_DWELLING: &str = "
INSERT INTO listed_dwellings (district_id, building_number, dwelling_number, occupancy,
  listed_at, device_id)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (district_id, building_number, dwelling_number) DO UPDATE SET
  occupancy = excluded.occupancy, listed_at = excluded.listed_at,
  device_id = excluded.device_id";

/// Upserts a district's extent (`$6`: its boundary as JSON, or NULL for a box only).
pub const UPSERT_EXTENT: &str = "
INSERT INTO district_extents (district_id, lat_min, lat_max, lon_min, lon_max, boundary)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (district_id) DO UPDATE SET lat_min = excluded.lat_min,
  lat_max = excluded.lat_max, lon_min = excluded.lon_min, lon_max = excluded.lon_max,
  boundary = excluded.boundary";

/// The box and boundary of the scope's districts that have one.
pub const SHAPES: &str = "
SELECT district_id, lat_min, lat_max, lon_min, lon_max, boundary FROM district_extents e
WHERE {scope:e}";

/// The positions of the scope's cases, to measure how far outside their district they are.
pub const POSITIONS: &str = "
SELECT case_id, district_id, lat, lon FROM case_facts f
WHERE {scope:f} AND lat IS NOT NULL AND lon IS NOT NULL";

/// Upserts a frame building.
pub const UPSERT_FRAME_BUILDING: &str = "
INSERT INTO frame_buildings (district_id, building_number, lat, lon, description)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (district_id, building_number) DO UPDATE SET lat = excluded.lat,
  lon = excluded.lon, description = excluded.description";

/// The scope's districts with their extents: district columns, the four box edges, the
/// boundary (JSON).
pub const DISTRICTS: &str = "
SELECT d.district_id, d.control_sector, d.supervision_zone, d.commune, d.province, d.region,
  d.expected_buildings, d.expected_dwellings, d.expected_households,
  e.lat_min, e.lat_max, e.lon_min, e.lon_max, e.boundary
FROM districts d LEFT JOIN district_extents e ON e.district_id = d.district_id
WHERE {scope:d}";

/// Cases per district and status: district, status, cases, persons, population (household
/// cases from `tally_cases`, collective living quarters, counted apart, from `tally_apart`).
pub const CASE_COUNTS: &str = "
SELECT district_id, status, cases, persons, 'household' FROM tally_cases
WHERE {scope:tally_cases} AND cases > 0
UNION ALL
SELECT district_id, status, cases, persons, 'collective' FROM tally_apart
WHERE {scope:tally_apart} AND cases > 0";

/// Listed buildings per district.
pub const BUILDING_COUNTS: &str = "
SELECT district_id, buildings FROM tally_listing WHERE {scope:tally_listing}";

/// Listed and occupied dwellings per district.
pub const DWELLING_COUNTS: &str = "
SELECT district_id, dwellings, occupied FROM tally_listing WHERE {scope:tally_listing}";

/// Occupied dwellings with no case.
pub const OCCUPIED_WITHOUT_CASE: &str = "
SELECT district_id, building_number, dwelling_number FROM omitted_dwellings
WHERE {scope:omitted_dwellings}";

/// Frame buildings neither listed nor holding a case.
pub const UNVISITED_BUILDINGS: &str = "
SELECT district_id, building_number FROM unvisited_buildings
WHERE {scope:unvisited_buildings}";

/// Completed households per day: day, households, persons.
pub const DAILY: &str = "
SELECT day, CAST(sum(households) AS BIGINT), CAST(sum(persons) AS BIGINT) FROM tally_days
WHERE {scope:tally_days} AND households > 0 GROUP BY day";

/// Completed households per enumerator per day: enumerator, day, households, active seconds.
pub const ENUMERATOR_DAYS: &str = "
SELECT enumerator_id, day, CAST(sum(households) AS BIGINT),
  CAST(sum(active_seconds) AS BIGINT) FROM tally_days
WHERE {scope:tally_days} AND households > 0 GROUP BY enumerator_id, day";

/// Cases that may be duplicates or suspicious: sharing a dwelling and household number,
/// sharing a head and size (national counts), complete but short (households only), or placed outside their
/// district (`outside_m`, measured at ingest against its boundary or box). Each part is found through an index or a
/// summary, never by reading every case. `{min_base}`, `{min_per_person}` and `{margin}` are
/// numbers from the rules.
pub const CANDIDATES: &str = "
SELECT {columns} FROM repeated_numbers r JOIN case_facts f
  ON f.district_id = r.district_id AND f.building_number = r.building_number
  AND f.dwelling_number = r.dwelling_number AND f.household_number = r.household_number
WHERE {scope:r}
UNION
SELECT {columns} FROM head_counts h JOIN case_facts f
  ON f.head_key = h.head_key AND f.persons = h.persons
WHERE h.cases > 1 AND {scope:f} AND f.status IN ('complete', 'in_progress')
UNION
SELECT {columns} FROM case_facts f
WHERE {scope:f} AND f.status = 'complete'
  AND f.active_seconds - {min_per_person} * f.persons < {min_base}
  AND f.population = 'household'
UNION
SELECT {columns} FROM case_facts f WHERE {scope:f} AND f.outside_m > {margin}";

/// Completed cases without a decision at their current revision, oldest change first
/// (append `LIMIT n`); `cases_complete_by_change` lets a national queue stop after `n`.
pub const QUEUE: &str = "
SELECT c.case_id, c.revision, c.district_id, c.building_number, c.dwelling_number,
  c.household_number, f.enumerator_id, f.persons, f.active_seconds, c.updated_at,
  f.head_name, f.soft_checks
FROM cases c JOIN case_facts f ON f.case_id = c.case_id
WHERE {scope:c} AND c.status = 'complete' AND NOT EXISTS (
  SELECT 1 FROM reviews r WHERE r.case_id = c.case_id AND r.revision = c.revision)
ORDER BY c.updated_at, c.case_id";

/// Decisions on cases of the scope, newest first (append `LIMIT n`), each with its case's
/// place and head of household.
pub const RECENT_DECISIONS: &str = "
SELECT r.case_id, c.district_id, c.building_number, c.dwelling_number, c.household_number,
  f.head_name, r.revision, r.decision, r.comment, r.at, r.reviewer, r.reviewer_role,
  r.revision_read
FROM reviews r JOIN cases c ON c.case_id = r.case_id
LEFT JOIN case_facts f ON f.case_id = r.case_id
WHERE {scope:c}
ORDER BY r.cursor DESC";

/// Map points (district, lat, lon, status): cases with a position, then the occupied
/// dwellings without a case (the summary's list) at their building's position.
pub const MAP_POINTS: [&str; 2] = [
    "SELECT district_id, lat, lon, status FROM case_facts f
     WHERE {scope:f} AND lat IS NOT NULL AND lon IS NOT NULL",
    "SELECT o.district_id, b.lat, b.lon, 'not_enumerated' FROM omitted_dwellings o
     JOIN listed_buildings b ON b.district_id = o.district_id
       AND b.building_number = o.building_number
     WHERE {scope:o} AND b.lat IS NOT NULL AND b.lon IS NOT NULL",
];

/// Household GPS centroids per district: district, mean lat, mean lon, points.
pub const CENTROIDS: &str = "
SELECT district_id, avg(lat), avg(lon), count(*) FROM case_facts f
WHERE {scope:f} AND lat IS NOT NULL AND lon IS NOT NULL GROUP BY district_id";

/// A query with the scope predicate substituted: `scope(column)` gives the predicate for a
/// qualified `district_id` column.
pub fn scoped(sql: &str, scope: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(sql.len() + 64);
    let mut rest = sql;
    while let Some(start) = rest.find("{scope:") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 7..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        out.push_str(&scope(&format!("{}.district_id", &after[..end])));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// [`CANDIDATES`] with the rules' numbers and the facts columns in place.
pub fn candidates_sql(rules: &CoverageRules, columns: &str) -> String {
    CANDIDATES
        .replace("{columns}", columns)
        .replace("{min_base}", &rules.min_seconds_base.to_string())
        .replace(
            "{min_per_person}",
            &rules.min_seconds_per_person.to_string(),
        )
        .replace("{margin}", &format!("{:.3}", rules.outside_margin_m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_predicates_are_substituted_per_alias() {
        let sql = scoped(CANDIDATES, |c| format!("{c} = ANY($1)"));
        assert!(sql.contains("r.district_id = ANY($1)"));
        assert!(sql.contains("f.district_id = ANY($1)"));
        assert!(!sql.contains("{scope"));
        let all = scoped(DAILY, |_| "TRUE".into());
        assert!(all.contains("WHERE TRUE AND households > 0 GROUP BY"));
    }
}
