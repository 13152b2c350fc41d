//! # census-forms
//!
//! Imports an XLSForm workbook (the survey, choices and settings sheets that ODK,
//! KoboToolbox and SurveyCTO use) into the census questionnaire format of
//! `schemas/FORMAT.md`. Every row or expression it cannot map is reported with its sheet,
//! row and column and the construct named; nothing is dropped silently. The result is
//! checked with the census loader before it is returned.
//!
//! Modules: [`sheet`] reads the workbook, [`columns`] the translated columns,
//! [`types`] the `type` column, [`xpath`] translates expressions, [`choices`] reads the
//! lists, `survey`/`question` build the levels, [`error`] reports.

pub mod choices;
pub mod columns;
mod context;
pub mod error;
mod question;
pub mod sheet;
mod survey;
pub mod types;
pub mod xpath;

use std::collections::BTreeMap;
use std::path::Path;

use census_core::model::{QUESTIONNAIRE_FORMAT_VERSION, QuestionnaireFile};

use crate::columns::{Languages, language_code};
use crate::context::{Ctx, valid_name};
use crate::error::{ImportReport, Location};
use crate::sheet::{Sheet, Workbook};

/// Choices made outside the workbook.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The census reference date (`YYYY-MM-DD`); overrides the settings column
    /// `reference_date`.
    pub reference_date: Option<String>,
    /// The questionnaire id when the settings sheet has no `form_id`.
    pub fallback_id: Option<String>,
}

/// Settings columns the importer reads.
const SETTINGS: &[&str] = &[
    "form_title",
    "form_id",
    "version",
    "default_language",
    "reference_date",
    "instance_name",
];

/// Reads an .xlsx XLSForm and imports it.
pub fn import_xlsx(path: &Path, options: &Options) -> Result<QuestionnaireFile, ImportReport> {
    let book = sheet::read_xlsx(path)?;
    let mut options = options.clone();
    if options.fallback_id.is_none() {
        options.fallback_id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .map(|s| s.replace(['-', ' ', '.'], "_"));
    }
    import_workbook(&book, &options)
}

/// Imports a workbook already read; the questionnaire passes the census loader.
pub fn import_workbook(
    book: &Workbook,
    options: &Options,
) -> Result<QuestionnaireFile, ImportReport> {
    let mut report = ImportReport::default();
    let settings = read_settings(&book.settings, &mut report);
    let form_id = settings
        .get("form_id")
        .cloned()
        .or_else(|| options.fallback_id.clone())
        .unwrap_or_else(|| "form".into());
    if !valid_name(&form_id) {
        report.push(
            Location::sheet("settings"),
            "form_id",
            format!("`{form_id}`: use letters, digits and _ only"),
        );
    }
    let default_lang = settings
        .get("default_language")
        .map_or_else(|| "en".to_string(), |l| language_code(l));
    let langs = Languages::collect(&default_lang, &[&book.survey, &book.choices]);
    let reference_date = options
        .reference_date
        .clone()
        .or_else(|| settings.get("reference_date").cloned());
    let reference_date = match reference_date {
        Some(d) if chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").is_ok() => d,
        other => {
            report.push(
                Location::sheet("settings"),
                "reference_date",
                match other {
                    Some(d) => format!("`{d}` is not a date written YYYY-MM-DD"),
                    None => "the census reference date is missing: add a settings column \
                             reference_date (YYYY-MM-DD) or pass --reference-date"
                        .to_string(),
                },
            );
            String::new()
        }
    };
    for column in ["type", "name"] {
        if book.survey.column(column).is_none() {
            report.push(
                Location::sheet("survey"),
                &format!("column {column}"),
                "the survey sheet has no such column",
            );
        }
    }
    let title = langs.same(settings.get("form_title").unwrap_or(&form_id));
    let lists = choices::read(&book.choices, &langs, &mut report);
    let mut ctx = Ctx {
        sheet: &book.survey,
        langs: &langs,
        lists: &lists,
        items: BTreeMap::new(),
        rows_of: BTreeMap::new(),
        out_lists: BTreeMap::new(),
        section_ids: Default::default(),
        report: &mut report,
    };
    ctx.collect_items();
    let root = ctx.survey(&form_id, &title);
    let case_title = ctx.case_title(&book.settings);
    let rows_of = std::mem::take(&mut ctx.rows_of);
    let choice_lists = std::mem::take(&mut ctx.out_lists);
    let file = QuestionnaireFile {
        schema: None,
        format_version: QUESTIONNAIRE_FORMAT_VERSION,
        id: form_id.clone(),
        version: settings
            .get("version")
            .cloned()
            .unwrap_or_else(|| "1".into()),
        title,
        case_title,
        languages: langs.codes.clone(),
        required_languages: None,
        translation_status: BTreeMap::new(),
        reference_date,
        choice_lists,
        root,
        coverage: None,
    };
    if !report.errors.is_empty() {
        return Err(report);
    }
    if let Err(load) = census_core::load::compile_file(&format!("{form_id}.json"), &file) {
        for p in load.problems {
            let row = p.question.as_ref().and_then(|q| rows_of.get(q)).copied();
            let location = Location {
                sheet: if row.is_some() {
                    "survey".into()
                } else {
                    String::new()
                },
                row: row.unwrap_or(0),
                ..Location::default()
            };
            report.push(
                location,
                "census loader",
                format!("{} (at {} of the generated file)", p.message, p.location),
            );
        }
        return Err(report);
    }
    Ok(file)
}

/// The questionnaire as pretty JSON, ending with a newline.
pub fn to_json(file: &QuestionnaireFile) -> String {
    let mut text = serde_json::to_string_pretty(file).unwrap_or_default();
    text.push('\n');
    text
}

fn read_settings(sheet: &Sheet, report: &mut ImportReport) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(row) = sheet.rows.first() else {
        return out;
    };
    for column in &sheet.columns {
        let Some(value) = sheet::cell(row, column) else {
            continue;
        };
        let key = column.header.to_ascii_lowercase();
        if SETTINGS.contains(&key.as_str()) {
            out.insert(key, value.to_string());
        } else {
            report.push(
                sheet.at(row, column),
                &format!("setting {}", column.header),
                "this setting is not supported; its value would be lost",
            );
        }
    }
    out
}
