//! The demo assignment bundled with the app: census district 07-041-0012 in the centre of
//! Aït Ourir (province of Al Haouz, region Marrakech-Safi), 12 buildings and 19 listed
//! dwellings (the cartography expects 20: one is left for the enumerator to add), and the
//! demo office public key used to seal the recovery copy of the database key.

use crate::keys::{OfficePublicKey, hex};
use crate::store::{Assignment, InstalledQuestionnaire, Store, StoreError};

/// The demo assignment file (`assets/demo/assignment.json`).
pub const DEMO_ASSIGNMENT_JSON: &str = include_str!("../assets/demo/assignment.json");

/// The demo office public key (hex), `assets/demo/office_public.hex`.
pub const DEMO_OFFICE_PUBLIC_HEX: &str = include_str!("../assets/demo/office_public.hex");

/// The census household questionnaire, installed by the demo enrolment only: a deployed
/// tablet receives its questionnaires from the office.
pub const HOUSEHOLD_QUESTIONNAIRE_JSON: &str = include_str!("../schemas/rgph2024.json");

/// The name problems give [`HOUSEHOLD_QUESTIONNAIRE_JSON`].
pub const HOUSEHOLD_QUESTIONNAIRE_FILE: &str = "schemas/rgph2024.json";

/// The questionnaire of collective living quarters, installed by the demo enrolment only.
pub const COLLECTIVE_QUESTIONNAIRE_JSON: &str = include_str!("../schemas/collective2024.json");

/// The enumerator number used by the demo enrolment.
pub const DEMO_ENUMERATOR_ID: &str = "AR-0741-118";

/// Why an assignment or the bundled office key cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentError {
    /// The file is not a district assignment (not JSON, or fields missing).
    #[error("{source_name} is not a district assignment: {detail}")]
    NotAnAssignment {
        /// Where the text came from (a file path).
        source_name: String,
        /// What the reader found wrong (line and column included).
        detail: String,
    },
    /// The office public key bundled with the app does not decode: the app is damaged.
    #[error("the bundled office public key is damaged: reinstall the app")]
    OfficeKeyDamaged,
}

/// Installs the bundled questionnaires in a demo store and makes them those of every
/// district (idempotent: a demo store from an older app gets them at its next unlock).
pub fn install_questionnaires(store: &mut Store) -> Result<(), StoreError> {
    use census_core::coverage::Population;
    let bundled = [
        (HOUSEHOLD_QUESTIONNAIRE_JSON, Population::Household),
        (COLLECTIVE_QUESTIONNAIRE_JSON, Population::Collective),
    ];
    for (body, population) in bundled {
        let meta: QuestionnaireHeader = serde_json::from_str(body)
            .map_err(|e| StoreError::Invalid(format!("bundled questionnaire: {e}")))?;
        store.install_questionnaire(&InstalledQuestionnaire {
            id: meta.id.clone(),
            version: meta.version.clone(),
            population,
            sha256: crate::questionnaires::sha256_hex(body),
            body: body.to_owned(),
        })?;
        for district in store.districts()? {
            if store
                .district_questionnaire(&district.district_id, population)?
                .is_none()
            {
                store.set_district_questionnaire(
                    &district.district_id,
                    population,
                    &meta.id,
                    &meta.version,
                )?;
            }
        }
    }
    Ok(())
}

/// The identity of a questionnaire file.
#[derive(serde::Deserialize)]
struct QuestionnaireHeader {
    id: String,
    version: String,
}

/// Reads an assignment file's JSON, with a message naming what is wrong.
pub fn parse_assignment(source: &str, json: &str) -> Result<Assignment, AssignmentError> {
    serde_json::from_str(json).map_err(|e| AssignmentError::NotAnAssignment {
        source_name: source.to_owned(),
        detail: e.to_string(),
    })
}

/// The demo assignment.
pub fn demo_assignment() -> Result<Assignment, AssignmentError> {
    parse_assignment("assets/demo/assignment.json", DEMO_ASSIGNMENT_JSON)
}

/// The office public key the tablet seals its recovery key to.
///
/// Only the demo office key is bundled for now; a production build would carry the
/// statistics office's real key here.
pub fn office_public_key() -> Result<OfficePublicKey, AssignmentError> {
    hex::decode_array::<32>(DEMO_OFFICE_PUBLIC_HEX.trim())
        .map(OfficePublicKey)
        .ok_or(AssignmentError::OfficeKeyDamaged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_assignment_is_a_plausible_district() {
        let a = demo_assignment().unwrap();
        assert_eq!(a.districts.len(), 1);
        let d = &a.districts[0];
        assert_eq!(d.buildings.len(), 12);
        let dwellings: usize = d.buildings.iter().map(|b| b.dwellings.len()).sum();
        assert!((15..=25).contains(&dwellings), "{dwellings}");
        assert!(d.expected_dwellings as usize >= dwellings);
        for b in &d.buildings {
            let gps = b.gps.unwrap();
            // Inside Aït Ourir.
            assert!((31.55..31.58).contains(&gps.lat) && (-7.68..-7.64).contains(&gps.lon));
        }
        d.sampling.validate().unwrap();
    }

    #[test]
    fn office_key_decodes() {
        office_public_key().unwrap();
    }
}
