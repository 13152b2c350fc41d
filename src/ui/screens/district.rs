//! A district: its buildings and dwellings, search and status filter, adding a building or a
//! dwelling, opening a dwelling's questionnaire, recording a refusal or an absence.

use std::collections::HashMap;

use egui::Ui;

use super::drafts::{DistrictDialog, Drafts};
use super::view::{BuildingRow, BuildingRowState, DistrictView, DwellingRow, DwellingStatus};
use crate::command::{Command, NewOccupancy, VisitOutcome};
use crate::i18n::Tr;
use crate::ui::design;

/// Draws the district screen.
pub fn district_ui(ui: &mut Ui, view: &DistrictView, tr: &Tr, drafts: &mut Drafts) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut commands = Vec::new();
    design::row(ui, rtl, |ui| {
        if design::outlined_button(ui, tr.t("back")).clicked() {
            commands.push(Command::GoHome);
        }
        design::heading(
            ui,
            &tr.f("district_title", &[("code", &tr.ltr(&view.code))]),
            rtl,
        );
    });
    design::weak(ui, &view.name, rtl);
    design::text_field(ui, tr.t("search"), drafts.field("district.search"), rtl);
    design::row(ui, rtl, |ui| {
        if design::toggle_chip(ui, tr.t("filter_all"), drafts.filter.is_none()).clicked() {
            drafts.filter = None;
        }
        for status in DwellingStatus::ALL {
            let selected = drafts.filter == Some(status);
            if design::toggle_chip(ui, tr.t(status.key()), selected).clicked() {
                drafts.filter = if selected { None } else { Some(status) };
            }
        }
    });
    design::row(ui, rtl, |ui| {
        if design::outlined_button(ui, tr.t("add_building")).clicked() {
            drafts.dialog = DistrictDialog::AddBuilding;
            drafts.form_error = None;
        }
    });
    dialog_ui(ui, tr, drafts, &mut commands);
    ui.separator();
    let query = drafts.get("district.search").trim().to_lowercase();
    let filter = drafts.filter;
    let shown: Vec<(&BuildingRow, Vec<&DwellingRow>)> = view
        .buildings
        .iter()
        .filter_map(|building| {
            let dwellings: Vec<&DwellingRow> = building
                .dwellings
                .iter()
                .filter(|d| filter.is_none_or(|f| f == d.status))
                .collect();
            let hidden =
                !matches_query(building, &query) || (filter.is_some() && dwellings.is_empty());
            (!hidden).then_some((building, dwellings))
        })
        .collect();
    let heights_id = ui.scope_id().with("district_card_heights");
    let mut heights: CardHeights = ui.data_mut(|d| d.get_temp(heights_id)).unwrap_or_default();
    heights.reset_unless(ui.available_width(), rtl);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show_viewport(ui, |ui, viewport| {
            if shown.is_empty() {
                design::weak(ui, tr.t("no_buildings"), rtl);
                return;
            }
            // Only the cards in view are drawn; the others' space is reserved with the
            // heights they had when last drawn (or an estimate until then).
            let origin = ui.max_rect().top();
            let mut y = 0.0;
            let mut drawn_to = None;
            for (building, dwellings) in &shown {
                let estimate = heights.get(building, dwellings.len());
                let in_view = y + estimate >= viewport.min.y && y <= viewport.max.y;
                if !in_view {
                    y += estimate;
                    continue;
                }
                let top = ui.cursor().top();
                if top < origin + y {
                    ui.add_space(origin + y - top);
                }
                let top = ui.cursor().top();
                building_ui(ui, building, dwellings, tr, drafts, &mut commands);
                let height = ui.cursor().top() - top;
                heights.set(building, dwellings.len(), height);
                y += height;
                drawn_to = Some(y);
            }
            let end = ui.cursor().top() - origin;
            if drawn_to.is_some() && y > end {
                ui.add_space(y - end);
            } else if drawn_to.is_none() {
                ui.add_space(y);
            }
        });
    ui.data_mut(|d| d.insert_temp(heights_id, heights));
    commands
}

/// The heights of the building cards as last drawn, by building (number, dwellings shown) and
/// by shape (dwellings shown, GPS line or not), for one width and direction: the district list
/// draws only the cards in view and reserves the others' space with them.
#[derive(Clone, Default)]
struct CardHeights {
    width: f32,
    rtl: bool,
    by_building: HashMap<(u32, usize), f32>,
    by_shape: HashMap<(usize, bool), f32>,
}

impl CardHeights {
    /// Forgets the heights measured at another width or in the other direction.
    fn reset_unless(&mut self, width: f32, rtl: bool) {
        if (self.width - width).abs() > 0.5 || self.rtl != rtl {
            *self = CardHeights {
                width,
                rtl,
                ..CardHeights::default()
            };
        }
    }

    /// The card's height as last drawn, else that of a card of the same shape, else a guess.
    fn get(&self, building: &BuildingRow, shown: usize) -> f32 {
        self.by_building
            .get(&(building.number, shown))
            .or_else(|| self.by_shape.get(&(shown, building.gps.is_some())))
            .copied()
            .unwrap_or(CARD_GUESS + shown as f32 * ROW_GUESS)
    }

    fn set(&mut self, building: &BuildingRow, shown: usize, height: f32) {
        self.by_building.insert((building.number, shown), height);
        self.by_shape
            .insert((shown, building.gps.is_some()), height);
    }
}

/// A building card's height without dwellings, before one is measured (logical px).
const CARD_GUESS: f32 = 120.0;
/// One dwelling row's height, before one is measured (logical px).
const ROW_GUESS: f32 = 56.0;

fn matches_query(building: &BuildingRow, query: &str) -> bool {
    query.is_empty()
        || building.address.to_lowercase().contains(query)
        || building.number.to_string() == query
}

fn building_ui(
    ui: &mut Ui,
    building: &BuildingRow,
    dwellings: &[&DwellingRow],
    tr: &Tr,
    drafts: &mut Drafts,
    commands: &mut Vec<Command>,
) {
    let rtl = tr.rtl();
    design::card(ui, |ui| {
        design::column(ui, rtl, |ui| {
            let title = format!(
                "{} — {}",
                tr.f("building", &[("n", &building.number.to_string())]),
                building.address
            );
            design::text(ui, &title, rtl);
            if let Some(gps) = &building.gps {
                design::weak(ui, &tr.ltr(gps), rtl);
            }
            let name = tr.f("building", &[("n", &building.number.to_string())]);
            let building_no = building.number;
            match building.state {
                BuildingRowState::Listed => {}
                BuildingRowState::ToConfirm => {
                    design::warning(ui, tr.t("building_to_confirm"), rtl);
                    design::row(ui, rtl, |ui| {
                        if design::action_on(ui, tr.t("confirm_building"), &name).clicked() {
                            commands.push(Command::ConfirmBuilding {
                                building_no,
                                address: None,
                            });
                        }
                        if design::action_on(ui, tr.t("correct_building"), &name).clicked() {
                            drafts.dialog = DistrictDialog::CorrectBuilding(building_no);
                            drafts.form_error = None;
                            *drafts.field("building.correct_address") = building.address.clone();
                        }
                        if design::action_on(ui, tr.t("mark_demolished"), &name).clicked() {
                            commands.push(Command::MarkBuildingDemolished { building_no });
                        }
                    });
                }
                BuildingRowState::Demolished => {
                    design::warning(ui, tr.t("building_demolished"), rtl);
                    if design::action_on(ui, tr.t("restore_building"), &name).clicked() {
                        commands.push(Command::ConfirmBuilding {
                            building_no,
                            address: None,
                        });
                    }
                    return;
                }
            }
            for dwelling in dwellings {
                dwelling_ui(ui, dwelling, tr, commands, drafts);
            }
            let add = format!("{} ({})", tr.t("add_dwelling"), building.number);
            if design::outlined_button(ui, &add).clicked() {
                drafts.dialog = DistrictDialog::AddDwelling(building.number);
                drafts.form_error = None;
            }
        });
    });
    ui.add_space(6.0);
}

fn dwelling_ui(
    ui: &mut Ui,
    dwelling: &DwellingRow,
    tr: &Tr,
    commands: &mut Vec<Command>,
    drafts: &mut Drafts,
) {
    let rtl = tr.rtl();
    let (b, d) = (dwelling.building_no, dwelling.dwelling_no);
    let name = tr.f("dwelling", &[("n", &format!("{b}.{d}"))]);
    design::row(ui, rtl, |ui| {
        if design::outlined_button(ui, &name).clicked() {
            commands.push(Command::OpenCase {
                building_no: b,
                dwelling_no: d,
            });
        }
        let mut info = vec![
            dwelling.occupancy.clone(),
            tr.t(dwelling.status.key()).to_owned(),
        ];
        if !dwelling.description.is_empty() {
            info.insert(0, dwelling.description.clone());
        }
        if let Some(revisit) = &dwelling.revisit {
            info.push(revisit.clone());
        }
        design::inline_text(ui, &info.join(" · "), None);
        if design::action_on(ui, tr.t("record_refusal"), &name).clicked() {
            drafts.dialog = DistrictDialog::Refusal(b, d);
            drafts.form_error = None;
        }
        if design::action_on(ui, tr.t("record_absence"), &name).clicked() {
            drafts.dialog = DistrictDialog::Absence(b, d);
            drafts.form_error = None;
        }
    });
    if let Some(comment) = &dwelling.office_comment {
        design::warning(ui, &tr.f("case_sent_back", &[("comment", comment)]), rtl);
    }
}

fn dialog_ui(ui: &mut Ui, tr: &Tr, drafts: &mut Drafts, commands: &mut Vec<Command>) {
    let rtl = tr.rtl();
    let dialog = drafts.dialog.clone();
    if dialog == DistrictDialog::None {
        return;
    }
    design::card(ui, |ui| {
        design::column(ui, rtl, |ui| match dialog {
            DistrictDialog::None => {}
            DistrictDialog::AddBuilding => {
                design::heading(ui, tr.t("add_building"), rtl);
                design::text_field(ui, tr.t("address"), drafts.field("building.address"), rtl);
                design::text_field(ui, tr.t("latitude"), drafts.field("building.lat"), rtl);
                design::text_field(ui, tr.t("longitude"), drafts.field("building.lon"), rtl);
                design::weak(ui, tr.t("gps_hint"), rtl);
                if form_buttons(ui, tr, drafts, "create") {
                    commands.push(Command::AddBuilding {
                        address: drafts.get("building.address").trim().to_owned(),
                        lat: drafts.get("building.lat").trim().to_owned(),
                        lon: drafts.get("building.lon").trim().to_owned(),
                    });
                }
            }
            DistrictDialog::AddDwelling(building_no) => {
                let title = format!(
                    "{} — {}",
                    tr.t("add_dwelling"),
                    tr.f("building", &[("n", &building_no.to_string())])
                );
                design::heading(ui, &title, rtl);
                design::text_field(
                    ui,
                    tr.t("address"),
                    drafts.field("dwelling.description"),
                    rtl,
                );
                design::text(ui, tr.t("occupancy"), rtl);
                let current = drafts.get("dwelling.occupancy").to_owned();
                design::row(ui, rtl, |ui| {
                    for (code, key) in OCCUPANCIES {
                        let selected =
                            current == code || (current.is_empty() && code == "occupied");
                        if design::toggle_chip(ui, tr.t(key), selected).clicked() {
                            *drafts.field("dwelling.occupancy") = code.to_owned();
                        }
                    }
                });
                if form_buttons(ui, tr, drafts, "create") {
                    let occupancy = match drafts.get("dwelling.occupancy") {
                        "vacant" => NewOccupancy::Vacant,
                        "secondary" => NewOccupancy::Secondary,
                        "collective" => NewOccupancy::Collective,
                        _ => NewOccupancy::Occupied,
                    };
                    commands.push(Command::AddDwelling {
                        building_no,
                        description: drafts.get("dwelling.description").trim().to_owned(),
                        occupancy,
                    });
                }
            }
            DistrictDialog::CorrectBuilding(building_no) => {
                let title = format!(
                    "{} — {}",
                    tr.t("correct_building"),
                    tr.f("building", &[("n", &building_no.to_string())])
                );
                design::heading(ui, &title, rtl);
                design::text_field(
                    ui,
                    tr.t("address"),
                    drafts.field("building.correct_address"),
                    rtl,
                );
                if form_buttons(ui, tr, drafts, "confirm_building") {
                    commands.push(Command::ConfirmBuilding {
                        building_no,
                        address: Some(drafts.get("building.correct_address").trim().to_owned()),
                    });
                }
            }
            DistrictDialog::Refusal(b, d) | DistrictDialog::Absence(b, d) => {
                let outcome = if matches!(dialog, DistrictDialog::Refusal(..)) {
                    VisitOutcome::Refused
                } else {
                    VisitOutcome::Absent
                };
                let title_key = match outcome {
                    VisitOutcome::Refused => "record_refusal",
                    VisitOutcome::Absent => "record_absence",
                };
                let title = format!(
                    "{} — {}",
                    tr.t(title_key),
                    tr.f("dwelling", &[("n", &format!("{b}.{d}"))])
                );
                design::heading(ui, &title, rtl);
                design::text_field(ui, tr.t("revisit_date"), drafts.field("visit.date"), rtl);
                design::text_field(ui, tr.t("revisit_time"), drafts.field("visit.time"), rtl);
                design::text_field(ui, tr.t("note"), drafts.field("visit.note"), rtl);
                if form_buttons(ui, tr, drafts, "record") {
                    commands.push(Command::RecordVisit {
                        building_no: b,
                        dwelling_no: d,
                        outcome,
                        date: drafts.get("visit.date").trim().to_owned(),
                        time: drafts.get("visit.time").trim().to_owned(),
                        note: drafts.get("visit.note").trim().to_owned(),
                    });
                }
            }
        });
    });
}

const OCCUPANCIES: [(&str, &str); 4] = [
    ("occupied", "occ_occupied"),
    ("vacant", "occ_vacant"),
    ("secondary", "occ_secondary"),
    ("collective", "occ_collective"),
];

/// Shows the form's error and its action / Cancel buttons; true when the action was pressed.
fn form_buttons(ui: &mut Ui, tr: &Tr, drafts: &mut Drafts, action: &'static str) -> bool {
    let rtl = tr.rtl();
    if let Some(message) = &drafts.form_error {
        design::error(ui, message, rtl);
    }
    let mut create = false;
    design::row(ui, rtl, |ui| {
        create = design::primary_button(ui, tr.t(action), true).clicked();
        if design::outlined_button(ui, tr.t("cancel")).clicked() {
            drafts.dialog = DistrictDialog::None;
            drafts.form_error = None;
        }
    });
    create
}
