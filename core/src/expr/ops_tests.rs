use chrono::NaiveDate;

use super::*;
use crate::value::GpsPoint;

use BinaryOp::*;
use Value::{Bool, Decimal, Integer, Null, Text};

fn d(s: &str) -> Value {
    Value::Date(parse_date(s).unwrap())
}

fn t(s: &str) -> Value {
    Text(s.to_string())
}

fn multi(codes: &[&str]) -> Value {
    Value::Multi(codes.iter().map(|c| c.to_string()).collect())
}

fn gps(lat: f64, lon: f64, accuracy: Option<f64>) -> Value {
    Value::Gps(GpsPoint {
        lat,
        lon,
        accuracy_m: accuracy,
    })
}

fn dates() -> Dates {
    Dates {
        today: NaiveDate::from_ymd_opt(2024, 9, 15).unwrap(),
        reference_date: NaiveDate::from_ymd_opt(2024, 9, 1).unwrap(),
    }
}

#[test]
fn three_valued_logic() {
    let values = [Bool(true), Bool(false), Null];
    // Expected results indexed [left][right] over true, false, null.
    let and = [
        [Bool(true), Bool(false), Null],
        [Bool(false), Bool(false), Bool(false)],
        [Null, Bool(false), Null],
    ];
    let or = [
        [Bool(true), Bool(true), Bool(true)],
        [Bool(true), Bool(false), Null],
        [Bool(true), Null, Null],
    ];
    for (i, l) in values.iter().enumerate() {
        for (j, r) in values.iter().enumerate() {
            assert_eq!(binary(And, l, r), and[i][j], "{l:?} and {r:?}");
            assert_eq!(binary(Or, l, r), or[i][j], "{l:?} or {r:?}");
        }
    }
    assert_eq!(unary(UnaryOp::Not, &Bool(true)), Bool(false));
    assert_eq!(unary(UnaryOp::Not, &Bool(false)), Bool(true));
    assert_eq!(unary(UnaryOp::Not, &Null), Null);
    assert_eq!(unary(UnaryOp::Not, &Integer(1)), Null);
    assert_eq!(truthy(&Bool(true)), Some(true));
    assert_eq!(truthy(&Bool(false)), Some(false));
    assert_eq!(truthy(&Null), None);
    assert_eq!(truthy(&Integer(1)), None);
}

#[test]
fn binary_operators() {
    let cases: Vec<(BinaryOp, Value, Value, Value)> = vec![
        // Arithmetic on integers stays integer, except `/`.
        (Add, Integer(2), Integer(3), Integer(5)),
        (Sub, Integer(2), Integer(3), Integer(-1)),
        (Mul, Integer(4), Integer(-3), Integer(-12)),
        (Div, Integer(7), Integer(2), Decimal(3.5)),
        (Div, Integer(6), Integer(3), Decimal(2.0)),
        (Rem, Integer(7), Integer(3), Integer(1)),
        (Rem, Integer(-7), Integer(3), Integer(-1)),
        // Mixed numbers give decimals.
        (Add, Integer(1), Decimal(0.5), Decimal(1.5)),
        (Sub, Decimal(2.5), Integer(1), Decimal(1.5)),
        (Mul, Decimal(1.5), Integer(2), Decimal(3.0)),
        (Div, Decimal(1.0), Decimal(4.0), Decimal(0.25)),
        (Rem, Decimal(7.0), Integer(2), Null),
        // Texts concatenate, in any script.
        (Add, t("Aït "), t("ⵜⴰⵎⴰⵣⵉⵖⵜ"), t("Aït ⵜⴰⵎⴰⵣⵉⵖⵜ")),
        (Add, t("محمد"), t(""), t("محمد")),
        (Sub, t("a"), t("b"), Null),
        (Add, t("1"), Integer(1), Null),
        (Add, d("2024-01-01"), Integer(1), Null),
        (Sub, d("2024-01-02"), d("2024-01-01"), Null),
        // Division by zero, overflow.
        (Div, Integer(1), Integer(0), Null),
        (Div, Decimal(1.0), Decimal(0.0), Null),
        (Div, Integer(1), Decimal(-0.0), Null),
        (Div, Integer(0), Integer(0), Null),
        (Rem, Integer(1), Integer(0), Null),
        (Rem, Integer(i64::MIN), Integer(-1), Null),
        (Add, Integer(i64::MAX), Integer(1), Null),
        (Sub, Integer(i64::MIN), Integer(1), Null),
        (Mul, Integer(i64::MAX), Integer(2), Null),
        (Mul, Decimal(1e308), Decimal(10.0), Null),
        (Add, Integer(i64::MAX), Integer(0), Integer(i64::MAX)),
        // Null propagates through arithmetic and comparison.
        (Add, Null, Integer(1), Null),
        (Mul, Integer(1), Null, Null),
        (Div, Null, Integer(1), Null),
        (Eq, Null, Null, Null),
        (Eq, t("x"), Null, Null),
        (Lt, Null, Integer(1), Null),
        // Comparisons.
        (Eq, Integer(1), Integer(1), Bool(true)),
        (Eq, Integer(1), Decimal(1.0), Bool(true)),
        (Ne, Integer(1), Decimal(1.5), Bool(true)),
        (Lt, Integer(1), Decimal(1.5), Bool(true)),
        (Le, Decimal(2.0), Integer(2), Bool(true)),
        (Gt, Integer(-1), Integer(-2), Bool(true)),
        (Ge, Integer(3), Integer(4), Bool(false)),
        (Eq, t("ذكر"), t("ذكر"), Bool(true)),
        (Ne, t("a"), t("A"), Bool(true)),
        (Lt, t("a"), t("b"), Bool(true)),
        (Lt, t("B"), t("a"), Bool(true)),
        (Gt, t("ab"), t("a"), Bool(true)),
        (Lt, d("2000-02-29"), d("2000-03-01"), Bool(true)),
        (Ge, d("2024-09-01"), d("2024-09-01"), Bool(true)),
        (Eq, d("2024-09-01"), d("2024-09-01"), Bool(true)),
        (Lt, Bool(false), Bool(true), Bool(true)),
        (Eq, Bool(true), Bool(true), Bool(true)),
        (Eq, multi(&["ar", "fr"]), multi(&["fr", "ar"]), Bool(true)),
        (Eq, multi(&["ar"]), multi(&["ar", "fr"]), Bool(false)),
        (Ne, multi(&[]), multi(&["ar"]), Bool(true)),
        (Lt, multi(&["a"]), multi(&["b"]), Null),
        (
            Eq,
            gps(33.9, -6.8, Some(5.0)),
            gps(33.9, -6.8, None),
            Bool(true),
        ),
        (
            Eq,
            gps(33.9, -6.8, None),
            gps(33.9, -6.7, None),
            Bool(false),
        ),
        (Lt, gps(1.0, 1.0, None), gps(2.0, 2.0, None), Null),
        // Different kinds are not comparable.
        (Eq, t("1"), Integer(1), Null),
        (Lt, d("2024-01-01"), t("2024-01-02"), Null),
        (Eq, Bool(true), Integer(1), Null),
        (Lt, Decimal(f64::NAN), Integer(1), Null),
    ];
    for (op, l, r, expected) in cases {
        assert_eq!(binary(op, &l, &r), expected, "{l:?} {op:?} {r:?}");
    }
}

#[test]
fn unary_minus() {
    let cases = [
        (Integer(5), Integer(-5)),
        (Integer(-5), Integer(5)),
        (Integer(i64::MIN), Null),
        (Decimal(2.5), Decimal(-2.5)),
        (Null, Null),
        (t("x"), Null),
    ];
    for (value, expected) in cases {
        assert_eq!(unary(UnaryOp::Neg, &value), expected, "-{value:?}");
    }
}

#[test]
fn dates_are_read_strictly() {
    assert_eq!(
        parse_date("2024-02-29"),
        NaiveDate::from_ymd_opt(2024, 2, 29)
    );
    for bad in [
        "2023-02-29",
        "2024-13-01",
        "2024-00-10",
        "2024-9-1",
        "24-09-01",
        "2024/09/01",
        "2024-09-01 ",
        "+2024-09-01",
        "٢٠٢٤-٠٩-٠١",
        "",
    ] {
        assert_eq!(parse_date(bad), None, "{bad}");
    }
}

#[test]
fn completed_years_including_leap_days() {
    let years = |a: &str, b: &str| match (parse_date(a), parse_date(b)) {
        (Some(a), Some(b)) => years_between(a, b),
        _ => panic!("bad date"),
    };
    let cases = [
        ("2000-09-02", "2024-09-01", 23),
        ("2000-09-01", "2024-09-01", 24),
        ("2000-02-29", "2001-02-28", 0),
        ("2000-02-29", "2001-03-01", 1),
        ("2000-02-29", "2004-02-29", 4),
        ("2000-02-29", "2004-02-28", 3),
        ("2024-09-01", "2024-09-01", 0),
        ("2024-09-01", "2000-09-02", -23),
        ("1900-03-01", "2024-02-29", 123),
    ];
    for (from, to, expected) in cases {
        assert_eq!(years(from, to), expected, "{from} → {to}");
    }
}

#[test]
fn scalar_functions() {
    use Function::*;
    let cases: Vec<(Function, Vec<Value>, Value)> = vec![
        (If, vec![Bool(true), Integer(1), Integer(2)], Integer(1)),
        (If, vec![Bool(false), Integer(1), Integer(2)], Integer(2)),
        (If, vec![Null, Integer(1), Integer(2)], Integer(2)),
        (Coalesce, vec![Null, Integer(0)], Integer(0)),
        (Coalesce, vec![Integer(3), Integer(0)], Integer(3)),
        (Coalesce, vec![Null, Null], Null),
        (Answered, vec![Null], Bool(false)),
        (Answered, vec![t("")], Bool(true)),
        (Answered, vec![multi(&[])], Bool(true)),
        (Selected, vec![multi(&["ar", "zgh"]), t("zgh")], Bool(true)),
        (Selected, vec![multi(&["ar"]), t("fr")], Bool(false)),
        (Selected, vec![Null, t("fr")], Null),
        (Selected, vec![multi(&["ar"]), Null], Null),
        (CountSelected, vec![multi(&["ar", "fr"])], Integer(2)),
        (CountSelected, vec![Null], Integer(0)),
        (CountSelected, vec![t("ar")], Null),
        (Today, vec![], d("2024-09-15")),
        (ReferenceDate, vec![], d("2024-09-01")),
        (Date, vec![t("2024-02-29")], d("2024-02-29")),
        (Date, vec![t("2023-02-29")], Null),
        (Date, vec![Integer(20240901)], Null),
        (
            YearsBetween,
            vec![d("2000-09-02"), d("2024-09-01")],
            Integer(23),
        ),
        (YearsBetween, vec![Null, d("2024-09-01")], Null),
        (
            DaysBetween,
            vec![d("2024-02-28"), d("2024-03-01")],
            Integer(2),
        ),
        (
            DaysBetween,
            vec![d("2023-02-28"), d("2023-03-01")],
            Integer(1),
        ),
        (
            DaysBetween,
            vec![d("2024-09-01"), d("2024-08-31")],
            Integer(-1),
        ),
        (Year, vec![d("2024-02-29")], Integer(2024)),
        (Month, vec![d("2024-02-29")], Integer(2)),
        (Day, vec![d("2024-02-29")], Integer(29)),
        (Day, vec![Null], Null),
        (Len, vec![t("محمد")], Integer(4)),
        (Len, vec![t("ⵜⴰⵎⴰⵣⵉⵖⵜ")], Integer(8)),
        (Len, vec![t("")], Integer(0)),
        (Len, vec![Integer(12)], Null),
        (Lower, vec![t("ÉCOLE")], t("école")),
        (Upper, vec![t("aït")], t("AÏT")),
        (Upper, vec![t("سلام")], t("سلام")),
        (Trim, vec![t("\u{a0} x y\t")], t("x y")),
        (Contains, vec![t("Ben Haddou"), t("Had")], Bool(true)),
        (Contains, vec![t("Ben Haddou"), t("had")], Bool(false)),
        (Contains, vec![t("x"), Null], Null),
        (StartsWith, vec![t("0612345678"), t("06")], Bool(true)),
        (StartsWith, vec![t("0712345678"), t("06")], Bool(false)),
        (Abs, vec![Integer(-3)], Integer(3)),
        (Abs, vec![Decimal(-2.5)], Decimal(2.5)),
        (Abs, vec![Integer(i64::MIN)], Null),
        (Round, vec![Decimal(2.5)], Integer(3)),
        (Round, vec![Decimal(-2.5)], Integer(-3)),
        (Round, vec![Decimal(2.49)], Integer(2)),
        (Round, vec![Integer(7)], Integer(7)),
        (Round, vec![Decimal(1e19)], Null),
        (Int, vec![Decimal(2.9)], Integer(2)),
        (Int, vec![Decimal(-2.9)], Integer(-2)),
        (Int, vec![Decimal(-9.3e18)], Null),
        (
            Int,
            vec![Decimal(-9.2e18)],
            Integer(-9_200_000_000_000_000_000),
        ),
        (Least, vec![Integer(3), Integer(5)], Integer(3)),
        (Least, vec![Integer(3), Decimal(2.5)], Decimal(2.5)),
        (Least, vec![Integer(3), Decimal(5.5)], Decimal(3.0)),
        (Greatest, vec![Integer(3), Integer(5)], Integer(5)),
        (
            Greatest,
            vec![d("2024-01-01"), d("2023-01-01")],
            d("2024-01-01"),
        ),
        (Greatest, vec![Integer(3), Null], Null),
        (Least, vec![t("a"), t("b")], Null),
        // Row-dependent functions are the engine's.
        (Count, vec![Null], Null),
        (Position, vec![], Null),
        // A wrong number of arguments gives null rather than a panic.
        (If, vec![Bool(true)], Null),
        (Len, vec![], Null),
    ];
    for (function, args, expected) in cases {
        assert_eq!(
            call_scalar(function, &args, &dates()),
            expected,
            "{}({args:?})",
            function.name()
        );
    }
}

#[test]
fn no_function_panics_on_any_combination_of_values() {
    let samples = [
        Null,
        Bool(true),
        Integer(0),
        Integer(i64::MIN),
        Integer(i64::MAX),
        Decimal(f64::NAN),
        Decimal(f64::INFINITY),
        Decimal(-0.0),
        t(""),
        t("2024-02-30"),
        d("2024-02-29"),
        multi(&["a"]),
        gps(0.0, 0.0, None),
    ];
    for function in Function::ALL {
        for a in &samples {
            for b in &samples {
                for n in 0..=3 {
                    let args: Vec<Value> = [a, b, a].into_iter().take(n).cloned().collect();
                    let _ = call_scalar(function, &args, &dates());
                }
            }
        }
    }
    let ops = [Or, And, Eq, Ne, Lt, Le, Gt, Ge, Add, Sub, Mul, Div, Rem];
    for op in ops {
        for a in &samples {
            for b in &samples {
                let result = binary(op, a, b);
                if let Decimal(x) = result {
                    assert!(x.is_finite(), "{a:?} {op:?} {b:?}");
                }
            }
        }
    }
}
