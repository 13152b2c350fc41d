//! The review page's session: after a reviewer signs in, the browser keeps a cookie that
//! names the reviewer's token *hash* and an expiry, signed with a key every instance derives
//! alike ([`SessionKey::derive`]: from the office key and a random secret kept in the
//! database) — never the token itself. A stolen cookie is worth at most its remaining hours;
//! a restart keeps reviewers signed in, and any instance on the same database accepts
//! another's cookies; revoking the reviewer ends the session.
//!
//! Every form of the page carries a token bound to the cookie it posts with, which a page
//! elsewhere cannot read: the session's CSRF token (an HMAC of the session cookie), and,
//! before sign-in, the sign-in form's token, bound the same way to a signed, short-lived
//! pre-session cookie (a signed double-submit cookie). Each HMAC input starts with a label,
//! so that no value of one kind verifies as another.

use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

/// How long a session lasts.
pub const SESSION_SECONDS: i64 = 12 * 3600;

/// How long a sign-in form may wait before it is posted.
pub const LOGIN_FORM_SECONDS: i64 = 3600;

/// Labels of the values signed with the session key.
const LOGIN_COOKIE: &str = "login-cookie";
const LOGIN_FORM: &str = "login-form";
const SESSION_FORM: &str = "session-form";

/// The name of the database secret the session key is derived from
/// ([`crate::store::Storage::shared_secret`]). Deleting its row, then restarting every
/// instance, signs everyone out.
pub const SESSION_SECRET: &str = "review-session-v1";

/// The signing key for sessions.
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

    /// The key every instance of one office derives alike: HMAC-SHA256 keyed by the office's
    /// secret key over a label and the database's `shared` secret. Neither the key file nor
    /// the database alone is enough to sign a session.
    pub fn derive(office_secret: &[u8], shared: &[u8; 32]) -> SessionKey {
        let outer = hmac::Key::new(hmac::HMAC_SHA256, office_secret);
        let mut input = b"census review session key:".to_vec();
        input.extend_from_slice(shared);
        let derived = hmac::sign(&outer, &input);
        SessionKey(hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref()))
    }

    /// The cookie value of a session for `token_hash` issued at `now` (Unix seconds).
    pub fn issue(&self, token_hash: &[u8; 32], now: i64) -> String {
        let payload = format!("{}.{}", hex(token_hash), now + SESSION_SECONDS);
        let tag = hmac::sign(&self.0, payload.as_bytes());
        format!("{payload}.{}", hex(tag.as_ref()))
    }

    /// A fresh pre-session cookie value for the sign-in form, issued at `now`; `None` only
    /// when the system has no randomness to give.
    pub fn issue_login(&self, now: i64) -> Option<String> {
        let mut nonce = [0u8; 16];
        SystemRandom::new().fill(&mut nonce).ok()?;
        let payload = format!("{}.{}", hex(&nonce), now + LOGIN_FORM_SECONDS);
        let tag = self.tag(LOGIN_COOKIE, &payload);
        Some(format!("{payload}.{tag}"))
    }

    /// Whether `value` is a pre-session cookie this process issued and that has not expired.
    pub fn verify_login(&self, value: &str, now: i64) -> bool {
        let Some((payload, tag)) = value.rsplit_once('.') else {
            return false;
        };
        let expires = payload
            .split_once('.')
            .and_then(|(_, e)| e.parse::<i64>().ok());
        self.check(LOGIN_COOKIE, payload, tag) && expires.is_some_and(|e| e > now)
    }

    /// The sign-in form's token for the pre-session cookie `login_cookie`.
    pub fn login_form_token(&self, login_cookie: &str) -> String {
        self.tag(LOGIN_FORM, login_cookie)
    }

    /// Whether `token` is the sign-in form's token of `login_cookie`.
    pub fn verify_login_form(&self, login_cookie: &str, token: &str) -> bool {
        self.check(LOGIN_FORM, login_cookie, token)
    }

    /// The CSRF token of the session whose cookie value is `session_cookie`.
    pub fn csrf_token(&self, session_cookie: &str) -> String {
        self.tag(SESSION_FORM, session_cookie)
    }

    /// Whether `token` is the CSRF token of `session_cookie`.
    pub fn verify_csrf(&self, session_cookie: &str, token: &str) -> bool {
        self.check(SESSION_FORM, session_cookie, token)
    }

    fn tag(&self, label: &str, value: &str) -> String {
        hex(hmac::sign(&self.0, format!("{label}:{value}").as_bytes()).as_ref())
    }

    /// Constant-time check of a tag made by [`SessionKey::tag`].
    fn check(&self, label: &str, value: &str, tag: &str) -> bool {
        unhex(tag).is_some_and(|tag| {
            hmac::verify(&self.0, format!("{label}:{value}").as_bytes(), &tag).is_ok()
        })
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

    #[test]
    fn derived_keys_agree_only_on_the_same_office_and_secret() {
        let a = SessionKey::derive(&[1u8; 32], &[2u8; 32]);
        let same = SessionKey::derive(&[1u8; 32], &[2u8; 32]);
        let other_office = SessionKey::derive(&[3u8; 32], &[2u8; 32]);
        let other_secret = SessionKey::derive(&[1u8; 32], &[4u8; 32]);
        let cookie = a.issue(&[7u8; 32], 1_000);
        assert_eq!(same.verify(&cookie, 1_001), Some([7u8; 32]));
        assert_eq!(other_office.verify(&cookie, 1_001), None);
        assert_eq!(other_secret.verify(&cookie, 1_001), None);
    }

    #[test]
    fn form_tokens_are_bound_to_their_cookie_and_kind() {
        let key = SessionKey::generate().unwrap();
        let login = key.issue_login(1_000).unwrap();
        assert!(key.verify_login(&login, 1_001));
        assert!(!key.verify_login(&login, 1_000 + LOGIN_FORM_SECONDS));
        assert_ne!(
            key.issue_login(1_000).unwrap(),
            login,
            "a fresh nonce each time"
        );
        let token = key.login_form_token(&login);
        assert!(key.verify_login_form(&login, &token));
        let other = key.issue_login(1_000).unwrap();
        assert!(!key.verify_login_form(&other, &token));
        assert!(!key.verify_login_form(&login, ""));
        // No value of one kind passes as another.
        assert_eq!(key.verify(&login, 1_001), None);
        let session = key.issue(&[7u8; 32], 1_000);
        assert!(!key.verify_login(&session, 1_001));
        let csrf = key.csrf_token(&session);
        assert!(key.verify_csrf(&session, &csrf));
        assert!(!key.verify_login_form(&session, &csrf));
        assert!(!key.verify_csrf(&login, &token));
        assert!(!SessionKey::generate().unwrap().verify_csrf(&session, &csrf));
    }
}
