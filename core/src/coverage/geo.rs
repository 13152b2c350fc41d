//! Distances on the Earth's surface, for duplicates nearby and interviews outside a district.

use super::types::BoundingBox;
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

/// A margin in degrees that is never more than `metres` in either direction: a safe
/// pre-filter (a database may select with it, then [`metres_outside`] decides).
pub fn degrees_within(metres: f64) -> f64 {
    metres / METRES_PER_DEGREE / 2.0
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
        assert!(degrees_within(250.0) * METRES_PER_DEGREE <= 250.0);
    }
}
