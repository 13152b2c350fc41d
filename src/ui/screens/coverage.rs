//! Coverage: per district, households expected against dwellings listed and households
//! enumerated, then what may have been missed, counted twice or badly interviewed — each in
//! words the controller can act on, with the way into the district.

use egui::Ui;

use super::coverage_map;
use super::drafts::Drafts;
use super::reviewer_card::{CardPlace, reviewer_card_ui};
use super::view::{CoverageRow, CoverageView, ProblemKind};
use crate::command::Command;
use crate::i18n::Tr;
use crate::ui::design;
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

/// Draws the coverage screen: the office's report of the reviewer's area when one was
/// received (with when), else the tablet's own; then the reviewer's card.
pub fn coverage_ui(ui: &mut Ui, view: &CoverageView, tr: &Tr, drafts: &mut Drafts) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut commands = Vec::new();
    design::row(ui, rtl, |ui| {
        if design::outlined_button(ui, tr.t("back")).clicked() {
            commands.push(Command::GoHome);
        }
        let title = if view.as_of.is_some() {
            "coverage_area_title"
        } else {
            "coverage_title"
        };
        design::heading(ui, tr.t(title), rtl);
    });
    match &view.as_of {
        Some(at) => design::weak(ui, &tr.f("cov_area_as_of", &[("time", at)]), rtl),
        None => {
            let today = tr.ltr(&view.today);
            design::weak(ui, &tr.f("cov_computed", &[("date", &today)]), rtl)
        }
    };
    commands.extend(reviewer_card_ui(
        ui,
        &view.reviewer,
        CardPlace::Coverage,
        tr,
        drafts,
    ));
    ui.add_space(8.0);
    design::card(ui, |ui| {
        egui::ScrollArea::horizontal()
            .id_salt("coverage_table")
            .show(ui, |ui| table_ui(ui, view, tr));
    });
    for line in &view.unreadable {
        design::error(ui, line, rtl);
    }
    ui.add_space(8.0);
    design::card(ui, |ui| {
        design::column(ui, rtl, |ui| coverage_map::map_ui(ui, &view.map, tr));
    });
    for district in &view.districts {
        ui.add_space(8.0);
        design::card(ui, |ui| {
            design::column(ui, rtl, |ui| {
                let code = tr.ltr(&district.code);
                design::section_header(ui, &tr.f("district_code", &[("code", &code)]), rtl);
                design::weak(ui, &district.name, rtl);
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
                    design::heading(ui, &tr.f(kind.key(), &[("n", &n)]), rtl);
                    for line in lines {
                        design::warning(ui, line, rtl);
                        ui.add_space(2.0);
                    }
                }
                if district.on_tablet {
                    ui.add_space(6.0);
                    let open = tr.f("cov_show_district", &[("code", &code)]);
                    if design::outlined_button(ui, &open).clicked() {
                        commands.push(Command::OpenDistrict(district.code.clone()));
                    }
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
    let n = |v: u64| tr.ltr(&v.to_string());
    // A district code reads left to right; a roll-up's or the total's words are text.
    let code = if row.code.contains(' ') {
        row.code.clone()
    } else {
        tr.ltr(&row.code)
    };
    [
        code,
        n(row.expected_households),
        tr.ltr(&format!(
            "{} ({})",
            row.dwellings_listed, row.occupied_dwellings
        )),
        n(row.complete),
        n(row.in_progress),
        n(row.refused),
        n(row.absent),
        n(row.persons),
    ]
}

/// A table cell: text wrapped inside `width`, in the reading direction.
fn cell(ui: &mut Ui, text: &str, width: f32, size: f32, color: egui::Color32, rtl: bool) {
    let align = if rtl {
        egui::Align::Max
    } else {
        egui::Align::Min
    };
    ui.allocate_ui_with_layout(
        egui::vec2(width, theme::MIN_TOUCH),
        egui::Layout::top_down(align),
        |ui| {
            ui.set_width(width);
            let style = crate::ui::bidi::BidiStyle {
                font: egui::FontId::proportional(size),
                color,
                direction: crate::ui::bidi::BaseDirection::forced(rtl),
                align: Some(align),
            };
            crate::ui::bidi::bidi_label(ui, text, &style);
        },
    );
}

/// One line of the table, its cells laid out in the reading direction (mirrored in
/// right-to-left languages), on a light stripe when `stripe`.
fn line(
    ui: &mut Ui,
    texts: &[String],
    widths: &[f32],
    style: (f32, egui::Color32),
    rtl: bool,
    stripe: bool,
) {
    let fill = if stripe {
        ui.visuals().faint_bg_color
    } else {
        egui::Color32::TRANSPARENT
    };
    egui::Frame::new()
        .fill(fill)
        .inner_margin(egui::Margin::symmetric(4, 6))
        .show(ui, |ui| {
            let layout = if rtl {
                egui::Layout::right_to_left(egui::Align::Min)
            } else {
                egui::Layout::left_to_right(egui::Align::Min)
            };
            ui.with_layout(layout, |ui| {
                ui.spacing_mut().item_spacing.x = COLUMN_GAP;
                for (text, width) in texts.iter().zip(widths) {
                    cell(ui, text, *width, style.0, style.1, rtl);
                }
            });
        });
}

/// Space between two columns.
const COLUMN_GAP: f32 = 12.0;

/// The per-district table: the district column, then seven equal columns whose headings
/// wrap, so that the table fits a tablet's width (it scrolls sideways below ~800 points).
fn table_ui(ui: &mut Ui, view: &CoverageView, tr: &Tr) {
    let rtl = tr.rtl();
    let available = (ui.available_width() - 8.0).max(720.0);
    let first = (available * 0.16).max(130.0);
    let other = (available - first) / 7.0 - COLUMN_GAP;
    let mut widths = vec![first - COLUMN_GAP];
    widths.extend([other; 7]);
    let strong = ui.visuals().strong_text_color();
    let ink = ui.visuals().text_color();
    let headings: Vec<String> = COLUMNS.iter().map(|k| tr.t(k).to_owned()).collect();
    line(
        ui,
        &headings,
        &widths,
        (theme::SMALL_SIZE, strong),
        rtl,
        false,
    );
    for area in &view.areas {
        line(
            ui,
            &cells(area, tr),
            &widths,
            (theme::BODY_SIZE, strong),
            rtl,
            false,
        );
    }
    for (i, row) in view.rows.iter().enumerate() {
        line(
            ui,
            &cells(row, tr),
            &widths,
            (theme::BODY_SIZE, ink),
            rtl,
            i % 2 == 0,
        );
    }
    if let Some(total) = &view.total {
        line(
            ui,
            &cells(total, tr),
            &widths,
            (theme::BODY_SIZE, strong),
            rtl,
            false,
        );
    }
}
