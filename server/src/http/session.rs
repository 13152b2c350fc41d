//! The review page's session: after a reviewer signs in, the browser keeps a cookie that
//! names the reviewer's token *hash* and an expiry, signed with a key that lives only in
//! this server process — never the token itself. A stolen cookie is worth at most its
//! remaining hours; a restart signs everyone out; removing the reviewer ends the session.

use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

/// How long a session lasts.
pub const SESSION_SECONDS: i64 = 12 * 3600;

/// The process's signing key for sessions.
pub struct SessionKey(hmac::Key);

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey([redacted])")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

impl SessionKey {
    /// A fresh random key; `None` only when the system has no randomness to give.
    pub fn generate() -> Option<SessionKey> {
        let mut bytes = [0u8; 32];
        SystemRandom::new().fill(&mut bytes).ok()?;
        Some(SessionKey(hmac::Key::new(hmac::HMAC_SHA256, &bytes)))
    }

    /// The cookie value of a session for `token_hash` issued at `now` (Unix seconds).
    pub fn issue(&self, token_hash: &[u8; 32], now: i64) -> String {
        let payload = format!("{}.{}", hex(token_hash), now + SESSION_SECONDS);
        let tag = hmac::sign(&self.0, payload.as_bytes());
        format!("{payload}.{}", hex(tag.as_ref()))
    }

    /// The token hash of a valid, unexpired session cookie value.
    pub fn verify(&self, value: &str, now: i64) -> Option<[u8; 32]> {
        let (payload, tag) = value.rsplit_once('.')?;
        hmac::verify(&self.0, payload.as_bytes(), &unhex(tag)?).ok()?;
        let (hash, expires) = payload.split_once('.')?;
        if expires.parse::<i64>().ok()? <= now {
            return None;
        }
        unhex(hash)?.try_into().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_verifies_until_it_expires_and_not_when_altered() {
        let key = SessionKey::generate().unwrap();
        let hash = [7u8; 32];
        let cookie = key.issue(&hash, 1_000);
        assert_eq!(key.verify(&cookie, 1_001), Some(hash));
        assert_eq!(key.verify(&cookie, 1_000 + SESSION_SECONDS), None);
        let longer = cookie.replacen(&(1_000 + SESSION_SECONDS).to_string(), "9999999999", 1);
        assert_eq!(key.verify(&longer, 1_001), None);
        let other = SessionKey::generate().unwrap();
        assert_eq!(other.verify(&cookie, 1_001), None);
        assert_eq!(key.verify("garbage", 1_001), None);
        assert!(!cookie.contains(&"07".repeat(33)), "only the hash, once");
        assert!(format!("{key:?}").contains("redacted"));
    }
}
