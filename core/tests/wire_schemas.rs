//! The JSON Schemas in `schemas/wire/` accept what `census_core::wire` writes, and refuse
//! broken messages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use census_core::coverage::Population;
use census_core::sampling::SamplingPlan;
use census_core::wire::*;
use serde_json::{Value, json};
use uuid::Uuid;

const BASE: &str = "https://census.example/schemas/wire/";
const FILES: [&str; 5] = [
    "common.schema.json",
    "batch.schema.json",
    "reply.schema.json",
    "enrol.schema.json",
    "review.schema.json",
];

fn load(name: &str) -> Value {
    let path = format!("{}/../schemas/wire/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn check(target: &str, valid: &Value, invalid: &Value) {
    let mut registry = jsonschema::Registry::new();
    for f in FILES {
        let schema = load(f);
        jsonschema::meta::validate(&schema).unwrap();
        registry = registry.add(format!("{BASE}{f}"), schema).unwrap();
    }
    let registry = registry.prepare().unwrap();
    let v = jsonschema::options()
        .with_registry(&registry)
        .offline()
        .build(&json!({"$ref": format!("{BASE}{target}")}))
        .unwrap();
    let errors: Vec<String> = v.iter_errors(valid).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{target}: {errors:?}\n{valid}");
    assert!(!v.is_valid(invalid), "{target} accepted {invalid}");
}

#[test]
fn batch_payload_matches_schema() {
    let p = BatchPayload {
        wire_version: WIRE_VERSION,
        batch_id: Uuid::new_v4(),
        device_id: "tab-1".into(),
        enumerator_id: "E-1".into(),
        created_at: "2024-09-01T08:00:00Z".into(),
        questionnaires: vec![QuestionnaireRef {
            id: "rgph2024".into(),
            version: "1.0.0".into(),
        }],
        cases: vec![CaseRecord {
            case_id: Uuid::new_v4(),
            questionnaire_id: "rgph2024".into(),
            questionnaire_version: "1.0.0".into(),
            district_id: "DR-1".into(),
            building_number: 4,
            dwelling_number: 1,
            household_number: Some(2),
            status: "complete".into(),
            revision: 7,
            long_form: Some(SamplingPlan::all_households().select(3).unwrap()),
            case: json!({"format": "census-case", "format_version": 1}),
            events: vec![EventRecord {
                seq: 1,
                at: "2024-09-01T08:01:00Z".into(),
                kind: "answer".into(),
                row_path: "households.1".into(),
                item_id: "sex".into(),
                old: Value::Null,
                new: json!("f"),
                screen: Some("persons".into()),
                gps: Some(census_core::GpsPoint {
                    lat: 34.0,
                    lon: -6.8,
                    accuracy_m: Some(5.0),
                }),
                last_at: Some("2024-09-05T10:00:04Z".into()),
            }],
            updated_at: "2024-09-01T08:02:00Z".into(),
        }],
        listing: Listing {
            buildings: vec![ListedBuildingRecord {
                district_id: "DR-1".into(),
                building_number: 4,
                gps: None,
                demolished: true,
                listed_at: "2024-09-01T07:50:00Z".into(),
            }],
            dwellings: vec![ListedDwellingRecord {
                district_id: "DR-1".into(),
                building_number: 4,
                dwelling_number: 1,
                occupancy: "occupied".into(),
                listed_at: "2024-09-01T07:51:00Z".into(),
            }],
        },
    };
    let valid = serde_json::to_value(&p).unwrap();
    let mut invalid = valid.clone();
    invalid["cases"][0]
        .as_object_mut()
        .unwrap()
        .remove("revision");
    check("batch.schema.json", &valid, &invalid);
}

#[test]
fn reply_matches_schema() {
    let r = BatchReply {
        batch_id: Uuid::new_v4(),
        results: vec![
            CaseResult {
                case_id: Uuid::new_v4(),
                revision: 1,
                outcome: CaseOutcome::Stored,
            },
            CaseResult {
                case_id: Uuid::new_v4(),
                revision: 2,
                outcome: CaseOutcome::AlreadyHad,
            },
            CaseResult {
                case_id: Uuid::new_v4(),
                revision: 3,
                outcome: CaseOutcome::Rejected {
                    reason: "outside your districts".into(),
                },
            },
        ],
    };
    let valid = serde_json::to_value(&r).unwrap();
    let mut invalid = valid.clone();
    invalid["results"][2]["outcome"] = json!({"kind": "rejected"});
    check("reply.schema.json", &valid, &invalid);
}

#[test]
fn enrolment_and_downloads_match_schema() {
    let key = b64_encode(&[9u8; 32]);
    let req = EnrolRequest {
        code: "ABCD-EFGH".into(),
        device_id: "tab-1".into(),
        device_public_key: key.clone(),
        enumerator_id: "E-1".into(),
    };
    let valid = serde_json::to_value(&req).unwrap();
    let mut invalid = valid.clone();
    invalid["device_public_key"] = json!("short");
    check("enrol.schema.json#/$defs/enrol_request", &valid, &invalid);

    let reply = EnrolReply {
        device_token: "tok".into(),
        office_public_key: key.clone(),
        assignment: Assignment {
            enumerator_id: "E-1".into(),
            districts: vec![AssignedDistrict {
                district_id: "DR-1".into(),
                control_sector: "CS-1".into(),
                supervision_zone: "ZS-1".into(),
                commune: "Rabat".into(),
                province: "Rabat".into(),
                region: "Rabat-Salé-Kénitra".into(),
                expected_buildings: 80,
                expected_dwellings: 240,
                expected_households: 250,
                sampling: SamplingPlan::systematic(200, 12345).unwrap(),
                buildings: vec![FrameBuilding {
                    building_number: 1,
                    gps: None,
                    description: "corner".into(),
                }],
                questionnaires: vec![PublishedQuestionnaire {
                    id: "rgph2024".into(),
                    version: "1.0.0".into(),
                    population: Population::Household,
                    sha256: "ab".repeat(32),
                }],
            }],
            office_keys: None,
        },
        office_keys: Some(OfficeKeys {
            batch: PublishedKey::new(&[9u8; 32]),
            recovery: Some(PublishedKey::new(&[7u8; 32])),
        }),
    };
    let valid = serde_json::to_value(&reply).unwrap();
    let mut invalid = valid.clone();
    invalid["assignment"]["districts"][0]["sampling"]["random_start"] = json!(1000);
    check("enrol.schema.json#/$defs/enrol_reply", &valid, &invalid);
    let mut invalid = valid.clone();
    invalid["office_keys"]["recovery"]["key_id"] = json!("not hex");
    check("enrol.schema.json#/$defs/enrol_reply", &valid, &invalid);
    let mut invalid = valid.clone();
    invalid["assignment"]["districts"][0]["questionnaires"][0]["population"] = json!("camp");
    check("enrol.schema.json#/$defs/enrol_reply", &valid, &invalid);

    let decisions = ReviewDecisions {
        decisions: vec![ReviewDecision {
            cursor: 4,
            case_id: Uuid::new_v4(),
            revision: 3,
            decision: Decision::SentBack,
            comment: "age of person 2?".into(),
            at: "2024-09-03T10:00:00Z".into(),
        }],
        next_cursor: 4,
    };
    let valid = serde_json::to_value(&decisions).unwrap();
    let mut invalid = valid.clone();
    invalid["decisions"][0]["decision"] = json!("maybe");
    check(
        "enrol.schema.json#/$defs/review_decisions",
        &valid,
        &invalid,
    );

    let valid = serde_json::to_value(OfficeKey {
        office_public_key: key,
    })
    .unwrap();
    check("enrol.schema.json#/$defs/office_key", &valid, &json!({}));
}

#[test]
fn review_messages_match_schema() {
    let entry = QueueEntry {
        case_id: Uuid::new_v4(),
        revision: 4,
        district_id: "DR-1".into(),
        building_number: 12,
        dwelling_number: 2,
        household_number: Some(1),
        enumerator_id: "E-1".into(),
        persons: 5,
        minutes: 23.5,
        updated_at: "2024-09-03T10:00:00Z".into(),
        head_name: Some("Fatima Zahra El Amrani".into()),
        soft_checks: 1,
    };
    let without_household = QueueEntry {
        household_number: None,
        head_name: None,
        ..entry.clone()
    };
    let valid = serde_json::to_value(vec![entry, without_household]).unwrap();
    let mut invalid = valid.clone();
    invalid[0].as_object_mut().unwrap().remove("enumerator_id");
    check("review.schema.json#/$defs/queue", &valid, &invalid);
    let mut invalid = valid.clone();
    invalid[1]["minutes"] = json!(-1);
    check("review.schema.json#/$defs/queue", &valid, &invalid);

    let approve = DecisionRequest {
        decision: Decision::Approved,
        comment: String::new(),
        revision: Some(3),
    };
    let valid = serde_json::to_value(&approve).unwrap();
    check(
        "review.schema.json#/$defs/decision_request",
        &valid,
        &json!({"decision": "maybe"}),
    );
    let send_back = DecisionRequest {
        decision: Decision::SentBack,
        comment: "l'âge de la personne 2 ?".into(),
        revision: None,
    };
    let valid = serde_json::to_value(&send_back).unwrap();
    check(
        "review.schema.json#/$defs/decision_request",
        &valid,
        &json!({"decision": "sent_back", "comment": "  "}),
    );
    check(
        "review.schema.json#/$defs/decision_request",
        &valid,
        &json!({"decision": "sent_back"}),
    );
    // The server reads a request without a comment as an empty comment.
    let read: DecisionRequest = serde_json::from_value(json!({"decision": "approved"})).unwrap();
    assert_eq!(
        read,
        DecisionRequest {
            revision: None,
            ..approve
        }
    );
    check(
        "review.schema.json#/$defs/decision_request",
        &json!({"decision": "approved", "revision": 3}),
        &json!({"decision": "approved", "revision": -3}),
    );

    let point = MapPoint {
        district_id: "07-041-0012".into(),
        lat: 31.56,
        lon: -7.66,
        status: "not_enumerated".into(),
    };
    let valid = serde_json::to_value(vec![point]).unwrap();
    let mut invalid = valid.clone();
    invalid[0]["lat"] = json!(131.0);
    check("review.schema.json#/$defs/map", &valid, &invalid);
    let mut invalid = valid.clone();
    invalid[0]["status"] = json!("done");
    check("review.schema.json#/$defs/map", &valid, &invalid);

    let valid = serde_json::to_value(DecisionReply { cursor: 7 }).unwrap();
    check(
        "review.schema.json#/$defs/decision_reply",
        &valid,
        &json!({"cursor": -1}),
    );
}

#[test]
fn a_review_decision_has_one_text() {
    use census_core::wire::Decision;
    for decision in [Decision::Approved, Decision::SentBack] {
        let json = serde_json::to_string(&decision).unwrap();
        assert_eq!(json, format!("\"{}\"", decision.as_str()));
        assert_eq!(decision.as_str().parse::<Decision>(), Ok(decision));
        assert_eq!(decision.to_string(), decision.as_str());
    }
    assert_eq!(Decision::SentBack, "sent_back");
    let refused = "rejected".parse::<Decision>().unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("\"rejected\" is not a review decision")
    );
}
