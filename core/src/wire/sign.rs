//! Device signing keys (Ed25519, ring).

use ring::rand::SystemRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use zeroize::Zeroizing;

use super::error::WireError;

/// A device's Ed25519 signing key. Not `Clone`, not serialisable, redacted in `Debug`;
/// its PKCS#8 bytes are zeroized on drop.
pub struct DeviceKey {
    pair: Ed25519KeyPair,
    pkcs8: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceKey(<redacted>)")
    }
}

impl DeviceKey {
    /// A fresh key from the system's CSPRNG.
    pub fn generate() -> Result<DeviceKey, WireError> {
        let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| WireError::Crypto("Ed25519 key generation failed".into()))?;
        DeviceKey::from_pkcs8_dangerous(doc.as_ref())
    }

    /// Rebuilds the key from its PKCS#8 document (as saved by
    /// [`DeviceKey::to_pkcs8_dangerous`]).
    pub fn from_pkcs8_dangerous(pkcs8: &[u8]) -> Result<DeviceKey, WireError> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8)
            .map_err(|e| WireError::BadKey(format!("device key is not Ed25519 PKCS#8: {e}")))?;
        Ok(DeviceKey {
            pair,
            pkcs8: Zeroizing::new(pkcs8.to_vec()),
        })
    }

    /// The PKCS#8 document, to keep in the encrypted store. Whoever holds it can sign as
    /// this device: never log it.
    pub fn to_pkcs8_dangerous(&self) -> Zeroizing<Vec<u8>> {
        self.pkcs8.clone()
    }

    /// The 32-byte public key the office records at enrolment.
    pub fn public_key(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.pair.public_key().as_ref());
        out
    }

    /// Signs `message` (64-byte signature).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.pair.sign(message).as_ref().to_vec()
    }
}

/// Checks an Ed25519 `signature` of `message` by `public_key` (32 bytes).
pub fn verify_device_signature(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), WireError> {
    if public_key.len() != 32 {
        return Err(WireError::BadKey(format!(
            "device public key is {} bytes, not 32",
            public_key.len()
        )));
    }
    UnparsedPublicKey::new(&ED25519, public_key)
        .verify(message, signature)
        .map_err(|_| WireError::BadSignature)
}
