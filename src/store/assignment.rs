//! The enumerator's assignment (districts, buildings, dwellings) and district progress.

use census_core::GpsPoint;
use census_core::coverage::Hierarchy;
use census_core::sampling::SamplingPlan;
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{
    Assignment, Building, BuildingState, CaseStatus, District, DistrictProgress, Dwelling,
    ListedBuildingRow, ListedDwellingRow, Occupancy, Store, StoreError, StoredListing, now_text,
};

fn insert_building(
    conn: &Connection,
    district_id: &str,
    building: &Building,
    now: &str,
) -> Result<usize, StoreError> {
    let gps = building.gps;
    let inserted = conn
        .prepare_cached(
            "INSERT INTO building (district_id, building_no, address, lat, lon, accuracy_m,
                 listed_at, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            district_id,
            building.building_no,
            building.address,
            gps.map(|g| g.lat),
            gps.map(|g| g.lon),
            gps.and_then(|g| g.accuracy_m),
            now,
            building.state.as_str(),
        ])
        .map_err(|e| missing(e, format!("district {district_id}")))?;
    for dwelling in &building.dwellings {
        insert_dwelling(conn, district_id, building.building_no, dwelling, now)?;
    }
    Ok(inserted)
}

/// A stored building state, or the store's complaint.
fn stored_state(text: &str) -> Result<BuildingState, StoreError> {
    BuildingState::parse(text)
        .ok_or_else(|| StoreError::Corrupted(format!("stored building state {text:?}")))
}

fn insert_dwelling(
    conn: &Connection,
    district_id: &str,
    building_no: u32,
    dwelling: &Dwelling,
    now: &str,
) -> Result<usize, StoreError> {
    conn.prepare_cached(
        "INSERT INTO dwelling (district_id, building_no, dwelling_no, occupancy, description,
             listed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
    )?
    .execute(params![
        district_id,
        building_no,
        dwelling.dwelling_no,
        dwelling.occupancy.as_str(),
        dwelling.description,
        now,
    ])
    .map_err(|e| {
        missing(
            e,
            format!("building {building_no} of district {district_id}"),
        )
    })
}

fn missing(error: rusqlite::Error, what: String) -> StoreError {
    if error.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
        StoreError::NotFound(what)
    } else {
        StoreError::from(error)
    }
}

impl Store {
    /// Imports an assignment from the office: districts are inserted or updated (expected
    /// counts, sampling plan); buildings and dwellings are added when not already listed
    /// (the enumerator's own listing is never overwritten).
    pub fn import_assignment(&mut self, assignment: &Assignment) -> Result<(), StoreError> {
        let now = now_text();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for d in &assignment.districts {
            tx.prepare_cached(
                "INSERT INTO district (district_id, name, expected_buildings, expected_dwellings,
                     expected_households, rate_per_mille, random_start, take_all,
                     control_sector, supervision_zone, commune, province, region)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                 ON CONFLICT (district_id) DO UPDATE SET name = excluded.name,
                     expected_buildings = excluded.expected_buildings,
                     expected_dwellings = excluded.expected_dwellings,
                     expected_households = excluded.expected_households,
                     rate_per_mille = excluded.rate_per_mille,
                     random_start = excluded.random_start, take_all = excluded.take_all,
                     control_sector = coalesce(excluded.control_sector, control_sector),
                     supervision_zone = coalesce(excluded.supervision_zone, supervision_zone),
                     commune = coalesce(excluded.commune, commune),
                     province = coalesce(excluded.province, province),
                     region = coalesce(excluded.region, region)",
            )?
            .execute(params![
                d.district_id,
                d.name,
                d.expected_buildings,
                d.expected_dwellings,
                d.expected_households,
                d.sampling.rate_per_mille,
                d.sampling.random_start,
                d.sampling.take_all,
                d.hierarchy.as_ref().map(|h| &h.control_sector),
                d.hierarchy.as_ref().map(|h| &h.supervision_zone),
                d.hierarchy.as_ref().map(|h| &h.commune),
                d.hierarchy.as_ref().map(|h| &h.province),
                d.hierarchy.as_ref().map(|h| &h.region),
            ])?;
            for building in &d.buildings {
                insert_building(&tx, &d.district_id, building, &now)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Lists a new building (with its dwellings) in a district.
    pub fn add_building(
        &mut self,
        district_id: &str,
        building: &Building,
    ) -> Result<(), StoreError> {
        let now = now_text();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if insert_building(&tx, district_id, building, &now)? == 0 {
            return Err(StoreError::Invalid(format!(
                "building {} is already listed in district {district_id}",
                building.building_no
            )));
        }
        tx.commit()?;
        Ok(())
    }

    /// Lists a new dwelling in a building.
    pub fn add_dwelling(
        &mut self,
        district_id: &str,
        building_no: u32,
        dwelling: &Dwelling,
    ) -> Result<(), StoreError> {
        let now = now_text();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let state: Option<String> = tx
            .prepare_cached(
                "SELECT state FROM building WHERE district_id = ?1 AND building_no = ?2",
            )?
            .query_row(params![district_id, building_no], |r| r.get(0))
            .optional()?;
        match state.as_deref().map(stored_state).transpose()? {
            Some(BuildingState::Demolished) => {
                return Err(StoreError::Invalid(format!(
                    "building {building_no} is marked demolished: restore it first"
                )));
            }
            // Finding a dwelling in cartography's building confirms it.
            Some(BuildingState::ToConfirm) => {
                tx.prepare_cached(
                    "UPDATE building SET state = 'listed', listed_at = ?3
                     WHERE district_id = ?1 AND building_no = ?2",
                )?
                .execute(params![district_id, building_no, now])?;
            }
            Some(BuildingState::Listed) | None => {}
        }
        if insert_dwelling(&tx, district_id, building_no, dwelling, &now)? == 0 {
            return Err(StoreError::Invalid(format!(
                "dwelling {} is already listed in building {building_no}",
                dwelling.dwelling_no
            )));
        }
        tx.commit()?;
        Ok(())
    }

    /// The assigned districts (without their buildings: see [`Store::buildings`]).
    pub fn districts(&self) -> Result<Vec<District>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT district_id, name, expected_buildings, expected_dwellings,
                 expected_households, rate_per_mille, random_start, take_all,
                 control_sector, supervision_zone, commune, province, region
             FROM district ORDER BY district_id",
        )?;
        let rows = stmt.query_map([], |r| {
            let control_sector: Option<String> = r.get(8)?;
            let hierarchy = match control_sector {
                Some(control_sector) => Some(Hierarchy {
                    control_sector,
                    supervision_zone: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
                    commune: r.get::<_, Option<String>>(10)?.unwrap_or_default(),
                    province: r.get::<_, Option<String>>(11)?.unwrap_or_default(),
                    region: r.get::<_, Option<String>>(12)?.unwrap_or_default(),
                }),
                None => None,
            };
            Ok(District {
                district_id: r.get(0)?,
                name: r.get(1)?,
                expected_buildings: r.get(2)?,
                expected_dwellings: r.get(3)?,
                expected_households: r.get(4)?,
                sampling: SamplingPlan {
                    rate_per_mille: r.get(5)?,
                    random_start: r.get(6)?,
                    take_all: r.get(7)?,
                },
                hierarchy,
                buildings: Vec::new(),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A district's listed buildings with their dwellings, by number.
    pub fn buildings(&self, district_id: &str) -> Result<Vec<Building>, StoreError> {
        let mut buildings: Vec<Building> = self
            .conn
            .prepare_cached(
                "SELECT building_no, address, lat, lon, accuracy_m, state FROM building
                 WHERE district_id = ?1 ORDER BY building_no",
            )?
            .query_map([district_id], |r| {
                let lat: Option<f64> = r.get(2)?;
                let lon: Option<f64> = r.get(3)?;
                let accuracy_m: Option<f64> = r.get(4)?;
                Ok((
                    Building {
                        building_no: r.get(0)?,
                        address: r.get(1)?,
                        gps: lat.zip(lon).map(|(lat, lon)| GpsPoint {
                            lat,
                            lon,
                            accuracy_m,
                        }),
                        state: BuildingState::Listed,
                        dwellings: Vec::new(),
                    },
                    r.get::<_, String>(5)?,
                ))
            })?
            .map(|row| {
                let (mut building, state) = row?;
                building.state = stored_state(&state)?;
                Ok(building)
            })
            .collect::<Result<_, StoreError>>()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT building_no, dwelling_no, occupancy, description FROM dwelling
             WHERE district_id = ?1 ORDER BY building_no, dwelling_no",
        )?;
        let rows = stmt.query_map([district_id], |r| {
            Ok((
                r.get::<_, u32>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            let (building_no, dwelling_no, occupancy, description) = row?;
            let occupancy = Occupancy::parse(&occupancy)
                .ok_or_else(|| StoreError::Corrupted(format!("stored occupancy {occupancy:?}")))?;
            if let Some(b) = buildings.iter_mut().find(|b| b.building_no == building_no) {
                b.dwellings.push(Dwelling {
                    dwelling_no,
                    occupancy,
                    description,
                });
            }
        }
        Ok(buildings)
    }

    /// The newest `listed_at` of the listing (as [`StoredListing::newest_listed_at`], by one
    /// query instead of reading the listing), `None` when nothing is listed.
    pub fn newest_listed_at(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT max(t) FROM (
                   SELECT max(b.listed_at) AS t FROM building b
                     JOIN district d ON d.district_id = b.district_id
                   UNION ALL
                   SELECT max(w.listed_at) FROM dwelling w
                     JOIN district d ON d.district_id = w.district_id)",
            )?
            .query_row([], |r| r.get(0))?)
    }

    /// The whole listing of the assigned districts: every building (with its GPS point when
    /// known) and every dwelling (with its occupancy), each with when it was listed.
    pub fn listing(&self) -> Result<StoredListing, StoreError> {
        let buildings = self
            .conn
            .prepare_cached(
                "SELECT b.district_id, b.building_no, b.lat, b.lon, b.accuracy_m, b.listed_at,
                     b.state
                 FROM building b JOIN district d ON d.district_id = b.district_id
                 WHERE b.state <> 'to_confirm'
                 ORDER BY b.district_id, b.building_no",
            )?
            .query_map([], |r| {
                let lat: Option<f64> = r.get(2)?;
                let lon: Option<f64> = r.get(3)?;
                let accuracy_m: Option<f64> = r.get(4)?;
                Ok((
                    ListedBuildingRow {
                        district_id: r.get(0)?,
                        building_no: r.get(1)?,
                        gps: lat.zip(lon).map(|(lat, lon)| GpsPoint {
                            lat,
                            lon,
                            accuracy_m,
                        }),
                        state: BuildingState::Listed,
                        listed_at: r.get(5)?,
                    },
                    r.get::<_, String>(6)?,
                ))
            })?
            .map(|row| {
                let (mut building, state) = row?;
                building.state = stored_state(&state)?;
                Ok(building)
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT w.district_id, w.building_no, w.dwelling_no, w.occupancy, w.listed_at
             FROM dwelling w JOIN district d ON d.district_id = w.district_id
             ORDER BY w.district_id, w.building_no, w.dwelling_no",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, u32>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut dwellings = Vec::new();
        for row in rows {
            let (district_id, building_no, dwelling_no, occupancy, listed_at) = row?;
            let occupancy = Occupancy::parse(&occupancy)
                .ok_or_else(|| StoreError::Corrupted(format!("stored occupancy {occupancy:?}")))?;
            dwellings.push(ListedDwellingRow {
                district_id,
                building_no,
                dwelling_no,
                occupancy,
                listed_at,
            });
        }
        Ok(StoredListing {
            buildings,
            dwellings,
        })
    }

    /// A district's progress: listed vs expected buildings and dwellings, household cases by
    /// status vs expected households, and the absent households to revisit on `date`.
    pub fn district_progress(
        &self,
        district_id: &str,
        date: NaiveDate,
    ) -> Result<DistrictProgress, StoreError> {
        let expected: Option<(u32, u32, u32)> = self
            .conn
            .prepare_cached(
                "SELECT expected_buildings, expected_dwellings, expected_households
                 FROM district WHERE district_id = ?1",
            )?
            .query_row([district_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let (expected_buildings, expected_dwellings, expected_households) =
            expected.ok_or_else(|| StoreError::NotFound(format!("district {district_id}")))?;
        let count = |sql: &str| -> Result<u32, StoreError> {
            Ok(self
                .conn
                .prepare_cached(sql)?
                .query_row([district_id], |r| r.get(0))?)
        };
        let buildings_listed =
            count("SELECT count(*) FROM building WHERE district_id = ?1 AND state = 'listed'")?;
        let dwellings_listed = count("SELECT count(*) FROM dwelling WHERE district_id = ?1")?;
        let mut households_by_status: Vec<(CaseStatus, u32)> =
            CaseStatus::ALL.iter().map(|s| (*s, 0)).collect();
        let mut stmt = self.conn.prepare_cached(
            "SELECT status, count(*) FROM cases WHERE district_id = ?1 GROUP BY status",
        )?;
        let rows = stmt.query_map([district_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?))
        })?;
        for row in rows {
            let (status, n) = row?;
            let status = CaseStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupted(format!("stored status {status:?}")))?;
            if let Some(entry) = households_by_status.iter_mut().find(|(s, _)| *s == status) {
                entry.1 = n;
            }
        }
        let revisits_due = self
            .list_cases(district_id)?
            .into_iter()
            .filter(|c| c.status == CaseStatus::Absent)
            .filter(|c| c.revisit_at.is_some_and(|t| t.date() == date))
            .collect();
        Ok(DistrictProgress {
            expected_buildings,
            buildings_listed,
            expected_dwellings,
            dwellings_listed,
            expected_households,
            households_by_status,
            revisits_due,
        })
    }
}
