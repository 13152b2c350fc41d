//! The choices sheet: named lists of choices, each keeping its extra columns for
//! `choice_filter`.

use std::collections::BTreeMap;

use census_core::model::Translations;

use crate::columns::{Languages, split_header};
use crate::error::ImportReport;
use crate::sheet::{Sheet, cell};

/// One row of the choices sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceRow {
    /// Spreadsheet row.
    pub row: u32,
    /// The code (`name` column).
    pub name: String,
    /// Label per language.
    pub label: Translations,
    /// Every other non-empty column (`name` included), for `choice_filter`.
    pub columns: BTreeMap<String, String>,
}

/// Columns of the choices sheet that hold media, which the census format has no place for.
const MEDIA: &[&str] = &["image", "audio", "video", "big-image", "media"];

/// Reads the lists of the choices sheet, reporting rows it cannot use.
pub fn read(
    sheet: &Sheet,
    langs: &Languages,
    report: &mut ImportReport,
) -> BTreeMap<String, Vec<ChoiceRow>> {
    let mut lists: BTreeMap<String, Vec<ChoiceRow>> = BTreeMap::new();
    if sheet.rows.is_empty() {
        return lists;
    }
    let list_col = sheet
        .column("list_name")
        .or_else(|| sheet.column("list name"));
    if list_col.is_none() || sheet.column("name").is_none() {
        report.push(
            crate::error::Location::sheet(&sheet.name),
            "choices header",
            "the choices sheet needs the columns list_name and name",
        );
        return lists;
    }
    for row in &sheet.rows {
        let list = list_col.and_then(|c| cell(row, c));
        let name = sheet.get(row, "name");
        let (Some(list), Some(name)) = (list, name) else {
            report.push(
                sheet.at_name(row, if list.is_none() { "list_name" } else { "name" }),
                "choice",
                "a choice needs both a list_name and a name",
            );
            continue;
        };
        let mut columns = BTreeMap::new();
        for column in &sheet.columns {
            let (base, lang) = split_header(&column.header);
            let Some(value) = cell(row, column) else {
                continue;
            };
            if MEDIA.contains(&base.as_str()) {
                report.push(
                    sheet.at(row, column),
                    &format!("choice column {}", column.header),
                    "media in choices are not supported",
                );
            } else if lang.is_none() && base != "label" && base != "list_name" {
                columns.insert(base, value.to_string());
            }
        }
        let label = match langs.texts(sheet, row, "label", report) {
            Some(label) => label,
            None => {
                report.push(
                    sheet.at_name(row, "label"),
                    "choice label",
                    format!("choice `{name}` of list `{list}` has no label"),
                );
                langs.same(name)
            }
        };
        let entries = lists.entry(list.to_string()).or_default();
        if entries.iter().any(|c| c.name == name) {
            report.push(
                sheet.at_name(row, "name"),
                "choice name",
                format!("list `{list}` already has a choice `{name}`"),
            );
            continue;
        }
        entries.push(ChoiceRow {
            row: row.number,
            name: name.to_string(),
            label,
            columns,
        });
    }
    lists
}
