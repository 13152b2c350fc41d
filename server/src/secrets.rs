//! One-time enrolment codes and device tokens: generated from the system CSPRNG, stored
//! only as SHA-256 hashes.

use census_core::access_code::{self, format_code};
use census_core::wire::b64_encode;
use ring::digest::{SHA256, digest};
use ring::rand::{SecureRandom, SystemRandom};

fn random_bytes<const N: usize>() -> Result<[u8; N], String> {
    let mut b = [0u8; N];
    SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| "system random generator failed".to_owned())?;
    Ok(b)
}

/// A fresh one-time code like `K7QM-3XPA-R9TD-WB4N` (16 symbols, ~79 bits).
pub fn generate_code() -> Result<String, String> {
    Ok(format_code(&random_bytes::<16>()?, 4))
}

/// A fresh reviewer code like `K7QMX-3PARD` (10 symbols, ~49 bits): short enough to type
/// on a tablet, and guessed only through the limit on failed sign-ins per address.
pub fn generate_reviewer_code() -> Result<String, String> {
    Ok(format_code(
        &random_bytes::<{ access_code::REVIEWER_CODE_SYMBOLS }>()?,
        5,
    ))
}

/// The hash under which a code is stored: SHA-256 of the code upper-cased, without
/// spaces or dashes (so `k7qm 3xpa…` as typed matches).
pub fn code_hash(code: &str) -> [u8; 32] {
    let normal: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect();
    sha256(normal.as_bytes())
}

/// A fresh bearer token (32 random bytes, base64).
pub fn generate_token() -> Result<String, String> {
    Ok(b64_encode(&random_bytes::<32>()?))
}

/// The hash under which a bearer credential is stored: a device token or a reviewer token
/// as it is, a short reviewer code read the one way ([`access_code::normal_code`]: any case,
/// spaces or dashes), so that the code typed on a tablet or into the review page matches.
pub fn token_hash(token: &str) -> [u8; 32] {
    match access_code::normal_code(token) {
        Some(code) => sha256(code.as_bytes()),
        None => sha256(token.as_bytes()),
    }
}

/// A random `u64` from the system CSPRNG (sampling random starts).
pub fn random_u64() -> Result<u64, String> {
    Ok(u64::from_le_bytes(random_bytes::<8>()?))
}

fn sha256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(&SHA256, data).as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_and_normalised() {
        let code = generate_code().unwrap();
        assert_eq!(code.len(), 19);
        assert_eq!(
            code_hash(&code),
            code_hash(&code.to_lowercase().replace('-', " "))
        );
        assert_ne!(code_hash(&code), code_hash(&generate_code().unwrap()));
        assert_ne!(generate_token().unwrap(), generate_token().unwrap());
    }

    #[test]
    fn a_reviewer_code_matches_however_it_is_typed_and_a_token_as_it_is() {
        let code = generate_reviewer_code().unwrap();
        assert_eq!(code.len(), 11);
        let typed = format!(" {} ", code.to_lowercase().replace('-', " "));
        assert_eq!(token_hash(&code), token_hash(&typed));
        let token = generate_token().unwrap();
        assert_eq!(token_hash(&token), sha256(token.as_bytes()));
        assert_ne!(token_hash(&token), token_hash(&token.to_lowercase()));
    }
}
