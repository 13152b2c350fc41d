//! SQLite side of coverage and review: the listing and facts written at ingest, and the
//! reads behind reports, the review queue, case histories and the map.

use std::collections::BTreeMap;

use census_core::coverage::publish::Centroid;
use census_core::coverage::{
    Boundary, BoundingBox, Counts, CoverageRules, DayProgress, EnumeratorDayTotal, FrameDistrict,
    Gathered, HouseholdFacts, Level, Population,
};
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use uuid::Uuid;

use crate::facts::{
    FACTS_BEFORE, FACTS_COLUMNS, FactsContext, FactsRow, PAUSE_SECONDS, UPSERT_FACTS,
    household_facts,
};
use crate::incoming::{IncomingBatch, IncomingCase};
use crate::store::coverage_sql::{self as q, QUEUE};
use crate::store::packed::StoredJson;
use crate::store::{
    CaseHistory, DeviceRecord, HistoryDecision, MapPoint, QueueEntry, Reviewer, RevisionEvents,
    Role, Scope, StoreError,
};
use crate::summaries::{FactsBefore, Touched};

/// A boundary as stored at import.
pub(crate) fn parse_boundary(json: &str) -> Result<Boundary, StoreError> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Backend(format!("stored district boundary: {e}")))
}

/// `$n` placeholders as SQLite's `?n`.
pub fn sqlite_params(sql: &str) -> String {
    sql.replace('$', "?")
}

/// The coverage tables in SQLite's dialect.
pub fn tables() -> String {
    q::TABLES
        .replace("{uuid}", "TEXT")
        .replace("{bytes}", "BLOB")
}

/// A scoped query and its parameters.
pub(crate) fn scoped(sql: &str, scope: &Scope) -> Result<(String, Vec<String>), StoreError> {
    match scope {
        Scope::All => Ok((q::scoped(sql, |_| "1 = 1".into()), Vec::new())),
        Scope::Districts(ids) => Ok((
            q::scoped(sql, |c| format!("{c} IN (SELECT value FROM json_each(?1))")),
            vec![serde_json::to_string(ids)?],
        )),
    }
}

/// Writes a stored case's facts (`last_seq`: the highest event seq stored before) and notes
/// what the summaries must follow.
pub fn write_facts(
    tx: &Connection,
    case: &IncomingCase,
    device: &DeviceRecord,
    last_seq: i64,
    (ctx, touched): (&FactsContext, &mut Touched),
) -> Result<(), StoreError> {
    let f = FactsRow::of(case, &device.enumerator_id, last_seq, ctx);
    let before = tx
        .prepare_cached(&sqlite_params(FACTS_BEFORE))?
        .query_row([f.case_id.to_string()], |r| {
            Ok(FactsBefore {
                district_id: r.get(0)?,
                head_key: r.get(1)?,
                persons: r.get(2)?,
                status: r.get(3)?,
            })
        })
        .optional()?;
    touched.case(before.as_ref(), &f);
    tx.prepare_cached(&sqlite_params(UPSERT_FACTS))?
        .execute(params![
            f.case_id.to_string(),
            f.district_id,
            f.building_number,
            f.dwelling_number,
            f.household_number,
            f.status,
            f.enumerator_id,
            f.persons,
            f.head_key,
            f.lat,
            f.lon,
            f.first_at,
            f.last_at,
            f.last_day,
            f.active_seconds,
            f.outside_m,
            PAUSE_SECONDS,
            f.population.as_str(),
            f.head_name,
            f.soft_checks
        ])?;
    Ok(())
}

/// Writes the batch's listing rows of the device's own districts (others are skipped and
/// counted), noting their districts. Returns (written, skipped).
pub fn write_listing(
    tx: &Connection,
    batch: &IncomingBatch,
    device: &DeviceRecord,
    touched: &mut Touched,
) -> Result<(usize, usize), StoreError> {
    let mine = |d: &str| device.districts.iter().any(|x| x == d);
    let (mut written, mut skipped) = (0, 0);
    let mut st = tx.prepare_cached(&sqlite_params(q::UPSERT_LISTED_BUILDING))?;
    let mut demolish = tx.prepare_cached(&sqlite_params(q::DELETE_LISTED_BUILDING))?;
    for b in &batch.listing.buildings {
        if !mine(&b.district_id) {
            skipped += 1;
            continue;
        }
        touched.district(&b.district_id);
        if b.demolished {
            demolish.execute(params![b.district_id, b.building_number])?;
            written += 1;
            continue;
        }
        st.execute(params![
            b.district_id,
            b.building_number,
            b.gps.map(|g| g.lat),
            b.gps.map(|g| g.lon),
            b.listed_at,
            device.device_id
        ])?;
        written += 1;
    }
    let mut st = tx.prepare_cached(&sqlite_params(q::UPSERT_LISTED_DWELLING))?;
    for d in &batch.listing.dwellings {
        if !mine(&d.district_id) {
            skipped += 1;
            continue;
        }
        touched.district(&d.district_id);
        st.execute(params![
            d.district_id,
            d.building_number,
            d.dwelling_number,
            d.occupancy,
            d.listed_at,
            device.device_id
        ])?;
        written += 1;
    }
    Ok((written, skipped))
}

fn facts_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, HouseholdFacts)> {
    let id: String = r.get(0)?;
    Ok((
        id,
        household_facts(
            Uuid::nil(),
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
            r.get(8)?,
            (r.get(9)?, r.get(10)?),
            r.get(11)?,
            r.get(12)?,
            &r.get::<_, String>(13)?,
        ),
    ))
}

/// Gathers a report's inputs.
pub fn gather(
    conn: &Connection,
    scope: &Scope,
    rules: &CoverageRules,
) -> Result<Gathered, StoreError> {
    let run = |sql: &str| scoped(sql, scope);
    let mut g = Gathered::default();

    let (sql, p) = run(q::DISTRICTS)?;
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params_from_iter(&p), |r| {
        let bbox = BoundingBox::from_edges(r.get(9)?, r.get(10)?, r.get(11)?, r.get(12)?);
        let district = FrameDistrict {
            district_id: r.get(0)?,
            control_sector: r.get(1)?,
            supervision_zone: r.get(2)?,
            commune: r.get(3)?,
            province: r.get(4)?,
            region: r.get(5)?,
            expected_buildings: r.get(6)?,
            expected_dwellings: r.get(7)?,
            expected_households: r.get(8)?,
            bbox,
            boundary: None,
        };
        Ok((district, r.get::<_, Option<String>>(13)?))
    })?;
    for row in rows {
        let (mut district, boundary) = row?;
        district.boundary = boundary.as_deref().map(parse_boundary).transpose()?;
        g.districts.push(district);
    }

    let (sql, p) = run(q::CASE_COUNTS)?;
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params_from_iter(&p))?;
    while let Some(r) = rows.next()? {
        let district: String = r.get(0)?;
        let status: String = r.get(1)?;
        let n: i64 = r.get(2)?;
        let persons = r.get::<_, Option<i64>>(3)?.unwrap_or(0) as u64;
        let population: String = r.get(4)?;
        let counts = g.counts.entry(district).or_default();
        match Population::parse(&population) {
            Some(Population::Collective) => counts.add_apart(&status, n as u64, persons),
            _ => counts.add_cases(&status, n as u64, persons),
        }
    }
    let (sql, p) = run(q::BUILDING_COUNTS)?;
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params_from_iter(&p))?;
    while let Some(r) = rows.next()? {
        let c: &mut Counts = g.counts.entry(r.get(0)?).or_default();
        c.listed_buildings = r.get::<_, i64>(1)? as u64;
    }
    let (sql, p) = run(q::DWELLING_COUNTS)?;
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params_from_iter(&p))?;
    while let Some(r) = rows.next()? {
        let c: &mut Counts = g.counts.entry(r.get(0)?).or_default();
        c.listed_dwellings = r.get::<_, i64>(1)? as u64;
        c.occupied_dwellings = r.get::<_, Option<i64>>(2)?.unwrap_or(0) as u64;
    }

    let (sql, p) = run(q::OCCUPIED_WITHOUT_CASE)?;
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params_from_iter(&p), |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    for row in rows {
        g.occupied_without_household.push(row?);
    }
    let (sql, p) = run(q::UNVISITED_BUILDINGS)?;
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params_from_iter(&p), |r| Ok((r.get(0)?, r.get(1)?)))?;
    for row in rows {
        g.unvisited_buildings.push(row?);
    }

    let (sql, p) = run(&q::candidates_sql(rules, FACTS_COLUMNS))?;
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params_from_iter(&p), facts_row)?;
    for row in rows {
        let (id, mut facts) = row?;
        facts.case_id = Uuid::parse_str(&id)?;
        g.candidates.push(facts);
    }

    let (sql, p) = run(q::DAILY)?;
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params_from_iter(&p), |r| {
        Ok(DayProgress {
            day: r.get(0)?,
            completed: r.get::<_, i64>(1)? as u64,
            persons: r.get::<_, i64>(2)? as u64,
        })
    })?;
    for row in rows {
        g.daily.push(row?);
    }
    let (sql, p) = run(q::ENUMERATOR_DAYS)?;
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params_from_iter(&p), |r| {
        Ok(EnumeratorDayTotal {
            enumerator_id: r.get(0)?,
            day: r.get(1)?,
            completed: r.get::<_, i64>(2)? as u64,
            active_seconds: r.get::<_, i64>(3)? as u64,
        })
    })?;
    for row in rows {
        g.enumerator_days.push(row?);
    }
    Ok(g)
}

/// The review queue.
pub fn review_queue(
    conn: &Connection,
    scope: &Scope,
    limit: u32,
) -> Result<Vec<QueueEntry>, StoreError> {
    let (sql, p) = scoped(&format!("{QUEUE} LIMIT {limit}"), scope)?;
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params_from_iter(&p), |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, Option<i64>>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, i64>(7)?,
            r.get::<_, i64>(8)?,
            r.get::<_, String>(9)?,
            r.get::<_, Option<String>>(10)?,
            r.get::<_, i64>(11)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, rev, district, b, w, h, enumerator, persons, active, updated, head, checks) = row?;
        out.push(QueueEntry {
            case_id: Uuid::parse_str(&id)?,
            revision: rev as u64,
            district_id: district,
            building_number: b as u32,
            dwelling_number: w as u32,
            household_number: h.map(|h| h as u32),
            enumerator_id: enumerator,
            persons: persons as u32,
            minutes: (active as f64 / 6.0).round() / 10.0,
            updated_at: updated,
            head_name: head,
            soft_checks: u32::try_from(checks).unwrap_or(0),
        });
    }
    Ok(out)
}

/// A case's history.
pub fn case_history(conn: &Connection, case_id: Uuid) -> Result<Option<CaseHistory>, StoreError> {
    let key = case_id.to_string();
    let head: Option<(String, String, i64)> = conn
        .query_row(
            "SELECT district_id, status, revision FROM cases WHERE case_id = ?1",
            [&key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((district_id, status, revision)) = head else {
        return Ok(None);
    };
    let mut st = conn
        .prepare("SELECT revision, events FROM case_events WHERE case_id = ?1 ORDER BY revision")?;
    let rows = st.query_map([&key], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, StoredJson>(1)?))
    })?;
    let mut revisions = Vec::new();
    for row in rows {
        let (rev, events) = row?;
        revisions.push(RevisionEvents {
            revision: rev as u64,
            events: events.value()?,
        });
    }
    let mut st = conn.prepare(
        "SELECT revision, decision, comment, at, reviewer, reviewer_role, revision_read
             FROM reviews WHERE case_id = ?1 ORDER BY cursor",
    )?;
    let rows = st.query_map([&key], |r| {
        Ok(HistoryDecision {
            revision: r.get::<_, i64>(0)? as u64,
            decision: r.get(1)?,
            comment: r.get(2)?,
            at: r.get(3)?,
            reviewer: r.get(4)?,
            reviewer_role: r.get(5)?,
            revision_read: r.get::<_, Option<i64>>(6)?.map(|v| v as u64),
        })
    })?;
    let decisions = rows.collect::<Result<Vec<_>, _>>()?;
    Ok(Some(CaseHistory {
        case_id,
        district_id,
        status,
        revision: revision as u64,
        revisions,
        decisions,
    }))
}

/// Map points.
pub fn map_points(
    conn: &Connection,
    scope: &Scope,
    limit: u32,
) -> Result<Vec<MapPoint>, StoreError> {
    let mut out = Vec::new();
    for sql in q::MAP_POINTS {
        let (sql, p) = scoped(&format!("{sql} LIMIT {limit}"), scope)?;
        let mut st = conn.prepare(&sql)?;
        let rows = st.query_map(params_from_iter(&p), |r| {
            Ok(MapPoint {
                district_id: r.get(0)?,
                lat: r.get(1)?,
                lon: r.get(2)?,
                status: r.get(3)?,
            })
        })?;
        for row in rows {
            out.push(row?);
        }
    }
    out.truncate(limit as usize);
    Ok(out)
}

/// Household GPS centroids per district.
pub fn centroids(
    conn: &Connection,
    scope: &Scope,
) -> Result<BTreeMap<String, Centroid>, StoreError> {
    let (sql, p) = scoped(q::CENTROIDS, scope)?;
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params_from_iter(&p), |r| {
        Ok((
            r.get::<_, String>(0)?,
            Centroid {
                lat: r.get(1)?,
                lon: r.get(2)?,
                points: r.get::<_, i64>(3)? as u64,
            },
        ))
    })?;
    rows.collect::<Result<BTreeMap<_, _>, _>>()
        .map_err(StoreError::from)
}

/// The districts of an area.
pub fn area_districts(
    conn: &Connection,
    level: Level,
    id: &str,
) -> Result<Vec<String>, StoreError> {
    let column = match level {
        Level::National => {
            let mut st = conn.prepare("SELECT district_id FROM districts ORDER BY district_id")?;
            let rows = st.query_map([], |r| r.get(0))?;
            return rows
                .collect::<Result<Vec<String>, _>>()
                .map_err(StoreError::from);
        }
        other => {
            if other == Level::District {
                "district_id"
            } else {
                other.as_str()
            }
        }
    };
    let sql = format!("SELECT district_id FROM districts WHERE {column} = ?1 ORDER BY district_id");
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map([id], |r| r.get(0))?;
    rows.collect::<Result<Vec<String>, _>>()
        .map_err(StoreError::from)
}

/// A reviewer by token hash.
pub fn reviewer_by_token(
    conn: &Connection,
    hash: &[u8; 32],
) -> Result<Option<Reviewer>, StoreError> {
    let row: Option<(String, String, String, String)> = conn
        .query_row(
            "SELECT name, role, scope_level, scope_id FROM reviewers
             WHERE token_hash = ?1 AND revoked_at IS NULL",
            [&hash[..]],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    row.map(|(name, role, level, scope_id)| {
        Ok(Reviewer {
            name,
            role: Role::parse(&role)
                .ok_or_else(|| StoreError::Backend(format!("unknown role {role:?}")))?,
            scope_level: Level::parse(&level)
                .ok_or_else(|| StoreError::Backend(format!("unknown level {level:?}")))?,
            scope_id,
        })
    })
    .transpose()
}
