//! PostgreSQL side of the coverage summaries (`summary_sql`): the migration that creates
//! them, their refresh inside a writing transaction, and a full rebuild. Refreshes of the
//! same district are serialised by locking its `districts` row, in district order.

use deadpool_postgres::{Pool, Transaction};
use tokio_postgres::types::ToSql;

use census_core::GpsPoint;
use census_core::coverage::BoundingBox;

use crate::shapes::Shapes;
use crate::store::coverage_sql::{POSITIONS, SHAPES};
use crate::store::postgres::coverage::scoped;
use crate::store::summary_sql as s;
use crate::store::{Scope, StoreError};
use crate::summaries::Touched;

/// The schema lock every structural change takes (see `migrations`).
pub(crate) const SCHEMA_LOCK: &str = "SELECT pg_advisory_xact_lock(7270624)";

/// The summaries' tables, adding `case_facts.outside_m` and `district_extents.boundary` to a
/// database from before them (part of migration 1).
pub fn create() -> String {
    format!(
        "ALTER TABLE case_facts ADD COLUMN IF NOT EXISTS outside_m DOUBLE PRECISION;
         ALTER TABLE district_extents ADD COLUMN IF NOT EXISTS boundary TEXT;
         {} {};",
        s::TABLES,
        s::short_interview_index()
    )
}

/// Rebuilds the summaries when the database holds an older version of them (after the
/// migrations).
pub async fn rebuild_if_stale(pool: &Pool) -> Result<(), StoreError> {
    rebuild_if(pool, true).await
}

/// Recomputes every summary from the facts, listing and frame.
pub async fn rebuild(pool: &Pool) -> Result<(), StoreError> {
    rebuild_if(pool, false).await
}

async fn rebuild_if(pool: &Pool, only_if_stale: bool) -> Result<(), StoreError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute(SCHEMA_LOCK, &[]).await?;
    if only_if_stale {
        let version: Option<String> = tx.query_opt(s::READ_VERSION, &[]).await?.map(|r| r.get(0));
        if version.as_deref() == Some(s::SUMMARIES_VERSION) {
            return tx.commit().await.map_err(StoreError::from);
        }
    }
    refresh(&tx, &Scope::All).await?;
    refresh_outside(&tx, &Scope::All).await?;
    for sql in s::REBUILD_HEADS {
        tx.execute(sql, &[]).await?;
    }
    tx.execute(s::WRITE_VERSION, &[&s::SUMMARIES_VERSION])
        .await?;
    tx.commit().await?;
    // Fresh statistics, so that the planner knows how few rows the short lists hold.
    client
        .batch_execute(s::ANALYZE)
        .await
        .map_err(StoreError::from)
}

async fn execute_scoped(tx: &Transaction<'_>, sql: &str, scope: &Scope) -> Result<(), StoreError> {
    let (sql, ids) = scoped(sql, scope);
    let params: Vec<&(dyn ToSql + Sync)> = match &ids {
        Some(ids) => vec![ids],
        None => Vec::new(),
    };
    let st = tx.prepare_cached(&sql).await?;
    tx.execute(&st, &params).await?;
    Ok(())
}

/// Recomputes the per-district summaries of `scope` (inside the caller's transaction).
pub async fn refresh(tx: &Transaction<'_>, scope: &Scope) -> Result<(), StoreError> {
    if let Scope::Districts(ids) = scope {
        let lock = "SELECT district_id FROM districts WHERE district_id = ANY($1)
                    ORDER BY district_id FOR UPDATE";
        tx.execute(lock, &[ids]).await?;
    }
    for sql in s::REFRESH {
        execute_scoped(tx, sql, scope).await?;
    }
    Ok(())
}

async fn query_scoped(
    tx: &Transaction<'_>,
    sql: &str,
    scope: &Scope,
) -> Result<Vec<tokio_postgres::Row>, StoreError> {
    let (sql, ids) = scoped(sql, scope);
    let params: Vec<&(dyn ToSql + Sync)> = match &ids {
        Some(ids) => vec![ids],
        None => Vec::new(),
    };
    tx.query(&sql, &params).await.map_err(StoreError::from)
}

/// The shapes of the scope's districts.
pub async fn load_shapes(tx: &Transaction<'_>, scope: &Scope) -> Result<Shapes, StoreError> {
    let mut shapes = Shapes::default();
    for r in query_scoped(tx, SHAPES, scope).await? {
        let bbox = BoundingBox {
            lat_min: r.get(1),
            lat_max: r.get(2),
            lon_min: r.get(3),
            lon_max: r.get(4),
        };
        let boundary: Option<String> = r.get(5);
        shapes
            .add(r.get(0), bbox, boundary.as_deref())
            .map_err(StoreError::Backend)?;
    }
    Ok(shapes)
}

/// Measures again how far outside its district each case of `scope` lies (after the
/// districts' shapes changed), writing 10,000 cases per statement.
pub async fn refresh_outside(tx: &Transaction<'_>, scope: &Scope) -> Result<(), StoreError> {
    let shapes = load_shapes(tx, scope).await?;
    let rows = query_scoped(tx, POSITIONS, scope).await?;
    for chunk in rows.chunks(10_000) {
        let ids: Vec<uuid::Uuid> = chunk.iter().map(|r| r.get(0)).collect();
        let outside: Vec<Option<f64>> = chunk
            .iter()
            .map(|r| {
                let point = GpsPoint {
                    lat: r.get(2),
                    lon: r.get(3),
                    accuracy_m: None,
                };
                shapes.outside_m(r.get::<_, &str>(1), &point)
            })
            .collect();
        tx.execute(
            "UPDATE case_facts f SET outside_m = u.o
             FROM unnest($1::uuid[], $2::float8[]) AS u(id, o) WHERE f.case_id = u.id",
            &[&ids, &outside],
        )
        .await?;
    }
    Ok(())
}

/// Applies what a writing transaction touched: its districts' summaries recomputed, the
/// head counts changed in key order.
pub async fn apply(tx: &Transaction<'_>, touched: &Touched) -> Result<(), StoreError> {
    if !touched.districts.is_empty() {
        refresh(tx, &Scope::Districts(touched.district_list())).await?;
    }
    let st = tx.prepare_cached(s::ADD_HEAD).await?;
    for (key, persons, change) in touched.head_changes() {
        tx.execute(&st, &[&key, &persons, &change]).await?;
    }
    Ok(())
}
