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

/// Adds each `(table, column, type)` a database from before it lacks (additive migrations of
/// the SQLite store).
pub(crate) fn add_missing_columns(
    conn: &Connection,
    columns: &[(&str, &str, &str)],
) -> Result<(), StoreError> {
    for (table, column, kind) in columns {
        let present = conn.query_row(
            "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2",
            [table, column],
            |r| r.get::<_, i64>(0),
        )?;
        if present == 0 {
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}"))?;
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
    conn.execute_batch(s::TABLES)?;
    conn.execute_batch(&s::short_interview_index())
        .map_err(StoreError::from)
}

/// Rebuilds the summaries when the database holds an older version of them (after the
/// migrations, in its own transaction).
pub fn rebuild_if_stale(conn: &Connection) -> Result<(), StoreError> {
    let version: Option<String> = conn
        .query_row(s::READ_VERSION, [], |r| r.get(0))
        .optional()?;
    if version.as_deref() != Some(s::SUMMARIES_VERSION) {
        rebuild(conn)?;
    }
    Ok(())
}

/// Recomputes every summary from the facts, listing and frame, in one transaction.
pub fn rebuild(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let done = (|| {
        refresh(conn, &Scope::All)?;
        refresh_outside(conn, &Scope::All)?;
        for sql in s::REBUILD_HEADS {
            conn.execute(sql, [])?;
        }
        conn.execute(&sqlite_params(s::WRITE_VERSION), [s::SUMMARIES_VERSION])?;
        Ok(())
    })();
    match done {
        Ok(()) => {
            conn.execute_batch("COMMIT")?;
            conn.execute_batch(s::ANALYZE).map_err(StoreError::from)
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
        conn.prepare_cached(&sql)?.execute(params_from_iter(&p))?;
    }
    Ok(())
}

/// The shapes of the scope's districts.
pub fn load_shapes(conn: &Connection, scope: &Scope) -> Result<Shapes, StoreError> {
    let (sql, p) = scoped(SHAPES, scope)?;
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows = st.query(params_from_iter(&p))?;
    let mut shapes = Shapes::default();
    while let Some(r) = rows.next()? {
        let bbox = BoundingBox {
            lat_min: r.get(1)?,
            lat_max: r.get(2)?,
            lon_min: r.get(3)?,
            lon_max: r.get(4)?,
        };
        let boundary: Option<String> = r.get(5)?;
        shapes
            .add(r.get(0)?, bbox, boundary.as_deref())
            .map_err(StoreError::Backend)?;
    }
    Ok(shapes)
}

/// Measures again how far outside its district each case of `scope` lies (after the
/// districts' shapes changed).
pub fn refresh_outside(conn: &Connection, scope: &Scope) -> Result<(), StoreError> {
    let shapes = load_shapes(conn, scope)?;
    let (sql, p) = scoped(POSITIONS, scope)?;
    let mut st = conn.prepare(&sql)?;
    let positions = st
        .query_map(params_from_iter(&p), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, f64>(2)?,
                r.get::<_, f64>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut set = conn.prepare_cached(&sqlite_params(s::SET_OUTSIDE))?;
    for (case_id, district, lat, lon) in positions {
        let point = GpsPoint {
            lat,
            lon,
            accuracy_m: None,
        };
        set.execute(params![case_id, shapes.outside_m(&district, &point)])?;
    }
    Ok(())
}

/// Applies what a writing transaction touched: its districts' summaries recomputed, the
/// head counts changed in key order.
pub fn apply(conn: &Connection, touched: &Touched) -> Result<(), StoreError> {
    if !touched.districts.is_empty() {
        refresh(conn, &Scope::Districts(touched.district_list()))?;
    }
    let mut st = conn.prepare_cached(&sqlite_params(s::ADD_HEAD))?;
    for (key, persons, change) in touched.head_changes() {
        st.execute(params![key, persons, change])?;
    }
    Ok(())
}
