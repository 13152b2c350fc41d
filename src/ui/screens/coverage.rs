//! Coverage: per district, households expected against dwellings listed and households
//! enumerated, then what may have been missed, counted twice or badly interviewed — each in
//! words the controller can act on, with the way into the district.

use egui::Ui;

use super::view::{CoverageRow, CoverageView, ProblemKind};
use super::widgets;
use crate::commands::Command;
use crate::i18n::Tr;
use crate::ui::theme;

/// The table's column headings, in reading order.
const COLUMNS: [&str; 8] = [
    "cov_district",
    "cov_expected",
    "cov_dwellings",
    "cov_complete",
    "cov_in_progress",
    "cov_refused",
    "cov_absent",
    "cov_persons",
];

/// Draws the coverage screen.
pub fn coverage_ui(ui: &mut Ui, view: &CoverageView, tr: &Tr) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut commands = Vec::new();
    widgets::row(ui, rtl, |ui| {
        if widgets::big_button(ui, tr.t("back")).clicked() {
            commands.push(Command::GoHome);
        }
        widgets::heading(ui, tr.t("coverage_title"), rtl);
    });
    let today = tr.ltr(&view.today);
    widgets::weak(ui, &tr.f("cov_computed", &[("date", &today)]), rtl);
    ui.add_space(8.0);
    widgets::card(ui, |ui| {
        egui::ScrollArea::horizontal()
            .id_salt("coverage_table")
            .show(ui, |ui| table_ui(ui, view, tr));
    });
    for line in &view.unreadable {
        widgets::error(ui, line, rtl);
    }
    for district in &view.districts {
        ui.add_space(8.0);
        widgets::card(ui, |ui| {
            widgets::column(ui, rtl, |ui| {
                let code = tr.ltr(&district.code);
                theme::section_header(ui, &tr.f("district_code", &[("code", &code)]), rtl);
                widgets::weak(ui, &district.name, rtl);
                if district.problems.is_empty() {
                    ok_text(ui, tr.t("cov_no_problems"), rtl);
                }
                for kind in ProblemKind::ALL {
                    let lines: Vec<&str> = district
                        .problems
                        .iter()
                        .filter(|p| p.kind == kind)
                        .map(|p| p.text.as_str())
                        .collect();
                    if lines.is_empty() {
                        continue;
                    }
                    ui.add_space(6.0);
                    let n = lines.len().to_string();
                    widgets::heading(ui, &tr.f(kind.key(), &[("n", &n)]), rtl);
                    for line in lines {
                        widgets::warning(ui, line, rtl);
                        ui.add_space(2.0);
                    }
                }
                ui.add_space(6.0);
                let open = tr.f("cov_show_district", &[("code", &code)]);
                if widgets::big_button(ui, &open).clicked() {
                    commands.push(Command::OpenDistrict(district.code.clone()));
                }
            });
        });
    }
    commands
}

fn ok_text(ui: &mut Ui, text: &str, rtl: bool) {
    let style = crate::ui::bidi::BidiStyle {
        font: egui::FontId::proportional(theme::BODY_SIZE),
        color: theme::OK,
        direction: crate::ui::bidi::BaseDirection::forced(rtl),
        align: Some(if rtl {
            egui::Align::Max
        } else {
            egui::Align::Min
        }),
    };
    crate::ui::bidi::bidi_label(ui, text, &style);
}

/// The cells of one table line, in reading order.
fn cells(row: &CoverageRow, tr: &Tr) -> [String; 8] {
    [
        tr.ltr(&row.code),
        row.expected_households.to_string(),
        format!("{} ({})", row.dwellings_listed, row.occupied_dwellings),
        row.complete.to_string(),
        row.in_progress.to_string(),
        row.refused.to_string(),
        row.absent.to_string(),
        row.persons.to_string(),
    ]
}

/// The per-district table, mirrored in right-to-left languages.
fn table_ui(ui: &mut Ui, view: &CoverageView, tr: &Tr) {
    let rtl = tr.rtl();
    let ordered = |mut cells: Vec<String>| {
        if rtl {
            cells.reverse();
        }
        cells
    };
    egui::Grid::new("coverage_grid")
        .striped(true)
        .min_row_height(widgets::TOUCH)
        .spacing(egui::vec2(24.0, 4.0))
        .show(ui, |ui| {
            let strong = ui.visuals().strong_text_color();
            for heading in ordered(COLUMNS.iter().map(|k| tr.t(k).to_owned()).collect()) {
                widgets::inline_text(ui, &heading, Some(strong));
            }
            ui.end_row();
            for row in &view.rows {
                for cell in ordered(cells(row, tr).to_vec()) {
                    widgets::inline_text(ui, &cell, None);
                }
                ui.end_row();
            }
            if let Some(total) = &view.total {
                for cell in ordered(cells(total, tr).to_vec()) {
                    widgets::inline_text(ui, &cell, Some(strong));
                }
                ui.end_row();
            }
        });
}
