//! Paths and helpers shared by the import tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use census_forms::error::ImportReport;
use census_forms::{Options, import_xlsx, to_json};

/// A file of `forms/tests/forms/`.
pub fn form(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("forms")
        .join(name)
}

/// A file of the workspace's `schemas/`.
pub fn schema_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("schemas")
        .join(name)
}

/// Imports a test form into JSON text, or panics with the report.
pub fn import_json(name: &str) -> String {
    match import_xlsx(&form(name), &Options::default()) {
        Ok(file) => to_json(&file),
        Err(report) => panic!("{name} does not import:\n{report}"),
    }
}

/// The report of a test form that must not import.
pub fn import_errors(name: &str) -> ImportReport {
    match import_xlsx(&form(name), &Options::default()) {
        Ok(_) => panic!("{name} imported although it is broken"),
        Err(report) => report,
    }
}

/// Validates questionnaire JSON against `schemas/questionnaire.schema.json`.
pub fn schema_problems(json: &str) -> Vec<String> {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(schema_file("questionnaire.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let instance: serde_json::Value = serde_json::from_str(json).unwrap();
    validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}
