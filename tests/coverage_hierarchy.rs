//! The district hierarchy the office assigns (control sector, supervision zone, commune,
//! province, region) is kept by the tablet's store and used by the tablet's own coverage:
//! a controller's tablet rolls its districts up by control sector. A store written before
//! the store kept the hierarchy upgrades in place and fills it at the next assignment.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod store_support;

use std::path::Path;

use census::app::coverage_view::{coverage_data, report, rules};
use census::keys::hex;
use census::store::{Dwelling, Occupancy, SCHEMA_VERSION, Store};
use census::sync::store_assignment;
use census_core::coverage::{Hierarchy, Level};
use census_core::sampling::SamplingPlan;
use census_core::wire::{AssignedDistrict, Assignment, FrameBuilding};
use chrono::NaiveDate;
use store_support::open_new;

fn assigned(id: &str, sector: &str, households: u32) -> AssignedDistrict {
    AssignedDistrict {
        district_id: id.into(),
        control_sector: sector.into(),
        supervision_zone: "ZS-1".into(),
        commune: "Agdal".into(),
        province: "Rabat".into(),
        region: "Rabat-Salé-Kénitra".into(),
        expected_buildings: 2,
        expected_dwellings: 4,
        expected_households: households,
        sampling: SamplingPlan {
            rate_per_mille: 200,
            random_start: 1,
            take_all: false,
        },
        buildings: vec![FrameBuilding {
            building_number: 1,
            gps: None,
            description: "1 rue des Orangers".into(),
        }],
        questionnaires: Vec::new(),
    }
}

/// Two control sectors: CS-1 with two districts, CS-2 with one.
fn two_sectors() -> Assignment {
    Assignment {
        enumerator_id: "C-7".into(),
        districts: vec![
            assigned("D-1", "CS-1", 100),
            assigned("D-2", "CS-1", 50),
            assigned("D-3", "CS-2", 70),
        ],
        office_keys: None,
    }
}

fn occupied(dwelling_no: u32) -> Dwelling {
    Dwelling {
        dwelling_no,
        occupancy: Occupancy::Occupied,
        description: String::new(),
    }
}

#[test]
fn own_tablet_coverage_rolls_up_by_control_sector() {
    let dir = tempfile::tempdir().unwrap();
    let (_key, mut store) = open_new(dir.path());
    store
        .import_assignment(&store_assignment(&two_sectors()))
        .unwrap();
    store.add_dwelling("D-1", 1, &occupied(1)).unwrap();
    store.add_dwelling("D-2", 1, &occupied(1)).unwrap();
    store.add_dwelling("D-2", 1, &occupied(2)).unwrap();
    store.add_dwelling("D-3", 1, &occupied(1)).unwrap();

    let kept: Vec<Option<Hierarchy>> = store
        .districts()
        .unwrap()
        .into_iter()
        .map(|d| d.hierarchy)
        .collect();
    assert_eq!(kept.len(), 3);
    assert_eq!(
        kept[2].as_ref().map(|h| h.control_sector.as_str()),
        Some("CS-2")
    );

    let today = NaiveDate::from_ymd_opt(2024, 9, 10).unwrap();
    let data = coverage_data(&store, &Default::default(), today, "C-7").unwrap();
    let report = report(&data, rules(&data, today));
    let sector_one = report.area(Level::ControlSector, "CS-1").unwrap().counts;
    let sector_two = report.area(Level::ControlSector, "CS-2").unwrap().counts;
    assert_eq!(sector_one.expected_households, 150);
    assert_eq!(sector_one.listed_dwellings, 3);
    assert_eq!(sector_two.expected_households, 70);
    assert_eq!(sector_two.listed_dwellings, 1);
    // No district stands alone as its own sector any more.
    assert!(report.area(Level::ControlSector, "D-1").is_none());
    let zone = report.area(Level::SupervisionZone, "ZS-1").unwrap().counts;
    assert_eq!(zone.expected_households, 220);
}

/// Takes the store in `dir` back to schema 3 (no hierarchy columns, and none of the later
/// migrations' open-edit table, event end times, installed questionnaires, building states,
/// resume place or acknowledged event seqs), as an older app left it.
fn downgrade_to_schema_3(dir: &Path, key: &census::keys::DatabaseKey) {
    let conn = rusqlite::Connection::open(dir.join("census.db")).unwrap();
    let hex = hex::encode(key.expose_secret_bytes());
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{hex}'\"; PRAGMA cipher_hmac_algorithm = HMAC_SHA256;
         ALTER TABLE district DROP COLUMN control_sector;
         ALTER TABLE district DROP COLUMN supervision_zone;
         ALTER TABLE district DROP COLUMN commune;
         ALTER TABLE district DROP COLUMN province;
         ALTER TABLE district DROP COLUMN region;
         DROP TABLE open_edit;
         ALTER TABLE events DROP COLUMN last_at;
         DROP TABLE district_questionnaire;
         DROP TABLE questionnaire;
         ALTER TABLE building DROP COLUMN state;
         DROP TABLE resume_place;
         ALTER TABLE outbox DROP COLUMN acked_seq;
         PRAGMA user_version = 3;"
    ))
    .unwrap();
}

#[test]
fn an_old_store_upgrades_and_fills_the_hierarchy_at_the_next_assignment() {
    let dir = tempfile::tempdir().unwrap();
    let (key, mut store) = open_new(dir.path());
    store
        .import_assignment(&store_assignment(&two_sectors()))
        .unwrap();
    store.add_dwelling("D-1", 1, &occupied(1)).unwrap();
    drop(store);
    downgrade_to_schema_3(dir.path(), &key);

    let mut store = Store::open(dir.path(), &key).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let districts = store.districts().unwrap();
    assert_eq!(districts.len(), 3);
    assert!(districts.iter().all(|d| d.hierarchy.is_none()));
    assert_eq!(store.buildings("D-1").unwrap()[0].dwellings.len(), 1);
    // Until the office sends the assignment again, each district stands alone.
    let today = NaiveDate::from_ymd_opt(2024, 9, 10).unwrap();
    let data = coverage_data(&store, &Default::default(), today, "C-7").unwrap();
    let alone = report(&data, rules(&data, today));
    assert!(alone.area(Level::ControlSector, "D-1").is_some());

    store
        .import_assignment(&store_assignment(&two_sectors()))
        .unwrap();
    let districts = store.districts().unwrap();
    assert_eq!(
        districts[0]
            .hierarchy
            .as_ref()
            .map(|h| h.control_sector.as_str()),
        Some("CS-1")
    );
    let data = coverage_data(&store, &Default::default(), today, "C-7").unwrap();
    let placed = report(&data, rules(&data, today));
    assert_eq!(
        placed
            .area(Level::ControlSector, "CS-1")
            .unwrap()
            .counts
            .expected_households,
        150
    );
}
