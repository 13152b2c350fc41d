//! The compiled form of a questionnaire that the engine runs: levels, items, rosters and
//! the dependency graph of per-row nodes. Built by [`super::build`], read by the engine.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::expr::ast::{BinaryOp, Function, UnaryOp};
use crate::model::{Choice, InputType, QuestionType, Severity, Translations};
use crate::value::{Type, Value};

/// Index of a level in [`Questionnaire::levels`](super::Questionnaire).
pub(crate) type LevelIx = usize;
/// Index of a question or input in the items table.
pub(crate) type ItemIx = usize;
/// Index of a node definition.
pub(crate) type NodeIx = usize;

/// An expression with every name resolved to a node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CExpr {
    /// A constant.
    Lit(Value),
    /// `.`: the visible value of the constrained question in the evaluated row.
    Current(NodeIx),
    /// The value of a node in the row `up` levels above the evaluated row.
    Node { node: NodeIx, up: u32 },
    /// `at(R, n, e)`: the `n`th element of a list aggregate node, `up` levels above.
    At {
        node: NodeIx,
        up: u32,
        n: Box<CExpr>,
    },
    /// `position()` of the evaluated row.
    Position,
    /// Unary operator.
    Unary(UnaryOp, Box<CExpr>),
    /// Binary operator.
    Binary(BinaryOp, Box<CExpr>, Box<CExpr>),
    /// Non-aggregate function call.
    Call(Function, Vec<CExpr>),
    /// `regex(text, 'pattern')` with the pattern compiled once at load.
    Regex(Box<CExpr>, Rx),
}

/// A regular expression compiled at load (compared by its pattern).
#[derive(Debug, Clone)]
pub(crate) struct Rx(pub std::sync::Arc<regex::Regex>);

impl PartialEq for Rx {
    fn eq(&self, other: &Rx) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

/// What a node computes, per row of its level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeKind {
    /// Visible value of a question or input (null when not relevant).
    Val(ItemIx),
    /// Result of a calculated question's expression.
    Calc(ItemIx),
    /// Effective relevance of a question (section and row relevance included).
    QRel(ItemIx),
    /// Effective relevance of a section.
    SecRel(usize),
    /// Whether the row itself is relevant (its roster is relevant in its parent row).
    RowRel,
    /// Relevance of a roster, evaluated in the owning row.
    RosterRel(usize),
    /// Whether the question's constraint passes.
    Constraint(ItemIx),
    /// Whether choice `.1` (index in the list) is offered for the question.
    Filter(ItemIx, usize),
    /// Whether a check passes.
    Check(usize),
    /// Argument `.1` of aggregate `.0`, per iterated row.
    RowArg(usize, usize),
    /// Result of an aggregate, at its anchor row.
    Agg(usize),
    /// The row label of a roster row.
    RowLabel(usize),
    /// The case title (`case_title`), in the dwelling row.
    Title,
    /// The values a text with references shows (index into `Compiled::texts`).
    Text(usize),
}

/// One node definition.
#[derive(Debug, Clone)]
pub(crate) struct NodeC {
    pub level: LevelIx,
    pub slot: usize,
    pub kind: NodeKind,
    pub expr: Option<CExpr>,
    /// A second expression: the `relevant` of a check.
    pub cond: Option<CExpr>,
    /// Position in the global topological order.
    pub rank: u32,
    /// For list aggregates (`at`): slot of the list in the row.
    pub list_slot: Option<usize>,
    /// Whether `expr` or `cond` contains an `at(…)`: the engine then indexes which list
    /// elements each row of the node reads.
    pub reads_at: bool,
}

/// How a dependant's rows relate to the row of the changed node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rel {
    /// The same row.
    Same,
    /// Every row of the dependant's level below the changed row.
    Down,
    /// The ancestor row at the dependant's level.
    Up,
}

/// A level of the case tree.
#[derive(Debug, Clone)]
pub(crate) struct LevelC {
    pub id: String,
    pub label: Translations,
    /// Parent level and the roster (global index) whose rows are of this level.
    pub parent: Option<(LevelIx, usize)>,
    pub depth: u32,
    pub sections: Vec<usize>,
    pub rosters: Vec<usize>,
    /// Sections and rosters in interview order.
    pub parts: Vec<Part>,
    /// Questions and inputs; an item's `slot` is its index here.
    pub items: Vec<ItemIx>,
    pub checks: Vec<usize>,
    /// Nodes of the level, indexed by slot.
    pub nodes: Vec<NodeIx>,
    /// Nodes of the level in topological order.
    pub order: Vec<NodeIx>,
    pub lists: usize,
    pub row_rel: NodeIx,
}

/// A section or a roster of a level, in interview order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// A section (global index).
    Section(usize),
    /// A roster (global index).
    Roster(usize),
}

/// What an item is.
#[derive(Debug, Clone)]
pub(crate) enum ItemKind {
    /// A value supplied by the case.
    Input(InputType),
    /// An asked (or calculated) question.
    Question {
        qtype: QuestionType,
        section: usize,
        required: bool,
        list: Option<String>,
        hint: Option<Translations>,
        constraint_message: Option<Translations>,
    },
}

/// A question or input.
#[derive(Debug, Clone)]
pub(crate) struct ItemC {
    pub id: String,
    pub label: Option<Translations>,
    pub level: LevelIx,
    pub slot: usize,
    pub kind: ItemKind,
    pub ty: Type,
    pub default: Option<Value>,
    /// The item whose value pre-fills this question while it has no answer.
    pub fill_from: Option<ItemIx>,
    pub val_node: NodeIx,
    pub rel_node: Option<NodeIx>,
    pub calc_node: Option<NodeIx>,
    pub constraint_node: Option<NodeIx>,
    /// (choice index, node) for each filtered choice.
    pub filters: Vec<(usize, NodeIx)>,
    /// Its texts that hold references.
    pub texts: ItemTexts,
}

/// The texts of a question that hold references: (text index, node).
#[derive(Debug, Clone, Default)]
pub(crate) struct ItemTexts {
    pub label: Option<(usize, NodeIx)>,
    pub hint: Option<(usize, NodeIx)>,
    pub message: Option<(usize, NodeIx)>,
}

/// A section of questions.
#[derive(Debug, Clone)]
pub(crate) struct SectionC {
    pub id: String,
    pub label: Translations,
    pub level: LevelIx,
    pub questions: Vec<ItemIx>,
    pub rel_node: NodeIx,
}

/// A roster.
#[derive(Debug, Clone)]
pub(crate) struct RosterC {
    pub id: String,
    pub label: Translations,
    pub owner: LevelIx,
    /// Index among the owner level's rosters.
    pub local: usize,
    pub level: LevelIx,
    pub min_rows: u32,
    pub max_rows: u32,
    pub rel_node: NodeIx,
    pub label_node: Option<NodeIx>,
}

/// A consistency check.
#[derive(Debug, Clone)]
pub(crate) struct CheckC {
    pub id: String,
    pub level: LevelIx,
    pub severity: Severity,
    pub message: Translations,
    pub questions: Vec<ItemIx>,
    pub node: NodeIx,
    /// Its message's references: (text index, node).
    pub text: Option<(usize, NodeIx)>,
    /// The names its expression and relevance read in the row it is checked in (not inside
    /// an aggregate): a roster id here means the check counts or reads that roster's rows.
    pub reads: Vec<String>,
}

/// An aggregate sub-expression.
#[derive(Debug, Clone)]
pub(crate) struct AggC {
    pub function: Function,
    pub roster: usize,
    pub anchor: LevelIx,
    pub args: Vec<NodeIx>,
    pub node: NodeIx,
}

/// A name of the shared namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Name {
    Item(ItemIx),
    Roster(usize),
}

/// Everything the engine needs, compiled once.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub id: String,
    pub version: String,
    pub title: Translations,
    pub languages: Vec<String>,
    /// Languages whose texts the file marks `draft` (`translation_status`).
    pub draft_languages: Vec<String>,
    pub reference_date: NaiveDate,
    pub choice_lists: HashMap<String, Vec<Choice>>,
    pub levels: Vec<LevelC>,
    pub items: Vec<ItemC>,
    pub sections: Vec<SectionC>,
    pub rosters: Vec<RosterC>,
    pub checks: Vec<CheckC>,
    pub aggs: Vec<AggC>,
    pub nodes: Vec<NodeC>,
    pub names: HashMap<String, Name>,
    pub section_ids: HashMap<String, usize>,
    pub check_ids: HashMap<String, usize>,
    pub level_ids: HashMap<String, LevelIx>,
    /// Per node: the nodes to recompute when it changes, and where.
    pub dependants: Vec<Vec<(NodeIx, Rel)>>,
    /// Per roster: the nodes to recompute when its rows change (in the owning row), and where.
    pub roster_dependants: Vec<Vec<(NodeIx, Rel)>>,
    /// Per roster: the nodes of its rows that read `position()` (recomputed in every row
    /// when rows are removed or moved; an added last row changes no other position).
    pub position_dependants: Vec<Vec<NodeIx>>,
    /// All nodes in topological order.
    pub order: Vec<NodeIx>,
    /// The node of the file's `case_title`, in the dwelling row.
    pub title_node: Option<NodeIx>,
    /// Texts with references.
    pub texts: Vec<super::texts::TextC>,
}

impl Compiled {
    /// Whether `ancestor` is `level` or one of its ancestors.
    pub fn is_ancestor_or_self(&self, ancestor: LevelIx, level: LevelIx) -> bool {
        let mut current = Some(level);
        while let Some(l) = current {
            if l == ancestor {
                return true;
            }
            current = self.levels.get(l).and_then(|lv| lv.parent.map(|p| p.0));
        }
        false
    }
}
