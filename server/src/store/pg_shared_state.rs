//! PostgreSQL: the state every instance must share, kept in the database — the secret the
//! review page's session key is derived from (`http::session`), and the per-address token
//! buckets (enrolment, failed authentications) of `http::limits`. Times are the database's
//! clock, so instances on several hosts agree without relying on their own clocks.
//!
//! And whether the schema is already set up by this very code ([`schema_is_current`]): an
//! instance restarting beside live ones must not run `CREATE INDEX IF NOT EXISTS` or
//! `ALTER TABLE … ADD COLUMN IF NOT EXISTS`, which take table locks even when there is
//! nothing to do — queueing every ingest behind them, and deadlocking with one that holds
//! another table (seen as a restart failing with "deadlock detected" under load).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use deadpool_postgres::Pool;

use super::StoreError;
use super::sqlite_shared_state::random_secret;
use crate::ratelimit::BucketRule;

/// The tables (created when missing; the lead turns this into a numbered migration).
pub const TABLES: &str = "
CREATE TABLE IF NOT EXISTS server_secrets (
    name TEXT PRIMARY KEY,
    secret BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS schema_setup (
    fingerprint TEXT PRIMARY KEY,
    done_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS rate_buckets (
    bucket TEXT NOT NULL,
    client TEXT NOT NULL,
    tokens DOUBLE PRECISION NOT NULL,
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (bucket, client)
);";

/// The database's clock in Unix milliseconds, as SQL.
const NOW_MS: &str = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

/// Every this many takes, buckets full again are forgotten (the table stays small under a
/// flood of distinct addresses).
const PRUNE_EVERY: u64 = 512;

static TAKES: AtomicU64 = AtomicU64::new(0);

fn be(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// The SHA-256 of the source of every module that sets the PostgreSQL schema up: any
/// change to them (a new column, index or table) runs the set-up again, once.
fn schema_fingerprint() -> String {
    let sources = [
        include_str!("postgres.rs"),
        include_str!("pg_schema.rs"),
        include_str!("pg_coverage.rs"),
        include_str!("pg_summaries.rs"),
        include_str!("pg_identity.rs"),
        include_str!("pg_shared_state.rs"),
        include_str!("summary_sql.rs"),
        include_str!("coverage_sql.rs"),
    ];
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for source in sources {
        ctx.update(source.as_bytes());
        ctx.update(&[0]);
    }
    ctx.finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether this code set the schema up already (nothing to do, no lock taken): asks the
/// catalog first, so a new database answers `false` without an error.
pub async fn schema_is_current(client: &tokio_postgres::Client) -> Result<bool, StoreError> {
    let row = client
        .query_one("SELECT to_regclass('schema_setup') IS NOT NULL", &[])
        .await
        .map_err(be)?;
    if !row.try_get::<_, bool>(0).map_err(be)? {
        return Ok(false);
    }
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM schema_setup WHERE fingerprint = $1)",
            &[&schema_fingerprint()],
        )
        .await
        .map_err(be)?;
    row.try_get(0).map_err(be)
}

/// Records that this code set the schema up.
pub async fn mark_schema_current(client: &tokio_postgres::Client) -> Result<(), StoreError> {
    client
        .execute(
            "INSERT INTO schema_setup (fingerprint) VALUES ($1) ON CONFLICT DO NOTHING",
            &[&schema_fingerprint()],
        )
        .await
        .map_err(be)?;
    Ok(())
}

/// The secret named `name`, created at its first use by whichever instance comes first.
pub async fn shared_secret(pool: &Pool, name: &str) -> Result<[u8; 32], StoreError> {
    let fresh = random_secret()?;
    let client = pool.get().await.map_err(be)?;
    client
        .execute(
            "INSERT INTO server_secrets (name, secret) VALUES ($1, $2)
             ON CONFLICT (name) DO NOTHING",
            &[&name, &&fresh[..]],
        )
        .await
        .map_err(be)?;
    let row = client
        .query_one(
            "SELECT secret FROM server_secrets WHERE name = $1",
            &[&name],
        )
        .await
        .map_err(be)?;
    let stored: Vec<u8> = row.try_get(0).map_err(be)?;
    <[u8; 32]>::try_from(stored.as_slice())
        .map_err(|_| be(format!("the server secret {name:?} is not 32 bytes")))
}

/// Looks at the bucket `bucket`/`client`, and with `take` takes a token from it, in one
/// transaction holding its row (concurrent instances queue on it).
pub async fn bucket(
    pool: &Pool,
    bucket: &str,
    client_key: &str,
    rule: BucketRule,
    take: bool,
) -> Result<Result<(), Duration>, StoreError> {
    let mut client = pool.get().await.map_err(be)?;
    if !take {
        let row = client
            .query_opt(
                &format!(
                    "SELECT tokens, at_ms, {NOW_MS} FROM rate_buckets
                     WHERE bucket = $1 AND client = $2"
                ),
                &[&bucket, &client_key],
            )
            .await
            .map_err(be)?;
        return Ok(match row {
            None => Ok(()),
            Some(r) => {
                let state = (r.try_get(0).map_err(be)?, r.try_get(1).map_err(be)?);
                rule.step(Some(state), r.try_get(2).map_err(be)?, false).1
            }
        });
    }
    let tx = client.transaction().await.map_err(be)?;
    tx.execute(
        &format!(
            "INSERT INTO rate_buckets (bucket, client, tokens, at_ms) VALUES ($1, $2, $3, {NOW_MS})
             ON CONFLICT (bucket, client) DO NOTHING"
        ),
        &[&bucket, &client_key, &rule.capacity],
    )
    .await
    .map_err(be)?;
    let row = tx
        .query_one(
            &format!(
                "SELECT tokens, at_ms, {NOW_MS} FROM rate_buckets
                 WHERE bucket = $1 AND client = $2 FOR UPDATE"
            ),
            &[&bucket, &client_key],
        )
        .await
        .map_err(be)?;
    let state = (row.try_get(0).map_err(be)?, row.try_get(1).map_err(be)?);
    let now_ms: i64 = row.try_get(2).map_err(be)?;
    let (new_state, answer) = rule.step(Some(state), now_ms, true);
    if let Some((tokens, at_ms)) = new_state {
        tx.execute(
            "UPDATE rate_buckets SET tokens = $3, at_ms = $4 WHERE bucket = $1 AND client = $2",
            &[&bucket, &client_key, &tokens, &at_ms],
        )
        .await
        .map_err(be)?;
    }
    if TAKES.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
        tx.execute(
            "DELETE FROM rate_buckets WHERE bucket = $1 AND at_ms < $2",
            &[&bucket, &(now_ms - rule.full_after_ms())],
        )
        .await
        .map_err(be)?;
    }
    tx.commit().await.map_err(be)?;
    Ok(answer)
}
