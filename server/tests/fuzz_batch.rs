//! The `batch_open` fuzz target (`server/fuzz`) run as a bounded test on stable Rust: its
//! oracle (`server/fuzz/fuzz_targets/batch_check.rs`) over the seed corpus and a few
//! thousand deterministic random mutations of it — bytes flipped, cut, repeated, poisons
//! (`1e999`, lone surrogates, NUL, deep nesting) spliced in as text, and values of the
//! cases' JSON replaced by other values. A panic is a finding.
//!
//! `FUZZ_MUTATIONS` sets the number of mutations (default 10,000);
//! `CENSUS_WRITE_FUZZ_CORPUS=1` rewrites the seed corpus from the seeds built here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

#[path = "../fuzz/fuzz_targets/batch_check.rs"]
mod batch_check;

use serde_json::{Value, json};
use support::*;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/batch_open");

/// Text spliced in by mutations.
const POISONS: [&str; 12] = [
    "1e999",
    "-1e999",
    r#""\ud800""#,
    r#""\udc00\ud800""#,
    r#""\u0000""#,
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "{\"a\":",
    "99999999999999999999999",
    "null",
    "\"complete\"",
    "-0.0",
    "\"\\",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn fake_device() -> Device {
    Device {
        id: "tab-fuzz".into(),
        key: census_core::wire::DeviceKey::generate().unwrap(),
        token: String::new(),
        office_public: [9; 32],
        enumerator: "E-1".into(),
    }
}

/// Seeds: batches of good census cases, and of the hostile cases of `hostile_batch.rs`.
fn seeds() -> Vec<Vec<u8>> {
    let device = fake_device();
    let good = payload(
        &device,
        vec![census_case("DR-1", 1, 3, 1), census_case("DR-1", 2, 1, 2)],
    );
    let mut out = vec![serde_json::to_vec(&good).unwrap()];
    let mut poisoned = census_case("DR-1", 3, 2, 1);
    poisoned.case["root"]["answers"]["d_rooms"] = json!("@@POISON@@");
    for poison in POISONS.iter().take(5) {
        let p = payload(
            &device,
            vec![census_case("DR-1", 4, 2, 1), poisoned.clone()],
        );
        let text = serde_json::to_string(&p).unwrap();
        out.push(text.replacen("\"@@POISON@@\"", poison, 1).into_bytes());
    }
    let mut wrong = census_case("DR-1", 5, 2, 1);
    wrong.status = "finished".into();
    wrong.case["root"]["answers"]["d_unknown"] = json!(1);
    out.push(serde_json::to_vec(&payload(&device, vec![wrong])).unwrap());
    out
}

fn corpus() -> Vec<Vec<u8>> {
    let mut files: Vec<_> = std::fs::read_dir(CORPUS)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

/// Replaces a random value inside `v` (depth-first walk) with `with`.
fn replace_somewhere(v: &mut Value, rng: &mut Rng, with: Value) {
    let mut node = v;
    loop {
        let children = match node {
            Value::Array(items) if !items.is_empty() => items.len(),
            Value::Object(map) if !map.is_empty() => map.len(),
            _ => 0,
        };
        if children == 0 || rng.below(4) == 0 {
            *node = with;
            return;
        }
        let i = rng.below(children);
        node = match node {
            Value::Array(items) => &mut items[i],
            Value::Object(map) => map.values_mut().nth(i).unwrap(),
            _ => unreachable!(),
        };
    }
}

fn mutate(seed: &[u8], other: &[u8], rng: &mut Rng) -> Vec<u8> {
    if rng.below(2) == 0
        && let Ok(mut v) = serde_json::from_slice::<Value>(seed)
    {
        let with = match rng.below(6) {
            0 => json!("@@POISON@@"),
            1 => json!(rng.next() as i64),
            2 => json!([]),
            3 => json!({"lat": 500.0, "lon": 0.0}),
            4 => json!("x".repeat(rng.below(70_000))),
            _ => Value::Null,
        };
        replace_somewhere(&mut v, rng, with);
        let poison = POISONS[rng.below(POISONS.len())];
        return v
            .to_string()
            .replacen("\"@@POISON@@\"", poison, 1)
            .into_bytes();
    }
    let mut out = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(5) {
            0 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] ^= 1 << rng.below(8);
            }
            1 => {
                let end = (at + rng.below(64)).min(out.len());
                out.drain(at..end);
            }
            2 => {
                let end = (at + rng.below(64)).min(out.len());
                let chunk = out[at..end].to_vec();
                out.splice(at..at, chunk);
            }
            3 => {
                let from = rng.below(other.len());
                let end = (from + rng.below(256)).min(other.len());
                out.splice(at..at, other[from..end].iter().copied());
            }
            _ => {
                let poison = POISONS[rng.below(POISONS.len())];
                out.splice(at..at, poison.bytes());
            }
        }
    }
    out
}

#[test]
fn the_batch_fuzz_target_holds_over_the_corpus_and_mutations() {
    let built = seeds();
    if std::env::var("CENSUS_WRITE_FUZZ_CORPUS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(CORPUS).unwrap();
        for (i, seed) in built.iter().enumerate() {
            std::fs::write(format!("{CORPUS}/seed_{:02}", i + 1), seed).unwrap();
        }
    }
    // The good seed is accepted whole, the others refuse their poisoned case: the oracle
    // is not vacuous.
    assert_eq!(batch_check::check(&built[0]), 2);
    for seed in &built[1..6] {
        assert_eq!(batch_check::check(seed), 1);
    }
    let mut all = corpus();
    assert!(!all.is_empty(), "the seed corpus is missing: {CORPUS}");
    all.extend(built);
    let mutations: usize = std::env::var("FUZZ_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut runs, mut read, mut accepted) = (0usize, 0usize, 0usize);
    for seed in &all {
        accepted += batch_check::check(seed);
        runs += 1;
    }
    for _ in 0..mutations {
        let seed = &all[rng.below(all.len())];
        let other = &all[rng.below(all.len())];
        let input = mutate(seed, other, &mut rng);
        let got = batch_check::check(&input);
        read += usize::from(serde_json::from_slice::<Value>(&input).is_ok());
        accepted += got;
        runs += 1;
    }
    eprintln!(
        "fuzz_batch: {runs} runs ({mutations} mutations, {read} of them valid JSON), \
         {accepted} cases accepted, 0 crashes"
    );
}
