//! District boundaries from cartography, as GeoJSON: a `FeatureCollection` whose features
//! carry `properties.district_id` and a `Polygon` or `MultiPolygon` geometry in WGS 84
//! (`[longitude, latitude]`). Each becomes a district extent with its boundary and the
//! boundary's box. A bad feature is reported by its position and district, and nothing is
//! imported.

use std::collections::BTreeSet;
use std::io::Read;

use census_core::coverage::Boundary;
use serde_json::Value;

use crate::store::DistrictExtent;

fn position(value: &Value) -> Option<[f64; 2]> {
    match value.as_array()?.as_slice() {
        [lon, lat] | [lon, lat, _] => Some([lon.as_f64()?, lat.as_f64()?]),
        _ => None,
    }
}

fn rings(value: &Value) -> Option<Vec<Vec<[f64; 2]>>> {
    value
        .as_array()?
        .iter()
        .map(|ring| ring.as_array()?.iter().map(position).collect())
        .collect()
}

fn boundary_of(geometry: &Value) -> Result<Boundary, String> {
    let kind = geometry
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("none");
    let coordinates = geometry.get("coordinates").unwrap_or(&Value::Null);
    let parsed = match kind {
        "Polygon" => rings(coordinates),
        "MultiPolygon" => coordinates
            .as_array()
            .and_then(|polygons| polygons.iter().map(rings).collect::<Option<Vec<_>>>())
            .map(|polygons| polygons.into_iter().flatten().collect()),
        other => {
            return Err(format!(
                "the geometry must be a Polygon or MultiPolygon, not {other}"
            ));
        }
    };
    let rings = parsed.ok_or_else(|| {
        format!("the {kind}'s coordinates are not rings of [longitude, latitude] positions")
    })?;
    let fits = |lon: f64, lat: f64| lon.abs() <= 180.0 && lat.abs() <= 90.0;
    if let Some([lon, lat]) = rings
        .iter()
        .flatten()
        .find(|[lon, lat]| !fits(*lon, *lat) && fits(*lat, *lon))
    {
        return Err(format!(
            "the position [{lon}, {lat}] is off the Earth as [longitude, latitude] but not as \
             [latitude, longitude]: the positions look latitude-first (GeoJSON is longitude \
             first)"
        ));
    }
    Boundary::new(rings)
}

/// Reads district boundaries.
pub fn read_boundaries(mut input: impl Read) -> Result<Vec<DistrictExtent>, String> {
    let mut text = String::new();
    input
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| format!("not valid JSON: {e}"))?;
    if doc.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err("the file must be a GeoJSON FeatureCollection".into());
    }
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .ok_or("the FeatureCollection has no \"features\" list")?;
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(features.len());
    for (n, feature) in features.iter().enumerate() {
        let district = feature
            .pointer("/properties/district_id")
            .and_then(Value::as_str)
            .filter(|d| !d.trim().is_empty())
            .ok_or_else(|| format!("feature {}: no properties.district_id", n + 1))?;
        let boundary = boundary_of(feature.get("geometry").unwrap_or(&Value::Null))
            .map_err(|e| format!("feature {} ({district}): {e}", n + 1))?;
        if !seen.insert(district.to_owned()) {
            return Err(format!("feature {} ({district}): a second boundary", n + 1));
        }
        out.push(DistrictExtent {
            district_id: district.to_owned(),
            bbox: boundary.bbox(),
            boundary: Some(boundary),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collection(features: &str) -> String {
        format!("{{\"type\": \"FeatureCollection\", \"features\": [{features}]}}")
    }

    const SQUARE: &str =
        "[[[-8.0, 31.0], [-7.99, 31.0], [-7.99, 31.01], [-8.0, 31.01], [-8.0, 31.0]]]";

    #[test]
    fn polygons_and_multipolygons_are_read() {
        let text = collection(&format!(
            "{{\"type\": \"Feature\", \"properties\": {{\"district_id\": \"D1\"}},
               \"geometry\": {{\"type\": \"Polygon\", \"coordinates\": {SQUARE}}}}},
             {{\"type\": \"Feature\", \"properties\": {{\"district_id\": \"D2\"}},
               \"geometry\": {{\"type\": \"MultiPolygon\", \"coordinates\": [{SQUARE}, {SQUARE}]}}}}"
        ));
        let read = read_boundaries(text.as_bytes()).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].bbox.lat_max, 31.01);
        assert_eq!(read[1].boundary.as_ref().unwrap().rings.len(), 2);
    }

    #[test]
    fn a_bad_feature_is_named() {
        let point = collection(
            "{\"type\": \"Feature\", \"properties\": {\"district_id\": \"D7\"},
              \"geometry\": {\"type\": \"Point\", \"coordinates\": [-8.0, 31.0]}}",
        );
        assert_eq!(
            read_boundaries(point.as_bytes()).unwrap_err(),
            "feature 1 (D7): the geometry must be a Polygon or MultiPolygon, not Point"
        );
        let unnamed = collection(&format!(
            "{{\"type\": \"Feature\", \"properties\": {{}},
               \"geometry\": {{\"type\": \"Polygon\", \"coordinates\": {SQUARE}}}}}"
        ));
        assert!(
            read_boundaries(unnamed.as_bytes())
                .unwrap_err()
                .contains("district_id")
        );
        let broken = collection(
            "{\"type\": \"Feature\", \"properties\": {\"district_id\": \"D8\"},
              \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[\"x\", 31.0]]]}}",
        );
        assert!(
            read_boundaries(broken.as_bytes())
                .unwrap_err()
                .contains("feature 1 (D8)")
        );
        let swapped = collection(
            "{\"type\": \"Feature\", \"properties\": {\"district_id\": \"D9\"},
              \"geometry\": {\"type\": \"Polygon\", \"coordinates\":
                [[[-33.9, 151.2], [-33.8, 151.2], [-33.8, 151.3], [-33.9, 151.2]]]}}",
        );
        let e = read_boundaries(swapped.as_bytes()).unwrap_err();
        assert!(
            e.starts_with("feature 1 (D9)") && e.contains("latitude-first"),
            "{e}"
        );
        assert!(read_boundaries("{\"type\": \"Feature\"}".as_bytes()).is_err());
        assert!(
            read_boundaries("not json".as_bytes())
                .unwrap_err()
                .contains("not valid JSON")
        );
    }
}
