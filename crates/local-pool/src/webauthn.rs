//! Passkeys: `StartWebAuthnRegistration` / `CompleteWebAuthnRegistration`, the list and delete
//! operations, and `WEB_AUTHN` as a first factor of `USER_AUTH`. Attestation and assertion are
//! verified by `webauthn-rs-core` (origin, RP id hash, challenge, signature, flags, sign count).

use crate::challenges::ChallengeState;
use crate::pool::{fault, required, Fault, LocalPool, OpResult, SESSION_EXPIRED};
use crate::store::{PasskeyRecord, UserRecord};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use cognito_idp::error::ErrorKind;
use cognito_idp::wire::*;
use cognito_idp::{Secret, SecretMap};
use std::time::Duration;
use webauthn_rs_core::error::WebauthnError;
use webauthn_rs_core::proto::{
    AttestationConveyancePreference, AuthenticationState, Credential, PublicKeyCredential,
    RegisterPublicKeyCredential, RegistrationState, UserVerificationPolicy,
};
use webauthn_rs_core::WebauthnCore;

pub const WEB_AUTHN: &str = "WEB_AUTHN";
const REGISTRATION: &str = "webauthn_registration";
/// How long a started registration waits for its credential.
const REGISTRATION_SECS: i64 = 300;
/// The ceremony timeouts the options carry (what Cognito's options say).
const CREATE_TIMEOUT: Duration = Duration::from_secs(60);
const GET_TIMEOUT: Duration = Duration::from_secs(180);
/// `ListWebAuthnCredentials` returns at most this many at once.
const MAX_LIST: i64 = 20;

/// The most a stored passkey (key, counter, flags) may take; attestation chains are not kept.
const MAX_STORED: usize = 4096;

fn internal(err: impl std::fmt::Display) -> Fault {
    fault(ErrorKind::InternalError, err.to_string())
}

/// Cognito's error for a registration the verifier refused.
fn registration_fault(err: WebauthnError) -> Fault {
    use WebauthnError as E;
    match err {
        E::InvalidRPOrigin => fault(
            ErrorKind::WebAuthnOriginNotAllowed,
            "The passkey was created on an origin this relying party does not allow.",
        ),
        E::InvalidRPIDHash => fault(
            ErrorKind::WebAuthnRelyingPartyMismatch,
            "The passkey was created for another relying party.",
        ),
        E::MismatchedChallenge | E::ChallengeNotFound => fault(
            ErrorKind::WebAuthnChallengeNotFound,
            "The passkey answers another registration challenge.",
        ),
        E::CredentialExcludedFromRequest => fault(
            ErrorKind::InvalidParameter,
            "This passkey is already registered.",
        ),
        E::UserNotVerified => fault(
            ErrorKind::WebAuthnCredentialNotSupported,
            "The authenticator did not verify the user, which this user pool requires.",
        ),
        E::UserNotPresent => fault(
            ErrorKind::WebAuthnCredentialNotSupported,
            "The authenticator did not confirm the user's presence.",
        ),
        E::InvalidClientDataType
        | E::ParseBase64Failure(_)
        | E::ParseJSONFailure(_)
        | E::ParseNOMFailure => fault(
            ErrorKind::InvalidParameter,
            "Credential is not a valid WebAuthn registration response.",
        ),
        other => fault(
            ErrorKind::WebAuthnCredentialNotSupported,
            format!("The passkey is not supported: {other}"),
        ),
    }
}

/// The transports and attachment the browser reported, as strings (kept as sent).
fn reported(credential: &serde_json::Value) -> (Vec<String>, Option<String>) {
    // Sorted and without repeats (as browsers report them), so every list reads alike.
    let transports: std::collections::BTreeSet<String> = credential["response"]["transports"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|t| t.as_str())
                .filter(|t| t.len() <= 20)
                .map(str::to_owned)
                .take(8)
                .collect()
        })
        .unwrap_or_default();
    let transports = transports.into_iter().collect();
    let attachment = credential["authenticatorAttachment"]
        .as_str()
        .filter(|a| matches!(*a, "platform" | "cross-platform"))
        .map(str::to_owned);
    (transports, attachment)
}

impl LocalPool {
    /// Where a user's pending registration is kept: derived from the pool's secret seed, so no
    /// one else can name it (and so end it early through another operation's `Session`).
    fn registration_id(&self, username: &str) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!(
            "{}#{REGISTRATION}:{username}",
            self.inner.fake_seed
        ));
        URL_SAFE_NO_PAD.encode(digest)
    }

    /// The relying-party id, when the pool has passkeys on.
    fn relying_party(&self) -> OpResult<String> {
        let config = self.cfg();
        if !config.allows_first_factor(WEB_AUTHN) {
            return Err(fault(
                ErrorKind::WebAuthnNotEnabled,
                "Passkeys are not enabled for this user pool (WEB_AUTHN is not an allowed first factor).",
            ));
        }
        config.webauthn.relying_party_id.clone().ok_or_else(|| {
            fault(
                ErrorKind::WebAuthnConfigurationMissing,
                "The user pool has no WebAuthn relying party id.",
            )
        })
    }

    /// Whether passkeys can be used here at all (allowed and configured).
    pub(crate) fn passkeys_on(&self) -> bool {
        self.relying_party().is_ok()
    }

    fn verifier(&self, rp_id: &str, timeout: Duration) -> OpResult<WebauthnCore> {
        let config = self.cfg();
        let parse = |origin: &str| {
            url::Url::parse(origin).map_err(|_| internal(format!("bad origin {origin:?}")))
        };
        let (origins, subdomains, any_port) = if !config.webauthn.origins.is_empty() {
            let origins = config
                .webauthn
                .origins
                .iter()
                .map(|o| parse(o))
                .collect::<OpResult<Vec<_>>>()?;
            (origins, false, false)
        } else if rp_id == "localhost" {
            (
                vec![parse("http://localhost")?, parse("https://localhost")?],
                false,
                true,
            )
        } else {
            (vec![parse(&format!("https://{rp_id}"))?], true, true)
        };
        Ok(WebauthnCore::new_unsafe_experts_only(
            &config.pool_name,
            rp_id,
            origins,
            timeout,
            Some(subdomains),
            Some(any_port),
        ))
    }

    fn verification_policy(&self) -> UserVerificationPolicy {
        if self.cfg().webauthn.user_verification == "required" {
            UserVerificationPolicy::Required
        } else {
            UserVerificationPolicy::Preferred
        }
    }

    /// The name a passkey is saved under on the device: what the person signs in with.
    fn passkey_user_name(&self, user: &UserRecord) -> String {
        let config = self.cfg();
        config
            .username_attributes
            .iter()
            .find_map(|attribute| user.attributes.get(attribute))
            .cloned()
            .unwrap_or_else(|| user.username.clone())
    }

    pub async fn start_web_authn_registration(
        &self,
        req: StartWebAuthnRegistrationRequest,
    ) -> OpResult<StartWebAuthnRegistrationResponse> {
        let (user, client_id) = self.authorize_with_client(&req.0.access_token).await?;
        let rp_id = self.relying_party()?;
        let existing = self.inner.store.passkeys(&user.username).await?;
        if existing.len() >= self.cfg().webauthn.max_credentials {
            return Err(fault(
                ErrorKind::LimitExceeded,
                "The user has registered the most passkeys allowed.",
            ));
        }
        let exclude = existing
            .iter()
            .filter_map(|p| URL_SAFE_NO_PAD.decode(&p.credential_id).ok())
            .collect();
        let name = self.passkey_user_name(&user);
        let core = self.verifier(&rp_id, CREATE_TIMEOUT)?;
        let builder = core
            .new_challenge_register_builder(user.sub.as_bytes(), &name, &name)
            .map_err(internal)?
            .attestation(AttestationConveyancePreference::None)
            .user_verification_policy(self.verification_policy())
            .exclude_credentials(Some(exclude))
            .require_resident_key(true);
        let (options, state) = core
            .generate_challenge_register(builder)
            .map_err(internal)?;
        self.save_auth_session(
            &self.registration_id(&user.username),
            &crate::store::AuthSessionRecord {
                username: user.username.clone(),
                client_id,
                kind: REGISTRATION.to_owned(),
                data: serde_json::to_string(&state).map_err(internal)?,
                expires_at: self.now() + REGISTRATION_SECS,
            },
        )
        .await?;
        let options = serde_json::to_value(options.public_key).map_err(internal)?;
        Ok(StartWebAuthnRegistrationResponse {
            credential_creation_options: options,
        })
    }

    pub async fn complete_web_authn_registration(
        &self,
        req: CompleteWebAuthnRegistrationRequest,
    ) -> OpResult<Empty> {
        let (user, client_id) = self.authorize_with_client(&req.access_token).await?;
        let rp_id = self.relying_party()?;
        let store = &self.inner.store;
        let pending = store
            .take_auth_session(&self.registration_id(&user.username))
            .await?
            .filter(|r| r.kind == REGISTRATION && r.expires_at > self.now())
            .ok_or_else(|| {
                fault(
                    ErrorKind::WebAuthnChallengeNotFound,
                    "No passkey registration is waiting for this user; start one first.",
                )
            })?;
        if pending.client_id != client_id {
            return Err(fault(
                ErrorKind::WebAuthnClientMismatch,
                "The registration was started by another app client.",
            ));
        }
        let state: RegistrationState = serde_json::from_str(&pending.data).map_err(internal)?;
        let credential: RegisterPublicKeyCredential =
            serde_json::from_value(req.credential.clone()).map_err(|e| {
                fault(
                    ErrorKind::InvalidParameter,
                    format!("Credential is not a valid WebAuthn registration response: {e}"),
                )
            })?;
        let core = self.verifier(&rp_id, CREATE_TIMEOUT)?;
        let mut verified = core
            .register_credential(&credential, &state, None)
            .map_err(registration_fault)?;
        // No attestation policy applies, so its certificate chain is not kept.
        verified.attestation = Default::default();
        let stored = serde_json::to_string(&verified).map_err(internal)?;
        if stored.len() > MAX_STORED {
            return Err(fault(
                ErrorKind::WebAuthnCredentialNotSupported,
                "The passkey's public key is larger than this user pool accepts.",
            ));
        }
        let credential_id = URL_SAFE_NO_PAD.encode(&verified.cred_id);
        let already = || {
            fault(
                ErrorKind::InvalidParameter,
                "This passkey is already registered.",
            )
        };
        if store.passkey_exists(&credential_id).await? {
            return Err(already());
        }
        let existing = store.passkeys(&user.username).await?;
        let number = existing
            .iter()
            .filter_map(|p| p.name.strip_prefix("Passkey ")?.parse::<u32>().ok())
            .max()
            .unwrap_or(0)
            + 1;
        let (transports, attachment) = reported(&req.credential);
        let inserted = store
            .insert_passkey(&PasskeyRecord {
                credential_id,
                username: user.username.clone(),
                name: format!("Passkey {number}"),
                relying_party_id: rp_id,
                attachment,
                transports,
                credential: stored,
                created_at: self.now(),
                last_used_at: None,
            })
            .await?;
        // A registration of the same id that won a race keeps it.
        if !inserted {
            return Err(already());
        }
        Ok(Empty {})
    }

    pub async fn list_web_authn_credentials(
        &self,
        req: ListWebAuthnCredentialsRequest,
    ) -> OpResult<ListWebAuthnCredentialsResponse> {
        let user = self.authorize(&req.access_token).await?;
        let limit = match crate::pool::page_size("maxResults", req.max_results, 0, MAX_LIST)? {
            0 => MAX_LIST as usize,
            n => n,
        };
        let passkeys = self.inner.store.passkeys(&user.username).await?;
        let start = match &req.next_token {
            None => 0,
            Some(token) => passkeys
                .iter()
                .position(|p| &p.credential_id == token)
                .ok_or_else(|| fault(ErrorKind::InvalidParameter, "Invalid NextToken."))?,
        };
        let credentials = passkeys
            .iter()
            .skip(start)
            .take(limit)
            .map(|p| WebAuthnCredentialDescription {
                credential_id: p.credential_id.clone(),
                friendly_credential_name: p.name.clone(),
                relying_party_id: p.relying_party_id.clone(),
                authenticator_attachment: p.attachment.clone(),
                authenticator_transports: p.transports.clone(),
                created_at: p.created_at as f64,
            })
            .collect();
        let next_token = passkeys.get(start + limit).map(|p| p.credential_id.clone());
        Ok(ListWebAuthnCredentialsResponse {
            credentials,
            next_token,
        })
    }

    pub async fn delete_web_authn_credential(
        &self,
        req: DeleteWebAuthnCredentialRequest,
    ) -> OpResult<Empty> {
        let user = self.authorize(&req.access_token).await?;
        if !self
            .inner
            .store
            .delete_passkey(&user.username, &req.credential_id)
            .await?
        {
            return Err(fault(
                ErrorKind::ResourceNotFound,
                "The user has no passkey with this credential id.",
            ));
        }
        Ok(Empty {})
    }

    /// Whether `user` has a passkey for this pool's relying party.
    pub(crate) async fn has_passkey(&self, user: &UserRecord) -> OpResult<bool> {
        let Ok(rp_id) = self.relying_party() else {
            return Ok(false);
        };
        let passkeys = self.inner.store.passkeys(&user.username).await?;
        Ok(passkeys.iter().any(|p| p.relying_party_id == rp_id))
    }

    /// The `WEB_AUTHN` challenge: request options listing the user's passkeys. A stand-in
    /// for an unknown name lists a made-up one, stable per name (`decoy_credential`).
    pub(crate) async fn passkey_challenge(
        &self,
        user: &UserRecord,
        decoy_credential: Option<Vec<u8>>,
        client_id: &str,
    ) -> OpResult<AuthResponse> {
        let decoy = decoy_credential.is_some();
        let rp_id = self.relying_party()?;
        let core = self.verifier(&rp_id, GET_TIMEOUT)?;
        let policy = Some(self.verification_policy());
        let passkeys: Vec<PasskeyRecord> = if decoy {
            Vec::new()
        } else {
            self.inner
                .store
                .passkeys(&user.username)
                .await?
                .into_iter()
                .filter(|p| p.relying_party_id == rp_id)
                .collect()
        };
        let credentials: Vec<Credential> = passkeys
            .iter()
            .filter_map(|p| serde_json::from_str(&p.credential).ok())
            .collect();
        let builder = core
            .new_challenge_authenticate_builder(credentials, policy)
            .map_err(internal)?;
        let (options, mut state) = core
            .generate_challenge_authenticate(builder)
            .map_err(internal)?;
        // The answer is checked against the stored passkey it names, so the session keeps
        // only the challenge and policy, not a copy of every key.
        state.set_allowed_credentials(Vec::new());
        let mut options = serde_json::to_value(options.public_key).map_err(internal)?;
        // The transports each passkey reported at registration help the browser find it.
        if let Some(allowed) = options["allowCredentials"].as_array_mut() {
            for entry in allowed.iter_mut() {
                let passkey = passkeys
                    .iter()
                    .find(|p| entry["id"] == p.credential_id.as_str());
                if let Some(passkey) = passkey.filter(|p| !p.transports.is_empty()) {
                    entry["transports"] = serde_json::json!(passkey.transports);
                }
            }
        }
        if let Some(id) = decoy_credential {
            // Transports as browsers report a platform passkey's (sorted); synced ones add
            // "hybrid".
            let transports = if id[0] & 1 == 0 {
                serde_json::json!(["hybrid", "internal"])
            } else {
                serde_json::json!(["internal"])
            };
            options["allowCredentials"] = serde_json::json!([{
                "type": "public-key",
                "id": URL_SAFE_NO_PAD.encode(&id),
                "transports": transports,
            }]);
        }
        let state = ChallengeState {
            first_factor: true,
            decoy,
            webauthn: Some(serde_json::to_string(&state).map_err(internal)?),
            ..Default::default()
        };
        let params: SecretMap = [("CREDENTIAL_REQUEST_OPTIONS", options.to_string())]
            .into_iter()
            .collect();
        self.challenge(user, client_id, WEB_AUTHN, params, state)
            .await
    }

    /// The answer to `WEB_AUTHN`: an assertion by one of the user's passkeys.
    pub(crate) async fn answer_passkey(
        &self,
        session: &Secret,
        user: UserRecord,
        client_id: &str,
        state: ChallengeState,
        responses: &SecretMap,
    ) -> OpResult<AuthResponse> {
        let given = required(responses, "CREDENTIAL")?;
        let assertion: PublicKeyCredential = serde_json::from_str(given).map_err(|e| {
            fault(
                ErrorKind::InvalidParameter,
                format!("CREDENTIAL is not a valid WebAuthn authentication response: {e}"),
            )
        })?;
        let refused = "The passkey could not be verified.";
        let auth_state: AuthenticationState = state
            .webauthn
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .ok_or_else(|| fault(ErrorKind::NotAuthorized, SESSION_EXPIRED))?;
        let rp_id = self.relying_party()?;
        let store = &self.inner.store;
        let credential_id = URL_SAFE_NO_PAD.encode(&assertion.raw_id);
        // The same look-up for a stand-in (which has none), so both take alike.
        let mut passkey = store
            .passkeys(&user.username)
            .await?
            .into_iter()
            .find(|p| p.credential_id == credential_id && p.relying_party_id == rp_id)
            .filter(|_| !state.decoy);
        // The user handle, when the authenticator gives one, must be this user's.
        let handle_ok = assertion
            .get_user_unique_id()
            .is_none_or(|handle| handle == user.sub.as_bytes());
        let core = self.verifier(&rp_id, GET_TIMEOUT)?;
        let outcome = match (&mut passkey, handle_ok) {
            (Some(passkey), true) => {
                let mut credential: Credential =
                    serde_json::from_str(&passkey.credential).map_err(internal)?;
                core.authenticate_single_credential(&assertion, &auth_state, &credential)
                    .ok()
                    .map(|result| {
                        credential.counter = result.counter();
                        credential.backup_state = result.backup_state();
                        credential.backup_eligible = result.backup_eligible();
                        (credential, result.user_verified())
                    })
            }
            _ => None,
        };
        // A refused assertion does not count toward the lockout: no one guesses a signature,
        // and counting would let anyone lock an account by its name, and tell real names
        // (locked) from unknown ones (never locked).
        let Some((credential, user_verified)) = outcome else {
            return self
                .wrong_code(
                    session,
                    &user,
                    client_id,
                    state,
                    ErrorKind::NotAuthorized,
                    refused,
                )
                .await;
        };
        let mut passkey = passkey.expect("verified above");
        passkey.credential = serde_json::to_string(&credential).map_err(internal)?;
        passkey.last_used_at = Some(self.now());
        // Deleted meanwhile: it no longer signs anyone in.
        if !store.record_passkey_use(&passkey).await? {
            return Err(fault(ErrorKind::NotAuthorized, refused));
        }
        // A passkey used with user verification is a second factor too, where the pool says so.
        let counts_as_mfa = self.cfg().webauthn.is_multi_factor() && user_verified;
        self.after_passkey(user, client_id, responses.get("DEVICE_KEY"), counts_as_mfa)
            .await
    }
}
