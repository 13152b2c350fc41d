//! Loading one question: translations, choice list, calculation, default, and its nodes.

use crate::model::{self, QuestionType};
use crate::value::Value;

use super::build::{Builder, Purpose, question_type};
use super::compiled::{ItemKind, LevelIx, Name, NodeKind};
use super::texts::{Field, TextOwner};

impl Builder {
    pub(crate) fn question(
        &mut self,
        level: LevelIx,
        section: usize,
        q: &model::Question,
        path: &str,
    ) {
        let item = self.c.items.len();
        let id = q.id.as_str();
        self.claim_name(id, Name::Item(item), &format!("{path}/id"));
        self.translations(
            &q.label,
            Some(id),
            &format!("{path}/label"),
            &format!("question '{id}'"),
        );
        if let Some(hint) = &q.hint {
            self.translations(
                hint,
                Some(id),
                &format!("{path}/hint"),
                &format!("the hint of '{id}'"),
            );
        }
        if let Some(msg) = &q.constraint_message {
            self.translations(
                msg,
                Some(id),
                &format!("{path}/constraint_message"),
                &format!("the constraint message of '{id}'"),
            );
        }
        let is_choice = matches!(
            q.question_type,
            QuestionType::SingleChoice | QuestionType::MultipleChoice
        );
        match (&q.choices, is_choice) {
            (None, true) => self.problem(
                Some(id),
                &format!("{path}/choices"),
                None,
                format!("choice question '{id}' names no choice list (choices)"),
            ),
            (Some(list), true) if !self.c.choice_lists.contains_key(list) => self.problem(
                Some(id),
                &format!("{path}/choices"),
                None,
                format!("unknown choice list '{list}'"),
            ),
            (Some(_), false) => self.problem(
                Some(id),
                &format!("{path}/choices"),
                None,
                "only single_choice and multiple_choice questions take choices".into(),
            ),
            _ => {}
        }
        let is_calc = q.question_type == QuestionType::Calculated;
        match (&q.calculation, is_calc) {
            (None, true) => self.problem(
                Some(id),
                &format!("{path}/calculation"),
                None,
                format!("calculated question '{id}' has no calculation"),
            ),
            (Some(_), false) => self.problem(
                Some(id),
                &format!("{path}/calculation"),
                None,
                "only calculated questions take a calculation".into(),
            ),
            _ => {}
        }
        let ty = question_type(q.question_type);
        let kind = ItemKind::Question {
            qtype: q.question_type,
            section,
            required: q.required,
            list: q.choices.clone().filter(|_| is_choice),
            hint: q.hint.clone(),
            constraint_message: q.constraint_message.clone(),
        };
        self.add_item(level, id, Some(q.label.clone()), kind, ty);
        for (field, text, name) in [
            (Field::Label, Some(&q.label), "label"),
            (Field::Hint, q.hint.as_ref(), "hint"),
            (
                Field::Message,
                q.constraint_message.as_ref(),
                "constraint_message",
            ),
        ] {
            if let Some(text) = text {
                self.pending_text(
                    TextOwner::Item(item),
                    field,
                    level,
                    text,
                    (&format!("{path}/{name}"), id),
                );
            }
        }
        if let Some(s) = self.c.sections.get_mut(section) {
            s.questions.push(item);
        }
        let rel = self.node(level, NodeKind::QRel(item));
        if let Some(it) = self.c.items.get_mut(item) {
            it.rel_node = Some(rel);
        }
        if let Some(src) = &q.relevant {
            self.job(
                rel,
                level,
                src,
                format!("{path}/relevant"),
                id,
                (Purpose::Relevant, Some(item)),
            );
        }
        if is_calc {
            let calc = self.node(level, NodeKind::Calc(item));
            if let Some(it) = self.c.items.get_mut(item) {
                it.calc_node = Some(calc);
            }
            if let Some(src) = &q.calculation {
                self.job(
                    calc,
                    level,
                    src,
                    format!("{path}/calculation"),
                    id,
                    (Purpose::Calculation, Some(item)),
                );
            }
        }
        if let Some(src) = &q.constraint {
            let node = self.node(level, NodeKind::Constraint(item));
            if let Some(it) = self.c.items.get_mut(item) {
                it.constraint_node = Some(node);
            }
            if q.constraint_message.is_none() {
                self.unexplained
                    .push((node, path.to_string(), id.to_string()));
            }
            self.job(
                node,
                level,
                src,
                format!("{path}/constraint"),
                id,
                (Purpose::Constraint, Some(item)),
            );
        }
        if let (Some(list), true) = (&q.choices, is_choice) {
            let filters: Vec<(usize, String)> = self
                .c
                .choice_lists
                .get(list)
                .map(|l| {
                    l.iter()
                        .enumerate()
                        .filter_map(|(i, ch)| ch.filter.clone().map(|f| (i, f)))
                        .collect()
                })
                .unwrap_or_default();
            for (ci, src) in filters {
                let node = self.node(level, NodeKind::Filter(item, ci));
                if let Some(it) = self.c.items.get_mut(item) {
                    it.filters.push((ci, node));
                }
                self.job(
                    node,
                    level,
                    &src,
                    format!("/choice_lists/{list}/{ci}/filter"),
                    id,
                    (Purpose::Filter, Some(item)),
                );
            }
        }
        if let Some(source) = &q.fill_from {
            let loc = format!("{path}/fill_from");
            if self.takes_answers(id, q, &loc, "be filled from another item") {
                self.pending_fills.push((item, source.clone(), loc));
            }
        }
        if let Some(default) = &q.default {
            let loc = format!("{path}/default");
            if self.takes_answers(id, q, &loc, "have a default") {
                match Value::from_json(default, ty) {
                    Ok(v) => {
                        if let Some(msg) = self.choice_problem(q.choices.as_deref(), &v) {
                            self.problem(Some(id), &loc, None, format!("the default {msg}"));
                        } else if let Some(it) = self.c.items.get_mut(item) {
                            it.default = Some(v);
                        }
                    }
                    Err(e) => self.problem(
                        Some(id),
                        &loc,
                        None,
                        format!("the default does not fit a {} question: {e}", ty.name()),
                    ),
                }
            }
        }
    }

    /// Whether the question takes answers (neither calculated nor a note); otherwise reports
    /// at `loc` that such a question cannot `what` (have a default, be filled…).
    fn takes_answers(&mut self, id: &str, q: &model::Question, loc: &str, what: &str) -> bool {
        let answerless = matches!(
            q.question_type,
            QuestionType::Calculated | QuestionType::Note
        );
        if answerless {
            self.problem(
                Some(id),
                loc,
                None,
                format!("a calculated question or a note cannot {what}"),
            );
        }
        !answerless
    }

    /// Why a value is not a valid answer of a choice list, if it is not.
    pub fn choice_problem(&self, list: Option<&str>, v: &Value) -> Option<String> {
        let list = self.c.choice_lists.get(list?)?;
        let known = |code: &String| list.iter().any(|c| &c.code == code);
        match v {
            Value::Text(code) if !known(code) => {
                Some(format!("'{code}' is not a code of the choice list"))
            }
            Value::Multi(codes) => codes
                .iter()
                .find(|c| !known(c))
                .map(|c| format!("'{c}' is not a code of the choice list")),
            _ => None,
        }
    }
}
