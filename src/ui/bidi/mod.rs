//! Right-to-left aware, wrapping text for egui.
//!
//! egui 0.37 shapes text (Arabic letters join) but lays every line out left to right. This
//! module does the rest of the Unicode Bidirectional Algorithm: it breaks logical text into
//! lines first (at spaces, measuring with egui's fonts), then reorders each line into visual
//! order with `unicode-bidi`, lays every piece out with egui so its glyphs come out in visual
//! order (egui's shaper reverses right-to-left script runs itself, so those are handed over
//! in logical order), and aligns right-to-left paragraphs to the right.
//!
//! Limits: breaks only at spaces and newlines (a single word wider than the box overflows it);
//! no justification; text being edited in a `TextEdit` stays in logical order.

mod chars;
mod layout;
#[cfg(test)]
mod tests;

use std::ops::Range;
use std::sync::Arc;

use egui::{
    Align, Color32, FontId, Galley, Pos2, Rect, Response, Role, Sense, Ui, Vec2, WidgetInfo,
};

/// The direction of a paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BaseDirection {
    /// From the first strong character of each paragraph (left to right if none).
    #[default]
    Auto,
    /// Left to right, e.g. forced by a French interface.
    Ltr,
    /// Right to left, e.g. forced by the Arabic interface.
    Rtl,
}

impl BaseDirection {
    /// The forced direction of an interface language: right to left or left to right.
    pub fn forced(rtl: bool) -> Self {
        if rtl { Self::Rtl } else { Self::Ltr }
    }
}

/// How a [`bidi_label`] looks.
#[derive(Debug, Clone, PartialEq)]
pub struct BidiStyle {
    /// Font and size.
    pub font: FontId,
    /// Text color.
    pub color: Color32,
    /// Paragraph direction.
    pub direction: BaseDirection,
    /// Horizontal alignment; `None` follows the paragraph direction (right for right to left).
    pub align: Option<Align>,
}

impl Default for BidiStyle {
    fn default() -> Self {
        Self {
            font: FontId::proportional(18.0),
            color: Color32::from_gray(20),
            direction: BaseDirection::Auto,
            align: None,
        }
    }
}

impl BidiStyle {
    /// A style of the given size and color, direction from the text.
    pub fn new(size: f32, color: Color32) -> Self {
        Self {
            font: FontId::proportional(size),
            color,
            ..Self::default()
        }
    }
}

/// A part of a line laid out by egui, with its glyphs already in visual order.
#[derive(Debug, Clone)]
pub struct VisualPiece {
    /// Byte range of the piece in the logical text.
    pub logical: Range<usize>,
    /// Whether the piece reads right to left.
    pub rtl: bool,
    /// Left edge of the piece, relative to the left edge of its line.
    pub x: f32,
    /// The laid-out glyphs (color placeholder: painted with the style's color).
    pub galley: Arc<Galley>,
}

impl VisualPiece {
    /// Width of the piece.
    pub fn width(&self) -> f32 {
        self.galley.size().x
    }
}

/// One line of text in visual order, left to right.
#[derive(Debug, Clone)]
pub struct VisualLine {
    /// The pieces, left to right.
    pub pieces: Vec<VisualPiece>,
    /// Width of the line.
    pub width: f32,
    /// Left edge of the line in the text's box (from `align`).
    pub x: f32,
    /// Horizontal alignment of the line: `Max` (right) for right-to-left paragraphs unless
    /// the style says otherwise.
    pub align: Align,
    /// Whether the line's paragraph is right to left.
    pub rtl: bool,
    /// Byte range of the line in the logical text.
    pub logical: Range<usize>,
}

impl VisualLine {
    /// Left edge of the line in a box `box_width` wide, by its alignment.
    pub fn offset_in(&self, box_width: f32) -> f32 {
        match self.align {
            Align::Min => 0.0,
            Align::Center => ((box_width - self.width) / 2.0).max(0.0),
            Align::Max => (box_width - self.width).max(0.0),
        }
    }

    /// Every drawn glyph of the line with its left edge in the text's box, left to right
    /// (without the empty zero-width glyphs egui adds for the other characters of a cluster).
    pub fn glyphs(&self) -> impl Iterator<Item = (char, f32)> + '_ {
        self.pieces.iter().flat_map(move |piece| {
            piece.galley.rows.iter().flat_map(move |row| {
                row.glyphs
                    .iter()
                    .filter(|g| g.advance_width > 0.0 || !g.uv_rect.is_nothing())
                    .map(move |g| (g.chr, self.x + piece.x + row.pos.x + g.pos.x))
            })
        })
    }
}

/// Lays `text` out in visual lines no wider than `max_width` (use `f32::INFINITY` for no
/// wrapping), with egui's fonts of `ctx` (valid after the context's first frame).
pub fn layout_lines(
    ctx: &egui::Context,
    text: &str,
    font: &FontId,
    max_width: f32,
    direction: BaseDirection,
    align: Option<Align>,
) -> Vec<VisualLine> {
    ctx.fonts_mut(|fonts| layout::layout_text(fonts, text, font, max_width, direction, align))
}

/// Height of one line of text in `font`.
pub fn row_height(ctx: &egui::Context, font: &FontId) -> f32 {
    ctx.fonts_mut(|fonts| fonts.row_height(font))
}

/// Whether `text` reads right to left (its first strong character is right to left).
pub fn is_rtl(text: &str) -> bool {
    layout::paragraph_is_rtl(text, BaseDirection::Auto)
}

/// Whether `c` belongs to a right-to-left script (Arabic, Hebrew…).
pub fn is_rtl_char(c: char) -> bool {
    chars::is_rtl_script(c)
}

/// Size of the box of laid-out lines: as wide as `max_width` when some line is not
/// left-aligned (and `max_width` is finite), else as wide as the widest line.
fn box_size(lines: &[VisualLine], max_width: f32, row_height: f32) -> Vec2 {
    let widest = lines.iter().map(|l| l.width).fold(0.0, f32::max);
    let all_left = lines.iter().all(|l| l.align == Align::Min);
    let width = if all_left || !max_width.is_finite() {
        widest
    } else {
        max_width.max(widest)
    };
    Vec2::new(width, row_height * lines.len().max(1) as f32)
}

/// Paints laid-out lines with their top-left corner at `origin`.
pub fn paint_lines(
    painter: &egui::Painter,
    origin: Pos2,
    lines: &[VisualLine],
    row_height: f32,
    color: Color32,
) {
    for (i, line) in lines.iter().enumerate() {
        let y = origin.y + row_height * i as f32;
        for piece in &line.pieces {
            let pos = Pos2::new(origin.x + line.x + piece.x, y);
            painter.galley(pos, piece.galley.clone(), color);
        }
    }
}

/// Laid-out text ready to be placed: lines, their box size, and the row height.
#[derive(Debug, Clone)]
pub struct BidiText {
    /// The lines, top to bottom.
    pub lines: Vec<VisualLine>,
    /// Size of the box holding them.
    pub size: Vec2,
    /// Height of one line.
    pub row_height: f32,
}

impl BidiText {
    /// Lays `text` out in `style` within `max_width`.
    pub fn new(ctx: &egui::Context, text: &str, style: &BidiStyle, max_width: f32) -> Self {
        let lines = layout_lines(
            ctx,
            text,
            &style.font,
            max_width,
            style.direction,
            style.align,
        );
        let row_height = row_height(ctx, &style.font);
        let size = box_size(&lines, max_width, row_height);
        Self {
            lines,
            size,
            row_height,
        }
    }

    /// Paints the text in `rect`: each line aligned within the rect's width, the block
    /// vertically centered.
    pub fn paint(&self, painter: &egui::Painter, rect: Rect, color: Color32) {
        let top = rect.center().y - self.size.y / 2.0;
        for (i, line) in self.lines.iter().enumerate() {
            let y = top + self.row_height * i as f32;
            let x = rect.left() + line.offset_in(rect.width());
            for piece in &line.pieces {
                painter.galley(Pos2::new(x + piece.x, y), piece.galley.clone(), color);
            }
        }
    }
}

/// A wrapping label that reads right to left when its text does (or when `style` forces
/// it), wrapped at the available width. Its accessible name is the logical `text`, so tests
/// and screen readers find it by its normal spelling.
pub fn bidi_label(ui: &mut Ui, text: &str, style: &BidiStyle) -> Response {
    let max_width = ui.available_width();
    let laid = BidiText::new(ui.ctx(), text, style, max_width);
    let (rect, response) = ui.allocate_exact_size(laid.size, Sense::hover());
    if ui.is_rect_visible(rect) {
        paint_lines(
            ui.painter(),
            rect.min,
            &laid.lines,
            laid.row_height,
            style.color,
        );
    }
    response.widget_info(|| WidgetInfo::labeled(Role::Label, ui.is_enabled(), text));
    response
}

/// `text` (one line) rearranged so that a plain egui label shows it in reading order: e.g.
/// for showing an Arabic answer in a field that is not being edited. Prefer [`bidi_label`],
/// which also wraps; this only fits single-line texts.
pub fn display_order(text: &str) -> String {
    layout::display_order(text)
}
