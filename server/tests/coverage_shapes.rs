//! District boundaries decide what is "outside the district": an interview in the corner an
//! L-shaped district leaves to its neighbour is inside the district's box but outside its
//! boundary. Through the real stores (SQLite and PostgreSQL), the GeoJSON reader, and a
//! re-import that replaces the boundary by a box and measures every case again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;

use census_core::GpsPoint;
use census_core::coverage::synthetic::Area;
use census_core::coverage::{Boundary, SuspicionKind};
use census_server::store::postgres::PgStore;
use census_server::store::{DistrictExtent, Scope, Storage};
use support::area::{load, reference, report_of, spec};
use support::*;
use uuid::Uuid;

/// District 0 without its north-east quarter, as GeoJSON, and a point well inside that
/// quarter.
fn l_shaped(area: &Area) -> (String, GpsPoint) {
    let (ring, corner) = area.l_shaped(0).unwrap();
    let geojson = serde_json::json!({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"district_id": area.districts[0].district_id},
        "geometry": {"type": "Polygon", "coordinates": [ring]}}]});
    (geojson.to_string(), corner)
}

fn outside(report: &census_core::coverage::CoverageReport) -> Vec<Uuid> {
    report
        .suspicious
        .iter()
        .filter(|s| s.kind == SuspicionKind::OutsideDistrict)
        .map(|s| s.case_id)
        .collect()
}

async fn boundary_decides(store: Arc<dyn Storage>) {
    let mut area = Area::generate(spec(false));
    let (geojson, corner) = l_shaped(&area);
    let imported = census_server::boundaries::read_boundaries(geojson.as_bytes()).unwrap();
    area.districts[0].boundary = imported[0].boundary.clone();
    let district = area.districts[0].district_id.clone();
    let h = area
        .households
        .iter_mut()
        .find(|h| h.district_id == district)
        .unwrap();
    h.gps = corner;
    let moved = h.case_id;

    // The boundary is imported with the frame, before the cases arrive: measured at ingest.
    load(&*store, &area).await;
    let report = report_of(&*store, &Scope::All).await;
    assert_eq!(outside(&report), vec![moved]);
    assert_eq!(report, reference(&area));

    // Cartography replaces the boundary by a box: every case is measured again.
    let bbox = area.districts[0].bbox.unwrap();
    let boxed = DistrictExtent {
        district_id: district.clone(),
        bbox,
        boundary: None,
    };
    store.import_extents(&[boxed]).await.unwrap();
    area.districts[0].boundary = None;
    let report = report_of(&*store, &Scope::All).await;
    assert!(outside(&report).is_empty(), "inside the box");
    assert_eq!(report, reference(&area));

    // And back: the stored boundary is read again and measured against.
    store.import_extents(&imported).await.unwrap();
    assert_eq!(outside(&report_of(&*store, &Scope::All).await), vec![moved]);
    let boundary: &Boundary = imported[0].boundary.as_ref().unwrap();
    assert!(boundary.metres_outside(&corner) > 250.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_boundary_decides_what_is_outside_on_both_stores() {
    let (store, _dir) = sqlite_store().await;
    boundary_decides(store).await;
    let Some(url) = postgres_url("boundaries") else {
        return;
    };
    let schema = format!("shapes_{}", Uuid::new_v4().simple());
    let store: Arc<dyn Storage> =
        Arc::new(PgStore::connect_in_schema(&url, &schema).await.unwrap());
    boundary_decides(store).await;
}
