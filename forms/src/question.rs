//! One survey row → one census question (two with `or_other`), and its choice list.

use census_core::model::{Choice, Question, QuestionType, Translations};
use serde_json::{Value, json};

use crate::columns::{TRANSLATED, split_header};
use crate::context::Ctx;
use crate::sheet::{Row, cell};

/// Survey columns a question row may fill (besides the translated ones).
const QUESTION_COLUMNS: &[&str] = &[
    "type",
    "name",
    "required",
    "relevant",
    "constraint",
    "calculation",
    "choice_filter",
    "default",
];

/// Survey columns a group or repeat row may fill.
pub const GROUP_COLUMNS: &[&str] = &["type", "name", "label", "relevant", "repeat_count"];

impl Ctx<'_> {
    /// Reports every non-empty cell of `row` in a column the census format cannot hold.
    pub fn unsupported_cells(&mut self, row: &Row, allowed: &[&str], translated: bool) {
        for column in &self.sheet.columns {
            if cell(row, column).is_none() {
                continue;
            }
            let (base, _) = split_header(&column.header);
            let ok = allowed.contains(&base.as_str())
                || (translated && TRANSLATED.contains(&base.as_str()));
            if !ok {
                self.report.push(
                    self.sheet.at(row, column),
                    &format!("column {}", column.header),
                    "this column is not supported on this row; its content would be lost",
                );
            }
        }
    }

    /// A translated text of the row (`label`, `hint`, `constraint_message`) with `${name}`
    /// references mapped.
    fn translated(&mut self, row: &Row, base: &str) -> Option<Translations> {
        let texts = self.langs.texts(self.sheet, row, base, self.report)?;
        Some(
            texts
                .into_iter()
                .map(|(lang, text)| {
                    let mapped = self.text_refs(row, base, &text);
                    (lang, mapped)
                })
                .collect(),
        )
    }

    /// The label of a group or repeat row (its name when it has none).
    pub fn group_label(&mut self, row: &Row, name: &str) -> Translations {
        self.translated(row, "label")
            .unwrap_or_else(|| self.langs.same(name))
    }

    /// The questions of one question row.
    pub fn question(
        &mut self,
        row: &Row,
        name: &str,
        kind: QuestionType,
        list: Option<&str>,
        or_other: bool,
        here: &[String],
    ) -> Vec<Question> {
        self.unsupported_cells(row, QUESTION_COLUMNS, true);
        let label = match self.translated(row, "label") {
            Some(label) => label,
            None => {
                if kind != QuestionType::Calculated {
                    self.report.push(
                        self.sheet.at_name(row, "label"),
                        "label",
                        format!("question `{name}` has no label"),
                    );
                }
                self.langs.same(name)
            }
        };
        let constraint = self.expr(row, "constraint", here, None);
        let constraint_message = self.translated(row, "constraint_message");
        if constraint.is_some() && constraint_message.is_none() {
            self.report.push(
                self.sheet.at_name(row, "constraint"),
                "constraint without constraint_message",
                "the census format shows a message when a constraint fails: add a \
                 constraint_message",
            );
        }
        let calculation = self.expr(row, "calculation", here, None);
        if kind == QuestionType::Calculated && self.sheet.get(row, "calculation").is_none() {
            self.report.push(
                self.sheet.at_name(row, "calculation"),
                "calculate without calculation",
                "a calculate row needs a calculation",
            );
        }
        if kind != QuestionType::Calculated && calculation.is_some() {
            self.report.push(
                self.sheet.at_name(row, "calculation"),
                "calculation on a question",
                "only calculate rows are computed in the census format",
            );
        }
        let choices = self.choice_list(row, name, list, or_other, here);
        let question = Question {
            id: name.to_string(),
            question_type: kind,
            label,
            hint: self.translated(row, "hint"),
            required: self.required(row),
            relevant: self.expr(row, "relevant", here, None),
            constraint,
            constraint_message,
            default: self.default(row, kind),
            choices,
            calculation: calculation.filter(|_| kind == QuestionType::Calculated),
            // XLSForm has no such column (its `default` is a constant).
            fill_from: None,
        };
        let mut out = vec![question];
        if or_other {
            let test = if kind == QuestionType::MultipleChoice {
                format!("selected({name}, 'other')")
            } else {
                format!("{name} = 'other'")
            };
            out.push(Question {
                id: format!("{name}_other"),
                question_type: QuestionType::Text,
                label: self.langs.same("Specify other"),
                hint: None,
                required: false,
                relevant: Some(test),
                constraint: None,
                constraint_message: None,
                default: None,
                choices: None,
                calculation: None,
                fill_from: None,
            });
        }
        out
    }

    fn required(&mut self, row: &Row) -> bool {
        let Some(text) = self.sheet.get(row, "required") else {
            return false;
        };
        match text.to_ascii_lowercase().as_str() {
            "yes" | "true" | "true()" | "1" => true,
            "no" | "false" | "false()" | "0" => false,
            _ => {
                self.report.push(
                    self.sheet.at_name(row, "required"),
                    "required expression",
                    format!("`{text}`: required must be yes or no (conditions are not supported)"),
                );
                false
            }
        }
    }

    fn default(&mut self, row: &Row, kind: QuestionType) -> Option<Value> {
        let text = self.sheet.get(row, "default")?;
        let value = if text.contains("${") || text.contains('(') {
            Err("defaults computed from an expression are not supported")
        } else {
            match kind {
                QuestionType::Integer => text
                    .parse::<i64>()
                    .map(|n| json!(n))
                    .map_err(|_| "not a whole number"),
                QuestionType::Decimal => text
                    .parse::<f64>()
                    .map(|n| json!(n))
                    .map_err(|_| "not a number"),
                QuestionType::Text | QuestionType::SingleChoice => Ok(json!(text)),
                QuestionType::MultipleChoice => {
                    Ok(json!(text.split_whitespace().collect::<Vec<_>>()))
                }
                QuestionType::Date => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map(|d| json!(d.to_string()))
                    .map_err(|_| "not a date written YYYY-MM-DD"),
                _ => Err("this type of question takes no default"),
            }
        };
        match value {
            Ok(v) => Some(v),
            Err(why) => {
                self.report.push(
                    self.sheet.at_name(row, "default"),
                    "default",
                    format!("`{text}`: {why}"),
                );
                None
            }
        }
    }

    /// The output list a choice question names: the list itself, or a copy with `other`
    /// added and/or each choice's filter from `choice_filter`.
    fn choice_list(
        &mut self,
        row: &Row,
        name: &str,
        list: Option<&str>,
        or_other: bool,
        here: &[String],
    ) -> Option<String> {
        let has_filter = self.sheet.get(row, "choice_filter").is_some();
        let Some(list) = list else {
            if has_filter {
                self.report.push(
                    self.sheet.at_name(row, "choice_filter"),
                    "choice_filter",
                    "only select_one and select_multiple questions take a choice_filter",
                );
            }
            return None;
        };
        let Some(rows) = self.lists.get(list) else {
            self.report.push(
                self.sheet.at_name(row, "type"),
                &format!("choice list {list}"),
                "the choices sheet has no list of this name",
            );
            return None;
        };
        let mut choices = Vec::new();
        for choice in rows {
            let before = self.report.errors.len();
            let filter = if has_filter {
                self.expr(row, "choice_filter", here, Some(&choice.columns))
            } else {
                None
            };
            choices.push(Choice {
                code: choice.name.clone(),
                label: choice.label.clone(),
                filter,
            });
            if self.report.errors.len() > before {
                // One report of a broken filter is enough, not one per choice.
                break;
            }
        }
        if or_other && !rows.iter().any(|c| c.name == "other") {
            choices.push(Choice {
                code: "other".into(),
                label: self.langs.same("Other"),
                filter: None,
            });
        }
        let out_name = match (has_filter, or_other) {
            (false, false) => list.to_string(),
            (false, true) => format!("{list}_or_other"),
            (true, _) => format!("{list}_{name}"),
        };
        self.out_lists.entry(out_name.clone()).or_insert(choices);
        Some(out_name)
    }
}
