//! Text references: `{name}` inside labels, hints and messages. Pass 1 records the texts
//! that contain braces; [`Builder::texts`] parses them, checks every name is visible from
//! the text's row and lays out one node per text that reads the referenced values, so the
//! engine recomputes a text (and reports it changed) like any other node.

use std::collections::BTreeMap;

use crate::model::Translations;

use super::build::Builder;
use super::compiled::{CExpr, ItemKind, LevelIx, Name, NodeKind};

/// A piece of a text with references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    /// Literal text (braces unescaped).
    Lit(String),
    /// Index into [`TextC::refs`].
    Ref(usize),
}

/// What a text belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextOwner {
    /// A question's text.
    Item(usize),
    /// A check's message.
    Check(usize),
}

/// A compiled text with references.
#[derive(Debug, Clone)]
pub(crate) struct TextC {
    pub owner: TextOwner,
    /// Per language, the pieces of the text.
    pub parts: BTreeMap<String, Vec<Seg>>,
    /// The items referenced (questions, inputs), in order of first use.
    pub refs: Vec<usize>,
}

/// Which text of its owner a pending text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Label,
    Hint,
    Message,
}

/// A text waiting for [`Builder::texts`].
#[derive(Debug, Clone)]
pub(crate) struct PendingText {
    pub owner: TextOwner,
    pub field: Field,
    pub level: LevelIx,
    pub text: Translations,
    pub path: String,
    pub who: String,
}

/// Whether any language of `t` may hold a reference (or a brace to check).
pub(crate) fn has_braces(t: &Translations) -> bool {
    t.values().any(|s| s.contains('{') || s.contains('}'))
}

/// Splits a text into literal pieces and referenced names, or says where it is malformed
/// (byte offset, message).
pub(crate) fn split(text: &str) -> Result<Vec<(bool, String)>, (usize, String)> {
    let mut out: Vec<(bool, String)> = Vec::new();
    let mut lit = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, ch)) = chars.next() {
        match ch {
            '{' if chars.peek().map(|(_, c)| *c) == Some('{') => {
                chars.next();
                lit.push('{');
            }
            '}' if chars.peek().map(|(_, c)| *c) == Some('}') => {
                chars.next();
                lit.push('}');
            }
            '}' => {
                return Err((i, "a `}` without its `{`: write `}}` for a brace".into()));
            }
            '{' => {
                let mut name = String::new();
                let mut closed = false;
                for (_, c) in chars.by_ref() {
                    if c == '}' {
                        closed = true;
                        break;
                    }
                    name.push(c);
                }
                if !closed {
                    return Err((i, "a `{` without its `}`: write `{{` for a brace".into()));
                }
                let name = name.trim().to_string();
                if name.is_empty() {
                    return Err((i, "`{}` names nothing: put a question's id inside".into()));
                }
                if !lit.is_empty() {
                    out.push((false, std::mem::take(&mut lit)));
                }
                out.push((true, name));
            }
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        out.push((false, lit));
    }
    Ok(out)
}

impl Builder {
    /// Records a text of a question or check for [`Builder::texts`] if it has braces.
    pub(crate) fn pending_text(
        &mut self,
        owner: TextOwner,
        field: Field,
        level: LevelIx,
        text: &Translations,
        where_: (&str, &str),
    ) {
        if has_braces(text) {
            self.pending_texts.push(PendingText {
                owner,
                field,
                level,
                text: text.clone(),
                path: where_.0.to_string(),
                who: where_.1.to_string(),
            });
        }
    }

    /// Parses and checks every recorded text and lays out its node.
    pub fn texts(&mut self) {
        for p in std::mem::take(&mut self.pending_texts) {
            let mut parts = BTreeMap::new();
            let mut refs: Vec<usize> = Vec::new();
            let mut ok = true;
            for (lang, s) in &p.text {
                let loc = format!("{}/{lang}", p.path);
                let pieces = match split(s) {
                    Ok(pieces) => pieces,
                    Err((at, message)) => {
                        let column = s.get(..at).map_or(0, |x| x.chars().count()) + 1;
                        let column = u32::try_from(column).ok();
                        self.problem(Some(&p.who), &loc, column, message);
                        ok = false;
                        continue;
                    }
                };
                let mut segs = Vec::with_capacity(pieces.len());
                for (is_ref, piece) in pieces {
                    if !is_ref {
                        segs.push(Seg::Lit(piece));
                        continue;
                    }
                    match self.visible_item(&piece, p.level) {
                        Ok(item) => {
                            let ix = refs.iter().position(|r| *r == item).unwrap_or_else(|| {
                                refs.push(item);
                                refs.len() - 1
                            });
                            segs.push(Seg::Ref(ix));
                        }
                        Err(message) => {
                            self.problem(Some(&p.who), &loc, None, message);
                            ok = false;
                        }
                    }
                }
                parts.insert(lang.clone(), segs);
            }
            if !ok || refs.is_empty() {
                continue;
            }
            let tix = self.c.texts.len();
            let node = self.node(p.level, NodeKind::Text(tix));
            let depth = |b: &Builder, l: LevelIx| b.c.levels.get(l).map_or(0, |l| l.depth);
            let here = depth(self, p.level);
            let reads: Vec<CExpr> = refs
                .iter()
                .filter_map(|r| self.c.items.get(*r))
                .map(|it| CExpr::Node {
                    node: it.val_node,
                    up: here.saturating_sub(depth(self, it.level)),
                })
                .collect();
            if let Some(n) = self.c.nodes.get_mut(node) {
                n.expr = Some(CExpr::Call(crate::expr::ast::Function::Coalesce, reads));
            }
            self.c.texts.push(TextC {
                owner: p.owner,
                parts,
                refs,
            });
            match p.owner {
                TextOwner::Item(i) => {
                    if let Some(it) = self.c.items.get_mut(i) {
                        match p.field {
                            Field::Label => it.texts.label = Some((tix, node)),
                            Field::Hint => it.texts.hint = Some((tix, node)),
                            Field::Message => it.texts.message = Some((tix, node)),
                        }
                    }
                }
                TextOwner::Check(k) => {
                    if let Some(ck) = self.c.checks.get_mut(k) {
                        ck.text = Some((tix, node));
                    }
                }
            }
        }
    }

    /// The item `name` if it is visible from rows of `level`, else why not.
    fn visible_item(&self, name: &str, level: LevelIx) -> Result<usize, String> {
        let here = self.c.levels.get(level).map_or("?", |l| l.id.as_str());
        match self.c.names.get(name) {
            Some(Name::Item(ix)) => {
                let Some(it) = self.c.items.get(*ix) else {
                    return Err(format!("unknown name `{name}` in `{{{name}}}`"));
                };
                if matches!(
                    it.kind,
                    ItemKind::Question {
                        qtype: crate::model::QuestionType::Note,
                        ..
                    }
                ) {
                    return Err(format!("`{{{name}}}` names a note, which holds no value"));
                }
                if self.c.is_ancestor_or_self(it.level, level) {
                    Ok(*ix)
                } else {
                    let there = self.c.levels.get(it.level).map_or("?", |l| l.id.as_str());
                    Err(format!(
                        "`{{{name}}}` is asked in {there} rows, which a text of {here} rows \
                         cannot show: only the row's own and its ancestors' answers can be \
                         referenced (use a calculated question with an aggregate such as \
                         `count(…)` or `at(…)` and reference it)"
                    ))
                }
            }
            Some(Name::Roster(_)) => Err(format!(
                "`{{{name}}}` names a roster: reference a calculated question such as \
                 `count({name})` instead"
            )),
            None => Err(format!("unknown name `{name}` in `{{{name}}}`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn splits_references_and_escapes() {
        assert_eq!(
            split("Is {p_name} {{sure}}?").ok(),
            Some(vec![
                (false, "Is ".to_string()),
                (true, "p_name".to_string()),
                (false, " {sure}?".to_string())
            ])
        );
        assert!(split("a { b").is_err());
        assert!(split("a } b").is_err());
        assert!(split("{ }").is_err());
    }
}
