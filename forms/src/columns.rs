//! Column headers: translated columns (`label::French (fr)`), the languages they name, and
//! reading one translated text of a row.

use census_core::model::Translations;

use crate::error::ImportReport;
use crate::sheet::{Column, Row, Sheet, cell};

/// Bases of the columns that carry a text per language.
pub const TRANSLATED: &[&str] = &["label", "hint", "constraint_message"];

/// A header split into its base and the language it is written in, if any:
/// `label::French (fr)` → (`label`, `Some("fr")`); `label` → (`label`, `None`).
pub fn split_header(header: &str) -> (String, Option<String>) {
    let (base, lang) = match header.split_once("::") {
        Some((b, l)) => (b, Some(l)),
        None => match header.split_once(':') {
            Some((b, l)) => (b, Some(l)),
            None => (header, None),
        },
    };
    (
        base.trim().to_ascii_lowercase(),
        lang.map(language_code).filter(|l| !l.is_empty()),
    )
}

/// The code of a language as XLSForm writes it: `French (fr)` → `fr`; `French` → `French`.
pub fn language_code(name: &str) -> String {
    let name = name.trim();
    match (name.rfind('('), name.ends_with(')')) {
        (Some(open), true) => name
            .get(open + 1..name.len() - 1)
            .unwrap_or(name)
            .trim()
            .to_string(),
        _ => name.to_string(),
    }
}

/// The languages of the form, in order of first appearance, and the language of columns
/// written without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Languages {
    /// Every language code, in order.
    pub codes: Vec<String>,
    /// The language of `label`, `hint`, … written without `::Language`.
    pub default: String,
}

impl Languages {
    /// Collects the languages of the translated columns of the given sheets.
    pub fn collect(default: &str, sheets: &[&Sheet]) -> Languages {
        let mut codes: Vec<String> = Vec::new();
        for sheet in sheets {
            for column in &sheet.columns {
                let (base, lang) = split_header(&column.header);
                if !TRANSLATED.contains(&base.as_str()) {
                    continue;
                }
                let code = lang.unwrap_or_else(|| default.to_string());
                if !codes.contains(&code) {
                    codes.push(code);
                }
            }
        }
        if codes.is_empty() {
            codes.push(default.to_string());
        }
        Languages {
            codes,
            default: default.to_string(),
        }
    }

    /// The columns of `sheet` with base `base`, each with its language.
    pub fn columns<'s>(&self, sheet: &'s Sheet, base: &str) -> Vec<(String, &'s Column)> {
        sheet
            .columns
            .iter()
            .filter_map(|c| {
                let (b, lang) = split_header(&c.header);
                (b == base).then(|| (lang.unwrap_or_else(|| self.default.clone()), c))
            })
            .collect()
    }

    /// The text of `row` in each language for `base`. `None` when every language is empty;
    /// otherwise each empty language is reported at its cell (or, with no column for it,
    /// at the row) and left out.
    pub fn texts(
        &self,
        sheet: &Sheet,
        row: &Row,
        base: &str,
        report: &mut ImportReport,
    ) -> Option<Translations> {
        let columns = self.columns(sheet, base);
        let mut out = Translations::new();
        for (lang, column) in &columns {
            if let Some(text) = cell(row, column) {
                out.insert(lang.clone(), text.to_string());
            }
        }
        if out.is_empty() {
            return None;
        }
        for lang in &self.codes {
            if out.contains_key(lang) {
                continue;
            }
            let location = match columns.iter().find(|(l, _)| l == lang) {
                Some((_, column)) => sheet.at(row, column),
                None => sheet.at_name(row, base),
            };
            report.push(
                location,
                &format!("{base} in language {lang}"),
                format!("the {base} is given in other languages but not in {lang}: add it"),
            );
        }
        Some(out)
    }

    /// The same text in every language (names used as labels, generated items).
    pub fn same(&self, text: &str) -> Translations {
        self.codes
            .iter()
            .map(|l| (l.clone(), text.to_string()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        assert_eq!(
            split_header("label::Français (fr)"),
            ("label".to_string(), Some("fr".to_string()))
        );
        assert_eq!(
            split_header("Hint:English"),
            ("hint".to_string(), Some("English".to_string()))
        );
        assert_eq!(split_header("relevant"), ("relevant".to_string(), None));
    }
}
