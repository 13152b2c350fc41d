//! Parses arbitrary UTF-8 as an expression; what parses is type-checked against a small
//! fixed questionnaire, its names listed and printed back. Nothing may panic, and printing
//! a parsed tree must give text that parses to the same tree.

#![no_main]

use census_core::Type;
use census_core::expr::{Scope, check, names_used, parse};
use libfuzzer_sys::fuzz_target;

/// dwelling → households → persons, with a few names of each type per level.
#[derive(Clone, Copy)]
struct Row {
    /// 0 = dwelling, 1 = household, 2 = person.
    level: u8,
    current: Option<Type>,
}

const NAMES: [(&str, u8, Type); 10] = [
    ("district_id", 0, Type::Text),
    ("long_form", 0, Type::Boolean),
    ("hh_size", 1, Type::Integer),
    ("location", 1, Type::Gps),
    ("age", 2, Type::Integer),
    ("sex", 2, Type::Text),
    ("dob", 2, Type::Date),
    ("income", 2, Type::Decimal),
    ("literate", 2, Type::Boolean),
    ("languages", 2, Type::Multi),
];

impl Scope for Row {
    fn name_type(&self, name: &str) -> Option<Type> {
        NAMES
            .iter()
            .find(|(n, level, _)| *n == name && *level <= self.level)
            .map(|(_, _, ty)| *ty)
    }

    fn roster_row_scope(&self, roster: &str) -> Result<Box<dyn Scope + '_>, String> {
        let level = match roster {
            "households" => 1,
            "persons" => 2,
            _ => return Err(format!("roster `{roster}` is not reachable from here")),
        };
        if level <= self.level {
            return Err(format!("roster `{roster}` is not reachable from here"));
        }
        Ok(Box::new(Row {
            level,
            current: None,
        }))
    }

    fn current_type(&self) -> Option<Type> {
        self.current
    }

    fn in_roster_row(&self) -> bool {
        self.level > 0
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(expr) = parse(source) else {
        return;
    };
    for row in [
        Row {
            level: 0,
            current: None,
        },
        Row {
            level: 2,
            current: Some(Type::Integer),
        },
    ] {
        if let Err(errors) = check(&expr, &row) {
            assert!(!errors.is_empty());
            for error in errors {
                assert!(error.span.start <= error.span.end);
                assert!(error.span.end as usize <= source.len());
            }
        }
    }
    for used in names_used(&expr) {
        assert!(
            source.get(used.span.start as usize..used.span.end as usize)
                == Some(used.name.as_str())
        );
    }
    let printed = expr.to_string();
    match parse(&printed) {
        Ok(again) => assert!(
            strip_spans(&again) == strip_spans(&expr),
            "{source:?} printed as {printed:?} parses differently"
        ),
        // Printing may add parentheses around a negated negative literal (`-(-5)`), which
        // can push a tree right at the nesting limit over it.
        Err(error) if error.message.contains("nested too deeply") => {}
        Err(error) => panic!("{source:?} printed as {printed:?} does not parse: {error}"),
    }
});

/// The tree with every span zeroed, to compare shapes.
fn strip_spans(expr: &census_core::expr::ast::Expr) -> census_core::expr::ast::Expr {
    use census_core::expr::ast::{Expr, ExprKind, Span};
    let kind = match &expr.kind {
        ExprKind::Unary(op, e) => ExprKind::Unary(*op, Box::new(strip_spans(e))),
        ExprKind::Binary(op, l, r) => {
            ExprKind::Binary(*op, Box::new(strip_spans(l)), Box::new(strip_spans(r)))
        }
        ExprKind::Call(f, args) => ExprKind::Call(*f, args.iter().map(strip_spans).collect()),
        other => other.clone(),
    };
    Expr {
        kind,
        span: Span::default(),
    }
}
