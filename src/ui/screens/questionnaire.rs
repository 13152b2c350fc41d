//! The questionnaire of one dwelling: the sections of the current row, its rosters, its
//! checks, and the summary of what blocks completion.

use egui::Ui;

use super::drafts::Drafts;
use super::question::question_ui;
use super::roster::{checks_ui, roster_ui, summary_ui};
use super::view::{Page, QuestionnaireView, RowEnd};
use crate::command::{Command, JumpTarget};
use crate::i18n::Tr;
use crate::ui::design;

/// Draws the navigation side panel content: breadcrumbs, sections, rosters, summary.
pub fn navigation_ui(ui: &mut Ui, view: &QuestionnaireView, tr: &Tr) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut out = Vec::new();
    design::column(ui, rtl, |ui| {
        for (label, path) in &view.breadcrumbs {
            let current = *path == view.row;
            if design::nav_toggle(ui, label, current).clicked() && !current {
                out.push(Command::OpenRow(path.clone()));
            }
        }
        ui.separator();
        design::weak(ui, tr.t("sections"), rtl);
        // Sections and rosters in interview order: each roster after its sections.
        let roster_nav = |ui: &mut Ui, roster: &super::view::RosterView| {
            let selected = view.page == Page::Rosters;
            let label = format!("{} ({})", roster.label, roster.rows.len());
            ui.add_enabled_ui(roster.relevant, |ui| {
                design::nav_toggle(ui, &label, selected)
            })
            .inner
            .clicked()
        };
        for (index, section) in view.sections.iter().enumerate() {
            for roster in view.rosters.iter().filter(|r| r.after_sections == index) {
                if roster_nav(ui, roster) {
                    out.push(Command::ShowRosters);
                }
            }
            let selected = view.page == Page::Section && view.section == index;
            let response = ui
                .add_enabled_ui(section.relevant, |ui| {
                    design::nav_toggle(ui, &section.label, selected)
                })
                .inner;
            if response.clicked() {
                out.push(Command::OpenSection(index));
            }
        }
        for roster in view
            .rosters
            .iter()
            .filter(|r| r.after_sections >= view.sections.len())
        {
            if roster_nav(ui, roster) {
                out.push(Command::ShowRosters);
            }
        }
        ui.separator();
        let summary = format!("{} ({})", tr.t("summary"), view.blocking.len());
        if design::nav_toggle(ui, &summary, view.page == Page::Summary).clicked() {
            out.push(Command::ShowSummary);
        }
    });
    out
}

/// Draws the page of the questionnaire (section, rosters or summary).
pub fn questionnaire_ui(
    ui: &mut Ui,
    view: &QuestionnaireView,
    tr: &Tr,
    drafts: &mut Drafts,
) -> Vec<Command> {
    let rtl = tr.rtl();
    let mut out = Vec::new();
    for note in &view.office_notes {
        design::warning(ui, note, rtl);
    }
    design::row(ui, rtl, |ui| {
        if design::outlined_button(ui, tr.t("save_and_leave")).clicked() {
            out.push(Command::SaveAndLeave);
        }
        design::heading(ui, &view.title, rtl);
    });
    let (done, total) = view.completion;
    design::weak(
        ui,
        &format!(
            "{} · {}",
            tr.f(
                "completion",
                &[("done", &done.to_string()), ("total", &total.to_string())]
            ),
            tr.t("saved_each_answer")
        ),
        rtl,
    );
    if view.draft_translation {
        design::weak(ui, tr.t("translation_draft"), rtl);
    }
    ui.separator();
    let mut page_area = egui::ScrollArea::vertical().auto_shrink([false, false]);
    if opened_here(ui, view) {
        // A section, roster list or summary opens at its top: a scroll position carried over
        // from the previous page would hide its first questions.
        page_area = page_area.vertical_scroll_offset(0.0);
    }
    page_area.show(ui, |ui| {
        design::column(ui, rtl, |ui| match view.page {
            Page::Section => section_page(ui, view, tr, drafts, &mut out),
            Page::Rosters => {
                for roster in view.rosters.iter().filter(|r| r.relevant) {
                    out.extend(roster_ui(ui, &view.row, roster, tr, drafts));
                }
                out.extend(checks_ui(ui, &view.row, &view.checks, tr, drafts));
            }
            Page::Summary => out.extend(summary_ui(ui, view, tr)),
        });
    });
    out
}

/// Whether this frame shows a different page (row, page kind or section) than the frame
/// before.
fn opened_here(ui: &Ui, view: &QuestionnaireView) -> bool {
    changed_since_last_frame(
        ui,
        "questionnaire page",
        (&view.row, view.page, view.section),
    )
}

/// Whether the question to bring into view differs from the one brought into view last
/// (per row): it is scrolled to once, then the enumerator scrolls freely.
fn focus_is_new(ui: &Ui, view: &QuestionnaireView) -> bool {
    changed_since_last_frame(ui, "questionnaire focus", (&view.row, &view.focus))
}

/// Remembers `value` under `what` (in this scope) and says whether it differs from the value
/// remembered at the previous call.
fn changed_since_last_frame(
    ui: &Ui,
    what: &str,
    value: impl std::hash::Hash + std::fmt::Debug,
) -> bool {
    let now = ui.scope_id().with((what, value));
    let last = ui.scope_id().with((what, "last"));
    ui.data_mut(|data| {
        let before: Option<egui::Id> = data.get_temp(last);
        data.insert_temp(last, now);
        before != Some(now)
    })
}

fn section_page(
    ui: &mut Ui,
    view: &QuestionnaireView,
    tr: &Tr,
    drafts: &mut Drafts,
    out: &mut Vec<Command>,
) {
    let rtl = tr.rtl();
    if let Some(section) = view.sections.get(view.section) {
        design::heading(ui, &section.label, rtl);
    }
    let fresh = focus_is_new(ui, view);
    let scroll_to = view.focus.as_deref().filter(|_| fresh);
    for q in &view.questions {
        let response = design::card(ui, |ui| {
            design::column(ui, rtl, |ui| {
                let take_keyboard = scroll_to == Some(q.id.as_str());
                out.extend(question_ui(ui, &view.row, q, tr, drafts, take_keyboard));
            });
            ui.min_rect()
        });
        if scroll_to == Some(q.id.as_str()) {
            // Just enough to show it whole: the question answered stays on screen above it.
            ui.scroll_to_rect(response, None);
        }
        ui.add_space(4.0);
    }
    out.extend(checks_ui(ui, &view.row, &view.checks, tr, drafts));
    ui.add_space(8.0);
    design::row(ui, rtl, |ui| {
        // Previous and Next skip the sections not asked of this row (e.g. the long form's).
        let asked = |index: &usize| view.sections.get(*index).is_some_and(|s| s.relevant);
        let previous = (0..view.section).rev().find(asked);
        if let Some(previous) = previous
            && design::outlined_button(ui, tr.t("previous")).clicked()
        {
            out.push(Command::OpenSection(previous));
        }
        if let Some(next) = (view.section + 1..view.sections.len()).find(asked) {
            if design::primary_button(ui, tr.t("next"), true).clicked() {
                out.push(Command::OpenSection(next));
            }
        } else if view.rosters.iter().any(|r| r.relevant) {
            if design::primary_button(ui, tr.t("next"), true).clicked() {
                out.push(Command::ShowRosters);
            }
        } else if let Some(end) = &view.row_end {
            out.extend(row_end_buttons(ui, end, tr));
        } else if design::primary_button(ui, tr.t("summary"), true).clicked() {
            out.push(Command::ShowSummary);
        }
    });
}

/// At the end of a roster's row (a person): on to the next row or a new one in one tap, or
/// back to the list.
fn row_end_buttons(ui: &mut Ui, end: &RowEnd, tr: &Tr) -> Vec<Command> {
    let mut out = Vec::new();
    if let Some((next, label)) = &end.next {
        let text = tr.f("next_row", &[("name", label)]);
        if design::primary_button(ui, &text, true).clicked() {
            out.push(Command::OpenRow(next.clone()));
        }
    } else if end.can_add {
        let text = tr.f("roster_add", &[("what", &end.noun)]);
        if design::primary_button(ui, &text, true).clicked() {
            out.push(Command::AddRow {
                parent: end.parent.clone(),
                roster: end.roster.clone(),
            });
        }
    }
    let back = tr.f("back_to_list", &[("name", &end.parent_title)]);
    if design::outlined_button(ui, &back).clicked() {
        out.push(Command::JumpTo(JumpTarget {
            row: end.parent.clone(),
            section: None,
            question: None,
        }));
    }
    out
}
