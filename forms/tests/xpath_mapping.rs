//! Each XPath construct the importer supports maps to the census expression the format
//! documents; each one it does not support is named, with its position.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use census_core::model::QuestionType;
use census_forms::xpath::{Item, ItemKind, Scope, XPathError, translate};

/// hh_size, water (multi), persons → age, name, jobs → income.
fn items() -> BTreeMap<String, Item> {
    let q = |t, repeats: &[&str]| Item {
        kind: ItemKind::Question(t),
        repeats: repeats.iter().map(|s| s.to_string()).collect(),
    };
    let mut m = BTreeMap::new();
    m.insert("hh_size".into(), q(QuestionType::Integer, &[]));
    m.insert("water".into(), q(QuestionType::MultipleChoice, &[]));
    m.insert("region".into(), q(QuestionType::SingleChoice, &[]));
    m.insert("code".into(), q(QuestionType::Text, &[]));
    m.insert("d".into(), q(QuestionType::Date, &[]));
    m.insert(
        "persons".into(),
        Item {
            kind: ItemKind::Repeat,
            repeats: vec![],
        },
    );
    m.insert("age".into(), q(QuestionType::Integer, &["persons"]));
    m.insert("name".into(), q(QuestionType::Text, &["persons"]));
    m.insert(
        "jobs".into(),
        Item {
            kind: ItemKind::Repeat,
            repeats: vec!["persons".into()],
        },
    );
    m.insert(
        "income".into(),
        q(QuestionType::Decimal, &["persons", "jobs"]),
    );
    m
}

fn at(here: &[&str], src: &str) -> Result<String, XPathError> {
    let items = items();
    let here: Vec<String> = here.iter().map(|s| s.to_string()).collect();
    translate(
        src,
        &Scope {
            items: &items,
            here: &here,
            choice: None,
        },
    )
}

fn top(src: &str) -> String {
    at(&[], src).unwrap_or_else(|e| panic!("{src}: {e:?}"))
}

fn err(here: &[&str], src: &str) -> XPathError {
    match at(here, src) {
        Ok(out) => panic!("{src} mapped to {out} although it should not"),
        Err(e) => e,
    }
}

#[test]
fn references_operators_and_literals() {
    assert_eq!(top("${hh_size} > 3"), "hh_size > 3");
    assert_eq!(top(". >= 0 and . <= 30"), ". >= 0 and . <= 30");
    assert_eq!(top("${hh_size} div 2 + 1"), "hh_size / 2 + 1");
    assert_eq!(top("(${hh_size} + 1) * 2"), "(hh_size + 1) * 2");
    assert_eq!(top("${hh_size} mod 2 = 1"), "hh_size % 2 = 1");
    assert_eq!(top("-${hh_size}"), "-hh_size");
    assert_eq!(top("${code} = \"it's\""), "code = 'it''s'");
    assert_eq!(top("${code} = \"x\""), "code = 'x'");
    assert_eq!(
        top("a or b"
            .replace('a', "true()")
            .replace('b', "false()")
            .as_str()),
        "true or false"
    );
    assert_eq!(
        top("${hh_size} > 1 or ${hh_size} < 0 and ${code} = 'a'"),
        "hh_size > 1 or hh_size < 0 and code = 'a'"
    );
    assert_eq!(
        top("(${hh_size} > 1 or ${hh_size} < 0) and ${code} = 'a'"),
        "(hh_size > 1 or hh_size < 0) and code = 'a'"
    );
}

#[test]
fn empty_text_comparison_means_answered() {
    assert_eq!(top("${code} != ''"), "answered(code)");
    assert_eq!(top("${hh_size} = ''"), "not answered(hh_size)");
    assert_eq!(
        top("'' = ${code} or ${hh_size} > 2"),
        "not answered(code) or hh_size > 2"
    );
}

#[test]
fn functions() {
    assert_eq!(top("selected(${water}, 'tap')"), "selected(water, 'tap')");
    assert_eq!(
        top("count-selected(${water}) > 1"),
        "count_selected(water) > 1"
    );
    assert_eq!(
        top("not(selected(${water}, 'tap'))"),
        "not selected(water, 'tap')"
    );
    assert_eq!(
        top("not(${hh_size} > 2) and true()"),
        "not hh_size > 2 and true"
    );
    assert_eq!(
        top("if(${hh_size} > 2, 'big', 'small')"),
        "if(hh_size > 2, 'big', 'small')"
    );
    assert_eq!(top("${d} <= today()"), "d <= today()");
    assert_eq!(top("string-length(${code}) = 6"), "len(code) = 6");
    assert_eq!(
        top("regex(${code}, '^[0-9]{6}$')"),
        "regex(code, '^[0-9]{6}$')"
    );
    assert_eq!(top("concat(${code}, '-', ${code})"), "code + '-' + code");
    assert_eq!(top("min(${hh_size}, 3, 4)"), "least(least(hh_size, 3), 4)");
    assert_eq!(top("max(${hh_size}, 3)"), "greatest(hh_size, 3)");
    assert_eq!(
        top("contains(${code}, 'a') and starts-with(${code}, 'b')"),
        "contains(code, 'a') and starts_with(code, 'b')"
    );
    assert_eq!(
        top("int(${hh_size} div 2) + round(1.5) + abs(-1)"),
        "int(hh_size / 2) + round(1.5) + abs(-1)"
    );
    assert_eq!(top("${d} > date('2024-01-01')"), "d > date('2024-01-01')");
    assert_eq!(top("coalesce(${code}, 'none')"), "coalesce(code, 'none')");
}

#[test]
fn repeats_and_aggregates() {
    assert_eq!(top("count(${persons})"), "count(persons)");
    assert_eq!(top("count(${age})"), "count(persons, answered(age))");
    assert_eq!(top("sum(${age})"), "sum(persons, age)");
    assert_eq!(
        top("max(${age}) - min(${age})"),
        "max(persons, age) - min(persons, age)"
    );
    assert_eq!(
        top("sum(${income})"),
        "sum(jobs, income)",
        "across every person"
    );
    assert_eq!(
        at(&["persons"], "sum(${income})").unwrap(),
        "sum(jobs, income)"
    );
    assert_eq!(at(&["persons"], "position(..)").unwrap(), "position()");
    assert_eq!(
        at(&["persons"], "${age} >= 15 and ${hh_size} > 1").unwrap(),
        "age >= 15 and hh_size > 1"
    );
    assert_eq!(
        top("indexed-repeat(${name}, ${persons}, 1)"),
        "at(persons, 1, name)"
    );
    assert_eq!(
        at(
            &["persons"],
            "indexed-repeat(${name}, ${persons}, position(..) - 1)"
        )
        .unwrap(),
        "at(persons, position() - 1, name)"
    );
}

#[test]
fn choice_filter_uses_the_choice_columns() {
    let items = items();
    let mut choice = BTreeMap::new();
    choice.insert("name".to_string(), "d11".to_string());
    choice.insert("region_code".to_string(), "1".to_string());
    choice.insert("min_age".to_string(), "17".to_string());
    let here = vec!["persons".to_string()];
    let scope = Scope {
        items: &items,
        here: &here,
        choice: Some(&choice),
    };
    assert_eq!(
        translate("region_code = ${region}", &scope).unwrap(),
        "'1' = region"
    );
    assert_eq!(translate("min_age <= ${age}", &scope).unwrap(), "17 <= age");
    assert_eq!(
        translate("name != 'd12'", &scope).unwrap(),
        "'d11' != 'd12'"
    );
    let e = translate("district = ${region}", &scope).unwrap_err();
    assert_eq!(e.construct, "choice column `district`");
}

#[test]
fn unsupported_constructs_are_named_with_their_column() {
    let e = err(&[], "pulldata('f', 'a', 'b', ${code})");
    assert_eq!((e.construct.as_str(), e.column), ("function pulldata()", 1));
    let e = err(&[], "${hh_size} > 1 and format-date(${d}, '%Y') = '2024'");
    assert_eq!(
        (e.construct.as_str(), e.column),
        ("function format-date()", 20)
    );
    let e = err(&[], "/data/hh_size > 1");
    assert_eq!(e.construct, "XPath path `/`");
    let e = err(&[], "${hh_size}[1] > 1");
    assert_eq!(
        (e.construct.as_str(), e.column),
        ("XPath predicate `[…]`", 11)
    );
    let e = err(&[], "count(${persons}) | 1");
    assert_eq!(e.construct, "XPath union `|`");
    let e = err(&["persons"], "position(../..)");
    assert!(e.construct.contains("path"), "{e:?}");
    let e = err(&["persons"], "position(.)");
    assert_eq!(e.construct, "function position()");
    let e = err(&[], "if(${hh_size} > 1, 2)");
    assert_eq!(e.construct, "function if()");
    assert!(e.message.contains("takes 3"), "{e:?}");
    let e = err(&[], "${age} > 3");
    assert!(e.message.contains("inside repeat `persons`"), "{e:?}");
    let e = err(&[], "${persons} > 3");
    assert!(e.message.contains("count(${persons})"), "{e:?}");
    let e = err(&[], "sum(${hh_size})");
    assert!(e.message.contains("repeat below"), "{e:?}");
    let e = err(&[], "indexed-repeat(${income}, ${persons}, 1)");
    assert!(
        e.message.contains("not directly inside repeat `persons`"),
        "{e:?}"
    );
    let e = err(&[], "${nobody} = 1");
    assert_eq!((e.construct.as_str(), e.column), ("${nobody}", 1));
    let e = err(&[], "hh_size = 1");
    assert_eq!(e.construct, "bare name `hh_size`");
    let e = err(&[], "(${hh_size} > 1");
    assert!(e.message.contains("not closed"), "{e:?}");
    let e = err(&[], "${code} = 'open");
    assert!(e.message.contains("closing quote"), "{e:?}");
}
