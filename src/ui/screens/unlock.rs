//! Unlock with the PIN; a wrong PIN says so, and the waiting time is shown.

use egui::Ui;

use super::drafts::Drafts;
use super::view::UnlockView;
use crate::command::Command;
use crate::i18n::Tr;
use crate::ui::design;

/// Draws the unlock form.
pub fn unlock_ui(ui: &mut Ui, view: &UnlockView, tr: &Tr, drafts: &mut Drafts) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut commands = Vec::new();
    design::heading(ui, tr.t("unlock_title"), rtl);
    if !view.enumerator_id.is_empty() {
        design::weak(ui, &view.enumerator_id, rtl);
    }
    design::text(ui, tr.t("unlock_intro"), rtl);
    if let Some(pin) = &view.demo_pin {
        design::warning(ui, &tr.f("demo_pin", &[("pin", pin)]), rtl);
    }
    ui.add_space(8.0);
    let field = design::pin_field(ui, tr.t("pin"), drafts.field("unlock.pin"), rtl);
    let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    if let Some(message) = &view.error {
        design::error(ui, message, rtl);
    }
    let waiting = view.wait_seconds.is_some_and(|s| s > 0);
    if let Some(seconds) = view.wait_seconds.filter(|s| *s > 0) {
        design::error(
            ui,
            &tr.f("wait_seconds", &[("s", &seconds.to_string())]),
            rtl,
        );
    }
    ui.add_space(8.0);
    let clicked = design::primary_button(ui, tr.t("unlock"), !waiting).clicked();
    if (clicked || entered) && !waiting {
        commands.push(Command::Unlock {
            pin: std::mem::take(drafts.field("unlock.pin")),
        });
    }
    commands
}
