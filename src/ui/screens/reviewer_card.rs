//! The controller's or supervisor's card, on the coverage and review screens: sign in with
//! the reviewer code the office issued, see when the area was last received and what went
//! wrong, sync now, open the review queue, sign out.

use egui::Ui;

use super::drafts::Drafts;
use crate::command::Command;
use crate::i18n::Tr;
use crate::ui::design;

/// The draft field of the reviewer code.
pub const REVIEWER_CODE_FIELD: &str = "review.code";

/// What the reviewer card shows (built from the store and the sync status).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewerCard {
    /// Whether an office server is configured.
    pub configured: bool,
    /// Whether a reviewer's session is open (their code is kept on the tablet).
    pub signed_in: bool,
    /// Whether a reviewer's session was closed with their area kept (idle, or the tablet
    /// unlocked with the enumerator's PIN): the code is asked again.
    pub session_closed: bool,
    /// When the area was last received, formatted.
    pub as_of: Option<String>,
    /// What the sync is doing for the reviewer now.
    pub activity: Option<String>,
    /// The last problem, in the reviewer's language.
    pub problem: Option<String>,
    /// Whether the office refused the code (the form is offered again).
    pub code_refused: bool,
    /// Cases in the downloaded queue.
    pub queue: usize,
    /// Decisions waiting to be sent.
    pub waiting: usize,
    /// Whether a sync is running.
    pub busy: bool,
}

/// Where the card is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardPlace {
    /// On the coverage screen: with the way into the review queue.
    Coverage,
    /// On the review screen.
    Review,
}

/// Draws the card.
pub fn reviewer_card_ui(
    ui: &mut Ui,
    card: &ReviewerCard,
    place: CardPlace,
    tr: &Tr,
    drafts: &mut Drafts,
) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut commands = Vec::new();
    design::card(ui, |ui| {
        design::column(ui, rtl, |ui| {
            design::heading(ui, tr.t("reviewer_title"), rtl);
            if !card.configured {
                design::weak(ui, tr.t("reviewer_not_configured"), rtl);
            }
            if card.signed_in {
                signed_in_ui(ui, card, place, tr, &mut commands);
            }
            if !card.signed_in || card.code_refused {
                if card.session_closed {
                    design::warning(ui, tr.t("reviewer_session_closed"), rtl);
                } else if !card.signed_in {
                    design::text(ui, tr.t("reviewer_intro"), rtl);
                }
                let field = drafts.field(REVIEWER_CODE_FIELD);
                design::secret_field(ui, tr.t("reviewer_code"), field, rtl);
                let code = drafts.get(REVIEWER_CODE_FIELD).trim().to_owned();
                if design::primary_button(ui, tr.t("reviewer_sign_in"), !code.is_empty()).clicked()
                {
                    commands.push(Command::ReviewerSignIn { token: code });
                }
            }
        });
    });
    commands
}

fn signed_in_ui(
    ui: &mut Ui,
    card: &ReviewerCard,
    place: CardPlace,
    tr: &Tr,
    commands: &mut Vec<Command>,
) {
    let rtl = tr.rtl();
    design::text(ui, tr.t("reviewer_signed_in"), rtl);
    match &card.as_of {
        Some(at) => design::weak(ui, &tr.f("reviewer_as_of", &[("time", at)]), rtl),
        None => design::weak(ui, tr.t("reviewer_not_yet"), rtl),
    };
    if let Some(activity) = &card.activity {
        design::text(ui, activity, rtl);
    }
    if let Some(problem) = &card.problem {
        design::warning(ui, problem, rtl);
    }
    if card.waiting > 0 {
        let n = tr.ltr(&card.waiting.to_string());
        design::text(ui, &tr.f("review_waiting_count", &[("n", &n)]), rtl);
    }
    design::row(ui, rtl, |ui| {
        if place == CardPlace::Coverage {
            let n = tr.ltr(&card.queue.to_string());
            let open = tr.f("open_review_n", &[("n", &n)]);
            if design::primary_button(ui, &open, true).clicked() {
                commands.push(Command::OpenReview);
            }
        }
        if card.configured && design::primary_button(ui, tr.t("sync_now"), !card.busy).clicked() {
            commands.push(Command::SyncNow);
        }
        if design::outlined_button(ui, tr.t("reviewer_sign_out")).clicked() {
            commands.push(Command::ReviewerSignOut);
        }
    });
}
