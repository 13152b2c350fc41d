//! Case documents and event arrays as both stores keep them: lz4-compressed, built by the
//! server before the database is reached.
//!
//! A household's JSON is ~18 kB (its events nine tenths of it); packed it is ~4 kB, for
//! ~7 µs of CPU spent outside the database. SQLite's single writer is bound by the bytes it
//! puts on disk (each written to the WAL, then again at checkpoint); PostgreSQL spent a
//! tenth of its CPU validating `json` input and compressing it itself.
//!
//! Format: one byte [`LZ4_BLOCK`], the text's length (u32, little-endian), the lz4 block.
//! A JSON text never starts with that byte, so values written before packing (text in
//! SQLite; the `json` text converted to `bytea` by PostgreSQL's migration 7) read as they
//! are and no row is rewritten.

use std::borrow::Cow;

use census_core::wire::MAX_INFLATED_BYTES;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use tokio_postgres::types::{FromSql as PgFromSql, Type};

use crate::incoming::IncomingCase;

/// The first byte of a packed value.
pub const LZ4_BLOCK: u8 = 1;

/// A JSON text packed for storage.
pub fn pack(json: &str) -> Vec<u8> {
    let bound = lz4_flex::block::get_maximum_output_size(json.len());
    let mut out = vec![0; 5 + bound];
    out[0] = LZ4_BLOCK;
    out[1..5].copy_from_slice(&(json.len() as u32).to_le_bytes());
    // The buffer holds the worst case, so compression cannot run out of room; were it to
    // fail, the text is kept unpacked (it reads back all the same).
    match lz4_flex::block::compress_into(json.as_bytes(), &mut out[5..]) {
        Ok(written) => {
            out.truncate(5 + written);
            out
        }
        Err(_) => json.as_bytes().to_vec(),
    }
}

/// The JSON text of a stored value: unpacked, or as written before packing. A damaged value
/// is an error, never an abort: its claimed length is checked against the largest payload
/// the server accepts before anything is allocated.
pub fn unpack(stored: &[u8]) -> Result<String, String> {
    let Some((&LZ4_BLOCK, rest)) = stored.split_first() else {
        return String::from_utf8(stored.to_vec())
            .map_err(|e| format!("a stored JSON text is not UTF-8: {e}"));
    };
    let (length, block) = rest
        .split_first_chunk::<4>()
        .ok_or("a packed JSON value shorter than its length")?;
    let length = u32::from_le_bytes(*length) as usize;
    if length > MAX_INFLATED_BYTES {
        return Err(format!("a packed JSON value claims {length} bytes"));
    }
    let mut text = vec![0; length];
    let written = lz4_flex::block::decompress_into(block, &mut text).map_err(|e| e.to_string())?;
    if written != length {
        return Err(format!(
            "a packed JSON value of {written} bytes, {length} claimed"
        ));
    }
    String::from_utf8(text).map_err(|e| format!("a packed JSON value is not UTF-8: {e}"))
}

/// New events of a case, packed: how many, and the bytes.
pub type PackedEvents<'a> = (usize, Cow<'a, [u8]>);

/// A case's document and events, packed once before its batch reaches the database.
pub struct PackedCase {
    /// The case document.
    pub case: Vec<u8>,
    /// Every event sent, as sent (the common case: all of them new).
    all_events: Vec<u8>,
}

impl PackedCase {
    /// Packs `case`'s document and events.
    pub fn of(case: &IncomingCase) -> PackedCase {
        PackedCase {
            case: pack(case.case.get()),
            all_events: pack(case.events.get()),
        }
    }

    /// The events of `case` after `last_seq`, packed: how many, and the bytes (`None` when
    /// none is new). Packed again only when some of those sent were already stored.
    pub fn events_after<'a>(
        &'a self,
        case: &IncomingCase,
        last_seq: i64,
    ) -> Result<Option<PackedEvents<'a>>, String> {
        Ok(case.new_events(last_seq)?.map(|(count, text)| {
            let packed = match text {
                Cow::Borrowed(_) => Cow::Borrowed(self.all_events.as_slice()),
                Cow::Owned(fewer) => Cow::Owned(pack(&fewer)),
            };
            (count, packed)
        }))
    }
}

/// A JSON column read back, packed or not: its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredJson(pub String);

impl StoredJson {
    /// The text parsed as a JSON value.
    pub fn value(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_str(&self.0)
    }
}

/// SQLite: a blob is unpacked; a text value was written before packing.
impl FromSql for StoredJson {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = match value {
            ValueRef::Text(text) => std::str::from_utf8(text)
                .map(str::to_owned)
                .map_err(|e| e.to_string()),
            ValueRef::Blob(blob) => unpack(blob),
            _ => return Err(FromSqlError::InvalidType),
        };
        text.map(StoredJson)
            .map_err(|e| FromSqlError::Other(e.into()))
    }
}

/// PostgreSQL: a `bytea` column (since migration 7).
impl<'a> PgFromSql<'a> for StoredJson {
    fn from_sql(
        _: &Type,
        raw: &'a [u8],
    ) -> Result<StoredJson, Box<dyn std::error::Error + Sync + Send>> {
        unpack(raw).map(StoredJson).map_err(Into::into)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::BYTEA
    }
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
    fn json_bytes_written_before_packing_read_as_they_are() {
        for json in ["{}", "[]", " {\"a\":1}", "\"x\""] {
            assert_eq!(unpack(json.as_bytes()).unwrap(), json);
            assert_eq!(unpack(&pack(json)).unwrap(), json);
        }
        assert_eq!(unpack(&pack("")).unwrap(), "");
    }

    #[test]
    fn a_damaged_value_is_an_error_not_a_panic_or_garbage() {
        let whole = pack(&"{\"a\":1}".repeat(40));
        for cut in [1, 3, 5, whole.len() / 2, whole.len() - 1] {
            assert!(unpack(&whole[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = whole.clone();
        longer[1..5].copy_from_slice(&((40 * 7 + 1) as u32).to_le_bytes());
        assert!(unpack(&longer).is_err(), "a length that does not match");
        let huge = [LZ4_BLOCK, 0xff, 0xff, 0xff, 0x7f, 1, 2];
        assert!(
            unpack(&huge).unwrap_err().contains("claims"),
            "2 GB claimed"
        );
        assert!(unpack(&[0xff, 0xfe]).is_err(), "not UTF-8");
        let conn = Connection::open_in_memory().unwrap();
        // No declared type: a number stays a number (a TEXT column would make it text).
        conn.execute_batch("CREATE TABLE t (j)").unwrap();
        conn.execute("INSERT INTO t VALUES (42)", []).unwrap();
        assert!(read(&conn, "SELECT j FROM t").is_err());
    }
}
