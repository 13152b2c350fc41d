//! Every questionnaire in `schemas/` matches `schemas/questionnaire.schema.json`, reads
//! into [`census_core::model::QuestionnaireFile`] and compiles with the loader; broken copies
//! are rejected with messages that name the file and the JSON path of each problem.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use census_core::model::{InputType, QuestionType, QuestionnaireFile, Severity, TranslationStatus};
use serde_json::{Value, json};

/// JSON files of `schemas/` that are not questionnaires, besides the `*.schema.json` files.
const NOT_QUESTIONNAIRES: &[&str] = &[];

/// Questionnaires that must be present, so that the checks below can never pass vacuously.
const EXPECTED_QUESTIONNAIRES: &[&str] = &["collective2024.json", "rgph2024.json"];

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("schemas")
}

/// The questionnaire files of `schemas/`, sorted by name.
fn questionnaire_paths() -> Vec<PathBuf> {
    let dir = schemas_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            name.ends_with(".json")
                && !name.ends_with(".schema.json")
                && !NOT_QUESTIONNAIRES.contains(&name)
        })
        .collect();
    paths.sort();
    for expected in EXPECTED_QUESTIONNAIRES {
        assert!(
            paths.iter().any(|p| p.ends_with(expected)),
            "schemas/{expected} is missing (found {paths:?})"
        );
    }
    paths
}

fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&read_text(path))
        .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()))
}

fn schema() -> Value {
    read_json(&schemas_dir().join("questionnaire.schema.json"))
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema())
        .unwrap_or_else(|e| panic!("questionnaire.schema.json does not compile: {e}"))
}

/// Names the objects on the way to `pointer` by their `id` (or choice `code`), so a message
/// says "question d_rooms" rather than only "/root/sections/4/questions/0".
fn describe(instance: &Value, pointer: &str) -> String {
    let mut names = Vec::new();
    let mut node = instance;
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        let next = match node {
            Value::Object(map) => map.get(&segment),
            Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        let Some(next) = next else { break };
        node = next;
        if let Some(id) = node
            .get("id")
            .or_else(|| node.get("code"))
            .and_then(Value::as_str)
        {
            names.push(id.to_owned());
        }
    }
    if names.is_empty() {
        String::new()
    } else {
        format!(" ({})", names.join(" > "))
    }
}

/// Every schema violation of `instance`, one line each: JSON path, ids on the way, message.
fn schema_problems(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|error| {
            let path = error.instance_path().to_string();
            let shown = if path.is_empty() { "/" } else { path.as_str() };
            format!("{shown}{}: {error}", describe(instance, &path))
        })
        .collect()
}

/// Every problem of one questionnaire file, each line naming the file.
fn file_problems(validator: &jsonschema::Validator, path: &Path) -> Vec<String> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    text_problems(validator, name, &read_text(path))
}

/// Every problem of a questionnaire text: JSON Schema, model, loader.
fn text_problems(validator: &jsonschema::Validator, name: &str, text: &str) -> Vec<String> {
    let instance: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(e) => return vec![format!("{name}: not valid JSON: {e}")],
    };
    let mut problems: Vec<String> = schema_problems(validator, &instance)
        .into_iter()
        .map(|p| format!("{name}: schema: {p}"))
        .collect();
    if let Err(e) = serde_json::from_str::<QuestionnaireFile>(text) {
        problems.push(format!("{name}: model: {e}"));
    }
    if let Err(report) = census_core::load::load_questionnaire(name, text) {
        problems.extend(report.problems.iter().map(|p| format!("load: {p}")));
    }
    problems
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    let schema = schema();
    assert_eq!(
        schema["$schema"],
        json!("https://json-schema.org/draft/2020-12/schema")
    );
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!(
            "questionnaire.schema.json violates the meta-schema at {}: {e}",
            e.instance_path()
        );
    }
}

#[test]
fn every_questionnaire_matches_the_schema_and_the_model() {
    let validator = validator();
    let problems: Vec<String> = questionnaire_paths()
        .iter()
        .flat_map(|path| file_problems(&validator, path))
        .collect();
    assert!(
        problems.is_empty(),
        "{} problem(s) in schemas/:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_census_questionnaire_has_its_identity_and_languages() {
    let text = read_text(&schemas_dir().join("rgph2024.json"));
    let file: QuestionnaireFile = serde_json::from_str(&text).expect("rgph2024.json reads");
    assert_eq!(file.id, "rgph2024");
    assert_eq!(file.version, "1.0.0");
    assert_eq!(file.reference_date, "2024-09-01");
    assert_eq!(file.languages, ["ar", "fr", "zgh", "en"]);
    // Every text has Tamazight, still marked as a draft until a native speaker reviews it.
    assert_eq!(
        file.required_languages.as_deref(),
        Some(&["ar", "fr", "zgh", "en"].map(String::from)[..])
    );
    assert_eq!(
        file.translation_status.get("zgh"),
        Some(&TranslationStatus::Draft)
    );
    assert_eq!(file.root.id, "dwelling");
    let households = &file.root.rosters[0];
    assert_eq!(households.id, "households");
    let roster_ids: Vec<&str> = households
        .level
        .rosters
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(roster_ids, ["persons", "deaths"]);
}

#[test]
fn the_collective_questionnaire_has_its_identity_languages_and_residents() {
    let text = read_text(&schemas_dir().join("collective2024.json"));
    let file: QuestionnaireFile = serde_json::from_str(&text).expect("collective2024.json reads");
    assert_eq!(file.id, "collective2024");
    assert_eq!(file.version, "1.0.0");
    assert_eq!(file.languages, ["ar", "fr", "zgh", "en"]);
    // Every text in all four languages: no lighter list of required ones.
    assert_eq!(file.required_languages, None);
    assert_eq!(
        file.translation_status.get("zgh"),
        Some(&TranslationStatus::Draft)
    );
    let residents = &file.root.rosters[0];
    assert_eq!(file.root.rosters.len(), 1, "no households level");
    assert_eq!(residents.id, "residents");
    assert!(
        residents.max_rows >= 1000,
        "an establishment may house many"
    );
    let coverage = file.coverage.expect("a coverage block");
    assert_eq!(coverage.persons, "residents");
    assert_eq!(coverage.households, None);
}

/// Enumerations of the schema are exactly what the model reads: each value deserializes.
#[test]
fn schema_enumerations_are_read_by_the_model() {
    let schema = schema();
    let defs = &schema["$defs"];
    let values = |pointer: &str| -> Vec<Value> {
        defs.pointer(pointer)
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("no enum at $defs{pointer}"))
            .clone()
    };
    let question_types = values("/question/properties/type/enum");
    assert_eq!(
        question_types.len(),
        10,
        "one value per QuestionType variant"
    );
    for value in question_types {
        serde_json::from_value::<QuestionType>(value.clone())
            .unwrap_or_else(|e| panic!("question type {value} is not a QuestionType: {e}"));
    }
    let input_types = values("/input/properties/type/enum");
    assert_eq!(input_types.len(), 4, "one value per InputType variant");
    for value in input_types {
        serde_json::from_value::<InputType>(value.clone())
            .unwrap_or_else(|e| panic!("input type {value} is not an InputType: {e}"));
    }
    for value in values("/check/properties/severity/enum") {
        serde_json::from_value::<Severity>(value.clone())
            .unwrap_or_else(|e| panic!("severity {value} is not a Severity: {e}"));
    }
}

/// The census questionnaire with one edit applied at `pointer` (a JSON pointer).
fn broken_copy(pointer: &str, edit: impl FnOnce(&mut Value)) -> Value {
    let mut copy = read_json(&schemas_dir().join("rgph2024.json"));
    let target = copy
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("rgph2024.json has nothing at {pointer}"));
    edit(target);
    copy
}

/// The first question of the first section of the dwelling.
const FIRST_QUESTION: &str = "/root/sections/0/questions/0";

fn assert_rejected_at(instance: &Value, pointer: &str, expected_words: &str) {
    let problems = schema_problems(&validator(), instance);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(pointer) && p.contains(expected_words)),
        "expected a problem at {pointer} mentioning {expected_words:?}, got:\n{}",
        problems.join("\n")
    );
}

#[test]
fn an_unknown_question_type_is_rejected_by_the_schema_and_the_model() {
    let copy = broken_copy(FIRST_QUESTION, |q| q["type"] = json!("slider"));
    assert_rejected_at(&copy, &format!("{FIRST_QUESTION}/type"), "slider");
    let model = serde_json::from_value::<QuestionnaireFile>(copy);
    assert!(
        model.is_err(),
        "the model accepted a question of type slider"
    );
}

#[test]
fn a_question_without_a_label_is_rejected_by_the_schema_and_the_model() {
    let copy = broken_copy(FIRST_QUESTION, |q| {
        q.as_object_mut()
            .expect("a question is an object")
            .remove("label");
    });
    assert_rejected_at(&copy, FIRST_QUESTION, "label");
    let problems = schema_problems(&validator(), &copy);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("(dwelling > d_sec_location > d_address)")),
        "the message names the section and the question: {problems:?}"
    );
    assert!(serde_json::from_value::<QuestionnaireFile>(copy).is_err());
}

#[test]
fn an_unknown_field_is_rejected_by_the_schema_and_the_model() {
    let copy = broken_copy(FIRST_QUESTION, |q| q["colour"] = json!("red"));
    assert_rejected_at(&copy, FIRST_QUESTION, "colour");
    assert!(serde_json::from_value::<QuestionnaireFile>(copy).is_err());
}

#[test]
fn an_empty_translation_is_rejected_by_the_schema() {
    let copy = broken_copy(&format!("{FIRST_QUESTION}/label"), |label| {
        label["fr"] = json!(" ")
    });
    assert_rejected_at(&copy, &format!("{FIRST_QUESTION}/label/fr"), "");
}

#[test]
fn a_choice_question_without_a_choice_list_is_rejected_by_the_schema() {
    let copy = broken_copy("/root/sections/1/questions/0", |q| {
        assert_eq!(
            q["type"],
            json!("single_choice"),
            "the broken question is d_type"
        );
        q.as_object_mut()
            .expect("a question is an object")
            .remove("choices");
    });
    assert_rejected_at(&copy, "/root/sections/1/questions/0", "choices");
}

#[test]
fn a_bad_severity_in_a_nested_level_is_rejected_with_its_path() {
    let pointer = "/root/rosters/0/level/checks/0";
    let copy = broken_copy(pointer, |check| check["severity"] = json!("fatal"));
    assert_rejected_at(&copy, &format!("{pointer}/severity"), "fatal");
    assert!(serde_json::from_value::<QuestionnaireFile>(copy).is_err());
}

#[test]
fn an_unknown_name_in_an_expression_is_reported_with_the_file_and_path() {
    let pointer = "/root/sections/3";
    let copy = broken_copy(pointer, |section| {
        assert_eq!(section["id"], json!("d_sec_construction"));
        section["relevant"] = json!("d_occupancy = '1' and no_such_question");
    });
    let text = serde_json::to_string(&copy).expect("serializes");
    let problems = text_problems(&validator(), "broken.json", &text);
    assert!(
        problems.iter().any(|p| p.contains("broken.json")
            && p.contains(pointer)
            && p.contains("no_such_question")),
        "expected a load problem naming broken.json, {pointer} and the unknown name, got:\n{}",
        problems.join("\n")
    );
}

#[test]
fn an_unknown_translation_status_is_rejected_by_the_schema() {
    let copy = broken_copy("/translation_status", |s| s["zgh"] = json!("final"));
    assert_rejected_at(&copy, "/translation_status/zgh", "final");
}
