//! The compiled questionnaire and its read-only accessors for the UI.

use chrono::NaiveDate;

use crate::engine::RowPath;
use crate::model::{InputType, QuestionType, Translations};
use crate::value::Type;

use super::compiled::{Compiled, ItemKind, Name, Part};

/// A validated, compiled questionnaire, shared (in an `Arc`) by every case that uses it.
#[derive(Debug, Clone)]
pub struct Questionnaire {
    pub(crate) c: Compiled,
    /// The items coverage reads: the file's `coverage` block, checked; `None` without one.
    pub(crate) coverage: Option<crate::coverage::ItemMap>,
}

/// The text of `t` in `lang`, else in the first language that has one, else "".
pub fn text<'a>(t: &'a Translations, lang: &str) -> &'a str {
    t.get(lang)
        .filter(|s| !s.is_empty())
        .or_else(|| t.values().find(|s| !s.is_empty()))
        .map_or("", String::as_str)
}

/// A question (or an input) as the UI shows it.
#[derive(Debug, Clone, Copy)]
pub struct QuestionInfo<'a> {
    q: &'a Questionnaire,
    item: usize,
}

impl<'a> QuestionInfo<'a> {
    fn item(&self) -> Option<&'a super::compiled::ItemC> {
        self.q.c.items.get(self.item)
    }

    /// The question id.
    pub fn id(&self) -> &'a str {
        self.item().map_or("", |i| i.id.as_str())
    }

    /// The question type; `None` for an input.
    pub fn question_type(&self) -> Option<QuestionType> {
        match self.item()?.kind {
            ItemKind::Question { qtype, .. } => Some(qtype),
            ItemKind::Input(_) => None,
        }
    }

    /// The input type; `None` for a question.
    pub fn input_type(&self) -> Option<InputType> {
        match self.item()?.kind {
            ItemKind::Input(t) => Some(t),
            ItemKind::Question { .. } => None,
        }
    }

    /// The value type (for calculated questions, the type of the calculation).
    pub fn value_type(&self) -> Type {
        self.item().map_or(Type::Null, |i| i.ty)
    }

    /// The label in `lang` (with fallback).
    pub fn label(&self, lang: &str) -> &'a str {
        self.item()
            .and_then(|i| i.label.as_ref())
            .map_or("", |t| text(t, lang))
    }

    /// The hint in `lang`, if the question has one.
    pub fn hint(&self, lang: &str) -> Option<&'a str> {
        match &self.item()?.kind {
            ItemKind::Question { hint: Some(h), .. } => Some(text(h, lang)),
            _ => None,
        }
    }

    /// Whether an answer is required while relevant.
    pub fn required(&self) -> bool {
        matches!(
            self.item().map(|i| &i.kind),
            Some(ItemKind::Question { required: true, .. })
        )
    }

    /// Every choice of the question's list as (code, label in `lang`), before filters.
    pub fn choices(&self, lang: &str) -> Vec<(&'a str, &'a str)> {
        let Some(ItemKind::Question {
            list: Some(list), ..
        }) = self.item().map(|i| &i.kind)
        else {
            return Vec::new();
        };
        self.q
            .c
            .choice_lists
            .get(list)
            .map(|l| {
                l.iter()
                    .map(|c| (c.code.as_str(), text(&c.label, lang)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The calculated question or input whose value pre-fills this question while it has
    /// no answer (`fill_from`), if any.
    pub fn fill_from(&self) -> Option<&'a str> {
        let source = self.item()?.fill_from?;
        self.q.c.items.get(source).map(|i| i.id.as_str())
    }

    /// The id of the section holding the question (`None` for an input).
    pub fn section(&self) -> Option<&'a str> {
        match self.item()?.kind {
            ItemKind::Question { section, .. } => {
                self.q.c.sections.get(section).map(|s| s.id.as_str())
            }
            ItemKind::Input(_) => None,
        }
    }

    /// The id of the level whose rows hold the question.
    pub fn level(&self) -> &'a str {
        self.item()
            .and_then(|i| self.q.c.levels.get(i.level))
            .map_or("", |l| l.id.as_str())
    }
}

/// A section or a roster of a level, in interview order ([`Questionnaire::level_parts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelPart<'a> {
    /// A section, by id.
    Section(&'a str),
    /// A roster, by id.
    Roster(&'a str),
}

/// A roster as the UI shows it.
#[derive(Debug, Clone, Copy)]
pub struct RosterInfo<'a> {
    q: &'a Questionnaire,
    roster: usize,
}

impl<'a> RosterInfo<'a> {
    fn r(&self) -> Option<&'a super::compiled::RosterC> {
        self.q.c.rosters.get(self.roster)
    }

    /// The roster id.
    pub fn id(&self) -> &'a str {
        self.r().map_or("", |r| r.id.as_str())
    }

    /// The roster's title in `lang`.
    pub fn label(&self, lang: &str) -> &'a str {
        self.r().map_or("", |r| text(&r.label, lang))
    }

    /// Fewest rows for completion.
    pub fn min_rows(&self) -> u32 {
        self.r().map_or(0, |r| r.min_rows)
    }

    /// Most rows allowed.
    pub fn max_rows(&self) -> u32 {
        self.r().map_or(0, |r| r.max_rows)
    }

    /// The level of each row.
    pub fn level(&self) -> &'a str {
        self.r()
            .and_then(|r| self.q.c.levels.get(r.level))
            .map_or("", |l| l.id.as_str())
    }

    /// The level owning the roster (the parent rows).
    pub fn owner(&self) -> &'a str {
        self.r()
            .and_then(|r| self.q.c.levels.get(r.owner))
            .map_or("", |l| l.id.as_str())
    }
}

impl Questionnaire {
    /// The questionnaire id, e.g. `rgph2024`.
    pub fn id(&self) -> &str {
        &self.c.id
    }

    /// The content version stored with every case.
    pub fn version(&self) -> &str {
        &self.c.version
    }

    /// Offered languages, in menu order.
    pub fn languages(&self) -> &[String] {
        &self.c.languages
    }

    /// Whether the file marks its texts in `lang` as a draft, not yet reviewed by a native
    /// speaker (`translation_status`): the tablet says so to the enumerator.
    pub fn is_draft_translation(&self, lang: &str) -> bool {
        self.c.draft_languages.iter().any(|l| l == lang)
    }

    /// The title in `lang` (with fallback).
    pub fn title(&self, lang: &str) -> &str {
        text(&self.c.title, lang)
    }

    /// The census reference date.
    pub fn reference_date(&self) -> NaiveDate {
        self.c.reference_date
    }

    /// Level ids, root first, in file order.
    pub fn levels(&self) -> Vec<&str> {
        self.c.levels.iter().map(|l| l.id.as_str()).collect()
    }

    /// The items coverage reads from this questionnaire's cases, as its `coverage` block
    /// declares them; a file without the block is refused for coverage (never read with
    /// another questionnaire's names).
    pub fn coverage_items(&self) -> Result<&crate::coverage::ItemMap, crate::coverage::NoCoverage> {
        self.coverage
            .as_ref()
            .ok_or_else(|| crate::coverage::NoCoverage {
                questionnaire_id: self.id().to_owned(),
                version: self.version().to_owned(),
            })
    }

    /// The root level's id (the dwelling).
    pub fn root_level(&self) -> &str {
        self.c.levels.first().map_or("", |l| l.id.as_str())
    }

    /// The label of a level in `lang`.
    pub fn level_label(&self, level: &str, lang: &str) -> Option<&str> {
        let l = self.c.levels.get(*self.c.level_ids.get(level)?)?;
        Some(text(&l.label, lang))
    }

    /// Section ids of a level, in interview order.
    pub fn level_sections(&self, level: &str) -> Vec<&str> {
        self.c
            .level_ids
            .get(level)
            .and_then(|l| self.c.levels.get(*l))
            .map(|l| {
                l.sections
                    .iter()
                    .filter_map(|s| self.c.sections.get(*s))
                    .map(|s| s.id.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The sections and rosters of a level in interview order (the file's `order`, else
    /// the sections then the rosters).
    pub fn level_parts(&self, level: &str) -> Vec<LevelPart<'_>> {
        let Some(l) = self
            .c
            .level_ids
            .get(level)
            .and_then(|l| self.c.levels.get(*l))
        else {
            return Vec::new();
        };
        l.parts
            .iter()
            .filter_map(|p| match *p {
                Part::Section(s) => self.c.sections.get(s).map(|s| LevelPart::Section(&s.id)),
                Part::Roster(r) => self.c.rosters.get(r).map(|r| LevelPart::Roster(&r.id)),
            })
            .collect()
    }

    /// Roster ids of a level, in order.
    pub fn level_rosters(&self, level: &str) -> Vec<&str> {
        self.c
            .level_ids
            .get(level)
            .and_then(|l| self.c.levels.get(*l))
            .map(|l| {
                l.rosters
                    .iter()
                    .filter_map(|r| self.c.rosters.get(*r))
                    .map(|r| r.id.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Input ids of a level (values the tablet fills in, not asked), in file order.
    pub fn level_inputs(&self, level: &str) -> Vec<&str> {
        self.c
            .level_ids
            .get(level)
            .and_then(|l| self.c.levels.get(*l))
            .map(|l| {
                l.items
                    .iter()
                    .filter_map(|i| self.c.items.get(*i))
                    .filter(|i| matches!(i.kind, ItemKind::Input(_)))
                    .map(|i| i.id.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The level of the rows at `row` (the root level for the empty path).
    pub fn level_of(&self, row: &RowPath) -> Option<&str> {
        match row.segments().last() {
            None => Some(self.root_level()),
            Some((roster, _)) => self.roster(roster).map(|r| r.level()),
        }
    }

    /// A section's title in `lang`.
    pub fn section_label(&self, section: &str, lang: &str) -> Option<&str> {
        let s = self.c.sections.get(*self.c.section_ids.get(section)?)?;
        Some(text(&s.label, lang))
    }

    /// Every question id of a section, relevant or not, in order.
    pub fn section_question_ids(&self, section: &str) -> Vec<&str> {
        self.c
            .section_ids
            .get(section)
            .and_then(|s| self.c.sections.get(*s))
            .map(|s| {
                s.questions
                    .iter()
                    .filter_map(|q| self.c.items.get(*q))
                    .map(|q| q.id.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A question or input by id.
    pub fn question(&self, id: &str) -> Option<QuestionInfo<'_>> {
        match self.c.names.get(id)? {
            Name::Item(item) => Some(QuestionInfo {
                q: self,
                item: *item,
            }),
            Name::Roster(_) => None,
        }
    }

    /// A roster by id.
    pub fn roster(&self, id: &str) -> Option<RosterInfo<'_>> {
        match self.c.names.get(id)? {
            Name::Roster(roster) => Some(RosterInfo {
                q: self,
                roster: *roster,
            }),
            Name::Item(_) => None,
        }
    }

    /// Whether a check counts or reads the rows of a roster inside its own level, at any
    /// depth ("one head of household", "declared size = persons listed", "persons per room"
    /// from the dwelling): such a check can only be judged once the roster is filled, so
    /// screens may wait until the enumerator leaves the row.
    pub fn check_reads_own_rosters(&self, check: &str) -> bool {
        let Some(c) = self
            .c
            .check_ids
            .get(check)
            .and_then(|ix| self.c.checks.get(*ix))
        else {
            return false;
        };
        let mut levels = vec![c.level];
        while let Some(level) = levels.pop() {
            let Some(level) = self.c.levels.get(level) else {
                continue;
            };
            for roster in level.rosters.iter().filter_map(|r| self.c.rosters.get(*r)) {
                if c.reads.contains(&roster.id) {
                    return true;
                }
                levels.push(roster.level);
            }
        }
        false
    }

    /// The message of a check in `lang`.
    pub fn check_message(&self, check: &str, lang: &str) -> Option<&str> {
        let c = self.c.checks.get(*self.c.check_ids.get(check)?)?;
        Some(text(&c.message, lang))
    }
}
