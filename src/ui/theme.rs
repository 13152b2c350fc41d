//! The house look: a high-contrast light theme for use outdoors (dark text on a light
//! background, strong focus and selection colors), text sizes readable at arm's length and
//! touch sizes ([`MIN_TOUCH`]). The widgets drawn in this look are in [`crate::ui::design`].

use egui::{Color32, CornerRadius, FontId, Stroke, TextStyle, Visuals};

/// Smallest side of anything the enumerator touches, in logical pixels.
pub const MIN_TOUCH: f32 = 48.0;
/// Size of body text.
pub const BODY_SIZE: f32 = 20.0;
/// Size of secondary text (hints, counts); never smaller.
pub const SMALL_SIZE: f32 = 18.0;
/// Size of section headers.
pub const HEADING_SIZE: f32 = 26.0;

/// Text: near black.
pub const INK: Color32 = Color32::from_rgb(0x12, 0x12, 0x12);
/// Secondary text, still above 7:1 on [`PAPER`].
pub const MUTED_INK: Color32 = Color32::from_rgb(0x3D, 0x3D, 0x3D);
/// Screen background.
pub const PAPER: Color32 = Color32::from_rgb(0xFA, 0xFA, 0xF7);
/// Fields and cards.
pub const SURFACE: Color32 = Color32::WHITE;
/// Outlines of fields and unselected choices.
pub const BORDER: Color32 = Color32::from_rgb(0x4A, 0x4A, 0x4A);
/// Main actions and selection: a deep blue (white text on it is above 7:1).
pub const ACCENT: Color32 = Color32::from_rgb(0x0B, 0x47, 0x9E);
/// [`ACCENT`] when pressed or hovered.
pub const ACCENT_DARK: Color32 = Color32::from_rgb(0x07, 0x30, 0x6E);
/// Background of a selected choice.
pub const SELECTED_BG: Color32 = Color32::from_rgb(0xD6, 0xE4, 0xFA);
/// Keyboard focus ring: a strong orange, distinct from the blue selection.
pub const FOCUS: Color32 = Color32::from_rgb(0xC2, 0x41, 0x0C);
/// Success (saved, complete).
pub const OK: Color32 = Color32::from_rgb(0x14, 0x5A, 0x32);
/// Warnings (soft checks).
pub const WARN: Color32 = Color32::from_rgb(0x8A, 0x3C, 0x00);
/// Errors (hard checks, refusals).
pub const ERROR: Color32 = Color32::from_rgb(0xA8, 0x15, 0x15);
/// Disabled controls.
pub const DISABLED: Color32 = Color32::from_rgb(0x9A, 0x9A, 0x9A);

/// Corner radius of buttons and fields.
pub const RADIUS: u8 = 8;

/// The theme's visuals: egui's light visuals with stronger contrast everywhere.
pub fn visuals() -> Visuals {
    let mut v = Visuals::light();
    v.override_text_color = Some(INK);
    v.weak_text_color = Some(MUTED_INK);
    v.panel_fill = PAPER;
    v.window_fill = SURFACE;
    v.window_stroke = Stroke::new(1.5, BORDER);
    v.extreme_bg_color = SURFACE;
    v.text_edit_bg_color = Some(SURFACE);
    v.faint_bg_color = Color32::from_rgb(0xEE, 0xEE, 0xEA);
    v.hyperlink_color = ACCENT;
    v.warn_fg_color = WARN;
    v.error_fg_color = ERROR;
    v.selection.bg_fill = SELECTED_BG;
    v.selection.stroke = Stroke::new(3.0, ACCENT);
    v.text_cursor.stroke = Stroke::new(3.0, ACCENT);
    let radius = CornerRadius::same(RADIUS);
    let w = &mut v.widgets;
    w.noninteractive.fg_stroke = Stroke::new(1.5, INK);
    w.noninteractive.bg_stroke = Stroke::new(1.0, BORDER);
    w.inactive.fg_stroke = Stroke::new(2.0, INK);
    w.inactive.bg_stroke = Stroke::new(1.5, BORDER);
    w.inactive.bg_fill = Color32::from_rgb(0xE8, 0xE8, 0xE4);
    w.inactive.weak_bg_fill = Color32::from_rgb(0xE8, 0xE8, 0xE4);
    w.hovered.fg_stroke = Stroke::new(2.0, INK);
    w.hovered.bg_stroke = Stroke::new(2.0, ACCENT);
    w.active.fg_stroke = Stroke::new(2.0, INK);
    w.active.bg_stroke = Stroke::new(3.0, FOCUS);
    w.open.bg_stroke = Stroke::new(2.0, ACCENT);
    for wv in [
        &mut w.noninteractive,
        &mut w.inactive,
        &mut w.hovered,
        &mut w.active,
        &mut w.open,
    ] {
        wv.corner_radius = radius;
    }
    v
}

/// Applies the theme to every style of `ctx` (light and dark preference alike: the app is
/// always light, for sunlight): visuals, text sizes and touch-sized spacing.
pub fn apply_theme(ctx: &egui::Context) {
    ctx.set_theme(egui::Theme::Light);
    ctx.all_styles_mut(|style| {
        style.visuals = visuals();
        style.text_styles = [
            (TextStyle::Heading, FontId::proportional(HEADING_SIZE)),
            (TextStyle::Body, FontId::proportional(BODY_SIZE)),
            (TextStyle::Button, FontId::proportional(BODY_SIZE)),
            (TextStyle::Monospace, FontId::monospace(SMALL_SIZE)),
            (TextStyle::Small, FontId::proportional(SMALL_SIZE)),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(12.0, 10.0);
        style.spacing.button_padding = egui::vec2(16.0, 10.0);
        style.spacing.interact_size = egui::vec2(MIN_TOUCH, MIN_TOUCH);
        style.spacing.icon_width = 28.0;
        style.spacing.icon_width_inner = 16.0;
        style.spacing.scroll.bar_width = 14.0;
    });
}

/// WCAG contrast ratio between two opaque colors (1.0 to 21.0).
pub fn contrast_ratio(a: Color32, b: Color32) -> f32 {
    fn luminance(c: Color32) -> f32 {
        let channel = |v: u8| {
            let s = f32::from(v) / 255.0;
            if s <= 0.039_28 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
    }
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The more readable of white and [`INK`] on `background`.
pub fn text_on(background: Color32) -> Color32 {
    if contrast_ratio(Color32::WHITE, background) >= contrast_ratio(INK, background) {
        Color32::WHITE
    } else {
        INK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_is_high_enough_for_sunlight() {
        // WCAG AAA (7:1) for text, AA (4.5:1) for status colors on the page.
        assert!(contrast_ratio(INK, PAPER) >= 7.0);
        assert!(contrast_ratio(MUTED_INK, PAPER) >= 7.0);
        assert!(contrast_ratio(Color32::WHITE, ACCENT) >= 7.0);
        assert!(contrast_ratio(INK, SELECTED_BG) >= 7.0);
        for c in [OK, WARN, ERROR, FOCUS, ACCENT] {
            assert!(contrast_ratio(c, PAPER) >= 4.5, "{c:?}");
        }
        // The check itself can fail.
        assert!(contrast_ratio(Color32::from_gray(200), PAPER) < 4.5);
        assert!((contrast_ratio(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 0.01);
    }

    #[test]
    fn text_on_picks_the_readable_color() {
        assert_eq!(text_on(ACCENT), Color32::WHITE);
        assert_eq!(text_on(SELECTED_BG), INK);
    }

    #[test]
    fn applied_style_has_touch_sizes() {
        let ctx = egui::Context::default();
        apply_theme(&ctx);
        let style = ctx.global_style();
        assert!(style.spacing.interact_size.y >= MIN_TOUCH);
        let body = style.text_styles.get(&TextStyle::Body).map(|f| f.size);
        assert!(body.is_some_and(|s| s >= 18.0));
        assert!(style.text_styles.values().all(|f| f.size >= SMALL_SIZE));
    }
}
