//! The roster list (persons of a household, households of a dwelling) with add, edit and
//! remove; the row's failed checks with soft-check confirmation; the completion summary.

use egui::Ui;

use super::drafts::Drafts;
use super::view::{CheckView, QuestionnaireView, RosterView};
use super::widgets;
use crate::commands::Command;
use crate::i18n::Tr;

/// Draws one roster of row `parent`.
pub fn roster_ui(
    ui: &mut Ui,
    parent: &str,
    roster: &RosterView,
    tr: &Tr,
    drafts: &mut Drafts,
) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut out = Vec::new();
    widgets::heading(ui, &roster.label, rtl);
    for (index, row) in roster.rows.iter().enumerate() {
        widgets::card(ui, |ui| {
            widgets::row(ui, rtl, |ui| {
                let name = format!("{}. {}", index + 1, row.label);
                if widgets::big_button(ui, &name).clicked() {
                    out.push(Command::OpenRow(row.path.clone()));
                }
                let color = row.has_errors.then(|| ui.visuals().warn_fg_color);
                widgets::inline_text(ui, &row.status, color);
                if widgets::action_on(ui, tr.t("remove"), &row.label).clicked() {
                    drafts.confirm_remove = Some(row.path.clone());
                }
            });
            if drafts.confirm_remove.as_deref() == Some(row.path.as_str()) {
                widgets::warning(ui, &tr.f("remove_confirm", &[("name", &row.label)]), rtl);
                widgets::row(ui, rtl, |ui| {
                    if widgets::primary_button(ui, tr.t("confirm"), true).clicked() {
                        out.push(Command::RemoveRow(row.path.clone()));
                        drafts.confirm_remove = None;
                    }
                    if widgets::big_button(ui, tr.t("cancel")).clicked() {
                        drafts.confirm_remove = None;
                    }
                });
            }
        });
    }
    let add = tr.f("roster_add", &[("what", &roster.row_noun)]);
    let clicked = ui
        .add_enabled_ui(roster.can_add, |ui| widgets::big_button(ui, &add))
        .inner
        .clicked();
    if clicked {
        out.push(Command::AddRow {
            parent: parent.to_owned(),
            roster: roster.id.clone(),
        });
    }
    ui.add_space(8.0);
    out
}

/// Draws the failed checks of row `row`; soft ones may be confirmed with a note.
pub fn checks_ui(
    ui: &mut Ui,
    row: &str,
    checks: &[CheckView],
    tr: &Tr,
    drafts: &mut Drafts,
) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut out = Vec::new();
    for check in checks {
        widgets::card(ui, |ui| {
            widgets::column(ui, rtl, |ui| {
                if !check.soft {
                    widgets::error(ui, &check.message, rtl);
                    return;
                }
                widgets::warning(
                    ui,
                    &format!("{}: {}", tr.t("soft_check"), check.message),
                    rtl,
                );
                if let Some(note) = &check.confirmed {
                    widgets::weak(ui, &tr.f("confirmed", &[("note", note)]), rtl);
                    return;
                }
                let key = format!("check:{row}:{}", check.id);
                widgets::text_field(ui, tr.t("confirm_note"), drafts.field(&key), rtl);
                let note = drafts.get(&key).trim().to_owned();
                if widgets::primary_button(ui, tr.t("confirm"), !note.is_empty()).clicked() {
                    out.push(Command::ConfirmCheck {
                        row: row.to_owned(),
                        check: check.id.clone(),
                        note,
                    });
                }
            });
        });
    }
    out
}

/// Draws the summary: what blocks completion, each with a jump; then Complete.
pub fn summary_ui(ui: &mut Ui, view: &QuestionnaireView, tr: &Tr) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut out = Vec::new();
    if view.complete {
        widgets::heading(ui, tr.t("case_completed"), rtl);
    }
    widgets::heading(ui, tr.t("blocking_title"), rtl);
    if view.blocking.is_empty() {
        widgets::text(ui, tr.t("nothing_blocks"), rtl);
    }
    for (index, item) in view.blocking.iter().enumerate() {
        widgets::row(ui, rtl, |ui| {
            let go = format!("{} {}", tr.t("go_to"), index + 1);
            if widgets::big_button(ui, &go).clicked() {
                out.push(Command::JumpTo(item.target.clone()));
            }
            widgets::text(ui, &item.message, rtl);
        });
    }
    ui.add_space(12.0);
    widgets::row(ui, rtl, |ui| {
        let can_complete = view.blocking.is_empty() && !view.complete;
        if widgets::primary_button(ui, tr.t("complete_case"), can_complete).clicked() {
            out.push(Command::Complete);
        }
        if widgets::big_button(ui, tr.t("save_and_leave")).clicked() {
            out.push(Command::SaveAndLeave);
        }
    });
    out
}
