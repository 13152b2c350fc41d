//! The screens: free functions that draw from borrowed view data and return commands.

pub mod coverage;
pub mod coverage_map;
pub mod district;
pub mod drafts;
pub mod enrol;
pub mod home;
pub mod question;
pub mod questionnaire;
pub mod review;
pub mod reviewer_card;
pub mod roster;
pub mod sync_panel;
pub mod unlock;
pub mod view;
