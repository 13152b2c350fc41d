//! Texts with references (`{name}` in labels, hints and messages), resolved for a row and
//! a language: each value shown as the enumerator reads it in that language.

use crate::load::compiled::{ItemKind, NodeIx};
use crate::load::text;
use crate::load::texts::Seg;
use crate::model::Translations;
use crate::value::Value;

use super::{Case, RowPath};

/// "yes"/"no" in a language.
fn yes_no(b: bool, lang: &str) -> &'static str {
    match (lang, b) {
        ("fr", true) => "oui",
        ("fr", false) => "non",
        ("ar", true) => "نعم",
        ("ar", false) => "لا",
        ("zgh", true) => "ⵢⴰⵀ",
        ("zgh", false) => "ⵓⵀⵓ",
        (_, true) => "yes",
        (_, false) => "no",
    }
}

impl Case {
    /// A question's label in `lang` for `row`, with its `{name}` references filled in.
    pub fn label(&self, row: &RowPath, question_id: &str, lang: &str) -> String {
        let Some((key, item)) = self
            .key(row)
            .ok()
            .and_then(|k| Some((k, self.item_here(k, question_id).ok()?)))
        else {
            return String::new();
        };
        let Some(it) = self.c().items.get(item) else {
            return String::new();
        };
        match &it.label {
            Some(t) => self.resolve_in(t, it.texts.label, key, lang),
            None => String::new(),
        }
    }

    /// A question's hint in `lang` for `row`, with its references filled in.
    pub fn hint(&self, row: &RowPath, question_id: &str, lang: &str) -> Option<String> {
        let key = self.key(row).ok()?;
        let item = self.item_here(key, question_id).ok()?;
        let it = self.c().items.get(item)?;
        match &it.kind {
            ItemKind::Question { hint: Some(h), .. } => {
                Some(self.resolve_in(h, it.texts.hint, key, lang))
            }
            _ => None,
        }
    }

    /// Every language of `t` resolved in row `key`.
    pub(crate) fn resolve_all(
        &self,
        t: &Translations,
        refs: Option<(usize, NodeIx)>,
        key: usize,
    ) -> Translations {
        if refs.is_none() {
            return t.clone();
        }
        t.keys()
            .map(|lang| (lang.clone(), self.resolve_in(t, refs, key, lang)))
            .collect()
    }

    /// `t` in `lang` (with the usual fallback), its references filled in from row `key`.
    pub(crate) fn resolve_in(
        &self,
        t: &Translations,
        refs: Option<(usize, NodeIx)>,
        key: usize,
        lang: &str,
    ) -> String {
        let raw = text(t, lang);
        let Some(tc) = refs.and_then(|(ix, _)| self.c().texts.get(ix)) else {
            return raw.to_string();
        };
        // The language whose text `text` fell back to.
        let used = t
            .iter()
            .find(|(l, s)| l.as_str() == lang && !s.is_empty())
            .or_else(|| t.iter().find(|(_, s)| !s.is_empty()))
            .map_or(lang, |(l, _)| l.as_str());
        let Some(segs) = tc.parts.get(used) else {
            return raw.to_string();
        };
        let mut out = String::with_capacity(raw.len() + 16);
        for seg in segs {
            match seg {
                Seg::Lit(s) => out.push_str(s),
                Seg::Ref(r) => {
                    if let Some(item) = tc.refs.get(*r) {
                        out.push_str(&self.show(*item, key, lang));
                    }
                }
            }
        }
        out
    }

    /// The value of `item` seen from row `key`, written for a reader of `lang`.
    fn show(&self, item: usize, key: usize, lang: &str) -> String {
        let c = self.c();
        let Some(it) = c.items.get(item) else {
            return String::new();
        };
        let v = self
            .ancestor_at(key, it.level)
            .map_or(Value::Null, |k| self.node_value(it.val_node, k));
        let choice = |code: &str| -> String {
            match &it.kind {
                ItemKind::Question { list: Some(l), .. } => c
                    .choice_lists
                    .get(l)
                    .and_then(|l| l.iter().find(|ch| ch.code == code))
                    .map_or_else(|| code.to_string(), |ch| text(&ch.label, lang).to_string()),
                _ => code.to_string(),
            }
        };
        match v {
            Value::Null => "…".to_string(),
            Value::Bool(b) => yes_no(b, lang).to_string(),
            Value::Integer(i) => i.to_string(),
            Value::Decimal(d) if lang == "fr" => d.to_string().replace('.', ","),
            Value::Decimal(d) => d.to_string(),
            Value::Text(s) => choice(&s),
            Value::Multi(codes) => codes
                .iter()
                .map(|code| choice(code))
                .collect::<Vec<_>>()
                .join(", "),
            Value::Date(d) if lang == "en" => d.format("%Y-%m-%d").to_string(),
            Value::Date(d) => d.format("%d/%m/%Y").to_string(),
            Value::Gps(p) => format!("{:.5}, {:.5}", p.lat, p.lon),
        }
    }
}
