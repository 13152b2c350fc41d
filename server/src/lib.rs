//! # census-server
//!
//! The statistics office's sync server (work in progress).
