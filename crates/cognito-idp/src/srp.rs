//! Cognito's SRP-6a variant (3072-bit group, SHA-256, "Caldera Derived Key" HKDF, minimal
//! two's-complement padding), for both the client and the local pool.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use num_traits::Zero;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

type HmacSha256 = Hmac<Sha256>;

const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);
const INFO: &[u8] = b"Caldera Derived Key";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SrpError {
    #[error("the server's B is 0 modulo N")]
    InvalidB,
    #[error("the client's A is 0 modulo N")]
    InvalidA,
    #[error("u is 0")]
    InvalidU,
    #[error("{0} is not valid hex")]
    BadHex(&'static str),
    #[error("SECRET_BLOCK is not valid base64")]
    BadSecretBlock,
}

struct Group {
    n: BigUint,
    g: BigUint,
    k: BigUint,
}

fn group() -> &'static Group {
    static GROUP: OnceLock<Group> = OnceLock::new();
    GROUP.get_or_init(|| {
        let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).expect("N is valid hex");
        let g = BigUint::from(2u32);
        let k = BigUint::from_bytes_be(&hash(&[&pad(&n), &pad(&g)]));
        Group { n, g, k }
    })
}

/// `base^exponent mod N`.
fn pow_mod_n(base: &BigUint, exponent: &BigUint) -> BigUint {
    let g = group();
    if base == &g.g && exponent.bits() <= FIXED_BASE_BITS {
        return pow_g(exponent);
    }
    base.modpow(exponent, &g.n)
}

/// Exponents of `g` this short use the precomputed table: the private values and `x` (a
/// SHA-256 hash) are 256 bits.
const FIXED_BASE_BITS: u64 = 256;
const WINDOW_BITS: usize = 4;

/// `g^e mod N` for `e` < 2^256 from a table of `g^(j·16^i)`: one multiplication per 4 bits of
/// `e` and no squarings, against a square per bit in a general exponentiation. `g` is fixed,
/// so the table (≈ 370 kB) is built once per process.
fn pow_g(exponent: &BigUint) -> BigUint {
    static TABLE: OnceLock<Vec<Vec<BigUint>>> = OnceLock::new();
    let g = group();
    let windows = FIXED_BASE_BITS as usize / WINDOW_BITS;
    let table = TABLE.get_or_init(|| {
        let mut table = Vec::with_capacity(windows);
        let mut base = g.g.clone();
        for _ in 0..windows {
            let mut row = vec![BigUint::from(1u32), base.clone()];
            for j in 2..(1 << WINDOW_BITS) {
                row.push((&row[j - 1] * &base) % &g.n);
            }
            // The next window's base: this one to the 16th power.
            base = (&row[(1 << WINDOW_BITS) - 1] * &base) % &g.n;
            table.push(row);
        }
        table
    });
    let mut result = BigUint::from(1u32);
    let digits = exponent.to_radix_le(1 << WINDOW_BITS);
    for (window, digit) in digits.iter().enumerate() {
        if *digit != 0 {
            result = (result * &table[window][*digit as usize]) % &g.n;
        }
    }
    result
}

/// Minimal big-endian two's-complement bytes: a leading zero byte only when the top bit is set.
pub fn pad(x: &BigUint) -> Vec<u8> {
    let mut bytes = x.to_bytes_be();
    if bytes[0] & 0x80 != 0 {
        bytes.insert(0, 0);
    }
    bytes
}

fn hash(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part);
    }
    h.finalize().into()
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

fn parse_hex(hex: &str, what: &'static str) -> Result<BigUint, SrpError> {
    if hex.is_empty() {
        return Err(SrpError::BadHex(what));
    }
    BigUint::parse_bytes(hex.as_bytes(), 16).ok_or(SrpError::BadHex(what))
}

/// Lowercase, unpadded hex as Cognito sends `SRP_A`/`SRP_B`.
pub fn to_hex(x: &BigUint) -> String {
    format!("{x:x}")
}

/// The `SALT` challenge parameter for a stored salt: `PAD(salt)` as lowercase hex.
pub fn salt_hex(salt: &[u8]) -> String {
    pad(&BigUint::from_bytes_be(salt))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The part of a pool id after `_`, which Cognito's SRP mixes into every hash.
pub fn pool_name(pool_id: &str) -> &str {
    pool_id.split_once('_').map_or(pool_id, |(_, name)| name)
}

/// `x = H(PAD(salt) || H(poolName || userId || ":" || password))`.
fn compute_x(salt: &BigUint, pool_name: &str, user_id: &str, password: &str) -> BigUint {
    let inner = hash(&[
        pool_name.as_bytes(),
        user_id.as_bytes(),
        b":",
        password.as_bytes(),
    ]);
    BigUint::from_bytes_be(&hash(&[&pad(salt), &inner]))
}

fn compute_u(a_pub: &BigUint, b_pub: &BigUint) -> Result<BigUint, SrpError> {
    let u = BigUint::from_bytes_be(&hash(&[&pad(a_pub), &pad(b_pub)]));
    if u.is_zero() {
        return Err(SrpError::InvalidU);
    }
    Ok(u)
}

/// HKDF-SHA256 with salt `PAD(u)`, IKM `PAD(S)`, one block, first 16 bytes.
fn derive_key(u: &BigUint, s: &BigUint) -> [u8; 16] {
    let prk = hmac(&pad(u), &[&pad(s)]);
    let okm = hmac(&prk, &[INFO, &[1u8]]);
    okm[..16].try_into().expect("16 of 32 bytes")
}

fn claim_signature(
    key: &[u8; 16],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> [u8; 32] {
    hmac(
        key,
        &[
            pool_name.as_bytes(),
            user_id.as_bytes(),
            secret_block,
            timestamp.as_bytes(),
        ],
    )
}

fn decode_secret_block(secret_block_b64: &str) -> Result<Vec<u8>, SrpError> {
    BASE64
        .decode(secret_block_b64)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(secret_block_b64))
        .map_err(|_| SrpError::BadSecretBlock)
}

fn random_biguint(bytes: usize) -> BigUint {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    BigUint::from_bytes_be(&buf)
}

/// The challenge parameters a `PASSWORD_VERIFIER` answer carries.
pub struct PasswordVerifierChallenge<'a> {
    pub salt_hex: &'a str,
    pub srp_b_hex: &'a str,
    pub secret_block_b64: &'a str,
    pub user_id_for_srp: &'a str,
}

/// The client half of one SRP sign-in.
pub struct SrpClient {
    a: BigUint,
    a_pub: BigUint,
}

impl std::fmt::Debug for SrpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SrpClient(***)")
    }
}

impl SrpClient {
    /// A fresh client with a 256-bit private value: RFC 5054 asks for at least 256 bits, which
    /// keeps the discrete logarithm at 128-bit strength; the 1024 bits Cognito's own clients
    /// draw only make each sign-in slower (the exponentiations dominate its cost).
    pub fn new() -> Self {
        loop {
            if let Ok(client) = Self::with_private(&random_biguint(32).to_bytes_be()) {
                return client;
            }
        }
    }

    /// A client with a chosen private value (tests, vectors).
    pub fn with_private(a: &[u8]) -> Result<Self, SrpError> {
        let g = group();
        let a = BigUint::from_bytes_be(a);
        let a_pub = pow_mod_n(&g.g, &a);
        if (&a_pub % &g.n).is_zero() {
            return Err(SrpError::InvalidA);
        }
        Ok(Self { a, a_pub })
    }

    /// `SRP_A` for `InitiateAuth`.
    pub fn public_hex(&self) -> String {
        to_hex(&self.a_pub)
    }

    /// `PASSWORD_CLAIM_SIGNATURE` (standard base64) for the challenge, password and timestamp.
    pub fn password_claim(
        &self,
        pool_name: &str,
        challenge: &PasswordVerifierChallenge<'_>,
        password: &str,
        timestamp: &str,
    ) -> Result<String, SrpError> {
        let g = group();
        let b_pub = parse_hex(challenge.srp_b_hex, "SRP_B")?;
        if (&b_pub % &g.n).is_zero() {
            return Err(SrpError::InvalidB);
        }
        let salt = parse_hex(challenge.salt_hex, "SALT")?;
        let u = compute_u(&self.a_pub, &b_pub)?;
        let x = compute_x(&salt, pool_name, challenge.user_id_for_srp, password);
        let gx = pow_mod_n(&g.g, &x);
        let kgx = (&g.k * gx) % &g.n;
        let base = ((&b_pub % &g.n) + &g.n - kgx) % &g.n;
        let s = pow_mod_n(&base, &(&self.a + &u * &x));
        let key = derive_key(&u, &s);
        let secret_block = decode_secret_block(challenge.secret_block_b64)?;
        let sig = claim_signature(
            &key,
            pool_name,
            challenge.user_id_for_srp,
            &secret_block,
            timestamp,
        );
        Ok(BASE64.encode(sig))
    }
}

impl Default for SrpClient {
    fn default() -> Self {
        Self::new()
    }
}

/// What the pool stores for a password: a random salt and `v = g^x mod N`.
pub fn verifier(pool_name: &str, user_id: &str, password: &str, salt: &[u8]) -> BigUint {
    let g = group();
    let x = compute_x(&BigUint::from_bytes_be(salt), pool_name, user_id, password);
    pow_mod_n(&g.g, &x)
}

/// A new device's random password and the verifier `ConfirmDevice` sends for it: the same
/// SRP with the group key as pool name and the device key as user.
pub fn device_verifier(
    group_key: &str,
    device_key: &str,
) -> (crate::Secret, crate::wire::DeviceSecretVerifierConfig) {
    let mut bytes = [0u8; 40];
    rand::thread_rng().fill_bytes(&mut bytes);
    let password = BASE64.encode(bytes);
    let salt = new_salt();
    let v = verifier(group_key, device_key, &password, &salt);
    let config = crate::wire::DeviceSecretVerifierConfig {
        password_verifier: BASE64.encode(pad(&v)),
        salt: BASE64.encode(pad(&BigUint::from_bytes_be(&salt))),
    };
    (crate::Secret::new(password), config)
}

/// A fresh random 16-byte salt.
pub fn new_salt() -> [u8; 16] {
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    salt
}

/// The server half: a private `b` and public `B = k·v + g^b mod N`.
pub struct SrpServer {
    b: BigUint,
    b_pub: BigUint,
}

impl std::fmt::Debug for SrpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SrpServer(***)")
    }
}

impl SrpServer {
    pub fn new(verifier: &BigUint) -> Self {
        loop {
            if let Some(server) = Self::with_private(verifier, &random_biguint(32).to_bytes_be()) {
                return server;
            }
        }
    }

    /// `None` when this `b` gives `B mod N = 0`.
    pub fn with_private(verifier: &BigUint, b: &[u8]) -> Option<Self> {
        let g = group();
        let b = BigUint::from_bytes_be(b);
        let b_pub = (&g.k * verifier + pow_mod_n(&g.g, &b)) % &g.n;
        (!b_pub.is_zero()).then_some(Self { b, b_pub })
    }

    pub fn public_hex(&self) -> String {
        to_hex(&self.b_pub)
    }

    pub fn private_bytes(&self) -> Vec<u8> {
        self.b.to_bytes_be()
    }

    /// Checks a client's claim in constant time. `Ok(false)` is a wrong password.
    #[allow(clippy::too_many_arguments)]
    pub fn verify_claim(
        &self,
        verifier: &BigUint,
        a_pub_hex: &str,
        pool_name: &str,
        user_id: &str,
        secret_block: &[u8],
        timestamp: &str,
        claim_b64: &str,
    ) -> Result<bool, SrpError> {
        let g = group();
        let a_pub = parse_hex(a_pub_hex, "SRP_A")?;
        if (&a_pub % &g.n).is_zero() {
            return Err(SrpError::InvalidA);
        }
        let u = compute_u(&a_pub, &self.b_pub)?;
        let s = pow_mod_n(&((&a_pub * pow_mod_n(verifier, &u)) % &g.n), &self.b);
        let key = derive_key(&u, &s);
        let Ok(claim) = BASE64.decode(claim_b64) else {
            return Ok(false);
        };
        let mut mac = HmacSha256::new_from_slice(&key).expect("any key length");
        mac.update(pool_name.as_bytes());
        mac.update(user_id.as_bytes());
        mac.update(secret_block);
        mac.update(timestamp.as_bytes());
        Ok(mac.verify_slice(&claim).is_ok())
    }
}

/// Checks that `A mod N != 0` and that it parses, before the pool keeps any state for it.
pub fn validate_public_a(a_pub_hex: &str) -> Result<(), SrpError> {
    let a_pub = parse_hex(a_pub_hex, "SRP_A")?;
    if (&a_pub % &group().n).is_zero() {
        return Err(SrpError::InvalidA);
    }
    Ok(())
}

/// Cognito's `TIMESTAMP`: `Mon Feb 10 18:30:12 UTC 2025` (day not zero-padded).
pub fn timestamp(unix_seconds: i64) -> String {
    chrono::DateTime::from_timestamp(unix_seconds, 0)
        .unwrap_or_default()
        .format("%a %b %-d %H:%M:%S UTC %Y")
        .to_string()
}

/// Parses a `TIMESTAMP` strictly: it must re-format to the identical string.
pub fn parse_timestamp(value: &str) -> Option<i64> {
    let parsed = chrono::NaiveDateTime::parse_from_str(value, "%a %b %d %H:%M:%S UTC %Y").ok()?;
    let secs = parsed.and_utc().timestamp();
    (timestamp(secs) == value).then_some(secs)
}

/// `SECRET_HASH = Base64(HMAC-SHA256(client_secret, username || client_id))`.
pub fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> String {
    BASE64.encode(hmac(
        client_secret.as_bytes(),
        &[username.as_bytes(), client_id.as_bytes()],
    ))
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_fixed_base_table_agrees_with_plain_exponentiation() {
        let g = group();
        let all_ones = (BigUint::from(1u32) << 256usize) - 1u32;
        let mut exponents = vec![
            BigUint::from(0u32),
            BigUint::from(1u32),
            BigUint::from(16u32),
            all_ones,
        ];
        exponents.extend((0..20).map(|_| random_biguint(32)));
        for e in exponents {
            assert_eq!(pow_g(&e), g.g.modpow(&e, &g.n), "g^{e:x}");
        }
    }
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn k_matches_the_reference() {
        assert_eq!(
            hex(&group().k.to_bytes_be()),
            "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
        );
    }

    #[test]
    fn pad_is_minimal_twos_complement() {
        assert_eq!(pad(&BigUint::from(20u32)), vec![0x14]);
        assert_eq!(pad(&BigUint::from(236u32)), vec![0x00, 0xec]);
        assert_eq!(pad(&group().n).len(), 385);
    }

    /// V1: the aws-cognito-srp crate's own unit test (an independent implementation).
    #[test]
    fn client_signature_matches_independent_implementation() {
        let client = SrpClient::with_private(&[1u8; 128]).unwrap();
        assert!(client
            .public_hex()
            .starts_with("b1ce118779e27c1c015d7a226ecae2ea"));
        assert_eq!(client.public_hex().len(), 768);
        let block = "9ae77ec7154c14dcc487b47707fee4b4920cb96d8a8c045e4c8df879a7b375524aa736acdec6c9ad4ea606774d00621b";
        let sig = |salt_and_b: &str| {
            client
                .password_claim(
                    pool_name("us-west-2_abc"),
                    &PasswordVerifierChallenge {
                        salt_hex: salt_and_b,
                        srp_b_hex: salt_and_b,
                        secret_block_b64: block,
                        user_id_for_srp: "user_id",
                    },
                    "password",
                    "Mon Feb 10 18:30:12 UTC 2025",
                )
                .unwrap()
        };
        assert_eq!(
            sig("36ef01c6dde9fe503da333b1acc758ba"),
            "apNSb5GZpJciVc6cVNkDf4elCMoWUZcH4aukLlMPiFA="
        );
        assert_eq!(
            sig("36ef01c"),
            "bVzjSe43mY37A6ZuzEVU5cr6QY1WeV3BPfdVJo0c2/8="
        );
    }

    /// V2: a full round trip, both halves, against the reference's intermediate values.
    #[test]
    fn round_trip_matches_reference_vector() {
        let pool = pool_name("us-east-1_ABCdef123");
        let salt = [
            0x8c, 0xe8, 0x29, 0x18, 0x92, 0x39, 0x0f, 0x6b, 0x53, 0xa2, 0x45, 0x93, 0x3f, 0xaf,
            0x61, 0x64,
        ];
        let x = compute_x(&BigUint::from_bytes_be(&salt), pool, "alice", "Passw0rd!");
        assert_eq!(
            hex(&x.to_bytes_be()),
            "691909a14309ab7a9baee5d99783c2791f48f491bdf0c401c4cfbab9d04de3c2"
        );
        let v = verifier(pool, "alice", "Passw0rd!", &salt);
        assert_eq!(
            hex(&hash(&[&pad(&v)])),
            "1ad46f385d5d2ddbccc0f85aae3b5815981bd082d367f6688372f7356389255b"
        );
        let server = SrpServer::with_private(&v, &[2u8; 128]).unwrap();
        assert!(server
            .public_hex()
            .starts_with("1f0de08bba2e2c04e524b8b8d2e37705"));
        assert!(server.public_hex().ends_with("9d784a41971b9d84e61eeb94"));
        let client = SrpClient::with_private(&[1u8; 128]).unwrap();
        let u = compute_u(&client.a_pub, &server.b_pub).unwrap();
        assert_eq!(
            hex(&u.to_bytes_be()),
            "016d8f31d12c34dfca983bddaeb42b4086e64f8e0c62670ffd47bc0e2b6ec477"
        );
        let block: Vec<u8> = (0u8..48).collect();
        let block_b64 = BASE64.encode(&block);
        let b_hex = server.public_hex();
        let salt_param = salt_hex(&salt);
        let challenge = PasswordVerifierChallenge {
            salt_hex: &salt_param,
            srp_b_hex: &b_hex,
            secret_block_b64: &block_b64,
            user_id_for_srp: "alice",
        };
        let ts = "Mon Feb 10 18:30:12 UTC 2025";
        let sig = client
            .password_claim(pool, &challenge, "Passw0rd!", ts)
            .unwrap();
        assert_eq!(sig, "660gNHDjPuKoIQ46QoMhjtAFOMw/7K0zv/P4flTYUBk=");
        let a_hex = client.public_hex();
        assert!(server
            .verify_claim(&v, &a_hex, pool, "alice", &block, ts, &sig)
            .unwrap());
        let wrong = client
            .password_claim(pool, &challenge, "wrong", ts)
            .unwrap();
        assert!(!server
            .verify_claim(&v, &a_hex, pool, "alice", &block, ts, &wrong)
            .unwrap());
    }

    #[test]
    fn rejects_b_that_is_zero_mod_n() {
        let client = SrpClient::new();
        let n_hex = to_hex(&group().n);
        let two_n = to_hex(&(&group().n * 2u32));
        for b in ["0", n_hex.as_str(), two_n.as_str()] {
            let err = client
                .password_claim(
                    "abc",
                    &PasswordVerifierChallenge {
                        salt_hex: "01",
                        srp_b_hex: b,
                        secret_block_b64: "AAAA",
                        user_id_for_srp: "u",
                    },
                    "p",
                    "Mon Feb 10 18:30:12 UTC 2025",
                )
                .unwrap_err();
            assert_eq!(err, SrpError::InvalidB);
        }
    }

    #[test]
    fn rejects_a_that_is_zero_mod_n() {
        assert_eq!(
            validate_public_a(&to_hex(&group().n)),
            Err(SrpError::InvalidA)
        );
        assert_eq!(validate_public_a("zz"), Err(SrpError::BadHex("SRP_A")));
    }

    #[test]
    fn timestamp_format_is_strict() {
        assert_eq!(timestamp(0), "Thu Jan 1 00:00:00 UTC 1970");
        assert_eq!(timestamp(1_762_311_845), "Wed Nov 5 03:04:05 UTC 2025");
        assert_eq!(
            parse_timestamp("Wed Nov 5 03:04:05 UTC 2025"),
            Some(1_762_311_845)
        );
        assert_eq!(parse_timestamp("Wed Nov 05 03:04:05 UTC 2025"), None);
        assert_eq!(parse_timestamp("Mon Nov 5 03:04:05 UTC 2025"), None);
    }

    #[test]
    fn secret_hash_matches_reference() {
        assert_eq!(
            secret_hash(
                "abcdef0123456789abcdef0123456789abcdef0123456789abc",
                "alice",
                "1example23456789abcdefghij"
            ),
            "r5v1GlirXkfje/XGhIFDAUqtdTLESNxkCccycMPN0Z0="
        );
    }
}
