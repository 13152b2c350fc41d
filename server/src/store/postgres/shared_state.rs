//! PostgreSQL: the state every instance must share, kept in the database — the secret the
//! review page's session key is derived from (`http::session`), and the per-address token
//! buckets (enrolment, failed authentications) of `http::limits`. Times are the database's
//! clock, so instances on several hosts agree without relying on their own clocks.
//!
//! Its tables are migration 2 (`postgres::migrations`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use deadpool_postgres::Pool;

use crate::ratelimit::BucketRule;
use crate::store::StoreError;
use crate::store::sqlite::shared_state::random_secret;

/// The tables: migration 2.
pub const TABLES: &str = "
CREATE TABLE IF NOT EXISTS server_secrets (
    name TEXT PRIMARY KEY,
    secret BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
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

/// The secret named `name`, created at its first use by whichever instance comes first.
pub async fn shared_secret(pool: &Pool, name: &str) -> Result<[u8; 32], StoreError> {
    let fresh = random_secret()?;
    let client = pool.get().await?;
    client
        .execute(
            "INSERT INTO server_secrets (name, secret) VALUES ($1, $2)
             ON CONFLICT (name) DO NOTHING",
            &[&name, &&fresh[..]],
        )
        .await?;
    let row = client
        .query_one(
            "SELECT secret FROM server_secrets WHERE name = $1",
            &[&name],
        )
        .await?;
    let stored: Vec<u8> = row.try_get(0)?;
    <[u8; 32]>::try_from(stored.as_slice())
        .map_err(|_| StoreError::Backend(format!("the server secret {name:?} is not 32 bytes")))
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
    let mut client = pool.get().await?;
    if !take {
        let row = client
            .query_opt(
                &format!(
                    "SELECT tokens, at_ms, {NOW_MS} FROM rate_buckets
                     WHERE bucket = $1 AND client = $2"
                ),
                &[&bucket, &client_key],
            )
            .await?;
        return Ok(match row {
            None => Ok(()),
            Some(r) => {
                let state = (r.try_get(0)?, r.try_get(1)?);
                rule.step(Some(state), r.try_get(2)?, false).1
            }
        });
    }
    let tx = client.transaction().await?;
    tx.execute(
        &format!(
            "INSERT INTO rate_buckets (bucket, client, tokens, at_ms) VALUES ($1, $2, $3, {NOW_MS})
             ON CONFLICT (bucket, client) DO NOTHING"
        ),
        &[&bucket, &client_key, &rule.capacity],
    )
    .await?;
    let row = tx
        .query_one(
            &format!(
                "SELECT tokens, at_ms, {NOW_MS} FROM rate_buckets
                 WHERE bucket = $1 AND client = $2 FOR UPDATE"
            ),
            &[&bucket, &client_key],
        )
        .await?;
    let state = (row.try_get(0)?, row.try_get(1)?);
    let now_ms: i64 = row.try_get(2)?;
    let (new_state, answer) = rule.step(Some(state), now_ms, true);
    if let Some((tokens, at_ms)) = new_state {
        tx.execute(
            "UPDATE rate_buckets SET tokens = $3, at_ms = $4 WHERE bucket = $1 AND client = $2",
            &[&bucket, &client_key, &tokens, &at_ms],
        )
        .await?;
    }
    if TAKES.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
        tx.execute(
            "DELETE FROM rate_buckets WHERE bucket = $1 AND at_ms < $2",
            &[&bucket, &(now_ms - rule.full_after_ms())],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(answer)
}
