//! What a tablet downloads: its assignment (districts with their buildings, the published
//! questionnaires to use, the office's keys), the questionnaire list and a published
//! questionnaire's exact bytes.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use census_core::value::GpsPoint;
use census_core::wire::{
    Assignment, FrameBuilding, OfficeKeys, PublishedKey, QuestionnaireList, QuestionnaireRef,
};

use super::auth::{AuthedDevice, Principal};
use super::{ApiError, AppState};
use crate::store::{DeviceRecord, newest_per_population};

type Shared = State<Arc<AppState>>;

/// The office's public keys now: the current batch key and the current recovery key (if
/// one is set).
pub async fn office_keys(app: &AppState) -> Result<OfficeKeys, ApiError> {
    let recovery = app.store.recovery_key().await?;
    Ok(OfficeKeys {
        batch: PublishedKey::new(&app.office.public_key()),
        recovery: recovery.map(|k| PublishedKey::new(&k.public_key)),
    })
}

/// The refusal of an enrolment while the office has no recovery key: a tablet must never
/// seal its database key to nothing.
pub fn no_recovery_key() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "no_recovery_key",
        "the office has not set its recovery key, so no tablet can enrol yet: the office must \
         run `census-server set-recovery-key` with the public key `census-recover keygen` \
         printed",
    )
}

/// The assignment of `device`, with `keys` announced: its districts with their place,
/// expected counts, sampling plan, cartography's buildings and the newest published
/// questionnaire of each population.
pub async fn assignment_of(
    app: &AppState,
    device: &DeviceRecord,
    keys: OfficeKeys,
) -> Result<Assignment, ApiError> {
    let districts = app.store.districts(&device.districts).await?;
    let mut buildings: BTreeMap<String, Vec<FrameBuilding>> = BTreeMap::new();
    for b in app.store.frame_buildings(&device.districts).await? {
        buildings
            .entry(b.district_id)
            .or_default()
            .push(FrameBuilding {
                building_number: b.building_number,
                gps: b.gps.map(|(lat, lon)| GpsPoint {
                    lat,
                    lon,
                    accuracy_m: None,
                }),
                description: b.description,
            });
    }
    let published = app.store.published_questionnaires().await?;
    let questionnaires: Vec<_> = newest_per_population(&published)
        .iter()
        .map(|q| q.to_wire())
        .collect();
    Ok(Assignment {
        enumerator_id: device.enumerator_id.clone(),
        districts: districts
            .iter()
            .map(|d| {
                let mut assigned = d.to_assigned();
                assigned.buildings = buildings.remove(&d.district_id).unwrap_or_default();
                assigned.questionnaires = questionnaires.clone();
                assigned
            })
            .collect(),
        office_keys: Some(keys),
    })
}

/// `GET /v1/assignment`.
pub async fn assignment(
    State(app): Shared,
    AuthedDevice(device): AuthedDevice,
) -> Result<Json<Assignment>, ApiError> {
    let keys = office_keys(&app).await?;
    Ok(Json(assignment_of(&app, &device, keys).await?))
}

/// `GET /v1/questionnaires`: those given to `serve` and those published.
pub async fn questionnaires(
    State(app): Shared,
    _device: AuthedDevice,
) -> Result<Json<QuestionnaireList>, ApiError> {
    let mut refs = app.config.questionnaires.refs();
    for q in app.store.published_questionnaires().await? {
        let r = QuestionnaireRef {
            id: q.id,
            version: q.version,
        };
        if !refs.contains(&r) {
            refs.push(r);
        }
    }
    refs.sort_by(|a, b| (&a.id, &a.version).cmp(&(&b.id, &b.version)));
    Ok(Json(QuestionnaireList {
        questionnaires: refs,
    }))
}

/// `GET /v1/questionnaires/{id}/{version}`: the exact bytes published, for an enrolled
/// device or a reviewer.
pub async fn questionnaire_file(
    State(app): Shared,
    _caller: Principal,
    Path((id, version)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    match app.store.published_body(&id, &version).await? {
        Some(body) => Ok((
            [(header::CONTENT_TYPE, "application/json")],
            axum::body::Bytes::from(body),
        )
            .into_response()),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_questionnaire",
            "the office has published no questionnaire with this id and version",
        )),
    }
}
