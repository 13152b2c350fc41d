//! Optional parts of the frame, from CSV: district extents (`district_id,lat_min,lat_max,
//! lon_min,lon_max`) and cartography's buildings (`district_id,building_number,lat,lon,
//! description`; lat/lon may be empty). A bad row is reported with its line number and
//! nothing is imported.

use std::io::Read;

use census_core::coverage::BoundingBox;

use crate::store::{DistrictExtent, FrameBuildingRow};

fn rows(input: impl Read, columns: &[&str]) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("cannot read the header: {e}"))?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut index = Vec::new();
    for c in columns {
        let i = header
            .iter()
            .position(|h| h == c)
            .ok_or_else(|| format!("missing column {c:?}"))?;
        index.push(i);
    }
    let mut out = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.map_err(|e| format!("line {line}: {e}"))?;
        out.push((
            line,
            index
                .iter()
                .map(|&i| record.get(i).unwrap_or("").to_owned())
                .collect(),
        ));
    }
    Ok(out)
}

fn number<T: std::str::FromStr>(line: usize, column: &str, text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("line {line}: {column} {text:?} is not a valid number"))
}

/// A latitude or longitude: finite and within ±`limit` degrees.
fn degrees(line: usize, column: &str, text: &str, limit: f64) -> Result<f64, String> {
    let v: f64 = number(line, column, text)?;
    if !v.is_finite() || v.abs() > limit {
        return Err(format!(
            "line {line}: {column} {text:?} is not a position on the Earth (finite, at most \
             {limit} degrees either way)"
        ));
    }
    Ok(v)
}

/// Refuses a second row for the same key.
fn once<K: Ord + std::fmt::Display>(
    seen: &mut std::collections::BTreeMap<K, usize>,
    key: K,
    line: usize,
) -> Result<(), String> {
    let shown = key.to_string();
    match seen.insert(key, line) {
        Some(first) => Err(format!("line {line}: {shown} is already on line {first}")),
        None => Ok(()),
    }
}

/// Reads district extents.
pub fn read_extents(input: impl Read) -> Result<Vec<DistrictExtent>, String> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeMap::new();
    for (line, r) in rows(
        input,
        &["district_id", "lat_min", "lat_max", "lon_min", "lon_max"],
    )? {
        let bbox = BoundingBox {
            lat_min: degrees(line, "lat_min", &r[1], 90.0)?,
            lat_max: degrees(line, "lat_max", &r[2], 90.0)?,
            lon_min: degrees(line, "lon_min", &r[3], 180.0)?,
            lon_max: degrees(line, "lon_max", &r[4], 180.0)?,
        };
        once(&mut seen, format!("district {}", r[0]), line)?;
        if r[0].is_empty() || bbox.lat_min > bbox.lat_max || bbox.lon_min > bbox.lon_max {
            return Err(format!(
                "line {line}: an empty district id or an inverted box"
            ));
        }
        out.push(DistrictExtent {
            district_id: r[0].clone(),
            bbox,
            boundary: None,
        });
    }
    Ok(out)
}

/// Reads frame buildings.
pub fn read_buildings(input: impl Read) -> Result<Vec<FrameBuildingRow>, String> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeMap::new();
    for (line, r) in rows(
        input,
        &[
            "district_id",
            "building_number",
            "lat",
            "lon",
            "description",
        ],
    )? {
        let gps = match (r[2].as_str(), r[3].as_str()) {
            ("", "") => None,
            (lat, lon) => Some((
                degrees(line, "lat", lat, 90.0)?,
                degrees(line, "lon", lon, 180.0)?,
            )),
        };
        if r[0].is_empty() {
            return Err(format!("line {line}: empty district id"));
        }
        let building_number = number(line, "building_number", &r[1])?;
        once(
            &mut seen,
            format!("building {building_number} of district {}", r[0]),
            line,
        )?;
        out.push(FrameBuildingRow {
            district_id: r[0].clone(),
            building_number,
            gps,
            description: r[4].clone(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_good_rows_and_names_the_bad_line() {
        let ok = read_extents(
            "district_id,lat_min,lat_max,lon_min,lon_max\nD1,31,31.01,-8,-7.99\n".as_bytes(),
        );
        assert_eq!(ok.map(|v| v.len()), Ok(1));
        let bad = read_extents(
            "district_id,lat_min,lat_max,lon_min,lon_max\nD1,31,x,-8,-7.99\n".as_bytes(),
        );
        assert_eq!(
            bad,
            Err("line 2: lat_max \"x\" is not a valid number".into())
        );
        let b = read_buildings(
            "district_id,building_number,lat,lon,description\nD1,4,,,near the mosque\n".as_bytes(),
        )
        .unwrap_or_default();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].gps, None);
        assert!(read_buildings("district_id\nD1\n".as_bytes()).is_err());
    }

    #[test]
    fn infinite_or_missing_numbers_and_repeated_rows_are_refused() {
        let header = "district_id,lat_min,lat_max,lon_min,lon_max\n";
        for bad in ["NaN", "inf", "-inf", "1e400", "91"] {
            let text = format!("{header}D1,31,{bad},-8,-7.99\n");
            let e = read_extents(text.as_bytes()).unwrap_err();
            assert!(e.starts_with("line 2: lat_max"), "{bad}: {e}");
        }
        let twice = format!("{header}D1,31,31.01,-8,-7.99\nD1,32,32.01,-8,-7.99\n");
        let e = read_extents(twice.as_bytes()).unwrap_err();
        assert!(e.contains("line 3") && e.contains("line 2"), "{e}");
        let b = "district_id,building_number,lat,lon,description\nD1,4,NaN,-8,x\n";
        assert!(read_buildings(b.as_bytes()).unwrap_err().contains("lat"));
    }
}
