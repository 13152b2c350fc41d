//! `census-server tabulate`: the provisional tables an office publishes first, written as
//! CSV plus one HTML page with a population pyramid (inline SVG, no script):
//!
//! - `population_by_area.csv`: the legal population by region, province and commune, the
//!   very file `publish` serves (`GET /v1/office/population.csv`), from the same coverage
//!   summaries;
//! - `population_by_sex_age.csv`: persons by sex and 5-year age group;
//! - `households_by_size.csv`: households by number of persons.
//!
//! The last two read the cases coverage counts (complete or in progress) and count persons
//! exactly as coverage does (the rows of the persons roster its questionnaire's coverage
//! block names), so their totals are the legal population's. Cases of collective living
//! quarters are not households: their residents are the population counted apart, shown
//! beside the legal population from the same summaries (and in `population_by_area.csv`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use census_core::coverage::publish::{csv_field, population_csv};
use census_core::coverage::{CoverageRules, Level, Population, assemble};
use census_core::load::Questionnaire;
use serde_json::Value;

use crate::store::{Scope, Storage};

/// The sex question of the persons (its choice list gives the columns).
pub const SEX_ITEM: &str = "p_sex";
/// The age question of the persons (completed years).
pub const AGE_ITEM: &str = "p_age";
/// The oldest 5-year group; older persons are in the open group `100+`.
const OPEN_AGE: u64 = 100;

/// What a tabulation counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tabulated {
    /// Persons (the legal population of the scope).
    pub persons: u64,
    /// Households (cases complete or in progress).
    pub households: u64,
    /// Persons by (age group, sex code); `""` for an unknown sex or age.
    pub by_sex_age: BTreeMap<(String, String), u64>,
    /// Households by size.
    pub by_size: BTreeMap<u64, u64>,
    /// The population counted apart: persons in collective living quarters (from the
    /// coverage summaries; set by [`tabulate`]).
    pub persons_apart: u64,
    /// Collective living quarters enumerated (from the coverage summaries).
    pub establishments: u64,
    /// Cases of questionnaires not given to the tabulation, not read.
    pub unread: u64,
}

/// The 5-year group of an age: `00-04`, …, `95-99`, `100+`.
pub fn age_group(age: u64) -> String {
    if age >= OPEN_AGE {
        format!("{OPEN_AGE}+")
    } else {
        let low = age / 5 * 5;
        format!("{low:02}-{:02}", low + 4)
    }
}

fn rows<'a>(row: &'a Value, roster: &str) -> impl Iterator<Item = &'a Value> {
    row.get("rosters")
        .and_then(|r| r.get(roster))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// Counts the persons and households of the stored household cases coverage counts, each
/// read with its own questionnaire's coverage block (one of `questionnaires`); a case of
/// another questionnaire is counted as unread, a questionnaire without the block refused.
pub async fn count(
    store: &dyn Storage,
    questionnaires: &[Arc<Questionnaire>],
) -> Result<Tabulated, String> {
    let mut t = Tabulated::default();
    crate::export::each_case(store, |c| {
        if !matches!(c.status.as_str(), "complete" | "in_progress") {
            return Ok(());
        }
        let Some(q) = questionnaires
            .iter()
            .find(|q| q.id() == c.questionnaire_id && q.version() == c.questionnaire_version)
        else {
            t.unread += 1;
            return Ok(());
        };
        let map = q.coverage_items().map_err(|e| e.to_string())?;
        if map.population == Population::Collective {
            return Ok(());
        }
        let mut size = 0;
        if let Some(root) = c.case.get("root") {
            let persons: Vec<&Value> = match &map.households {
                Some(households) => rows(root, households)
                    .flat_map(|household| rows(household, &map.persons))
                    .collect(),
                None => rows(root, &map.persons).collect(),
            };
            for person in persons {
                size += 1;
                let answer = |id: &str| person.get("answers").and_then(|a| a.get(id));
                let sex = answer(SEX_ITEM)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let group = answer(AGE_ITEM)
                    .and_then(Value::as_u64)
                    .map(age_group)
                    .unwrap_or_default();
                *t.by_sex_age.entry((group, sex)).or_default() += 1;
            }
        }
        t.persons += size;
        t.households += 1;
        *t.by_size.entry(size).or_default() += 1;
        Ok(())
    })
    .await?;
    Ok(t)
}

/// Writes the tables into `out` (new or empty), all or nothing; each case is read with its
/// questionnaire among `questionnaires`, the first gives the sex labels.
pub async fn tabulate(
    store: &dyn Storage,
    out: &Path,
    questionnaires: &[Arc<Questionnaire>],
) -> Result<Tabulated, String> {
    let q = questionnaires
        .first()
        .ok_or_else(|| "no questionnaire to tabulate with".to_owned())?;
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let rules = CoverageRules::new(&today, &today);
    let gathered = store
        .gather_coverage(&Scope::All, &rules)
        .await
        .map_err(|e| format!("cannot read the coverage summaries: {e}"))?;
    let report = assemble(gathered, rules);
    let mut t = count(store, questionnaires).await?;
    t.persons_apart = report.totals.persons_apart;
    t.establishments = report.totals.establishments;
    let sexes: Vec<(String, String)> = q
        .question(SEX_ITEM)
        .map(|s| {
            s.choices("fr")
                .into_iter()
                .map(|(c, l)| (c.to_owned(), l.to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let population = population_csv(&report);
    let staging = crate::export::staging_for(out)?;
    let dir = staging.path();
    write(dir, "population_by_area.csv", &population)?;
    write(dir, "population_by_sex_age.csv", &sex_age_csv(&t, &sexes))?;
    write(dir, "households_by_size.csv", &size_csv(&t))?;
    let national = report
        .level(Level::National)
        .next()
        .map_or(0, |a| a.counts.persons);
    write(dir, "index.html", &html(&t, &sexes, &population, national))?;
    crate::export::sync_dir(dir)?;
    crate::export::move_into_place(staging, out)?;
    Ok(t)
}

fn write(dir: &Path, name: &str, text: &str) -> Result<(), String> {
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Age groups present, youngest first, the unknown age last.
fn groups(t: &Tabulated) -> Vec<String> {
    let mut g: Vec<String> = (0..OPEN_AGE / 5).map(|i| age_group(i * 5)).collect();
    g.push(age_group(OPEN_AGE));
    if t.by_sex_age.keys().any(|(a, _)| a.is_empty()) {
        g.push(String::new());
    }
    g
}

fn cell(t: &Tabulated, group: &str, sex: &str) -> u64 {
    t.by_sex_age
        .get(&(group.to_owned(), sex.to_owned()))
        .copied()
        .unwrap_or(0)
}

/// `age_group,<sex code>…,unknown_sex,total`, one row per group and a total row.
pub fn sex_age_csv(t: &Tabulated, sexes: &[(String, String)]) -> String {
    let mut out = String::from("age_group");
    for (code, label) in sexes {
        let _ = write!(out, ",{}", csv_field(&format!("{code} {label}")));
    }
    out.push_str(",unknown_sex,total\n");
    let known: Vec<&str> = sexes.iter().map(|(c, _)| c.as_str()).collect();
    let mut totals = vec![0u64; sexes.len() + 2];
    for g in groups(t) {
        let mut row = Vec::new();
        for code in &known {
            row.push(cell(t, &g, code));
        }
        let unknown: u64 = t
            .by_sex_age
            .iter()
            .filter(|((a, s), _)| *a == g && !known.contains(&s.as_str()))
            .map(|(_, n)| n)
            .sum();
        row.push(unknown);
        row.push(row.iter().sum());
        for (t, n) in totals.iter_mut().zip(&row) {
            *t += n;
        }
        let name = if g.is_empty() { "unknown" } else { &g };
        let cells: Vec<String> = row.iter().map(u64::to_string).collect();
        let _ = writeln!(out, "{name},{}", cells.join(","));
    }
    let cells: Vec<String> = totals.iter().map(u64::to_string).collect();
    let _ = writeln!(out, "total,{}", cells.join(","));
    out
}

/// `persons,households`, one row per household size.
pub fn size_csv(t: &Tabulated) -> String {
    let mut out = String::from("persons,households\n");
    for (size, n) in &t.by_size {
        let _ = writeln!(out, "{size},{n}");
    }
    out
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The population pyramid: first sex code on the left, second on the right.
fn pyramid(t: &Tabulated, sexes: &[(String, String)]) -> String {
    let all: Vec<String> = groups(t).into_iter().filter(|g| !g.is_empty()).collect();
    let (left, right) = match sexes {
        [a, b, ..] => (a, b),
        _ => return String::new(),
    };
    let max = all
        .iter()
        .flat_map(|g| [cell(t, g, &left.0), cell(t, g, &right.0)])
        .max()
        .unwrap_or(0)
        .max(1);
    let (bar_h, half, label_w) = (14u64, 240u64, 60u64);
    let height = bar_h * all.len() as u64 + 30;
    let width = 2 * half + label_w;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         role=\"img\" aria-label=\"population pyramid\">\n"
    );
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"12\" text-anchor=\"end\">{}</text><text x=\"{}\" y=\"12\">{}</text>",
        half - 4,
        esc(&left.1),
        half + label_w + 4,
        esc(&right.1)
    );
    for (i, g) in all.iter().rev().enumerate() {
        let y = 20 + i as u64 * bar_h;
        let l = cell(t, g, &left.0) * half / max;
        let r = cell(t, g, &right.0) * half / max;
        let _ = writeln!(
            s,
            "<rect x=\"{}\" y=\"{y}\" width=\"{l}\" height=\"{}\" fill=\"#4a7ab5\"/>\
             <rect x=\"{}\" y=\"{y}\" width=\"{r}\" height=\"{}\" fill=\"#c0504d\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            half - l,
            bar_h - 2,
            half + label_w,
            bar_h - 2,
            half + label_w / 2,
            y + bar_h - 4,
            esc(g)
        );
    }
    s.push_str("</svg>\n");
    s
}

fn csv_table(csv: &str) -> String {
    let mut s = String::from("<table>\n");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes());
    for (i, rec) in reader.records().flatten().enumerate() {
        let tag = if i == 0 { "th" } else { "td" };
        s.push_str("<tr>");
        for f in rec.iter() {
            let _ = write!(s, "<{tag}>{}</{tag}>", esc(f));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
    s
}

/// The HTML page: totals, pyramid, and the three tables.
fn html(t: &Tabulated, sexes: &[(String, String)], population: &str, national: u64) -> String {
    let mut s = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\
         <title>Provisional results</title>\n<style>body{font-family:sans-serif;margin:2em}\
         table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;\
         padding:2px 8px;text-align:right}</style></head><body>\n",
    );
    let _ = writeln!(
        s,
        "<h1>Provisional results</h1>\n<p>Legal population: <strong>{national}</strong> \
         persons in {} households.</p>\n<p>Population counted apart (collective living \
         quarters): <strong>{}</strong> persons in {} establishments.</p>",
        t.households, t.persons_apart, t.establishments
    );
    if t.unread > 0 {
        let _ = writeln!(
            s,
            "<p>{} cases of questionnaires not given to the tabulation were not read.</p>",
            t.unread
        );
    }
    s.push_str("<h2>Population pyramid</h2>\n");
    s.push_str(&pyramid(t, sexes));
    s.push_str("<h2>Population by sex and age group</h2>\n");
    s.push_str(&csv_table(&sex_age_csv(t, sexes)));
    s.push_str("<h2>Households by size</h2>\n");
    s.push_str(&csv_table(&size_csv(t)));
    s.push_str("<h2>Population by region, province and commune</h2>\n");
    s.push_str(&csv_table(population));
    s.push_str("</body></html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_groups_are_five_years_with_an_open_end() {
        assert_eq!(age_group(0), "00-04");
        assert_eq!(age_group(4), "00-04");
        assert_eq!(age_group(5), "05-09");
        assert_eq!(age_group(99), "95-99");
        assert_eq!(age_group(100), "100+");
        assert_eq!(age_group(120), "100+");
    }
}
