//! Glyph-position tests of the bidi layout, in a headless egui context with the app's fonts.

use super::*;
use crate::ui::fonts::install_fonts;

fn ctx() -> egui::Context {
    let ctx = egui::Context::default();
    install_fonts(&ctx);
    let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
    output.textures_delta.clear();
    ctx
}

fn font() -> FontId {
    FontId::proportional(20.0)
}

fn one_line(ctx: &egui::Context, text: &str) -> VisualLine {
    let mut lines = layout_lines(ctx, text, &font(), f32::INFINITY, BaseDirection::Auto, None);
    assert_eq!(lines.len(), 1, "{text:?}");
    lines.remove(0)
}

/// Left edge of the first glyph of `c` on the line.
fn x_of(line: &VisualLine, c: char) -> f32 {
    line.glyphs()
        .find(|(g, _)| *g == c)
        .map(|(_, x)| x)
        .unwrap_or_else(|| panic!("no glyph {c:?} in {:?}", line.glyphs().collect::<Vec<_>>()))
}

/// The visible glyph characters of a line, left to right.
fn visible_chars(line: &VisualLine) -> String {
    line.glyphs()
        .map(|(c, _)| c)
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[test]
fn rtl_words_read_right_to_left() {
    let ctx = ctx();
    let text = "الاسم الكامل";
    let line = one_line(&ctx, text);
    assert!(line.rtl);
    // س is only in the first word, ك only in the second.
    assert!(x_of(&line, 'س') > x_of(&line, 'ك'));
    let first = line
        .pieces
        .iter()
        .find(|p| p.logical.start == 0)
        .map(|p| p.x);
    let second_start = text.find(' ').map(|i| i + 1);
    let second = line
        .pieces
        .iter()
        .find(|p| Some(p.logical.start) == second_start)
        .map(|p| p.x);
    assert!(first > second, "{first:?} {second:?}");
    // Inside a word, the first letter is rightmost: م (last) left of س.
    assert!(x_of(&line, 'م') < x_of(&line, 'س'));
}

#[test]
fn arabic_letters_join() {
    // Joined (medial) forms of beh are much narrower than isolated ones.
    let ctx = ctx();
    let joined = one_line(&ctx, "بببب").width;
    let isolated = 4.0 * one_line(&ctx, "ب").width;
    assert!(
        joined < isolated * 0.8,
        "joined {joined} isolated {isolated}"
    );
}

#[test]
fn numbers_in_arabic_read_left_to_right_between_the_words() {
    let ctx = ctx();
    let line = one_line(&ctx, "عمره 25 سنة");
    assert!(x_of(&line, '2') < x_of(&line, '5'));
    // First word (عمره) at the right, last (سنة) at the left, the number between.
    assert!(x_of(&line, 'ع') > x_of(&line, '5'));
    assert!(x_of(&line, 'ن') < x_of(&line, '2'));

    let line = one_line(&ctx, "عمره ٢٥ سنة");
    assert!(x_of(&line, '٢') < x_of(&line, '٥'));
    assert!(x_of(&line, 'ع') > x_of(&line, '٥'));
    assert!(x_of(&line, 'ن') < x_of(&line, '٢'));
}

#[test]
fn brackets_are_mirrored_in_right_to_left_text() {
    let ctx = ctx();
    let line = one_line(&ctx, "الجواب (نعم)");
    let chars = visible_chars(&line);
    assert!(chars.starts_with('('), "{chars}");
    assert!(chars.contains(')'), "{chars}");
    assert!(x_of(&line, ')') < x_of(&line, 'ج'));
}

/// The visual order of characters per the reference implementation of UAX #9.
fn reference_visual(text: &str) -> String {
    let info = unicode_bidi::BidiInfo::new(text, None);
    let para = &info.paragraphs[0];
    let line = para.range.clone();
    let reordered = info.reorder_line(para, line);
    reordered
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(chars::mirror)
        .collect()
}

#[test]
fn glyph_order_matches_the_bidi_reference() {
    let ctx = ctx();
    for text in [
        "عمره 25 سنة",
        "رقم DR 12 في المدينة",
        "Ménage رقم 3",
        "سكن: بيت، عمارة؟",
        "ⵉⵙⵎ ⵏ ⵓⵎⵙⵙⵓⵖ 12",
        "ABC عربي DEF",
        "نعم - 100%",
    ] {
        let line = one_line(&ctx, text);
        let got: String = visible_chars(&line).chars().map(chars::mirror).collect();
        assert_eq!(got, reference_visual(text), "{text:?}");
    }
}

#[test]
fn long_arabic_hint_wraps_right_aligned_first_words_first() {
    let ctx = ctx();
    let text = "اكتب الاسم الكامل لكل فرد من أفراد الأسرة كما هو مكتوب في البطاقة الوطنية للتعريف الإلكترونية";
    let width = 220.0;
    let lines = layout_lines(&ctx, text, &font(), width, BaseDirection::Auto, None);
    assert!(lines.len() >= 3, "{} lines", lines.len());
    for line in &lines {
        assert!(line.width <= width + 0.5, "{} > {width}", line.width);
        assert!(
            (line.x + line.width - width).abs() < 0.5,
            "not right-aligned"
        );
        assert!(line.rtl);
    }
    assert_eq!(lines[0].logical.start, 0);
    assert!(text[lines[0].logical.clone()].starts_with("اكتب"));
    for pair in lines.windows(2) {
        assert!(pair[0].logical.end < pair[1].logical.start);
    }
    assert_eq!(lines.last().map(|l| l.logical.end), Some(text.len()));
    // On the first line, the first word is rightmost.
    let first = &lines[0];
    let rightmost = first.pieces.iter().max_by(|a, b| a.x.total_cmp(&b.x));
    assert_eq!(rightmost.map(|p| p.logical.start), Some(0));
}

#[test]
fn latin_text_is_unchanged() {
    let ctx = ctx();
    let text = "Nom complet du chef de ménage (CIN: AB12)";
    let line = one_line(&ctx, text);
    assert!(!line.rtl);
    assert_eq!(line.x, 0.0);
    let chars: String = line.glyphs().map(|(c, _)| c).collect();
    assert_eq!(chars, text);
    let xs: Vec<f32> = line.glyphs().map(|(_, x)| x).collect();
    assert!(xs.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(display_order(text), text);
}

#[test]
fn tifinagh_is_left_to_right_and_unchanged() {
    let ctx = ctx();
    let text = "ⵉⵙⵎ ⴰⵎⵙⵙⴰⵖ";
    let line = one_line(&ctx, text);
    assert!(!line.rtl);
    let chars: String = line.glyphs().map(|(c, _)| c).collect();
    assert_eq!(chars, text);
    assert!(x_of(&line, 'ⵉ') < x_of(&line, 'ⵖ'));
    assert_eq!(display_order(text), text);
}

#[test]
fn forced_direction_aligns_and_orders_runs() {
    let ctx = ctx();
    let lines = layout_lines(&ctx, "Nom", &font(), 300.0, BaseDirection::Rtl, None);
    assert!((lines[0].x + lines[0].width - 300.0).abs() < 0.5);
    let lines = layout_lines(&ctx, "الاسم", &font(), 300.0, BaseDirection::Ltr, None);
    assert_eq!(lines[0].x, 0.0);
    let lines = layout_lines(
        &ctx,
        "Nom",
        &font(),
        300.0,
        BaseDirection::Auto,
        Some(Align::Center),
    );
    assert!((lines[0].x * 2.0 + lines[0].width - 300.0).abs() < 0.5);
}

#[test]
fn newlines_make_paragraphs_with_their_own_direction() {
    let ctx = ctx();
    let text = "Nom\nالاسم\n\nⵉⵙⵎ";
    let lines = layout_lines(&ctx, text, &font(), 300.0, BaseDirection::Auto, None);
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines.iter().map(|l| l.rtl).collect::<Vec<_>>(),
        [false, true, false, false]
    );
    assert!(lines[2].pieces.is_empty());
    assert_eq!(&text[lines[1].logical.clone()], "الاسم");
}

#[test]
fn empty_strings_marks_and_controls_never_panic() {
    let ctx = ctx();
    for text in [
        "",
        " ",
        "   ",
        "\n",
        "\u{064B}",
        "\u{0301}",
        "\u{200D}",
        "\u{200C}\u{200D}",
        "\u{200F}",
        "\u{202E}abc\u{202C}",
        "\u{2067}نعم\u{2069} ok",
        "ب\u{064E}\u{0651}",
        "\u{0651} ب",
        "x\u{FE0F}",
        "\t\t",
        "verylongwordwithoutanyspaceatallthatoverflows",
    ] {
        for width in [0.0, 1.0, 50.0, f32::INFINITY] {
            let lines = layout_lines(&ctx, text, &font(), width, BaseDirection::Auto, None);
            assert!(!lines.is_empty());
        }
        let _ = display_order(text);
    }
}

#[test]
fn display_order_reverses_rtl_runs_around_the_shaper() {
    // Logical Arabic words stay logical (egui's shaper reverses them), their order flips.
    assert_eq!(display_order("الاسم الكامل"), "الكامل الاسم");
    assert_eq!(display_order("عمره 25 سنة"), "سنة 25 عمره");
}

#[test]
fn label_is_found_by_its_logical_text() {
    let ctx = ctx();
    let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
        bidi_label(ui, "السن", &BidiStyle::default());
    });
    output.textures_delta.clear();
    // The accessible tree is checked with egui_kittest in tests/ (here: no panic, size > 0).
    let laid = BidiText::new(&ctx, "السن", &BidiStyle::default(), 300.0);
    assert!(laid.size.x >= 300.0 - 0.5);
    assert!(laid.size.y > 0.0);
}

#[test]
fn egui_alone_lays_arabic_words_left_to_right() {
    // The problem this module solves: if egui starts reordering by itself, this fails and
    // the reordering here must go (it would reverse twice).
    let ctx = ctx();
    let galley =
        ctx.fonts_mut(|f| f.layout_no_wrap("الاسم الكامل".to_owned(), font(), Color32::BLACK));
    let x = |c: char| {
        galley.rows[0]
            .glyphs
            .iter()
            .find(|g| g.chr == c)
            .map(|g| g.pos.x)
    };
    assert!(
        x('س') < x('ك'),
        "egui now orders Arabic words right to left"
    );
}
