//! Questionnaire commands: opening a dwelling's case, saving each answer through the store
//! as it is entered, roster rows, soft-check confirmations, navigation and completion.
//!
//! Order of every change: the engine checks and applies it, then the store saves it in one
//! transaction; when the store fails, the engine change is undone, so the screen never
//! shows as saved what is not.

use census_core::Value;
use census_core::engine::{Case, Completion, EngineError, RowPath};

use super::advance::{self, After};
use super::district::{dwelling_questionnaire, find_or_create_case};
use super::fills;
use crate::app::state::{AppState, OpenCase, Screen};
use crate::command::Command;
use crate::i18n::Tr;
use crate::store::{CaseStatus, EventContext, StoreError};
use crate::ui::screens::drafts::Drafts;
use crate::ui::screens::view::Page;

fn tr(state: &AppState) -> Tr<'_> {
    Tr {
        strings: &state.strings,
        lang: state.lang,
    }
}

fn store_failed(state: &mut AppState, e: StoreError) {
    crate::logs::store_error("case", &e);
    let tr = tr(state);
    let message = tr.f("store_failed", &[("detail", &e.message(&tr))]);
    state.fail(message);
}

fn engine_failed(state: &mut AppState, e: EngineError) {
    crate::logs::refusal("engine", super::engine_messages::engine_error_key(&e));
    let message = super::engine_messages::engine_error_message(&e, &tr(state));
    state.fail(message);
}

fn context(open: &OpenCase) -> EventContext {
    EventContext {
        screen: format!("questionnaire/{}/{}", open.row, open.section),
        gps: crate::platform::location::current().map(|fix| fix.gps()),
    }
}

/// Opens (creating when needed) the case of a dwelling of the open district and restores
/// it from the store.
pub fn open_case(state: &mut AppState, building_no: u32, dwelling_no: u32) {
    let Screen::District(code) = state.screen.clone() else {
        return;
    };
    let questionnaire = match dwelling_questionnaire(state, &code, building_no, dwelling_no) {
        Ok(q) => q,
        Err(message) => {
            state.fail(message);
            return;
        }
    };
    let today = state.config.today();
    let Some(store) = state.store.as_mut() else {
        return;
    };
    let ctx = EventContext {
        screen: format!("district/{code}"),
        gps: crate::platform::location::current().map(|fix| fix.gps()),
    };
    let loaded = find_or_create_case(
        store,
        &code,
        building_no,
        dwelling_no,
        questionnaire.id(),
        questionnaire.version(),
        &ctx,
    )
    .and_then(|id| {
        store.start_visit(id, &ctx)?;
        store.load_case(id)
    });
    let stored = match loaded {
        Ok(stored) => stored,
        Err(e) => return store_failed(state, e),
    };
    let mut case = match stored.restore(questionnaire, today) {
        Ok(case) => case,
        Err(e) => {
            crate::logs::refusal("restore", "err_restore");
            let message = super::engine_messages::restore_error_message(&e, &tr(state));
            return state.fail(message);
        }
    };
    if let Err(e) = save_defaults(store, stored.meta.case_id, &case, &RowPath::root(), &ctx) {
        return store_failed(state, e);
    }
    let address = store
        .buildings(&code)
        .ok()
        .and_then(|bs| bs.into_iter().find(|b| b.building_no == building_no))
        .map(|b| b.address)
        .unwrap_or_default();
    let office_notes = {
        let tr = crate::i18n::Tr {
            strings: &state.strings,
            lang: state.lang,
        };
        super::sync::office_notes(store, stored.meta.case_id, &tr).unwrap_or_default()
    };
    let mut inputs = vec![
        ("district_id", Value::Text(code.clone())),
        ("building_number", Value::Integer(i64::from(building_no))),
        ("dwelling_number", Value::Integer(i64::from(dwelling_no))),
    ];
    if !address.trim().is_empty() {
        inputs.push(("listing_address", Value::Text(address.clone())));
    }
    for (input, value) in inputs {
        let root = RowPath::root();
        // A questionnaire may not ask for the frame's numbers (they are in the case's meta).
        if case.questionnaire().question(input).is_none()
            || case.answer(&root, input) == Some(&value)
        {
            continue;
        }
        if let Err(e) = case.set_input(&root, input, value.clone()) {
            return engine_failed(state, e);
        }
        if let Err(e) = store.save_answer(stored.meta.case_id, "", input, &value.to_json(), &ctx) {
            return store_failed(state, e);
        }
    }
    // The address the listing recorded pre-fills the dwelling's (`fill_from`).
    let mut filled = fills::Filled::new();
    if let Err(e) = fills::fill_row(
        store,
        stored.meta.case_id,
        &mut case,
        &RowPath::root(),
        ("", &mut filled),
        &ctx,
    ) {
        return store_failed(state, e);
    }
    let all_checks_due = stored.meta.status == CaseStatus::Complete || !office_notes.is_empty();
    state.case = Some(OpenCase {
        id: stored.meta.case_id,
        meta: stored.meta.clone(),
        case,
        row: RowPath::root(),
        page: Page::Section,
        section: 0,
        focus: None,
        number: format!("{building_no}.{dwelling_no}"),
        address,
        office_notes,
        rows_left: Default::default(),
        all_checks_due,
        filled,
    });
    state.screen = Screen::Questionnaire;
}

/// Saves the answers a row holds but the store does not (the defaults of a new row), so
/// that restoring the case rebuilds exactly what was on screen.
fn save_defaults(
    store: &mut crate::store::Store,
    case_id: crate::store::CaseId,
    case: &Case,
    row: &RowPath,
    ctx: &EventContext,
) -> Result<(), crate::store::StoreError> {
    let q = case.questionnaire().clone();
    let Some(level) = q.level_of(row) else {
        return Ok(());
    };
    let row_text = row.to_string();
    for section in q.level_sections(level) {
        for id in q.section_question_ids(section) {
            if let Some(value) = case.answer(row, id)
                && store.answer(case_id, &row_text, id)?.is_none()
            {
                store.save_answer(case_id, &row_text, id, &value.to_json(), ctx)?;
            }
        }
    }
    Ok(())
}

/// Carries out a questionnaire command.
pub fn apply(state: &mut AppState, drafts: &mut Drafts, command: Command) {
    if state.case.is_none() {
        return;
    }
    match command {
        Command::SetAnswer {
            row,
            question,
            value,
        } => {
            let after = set_answer(state, drafts, &row, &question, value);
            go(state, drafts, after);
        }
        Command::NextQuestion { row, question } => {
            let after = state.case.as_ref().map_or(After::Stay, |open| {
                advance::after_question(open, &row, &question)
            });
            go(state, drafts, after);
        }
        Command::AddRow { parent, roster } => add_row(state, drafts, &parent, &roster),
        Command::RemoveRow(row) => remove_row(state, &row),
        Command::ConfirmCheck { row, check, note } => confirm_check(state, &row, &check, note),
        Command::OpenRow(row) => {
            if let Some(open) = state.case.as_mut() {
                open_row(open, row);
            }
        }
        Command::OpenSection(index) => {
            if let Some(open) = state.case.as_mut() {
                open.page = Page::Section;
                open.section = index;
                open.focus = None;
            }
        }
        Command::ShowRosters => {
            if let Some(open) = state.case.as_mut() {
                open.page = Page::Rosters;
                open.focus = None;
            }
        }
        Command::ShowSummary => {
            if let Some(open) = state.case.as_mut() {
                open.page = Page::Summary;
                open.focus = None;
                open.all_checks_due = true;
            }
        }
        Command::JumpTo(target) => {
            if let Some(open) = state.case.as_mut() {
                open_row(open, target.row);
                match target.section {
                    Some(section) => open.section = section,
                    None => open.page = Page::Rosters,
                }
                open.focus = target.question;
            }
        }
        Command::Complete => complete(state),
        Command::SaveAndLeave => leave(state, drafts),
        _ => {}
    }
}

fn open_row(open: &mut OpenCase, path: RowPath) {
    let q = open.case.questionnaire().clone();
    let has_sections = q
        .level_of(&path)
        .is_some_and(|level| !q.level_sections(level).is_empty());
    open.rows_left.extend(rows_left(&open.row, &path));
    open.row = path;
    open.section = 0;
    open.page = if has_sections {
        Page::Section
    } else {
        Page::Rosters
    };
    open.focus = None;
}

/// The rows left for good when moving from `from` to `to`: `from` and each of its ancestors
/// that `to` is not inside. Going down into a person keeps the household open (its roster is
/// still being filled); going back up to the dwelling leaves it.
fn rows_left(from: &RowPath, to: &RowPath) -> Vec<RowPath> {
    let mut left = Vec::new();
    let mut row = Some(from.clone());
    while let Some(current) = row {
        if to.segments().starts_with(current.segments()) {
            break;
        }
        row = current.parent();
        left.push(current);
    }
    left
}

/// Moves the enumerator on after an answer (see [`advance`]).
fn go(state: &mut AppState, drafts: &mut Drafts, after: After) {
    let Some(open) = state.case.as_mut() else {
        return;
    };
    match after {
        After::Stay => {}
        After::Focus(question) => open.focus = Some(question),
        After::OpenSection { index, focus } => {
            open.page = Page::Section;
            open.section = index;
            open.focus = focus;
        }
        After::ShowRosters => {
            open.page = Page::Rosters;
            open.focus = None;
        }
        After::AddFirstRow(roster) => {
            let parent = open.row.clone();
            add_row(state, drafts, &parent, &roster);
        }
    }
}

/// Saves one answer; returns where the enumerator goes next.
fn set_answer(
    state: &mut AppState,
    drafts: &mut Drafts,
    path: &RowPath,
    question: &str,
    value: Value,
) -> After {
    let (Some(open), Some(store)) = (state.case.as_mut(), state.store.as_mut()) else {
        return After::Stay;
    };
    let old = open
        .case
        .answer(path, question)
        .cloned()
        .unwrap_or(Value::Null);
    if let Err(e) = open.case.set_answer(path, question, value) {
        engine_failed(state, e);
        return After::Stay;
    }
    // Save what the engine stored (it normalises, e.g. an integer for a decimal).
    let saved = open
        .case
        .answer(path, question)
        .cloned()
        .unwrap_or(Value::Null);
    let ctx = context(open);
    match store.save_typed_answer(open.id, &path.to_string(), question, &saved.to_json(), &ctx) {
        Ok(_) => {
            if open.meta.status == CaseStatus::NotStarted {
                open.meta.status = CaseStatus::InProgress;
            }
            match fills::fill_row(
                store,
                open.id,
                &mut open.case,
                path,
                (question, &mut open.filled),
                &ctx,
            ) {
                Ok(filled) => {
                    for id in filled {
                        // The field shows the filled answer, not what was drawn before.
                        drafts.clear_prefix(&format!("q:{path}:{id}"));
                    }
                }
                Err(e) => {
                    store_failed(state, e);
                    return After::Stay;
                }
            }
            // Typed answers keep the place (each keystroke is an answer; Enter moves on).
            open.focus = None;
            advance::after_choice(open, path, question)
        }
        Err(e) => {
            let _ = open.case.set_answer(path, question, old);
            store_failed(state, e);
            After::Stay
        }
    }
}

fn add_row(state: &mut AppState, drafts: &mut Drafts, parent_path: &RowPath, roster: &str) {
    let (Some(open), Some(store)) = (state.case.as_mut(), state.store.as_mut()) else {
        return;
    };
    let (path, _) = match open.case.add_row(parent_path, roster) {
        Ok(added) => added,
        Err(e) => return engine_failed(state, e),
    };
    let position = open
        .case
        .rows(parent_path, roster)
        .iter()
        .position(|p| *p == path)
        .unwrap_or(0);
    let ctx = context(open);
    let path_text = path.to_string();
    if let Err(e) = store.add_row(open.id, &path_text, position, &ctx) {
        let _ = open.case.remove_row(&path);
        return store_failed(state, e);
    }
    // A new household gets its number and the long-form decision as inputs.
    let q = open.case.questionnaire().clone();
    let mut inputs = Vec::new();
    if q.question("household_number")
        .is_some_and(|i| q.level_of(&path) == Some(i.level()))
    {
        let number = i64::try_from(position + 1).unwrap_or(i64::MAX);
        inputs.push(("household_number", Value::Integer(number)));
    }
    if q.question("long_form")
        .is_some_and(|i| q.level_of(&path) == Some(i.level()))
    {
        inputs.push(("long_form", Value::Bool(open.meta.long_form)));
    }
    for (input, value) in inputs {
        if let Err(e) = open.case.set_input(&path, input, value.clone()) {
            return engine_failed(state, e);
        }
        if let Err(e) = store.save_answer(open.id, &path_text, input, &value.to_json(), &ctx) {
            return store_failed(state, e);
        }
    }
    if let Err(e) = save_defaults(store, open.id, &open.case, &path, &ctx) {
        return store_failed(state, e);
    }
    if let Err(e) = fills::fill_row(
        store,
        open.id,
        &mut open.case,
        &path,
        ("", &mut open.filled),
        &ctx,
    ) {
        return store_failed(state, e);
    }
    drafts.clear_prefix(&format!("q:{path_text}:"));
    let focus = advance::first_question(&open.case, &path);
    open_row(open, path);
    // A new row starts at its first question, with the keyboard when it is typed.
    open.focus = focus;
}

fn remove_row(state: &mut AppState, path: &RowPath) {
    let (Some(open), Some(store)) = (state.case.as_mut(), state.store.as_mut()) else {
        return;
    };
    let ctx = context(open);
    if let Err(e) = store.remove_row(open.id, &path.to_string(), &ctx) {
        return store_failed(state, e);
    }
    if let Err(e) = open.case.remove_row(path) {
        return engine_failed(state, e);
    }
    if open.row.segments().starts_with(path.segments()) {
        let parent = path.parent().unwrap_or_default();
        open_row(open, parent);
        open.page = Page::Rosters;
    }
}

fn confirm_check(state: &mut AppState, path: &RowPath, check: &str, note: String) {
    let (Some(open), Some(store)) = (state.case.as_mut(), state.store.as_mut()) else {
        return;
    };
    if let Err(e) = open.case.confirm_check(path, check, note.clone()) {
        return engine_failed(state, e);
    }
    let ctx = context(open);
    if let Err(e) = store.confirm_check(open.id, &path.to_string(), check, &note, &ctx) {
        store_failed(state, e);
    }
}

fn complete(state: &mut AppState) {
    let (Some(open), Some(store)) = (state.case.as_mut(), state.store.as_mut()) else {
        return;
    };
    if open.case.completion() != Completion::Complete {
        open.page = Page::Summary;
        open.all_checks_due = true;
        return;
    }
    let ctx = context(open);
    match store.set_status(open.id, CaseStatus::Complete, None, &ctx) {
        Ok(_) => {
            open.meta.status = CaseStatus::Complete;
            open.page = Page::Summary;
        }
        Err(e) => store_failed(state, e),
    }
}

fn leave(state: &mut AppState, drafts: &mut Drafts) {
    let district = state
        .case
        .as_ref()
        .map(|open| open.meta.district_id.clone());
    state.case = None;
    drafts.clear_prefix("q:");
    drafts.clear_prefix("check:");
    state.screen = match district {
        Some(code) => Screen::District(code),
        None => Screen::Home,
    };
}
