//! Crash safety: a child process saving answers in a loop is killed with SIGKILL at random
//! moments; after every kill the database opens, passes `PRAGMA integrity_check`, and holds
//! every answer whose save the child had reported. 4 × 55 = 220 kills.
//!
//! The child is this same test binary re-executed with `CENSUS_CRASH_CHILD_DIR` set (the
//! `crash_child` test does nothing otherwise).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod store_support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use census::keys::{DatabaseKey, hex};
use census::store::{CaseId, Store};
use serde_json::json;
use store_support::{Rng, ctx, new_case};

const CHILD_DIR: &str = "CENSUS_CRASH_CHILD_DIR";
const CHILD_KEY: &str = "CENSUS_CRASH_CHILD_KEY";
const CHILD_CASE: &str = "CENSUS_CRASH_CHILD_CASE";

fn value(i: u64) -> serde_json::Value {
    json!({"n": i, "text": format!("answer {i} {}", "z".repeat((i % 50) as usize))})
}

#[test]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let key = DatabaseKey::from_secret_bytes(
        hex::decode_array(&std::env::var(CHILD_KEY).unwrap()).unwrap(),
    );
    let case: CaseId = std::env::var(CHILD_CASE).unwrap().parse().unwrap();
    let mut store = Store::open(std::path::Path::new(&dir), &key).unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "READY").unwrap();
    out.flush().unwrap();
    let context = ctx("crash");
    for i in 0u64.. {
        let row = format!("persons.{}", i % 7);
        store
            .save_answer(case, &row, &format!("q{i}"), &value(i), &context)
            .unwrap();
        writeln!(out, "SAVED {i}").unwrap();
        out.flush().unwrap();
        if i % 25 == 24 {
            // Exercise checkpoints being killed too.
            store.checkpoint().unwrap();
        }
    }
}

fn run_kills(kills: usize, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let key = DatabaseKey::generate().unwrap();
    let key_hex = hex::encode(key.expose_secret_bytes());
    let mut rng = Rng(seed);
    let started = Instant::now();
    let mut total_reported = 0usize;
    for round in 0..kills {
        let case = {
            let mut store = Store::open(dir.path(), &key).unwrap();
            store
                .create_case(&new_case("D1", 1, round as u32 + 1), &ctx("crash"))
                .unwrap()
        };
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_DIR, dir.path())
            .env(CHILD_KEY, &key_hex)
            .env(CHILD_CASE, case.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Wait until the child has the store open, then kill it after a random delay
        // (0–30 ms: anywhere from before the first save to mid-checkpoint).
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut lines = Vec::new();
        while Instant::now() < deadline {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(50)) {
                let ready = line.ends_with("READY");
                lines.push(line);
                if ready {
                    break;
                }
            }
        }
        assert!(
            lines.iter().any(|l| l.ends_with("READY")),
            "child never got ready"
        );
        std::thread::sleep(Duration::from_micros(rng.below(30_000)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        lines.extend(rx.try_iter());
        let reported: Vec<u64> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("SAVED "))
            .map(|n| n.parse().unwrap())
            .collect();
        total_reported += reported.len();

        let store = Store::open(dir.path(), &key).unwrap();
        assert_eq!(store.integrity_check().unwrap(), vec!["ok".to_string()]);
        let stored = store.load_case(case).unwrap();
        for i in &reported {
            let row = format!("persons.{}", i % 7);
            let item = format!("q{i}");
            let found = stored
                .answers
                .iter()
                .find(|(r, it, _)| *r == row && *it == item)
                .unwrap_or_else(|| panic!("round {round}: reported answer {i} lost"));
            assert_eq!(found.2, value(*i));
        }
        // At most the one save in flight at the kill may be there without having been
        // reported.
        assert!(stored.answers.len() <= reported.len() + 1);
    }
    eprintln!(
        "{kills} kills, {total_reported} reported saves verified in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(total_reported > 0);
}

#[test]
fn sigkill_during_saves_loses_nothing_reported_1() {
    run_kills(55, 0x9e37_79b9_7f4a_7c15);
}

#[test]
fn sigkill_during_saves_loses_nothing_reported_2() {
    run_kills(55, 0xd1b5_4a32_d192_ed03);
}

#[test]
fn sigkill_during_saves_loses_nothing_reported_3() {
    run_kills(55, 0x8cb9_2ba7_2f3d_8dd7);
}

#[test]
fn sigkill_during_saves_loses_nothing_reported_4() {
    run_kills(55, 0x2545_f491_4f6c_dd1d);
}
