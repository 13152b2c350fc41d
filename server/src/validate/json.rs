//! What any JSON a tablet sends must be before the office keeps it: every number finite,
//! every text valid Unicode without NUL and of bounded length, nesting bounded. One pass
//! over the text, building nothing (serde_json decodes each string once; most are
//! borrowed).
//!
//! These are the properties every reader of the stored text relies on: SQLite's and
//! PostgreSQL's JSON functions, `jsonb` (which refuses `\u0000` and lone surrogates),
//! `serde_json::Value` in the export and the case history (which refuses numbers out of
//! range and nesting past 128 levels).

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

/// Deepest nesting of arrays and objects in one case record (a census case needs about
/// a dozen levels: record, document, rows, rosters, answers, a GPS point).
pub const MAX_DEPTH: usize = 32;

/// Longest text (bytes) anywhere in a case record.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// Checks `text` (one JSON value) as the module documentation says, or tells what is wrong.
pub fn check(text: &str) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_str(text);
    Checker { depth: 0 }
        .deserialize(&mut de)
        .map_err(|e| plain(&e))?;
    de.end().map_err(|e| plain(&e))
}

/// serde_json's message without its "at line 1 column N" when the cause is ours; its
/// own messages (number out of range, lone surrogate, recursion limit) keep the position.
fn plain(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if text.contains("surrogate") || text.contains("hex escape") {
        return format!(
            "a text is not valid Unicode (a lone surrogate or a bad \\u escape): {text}"
        );
    }
    match text.find(" at line ") {
        Some(i) if e.is_data() => text[..i].to_owned(),
        _ => text,
    }
}

/// Checks a decoded text.
pub fn check_text(s: &str) -> Result<(), String> {
    if s.len() > MAX_TEXT_BYTES {
        return Err(format!(
            "a text is {} bytes long, more than the {MAX_TEXT_BYTES} the office takes",
            s.len()
        ));
    }
    if s.contains('\0') {
        return Err("a text holds a NUL character (\\u0000)".into());
    }
    Ok(())
}

#[derive(Clone, Copy)]
struct Checker {
    depth: usize,
}

impl Checker {
    fn deeper<E: de::Error>(self) -> Result<Checker, E> {
        let depth = self.depth + 1;
        if depth > MAX_DEPTH {
            return Err(E::custom(format!(
                "arrays and objects are nested more than {MAX_DEPTH} levels deep"
            )));
        }
        Ok(Checker { depth })
    }
}

impl<'de> DeserializeSeed<'de> for Checker {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Checker {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        if v.is_finite() {
            Ok(())
        } else {
            Err(E::custom("a number is not finite"))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        check_text(v).map_err(E::custom)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let inner = self.deeper()?;
        while seq.next_element_seed(inner)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let inner = self.deeper()?;
        while map.next_key_seed(inner)?.is_some() {
            map.next_value_seed(inner)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_readers_of_the_stored_text_cannot_read() {
        let good = [
            r#"{"a":[1,-2,3.5,true,null,"é\ud83d\ude00"],"b":{"c":"x"}}"#,
            "1e300",
            r#""\u0001""#,
        ];
        for text in good {
            assert_eq!(check(text), Ok(()), "{text}");
        }
        let deep_ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(check(&deep_ok), Ok(()));
        let cases = [
            (r#"{"a":1e999}"#.to_string(), "out of range"),
            (r#"{"a":-1e999}"#.to_string(), "out of range"),
            (r#"{"a":"\ud800"}"#.to_string(), "surrogate"),
            (r#"{"a":"\udc00x"}"#.to_string(), "surrogate"),
            (r#"{"a":"x\u0000"}"#.to_string(), "NUL"),
            (r#"{"\u0000":1}"#.to_string(), "NUL"),
            (
                format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1)),
                "nested",
            ),
            (
                format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
                "nested",
            ),
            (
                format!("\"{}\"", "a".repeat(MAX_TEXT_BYTES + 1)),
                "bytes long",
            ),
            ("{\"a\":\"\x01\"}".to_string(), "control character"),
            ("[1] x".to_string(), "trailing"),
        ];
        for (text, why) in cases {
            let err = check(&text).unwrap_err();
            assert!(err.contains(why), "{why}: {err}");
        }
    }
}
