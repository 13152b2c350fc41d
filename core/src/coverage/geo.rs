//! Distances on the Earth's surface, for duplicates nearby and interviews outside a district.

use serde::{Deserialize, Serialize};

use super::types::{BoundingBox, FrameDistrict};
use crate::value::GpsPoint;

const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Metres per degree of latitude (and of longitude at the equator).
pub const METRES_PER_DEGREE: f64 = 111_320.0;

/// Great-circle distance between two points, in metres (haversine).
pub fn distance_m(a: &GpsPoint, b: &GpsPoint) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// How far `point` lies outside `bbox`, in metres (0 inside).
pub fn metres_outside(point: &GpsPoint, bbox: &BoundingBox) -> f64 {
    let nearest = GpsPoint {
        lat: point.lat.clamp(bbox.lat_min, bbox.lat_max),
        lon: point.lon.clamp(bbox.lon_min, bbox.lon_max),
        accuracy_m: None,
    };
    distance_m(point, &nearest)
}

/// A district's boundary as cartography draws it: rings of `[longitude, latitude]` vertices
/// (GeoJSON's order), outer rings and holes alike. A point is inside when a ray from it
/// crosses the rings an odd number of times, so one Polygon with holes and a MultiPolygon
/// of separate parts are both read right.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Boundary {
    /// The rings (closed or not: the last vertex joins the first).
    pub rings: Vec<Vec<[f64; 2]>>,
}

impl Boundary {
    /// A boundary of at least one ring of three vertices, all finite and on the Earth.
    pub fn new(rings: Vec<Vec<[f64; 2]>>) -> Result<Boundary, String> {
        if rings.is_empty() {
            return Err("a boundary needs at least one ring".into());
        }
        for (i, ring) in rings.iter().enumerate() {
            if ring.len() < 3 {
                return Err(format!(
                    "ring {} has {} vertices; at least 3",
                    i + 1,
                    ring.len()
                ));
            }
            if let Some([lon, lat]) = ring.iter().find(|[lon, lat]| {
                !(lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0)
            }) {
                return Err(format!(
                    "ring {} has a vertex off the Earth: [{lon}, {lat}] (longitude first)",
                    i + 1
                ));
            }
        }
        Ok(Boundary { rings })
    }

    /// The box around every vertex.
    pub fn bbox(&self) -> BoundingBox {
        let mut b = BoundingBox {
            lat_min: f64::INFINITY,
            lat_max: f64::NEG_INFINITY,
            lon_min: f64::INFINITY,
            lon_max: f64::NEG_INFINITY,
        };
        for [lon, lat] in self.rings.iter().flatten() {
            b.lat_min = b.lat_min.min(*lat);
            b.lat_max = b.lat_max.max(*lat);
            b.lon_min = b.lon_min.min(*lon);
            b.lon_max = b.lon_max.max(*lon);
        }
        b
    }

    fn edges(&self) -> impl Iterator<Item = ([f64; 2], [f64; 2])> + '_ {
        self.rings.iter().flat_map(|ring| {
            ring.iter()
                .zip(ring.iter().cycle().skip(1))
                .map(|(a, b)| (*a, *b))
        })
    }

    /// Whether `point` lies inside (even-odd rule over every ring).
    pub fn contains(&self, point: &GpsPoint) -> bool {
        let (x, y) = (point.lon, point.lat);
        let mut inside = false;
        for ([x1, y1], [x2, y2]) in self.edges() {
            if (y1 > y) != (y2 > y) && x < x1 + (y - y1) * (x2 - x1) / (y2 - y1) {
                inside = !inside;
            }
        }
        inside
    }

    /// How far `point` lies outside, in metres (0 inside): the distance to the nearest edge,
    /// measured on a plane tangent at the point (exact enough at a district's scale).
    pub fn metres_outside(&self, point: &GpsPoint) -> f64 {
        if self.contains(point) {
            return 0.0;
        }
        let scale_x = METRES_PER_DEGREE * point.lat.to_radians().cos();
        let local = |[lon, lat]: [f64; 2]| {
            (
                (lon - point.lon) * scale_x,
                (lat - point.lat) * METRES_PER_DEGREE,
            )
        };
        self.edges()
            .map(|(a, b)| {
                let ((ax, ay), (bx, by)) = (local(a), local(b));
                let (dx, dy) = (bx - ax, by - ay);
                let length2 = dx * dx + dy * dy;
                let t = if length2 > 0.0 {
                    (-(ax * dx + ay * dy) / length2).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                (ax + t * dx).hypot(ay + t * dy)
            })
            .fold(f64::INFINITY, f64::min)
    }
}

/// How far `point` lies outside a district of this `boundary` or, without one, this `bbox`,
/// in metres; `None` when the district has neither.
pub fn metres_outside_shape(
    point: &GpsPoint,
    bbox: Option<&BoundingBox>,
    boundary: Option<&Boundary>,
) -> Option<f64> {
    match (boundary, bbox) {
        (Some(boundary), _) => Some(boundary.metres_outside(point)),
        (None, Some(bbox)) => Some(metres_outside(point, bbox)),
        (None, None) => None,
    }
}

/// How far `point` lies outside `district` in metres: by its boundary when cartography drew
/// one, else by its box; `None` when the district has neither.
pub fn metres_outside_district(point: &GpsPoint, district: &FrameDistrict) -> Option<f64> {
    metres_outside_shape(point, district.bbox.as_ref(), district.boundary.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(lat: f64, lon: f64) -> GpsPoint {
        GpsPoint {
            lat,
            lon,
            accuracy_m: None,
        }
    }

    #[test]
    fn distances_are_plausible() {
        // Rabat to Casablanca: about 87 km.
        let d = distance_m(&p(34.0209, -6.8416), &p(33.5731, -7.5898));
        assert!((85_000.0..90_000.0).contains(&d), "{d}");
        assert_eq!(distance_m(&p(31.0, -8.0), &p(31.0, -8.0)), 0.0);
        let one_milli_degree = distance_m(&p(31.0, -8.0), &p(31.001, -8.0));
        assert!(
            (110.0..112.0).contains(&one_milli_degree),
            "{one_milli_degree}"
        );
    }

    #[test]
    fn outside_a_box() {
        let b = BoundingBox {
            lat_min: 31.0,
            lat_max: 31.01,
            lon_min: -8.0,
            lon_max: -7.99,
        };
        assert_eq!(metres_outside(&p(31.005, -7.995), &b), 0.0);
        let north = metres_outside(&p(31.02, -7.995), &b);
        assert!((1_100.0..1_120.0).contains(&north), "{north}");
    }

    /// An L-shaped district: the square 31.00–31.02 N × 8.00–7.98 W without its north-east
    /// quarter, which belongs to a neighbour.
    fn l_shape() -> Boundary {
        Boundary::new(vec![vec![
            [-8.00, 31.00],
            [-7.98, 31.00],
            [-7.98, 31.01],
            [-7.99, 31.01],
            [-7.99, 31.02],
            [-8.00, 31.02],
            [-8.00, 31.00],
        ]])
        .unwrap()
    }

    #[test]
    fn inside_and_outside_an_l_shaped_district() {
        let l = l_shape();
        assert!(l.contains(&p(31.005, -7.995)), "south-east arm");
        assert!(l.contains(&p(31.015, -7.995)), "north-west arm");
        // Inside the box but in the neighbour's quarter: 0.005° (about 475 m) east of the
        // inner edge at 7.99 W, and 0.005° (556 m) north of the one at 31.01 N.
        let corner = p(31.015, -7.985);
        assert!(!l.contains(&corner));
        assert_eq!(
            metres_outside(&corner, &l.bbox()),
            0.0,
            "the box sees nothing"
        );
        let m = l.metres_outside(&corner);
        assert!((470.0..480.0).contains(&m), "{m}");
        assert_eq!(l.metres_outside(&p(31.005, -7.995)), 0.0);
        let north = l.metres_outside(&p(31.03, -7.995));
        assert!((1_100.0..1_120.0).contains(&north), "{north}");
        let b = l.bbox();
        assert_eq!(
            (b.lat_min, b.lat_max, b.lon_min, b.lon_max),
            (31.0, 31.02, -8.0, -7.98)
        );
    }

    #[test]
    fn a_hole_is_outside_and_bad_rings_are_refused() {
        let mut rings = l_shape().rings;
        rings.push(vec![
            [-7.999, 31.001],
            [-7.998, 31.001],
            [-7.998, 31.002],
            [-7.999, 31.002],
        ]);
        let with_hole = Boundary::new(rings).unwrap();
        assert!(!with_hole.contains(&p(31.0015, -7.9985)));
        assert!(with_hole.contains(&p(31.005, -7.995)));
        assert!(Boundary::new(vec![]).is_err());
        assert!(Boundary::new(vec![vec![[0.0, 0.0], [1.0, 1.0]]]).is_err());
        let swapped = Boundary::new(vec![vec![[31.0, -8.0], [31.0, 200.0], [32.0, -8.0]]]);
        assert!(swapped.unwrap_err().contains("longitude first"));
    }
}
