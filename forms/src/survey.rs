//! The survey sheet's structure: groups become sections (nested groups are flattened, their
//! `relevant` combined), repeats become rosters with a level of their own (nested).

use census_core::model::{Level, Roster, Section, Translations};

use crate::context::Ctx;
use crate::error::Location;
use crate::question::GROUP_COLUMNS;
use crate::sheet::Row;
use crate::types::{self, RowType};

/// An open group.
struct Group {
    name: String,
    label: Translations,
    relevant: Option<String>,
    row: u32,
}

/// A level being built: the root or an open repeat.
struct Frame {
    /// Repeat name (the form id for the root).
    name: String,
    label: Translations,
    row: u32,
    relevant: Option<String>,
    rows: (u32, u32),
    sections: Vec<Section>,
    rosters: Vec<Roster>,
    current: Option<Section>,
    groups: Vec<Group>,
    /// Section and roster ids in survey order.
    order: Vec<String>,
}

impl Frame {
    fn new(name: &str, label: Translations, row: u32) -> Frame {
        Frame {
            name: name.to_string(),
            label,
            row,
            relevant: None,
            rows: (0, 100),
            sections: Vec::new(),
            rosters: Vec::new(),
            current: None,
            groups: Vec::new(),
            order: Vec::new(),
        }
    }

    fn close_section(&mut self) {
        if let Some(s) = self.current.take()
            && !s.questions.is_empty()
        {
            self.order.push(s.id.clone());
            self.sections.push(s);
        }
    }

    fn add_roster(&mut self, roster: Roster) {
        self.order.push(roster.id.clone());
        self.rosters.push(roster);
    }

    /// The level, with an `order` when a section follows a roster.
    fn into_level(mut self) -> Level {
        self.close_section();
        let default: Vec<&String> = self
            .sections
            .iter()
            .map(|s| &s.id)
            .chain(self.rosters.iter().map(|r| &r.id))
            .collect();
        let order = (!self.order.iter().eq(default)).then_some(self.order);
        Level {
            id: self.name,
            label: self.label,
            inputs: Vec::new(),
            sections: self.sections,
            rosters: self.rosters,
            checks: Vec::new(),
            order,
        }
    }

    /// The combined `relevant` of the open groups.
    fn groups_relevant(&self) -> Option<String> {
        and_all(self.groups.iter().filter_map(|g| g.relevant.clone()))
    }
}

fn and_all(parts: impl Iterator<Item = String>) -> Option<String> {
    let parts: Vec<String> = parts.collect();
    match parts.len() {
        0 => None,
        1 => parts.into_iter().next(),
        _ => Some(
            parts
                .iter()
                .map(|p| format!("({p})"))
                .collect::<Vec<_>>()
                .join(" and "),
        ),
    }
}

impl Ctx<'_> {
    /// Walks the survey sheet into the root level.
    pub fn survey(&mut self, form_id: &str, title: &Translations) -> Level {
        let mut stack = vec![Frame::new(form_id, title.clone(), 0)];
        let sheet = self.sheet;
        for row in &sheet.rows {
            let here: Vec<String> = stack.iter().skip(1).map(|f| f.name.clone()).collect();
            let rt = match types::parse(sheet.get(row, "type").unwrap_or_default()) {
                Ok(rt) => rt,
                Err((construct, message)) => {
                    self.report
                        .push(sheet.at_name(row, "type"), &construct, message);
                    continue;
                }
            };
            let needs_name = !matches!(rt, RowType::EndGroup | RowType::EndRepeat);
            let name = match sheet.get(row, "name") {
                Some(name) => name,
                None if !needs_name => "",
                None => {
                    self.report
                        .push(sheet.at_name(row, "name"), "name", "this row needs a name");
                    continue;
                }
            };
            let depth = stack.len();
            let Some(frame) = stack.last_mut() else {
                continue;
            };
            match rt {
                RowType::Question {
                    kind,
                    list,
                    or_other,
                } => {
                    let questions =
                        self.question(row, name, kind, list.as_deref(), or_other, &here);
                    let Some(frame) = stack.last_mut() else {
                        continue;
                    };
                    if frame.current.is_none() {
                        let base = match frame.groups.last() {
                            Some(g) => g.name.clone(),
                            None => format!("{}_questions", frame.name),
                        };
                        let label = match frame.groups.last() {
                            Some(g) => g.label.clone(),
                            None => frame.label.clone(),
                        };
                        let relevant = frame.groups_relevant();
                        frame.current = Some(Section {
                            id: self.section_id(&base),
                            label,
                            relevant,
                            questions: Vec::new(),
                        });
                    }
                    if let Some(section) = frame.current.as_mut() {
                        section.questions.extend(questions);
                    }
                }
                RowType::Meta(_) => self.unsupported_cells(row, &["type", "name"], false),
                RowType::BeginGroup => {
                    frame.close_section();
                    self.unsupported_cells(row, GROUP_COLUMNS, false);
                    let relevant = self.expr(row, "relevant", &here, None);
                    let label = self.group_label(row, name);
                    if let Some(frame) = stack.last_mut() {
                        frame.groups.push(Group {
                            name: name.to_string(),
                            label,
                            relevant,
                            row: row.number,
                        });
                    }
                }
                RowType::EndGroup => {
                    if frame.groups.is_empty() {
                        let what = if depth > 1 {
                            "no group is open in this repeat"
                        } else {
                            "no group is open"
                        };
                        self.report
                            .push(sheet.at_name(row, "type"), "end group", what);
                        continue;
                    }
                    frame.close_section();
                    frame.groups.pop();
                }
                RowType::BeginRepeat => {
                    frame.close_section();
                    self.unsupported_cells(row, GROUP_COLUMNS, false);
                    let label = self.group_label(row, name);
                    let mut inner = Frame::new(name, label, row.number);
                    let own = self.expr(row, "relevant", &here, None);
                    let outer = stack.last().and_then(Frame::groups_relevant);
                    inner.relevant = and_all(outer.into_iter().chain(own));
                    inner.rows = self.repeat_count(row);
                    stack.push(inner);
                }
                RowType::EndRepeat => {
                    if depth < 2 {
                        self.report.push(
                            sheet.at_name(row, "type"),
                            "end repeat",
                            "no repeat is open",
                        );
                        continue;
                    }
                    self.close_groups(frame, row);
                    if let Some(done) = stack.pop()
                        && let Some(parent) = stack.last_mut()
                    {
                        parent.add_roster(roster(done));
                    }
                }
            }
        }
        while stack.len() > 1 {
            if let Some(open) = stack.pop() {
                self.report.push(
                    Location {
                        sheet: sheet.name.clone(),
                        row: open.row,
                        ..Location::default()
                    },
                    &format!("begin repeat {}", open.name),
                    "this repeat is never closed: add an end repeat row",
                );
            }
        }
        let mut root = stack
            .pop()
            .unwrap_or_else(|| Frame::new(form_id, title.clone(), 0));
        let last = Row {
            number: sheet.rows.last().map_or(0, |r| r.number),
            cells: Vec::new(),
        };
        self.close_groups(&mut root, &last);
        root.into_level()
    }

    /// Reports groups still open when their repeat (or the sheet) ends.
    fn close_groups(&mut self, frame: &mut Frame, at: &Row) {
        frame.close_section();
        for g in frame.groups.drain(..) {
            self.report.push(
                Location {
                    sheet: self.sheet.name.clone(),
                    row: g.row,
                    ..Location::default()
                },
                &format!("begin group {}", g.name),
                format!(
                    "this group is not closed before row {}: add an end group row",
                    at.number
                ),
            );
        }
    }

    /// `repeat_count`: a fixed number of rows (expressions are not supported).
    fn repeat_count(&mut self, row: &Row) -> (u32, u32) {
        let Some(text) = self.sheet.get(row, "repeat_count") else {
            return (0, 100);
        };
        match text.parse::<u32>() {
            Ok(n) => (n, n.max(1)),
            Err(_) => {
                self.report.push(
                    self.sheet.at_name(row, "repeat_count"),
                    "repeat_count expression",
                    format!("`{text}`: only a fixed number of rows is supported"),
                );
                (0, 100)
            }
        }
    }
}

fn roster(f: Frame) -> Roster {
    Roster {
        id: f.name.clone(),
        label: f.label.clone(),
        row_label: None,
        relevant: f.relevant.clone(),
        min_rows: f.rows.0,
        max_rows: f.rows.1,
        level: f.into_level(),
    }
}
