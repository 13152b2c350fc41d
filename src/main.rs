//! Starts the census tablet app.

fn main() {}
