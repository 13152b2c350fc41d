//! The case engine: the state of one dwelling case (dwelling, households, persons,
//! deaths) and the incremental recompute of everything an answer affects.
//!
//! Every computation of the questionnaire (a calculated value, the relevance of a
//! question, section or roster, a constraint, a choice filter, a check, a roster
//! aggregate and its per-row arguments, a row label) is a *node*, compiled once at load
//! and stored per row of its level. A change marks the nodes that read it as dirty, in the
//! rows where they read it; dirty nodes are recomputed in the load-time topological order
//! and propagate further only when their value actually changed. Aggregates are cached in
//! the row owning the roster instance, so a person's check reading `count(persons, …)`
//! reads one cached household value.

mod at_index;
mod edit;
mod eval;
mod issues;
mod path;
mod query;
mod recompute;
mod rows;
mod texts;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::expr::Dates;
use crate::load::Questionnaire;
use crate::model::{Severity, Translations};
use crate::value::Value;

pub use path::{RowId, RowPath, RowPathError};

/// Something the engine refused to do, with a message the caller can show or act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineError {
    /// No row has this path in the case.
    UnknownRow(String),
    /// No question, input, roster or check of this id applies here.
    UnknownItem(String),
    /// The value does not fit the question or input.
    WrongValue {
        /// The question or input.
        item: String,
        /// Why.
        message: String,
    },
    /// The roster already holds its maximum number of rows.
    TooManyRows {
        /// The roster.
        roster: String,
        /// Its `max_rows`.
        max: u32,
    },
    /// The operation is not allowed (e.g. confirming a hard check, an empty note).
    NotAllowed(String),
    /// A saved case could not be read.
    BadData(String),
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::UnknownRow(p) => write!(f, "no row {p:?} in this case"),
            EngineError::UnknownItem(m) => f.write_str(m),
            EngineError::WrongValue { item, message } => write!(f, "{item}: {message}"),
            EngineError::TooManyRows { roster, max } => {
                write!(f, "roster '{roster}' already has its maximum of {max} rows")
            }
            EngineError::NotAllowed(m) | EngineError::BadData(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for EngineError {}

/// What an operation changed, so the UI redraws only that.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// (row, item id) whose value, relevance, constraint, choices, check state or row
    /// label changed; the item is a question, input, section, roster or check id.
    pub items: Vec<(RowPath, String)>,
    /// Rows added.
    pub rows_added: Vec<RowPath>,
    /// Rows removed (with their sub-rows).
    pub rows_removed: Vec<RowPath>,
}

/// How far a case (or a row) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// Nothing answered yet (defaults aside).
    NotStarted,
    /// Something answered, something still blocking.
    InProgress,
    /// Nothing blocks completion.
    Complete,
}

/// The state of one question in one row, for drawing it.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionState {
    /// Whether it is asked.
    pub relevant: bool,
    /// Whether it has a stored answer.
    pub answered: bool,
    /// The constraint message when the answer is rejected (empty when the file gives none).
    pub constraint_failed: Option<Translations>,
    /// Required, relevant and unanswered.
    pub required_missing: bool,
    /// Codes offered after choice filters, in list order.
    pub choices: Vec<String>,
    /// Codes of the stored answer that the choice filters no longer offer (a blocking
    /// issue while the question is relevant).
    pub hidden_codes: Vec<String>,
}

/// What kind of problem blocks completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueKind {
    /// A required question is unanswered.
    RequiredMissing,
    /// An answer breaks its constraint.
    ConstraintFailed,
    /// A hard check fails.
    HardCheck,
    /// A soft check fails and is not confirmed.
    SoftCheck,
    /// A roster has fewer rows than `min_rows`.
    TooFewRows,
    /// A stored answer holds a code its choice filter no longer offers (an earlier
    /// answer changed since).
    ChoiceNotOffered,
}

/// One thing blocking completion.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// Kind.
    pub kind: IssueKind,
    /// The row to go to.
    pub row: RowPath,
    /// The question to go to, when there is one.
    pub question: Option<String>,
    /// The question, check or roster id concerned.
    pub item: String,
    /// What to tell the enumerator.
    pub message: Translations,
}

/// A failing check of a row.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckState {
    /// Check id.
    pub check: String,
    /// Hard or soft.
    pub severity: Severity,
    /// Its message.
    pub message: Translations,
    /// Questions to fix it, first is the jump target.
    pub questions: Vec<String>,
    /// The enumerator's note, when a soft check was confirmed.
    pub confirmed: Option<String>,
}

/// One row of the case tree.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub level: usize,
    pub roster: Option<usize>,
    pub id: RowId,
    pub parent: Option<usize>,
    /// 0-based position in the parent's roster.
    pub pos: u32,
    pub answers: Vec<Value>,
    pub vals: Vec<Value>,
    pub lists: Vec<Vec<Value>>,
    /// Child rows per roster of the level (local roster index), in order.
    pub children: Vec<Vec<usize>>,
}

/// The state of one dwelling case.
#[derive(Debug, Clone)]
pub struct Case {
    pub(crate) q: Arc<Questionnaire>,
    pub(crate) dates: Dates,
    pub(crate) rows: Vec<Option<Row>>,
    pub(crate) by_id: HashMap<u32, usize>,
    pub(crate) next_row_id: u32,
    /// (row key, check index) → note.
    pub(crate) confirmations: BTreeMap<(usize, usize), String>,
    /// Which rows read which element of each `at` list (derived state).
    pub(crate) at_index: at_index::AtIndex,
}

impl Case {
    /// A new case with an empty dwelling row, defaults applied.
    pub fn new(q: Arc<Questionnaire>, today: NaiveDate) -> Case {
        let mut case = Case::empty(q, today);
        case.insert_root(true);
        case.recompute_all();
        case
    }

    pub(crate) fn empty(q: Arc<Questionnaire>, today: NaiveDate) -> Case {
        let dates = Dates {
            today,
            reference_date: q.c.reference_date,
        };
        Case {
            q,
            dates,
            rows: Vec::new(),
            by_id: HashMap::new(),
            next_row_id: 1,
            confirmations: BTreeMap::new(),
            at_index: at_index::AtIndex::default(),
        }
    }

    /// The questionnaire of the case.
    pub fn questionnaire(&self) -> &Arc<Questionnaire> {
        &self.q
    }

    /// The interview date used by `today()`.
    pub fn today(&self) -> NaiveDate {
        self.dates.today
    }

    /// The id the next added row will get (never reused within the case).
    pub fn next_row_id(&self) -> u32 {
        self.next_row_id
    }

    /// Makes sure no row id below `next` is handed out again (for a store that saved the
    /// counter of a case whose last rows were removed).
    pub fn reserve_row_ids(&mut self, next: u32) {
        self.next_row_id = self.next_row_id.max(next);
    }
}
