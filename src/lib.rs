//! The enumerator's tablet app: encrypted store, sync client and eframe screens.
pub mod app;
pub mod command;
pub mod commands;
pub mod demo;
pub mod i18n;
pub mod keys;
pub mod logs;
pub mod platform;
pub mod private_files;
pub mod questionnaires;
pub mod store;
pub mod sync;
pub mod ui;

#[cfg(test)]
mod translated_errors;
