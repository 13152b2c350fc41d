//! Every character of every text the app can show has a glyph in the bundled fonts (egui's
//! default fonts plus Noto Sans Arabic and Noto Sans Tifinagh): the questionnaire files
//! (`schemas/*.json`, except JSON Schemas) and the interface strings (`assets/i18n/*.json`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use egui::FontFamily;
use egui::epaint::text::{Fonts, TextOptions};
use serde_json::Value;

/// Characters the fonts of the app cover (proportional family, all fallbacks).
fn covered() -> BTreeSet<char> {
    let mut fonts = Fonts::new(
        TextOptions::default(),
        census::ui::fonts::font_definitions(),
    );
    let mut view = fonts.with_pixels_per_point(1.0);
    view.characters(&FontFamily::Proportional)
        .keys()
        .copied()
        .collect()
}

/// Characters that need no glyph: whitespace, joiners and bidi formatting characters.
fn ignorable(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c as u32,
            0x200B..=0x200F | 0x061C | 0x202A..=0x202E | 0x2060 | 0x2066..=0x2069 | 0xFEFF
        )
}

/// The characters of `text` that no bundled font has.
fn missing_glyphs(text: &str, covered: &BTreeSet<char>) -> Vec<char> {
    text.chars()
        .filter(|c| !ignorable(*c) && !covered.contains(c))
        .collect()
}

/// Every string value in `value`, with its JSON path.
fn strings<'a>(value: &'a Value, path: String, out: &mut Vec<(String, &'a str)>) {
    match value {
        Value::String(s) => out.push((path, s)),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                strings(item, format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                strings(item, format!("{path}.{key}"), out);
            }
        }
        _ => {}
    }
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| !p.to_string_lossy().ends_with(".schema.json"))
        .collect();
    files.sort();
    files
}

#[test]
fn a_missing_glyph_is_reported() {
    let covered = covered();
    assert_eq!(missing_glyphs("عمر 中 ⵣ é", &covered), vec!['中']);
    assert!(missing_glyphs("الاسم الكامل\u{200F} ⴰⵎⵙⵙⴰⵖ Ménage", &covered).is_empty());
}

#[test]
fn every_questionnaire_and_interface_string_has_glyphs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let covered = covered();
    let mut files = json_files(&root.join("schemas"));
    let i18n = root.join("assets/i18n");
    if i18n.is_dir() {
        files.extend(json_files(&i18n));
    }
    assert!(
        !files.is_empty(),
        "no questionnaire or interface file found"
    );

    let mut problems: BTreeMap<String, BTreeSet<char>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let mut count = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let value: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", file.display()));
        let mut found = Vec::new();
        strings(&value, String::new(), &mut found);
        for (path, s) in found {
            count += 1;
            seen.extend(s.chars());
            let missing = missing_glyphs(s, &covered);
            if !missing.is_empty() {
                let name = file.file_name().unwrap().to_string_lossy();
                problems
                    .entry(format!("{name} {path}: {s:?}"))
                    .or_default()
                    .extend(missing);
            }
        }
    }
    assert!(
        problems.is_empty(),
        "characters without a glyph in the bundled fonts:\n{}",
        problems
            .iter()
            .map(|(k, v)| format!(
                "  {k}: {}",
                v.iter()
                    .map(|c| format!("{c:?} U+{:04X}", *c as u32))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Not vacuous: Arabic and Tifinagh texts were checked.
    assert!(count > 10, "only {count} strings checked");
    assert!(seen.contains(&'ا'), "no Arabic text checked");
    assert!(
        seen.iter().any(|c| ('\u{2D30}'..='\u{2D7F}').contains(c)),
        "no Tifinagh text checked"
    );
}
