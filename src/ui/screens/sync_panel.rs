//! The home screen's sync card: cases waiting, progress while sending, the last successful
//! sync, the current problem and the next automatic try, "Sync now", enrolment with the
//! office's code, and the cases the office refused.

use std::time::{Duration, Instant};

use egui::Ui;

use super::drafts::Drafts;
use crate::command::Command;
use crate::i18n::Tr;
use crate::ui::design;

/// The draft field of the enrolment code on the home screen.
pub const CODE_FIELD: &str = "sync.code";

/// What the sync card shows (built from the sync status and the store).
#[derive(Debug, Clone, Default)]
pub struct SyncPanel {
    /// Whether an office server is configured.
    pub configured: bool,
    /// Whether the tablet holds the office's credentials (else the code form is shown).
    pub enrolled: bool,
    /// Cases waiting to be sent.
    pub waiting: usize,
    /// Cases sent and to send, while sending.
    pub progress: Option<(usize, usize)>,
    /// What the sync is doing now, when it is doing something.
    pub activity: Option<String>,
    /// "Last successful sync: …", once one succeeded.
    pub last_success: Option<String>,
    /// The current problem, in the enumerator's language.
    pub problem: Option<String>,
    /// When the next automatic attempt starts, after a failure.
    pub retry_at: Option<Instant>,
    /// Whether a sync is running now.
    pub busy: bool,
    /// The cases the office refused, with its reasons.
    pub refused: Vec<String>,
    /// Where the last "Send diagnostics" stands, in the enumerator's language.
    pub diagnostics: Option<String>,
    /// Whether diagnostics are being sent (the button waits).
    pub diagnostics_busy: bool,
}

/// Draws the sync card.
pub fn sync_panel_ui(ui: &mut Ui, view: &SyncPanel, tr: &Tr, drafts: &mut Drafts) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut commands = Vec::new();
    design::card(ui, |ui| {
        design::column(ui, rtl, |ui| {
            design::heading(ui, tr.t("sync_title"), rtl);
            let waiting = view.waiting.to_string();
            design::text(ui, &tr.f("outbox_waiting", &[("n", &waiting)]), rtl);
            if !view.configured {
                design::weak(ui, tr.t("sync_not_configured"), rtl);
                return;
            }
            if let Some((sent, total)) = view.progress {
                let fraction = if total == 0 {
                    1.0
                } else {
                    sent as f32 / total as f32
                };
                let text = view.activity.as_deref().unwrap_or_default();
                design::progress_bar(ui, fraction, text, rtl);
            } else if let Some(activity) = &view.activity {
                design::text(ui, activity, rtl);
            }
            let last = view.last_success.as_deref().unwrap_or(tr.t("never_synced"));
            design::weak(ui, last, rtl);
            if let Some(problem) = &view.problem {
                design::warning(ui, problem, rtl);
            }
            if let Some(at) = view.retry_at {
                let left = at.saturating_duration_since(Instant::now());
                design::weak(ui, &retry_text(left, tr), rtl);
                ui.ctx().request_repaint_after(next_change(left));
            }
            if !view.enrolled {
                design::text(ui, tr.t("sync_enrol_intro"), rtl);
                design::text_field(ui, tr.t("sync_enrol_code"), drafts.field(CODE_FIELD), rtl);
                let code = drafts.get(CODE_FIELD).trim().to_owned();
                if design::primary_button(ui, tr.t("sync_enrol"), !code.is_empty()).clicked() {
                    commands.push(Command::EnrolWithOffice { code });
                }
            } else if design::primary_button(ui, tr.t("sync_now"), !view.busy).clicked() {
                commands.push(Command::SyncNow);
            }
            if view.enrolled {
                let send = ui.add_enabled_ui(!view.diagnostics_busy, |ui| {
                    design::outlined_button(ui, tr.t("diag_send"))
                });
                if send.inner.clicked() {
                    commands.push(Command::SendDiagnostics);
                }
                if let Some(diagnostics) = &view.diagnostics {
                    design::weak(ui, diagnostics, rtl);
                }
            }
            if !view.refused.is_empty() {
                let n = view.refused.len().to_string();
                design::error(ui, &tr.f("sync_refused_title", &[("n", &n)]), rtl);
                for line in &view.refused {
                    design::text(ui, line, rtl);
                }
            }
        });
    });
    commands
}

/// "Next try in 12 s" (or in minutes beyond a minute).
fn retry_text(left: Duration, tr: &Tr) -> String {
    let seconds = left.as_secs().max(1);
    if seconds < 60 {
        tr.f("sync_retry_in_s", &[("n", &seconds.to_string())])
    } else {
        tr.f(
            "sync_retry_in_min",
            &[("n", &seconds.div_ceil(60).to_string())],
        )
    }
}

/// How long until the countdown's text changes (redraw only then: idle stays idle).
fn next_change(left: Duration) -> Duration {
    let seconds = left.as_secs();
    let step = if seconds < 60 {
        Duration::from_millis(u64::from(left.subsec_millis()) + 1)
    } else {
        Duration::from_secs(seconds % 60 + 1)
    };
    step.max(Duration::from_millis(50))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_countdown_redraws_when_its_text_changes() {
        assert_eq!(next_change(Duration::from_millis(12_300)).as_millis(), 301);
        assert_eq!(
            next_change(Duration::from_secs(125)),
            Duration::from_secs(6)
        );
        assert!(next_change(Duration::ZERO) >= Duration::from_millis(50));
    }
}
