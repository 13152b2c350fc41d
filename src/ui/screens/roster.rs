//! The roster list (persons of a household, households of a dwelling) with add, edit and
//! remove; the row's failed checks with soft-check confirmation; the completion summary.

use census_core::engine::RowPath;
use egui::Ui;

use super::drafts::Drafts;
use super::view::{CheckView, QuestionnaireView, RosterView};
use crate::command::Command;
use crate::i18n::Tr;
use crate::ui::design;

/// Draws one roster of row `parent`.
pub fn roster_ui(
    ui: &mut Ui,
    parent: &RowPath,
    roster: &RosterView,
    tr: &Tr,
    drafts: &mut Drafts,
) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut out = Vec::new();
    design::heading(ui, &roster.label, rtl);
    for (index, row) in roster.rows.iter().enumerate() {
        design::card(ui, |ui| {
            design::row(ui, rtl, |ui| {
                let name = format!("{}. {}", index + 1, row.label);
                if design::outlined_button(ui, &name).clicked() {
                    out.push(Command::OpenRow(row.path.clone()));
                }
                let color = row.has_errors.then(|| ui.visuals().warn_fg_color);
                design::inline_text(ui, &row.status, color);
                if !row.details.is_empty() {
                    design::inline_text(ui, &row.details.join(" · "), None);
                }
                if design::action_on(ui, tr.t("remove"), &row.label).clicked() {
                    drafts.confirm_remove = Some(row.path.clone());
                }
            });
            if drafts.confirm_remove.as_ref() == Some(&row.path) {
                design::warning(ui, &tr.f("remove_confirm", &[("name", &row.label)]), rtl);
                design::row(ui, rtl, |ui| {
                    if design::primary_button(ui, tr.t("confirm"), true).clicked() {
                        out.push(Command::RemoveRow(row.path.clone()));
                        drafts.confirm_remove = None;
                    }
                    if design::outlined_button(ui, tr.t("cancel")).clicked() {
                        drafts.confirm_remove = None;
                    }
                });
            }
        });
    }
    let add = tr.f("roster_add", &[("what", &roster.row_noun)]);
    let clicked = ui
        .add_enabled_ui(roster.can_add, |ui| design::outlined_button(ui, &add))
        .inner
        .clicked();
    if clicked {
        out.push(Command::AddRow {
            parent: parent.clone(),
            roster: roster.id.clone(),
        });
    }
    ui.add_space(8.0);
    out
}

/// Draws the failed checks of row `row`; soft ones may be confirmed with a note.
pub fn checks_ui(
    ui: &mut Ui,
    row: &RowPath,
    checks: &[CheckView],
    tr: &Tr,
    drafts: &mut Drafts,
) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut out = Vec::new();
    for check in checks {
        design::card(ui, |ui| {
            design::column(ui, rtl, |ui| {
                if !check.soft {
                    design::error(ui, &check.message, rtl);
                    return;
                }
                design::warning(
                    ui,
                    &format!("{}: {}", tr.t("soft_check"), check.message),
                    rtl,
                );
                if let Some(note) = &check.confirmed {
                    design::weak(ui, &tr.f("confirmed", &[("note", note)]), rtl);
                    return;
                }
                let key = format!("check:{row}:{}", check.id);
                design::text_field(ui, tr.t("confirm_note"), drafts.field(&key), rtl);
                let note = drafts.get(&key).trim().to_owned();
                if design::primary_button(ui, tr.t("confirm"), !note.is_empty()).clicked() {
                    out.push(Command::ConfirmCheck {
                        row: row.clone(),
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
        design::heading(ui, tr.t("case_completed"), rtl);
    }
    design::heading(ui, tr.t("blocking_title"), rtl);
    if view.blocking.is_empty() {
        design::text(ui, tr.t("nothing_blocks"), rtl);
    }
    for (index, item) in view.blocking.iter().enumerate() {
        design::row(ui, rtl, |ui| {
            let go = format!("{} {}", tr.t("go_to"), index + 1);
            if design::outlined_button(ui, &go).clicked() {
                out.push(Command::JumpTo(item.target.clone()));
            }
            design::text(ui, &item.message, rtl);
        });
    }
    ui.add_space(12.0);
    design::row(ui, rtl, |ui| {
        let can_complete = view.blocking.is_empty() && !view.complete;
        if design::primary_button(ui, tr.t("complete_case"), can_complete).clicked() {
            out.push(Command::Complete);
        }
        if design::outlined_button(ui, tr.t("save_and_leave")).clicked() {
            out.push(Command::SaveAndLeave);
        }
    });
    out
}
