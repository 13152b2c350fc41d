//! Loading a questionnaire file: JSON → validated, compiled [`Questionnaire`], or a
//! [`LoadReport`] listing every problem found (not just the first).
//!
//! Loading runs in passes: the file is read into [`crate::model`] types; [`build`] walks
//! the levels checking ids, translations, choice lists and defaults and lays out one node
//! per per-row computation; [`exprs`] parses, type-checks and compiles every expression;
//! [`graph`] builds the dependency graph, reports cycles and fixes the recompute order.

mod build;
pub(crate) mod compiled;
mod coverage_items;
mod exprs;
mod fills;
mod graph;
mod header;
mod question;
mod questionnaire;
mod report;
mod rules;
mod scope;
mod shape;
pub(crate) mod texts;

use std::sync::Arc;

use crate::model::QuestionnaireFile;

pub use questionnaire::{LevelPart, QuestionInfo, Questionnaire, RosterInfo, text};

pub use report::{LoadReport, Problem};

/// Reads, validates and compiles a questionnaire. `file_name` is only used in problems.
///
/// Every problem is collected before failing: duplicate ids, missing translations,
/// unknown choice lists, defaults of the wrong type, syntax and type errors of every
/// expression, unknown check questions, circular dependencies, an invalid reference date.
pub fn load_questionnaire(
    file_name: &str,
    json_text: &str,
) -> Result<Arc<Questionnaire>, LoadReport> {
    let syntax = |e: serde_json::Error| LoadReport {
        problems: vec![Problem {
            file: file_name.to_string(),
            question: None,
            location: format!("line {}", e.line()),
            column: u32::try_from(e.column()).ok(),
            message: format!("not a valid questionnaire file: {e}"),
        }],
    };
    let mut doc: serde_json::Value = serde_json::from_str(json_text).map_err(syntax)?;
    let mut problems: Vec<Problem> = shape::unknown_fields(&mut doc)
        .into_iter()
        .map(|(location, message)| Problem {
            file: file_name.to_string(),
            question: None,
            location,
            column: None,
            message,
        })
        .collect();
    let file: QuestionnaireFile = match serde_json::from_value(doc) {
        Ok(f) => f,
        Err(e) if problems.is_empty() => {
            // Read the text again for the error's line and column.
            return Err(match serde_json::from_str::<QuestionnaireFile>(json_text) {
                Err(e) => syntax(e),
                Ok(_) => syntax(e),
            });
        }
        Err(e) => {
            problems.push(Problem {
                file: file_name.to_string(),
                question: None,
                location: String::new(),
                column: None,
                message: format!("not a valid questionnaire file: {e}"),
            });
            return Err(LoadReport { problems });
        }
    };
    match compile_file(file_name, &file) {
        Ok(q) if problems.is_empty() => Ok(Arc::new(q)),
        Ok(_) => Err(LoadReport { problems }),
        Err(report) => {
            problems.extend(report.problems);
            Err(LoadReport { problems })
        }
    }
}

/// Validates and compiles an already parsed file.
pub fn compile_file(
    file_name: &str,
    file: &QuestionnaireFile,
) -> Result<Questionnaire, LoadReport> {
    let mut b = build::Builder::new(file_name, file);
    b.level(&file.root, "/root", None);
    b.case_title(file);
    b.resolve_check_questions();
    b.texts();
    b.expressions();
    // After the expressions: a calculated question's type is known from its calculation.
    b.resolve_fills();
    b.constraint_messages();
    b.graph();
    if b.problems.is_empty() {
        let q = Questionnaire {
            c: b.c,
            coverage: file.coverage.clone(),
        };
        let problems = match &file.coverage {
            Some(items) => coverage_items::check(&q, items, file_name),
            None => Vec::new(),
        };
        if problems.is_empty() {
            Ok(q)
        } else {
            Err(LoadReport { problems })
        }
    } else {
        Err(LoadReport {
            problems: b.problems,
        })
    }
}
