//! A generated area (`census_core::coverage::synthetic`) loaded into a real store: its frame
//! imported, then each district's cases and listing sent as its device would; and the
//! in-memory reference report the store's must equal.

use census_core::coverage::synthetic::{Area, CENSUS_START, REPORT_DAY, Spec};
use census_core::coverage::{CoverageReport, CoverageRules, assemble};
use census_core::sampling::SamplingPlan;
use census_core::wire::{
    BatchPayload, ListedBuildingRecord, ListedDwellingRecord, Listing, QuestionnaireRef,
    WIRE_VERSION,
};
use census_server::store::{
    DeviceRecord, District, DistrictExtent, FrameBuildingRow, Scope, Storage,
};
use uuid::Uuid;

/// The generated area of the coverage tests, with or without planted problems.
pub fn spec(plant: bool) -> Spec {
    Spec {
        seed: 11,
        districts: 12,
        buildings: 12,
        dwellings: 2,
        plant,
    }
}

/// The device of a district's enumerator.
pub fn device_for(district: &str) -> DeviceRecord {
    DeviceRecord {
        device_id: format!("tab-{district}"),
        enumerator_id: format!("E-{district}"),
        public_key: vec![1; 32],
        districts: vec![district.to_owned()],
    }
}

/// Imports the area's frame: districts, their boxes or boundaries, cartography's buildings.
pub async fn import_frame(store: &dyn Storage, area: &Area) {
    let districts: Vec<District> = area
        .districts
        .iter()
        .map(|d| District {
            district_id: d.district_id.clone(),
            control_sector: d.control_sector.clone(),
            supervision_zone: d.supervision_zone.clone(),
            commune: d.commune.clone(),
            province: d.province.clone(),
            region: d.region.clone(),
            expected_buildings: d.expected_buildings,
            expected_dwellings: d.expected_dwellings,
            expected_households: d.expected_households,
            sampling: SamplingPlan::all_households(),
        })
        .collect();
    store.import_districts(&districts).await.unwrap();
    let extents: Vec<DistrictExtent> = area
        .districts
        .iter()
        .filter_map(|d| {
            d.bbox.map(|bbox| DistrictExtent {
                district_id: d.district_id.clone(),
                bbox,
                boundary: d.boundary.clone(),
            })
        })
        .collect();
    store.import_extents(&extents).await.unwrap();
    let frame: Vec<FrameBuildingRow> = area
        .frame_buildings
        .iter()
        .map(|b| FrameBuildingRow {
            district_id: b.district_id.clone(),
            building_number: b.building_number,
            gps: None,
            description: String::new(),
        })
        .collect();
    store.import_frame_buildings(&frame).await.unwrap();
}

/// Imports the frame and sends each district's cases and listing as its device would.
pub async fn load(store: &dyn Storage, area: &Area) {
    import_frame(store, area).await;
    for d in &area.districts {
        let id = &d.district_id;
        let device = device_for(id);
        let listing = Listing {
            buildings: area
                .listed_buildings
                .iter()
                .filter(|b| &b.district_id == id)
                .map(|b| ListedBuildingRecord {
                    district_id: b.district_id.clone(),
                    building_number: b.building_number,
                    gps: b.gps,
                    demolished: false,
                    listed_at: "2024-09-01T08:00:00Z".into(),
                })
                .collect(),
            dwellings: area
                .listed_dwellings
                .iter()
                .filter(|w| &w.district_id == id)
                .map(|w| ListedDwellingRecord {
                    district_id: w.district_id.clone(),
                    building_number: w.building_number,
                    dwelling_number: w.dwelling_number,
                    occupancy: w.occupancy.clone(),
                    listed_at: "2024-09-01T08:00:00Z".into(),
                })
                .collect(),
        };
        let payload = BatchPayload {
            wire_version: WIRE_VERSION,
            batch_id: Uuid::new_v4(),
            device_id: device.device_id.clone(),
            enumerator_id: device.enumerator_id.clone(),
            created_at: "2024-09-15T18:00:00Z".into(),
            questionnaires: vec![QuestionnaireRef {
                id: "rgph2024".into(),
                version: "1.0.0".into(),
            }],
            cases: area
                .households
                .iter()
                .filter(|h| &h.district_id == id)
                .map(Area::case_record)
                .collect(),
            listing,
        };
        let done = store
            .ingest(&device, &payload, &[], &super::census_items())
            .await
            .unwrap();
        assert!(
            done.reply
                .results
                .iter()
                .all(|r| r.outcome.is_acknowledged())
        );
    }
}

/// The report's rules: the synthetic census period, on its report day.
pub fn rules() -> CoverageRules {
    CoverageRules::new(CENSUS_START, REPORT_DAY)
}

/// The report computed in memory from the area itself.
pub fn reference(area: &Area) -> CoverageReport {
    area.report(rules())
}

/// The store's report of `scope`.
pub async fn report_of(store: &dyn Storage, scope: &Scope) -> CoverageReport {
    assemble(
        store.gather_coverage(scope, &rules()).await.unwrap(),
        rules(),
    )
}
