//! Changing a case: answers, inputs, rows and confirmations.

use crate::load::compiled::{ItemKind, Name};
use crate::model::{QuestionType, Severity};
use crate::value::{Type, Value};

use super::recompute::Work;
use super::{Case, Changes, EngineError, RowId, RowPath};

impl Case {
    /// The item `id` as stored in rows of the row `key`'s level.
    pub(crate) fn item_here(&self, key: usize, id: &str) -> Result<usize, EngineError> {
        let c = self.c();
        let Some(Name::Item(item)) = c.names.get(id) else {
            return Err(EngineError::UnknownItem(format!(
                "no question or input '{id}' in this questionnaire"
            )));
        };
        let (level, it_level) = (
            self.row(key).map(|r| r.level),
            c.items.get(*item).map(|i| i.level),
        );
        if level.is_none() || level != it_level {
            let at = level
                .and_then(|l| c.levels.get(l))
                .map_or("?", |l| l.id.as_str());
            return Err(EngineError::UnknownItem(format!(
                "'{id}' is not asked in {at} rows"
            )));
        }
        Ok(*item)
    }

    /// Checks `value` against item `item` and returns it in its stored form.
    pub(crate) fn fit(&self, item: usize, value: Value) -> Result<Value, EngineError> {
        let c = self.c();
        let Some(it) = c.items.get(item) else {
            return Err(EngineError::UnknownItem("unknown item".into()));
        };
        let wrong = |message: String| EngineError::WrongValue {
            item: it.id.clone(),
            message,
        };
        let value = match (it.ty, value) {
            (_, Value::Null) => return Ok(Value::Null),
            (Type::Decimal, Value::Integer(i)) => Value::Decimal(i as f64),
            (ty, v) if v.value_type() == ty => v,
            (ty, v) => {
                return Err(wrong(format!(
                    "expected a {} value, got a {}",
                    ty.name(),
                    v.value_type().name()
                )));
            }
        };
        if let ItemKind::Question {
            list: Some(list), ..
        } = &it.kind
            && let Some(choices) = c.choice_lists.get(list)
        {
            let known = |code: &String| choices.iter().any(|ch| &ch.code == code);
            match &value {
                Value::Text(code) if !known(code) => {
                    return Err(wrong(format!("'{code}' is not one of the choices")));
                }
                Value::Multi(codes) => {
                    if let Some(code) = codes.iter().find(|code| !known(code)) {
                        return Err(wrong(format!("'{code}' is not one of the choices")));
                    }
                    let mut unique: Vec<String> = Vec::with_capacity(codes.len());
                    for code in codes {
                        if !unique.contains(code) {
                            unique.push(code.clone());
                        }
                    }
                    return Ok(Value::Multi(unique));
                }
                _ => {}
            }
        }
        Ok(value)
    }

    fn put(&mut self, key: usize, item: usize, value: Value) -> Changes {
        let Some((slot, val_node, id)) = self
            .c()
            .items
            .get(item)
            .map(|i| (i.slot, i.val_node, i.id.clone()))
        else {
            return Changes::default();
        };
        let Some(answer) = self.row_mut(key).and_then(|r| r.answers.get_mut(slot)) else {
            return Changes::default();
        };
        if *answer == value {
            return Changes::default();
        }
        *answer = value;
        let mut work = Work::default();
        work.touched.push((key, id));
        self.mark(&mut work, val_node, key);
        self.run(&mut work);
        self.changes(work)
    }

    /// Sets (or, with `Value::Null`, clears) the answer of a question in a row.
    pub fn set_answer(
        &mut self,
        row: &RowPath,
        question_id: &str,
        value: Value,
    ) -> Result<Changes, EngineError> {
        let key = self.key(row)?;
        let item = self.item_here(key, question_id)?;
        match self.c().items.get(item).map(|i| &i.kind) {
            Some(ItemKind::Question {
                qtype: QuestionType::Calculated | QuestionType::Note,
                ..
            }) => {
                return Err(EngineError::NotAllowed(format!(
                    "'{question_id}' is calculated or a note: it takes no answer"
                )));
            }
            Some(ItemKind::Input(_)) => {
                return Err(EngineError::NotAllowed(format!(
                    "'{question_id}' is an input: use set_input"
                )));
            }
            _ => {}
        }
        let value = self.fit(item, value)?;
        if let Some(code) = self.hidden_codes(item, key, &value).first() {
            return Err(EngineError::WrongValue {
                item: question_id.to_string(),
                message: format!(
                    "'{code}' is not offered here: the choice list's filter hides it for this \
                     row's answers"
                ),
            });
        }
        Ok(self.put(key, item, value))
    }

    /// The codes of `value` that the choice filters of question `item` hide in row `key`.
    pub(crate) fn hidden_codes(&self, item: usize, key: usize, value: &Value) -> Vec<String> {
        let c = self.c();
        let Some(it) = c.items.get(item).filter(|it| !it.filters.is_empty()) else {
            return Vec::new();
        };
        let Some(list) = (match &it.kind {
            ItemKind::Question { list: Some(l), .. } => c.choice_lists.get(l),
            _ => None,
        }) else {
            return Vec::new();
        };
        let hidden = |code: &String| {
            list.iter()
                .position(|ch| &ch.code == code)
                .is_some_and(|ci| {
                    it.filters.iter().any(|(fi, node)| {
                        *fi == ci && self.node_value(*node, key).as_bool() != Some(true)
                    })
                })
        };
        match value {
            Value::Text(code) if hidden(code) => vec![code.clone()],
            Value::Multi(codes) => codes.iter().filter(|c| hidden(c)).cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// Sets (or clears) an input of a row.
    pub fn set_input(
        &mut self,
        row: &RowPath,
        input_id: &str,
        value: Value,
    ) -> Result<Changes, EngineError> {
        let key = self.key(row)?;
        let item = self.item_here(key, input_id)?;
        if !matches!(
            self.c().items.get(item).map(|i| &i.kind),
            Some(ItemKind::Input(_))
        ) {
            return Err(EngineError::NotAllowed(format!(
                "'{input_id}' is a question: use set_answer"
            )));
        }
        let value = self.fit(item, value)?;
        Ok(self.put(key, item, value))
    }

    fn roster_here(&self, key: usize, roster_id: &str) -> Result<usize, EngineError> {
        let c = self.c();
        match c.names.get(roster_id) {
            Some(Name::Roster(r))
                if c.rosters.get(*r).map(|r| r.owner) == self.row(key).map(|r| r.level) =>
            {
                Ok(*r)
            }
            _ => Err(EngineError::UnknownItem(format!(
                "no roster '{roster_id}' in this row"
            ))),
        }
    }

    /// Adds a row at the end of a roster of `parent`, with its defaults.
    pub fn add_row(
        &mut self,
        parent: &RowPath,
        roster_id: &str,
    ) -> Result<(RowPath, Changes), EngineError> {
        let pkey = self.key(parent)?;
        let roster = self.roster_here(pkey, roster_id)?;
        let (local, max) = self
            .c()
            .rosters
            .get(roster)
            .map_or((0, 0), |r| (r.local, r.max_rows));
        let count = self
            .row(pkey)
            .and_then(|r| r.children.get(local))
            .map_or(0, Vec::len);
        if count >= max as usize {
            return Err(EngineError::TooManyRows {
                roster: roster_id.to_string(),
                max,
            });
        }
        let id = RowId(self.next_row_id);
        let key = self.attach(pkey, roster, id, true)?;
        let mut work = Work::default();
        self.mark_row(&mut work, key);
        // Appended last: no other row's position() changes.
        self.mark_roster(&mut work, roster, pkey, false);
        self.run(&mut work);
        let path = parent.child(roster_id, id);
        let mut changes = self.changes(work);
        changes.rows_added.push(path.clone());
        Ok((path, changes))
    }

    /// Removes a row and everything below it.
    pub fn remove_row(&mut self, row: &RowPath) -> Result<Changes, EngineError> {
        let key = self.key(row)?;
        let Some((parent, roster)) = self.row(key).and_then(|r| Some((r.parent?, r.roster?)))
        else {
            return Err(EngineError::NotAllowed(
                "the dwelling row cannot be removed".into(),
            ));
        };
        let local = self.c().rosters.get(roster).map_or(0, |r| r.local);
        for k in self.subtree(key) {
            if let Some(r) = self.rows.get_mut(k).and_then(Option::take) {
                self.by_id.remove(&r.id.0);
                self.forget_at_reads(k, r.level);
            }
            self.confirmations.retain(|(rk, _), _| *rk != k);
        }
        self.renumber(parent, local, |siblings| siblings.retain(|k| *k != key));
        let mut work = Work::default();
        self.mark_roster(&mut work, roster, parent, true);
        self.run(&mut work);
        let mut changes = self.changes(work);
        changes.rows_removed.push(row.clone());
        Ok(changes)
    }

    /// Moves a row to `new_index` (0-based) within its roster.
    pub fn move_row(&mut self, row: &RowPath, new_index: usize) -> Result<Changes, EngineError> {
        let key = self.key(row)?;
        let Some((parent, roster)) = self.row(key).and_then(|r| Some((r.parent?, r.roster?)))
        else {
            return Err(EngineError::NotAllowed(
                "the dwelling row cannot be moved".into(),
            ));
        };
        let local = self.c().rosters.get(roster).map_or(0, |r| r.local);
        let len = self
            .row(parent)
            .and_then(|r| r.children.get(local))
            .map_or(0, Vec::len);
        if new_index >= len {
            return Err(EngineError::NotAllowed(format!(
                "position {new_index} is outside the roster's {len} rows"
            )));
        }
        self.renumber(parent, local, |siblings| {
            siblings.retain(|k| *k != key);
            siblings.insert(new_index.min(siblings.len()), key);
        });
        let mut work = Work::default();
        self.mark_roster(&mut work, roster, parent, true);
        self.run(&mut work);
        Ok(self.changes(work))
    }

    /// Edits the children list of a roster and renumbers the positions.
    fn renumber(&mut self, parent: usize, local: usize, edit: impl FnOnce(&mut Vec<usize>)) {
        let Some(siblings) = self.row_mut(parent).and_then(|r| r.children.get_mut(local)) else {
            return;
        };
        edit(siblings);
        let siblings = siblings.clone();
        for (i, k) in siblings.iter().enumerate() {
            if let Some(r) = self.row_mut(*k) {
                r.pos = u32::try_from(i).unwrap_or(u32::MAX);
            }
        }
    }

    /// Confirms a failing soft check with the enumerator's note. The confirmation stays
    /// while the check keeps failing and is dropped as soon as it passes.
    pub fn confirm_check(
        &mut self,
        row: &RowPath,
        check_id: &str,
        note: String,
    ) -> Result<Changes, EngineError> {
        let key = self.key(row)?;
        let c = self.c();
        let Some(&check) = c.check_ids.get(check_id) else {
            return Err(EngineError::UnknownItem(format!("no check '{check_id}'")));
        };
        let Some(ck) = c
            .checks
            .get(check)
            .filter(|ck| Some(ck.level) == self.row(key).map(|r| r.level))
        else {
            return Err(EngineError::UnknownItem(format!(
                "check '{check_id}' does not apply to this row"
            )));
        };
        if ck.severity != Severity::Soft {
            return Err(EngineError::NotAllowed(format!(
                "check '{check_id}' is hard: the answers must be corrected"
            )));
        }
        if note.trim().is_empty() {
            return Err(EngineError::NotAllowed(
                "a confirmation needs a note explaining it".into(),
            ));
        }
        if self.node_value(ck.node, key).as_bool() != Some(false) {
            return Err(EngineError::NotAllowed(format!(
                "check '{check_id}' passes: there is nothing to confirm"
            )));
        }
        self.confirmations.insert((key, check), note);
        Ok(Changes {
            items: vec![(row.clone(), check_id.to_string())],
            ..Changes::default()
        })
    }
}
