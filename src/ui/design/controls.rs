//! The design system's controls: buttons, choices, fields, section headers, status chips and
//! progress bars, touch-sized, high-contrast, right-to-left aware, each registered in the
//! accessibility tree under its label (so egui_kittest and screen readers find it).

use egui::{
    Align, Color32, CornerRadius, FontId, Layout, Rect, Response, Role, Sense, Stroke, StrokeKind,
    TextEdit, Ui, Vec2, WidgetInfo, vec2,
};

use crate::ui::bidi::{BaseDirection, BidiStyle, BidiText, bidi_label, is_rtl};
use crate::ui::theme::{
    ACCENT, ACCENT_DARK, BODY_SIZE, BORDER, DISABLED, FOCUS, HEADING_SIZE, INK, MIN_TOUCH, RADIUS,
    SELECTED_BG, SMALL_SIZE, SURFACE, text_on,
};

/// Height of the line of text in a field.
const FIELD_LINE_HEIGHT: f32 = 1.6 * BODY_SIZE;

/// Padding inside buttons and choices.
const PAD: Vec2 = vec2(16.0, 10.0);

/// Layout of a horizontal row in the reading direction: right to left in Arabic.
pub fn row_layout(rtl: bool) -> Layout {
    if rtl {
        Layout::right_to_left(Align::Center)
    } else {
        Layout::left_to_right(Align::Center)
    }
}

/// Layout of a column whose items hug the reading side: right in Arabic.
pub fn column_layout(rtl: bool) -> Layout {
    Layout::top_down(if rtl { Align::Max } else { Align::Min })
}

fn focus_ring(ui: &Ui, rect: Rect, response: &Response) {
    if response.has_focus() {
        ui.painter().rect_stroke(
            rect.expand(3.0),
            CornerRadius::same(RADIUS + 3),
            Stroke::new(3.0, FOCUS),
            StrokeKind::Outside,
        );
    }
}

fn button_like(ui: &mut Ui, label: &str, primary: bool) -> Response {
    let style = BidiStyle {
        font: FontId::proportional(BODY_SIZE),
        color: INK,
        direction: BaseDirection::Auto,
        align: Some(Align::Center),
    };
    let max_text = (ui.available_width() - 2.0 * PAD.x).max(MIN_TOUCH);
    let text = BidiText::new(ui.ctx(), label, &style, max_text);
    let widest = text.lines.iter().map(|l| l.width).fold(0.0, f32::max);
    let size = vec2(
        (widest + 2.0 * PAD.x).max(2.0 * MIN_TOUCH),
        (text.size.y + 2.0 * PAD.y).max(MIN_TOUCH),
    );
    let (rect, response) = ui.allocate_exact_size(size, Sense::click());
    let enabled = ui.is_enabled();
    if ui.is_rect_visible(rect) {
        let pressed = response.is_pointer_button_down_on() || response.hovered();
        let (fill, stroke, ink) = match (primary, enabled) {
            (_, false) => (SURFACE, Stroke::new(1.5, DISABLED), DISABLED),
            (true, true) => {
                let fill = if pressed { ACCENT_DARK } else { ACCENT };
                (fill, Stroke::NONE, text_on(fill))
            }
            (false, true) => {
                let width = if pressed { 3.0 } else { 2.0 };
                (SURFACE, Stroke::new(width, ACCENT), ACCENT_DARK)
            }
        };
        let painter = ui.painter();
        painter.rect(
            rect,
            CornerRadius::same(RADIUS),
            fill,
            stroke,
            StrokeKind::Inside,
        );
        text.paint(painter, rect.shrink2(vec2(PAD.x, 0.0)), ink);
        focus_ring(ui, rect, &response);
    }
    response.widget_info(|| WidgetInfo::labeled(Role::Button, enabled, label));
    response
}

/// The main action of a screen: a filled button at least [`MIN_TOUCH`] high and twice as
/// wide, its label centered, wrapped and right-to-left aware.
pub fn filled_button(ui: &mut Ui, label: &str) -> Response {
    button_like(ui, label, true)
}

/// A secondary action (back, cancel): an outlined button of the same size as
/// [`filled_button`].
pub fn outlined_button(ui: &mut Ui, label: &str) -> Response {
    button_like(ui, label, false)
}

/// One answer of a choice question: a full-width row with a radio mark on the reading side
/// (right for Arabic labels; for labels without letters, the side the `ui` layout hugs), the
/// label wrapped beside it. Selected choices are tinted and outlined in the accent color.
pub fn radio_choice(ui: &mut Ui, label: &str, selected: bool) -> Response {
    let rtl = if label.chars().any(char::is_alphabetic) {
        is_rtl(label)
    } else {
        ui.layout().horizontal_align() == Align::Max
    };
    let mark = 24.0;
    let width = ui.available_width().max(2.0 * MIN_TOUCH);
    let text_width = (width - 3.0 * PAD.x - mark).max(MIN_TOUCH);
    let style = BidiStyle {
        font: FontId::proportional(BODY_SIZE),
        color: INK,
        direction: BaseDirection::forced(rtl),
        align: None,
    };
    let text = BidiText::new(ui.ctx(), label, &style, text_width);
    let size = vec2(width, (text.size.y + 2.0 * PAD.y).max(MIN_TOUCH + 8.0));
    let (rect, response) = ui.allocate_exact_size(size, Sense::click());
    let enabled = ui.is_enabled();
    if ui.is_rect_visible(rect) {
        let painter = ui.painter();
        let (fill, stroke) = if selected {
            (SELECTED_BG, Stroke::new(3.0, ACCENT))
        } else if response.hovered() {
            (SURFACE, Stroke::new(2.0, ACCENT))
        } else {
            (SURFACE, Stroke::new(1.5, BORDER))
        };
        painter.rect(
            rect,
            CornerRadius::same(RADIUS),
            fill,
            stroke,
            StrokeKind::Inside,
        );
        let ink = if enabled { INK } else { DISABLED };
        let mark_x = if rtl {
            rect.right() - PAD.x - mark / 2.0
        } else {
            rect.left() + PAD.x + mark / 2.0
        };
        let center = egui::pos2(mark_x, rect.center().y);
        painter.circle_stroke(center, mark / 2.0, Stroke::new(2.5, ink));
        if selected {
            painter.circle_filled(center, mark / 2.0 - 5.0, ACCENT);
        }
        let text_rect = if rtl {
            Rect::from_min_max(
                egui::pos2(rect.left() + PAD.x, rect.top()),
                egui::pos2(rect.right() - 2.0 * PAD.x - mark, rect.bottom()),
            )
        } else {
            Rect::from_min_max(
                egui::pos2(rect.left() + 2.0 * PAD.x + mark, rect.top()),
                egui::pos2(rect.right() - PAD.x, rect.bottom()),
            )
        };
        text.paint(painter, text_rect, ink);
        focus_ring(ui, rect, &response);
    }
    response.widget_info(|| WidgetInfo::selected(Role::RadioButton, enabled, selected, label));
    response
}

/// A section header: large, strong text on the reading side, underlined in the accent color.
pub fn section_header(ui: &mut Ui, title: &str, rtl: bool) -> Response {
    let style = BidiStyle {
        font: FontId::proportional(HEADING_SIZE),
        color: INK,
        direction: BaseDirection::Auto,
        align: Some(if rtl { Align::Max } else { Align::Min }),
    };
    let width = ui.available_width();
    let text = BidiText::new(ui.ctx(), title, &style, width);
    let size = vec2(width, text.size.y + 8.0);
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    if ui.is_rect_visible(rect) {
        let text_rect = Rect::from_min_size(rect.min, vec2(width, text.size.y));
        text.paint(ui.painter(), text_rect, INK);
        let y = rect.bottom() - 2.0;
        ui.painter()
            .hline(rect.x_range(), y, Stroke::new(3.0, ACCENT));
    }
    response.widget_info(|| WidgetInfo::labeled(Role::Heading, true, title));
    response
}

/// A small status pill (e.g. "complete", "refused"): `color` as background, white or ink
/// text (whichever reads better).
pub fn status_chip(ui: &mut Ui, text: &str, color: Color32) -> Response {
    let style = BidiStyle {
        font: FontId::proportional(SMALL_SIZE),
        color: text_on(color),
        direction: BaseDirection::Auto,
        align: Some(Align::Center),
    };
    let laid = BidiText::new(ui.ctx(), text, &style, f32::INFINITY);
    let size = vec2(laid.size.x + 24.0, laid.size.y + 8.0);
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    if ui.is_rect_visible(rect) {
        ui.painter()
            .rect_filled(rect, CornerRadius::same(u8::MAX), color);
        laid.paint(ui.painter(), rect, style.color);
    }
    response.widget_info(|| WidgetInfo::labeled(Role::Label, true, text));
    response
}

/// A progress bar, `fraction` in 0..=1, filled from the reading side (from the right in
/// Arabic), with `text` (e.g. "12 / 40") under it. Its accessible name is `text`.
pub fn progress_bar(ui: &mut Ui, fraction: f32, text: &str, rtl: bool) -> Response {
    let fraction = if fraction.is_finite() {
        fraction.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let width = ui.available_width().max(MIN_TOUCH);
    let style = BidiStyle {
        font: FontId::proportional(SMALL_SIZE),
        color: INK,
        direction: BaseDirection::Auto,
        align: Some(if rtl { Align::Max } else { Align::Min }),
    };
    let laid = BidiText::new(ui.ctx(), text, &style, width);
    let bar_height = 20.0;
    let size = vec2(width, bar_height + 4.0 + laid.size.y);
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    if ui.is_rect_visible(rect) {
        let painter = ui.painter();
        let bar = Rect::from_min_size(rect.min, vec2(width, bar_height));
        painter.rect(
            bar,
            CornerRadius::same(RADIUS),
            SURFACE,
            Stroke::new(1.5, BORDER),
            StrokeKind::Inside,
        );
        let filled = width * fraction;
        if filled > 0.0 {
            let fill_rect = if rtl {
                Rect::from_min_max(egui::pos2(bar.right() - filled, bar.top()), bar.max)
            } else {
                Rect::from_min_max(bar.min, egui::pos2(bar.left() + filled, bar.bottom()))
            };
            painter.rect_filled(fill_rect, CornerRadius::same(RADIUS), ACCENT);
        }
        let text_rect = Rect::from_min_size(
            egui::pos2(rect.left(), bar.bottom() + 4.0),
            vec2(width, laid.size.y),
        );
        laid.paint(painter, text_rect, INK);
    }
    response.widget_info(|| {
        let mut info = WidgetInfo::labeled(Role::ProgressIndicator, true, text);
        info.value = Some(f64::from(fraction));
        info
    });
    response
}

fn field(ui: &mut Ui, label: &str, value: &mut String, rtl: bool, numeric: bool) -> Response {
    let label_style = BidiStyle {
        font: FontId::proportional(BODY_SIZE),
        color: INK,
        direction: BaseDirection::Auto,
        align: Some(if rtl { Align::Max } else { Align::Min }),
    };
    let label_response = ui
        .with_layout(Layout::top_down(Align::Min), |ui| {
            bidi_label(ui, label, &label_style)
        })
        .inner;
    // Not being edited, right-to-left content is drawn by the bidi layout over a field whose
    // own (left-to-right) text is transparent; while editing, egui shows the logical text.
    let id = ui.next_auto_id();
    let editing = ui.input(|i| i.focused) && ui.memory(|m| m.has_focus(id));
    let overlay = !editing && value.chars().any(crate::ui::bidi::is_rtl_char);
    let width = ui.available_width();
    let align = if rtl {
        egui::Align2::RIGHT_CENTER
    } else {
        egui::Align2::LEFT_CENTER
    };
    let color = if overlay { Color32::TRANSPARENT } else { INK };
    // A line taller than the Latin font's: egui clips a field's text to its rows, and the
    // dots under Arabic letters (ب, ي, ج…) reach below the Latin font's descent.
    let mut layouter = move |ui: &Ui, text: &dyn egui::TextBuffer, wrap_width: f32| {
        let mut job = egui::text::LayoutJob::simple_singleline(
            text.as_str().to_owned(),
            FontId::proportional(BODY_SIZE),
            color,
        );
        for section in &mut job.sections {
            section.format.line_height = Some(FIELD_LINE_HEIGHT);
            section.format.valign = Align::Center;
        }
        job.wrap.max_width = wrap_width;
        ui.fonts_mut(|f| f.layout_job(job))
    };
    let edit = TextEdit::singleline(value)
        .id(id)
        .font(FontId::proportional(BODY_SIZE))
        .text_color(color)
        .layouter(&mut layouter)
        .min_size(vec2(width, MIN_TOUCH))
        .margin(vec2(12.0, (MIN_TOUCH - FIELD_LINE_HEIGHT) / 2.0))
        .align(align);
    let response = ui.add(edit).labelled_by(label_response.id);
    if overlay && ui.is_rect_visible(response.rect) {
        let style = BidiStyle {
            font: FontId::proportional(BODY_SIZE),
            color: INK,
            direction: BaseDirection::Auto,
            align: Some(if rtl { Align::Max } else { Align::Min }),
        };
        let inner = response.rect.shrink2(vec2(12.0, 0.0));
        let text = BidiText::new(ui.ctx(), value, &style, f32::INFINITY);
        text.paint(&ui.painter_at(response.rect), inner, INK);
    }
    focus_ring(ui, response.rect, &response);
    if numeric && response.has_focus() {
        crate::platform::keyboard::request(
            ui.ctx(),
            crate::platform::keyboard::SoftKeyboard::Number,
        );
    }
    if numeric && response.changed() {
        *value = numeric_only(value);
    }
    response
}

/// A labelled single-line text field, full width, [`MIN_TOUCH`] high. The field is tied to
/// its visible label in the accessibility tree (found by the label's text). Arabic answers
/// read right to left while the field is not being edited.
pub fn text_field(ui: &mut Ui, label: &str, value: &mut String, rtl: bool) -> Response {
    field(ui, label, value, rtl, false)
}

/// A labelled number field: like [`text_field`], keeping only digits (Arabic-Indic digits
/// become ASCII), one leading minus sign and one decimal separator.
///
/// While it has the focus it asks for a numeric soft keyboard ([`crate::platform::keyboard`]:
/// the Android launcher passes that on, winit cannot); the filter stays, for hardware and
/// pasted input.
pub fn numeric_field(ui: &mut Ui, label: &str, value: &mut String, rtl: bool) -> Response {
    field(ui, label, value, rtl, true)
}

/// Digits (ASCII, Arabic-Indic and Eastern Arabic-Indic, all as ASCII), a leading `-` and
/// the first `.` or `,` (as `.`); everything else is dropped.
pub(crate) fn numeric_only(text: &str) -> String {
    let mut out = String::new();
    let mut seen_separator = false;
    for c in text.chars() {
        let digit = match c {
            '0'..='9' => Some(c),
            '\u{0660}'..='\u{0669}' => char::from_digit(c as u32 - 0x0660, 10),
            '\u{06F0}'..='\u{06F9}' => char::from_digit(c as u32 - 0x06F0, 10),
            _ => None,
        };
        if let Some(d) = digit {
            out.push(d);
        } else if c == '-' && out.is_empty() {
            out.push('-');
        } else if matches!(c, '.' | ',' | '\u{066B}') && !seen_separator {
            seen_separator = true;
            out.push('.');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::numeric_only;

    #[test]
    fn numeric_only_keeps_numbers() {
        assert_eq!(numeric_only("25"), "25");
        assert_eq!(numeric_only("٢٥"), "25");
        assert_eq!(numeric_only("۱۲"), "12");
        assert_eq!(numeric_only("-3,5,1"), "-3.51");
        assert_eq!(numeric_only("a1b2"), "12");
        assert_eq!(numeric_only("1-2"), "12");
        assert_eq!(numeric_only(""), "");
    }
}
