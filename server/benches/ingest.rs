//! Ingest benchmark (work in progress).

fn main() {}
