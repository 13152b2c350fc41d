//! Loading, file-wide part: format version, languages, reference date, title, choice
//! lists, and the translation rule every label follows.

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::model::{
    QUESTIONNAIRE_FORMAT_VERSION, QuestionnaireFile, TranslationStatus, Translations,
};

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
        for (lang, status) in &file.translation_status {
            let loc = format!("/translation_status/{lang}");
            if !self.languages.contains(lang) {
                self.problem(
                    None,
                    &loc,
                    None,
                    format!(
                        "translation_status names language '{lang}', which is not in languages"
                    ),
                );
            }
            if let TranslationStatus::Unknown(other) = status {
                self.problem(
                    None,
                    &loc,
                    None,
                    format!(
                        "translation status {other:?} of '{lang}' is unknown: write \"draft\" \
                         (not yet reviewed by a native speaker) or \"reviewed\""
                    ),
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

#[cfg(test)]
mod tests {
    use serde_json::{Value as J, json};

    use crate::load::{LoadReport, load_questionnaire};
    use crate::model::TranslationStatus;

    /// A small questionnaire in two languages, with `translation_status` set to `status`.
    fn file(status: J) -> J {
        let t = |fr: &str, zgh: &str| json!({"fr": fr, "zgh": zgh});
        json!({
            "format_version": 1,
            "id": "t",
            "version": "1",
            "title": t("Titre", "ⴰⵣⵡⵍ"),
            "languages": ["fr", "zgh"],
            "translation_status": status,
            "reference_date": "2024-09-01",
            "root": {"id": "d", "label": t("Logement", "ⵜⴰⵣⴷⴷⵖⵜ"), "sections": [
                {"id": "s", "label": t("Section", "ⴰⴳⵣⵣⵓⵎ"), "questions": [
                    {"id": "q", "type": "integer", "label": t("Pièces", "ⵜⵉⵅⵅⴰⵎⵉⵏ")}]}]}
        })
    }

    fn load(doc: &J) -> Result<(), LoadReport> {
        load_questionnaire("t.json", &doc.to_string()).map(|_| ())
    }

    #[test]
    fn a_draft_language_loads_and_reads_back() {
        let doc = file(json!({"zgh": "draft", "fr": "reviewed"}));
        assert!(load(&doc).is_ok(), "{:?}", load(&doc).err());
        let parsed: crate::model::QuestionnaireFile =
            serde_json::from_value(doc).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            parsed.translation_status.get("zgh"),
            Some(&TranslationStatus::Draft)
        );
        assert_eq!(
            parsed.translation_status.get("fr"),
            Some(&TranslationStatus::Reviewed)
        );
        let back = serde_json::to_value(&parsed).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            back["translation_status"],
            json!({"fr": "reviewed", "zgh": "draft"})
        );
    }

    #[test]
    fn an_undeclared_language_and_an_unknown_status_are_refused_with_their_paths() {
        let report = match load(&file(json!({"kab": "draft", "zgh": "final"}))) {
            Ok(()) => panic!("the file loaded"),
            Err(r) => r,
        };
        assert_eq!(report.problems.len(), 2, "{report}");
        let lang = &report.problems[0];
        assert_eq!(lang.location, "/translation_status/kab");
        assert!(
            lang.message.contains("'kab', which is not in languages"),
            "{}",
            lang.message
        );
        let status = &report.problems[1];
        assert_eq!(status.location, "/translation_status/zgh");
        assert!(status.message.contains("\"final\""), "{}", status.message);
        assert!(status.message.contains("\"draft\""), "{}", status.message);
    }
}
