//! Text from outside (a tablet's device id or name, a decoding error that quotes a request)
//! made safe for one log line. A tablet must not be able to forge log lines: every control
//! character (line breaks, ESC and so ANSI sequences, DEL, C1 controls) and every
//! bidirectional override is written as a visible escape, and the backslash itself is
//! doubled so that an escape cannot be faked either. Use it in every `tracing` field that
//! carries such text: `tracing::info!(device = %logsafe::text(&id), "…")`.

use std::fmt;

/// Longest text kept, in characters; the rest is cut and marked `…`.
pub const MAX_CHARS: usize = 200;

/// `text` as it may appear in a log line (see the module documentation).
pub fn text(text: &str) -> Escaped<'_> {
    Escaped(text)
}

/// Text that formats escaped (see [`text`]).
#[derive(Clone, Copy)]
pub struct Escaped<'a>(&'a str);

/// Bidirectional formatting characters: they reorder what a terminal shows.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write as _;
        for (i, c) in self.0.chars().enumerate() {
            if i == MAX_CHARS {
                return f.write_char('…');
            }
            match c {
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c if c.is_control() || is_bidi_control(c) => {
                    write!(f, "\\u{{{:x}}}", u32::from(c))?
                }
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// Whether `text` holds nothing that [`text`] would have to escape (a device id must not).
pub fn is_plain(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c == '\\' || c.is_control() || is_bidi_control(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_ansi_and_bidi_are_escaped() {
        let forged = "tab-1\n2026-12-04T16:00:00Z  INFO census_server: enrolled device=x\r\x1b[31mred\u{7f}\u{85}\u{202e}\\n";
        let out = text(forged).to_string();
        assert!(
            !out.chars().any(|c| c.is_control() || is_bidi_control(c)),
            "{out}"
        );
        assert_eq!(
            out,
            "tab-1\\n2026-12-04T16:00:00Z  INFO census_server: enrolled device=x\\r\\u{1b}[31mred\\u{7f}\\u{85}\\u{202e}\\\\n"
        );
        assert_eq!(text("tablet-5f0c").to_string(), "tablet-5f0c");
        assert_eq!(text("ثلاثة ⵜⵉⴼⵉⵏⴰⵖ").to_string(), "ثلاثة ⵜⵉⴼⵉⵏⴰⵖ");
        assert_eq!(format!("{:?}", text("a\tb")), "\"a\\tb\"");
    }

    #[test]
    fn long_text_is_cut() {
        let long = "x".repeat(MAX_CHARS + 50);
        let out = text(&long).to_string();
        assert_eq!(out.chars().count(), MAX_CHARS + 1);
        assert!(out.ends_with('…'));
    }

    #[test]
    fn plain_text_is_recognised() {
        assert!(is_plain("tablet-0b6f6c1e-2f3a-4c55-9a57-3f0f2b9d0a11"));
        assert!(!is_plain("tab\n1"));
        assert!(!is_plain("tab\u{202e}1"));
        assert!(!is_plain("tab\\1"));
    }
}
