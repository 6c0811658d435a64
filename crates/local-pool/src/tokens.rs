//! RS256 signing keys (one for ID tokens, one for access tokens, as Cognito does), generated once
//! and kept in the store; the JWKS; minting and checking tokens.

use crate::store::Store;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use cognito_idp::wire::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenUse {
    Id,
    Access,
}

impl TokenUse {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Access => "access",
        }
    }
}

struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwk: Jwk,
}

impl SigningKey {
    fn from_der(kid: String, der: &[u8]) -> Result<Self, String> {
        let key = RsaPrivateKey::from_pkcs1_der(der).map_err(|e| e.to_string())?;
        let n = URL_SAFE_NO_PAD.encode(key.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
        Ok(Self {
            encoding: EncodingKey::from_rsa_der(der),
            decoding: DecodingKey::from_rsa_components(&n, &e).map_err(|e| e.to_string())?,
            jwk: Jwk {
                kid: kid.clone(),
                alg: "RS256".into(),
                kty: "RSA".into(),
                e,
                n,
                use_: "sig".into(),
            },
            kid,
        })
    }
}

pub struct Keys {
    id: SigningKey,
    access: SigningKey,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("id", &self.id.kid)
            .field("access", &self.access.kid)
            .finish()
    }
}

fn generate() -> (String, Vec<u8>) {
    let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("RSA key generation");
    let der = key
        .to_pkcs1_der()
        .expect("PKCS#1 encoding")
        .as_bytes()
        .to_vec();
    let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(key.n().to_bytes_be())[..18]);
    (kid, der)
}

impl Keys {
    /// Loads the pool's keys, generating (and storing) any that are missing.
    pub async fn load_or_create(store: &Store, now: i64) -> Result<Self, String> {
        for token_use in [TokenUse::Id, TokenUse::Access] {
            let stored = store.signing_keys().await.map_err(|e| e.to_string())?;
            if !stored.iter().any(|(_, u, _)| u == token_use.as_str()) {
                let (kid, der) = tokio::task::spawn_blocking(generate)
                    .await
                    .map_err(|e| e.to_string())?;
                store
                    .insert_signing_key(&kid, token_use.as_str(), &der, now)
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        let stored = store.signing_keys().await.map_err(|e| e.to_string())?;
        let find = |token_use: TokenUse| {
            let (kid, _, der) = stored
                .iter()
                .find(|(_, u, _)| u == token_use.as_str())
                .ok_or("signing key missing")?;
            SigningKey::from_der(kid.clone(), der)
        };
        Ok(Self {
            id: find(TokenUse::Id)?,
            access: find(TokenUse::Access)?,
        })
    }

    fn key(&self, token_use: TokenUse) -> &SigningKey {
        match token_use {
            TokenUse::Id => &self.id,
            TokenUse::Access => &self.access,
        }
    }

    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: vec![self.id.jwk.clone(), self.access.jwk.clone()],
        }
    }

    pub fn sign(&self, token_use: TokenUse, claims: &Map<String, Value>) -> String {
        let key = self.key(token_use);
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, claims, &key.encoding).expect("RS256 signing")
    }

    /// Checks signature, issuer and `token_use` (not expiry: the caller's clock decides that).
    pub fn verify(
        &self,
        token_use: TokenUse,
        token: &str,
        issuer: &str,
    ) -> Option<Map<String, Value>> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.set_issuer(&[issuer]);
        validation.set_required_spec_claims(&["iss", "exp"]);
        let data = jsonwebtoken::decode::<Map<String, Value>>(
            token,
            &self.key(token_use).decoding,
            &validation,
        )
        .ok()?;
        (data.claims.get("token_use").and_then(Value::as_str) == Some(token_use.as_str()))
            .then_some(data.claims)
    }
}
