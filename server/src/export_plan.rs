//! The columns of a questionnaire-aware export, decided by the questionnaire alone: one
//! table per level in questionnaire order (the root, then each roster depth first), keys
//! that join (case, district, building, dwelling, household number, and the line number of
//! every roster row from the outermost in, as the questionnaire numbers persons), the
//! questionnaire version and long-form flag on every row, then the level's inputs and
//! questions in interview order with a type each. A GPS answer is three columns
//! (latitude, longitude, accuracy), a multi-select answer its raw list plus one 0/1 column
//! per option.

use census_core::load::{QuestionInfo, Questionnaire};
use census_core::model::QuestionType;
use census_core::value::Type;

use super::{DICTIONARY, PROBLEMS, ROOT_LEVEL};

/// The type of a column, as analysis tools read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Whole number.
    Integer,
    /// Number with a fraction.
    Decimal,
    /// A numeric code with value labels (single choice, or 0/1 for yes/no and options).
    Code,
    /// Free text (also codes that are not numbers).
    Text,
    /// Calendar date `YYYY-MM-DD`.
    Date,
}

impl Kind {
    /// The name written in the data dictionary.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Integer => "integer",
            Kind::Decimal => "decimal",
            Kind::Code => "code",
            Kind::Text => "text",
            Kind::Date => "date",
        }
    }
}

/// Where a column's cells come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The case id.
    CaseId,
    /// The case's district.
    District,
    /// The case's building number.
    Building,
    /// The case's dwelling number.
    Dwelling,
    /// The case's household number.
    Household,
    /// The 1-based line of the row in the roster at this depth (0 = outermost roster).
    Line(usize),
    /// The questionnaire id of the case.
    QuestionnaireId,
    /// The questionnaire version of the case.
    QuestionnaireVersion,
    /// The long-form flag (1 selected, 0 not, empty: no decision).
    LongForm,
    /// The stored revision.
    Revision,
    /// The case status.
    Status,
    /// An input's value.
    Input(String),
    /// An answer as it is.
    Answer(String),
    /// Latitude of a GPS answer.
    Lat(String),
    /// Longitude of a GPS answer.
    Lon(String),
    /// Accuracy (metres) of a GPS answer.
    Accuracy(String),
    /// A multi-select answer's codes, space-separated.
    MultiRaw(String),
    /// 1 when a multi-select answer holds the option, 0 when it does not.
    Option(String, String),
}

/// One column.
#[derive(Debug, Clone)]
pub struct Column {
    /// Column name (from the questionnaire's ids).
    pub name: String,
    /// Type.
    pub kind: Kind,
    /// Where the cells come from.
    pub source: Source,
    /// The question or input id (empty for keys).
    pub item: String,
    /// Variable label in the export's language.
    pub label: String,
    /// Value labels (code, label) for coded columns.
    pub values: Vec<(String, String)>,
}

/// One table (file) of the export.
#[derive(Debug, Clone)]
pub struct Table {
    /// File stem: the root level's `dwellings` or the roster id.
    pub stem: String,
    /// Rosters from the root to this table's rows (empty for the root).
    pub rosters: Vec<String>,
    /// The level's label in the export's language.
    pub label: String,
    /// Columns in order.
    pub columns: Vec<Column>,
}

/// The tables of a questionnaire-aware export.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Tables in questionnaire order.
    pub tables: Vec<Table>,
    /// The language of labels.
    pub lang: String,
}

fn key(name: &str, kind: Kind, source: Source, label: &str) -> Column {
    Column {
        name: name.to_owned(),
        kind,
        source,
        item: String::new(),
        label: label.to_owned(),
        values: Vec::new(),
    }
}

/// Whether every code is a whole number (so tools can attach value labels to numbers).
fn numeric_codes(values: &[(String, String)]) -> bool {
    !values.is_empty()
        && values
            .iter()
            .all(|(c, _)| !c.is_empty() && c.len() < 10 && c.chars().all(|ch| ch.is_ascii_digit()))
}

fn item_columns(info: QuestionInfo<'_>, lang: &str, input: bool, out: &mut Vec<Column>) {
    let id = info.id().to_owned();
    // Metadata items are written `meta.start`: a dot is not allowed in a Stata, SPSS or R
    // variable name, so their columns are `meta_start`.
    let name = id.replace('.', "_");
    let label = match info.label(lang) {
        "" => metadata_label(&id).unwrap_or_default().to_owned(),
        text => text.to_owned(),
    };
    let values: Vec<(String, String)> = info
        .choices(lang)
        .into_iter()
        .map(|(c, l)| (c.to_owned(), l.to_owned()))
        .collect();
    let column = |name: String, kind: Kind, source: Source, label: String, values| Column {
        name,
        kind,
        source,
        item: id.clone(),
        label,
        values,
    };
    let plain = if input {
        Source::Input(id.clone())
    } else {
        Source::Answer(id.clone())
    };
    match (info.question_type(), info.value_type()) {
        (Some(QuestionType::Note), _) => {}
        (_, Type::Gps) => {
            for (suffix, what, source) in [
                ("lat", "latitude", Source::Lat(id.clone())),
                ("lon", "longitude", Source::Lon(id.clone())),
                ("accuracy", "accuracy (m)", Source::Accuracy(id.clone())),
            ] {
                out.push(column(
                    format!("{name}_{suffix}"),
                    Kind::Decimal,
                    source,
                    format!("{label} ({what})"),
                    Vec::new(),
                ));
            }
        }
        (_, Type::Multi) => {
            out.push(column(
                name.clone(),
                Kind::Text,
                Source::MultiRaw(id.clone()),
                label.clone(),
                Vec::new(),
            ));
            for (code, text) in &values {
                out.push(column(
                    format!("{name}_{code}"),
                    Kind::Code,
                    Source::Option(id.clone(), code.clone()),
                    format!("{label}: {text}"),
                    vec![("0".into(), "no".into()), ("1".into(), "yes".into())],
                ));
            }
        }
        (_, ty) => {
            let kind = match ty {
                Type::Integer => Kind::Integer,
                Type::Decimal => Kind::Decimal,
                Type::Date => Kind::Date,
                Type::Boolean => Kind::Code,
                _ if numeric_codes(&values) => Kind::Code,
                _ => Kind::Text,
            };
            let values = if ty == Type::Boolean {
                vec![("0".into(), "no".into()), ("1".into(), "yes".into())]
            } else {
                values
            };
            out.push(column(name, kind, plain, label, values));
        }
    }
}

/// The label of a metadata item's column (they have no label in the questionnaire file).
fn metadata_label(id: &str) -> Option<&'static str> {
    Some(match id {
        "meta.start" => "Interview start",
        "meta.end" => "Interview end",
        "meta.device_id" => "Device",
        "meta.enumerator_id" => "Enumerator",
        _ => return None,
    })
}

fn add_level(
    q: &Questionnaire,
    level: &str,
    stem: &str,
    rosters: Vec<String>,
    lang: &str,
    tables: &mut Vec<Table>,
) -> Result<(), String> {
    if rosters.len() > 16 {
        return Err(format!(
            "questionnaire {}: rosters nested more than 16 deep",
            q.id()
        ));
    }
    let mut columns = vec![
        key("case_id", Kind::Text, Source::CaseId, "Case"),
        key(
            "district_id",
            Kind::Text,
            Source::District,
            "Census district",
        ),
        key(
            "building_number",
            Kind::Integer,
            Source::Building,
            "Building",
        ),
        key(
            "dwelling_number",
            Kind::Integer,
            Source::Dwelling,
            "Dwelling",
        ),
        key(
            "household_number",
            Kind::Integer,
            Source::Household,
            "Household",
        ),
    ];
    for (depth, roster) in rosters.iter().enumerate() {
        let label = q.roster(roster).map_or("", |r| r.label(lang)).to_owned();
        columns.push(key(
            &format!("{roster}_line"),
            Kind::Integer,
            Source::Line(depth),
            &format!("Line number in {label}"),
        ));
    }
    columns.extend([
        key(
            "questionnaire_id",
            Kind::Text,
            Source::QuestionnaireId,
            "Questionnaire",
        ),
        key(
            "questionnaire_version",
            Kind::Text,
            Source::QuestionnaireVersion,
            "Questionnaire version",
        ),
        key(
            "long_form",
            Kind::Code,
            Source::LongForm,
            "Long form selected",
        ),
        key("revision", Kind::Integer, Source::Revision, "Revision"),
        key("status", Kind::Text, Source::Status, "Status"),
    ]);
    if let Some(lf) = columns.iter_mut().find(|c| c.name == "long_form") {
        lf.values = vec![("0".into(), "no".into()), ("1".into(), "yes".into())];
    }
    for input in q.level_inputs(level) {
        // An input a key already carries (district, building…) is the key's column.
        if columns.iter().any(|c| c.name == input) {
            continue;
        }
        if let Some(info) = q.question(input) {
            item_columns(info, lang, true, &mut columns);
        }
    }
    for section in q.level_sections(level) {
        for id in q.section_question_ids(section) {
            if let Some(info) = q.question(id) {
                item_columns(info, lang, false, &mut columns);
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for c in &columns {
        if !seen.insert(c.name.to_ascii_lowercase()) {
            return Err(format!(
                "questionnaire {}: column {:?} would appear twice in {stem}",
                q.id(),
                c.name
            ));
        }
    }
    tables.push(Table {
        stem: stem.to_owned(),
        rosters: rosters.clone(),
        label: q.level_label(level, lang).unwrap_or("").to_owned(),
        columns,
    });
    for roster in q.level_rosters(level) {
        let reserved = [
            ROOT_LEVEL,
            DICTIONARY,
            PROBLEMS,
            super::scripts::VALUE_LABELS,
        ]
        .iter()
        .chain(&super::extras::FILES)
        .any(|r| r.eq_ignore_ascii_case(roster));
        if !super::layout_safe_stem(roster) || reserved {
            return Err(format!(
                "questionnaire {}: roster id {roster:?} cannot name an export file",
                q.id()
            ));
        }
        let child = q
            .roster(roster)
            .map(|r| r.level())
            .ok_or_else(|| format!("questionnaire {}: roster {roster} has no level", q.id()))?;
        let mut path = rosters.clone();
        path.push(roster.to_owned());
        add_level(q, child, roster, path, lang, tables)?;
    }
    Ok(())
}

impl Plan {
    /// The tables of `q` with labels in `lang` (one of the questionnaire's languages).
    pub fn new(q: &Questionnaire, lang: &str) -> Result<Plan, String> {
        if !q.languages().iter().any(|l| l == lang) {
            return Err(format!(
                "questionnaire {} has no language {lang:?} (it has {})",
                q.id(),
                q.languages().join(", ")
            ));
        }
        let mut tables = Vec::new();
        add_level(q, q.root_level(), ROOT_LEVEL, Vec::new(), lang, &mut tables)?;
        Ok(Plan {
            tables,
            lang: lang.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn census_tables_have_joinable_keys_and_split_columns() {
        let q = census_core::load::load_questionnaire(
            "rgph2024.json",
            crate::export::BUNDLED_QUESTIONNAIRE,
        )
        .unwrap_or_else(|r| panic!("{r}"));
        let plan = Plan::new(&q, "fr").unwrap_or_else(|e| panic!("{e}"));
        let stems: Vec<&str> = plan.tables.iter().map(|t| t.stem.as_str()).collect();
        assert_eq!(stems, ["dwellings", "households", "persons", "deaths"]);
        let persons = &plan.tables[2];
        let names: Vec<&str> = persons.columns.iter().map(|c| c.name.as_str()).collect();
        for n in [
            "households_line",
            "persons_line",
            "p_sex",
            "p_mother_line",
            "long_form",
        ] {
            assert!(names.contains(&n), "{n} in {names:?}");
        }
        let sex = persons.columns.iter().find(|c| c.name == "p_sex");
        assert_eq!(sex.map(|c| c.kind), Some(Kind::Code));
        let dwellings = &plan.tables[0];
        assert!(dwellings.columns.iter().any(|c| c.name == "d_gps_lat"));
        assert!(
            persons
                .columns
                .iter()
                .any(|c| c.name == "p_spoken_languages_01")
        );
        assert!(Plan::new(&q, "xx").is_err());
    }
}
