//! What can be wrong with a wire message, in words an operator can act on.

/// Why a batch or a sealed message could not be built or opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    /// The outer envelope is not a census batch (bad magic, truncated, bad lengths).
    BadEnvelope(String),
    /// The envelope names a device the office does not know.
    UnknownDevice(String),
    /// The device's signature does not match the batch: it was altered or forged.
    BadSignature,
    /// The sealed payload could not be decrypted: wrong office key, or altered in transit.
    CannotDecrypt,
    /// The decrypted payload is not valid gzip.
    CorruptGzip(String),
    /// The payload inflates to more than the limit (bytes).
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The payload is not the expected JSON.
    BadJson(String),
    /// The message was written by a newer wire version than this build reads.
    VersionTooNew {
        /// The version found in the message.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// The envelope and the payload disagree (batch id or device id).
    Mismatch(String),
    /// A key is malformed (wrong length, not PKCS#8, low-order point…).
    BadKey(String),
    /// The system's random number generator or a crypto primitive failed.
    Crypto(String),
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireError::BadEnvelope(m) => write!(f, "not a census batch envelope: {m}"),
            WireError::UnknownDevice(d) => write!(f, "unknown device {d:?}: enrol it first"),
            WireError::BadSignature => {
                write!(
                    f,
                    "bad signature: the batch was altered or not signed by this device"
                )
            }
            WireError::CannotDecrypt => write!(
                f,
                "cannot decrypt: sealed to another office key, or altered in transit"
            ),
            WireError::CorruptGzip(m) => write!(f, "corrupt gzip payload: {m}"),
            WireError::TooLarge { limit } => {
                write!(f, "payload inflates to more than {limit} bytes")
            }
            WireError::BadJson(m) => write!(f, "bad JSON payload: {m}"),
            WireError::VersionTooNew { found, supported } => write!(
                f,
                "wire version {found} is newer than this build reads ({supported}): update"
            ),
            WireError::Mismatch(m) => write!(f, "envelope and payload disagree: {m}"),
            WireError::BadKey(m) => write!(f, "bad key: {m}"),
            WireError::Crypto(m) => write!(f, "crypto failure: {m}"),
        }
    }
}

impl std::error::Error for WireError {}
