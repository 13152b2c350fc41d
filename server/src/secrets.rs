//! One-time enrolment codes and device tokens: generated from the system CSPRNG, stored
//! only as SHA-256 hashes.

use census_core::wire::b64_encode;
use ring::digest::{SHA256, digest};
use ring::rand::{SecureRandom, SystemRandom};

/// Alphabet of enrolment codes: no 0/O, 1/I/L, easy to read aloud and type.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

fn random_bytes<const N: usize>() -> Result<[u8; N], String> {
    let mut b = [0u8; N];
    SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| "system random generator failed".to_owned())?;
    Ok(b)
}

/// A fresh one-time code like `K7QM-3XPA-R9TD-WB4N` (16 symbols, ~79 bits).
pub fn generate_code() -> Result<String, String> {
    let bytes = random_bytes::<16>()?;
    let mut out = String::with_capacity(19);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let idx = usize::from(*b) % CODE_ALPHABET.len();
        out.push(char::from(CODE_ALPHABET[idx]));
    }
    Ok(out)
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

/// The hash under which a token is stored.
pub fn token_hash(token: &str) -> [u8; 32] {
    sha256(token.as_bytes())
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
}
