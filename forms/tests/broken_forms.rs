//! Broken XLSForms give errors located by sheet, row and column, naming the construct;
//! every problem of a form is reported, not only the first.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use census_forms::error::ImportError;
use support::import_errors;

/// The errors as `sheet row column: construct` lines, for readable assertions.
fn located(errors: &[ImportError]) -> Vec<String> {
    errors
        .iter()
        .map(|e| {
            format!(
                "{} {} {}: {}",
                e.location.sheet, e.location.row, e.location.column, e.construct
            )
        })
        .collect()
}

#[test]
fn unknown_type_is_located() {
    let report = import_errors("unknown_type.xlsx");
    assert_eq!(located(&report.errors), ["survey 3 A: type integr"]);
    assert!(report.errors[0].message.contains("unknown XLSForm type"));
    assert!(
        report
            .to_string()
            .contains("sheet survey, row 3, column A (type)"),
        "{report}"
    );
}

#[test]
fn bad_expressions_are_located_and_named() {
    let report = import_errors("bad_expression.xlsx");
    assert_eq!(
        located(&report.errors),
        [
            "survey 3 D: end of expression",
            "survey 4 D: function pulldata()",
            "survey 5 D: XPath path `/`",
            "survey 6 D: ${nobody}",
            "survey 7 E: column appearance",
        ],
        "{report}"
    );
    assert!(report.errors[1].message.contains("character 1"), "{report}");
}

#[test]
fn missing_choice_list_is_located() {
    let report = import_errors("missing_list.xlsx");
    assert_eq!(located(&report.errors), ["survey 2 A: choice list colours"]);
    assert!(report.errors[0].message.contains("no list of this name"));
}

#[test]
fn unclosed_repeat_and_group_are_located() {
    let report = import_errors("unclosed_repeat.xlsx");
    assert_eq!(
        located(&report.errors),
        [
            "survey 4 : begin group details",
            "survey 7 : begin repeat visits",
        ],
        "{report}"
    );
    assert!(report.errors[1].message.contains("never closed"));
}

#[test]
fn loader_errors_point_at_the_survey_row() {
    let report = import_errors("type_error.xlsx");
    assert_eq!(
        located(&report.errors),
        ["survey 3 : census loader"],
        "{report}"
    );
    assert!(
        report.errors[0]
            .message
            .contains("compared with an integer"),
        "{report}"
    );
}
