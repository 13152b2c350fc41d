//! SQLite side of the coverage summaries (`summary_sql`): the migration that creates them,
//! their refresh inside a writing transaction, and a full rebuild.

use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use super::sqlite_coverage::{scoped, sqlite_params};
use super::summary_sql as s;
use super::{Scope, StoreError};
use crate::summaries::Touched;

fn be(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// Creates the summaries (adding `case_facts.outside_deg` to a database from before them)
/// and rebuilds them when the database holds an older version.
pub fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let has_outside: bool = conn
        .query_row(
            "SELECT count(*) FROM pragma_table_info('case_facts') WHERE name = 'outside_deg'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map_err(be)?
        > 0;
    if !has_outside {
        conn.execute_batch("ALTER TABLE case_facts ADD COLUMN outside_deg DOUBLE PRECISION")
            .map_err(be)?;
    }
    conn.execute_batch(s::TABLES).map_err(be)?;
    conn.execute_batch(&s::short_interview_index())
        .map_err(be)?;
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

/// Recomputes `outside_deg` of the cases of `scope` (after their districts' boxes changed).
pub fn refresh_outside(conn: &Connection, scope: &Scope) -> Result<(), StoreError> {
    let (sql, p) = scoped(&s::refresh_outside(), scope)?;
    conn.execute(&sqlite_params(&sql), params_from_iter(&p))
        .map_err(be)?;
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
