//! Store benchmark: autosave latency of the encrypted store against plain SQLite (same
//! schema, same settings: SQLCipher with no key behaves as plain SQLite) and against the
//! physical limit of "every answer durable at once" (one single-row upsert per transaction in
//! a SQLCipher database with the store's settings), alternated in one run; and unlock time
//! (PIN key derivation + open). Prints a table; asserts nothing.
//!
//! Run with `cargo bench --bench store`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use census::keys::hex;
use census::keys::{KEY_FILE_NAME, KdfParams, KeyFile, OfficeSecretKey, Pin, check_new_pin};
use census::store::{CaseId, EventContext, NewCase, Store};
use census_core::GpsPoint;
use rusqlite::{Connection, params};
use serde_json::json;

const ROUNDS: usize = 5;
const SAVES_PER_ROUND: usize = 2_000;
const UNLOCKS: usize = 10;
const KEYSTROKES_PER_FIELD: usize = 10;

fn ctx() -> EventContext {
    EventContext {
        screen: "persons/age".into(),
        gps: Some(GpsPoint {
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

/// One round of autosaves as the screens make them: an enumerator typing through a 10-person
/// household, 10 keystrokes per field (`Store::save_typed_answer`, one event per field).
fn typing(store: &mut Store, case: CaseId, round: usize, out: &mut Vec<Duration>) {
    let context = ctx();
    for i in 0..SAVES_PER_ROUND {
        let field = i / KEYSTROKES_PER_FIELD;
        let row = format!("persons.{}", field % 10 + 1);
        let item = format!("q{}", (field / 10) % 40);
        let typed = format!("{round:02}-{i:06}-xyz");
        let value = json!(&typed[..3 + i % KEYSTROKES_PER_FIELD]);
        let start = Instant::now();
        store
            .save_typed_answer(case, &row, &item, &value, &context)
            .unwrap();
        out.push(start.elapsed());
    }
}

/// One round of `Store::save_answer` calls (one event each), every one on another field.
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

/// A SQLCipher database with the store's settings (key, HMAC, WAL, synchronous) and one
/// table: the single-row upsert baseline.
fn single_row_db(dir: &std::path::Path) -> Connection {
    let key = census::keys::DatabaseKey::generate().unwrap();
    let conn = Connection::open(dir.join("single.db")).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA cipher_log_level = NONE; PRAGMA key = \"x'{}'\";
         PRAGMA cipher_hmac_algorithm = HMAC_SHA256;",
        hex::encode(key.expose_secret_bytes())
    ))
    .unwrap();
    conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
        .unwrap();
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;
         CREATE TABLE answers (case_id TEXT NOT NULL, row_path TEXT NOT NULL,
             item_id TEXT NOT NULL, value TEXT NOT NULL,
             PRIMARY KEY (case_id, row_path, item_id)) STRICT, WITHOUT ROWID;",
    )
    .unwrap();
    conn
}

/// The same keystrokes as [`saves`], each one upsert of one row in its own transaction.
fn single_row_saves(conn: &mut Connection, round: usize, out: &mut Vec<Duration>) {
    for i in 0..SAVES_PER_ROUND {
        let row = format!("persons.{}", i % 10 + 1);
        let item = format!("q{}", (i / 10) % 40);
        let value = json!(format!("answer {round}-{i}")).to_string();
        let start = Instant::now();
        let tx = conn.transaction().unwrap();
        tx.prepare_cached(
            "INSERT INTO answers (case_id, row_path, item_id, value) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (case_id, row_path, item_id) DO UPDATE SET value = excluded.value",
        )
        .unwrap()
        .execute(params!["c1", row, item, value])
        .unwrap();
        tx.commit().unwrap();
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
    // First, before anything else grows the process: the offline guessing figures.
    let guessing = offline_guessing(&Pin::new("482913".into()).unwrap());
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

    let single_dir = tempfile::tempdir().unwrap();
    let mut single = single_row_db(single_dir.path());

    // Warm-up (not measured).
    let mut scratch = Vec::new();
    saves(&mut encrypted, enc_case, 0, &mut scratch);
    saves(&mut plain, plain_case, 0, &mut scratch);
    typing(&mut encrypted, enc_case, 0, &mut scratch);
    typing(&mut plain, plain_case, 0, &mut scratch);
    single_row_saves(&mut single, 0, &mut scratch);

    let mut enc_times = Vec::new();
    let mut plain_times = Vec::new();
    let mut enc_typed = Vec::new();
    let mut plain_typed = Vec::new();
    let mut single_times = Vec::new();
    for round in 1..=ROUNDS {
        if round % 2 == 1 {
            typing(&mut encrypted, enc_case, round, &mut enc_typed);
            typing(&mut plain, plain_case, round, &mut plain_typed);
            saves(&mut encrypted, enc_case, round, &mut enc_times);
            saves(&mut plain, plain_case, round, &mut plain_times);
            single_row_saves(&mut single, round, &mut single_times);
        } else {
            single_row_saves(&mut single, round, &mut single_times);
            saves(&mut plain, plain_case, round, &mut plain_times);
            saves(&mut encrypted, enc_case, round, &mut enc_times);
            typing(&mut plain, plain_case, round, &mut plain_typed);
            typing(&mut encrypted, enc_case, round, &mut enc_typed);
        }
    }
    for times in [
        &mut enc_times,
        &mut plain_times,
        &mut enc_typed,
        &mut plain_typed,
        &mut single_times,
    ] {
        times.sort();
    }
    drop(single);
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
        "store benchmark: {ROUNDS} rounds x {SAVES_PER_ROUND} saves of each kind, alternated \
         ({KEYSTROKES_PER_FIELD} keystrokes per field when typing); {UNLOCKS} unlocks; \
         limit = one single-row upsert per transaction, SQLCipher"
    );
    println!(
        "{:<34} {:>12} {:>12} {:>8} {:>8}",
        "measure", "SQLCipher", "plain", "/plain", "/limit"
    );
    let single_med = percentile(&single_times, 0.5);
    let single_p99 = percentile(&single_times, 0.99);
    let row = |name: &str, enc: Duration, plain: Duration, limit: Duration| {
        println!(
            "{:<34} {:>10.1}µs {:>10.1}µs {:>7.2}x {:>7.2}x",
            name,
            micros(enc),
            micros(plain),
            micros(enc) / micros(plain),
            micros(enc) / micros(limit)
        );
    };
    row(
        "autosave (typing) median",
        percentile(&enc_typed, 0.5),
        percentile(&plain_typed, 0.5),
        single_med,
    );
    row(
        "autosave (typing) p99",
        percentile(&enc_typed, 0.99),
        percentile(&plain_typed, 0.99),
        single_p99,
    );
    row("save_answer median", enc_med, plain_med, single_med);
    row("save_answer p99", enc_p99, plain_p99, single_p99);
    println!(
        "{:<34} {:>10.1}µs",
        "single-row upsert median (limit)",
        micros(single_med)
    );
    println!(
        "{:<34} {:>10.1}µs",
        "single-row upsert p99",
        micros(single_p99)
    );
    println!(
        "{:<34} {:>10.1}µs {:>10.1}µs",
        "autosave (typing) max",
        micros(*enc_typed.last().unwrap()),
        micros(*plain_typed.last().unwrap())
    );
    println!(
        "{:<34} {:>10.1}µs {:>10.1}µs",
        "save_answer max",
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

    guessing.print();
}

/// What one guess costs someone holding a copy of the key file.
struct Guessing {
    argon_s: f64,
    pbkdf2_s: f64,
    peak_growth_kib: Option<u64>,
    accepted: usize,
}

/// Measures a derivation with the key file's parameters (Argon2id), against the PBKDF2 wraps
/// written before it, the peak memory one derivation adds to the process, and counts the PINs
/// a new key file accepts.
fn offline_guessing(pin: &Pin) -> Guessing {
    const GUESSES: usize = 5;
    let salt = [7u8; 16];
    let hwm_before = peak_rss_kib();
    let mut argon = Vec::new();
    for _ in 0..GUESSES {
        let start = Instant::now();
        KdfParams::current().derive(pin, &salt).unwrap();
        argon.push(start.elapsed());
    }
    let hwm_after = peak_rss_kib();
    let mut pbkdf2 = Vec::new();
    for _ in 0..GUESSES {
        let start = Instant::now();
        KdfParams::Pbkdf2 {
            iterations: census::keys::PBKDF2_ITERATIONS,
        }
        .derive(pin, &salt)
        .unwrap();
        pbkdf2.push(start.elapsed());
    }
    argon.sort();
    pbkdf2.sort();
    Guessing {
        argon_s: percentile(&argon, 0.5).as_secs_f64(),
        pbkdf2_s: percentile(&pbkdf2, 0.5).as_secs_f64(),
        peak_growth_kib: hwm_before
            .zip(hwm_after)
            .map(|(before, after)| after.saturating_sub(before)),
        accepted: (0..1_000_000u32)
            .filter(|n| check_new_pin(&format!("{n:06}")).is_ok())
            .count(),
    }
}

impl Guessing {
    fn print(&self) {
        println!();
        println!("offline guessing on a copied key file, one core:");
        println!(
            "{:<34} {:>10.0}ms  (PBKDF2 310k, before: {:.0}ms; {:.1}x)",
            "one guess, Argon2id median",
            self.argon_s * 1e3,
            self.pbkdf2_s * 1e3,
            self.argon_s / self.pbkdf2_s
        );
        match self.peak_growth_kib {
            Some(kib) => println!(
                "{:<34} {:>10.0}MiB (peak RSS growth over the guesses)",
                "memory per guess",
                kib as f64 / 1024.0
            ),
            None => println!("{:<34} {:>10}", "memory per guess", "n/a"),
        }
        println!(
            "{:<34} {:>10}   (6 digits; trivial ones refused)",
            "PINs a new key file accepts", self.accepted
        );
        println!(
            "{:<34} {:>10.1}days (before: every 4-digit PIN in {:.0} min)",
            "all of them, one core",
            self.accepted as f64 * self.argon_s / 86_400.0,
            10_000.0 * self.pbkdf2_s / 60.0
        );
    }
}

/// The process's peak resident memory (`VmHWM`), in KiB, where /proc tells it.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
