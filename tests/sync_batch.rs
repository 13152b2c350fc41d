//! The client's batches and its handling of the office's answers, on a real encrypted store,
//! opened with the office's real key (no server involved).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sync_support;

use census::store::sync_state::SyncKey;
use census::store::{CaseStatus, Revision, Store};
use census::sync::{Credentials, SyncClient, SyncProblem};
use census_core::wire::{
    self, BatchReply, CaseOutcome, CaseResult, DeviceKey, OfficeSecret, WireError,
};
use sync_support::{add_case, config, ctx, open_new, queued};

/// Stores enrolment credentials as enrolment would, and returns the office's secret and
/// the device's public key.
fn fake_enrolment(store: &mut Store) -> (OfficeSecret, [u8; 32]) {
    let office = OfficeSecret::generate().unwrap();
    let device = DeviceKey::generate().unwrap();
    let key_text = wire::b64_encode(&device.to_pkcs8_dangerous());
    store
        .set_sync_settings(&[
            (SyncKey::DeviceId, "tablet-test-1"),
            (SyncKey::DeviceKey, &key_text),
            (SyncKey::DeviceToken, "token-not-used-here"),
            (
                SyncKey::OfficePublicKey,
                &wire::b64_encode(&office.public_key()),
            ),
            (SyncKey::EnumeratorId, "E-001"),
        ])
        .unwrap();
    (office, device.public_key())
}

#[test]
fn a_batch_opens_at_the_office_with_each_case_at_its_revision_and_its_events() {
    let dir = tempfile::tempdir().unwrap();
    let (_key, mut store) = open_new(dir.path());
    let (office, device_public) = fake_enrolment(&mut store);
    let a = add_case(&mut store, "DR-1", 1);
    let b = add_case(&mut store, "DR-1", 2);
    let client = SyncClient::new(config("http://127.0.0.1:9")).unwrap();
    let credentials = Credentials::load(&store).unwrap();
    let pending = client.pending(&store).unwrap();
    assert_eq!(pending.len(), 2);

    let batch = client
        .prepare_batch(&mut store, &credentials, &pending)
        .unwrap();
    assert_eq!(batch.unreadable, 0);
    let payload = wire::open_batch(
        &batch.envelope,
        |id| (id == "tablet-test-1").then(|| device_public.to_vec()),
        &office,
    )
    .unwrap();
    assert_eq!(payload.batch_id, batch.batch_id);
    assert_eq!(payload.device_id, "tablet-test-1");
    assert_eq!(payload.enumerator_id, "E-001");
    assert_eq!(payload.questionnaires.len(), 1);
    assert_eq!(payload.cases.len(), 2);
    for (case_id, record) in [a, b].iter().zip(&payload.cases) {
        assert_eq!(record.case_id, case_id.0);
        let meta = store.case_meta(*case_id).unwrap();
        assert_eq!(record.revision, meta.revision.0 as u64);
        assert_eq!(record.status, "in_progress");
        assert_eq!(record.case["format"], "census-case");
        let events = store.events(*case_id).unwrap();
        assert_eq!(record.events.len(), events.len());
        assert_eq!(record.events.first().unwrap().kind, "case_created");
        assert!(record.events.iter().any(|e| e.item_id == "d_address"));
        assert_eq!(record.events[1].gps.unwrap().lat, 33.5731);
    }
    let answers = payload.cases[0].case["root"]["answers"].to_string();
    assert!(answers.contains("1 rue des Orangers"), "{answers}");

    // One flipped byte anywhere in the sealed part or the signature: the office refuses it.
    for position in [batch.envelope.len() - 1, batch.envelope.len() / 2, 40] {
        let mut tampered = batch.envelope.clone();
        tampered[position] ^= 0x01;
        let opened = wire::open_batch(&tampered, |_| Some(device_public.to_vec()), &office);
        assert!(
            opened.is_err(),
            "byte {position} altered but the batch opened"
        );
    }
    // Another device's key does not verify it.
    let other = DeviceKey::generate().unwrap().public_key();
    assert_eq!(
        wire::open_batch(&batch.envelope, |_| Some(other.to_vec()), &office).unwrap_err(),
        WireError::BadSignature
    );
}

#[test]
fn only_the_offices_acknowledgement_marks_a_case_as_sent() {
    let dir = tempfile::tempdir().unwrap();
    let (_key, mut store) = open_new(dir.path());
    fake_enrolment(&mut store);
    let stored = add_case(&mut store, "DR-1", 1);
    let already = add_case(&mut store, "DR-1", 2);
    let refused = add_case(&mut store, "DR-9", 3);
    let changed = add_case(&mut store, "DR-1", 4);
    let silent = add_case(&mut store, "DR-1", 5);
    let client = SyncClient::new(config("http://127.0.0.1:9")).unwrap();
    let credentials = Credentials::load(&store).unwrap();
    let pending = client.pending(&store).unwrap();
    let batch = client
        .prepare_batch(&mut store, &credentials, &pending)
        .unwrap();
    assert_eq!(batch.cases.len(), 5);
    // The enumerator edits one case while the batch is on its way.
    store
        .save_answer(
            changed,
            "",
            "d_rooms",
            &serde_json::json!(4),
            &ctx("dwelling"),
        )
        .unwrap();

    let revision = |id| store.case_meta(id).unwrap().revision.0 as u64;
    let result = |id: census::store::CaseId, revision, outcome| CaseResult {
        case_id: id.0,
        revision,
        outcome,
    };
    let sent_revision = |id| {
        batch
            .cases
            .iter()
            .find(|c| c.case_id == id)
            .map(|c| c.revision.0 as u64)
            .unwrap()
    };
    let reply = BatchReply {
        batch_id: batch.batch_id,
        results: vec![
            result(stored, revision(stored), CaseOutcome::Stored),
            result(already, revision(already), CaseOutcome::AlreadyHad),
            result(
                refused,
                revision(refused),
                CaseOutcome::Rejected {
                    reason: "district DR-9 is not assigned to this device".into(),
                },
            ),
            result(changed, sent_revision(changed), CaseOutcome::Stored),
        ],
    };
    let wrong = BatchReply {
        batch_id: uuid::Uuid::new_v4(),
        results: reply.results.clone(),
    };
    assert!(matches!(
        SyncClient::apply_reply(&mut store, &batch, &wrong),
        Err(SyncProblem::BadAnswer(_))
    ));
    assert_eq!(
        queued(&store).len(),
        5,
        "an answer for another batch changed nothing"
    );

    let outcome = SyncClient::apply_reply(&mut store, &batch, &reply).unwrap();
    assert_eq!(outcome.acknowledged, 2);
    assert_eq!(outcome.changed_meanwhile, 1);
    assert_eq!(outcome.rejected, 1);
    assert_eq!(outcome.unanswered, 1);
    let mut left = queued(&store);
    left.sort();
    let mut expected = vec![refused, changed, silent];
    expected.sort();
    assert_eq!(left, expected);
    let rejections = store.rejections().unwrap();
    assert_eq!(rejections.len(), 1);
    assert_eq!(rejections[0].case_id, refused);
    assert!(rejections[0].reason.contains("not assigned"));

    // The refused revision is not offered again; a new revision is.
    let offered: Vec<_> = client
        .pending(&store)
        .unwrap()
        .into_iter()
        .map(|e| e.case_id)
        .collect();
    assert!(!offered.contains(&refused));
    assert!(offered.contains(&changed) && offered.contains(&silent));
    store
        .set_status(refused, CaseStatus::Refused, None, &ctx("dwelling"))
        .unwrap();
    assert!(
        client
            .pending(&store)
            .unwrap()
            .iter()
            .any(|e| e.case_id == refused && e.revision > Revision(1))
    );
}

#[test]
fn a_case_of_an_unknown_questionnaire_is_kept_with_its_reason_and_does_not_block_others() {
    let dir = tempfile::tempdir().unwrap();
    let (_key, mut store) = open_new(dir.path());
    fake_enrolment(&mut store);
    let good = add_case(&mut store, "DR-1", 1);
    let odd = store
        .create_case(
            &census::store::NewCase {
                questionnaire_id: "rgph2024".into(),
                questionnaire_version: "9.9.9".into(),
                district_id: "DR-1".into(),
                building_no: 2,
                dwelling_no: 1,
                household_no: 1,
                long_form: false,
            },
            &ctx("district"),
        )
        .unwrap();
    let client = SyncClient::new(config("http://127.0.0.1:9")).unwrap();
    let credentials = Credentials::load(&store).unwrap();
    let pending = client.pending(&store).unwrap();
    let batch = client
        .prepare_batch(&mut store, &credentials, &pending)
        .unwrap();
    assert_eq!(batch.unreadable, 1);
    assert_eq!(
        batch.cases.iter().map(|c| c.case_id).collect::<Vec<_>>(),
        vec![good]
    );
    let rejections = store.rejections().unwrap();
    assert_eq!(rejections.len(), 1);
    assert_eq!(rejections[0].case_id, odd);
    assert!(
        rejections[0].reason.contains("9.9.9"),
        "{}",
        rejections[0].reason
    );
    assert!(queued(&store).contains(&odd), "the case stays queued");
    assert_eq!(client.pending(&store).unwrap().len(), 1);
}

#[test]
fn without_enrolment_the_client_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (_key, store) = open_new(dir.path());
    let problem = Credentials::load(&store).unwrap_err();
    assert_eq!(problem, SyncProblem::NotEnrolled);
    assert!(
        problem
            .to_string()
            .contains("ask your supervisor for an enrolment code")
    );
    assert!(!problem.retries_on_its_own());
    assert!(SyncProblem::Offline.retries_on_its_own());
    assert!(
        SyncProblem::Offline
            .to_string()
            .contains("your cases are safe on the tablet")
    );
}

#[test]
fn an_answer_typed_in_keystrokes_travels_as_one_event_with_its_last_keystroke_time() {
    let dir = tempfile::tempdir().unwrap();
    let (_key, mut store) = open_new(dir.path());
    let (office, device_public) = fake_enrolment(&mut store);
    let case = add_case(&mut store, "DR-1", 1);
    let address = "12 rue du Lac";
    for end in 1..=address.len() {
        let typed = &address[..end];
        store
            .save_typed_answer(case, "", "d_address", &serde_json::json!(typed), &ctx("q"))
            .unwrap();
    }
    let client = SyncClient::new(config("http://127.0.0.1:9")).unwrap();
    let credentials = Credentials::load(&store).unwrap();
    let pending = client.pending(&store).unwrap();
    let batch = client
        .prepare_batch(&mut store, &credentials, &pending)
        .unwrap();
    let payload = wire::open_batch(
        &batch.envelope,
        |id| (id == "tablet-test-1").then(|| device_public.to_vec()),
        &office,
    )
    .unwrap();
    let record = &payload.cases[0];
    let typed: Vec<_> = record
        .events
        .iter()
        .filter(|e| e.last_at.is_some())
        .collect();
    assert_eq!(typed.len(), 1, "{:?}", record.events);
    assert_eq!(typed[0].item_id, "d_address");
    assert_eq!(typed[0].old, serde_json::json!("1 rue des Orangers"));
    assert_eq!(typed[0].new, serde_json::json!("12 rue du Lac"));
    assert!(typed[0].last_at.as_deref().unwrap() >= typed[0].at.as_str());
    // Sent whole: the sync closed the edit, so the next keystroke is a new revision.
    assert_eq!(
        record.events.len(),
        store.events(case).unwrap().len(),
        "every event is in the batch"
    );
    let revision = store
        .save_typed_answer(
            case,
            "",
            "d_address",
            &serde_json::json!("12 rue du Lac 2"),
            &ctx("q"),
        )
        .unwrap();
    assert!(revision.0 as u64 > record.revision);
}
