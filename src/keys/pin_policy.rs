//! Which PINs a new key file accepts: at least [`NEW_PIN_MIN_DIGITS`] digits, and none of the
//! PINs an attacker tries first (one digit repeated, a run up or down, a short pattern
//! repeated, a few well-known choices).
//!
//! The rule applies when a PIN is chosen (enrolment, change, office recovery), never when one
//! is typed to unlock: a tablet enrolled before the rule keeps opening with its old PIN.

/// Digits a new PIN needs at least.
pub const NEW_PIN_MIN_DIGITS: usize = 6;

/// Why a PIN cannot be chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinProblem {
    /// Fewer than [`NEW_PIN_MIN_DIGITS`] characters.
    TooShort,
    /// Something other than the digits 0–9.
    NotDigits,
    /// A PIN guessed early: repeated digits, a run, a repeated pattern or a common choice.
    TooSimple,
}

impl PinProblem {
    /// The screen string that explains the problem (`assets/i18n/*.json`).
    pub fn message_key(self) -> &'static str {
        match self {
            PinProblem::TooShort | PinProblem::NotDigits => "pin_too_short",
            PinProblem::TooSimple => "pin_too_simple",
        }
    }

    /// The problem in English, for command-line tools and logs.
    pub fn english(self) -> &'static str {
        match self {
            PinProblem::TooShort => "the PIN needs at least 6 digits",
            PinProblem::NotDigits => "the PIN may contain only the digits 0 to 9",
            PinProblem::TooSimple => {
                "the PIN is too easy to guess (repeated digits, a run such as 123456, or a \
                 repeated pattern)"
            }
        }
    }
}

/// PINs people choose most often that the general rules below do not already catch.
const COMMON: &[&str] = &[
    "112233", "123321", "159753", "147258", "258369", "123654", "102030", "111222", "000111",
    "696969", "159357", "520520", "131313", "101010", "123000", "999000", "789456", "456123",
    "147852", "741852", "963852", "121314", "010203",
];

/// Checks a newly chosen PIN.
pub fn check_new_pin(pin: &str) -> Result<(), PinProblem> {
    if !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(PinProblem::NotDigits);
    }
    let digits: Vec<u8> = pin.bytes().map(|b| b - b'0').collect();
    if digits.len() < NEW_PIN_MIN_DIGITS {
        return Err(PinProblem::TooShort);
    }
    if is_run(&digits) || repeats_a_short_pattern(&digits) || COMMON.contains(&pin) {
        return Err(PinProblem::TooSimple);
    }
    Ok(())
}

/// Every step is the same +1 or −1 (modulo 10: 890123 counts), or every digit is the same.
fn is_run(digits: &[u8]) -> bool {
    let steps: Vec<u8> = digits.windows(2).map(|w| (w[1] + 10 - w[0]) % 10).collect();
    [0u8, 1, 9]
        .iter()
        .any(|step| steps.iter().all(|s| s == step))
}

/// The PIN is a pattern of 1 to 3 digits written again and again (121212, 123123, 505050).
fn repeats_a_short_pattern(digits: &[u8]) -> bool {
    (1..=3).any(|period| {
        digits.len() >= 2 * period
            && digits
                .iter()
                .enumerate()
                .all(|(i, d)| *d == digits[i % period])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trivial_pins_are_refused() {
        for pin in [
            "000000", "111111", "999999", "123456", "234567", "890123", "654321", "987654",
            "210987", "121212", "123123", "505050", "112233", "1234567", "12345678", "0000000",
        ] {
            assert_eq!(check_new_pin(pin), Err(PinProblem::TooSimple), "{pin}");
        }
    }

    #[test]
    fn short_or_non_digit_pins_are_refused() {
        assert_eq!(check_new_pin("1234"), Err(PinProblem::TooShort));
        assert_eq!(check_new_pin("28051"), Err(PinProblem::TooShort));
        assert_eq!(check_new_pin("28a514"), Err(PinProblem::NotDigits));
        assert_eq!(check_new_pin("٢٨٠٥١٤"), Err(PinProblem::NotDigits));
    }

    #[test]
    fn ordinary_pins_are_accepted() {
        for pin in ["280514", "730291", "46180352", "120958"] {
            assert_eq!(check_new_pin(pin), Ok(()), "{pin}");
        }
    }
}
