//! Case documents and event arrays as the SQLite store keeps them: lz4-compressed blobs.
//!
//! SQLite has one writer, and at census volume it is bound by the disk (a household's JSON
//! is ~18 kB, written once to the WAL and once more at checkpoint). Compressed, it is ~4 kB,
//! for ~7 µs of CPU spent before the writer is taken. Rows written before migration 7 hold
//! the JSON as text; [`StoredJson`] reads both, so no row is rewritten at upgrade.

use census_core::wire::MAX_INFLATED_BYTES;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};

/// A JSON text compressed for storage (lz4 block, its length first).
pub fn pack(json: &str) -> Vec<u8> {
    lz4_flex::compress_prepend_size(json.as_bytes())
}

/// A JSON column read back: the text as written, from a compressed blob or a text value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredJson(pub String);

impl FromSql for StoredJson {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value {
            ValueRef::Text(text) => std::str::from_utf8(text)
                .map(|t| StoredJson(t.to_owned()))
                .map_err(|e| FromSqlError::Other(Box::new(e))),
            ValueRef::Blob(blob) => unpack(blob)
                .map(StoredJson)
                .map_err(|e| FromSqlError::Other(e.into())),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

/// The text of a packed blob. Its claimed length is checked against the largest payload the
/// server accepts before anything is allocated, so a damaged row is an error, not an abort.
fn unpack(blob: &[u8]) -> Result<String, String> {
    let (length, body) = blob
        .split_first_chunk::<4>()
        .ok_or("a packed JSON value shorter than its length")?;
    let length = u32::from_le_bytes(*length) as usize;
    if length > MAX_INFLATED_BYTES {
        return Err(format!("a packed JSON value claims {length} bytes"));
    }
    let mut text = vec![0; length];
    let written = lz4_flex::block::decompress_into(body, &mut text).map_err(|e| e.to_string())?;
    if written != length {
        return Err(format!(
            "a packed JSON value of {written} bytes, {length} claimed"
        ));
    }
    String::from_utf8(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn read(conn: &Connection, sql: &str) -> rusqlite::Result<StoredJson> {
        conn.query_row(sql, [], |r| r.get(0))
    }

    #[test]
    fn a_packed_blob_and_an_older_text_row_read_as_the_same_json() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, j TEXT NOT NULL)")
            .unwrap();
        let json = r#"[{"seq":1,"kind":"answer","value":"Aït Ourir ⵜⴰⵎⴰⵣⵉⵖⵜ"}]"#.repeat(50);
        conn.execute("INSERT INTO t VALUES (1, ?1)", [pack(&json)])
            .unwrap();
        conn.execute("INSERT INTO t VALUES (2, ?1)", [&json])
            .unwrap();
        let kind: String = conn
            .query_row("SELECT typeof(j) FROM t WHERE id = 1", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kind, "blob", "a TEXT column keeps the blob as written");
        let packed: i64 = conn
            .query_row("SELECT length(j) FROM t WHERE id = 1", [], |r| r.get(0))
            .unwrap();
        assert!(
            (packed as usize) < json.len() / 4,
            "{packed} of {}",
            json.len()
        );
        assert_eq!(read(&conn, "SELECT j FROM t WHERE id = 1").unwrap().0, json);
        assert_eq!(read(&conn, "SELECT j FROM t WHERE id = 2").unwrap().0, json);
    }

    #[test]
    fn a_damaged_blob_is_an_error_not_a_panic_or_garbage() {
        let conn = Connection::open_in_memory().unwrap();
        let mut damaged = pack(&"{\"a\":1}".repeat(40));
        damaged.truncate(damaged.len() / 2);
        // No declared type: a number stays a number (a TEXT column would make it text).
        conn.execute_batch("CREATE TABLE t (j)").unwrap();
        conn.execute("INSERT INTO t VALUES (?1)", [damaged])
            .unwrap();
        assert!(read(&conn, "SELECT j FROM t").is_err());
        conn.execute(
            "UPDATE t SET j = ?1",
            [vec![0xff_u8, 0xff, 0xff, 0x7f, 1, 2]],
        )
        .unwrap();
        assert!(
            read(&conn, "SELECT j FROM t").is_err(),
            "a 2 GB claimed length"
        );
        conn.execute("UPDATE t SET j = 42", []).unwrap();
        assert!(read(&conn, "SELECT j FROM t").is_err());
    }
}
