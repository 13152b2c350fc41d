//! The review page's language: Arabic (right to left), French or English, with the same
//! strings as the tablet (`assets/i18n/{ar,fr,en}.json`, keys of the page's own prefixed
//! `web_`). Chosen by `?lang=`, remembered in a cookie, else from the browser's
//! `Accept-Language`, else English.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::{HeaderMap, HeaderValue, header};

use super::auth::cookie;
use super::html::esc;
use super::page_guard::{over_tls, set_cookie};

/// The cookie that remembers the page's language.
pub const LANG_COOKIE: &str = "census_lang";

/// How long the language is remembered (a year).
const LANG_SECONDS: i64 = 365 * 24 * 3600;

/// A language of the review page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PageLang {
    /// Arabic, right to left.
    Ar,
    /// French.
    Fr,
    /// English (the default).
    #[default]
    En,
}

impl PageLang {
    /// Every language, in the order the switch lists them.
    pub const ALL: [PageLang; 3] = [PageLang::Ar, PageLang::Fr, PageLang::En];

    /// The code (`ar`, `fr`, `en`): the `lang` attribute, the cookie and `?lang=`.
    pub fn code(self) -> &'static str {
        match self {
            PageLang::Ar => "ar",
            PageLang::Fr => "fr",
            PageLang::En => "en",
        }
    }

    /// The language of a code (or of a language tag's primary subtag: `fr-MA`).
    pub fn parse(code: &str) -> Option<PageLang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        PageLang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The language's name written in itself (what the switch shows).
    pub fn native_name(self) -> &'static str {
        match self {
            PageLang::Ar => "العربية",
            PageLang::Fr => "Français",
            PageLang::En => "English",
        }
    }

    /// `rtl` or `ltr`.
    pub fn dir(self) -> &'static str {
        if self == PageLang::Ar { "rtl" } else { "ltr" }
    }

    /// The text of `key` (English when missing in this language; empty when unknown: a test
    /// checks that every `web_` key is in every language).
    pub fn t(self, key: &str) -> &'static str {
        let tables = &*TABLES;
        tables
            .get(&self)
            .and_then(|t| t.get(key))
            .or_else(|| tables.get(&PageLang::En).and_then(|t| t.get(key)))
            .map_or("", String::as_str)
    }

    /// The text of `key` with each `{name}` replaced by its value (values as given: escape
    /// the result).
    pub fn fill(self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.t(key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// [`PageLang::t`], escaped for HTML.
    pub fn h(self, key: &str) -> String {
        esc(self.t(key))
    }
}

/// The tablet's translation files (the page reads the same strings).
const FILES: [(PageLang, &str); 3] = [
    (PageLang::Ar, include_str!("../../../assets/i18n/ar.json")),
    (PageLang::Fr, include_str!("../../../assets/i18n/fr.json")),
    (PageLang::En, include_str!("../../../assets/i18n/en.json")),
];

static TABLES: LazyLock<HashMap<PageLang, HashMap<String, String>>> = LazyLock::new(|| {
    FILES
        .into_iter()
        .map(|(lang, json)| (lang, serde_json::from_str(json).unwrap_or_default()))
        .collect()
});

/// The language preferred by `Accept-Language` among the page's, if any.
fn from_accept_language(headers: &HeaderMap) -> Option<PageLang> {
    let value = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut best: Option<(f32, PageLang)> = None;
    for part in value.split(',') {
        let mut pieces = part.split(';');
        let Some(lang) = pieces.next().and_then(PageLang::parse) else {
            continue;
        };
        let q = pieces
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

/// The page's language for a request: `asked` (`?lang=`), else the cookie, else
/// `Accept-Language`, else English; with the `Set-Cookie` value to send when `asked` named
/// a language (the choice is remembered).
pub fn choose(headers: &HeaderMap, asked: Option<&str>) -> (PageLang, Option<HeaderValue>) {
    if let Some(lang) = asked.and_then(PageLang::parse) {
        let value = set_cookie(
            LANG_COOKIE,
            lang.code(),
            "/review",
            LANG_SECONDS,
            over_tls(headers),
        );
        return (lang, HeaderValue::from_str(&value).ok());
    }
    let remembered = cookie(headers, LANG_COOKIE).and_then(|c| PageLang::parse(&c));
    (
        remembered
            .or_else(|| from_accept_language(headers))
            .unwrap_or_default(),
        None,
    )
}

/// The language of a request, without remembering anything (forms' answers).
pub fn of_request(headers: &HeaderMap) -> PageLang {
    choose(headers, None).0
}

/// Links to the page at `path` in each other language.
pub fn switch_links(current: PageLang, path: &str) -> String {
    let mut out = String::from("<nav class=\"lang\">");
    for lang in PageLang::ALL {
        if lang == current {
            out.push_str(&format!(
                "<b lang=\"{c}\">{}</b> ",
                lang.native_name(),
                c = lang.code()
            ));
        } else {
            out.push_str(&format!(
                "<a href=\"{}?lang={c}\" lang=\"{c}\" hreflang=\"{c}\">{}</a> ",
                esc(path),
                lang.native_name(),
                c = lang.code()
            ));
        }
    }
    out.push_str("</nav>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for &(k, v) in pairs {
            h.append(k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn every_page_key_is_in_every_language() {
        let en = TABLES.get(&PageLang::En).unwrap();
        let keys: Vec<&String> = en.keys().filter(|k| k.starts_with("web_")).collect();
        assert!(keys.len() > 20, "{keys:?}");
        for lang in PageLang::ALL {
            for key in &keys {
                assert!(
                    TABLES[&lang]
                        .get(*key)
                        .is_some_and(|t| !t.trim().is_empty()),
                    "{} lacks {key}",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn the_asked_language_wins_then_the_cookie_then_the_browser() {
        let (lang, set) = choose(&headers(&[("cookie", "census_lang=fr")]), Some("ar"));
        assert_eq!(lang, PageLang::Ar);
        assert!(
            set.unwrap()
                .to_str()
                .unwrap()
                .starts_with("census_lang=ar;")
        );
        let h = headers(&[
            ("cookie", "census_lang=fr"),
            ("accept-language", "ar-MA,ar;q=0.9"),
        ]);
        assert_eq!(choose(&h, None), (PageLang::Fr, None));
        let h = headers(&[("accept-language", "de-DE, en;q=0.5, ar-MA;q=0.8")]);
        assert_eq!(of_request(&h), PageLang::Ar);
        assert_eq!(of_request(&headers(&[])), PageLang::En);
        assert_eq!(choose(&headers(&[]), Some("xx")).0, PageLang::En);
        assert_eq!(PageLang::Ar.dir(), "rtl");
        assert_eq!(
            PageLang::Fr.fill("open_review_n", &[("n", "3")]),
            "Questionnaires à réviser (3)"
        );
    }
}
