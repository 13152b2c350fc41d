//! Where the enumerator goes after an answer: the doorstep flow.
//!
//! A tap on a choice (or Enter in a field) moves on to the next unanswered question of the
//! section, or back to one it still needs. At the end of a section whose questions are all
//! answered and valid, the next section opens (as "Next" would); after the last section, the
//! row's rosters: an empty one that is the only roster asked gets its first row at once (a
//! dwelling's first household, a household's first person), since nobody answers a household
//! without them. A person's end stays put: "Next person" and "Back to the list" are the
//! enumerator's choice.

use census_core::engine::{Case, RowPath};
use census_core::model::QuestionType;

use crate::app::state::OpenCase;

/// What follows an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum After {
    /// Nothing moves (a typed keystroke, a multiple choice, or the section needs more).
    Stay,
    /// Bring this question of the same section into view (and give it the keyboard).
    Focus(String),
    /// Open this section of the same row, with its first question in focus.
    OpenSection {
        /// The section's index in its level.
        index: usize,
        /// Its first question that takes an answer.
        focus: Option<String>,
    },
    /// Show the row's rosters.
    ShowRosters,
    /// Add the first row of this roster under the current row and open it.
    AddFirstRow(String),
}

/// What follows a tap on a choice: moving on for one-answer choices only (several answers
/// to one question take several taps).
pub(super) fn after_choice(open: &OpenCase, row: &RowPath, question: &str) -> After {
    let one_answer = open
        .case
        .questionnaire()
        .question(question)
        .and_then(|q| q.question_type())
        .is_some_and(|t| matches!(t, QuestionType::SingleChoice | QuestionType::YesNo));
    if one_answer {
        after_question(open, row, question)
    } else {
        After::Stay
    }
}

/// What follows `question` of `row` once it is answered (a choice tapped, Enter pressed).
pub(super) fn after_question(open: &OpenCase, row: &RowPath, question: &str) -> After {
    let case = &open.case;
    let Some(section) = case
        .questionnaire()
        .question(question)
        .and_then(|q| q.section())
    else {
        return After::Stay;
    };
    let shown = answerable(case, row, section);
    let unanswered = |id: &&String| case.answer(row, id).is_none_or(|v| v.is_null());
    let later = shown.iter().skip_while(|id| *id != question).skip(1);
    if let Some(next) = later.clone().find(unanswered) {
        return After::Focus(next.clone());
    }
    if !section_settled(case, row, section) {
        // Back to what the section still needs (a question skipped above).
        return match shown.iter().find(|id| needs_answer(case, row, id)) {
            Some(first) if first != question => After::Focus(first.clone()),
            _ => After::Stay,
        };
    }
    let q = case.questionnaire().clone();
    let Some(level) = q.level_of(row) else {
        return After::Stay;
    };
    let sections = q.level_sections(level);
    let current = sections.iter().position(|s| *s == section).unwrap_or(0);
    for (index, next) in sections.iter().enumerate().skip(current + 1) {
        let questions = answerable(case, row, next);
        if !case.section_questions(row, next).is_empty() {
            return After::OpenSection {
                index,
                focus: questions.first().cloned(),
            };
        }
    }
    // A roster row (a person) ends on its own buttons.
    if row.parent().is_some() && q.level_rosters(level).is_empty() {
        return After::Stay;
    }
    let asked: Vec<&str> = q
        .level_rosters(level)
        .into_iter()
        .filter(|roster| {
            let rows = case.rows(row, roster);
            crate::app::case_view::roster_is_relevant(case, row, roster, &rows)
        })
        .collect();
    match asked.as_slice() {
        [] => After::Stay,
        [only] if case.rows(row, only).is_empty() => After::AddFirstRow((*only).to_owned()),
        _ => After::ShowRosters,
    }
}

/// The first question of `row` that takes an answer (for a row just opened).
pub(super) fn first_question(case: &Case, row: &RowPath) -> Option<String> {
    let q = case.questionnaire().clone();
    let level = q.level_of(row)?;
    q.level_sections(level)
        .iter()
        .find_map(|s| answerable(case, row, s).into_iter().next())
}

/// Whether a question still needs the enumerator: required and unanswered, or refused.
fn needs_answer(case: &Case, row: &RowPath, question: &str) -> bool {
    case.question_state(row, question)
        .is_some_and(|s| s.required_missing || s.constraint_failed.is_some())
}

/// The shown questions of a section that take an answer (notes left out).
fn answerable(case: &Case, row: &RowPath, section: &str) -> Vec<String> {
    let q = case.questionnaire();
    case.section_questions(row, section)
        .into_iter()
        .filter(|id| {
            q.question(id)
                .and_then(|info| info.question_type())
                .is_some_and(|t| !matches!(t, QuestionType::Note | QuestionType::Calculated))
        })
        .map(str::to_owned)
        .collect()
}

/// Whether a section can be left without a word: every required question answered, no
/// answer refused by its constraint, no unconfirmed check of the row about its questions
/// (apart from checks on the row's rosters, judged once they are filled).
fn section_settled(case: &Case, row: &RowPath, section: &str) -> bool {
    let shown = case.section_questions(row, section);
    let questions_ok = !shown.iter().any(|id| needs_answer(case, row, id));
    // A check counting the row's own rosters ("at least one household") waits until the
    // rosters are filled, as on screen.
    let q = case.questionnaire();
    let checks_ok = case.failed_checks(row).iter().all(|check| {
        check.confirmed.is_some()
            || q.check_reads_own_rosters(&check.check)
            || !check
                .questions
                .iter()
                .any(|id| shown.contains(&id.as_str()))
    });
    questions_ok && checks_ok
}
