//! Review: the queue of completed questionnaires of the controller's or supervisor's area,
//! each approved or sent back with a comment for the enumerator. A decision is saved on the
//! tablet at once and shows "waiting to send" until the office acknowledges it; a decision
//! the office refused is shown with its words until dismissed.

use egui::Ui;
use uuid::Uuid;

use super::drafts::Drafts;
use super::reviewer_card::{CardPlace, ReviewerCard, reviewer_card_ui};
use crate::command::Command;
use crate::i18n::Tr;
use crate::ui::design;

/// The draft field of the send-back comment (one case at a time).
pub const COMMENT_FIELD: &str = "review.comment";

/// One case of the queue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewEntry {
    /// The case.
    pub case_id: Uuid,
    /// The revision decided on.
    pub revision: u64,
    /// Where it is: "District …, building 1, dwelling 2, household 1".
    pub place: String,
    /// "Enumerator E-1".
    pub enumerator: String,
    /// Persons, interview minutes, last change.
    pub facts: String,
    /// A decision saved on the tablet and not yet acknowledged, in words.
    pub waiting: Option<String>,
}

/// A decision the office refused.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RefusedDecision {
    /// The case.
    pub case_id: Uuid,
    /// Where it is.
    pub place: String,
    /// What the office said.
    pub text: String,
}

/// The review screen's data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewView {
    /// The reviewer's card.
    pub reviewer: ReviewerCard,
    /// The queue, as last received.
    pub entries: Vec<ReviewEntry>,
    /// Decisions the office refused.
    pub refused: Vec<RefusedDecision>,
}

/// Draws the review screen.
pub fn review_ui(ui: &mut Ui, view: &ReviewView, tr: &Tr, drafts: &mut Drafts) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut commands = Vec::new();
    design::row(ui, rtl, |ui| {
        if design::outlined_button(ui, tr.t("back")).clicked() {
            commands.push(Command::OpenCoverage);
        }
        design::heading(ui, tr.t("review_title"), rtl);
    });
    commands.extend(reviewer_card_ui(
        ui,
        &view.reviewer,
        CardPlace::Review,
        tr,
        drafts,
    ));
    if !view.reviewer.signed_in {
        return commands;
    }
    if !view.refused.is_empty() {
        ui.add_space(8.0);
        design::card(ui, |ui| {
            design::column(ui, rtl, |ui| {
                let n = tr.ltr(&view.refused.len().to_string());
                design::error(ui, &tr.f("review_refused_title", &[("n", &n)]), rtl);
                for refused in &view.refused {
                    design::text(ui, &refused.text, rtl);
                    let dismiss = design::action_on(ui, tr.t("dismiss"), &refused.place);
                    if dismiss.clicked() {
                        commands.push(Command::ReviewDismiss(refused.case_id));
                    }
                }
            });
        });
    }
    if view.entries.is_empty() && view.reviewer.as_of.is_some() {
        ui.add_space(8.0);
        design::text(ui, tr.t("review_empty"), rtl);
    }
    for entry in &view.entries {
        ui.add_space(8.0);
        commands.extend(entry_ui(ui, entry, tr, drafts));
    }
    commands
}

/// One case: where, who, what; then the decision.
fn entry_ui(ui: &mut Ui, entry: &ReviewEntry, tr: &Tr, drafts: &mut Drafts) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut commands = Vec::new();
    design::card(ui, |ui| {
        design::column(ui, rtl, |ui| {
            design::section_header(ui, &entry.place, rtl);
            design::text(ui, &entry.enumerator, rtl);
            design::weak(ui, &entry.facts, rtl);
            if let Some(waiting) = &entry.waiting {
                design::warning(ui, waiting, rtl);
                return;
            }
            if drafts.send_back == Some(entry.case_id) {
                commands.extend(send_back_ui(ui, entry, tr, drafts));
                return;
            }
            design::row(ui, rtl, |ui| {
                let approve = design::action_on(ui, tr.t("review_approve"), &entry.place);
                if approve.clicked() {
                    commands.push(Command::ReviewApprove {
                        case_id: entry.case_id,
                        revision: entry.revision,
                    });
                }
                let back = design::action_on(ui, tr.t("review_send_back_open"), &entry.place);
                if back.clicked() {
                    commands.push(Command::ReviewOpenSendBack(entry.case_id));
                }
            });
        });
    });
    commands
}

/// The comment for the enumerator and the send-back button, which says why it waits while
/// the comment is empty.
fn send_back_ui(ui: &mut Ui, entry: &ReviewEntry, tr: &Tr, drafts: &mut Drafts) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut commands = Vec::new();
    design::text_field(ui, tr.t("review_comment"), drafts.field(COMMENT_FIELD), rtl);
    let comment = drafts.get(COMMENT_FIELD).trim().to_owned();
    if comment.is_empty() {
        design::weak(ui, tr.t("review_comment_needed"), rtl);
    }
    design::row(ui, rtl, |ui| {
        let send = design::primary_button(ui, tr.t("review_send_back"), !comment.is_empty());
        if send.clicked() && !comment.is_empty() {
            commands.push(Command::ReviewSendBack {
                case_id: entry.case_id,
                revision: entry.revision,
                comment: comment.clone(),
            });
        }
        if design::outlined_button(ui, tr.t("cancel")).clicked() {
            commands.push(Command::ReviewCloseSendBack);
        }
    });
    commands
}
