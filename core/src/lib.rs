//! # census-core
//!
//! The pure heart of the census system: the questionnaire file model, the expression
//! language, the case engine that recomputes only what an answer affects, the long-form
//! sample selection, and the stable JSON forms used for storage and sync. No UI, no SQL,
//! no network: everything here is deterministic and fuzzable.

pub mod access_code;
pub mod answers;
pub mod coverage;
pub mod engine;
pub mod expr;
pub mod load;
pub mod model;
pub mod sampling;
pub mod typed_input;
pub mod value;
pub mod wire;

pub use value::{GpsPoint, Type, Value};
