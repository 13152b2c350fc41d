//! Feeds arbitrary bytes to the server's reading of an opened batch and its case
//! validation (`census_server::validate::read_and_check`). Whatever the input: no panic,
//! no hang, and every case it does not refuse is one that every reader of the stored text
//! can read back (see `batch_check.rs`, shared with the bounded test
//! `server/tests/fuzz_batch.rs` that runs the seed corpus and random mutations of it on
//! stable Rust).

#![no_main]

mod batch_check;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    batch_check::check(data);
});
