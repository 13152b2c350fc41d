//! Coverage: from the frame, the listing and the cases themselves, how much of each area
//! was listed and enumerated, and what may have been missed or counted twice. Counts are
//! computed, never typed: every figure comes from a dwelling listed or a case received.
//!
//! - [`facts`]: persons, head's name and place from a case document; interview time from
//!   its event log.
//! - [`compute`]: the whole report in memory (the tablet, and the reference for the server).
//! - [`assemble`]: rolls per-district counts up the hierarchy and runs the detectors; the
//!   server feeds it from SQL aggregates.
//! - [`detect`]: suspected duplicates and suspicious interviews.
//! - [`publish`]: what the office publishes: provisional population, the sampling frame.
//! - `synthetic` (feature `test-support` only): generated areas for tests and benches.

pub mod assemble;
pub mod compute;
pub mod detect;
pub mod facts;
pub mod geo;
pub mod names;
pub mod publish;
#[cfg(any(test, feature = "test-support"))]
pub mod synthetic;
pub mod types;

#[cfg(test)]
mod tests;

pub use assemble::{EnumeratorDayTotal, Gathered, assemble};
pub use compute::{CoverageInput, compute, gather};
pub use facts::{
    CaseContent, ItemMap, NoCoverage, Paradata, Population, case_content, case_content_of,
};
pub use geo::Boundary;
pub use names::name_key;
pub use types::*;
