//! The design system: every widget a screen draws comes from here (the workspace's
//! `clippy.toml` steers screens away from egui's own buttons, labels and fields). Texts that
//! respect the reading direction, touch-sized buttons and toggles, labelled fields, mirrored
//! rows and columns, cards; the controls themselves are drawn in [`controls`], with the
//! colors and sizes of [`crate::ui::theme`].

// The one place allowed to build on egui's own widgets (clippy.toml `disallowed-methods`).
#![allow(clippy::disallowed_methods)]

pub mod controls;

use egui::{Align, Color32, Layout, Response, TextEdit, Ui, Vec2};

pub use controls::{
    column_layout, filled_button, numeric_field, outlined_button, progress_bar, radio_choice,
    row_layout, section_header, status_chip, text_field,
};

use crate::platform::keyboard::SoftKeyboard;
use crate::ui::bidi::{BaseDirection, BidiStyle, BidiText, bidi_label};
use crate::ui::theme::MIN_TOUCH as TOUCH;

/// A wrapping label in the current reading direction.
pub fn text(ui: &mut Ui, text: &str, rtl: bool) -> Response {
    let color = ui.visuals().text_color();
    bidi_text(ui, text, rtl, font_size(ui, egui::TextStyle::Body), color)
}

fn bidi_text(ui: &mut Ui, text: &str, rtl: bool, size: f32, color: Color32) -> Response {
    let style = BidiStyle {
        font: egui::FontId::proportional(size),
        color,
        direction: BaseDirection::forced(rtl),
        align: Some(if rtl { Align::Max } else { Align::Min }),
    };
    bidi_label(ui, text, &style)
}

/// The size of a text style of the current style (18 points if the style lacks it).
fn font_size(ui: &Ui, style: egui::TextStyle) -> f32 {
    ui.style()
        .text_styles
        .get(&style)
        .map_or(18.0, |font| font.size)
}

/// A section heading.
pub fn heading(ui: &mut Ui, title: &str, rtl: bool) -> Response {
    let color = ui.visuals().strong_text_color();
    let size = font_size(ui, egui::TextStyle::Heading);
    bidi_text(ui, title, rtl, size, color)
}

/// Secondary text (hints, counts).
pub fn weak(ui: &mut Ui, text: &str, rtl: bool) -> Response {
    let color = ui.visuals().weak_text_color();
    let size = font_size(ui, egui::TextStyle::Small);
    bidi_text(ui, text, rtl, size, color)
}

/// A message in the error colour.
pub fn error(ui: &mut Ui, text: &str, rtl: bool) -> Response {
    let color = ui.visuals().error_fg_color;
    let size = font_size(ui, egui::TextStyle::Body);
    bidi_text(ui, text, rtl, size, color)
}

/// A message in the warning colour.
pub fn warning(ui: &mut Ui, text: &str, rtl: bool) -> Response {
    let color = ui.visuals().warn_fg_color;
    let size = font_size(ui, egui::TextStyle::Body);
    bidi_text(ui, text, rtl, size, color)
}

/// The main action of a screen: a [`filled_button`], greyed out when not `enabled`.
pub fn primary_button(ui: &mut Ui, label: &str, enabled: bool) -> Response {
    ui.add_enabled_ui(enabled, |ui| filled_button(ui, label))
        .inner
}

/// A compact toggle chip (filters, language) at least [`TOUCH`] high, as wide as its text.
pub fn toggle_chip(ui: &mut Ui, label: &str, selected: bool) -> Response {
    toggle(ui, label, selected, false)
}

/// A full-width toggle of the navigation list (sections, rows), wrapping its text.
pub fn nav_toggle(ui: &mut Ui, label: &str, selected: bool) -> Response {
    toggle(ui, label, selected, true)
}

fn toggle(ui: &mut Ui, label: &str, selected: bool, full_width: bool) -> Response {
    let pad = Vec2::new(14.0, 8.0);
    let style = BidiStyle {
        font: egui::FontId::proportional(font_size(ui, egui::TextStyle::Button)),
        color: ui.visuals().text_color(),
        direction: BaseDirection::Auto,
        align: None,
    };
    let max_text = if full_width {
        (ui.available_width() - 2.0 * pad.x).max(TOUCH)
    } else {
        f32::INFINITY
    };
    let text = BidiText::new(ui.ctx(), label, &style, max_text);
    let width = if full_width {
        ui.available_width()
    } else {
        text.size.x + 2.0 * pad.x
    };
    let size = Vec2::new(width.max(TOUCH), (text.size.y + 2.0 * pad.y).max(TOUCH));
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::click());
    if ui.is_rect_visible(rect) {
        let visuals = ui.style().interact_selectable(&response, selected);
        let fill = if selected || response.hovered() {
            visuals.weak_bg_fill
        } else {
            Color32::TRANSPARENT
        };
        let stroke = if selected {
            ui.visuals().selection.stroke
        } else {
            visuals.bg_stroke
        };
        ui.painter().rect(
            rect,
            visuals.corner_radius,
            fill,
            stroke,
            egui::StrokeKind::Inside,
        );
        let color = if ui.is_enabled() {
            ui.visuals().text_color()
        } else {
            ui.visuals().weak_text_color()
        };
        text.paint(ui.painter(), rect.shrink2(pad), color);
    }
    let enabled = ui.is_enabled();
    response
        .widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, enabled, selected, label));
    response
}

/// A one-line label inside a row of widgets: as wide as its text, in reading order.
pub fn inline_text(ui: &mut Ui, text: &str, color: Option<Color32>) -> Response {
    let style = BidiStyle {
        font: egui::FontId::proportional(font_size(ui, egui::TextStyle::Body)),
        color: color.unwrap_or_else(|| ui.visuals().text_color()),
        direction: BaseDirection::Auto,
        align: None,
    };
    let laid = BidiText::new(ui.ctx(), text, &style, f32::INFINITY);
    let (rect, response) = ui.allocate_exact_size(laid.size, egui::Sense::hover());
    if ui.is_rect_visible(rect) {
        laid.paint(ui.painter(), rect, style.color);
    }
    let enabled = ui.is_enabled();
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, enabled, text));
    response
}

/// A choice button whose accessible name also names its question ("Sexe: Féminin"), so a
/// screen reader (and a test) can tell apart the "Yes" of two questions.
pub fn radio_choice_in(ui: &mut Ui, question: &str, label: &str, selected: bool) -> Response {
    let response = radio_choice(ui, label, selected);
    let name = format!("{question}: {label}");
    let enabled = ui.is_enabled();
    response.widget_info(|| {
        egui::WidgetInfo::selected(egui::Role::RadioButton, enabled, selected, &name)
    });
    response
}

/// An outlined button whose accessible name says what it acts on ("Remove: Fatima").
pub fn action_on(ui: &mut Ui, label: &str, target: &str) -> Response {
    let response = outlined_button(ui, label);
    let name = format!("{label}: {target}");
    let enabled = ui.is_enabled();
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, enabled, &name));
    response
}

/// A labelled secret field (a reviewer code): dots, never the text; the soft keyboard is told
/// not to learn it.
pub fn secret_field(ui: &mut Ui, label: &str, value: &mut String, rtl: bool) -> Response {
    hidden_field(ui, label, value, rtl, SoftKeyboard::Secret)
}

/// A labelled PIN field: dots, never the digits; a numeric soft keyboard.
pub fn pin_field(ui: &mut Ui, label: &str, value: &mut String, rtl: bool) -> Response {
    hidden_field(ui, label, value, rtl, SoftKeyboard::Pin)
}

fn hidden_field(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    rtl: bool,
    keyboard: SoftKeyboard,
) -> Response {
    let label_response = text(ui, label, rtl);
    let width = ui.available_width().min(520.0);
    let edit = TextEdit::singleline(value)
        .password(true)
        .min_size(Vec2::new(width, TOUCH))
        .align(if rtl {
            egui::Align2::RIGHT_CENTER
        } else {
            egui::Align2::LEFT_CENTER
        });
    let layout = if rtl {
        Layout::top_down(Align::Max)
    } else {
        Layout::top_down(Align::Min)
    };
    let response = ui
        .with_layout(layout, |ui| ui.add(edit))
        .inner
        .labelled_by(label_response.id);
    if response.has_focus() {
        crate::platform::keyboard::request(ui.ctx(), keyboard);
    }
    response
}

/// A horizontal row (wrapping when too long), laid out right to left when the language is.
pub fn row<R>(ui: &mut Ui, rtl: bool, add: impl FnOnce(&mut Ui) -> R) -> R {
    let layout = if rtl {
        Layout::right_to_left(Align::Center).with_main_wrap(true)
    } else {
        Layout::left_to_right(Align::Center).with_main_wrap(true)
    };
    let size = Vec2::new(ui.available_width(), TOUCH);
    ui.allocate_ui_with_layout(size, layout, add).inner
}

/// A framed card around a group of widgets.
pub fn card<R>(ui: &mut Ui, add: impl FnOnce(&mut Ui) -> R) -> R {
    egui::Frame::group(ui.style())
        .inner_margin(12.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            add(ui)
        })
        .inner
}

/// The vertical layout of a screen body in the reading direction.
pub fn column<R>(ui: &mut Ui, rtl: bool, add: impl FnOnce(&mut Ui) -> R) -> R {
    let layout = if rtl {
        Layout::top_down(Align::Max)
    } else {
        Layout::top_down(Align::Min)
    };
    ui.with_layout(layout, add).inner
}
