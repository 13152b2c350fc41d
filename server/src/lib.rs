//! # census-server
//!
//! The statistics office's sync server: devices enrol with a one-time code, then send
//! signed, sealed batches (`census_core::wire`), and download their assignment and review
//! decisions. Storage is SQLite (embedded default) or PostgreSQL behind [`store::Storage`].

pub mod admin;
pub mod boundaries;
pub mod cli;
pub mod cli_limits;
pub mod export;
pub mod facts;
pub mod frame;
pub mod frame_checks;
pub mod frame_extras;
pub mod http;
pub mod incoming;
pub mod keyfile;
pub mod logsafe;
pub mod office_keys;
pub mod private_files;
pub mod published;
pub mod ratelimit;
pub mod secrets;
pub mod serve_lock;
pub mod shapes;
pub mod store;
pub mod summaries;
pub mod tabulate;
pub mod validate;
