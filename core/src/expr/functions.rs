//! Names and arities of the functions of the language (see `schemas/FORMAT.md`).

use super::ast::Function;

/// How many arguments a function takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arity {
    /// Fewest arguments accepted.
    pub min: usize,
    /// Most arguments accepted.
    pub max: usize,
}

impl Arity {
    const fn exactly(n: usize) -> Arity {
        Arity { min: n, max: n }
    }

    /// Whether `n` arguments are accepted.
    pub fn accepts(self, n: usize) -> bool {
        (self.min..=self.max).contains(&n)
    }

    /// The accepted counts in words: "no arguments", "1 argument", "1 or 2 arguments".
    pub fn describe(self) -> String {
        let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
        if self.max == 0 {
            "no arguments".to_string()
        } else if self.min == self.max {
            format!("{} {}", self.min, plural(self.min))
        } else if self.max == self.min + 1 {
            format!("{} or {} arguments", self.min, self.max)
        } else {
            format!("{} to {} arguments", self.min, self.max)
        }
    }
}

impl Function {
    /// Every function, in the order of `schemas/FORMAT.md`.
    pub const ALL: [Function; 34] = [
        Function::Count,
        Function::Sum,
        Function::Min,
        Function::Max,
        Function::Any,
        Function::All,
        Function::First,
        Function::At,
        Function::Position,
        Function::If,
        Function::Coalesce,
        Function::Answered,
        Function::Selected,
        Function::CountSelected,
        Function::Today,
        Function::ReferenceDate,
        Function::Date,
        Function::YearsBetween,
        Function::DaysBetween,
        Function::Year,
        Function::Month,
        Function::Day,
        Function::Len,
        Function::Lower,
        Function::Upper,
        Function::Trim,
        Function::Contains,
        Function::StartsWith,
        Function::Regex,
        Function::Abs,
        Function::Round,
        Function::Int,
        Function::Least,
        Function::Greatest,
    ];

    /// The name written in expressions, e.g. `years_between`.
    pub fn name(self) -> &'static str {
        match self {
            Function::Count => "count",
            Function::Sum => "sum",
            Function::Min => "min",
            Function::Max => "max",
            Function::Any => "any",
            Function::All => "all",
            Function::First => "first",
            Function::At => "at",
            Function::Position => "position",
            Function::If => "if",
            Function::Coalesce => "coalesce",
            Function::Answered => "answered",
            Function::Selected => "selected",
            Function::CountSelected => "count_selected",
            Function::Today => "today",
            Function::ReferenceDate => "reference_date",
            Function::Date => "date",
            Function::YearsBetween => "years_between",
            Function::DaysBetween => "days_between",
            Function::Year => "year",
            Function::Month => "month",
            Function::Day => "day",
            Function::Len => "len",
            Function::Lower => "lower",
            Function::Upper => "upper",
            Function::Trim => "trim",
            Function::Contains => "contains",
            Function::StartsWith => "starts_with",
            Function::Regex => "regex",
            Function::Abs => "abs",
            Function::Round => "round",
            Function::Int => "int",
            Function::Least => "least",
            Function::Greatest => "greatest",
        }
    }

    /// The function written `name` (case-sensitive), if any.
    pub fn from_name(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name)
    }

    /// How many arguments the function takes.
    pub fn arity(self) -> Arity {
        match self {
            Function::Count => Arity { min: 1, max: 2 },
            Function::Position | Function::Today | Function::ReferenceDate => Arity::exactly(0),
            Function::Answered
            | Function::CountSelected
            | Function::Date
            | Function::Year
            | Function::Month
            | Function::Day
            | Function::Len
            | Function::Lower
            | Function::Upper
            | Function::Trim
            | Function::Abs
            | Function::Round
            | Function::Int => Arity::exactly(1),
            Function::Sum
            | Function::Min
            | Function::Max
            | Function::Any
            | Function::All
            | Function::Coalesce
            | Function::Selected
            | Function::YearsBetween
            | Function::DaysBetween
            | Function::Contains
            | Function::StartsWith
            | Function::Regex
            | Function::Least
            | Function::Greatest => Arity::exactly(2),
            Function::First | Function::At | Function::If => Arity::exactly(3),
        }
    }

    /// The known function whose name is closest to `name` (a likely typo), if any is close.
    pub fn suggest(name: &str) -> Option<Function> {
        let lower = name.to_lowercase();
        Function::ALL
            .into_iter()
            .map(|f| (edit_distance(&lower, f.name()), f))
            .filter(|(d, f)| *d <= 2 && *d < f.name().len())
            .min_by_key(|(d, _)| *d)
            .map(|(_, f)| f)
    }
}

/// Levenshtein distance in characters (small inputs only).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_round_trips_through_its_name() {
        for f in Function::ALL {
            assert_eq!(Function::from_name(f.name()), Some(f));
        }
        assert_eq!(Function::from_name("COUNT"), None);
        assert_eq!(Function::from_name("counts"), None);
    }

    #[test]
    fn arity_descriptions() {
        assert_eq!(Function::Count.arity().describe(), "1 or 2 arguments");
        assert_eq!(Function::Len.arity().describe(), "1 argument");
        assert_eq!(Function::Today.arity().describe(), "no arguments");
        assert_eq!(Function::At.arity().describe(), "3 arguments");
        assert!(Function::Count.arity().accepts(1));
        assert!(!Function::Count.arity().accepts(3));
    }

    #[test]
    fn typos_get_a_suggestion() {
        assert_eq!(Function::suggest("cuont"), Some(Function::Count));
        assert_eq!(
            Function::suggest("year_between"),
            Some(Function::YearsBetween)
        );
        assert_eq!(Function::suggest("Upper"), Some(Function::Upper));
        assert_eq!(Function::suggest("frobnicate"), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
