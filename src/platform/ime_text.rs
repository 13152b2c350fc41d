//! The soft-keyboard bridge's logic, independent of Android.
//!
//! GameActivity keeps the text an input method (IME) edits in a buffer (GameTextInput): the
//! text, a selection and an optional composing region (the word being composed, underlined
//! by the keyboard). Both spans count **UTF-16 code units**, as Java does: an Arabic or
//! Tifinagh letter is one unit, a character outside the Basic Multilingual Plane (an emoji,
//! some CJK) is two.
//!
//! [`ImeBridge::step`] turns one reading of that buffer into egui events: the text outside the
//! composing region is final ([`egui::ImeEvent::Commit`]), the composing region is shown as
//! pre-edit text ([`egui::ImeEvent::Preedit`]). Committed text is then removed from the buffer
//! ([`ImeStep::reset`]), so the next reading holds only what is new.

/// A span of the IME buffer in UTF-16 code units, `start..end` (`start == end`: a cursor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Utf16Span {
    /// First code unit (inclusive).
    pub start: usize,
    /// Last code unit (exclusive).
    pub end: usize,
}

impl Utf16Span {
    /// The span `start..end`.
    pub fn new(start: usize, end: usize) -> Utf16Span {
        Utf16Span { start, end }
    }
}

/// The length of `text` in UTF-16 code units.
pub fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// The byte index in `text` of UTF-16 index `index`. An index past the end gives the end; an
/// index inside a surrogate pair gives the start of that character (never a byte index that
/// would split a character).
pub fn byte_index(text: &str, index: usize) -> usize {
    let mut units = 0;
    for (byte, c) in text.char_indices() {
        let next = units + c.len_utf16();
        if next > index {
            return byte;
        }
        units = next;
    }
    text.len()
}

/// The byte range of a UTF-16 span: both ends clamped to the text and to character
/// boundaries, reversed spans put in order (an IME may report `end < start`).
pub fn byte_range(text: &str, span: Utf16Span) -> std::ops::Range<usize> {
    let (a, b) = if span.start <= span.end {
        (span.start, span.end)
    } else {
        (span.end, span.start)
    };
    byte_index(text, a)..byte_index(text, b)
}

/// The IME buffer split in two: what is final, and what is still being composed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImeSplit {
    /// The text outside the composing region (before it, then after it), final.
    pub committed: String,
    /// The text of the composing region (empty without one).
    pub composing: String,
}

/// Splits the buffer's `text` by its composing region (UTF-16 span; `None` or empty: all of
/// the text is final).
pub fn split(text: &str, compose: Option<Utf16Span>) -> ImeSplit {
    let range = compose.map(|span| byte_range(text, span));
    match range {
        Some(range) if !range.is_empty() => ImeSplit {
            committed: format!("{}{}", &text[..range.start], &text[range.end..]),
            composing: text[range].to_owned(),
        },
        _ => ImeSplit {
            committed: text.to_owned(),
            composing: String::new(),
        },
    }
}

/// What the buffer should hold after a step: the composing text alone, its region over all
/// of it, the cursor where it was within it (all in UTF-16 code units).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImeBuffer {
    /// The text left in the buffer.
    pub text: String,
    /// The cursor or selection.
    pub selection: Utf16Span,
    /// The composing region (`None` when nothing is being composed).
    pub compose: Option<Utf16Span>,
}

/// The result of one reading of the buffer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImeStep {
    /// The events to add to egui's input, in order.
    pub events: Vec<egui::Event>,
    /// The buffer to write back, when text was committed (`None`: leave it as it is).
    pub reset: Option<ImeBuffer>,
}

/// The bridge's memory between frames: the pre-edit text egui is showing.
#[derive(Debug, Clone, Default)]
pub struct ImeBridge {
    shown_preedit: String,
}

impl ImeBridge {
    /// A bridge with nothing shown.
    pub fn new() -> ImeBridge {
        ImeBridge::default()
    }

    /// The pre-edit text egui was last told to show.
    pub fn shown_preedit(&self) -> &str {
        &self.shown_preedit
    }

    /// Forgets the pre-edit text (the focus left the field: egui dropped it).
    pub fn clear(&mut self) {
        self.shown_preedit.clear();
    }

    /// One reading of the IME buffer: `text`, its `selection` and composing region.
    ///
    /// Committed text becomes one [`egui::ImeEvent::Commit`] (it replaces the pre-edit text
    /// egui shows, as on the desktop), without line breaks or tabs (a single-line field would
    /// take them as text; the Enter key arrives as a key event). A changed composing region
    /// becomes [`egui::ImeEvent::Preedit`]; one that disappeared without a commit clears the
    /// pre-edit text. Nothing new: no events.
    pub fn step(
        &mut self,
        text: &str,
        selection: Utf16Span,
        compose: Option<Utf16Span>,
    ) -> ImeStep {
        let split = split(text, compose);
        let committed: String = split
            .committed
            .chars()
            .filter(|c| !matches!(c, '\n' | '\r' | '\t'))
            .collect();
        let mut step = ImeStep::default();
        let had_commit = !split.committed.is_empty();
        if !committed.is_empty() {
            step.events
                .push(egui::Event::Ime(egui::ImeEvent::Commit(committed)));
            self.shown_preedit.clear();
        }
        if split.composing != self.shown_preedit {
            step.events.push(egui::Event::Ime(egui::ImeEvent::Preedit {
                text: split.composing.clone(),
                active_range_chars: None,
            }));
            self.shown_preedit = split.composing.clone();
        }
        if had_commit {
            let len = utf16_len(&split.composing);
            let compose_start = compose.map_or(0, |span| {
                let range = byte_range(text, span);
                utf16_len(&text[..range.start])
            });
            let cursor = |at: usize| at.saturating_sub(compose_start).min(len);
            step.reset = Some(ImeBuffer {
                selection: Utf16Span::new(cursor(selection.start), cursor(selection.end)),
                compose: (len > 0).then(|| Utf16Span::new(0, len)),
                text: split.composing,
            });
        }
        step
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::{Event, ImeEvent};

    fn commit(text: &str) -> Event {
        Event::Ime(ImeEvent::Commit(text.to_owned()))
    }

    fn preedit(text: &str) -> Event {
        Event::Ime(ImeEvent::Preedit {
            text: text.to_owned(),
            active_range_chars: None,
        })
    }

    fn span(start: usize, end: usize) -> Utf16Span {
        Utf16Span::new(start, end)
    }

    #[test]
    fn latin_text_without_composition_is_committed_and_the_buffer_emptied() {
        let mut bridge = ImeBridge::new();
        let step = bridge.step("Ahmed", span(5, 5), None);
        assert_eq!(step.events, vec![commit("Ahmed")]);
        let reset = step.reset.unwrap();
        assert_eq!(reset.text, "");
        assert_eq!(reset.selection, span(0, 0));
        assert_eq!(reset.compose, None);
        // The emptied buffer read again: nothing new.
        assert_eq!(bridge.step("", span(0, 0), None), ImeStep::default());
    }

    #[test]
    fn arabic_spans_count_one_unit_per_letter() {
        // "محمد" is 4 letters, 8 UTF-8 bytes, 4 UTF-16 units; "علي" 3 letters.
        let text = "محمد علي";
        assert_eq!(utf16_len(text), 8);
        assert_eq!(byte_index(text, 4), "محمد".len());
        let split = split(text, Some(span(5, 8)));
        assert_eq!(split.committed, "محمد ");
        assert_eq!(split.composing, "علي");
    }

    #[test]
    fn tifinagh_composition_is_shown_as_preedit_then_committed() {
        // "ⴰⵎⴰⵣⵉⵖ": Tifinagh letters are 3 bytes in UTF-8, 1 unit in UTF-16.
        let mut bridge = ImeBridge::new();
        let step = bridge.step("ⴰⵎⴰ", span(3, 3), Some(span(0, 3)));
        assert_eq!(step.events, vec![preedit("ⴰⵎⴰ")]);
        assert_eq!(
            step.reset, None,
            "nothing committed: the buffer is left to the IME"
        );
        let step = bridge.step("ⴰⵎⴰⵣⵉⵖ", span(6, 6), Some(span(0, 6)));
        assert_eq!(step.events, vec![preedit("ⴰⵎⴰⵣⵉⵖ")]);
        // Unchanged: no events.
        assert!(
            bridge
                .step("ⴰⵎⴰⵣⵉⵖ", span(6, 6), Some(span(0, 6)))
                .events
                .is_empty()
        );
        let step = bridge.step("ⴰⵎⴰⵣⵉⵖ ", span(7, 7), None);
        assert_eq!(step.events, vec![commit("ⴰⵎⴰⵣⵉⵖ ")]);
        assert_eq!(bridge.shown_preedit(), "");
    }

    #[test]
    fn surrogate_pairs_count_two_units_and_are_never_split() {
        // U+1D400 (𝐀) takes two UTF-16 units and four UTF-8 bytes.
        let text = "a𝐀b";
        assert_eq!(utf16_len(text), 4);
        assert_eq!(byte_index(text, 1), 1);
        assert_eq!(
            byte_index(text, 2),
            1,
            "inside the pair: the character's start"
        );
        assert_eq!(byte_index(text, 3), 5);
        assert_eq!(split(text, Some(span(1, 3))).composing, "𝐀");
        assert_eq!(split(text, Some(span(3, 4))).composing, "b");
        assert_eq!(split(text, Some(span(1, 3))).committed, "ab");
    }

    #[test]
    fn text_before_a_composing_word_is_committed_and_the_word_kept_composing() {
        let mut bridge = ImeBridge::new();
        bridge.step("Fatima", span(6, 6), Some(span(0, 6)));
        // The IME committed "Fatima " and began composing "Za".
        let step = bridge.step("Fatima Za", span(9, 9), Some(span(7, 9)));
        assert_eq!(step.events, vec![commit("Fatima "), preedit("Za")]);
        let reset = step.reset.unwrap();
        assert_eq!(reset.text, "Za");
        assert_eq!(reset.compose, Some(span(0, 2)));
        assert_eq!(reset.selection, span(2, 2));
        // The next reading, after the reset, continues the word.
        let step = bridge.step("Zahra", span(5, 5), Some(span(0, 5)));
        assert_eq!(step.events, vec![preedit("Zahra")]);
    }

    #[test]
    fn a_composition_deleted_by_the_ime_clears_the_preedit() {
        let mut bridge = ImeBridge::new();
        bridge.step("ab", span(2, 2), Some(span(0, 2)));
        let step = bridge.step("", span(0, 0), None);
        assert_eq!(step.events, vec![preedit("")]);
        assert_eq!(step.reset, None);
    }

    #[test]
    fn out_of_range_and_reversed_spans_are_clamped() {
        assert_eq!(byte_index("abc", 99), 3);
        assert_eq!(byte_range("abc", span(2, 1)), 1..2);
        assert_eq!(split("abc", Some(span(2, 99))).composing, "c");
        assert_eq!(split("abc", Some(span(50, 99))), split("abc", None));
        let mut bridge = ImeBridge::new();
        let step = bridge.step("abc", span(40, 40), Some(span(1, 99)));
        assert_eq!(step.events, vec![commit("a"), preedit("bc")]);
        assert_eq!(step.reset.unwrap().selection, span(2, 2));
    }

    #[test]
    fn line_breaks_and_tabs_are_not_committed() {
        let mut bridge = ImeBridge::new();
        let step = bridge.step("12\n", span(3, 3), None);
        assert_eq!(step.events, vec![commit("12")]);
        assert!(
            step.reset.is_some(),
            "the newline is still removed from the buffer"
        );
        let step = bridge.step("\n", span(1, 1), None);
        assert!(step.events.is_empty());
        assert_eq!(step.reset.unwrap().text, "");
    }

    #[test]
    fn an_empty_composing_region_commits_everything() {
        let mut bridge = ImeBridge::new();
        let step = bridge.step("ⵣ", span(1, 1), Some(span(1, 1)));
        assert_eq!(step.events, vec![commit("ⵣ")]);
    }
}
