//! The questionnaire's `coverage` block names the items coverage reads; the loader checks that
//! each exists where coverage looks for it, so that a renamed item is an author's error at
//! load time, not a census counted with no persons.

use super::questionnaire::{QuestionInfo, Questionnaire};
use super::report::Problem;
use crate::coverage::ItemMap;
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
pub fn check(q: &Questionnaire, items: &ItemMap, file: &str) -> Vec<Problem> {
    let mut c = Checker {
        file,
        problems: Vec::new(),
    };
    let root = q.root_level();
    let households = c.roster(q, ("households", &items.households), Some(root));
    let persons = c.roster(q, ("persons", &items.persons), households);
    let relationship = ("relationship", items.relationship.as_str());
    if let Some(info) = c.question(q, relationship, persons, Type::Text) {
        let codes: Vec<&str> = info.choices("").iter().map(|(code, _)| *code).collect();
        if !codes.contains(&items.head_code.as_str()) {
            let message = format!("{:?} is not one of its choices", items.head_code);
            c.problem("head_code", &items.relationship, message);
        }
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
