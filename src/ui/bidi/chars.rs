//! Character classes the bidi layout needs beyond the Unicode Bidirectional Algorithm:
//! which characters the shaper treats as right-to-left script, which are invisible
//! controls, which attach to the character before them, and mirrored brackets.

use unicode_bidi::{BidiClass, bidi_class};

/// The script direction a shaper guesses from a character (HarfBuzz-style
/// `guess_segment_properties`): `Some(true)` for a right-to-left script (Arabic, Hebrew…),
/// `Some(false)` for a left-to-right script (Latin, Tifinagh…), `None` for characters of the
/// Common and Inherited scripts (digits, punctuation, spaces, combining marks).
pub(super) fn script_direction(c: char) -> Option<bool> {
    let u = c as u32;
    // Characters of the Arabic block that belong to the Common or Inherited script.
    if matches!(
        u,
        0x0605 | 0x060C | 0x061B | 0x061C | 0x061F | 0x0640 | 0x064B..=0x0655 | 0x0670 | 0x06DD
    ) || matches!(u, 0xFD3E | 0xFD3F | 0xFEFF)
    {
        return None;
    }
    if is_rtl_script(c) {
        return Some(true);
    }
    if matches!(u, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF) {
        return None;
    }
    if c.is_alphabetic() {
        return Some(false);
    }
    None
}

/// Whether `c` is in a block of a right-to-left script (Hebrew, Arabic, Syriac, Thaana,
/// N'Ko and their supplements and presentation forms, and the RTL supplementary planes).
pub(super) fn is_rtl_script(c: char) -> bool {
    matches!(
        c as u32,
        0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFE | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF
    )
}

/// Whether the shaper will lay `text` out right to left: the first character with a
/// definite script decides, as HarfBuzz's `guess_segment_properties` does.
pub(super) fn shaper_is_rtl(text: &str) -> bool {
    text.chars().find_map(script_direction).unwrap_or(false)
}

/// Invisible bidi formatting characters: they only steer the algorithm and are never drawn
/// (LRM, RLM, ALM, embeddings, overrides, isolates).
pub(super) fn is_bidi_control(c: char) -> bool {
    matches!(
        c as u32,
        0x200E | 0x200F | 0x061C | 0x202A..=0x202E | 0x2066..=0x2069
    )
}

/// Characters that stay with the character before them: combining marks (bidi class NSM)
/// and boundary-neutral format characters such as ZWJ and ZWNJ (class BN).
pub(super) fn attaches_to_previous(c: char) -> bool {
    matches!(bidi_class(c), BidiClass::NSM | BidiClass::BN) || is_bidi_control(c)
}

/// A break opportunity between words: whitespace other than the no-break spaces.
pub(super) fn is_break_space(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{00A0}' | '\u{2007}' | '\u{202F}')
}

/// The mirrored form of a bracket-like character shown right to left (UAX #9 rule L4),
/// for the characters the app's texts use.
pub(super) fn mirror(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '«' => '»',
        '»' => '«',
        '‹' => '›',
        '›' => '‹',
        '≤' => '≥',
        '≥' => '≤',
        other => other,
    }
}

/// `text` with its grapheme-like clusters (a character and the marks attached to it) in
/// reverse order; with `mirrored`, brackets are mirrored too.
pub(super) fn reverse_clusters(text: &str, mirrored: bool) -> String {
    let mut clusters: Vec<String> = Vec::new();
    for c in text.chars() {
        let c = if mirrored { mirror(c) } else { c };
        match clusters.last_mut() {
            Some(last) if attaches_to_previous(c) => last.push(c),
            _ => clusters.push(c.to_string()),
        }
    }
    clusters.into_iter().rev().collect()
}

/// The text to give egui for a piece shown in direction `rtl`, so that after egui's shaper
/// (which reverses right-to-left script runs itself) the glyphs end up in visual order.
pub(super) fn shaping_text(text: &str, rtl: bool) -> String {
    let visible: String = text.chars().filter(|c| !is_bidi_control(*c)).collect();
    if shaper_is_rtl(&visible) == rtl {
        visible
    } else {
        reverse_clusters(&visible, rtl)
    }
}
