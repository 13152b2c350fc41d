//! The `type` column: XLSForm types → census question types and structure markers.

use census_core::model::QuestionType;

/// What one survey row is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowType {
    /// A question; for choice questions the list name and whether `or_other` was given.
    Question {
        /// The census question type.
        kind: QuestionType,
        /// Choice list of `select_one` / `select_multiple`.
        list: Option<String>,
        /// `or_other`: an `other` choice and a text question to specify it.
        or_other: bool,
    },
    /// `begin group`.
    BeginGroup,
    /// `end group`.
    EndGroup,
    /// `begin repeat`.
    BeginRepeat,
    /// `end repeat`.
    EndRepeat,
    /// A metadata row: the census metadata item it names (`meta.start`, …).
    Meta(&'static str),
}

/// XLSForm metadata types and the census metadata items they map to.
const METADATA: &[(&str, &str)] = &[
    ("start", "meta.start"),
    ("end", "meta.end"),
    ("today", "meta.start"),
    ("deviceid", "meta.device_id"),
    ("username", "meta.enumerator_id"),
];

/// XLSForm types that exist but have no census equivalent, with the reason.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("phonenumber", "metadata"),
    ("simserial", "metadata"),
    ("subscriberid", "metadata"),
    ("email", "metadata"),
    ("audit", "metadata"),
    ("start-geopoint", "metadata"),
    ("time", "a time of day"),
    ("datetime", "a date and time"),
    ("image", "media"),
    ("audio", "media"),
    ("video", "media"),
    ("file", "media"),
    ("background-audio", "media"),
    ("barcode", "a scanned code"),
    ("range", "a slider"),
    ("rank", "a ranking"),
    ("geotrace", "a line of GPS points"),
    ("geoshape", "a shape of GPS points"),
    ("acknowledge", "an acknowledgement"),
    ("trigger", "an acknowledgement"),
    ("hidden", "a hidden value"),
    ("xml-external", "an external data file"),
    ("csv-external", "an external data file"),
    ("select_one_from_file", "choices from an external file"),
    ("select_multiple_from_file", "choices from an external file"),
    ("select_one_external", "choices from an external file"),
    ("begin_loop", "a loop over choices"),
    ("end_loop", "a loop over choices"),
];

/// Reads a `type` cell; the error is (construct, message).
pub fn parse(text: &str) -> Result<RowType, (String, String)> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let word = |i: usize| words.get(i).map(String::as_str);
    let simple = |kind| {
        Ok(RowType::Question {
            kind,
            list: None,
            or_other: false,
        })
    };
    // `begin group`, `begin_group`, `end repeat`, …
    let joined = words.join("_");
    match joined.as_str() {
        "begin_group" => return Ok(RowType::BeginGroup),
        "end_group" => return Ok(RowType::EndGroup),
        "begin_repeat" => return Ok(RowType::BeginRepeat),
        "end_repeat" => return Ok(RowType::EndRepeat),
        _ => {}
    }
    if let [w] = words.as_slice()
        && let Some((_, meta)) = METADATA.iter().find(|(t, _)| t == w)
    {
        return Ok(RowType::Meta(meta));
    }
    match (word(0), words.len()) {
        (Some("integer" | "int"), 1) => simple(QuestionType::Integer),
        (Some("decimal"), 1) => simple(QuestionType::Decimal),
        (Some("text" | "string"), 1) => simple(QuestionType::Text),
        (Some("date"), 1) => simple(QuestionType::Date),
        (Some("geopoint"), 1) => simple(QuestionType::Gps),
        (Some("note"), 1) => simple(QuestionType::Note),
        (Some("calculate"), 1) => simple(QuestionType::Calculated),
        (Some(select @ ("select_one" | "select_multiple")), 2 | 3) => {
            let or_other = match word(2) {
                None => false,
                Some("or_other") => true,
                Some(other) => {
                    return Err((
                        format!("type {text}"),
                        format!("`{other}` after the list name: only or_other may follow it"),
                    ));
                }
            };
            let kind = if select == "select_one" {
                QuestionType::SingleChoice
            } else {
                QuestionType::MultipleChoice
            };
            let list = text.split_whitespace().nth(1).map(str::to_string);
            Ok(RowType::Question {
                kind,
                list,
                or_other,
            })
        }
        (Some("select_one" | "select_multiple"), 1) => Err((
            format!("type {text}"),
            "the choice list name is missing after the type".into(),
        )),
        (Some(w), _) => match UNSUPPORTED.iter().find(|(t, _)| *t == w) {
            Some((_, what)) => Err((
                format!("type {w}"),
                format!("{what} has no equivalent in the census format"),
            )),
            None => Err((format!("type {text}"), "unknown XLSForm type".into())),
        },
        (None, _) => Err(("type".into(), "the type is empty".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types() {
        assert_eq!(parse("begin group"), Ok(RowType::BeginGroup));
        assert_eq!(parse("end_repeat"), Ok(RowType::EndRepeat));
        assert_eq!(
            parse("select_multiple crops or_other"),
            Ok(RowType::Question {
                kind: QuestionType::MultipleChoice,
                list: Some("crops".into()),
                or_other: true
            })
        );
        assert!(parse("integr").is_err_and(|e| e.1.contains("unknown")));
        assert!(parse("image").is_err_and(|e| e.1.contains("media")));
        assert_eq!(parse("deviceid"), Ok(RowType::Meta("meta.device_id")));
        assert!(parse("simserial").is_err_and(|e| e.1.contains("metadata")));
    }
}
