//! Builds the questionnaire screen's data from the engine's state of the open case.

use census_core::Value;
use census_core::engine::{Case, Completion, IssueKind, RowPath};
use census_core::load::{LevelPart, Questionnaire, text};
use census_core::model::{QuestionType, Severity};

use super::state::OpenCase;
use crate::command::JumpTarget;
use crate::i18n::Tr;
use crate::ui::screens::view::{
    AnswerKind, BlockingItem, CheckView, Page, QuestionView, QuestionnaireView, RosterView, RowEnd,
    RowItem, SectionTab,
};

/// A questionnaire text in `lang`. In Tamazight, French stands in where the file has no
/// Tamazight text (the core's own fallback, the first language, would be Arabic, which reads
/// wrongly in a left-to-right layout).
fn loc<T: PartialEq>(lang: &str, get: impl Fn(&str) -> T) -> T {
    if lang != "zgh" {
        return get(lang);
    }
    let own = get("zgh");
    if own == get("ar") && own != get("fr") {
        get("fr")
    } else {
        own
    }
}

/// The questionnaire screen's data for the open case.
pub fn questionnaire_view(open: &OpenCase, tr: &Tr) -> QuestionnaireView {
    let case = &open.case;
    let q = case.questionnaire().as_ref();
    let lang = tr.lang.code();
    let row = &open.row;
    let level = q.level_of(row).unwrap_or_default();
    let section_ids = q.level_sections(level);
    let sections = section_ids
        .iter()
        .map(|s| SectionTab {
            label: loc(lang, |l| q.section_label(s, l)).unwrap_or(s).to_owned(),
            relevant: !case.section_questions(row, s).is_empty(),
        })
        .collect();
    let questions = match (open.page, section_ids.get(open.section)) {
        (Page::Section, Some(section)) => case
            .section_questions(row, section)
            .into_iter()
            .filter_map(|id| question_view(case, q, row, id, tr))
            .collect(),
        _ => Vec::new(),
    };
    let rosters = q
        .level_rosters(level)
        .into_iter()
        .filter_map(|id| roster_view(case, q, row, id, tr))
        .collect();
    // A roster check waits until the enumerator leaves the row or asks for the summary: an
    // empty roster fails "one head" before anyone has been listed.
    let due = open.all_checks_due || open.rows_left.contains(row);
    let checks = case
        .failed_checks(row)
        .into_iter()
        .filter(|c| due || !q.check_reads_own_rosters(&c.check))
        .map(|c| CheckView {
            id: c.check.clone(),
            message: loc(lang, |l| text(&c.message, l)).to_owned(),
            soft: c.severity == Severity::Soft,
            confirmed: c.confirmed,
        })
        .collect();
    let blocking = case
        .issues()
        .into_iter()
        .map(|issue| {
            let mut message = loc(lang, |l| text(&issue.message, l)).to_owned();
            if message.is_empty() {
                message = issue.item.clone();
            }
            if issue.kind == IssueKind::RequiredMissing
                && let Some(question) = issue.question.as_deref().and_then(|id| q.question(id))
            {
                message = tr.f("not_answered", &[("q", loc(lang, |l| question.label(l)))]);
            }
            let place = row_title(case, q, &issue.row, lang);
            BlockingItem {
                message: format!("{place}: {message}"),
                target: jump_target(q, &issue.row, issue.question.as_deref()),
            }
        })
        .collect::<Vec<_>>();
    let shown = case.row_questions(row);
    let answered = shown
        .iter()
        .filter(|id| case.answer(row, id).is_some())
        .count();
    QuestionnaireView {
        title: format!(
            "{} — {}",
            tr.f("dwelling", &[("n", &open.number)]),
            open.address
        ),
        breadcrumbs: breadcrumbs(case, q, row, lang),
        draft_translation: q.is_draft_translation(lang),
        row: row.clone(),
        sections,
        section: open.section,
        page: open.page,
        questions,
        rosters,
        checks,
        blocking,
        completion: (
            u32::try_from(answered).unwrap_or(u32::MAX),
            u32::try_from(shown.len()).unwrap_or(u32::MAX),
        ),
        complete: open.meta.status == crate::store::CaseStatus::Complete,
        focus: open.focus.clone(),
        office_notes: open.office_notes.clone(),
        row_end: row_end(case, q, row, tr),
    }
}

fn question_view(
    case: &Case,
    q: &Questionnaire,
    row: &RowPath,
    id: &str,
    tr: &Tr,
) -> Option<QuestionView> {
    let lang = tr.lang.code();
    let info = q.question(id)?;
    let state = case.question_state(row, id)?;
    let labelled = |codes: &[String]| -> Vec<(String, String)> {
        let all = loc(lang, |l| info.choices(l));
        codes
            .iter()
            .map(|code| {
                let label = all
                    .iter()
                    .find(|(c, _)| c == code)
                    .map_or(code.as_str(), |(_, l)| l);
                (code.clone(), label.to_owned())
            })
            .collect()
    };
    let kind = match info.question_type()? {
        QuestionType::Integer => AnswerKind::Integer,
        QuestionType::Decimal => AnswerKind::Decimal,
        QuestionType::Text => AnswerKind::Text,
        QuestionType::SingleChoice => AnswerKind::Single(labelled(&state.choices)),
        QuestionType::MultipleChoice => AnswerKind::Multiple(labelled(&state.choices)),
        QuestionType::Date => AnswerKind::Date,
        QuestionType::Gps => AnswerKind::Gps,
        QuestionType::YesNo => AnswerKind::YesNo,
        QuestionType::Note => AnswerKind::Note,
        QuestionType::Calculated => AnswerKind::Calculated,
    };
    let value = if kind == AnswerKind::Calculated {
        case.value(row, id)
    } else {
        case.answer(row, id).cloned().unwrap_or(Value::Null)
    };
    let message = state.constraint_failed.as_ref().map(|t| {
        let m = loc(lang, |l| text(t, l));
        if m.is_empty() {
            tr.t("engine_failed").replace("{detail}", id)
        } else {
            m.to_owned()
        }
    });
    Some(QuestionView {
        id: id.to_owned(),
        label: loc(lang, |l| case.label(row, id, l)),
        hint: loc(lang, |l| case.hint(row, id, l)),
        kind,
        value,
        required: info.required(),
        message,
    })
}

fn roster_view(
    case: &Case,
    q: &Questionnaire,
    row: &RowPath,
    id: &str,
    tr: &Tr,
) -> Option<RosterView> {
    let lang = tr.lang.code();
    let roster = q.roster(id)?;
    let noun = loc(lang, |l| q.level_label(roster.level(), l))
        .unwrap_or(id)
        .to_owned();
    let paths = case.rows(row, id);
    let rows = paths
        .iter()
        .enumerate()
        .map(|(index, path)| {
            let label = row_list_label(case, path, index, &noun, tr);
            let status = case.row_status(path);
            let key = match status {
                Completion::NotStarted => "status_not_started",
                Completion::InProgress => "status_in_progress",
                Completion::Complete => "status_complete",
            };
            RowItem {
                details: row_details(case, q, path, lang),
                path: path.clone(),
                label,
                status: tr.t(key).to_owned(),
                has_errors: status == Completion::InProgress,
            }
        })
        .collect();
    let level = q.level_of(row).unwrap_or_default();
    let after_sections = q
        .level_parts(level)
        .iter()
        .take_while(|p| **p != LevelPart::Roster(id))
        .filter(|p| matches!(p, LevelPart::Section(_)))
        .count();
    Some(RosterView {
        after_sections,
        relevant: roster_is_relevant(case, row, id, &paths),
        id: id.to_owned(),
        label: loc(lang, |l| roster.label(l)).to_owned(),
        row_noun: noun,
        rows,
        can_add: paths.len() < roster.max_rows() as usize
            && roster_is_relevant(case, row, id, &paths),
    })
}

/// A roster row's label in its list: its label expression (e.g. the person's name), else a
/// numbered placeholder.
fn row_list_label(case: &Case, path: &RowPath, index: usize, noun: &str, tr: &Tr) -> String {
    let number = (index + 1).to_string();
    let label = case.row_label(path);
    if label == number {
        tr.f("row_unnamed", &[("what", noun), ("n", &number)])
    } else {
        label
    }
}

/// Up to three answers of a row's first section that tell it apart in a list: its choices
/// (one answer) and whole numbers, in order (for a person of the census: relationship, sex,
/// age). Names are the row's label already; texts and dates are left out.
fn row_details(case: &Case, q: &Questionnaire, row: &RowPath, lang: &str) -> Vec<String> {
    let level = q.level_of(row).unwrap_or_default();
    let Some(first) = q.level_sections(level).first().copied() else {
        return Vec::new();
    };
    case.section_questions(row, first)
        .into_iter()
        .filter_map(|id| {
            let info = q.question(id)?;
            let value = case.answer(row, id)?;
            match (info.question_type()?, value) {
                (QuestionType::SingleChoice, Value::Text(code)) => info
                    .choices(lang)
                    .into_iter()
                    .find(|(c, _)| c == code)
                    .map(|(_, text)| text.to_owned()),
                (QuestionType::Integer, Value::Integer(n)) => Some(n.to_string()),
                _ => None,
            }
        })
        .take(3)
        .collect()
}

/// The ways on from the end of `row` when it is a roster's row.
fn row_end(case: &Case, q: &Questionnaire, row: &RowPath, tr: &Tr) -> Option<RowEnd> {
    let lang = tr.lang.code();
    let parent = row.parent()?;
    let (roster_id, _) = row.last()?;
    let roster = q.roster(roster_id)?;
    let noun = loc(lang, |l| q.level_label(roster.level(), l))
        .unwrap_or(roster_id)
        .to_owned();
    let paths = case.rows(&parent, roster_id);
    let at = paths.iter().position(|p| p == row)?;
    let next = paths
        .get(at + 1)
        .map(|p| (p.clone(), row_list_label(case, p, at + 1, &noun, tr)));
    Some(RowEnd {
        parent_title: row_title(case, q, &parent, lang),
        can_add: paths.len() < roster.max_rows() as usize,
        roster: roster_id.clone(),
        parent,
        noun,
        next,
    })
}

/// Whether a roster is asked in `row`: its rows have questions to ask. The engine has no
/// query for a roster's relevance yet, so an empty roster is tried on a copy of the case.
pub(crate) fn roster_is_relevant(
    case: &Case,
    row: &RowPath,
    roster: &str,
    paths: &[RowPath],
) -> bool {
    if let Some(first) = paths.first() {
        return !case.row_questions(first).is_empty();
    }
    let mut trial = case.clone();
    match trial.add_row(row, roster) {
        Ok((added, _)) => !trial.row_questions(&added).is_empty(),
        Err(_) => false,
    }
}

/// "Household 1 — Fatima" style name of a row.
fn row_title(case: &Case, q: &Questionnaire, row: &RowPath, lang: &str) -> String {
    let level = q.level_of(row).unwrap_or_default();
    let noun = loc(lang, |l| q.level_label(level, l)).unwrap_or(level);
    if row.is_root() {
        return noun.to_owned();
    }
    let position = row
        .parent()
        .zip(row.last())
        .and_then(|(parent, (roster, _))| case.rows(&parent, roster).iter().position(|p| p == row))
        .map_or(0, |i| i + 1);
    let label = case.row_label(row);
    if label == position.to_string() {
        format!("{noun} {position}")
    } else {
        format!("{noun} {position} — {label}")
    }
}

fn breadcrumbs(
    case: &Case,
    q: &Questionnaire,
    row: &RowPath,
    lang: &str,
) -> Vec<(String, RowPath)> {
    let segments = row.segments();
    (0..=segments.len())
        .map(|n| {
            let path = RowPath::from_segments(segments[..n].to_vec());
            let title = row_title(case, q, &path, lang);
            (title, path)
        })
        .collect()
}

/// Where to fix a problem: the question's section in its row (or the row's rosters).
pub fn jump_target(q: &Questionnaire, row: &RowPath, question: Option<&str>) -> JumpTarget {
    let level = q.level_of(row).unwrap_or_default();
    let section = question
        .and_then(|id| q.question(id))
        .and_then(|info| info.section())
        .and_then(|s| q.level_sections(level).iter().position(|x| *x == s));
    JumpTarget {
        row: row.clone(),
        section,
        question: question.map(str::to_owned),
    }
}
