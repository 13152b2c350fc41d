//! SQLite side of the coverage summaries (`summary_sql`): the migration that creates them,
//! their refresh inside a writing transaction, and a full rebuild.

use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use census_core::GpsPoint;
use census_core::coverage::BoundingBox;

use crate::shapes::Shapes;
use crate::store::coverage_sql::{POSITIONS, SHAPES};
use crate::store::sqlite::coverage::{scoped, sqlite_params};
use crate::store::summary_sql as s;
use crate::store::{Scope, StoreError};
use crate::summaries::Touched;

fn be(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// Adds each `(table, column, type)` a database from before it lacks (additive migrations of
/// the SQLite store).
pub(crate) fn add_missing_columns(
    conn: &Connection,
    columns: &[(&str, &str, &str)],
) -> Result<(), StoreError> {
    for (table, column, kind) in columns {
        let present = conn
            .query_row(
                "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2",
                [table, column],
                |r| r.get::<_, i64>(0),
            )
            .map_err(be)?;
        if present == 0 {
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}"))
                .map_err(be)?;
        }
    }
    Ok(())
}

/// Creates the summaries' tables, adding `case_facts.outside_m` and
/// `district_extents.boundary` to a database from before them (part of migration 1, inside
/// its transaction).
pub fn create(conn: &Connection) -> Result<(), StoreError> {
    add_missing_columns(
        conn,
        &[
            ("case_facts", "outside_m", "DOUBLE PRECISION"),
            ("district_extents", "boundary", "TEXT"),
        ],
    )?;
    conn.execute_batch(s::TABLES).map_err(be)?;
    conn.execute_batch(&s::short_interview_index()).map_err(be)
}

/// Rebuilds the summaries when the database holds an older version of them (after the
/// migrations, in its own transaction).
pub fn rebuild_if_stale(conn: &Connection) -> Result<(), StoreError> {
    let version: Option<String> = conn
        .query_row(s::READ_VERSION, [], |r| r.get(0))
        .optional()
        .map_err(be)?;
    if version.as_deref() != Some(s::SUMMARIES_VERSION) {
        rebuild(conn)?;
    }
    Ok(())
}

/// Recomputes every summary from the facts, listing and frame, in one transaction.
pub fn rebuild(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch("BEGIN IMMEDIATE").map_err(be)?;
    let done = (|| {
        refresh(conn, &Scope::All)?;
        refresh_outside(conn, &Scope::All)?;
        for sql in s::REBUILD_HEADS {
            conn.execute(sql, []).map_err(be)?;
        }
        conn.execute(&sqlite_params(s::WRITE_VERSION), [s::SUMMARIES_VERSION])
            .map_err(be)?;
        Ok(())
    })();
    match done {
        Ok(()) => {
            conn.execute_batch("COMMIT").map_err(be)?;
            conn.execute_batch(s::ANALYZE).map_err(be)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Recomputes the per-district summaries of `scope` (inside the caller's transaction).
pub fn refresh(conn: &Connection, scope: &Scope) -> Result<(), StoreError> {
    for sql in s::REFRESH {
        let (sql, p) = scoped(sql, scope)?;
        conn.prepare_cached(&sql)
            .map_err(be)?
            .execute(params_from_iter(&p))
            .map_err(be)?;
    }
    Ok(())
}

/// The shapes of the scope's districts.
pub fn load_shapes(conn: &Connection, scope: &Scope) -> Result<Shapes, StoreError> {
    let (sql, p) = scoped(SHAPES, scope)?;
    let mut st = conn.prepare_cached(&sql).map_err(be)?;
    let mut rows = st.query(params_from_iter(&p)).map_err(be)?;
    let mut shapes = Shapes::default();
    while let Some(r) = rows.next().map_err(be)? {
        let bbox = BoundingBox {
            lat_min: r.get(1).map_err(be)?,
            lat_max: r.get(2).map_err(be)?,
            lon_min: r.get(3).map_err(be)?,
            lon_max: r.get(4).map_err(be)?,
        };
        let boundary: Option<String> = r.get(5).map_err(be)?;
        shapes
            .add(r.get(0).map_err(be)?, bbox, boundary.as_deref())
            .map_err(be)?;
    }
    Ok(shapes)
}

/// Measures again how far outside its district each case of `scope` lies (after the
/// districts' shapes changed).
pub fn refresh_outside(conn: &Connection, scope: &Scope) -> Result<(), StoreError> {
    let shapes = load_shapes(conn, scope)?;
    let (sql, p) = scoped(POSITIONS, scope)?;
    let mut st = conn.prepare(&sql).map_err(be)?;
    let positions = st
        .query_map(params_from_iter(&p), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, f64>(2)?,
                r.get::<_, f64>(3)?,
            ))
        })
        .map_err(be)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(be)?;
    let mut set = conn
        .prepare_cached(&sqlite_params(s::SET_OUTSIDE))
        .map_err(be)?;
    for (case_id, district, lat, lon) in positions {
        let point = GpsPoint {
            lat,
            lon,
            accuracy_m: None,
        };
        set.execute(params![case_id, shapes.outside_m(&district, &point)])
            .map_err(be)?;
    }
    Ok(())
}

/// Applies what a writing transaction touched: its districts' summaries recomputed, the
/// head counts changed in key order.
pub fn apply(conn: &Connection, touched: &Touched) -> Result<(), StoreError> {
    if !touched.districts.is_empty() {
        refresh(conn, &Scope::Districts(touched.district_list()))?;
    }
    let mut st = conn
        .prepare_cached(&sqlite_params(s::ADD_HEAD))
        .map_err(be)?;
    for (key, persons, change) in touched.head_changes() {
        st.execute(params![key, persons, change]).map_err(be)?;
    }
    Ok(())
}
