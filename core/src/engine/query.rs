//! Reading a case: answers, values as expressions see them, question states, rows,
//! labels and navigation.

use crate::load::compiled::{ItemKind, Name};
use crate::model::QuestionType;
use crate::value::Value;

use super::{Case, QuestionState, RowPath};

impl Case {
    /// The stored answer (or input), even when the question is not relevant; `None` when
    /// unanswered or unknown here.
    pub fn answer(&self, row: &RowPath, question_id: &str) -> Option<&Value> {
        let key = self.key(row).ok()?;
        let item = self.item_here(key, question_id).ok()?;
        let slot = self.c().items.get(item)?.slot;
        self.row(key)?.answers.get(slot).filter(|v| !v.is_null())
    }

    /// The value of a name as expressions in `row` see it: null when not relevant,
    /// calculated values computed, names of ancestor rows reachable.
    pub fn value(&self, row: &RowPath, name: &str) -> Value {
        let Ok(key) = self.key(row) else {
            return Value::Null;
        };
        let c = self.c();
        let Some(Name::Item(item)) = c.names.get(name) else {
            return Value::Null;
        };
        let Some(it) = c.items.get(*item) else {
            return Value::Null;
        };
        self.ancestor_at(key, it.level)
            .map_or(Value::Null, |k| self.node_value(it.val_node, k))
    }

    /// Whether a question is asked in `row` (inputs are always relevant).
    pub fn is_relevant(&self, row: &RowPath, question_id: &str) -> bool {
        let Ok(key) = self.key(row) else { return false };
        let Ok(item) = self.item_here(key, question_id) else {
            return false;
        };
        self.item_relevant(item, key)
    }

    pub(crate) fn item_relevant(&self, item: usize, key: usize) -> bool {
        match self.c().items.get(item).and_then(|i| i.rel_node) {
            Some(node) => self.node_value(node, key).as_bool() == Some(true),
            None => true,
        }
    }

    /// Everything needed to draw a question in a row.
    pub fn question_state(&self, row: &RowPath, question_id: &str) -> Option<QuestionState> {
        let key = self.key(row).ok()?;
        let item = self.item_here(key, question_id).ok()?;
        Some(self.state_of(item, key))
    }

    pub(crate) fn state_of(&self, item: usize, key: usize) -> QuestionState {
        let c = self.c();
        let relevant = self.item_relevant(item, key);
        let Some(it) = c.items.get(item) else {
            return QuestionState {
                relevant,
                answered: false,
                constraint_failed: None,
                required_missing: false,
                choices: Vec::new(),
                hidden_codes: Vec::new(),
            };
        };
        let answered = self
            .row(key)
            .and_then(|r| r.answers.get(it.slot))
            .is_some_and(|v| !v.is_null());
        let (required, takes_answer, message, list) = match &it.kind {
            ItemKind::Question {
                required,
                qtype,
                constraint_message,
                list,
                ..
            } => (
                *required,
                !matches!(qtype, QuestionType::Calculated | QuestionType::Note),
                constraint_message.clone().unwrap_or_default(),
                list.as_ref(),
            ),
            ItemKind::Input(_) => (false, true, Default::default(), None),
        };
        let constraint_failed = it
            .constraint_node
            .filter(|n| self.node_value(*n, key).as_bool() == Some(false))
            .map(|_| self.resolve_all(&message, it.texts.message, key));
        let mut choices = Vec::new();
        if let Some(list) = list.and_then(|l| c.choice_lists.get(l)) {
            for (i, ch) in list.iter().enumerate() {
                let offered = match it.filters.iter().find(|(ci, _)| *ci == i) {
                    Some((_, node)) => self.node_value(*node, key).as_bool() == Some(true),
                    None => true,
                };
                if offered {
                    choices.push(ch.code.clone());
                }
            }
        }
        let hidden_codes = if relevant && answered && !it.filters.is_empty() {
            self.hidden_codes(item, key, &self.node_value(it.val_node, key))
        } else {
            Vec::new()
        };
        QuestionState {
            relevant,
            answered,
            constraint_failed,
            required_missing: relevant && required && takes_answer && !answered,
            choices,
            hidden_codes,
        }
    }

    /// The rows of a roster under `parent`, in order.
    pub fn rows(&self, parent: &RowPath, roster_id: &str) -> Vec<RowPath> {
        let Ok(pkey) = self.key(parent) else {
            return Vec::new();
        };
        let c = self.c();
        let Some(Name::Roster(r)) = c.names.get(roster_id) else {
            return Vec::new();
        };
        let Some(local) = c
            .rosters
            .get(*r)
            .filter(|r| Some(r.owner) == self.row(pkey).map(|p| p.level))
            .map(|r| r.local)
        else {
            return Vec::new();
        };
        let children = self
            .row(pkey)
            .and_then(|p| p.children.get(local))
            .cloned()
            .unwrap_or_default();
        children
            .into_iter()
            .filter_map(|k| self.row(k).map(|r| parent.child(roster_id, r.id)))
            .collect()
    }

    /// The case's title from the file's `case_title` (like XLSForm's `instance_name`);
    /// empty when the file has none or it is null.
    pub fn title(&self) -> String {
        match self.c().title_node.map(|n| self.node_value(n, 0)) {
            Some(Value::Text(s)) => s,
            Some(Value::Integer(i)) => i.to_string(),
            Some(Value::Decimal(d)) => d.to_string(),
            Some(Value::Date(d)) => d.format("%Y-%m-%d").to_string(),
            _ => String::new(),
        }
    }

    /// The label naming a row in lists: its roster's `row_label`, else its number.
    pub fn row_label(&self, row: &RowPath) -> String {
        let Ok(key) = self.key(row) else {
            return String::new();
        };
        let Some(r) = self.row(key) else {
            return String::new();
        };
        let number = (r.pos + 1).to_string();
        let label = r
            .roster
            .and_then(|ro| self.c().rosters.get(ro))
            .and_then(|ro| ro.label_node)
            .map(|n| self.node_value(n, key));
        match label {
            Some(Value::Text(s)) if !s.trim().is_empty() => s,
            Some(Value::Integer(i)) => i.to_string(),
            Some(Value::Decimal(d)) => d.to_string(),
            _ => number,
        }
    }

    /// The relevant questions of a section in a row, in order (calculated ones excluded):
    /// what the enumerator pages through.
    pub fn section_questions(&self, row: &RowPath, section_id: &str) -> Vec<&str> {
        let Ok(key) = self.key(row) else {
            return Vec::new();
        };
        let c = self.c();
        let Some(section) = c
            .section_ids
            .get(section_id)
            .and_then(|s| c.sections.get(*s))
        else {
            return Vec::new();
        };
        if Some(section.level) != self.row(key).map(|r| r.level) {
            return Vec::new();
        }
        section
            .questions
            .iter()
            .filter(|q| self.navigable(**q, key))
            .filter_map(|q| c.items.get(*q))
            .map(|i| i.id.as_str())
            .collect()
    }

    fn navigable(&self, item: usize, key: usize) -> bool {
        let shown = !matches!(
            self.c().items.get(item).map(|i| &i.kind),
            Some(ItemKind::Question {
                qtype: QuestionType::Calculated,
                ..
            }) | Some(ItemKind::Input(_))
                | None
        );
        shown && self.item_relevant(item, key)
    }

    /// Every relevant, shown question of a row across its sections, in interview order.
    pub fn row_questions(&self, row: &RowPath) -> Vec<&str> {
        let Ok(key) = self.key(row) else {
            return Vec::new();
        };
        let c = self.c();
        let Some(level) = self.row(key).and_then(|r| c.levels.get(r.level)) else {
            return Vec::new();
        };
        level
            .sections
            .iter()
            .filter_map(|s| c.sections.get(*s))
            .flat_map(|s| s.questions.iter())
            .filter(|q| self.navigable(**q, key))
            .filter_map(|q| c.items.get(*q))
            .map(|i| i.id.as_str())
            .collect()
    }

    /// The relevant question after `current` in the row (the first one for `None`),
    /// across sections; `None` at the end of the row.
    pub fn next_question(&self, row: &RowPath, current: Option<&str>) -> Option<&str> {
        let questions = self.row_questions(row);
        match current {
            None => questions.first().copied(),
            Some(cur) => self.neighbour(row, &questions, cur, true),
        }
    }

    /// The relevant question before `current` in the row; `None` at the start.
    pub fn previous_question(&self, row: &RowPath, current: &str) -> Option<&str> {
        let questions = self.row_questions(row);
        self.neighbour(row, &questions, current, false)
    }

    fn neighbour<'a>(
        &'a self,
        row: &RowPath,
        questions: &[&'a str],
        current: &str,
        forward: bool,
    ) -> Option<&'a str> {
        if let Some(i) = questions.iter().position(|q| *q == current) {
            return if forward {
                questions.get(i + 1).copied()
            } else {
                i.checked_sub(1).and_then(|i| questions.get(i).copied())
            };
        }
        // `current` is no longer relevant: go by its place among all questions of the row.
        let key = self.key(row).ok()?;
        let c = self.c();
        let level = c.levels.get(self.row(key)?.level)?;
        let all: Vec<&str> = level
            .sections
            .iter()
            .filter_map(|s| c.sections.get(*s))
            .flat_map(|s| s.questions.iter())
            .filter_map(|q| c.items.get(*q))
            .map(|i| i.id.as_str())
            .collect();
        let at = all.iter().position(|q| *q == current)?;
        let rank = |q: &&str| all.iter().position(|a| a == q).unwrap_or(0);
        if forward {
            questions.iter().find(|q| rank(q) > at).copied()
        } else {
            questions.iter().rev().find(|q| rank(q) < at).copied()
        }
    }
}
