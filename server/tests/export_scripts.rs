//! The load scripts of a questionnaire-aware export, checked without the tools (Stata is not
//! available here): a small parser of the `.do` subset the generator writes accepts every
//! line — valid Stata names, strings that close where they should, no macro characters,
//! labels within Stata's limits, value labels defined before use and attached to columns
//! the CSV has — also when the questionnaire's labels hold quotes, `$`, backticks and line
//! breaks. The SPSS and R scripts get lighter checks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};

use census_server::export::BUNDLED_QUESTIONNAIRE;
use census_server::export::plan::Plan;
use census_server::export::scripts::{r_snippet, spss, stata};

fn plan_of(text: &str, lang: &str) -> Plan {
    let q = census_core::load::load_questionnaire("q.json", text).unwrap();
    Plan::new(&q, lang).unwrap()
}

fn stata_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 32
}

/// Splits a line into words and `"…"` strings; `Err` for a string that does not close.
fn tokens(line: &str) -> Result<Vec<(bool, String)>, String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c == ' ' {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut s = String::new();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some(ch) => s.push(ch),
                    None => return Err(format!("unclosed string in {line:?}")),
                }
            }
            out.push((true, s));
        } else {
            let mut w = String::new();
            while let Some(&ch) = chars.peek() {
                if ch == ' ' || ch == '"' {
                    break;
                }
                w.push(ch);
                chars.next();
            }
            out.push((false, w));
        }
    }
    Ok(out)
}

/// Parses the `.do` file; returns the variables labelled per saved dataset.
fn parse_do(text: &str, plan: &Plan) -> BTreeMap<String, BTreeSet<String>> {
    let columns: BTreeMap<&str, Vec<&str>> = plan
        .tables
        .iter()
        .map(|t| {
            (
                t.stem.as_str(),
                t.columns.iter().map(|c| c.name.as_str()).collect(),
            )
        })
        .collect();
    let mut saved = BTreeMap::new();
    let mut current: Option<&str> = None;
    let mut labelled = BTreeSet::new();
    let mut defined = BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        let at = format!("line {}: {line:?}", n + 1);
        assert!(!line.contains('\r'), "{at}");
        if line.starts_with('*') || line.trim().is_empty() {
            continue;
        }
        assert!(
            !line.contains('`') && !line.contains('$'),
            "macro character: {at}"
        );
        let mut t = tokens(line).unwrap_or_else(|e| panic!("{e} ({at})"));
        t.retain(|(quoted, w)| *quoted || w != ",");
        let words: Vec<&str> = t.iter().map(|(_, w)| w.as_str()).collect();
        match words.as_slice() {
            ["version", v] => assert!(v.parse::<u32>().is_ok(), "{at}"),
            ["set", "more", "off"] => {}
            ["import", "delimited", "using", file, rest @ ..] => {
                assert!(t[3].0, "file name quoted: {at}");
                let stem = file.strip_suffix(".csv").unwrap_or_else(|| panic!("{at}"));
                let cols = columns
                    .get(stem)
                    .unwrap_or_else(|| panic!("no table: {at}"));
                current = Some(columns.keys().find(|k| **k == stem).copied().unwrap());
                labelled.clear();
                defined.clear();
                let opts = rest.join(" ");
                assert!(opts.starts_with("clear varnames(1)"), "{at}");
                assert_eq!(opts.matches('(').count(), opts.matches(')').count(), "{at}");
                for list in ["stringcols(", "numericcols("] {
                    if let Some(i) = opts.find(list) {
                        let inner = &opts[i + list.len()..];
                        let inner = &inner[..inner.find(')').unwrap()];
                        for p in inner.split(' ') {
                            let p: usize = p.parse().unwrap_or_else(|_| panic!("{at}"));
                            assert!(p >= 1 && p <= cols.len(), "{at}");
                        }
                    }
                }
            }
            ["label", "data", _] => assert!(t[2].0 && t[2].1.chars().count() <= 80, "{at}"),
            ["label", "variable", var, _] => {
                let stem = current.unwrap_or_else(|| panic!("before import: {at}"));
                assert!(stata_name(var), "{at}");
                assert!(columns[stem].contains(var), "not a column: {at}");
                assert!(t[3].0 && t[3].1.chars().count() <= 80, "{at}");
                labelled.insert(var.to_string());
            }
            ["label", "define", name, rest @ ..] => {
                assert!(stata_name(name), "{at}");
                assert_eq!(rest.last(), Some(&"replace"), "{at}");
                let pairs = &t[3..t.len() - 1];
                assert!(!pairs.is_empty() && pairs.len().is_multiple_of(2), "{at}");
                for pair in pairs.chunks(2) {
                    assert!(!pair[0].0 && pair[0].1.parse::<i64>().is_ok(), "{at}");
                    assert!(pair[1].0, "{at}");
                }
                defined.insert(name.to_string());
            }
            ["label", "values", var, name] => {
                let stem = current.unwrap_or_else(|| panic!("before import: {at}"));
                assert!(columns[stem].contains(var), "{at}");
                assert!(defined.contains(*name), "label used before defined: {at}");
            }
            ["save", file, "replace"] => {
                assert!(t[1].0, "{at}");
                let stem = current.take().unwrap_or_else(|| panic!("{at}"));
                assert_eq!(*file, format!("{stem}.dta"), "{at}");
                saved.insert(stem.to_owned(), labelled.clone());
            }
            _ => panic!("not a Stata command the generator writes: {at}"),
        }
    }
    saved
}

#[test]
fn the_do_file_parses_and_labels_every_column_of_every_table() {
    for lang in ["fr", "ar", "en", "zgh"] {
        let plan = plan_of(BUNDLED_QUESTIONNAIRE, lang);
        let text = stata(&plan, "head");
        let saved = parse_do(&text, &plan);
        assert_eq!(saved.len(), plan.tables.len(), "{lang}");
        for table in &plan.tables {
            let all: BTreeSet<String> = table.columns.iter().map(|c| c.name.clone()).collect();
            assert_eq!(saved[&table.stem], all, "{lang} {}", table.stem);
        }
        assert!(text.contains("label values p_sex p_sex"), "{lang}");
    }
}

#[test]
fn hostile_labels_cannot_break_the_scripts() {
    let hostile = r#""en": "Sex \" $HOME `rm -rf` 'x' \\ \n do evil.do""#;
    let text = BUNDLED_QUESTIONNAIRE.replacen(r#""en": "Sex""#, hostile, 1);
    assert_ne!(text, BUNDLED_QUESTIONNAIRE);
    let plan = plan_of(&text, "en");
    let do_file = stata(&plan, "head");
    parse_do(&do_file, &plan);
    assert!(
        !do_file
            .lines()
            .any(|l| l.trim_start().starts_with("do evil"))
    );
    // SPSS: every quoted string closes on its line (quotes doubled inside).
    let sps = spss(&plan, "head");
    for line in sps.lines() {
        assert_eq!(line.matches('\'').count() % 2, 0, "{line:?}");
    }
    assert!(
        sps.contains("p_sex 'Sex \" $HOME `rm -rf` ''x'' \\   do evil.do'"),
        "{sps}"
    );
    // R: the label is one escaped string.
    let r = r_snippet(&plan, "head");
    assert!(
        r.contains(
            r#"attr(persons$p_sex, "label") <- "Sex \" $HOME `rm -rf` 'x' \\   do evil.do""#
        ),
        "{r}"
    );
}
