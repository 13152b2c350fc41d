//! The fonts bundled with the app: egui's default fonts for Latin, plus Noto Sans Arabic and
//! Noto Sans Tifinagh (SIL Open Font License, see `assets/fonts/OFL.txt`).
//!
//! Nothing depends on the fonts of the system: every font is compiled into the binary.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily};

/// Noto Sans Arabic, Regular.
pub const NOTO_SANS_ARABIC: &[u8] = include_bytes!("../../assets/fonts/NotoSansArabic-Regular.ttf");

/// Noto Sans Tifinagh, Regular (covers the Unicode Tifinagh block, as used for Tamazight).
pub const NOTO_SANS_TIFINAGH: &[u8] =
    include_bytes!("../../assets/fonts/NotoSansTifinagh-Regular.ttf");

/// Name of the Arabic font in the font definitions.
pub const ARABIC_FONT: &str = "NotoSansArabic-Regular";

/// Name of the Tifinagh font in the font definitions.
pub const TIFINAGH_FONT: &str = "NotoSansTifinagh-Regular";

/// The app's font definitions: egui's defaults, with the Arabic and Tifinagh fonts appended
/// as fallbacks of both families, so Latin text keeps egui's default font and only the
/// characters it lacks come from the bundled fonts.
pub fn font_definitions() -> FontDefinitions {
    let mut defs = FontDefinitions::default();
    defs.font_data.insert(
        ARABIC_FONT.to_owned(),
        Arc::new(FontData::from_static(NOTO_SANS_ARABIC)),
    );
    defs.font_data.insert(
        TIFINAGH_FONT.to_owned(),
        Arc::new(FontData::from_static(NOTO_SANS_TIFINAGH)),
    );
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        let list = defs.families.entry(family).or_default();
        // Before egui's icon font (the last resort), after the Latin fonts.
        let at = list
            .iter()
            .position(|name| name == "egui-icons")
            .unwrap_or(list.len());
        list.insert(at, TIFINAGH_FONT.to_owned());
        list.insert(at, ARABIC_FONT.to_owned());
    }
    defs
}

/// Installs the app's fonts in `ctx` (call once, at start-up).
pub fn install_fonts(ctx: &egui::Context) {
    ctx.set_fonts(font_definitions());
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::FontId;
    use egui::epaint::text::{Fonts, TextOptions};

    #[test]
    fn latin_uses_default_font_arabic_and_tifinagh_the_bundled_ones() {
        let mut fonts = Fonts::new(TextOptions::default(), font_definitions());
        let mut view = fonts.with_pixels_per_point(1.0);
        let chars = view.characters(&FontFamily::Proportional).clone();
        let first = |c: char| chars.get(&c).and_then(|v| v.first()).cloned();
        assert_eq!(first('a').as_deref(), Some("Ubuntu-Light"));
        assert_eq!(first('س').as_deref(), Some(ARABIC_FONT));
        assert_eq!(first('ⵣ').as_deref(), Some(TIFINAGH_FONT));
        assert!(view.has_glyph(&FontId::proportional(18.0), 'ⵜ'));
        assert!(!view.has_glyph(&FontId::proportional(18.0), '中'));
    }
}
