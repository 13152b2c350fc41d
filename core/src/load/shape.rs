//! The file's shape before its meaning: unknown fields (a misspelt `relevent`) are found
//! everywhere in the file at once, each reported once with its JSON path and the closest
//! known field, then dropped so that the other problems of the file are reported too.

use serde_json::Value as J;

use crate::expr::functions::edit_distance;

const FILE: &[&str] = &[
    "$schema",
    "format_version",
    "id",
    "version",
    "title",
    "case_title",
    "languages",
    "required_languages",
    "translation_status",
    "reference_date",
    "choice_lists",
    "root",
    "coverage",
];
const LEVEL: &[&str] = &[
    "id", "label", "inputs", "sections", "rosters", "checks", "order",
];
const INPUT: &[&str] = &["id", "type", "label"];
const SECTION: &[&str] = &["id", "label", "relevant", "questions"];
const QUESTION: &[&str] = &[
    "id",
    "type",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "default",
    "choices",
    "calculation",
    "fill_from",
];
const CHOICE: &[&str] = &["code", "label", "filter"];
const ROSTER: &[&str] = &[
    "id",
    "label",
    "row_label",
    "relevant",
    "min_rows",
    "max_rows",
    "level",
];
const CHECK: &[&str] = &[
    "id",
    "severity",
    "expression",
    "relevant",
    "message",
    "questions",
];
const COVERAGE: &[&str] = &[
    "population",
    "households",
    "persons",
    "relationship",
    "head_code",
    "name",
    "dwelling_gps",
];

/// An unknown field: its JSON path and the message.
pub(crate) type ShapeProblem = (String, String);

/// Removes every unknown field of `doc` and says where each was.
pub(crate) fn unknown_fields(doc: &mut J) -> Vec<ShapeProblem> {
    let mut out = Vec::new();
    fields(doc, "", FILE, "the file", &mut out);
    if let Some(J::Object(lists)) = doc.get_mut("choice_lists") {
        for (name, list) in lists.iter_mut() {
            each(
                list,
                &format!("/choice_lists/{name}"),
                CHOICE,
                "a choice",
                &mut out,
            );
        }
    }
    if let Some(coverage) = doc.get_mut("coverage") {
        fields(coverage, "/coverage", COVERAGE, "coverage", &mut out);
    }
    if let Some(root) = doc.get_mut("root") {
        level(root, "/root", &mut out);
    }
    out
}

fn level(l: &mut J, path: &str, out: &mut Vec<ShapeProblem>) {
    fields(l, path, LEVEL, "a level", out);
    if let Some(inputs) = l.get_mut("inputs") {
        each(inputs, &format!("{path}/inputs"), INPUT, "an input", out);
    }
    if let Some(J::Array(sections)) = l.get_mut("sections") {
        for (i, s) in sections.iter_mut().enumerate() {
            let sp = format!("{path}/sections/{i}");
            fields(s, &sp, SECTION, "a section", out);
            if let Some(qs) = s.get_mut("questions") {
                each(qs, &format!("{sp}/questions"), QUESTION, "a question", out);
            }
        }
    }
    if let Some(J::Array(rosters)) = l.get_mut("rosters") {
        for (i, r) in rosters.iter_mut().enumerate() {
            let rp = format!("{path}/rosters/{i}");
            fields(r, &rp, ROSTER, "a roster", out);
            if let Some(child) = r.get_mut("level") {
                level(child, &format!("{rp}/level"), out);
            }
        }
    }
    if let Some(checks) = l.get_mut("checks") {
        each(checks, &format!("{path}/checks"), CHECK, "a check", out);
    }
}

fn each(list: &mut J, path: &str, known: &[&str], what: &str, out: &mut Vec<ShapeProblem>) {
    if let J::Array(items) = list {
        for (i, item) in items.iter_mut().enumerate() {
            fields(item, &format!("{path}/{i}"), known, what, out);
        }
    }
}

fn fields(obj: &mut J, path: &str, known: &[&str], what: &str, out: &mut Vec<ShapeProblem>) {
    let J::Object(map) = obj else { return };
    let unknown: Vec<String> = map
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .cloned()
        .collect();
    for key in unknown {
        map.remove(&key);
        let guess = known
            .iter()
            .map(|k| (edit_distance(&key.to_lowercase(), k), *k))
            .filter(|(d, k)| *d <= 3 && *d < k.len())
            .min_by_key(|(d, _)| *d)
            .map(|(_, k)| format!(": did you mean `{k}`?"))
            .unwrap_or_else(|| format!(" (known fields: {})", known.join(", ")));
        out.push((
            format!("{path}/{key}"),
            format!("unknown field `{key}` in {what}{guess}"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::unknown_fields;
    use serde_json::json;

    #[test]
    fn misspelt_fields_everywhere_are_listed_with_a_guess() {
        let mut doc = json!({
            "id": "x", "titel": {},
            "root": {"id": "d", "sections": [{"id": "s", "questions": [
                {"id": "q", "relevent": "true"}]}]}
        });
        let found = unknown_fields(&mut doc);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "/titel");
        assert!(found[0].1.contains("did you mean `title`"));
        assert_eq!(found[1].0, "/root/sections/0/questions/0/relevent");
        assert!(found[1].1.contains("did you mean `relevant`"));
        assert!(
            doc["root"]["sections"][0]["questions"][0]
                .get("relevent")
                .is_none()
        );
    }
}
