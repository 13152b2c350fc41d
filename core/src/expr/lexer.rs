//! Splits expression source text into tokens with byte spans.

use super::ast::Span;
use super::parser::ParseError;

/// A token of the expression language.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    /// Digits without a fraction. Kept unsigned so that `-9223372036854775808` can be read:
    /// the parser checks the range.
    Integer(u64),
    /// Number with a fraction, e.g. `3.5` or `.5`.
    Decimal(f64),
    /// Quoted text, quotes removed and doubled quotes undone.
    Text(String),
    /// Identifier: a question, input or roster id, or a function name.
    Ident(String),
    /// `and`.
    And,
    /// `or`.
    Or,
    /// `not`.
    Not,
    /// `true`.
    True,
    /// `false`.
    False,
    /// `null`.
    Null,
    /// `.`: the answer being constrained.
    Dot,
    /// `=`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `+`.
    Plus,
    /// `-`.
    Minus,
    /// `*`.
    Star,
    /// `/`.
    Slash,
    /// `%`.
    Percent,
    /// `(`.
    LParen,
    /// `)`.
    RParen,
    /// `,`.
    Comma,
    /// End of the text.
    End,
}

impl Token {
    /// How the token reads in an error message.
    pub(crate) fn describe(&self) -> String {
        match self {
            Token::Integer(n) => format!("the number `{n}`"),
            Token::Decimal(d) => format!("the number `{d}`"),
            Token::Text(_) => "a text".to_string(),
            Token::Ident(name) => format!("the name `{name}`"),
            Token::And => "`and`".to_string(),
            Token::Or => "`or`".to_string(),
            Token::Not => "`not`".to_string(),
            Token::True => "`true`".to_string(),
            Token::False => "`false`".to_string(),
            Token::Null => "`null`".to_string(),
            Token::Dot => "`.`".to_string(),
            Token::Eq => "`=`".to_string(),
            Token::Ne => "`!=`".to_string(),
            Token::Lt => "`<`".to_string(),
            Token::Le => "`<=`".to_string(),
            Token::Gt => "`>`".to_string(),
            Token::Ge => "`>=`".to_string(),
            Token::Plus => "`+`".to_string(),
            Token::Minus => "`-`".to_string(),
            Token::Star => "`*`".to_string(),
            Token::Slash => "`/`".to_string(),
            Token::Percent => "`%`".to_string(),
            Token::LParen => "`(`".to_string(),
            Token::RParen => "`)`".to_string(),
            Token::Comma => "`,`".to_string(),
            Token::End => "the end of the expression".to_string(),
        }
    }
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Spanned {
    /// The token.
    pub token: Token,
    /// Its bytes in the source.
    pub span: Span,
}

/// Longest source accepted, in bytes (spans are `u32`; expressions are short in practice).
pub(crate) const MAX_SOURCE_LEN: usize = 64 * 1024;

fn span(start: usize, end: usize) -> Span {
    // Both fit: the source length is checked against MAX_SOURCE_LEN first.
    Span {
        start: u32::try_from(start).unwrap_or(u32::MAX),
        end: u32::try_from(end).unwrap_or(u32::MAX),
    }
}

fn error(start: usize, end: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        span: span(start, end),
        message: message.into(),
    }
}

/// Splits `source` into tokens, ending with [`Token::End`].
pub(crate) fn tokenize(source: &str) -> Result<Vec<Spanned>, ParseError> {
    if source.len() > MAX_SOURCE_LEN {
        return Err(error(
            0,
            0,
            format!(
                "the expression is too long ({} bytes; at most {MAX_SOURCE_LEN})",
                source.len()
            ),
        ));
    }
    let mut lexer = Lexer {
        source,
        bytes: source.as_bytes(),
        pos: 0,
    };
    let mut tokens = Vec::new();
    loop {
        let spanned = lexer.next_token()?;
        let end = spanned.token == Token::End;
        tokens.push(spanned);
        if end {
            return Ok(tokens);
        }
    }
}

struct Lexer<'a> {
    source: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Lexer<'_> {
    fn peek_byte(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(c) = self
            .source
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        {
            if !c.is_whitespace() {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    fn next_token(&mut self) -> Result<Spanned, ParseError> {
        self.skip_whitespace();
        let start = self.pos;
        let Some(first) = self.peek_byte(0) else {
            return Ok(Spanned {
                token: Token::End,
                span: span(start, start),
            });
        };
        let simple = |token: Token, len: usize| (token, len);
        let (token, len) = match first {
            b'0'..=b'9' => return self.number(),
            b'.' if self.peek_byte(1).is_some_and(|b| b.is_ascii_digit()) => return self.number(),
            b'\'' | b'"' => return self.text(first),
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => return Ok(self.identifier()),
            b'.' => simple(Token::Dot, 1),
            b'=' if self.peek_byte(1) == Some(b'=') => {
                return Err(error(
                    start,
                    start + 2,
                    "`==` is not an operator: write `=`",
                ));
            }
            b'=' => simple(Token::Eq, 1),
            b'!' if self.peek_byte(1) == Some(b'=') => simple(Token::Ne, 2),
            b'!' => {
                return Err(error(
                    start,
                    start + 1,
                    "`!` is not an operator: write `not` (or `!=` for \"not equal\")",
                ));
            }
            b'<' if self.peek_byte(1) == Some(b'>') => {
                return Err(error(
                    start,
                    start + 2,
                    "`<>` is not an operator: write `!=`",
                ));
            }
            b'<' if self.peek_byte(1) == Some(b'=') => simple(Token::Le, 2),
            b'<' => simple(Token::Lt, 1),
            b'>' if self.peek_byte(1) == Some(b'=') => simple(Token::Ge, 2),
            b'>' => simple(Token::Gt, 1),
            b'&' if self.peek_byte(1) == Some(b'&') => {
                return Err(error(
                    start,
                    start + 2,
                    "`&&` is not an operator: write `and`",
                ));
            }
            b'|' if self.peek_byte(1) == Some(b'|') => {
                return Err(error(
                    start,
                    start + 2,
                    "`||` is not an operator: write `or`",
                ));
            }
            b'+' => simple(Token::Plus, 1),
            b'-' => simple(Token::Minus, 1),
            b'*' => simple(Token::Star, 1),
            b'/' => simple(Token::Slash, 1),
            b'%' => simple(Token::Percent, 1),
            b'(' => simple(Token::LParen, 1),
            b')' => simple(Token::RParen, 1),
            b',' => simple(Token::Comma, 1),
            _ => {
                let c = self
                    .source
                    .get(start..)
                    .and_then(|rest| rest.chars().next())
                    .unwrap_or('\u{FFFD}');
                let end = start + c.len_utf8();
                let message = if c.is_alphabetic() {
                    format!(
                        "unexpected character `{c}`: names use only the letters A-Z and a-z, digits and `_`; put texts in quotes"
                    )
                } else if matches!(c, '‘' | '’' | '“' | '”' | '«' | '»') {
                    format!("unexpected character `{c}`: quote texts with ' or \"")
                } else {
                    format!("unexpected character `{}`", c.escape_debug())
                };
                return Err(error(start, end, message));
            }
        };
        self.pos += len;
        Ok(Spanned {
            token,
            span: span(start, self.pos),
        })
    }

    fn digits(&mut self) {
        while self.peek_byte(0).is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    fn number(&mut self) -> Result<Spanned, ParseError> {
        let start = self.pos;
        self.digits();
        let mut is_decimal = false;
        if self.peek_byte(0) == Some(b'.') {
            if self.peek_byte(1).is_some_and(|b| b.is_ascii_digit()) {
                is_decimal = true;
                self.pos += 1;
                self.digits();
            } else {
                return Err(error(
                    start,
                    self.pos + 1,
                    "a number cannot end with `.`: write digits after it, e.g. `3.0`",
                ));
            }
        }
        if self
            .peek_byte(0)
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'.')
        {
            return Err(error(
                start,
                self.pos + 1,
                "a number must be followed by a space, an operator or a parenthesis",
            ));
        }
        let text = self.source.get(start..self.pos).unwrap_or("");
        let token = if is_decimal {
            match text.parse::<f64>() {
                Ok(value) if value.is_finite() => Token::Decimal(value),
                _ => {
                    return Err(error(
                        start,
                        self.pos,
                        format!("the number `{text}` is too large"),
                    ));
                }
            }
        } else {
            match text.parse::<u64>() {
                Ok(value) if value <= 1 << 63 => Token::Integer(value),
                _ => {
                    return Err(error(
                        start,
                        self.pos,
                        format!(
                            "the number `{text}` is too large for an integer (at most {})",
                            i64::MAX
                        ),
                    ));
                }
            }
        };
        Ok(Spanned {
            token,
            span: span(start, self.pos),
        })
    }

    fn text(&mut self, quote: u8) -> Result<Spanned, ParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut value = String::new();
        loop {
            let rest = self.source.get(self.pos..).unwrap_or("");
            let Some(offset) = rest.find(char::from(quote)) else {
                return Err(error(
                    start,
                    self.source.len(),
                    format!("this text has no closing {}", char::from(quote)),
                ));
            };
            value.push_str(rest.get(..offset).unwrap_or(""));
            self.pos += offset + 1;
            if self.peek_byte(0) == Some(quote) {
                // A doubled quote stands for one quote inside the text.
                value.push(char::from(quote));
                self.pos += 1;
            } else {
                return Ok(Spanned {
                    token: Token::Text(value),
                    span: span(start, self.pos),
                });
            }
        }
    }

    fn identifier(&mut self) -> Spanned {
        let start = self.pos;
        while self
            .peek_byte(0)
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            self.pos += 1;
        }
        // Metadata items are written `meta.start`, `meta.device_id`, …: one name.
        if self.source.get(start..self.pos) == Some("meta")
            && self.peek_byte(0) == Some(b'.')
            && self
                .peek_byte(1)
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        {
            self.pos += 1;
            while self
                .peek_byte(0)
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                self.pos += 1;
            }
        }
        let word = self.source.get(start..self.pos).unwrap_or("");
        let token = match word {
            "and" => Token::And,
            "or" => Token::Or,
            "not" => Token::Not,
            "true" => Token::True,
            "false" => Token::False,
            "null" => Token::Null,
            _ => Token::Ident(word.to_string()),
        };
        Spanned {
            token,
            span: span(start, self.pos),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(source: &str) -> Vec<Token> {
        tokenize(source)
            .unwrap()
            .into_iter()
            .map(|s| s.token)
            .collect()
    }

    fn lex_error(source: &str) -> ParseError {
        tokenize(source).unwrap_err()
    }

    #[test]
    fn operators_and_punctuation() {
        use Token::*;
        assert_eq!(
            tokens("= != < <= > >= + - * / % ( ) , ."),
            vec![
                Eq, Ne, Lt, Le, Gt, Ge, Plus, Minus, Star, Slash, Percent, LParen, RParen, Comma,
                Dot, End
            ]
        );
        assert_eq!(
            tokens("a<=b"),
            vec![Ident("a".into()), Le, Ident("b".into()), End]
        );
    }

    #[test]
    fn keywords_are_case_sensitive() {
        use Token::*;
        assert_eq!(
            tokens("and or not true false null AND True Null"),
            vec![
                And,
                Or,
                Not,
                True,
                False,
                Null,
                Ident("AND".into()),
                Ident("True".into()),
                Ident("Null".into()),
                End
            ]
        );
        assert_eq!(tokens("android"), vec![Ident("android".into()), End]);
        assert_eq!(tokens("_x9"), vec![Ident("_x9".into()), End]);
    }

    #[test]
    fn numbers() {
        use Token::*;
        assert_eq!(tokens("12"), vec![Integer(12), End]);
        assert_eq!(tokens("3.5"), vec![Decimal(3.5), End]);
        assert_eq!(tokens(".5"), vec![Decimal(0.5), End]);
        assert_eq!(tokens("007"), vec![Integer(7), End]);
        assert_eq!(tokens("9223372036854775808"), vec![Integer(1 << 63), End]);
        assert_eq!(tokens(". 5"), vec![Dot, Integer(5), End]);
        assert_eq!(tokens(".>5"), vec![Dot, Gt, Integer(5), End]);
    }

    #[test]
    fn number_errors() {
        let e = lex_error("x + 99999999999999999999");
        assert_eq!(e.span, Span { start: 4, end: 24 });
        assert!(e.message.contains("too large"), "{}", e.message);
        assert!(
            lex_error("9223372036854775809")
                .message
                .contains("too large")
        );
        assert!(lex_error("3.").message.contains("cannot end with `.`"));
        assert!(lex_error("1.2.3").message.contains("followed by"));
        assert_eq!(lex_error("12abc").span, Span { start: 0, end: 3 });
        let huge = format!("1{}.5", "0".repeat(400));
        assert!(lex_error(&huge).message.contains("too large"));
    }

    #[test]
    fn texts_with_both_quotes_and_doubling() {
        use Token::*;
        assert_eq!(tokens("'a'"), vec![Text("a".into()), End]);
        assert_eq!(tokens("\"a b\""), vec![Text("a b".into()), End]);
        assert_eq!(tokens("'it''s'"), vec![Text("it's".into()), End]);
        assert_eq!(
            tokens("\"say \"\"hi\"\"\""),
            vec![Text("say \"hi\"".into()), End]
        );
        assert_eq!(tokens("'say \"hi\"'"), vec![Text("say \"hi\"".into()), End]);
        assert_eq!(tokens("''"), vec![Text(String::new()), End]);
        assert_eq!(
            tokens("'' ''"),
            vec![Text(String::new()), Text(String::new()), End]
        );
    }

    #[test]
    fn unicode_texts_and_spans_in_bytes() {
        let spanned = tokenize("'ذكر' = 'ⵜⴰⵎⴰⵣⵉⵖⵜ'").unwrap();
        assert_eq!(spanned[0].token, Token::Text("ذكر".into()));
        assert_eq!(spanned[0].span, Span { start: 0, end: 8 });
        assert_eq!(spanned[1].span, Span { start: 9, end: 10 });
        assert_eq!(spanned[2].token, Token::Text("ⵜⴰⵎⴰⵣⵉⵖⵜ".into()));
    }

    #[test]
    fn unicode_whitespace_is_skipped() {
        assert_eq!(
            tokens("a\u{a0}=\t\n1"),
            vec![
                Token::Ident("a".into()),
                Token::Eq,
                Token::Integer(1),
                Token::End
            ]
        );
    }

    #[test]
    fn unterminated_text_points_at_its_opening_quote() {
        let e = lex_error("name = 'abc");
        assert_eq!(e.span, Span { start: 7, end: 11 });
        assert!(e.message.contains("no closing '"), "{}", e.message);
        assert!(lex_error("'it''").message.contains("no closing"));
    }

    #[test]
    fn stray_characters_are_errors_with_their_byte_span() {
        let e = lex_error("age ≥ 15");
        assert_eq!(e.span, Span { start: 4, end: 7 });
        let e = lex_error("عمر > 15");
        assert_eq!(e.span, Span { start: 0, end: 2 });
        assert!(e.message.contains("quotes"), "{}", e.message);
        assert!(lex_error("name = ‘x’").message.contains("quote texts"));
        assert!(lex_error("a == 1").message.contains("write `=`"));
        assert!(lex_error("a <> 1").message.contains("`!=`"));
        assert!(lex_error("a && b").message.contains("`and`"));
        assert!(lex_error("a || b").message.contains("`or`"));
        assert!(lex_error("!a").message.contains("`not`"));
        assert!(lex_error("a # b").message.contains("`#`"));
        assert!(lex_error("a \u{0} b").message.contains("\\0"));
    }

    #[test]
    fn too_long_source_is_refused() {
        let long = "1+".repeat(MAX_SOURCE_LEN);
        assert!(lex_error(&long).message.contains("too long"));
    }
}
