//! Home: my districts with progress, the sync status, the way into a district.

use egui::Ui;

use super::drafts::Drafts;
use super::sync_panel::sync_panel_ui;
use super::view::HomeView;
use crate::command::Command;
use crate::i18n::Tr;
use crate::ui::design;

/// The width from which the districts and the sync card stand side by side.
const TWO_COLUMNS_FROM: f32 = 900.0;

/// Draws the home screen: the districts, then the sync card (beside them on a wide screen,
/// mirrored in right-to-left languages).
pub fn home_ui(ui: &mut Ui, view: &HomeView, tr: &Tr, drafts: &mut Drafts) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut commands = Vec::new();
    design::row(ui, rtl, |ui| {
        design::heading(ui, tr.t("home_title"), rtl);
        if design::outlined_button(ui, tr.t("open_coverage")).clicked() {
            commands.push(Command::OpenCoverage);
        }
        if design::outlined_button(ui, tr.t("open_review")).clicked() {
            commands.push(Command::OpenReview);
        }
    });
    if ui.available_width() >= TWO_COLUMNS_FROM {
        ui.columns(2, |columns| {
            if let [first, second] = columns {
                let (districts, sync) = if rtl {
                    (second, first)
                } else {
                    (first, second)
                };
                commands.extend(districts_ui(districts, view, tr));
                commands.extend(sync_panel_ui(sync, &view.sync, tr, drafts));
            }
        });
    } else {
        commands.extend(districts_ui(ui, view, tr));
        commands.extend(sync_panel_ui(ui, &view.sync, tr, drafts));
    }
    commands
}

/// The district cards.
fn districts_ui(ui: &mut Ui, view: &HomeView, tr: &Tr) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut commands = Vec::new();
    for district in &view.districts {
        design::card(ui, |ui| {
            design::column(ui, rtl, |ui| {
                let code = tr.ltr(&district.code);
                design::heading(ui, &tr.f("district_code", &[("code", &code)]), rtl);
                design::text(ui, &district.name, rtl);
                let n = |v: u32| v.to_string();
                design::text(
                    ui,
                    &tr.f(
                        "buildings_listed",
                        &[
                            ("n", &n(district.buildings_listed)),
                            ("expected", &n(district.buildings_expected)),
                        ],
                    ),
                    rtl,
                );
                design::text(
                    ui,
                    &tr.f(
                        "dwellings_listed",
                        &[
                            ("n", &n(district.dwellings_listed)),
                            ("expected", &n(district.dwellings_expected)),
                        ],
                    ),
                    rtl,
                );
                let ratio = if district.households_expected == 0 {
                    0.0
                } else {
                    district.households_done as f32 / district.households_expected as f32
                };
                let households = tr.f(
                    "households_enumerated",
                    &[
                        ("n", &n(district.households_done)),
                        ("expected", &n(district.households_expected)),
                    ],
                );
                design::progress_bar(ui, ratio.min(1.0), &households, rtl);
                let revisits = tr.f("revisits_today", &[("n", &n(district.revisits_today))]);
                if district.revisits_today > 0 {
                    design::warning(ui, &revisits, rtl);
                } else {
                    design::text(ui, &revisits, rtl);
                }
                if district.sent_back > 0 {
                    let count = n(district.sent_back);
                    design::warning(ui, &tr.f("sent_back_count", &[("n", &count)]), rtl);
                }
                let open = format!("{} {code}", tr.t("open"));
                if design::primary_button(ui, &open, true).clicked() {
                    commands.push(Command::OpenDistrict(district.code.clone()));
                }
            });
        });
        ui.add_space(8.0);
    }
    commands
}
