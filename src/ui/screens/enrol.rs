//! First run: enrol the tablet with the office (its server, the one-time code or the
//! scanned enrolment payload, the PIN twice).

use egui::Ui;

use super::drafts::Drafts;
use super::view::EnrolView;
use crate::command::Command;
use crate::i18n::Tr;
use crate::ui::design;

/// Draws the enrolment form.
pub fn enrol_ui(ui: &mut Ui, view: &EnrolView, tr: &Tr, drafts: &mut Drafts) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut commands = Vec::new();
    if drafts.get("enrol.offered").is_empty() {
        // What the provisioning file or the command line said, offered once (then editable).
        *drafts.field("enrol.url") = view.server_url.clone();
        *drafts.field("enrol.code") = view.code.clone();
        *drafts.field("enrol.offered") = "yes".to_owned();
    }
    design::heading(ui, tr.t("enrol_title"), rtl);
    design::text(ui, tr.t("enrol_intro"), rtl);
    ui.add_space(8.0);
    design::text_field(ui, tr.t("enrol_server"), drafts.field("enrol.url"), rtl);
    design::text_field(ui, tr.t("enrol_code"), drafts.field("enrol.code"), rtl);
    ui.add_space(8.0);
    design::pin_field(ui, tr.t("pin"), drafts.field("enrol.pin"), rtl);
    design::pin_field(ui, tr.t("pin_again"), drafts.field("enrol.pin2"), rtl);
    design::weak(ui, tr.t("pin_rules"), rtl);
    if let Some(message) = &view.error {
        design::error(ui, message, rtl);
    }
    ui.add_space(8.0);
    if view.busy {
        design::text(ui, tr.t("enrol_busy"), rtl);
    } else if design::primary_button(ui, tr.t("enrol"), true).clicked() {
        commands.push(Command::Enrol {
            server_url: drafts.get("enrol.url").trim().to_owned(),
            code: drafts.get("enrol.code").trim().to_owned(),
            pin: drafts.get("enrol.pin").to_owned(),
            pin_again: drafts.get("enrol.pin2").to_owned(),
        });
    }
    commands
}
