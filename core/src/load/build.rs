//! Pass 1 of loading: walks the file's levels, checks ids, translations, choice lists and
//! defaults, and lays out the compiled tables with one node per per-row computation.
//! Expressions are only recorded here, as [`Job`]s for [`super::exprs`].

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::model::{self, InputType, QuestionType, QuestionnaireFile, Translations};
use crate::value::Type;

use super::compiled::{
    CheckC, Compiled, ItemC, ItemKind, LevelC, LevelIx, Name, NodeC, NodeIx, NodeKind, RosterC,
    SectionC,
};
use super::report::Problem;
use super::texts::{Field, TextOwner};

/// The metadata items every case has, as inputs of the dwelling row (see FORMAT.md).
pub(crate) const META_ITEMS: [(&str, InputType); 4] = [
    ("meta.start", InputType::Date),
    ("meta.end", InputType::Date),
    ("meta.device_id", InputType::Text),
    ("meta.enumerator_id", InputType::Text),
];

/// What an expression is for, which decides its expected type and scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Relevant,
    Constraint,
    Calculation,
    Filter,
    RowLabel,
    /// The questionnaire's `case_title`.
    Title,
    Check,
    CheckRelevant,
}

/// An expression waiting to be parsed, checked and compiled into a node.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub node: NodeIx,
    pub level: LevelIx,
    pub source: String,
    pub location: String,
    pub owner: String,
    pub purpose: Purpose,
    /// The question for `.` (constraint) and for calculations.
    pub item: Option<usize>,
}

/// The loader's working state.
pub(crate) struct Builder {
    pub file_name: String,
    pub problems: Vec<Problem>,
    pub c: Compiled,
    pub jobs: Vec<Job>,
    pub(crate) languages: Vec<String>,
    pub(crate) required: Vec<String>,
    other_ids: HashSet<String>,
    pending_check_questions: Vec<(usize, Vec<String>, String)>,
    /// `fill_from` names to resolve once every name is known: (item, name, path).
    pub(crate) pending_fills: Vec<(usize, String, String)>,
    pub(crate) pending_texts: Vec<super::texts::PendingText>,
    /// Questions with a constraint but no message: (constraint node, path, id).
    pub(crate) unexplained: Vec<(NodeIx, String, String)>,
    /// Path of every named thing (question, input, roster, section, check), for reports.
    pub locations: HashMap<String, String>,
}

/// The expression type of a question, `Null` for notes and (until typed) calculations.
pub(crate) fn question_type(qtype: QuestionType) -> Type {
    match qtype {
        QuestionType::Integer => Type::Integer,
        QuestionType::Decimal => Type::Decimal,
        QuestionType::Text | QuestionType::SingleChoice => Type::Text,
        QuestionType::MultipleChoice => Type::Multi,
        QuestionType::Date => Type::Date,
        QuestionType::Gps => Type::Gps,
        QuestionType::YesNo => Type::Boolean,
        QuestionType::Note | QuestionType::Calculated => Type::Null,
    }
}

/// The expression type of an input.
pub(crate) fn input_type(t: InputType) -> Type {
    match t {
        InputType::Integer => Type::Integer,
        InputType::Text => Type::Text,
        InputType::YesNo => Type::Boolean,
        InputType::Date => Type::Date,
    }
}

impl Builder {
    /// Starts from the file's header fields.
    pub fn new(file_name: &str, file: &QuestionnaireFile) -> Builder {
        let mut b = Builder {
            file_name: file_name.to_string(),
            problems: Vec::new(),
            c: Compiled {
                id: file.id.clone(),
                version: file.version.clone(),
                title: file.title.clone(),
                languages: file.languages.clone(),
                draft_languages: file
                    .translation_status
                    .iter()
                    .filter(|(_, status)| **status == crate::model::TranslationStatus::Draft)
                    .map(|(lang, _)| lang.clone())
                    .collect(),
                reference_date: NaiveDate::default(),
                choice_lists: file
                    .choice_lists
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                levels: Vec::new(),
                items: Vec::new(),
                sections: Vec::new(),
                rosters: Vec::new(),
                checks: Vec::new(),
                aggs: Vec::new(),
                nodes: Vec::new(),
                names: HashMap::new(),
                section_ids: HashMap::new(),
                check_ids: HashMap::new(),
                level_ids: HashMap::new(),
                dependants: Vec::new(),
                roster_dependants: Vec::new(),
                position_dependants: Vec::new(),
                order: Vec::new(),
                title_node: None,
                texts: Vec::new(),
            },
            jobs: Vec::new(),
            languages: file.languages.clone(),
            required: file
                .required_languages
                .clone()
                .unwrap_or_else(|| file.languages.clone()),
            other_ids: HashSet::new(),
            pending_check_questions: Vec::new(),
            pending_fills: Vec::new(),
            pending_texts: Vec::new(),
            unexplained: Vec::new(),
            locations: HashMap::new(),
        };
        b.header(file);
        b
    }

    /// Records a problem.
    pub fn problem(&mut self, who: Option<&str>, location: &str, column: Option<u32>, msg: String) {
        self.problems.push(Problem {
            file: self.file_name.clone(),
            question: who.map(str::to_string),
            location: location.to_string(),
            column,
            message: msg,
        });
    }

    /// Adds a node to a level and returns it.
    pub fn node(&mut self, level: LevelIx, kind: NodeKind) -> NodeIx {
        let ix = self.c.nodes.len();
        let slot = self.c.levels.get(level).map_or(0, |l| l.nodes.len());
        self.c.nodes.push(NodeC {
            level,
            slot,
            kind,
            expr: None,
            cond: None,
            rank: 0,
            list_slot: None,
            reads_at: false,
        });
        if let Some(l) = self.c.levels.get_mut(level) {
            l.nodes.push(ix);
        }
        ix
    }

    pub(crate) fn job(
        &mut self,
        node: NodeIx,
        level: LevelIx,
        source: &str,
        location: String,
        owner: &str,
        what: (Purpose, Option<usize>),
    ) {
        let (purpose, item) = what;
        self.jobs.push(Job {
            node,
            level,
            source: source.to_string(),
            location,
            owner: owner.to_string(),
            purpose,
            item,
        });
    }

    pub(crate) fn claim_name(&mut self, id: &str, name: Name, loc: &str) {
        self.locations
            .entry(id.to_string())
            .or_insert_with(|| loc.trim_end_matches("/id").to_string());
        if id.trim().is_empty() {
            self.problem(None, loc, None, "the id is empty".into());
            return;
        }
        if self.c.names.contains_key(id) {
            self.problem(
                Some(id),
                loc,
                None,
                format!("duplicate id '{id}': questions, inputs and rosters share one namespace"),
            );
        } else {
            self.c.names.insert(id.to_string(), name);
        }
    }

    fn claim_other(&mut self, kind: &str, id: &str, loc: &str) -> bool {
        self.locations
            .entry(id.to_string())
            .or_insert_with(|| loc.trim_end_matches("/id").to_string());
        if !self.other_ids.insert(format!("{kind}:{id}")) {
            self.problem(Some(id), loc, None, format!("duplicate {kind} id '{id}'"));
            return false;
        }
        true
    }

    /// Walks one level and everything below it.
    pub fn level(
        &mut self,
        def: &model::Level,
        path: &str,
        parent: Option<(LevelIx, usize)>,
    ) -> LevelIx {
        let ix = self.c.levels.len();
        let depth = parent
            .and_then(|(p, _)| self.c.levels.get(p))
            .map_or(0, |p| p.depth + 1);
        if self.claim_other("level", &def.id, &format!("{path}/id")) {
            self.c.level_ids.insert(def.id.clone(), ix);
        }
        self.translations(
            &def.label,
            Some(&def.id),
            &format!("{path}/label"),
            &format!("level '{}'", def.id),
        );
        self.c.levels.push(LevelC {
            id: def.id.clone(),
            label: def.label.clone(),
            parent,
            depth,
            sections: Vec::new(),
            rosters: Vec::new(),
            parts: Vec::new(),
            items: Vec::new(),
            checks: Vec::new(),
            nodes: Vec::new(),
            order: Vec::new(),
            lists: 0,
            row_rel: 0,
        });
        let row_rel = self.node(ix, NodeKind::RowRel);
        if let Some(l) = self.c.levels.get_mut(ix) {
            l.row_rel = row_rel;
        }
        if parent.is_none() {
            for (id, ty) in META_ITEMS {
                let item = self.c.items.len();
                self.claim_name(id, Name::Item(item), &format!("{path}/inputs"));
                self.add_item(ix, id, None, ItemKind::Input(ty), input_type(ty));
            }
        }
        for (i, input) in def.inputs.iter().enumerate() {
            let loc = format!("{path}/inputs/{i}");
            let item = self.c.items.len();
            self.claim_name(&input.id, Name::Item(item), &format!("{loc}/id"));
            if let Some(label) = &input.label {
                self.translations(
                    label,
                    Some(&input.id),
                    &format!("{loc}/label"),
                    &format!("input '{}'", input.id),
                );
            }
            self.add_item(
                ix,
                &input.id,
                input.label.clone(),
                ItemKind::Input(input.input_type),
                input_type(input.input_type),
            );
        }
        for (si, section) in def.sections.iter().enumerate() {
            self.section(ix, section, &format!("{path}/sections/{si}"));
        }
        for (ri, roster) in def.rosters.iter().enumerate() {
            self.roster(ix, roster, &format!("{path}/rosters/{ri}"));
        }
        for (ci, check) in def.checks.iter().enumerate() {
            self.check(ix, check, &format!("{path}/checks/{ci}"));
        }
        self.order(ix, def, path);
        ix
    }

    pub(crate) fn add_item(
        &mut self,
        level: LevelIx,
        id: &str,
        label: Option<Translations>,
        kind: ItemKind,
        ty: Type,
    ) -> usize {
        let item = self.c.items.len();
        let slot = self.c.levels.get(level).map_or(0, |l| l.items.len());
        self.c.items.push(ItemC {
            id: id.to_string(),
            label,
            level,
            slot,
            kind,
            ty,
            default: None,
            fill_from: None,
            val_node: 0,
            rel_node: None,
            calc_node: None,
            constraint_node: None,
            filters: Vec::new(),
            texts: Default::default(),
        });
        if let Some(l) = self.c.levels.get_mut(level) {
            l.items.push(item);
        }
        let val = self.node(level, NodeKind::Val(item));
        if let Some(it) = self.c.items.get_mut(item) {
            it.val_node = val;
        }
        item
    }

    fn section(&mut self, level: LevelIx, def: &model::Section, path: &str) {
        let six = self.c.sections.len();
        if self.claim_other("section", &def.id, &format!("{path}/id")) {
            self.c.section_ids.insert(def.id.clone(), six);
        }
        self.translations(
            &def.label,
            Some(&def.id),
            &format!("{path}/label"),
            &format!("section '{}'", def.id),
        );
        let rel_node = self.node(level, NodeKind::SecRel(six));
        self.c.sections.push(SectionC {
            id: def.id.clone(),
            label: def.label.clone(),
            level,
            questions: Vec::new(),
            rel_node,
        });
        if let Some(l) = self.c.levels.get_mut(level) {
            l.sections.push(six);
        }
        if let Some(rel) = &def.relevant {
            self.job(
                rel_node,
                level,
                rel,
                format!("{path}/relevant"),
                &def.id,
                (Purpose::Relevant, None),
            );
        }
        for (qi, q) in def.questions.iter().enumerate() {
            self.question(level, six, q, &format!("{path}/questions/{qi}"));
        }
    }

    fn roster(&mut self, owner: LevelIx, def: &model::Roster, path: &str) {
        let rix = self.c.rosters.len();
        self.claim_name(&def.id, Name::Roster(rix), &format!("{path}/id"));
        self.translations(
            &def.label,
            Some(&def.id),
            &format!("{path}/label"),
            &format!("roster '{}'", def.id),
        );
        if def.min_rows > def.max_rows {
            self.problem(
                Some(&def.id),
                &format!("{path}/min_rows"),
                None,
                format!(
                    "min_rows {} is more than max_rows {}",
                    def.min_rows, def.max_rows
                ),
            );
        }
        let rel_node = self.node(owner, NodeKind::RosterRel(rix));
        let local = self.c.levels.get(owner).map_or(0, |l| l.rosters.len());
        self.c.rosters.push(RosterC {
            id: def.id.clone(),
            label: def.label.clone(),
            owner,
            local,
            level: 0,
            min_rows: def.min_rows,
            max_rows: def.max_rows,
            rel_node,
            label_node: None,
        });
        if let Some(l) = self.c.levels.get_mut(owner) {
            l.rosters.push(rix);
        }
        if let Some(src) = &def.relevant {
            self.job(
                rel_node,
                owner,
                src,
                format!("{path}/relevant"),
                &def.id,
                (Purpose::Relevant, None),
            );
        }
        let child = self.level(&def.level, &format!("{path}/level"), Some((owner, rix)));
        if let Some(r) = self.c.rosters.get_mut(rix) {
            r.level = child;
        }
        if let Some(src) = &def.row_label {
            let node = self.node(child, NodeKind::RowLabel(rix));
            if let Some(r) = self.c.rosters.get_mut(rix) {
                r.label_node = Some(node);
            }
            self.job(
                node,
                child,
                src,
                format!("{path}/row_label"),
                &def.id,
                (Purpose::RowLabel, None),
            );
        }
    }

    fn check(&mut self, level: LevelIx, def: &model::Check, path: &str) {
        let cix = self.c.checks.len();
        if self.claim_other("check", &def.id, &format!("{path}/id")) {
            self.c.check_ids.insert(def.id.clone(), cix);
        }
        self.translations(
            &def.message,
            Some(&def.id),
            &format!("{path}/message"),
            &format!("the message of check '{}'", def.id),
        );
        let node = self.node(level, NodeKind::Check(cix));
        self.c.checks.push(CheckC {
            id: def.id.clone(),
            level,
            severity: def.severity,
            message: def.message.clone(),
            questions: Vec::new(),
            node,
            text: None,
            reads: names_read_in_row(def),
        });
        self.pending_text(
            TextOwner::Check(cix),
            Field::Message,
            level,
            &def.message,
            (&format!("{path}/message"), &def.id),
        );
        if let Some(l) = self.c.levels.get_mut(level) {
            l.checks.push(cix);
        }
        self.job(
            node,
            level,
            &def.expression,
            format!("{path}/expression"),
            &def.id,
            (Purpose::Check, None),
        );
        if let Some(src) = &def.relevant {
            self.job(
                node,
                level,
                src,
                format!("{path}/relevant"),
                &def.id,
                (Purpose::CheckRelevant, None),
            );
        }
        self.pending_check_questions
            .push((cix, def.questions.clone(), path.to_string()));
    }

    /// Resolves the `questions` of every check, once every name is known.
    pub fn resolve_check_questions(&mut self) {
        for (cix, names, path) in std::mem::take(&mut self.pending_check_questions) {
            let check_id = self
                .c
                .checks
                .get(cix)
                .map(|c| c.id.clone())
                .unwrap_or_default();
            for (i, name) in names.iter().enumerate() {
                match self.c.names.get(name) {
                    Some(Name::Item(ix))
                        if matches!(
                            self.c.items.get(*ix).map(|it| &it.kind),
                            Some(ItemKind::Question { .. })
                        ) =>
                    {
                        if let Some(c) = self.c.checks.get_mut(cix) {
                            c.questions.push(*ix);
                        }
                    }
                    _ => self.problem(
                        Some(&check_id),
                        &format!("{path}/questions/{i}"),
                        None,
                        format!("check '{check_id}' names unknown question '{name}'"),
                    ),
                }
            }
        }
    }
}

/// The names a check's expression and relevance read in the row it is checked in; names read
/// per row inside an aggregate are left out. Unparsable text reads nothing here (its job
/// reports the error).
fn names_read_in_row(def: &model::Check) -> Vec<String> {
    std::iter::once(def.expression.as_str())
        .chain(def.relevant.as_deref())
        .filter_map(|source| crate::expr::parse(source).ok())
        .flat_map(|expr| crate::expr::names_used(&expr))
        .filter(|used| used.rosters.is_empty())
        .map(|used| used.name)
        .collect()
}
