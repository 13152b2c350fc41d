//! What the enumerator is typing, before it becomes a command: text field buffers and the
//! open dialogs of a screen. This is the only mutable state the screens receive.

use std::collections::HashMap;

use super::view::DwellingStatus;

/// An open dialog of the district screen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DistrictDialog {
    /// No dialog.
    #[default]
    None,
    /// Adding a building.
    AddBuilding,
    /// Adding a dwelling to building `.0`.
    AddDwelling(u32),
    /// Confirming building `.0` with a corrected address.
    CorrectBuilding(u32),
    /// Recording a refusal for (building, dwelling).
    Refusal(u32, u32),
    /// Recording an absence for (building, dwelling).
    Absence(u32, u32),
}

/// Text being typed and dialogs being shown. Its `Debug` output never shows the texts
/// (a PIN may be among them).
#[derive(Clone, Default)]
pub struct Drafts {
    fields: HashMap<String, String>,
    /// District screen: the open dialog.
    pub dialog: DistrictDialog,
    /// District screen: the status filter (None: all).
    pub filter: Option<DwellingStatus>,
    /// Questionnaire: the row whose removal awaits confirmation.
    pub confirm_remove: Option<census_core::engine::RowPath>,
    /// A validation message for the open form, in the current language.
    pub form_error: Option<String>,
    /// Review: the case whose send-back comment is being written.
    pub send_back: Option<uuid::Uuid>,
}

impl std::fmt::Debug for Drafts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Drafts")
            .field("fields", &self.fields.len())
            .field("dialog", &self.dialog)
            .field("filter", &self.filter)
            .finish_non_exhaustive()
    }
}

impl Drafts {
    /// The buffer of field `key` (created empty).
    pub fn field(&mut self, key: &str) -> &mut String {
        self.fields.entry(key.to_owned()).or_default()
    }

    /// The buffer of field `key`, created with `initial` when absent.
    pub fn field_or(&mut self, key: &str, initial: impl FnOnce() -> String) -> &mut String {
        self.fields.entry(key.to_owned()).or_insert_with(initial)
    }

    /// The current text of field `key`.
    pub fn get(&self, key: &str) -> &str {
        self.fields.get(key).map_or("", String::as_str)
    }

    /// Forgets every field whose key starts with `prefix`.
    pub fn clear_prefix(&mut self, prefix: &str) {
        self.fields.retain(|k, _| !k.starts_with(prefix));
    }

    /// Forgets everything (secrets included) and closes dialogs.
    pub fn clear(&mut self) {
        *self = Drafts::default();
    }
}
