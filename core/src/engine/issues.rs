//! What blocks completion: missing required answers, rejected answers, failing checks,
//! too few rows; in interview order.

use crate::load::compiled::{ItemKind, Part, RosterC, SectionC};
use crate::model::{Severity, Translations};
use crate::value::Value;

use super::{Case, CheckState, Completion, Issue, IssueKind, Row, RowPath};

fn builtin(en: &str, fr: &str, ar: &str) -> Translations {
    [("en", en), ("fr", fr), ("ar", ar)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A built-in message in the four languages of the census (ar, fr, zgh, en).
fn four(en: &str, fr: &str, ar: &str, zgh: &str) -> Translations {
    let mut t = builtin(en, fr, ar);
    t.insert("zgh".to_string(), zgh.to_string());
    t
}

impl Case {
    /// Everything blocking completion, in interview order: for each row, its questions
    /// (section order), then its rosters (too few rows, then each row's own issues, depth
    /// first), then its checks.
    pub fn issues(&self) -> Vec<Issue> {
        let mut out = Vec::new();
        self.row_issues(0, true, &mut out);
        out
    }

    /// Whether the whole case may be marked complete.
    pub fn completion(&self) -> Completion {
        if self.issues().is_empty() {
            Completion::Complete
        } else if self.all_rows().iter().any(|k| self.row_started(*k)) {
            Completion::InProgress
        } else {
            Completion::NotStarted
        }
    }

    /// A row's own status (its questions and checks, not its sub-rows), for roster lists.
    pub fn row_status(&self, row: &RowPath) -> Completion {
        let Ok(key) = self.key(row) else {
            return Completion::NotStarted;
        };
        let mut out = Vec::new();
        self.row_issues(key, false, &mut out);
        if out.is_empty() {
            Completion::Complete
        } else if self.row_started(key) {
            Completion::InProgress
        } else {
            Completion::NotStarted
        }
    }

    /// Whether any answer of the row differs from its default.
    fn row_started(&self, key: usize) -> bool {
        let c = self.c();
        let Some(row) = self.row(key) else {
            return false;
        };
        let Some(level) = c.levels.get(row.level) else {
            return false;
        };
        level.items.iter().zip(&row.answers).any(|(item, v)| {
            let it = c.items.get(*item);
            matches!(it.map(|i| &i.kind), Some(ItemKind::Question { .. }))
                && !v.is_null()
                && it.and_then(|i| i.default.as_ref()) != Some(v)
        })
    }

    fn row_issues(&self, key: usize, recurse: bool, out: &mut Vec<Issue>) {
        let c = self.c();
        let Some(row) = self.row(key) else { return };
        let Some(level) = c.levels.get(row.level) else {
            return;
        };
        if self.node_value(level.row_rel, key).as_bool() != Some(true) {
            return;
        }
        let path = self.path(key);
        for part in &level.parts {
            match *part {
                Part::Section(s) => {
                    if let Some(section) = c.sections.get(s) {
                        self.section_issues(key, section, &path, out);
                    }
                }
                Part::Roster(r) => {
                    if recurse && let Some(roster) = c.rosters.get(r) {
                        self.roster_issues(key, row, roster, &path, out);
                    }
                }
            }
        }
        for check in level.checks.iter().filter_map(|k| c.checks.get(*k)) {
            if self.node_value(check.node, key).as_bool() != Some(false) {
                continue;
            }
            let Some(&check_ix) = c.check_ids.get(&check.id) else {
                continue;
            };
            let kind = match check.severity {
                Severity::Hard => IssueKind::HardCheck,
                Severity::Soft if self.confirmations.contains_key(&(key, check_ix)) => continue,
                Severity::Soft => IssueKind::SoftCheck,
            };
            let (row, question) = self.jump_target(key, &check.questions);
            out.push(Issue {
                kind,
                row,
                question,
                item: check.id.clone(),
                message: self.resolve_all(&check.message, check.text, key),
            });
        }
    }

    fn section_issues(&self, key: usize, section: &SectionC, path: &RowPath, out: &mut Vec<Issue>) {
        let c = self.c();
        for item in &section.questions {
            let state = self.state_of(*item, key);
            let id = c.items.get(*item).map_or(String::new(), |i| i.id.clone());
            if state.required_missing {
                out.push(Issue {
                    kind: IssueKind::RequiredMissing,
                    row: path.clone(),
                    question: Some(id.clone()),
                    item: id,
                    message: builtin(
                        "An answer is required",
                        "Une réponse est obligatoire",
                        "الإجابة إلزامية",
                    ),
                });
            } else if !state.hidden_codes.is_empty() {
                let codes = state.hidden_codes.join(", ");
                out.push(Issue {
                    kind: IssueKind::ChoiceNotOffered,
                    row: path.clone(),
                    question: Some(id.clone()),
                    item: id,
                    message: four(
                        &format!(
                            "The answer {codes} is no longer offered after a change to an \
                             earlier answer: choose again"
                        ),
                        &format!(
                            "La réponse {codes} n'est plus proposée après la modification \
                             d'une réponse précédente : choisissez à nouveau"
                        ),
                        &format!(
                            "الإجابة {codes} لم تعد مقترحة بعد تغيير إجابة سابقة: اختر من جديد"
                        ),
                        &format!(
                            "ⵜⴰⵔⴰⵔⵜ {codes} ⵓⵔ ⵜⵍⵍⵉ ⴳ ⵜⵍⴳⴰⵎⵜ ⴷⴼⴼⵉⵔ ⵜⵉⵙⵏⴼⵍⵜ ⵏ ⵜⵔⴰⵔⵜ ⵜⴰⵣⵡⴰⵔⵓⵜ: ⵙⵜⵉ ⵜⵉⴽⴽⵍⵜ ⵢⴰⴹⵏ"
                        ),
                    ),
                });
            } else if state.relevant
                && let Some(message) = state.constraint_failed
            {
                out.push(Issue {
                    kind: IssueKind::ConstraintFailed,
                    row: path.clone(),
                    question: Some(id.clone()),
                    item: id,
                    message,
                });
            }
        }
    }

    fn roster_issues(
        &self,
        key: usize,
        row: &Row,
        roster: &RosterC,
        path: &RowPath,
        out: &mut Vec<Issue>,
    ) {
        if self.node_value(roster.rel_node, key).as_bool() != Some(true) {
            return;
        }
        let children = row.children.get(roster.local).cloned().unwrap_or_default();
        if (children.len() as u64) < u64::from(roster.min_rows) {
            let mut message = builtin(
                &format!("At least {} rows are needed", roster.min_rows),
                &format!("Il faut au moins {} lignes", roster.min_rows),
                &format!("يلزم {} سطر على الأقل", roster.min_rows),
            );
            for (lang, label) in &roster.label {
                if let Some(m) = message.get_mut(lang) {
                    *m = format!("{label}: {m}");
                }
            }
            out.push(Issue {
                kind: IssueKind::TooFewRows,
                row: path.clone(),
                question: None,
                item: roster.id.clone(),
                message,
            });
        }
        for child in children {
            self.row_issues(child, true, out);
        }
    }

    /// Where a check sends the enumerator: its first question, in this row, an ancestor,
    /// or the first relevant sub-row holding it.
    fn jump_target(&self, key: usize, questions: &[usize]) -> (RowPath, Option<String>) {
        let c = self.c();
        let Some(it) = questions.first().and_then(|q| c.items.get(*q)) else {
            return (self.path(key), None);
        };
        if let Some(k) = self.ancestor_at(key, it.level) {
            return (self.path(k), Some(it.id.clone()));
        }
        let mut rows = Vec::new();
        self.rows_at(key, it.level, &mut rows);
        let target = rows
            .iter()
            .find(|r| self.item_relevant(questions.first().copied().unwrap_or(0), **r))
            .or(rows.first());
        match target {
            Some(k) => (self.path(*k), Some(it.id.clone())),
            None => (self.path(key), None),
        }
    }

    /// The failing checks of a row, with the confirmation note of confirmed soft ones.
    pub fn failed_checks(&self, row: &RowPath) -> Vec<CheckState> {
        let Ok(key) = self.key(row) else {
            return Vec::new();
        };
        let c = self.c();
        let Some(level) = self.row(key).and_then(|r| c.levels.get(r.level)) else {
            return Vec::new();
        };
        level
            .checks
            .iter()
            .filter_map(|k| c.checks.get(*k).map(|ck| (*k, ck)))
            .filter(|(_, ck)| self.node_value(ck.node, key) == Value::Bool(false))
            .map(|(k, ck)| CheckState {
                check: ck.id.clone(),
                severity: ck.severity,
                message: self.resolve_all(&ck.message, ck.text, key),
                questions: ck
                    .questions
                    .iter()
                    .filter_map(|q| c.items.get(*q))
                    .map(|i| i.id.clone())
                    .collect(),
                confirmed: self.confirmations.get(&(key, k)).cloned(),
            })
            .collect()
    }
}
