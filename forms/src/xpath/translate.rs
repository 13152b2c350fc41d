//! Maps a parsed XPath expression to the census expression language.

use std::collections::BTreeMap;

use census_core::model::QuestionType;

use super::XPathError;
use super::parser::{BinOp, Expr, parse};

/// What a survey name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// A question (of the census type it maps to).
    Question(QuestionType),
    /// A repeat (a roster).
    Repeat,
    /// A metadata row (`start`, `deviceid`, …): the census metadata item it stands for.
    Meta(&'static str),
}

/// A named survey item, as expressions see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Question or repeat.
    pub kind: ItemKind,
    /// The repeats that enclose it, outermost first (a repeat does not list itself).
    pub repeats: Vec<String>,
}

/// What an expression may refer to.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// Every named item of the survey.
    pub items: &'a BTreeMap<String, Item>,
    /// The repeats enclosing the row the expression is written on, outermost first.
    pub here: &'a [String],
    /// Inside `choice_filter`: the choice's `name` and its other columns.
    pub choice: Option<&'a BTreeMap<String, String>>,
}

/// Translates one XPath expression, or names the first construct it cannot map.
pub fn translate(src: &str, scope: &Scope<'_>) -> Result<String, XPathError> {
    let e = parse(src)?;
    Ok(scope.tr(&e)?.0)
}

// Precedence of the census language, loosest first.
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const CMP: u8 = 4;
const ADD: u8 = 5;
const MUL: u8 = 6;
const NEG: u8 = 7;
const ATOM: u8 = 8;

type Out = Result<(String, u8), XPathError>;

fn wrap((s, p): (String, u8), min: u8) -> String {
    if p < min { format!("({s})") } else { s }
}

fn atom(s: String) -> Out {
    Ok((s, ATOM))
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl Scope<'_> {
    fn tr(&self, e: &Expr) -> Out {
        match e {
            Expr::Num(n) => atom(n.clone()),
            Expr::Str(s) => atom(quote(s)),
            Expr::Dot => atom(".".into()),
            Expr::Parent => Err(XPathError::new(
                1,
                "XPath `..`",
                "the parent node is only supported as position(..)",
            )),
            Expr::Ref(name, col) => self.reference(name, *col).map(|s| (s, ATOM)),
            Expr::Name(name) => self.choice_column(name, false),
            Expr::Neg(x) => Ok((format!("-{}", wrap(self.tr(x)?, NEG)), NEG)),
            Expr::Bin(op, l, r) => self.binary(*op, l, r),
            Expr::Call(name, args, col) => self.call(name, args, *col),
        }
    }

    fn item(&self, name: &str, col: usize) -> Result<&Item, XPathError> {
        self.items.get(name).ok_or_else(|| {
            XPathError::new(
                col,
                &format!("${{{name}}}"),
                "no question or repeat of the survey has this name",
            )
        })
    }

    fn reference(&self, name: &str, col: usize) -> Result<String, XPathError> {
        let item = self.item(name, col)?;
        if let ItemKind::Meta(meta) = item.kind {
            return Ok(meta.to_string());
        }
        if item.kind == ItemKind::Repeat {
            return Err(XPathError::new(
                col,
                &format!("${{{name}}}"),
                &format!("a repeat can only be counted here: write count(${{{name}}})"),
            ));
        }
        if !self.here.starts_with(&item.repeats) {
            let inner = item.repeats.last().map(String::as_str).unwrap_or_default();
            return Err(XPathError::new(
                col,
                &format!("${{{name}}}"),
                &format!(
                    "this question is inside repeat `{inner}`: reach it with sum(), count(), \
                     min(), max() or indexed-repeat()"
                ),
            ));
        }
        Ok(name.to_string())
    }

    /// A choices-sheet column inside `choice_filter`: the value of the current choice.
    fn choice_column(&self, name: &str, numeric: bool) -> Out {
        let Some(choice) = self.choice else {
            return Err(XPathError::new(
                1,
                &format!("bare name `{name}`"),
                &format!("refer to a question as ${{{name}}}"),
            ));
        };
        let Some(value) = choice.get(name) else {
            return Err(XPathError::new(
                1,
                &format!("choice column `{name}`"),
                "the choices sheet has no such column",
            ));
        };
        if numeric && value.parse::<f64>().is_ok() {
            atom(value.clone())
        } else {
            atom(quote(value))
        }
    }

    fn is_numeric(&self, e: &Expr) -> bool {
        match e {
            Expr::Num(_) => true,
            Expr::Ref(n, _) => matches!(
                self.items.get(n).map(|i| i.kind),
                Some(ItemKind::Question(
                    QuestionType::Integer | QuestionType::Decimal
                ))
            ),
            _ => false,
        }
    }

    fn binary(&self, op: BinOp, l: &Expr, r: &Expr) -> Out {
        let empty = |e: &Expr| matches!(e, Expr::Str(s) if s.is_empty());
        if matches!(op, BinOp::Eq | BinOp::Ne) && (empty(l) || empty(r)) {
            let other = if empty(l) { r } else { l };
            let answered = format!("answered({})", self.tr(other)?.0);
            return Ok(if op == BinOp::Eq {
                (format!("not {answered}"), NOT)
            } else {
                (answered, ATOM)
            });
        }
        let (sym, prec) = match op {
            BinOp::Or => ("or", OR),
            BinOp::And => ("and", AND),
            BinOp::Eq => ("=", CMP),
            BinOp::Ne => ("!=", CMP),
            BinOp::Lt => ("<", CMP),
            BinOp::Le => ("<=", CMP),
            BinOp::Gt => (">", CMP),
            BinOp::Ge => (">=", CMP),
            BinOp::Add => ("+", ADD),
            BinOp::Sub => ("-", ADD),
            BinOp::Mul => ("*", MUL),
            BinOp::Div => ("/", MUL),
            BinOp::Mod => ("%", MUL),
        };
        let side = |e: &Expr, other: &Expr| match e {
            Expr::Name(n) if prec == CMP => self.choice_column(n, self.is_numeric(other)),
            _ => self.tr(e),
        };
        let left_min = if prec == CMP { CMP + 1 } else { prec };
        let left = wrap(side(l, r)?, left_min);
        let right = wrap(side(r, l)?, prec + 1);
        Ok((format!("{left} {sym} {right}"), prec))
    }

    fn call(&self, name: &str, args: &[Expr], col: usize) -> Out {
        let arity = |n: usize| -> Result<(), XPathError> {
            if args.len() == n {
                Ok(())
            } else {
                Err(XPathError::new(
                    col,
                    &format!("function {name}()"),
                    &format!("takes {n} argument(s), not {}", args.len()),
                ))
            }
        };
        let plain = |census: &str, n: usize| -> Out {
            arity(n)?;
            let list = args
                .iter()
                .map(|a| self.tr(a).map(|t| t.0))
                .collect::<Result<Vec<_>, _>>()?;
            atom(format!("{census}({})", list.join(", ")))
        };
        match name {
            "if" => plain("if", 3),
            "selected" => plain("selected", 2),
            "count-selected" => plain("count_selected", 1),
            "today" => plain("today", 0),
            "string-length" => plain("len", 1),
            "regex" => plain("regex", 2),
            "coalesce" => plain("coalesce", 2),
            "int" => plain("int", 1),
            "round" => plain("round", 1),
            "abs" => plain("abs", 1),
            "date" => plain("date", 1),
            "contains" => plain("contains", 2),
            "starts-with" => plain("starts_with", 2),
            "true" | "false" => {
                arity(0)?;
                atom(name.to_string())
            }
            "not" => {
                arity(1)?;
                Ok((format!("not {}", wrap(self.tr(&args[0])?, NOT)), NOT))
            }
            "concat" if !args.is_empty() => {
                let parts = args
                    .iter()
                    .map(|a| self.tr(a).map(|t| wrap(t, ADD + 1)))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((parts.join(" + "), ADD))
            }
            "position" => match args {
                [Expr::Parent] => atom("position()".into()),
                _ => Err(XPathError::new(
                    col,
                    "function position()",
                    "only position(..), the number of the current repeat row, is supported",
                )),
            },
            "count" | "sum" | "min" | "max" if args.len() == 1 => self.aggregate(name, args, col),
            "min" | "max" if args.len() >= 2 => {
                let f = if name == "min" { "least" } else { "greatest" };
                let mut out = self.tr(&args[0])?.0;
                for a in &args[1..] {
                    out = format!("{f}({out}, {})", self.tr(a)?.0);
                }
                atom(out)
            }
            "indexed-repeat" => {
                arity(3)?;
                let (Expr::Ref(q, qcol), Expr::Ref(r, rcol)) = (&args[0], &args[1]) else {
                    return Err(XPathError::new(
                        col,
                        "function indexed-repeat()",
                        "write indexed-repeat(${question}, ${repeat}, row number)",
                    ));
                };
                self.in_repeat(q, *qcol, Some((r, *rcol)))?;
                let n = self.tr(&args[2])?.0;
                atom(format!("at({r}, {n}, {q})"))
            }
            _ => Err(XPathError::new(
                col,
                &format!("function {name}()"),
                "this function is not supported by the census expression language",
            )),
        }
    }

    /// The repeat `q` is counted over: its innermost repeat, or `repeat` when given (which
    /// must enclose `q`).
    fn in_repeat(
        &self,
        q: &str,
        col: usize,
        repeat: Option<(&str, usize)>,
    ) -> Result<String, XPathError> {
        let item = self.item(q, col)?;
        if let Some((r, rcol)) = repeat {
            if self.item(r, rcol)?.kind != ItemKind::Repeat {
                return Err(XPathError::new(
                    rcol,
                    &format!("${{{r}}}"),
                    "this is not a repeat",
                ));
            }
            if item.repeats.last().map(String::as_str) != Some(r) {
                return Err(XPathError::new(
                    col,
                    &format!("${{{q}}}"),
                    &format!("this question is not directly inside repeat `{r}`"),
                ));
            }
            return Ok(r.to_string());
        }
        match item.repeats.last() {
            Some(r) if !self.here.contains(r) => Ok(r.clone()),
            _ => Err(XPathError::new(
                col,
                &format!("${{{q}}}"),
                "an aggregate needs a question of a repeat below the current row",
            )),
        }
    }

    fn aggregate(&self, name: &str, args: &[Expr], col: usize) -> Out {
        let Expr::Ref(q, qcol) = &args[0] else {
            return Err(XPathError::new(
                col,
                &format!("function {name}()"),
                &format!("write {name}(${{name}}) with a question or repeat name"),
            ));
        };
        let item = self.item(q, *qcol)?;
        if item.kind == ItemKind::Repeat {
            return if name == "count" {
                atom(format!("count({q})"))
            } else {
                Err(XPathError::new(
                    col,
                    &format!("function {name}()"),
                    &format!("{name}() needs a question of the repeat, not the repeat"),
                ))
            };
        }
        let r = self.in_repeat(q, *qcol, None)?;
        if name == "count" {
            atom(format!("count({r}, answered({q}))"))
        } else {
            atom(format!("{name}({r}, {q})"))
        }
    }
}
