//! Stores opened, written and closed on many threads at once all open: SQLCipher's keying
//! must not fail when another connection is being keyed or closed at the same moment (a
//! sync thread opens its own connection while the screen's connection works).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Barrier};

use census::keys::DatabaseKey;
use census::store::Store;

const THREADS: usize = 8;
const ROUNDS: usize = 25;

#[test]
fn stores_keyed_and_closed_on_many_threads_at_once_all_open() {
    let barrier = Arc::new(Barrier::new(THREADS));
    let workers: Vec<_> = (0..THREADS)
        .map(|thread| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                for round in 0..ROUNDS {
                    // Everything but the opening is ready before the threads start together
                    // (the first round races SQLCipher's process-wide initialisation).
                    let dir = tempfile::tempdir().unwrap();
                    let key = DatabaseKey::generate().unwrap();
                    barrier.wait();
                    match Store::open(dir.path(), &key) {
                        Ok(store) => {
                            drop(store);
                            // Reopened with the same key: keying an existing file.
                            if let Err(e) = Store::open(dir.path(), &key) {
                                failures.push(format!("thread {thread} round {round} reopen: {e}"));
                            }
                        }
                        Err(e) => failures.push(format!("thread {thread} round {round}: {e}")),
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    assert!(
        failures.is_empty(),
        "{} stores failed to open: {failures:#?}",
        failures.len()
    );
}
