//! Tokens and syntax tree of the XPath subset XLSForm expressions use.

use super::XPathError;

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `div`
    Div,
    /// `mod`
    Mod,
}

/// An XPath expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A number as written.
    Num(String),
    /// A string literal.
    Str(String),
    /// `${name}`, with its 1-based column.
    Ref(String, usize),
    /// `.`, the current answer.
    Dot,
    /// `..`, the parent node (only as the argument of `position(..)`).
    Parent,
    /// A bare name (a choices-sheet column inside `choice_filter`).
    Name(String),
    /// A function call, with the 1-based column of its name.
    Call(String, Vec<Expr>, usize),
    /// A binary operation.
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// Unary minus.
    Neg(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(String),
    Str(String),
    Ref(String),
    Name(String),
    Dot,
    DotDot,
    LParen,
    RParen,
    Comma,
    Op(&'static str),
    Other(char),
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, XPathError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '$' && next == Some('{') {
            let Some(end) = chars[i..].iter().position(|&ch| ch == '}') else {
                return Err(XPathError::new(col, "${", "this ${ has no closing }"));
            };
            let name: String = chars[i + 2..i + end].iter().collect();
            out.push((Tok::Ref(name.trim().to_string()), col));
            i += end + 1;
        } else if c == '\'' || c == '"' {
            let Some(end) = chars[i + 1..].iter().position(|&ch| ch == c) else {
                return Err(XPathError::new(
                    col,
                    "text",
                    "this text has no closing quote",
                ));
            };
            out.push((Tok::Str(chars[i + 1..i + 1 + end].iter().collect()), col));
            i += end + 2;
        } else if c.is_ascii_digit() || (c == '.' && next.is_some_and(|n| n.is_ascii_digit())) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            out.push((Tok::Num(chars[start..i].iter().collect()), col));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '-' | '.' | ':'))
            {
                i += 1;
            }
            out.push((Tok::Name(chars[start..i].iter().collect()), col));
        } else {
            let (tok, len) = match (c, next) {
                ('.', Some('.')) => (Tok::DotDot, 2),
                ('.', _) => (Tok::Dot, 1),
                ('(', _) => (Tok::LParen, 1),
                (')', _) => (Tok::RParen, 1),
                (',', _) => (Tok::Comma, 1),
                ('!', Some('=')) => (Tok::Op("!="), 2),
                ('<', Some('=')) => (Tok::Op("<="), 2),
                ('>', Some('=')) => (Tok::Op(">="), 2),
                ('=', _) => (Tok::Op("="), 1),
                ('<', _) => (Tok::Op("<"), 1),
                ('>', _) => (Tok::Op(">"), 1),
                ('+', _) => (Tok::Op("+"), 1),
                ('-', _) => (Tok::Op("-"), 1),
                ('*', _) => (Tok::Op("*"), 1),
                (other, _) => (Tok::Other(other), 1),
            };
            out.push((tok, col));
            i += len;
        }
    }
    Ok(out)
}

/// Parses one XPath expression.
pub fn parse(src: &str) -> Result<Expr, XPathError> {
    let toks = lex(src)?;
    let mut p = Parser {
        toks,
        pos: 0,
        end: src.chars().count() + 1,
    };
    let e = p.or()?;
    match p.toks.get(p.pos) {
        None => Ok(e),
        Some((t, col)) => Err(p.unexpected(t.clone(), *col)),
    }
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }

    fn col(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(_, c)| *c)
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Name(n)) if n == word) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_op(&mut self, ops: &[&'static str]) -> Option<&'static str> {
        match self.peek() {
            Some(Tok::Op(o)) if ops.contains(o) => {
                let o = *o;
                self.pos += 1;
                Some(o)
            }
            _ => None,
        }
    }

    fn unexpected(&self, tok: Tok, col: usize) -> XPathError {
        match tok {
            Tok::Other('/') => XPathError::new(
                col,
                "XPath path `/`",
                "node paths are not supported: refer to questions as ${name}",
            ),
            Tok::Other('[') => XPathError::new(
                col,
                "XPath predicate `[…]`",
                "predicates are not supported: use indexed-repeat() or an aggregate",
            ),
            Tok::Other('|') => XPathError::new(col, "XPath union `|`", "unions are not supported"),
            Tok::Other(c) => XPathError::new(col, &format!("`{c}`"), "unexpected character"),
            other => XPathError::new(col, &describe(&other), "unexpected here"),
        }
    }

    fn or(&mut self) -> Result<Expr, XPathError> {
        let mut l = self.and()?;
        while self.eat_word("or") {
            let r = self.and()?;
            l = Expr::Bin(BinOp::Or, Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Expr, XPathError> {
        let mut l = self.cmp()?;
        while self.eat_word("and") {
            let r = self.cmp()?;
            l = Expr::Bin(BinOp::And, Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn cmp(&mut self) -> Result<Expr, XPathError> {
        let mut l = self.add()?;
        while let Some(op) = self.eat_op(&["=", "!=", "<", "<=", ">", ">="]) {
            let op = match op {
                "=" => BinOp::Eq,
                "!=" => BinOp::Ne,
                "<" => BinOp::Lt,
                "<=" => BinOp::Le,
                ">" => BinOp::Gt,
                _ => BinOp::Ge,
            };
            let r = self.add()?;
            l = Expr::Bin(op, Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn add(&mut self) -> Result<Expr, XPathError> {
        let mut l = self.mul()?;
        while let Some(op) = self.eat_op(&["+", "-"]) {
            let op = if op == "+" { BinOp::Add } else { BinOp::Sub };
            let r = self.mul()?;
            l = Expr::Bin(op, Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn mul(&mut self) -> Result<Expr, XPathError> {
        let mut l = self.unary()?;
        loop {
            let op = if self.eat_op(&["*"]).is_some() {
                BinOp::Mul
            } else if self.eat_word("div") {
                BinOp::Div
            } else if self.eat_word("mod") {
                BinOp::Mod
            } else {
                return Ok(l);
            };
            let r = self.unary()?;
            l = Expr::Bin(op, Box::new(l), Box::new(r));
        }
    }

    fn unary(&mut self) -> Result<Expr, XPathError> {
        if self.eat_op(&["-"]).is_some() {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, XPathError> {
        let col = self.col();
        let Some((tok, _)) = self.toks.get(self.pos).cloned() else {
            return Err(XPathError::new(
                col,
                "end of expression",
                "the expression ends too early",
            ));
        };
        self.pos += 1;
        let e = match tok {
            Tok::Num(n) => Expr::Num(n),
            Tok::Str(s) => Expr::Str(s),
            Tok::Ref(r) => Expr::Ref(r, col),
            Tok::Dot => Expr::Dot,
            Tok::DotDot => Expr::Parent,
            Tok::LParen => {
                let e = self.or()?;
                self.close(col)?;
                e
            }
            Tok::Name(name) if self.peek() == Some(&Tok::LParen) => {
                self.pos += 1;
                let mut args = Vec::new();
                if self.peek() == Some(&Tok::RParen) {
                    self.pos += 1;
                } else {
                    loop {
                        args.push(self.or()?);
                        if self.peek() == Some(&Tok::Comma) {
                            self.pos += 1;
                        } else {
                            self.close(col)?;
                            break;
                        }
                    }
                }
                Expr::Call(name, args, col)
            }
            Tok::Name(name) => Expr::Name(name),
            other => return Err(self.unexpected(other, col)),
        };
        if let Some((t @ Tok::Other('/' | '[' | '|'), c)) = self.toks.get(self.pos).cloned() {
            return Err(self.unexpected(t, c));
        }
        Ok(e)
    }

    fn close(&mut self, open: usize) -> Result<(), XPathError> {
        if self.peek() == Some(&Tok::RParen) {
            self.pos += 1;
            Ok(())
        } else {
            Err(XPathError::new(
                self.col(),
                "`(`",
                &format!("the parenthesis opened at column {open} is not closed here"),
            ))
        }
    }
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Num(n) => format!("number {n}"),
        Tok::Str(s) => format!("text '{s}'"),
        Tok::Ref(r) => format!("${{{r}}}"),
        Tok::Name(n) => format!("`{n}`"),
        Tok::Dot => "`.`".into(),
        Tok::DotDot => "`..`".into(),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Op(o) => format!("`{o}`"),
        Tok::Other(c) => format!("`{c}`"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn precedence_and_calls() {
        let e = parse("${a} + 2 * 3 > 4 and not(selected(${b}, 'x'))").unwrap();
        let Expr::Bin(BinOp::And, l, r) = e else {
            unreachable!("and at the top")
        };
        assert!(matches!(*l, Expr::Bin(BinOp::Gt, _, _)));
        assert!(matches!(*r, Expr::Call(ref n, _, 22) if n == "not"));
    }

    #[test]
    fn paths_are_located() {
        let e = parse("/data/age > 3").unwrap_err();
        assert_eq!(e.column, 1);
        let e = parse("${a} > ../b").unwrap_err();
        assert_eq!(e.column, 10);
        assert!(e.construct.contains("path"), "{e:?}");
    }
}
