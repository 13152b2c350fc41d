//! The questionnaire file format, exactly as it is written in `schemas/*.json`.
//!
//! These types only describe the file; they are not yet checked for meaning (unknown
//! references, cycles, types). [`crate::load`] turns them into a compiled questionnaire
//! or into a report that lists every problem. The format is documented for authors in
//! `schemas/FORMAT.md` and described by `schemas/questionnaire.schema.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The format version this build reads. Files declare theirs in `format_version`.
pub const QUESTIONNAIRE_FORMAT_VERSION: u32 = 1;

/// A text in several languages: language code (`ar`, `fr`, `en`, `zgh`) → text.
pub type Translations = BTreeMap<String, String>;

/// A whole questionnaire file: a tree of levels (dwelling → household → person).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireFile {
    /// Optional pointer to the JSON Schema, for editors; ignored by the loader.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Version of the file format (see [`QUESTIONNAIRE_FORMAT_VERSION`]).
    pub format_version: u32,
    /// Stable identifier of the questionnaire, e.g. `rgph2024`.
    pub id: String,
    /// Version of this questionnaire's content; stored with every case.
    pub version: String,
    /// Title shown to the enumerator.
    pub title: Translations,
    /// Expression evaluated in the dwelling row that names a case in lists (like
    /// XLSForm's `instance_name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_title: Option<String>,
    /// Every language the questionnaire offers, in menu order.
    pub languages: Vec<String>,
    /// Languages in which every label, hint, message and choice must be present.
    /// Defaults to all of `languages`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_languages: Option<Vec<String>>,
    /// How far each language's texts can be trusted, by language code, e.g.
    /// `{"zgh": "draft"}`: texts written without review by a native speaker. A language not
    /// listed is taken as reviewed; every key must be one of `languages`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translation_status: BTreeMap<String, TranslationStatus>,
    /// The census reference date (census night), `YYYY-MM-DD`; `reference_date()` in expressions.
    pub reference_date: String,
    /// Named choice lists, shared by the questions that name them.
    #[serde(default)]
    pub choice_lists: BTreeMap<String, Vec<Choice>>,
    /// The top level (the dwelling), which holds the rosters below it.
    pub root: Level,
    /// Which items coverage reads (population, households and persons rosters, relationship
    /// and the head's code, name, the root's GPS); absent: the file loads, but coverage
    /// refuses to count its cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<crate::coverage::ItemMap>,
}

/// Whether a language's texts have been reviewed, declared per language in
/// [`QuestionnaireFile::translation_status`]. Written in the file as `"draft"` or
/// `"reviewed"`; any other text is kept as [`TranslationStatus::Unknown`] so that the loader
/// can refuse it with its JSON path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum TranslationStatus {
    /// Written without review by a native speaker: shown to enumerators, but to be reviewed.
    Draft,
    /// Reviewed by a native speaker.
    Reviewed,
    /// A value that is neither `draft` nor `reviewed`, as written; the loader refuses it.
    Unknown(String),
}

impl TranslationStatus {
    /// The value as written in the file.
    pub fn as_str(&self) -> &str {
        match self {
            TranslationStatus::Draft => "draft",
            TranslationStatus::Reviewed => "reviewed",
            TranslationStatus::Unknown(other) => other,
        }
    }
}

impl From<String> for TranslationStatus {
    fn from(text: String) -> Self {
        match text.as_str() {
            "draft" => TranslationStatus::Draft,
            "reviewed" => TranslationStatus::Reviewed,
            _ => TranslationStatus::Unknown(text),
        }
    }
}

impl From<TranslationStatus> for String {
    fn from(status: TranslationStatus) -> Self {
        match status {
            TranslationStatus::Unknown(other) => other,
            known => known.as_str().to_string(),
        }
    }
}

/// One level of the case tree: the dwelling, a household, a person, a death.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// Identifier of the level, unique in the file, e.g. `person`.
    pub id: String,
    /// Name of the level shown to the enumerator.
    pub label: Translations,
    /// Values supplied by the case rather than asked (e.g. `long_form`, `district_id`).
    #[serde(default)]
    pub inputs: Vec<Input>,
    /// Sections of questions, in interview order.
    #[serde(default)]
    pub sections: Vec<Section>,
    /// Rosters of child rows (households of a dwelling, persons of a household).
    #[serde(default)]
    pub rosters: Vec<Roster>,
    /// Consistency checks evaluated once per row of this level.
    #[serde(default)]
    pub checks: Vec<Check>,
    /// Interview order of the level's sections and rosters, by id (each once); absent:
    /// the sections, then the rosters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Vec<String>>,
}

/// A value given to the case from outside the interview (assignment, sample selection).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Identifier, unique among all questions, inputs and rosters of the file.
    pub id: String,
    /// Value type of the input.
    #[serde(rename = "type")]
    pub input_type: InputType,
    /// Optional description for the data dictionary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Translations>,
}

/// Types an [`Input`] may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputType {
    /// Whole number.
    Integer,
    /// Free text or a code.
    Text,
    /// True or false.
    YesNo,
    /// A calendar date.
    Date,
}

/// A group of questions shown together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Identifier, unique in the file.
    pub id: String,
    /// Title shown to the enumerator.
    pub label: Translations,
    /// Skip logic for the whole section (all its questions inherit it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    /// The questions, in order.
    pub questions: Vec<Question>,
}

/// Kinds of questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionType {
    /// Whole number.
    Integer,
    /// Number with a fractional part.
    Decimal,
    /// Free text.
    Text,
    /// One code from a choice list.
    SingleChoice,
    /// A set of codes from a choice list.
    MultipleChoice,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A GPS point (latitude, longitude, accuracy in metres).
    Gps,
    /// Yes or no.
    YesNo,
    /// Text shown to the enumerator; holds no value.
    Note,
    /// A value computed from `calculation`; never typed.
    Calculated,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Identifier, unique among all questions, inputs and rosters of the file.
    pub id: String,
    /// Kind of question.
    #[serde(rename = "type")]
    pub question_type: QuestionType,
    /// The question as read to the respondent.
    pub label: Translations,
    /// Guidance for the enumerator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Translations>,
    /// Whether completion needs an answer while the question is relevant.
    #[serde(default)]
    pub required: bool,
    /// Skip logic: asked only when this expression is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    /// Validation: the answer (`.`) is accepted only when this expression is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    /// Message shown when `constraint` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint_message: Option<Translations>,
    /// Initial answer of a new row or case, in the answer's JSON form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// Name of the choice list (single and multiple choice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<String>,
    /// Expression of a calculated question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calculation: Option<String>,
    /// A calculated question or input of the same level, of the same type, whose value
    /// pre-fills this question while it has no answer (e.g. the age computed from the date
    /// of birth, the address from the listing); the enumerator can change it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill_from: Option<String>,
}

/// One entry of a choice list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// The code stored as the answer.
    pub code: String,
    /// What the enumerator sees.
    pub label: Translations,
    /// Shown only when this expression is true, evaluated in the asking question's row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
}

/// A repeated group of child rows, each a row of `level`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roster {
    /// Identifier, unique among all questions, inputs and rosters; used in aggregates.
    pub id: String,
    /// Title of the roster list.
    pub label: Translations,
    /// Expression evaluated in each row that names the row in lists (e.g. the person's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_label: Option<String>,
    /// The roster is shown only when this expression is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    /// Fewest rows for completion.
    #[serde(default)]
    pub min_rows: u32,
    /// Most rows allowed.
    #[serde(default = "default_max_rows")]
    pub max_rows: u32,
    /// The level of each row.
    pub level: Level,
}

fn default_max_rows() -> u32 {
    100
}

/// Whether a failed check blocks completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks completion until the answers are corrected.
    Hard,
    /// The enumerator may confirm it with a note.
    Soft,
}

/// A consistency rule across questions and rows, evaluated in each row of its level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// Identifier, unique among checks of the file.
    pub id: String,
    /// Hard or soft.
    pub severity: Severity,
    /// Passes when true (or when it cannot yet be evaluated: null).
    pub expression: String,
    /// Evaluated only when this expression is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    /// Message shown when the check fails.
    pub message: Translations,
    /// Questions the enumerator is sent to, to fix it (first one is the jump target).
    #[serde(default)]
    pub questions: Vec<String>,
}
