//! The tablet crate's layers point one way; this test reads every `crate::…` path of `src/`
//! and fails on one that runs against them:
//!
//! ```text
//!   app.rs (frame loop) ──► commands (apply) ──► store, sync handle, engine
//!        │                      │
//!        ▼                      ▼
//!   ui::screens ──► command (the Command enum) ◄── app/*_view.rs (view data)
//! ```
//!
//! * `store` never imports `ui`, `app`, `command`, `commands` or `sync`;
//! * `sync`, `ui` and `command` never import `commands`;
//! * the view builders (`app/*.rs`) never import `commands`: only the frame loop
//!   (`app.rs`) hands commands to it;
//! * `command` imports nothing of `app`, `store`, `sync` or `ui`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

/// Which top-level modules of the crate a file under `prefix` may not name.
const RULES: &[(&str, &[&str])] = &[
    ("src/store/", &["ui", "app", "command", "commands", "sync"]),
    ("src/sync/", &["commands", "ui", "app"]),
    ("src/ui/", &["commands", "app", "store", "sync"]),
    ("src/app/", &["commands"]),
    (
        "src/command.rs",
        &["app", "commands", "store", "sync", "ui"],
    ),
    (
        "src/keys/",
        &["app", "command", "commands", "store", "sync", "ui"],
    ),
];

/// The source without its comments (line comments and doc comments), so that a doc link
/// to another layer does not count as an import.
fn strip_comments(source: &str) -> String {
    source
        .lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The crate's top-level modules a source names through `crate::…` (including the names of
/// a grouped `use crate::{a, b::c}`).
fn crate_modules(source: &str) -> Vec<String> {
    let code = strip_comments(source);
    let mut found = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.push(name);
        }
    }
    found
}

/// Every rule broken by the file at `relative` (a path like `src/sync/records.rs`).
fn violations(relative: &str, source: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (prefix, forbidden) in RULES {
        if !relative.starts_with(prefix) {
            continue;
        }
        for module in crate_modules(source) {
            if forbidden.contains(&module.as_str()) {
                out.push(format!("{relative} imports crate::{module}"));
            }
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn layers_point_one_way() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    assert!(files.len() > 50, "the crate's sources were not found");
    let mut broken = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let source = std::fs::read_to_string(&file).unwrap();
        broken.extend(violations(&relative, &source));
    }
    assert!(
        broken.is_empty(),
        "imports against the layers:\n{}",
        broken.join("\n")
    );
}

#[test]
fn a_violation_is_caught() {
    let sync = "use crate::store::Store;\nuse crate::commands::case::apply;\n";
    assert_eq!(
        violations("src/sync/records.rs", sync),
        vec!["src/sync/records.rs imports crate::commands".to_string()]
    );
    let grouped = "use crate::{i18n::Tr, ui::screens::view::Page};\n";
    assert_eq!(
        violations("src/store/cases.rs", grouped),
        vec!["src/store/cases.rs imports crate::ui".to_string()]
    );
    let inline = "fn f() { crate::commands::refresh(state); }\n";
    assert_eq!(violations("src/app/views.rs", inline).len(), 1);
    // The frame loop may apply commands; a doc link is not an import.
    assert!(violations("src/app.rs", inline).is_empty());
    let doc = "//! Screens return a [`crate::commands::apply`] input.\n";
    assert!(violations("src/ui/screens/home.rs", doc).is_empty());
}
