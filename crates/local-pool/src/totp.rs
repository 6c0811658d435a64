//! RFC 6238 time-based one-time passwords (HMAC-SHA1, 30-second steps, 6 digits), the
//! parameters authenticator apps assume for Cognito's software tokens.

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

pub const STEP_SECONDS: i64 = 30;

/// A new shared secret: 20 random bytes, base32 without padding (what `SecretCode` carries).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::thread_rng().fill_bytes(&mut bytes);
    BASE32_NOPAD.encode(&bytes)
}

/// The code for time step `step`, or `None` for a malformed secret.
pub fn code_at(secret: &str, step: i64) -> Option<String> {
    let key = BASE32_NOPAD
        .decode(secret.trim_end_matches('=').to_ascii_uppercase().as_bytes())
        .ok()?;
    let mut mac = Hmac::<Sha1>::new_from_slice(&key).ok()?;
    mac.update(&(step as u64).to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let value = u32::from_be_bytes(digest[offset..offset + 4].try_into().ok()?) & 0x7fff_ffff;
    Some(format!("{:06}", value % 1_000_000))
}

/// The step `code` matches at `now` (one step of drift either way), if it is newer than
/// `last_used_step`: a code cannot be used twice.
pub fn verify(secret: &str, code: &str, now: i64, last_used_step: Option<i64>) -> Option<i64> {
    let current = now.div_euclid(STEP_SECONDS);
    (current - 1..=current + 1)
        .filter(|step| last_used_step.is_none_or(|last| *step > last))
        .find(|step| code_at(secret, *step).is_some_and(|expected| expected == code))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 key "12345678901234567890" (8-digit values, last 6 digits).
    #[test]
    fn matches_rfc_6238_vectors() {
        let secret = BASE32_NOPAD.encode(b"12345678901234567890");
        for (time, expected) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(&secret, time / STEP_SECONDS).unwrap(), expected);
        }
    }

    #[test]
    fn accepts_one_step_of_drift_and_never_twice() {
        let secret = new_secret();
        let now = 1_700_000_000;
        let previous = code_at(&secret, now / STEP_SECONDS - 1).unwrap();
        let step = verify(&secret, &previous, now, None).expect("one step back is fine");
        assert_eq!(
            verify(&secret, &previous, now, Some(step)),
            None,
            "reuse refused"
        );
        let stale = code_at(&secret, now / STEP_SECONDS - 2).unwrap();
        assert_eq!(verify(&secret, &stale, now, None), None);
    }
}
