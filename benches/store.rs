//! Store benchmark: autosave latency of the encrypted store against plain SQLite (same
//! schema, same settings: SQLCipher with no key behaves as plain SQLite), alternated in one
//! run, and unlock time (PIN key derivation + open). Prints a table; asserts nothing.
//!
//! Run with `cargo bench --bench store`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use census::keys::{KEY_FILE_NAME, KeyFile, OfficeSecretKey, Pin};
use census::store::{CaseId, EventContext, GpsFix, NewCase, Store};
use serde_json::json;

const ROUNDS: usize = 5;
const SAVES_PER_ROUND: usize = 2_000;
const UNLOCKS: usize = 10;

fn ctx() -> EventContext {
    EventContext {
        screen: "persons/age".into(),
        gps: Some(GpsFix {
            lat: 34.02,
            lon: -6.84,
            accuracy_m: Some(6.0),
        }),
    }
}

fn new_case() -> NewCase {
    NewCase {
        questionnaire_id: "rgph-short".into(),
        questionnaire_version: "2024.1".into(),
        district_id: "D1".into(),
        building_no: 1,
        dwelling_no: 1,
        household_no: 1,
        long_form: false,
    }
}

/// One round of autosaves, like an enumerator typing through a 10-person household.
fn saves(store: &mut Store, case: CaseId, round: usize, out: &mut Vec<Duration>) {
    let context = ctx();
    for i in 0..SAVES_PER_ROUND {
        let row = format!("persons.{}", i % 10 + 1);
        let item = format!("q{}", (i / 10) % 40);
        let value = json!(format!("answer {round}-{i}"));
        let start = Instant::now();
        store
            .save_answer(case, &row, &item, &value, &context)
            .unwrap();
        out.push(start.elapsed());
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    let encrypted_dir = tempfile::tempdir().unwrap();
    let plain_dir = tempfile::tempdir().unwrap();
    let office = OfficeSecretKey::generate().unwrap();
    let pin = Pin::new("482913".into()).unwrap();
    let key_path = encrypted_dir.path().join(KEY_FILE_NAME);
    let (_file, key) = KeyFile::create(&key_path, &pin, &office.public_key(), "bench").unwrap();

    let mut encrypted = Store::open(encrypted_dir.path(), &key).unwrap();
    let mut plain = Store::open_unencrypted_for_comparison_only(plain_dir.path()).unwrap();
    let enc_case = encrypted.create_case(&new_case(), &ctx()).unwrap();
    let plain_case = plain.create_case(&new_case(), &ctx()).unwrap();

    // Warm-up (not measured).
    let mut scratch = Vec::new();
    saves(&mut encrypted, enc_case, 0, &mut scratch);
    saves(&mut plain, plain_case, 0, &mut scratch);

    let mut enc_times = Vec::new();
    let mut plain_times = Vec::new();
    for round in 1..=ROUNDS {
        if round % 2 == 1 {
            saves(&mut encrypted, enc_case, round, &mut enc_times);
            saves(&mut plain, plain_case, round, &mut plain_times);
        } else {
            saves(&mut plain, plain_case, round, &mut plain_times);
            saves(&mut encrypted, enc_case, round, &mut enc_times);
        }
    }
    enc_times.sort();
    plain_times.sort();
    drop(encrypted);

    // Unlock: PIN key derivation + open (+ first read), and the two parts separately.
    let mut unlock_times = Vec::new();
    let mut kdf_times = Vec::new();
    let mut open_times = Vec::new();
    for _ in 0..UNLOCKS {
        let start = Instant::now();
        let mut file = KeyFile::load(&key_path).unwrap();
        let key = file.unlock(&pin).unwrap();
        let derived = start.elapsed();
        let store = Store::open(encrypted_dir.path(), &key).unwrap();
        store.list_cases("D1").unwrap();
        let total = start.elapsed();
        drop(store);
        kdf_times.push(derived);
        open_times.push(total - derived);
        unlock_times.push(total);
    }
    unlock_times.sort();
    kdf_times.sort();
    open_times.sort();

    let enc_med = percentile(&enc_times, 0.5);
    let plain_med = percentile(&plain_times, 0.5);
    let enc_p99 = percentile(&enc_times, 0.99);
    let plain_p99 = percentile(&plain_times, 0.99);
    println!(
        "store benchmark: {ROUNDS} rounds x {SAVES_PER_ROUND} autosaves, alternated; \
         {UNLOCKS} unlocks"
    );
    println!(
        "{:<34} {:>12} {:>12} {:>8}",
        "measure", "SQLCipher", "plain", "ratio"
    );
    println!(
        "{:<34} {:>10.1}µs {:>10.1}µs {:>7.2}x",
        "autosave median",
        micros(enc_med),
        micros(plain_med),
        micros(enc_med) / micros(plain_med)
    );
    println!(
        "{:<34} {:>10.1}µs {:>10.1}µs {:>7.2}x",
        "autosave p99",
        micros(enc_p99),
        micros(plain_p99),
        micros(enc_p99) / micros(plain_p99)
    );
    println!(
        "{:<34} {:>10.1}µs {:>10.1}µs",
        "autosave max",
        micros(*enc_times.last().unwrap()),
        micros(*plain_times.last().unwrap())
    );
    println!(
        "{:<34} {:>10.1}ms",
        "unlock median (KDF + open + read)",
        percentile(&unlock_times, 0.5).as_secs_f64() * 1e3
    );
    println!(
        "{:<34} {:>10.1}ms",
        "  PIN key derivation median",
        percentile(&kdf_times, 0.5).as_secs_f64() * 1e3
    );
    println!(
        "{:<34} {:>10.1}ms",
        "  store open + first read median",
        percentile(&open_times, 0.5).as_secs_f64() * 1e3
    );
}
