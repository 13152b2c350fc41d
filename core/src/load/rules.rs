//! Loading rules added to the level walk: the interview order of sections and rosters
//! (`order`), the case title expression, and constraints that need a message.

use crate::model::{self, QuestionnaireFile};

use super::build::{Builder, Purpose};
use super::compiled::{LevelIx, NodeKind, Part};

impl Builder {
    /// The interview order of a level's sections and rosters (its `order`, checked).
    pub(crate) fn order(&mut self, ix: LevelIx, def: &model::Level, path: &str) {
        let Some(level) = self.c.levels.get(ix) else {
            return;
        };
        let default: Vec<Part> = level
            .sections
            .iter()
            .map(|s| Part::Section(*s))
            .chain(level.rosters.iter().map(|r| Part::Roster(*r)))
            .collect();
        let parts = match &def.order {
            None => default,
            Some(order) => {
                let name_of = |b: &Builder, p: &Part| {
                    match p {
                        Part::Section(s) => b.c.sections.get(*s).map_or("", |s| s.id.as_str()),
                        Part::Roster(r) => b.c.rosters.get(*r).map_or("", |r| r.id.as_str()),
                    }
                    .to_string()
                };
                let mut parts = Vec::with_capacity(order.len());
                for (i, id) in order.iter().enumerate() {
                    let found = default.iter().find(|p| name_of(self, p) == *id).copied();
                    match found {
                        Some(p) if parts.contains(&p) => self.problem(
                            Some(id),
                            &format!("{path}/order/{i}"),
                            None,
                            format!("'{id}' is listed twice in order"),
                        ),
                        Some(p) => parts.push(p),
                        None => self.problem(
                            Some(id),
                            &format!("{path}/order/{i}"),
                            None,
                            format!(
                                "order names '{id}', which is not a section or roster of level \
                                 '{}'",
                                def.id
                            ),
                        ),
                    }
                }
                for p in &default {
                    if !parts.contains(p) {
                        let id = name_of(self, p);
                        self.problem(
                            Some(&id),
                            &format!("{path}/order"),
                            None,
                            format!("order leaves out '{id}': list every section and roster once"),
                        );
                    }
                }
                parts
            }
        };
        if let Some(l) = self.c.levels.get_mut(ix) {
            l.parts = parts;
        }
    }

    /// Lays out the node of the file's `case_title`, evaluated in the dwelling row.
    pub fn case_title(&mut self, file: &QuestionnaireFile) {
        if let Some(src) = &file.case_title {
            let node = self.node(0, NodeKind::Title);
            self.c.title_node = Some(node);
            self.job(
                node,
                0,
                src,
                "/case_title".into(),
                "case_title",
                (Purpose::Title, None),
            );
        }
    }

    /// A constraint without a message is an error (reported once its expression compiled,
    /// so a broken constraint gives one problem, not two).
    pub fn constraint_messages(&mut self) {
        for (node, path, id) in std::mem::take(&mut self.unexplained) {
            if self.c.nodes.get(node).is_some_and(|n| n.expr.is_some()) {
                self.problem(
                    Some(&id),
                    &format!("{path}/constraint_message"),
                    None,
                    format!(
                        "question '{id}' has a constraint but no constraint_message: write \
                         what the enumerator is told when the answer is refused"
                    ),
                );
            }
        }
    }
}
