//! The design system's widgets in a real egui harness: every widget is found by its label (Arabic
//! labels by their normal spelling), inputs work, touch targets are big enough.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use census::ui::bidi::{BidiStyle, bidi_label};
use census::ui::design::{
    column_layout, filled_button, numeric_field, progress_bar, radio_choice, section_header,
    status_chip, text_field,
};
use census::ui::theme::{self, MIN_TOUCH};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

#[derive(Default)]
struct Form {
    name: String,
    age: String,
    sex: Option<usize>,
    next_clicks: u32,
}

fn form_ui(ui: &mut egui::Ui, form: &mut Form) {
    census::ui::fonts::install_fonts(ui.ctx());
    theme::apply_theme(ui.ctx());
    let rtl = true;
    ui.with_layout(column_layout(rtl), |ui| {
        section_header(ui, "أفراد الأسرة", rtl);
        bidi_label(
            ui,
            "اكتب الاسم الكامل لكل فرد من أفراد الأسرة كما هو مكتوب في البطاقة الوطنية",
            &BidiStyle::default(),
        );
        text_field(ui, "الاسم", &mut form.name, rtl);
        numeric_field(ui, "السن", &mut form.age, rtl);
        for (i, label) in ["ذكر", "أنثى"].into_iter().enumerate() {
            if radio_choice(ui, label, form.sex == Some(i)).clicked() {
                form.sex = Some(i);
            }
        }
        status_chip(ui, "مكتمل", theme::OK);
        progress_bar(ui, 0.25, "12 / 48", rtl);
        if filled_button(ui, "التالي").clicked() {
            form.next_clicks += 1;
        }
    });
}

fn harness() -> Harness<'static, Form> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(600.0, 900.0))
        .build_ui_state(form_ui, Form::default());
    harness.run();
    harness
}

#[test]
fn widgets_are_found_by_their_arabic_labels() {
    let harness = harness();
    for label in [
        "أفراد الأسرة",
        "الاسم",
        "السن",
        "ذكر",
        "أنثى",
        "مكتمل",
        "12 / 48",
        "التالي",
    ] {
        let _ = harness.get_by_label(label);
    }
    let _ = harness
        .get_by_label("اكتب الاسم الكامل لكل فرد من أفراد الأسرة كما هو مكتوب في البطاقة الوطنية");
}

#[test]
fn touch_targets_are_at_least_min_touch() {
    let harness = harness();
    for label in ["الاسم", "السن", "ذكر", "أنثى", "التالي"] {
        let rect = harness.get_by_label(label).rect();
        assert!(rect.height() >= MIN_TOUCH - 0.01, "{label}: {rect:?}");
        assert!(rect.width() >= MIN_TOUCH - 0.01, "{label}: {rect:?}");
    }
    // Choices are full width.
    let choice = harness.get_by_label("ذكر").rect();
    assert!(choice.width() >= 500.0, "{choice:?}");
}

#[test]
fn rtl_layout_hugs_the_right_side() {
    let harness = harness();
    let header = harness.get_by_label("التالي").rect();
    assert!(header.right() > 550.0, "{header:?}");
}

#[test]
fn typing_clicking_and_choosing_work() {
    let mut harness = harness();
    harness.get_by_label("الاسم").click();
    harness.run();
    harness.get_by_label("الاسم").type_text("فاطمة الزهراء");
    harness.run();
    harness.get_by_label("السن").click();
    harness.run();
    harness.get_by_label("السن").type_text("٤٢ سنة");
    harness.run();
    harness.get_by_label("أنثى").click();
    harness.run();
    harness.get_by_label("التالي").click();
    harness.run();
    let form = harness.state();
    assert_eq!(form.name, "فاطمة الزهراء");
    assert_eq!(form.age, "42");
    assert_eq!(form.sex, Some(1));
    assert_eq!(form.next_clicks, 1);
}
