//! Logical text → paragraphs → pieces → lines broken at spaces → each line reordered to
//! visual order (Unicode Bidirectional Algorithm, via `unicode-bidi`) → pieces placed left to
//! right, and the lines aligned in their box.

use std::ops::Range;
use std::sync::Arc;

use egui::epaint::text::FontsView;
use egui::{Align, Color32, FontId, Galley};
use unicode_bidi::{Direction, Level, ParagraphBidiInfo, get_base_direction};

use super::chars::{attaches_to_previous, is_break_space, is_rtl_script, shaping_text};
use super::{BaseDirection, VisualLine, VisualPiece};

/// A run of text laid out as one galley: one word part of one level and one script class,
/// or a run of spaces. Ranges are byte ranges in the paragraph.
struct Atom {
    range: Range<usize>,
    space: bool,
    galley: Arc<Galley>,
}

/// A line of a paragraph before reordering: a range of atoms.
struct LineAtoms {
    atoms: Range<usize>,
}

/// Lays out `text` into visual lines no wider than `max_width` (except a single word wider
/// than that, which keeps its own line). See [`super::layout_lines`].
pub(super) fn layout_text(
    fonts: &mut FontsView<'_>,
    text: &str,
    font: &FontId,
    max_width: f32,
    direction: BaseDirection,
    align: Option<Align>,
) -> Vec<VisualLine> {
    let mut lines = Vec::new();
    let mut offset = 0;
    for paragraph in text.split('\n') {
        layout_paragraph(
            fonts, paragraph, offset, font, max_width, direction, &mut lines,
        );
        offset += paragraph.len() + 1;
    }
    align_lines(&mut lines, max_width, align);
    lines
}

/// The direction of a paragraph: forced, or from its first strong character (left to right
/// when it has none).
pub(super) fn paragraph_is_rtl(paragraph: &str, direction: BaseDirection) -> bool {
    match direction {
        BaseDirection::Ltr => false,
        BaseDirection::Rtl => true,
        BaseDirection::Auto => get_base_direction(paragraph) == Direction::Rtl,
    }
}

fn layout_paragraph(
    fonts: &mut FontsView<'_>,
    paragraph: &str,
    offset: usize,
    font: &FontId,
    max_width: f32,
    direction: BaseDirection,
    out: &mut Vec<VisualLine>,
) {
    let rtl = paragraph_is_rtl(paragraph, direction);
    let level = if rtl { Level::rtl() } else { Level::ltr() };
    let info = ParagraphBidiInfo::new(paragraph, Some(level));
    let atoms = split_atoms(fonts, paragraph, &info.levels, font);
    let lines = break_lines(&atoms, max_width);
    for line in lines {
        let line_atoms = &atoms[line.atoms.clone()];
        let (Some(first), Some(last)) = (line_atoms.first(), line_atoms.last()) else {
            out.push(VisualLine {
                pieces: Vec::new(),
                width: 0.0,
                x: 0.0,
                align: Align::Min,
                rtl,
                logical: offset..offset,
            });
            continue;
        };
        let range = first.range.start..last.range.end;
        let spans: Vec<Range<usize>> = line_atoms.iter().map(|a| a.range.clone()).collect();
        let mut pieces = Vec::new();
        for (part, part_rtl) in visual_parts(&info, &spans, range.clone()) {
            let whole = line_atoms
                .iter()
                .find(|a| a.range == part)
                .map(|a| a.galley.clone());
            // Only spaces can straddle level runs (rule L1 moves trailing spaces).
            let galley =
                whole.unwrap_or_else(|| shape(fonts, &paragraph[part.clone()], part_rtl, font));
            pieces.push(VisualPiece {
                logical: offset + part.start..offset + part.end,
                rtl: part_rtl,
                x: 0.0,
                galley,
            });
        }
        let mut x = 0.0;
        for piece in &mut pieces {
            piece.x = x;
            x += piece.width();
        }
        out.push(VisualLine {
            pieces,
            width: x,
            x: 0.0,
            align: Align::Min,
            rtl,
            logical: offset + range.start..offset + range.end,
        });
    }
}

/// Lays out one piece so that its glyphs come out in visual order.
fn shape(fonts: &mut FontsView<'_>, text: &str, rtl: bool, font: &FontId) -> Arc<Galley> {
    fonts.layout_no_wrap(shaping_text(text, rtl), font.clone(), Color32::PLACEHOLDER)
}

/// Splits a paragraph into spans: runs of break spaces, and word parts that change at each
/// change of bidi level or of script class (right-to-left script or not). Marks and joiners
/// stay with the character before them, so Arabic words are never cut.
fn split_spans(paragraph: &str, levels: &[Level]) -> Vec<(Range<usize>, SpanKey)> {
    let mut spans: Vec<(Range<usize>, SpanKey)> = Vec::new();
    for (i, c) in paragraph.char_indices() {
        let end = i + c.len_utf8();
        if let Some((range, _)) = spans.last_mut()
            && attaches_to_previous(c)
        {
            range.end = end;
            continue;
        }
        let key = SpanKey {
            space: is_break_space(c),
            rtl_script: is_rtl_script(c),
            level: levels.get(i).copied().unwrap_or_else(Level::ltr),
        };
        match spans.last_mut() {
            Some((range, last)) if *last == key || (key.space && last.space) => range.end = end,
            _ => spans.push((i..end, key)),
        }
    }
    spans
}

/// What separates spans.
#[derive(PartialEq, Clone, Copy)]
struct SpanKey {
    space: bool,
    rtl_script: bool,
    level: Level,
}

/// Spans laid out by egui.
fn split_atoms(
    fonts: &mut FontsView<'_>,
    paragraph: &str,
    levels: &[Level],
    font: &FontId,
) -> Vec<Atom> {
    split_spans(paragraph, levels)
        .into_iter()
        .map(|(range, key)| Atom {
            galley: shape(fonts, &paragraph[range.clone()], key.level.is_rtl(), font),
            range,
            space: key.space,
        })
        .collect()
}

/// The parts of `line` (a byte range of the paragraph) in visual order, left to right, each
/// with its direction: the line's level runs cut at span boundaries, right-to-left runs
/// reversed.
fn visual_parts(
    info: &ParagraphBidiInfo<'_>,
    spans: &[Range<usize>],
    line: Range<usize>,
) -> Vec<(Range<usize>, bool)> {
    if line.is_empty() {
        return Vec::new();
    }
    let (levels, runs) = info.visual_runs(line);
    let mut parts = Vec::new();
    for run in runs {
        let rtl = levels.get(run.start).is_some_and(|l| l.is_rtl());
        let mut run_parts: Vec<(Range<usize>, bool)> = spans
            .iter()
            .map(|span| span.start.max(run.start)..span.end.min(run.end))
            .filter(|r| r.start < r.end)
            .map(|r| (r, rtl))
            .collect();
        if rtl {
            run_parts.reverse();
        }
        parts.extend(run_parts);
    }
    parts
}

/// See [`super::display_order`].
pub(super) fn display_order(text: &str) -> String {
    let mut out = Vec::new();
    for paragraph in text.split('\n') {
        let rtl = paragraph_is_rtl(paragraph, BaseDirection::Auto);
        let level = if rtl { Level::rtl() } else { Level::ltr() };
        let info = ParagraphBidiInfo::new(paragraph, Some(level));
        let spans: Vec<Range<usize>> = split_spans(paragraph, &info.levels)
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        let line: String = visual_parts(&info, &spans, 0..paragraph.len())
            .into_iter()
            .map(|(r, rtl)| shaping_text(&paragraph[r], rtl))
            .collect();
        out.push(line);
    }
    out.join("\n")
}

/// Greedy line breaking at spaces, in logical order, before any reordering. Spaces at a
/// break are dropped; spaces at the start of the paragraph are kept.
fn break_lines(atoms: &[Atom], max_width: f32) -> Vec<LineAtoms> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut width = 0.0;
    let mut has_word = false;
    while i < atoms.len() {
        // The next word: consecutive non-space atoms.
        let word_end = (i..atoms.len())
            .find(|&j| atoms[j].space)
            .unwrap_or(atoms.len());
        if i == word_end {
            width += atoms[i].galley.size().x;
            i += 1;
            continue;
        }
        let word_width: f32 = atoms[i..word_end].iter().map(|a| a.galley.size().x).sum();
        if has_word && width + word_width > max_width {
            // Break before this word; drop the spaces at the end of the current line.
            let mut end = i;
            while end > start && atoms[end - 1].space {
                end -= 1;
            }
            lines.push(LineAtoms { atoms: start..end });
            start = i;
            width = 0.0;
        }
        width += word_width;
        has_word = true;
        i = word_end;
    }
    let mut end = atoms.len();
    while end > start && atoms[end - 1].space && has_word {
        end -= 1;
    }
    lines.push(LineAtoms { atoms: start..end });
    lines
}

/// Sets each line's left edge in a box as wide as `max_width` (or the widest line when
/// unbounded or left-aligned): right-aligned for right-to-left paragraphs unless `align`
/// says otherwise.
fn align_lines(lines: &mut [VisualLine], max_width: f32, align: Option<Align>) {
    let widest = lines.iter().map(|l| l.width).fold(0.0, f32::max);
    let box_width = if max_width.is_finite() {
        max_width.max(widest)
    } else {
        widest
    };
    for line in lines {
        line.align = align.unwrap_or(if line.rtl { Align::Max } else { Align::Min });
        line.x = line.offset_in(box_width);
    }
}
