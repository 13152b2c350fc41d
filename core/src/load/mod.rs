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
mod graph;
mod header;
mod question;
mod questionnaire;
mod report;
mod scope;

use std::sync::Arc;

use crate::model::QuestionnaireFile;

pub use questionnaire::{QuestionInfo, Questionnaire, RosterInfo, text};

use crate::coverage::ItemMap;
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
    let file: QuestionnaireFile = match serde_json::from_str(json_text) {
        Ok(f) => f,
        Err(e) => {
            return Err(LoadReport {
                problems: vec![Problem {
                    file: file_name.to_string(),
                    question: None,
                    location: format!("line {}", e.line()),
                    column: u32::try_from(e.column()).ok(),
                    message: format!("not a valid questionnaire file: {e}"),
                }],
            });
        }
    };
    compile_file(file_name, &file).map(Arc::new)
}

/// Validates and compiles an already parsed file.
pub fn compile_file(
    file_name: &str,
    file: &QuestionnaireFile,
) -> Result<Questionnaire, LoadReport> {
    let mut b = build::Builder::new(file_name, file);
    b.level(&file.root, "/root", None);
    b.resolve_check_questions();
    b.expressions();
    b.graph();
    if b.problems.is_empty() {
        let coverage = file.coverage.clone().unwrap_or_else(ItemMap::rgph2024);
        let q = Questionnaire { c: b.c, coverage };
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
