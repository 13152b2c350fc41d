//! A window showing the house widgets and the bidi text in Arabic, French and Tamazight,
//! for looking at them: `cargo run --example bidi_demo`.

use census::ui::bidi::{BidiStyle, bidi_label};
use census::ui::design::{self, filled_button, numeric_field, outlined_button, progress_bar};
use census::ui::design::{radio_choice, section_header, status_chip, text_field};
use census::ui::theme;

struct Demo {
    name: String,
    age: String,
    choice: usize,
}

impl eframe::App for Demo {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.columns(2, |cols| {
                cols[0].with_layout(design::column_layout(true), |ui| {
                    section_header(ui, "أفراد الأسرة", true);
                    bidi_label(
                        ui,
                        "اكتب الاسم الكامل لكل فرد من أفراد الأسرة كما هو مكتوب في البطاقة الوطنية للتعريف، ثم السن بالسنوات الكاملة (مثلا 25 سنة).",
                        &BidiStyle::default(),
                    );
                    text_field(ui, "الاسم الكامل", &mut self.name, true);
                    numeric_field(ui, "السن", &mut self.age, true);
                    for (i, label) in ["ذكر", "أنثى"].into_iter().enumerate() {
                        if radio_choice(ui, label, self.choice == i).clicked() {
                            self.choice = i;
                        }
                    }
                    bidi_label(ui, "عمره 25 سنة، رقم DR 12", &BidiStyle::default());
                    status_chip(ui, "مكتمل", theme::OK);
                    progress_bar(ui, 0.3, "12 / 40 أسرة", true);
                    design::row(ui, true, |ui| {
                        filled_button(ui, "التالي");
                        outlined_button(ui, "رجوع");
                    });
                });
                cols[1].with_layout(design::column_layout(false), |ui| {
                    section_header(ui, "Membres du ménage", false);
                    bidi_label(
                        ui,
                        "Écrivez le nom complet de chaque membre du ménage tel qu'il figure sur la carte nationale.",
                        &BidiStyle::default(),
                    );
                    bidi_label(ui, "ⵉⵙⵎ ⴰⵎⵙⵙⴰⵖ ⵏ ⵓⵎⵣⴷⴰⵖ", &BidiStyle::default());
                    let mut fr = String::from("Fatima");
                    text_field(ui, "Nom complet", &mut fr, false);
                    radio_choice(ui, "Masculin", false);
                    radio_choice(ui, "Féminin", true);
                    status_chip(ui, "Refus", theme::ERROR);
                    progress_bar(ui, 0.3, "12 / 40 ménages", false);
                    filled_button(ui, "Suivant");
                });
            });
        });
    }
}

fn main() -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_inner_size([1100.0, 860.0]),
        ..Default::default()
    };
    eframe::run_native(
        "bidi demo",
        options,
        Box::new(|cc| {
            census::ui::fonts::install_fonts(&cc.egui_ctx);
            theme::apply_theme(&cc.egui_ctx);
            Ok(Box::new(Demo {
                name: "فاطمة الزهراء بنعلي".to_owned(),
                age: "42".to_owned(),
                choice: 1,
            }))
        }),
    )
}
