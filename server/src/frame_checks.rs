//! Checks made before district extents, boundaries or cartography's buildings are imported,
//! against what the office already holds: every district must be in the frame, and
//! positions must not be latitude-first (GeoJSON is `[longitude, latitude]`; a swapped file
//! for Morocco still has every number in range, so it is caught by where the district
//! should be: its stored box or its households' positions, the box of every district the
//! office knows, and the middle of the file itself). One bad row or feature refuses the
//! whole file, by its line or feature number, and nothing is imported.

use std::collections::{BTreeMap, BTreeSet};

use census_core::coverage::{BoundingBox, CoverageRules};

use crate::store::{DistrictExtent, FrameBuildingRow, Scope, Storage};

/// How a file's items are named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// CSV rows after a header: item `i` is on line `i + 2`.
    CsvLines,
    /// GeoJSON features: item `i` is feature `i + 1`.
    Features,
}

impl Rows {
    fn name(self, i: usize, district: &str) -> String {
        match self {
            Rows::CsvLines => format!("line {} ({district})", i + 2),
            Rows::Features => format!("feature {} ({district})", i + 1),
        }
    }
}

/// A box is "near" a reference when no further than this many degrees from it, and "far"
/// beyond twice that (a box in between is neither: no verdict)…
const NEAR_OWN: f64 = 0.5;
/// …from the box of every district the office knows…
const NEAR_COUNTRY: f64 = 2.0;
/// …or from the middle of the file.
const NEAR_FILE: f64 = 10.0;

/// Whether `b` is a box of real positions on the Earth.
pub fn on_earth(b: &BoundingBox) -> bool {
    [b.lat_min, b.lat_max, b.lon_min, b.lon_max]
        .iter()
        .all(|v| v.is_finite())
        && b.lat_min.abs() <= 90.0
        && b.lat_max.abs() <= 90.0
        && b.lon_min.abs() <= 180.0
        && b.lon_max.abs() <= 180.0
        && b.lat_min <= b.lat_max
        && b.lon_min <= b.lon_max
}

fn swapped(b: &BoundingBox) -> BoundingBox {
    BoundingBox {
        lat_min: b.lon_min,
        lat_max: b.lon_max,
        lon_min: b.lat_min,
        lon_max: b.lat_max,
    }
}

fn union(a: Option<BoundingBox>, b: &BoundingBox) -> BoundingBox {
    match a {
        None => *b,
        Some(a) => BoundingBox {
            lat_min: a.lat_min.min(b.lat_min),
            lat_max: a.lat_max.max(b.lat_max),
            lon_min: a.lon_min.min(b.lon_min),
            lon_max: a.lon_max.max(b.lon_max),
        },
    }
}

fn point(lat: f64, lon: f64) -> BoundingBox {
    BoundingBox {
        lat_min: lat,
        lat_max: lat,
        lon_min: lon,
        lon_max: lon,
    }
}

/// Whether `b` lies within `margin` degrees of `r`.
fn near(b: &BoundingBox, r: &BoundingBox, margin: f64) -> bool {
    let gap = |lo: f64, hi: f64, rlo: f64, rhi: f64| (rlo - hi).max(lo - rhi).max(0.0);
    gap(b.lat_min, b.lat_max, r.lat_min, r.lat_max) <= margin
        && gap(b.lon_min, b.lon_max, r.lon_min, r.lon_max) <= margin
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

/// Where districts are expected, from the office's data and the file being imported.
struct References {
    own: BTreeMap<String, BoundingBox>,
    country: Option<BoundingBox>,
    file_middle: Option<BoundingBox>,
}

impl References {
    async fn load(store: &dyn Storage, file: &[BoundingBox]) -> Result<References, String> {
        let gathered = store
            .gather_coverage(&Scope::All, &CoverageRules::new("2000-01-01", "2000-01-01"))
            .await
            .map_err(|e| format!("cannot read the stored district extents: {e}"))?;
        let mut own = BTreeMap::new();
        for d in gathered.districts {
            if let Some(b) = d.bbox.filter(on_earth) {
                own.insert(d.district_id, b);
            }
        }
        let centroids = store
            .centroids(&Scope::All)
            .await
            .map_err(|e| format!("cannot read the households' positions: {e}"))?;
        for (district, c) in centroids {
            let p = point(c.lat, c.lon);
            if on_earth(&p) {
                own.entry(district).or_insert(p);
            }
        }
        let country = own.values().fold(None, |acc, b| Some(union(acc, b)));
        let centre =
            |b: &BoundingBox| ((b.lat_min + b.lat_max) / 2.0, (b.lon_min + b.lon_max) / 2.0);
        let file_middle = match (
            median(file.iter().map(|b| centre(b).0).collect()),
            median(file.iter().map(|b| centre(b).1).collect()),
        ) {
            (Some(lat), Some(lon)) if file.len() >= 3 => Some(point(lat, lon)),
            _ => None,
        };
        Ok(References {
            own,
            country,
            file_middle,
        })
    }

    /// Refuses `b` when it is far from a reference that its swapped reading fits.
    fn check(&self, district: &str, b: &BoundingBox) -> Result<(), String> {
        let refs = [
            (
                self.own.get(district).copied(),
                NEAR_OWN,
                "where the office has the district",
            ),
            (
                self.country,
                NEAR_COUNTRY,
                "every district the office knows",
            ),
            (self.file_middle, NEAR_FILE, "the middle of this file"),
        ];
        for (reference, margin, what) in refs {
            let Some(r) = reference else { continue };
            if !near(b, &r, 2.0 * margin) && near(&swapped(b), &r, margin) {
                return Err(format!(
                    "the positions look latitude-first (swapped): as written they lie at \
                     latitude {:.4}…{:.4}, longitude {:.4}…{:.4}, far from {what} (latitude \
                     {:.4}…{:.4}, longitude {:.4}…{:.4}); swapped they would fit (GeoJSON \
                     positions are [longitude, latitude])",
                    b.lat_min,
                    b.lat_max,
                    b.lon_min,
                    b.lon_max,
                    r.lat_min,
                    r.lat_max,
                    r.lon_min,
                    r.lon_max
                ));
            }
        }
        Ok(())
    }
}

/// The named items whose district is not in the frame.
async fn check_in_frame<'a>(
    store: &dyn Storage,
    districts: impl Iterator<Item = &'a str> + Clone,
    rows: Rows,
) -> Result<(), String> {
    let ids: BTreeSet<String> = districts.clone().map(str::to_owned).collect();
    let ids: Vec<String> = ids.into_iter().collect();
    let known: BTreeSet<String> = store
        .districts(&ids)
        .await
        .map_err(|e| format!("cannot read the frame: {e}"))?
        .into_iter()
        .map(|d| d.district_id)
        .collect();
    match districts.enumerate().find(|(_, d)| !known.contains(*d)) {
        None => Ok(()),
        Some((i, d)) => Err(format!(
            "{}: district {d} is not in the frame (import the frame first); nothing was \
             imported",
            rows.name(i, d)
        )),
    }
}

/// Checks district extents or boundaries (see the module documentation), then imports them
/// all in one transaction. Returns how many.
pub async fn import_extents(
    store: &dyn Storage,
    extents: &[DistrictExtent],
    rows: Rows,
) -> Result<usize, String> {
    for (i, e) in extents.iter().enumerate() {
        if !on_earth(&e.bbox) {
            return Err(format!(
                "{}: the extent is not a box of finite positions on the Earth; nothing was \
                 imported",
                rows.name(i, &e.district_id)
            ));
        }
    }
    check_in_frame(store, extents.iter().map(|e| e.district_id.as_str()), rows).await?;
    let boxes: Vec<BoundingBox> = extents.iter().map(|e| e.bbox).collect();
    let refs = References::load(store, &boxes).await?;
    for (i, e) in extents.iter().enumerate() {
        refs.check(&e.district_id, &e.bbox).map_err(|m| {
            format!(
                "{}: {m}; nothing was imported",
                rows.name(i, &e.district_id)
            )
        })?;
    }
    store
        .import_extents(extents)
        .await
        .map_err(|e| format!("nothing was imported: {e}"))
}

/// Checks cartography's buildings (districts in the frame, positions not latitude-first),
/// then imports them all in one transaction. Returns how many.
pub async fn import_buildings(
    store: &dyn Storage,
    buildings: &[FrameBuildingRow],
) -> Result<usize, String> {
    let rows = Rows::CsvLines;
    check_in_frame(
        store,
        buildings.iter().map(|b| b.district_id.as_str()),
        rows,
    )
    .await?;
    let points: Vec<(usize, &FrameBuildingRow, BoundingBox)> = buildings
        .iter()
        .enumerate()
        .filter_map(|(i, b)| b.gps.map(|(lat, lon)| (i, b, point(lat, lon))))
        .collect();
    let boxes: Vec<BoundingBox> = points.iter().map(|p| p.2).collect();
    let refs = References::load(store, &boxes).await?;
    for (i, b, p) in &points {
        refs.check(&b.district_id, p).map_err(|m| {
            format!(
                "{}: {m}; nothing was imported",
                rows.name(*i, &b.district_id)
            )
        })?;
    }
    store
        .import_frame_buildings(buildings)
        .await
        .map_err(|e| format!("nothing was imported: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(lat: f64, lon: f64) -> BoundingBox {
        BoundingBox {
            lat_min: lat,
            lat_max: lat + 0.01,
            lon_min: lon,
            lon_max: lon + 0.01,
        }
    }

    #[test]
    fn only_a_swap_that_fits_is_called_latitude_first() {
        // Morocco: Rabat known; the file's middle near Casablanca.
        let refs = References {
            own: BTreeMap::from([("DR-1".to_owned(), square(34.0, -6.85))]),
            country: Some(square(34.0, -6.85)),
            file_middle: Some(point(33.6, -7.6)),
        };
        assert!(refs.check("DR-1", &square(34.0, -6.85)).is_ok());
        assert!(refs.check("DR-1", &square(-6.85, 34.0)).is_err());
        assert!(refs.check("DR-2", &square(-6.6, 34.2)).is_err());
        // Dakhla, far south but longitude first: not a swap.
        assert!(refs.check("DR-9", &square(23.7, -15.9)).is_ok());
        // Far from everything both ways (a correction, or another country): no verdict.
        assert!(refs.check("DR-1", &square(48.0, 2.3)).is_ok());
        // On the diagonal a swap changes nothing: never called swapped.
        assert!(refs.check("DR-3", &square(20.0, 20.0)).is_ok());
    }

    #[test]
    fn boxes_off_the_earth_are_not_on_earth() {
        assert!(on_earth(&square(34.0, -6.85)));
        assert!(!on_earth(&square(f64::NAN, -6.85)));
        assert!(!on_earth(&square(34.0, f64::INFINITY)));
        assert!(!on_earth(&square(95.0, 0.0)));
    }
}
