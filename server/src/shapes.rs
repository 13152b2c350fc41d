//! District shapes (box, and boundary when cartography drew one) as the server measures
//! interviews against them: read once per batch for the sending device's districts, and
//! again when shapes are imported, so that each case's `outside_m` is stored with its facts.

use std::collections::HashMap;

use census_core::GpsPoint;
use census_core::coverage::geo::metres_outside_shape;
use census_core::coverage::{Boundary, BoundingBox};

/// One district's shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// Its box.
    pub bbox: BoundingBox,
    /// Its boundary, when drawn.
    pub boundary: Option<Boundary>,
}

/// Shapes by district.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shapes(HashMap<String, Shape>);

impl Shapes {
    /// Adds a district's shape from its stored row (`boundary`: the JSON written at import).
    pub fn add(
        &mut self,
        district_id: String,
        bbox: BoundingBox,
        boundary: Option<&str>,
    ) -> Result<(), String> {
        let boundary = boundary
            .map(serde_json::from_str::<Boundary>)
            .transpose()
            .map_err(|e| format!("stored boundary of district {district_id}: {e}"))?;
        self.0.insert(district_id, Shape { bbox, boundary });
        Ok(())
    }

    /// How far `point` lies outside `district`, in metres; `None` when it has no shape.
    pub fn outside_m(&self, district: &str, point: &GpsPoint) -> Option<f64> {
        let shape = self.0.get(district)?;
        metres_outside_shape(point, Some(&shape.bbox), shape.boundary.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_boundary_decides_over_the_box() {
        let bbox = BoundingBox {
            lat_min: 31.0,
            lat_max: 31.02,
            lon_min: -8.0,
            lon_max: -7.98,
        };
        let l = Boundary::new(vec![vec![
            [-8.0, 31.0],
            [-7.98, 31.0],
            [-7.98, 31.01],
            [-7.99, 31.01],
            [-7.99, 31.02],
            [-8.0, 31.02],
        ]])
        .unwrap();
        let mut shapes = Shapes::default();
        shapes.add("box".into(), bbox, None).unwrap();
        let json = serde_json::to_string(&l).unwrap();
        shapes.add("drawn".into(), bbox, Some(&json)).unwrap();
        let corner = GpsPoint {
            lat: 31.015,
            lon: -7.985,
            accuracy_m: None,
        };
        assert_eq!(shapes.outside_m("box", &corner), Some(0.0));
        assert!(shapes.outside_m("drawn", &corner).unwrap() > 400.0);
        assert_eq!(shapes.outside_m("unknown", &corner), None);
        assert!(shapes.add("bad".into(), bbox, Some("[1, 2")).is_err());
    }
}
