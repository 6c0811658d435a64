//! Verifies Cognito ID and access tokens against the pool's JWKS (RS256, `iss`, `token_use`,
//! audience, expiry). Keys are cached and re-fetched when an unknown `kid` appears.

use crate::wire::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::RwLock;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwtError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token's key is not in the pool's JWKS")]
    UnknownKey,
    #[error("the JWKS could not be fetched: {0}")]
    Jwks(String),
    #[error("the token is invalid: {0}")]
    Invalid(String),
    #[error("the token has expired")]
    Expired,
}

/// Which token a claim set must come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenUse {
    Id,
    Access,
}

/// The verified claims, as a JSON object (every claim, including custom attributes).
#[derive(Clone, Debug, Deserialize)]
pub struct Claims(pub serde_json::Map<String, serde_json::Value>);

impl Claims {
    pub fn str(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(|v| v.as_str())
    }
    pub fn int(&self, name: &str) -> Option<i64> {
        self.0.get(name).and_then(|v| v.as_i64())
    }
}

pub struct JwtVerifier {
    http: reqwest::Client,
    jwks_url: String,
    issuer: String,
    client_id: String,
    keys: RwLock<HashMap<String, DecodingKey>>,
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl JwtVerifier {
    pub fn new(http: reqwest::Client, jwks_url: String, issuer: String, client_id: String) -> Self {
        Self {
            http,
            jwks_url,
            issuer,
            client_id,
            keys: RwLock::new(HashMap::new()),
        }
    }

    /// Fetches the JWKS now (used at start-up and on an unknown `kid`).
    pub async fn refresh_keys(&self) -> Result<usize, JwtError> {
        let set: JwkSet = self
            .http
            .get(&self.jwks_url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| JwtError::Jwks(e.without_url().to_string()))?
            .json()
            .await
            .map_err(|e| JwtError::Jwks(e.to_string()))?;
        let mut keys = HashMap::new();
        for jwk in set.keys.iter().filter(|k| k.kty == "RSA") {
            if let Ok(key) = DecodingKey::from_rsa_components(&jwk.n, &jwk.e) {
                keys.insert(jwk.kid.clone(), key);
            }
        }
        let count = keys.len();
        *self.keys.write().expect("key cache lock") = keys;
        Ok(count)
    }

    /// Whether the pool's signing keys can be fetched now (a health check).
    pub async fn check_keys(&self) -> Result<(), String> {
        match self.refresh_keys().await {
            Ok(0) => Err("the JWKS has no RSA keys".into()),
            Ok(_) => Ok(()),
            Err(err) => Err(err.to_string()),
        }
    }

    fn key(&self, kid: &str) -> Option<DecodingKey> {
        self.keys.read().expect("key cache lock").get(kid).cloned()
    }

    /// Verifies `token` at time `now` (unix seconds) and returns its claims.
    pub async fn verify(
        &self,
        token: &str,
        expected: TokenUse,
        now: i64,
    ) -> Result<Claims, JwtError> {
        let header = decode_header(token).map_err(|_| JwtError::Malformed)?;
        if header.alg != Algorithm::RS256 {
            return Err(JwtError::Invalid("algorithm is not RS256".into()));
        }
        let kid = header.kid.ok_or(JwtError::Malformed)?;
        let key = match self.key(&kid) {
            Some(key) => key,
            None => {
                self.refresh_keys().await?;
                self.key(&kid).ok_or(JwtError::UnknownKey)?
            }
        };
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        // Expiry is checked below against the injected clock.
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["iss", "exp"]);
        let data = decode::<Claims>(token, &key, &validation)
            .map_err(|e| JwtError::Invalid(e.to_string()))?;
        let claims = data.claims;
        let exp = claims.int("exp").ok_or(JwtError::Malformed)?;
        if exp <= now {
            return Err(JwtError::Expired);
        }
        let (use_name, audience) = match expected {
            TokenUse::Id => ("id", claims.str("aud")),
            TokenUse::Access => ("access", claims.str("client_id")),
        };
        if claims.str("token_use") != Some(use_name) {
            return Err(JwtError::Invalid("wrong token_use".into()));
        }
        if audience != Some(self.client_id.as_str()) {
            return Err(JwtError::Invalid("issued for another client".into()));
        }
        Ok(claims)
    }
}
