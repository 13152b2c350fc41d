use super::*;

fn p(source: &str) -> Expr {
    parse(source).unwrap_or_else(|e| panic!("{source:?}: {e}"))
}

/// The tree written back with every binary and unary node in parentheses.
fn shape(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Binary(op, l, r) => format!(
            "({} {} {})",
            shape(l),
            super::super::print::binary_symbol(*op),
            shape(r)
        ),
        ExprKind::Unary(UnaryOp::Neg, e) => format!("(-{})", shape(e)),
        ExprKind::Unary(UnaryOp::Not, e) => format!("(not {})", shape(e)),
        ExprKind::Call(f, args) => format!(
            "{}({})",
            f.name(),
            args.iter().map(shape).collect::<Vec<_>>().join(", ")
        ),
        _ => expr.to_string(),
    }
}

fn err(source: &str) -> ParseError {
    match parse(source) {
        Ok(e) => panic!("{source:?} parsed as {e:?}"),
        Err(e) => e,
    }
}

fn at(start: u32, end: u32) -> Span {
    Span { start, end }
}

#[test]
fn precedence_loosest_first() {
    let cases = [
        ("a or b and c", "(a or (b and c))"),
        ("a and b or c", "((a and b) or c)"),
        ("not a and b", "((not a) and b)"),
        ("not a = b", "(not (a = b))"),
        ("not not a", "(not (not a))"),
        ("a = b + c", "(a = (b + c))"),
        ("a + b * c", "(a + (b * c))"),
        ("a * b + c", "((a * b) + c)"),
        ("a - b - c", "((a - b) - c)"),
        ("a / b * c % d", "(((a / b) * c) % d)"),
        ("-a * b", "((-a) * b)"),
        ("- -a", "(-(-a))"),
        ("(a + b) * c", "((a + b) * c)"),
        (
            "a < b + 1 and c >= 2 or not d",
            "(((a < (b + 1)) and (c >= 2)) or (not d))",
        ),
        ("a != b", "(a != b)"),
        ("a <= b", "(a <= b)"),
        ("a > b", "(a > b)"),
        ("age >= 15 and . <= 99", "((age >= 15) and (. <= 99))"),
        (
            "if(a > 1, b, c) + count(persons, age > 5)",
            "(if((a > 1), b, c) + count(persons, (age > 5)))",
        ),
    ];
    for (source, expected) in cases {
        assert_eq!(shape(&p(source)), expected, "{source}");
    }
}

#[test]
fn literals() {
    let lit = |s: &str| match p(s).kind {
        ExprKind::Literal(l) => l,
        other => panic!("{s}: {other:?}"),
    };
    assert_eq!(lit("12"), Literal::Integer(12));
    assert_eq!(lit("-12"), Literal::Integer(-12));
    assert_eq!(lit("3.25"), Literal::Decimal(3.25));
    assert_eq!(lit(".5"), Literal::Decimal(0.5));
    assert_eq!(lit("'x'"), Literal::Text("x".into()));
    assert_eq!(lit("\"ذكر\""), Literal::Text("ذكر".into()));
    assert_eq!(lit("true"), Literal::Bool(true));
    assert_eq!(lit("false"), Literal::Bool(false));
    assert_eq!(lit("null"), Literal::Null);
    assert_eq!(lit("-9223372036854775808"), Literal::Integer(i64::MIN));
    assert_eq!(lit("9223372036854775807"), Literal::Integer(i64::MAX));
    assert_eq!(p(".").kind, ExprKind::Current);
    assert_eq!(p("_x1").kind, ExprKind::Name("_x1".into()));
    // A negative decimal stays a negation.
    assert_eq!(shape(&p("-2.5")), "(-2.5)");
}

#[test]
fn integer_overflow_is_a_parse_error() {
    let e = err("x + 9223372036854775808");
    assert_eq!(e.span, at(4, 23));
    assert!(e.message.contains("too large"), "{}", e.message);
    assert!(err("99999999999999999999999").message.contains("too large"));
}

#[test]
fn spans_are_byte_ranges_of_nodes() {
    let e = p("age >= 15");
    assert_eq!(e.span, at(0, 9));
    let ExprKind::Binary(_, l, r) = &e.kind else {
        panic!()
    };
    assert_eq!((l.span, r.span), (at(0, 3), at(7, 9)));
    let e = p("name = 'محمد' and count(persons)");
    assert_eq!(e.span, at(0, 36));
    let ExprKind::Binary(_, l, r) = &e.kind else {
        panic!()
    };
    assert_eq!(l.span, at(0, 17));
    assert_eq!(r.span, at(22, 36));
    assert_eq!(p("-x").span, at(0, 2));
    assert_eq!(p("not x").span, at(0, 5));
    assert_eq!(p("- 5").span, at(0, 3));
}

#[test]
fn every_function_with_its_arity_parses() {
    let cases = [
        "count(persons)",
        "count(persons, age > 5)",
        "sum(persons, income)",
        "min(persons, age)",
        "max(persons, dob)",
        "any(persons, sex = '2')",
        "all(persons, literate)",
        "first(persons, relationship = '01', age)",
        "at(persons, 2, age)",
        "position()",
        "if(a, 1, 2)",
        "coalesce(a, 0)",
        "answered(age)",
        "selected(languages, 'ar')",
        "count_selected(languages)",
        "today()",
        "reference_date()",
        "date('2024-09-01')",
        "years_between(dob, reference_date())",
        "days_between(dob, today())",
        "year(dob)",
        "month(dob)",
        "day(dob)",
        "len(name)",
        "lower(name)",
        "upper(name)",
        "trim(name)",
        "contains(name, 'a')",
        "starts_with(name, 'a')",
        "regex(name, '^[0-9]{6}$')",
        "abs(x)",
        "round(x)",
        "int(x)",
        "least(a, b)",
        "greatest(a, b)",
    ];
    let mut seen = std::collections::HashSet::new();
    for source in cases {
        let ExprKind::Call(f, args) = p(source).kind else {
            panic!("{source}")
        };
        assert!(f.arity().accepts(args.len()));
        seen.insert(f);
    }
    assert_eq!(seen.len(), Function::ALL.len(), "a function is not tested");
}

#[test]
fn wrong_arity_names_the_function_and_the_counts() {
    let cases = [
        ("count(a, b, c)", "`count` takes 1 or 2 arguments, found 3"),
        ("count()", "`count` takes 1 or 2 arguments, found 0"),
        ("sum(persons)", "`sum` takes 2 arguments, found 1"),
        ("min(p)", "`min` takes 2 arguments, found 1"),
        ("max(p, a, b)", "`max` takes 2 arguments, found 3"),
        ("any(p)", "`any` takes 2 arguments, found 1"),
        ("all(p)", "`all` takes 2 arguments, found 1"),
        ("first(p, c)", "`first` takes 3 arguments, found 2"),
        ("at(p, 1)", "`at` takes 3 arguments, found 2"),
        ("position(1)", "`position` takes no arguments, found 1"),
        ("if(a, b)", "`if` takes 3 arguments, found 2"),
        ("coalesce(a)", "`coalesce` takes 2 arguments, found 1"),
        ("answered()", "`answered` takes 1 argument, found 0"),
        ("selected(q)", "`selected` takes 2 arguments, found 1"),
        (
            "count_selected(q, 'a')",
            "`count_selected` takes 1 argument, found 2",
        ),
        ("today(1)", "`today` takes no arguments, found 1"),
        (
            "reference_date(x)",
            "`reference_date` takes no arguments, found 1",
        ),
        ("date()", "`date` takes 1 argument, found 0"),
        (
            "years_between(a)",
            "`years_between` takes 2 arguments, found 1",
        ),
        (
            "days_between(a)",
            "`days_between` takes 2 arguments, found 1",
        ),
        ("year(a, b)", "`year` takes 1 argument, found 2"),
        ("month()", "`month` takes 1 argument, found 0"),
        ("day(a, b)", "`day` takes 1 argument, found 2"),
        ("len()", "`len` takes 1 argument, found 0"),
        ("lower(a, b)", "`lower` takes 1 argument, found 2"),
        ("upper()", "`upper` takes 1 argument, found 0"),
        ("trim(a, b)", "`trim` takes 1 argument, found 2"),
        ("contains(a)", "`contains` takes 2 arguments, found 1"),
        ("starts_with(a)", "`starts_with` takes 2 arguments, found 1"),
        ("abs()", "`abs` takes 1 argument, found 0"),
        ("round(a, 2)", "`round` takes 1 argument, found 2"),
        ("int()", "`int` takes 1 argument, found 0"),
        ("least(a)", "`least` takes 2 arguments, found 1"),
        ("greatest(a, b, c)", "`greatest` takes 2 arguments, found 3"),
    ];
    for (source, message) in cases {
        let e = err(source);
        assert_eq!(e.message, message, "{source}");
        assert_eq!(e.span, at(0, source.len() as u32), "{source}");
    }
}

#[test]
fn unknown_function_points_at_its_name_and_suggests() {
    let e = err("1 + cuont(persons)");
    assert_eq!(e.span, at(4, 9));
    assert_eq!(e.message, "unknown function `cuont`; did you mean `count`?");
    assert_eq!(
        err("frobnicate(1)").message,
        "unknown function `frobnicate`"
    );
    assert!(err("COUNT(p)").message.contains("did you mean `count`"));
}

#[test]
fn aggregate_roster_must_be_a_bare_name() {
    let e = err("count(persons + 1)");
    assert_eq!(e.span, at(6, 17));
    assert!(e.message.contains("must be a roster id"), "{}", e.message);
    assert!(err("sum('persons', age)").message.contains("roster id"));
    // Parentheses are transparent.
    p("at((persons), 1, age)");
    // Non-aggregates accept any first argument.
    p("len(name + 'x')");
}

#[test]
fn syntax_errors_point_at_the_right_place() {
    let cases: [(&str, u32, &str); 14] = [
        ("", 0, "empty"),
        ("   ", 3, "empty"),
        ("age >", 5, "ends too early"),
        ("age > > 3", 6, "expected a value, found `>`"),
        ("(age > 3", 8, "expected `)` to close the `(` at column 1"),
        ("age > 3)", 7, "no matching `(`"),
        ("age 3", 4, "expected an operator, found the number `3`"),
        ("a AND b", 2, "lower case: `and`"),
        ("a < b < c", 6, "cannot be chained"),
        ("count(persons age)", 14, "expected `,` or `)`"),
        ("len(a,)", 6, "expected a value, found `)`"),
        ("f(", 0, "unknown function `f`"),
        ("1 = not a", 4, "put it in parentheses"),
        ("a = 'x", 4, "no closing '"),
    ];
    for (source, column, message) in cases {
        let e = err(source);
        assert_eq!(e.span.start, column, "{source}: {e}");
        assert!(e.message.contains(message), "{source}: {}", e.message);
    }
}

#[test]
fn display_says_column_from_one() {
    assert_eq!(
        err("age >").to_string(),
        "at column 6: the expression ends too early: a value is missing"
    );
}

#[test]
fn nesting_is_limited_without_overflowing_the_stack() {
    let depth = MAX_DEPTH as usize;
    p(&format!(
        "{}1{}",
        "(".repeat(depth - 1),
        ")".repeat(depth - 1)
    ));
    for hostile in [
        format!("{}1{}", "(".repeat(30_000), ")".repeat(30_000)),
        "-".repeat(60_000) + "x",
        "not ".repeat(15_000) + "x",
        "len(".repeat(15_000) + "x",
        vec!["x"; 10_000].join(" + "),
        vec!["x"; 10_000].join(" or "),
    ] {
        let e = err(&hostile);
        assert!(e.message.contains("nested too deeply"), "{}", e.message);
    }
    // A long flat sum of moderate size still parses.
    p(&vec!["q"; MAX_DEPTH as usize].join(" + "));
}

#[test]
fn printing_gives_back_the_same_tree() {
    let cases = [
        "a or b and c",
        "(a or b) and c",
        "not (a and b)",
        "(not a) = b",
        "a - (b - c)",
        "a - -5",
        "-(5)",
        "- -a",
        "(a < b) = c",
        "a * (b + c) % 2",
        "if(a > 1, 'it''s', \"x\")",
        "count(persons, age >= 15 and sex = '2') > 0",
        "-9223372036854775808 - 1",
        "3.0 + .25 - 1000000.5 / 0.001",
        "-2.5 * -(x)",
    ];
    for source in cases {
        let tree = p(source);
        let printed = tree.to_string();
        let again = p(&printed);
        assert_eq!(shape(&again), shape(&tree), "{source} -> {printed}");
    }
}

#[test]
fn arbitrary_input_never_panics() {
    let samples = [
        "\u{0}",
        "'",
        "\"",
        "..",
        ".5.5",
        "1..2",
        "ⵣ",
        "count(",
        "count(,)",
        ")",
        ",",
        "a(",
        "'ذكر' + عمر",
        "9223372036854775808",
        "-9223372036854775809",
        "\u{FEFF}age",
        "age\u{200F} > 3",
    ];
    for sample in samples {
        let _ = parse(sample);
    }
}
