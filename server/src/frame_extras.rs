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

/// Reads district extents.
pub fn read_extents(input: impl Read) -> Result<Vec<DistrictExtent>, String> {
    let mut out = Vec::new();
    for (line, r) in rows(
        input,
        &["district_id", "lat_min", "lat_max", "lon_min", "lon_max"],
    )? {
        let bbox = BoundingBox {
            lat_min: number(line, "lat_min", &r[1])?,
            lat_max: number(line, "lat_max", &r[2])?,
            lon_min: number(line, "lon_min", &r[3])?,
            lon_max: number(line, "lon_max", &r[4])?,
        };
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
            (lat, lon) => Some((number(line, "lat", lat)?, number(line, "lon", lon)?)),
        };
        if r[0].is_empty() {
            return Err(format!("line {line}: empty district id"));
        }
        out.push(FrameBuildingRow {
            district_id: r[0].clone(),
            building_number: number(line, "building_number", &r[1])?,
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
}
