//! The app's own strings (buttons, titles, messages) in Arabic, French, Tamazight and English.
//!
//! Questionnaire texts come from the questionnaire file; these are the screens' strings,
//! kept in `assets/i18n/{ar,fr,zgh,en}.json` (a flat object `key → text`, `{name}` marks a
//! value filled in at run time). A key missing in one language falls back to English, then
//! to the key itself, so a gap shows as a readable word and never as a crash.

use std::collections::HashMap;

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Arabic (right to left).
    Ar,
    /// French.
    #[default]
    Fr,
    /// Tamazight, in Tifinagh.
    Zgh,
    /// English.
    En,
}

impl Lang {
    /// Every language, in menu order.
    pub const ALL: [Lang; 4] = [Lang::Ar, Lang::Fr, Lang::Zgh, Lang::En];

    /// The code used in files (`ar`, `fr`, `zgh`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::Fr => "fr",
            Lang::Zgh => "zgh",
            Lang::En => "en",
        }
    }

    /// The language from its code, if known.
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language's name written in itself (what the language menu shows).
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Ar => "العربية",
            Lang::Fr => "Français",
            Lang::Zgh => "ⵜⴰⵎⴰⵣⵉⵖⵜ",
            Lang::En => "English",
        }
    }

    /// Whether the language is written right to left.
    pub fn is_rtl(self) -> bool {
        self == Lang::Ar
    }
}

/// The screens' strings in every language.
#[derive(Debug, Clone)]
pub struct Strings {
    tables: HashMap<Lang, HashMap<String, String>>,
}

/// The bundled translation files, by language.
pub const BUNDLED: [(Lang, &str); 4] = [
    (Lang::Ar, include_str!("../assets/i18n/ar.json")),
    (Lang::Fr, include_str!("../assets/i18n/fr.json")),
    (Lang::Zgh, include_str!("../assets/i18n/zgh.json")),
    (Lang::En, include_str!("../assets/i18n/en.json")),
];

impl Strings {
    /// Loads the bundled translation files. A file that does not parse is reported by
    /// [`Strings::problems`] and its language falls back to English.
    pub fn bundled() -> Strings {
        let mut tables = HashMap::new();
        for (lang, json) in BUNDLED {
            let table = serde_json::from_str::<HashMap<String, String>>(json).unwrap_or_default();
            tables.insert(lang, table);
        }
        Strings { tables }
    }

    /// Problems in the bundled files: unparsable files and keys missing in a language
    /// (compared with English). Empty when everything is translated.
    pub fn problems() -> Vec<String> {
        let mut out = Vec::new();
        let mut parsed = Vec::new();
        for (lang, json) in BUNDLED {
            match serde_json::from_str::<HashMap<String, String>>(json) {
                Ok(t) => parsed.push((lang, t)),
                Err(e) => out.push(format!("assets/i18n/{}.json: {e}", lang.code())),
            }
        }
        let Some((_, english)) = parsed.iter().find(|(l, _)| *l == Lang::En) else {
            return out;
        };
        for (lang, table) in &parsed {
            for key in english.keys() {
                if table.get(key).is_none_or(|t| t.trim().is_empty()) {
                    out.push(format!(
                        "assets/i18n/{}.json: missing \"{key}\"",
                        lang.code()
                    ));
                }
            }
            for key in table.keys() {
                if !english.contains_key(key) {
                    out.push(format!(
                        "assets/i18n/{}.json: unknown \"{key}\"",
                        lang.code()
                    ));
                }
            }
        }
        out
    }

    /// The text of `key` in `lang` (English, then the key itself, when missing).
    pub fn get<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        self.tables
            .get(&lang)
            .and_then(|t| t.get(key))
            .or_else(|| self.tables.get(&Lang::En).and_then(|t| t.get(key)))
            .map_or(key, String::as_str)
    }

    /// The text of `key` with each `{name}` replaced by its value.
    pub fn fill(&self, lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.get(lang, key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

/// The strings of one language, as the screens use them.
#[derive(Debug, Clone, Copy)]
pub struct Tr<'a> {
    /// All strings.
    pub strings: &'a Strings,
    /// The language shown.
    pub lang: Lang,
}

impl<'a> Tr<'a> {
    /// The text of `key`.
    pub fn t(&self, key: &'a str) -> &'a str {
        self.strings.get(self.lang, key)
    }

    /// The text of `key` with its `{name}` placeholders filled.
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.strings.fill(self.lang, key, args)
    }

    /// A code, number or date kept left to right inside right-to-left text (wrapped in a
    /// left-to-right isolate in Arabic, unchanged otherwise): `07-041-0012` must not read
    /// `0012-041-07`.
    pub fn ltr(&self, text: &str) -> String {
        if self.rtl() {
            format!("\u{2066}{text}\u{2069}")
        } else {
            text.to_owned()
        }
    }

    /// Whether the layout is mirrored (right to left).
    pub fn rtl(&self) -> bool {
        self.lang.is_rtl()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key() {
        assert_eq!(Strings::problems(), Vec::<String>::new());
    }

    #[test]
    fn fills_placeholders_and_falls_back() {
        let s = Strings::bundled();
        let text = s.fill(Lang::En, "outbox_waiting", &[("n", "3")]);
        assert!(text.contains('3'), "{text}");
        assert_eq!(s.get(Lang::Ar, "no.such.key"), "no.such.key");
        assert!(
            s.get(Lang::Zgh, "unlock")
                .chars()
                .any(|c| ('\u{2D30}'..='\u{2D7F}').contains(&c))
        );
    }

    #[test]
    fn codes_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
    }
}
