//! Sign-in: `InitiateAuth` (SRP, password, refresh, custom and choice-based flows), the SRP
//! password check, and `RespondToAuthChallenge`.

use crate::config::AppClient;
use crate::pool::{
    fault, random_token, required, sha256_hex, Fault, LocalPool, OpResult, INCORRECT,
};
use crate::store::{AuthSessionRecord, RefreshRecord};
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD};
use base64::Engine as _;
use cognito_idp::error::ErrorKind;
use cognito_idp::srp::{self, SrpServer};
use cognito_idp::wire::*;
use cognito_idp::{Secret, SecretMap};
use num_bigint::BigUint;
use rand::RngCore;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

impl LocalPool {
    pub async fn initiate_auth(&self, req: InitiateAuthRequest) -> OpResult<AuthResponse> {
        let params = &req.auth_parameters;
        if !self.client(&req.client_id)?.allows(&req.auth_flow) {
            return Err(fault(
                ErrorKind::InvalidParameter,
                format!("{} flow not enabled for this client", req.auth_flow),
            ));
        }
        match req.auth_flow.as_str() {
            "USER_SRP_AUTH" => self.start_srp(&req).await,
            "USER_PASSWORD_AUTH" => {
                let login = required(params, "USERNAME")?;
                let client = self.check_client(&req.client_id, params.get("SECRET_HASH"), login)?;
                let password = required(params, "PASSWORD")?;
                let Some(user) = self.resolve_user(login).await? else {
                    // The same hashing work as for a real user, so timing tells nothing.
                    let decoy = self.decoy_hash().await?;
                    self.verify_password(password, &decoy).await;
                    return Err(self.unknown_user_sign_in(&client));
                };
                self.check_lockout(&user).await?;
                if !self.verify_password(password, &user.password_hash).await {
                    return Err(self.record_failed_sign_in(user).await);
                }
                self.after_first_factor(user, &req.client_id, params.get("DEVICE_KEY"))
                    .await
            }
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => self.refresh(&req).await,
            // SRP first, then the custom rounds (Amplify's CUSTOM_WITH_SRP).
            "CUSTOM_AUTH" if params.get("CHALLENGE_NAME") == Some("SRP_A") => {
                self.start_srp(&req).await
            }
            "CUSTOM_AUTH" => self.start_custom_auth(&req).await,
            "USER_AUTH" => self.start_user_auth(&req).await,
            "ADMIN_NO_SRP_AUTH" | "ADMIN_USER_PASSWORD_AUTH" => {
                Err(fault(ErrorKind::InvalidParameter, "Initiate Auth method not supported."))
            }
            other => Err(fault(ErrorKind::InvalidParameter, format!("1 validation error detected: Value '{other}' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, USER_PASSWORD_AUTH, USER_AUTH]"))),
        }
    }

    pub(crate) fn unknown_user_sign_in(&self, client: &AppClient) -> Fault {
        if client.prevent_user_existence_errors {
            fault(ErrorKind::NotAuthorized, INCORRECT)
        } else {
            fault(ErrorKind::UserNotFound, "User does not exist.")
        }
    }

    pub(crate) async fn start_srp(&self, req: &InitiateAuthRequest) -> OpResult<AuthResponse> {
        let params = &req.auth_parameters;
        let login = required(params, "USERNAME")?;
        let client = self.check_client(&req.client_id, params.get("SECRET_HASH"), login)?;
        let a_hex = required(params, "SRP_A")?;
        srp::validate_public_a(a_hex)
            .map_err(|_| fault(ErrorKind::InvalidParameter, "Invalid SRP_A"))?;
        let user = self.resolve_user(login).await?;
        // An unknown user, or one without a password (whose verifier is empty: SRP with it
        // would accept any claim), gets a challenge that looks real, is stable per name, and
        // no claim passes.
        let fake_for = |id: String| {
            let seed = Sha256::digest(format!("{}:{login}", self.inner.fake_seed));
            let salt = seed[16..32].to_vec();
            let verifier = srp::verifier("fake", &id, &random_token(16), &salt);
            (id, salt, verifier, true)
        };
        let (user_id, salt, verifier, fake) = match &user {
            Some(user) if user.srp_verifier.is_empty() => fake_for(user.username.clone()),
            Some(user) => (
                user.username.clone(),
                user.srp_salt.clone(),
                BigUint::from_bytes_be(&user.srp_verifier),
                false,
            ),
            None if client.prevent_user_existence_errors => fake_for(self.decoy_username(login)),
            None => return Err(fault(ErrorKind::UserNotFound, "User does not exist.")),
        };
        let server = SrpServer::new(&verifier);
        let mut block = vec![0u8; 64];
        rand::thread_rng().fill_bytes(&mut block);
        let secret_block = BASE64.encode(&block);
        let state = json!({
            "a": a_hex,
            "b": URL_SAFE_NO_PAD.encode(server.private_bytes()),
            "fake": fake,
            "custom": req.auth_flow == "CUSTOM_AUTH",
            "v": URL_SAFE_NO_PAD.encode(verifier.to_bytes_be()),
        });
        self.save_auth_session(
            &sha256_hex(&secret_block),
            &AuthSessionRecord {
                username: user_id.clone(),
                client_id: req.client_id.clone(),
                kind: "srp".into(),
                data: state.to_string(),
                expires_at: self.now() + self.session_validity(&req.client_id),
            },
        )
        .await?;
        let parameters: SecretMap = [
            ("SALT", srp::salt_hex(&salt)),
            ("SRP_B", server.public_hex()),
            ("SECRET_BLOCK", secret_block),
            ("USER_ID_FOR_SRP", user_id.clone()),
            ("USERNAME", user_id),
        ]
        .into_iter()
        .collect();
        Ok(AuthResponse {
            challenge_name: Some("PASSWORD_VERIFIER".into()),
            challenge_parameters: parameters,
            ..Default::default()
        })
    }

    /// An SRP `TIMESTAMP` in Cognito's format, within five minutes of the pool's clock.
    pub(crate) fn timestamp_is_fresh(&self, timestamp: &str) -> bool {
        srp::parse_timestamp(timestamp).is_some_and(|t| (t - self.now()).abs() <= 300)
    }

    /// New ID and access tokens for a live lineage (same `origin_jti` and `auth_time`).
    pub(crate) async fn tokens_for_lineage(
        &self,
        record: &RefreshRecord,
        client_id: &str,
        refresh_token: Option<Secret>,
    ) -> OpResult<AuthenticationResult> {
        if record.revoked {
            return Err(fault(
                ErrorKind::NotAuthorized,
                "Refresh Token has been revoked",
            ));
        }
        if record.expires_at <= self.now() {
            return Err(fault(ErrorKind::NotAuthorized, "Refresh Token has expired"));
        }
        let user = self
            .inner
            .store
            .user(&record.username)
            .await?
            .ok_or_else(|| fault(ErrorKind::NotAuthorized, "Invalid Refresh Token"))?;
        if !user.enabled {
            return Err(fault(ErrorKind::NotAuthorized, "User is disabled."));
        }
        // A lineage from the token endpoint keeps its scopes (and never its nonce).
        let oauth = self
            .lineage_scope(&record.origin_jti)
            .await
            .map(|scope| crate::pool::OAuthClaims { scope, nonce: None });
        let (id_token, access_token) = self
            .mint(
                &user,
                client_id,
                &record.origin_jti,
                record.auth_time,
                "TokenGeneration_RefreshTokens",
                record.device_key.as_deref(),
                oauth.as_ref(),
            )
            .await?;
        Ok(AuthenticationResult {
            access_token,
            expires_in: self.client(client_id)?.access_token_validity_secs,
            token_type: "Bearer".into(),
            refresh_token,
            id_token,
            new_device_metadata: None,
        })
    }

    pub(crate) async fn refresh(&self, req: &InitiateAuthRequest) -> OpResult<AuthResponse> {
        let params = &req.auth_parameters;
        let token = required(params, "REFRESH_TOKEN")?;
        if self.client(&req.client_id)?.refresh_token_rotation {
            return Err(fault(
                ErrorKind::InvalidParameter,
                "You can't authenticate with REFRESH_TOKEN_AUTH in app clients with refresh token rotation enabled",
            ));
        }
        let invalid = || fault(ErrorKind::NotAuthorized, "Invalid Refresh Token");
        let record = self
            .inner
            .store
            .refresh_token(&sha256_hex(token))
            .await?
            .ok_or_else(invalid)?;
        self.check_client(&req.client_id, params.get("SECRET_HASH"), &record.username)?;
        if record.client_id != req.client_id {
            return Err(invalid());
        }
        self.check_refresh_device(
            &record.username,
            record.device_key.as_deref(),
            params.get("DEVICE_KEY"),
        )
        .await?;
        let result = self
            .tokens_for_lineage(&record, &req.client_id, None)
            .await?;
        Ok(AuthResponse {
            authentication_result: Some(result),
            ..Default::default()
        })
    }

    pub async fn respond_to_auth_challenge(
        &self,
        req: RespondToAuthChallengeRequest,
    ) -> OpResult<AuthResponse> {
        match req.challenge_name.as_str() {
            "PASSWORD_VERIFIER" => self.verify_password_claim(&req).await,
            _ => self.answer_challenge(&req).await,
        }
    }

    pub(crate) async fn verify_password_claim(
        &self,
        req: &RespondToAuthChallengeRequest,
    ) -> OpResult<AuthResponse> {
        let responses = &req.challenge_responses;
        let login = required(responses, "USERNAME")?;
        self.check_client(&req.client_id, responses.get("SECRET_HASH"), login)?;
        let block_b64 = required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
        let claim = required(responses, "PASSWORD_CLAIM_SIGNATURE")?;
        let timestamp = required(responses, "TIMESTAMP")?;
        let incorrect = || fault(ErrorKind::NotAuthorized, INCORRECT);
        let session = self
            .take_session(&sha256_hex(block_b64), "srp", &req.client_id)
            .await
            .map_err(|_| incorrect())?;
        let state: Value = serde_json::from_str(&session.data).map_err(|_| incorrect())?;
        if state["fake"].as_bool() != Some(false) {
            return Err(incorrect());
        }
        let user = self.resolve_user(login).await?.ok_or_else(incorrect)?;
        if user.username != session.username {
            return Err(incorrect());
        }
        self.check_lockout(&user).await?;
        let skew_ok = self.timestamp_is_fresh(timestamp);
        let decode = |key: &str| {
            state[key]
                .as_str()
                .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
        };
        let (Some(b), Some(v), Some(a_hex), Ok(block)) = (
            decode("b"),
            decode("v"),
            state["a"].as_str(),
            BASE64.decode(block_b64),
        ) else {
            return Err(incorrect());
        };
        let verifier = BigUint::from_bytes_be(&v);
        // A zero verifier makes the shared secret zero whatever the password: never valid.
        if verifier == BigUint::from(0u8) {
            return Err(incorrect());
        }
        let server = SrpServer::with_private(&verifier, &b).ok_or_else(incorrect)?;
        let config = self.cfg();
        let pool_name = srp::pool_name(&config.pool_id);
        let valid = skew_ok
            && server
                .verify_claim(
                    &verifier,
                    a_hex,
                    pool_name,
                    &user.username,
                    &block,
                    timestamp,
                    claim,
                )
                .unwrap_or(false);
        if !valid {
            return Err(self.record_failed_sign_in(user).await);
        }
        if state["custom"].as_bool() == Some(true) {
            return self.custom_after_password(user, &req.client_id).await;
        }
        self.after_first_factor(user, &req.client_id, responses.get("DEVICE_KEY"))
            .await
    }
}
