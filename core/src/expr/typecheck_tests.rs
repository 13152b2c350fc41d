use std::collections::HashMap;

use super::*;
use crate::expr::parse;

/// One level of a small questionnaire: its names and child rosters.
struct Level {
    names: HashMap<&'static str, Type>,
    rosters: Vec<(&'static str, Level)>,
}

fn level(names: &[(&'static str, Type)], rosters: Vec<(&'static str, Level)>) -> Level {
    Level {
        names: names.iter().copied().collect(),
        rosters,
    }
}

/// dwelling → households → household → persons → person; household → deaths → death.
fn questionnaire() -> Level {
    use Type::*;
    let person = level(
        &[
            ("age", Integer),
            ("sex", Text),
            ("relationship", Text),
            ("dob", Date),
            ("income", Decimal),
            ("literate", Boolean),
            ("languages", Multi),
            ("p_name", Text),
        ],
        vec![],
    );
    let death = level(&[("death_age", Integer), ("death_date", Date)], vec![]);
    let household = level(
        &[("hh_size", Integer), ("water", Text), ("location", Gps)],
        vec![("persons", person), ("deaths", death)],
    );
    level(
        &[
            ("district_id", Text),
            ("long_form", Boolean),
            ("visit", Date),
        ],
        vec![("households", household)],
    )
}

/// A row: the chain of levels from the dwelling down.
struct Row<'a> {
    chain: Vec<&'a Level>,
    current: Option<Type>,
}

fn find_path<'a>(from: &'a Level, roster: &str, path: &mut Vec<&'a Level>) -> bool {
    for (id, child) in &from.rosters {
        path.push(child);
        if *id == roster || find_path(child, roster, path) {
            return true;
        }
        path.pop();
    }
    false
}

impl Scope for Row<'_> {
    fn name_type(&self, name: &str) -> Option<Type> {
        self.chain
            .iter()
            .rev()
            .find_map(|level| level.names.get(name).copied())
    }

    fn roster_row_scope(&self, roster: &str) -> Result<Box<dyn Scope + '_>, String> {
        // A roster below this row or below one of its ancestors (a person sees the
        // persons of their own household).
        for k in (0..self.chain.len()).rev() {
            let mut path = Vec::new();
            if find_path(self.chain[k], roster, &mut path) {
                let mut chain = self.chain[..=k].to_vec();
                chain.extend(path);
                return Ok(Box::new(Row {
                    chain,
                    current: None,
                }));
            }
        }
        Err(format!("roster `{roster}` is not reachable from here"))
    }

    fn current_type(&self) -> Option<Type> {
        self.current
    }

    fn in_roster_row(&self) -> bool {
        self.chain.len() > 1
    }
}

/// Checks `source` in a row of the level reached through `rosters` from the dwelling.
fn check_in(rosters: &[&str], current: Option<Type>, source: &str) -> Result<Type, Vec<TypeError>> {
    let root = questionnaire();
    let mut chain = vec![&root];
    for roster in rosters {
        let mut path = Vec::new();
        assert!(find_path(chain.last().unwrap(), roster, &mut path));
        chain.extend(path);
    }
    let row = Row { chain, current };
    let expr = parse(source).unwrap_or_else(|e| panic!("{source}: {e}"));
    check(&expr, &row)
}

/// Checks in a person row.
fn person(source: &str) -> Result<Type, Vec<TypeError>> {
    check_in(&["households", "persons"], None, source)
}

fn ok(source: &str) -> Type {
    person(source).unwrap_or_else(|e| panic!("{source}: {e:?}"))
}

fn errors(source: &str) -> Vec<TypeError> {
    match person(source) {
        Ok(ty) => panic!("{source} checked as {ty}"),
        Err(errors) => errors,
    }
}

fn one_error(source: &str) -> TypeError {
    let mut all = errors(source);
    assert_eq!(all.len(), 1, "{source}: {all:?}");
    all.remove(0)
}

#[test]
fn literal_and_name_types() {
    use Type::*;
    let cases = [
        ("1", Integer),
        ("1.5", Decimal),
        ("'x'", Text),
        ("true", Boolean),
        ("null", Null),
        ("age", Integer),
        ("income", Decimal),
        ("languages", Multi),
        ("location", Gps),
        ("hh_size", Integer),
        ("district_id", Text),
        ("visit", Date),
    ];
    for (source, ty) in cases {
        assert_eq!(ok(source), ty, "{source}");
    }
}

#[test]
fn operator_result_types() {
    use Type::*;
    let cases = [
        ("age + 1", Integer),
        ("age - 1", Integer),
        ("age * 2", Integer),
        ("age / 2", Decimal),
        ("age % 2", Integer),
        ("age + 1.5", Decimal),
        ("income * 2", Decimal),
        ("income - age", Decimal),
        ("-age", Integer),
        ("-income", Decimal),
        ("sex + '-' + p_name", Text),
        ("age > 15", Boolean),
        ("age > 1.5", Boolean),
        ("sex < 'b'", Boolean),
        ("dob <= visit", Boolean),
        ("literate >= false", Boolean),
        ("languages = languages", Boolean),
        ("location != location", Boolean),
        ("literate and long_form or not literate", Boolean),
        ("null + 1", Integer),
        ("null + null", Null),
        ("null + 'x'", Text),
        ("null / 2", Decimal),
        ("age % null", Integer),
        ("null = 'x'", Boolean),
        ("not null", Boolean),
        ("null and true", Boolean),
        ("-null", Null),
    ];
    for (source, ty) in cases {
        assert_eq!(ok(source), ty, "{source}");
    }
}

#[test]
fn operator_type_errors_say_what_is_wrong() {
    let cases = [
        (
            "relationship = 1",
            "`relationship` is text but is compared with an integer",
        ),
        ("age != 'x'", "`age` is integer but is compared with a text"),
        ("dob > 15", "`dob` is date but is compared with an integer"),
        (
            "literate < 1",
            "`literate` is boolean but is compared with an integer",
        ),
        ("languages < languages", "`<` cannot order multi values"),
        ("location >= location", "`>=` cannot order gps values"),
        ("languages = 'ar'", "write `selected(languages, 'ar')`"),
        (
            "age + 'x'",
            "`+` needs two numbers or two texts, but `age` is integer and `'x'` is text",
        ),
        ("dob + 1", "`+` needs numbers, but `dob` is date"),
        (
            "dob - visit",
            "dates cannot be subtracted: write `days_between(visit, dob)`",
        ),
        ("sex * 2", "`*` needs numbers, but `sex` is text"),
        (
            "2 / literate",
            "`/` needs numbers, but `literate` is boolean",
        ),
        (
            "income % 2",
            "`%` (remainder) needs integers, but `income` is decimal",
        ),
        ("-sex", "`-` needs a number, but `sex` is text"),
        (
            "not age",
            "`not` needs a true/false value, but `age` is integer",
        ),
        (
            "age and literate",
            "`and` needs true/false values, but `age` is integer",
        ),
        (
            "literate or 'x'",
            "`or` needs true/false values, but `'x'` is text",
        ),
    ];
    for (source, message) in cases {
        let e = one_error(source);
        assert!(e.message.contains(message), "{source}: {}", e.message);
    }
}

#[test]
fn unknown_names_and_their_spans() {
    let e = one_error("agee > 15");
    assert_eq!(e.message, "unknown name `agee`");
    assert_eq!(e.span, Span { start: 0, end: 4 });
    let e = one_error("age > 15 and sexx = 'x'");
    assert_eq!(e.span, Span { start: 13, end: 17 });
    assert!(one_error("persons > 0").message.contains("is a roster"));
    // A child's question is not visible from the household without an aggregate.
    let all = check_in(&["households"], None, "age > 15").unwrap_err();
    assert_eq!(all[0].message, "unknown name `age`");
}

#[test]
fn every_error_is_reported_once() {
    let all = errors("agee > 1 and sexx = 1 and relationship = 2");
    let messages: Vec<&str> = all.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "unknown name `agee`",
            "unknown name `sexx`",
            "`relationship` is text but is compared with an integer",
        ]
    );
    assert_eq!(all[2].span, Span { start: 26, end: 42 });
    assert_eq!(
        all[2].to_string(),
        format!("at column 27: {}", all[2].message)
    );
}

#[test]
fn current_value_only_in_constraints() {
    assert!(
        one_error(". > 0")
            .message
            .contains("only be used in a constraint")
    );
    let path = ["households", "persons"];
    assert_eq!(
        check_in(&path, Some(Type::Integer), ". >= 0 and . < 130"),
        Ok(Type::Boolean)
    );
    assert!(check_in(&path, Some(Type::Text), ". > 0").is_err());
}

#[test]
fn position_only_in_roster_rows() {
    assert_eq!(ok("position()"), Type::Integer);
    let e = check_in(&[], None, "position() = 1").unwrap_err();
    assert!(e[0].message.contains("only be used in a roster row"));
}

#[test]
fn aggregates() {
    use Type::*;
    let hh = |s: &str| check_in(&["households"], None, s);
    let cases = [
        ("count(persons)", Integer),
        ("count(persons, age >= 15)", Integer),
        ("sum(persons, age)", Integer),
        ("sum(persons, income)", Decimal),
        ("sum(persons, null)", Integer),
        ("min(persons, age)", Integer),
        ("max(persons, dob)", Date),
        ("any(persons, literate)", Boolean),
        ("all(persons, age > hh_size)", Boolean),
        ("first(persons, relationship = '01', age)", Integer),
        ("first(persons, relationship = '01', p_name)", Text),
        ("at(persons, hh_size, dob)", Date),
        ("at(persons, 1, position())", Integer),
        ("count(deaths, death_age < 5)", Integer),
    ];
    for (source, ty) in cases {
        assert_eq!(hh(source), Ok(ty), "{source}");
    }
    // From the dwelling: a roster further down, and nested aggregates.
    let dwelling = |s: &str| check_in(&[], None, s);
    assert_eq!(dwelling("count(persons)"), Ok(Integer));
    assert_eq!(
        dwelling("count(households, count(persons, age > 60) > 0)"),
        Ok(Integer)
    );
    // A person row sees persons of its household too (e.g. the head's age).
    assert_eq!(
        person("first(persons, relationship = '01', age) - age"),
        Ok(Integer)
    );
}

#[test]
fn aggregate_errors() {
    let hh = |s: &str| check_in(&["households"], None, s).unwrap_err();
    let cases = [
        (
            "count(persns)",
            "roster `persns` is not reachable from here",
            6,
            12,
        ),
        (
            "count(persons, age)",
            "`count` needs a true/false condition as its second argument, but `age` is integer",
            15,
            18,
        ),
        (
            "sum(persons, sex)",
            "`sum` needs a number as its second argument, but `sex` is text",
            13,
            16,
        ),
        (
            "min(persons, sex)",
            "`min` needs a number or a date as its second argument",
            13,
            16,
        ),
        (
            "max(persons, literate)",
            "`max` needs a number or a date",
            13,
            21,
        ),
        (
            "any(persons, 1)",
            "`any` needs a true/false condition",
            13,
            14,
        ),
        (
            "all(persons, sex)",
            "`all` needs a true/false condition",
            13,
            16,
        ),
        (
            "first(persons, age, sex)",
            "`first` needs a true/false condition",
            15,
            18,
        ),
        (
            "at(persons, 'x', age)",
            "`at` needs a row number (integer) as its second argument",
            12,
            15,
        ),
        ("at(persons, 1, agee)", "unknown name `agee`", 15, 19),
        // `n` of `at` is read in the household row, where `age` is not visible.
        ("at(persons, age, sex)", "unknown name `age`", 12, 15),
        (
            "count(person)",
            "roster `person` is not reachable from here",
            6,
            12,
        ),
    ];
    for (source, message, start, end) in cases {
        let all = hh(source);
        assert_eq!(all.len(), 1, "{source}: {all:?}");
        assert!(
            all[0].message.contains(message),
            "{source}: {}",
            all[0].message
        );
        assert_eq!(all[0].span, Span { start, end }, "{source}");
    }
}

#[test]
fn function_result_types() {
    use Type::*;
    let cases = [
        ("if(literate, 1, 2)", Integer),
        ("if(literate, 1, 2.5)", Decimal),
        ("if(literate, null, 'x')", Text),
        ("if(null, age, null)", Integer),
        ("coalesce(age, 0)", Integer),
        ("coalesce(income, 0)", Decimal),
        ("answered(languages)", Boolean),
        ("selected(languages, 'ar')", Boolean),
        ("count_selected(languages)", Integer),
        ("today()", Date),
        ("reference_date()", Date),
        ("date('2024-02-29')", Date),
        ("date(p_name)", Date),
        ("years_between(dob, reference_date())", Integer),
        ("days_between(dob, today())", Integer),
        ("year(dob) + month(dob) + day(dob)", Integer),
        ("len(p_name)", Integer),
        ("lower(p_name) + upper(sex) + trim(' x ')", Text),
        (
            "contains(p_name, 'a') and starts_with(p_name, 'A')",
            Boolean,
        ),
        ("abs(age)", Integer),
        ("abs(income)", Decimal),
        ("round(income)", Integer),
        ("int(income)", Integer),
        ("least(age, 2.5)", Decimal),
        ("greatest(age, 18)", Integer),
        ("least(dob, visit)", Date),
        ("greatest(null, visit)", Date),
    ];
    for (source, ty) in cases {
        assert_eq!(ok(source), ty, "{source}");
    }
}

#[test]
fn function_type_errors() {
    let cases = [
        (
            "if(age, 1, 2)",
            "`if` needs a true/false condition as its first argument, but `age` is integer",
        ),
        (
            "if(literate, 1, 'x')",
            "the values given to `if` must have the same type, but `1` is integer and `'x'` is text",
        ),
        (
            "coalesce(age, 'none')",
            "the values given to `coalesce` must have the same type",
        ),
        (
            "selected(sex, '1')",
            "`selected` needs a multiple-choice question as its first argument, but `sex` is text; for a single-choice question write `sex = '1'`",
        ),
        (
            "selected(languages, 1)",
            "`selected` needs a choice code (text) as its second argument, but `1` is integer",
        ),
        (
            "count_selected(sex)",
            "`count_selected` needs a multiple-choice question, but `sex` is text",
        ),
        (
            "date(20240901)",
            "`date` needs a text 'YYYY-MM-DD', but `20240901` is integer",
        ),
        ("date('2024-13-01')", "'2024-13-01' is not a valid date"),
        ("date('2023-02-29')", "'2023-02-29' is not a valid date"),
        ("date('1/9/2024')", "'1/9/2024' is not a valid date"),
        (
            "years_between(age, today())",
            "`years_between` needs a date as its first argument, but `age` is integer",
        ),
        (
            "days_between(dob, 'x')",
            "`days_between` needs a date as its second argument, but `'x'` is text",
        ),
        ("year(sex)", "`year` needs a date, but `sex` is text"),
        ("month(1)", "`month` needs a date"),
        ("day(literate)", "`day` needs a date"),
        ("len(age)", "`len` needs a text, but `age` is integer"),
        ("lower(1)", "`lower` needs a text"),
        ("upper(dob)", "`upper` needs a text"),
        (
            "trim(languages)",
            "`trim` needs a text, but `languages` is multi",
        ),
        (
            "contains(age, 'a')",
            "`contains` needs a text as its first argument",
        ),
        (
            "starts_with(p_name, 1)",
            "`starts_with` needs a text as its second argument",
        ),
        ("abs(sex)", "`abs` needs a number, but `sex` is text"),
        ("round(dob)", "`round` needs a number"),
        ("int('3')", "`int` needs a number"),
        (
            "least(age, dob)",
            "the values given to `least` must have the same type, but `age` is integer and `dob` is date",
        ),
        (
            "greatest(sex, 1)",
            "`greatest` needs a number or a date as its first argument, but `sex` is text",
        ),
    ];
    for (source, message) in cases {
        let e = one_error(source);
        assert!(e.message.contains(message), "{source}: {}", e.message);
    }
}

#[test]
fn long_expressions_are_described_generically() {
    let e = one_error("(age + age + age + age + age + age + age + age) = 'x'");
    assert!(
        e.message.starts_with("this expression is integer"),
        "{}",
        e.message
    );
}

#[test]
fn names_used_with_their_rosters() {
    let expr = parse("count(households, count(persons, age > hh_size) > 0) + at(persons, n, age)")
        .unwrap();
    let uses: Vec<(String, Vec<String>)> = names_used(&expr)
        .into_iter()
        .map(|u| (u.name, u.rosters))
        .collect();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        uses,
        vec![
            ("households".to_string(), s(&[])),
            ("persons".to_string(), s(&["households"])),
            ("age".to_string(), s(&["households", "persons"])),
            ("hh_size".to_string(), s(&["households", "persons"])),
            ("persons".to_string(), s(&[])),
            ("n".to_string(), s(&[])),
            ("age".to_string(), s(&["persons"])),
        ]
    );
    let expr = parse("if(a, b, len(c)) = .").unwrap();
    let uses = names_used(&expr);
    assert_eq!(uses.len(), 3);
    assert!(uses.iter().all(|u| u.rosters.is_empty()));
    assert_eq!(uses[2].span, Span { start: 13, end: 14 });
}
