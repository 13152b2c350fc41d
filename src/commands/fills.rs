//! Pre-filled answers (`fill_from` in the questionnaire): while a question has no answer and
//! the calculated question or input it names has a value, the tablet answers it with that
//! value — the age once the date of birth is known, the dwelling's address from the listing.
//! A filled answer follows its source until the enumerator changes it (a date of birth
//! corrected carries the age along), is saved like a typed one, and is never a value its own
//! constraint refuses.

use std::collections::BTreeMap;

use census_core::Value;
use census_core::engine::{Case, RowPath};

use crate::store::{CaseId, EventContext, Store, StoreError};

/// The answers filled so far, by row and question (see [`crate::app::state::OpenCase`]).
pub(super) type Filled = BTreeMap<(RowPath, String), Value>;

/// Fills the questions of `row` that are unanswered, or still hold the value filled earlier
/// (`filled`), with their source's value; saves each. The question the enumerator just
/// answered (`answered`) is theirs from now on (a cleared age stays cleared). Returns the
/// questions filled; the engine change is undone when the store refuses it.
pub(super) fn fill_row(
    store: &mut Store,
    case_id: CaseId,
    case: &mut Case,
    row: &RowPath,
    (answered, filled): (&str, &mut Filled),
    ctx: &EventContext,
) -> Result<Vec<String>, StoreError> {
    filled.remove(&(row.clone(), answered.to_owned()));
    let mut done = Vec::new();
    for (question, source) in targets(case, row) {
        if question == answered {
            continue;
        }
        let key = (row.clone(), question.clone());
        let value = case.value(row, &source);
        let old = case.answer(row, &question).cloned().unwrap_or(Value::Null);
        let untouched = old.is_null() || filled.get(&key) == Some(&old);
        if value.is_null() || value == old || !untouched {
            continue;
        }
        if !case.is_relevant(row, &question)
            || case.set_answer(row, &question, value.clone()).is_err()
        {
            continue;
        }
        let refused = case
            .question_state(row, &question)
            .is_some_and(|s| s.constraint_failed.is_some());
        if refused {
            // E.g. a date of birth half typed: no age of 1,800 years, the old answer stays.
            let _ = case.set_answer(row, &question, old);
            continue;
        }
        if let Err(e) =
            store.save_answer(case_id, &row.to_string(), &question, &value.to_json(), ctx)
        {
            let _ = case.set_answer(row, &question, old);
            return Err(e);
        }
        filled.insert(key, value);
        done.push(question);
    }
    Ok(done)
}

/// The (question, source) pairs of `row`'s level.
fn targets(case: &Case, row: &RowPath) -> Vec<(String, String)> {
    let q = case.questionnaire().clone();
    let Some(level) = q.level_of(row) else {
        return Vec::new();
    };
    let mut pairs = Vec::new();
    for section in q.level_sections(level) {
        for id in q.section_question_ids(section) {
            if let Some(source) = q.question(id).and_then(|info| info.fill_from()) {
                pairs.push((id.to_owned(), source.to_owned()));
            }
        }
    }
    pairs
}
