//! Census frame import: districts from CSV, with a long-form random start drawn per
//! district from the system CSPRNG.
//!
//! Header (names, any order): `district_id, control_sector, supervision_zone, commune,
//! province, region, expected_buildings, expected_dwellings, expected_households`, and
//! optionally `long_form_rate_per_mille` (default 200) and `take_all` (`true`/`false`,
//! `yes`/`no`, `1`/`0`; default false).

use std::io::Read;

use census_core::sampling::{DEFAULT_RATE_PER_MILLE, SamplingPlan};

use crate::secrets::random_u64;
use crate::store::District;

const REQUIRED: [&str; 9] = [
    "district_id",
    "control_sector",
    "supervision_zone",
    "commune",
    "province",
    "region",
    "expected_buildings",
    "expected_dwellings",
    "expected_households",
];

/// Reads the frame CSV; errors name the line and the column.
pub fn read_frame(input: impl Read) -> Result<Vec<District>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| format!("cannot read the header: {e}"))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let mut idx = Vec::new();
    for name in REQUIRED {
        idx.push(col(name).ok_or_else(|| format!("missing column {name:?}"))?);
    }
    let rate_col = col("long_form_rate_per_mille");
    let take_all_col = col("take_all");
    let mut out = Vec::new();
    let mut lines = std::collections::BTreeMap::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.map_err(|e| format!("line {line}: {e}"))?;
        let text = |i: usize| record.get(i).unwrap_or("").to_owned();
        let number = |i: usize, name: &str| -> Result<u32, String> {
            text(i)
                .parse::<u32>()
                .map_err(|_| format!("line {line}, column {name}: {:?} is not a count", text(i)))
        };
        let district_id = text(idx[0]);
        if district_id.is_empty() {
            return Err(format!("line {line}: district_id is empty"));
        }
        if let Some(first) = lines.insert(district_id.clone(), line) {
            return Err(format!(
                "line {line}: district {district_id} is already on line {first} (a frame lists \
                 each district once); nothing was imported"
            ));
        }
        let rate = match rate_col.map(text).filter(|s| !s.is_empty()) {
            None => DEFAULT_RATE_PER_MILLE,
            Some(s) => s
                .parse::<u16>()
                .ok()
                .filter(|r| *r <= 1000)
                .ok_or_else(|| {
                    format!("line {line}, column long_form_rate_per_mille: {s:?} is not 0–1000")
                })?,
        };
        let take_all = match take_all_col
            .map(text)
            .unwrap_or_default()
            .to_lowercase()
            .as_str()
        {
            "" | "false" | "no" | "0" => false,
            "true" | "yes" | "1" => true,
            other => {
                return Err(format!(
                    "line {line}, column take_all: {other:?} is not yes/no"
                ));
            }
        };
        let sampling = if take_all {
            SamplingPlan::all_households()
        } else {
            SamplingPlan::systematic(rate, random_u64()?)
                .map_err(|e| format!("line {line}: {e}"))?
        };
        out.push(District {
            district_id,
            control_sector: text(idx[1]),
            supervision_zone: text(idx[2]),
            commune: text(idx[3]),
            province: text(idx[4]),
            region: text(idx[5]),
            expected_buildings: number(idx[6], REQUIRED[6])?,
            expected_dwellings: number(idx[7], REQUIRED[7])?,
            expected_households: number(idx[8], REQUIRED[8])?,
            sampling,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "district_id,control_sector,supervision_zone,commune,province,region,\
expected_buildings,expected_dwellings,expected_households,long_form_rate_per_mille,take_all\n";

    #[test]
    fn reads_districts_and_draws_starts() {
        let csv = format!(
            "{HEADER}DR-1,CS-1,ZS-1,Rabat,Rabat,RSK,80,240,250,200,no\n\
             DR-2,CS-1,ZS-1,Tiddas,Khemisset,RSK,20,40,41,,yes\n"
        );
        let d = read_frame(csv.as_bytes()).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].expected_households, 250);
        assert_eq!(d[0].sampling.rate_per_mille, 200);
        assert!(d[0].sampling.random_start < 1000);
        assert!(d[1].sampling.take_all);
    }

    #[test]
    fn a_district_listed_twice_is_refused() {
        let csv = format!(
            "{HEADER}DR-1,CS-1,ZS-1,Rabat,Rabat,RSK,80,240,250,200,no\n\
             DR-2,CS-1,ZS-1,Rabat,Rabat,RSK,80,240,250,200,no\n\
             DR-1,CS-1,ZS-1,Tiddas,Khemisset,RSK,20,40,41,,yes\n"
        );
        let e = read_frame(csv.as_bytes()).unwrap_err();
        assert!(
            e.contains("line 4") && e.contains("line 2") && e.contains("DR-1"),
            "{e}"
        );
    }

    #[test]
    fn errors_name_line_and_column() {
        let csv = format!("{HEADER}DR-1,CS-1,ZS-1,R,R,R,80,many,250,200,no\n");
        let e = read_frame(csv.as_bytes()).unwrap_err();
        assert!(
            e.contains("line 2") && e.contains("expected_dwellings"),
            "{e}"
        );
        let e = read_frame("district_id\nDR-1\n".as_bytes()).unwrap_err();
        assert!(e.contains("control_sector"), "{e}");
        let csv = format!("{HEADER}DR-1,CS-1,ZS-1,R,R,R,80,1,250,1200,no\n");
        assert!(read_frame(csv.as_bytes()).unwrap_err().contains("0–1000"));
    }
}
