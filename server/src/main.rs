//! `census-server`: the office's sync server.

fn main() {}
