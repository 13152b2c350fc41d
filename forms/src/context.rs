//! State shared while reading the survey sheet: the sheets, the languages, the names of
//! every item, the choice lists being written and the problems found.

use std::collections::{BTreeMap, BTreeSet};

use census_core::model::{Choice, QuestionType};

use crate::choices::ChoiceRow;
use crate::columns::Languages;
use crate::error::ImportReport;
use crate::sheet::{Row, Sheet};
use crate::types::{self, RowType};
use crate::xpath::{Item, ItemKind, Scope, translate};

/// Everything the survey walk reads and writes.
pub struct Ctx<'a> {
    /// The survey sheet.
    pub sheet: &'a Sheet,
    /// The form's languages.
    pub langs: &'a Languages,
    /// The lists of the choices sheet.
    pub lists: &'a BTreeMap<String, Vec<ChoiceRow>>,
    /// Every named question and repeat.
    pub items: BTreeMap<String, Item>,
    /// Survey row of each name (to locate the loader's problems).
    pub rows_of: BTreeMap<String, u32>,
    /// Choice lists of the output.
    pub out_lists: BTreeMap<String, Vec<Choice>>,
    /// Section ids already used.
    pub section_ids: BTreeSet<String>,
    /// Problems found.
    pub report: &'a mut ImportReport,
}

/// Whether `name` can be an identifier of the census expression language.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl<'a> Ctx<'a> {
    /// First pass: the name, kind and enclosing repeats of every item, so that an
    /// expression may name an item defined further down.
    pub fn collect_items(&mut self) {
        let mut repeats: Vec<String> = Vec::new();
        for row in &self.sheet.rows {
            let Ok(rt) = types::parse(self.sheet.get(row, "type").unwrap_or_default()) else {
                continue;
            };
            if rt == RowType::EndRepeat {
                repeats.pop();
                continue;
            }
            let Some(name) = self.sheet.get(row, "name") else {
                continue;
            };
            let kind = match &rt {
                RowType::Question { kind, .. } => ItemKind::Question(*kind),
                RowType::BeginRepeat => ItemKind::Repeat,
                RowType::Meta(meta) => ItemKind::Meta(meta),
                _ => continue,
            };
            self.add_item(row, name, kind, repeats.clone());
            if let RowType::Question { or_other: true, .. } = rt {
                let other = format!("{name}_other");
                self.add_item(
                    row,
                    &other,
                    ItemKind::Question(QuestionType::Text),
                    repeats.clone(),
                );
            }
            if rt == RowType::BeginRepeat {
                repeats.push(name.to_string());
            }
        }
    }

    fn add_item(&mut self, row: &Row, name: &str, kind: ItemKind, repeats: Vec<String>) {
        let at = self.sheet.at_name(row, "name");
        if !valid_name(name) {
            self.report.push(
                at,
                &format!("name {name}"),
                "a name may hold only letters, digits and _ and must not start with a digit",
            );
        } else if self.items.contains_key(name) {
            self.report.push(
                at,
                &format!("name {name}"),
                "this name is already used by another question or repeat",
            );
        } else {
            self.items.insert(name.to_string(), Item { kind, repeats });
            self.rows_of.insert(name.to_string(), row.number);
        }
    }

    /// The expression of `row` in `column`, translated; `None` when empty or not
    /// translatable (then reported at the cell).
    pub fn expr(
        &mut self,
        row: &Row,
        column: &str,
        here: &[String],
        choice: Option<&BTreeMap<String, String>>,
    ) -> Option<String> {
        let src = self.sheet.get(row, column)?;
        let scope = Scope {
            items: &self.items,
            here,
            choice,
        };
        match translate(src, &scope) {
            Ok(out) => Some(out),
            Err(e) => {
                self.report.push(
                    self.sheet.at_name(row, column),
                    &e.construct,
                    format!("{} (character {} of `{src}`)", e.message, e.column),
                );
                None
            }
        }
    }

    /// A label, hint or message with `${name}` turned into the census text reference
    /// `{name}` (literal braces doubled); unknown names are reported.
    pub fn text_refs(&mut self, row: &Row, column: &str, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        let literal = |s: &str| s.replace('{', "{{").replace('}', "}}");
        while let Some(start) = rest.find("${") {
            out.push_str(&literal(&rest[..start]));
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&literal(&rest[start..]));
                rest = "";
                break;
            };
            let mut name = after[..end].trim();
            match self.items.get(name).map(|i| i.kind) {
                None => self.report.push(
                    self.sheet.at_name(row, column),
                    &format!("${{{name}}} in a text"),
                    "no question of the survey has this name",
                ),
                Some(ItemKind::Meta(meta)) => name = meta,
                Some(_) => {}
            }
            out.push('{');
            out.push_str(name);
            out.push('}');
            rest = &after[end + 1..];
        }
        out.push_str(&literal(rest));
        out
    }

    /// The settings' `instance_name`, translated into the census `case_title`.
    pub fn case_title(&mut self, settings: &Sheet) -> Option<String> {
        let row = settings.rows.first()?;
        let src = settings.get(row, "instance_name")?;
        let scope = Scope {
            items: &self.items,
            here: &[],
            choice: None,
        };
        match translate(src, &scope) {
            Ok(out) => Some(out),
            Err(e) => {
                self.report.push(
                    settings.at_name(row, "instance_name"),
                    &e.construct,
                    format!("{} (character {} of `{src}`)", e.message, e.column),
                );
                None
            }
        }
    }

    /// A new section id, unique in the file, based on `base`.
    pub fn section_id(&mut self, base: &str) -> String {
        let mut id = base.to_string();
        let mut n = 2;
        while self.section_ids.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        self.section_ids.insert(id.clone());
        id
    }
}
