//! Tests of the platform layer over the PIN wrap, with a software stand-in for a hardware key
//! (an AES-256-GCM key held in memory: it exercises the layer, it protects nothing at rest).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use zeroize::Zeroizing;

use super::{KeyProtector, NoProtector};
use crate::keys::secret::fill_random;
use crate::keys::{KEY_FILE_NAME, KeyError, KeyFile, OfficeSecretKey, Pin};

/// A named AES-256-GCM key in memory, standing in for a key in secure hardware.
#[derive(Debug)]
struct SoftKey {
    name: &'static str,
    key: [u8; 32],
}

impl SoftKey {
    fn new(name: &'static str) -> SoftKey {
        let mut key = [0u8; 32];
        fill_random(&mut key).unwrap();
        SoftKey { name, key }
    }

    fn cipher(&self) -> LessSafeKey {
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &self.key).unwrap())
    }
}

impl KeyProtector for SoftKey {
    fn layer_name(&self) -> Option<&str> {
        Some(self.name)
    }

    fn protect(&self, data: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut nonce = [0u8; 12];
        fill_random(&mut nonce)?;
        let mut out = data.to_vec();
        self.cipher()
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut out)
            .map_err(|_| KeyError::Crypto("test layer"))?;
        Ok([nonce.as_slice(), &out].concat())
    }

    fn unprotect(&self, data: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let (nonce, sealed) = data.split_at(12);
        let mut buffer = Zeroizing::new(sealed.to_vec());
        let nonce = Nonce::try_assume_unique_for_key(nonce).unwrap();
        let len = self
            .cipher()
            .open_in_place(nonce, Aad::empty(), &mut buffer)
            .map_err(|_| KeyError::Malformed("the platform key does not open the PIN wrap".into()))?
            .len();
        buffer.truncate(len);
        Ok(buffer)
    }
}

fn pin(digits: &str) -> Pin {
    Pin::new(digits.into()).unwrap()
}

fn json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Without a layer, the key file is what it was before the layer existed: format 2, no
/// `protector` field (an older app opens it).
#[test]
fn without_a_layer_the_file_keeps_format_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(KEY_FILE_NAME);
    let office = OfficeSecretKey::generate().unwrap().public_key();
    let (_, key) = KeyFile::create_with_protector(
        &path,
        &pin("280514"),
        &office,
        "t-1",
        Arc::new(NoProtector),
    )
    .unwrap();
    let value = json(&path);
    assert_eq!(value["format"], 2);
    assert!(value["pin_wrap"].get("protector").is_none(), "{value}");
    let mut loaded = KeyFile::load(&path).unwrap();
    let unlocked = loaded.unlock(&pin("280514")).unwrap();
    assert_eq!(unlocked.expose_secret_bytes(), key.expose_secret_bytes());
}

/// A key file written before the layer opens with the layer installed, and is put under the
/// layer by that unlock (format 3); the layered file needs the platform key: without it, or
/// with another one, the PIN alone no longer opens it, and the words say why. Office recovery
/// (not under the layer) still unlocks it.
#[test]
fn a_file_from_before_the_layer_opens_and_is_put_under_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(KEY_FILE_NAME);
    let office = OfficeSecretKey::generate().unwrap();
    let (_, key) = KeyFile::create_with_protector(
        &path,
        &pin("280514"),
        &office.public_key(),
        "t-2",
        Arc::new(NoProtector),
    )
    .unwrap();
    let before = json(&path);

    let platform: Arc<dyn KeyProtector> = Arc::new(SoftKey::new("test-soft-v1"));
    let mut loaded = KeyFile::load_with_protector(&path, Arc::clone(&platform)).unwrap();
    let unlocked = loaded.unlock(&pin("280514")).unwrap();
    assert_eq!(unlocked.expose_secret_bytes(), key.expose_secret_bytes());

    let after = json(&path);
    assert_eq!(after["format"], 3);
    assert_eq!(after["pin_wrap"]["protector"], "test-soft-v1");
    assert_ne!(
        after["pin_wrap"]["wrapped_key"],
        before["pin_wrap"]["wrapped_key"]
    );
    assert_eq!(after["recovery_wrap"], before["recovery_wrap"]);

    // With the platform key: opens.
    let mut again = KeyFile::load_with_protector(&path, Arc::clone(&platform)).unwrap();
    assert!(again.unlock(&pin("280514")).is_ok());

    // On a host without the layer: refused in words, not as a wrong PIN.
    let mut elsewhere = KeyFile::load_with_protector(&path, Arc::new(NoProtector)).unwrap();
    let refused = elsewhere.unlock(&pin("280514")).unwrap_err();
    assert!(matches!(refused, KeyError::Malformed(_)), "{refused:?}");
    assert!(refused.to_string().contains("test-soft-v1"), "{refused}");

    // Another key of the same name (the keystore key was recreated): refused too.
    let other: Arc<dyn KeyProtector> = Arc::new(SoftKey::new("test-soft-v1"));
    let mut replaced = KeyFile::load_with_protector(&path, other).unwrap();
    assert!(matches!(
        replaced.unlock(&pin("280514")),
        Err(KeyError::Malformed(_))
    ));

    // Office recovery does not need the platform key.
    let mut recovered = KeyFile::load_with_protector(&path, Arc::new(NoProtector)).unwrap();
    recovered
        .recover_with_office_key(&office, &pin("583920"))
        .unwrap();
    let mut reopened = KeyFile::load(&path).unwrap();
    let key_again = reopened.unlock(&pin("583920")).unwrap();
    assert_eq!(key_again.expose_secret_bytes(), key.expose_secret_bytes());
    assert_eq!(json(&path)["format"], 2);
}

/// A new file under a layer is format 3 from the start, and a wrong PIN is still a wrong PIN.
#[test]
fn a_new_layered_file_counts_wrong_pins() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(KEY_FILE_NAME);
    let office = OfficeSecretKey::generate().unwrap().public_key();
    let platform: Arc<dyn KeyProtector> = Arc::new(SoftKey::new("test-soft-v1"));
    KeyFile::create_with_protector(&path, &pin("280514"), &office, "t-3", Arc::clone(&platform))
        .unwrap();
    assert_eq!(json(&path)["format"], 3);
    let mut loaded = KeyFile::load_with_protector(&path, platform).unwrap();
    assert!(matches!(
        loaded.unlock(&pin("999999")),
        Err(KeyError::WrongPin { .. })
    ));
    assert!(loaded.unlock(&pin("280514")).is_ok());
}
