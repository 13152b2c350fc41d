//! First run: enrol the device (enumerator number, district assignment, PIN twice).

use egui::Ui;

use super::drafts::Drafts;
use super::view::EnrolView;
use crate::command::{AssignmentSource, Command};
use crate::i18n::Tr;
use crate::ui::design;

/// Draws the enrolment form.
pub fn enrol_ui(ui: &mut Ui, view: &EnrolView, tr: &Tr, drafts: &mut Drafts) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut commands = Vec::new();
    design::heading(ui, tr.t("enrol_title"), rtl);
    design::text(ui, tr.t("enrol_intro"), rtl);
    ui.add_space(8.0);
    design::text_field(ui, tr.t("enumerator_id"), drafts.field("enrol.id"), rtl);
    ui.add_space(8.0);
    design::text(ui, tr.t("assignment"), rtl);
    let use_demo = view.demo_available && drafts.get("enrol.file").is_empty();
    if view.demo_available {
        design::weak(ui, tr.t("assignment_demo"), rtl);
    }
    design::text_field(ui, tr.t("assignment_file"), drafts.field("enrol.file"), rtl);
    ui.add_space(8.0);
    design::pin_field(ui, tr.t("pin"), drafts.field("enrol.pin"), rtl);
    design::pin_field(ui, tr.t("pin_again"), drafts.field("enrol.pin2"), rtl);
    design::weak(ui, tr.t("pin_rules"), rtl);
    if let Some(message) = &view.error {
        design::error(ui, message, rtl);
    }
    ui.add_space(8.0);
    if design::primary_button(ui, tr.t("enrol"), true).clicked() {
        let assignment = if use_demo {
            AssignmentSource::Demo
        } else {
            AssignmentSource::File(drafts.get("enrol.file").trim().to_owned())
        };
        commands.push(Command::Enrol {
            enumerator_id: drafts.get("enrol.id").trim().to_owned(),
            pin: drafts.get("enrol.pin").to_owned(),
            pin_again: drafts.get("enrol.pin2").to_owned(),
            assignment,
        });
    }
    commands
}
