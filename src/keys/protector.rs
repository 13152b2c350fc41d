//! An optional platform layer over the key file's PIN wrap.
//!
//! The PIN wrap (`pin_wrap.wrapped_key` in the key file) is the database key encrypted under a
//! key derived from the PIN. Anyone holding a copy of the file can guess PINs offline, slowed
//! only by Argon2id. A [`KeyProtector`] adds a second encryption **over that ciphertext** with a
//! key the platform keeps: on Android, an AES-256-GCM key in the Android Keystore
//! (`crate::platform::keystore`, non-exportable, StrongBox-backed where the tablet has one).
//! A copied key file is then useless off the tablet: each PIN guess needs the tablet's
//! secure hardware.
//!
//! The office recovery wrap is **not** under this layer, on purpose: a tablet whose keystore
//! key is lost (factory reset of the keystore, data restored to another tablet) can still be
//! opened by the office.
//!
//! On the desktop (and in every host test) the protector is [`NoProtector`]: no layer, the key
//! file is exactly what it was before this layer existed, and protects what the PIN wrap alone
//! protects. A wrap names the layer it is under (`pin_wrap.protector`); a wrap naming none (every
//! key file written before this layer) still opens, and is put under the installed layer at its
//! next successful unlock. A wrap naming a layer the running app does not have is refused as
//! damaged, in clear words (office recovery still works).

use std::fmt;
use std::sync::{Arc, OnceLock};

use zeroize::Zeroizing;

use super::KeyError;

/// A platform key that encrypts and decrypts the PIN wrap's ciphertext without ever revealing
/// itself.
pub trait KeyProtector: Send + Sync + fmt::Debug {
    /// The layer's name as written in the key file (`pin_wrap.protector`), or `None` when this
    /// protector adds no layer.
    fn layer_name(&self) -> Option<&str>;

    /// Encrypts `data` under the platform key.
    fn protect(&self, data: &[u8]) -> Result<Vec<u8>, KeyError>;

    /// Decrypts what [`KeyProtector::protect`] returned.
    fn unprotect(&self, data: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError>;
}

/// No platform layer: what the desktop uses. The key file is protected by the PIN wrap
/// (Argon2id + AES-256-GCM) and the file's permissions only.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProtector;

impl KeyProtector for NoProtector {
    fn layer_name(&self) -> Option<&str> {
        None
    }

    fn protect(&self, data: &[u8]) -> Result<Vec<u8>, KeyError> {
        Ok(data.to_vec())
    }

    fn unprotect(&self, data: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        Ok(Zeroizing::new(data.to_vec()))
    }
}

static INSTALLED: OnceLock<Arc<dyn KeyProtector>> = OnceLock::new();

/// Installs the platform's protector for this process (the Android launcher does, before the
/// app opens its key file). Returns `false` if one was already installed (it is kept).
pub fn install(protector: Arc<dyn KeyProtector>) -> bool {
    INSTALLED.set(protector).is_ok()
}

/// The protector [`super::KeyFile::create`] and [`super::KeyFile::load`] use: the installed
/// one, or [`NoProtector`].
pub fn installed() -> Arc<dyn KeyProtector> {
    match INSTALLED.get() {
        Some(protector) => Arc::clone(protector),
        None => Arc::new(NoProtector),
    }
}

/// Applies `protector` to a PIN wrap's ciphertext: the stored bytes and the layer name.
pub(crate) fn seal_layer(
    protector: &dyn KeyProtector,
    ciphertext: &[u8],
) -> Result<(Vec<u8>, Option<String>), KeyError> {
    match protector.layer_name() {
        None => Ok((ciphertext.to_vec(), None)),
        Some(name) => Ok((protector.protect(ciphertext)?, Some(name.to_string()))),
    }
}

/// Removes the layer a wrap names (`layer`) from its stored bytes.
pub(crate) fn open_layer(
    protector: &dyn KeyProtector,
    layer: Option<&str>,
    stored: Vec<u8>,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    match layer {
        None => Ok(Zeroizing::new(stored)),
        Some(name) if protector.layer_name() == Some(name) => protector.unprotect(&stored),
        Some(name) => Err(KeyError::Malformed(format!(
            "the PIN wrap is protected by \"{name}\", which this app cannot use here (a key \
             file copied from another device, or the platform key was deleted); office \
             recovery can still unlock it"
        ))),
    }
}

#[cfg(test)]
#[path = "protector_tests.rs"]
mod tests;
