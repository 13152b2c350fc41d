//! Short codes people read aloud and type: the office's one-time enrolment codes and its
//! reviewer codes. One alphabet without look-alikes (no `0`/`O`, `1`/`I`/`L`) and one way of
//! reading what was typed, shared by the tablet and the office so that `k7qmx 3pard`, typed
//! on a tablet, is the same code as `K7QMX-3PARD` printed by the office.

/// The symbols of a short code: digits 2–9 and capital letters without `I`, `L` and `O`.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// The longest short code, in symbols (longer text is a token, never a short code).
pub const MAX_CODE_SYMBOLS: usize = 16;

/// The symbols of a reviewer code (two groups of five: about 49 bits, guessed only through
/// the office's limit on failed sign-ins).
pub const REVIEWER_CODE_SYMBOLS: usize = 10;

/// The code as stored and compared: upper case, without spaces or dashes. `None` when the
/// text is not a short code (a symbol outside the alphabet, or more than
/// [`MAX_CODE_SYMBOLS`] of them), for example a base64 bearer token.
pub fn normal_code(text: &str) -> Option<String> {
    let normal: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect();
    let is_code = !normal.is_empty()
        && normal.len() <= MAX_CODE_SYMBOLS
        && normal.bytes().all(|b| CODE_ALPHABET.contains(&b));
    is_code.then_some(normal)
}

/// A code of `symbols` symbols from `random` bytes (one byte per symbol), in groups of
/// `group` joined by dashes: `K7QMX-3PARD`. The modulo bias (256 = 8 × 31 + 8) is under 4 %
/// per symbol and costs well under a bit of the code's strength.
pub fn format_code(random: &[u8], group: usize) -> String {
    let mut out = String::with_capacity(random.len() + random.len() / group.max(1));
    for (i, b) in random.iter().enumerate() {
        if i > 0 && group > 0 && i % group == 0 {
            out.push('-');
        }
        out.push(char::from(
            CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()],
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_the_same_however_it_is_typed() {
        assert_eq!(normal_code("K7QMX-3PARD").as_deref(), Some("K7QMX3PARD"));
        assert_eq!(normal_code(" k7qmx 3pard ").as_deref(), Some("K7QMX3PARD"));
        assert_eq!(normal_code("k7qm-x3pa-rd").as_deref(), Some("K7QMX3PARD"));
    }

    #[test]
    fn tokens_and_look_alikes_are_not_codes() {
        assert_eq!(normal_code("K0QMX-3PARD"), None, "0 is not in the alphabet");
        assert_eq!(normal_code("K1QMX-3PARD"), None);
        assert_eq!(normal_code(""), None);
        assert_eq!(normal_code(" - "), None);
        let token = "q83v7Yh0nZb1u8wJmC2xk5D4g6sT9rLp0aEeFfGgHhI=";
        assert_eq!(normal_code(token), None);
        assert_eq!(normal_code(&"A".repeat(MAX_CODE_SYMBOLS + 1)), None);
        assert!(normal_code(&"A".repeat(MAX_CODE_SYMBOLS)).is_some());
    }

    #[test]
    fn formatted_codes_use_the_alphabet_in_groups() {
        let code = format_code(&[0, 30, 31, 255, 7, 8, 9, 10, 11, 12], 5);
        assert_eq!(code.len(), 11);
        assert_eq!(&code[5..6], "-");
        assert_eq!(normal_code(&code).map(|c| c.len()), Some(10));
        assert_eq!(&code[..3], "2Z2");
    }
}
