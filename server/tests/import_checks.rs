//! The import commands (the real `census-server` binary, on SQLite and PostgreSQL) refuse a
//! bad file by its line or feature and import nothing: a district listed twice in the
//! frame, extents that are not finite positions, shapes of districts missing from the
//! frame, latitude-first positions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::process::{Command, Output};

use census_core::coverage::{BoundingBox, CoverageRules};
use census_server::store::Scope;

/// A store on one of the databases (`support::backends`) and a folder for the files.
struct Backend {
    db: support::backends::Backend,
    dir: tempfile::TempDir,
}

async fn backends(what: &str) -> Vec<Backend> {
    support::backends::both(what)
        .await
        .into_iter()
        .map(|db| Backend {
            db,
            dir: tempfile::tempdir().unwrap(),
        })
        .collect()
}

impl Backend {
    /// Runs `census-server <command> <file>` with `text` as the file.
    fn import(&self, command: &str, file: &str, text: &str) -> Output {
        let path = self.dir.path().join(file);
        std::fs::write(&path, text).unwrap();
        Command::new(env!("CARGO_BIN_EXE_census-server"))
            .arg("--data-dir")
            .arg(self.dir.path().join("data"))
            .arg("--database")
            .arg(&self.db.database)
            .arg(command)
            .arg(&path)
            .output()
            .unwrap()
    }

    fn import_ok(&self, command: &str, file: &str, text: &str) -> String {
        let o = self.import(command, file, text);
        assert!(o.status.success(), "{command}: {}", stderr(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// The refusal's words; the command must have failed.
    fn import_refused(&self, command: &str, file: &str, text: &str) -> String {
        let o = self.import(command, file, text);
        assert!(
            !o.status.success(),
            "{command} accepted {file}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        stderr(&o)
    }

    async fn boxes(&self) -> BTreeMap<String, Option<BoundingBox>> {
        let rules = CoverageRules::new("2024-09-01", "2024-09-02");
        let gathered = self
            .db
            .store
            .gather_coverage(&Scope::All, &rules)
            .await
            .unwrap();
        gathered
            .districts
            .into_iter()
            .map(|d| (d.district_id, d.bbox))
            .collect()
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const FRAME_HEADER: &str = "district_id,control_sector,supervision_zone,commune,province,\
region,expected_buildings,expected_dwellings,expected_households\n";

fn frame(ids: &[&str]) -> String {
    let mut text = FRAME_HEADER.to_owned();
    for id in ids {
        text.push_str(&format!("{id},CS-1,ZS-1,Rabat,Rabat,RSK,80,240,250\n"));
    }
    text
}

const EXTENTS_HEADER: &str = "district_id,lat_min,lat_max,lon_min,lon_max\n";
/// DR-1's box in Rabat.
const DR1_BOX: &str = "DR-1,34.00,34.02,-6.85,-6.83\n";

/// A square boundary feature; `lat_first` writes its positions the wrong way round.
fn feature(district: &str, lat: f64, lon: f64, lat_first: bool) -> String {
    let corners = [
        (0.0, 0.0),
        (0.01, 0.0),
        (0.01, 0.01),
        (0.0, 0.01),
        (0.0, 0.0),
    ];
    let ring: Vec<String> = corners
        .iter()
        .map(|(dlat, dlon)| {
            let (a, b) = (lat + dlat, lon + dlon);
            if lat_first {
                format!("[{a}, {b}]")
            } else {
                format!("[{b}, {a}]")
            }
        })
        .collect();
    format!(
        "{{\"type\": \"Feature\", \"properties\": {{\"district_id\": \"{district}\"}},
          \"geometry\": {{\"type\": \"Polygon\", \"coordinates\": [[{}]]}}}}",
        ring.join(", ")
    )
}

fn collection(features: &[String]) -> String {
    format!(
        "{{\"type\": \"FeatureCollection\", \"features\": [{}]}}",
        features.join(", ")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_listing_a_district_twice_is_refused_whole() {
    for b in backends("frame duplicates").await {
        let e = b.import_refused(
            "import-frame",
            "frame.csv",
            &frame(&["DR-1", "DR-2", "DR-1"]),
        );
        assert!(
            e.contains("line 4") && e.contains("DR-1") && e.contains("line 2"),
            "{e}"
        );
        assert!(b.boxes().await.is_empty(), "something was imported");
        let out = b.import_ok("import-frame", "frame.csv", &frame(&["DR-1", "DR-2"]));
        assert!(out.contains("imported 2 districts"), "{out}");
        assert_eq!(b.boxes().await.len(), 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extents_that_are_not_finite_positions_are_refused() {
    for b in backends("extents not finite").await {
        b.import_ok("import-frame", "frame.csv", &frame(&["DR-1", "DR-2"]));
        for bad in ["NaN", "inf", "-inf", "1e999", "-95"] {
            let text = format!("{EXTENTS_HEADER}{DR1_BOX}DR-2,{bad},34.1,-6.9,-6.8\n");
            let e = b.import_refused("import-extents", "extents.csv", &text);
            assert!(e.contains("line 3") && e.contains("lat_min"), "{bad}: {e}");
        }
        let boxes = b.boxes().await;
        assert!(boxes.values().all(Option::is_none), "{boxes:?}");
        b.import_ok(
            "import-extents",
            "extents.csv",
            &format!("{EXTENTS_HEADER}{DR1_BOX}"),
        );
        assert!(b.boxes().await["DR-1"].is_some());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shapes_of_districts_missing_from_the_frame_are_refused() {
    for b in backends("shapes outside the frame").await {
        b.import_ok("import-frame", "frame.csv", &frame(&["DR-1", "DR-2"]));
        let e = b.import_refused(
            "import-extents",
            "extents.csv",
            &format!("{EXTENTS_HEADER}{DR1_BOX}DR-9,34.1,34.2,-6.9,-6.8\n"),
        );
        assert!(
            e.contains("line 3 (DR-9)") && e.contains("not in the frame"),
            "{e}"
        );
        let geojson = collection(&[
            feature("DR-2", 34.03, -6.82, false),
            feature("DR-404", 34.05, -6.80, false),
        ]);
        let e = b.import_refused("import-boundaries", "shapes.geojson", &geojson);
        assert!(
            e.contains("feature 2 (DR-404)") && e.contains("not in the frame"),
            "{e}"
        );
        let buildings = "district_id,building_number,lat,lon,description\n\
                         DR-1,1,34.01,-6.84,school\nDR-7,1,34.01,-6.84,mosque\n";
        let e = b.import_refused("import-buildings", "buildings.csv", buildings);
        assert!(
            e.contains("line 3 (DR-7)") && e.contains("not in the frame"),
            "{e}"
        );
        // Nothing of any of the three files was imported.
        let boxes = b.boxes().await;
        assert_eq!(boxes.len(), 2);
        assert!(boxes.values().all(Option::is_none), "{boxes:?}");
        let gathered =
            b.db.store
                .gather_coverage(&Scope::All, &CoverageRules::new("2024-09-01", "2024-09-02"))
                .await
                .unwrap();
        assert!(gathered.unvisited_buildings.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latitude_first_positions_are_refused() {
    for b in backends("latitude-first shapes").await {
        b.import_ok(
            "import-frame",
            "frame.csv",
            &frame(&["DR-1", "DR-2", "DR-3"]),
        );
        b.import_ok(
            "import-extents",
            "extents.csv",
            &format!("{EXTENTS_HEADER}{DR1_BOX}"),
        );
        let before = b.boxes().await;

        // Swapped relative to the district's own extent.
        let geojson = collection(&[
            feature("DR-2", 34.03, -6.82, false),
            feature("DR-1", 34.00, -6.85, true),
        ]);
        let e = b.import_refused("import-boundaries", "shapes.geojson", &geojson);
        assert!(
            e.contains("feature 2 (DR-1)") && e.contains("latitude-first"),
            "{e}"
        );
        // Swapped for a district without an extent: far from every district the office has.
        let geojson = collection(&[feature("DR-3", 34.05, -6.80, true)]);
        let e = b.import_refused("import-boundaries", "shapes.geojson", &geojson);
        assert!(
            e.contains("feature 1 (DR-3)") && e.contains("latitude-first"),
            "{e}"
        );
        // Buildings with their latitude and longitude swapped.
        let buildings = "district_id,building_number,lat,lon,description\n\
                         DR-1,1,34.01,-6.84,school\nDR-1,2,-6.84,34.01,mosque\n";
        let e = b.import_refused("import-buildings", "buildings.csv", buildings);
        assert!(
            e.contains("line 3 (DR-1)") && e.contains("latitude-first"),
            "{e}"
        );
        assert_eq!(b.boxes().await, before, "something was imported");

        // The same shapes longitude first are imported.
        let geojson = collection(&[
            feature("DR-2", 34.03, -6.82, false),
            feature("DR-1", 34.00, -6.85, false),
            feature("DR-3", 34.05, -6.80, false),
        ]);
        let out = b.import_ok("import-boundaries", "shapes.geojson", &geojson);
        assert!(out.contains("3 district boundaries imported"), "{out}");
        assert!(b.boxes().await.values().all(Option::is_some));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_file_written_latitude_first_is_refused_by_its_own_middle() {
    // No extent stored yet: the file's own middle is the reference for a stray feature.
    for b in backends("latitude-first file").await {
        b.import_ok(
            "import-frame",
            "frame.csv",
            &frame(&["DR-1", "DR-2", "DR-3", "DR-4"]),
        );
        let geojson = collection(&[
            feature("DR-1", 34.00, -6.85, false),
            feature("DR-2", 34.03, -6.82, false),
            feature("DR-3", 34.05, -6.80, true),
            feature("DR-4", 34.07, -6.78, false),
        ]);
        let e = b.import_refused("import-boundaries", "shapes.geojson", &geojson);
        assert!(
            e.contains("feature 3 (DR-3)") && e.contains("latitude-first"),
            "{e}"
        );
        assert!(b.boxes().await.values().all(Option::is_none));
    }
}
