//! Loading, file-wide part: format version, languages, reference date, title, choice
//! lists, and the translation rule every label follows.

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::model::{QUESTIONNAIRE_FORMAT_VERSION, QuestionnaireFile, Translations};

use super::build::Builder;

impl Builder {
    pub(crate) fn header(&mut self, file: &QuestionnaireFile) {
        if file.format_version != QUESTIONNAIRE_FORMAT_VERSION {
            self.problem(
                None,
                "/format_version",
                None,
                format!(
                    "format_version {} is not supported: this program reads version {}",
                    file.format_version, QUESTIONNAIRE_FORMAT_VERSION
                ),
            );
        }
        if file.id.trim().is_empty() {
            self.problem(None, "/id", None, "the questionnaire id is empty".into());
        }
        if file.languages.is_empty() {
            self.problem(None, "/languages", None, "no language is declared".into());
        }
        let mut seen = HashSet::new();
        for (i, lang) in file.languages.iter().enumerate() {
            if !seen.insert(lang) {
                self.problem(
                    None,
                    &format!("/languages/{i}"),
                    None,
                    format!("language '{lang}' is listed twice"),
                );
            }
        }
        for (i, lang) in self.required.clone().iter().enumerate() {
            if !self.languages.contains(lang) {
                self.problem(
                    None,
                    &format!("/required_languages/{i}"),
                    None,
                    format!("required language '{lang}' is not in languages"),
                );
            }
        }
        match NaiveDate::parse_from_str(&file.reference_date, "%Y-%m-%d") {
            Ok(d) => self.c.reference_date = d,
            Err(_) => self.problem(
                None,
                "/reference_date",
                None,
                format!(
                    "reference_date {:?} is not a valid date YYYY-MM-DD",
                    file.reference_date
                ),
            ),
        }
        self.translations(&file.title, None, "/title", "the title");
        for (name, list) in &file.choice_lists {
            let mut codes = HashSet::new();
            if list.is_empty() {
                self.problem(
                    None,
                    &format!("/choice_lists/{name}"),
                    None,
                    format!("choice list '{name}' has no choices"),
                );
            }
            for (i, choice) in list.iter().enumerate() {
                let loc = format!("/choice_lists/{name}/{i}");
                if !codes.insert(choice.code.clone()) {
                    self.problem(
                        None,
                        &format!("{loc}/code"),
                        None,
                        format!(
                            "choice code '{}' appears twice in list '{name}'",
                            choice.code
                        ),
                    );
                }
                self.translations(
                    &choice.label,
                    None,
                    &format!("{loc}/label"),
                    &format!("choice '{}' of list '{name}'", choice.code),
                );
            }
        }
    }

    /// Checks a translation object: every required language present and non-empty, no
    /// undeclared language.
    pub fn translations(&mut self, t: &Translations, who: Option<&str>, loc: &str, what: &str) {
        for lang in self.required.clone() {
            match t.get(&lang) {
                Some(text) if !text.trim().is_empty() => {}
                Some(_) => {
                    self.problem(who, loc, None, format!("{what} has an empty '{lang}' text"))
                }
                None => self.problem(who, loc, None, format!("{what} has no '{lang}' text")),
            }
        }
        for lang in t.keys() {
            if !self.languages.contains(lang) {
                self.problem(
                    who,
                    loc,
                    None,
                    format!("{what} has a '{lang}' text, but '{lang}' is not in languages"),
                );
            }
        }
    }
}
