//! Where the enumerator was when the app last stopped (a restart, a lock, a flat battery):
//! the district, or the case with its row and section. The unlock reopens it, so that an
//! interview goes on where it was left. One row, inside the encrypted store.

use census_core::engine::RowPath;
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

/// A place to reopen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumePlace {
    /// The district shown.
    pub district_id: String,
    /// The case open in it, if one was.
    pub case: Option<CasePlace>,
}

/// Where in a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasePlace {
    /// Building number.
    pub building_no: u32,
    /// Dwelling number in the building.
    pub dwelling_no: u32,
    /// The row shown (the dwelling, a household, a person).
    pub row: RowPath,
    /// The section of that row shown.
    pub section: usize,
}

impl Store {
    /// Remembers `place` (`None`: nothing to reopen, e.g. the home screen was shown last).
    pub fn set_resume_place(&mut self, place: Option<&ResumePlace>) -> Result<(), StoreError> {
        let Some(place) = place else {
            self.conn.execute("DELETE FROM resume_place", [])?;
            return Ok(());
        };
        let case = place.case.as_ref();
        let section = case.map(|c| i64::try_from(c.section).unwrap_or(i64::MAX));
        self.conn
            .prepare_cached(
                "INSERT INTO resume_place (id, district_id, building_no, dwelling_no, row_path,
                     section) VALUES (1, ?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET district_id = excluded.district_id,
                     building_no = excluded.building_no, dwelling_no = excluded.dwelling_no,
                     row_path = excluded.row_path, section = excluded.section",
            )?
            .execute(params![
                place.district_id,
                case.map(|c| c.building_no),
                case.map(|c| c.dwelling_no),
                case.map(|c| c.row.to_string()),
                section,
            ])?;
        Ok(())
    }

    /// The place remembered, if any. A damaged row path reopens the case at its dwelling.
    pub fn resume_place(&self) -> Result<Option<ResumePlace>, StoreError> {
        type Row = (
            String,
            Option<u32>,
            Option<u32>,
            Option<String>,
            Option<i64>,
        );
        let row: Option<Row> = self
            .conn
            .query_row(
                "SELECT district_id, building_no, dwelling_no, row_path, section
                 FROM resume_place WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        Ok(row.map(|(district_id, building, dwelling, row, section)| {
            let case = building
                .zip(dwelling)
                .map(|(building_no, dwelling_no)| CasePlace {
                    building_no,
                    dwelling_no,
                    row: row
                        .and_then(|text| text.parse().ok())
                        .unwrap_or_else(RowPath::root),
                    section: section.and_then(|s| usize::try_from(s).ok()).unwrap_or(0),
                });
            ResumePlace { district_id, case }
        }))
    }
}
