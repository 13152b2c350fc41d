use uuid::Uuid;

use super::*;

fn payload(device: &str, cases: usize) -> BatchPayload {
    BatchPayload {
        wire_version: WIRE_VERSION,
        batch_id: Uuid::new_v4(),
        device_id: device.into(),
        enumerator_id: "E-17".into(),
        created_at: "2024-09-02T10:00:00Z".into(),
        questionnaires: vec![QuestionnaireRef {
            id: "rgph2024".into(),
            version: "1.0.0".into(),
        }],
        cases: (0..cases)
            .map(|i| CaseRecord {
                case_id: Uuid::new_v4(),
                questionnaire_id: "rgph2024".into(),
                questionnaire_version: "1.0.0".into(),
                district_id: "DR-001".into(),
                building_number: 1,
                dwelling_number: i as u32 + 1,
                household_number: Some(1),
                status: "complete".into(),
                revision: 3,
                long_form: None,
                case: serde_json::json!({"format": "census-case", "root": {"answers": {"q": i}}}),
                events: vec![EventRecord {
                    seq: 1,
                    at: "2024-09-02T09:00:00Z".into(),
                    kind: "answer".into(),
                    row_path: String::new(),
                    item_id: "q".into(),
                    old: serde_json::Value::Null,
                    new: serde_json::json!(i),
                    screen: None,
                    gps: None,
                    last_at: None,
                }],
                updated_at: "2024-09-02T09:30:00Z".into(),
            })
            .collect(),
        listing: Listing::default(),
    }
}

#[test]
fn seal_open_round_trip_and_tamper() {
    let office = OfficeSecret::generate().unwrap();
    let sealed = seal_to_office(&office.public_key(), b"secret answers", b"aad").unwrap();
    assert_eq!(
        open_as_office(&office, &sealed, b"aad").unwrap(),
        b"secret answers"
    );
    assert_eq!(
        open_as_office(&office, &sealed, b"aaX"),
        Err(WireError::CannotDecrypt)
    );
    for i in [0usize, 1, 40, sealed.len() - 1] {
        let mut t = sealed.clone();
        t[i] ^= 1;
        assert!(open_as_office(&office, &t, b"aad").is_err(), "byte {i}");
    }
    let other = OfficeSecret::generate().unwrap();
    assert_eq!(
        open_as_office(&other, &sealed, b"aad"),
        Err(WireError::CannotDecrypt)
    );
    // Two seals of the same message differ (ephemeral key, random nonce).
    let again = seal_to_office(&office.public_key(), b"secret answers", b"aad").unwrap();
    assert_ne!(sealed, again);
}

#[test]
fn office_secret_bytes_round_trip_and_debug_redacted() {
    let office = OfficeSecret::generate().unwrap();
    let bytes = office.to_secret_bytes_dangerous();
    let back = OfficeSecret::from_secret_bytes(&bytes[..]).unwrap();
    assert_eq!(back.public_key(), office.public_key());
    assert!(OfficeSecret::from_secret_bytes(&[1, 2, 3]).is_err());
    assert_eq!(format!("{office:?}"), "OfficeSecret(<redacted>)");
    let dk = DeviceKey::generate().unwrap();
    assert_eq!(format!("{dk:?}"), "DeviceKey(<redacted>)");
    let dk2 = DeviceKey::from_pkcs8_dangerous(&dk.to_pkcs8_dangerous()).unwrap();
    assert_eq!(dk.public_key(), dk2.public_key());
}

#[test]
fn low_order_office_key_is_refused() {
    assert!(matches!(
        seal_to_office(&[0u8; 32], b"x", b""),
        Err(WireError::BadKey(_))
    ));
}

#[test]
fn batch_round_trip() {
    let office = OfficeSecret::generate().unwrap();
    let dev = DeviceKey::generate().unwrap();
    let p = payload("tab-1", 3);
    let bytes = build_batch(&p, &dev, &office.public_key())
        .unwrap()
        .to_bytes();
    let pk = dev.public_key().to_vec();
    let opened = open_batch(&bytes, |d| (d == "tab-1").then(|| pk.clone()), &office).unwrap();
    assert_eq!(opened, p);
    let unknown = open_batch(&bytes, |_| None, &office);
    assert_eq!(unknown, Err(WireError::UnknownDevice("tab-1".into())));
}

#[test]
fn tampered_batches_are_rejected_before_decrypting() {
    let office = OfficeSecret::generate().unwrap();
    let dev = DeviceKey::generate().unwrap();
    let pk = dev.public_key().to_vec();
    let signed = build_batch(&payload("tab-1", 2), &dev, &office.public_key()).unwrap();
    let open = |b: &SignedBatch| open_batch(&b.to_bytes(), |_| Some(pk.clone()), &office);

    let mut t = signed.clone();
    let n = t.sealed.len();
    t.sealed[n / 2] ^= 0x40;
    assert_eq!(open(&t), Err(WireError::BadSignature));

    let mut t = signed.clone();
    t.signature[0] ^= 1;
    assert_eq!(open(&t), Err(WireError::BadSignature));

    let mut t = signed.clone();
    t.batch_id = Uuid::new_v4();
    assert_eq!(open(&t), Err(WireError::BadSignature));

    let mut t = signed.clone();
    t.device_id = "tab-2".into();
    assert_eq!(open(&t), Err(WireError::BadSignature));

    // Signed by another device: its key does not verify.
    let intruder = DeviceKey::generate().unwrap();
    let forged = build_batch(&payload("tab-1", 1), &intruder, &office.public_key()).unwrap();
    assert_eq!(open(&forged), Err(WireError::BadSignature));
}

#[test]
fn wrong_office_key_cannot_decrypt() {
    let office = OfficeSecret::generate().unwrap();
    let other = OfficeSecret::generate().unwrap();
    let dev = DeviceKey::generate().unwrap();
    let pk = dev.public_key().to_vec();
    let bytes = build_batch(&payload("tab-1", 1), &dev, &other.public_key())
        .unwrap()
        .to_bytes();
    assert_eq!(
        open_batch(&bytes, |_| Some(pk.clone()), &office),
        Err(WireError::CannotDecrypt)
    );
}

#[test]
fn payload_must_match_envelope() {
    // A device signs a batch whose payload claims another device: refused after opening.
    let office = OfficeSecret::generate().unwrap();
    let dev = DeviceKey::generate().unwrap();
    let pk = dev.public_key().to_vec();
    let mut signed = build_batch(&payload("tab-1", 1), &dev, &office.public_key()).unwrap();
    let inner = payload("tab-9", 1);
    let resealed = build_batch(&inner, &dev, &office.public_key()).unwrap();
    // Re-seal tab-9's compressed payload under tab-1's aad and re-sign as tab-1.
    let compressed = open_as_office(&office, &resealed.sealed, &{
        let mut a = inner.batch_id.as_bytes().to_vec();
        a.extend_from_slice(b"tab-9");
        a
    })
    .unwrap();
    let mut aad = signed.batch_id.as_bytes().to_vec();
    aad.extend_from_slice(b"tab-1");
    signed.sealed = seal_to_office(&office.public_key(), &compressed, &aad).unwrap();
    let mut msg = b"census-batch-sig-v1".to_vec();
    msg.extend_from_slice(&WIRE_VERSION.to_be_bytes());
    msg.extend_from_slice(signed.batch_id.as_bytes());
    msg.push(5);
    msg.extend_from_slice(b"tab-1");
    msg.extend_from_slice(ring::digest::digest(&ring::digest::SHA256, &signed.sealed).as_ref());
    signed.signature = dev.sign(&msg);
    assert!(matches!(
        open_batch(&signed.to_bytes(), |_| Some(pk.clone()), &office),
        Err(WireError::Mismatch(_))
    ));
}

#[test]
fn newer_wire_version_is_reported() {
    let office = OfficeSecret::generate().unwrap();
    let dev = DeviceKey::generate().unwrap();
    let mut p = payload("tab-1", 1);
    p.wire_version = WIRE_VERSION + 1;
    let bytes = build_batch(&p, &dev, &office.public_key())
        .unwrap()
        .to_bytes();
    let pk = dev.public_key().to_vec();
    assert_eq!(
        open_batch(&bytes, |_| Some(pk.clone()), &office),
        Err(WireError::VersionTooNew {
            found: WIRE_VERSION + 1,
            supported: WIRE_VERSION
        })
    );
}

#[test]
fn garbage_never_panics() {
    let office = OfficeSecret::generate().unwrap();
    let mut seed = 0x9e37_79b9_u64;
    for len in 0..400usize {
        let mut bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 33) as u8
            })
            .collect();
        assert!(open_batch(&bytes, |_| Some(vec![0; 32]), &office).is_err());
        if bytes.len() > 4 {
            bytes[..4].copy_from_slice(b"CNSB");
            bytes[4..].iter_mut().take(4).for_each(|b| *b = 0);
        }
        assert!(open_batch(&bytes, |_| Some(vec![7; 32]), &office).is_err());
        assert!(open_as_office(&office, &bytes, b"").is_err());
        assert!(inflate_capped(&bytes, 1024).is_err() || bytes.is_empty());
    }
}

#[test]
fn gzip_bomb_is_capped() {
    use std::io::Write as _;
    // An attacker compresses as hard as the format allows (the tablet's own batches use the
    // fast level, whose ratio depends on the zlib backend linked in).
    let zeros = vec![0u8; 8 * 1024 * 1024];
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&zeros).unwrap();
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 64 * 1024, "compressed to {}", bomb.len());
    assert_eq!(
        inflate_capped(&bomb, 1024 * 1024),
        Err(WireError::TooLarge { limit: 1024 * 1024 })
    );
    assert_eq!(
        inflate_capped(&bomb, zeros.len()).unwrap().len(),
        zeros.len()
    );
    assert!(matches!(
        inflate_capped(b"\x1f\x8b\x08\x00garbage", 1024),
        Err(WireError::CorruptGzip(_))
    ));
}

#[test]
fn reply_json_shape() {
    let r = CaseResult {
        case_id: Uuid::nil(),
        revision: 2,
        outcome: CaseOutcome::Rejected {
            reason: "outside your districts".into(),
        },
    };
    let j = serde_json::to_value(&r).unwrap();
    assert_eq!(j["outcome"]["kind"], "rejected");
    assert_eq!(j["outcome"]["reason"], "outside your districts");
    assert!(!r.outcome.is_acknowledged());
    assert!(CaseOutcome::AlreadyHad.is_acknowledged());
    assert_eq!(decode_key32(&b64_encode(&[5u8; 32])).unwrap(), [5u8; 32]);
    assert!(decode_key32("AAAA").is_err());
}
