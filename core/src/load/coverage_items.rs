//! The questionnaire's `coverage` block names the items coverage reads; the loader checks that
//! each exists where coverage looks for it, so that a renamed item is an author's error at
//! load time, not a census counted with no persons. A file without the block loads (its
//! cases are refused for coverage, see [`crate::coverage::NoCoverage`]).

use super::questionnaire::{QuestionInfo, Questionnaire};
use super::report::Problem;
use crate::coverage::{ItemMap, Population};
use crate::value::Type;

struct Checker<'a> {
    file: &'a str,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn problem(&mut self, field: &str, item: &str, message: String) {
        self.problems.push(Problem {
            file: self.file.to_owned(),
            question: Some(item.to_owned()),
            location: format!("/coverage/{field}"),
            column: None,
            message,
        });
    }

    /// The level of the rows of roster `id`, which must belong to `owner` (when known).
    fn roster<'q>(
        &mut self,
        q: &'q Questionnaire,
        (field, id): (&str, &str),
        owner: Option<&str>,
    ) -> Option<&'q str> {
        let Some(r) = q.roster(id) else {
            self.problem(field, id, "no roster has this id".into());
            return None;
        };
        match owner {
            Some(owner) if r.owner() != owner => {
                let message = format!("must be a roster of the {owner} level, not {}", r.owner());
                self.problem(field, id, message);
                None
            }
            _ => Some(r.level()),
        }
    }

    /// Question `id`, which must be of `ty` and of `level` (when known).
    fn question<'q>(
        &mut self,
        q: &'q Questionnaire,
        (field, id): (&str, &str),
        level: Option<&str>,
        ty: Type,
    ) -> Option<QuestionInfo<'q>> {
        let Some(info) = q.question(id) else {
            self.problem(field, id, "no question has this id".into());
            return None;
        };
        if let Some(level) = level
            && info.level() != level
        {
            let message = format!(
                "must be a question of the {level} level, not {}",
                info.level()
            );
            self.problem(field, id, message);
        }
        if info.value_type() != ty {
            let (want, got) = (ty.name(), info.value_type().name());
            self.problem(field, id, format!("must be a {want} question, not {got}"));
        }
        Some(info)
    }
}

/// The problems of `items` in the compiled questionnaire `q` (of `file`).
///
/// With `households`, it must be a roster of the root and `persons` a roster of the
/// household level; without, `persons` is a roster of the root (an establishment's
/// residents). `relationship` and `head_code` come together or not at all. A collective
/// population has no households level.
pub fn check(q: &Questionnaire, items: &ItemMap, file: &str) -> Vec<Problem> {
    let mut c = Checker {
        file,
        problems: Vec::new(),
    };
    let root = q.root_level();
    let persons = match &items.households {
        Some(households) => {
            if items.population == Population::Collective {
                let message = "a collective population is counted in a roster of residents \
                               under the root: leave `households` out"
                    .to_owned();
                c.problem("households", households, message);
            }
            let households = c.roster(q, ("households", households), Some(root));
            c.roster(q, ("persons", &items.persons), households)
        }
        None => c.roster(q, ("persons", &items.persons), Some(root)),
    };
    match (&items.relationship, &items.head_code) {
        (Some(relationship), Some(head_code)) => {
            let field = ("relationship", relationship.as_str());
            if let Some(info) = c.question(q, field, persons, Type::Text) {
                let codes: Vec<&str> = info.choices("").iter().map(|(code, _)| *code).collect();
                if !codes.contains(&head_code.as_str()) {
                    let message = format!("{head_code:?} is not one of its choices");
                    c.problem("head_code", relationship, message);
                }
            }
        }
        (Some(relationship), None) => {
            let message = "`relationship` needs the head's code in `head_code`".to_owned();
            c.problem("head_code", relationship, message);
        }
        (None, Some(head_code)) => {
            let message = "`head_code` needs the relationship question in `relationship`";
            c.problem("relationship", head_code, message.to_owned());
        }
        (None, None) => {}
    }
    c.question(q, ("name", &items.name), persons, Type::Text);
    c.question(
        q,
        ("dwelling_gps", &items.dwelling_gps),
        Some(root),
        Type::Gps,
    );
    c.problems
}
