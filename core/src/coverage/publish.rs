//! What the office publishes from coverage: the provisional legal population and households
//! by administrative unit, and the sampling frame for the next decade's surveys. Both are
//! CSV (RFC 4180, UTF-8, `\n` line ends).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::types::{CoverageReport, Level};

/// A district's GPS centroid (mean of its households' positions) and how many positions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Centroid {
    /// Mean latitude.
    pub lat: f64,
    /// Mean longitude.
    pub lon: f64,
    /// Positions averaged.
    pub points: u64,
}

/// Quotes a CSV field when it needs it.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Provisional population: one row per region, province and commune (and the national
/// total): households enumerated (complete or in progress) and the persons in them, then
/// the population counted apart: collective living quarters enumerated and the persons in
/// them (not in `persons`).
pub fn population_csv(report: &CoverageReport) -> String {
    let mut out =
        String::from("level,area_id,districts,households,persons,establishments,persons_apart\n");
    for level in [
        Level::National,
        Level::Region,
        Level::Province,
        Level::Commune,
    ] {
        for area in report.level(level) {
            let c = &area.counts;
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{}",
                level.as_str(),
                csv_field(&area.id),
                area.districts,
                c.complete + c.in_progress,
                c.persons,
                c.establishments,
                c.persons_apart
            );
        }
    }
    out
}

/// The sampling frame: per district, its place in the hierarchy, dwellings listed (and
/// occupied), households enumerated, persons, and the GPS centroid when positions exist.
pub fn sampling_frame_csv(
    report: &CoverageReport,
    hierarchy: &BTreeMap<String, [String; 5]>,
    centroids: &BTreeMap<String, Centroid>,
) -> String {
    let mut out = String::from(
        "district_id,control_sector,supervision_zone,commune,province,region,\
         dwellings,occupied_dwellings,households,persons,centroid_lat,centroid_lon\n",
    );
    for area in report.level(Level::District) {
        let c = &area.counts;
        let levels = hierarchy.get(&area.id);
        let _ = write!(out, "{}", csv_field(&area.id));
        for i in 0..5 {
            let name = levels.and_then(|l| l.get(i)).map_or("", String::as_str);
            let _ = write!(out, ",{}", csv_field(name));
        }
        let _ = write!(
            out,
            ",{},{},{},{}",
            c.listed_dwellings,
            c.occupied_dwellings,
            c.complete + c.in_progress,
            c.persons
        );
        match centroids.get(&area.id) {
            Some(p) if p.points > 0 => {
                let _ = writeln!(out, ",{:.6},{:.6}", p.lat, p.lon);
            }
            _ => out.push_str(",,\n"),
        }
    }
    out
}
