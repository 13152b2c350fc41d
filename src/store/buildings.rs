//! What the enumerator finds of a building on the ground: cartography's building confirmed
//! (its address corrected when it was wrong), or found demolished — and undone.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{BuildingState, Store, StoreError, now_text};

impl Store {
    /// Sets a building's state — [`BuildingState::Listed`] confirms it, with `address` when
    /// the enumerator corrected it — and marks it listed now, so that the next sync sends
    /// it. A building with dwellings cannot be marked demolished, and a state cannot be set
    /// back to "to confirm".
    pub fn set_building_state(
        &mut self,
        district_id: &str,
        building_no: u32,
        state: BuildingState,
        address: Option<&str>,
    ) -> Result<(), StoreError> {
        if state == BuildingState::ToConfirm {
            return Err(StoreError::Invalid(
                "a building seen on the ground cannot go back to \"to confirm\"".into(),
            ));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let dwellings: Option<u32> = tx
            .prepare_cached(
                "SELECT (SELECT count(*) FROM dwelling w
                         WHERE w.district_id = b.district_id AND w.building_no = b.building_no)
                 FROM building b WHERE b.district_id = ?1 AND b.building_no = ?2",
            )?
            .query_row(params![district_id, building_no], |r| r.get(0))
            .optional()?;
        let Some(dwellings) = dwellings else {
            return Err(StoreError::NotFound(format!(
                "building {building_no} in district {district_id}"
            )));
        };
        if state == BuildingState::Demolished && dwellings > 0 {
            return Err(StoreError::Invalid(format!(
                "building {building_no} has {dwellings} listed dwellings: it cannot be marked \
                 demolished"
            )));
        }
        tx.prepare_cached(
            "UPDATE building SET state = ?3, listed_at = ?4, address = coalesce(?5, address)
             WHERE district_id = ?1 AND building_no = ?2",
        )?
        .execute(params![
            district_id,
            building_no,
            state.as_str(),
            now_text(),
            address
        ])?;
        tx.commit()?;
        Ok(())
    }
}
