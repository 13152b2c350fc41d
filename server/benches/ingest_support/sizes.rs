//! What a store takes on disk, to report bytes per household as the database grows.

/// The SQLite database at `path` with its write-ahead log moved in (a truncating
/// checkpoint first), in bytes.
pub fn sqlite_bytes(path: &std::path::Path) -> u64 {
    let conn = rusqlite::Connection::open(path).expect("open for size");
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .expect("busy timeout");
    let _: (i64, i64, i64) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .expect("checkpoint");
    ["", "-wal"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok())
        .map(|m| m.len())
        .sum()
}

/// The tables of PostgreSQL schema `schema` with their indexes and TOAST, in bytes.
pub async fn postgres_bytes(url: &str, schema: &str) -> u64 {
    let client = connect(url).await;
    let row = client
        .query_one(
            "SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0)::bigint
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relkind = 'r'",
            &[&schema],
        )
        .await
        .expect("size query");
    u64::try_from(row.get::<_, i64>(0)).unwrap_or(0)
}

/// Drops PostgreSQL schema `schema` and everything in it (a bench's data, once measured).
/// A server's background `ANALYZE` of the same tables may still run and deadlock with the
/// drop (PostgreSQL then cancels one of them): the drop is tried again, and a schema that
/// cannot be dropped is reported and left (it holds only bench data).
pub async fn drop_postgres_schema(url: &str, schema: &str) {
    let client = connect(url).await;
    let mut last = None;
    for _ in 0..5 {
        match client
            .batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
            .await
        {
            Ok(()) => return,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
    eprintln!("bench schema {schema} left in place: {last:?}");
}

/// Sequential scans of table `table` in schema `schema` since the schema was created, and
/// the rows they read (`pg_stat_user_tables`; backends report their counts when idle, so
/// this waits 11 s first).
pub async fn postgres_seq_scans(url: &str, schema: &str, table: &str) -> (i64, i64) {
    tokio::time::sleep(std::time::Duration::from_secs(11)).await;
    let client = connect(url).await;
    let row = client
        .query_one(
            "SELECT COALESCE(sum(seq_scan), 0)::bigint, COALESCE(sum(seq_tup_read), 0)::bigint
             FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2",
            &[&schema, &table],
        )
        .await
        .expect("statistics query");
    (row.get(0), row.get(1))
}

/// A connection to `url`, driven on the runtime.
async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to PostgreSQL");
    tokio::spawn(connection);
    client
}

/// Bytes this process has caused to be written to disk so far (`write_bytes` of
/// `/proc/self/io`: the SQLite writer and its checkpoints run in the bench's process;
/// PostgreSQL's writes are its own). `None` where the kernel does not say.
pub fn process_disk_writes() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    io.lines()
        .find_map(|l| l.strip_prefix("write_bytes:"))
        .and_then(|v| v.trim().parse().ok())
}
