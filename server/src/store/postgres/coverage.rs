//! PostgreSQL side of coverage and review (see `coverage` for the same in SQLite;
//! both run the queries of `coverage_sql`).

use std::collections::BTreeMap;

use census_core::coverage::publish::Centroid;
use census_core::coverage::{
    BoundingBox, CoverageRules, DayProgress, EnumeratorDayTotal, FrameDistrict, Gathered, Level,
    Population,
};
use deadpool_postgres::{Pool, Transaction};
use tokio_postgres::types::ToSql;
use uuid::Uuid;

use crate::facts::{
    FACTS_BEFORE, FACTS_COLUMNS, FactsContext, FactsRow, PAUSE_SECONDS, UPSERT_FACTS,
    household_facts,
};
use crate::incoming::{IncomingBatch, IncomingCase};
use crate::store::coverage_sql::{self as q, QUEUE};
use crate::store::packed::StoredJson;
use crate::store::postgres::summaries;
use crate::store::{
    CaseHistory, DeviceRecord, DistrictExtent, FrameBuildingRow, HistoryDecision, MapPoint,
    NewReviewer, QueueEntry, Reviewer, RevisionEvents, Role, Scope, StoreError,
};
use crate::summaries::{FactsBefore, Touched};

/// [`UPSERT_FACTS`] in one statement with [`FACTS_BEFORE`]: the row it replaced (district,
/// head key, persons, status) and whether there was one, read from the snapshot before the
/// write (one statement per case instead of two).
static UPSERT_FACTS_RETURNING_BEFORE: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| {
        format!(
            "WITH old AS ({FACTS_BEFORE}) {UPSERT_FACTS}
             RETURNING (SELECT district_id FROM old), (SELECT head_key FROM old),
               (SELECT persons FROM old), (SELECT status FROM old), EXISTS (SELECT 1 FROM old)"
        )
    });

fn parse_boundary(json: &str) -> Result<census_core::coverage::Boundary, StoreError> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Backend(format!("stored district boundary: {e}")))
}

fn u32_of(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

/// The coverage tables in PostgreSQL's dialect, under the schema lock.
pub fn tables() -> String {
    q::TABLES
        .replace("{uuid}", "UUID")
        .replace("{bytes}", "BYTEA")
}

/// A scoped query and whether it takes the district array as `$1`.
pub(crate) fn scoped(sql: &str, scope: &Scope) -> (String, Option<Vec<String>>) {
    match scope {
        Scope::All => (q::scoped(sql, |_| "TRUE".into()), None),
        Scope::Districts(ids) => (
            q::scoped(sql, |c| format!("{c} = ANY($1)")),
            Some(ids.clone()),
        ),
    }
}

pub(crate) async fn query(
    pool: &Pool,
    sql: &str,
    scope: &Scope,
) -> Result<Vec<tokio_postgres::Row>, StoreError> {
    let (sql, ids) = scoped(sql, scope);
    let client = pool.get().await?;
    let params: Vec<&(dyn ToSql + Sync)> = match &ids {
        Some(ids) => vec![ids],
        None => Vec::new(),
    };
    client.query(&sql, &params).await.map_err(StoreError::from)
}

/// Writes a stored case's facts; returns them with what was stored before, for the
/// summaries.
pub async fn write_facts(
    tx: &Transaction<'_>,
    case: &IncomingCase,
    device: &DeviceRecord,
    last_seq: i64,
    ctx: &FactsContext,
) -> Result<(Option<FactsBefore>, FactsRow), StoreError> {
    let f = FactsRow::of(case, &device.enumerator_id, last_seq, ctx);
    let st = tx.prepare_cached(&UPSERT_FACTS_RETURNING_BEFORE).await?;
    let row = tx
        .query_one(
            &st,
            &[
                &f.case_id,
                &f.district_id,
                &f.building_number,
                &f.dwelling_number,
                &f.household_number,
                &f.status,
                &f.enumerator_id,
                &f.persons,
                &f.head_key,
                &f.lat,
                &f.lon,
                &f.first_at,
                &f.last_at,
                &f.last_day,
                &f.active_seconds,
                &f.outside_m,
                &PAUSE_SECONDS,
                &f.population.as_str(),
                &f.head_name,
                &f.soft_checks,
            ],
        )
        .await?;
    let before = if row.try_get::<_, bool>(4)? {
        Some(FactsBefore {
            district_id: row.try_get(0)?,
            head_key: row.try_get(1)?,
            persons: row.try_get(2)?,
            status: row.try_get(3)?,
        })
    } else {
        None
    };
    Ok((before, f))
}

/// Writes the batch's listing rows of the device's own districts, as two array inserts.
/// Returns (written, skipped).
pub async fn write_listing(
    tx: &Transaction<'_>,
    batch: &IncomingBatch,
    device: &DeviceRecord,
    touched: &mut Touched,
) -> Result<(usize, usize), StoreError> {
    let mine = |d: &str| device.districts.iter().any(|x| x == d);
    let (demolished, buildings): (Vec<_>, Vec<_>) = batch
        .listing
        .buildings
        .iter()
        .filter(|b| mine(&b.district_id))
        .partition(|b| b.demolished);
    let dwellings: Vec<_> = batch
        .listing
        .dwellings
        .iter()
        .filter(|d| mine(&d.district_id))
        .collect();
    let skipped = batch.listing.buildings.len() + batch.listing.dwellings.len()
        - buildings.len()
        - demolished.len()
        - dwellings.len();
    for b in &demolished {
        tx.execute(
            q::DELETE_LISTED_BUILDING,
            &[&b.district_id, &i64::from(b.building_number)],
        )
        .await?;
    }
    for district in buildings
        .iter()
        .chain(demolished.iter())
        .map(|b| &b.district_id)
        .chain(dwellings.iter().map(|d| &d.district_id))
    {
        touched.district(district);
    }
    if !buildings.is_empty() {
        let district: Vec<&str> = buildings.iter().map(|b| b.district_id.as_str()).collect();
        let number: Vec<i64> = buildings
            .iter()
            .map(|b| i64::from(b.building_number))
            .collect();
        let lat: Vec<Option<f64>> = buildings.iter().map(|b| b.gps.map(|g| g.lat)).collect();
        let lon: Vec<Option<f64>> = buildings.iter().map(|b| b.gps.map(|g| g.lon)).collect();
        let at: Vec<&str> = buildings.iter().map(|b| b.listed_at.as_str()).collect();
        tx.execute(
            "INSERT INTO listed_buildings (district_id, building_number, lat, lon, listed_at,
               device_id)
             SELECT d, n, la, lo, t, $6 FROM unnest($1::text[], $2::bigint[], $3::float8[],
               $4::float8[], $5::text[]) AS u(d, n, la, lo, t)
             ON CONFLICT (district_id, building_number) DO UPDATE SET lat = excluded.lat,
               lon = excluded.lon, listed_at = excluded.listed_at,
               device_id = excluded.device_id",
            &[&district, &number, &lat, &lon, &at, &device.device_id],
        )
        .await?;
    }
    if !dwellings.is_empty() {
        let district: Vec<&str> = dwellings.iter().map(|d| d.district_id.as_str()).collect();
        let building: Vec<i64> = dwellings
            .iter()
            .map(|d| i64::from(d.building_number))
            .collect();
        let dwelling: Vec<i64> = dwellings
            .iter()
            .map(|d| i64::from(d.dwelling_number))
            .collect();
        let occupancy: Vec<&str> = dwellings.iter().map(|d| d.occupancy.as_str()).collect();
        let at: Vec<&str> = dwellings.iter().map(|d| d.listed_at.as_str()).collect();
        tx.execute(
            "INSERT INTO listed_dwellings (district_id, building_number, dwelling_number,
               occupancy, listed_at, device_id)
             SELECT d, b, w, o, t, $6 FROM unnest($1::text[], $2::bigint[], $3::bigint[],
               $4::text[], $5::text[]) AS u(d, b, w, o, t)
             ON CONFLICT (district_id, building_number, dwelling_number) DO UPDATE SET
               occupancy = excluded.occupancy, listed_at = excluded.listed_at,
               device_id = excluded.device_id",
            &[
                &district,
                &building,
                &dwelling,
                &occupancy,
                &at,
                &device.device_id,
            ],
        )
        .await?;
    }
    Ok((
        buildings.len() + demolished.len() + dwellings.len(),
        skipped,
    ))
}

/// Gathers a report's inputs; the queries run concurrently on the pool.
pub async fn gather(
    pool: &Pool,
    scope: &Scope,
    rules: &CoverageRules,
) -> Result<Gathered, StoreError> {
    let candidates = q::candidates_sql(rules, FACTS_COLUMNS);
    let (districts, cases, buildings, dwellings, omitted, unvisited, cands, daily, days) = tokio::try_join!(
        query(pool, q::DISTRICTS, scope),
        query(pool, q::CASE_COUNTS, scope),
        query(pool, q::BUILDING_COUNTS, scope),
        query(pool, q::DWELLING_COUNTS, scope),
        query(pool, q::OCCUPIED_WITHOUT_CASE, scope),
        query(pool, q::UNVISITED_BUILDINGS, scope),
        query(pool, &candidates, scope),
        query(pool, q::DAILY, scope),
        query(pool, q::ENUMERATOR_DAYS, scope),
    )?;
    let mut g = Gathered::default();
    for r in districts {
        let bbox = BoundingBox::from_edges(r.get(9), r.get(10), r.get(11), r.get(12));
        g.districts.push(FrameDistrict {
            district_id: r.get(0),
            control_sector: r.get(1),
            supervision_zone: r.get(2),
            commune: r.get(3),
            province: r.get(4),
            region: r.get(5),
            expected_buildings: u32_of(r.get(6)),
            expected_dwellings: u32_of(r.get(7)),
            expected_households: u32_of(r.get(8)),
            bbox,
            boundary: r
                .get::<_, Option<&str>>(13)
                .map(parse_boundary)
                .transpose()?,
        });
    }
    for r in cases {
        let status: String = r.get(1);
        let n: i64 = r.get(2);
        let persons = r.get::<_, Option<i64>>(3).unwrap_or(0) as u64;
        let population: String = r.get(4);
        let counts = g.counts.entry(r.get(0)).or_default();
        match Population::parse(&population) {
            Some(Population::Collective) => counts.add_apart(&status, n as u64, persons),
            _ => counts.add_cases(&status, n as u64, persons),
        }
    }
    for r in buildings {
        g.counts.entry(r.get(0)).or_default().listed_buildings = r.get::<_, i64>(1) as u64;
    }
    for r in dwellings {
        let c = g.counts.entry(r.get(0)).or_default();
        c.listed_dwellings = r.get::<_, i64>(1) as u64;
        c.occupied_dwellings = r.get::<_, Option<i64>>(2).unwrap_or(0) as u64;
    }
    for r in omitted {
        g.occupied_without_household
            .push((r.get(0), u32_of(r.get(1)), u32_of(r.get(2))));
    }
    for r in unvisited {
        g.unvisited_buildings.push((r.get(0), u32_of(r.get(1))));
    }
    for r in cands {
        g.candidates.push(household_facts(
            r.get(0),
            r.get(1),
            r.get(2),
            r.get(3),
            r.get(4),
            r.get(5),
            r.get(6),
            r.get(7),
            r.get(8),
            (r.get(9), r.get(10)),
            r.get(11),
            r.get(12),
            r.get::<_, &str>(13),
        ));
    }
    for r in daily {
        g.daily.push(DayProgress {
            day: r.get(0),
            completed: r.get::<_, i64>(1) as u64,
            persons: r.get::<_, Option<i64>>(2).unwrap_or(0) as u64,
        });
    }
    for r in days {
        g.enumerator_days.push(EnumeratorDayTotal {
            enumerator_id: r.get(0),
            day: r.get(1),
            completed: r.get::<_, i64>(2) as u64,
            active_seconds: r.get::<_, Option<i64>>(3).unwrap_or(0) as u64,
        });
    }
    Ok(g)
}

/// The review queue.
pub async fn review_queue(
    pool: &Pool,
    scope: &Scope,
    limit: u32,
) -> Result<Vec<QueueEntry>, StoreError> {
    let rows = query(pool, &format!("{QUEUE} LIMIT {limit}"), scope).await?;
    Ok(rows
        .iter()
        .map(|r| QueueEntry {
            case_id: r.get(0),
            revision: r.get::<_, i64>(1) as u64,
            district_id: r.get(2),
            building_number: u32_of(r.get(3)),
            dwelling_number: u32_of(r.get(4)),
            household_number: r.get::<_, Option<i64>>(5).map(u32_of),
            enumerator_id: r.get(6),
            persons: u32_of(r.get(7)),
            minutes: (r.get::<_, i64>(8) as f64 / 6.0).round() / 10.0,
            updated_at: r.get(9),
            head_name: r.get(10),
            soft_checks: u32_of(r.get(11)),
        })
        .collect())
}

/// A case's history.
pub async fn case_history(pool: &Pool, case_id: Uuid) -> Result<Option<CaseHistory>, StoreError> {
    let client = pool.get().await?;
    let Some(head) = client
        .query_opt(
            "SELECT district_id, status, revision FROM cases WHERE case_id = $1",
            &[&case_id],
        )
        .await?
    else {
        return Ok(None);
    };
    let revisions = client
        .query(
            "SELECT revision, events FROM case_events WHERE case_id = $1 ORDER BY revision",
            &[&case_id],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(RevisionEvents {
                revision: r.try_get::<_, i64>(0)? as u64,
                events: r.try_get::<_, StoredJson>(1)?.value()?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let decisions = client
        .query(
            "SELECT revision, decision, comment, at, reviewer, reviewer_role, revision_read
             FROM reviews WHERE case_id = $1 ORDER BY cursor",
            &[&case_id],
        )
        .await?
        .iter()
        .map(|r| HistoryDecision {
            revision: r.get::<_, i64>(0) as u64,
            decision: r.get(1),
            comment: r.get(2),
            at: r.get(3),
            reviewer: r.get(4),
            reviewer_role: r.get(5),
            revision_read: r.get::<_, Option<i64>>(6).map(|v| v as u64),
        })
        .collect();
    Ok(Some(CaseHistory {
        case_id,
        district_id: head.get(0),
        status: head.get(1),
        revision: head.get::<_, i64>(2) as u64,
        revisions,
        decisions,
    }))
}

/// Map points.
pub async fn map_points(
    pool: &Pool,
    scope: &Scope,
    limit: u32,
) -> Result<Vec<MapPoint>, StoreError> {
    let mut out = Vec::new();
    for sql in q::MAP_POINTS {
        for r in query(pool, &format!("{sql} LIMIT {limit}"), scope).await? {
            out.push(MapPoint {
                district_id: r.get(0),
                lat: r.get(1),
                lon: r.get(2),
                status: r.get(3),
            });
        }
    }
    out.truncate(limit as usize);
    Ok(out)
}

/// Household GPS centroids per district.
pub async fn centroids(
    pool: &Pool,
    scope: &Scope,
) -> Result<BTreeMap<String, Centroid>, StoreError> {
    let rows = query(pool, q::CENTROIDS, scope).await?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.get(0),
                Centroid {
                    lat: r.get(1),
                    lon: r.get(2),
                    points: r.get::<_, i64>(3) as u64,
                },
            )
        })
        .collect())
}

/// The districts of an area.
pub async fn area_districts(
    pool: &Pool,
    level: Level,
    id: &str,
) -> Result<Vec<String>, StoreError> {
    let client = pool.get().await?;
    let rows = match level {
        Level::National => {
            client
                .query(
                    "SELECT district_id FROM districts ORDER BY district_id",
                    &[],
                )
                .await?
        }
        other => {
            client
                .query(
                    &format!(
                        "SELECT district_id FROM districts WHERE {} = $1 ORDER BY district_id",
                        if other == Level::District {
                            "district_id"
                        } else {
                            other.as_str()
                        }
                    ),
                    &[&id],
                )
                .await?
        }
    };
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// A reviewer by token hash.
pub async fn reviewer_by_token(
    pool: &Pool,
    hash: &[u8; 32],
) -> Result<Option<Reviewer>, StoreError> {
    let client = pool.get().await?;
    let row = client
        .query_opt(
            "SELECT name, role, scope_level, scope_id FROM reviewers
             WHERE token_hash = $1 AND revoked_at IS NULL",
            &[&&hash[..]],
        )
        .await?;
    row.map(|r| {
        let role: String = r.get(1);
        let level: String = r.get(2);
        Ok(Reviewer {
            name: r.get(0),
            role: Role::parse(&role)
                .ok_or_else(|| StoreError::Backend(format!("unknown role {role:?}")))?,
            scope_level: Level::parse(&level)
                .ok_or_else(|| StoreError::Backend(format!("unknown level {level:?}")))?,
            scope_id: r.get(3),
        })
    })
    .transpose()
}

/// Inserts or updates district extents.
pub async fn import_extents(pool: &Pool, extents: &[DistrictExtent]) -> Result<usize, StoreError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let st = tx.prepare(q::UPSERT_EXTENT).await?;
    for e in extents {
        let b = e.bbox;
        let boundary = e.boundary_json()?;
        tx.execute(
            &st,
            &[
                &e.district_id,
                &b.lat_min,
                &b.lat_max,
                &b.lon_min,
                &b.lon_max,
                &boundary,
            ],
        )
        .await?;
    }
    let ids = extents.iter().map(|e| e.district_id.clone()).collect();
    summaries::refresh_outside(&tx, &Scope::Districts(ids)).await?;
    tx.commit().await?;
    Ok(extents.len())
}

/// Inserts or updates frame buildings.
pub async fn import_frame_buildings(
    pool: &Pool,
    buildings: &[FrameBuildingRow],
) -> Result<usize, StoreError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let st = tx.prepare(q::UPSERT_FRAME_BUILDING).await?;
    for b in buildings {
        tx.execute(
            &st,
            &[
                &b.district_id,
                &i64::from(b.building_number),
                &b.gps.map(|g| g.0),
                &b.gps.map(|g| g.1),
                &b.description,
            ],
        )
        .await?;
    }
    let mut ids: Vec<String> = buildings.iter().map(|b| b.district_id.clone()).collect();
    ids.sort();
    ids.dedup();
    summaries::refresh(&tx, &Scope::Districts(ids)).await?;
    tx.commit().await?;
    Ok(buildings.len())
}

/// Creates a reviewer account.
pub async fn add_reviewer(pool: &Pool, reviewer: &NewReviewer) -> Result<(), StoreError> {
    let client = pool.get().await?;
    client
        .execute(
            "INSERT INTO reviewers (token_hash, name, role, scope_level, scope_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &&reviewer.token_hash[..],
                &reviewer.name,
                &reviewer.role.as_str(),
                &reviewer.scope_level.as_str(),
                &reviewer.scope_id,
                &chrono::Utc::now().to_rfc3339(),
            ],
        )
        .await?;
    Ok(())
}
