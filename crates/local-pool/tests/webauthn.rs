//! Passkeys through the real client over HTTP, with 1Password's software authenticator
//! (`passkey` crate) as the other side: registration, the list and delete operations,
//! `WEB_AUTHN` sign-in, and each way a ceremony is refused.

use cognito_idp::wire::*;
use cognito_idp::{ErrorKind, Secret, SignInOutcome};
use local_pool::config::{MfaMode, WebAuthnConfig};
use local_pool::PoolConfig;
use passkey::authenticator::{Authenticator, UiHint, UserCheck, UserValidationMethod};
use passkey::client::Client;
use passkey::types::ctap2::{Aaguid, Ctap2Error};
use passkey::types::webauthn::{CredentialCreationOptions, CredentialRequestOptions};
use passkey::types::Passkey;
use serde_json::{json, Value};
mod common;
use common::*;

/// A user who is always there and always verified (a fingerprint that always matches).
struct AlwaysVerified;

#[async_trait::async_trait]
impl UserValidationMethod for AlwaysVerified {
    type PasskeyItem = Passkey;
    async fn check_user<'a>(
        &self,
        _hint: UiHint<'a, Passkey>,
        presence: bool,
        verification: bool,
    ) -> Result<UserCheck, Ctap2Error> {
        Ok(UserCheck {
            presence,
            verification,
        })
    }
    fn is_presence_enabled(&self) -> bool {
        true
    }
    fn is_verification_enabled(&self) -> Option<bool> {
        Some(true)
    }
}

type Device = Client<
    passkey::authenticator::MemoryStore,
    AlwaysVerified,
    passkey::crypto::AvailableBackend,
    public_suffix::PublicSuffixList,
    (),
>;

fn device() -> Device {
    let authenticator = Authenticator::new(
        Aaguid::new_empty(),
        passkey::authenticator::MemoryStore::new(),
        AlwaysVerified,
        passkey::crypto::AvailableBackend,
    );
    Client::new(authenticator).allows_insecure_localhost(true)
}

fn passkey_pool() -> PoolConfig {
    PoolConfig {
        allowed_first_auth_factors: vec!["PASSWORD".into(), "EMAIL_OTP".into(), "WEB_AUTHN".into()],
        webauthn: WebAuthnConfig {
            relying_party_id: Some("localhost".into()),
            user_verification: "required".into(),
            ..WebAuthnConfig::default()
        },
        ..PoolConfig::default()
    }
}

const ORIGIN: &str = "http://localhost:3000";

fn origin(text: &str) -> url::Url {
    url::Url::parse(text).unwrap()
}

async fn start_registration(h: &Harness, token: &Secret) -> Value {
    h.client
        .transport
        .send(&StartWebAuthnRegistrationRequest(AccessTokenRequest {
            access_token: token.clone(),
        }))
        .await
        .unwrap()
        .credential_creation_options
}

/// What the browser would post to Complete: the authenticator's answer to the options.
async fn create(device: &mut Device, options: &Value, at: &str) -> Value {
    let request: CredentialCreationOptions =
        serde_json::from_value(json!({ "publicKey": options })).unwrap();
    let created = device
        .register(&origin(at), request, passkey::client::DefaultClientData)
        .await
        .unwrap();
    serde_json::to_value(created).unwrap()
}

async fn complete(
    h: &Harness,
    token: &Secret,
    credential: Value,
) -> Result<Empty, cognito_idp::Error> {
    h.client
        .transport
        .send(&CompleteWebAuthnRegistrationRequest {
            access_token: token.clone(),
            credential,
        })
        .await
}

async fn register(h: &Harness, device: &mut Device, token: &Secret) {
    let options = start_registration(h, token).await;
    let credential = create(device, &options, ORIGIN).await;
    complete(h, token, credential).await.unwrap();
}

async fn list(h: &Harness, token: &Secret) -> Vec<WebAuthnCredentialDescription> {
    h.client
        .transport
        .send(&ListWebAuthnCredentialsRequest {
            access_token: token.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .credentials
}

/// Starts a passkey sign-in; the challenge's session and request options.
async fn passkey_challenge(h: &Harness, username: &str) -> (Secret, Value) {
    let (name, session, params) = challenge(
        h.client
            .start_user_auth(username, Some("WEB_AUTHN"))
            .await
            .unwrap(),
    );
    assert_eq!(name, "WEB_AUTHN");
    let options: Value =
        serde_json::from_str(params.get("CREDENTIAL_REQUEST_OPTIONS").unwrap()).unwrap();
    (session.unwrap(), options)
}

async fn assert_with(device: &mut Device, options: &Value, at: &str) -> String {
    let request: CredentialRequestOptions =
        serde_json::from_value(json!({ "publicKey": options })).unwrap();
    let assertion = device
        .authenticate(&origin(at), request, passkey::client::DefaultClientData)
        .await
        .unwrap();
    serde_json::to_string(&assertion).unwrap()
}

async fn answer(
    h: &Harness,
    username: &str,
    session: &Secret,
    credential: &str,
) -> Result<AuthResponse, cognito_idp::Error> {
    h.client
        .transport
        .send(&RespondToAuthChallengeRequest {
            client_id: "localclient0000000000000001".into(),
            challenge_name: "WEB_AUTHN".into(),
            session: Some(session.clone()),
            challenge_responses: responses(&[("USERNAME", username), ("CREDENTIAL", credential)]),
            client_metadata: None,
        })
        .await
}

#[tokio::test]
async fn register_list_sign_in_with_and_delete_a_passkey() {
    let h = start(passkey_pool()).await;
    let tokens = h.user("pia").await;
    let token = &tokens.access_token;
    let mut phone = device();

    let options = start_registration(&h, token).await;
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(
        options["authenticatorSelection"]["userVerification"],
        "required"
    );
    assert_eq!(options["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(options["excludeCredentials"], json!([]));
    let credential = create(&mut phone, &options, ORIGIN).await;
    complete(&h, token, credential).await.unwrap();

    let passkeys = list(&h, token).await;
    assert_eq!(passkeys.len(), 1);
    assert_eq!(passkeys[0].friendly_credential_name, "Passkey 1");
    assert_eq!(passkeys[0].relying_party_id, "localhost");
    assert!(passkeys[0].created_at > 0.0);

    // The choice now offers the passkey, and GetUserAuthFactors reports it.
    match h.client.start_user_auth("pia", None).await.unwrap() {
        SignInOutcome::Challenge { available, .. } => {
            assert_eq!(
                available,
                ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN"]
            )
        }
        other => panic!("expected a choice, got {other:?}"),
    }
    let factors = h.client.get_user_auth_factors(token).await.unwrap();
    assert!(factors
        .configured_user_auth_factors
        .contains(&"WEB_AUTHN".to_owned()));

    // A second registration excludes the first passkey.
    let again = start_registration(&h, token).await;
    assert_eq!(
        again["excludeCredentials"][0]["id"].as_str(),
        Some(passkeys[0].credential_id.as_str())
    );

    // Sign in with it.
    let (session, request) = passkey_challenge(&h, "pia").await;
    assert_eq!(request["rpId"], "localhost");
    assert_eq!(
        request["allowCredentials"][0]["id"].as_str(),
        Some(passkeys[0].credential_id.as_str())
    );
    let assertion = assert_with(&mut phone, &request, ORIGIN).await;
    let signed = answer(&h, "pia", &session, &assertion).await.unwrap();
    let result = signed.authentication_result.expect("tokens");
    assert!(!result.access_token.expose().is_empty());

    // The same assertion cannot be replayed on a new challenge.
    let (session, _) = passkey_challenge(&h, "pia").await;
    let (kind_, _) = kind(answer(&h, "pia", &session, &assertion).await.unwrap_err());
    assert_eq!(kind_, ErrorKind::NotAuthorized);

    // Delete it: another user's id is not found, and the choice no longer offers it.
    let (kind_, _) = kind(
        h.client
            .transport
            .send(&DeleteWebAuthnCredentialRequest {
                access_token: token.clone(),
                credential_id: "bm90LWEtcGFzc2tleQ".into(),
            })
            .await
            .unwrap_err(),
    );
    assert_eq!(kind_, ErrorKind::ResourceNotFound);
    h.client
        .transport
        .send(&DeleteWebAuthnCredentialRequest {
            access_token: token.clone(),
            credential_id: passkeys[0].credential_id.clone(),
        })
        .await
        .unwrap();
    assert!(list(&h, token).await.is_empty());
    match h.client.start_user_auth("pia", None).await.unwrap() {
        SignInOutcome::Challenge { available, .. } => {
            assert!(!available.contains(&"WEB_AUTHN".to_owned()))
        }
        other => panic!("expected a choice, got {other:?}"),
    }
}

#[tokio::test]
async fn registration_is_refused_for_the_wrong_origin_client_or_challenge() {
    let h = start(passkey_pool()).await;
    let tokens = h.user("rex").await;
    let token = &tokens.access_token;
    let mut key = device();

    // Without a started registration.
    let options = start_registration(&h, token).await;
    let credential = create(&mut key, &options, ORIGIN).await;
    complete(&h, token, credential.clone()).await.unwrap();
    let (kind_, _) = kind(complete(&h, token, credential).await.unwrap_err());
    assert_eq!(kind_, ErrorKind::WebAuthnChallengeNotFound, "single use");

    // Made on a page the pool does not allow: a subdomain of localhost (which a browser
    // accepts for the RP id), and a foreign origin written into the client data (which an
    // honest browser never does; nothing signs it under "none" attestation, so the check
    // of the origin is all that stops it).
    let mut other = device();
    let options = start_registration(&h, token).await;
    let credential = create(&mut other, &options, "http://app.localhost:3000").await;
    let (kind_, _) = kind(complete(&h, token, credential).await.unwrap_err());
    assert_eq!(kind_, ErrorKind::WebAuthnOriginNotAllowed);
    let options = start_registration(&h, token).await;
    let mut credential = create(&mut other, &options, ORIGIN).await;
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let field = &mut credential["response"]["clientDataJSON"];
    let mut client_data: Value =
        serde_json::from_slice(&b64.decode(field.as_str().unwrap()).unwrap()).unwrap();
    client_data["origin"] = json!("https://evil.example");
    *field = json!(b64.encode(client_data.to_string()));
    let (kind_, _) = kind(complete(&h, token, credential).await.unwrap_err());
    assert_eq!(kind_, ErrorKind::WebAuthnOriginNotAllowed);

    // An answer to an older challenge.
    let older = start_registration(&h, token).await;
    let _newer = start_registration(&h, token).await;
    let credential = create(&mut other, &older, ORIGIN).await;
    let (kind_, _) = kind(complete(&h, token, credential).await.unwrap_err());
    assert_eq!(kind_, ErrorKind::WebAuthnChallengeNotFound);

    // Garbage.
    start_registration(&h, token).await;
    let (kind_, _) = kind(
        complete(&h, token, json!({"id": "x", "type": "public-key"}))
            .await
            .unwrap_err(),
    );
    assert_eq!(kind_, ErrorKind::InvalidParameter);
    assert_eq!(list(&h, token).await.len(), 1);
}

#[tokio::test]
async fn passkeys_need_the_factor_and_a_relying_party() {
    let h = start(PoolConfig::default()).await;
    let tokens = h.user("nia").await;
    let (kind_, _) = kind(
        h.client
            .transport
            .send(&StartWebAuthnRegistrationRequest(AccessTokenRequest {
                access_token: tokens.access_token.clone(),
            }))
            .await
            .unwrap_err(),
    );
    assert_eq!(kind_, ErrorKind::WebAuthnNotEnabled);

    let mut config = passkey_pool();
    config.webauthn.relying_party_id = None;
    let h = start(config).await;
    let tokens = h.user("nia").await;
    let (kind_, _) = kind(
        h.client
            .transport
            .send(&StartWebAuthnRegistrationRequest(AccessTokenRequest {
                access_token: tokens.access_token.clone(),
            }))
            .await
            .unwrap_err(),
    );
    assert_eq!(kind_, ErrorKind::WebAuthnConfigurationMissing);

    // The RP id is set and read through the management API; an IP address is refused.
    let h = start(PoolConfig {
        allowed_first_auth_factors: vec!["PASSWORD".into(), "WEB_AUTHN".into()],
        ..PoolConfig::default()
    })
    .await;
    let set = h
        .admin(
            "SetUserPoolMfaConfig",
            json!({"UserPoolId": "us-east-1_LocalPool",
                   "WebAuthnConfiguration": {"RelyingPartyId": "127.0.0.1"}}),
        )
        .await;
    assert_eq!(set.status(), 400);
    let set = h
        .admin(
            "SetUserPoolMfaConfig",
            json!({"UserPoolId": "us-east-1_LocalPool",
                   "WebAuthnConfiguration": {"RelyingPartyId": "localhost", "UserVerification": "required"}}),
        )
        .await;
    assert_eq!(set.status(), 200);
    let got: Value = h
        .admin(
            "GetUserPoolMfaConfig",
            json!({"UserPoolId": "us-east-1_LocalPool"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        got["WebAuthnConfiguration"],
        json!({"RelyingPartyId": "localhost", "UserVerification": "required", "FactorConfiguration": "SINGLE_FACTOR"})
    );
    let tokens = h.user("nia").await;
    let mut key = device();
    register(&h, &mut key, &tokens.access_token).await;
    assert_eq!(list(&h, &tokens.access_token).await.len(), 1);
}

#[tokio::test]
async fn a_wrong_or_phished_assertion_is_refused_and_the_session_may_try_again() {
    let h = start(passkey_pool()).await;
    let tokens = h.user("lea").await;
    let mut mine = device();
    register(&h, &mut mine, &tokens.access_token).await;
    // Another user's passkey does not sign lea in.
    let other_tokens = h.user("max").await;
    let mut theirs = device();
    register(&h, &mut theirs, &other_tokens.access_token).await;
    let (_, max_options) = passkey_challenge(&h, "max").await;
    let (session, lea_options) = passkey_challenge(&h, "lea").await;
    let foreign = assert_with(&mut theirs, &max_options, ORIGIN).await;
    let (kind_, _) = kind(answer(&h, "lea", &session, &foreign).await.unwrap_err());
    assert_eq!(kind_, ErrorKind::NotAuthorized);
    // The same session may try again (a few times), with the right passkey.
    let right = assert_with(&mut mine, &lea_options, ORIGIN).await;
    assert!(answer(&h, "lea", &session, &right)
        .await
        .unwrap()
        .authentication_result
        .is_some());

    // An assertion made on a foreign origin is refused.
    let (session, options) = passkey_challenge(&h, "lea").await;
    let phished = assert_with(&mut mine, &options, "http://app.localhost:3000").await;
    let (kind_, _) = kind(answer(&h, "lea", &session, &phished).await.unwrap_err());
    assert_eq!(kind_, ErrorKind::NotAuthorized);
    let (kind_, _) = kind(answer(&h, "lea", &session, "{not json").await.unwrap_err());
    assert_eq!(kind_, ErrorKind::InvalidParameter);
}

#[tokio::test]
async fn an_unknown_name_may_be_offered_a_passkey_that_never_passes() {
    let h = start(passkey_pool()).await;
    let tokens = h.user("kim").await;
    let mut key = device();
    register(&h, &mut key, &tokens.access_token).await;
    // Find an unknown name the pool says has a passkey; its options look like a real one's.
    let mut offered = None;
    for n in 0..40 {
        let name = format!("ghost{n}");
        if let SignInOutcome::Challenge { available, .. } =
            h.client.start_user_auth(&name, None).await.unwrap()
        {
            if available.contains(&"WEB_AUTHN".to_owned()) {
                offered = Some(name);
                break;
            }
        }
    }
    let ghost = offered.expect("some unknown names are offered a passkey");
    let (session, options) = passkey_challenge(&h, &ghost).await;
    let (_, real) = passkey_challenge(&h, "kim").await;
    let keys = |v: &Value| {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(&options), keys(&real));
    // An id as long as common passkey providers' (16 to 64 bytes), with their transports.
    let id = options["allowCredentials"][0]["id"].as_str().unwrap();
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id)
        .unwrap();
    assert!((16..=64).contains(&bytes.len()), "{id}");
    assert_eq!(
        keys(&options["allowCredentials"][0]),
        keys(&real["allowCredentials"][0])
    );
    let (_, again) = passkey_challenge(&h, &ghost).await;
    assert_eq!(
        again["allowCredentials"], options["allowCredentials"],
        "stable per name"
    );
    // kim's passkey, answering the ghost's challenge, does not pass.
    let forged = assert_with(&mut key, &real, ORIGIN).await;
    let (kind_, _) = kind(answer(&h, &ghost, &session, &forged).await.unwrap_err());
    assert_eq!(kind_, ErrorKind::NotAuthorized);
}

#[tokio::test]
async fn with_passkeys_as_mfa_a_user_with_mfa_signs_in_with_the_passkey_alone() {
    let mut config = passkey_pool();
    config.mfa = MfaMode::Optional;
    config.webauthn.factor_configuration = "MULTI_FACTOR_WITH_USER_VERIFICATION".into();
    let h = start(config).await;
    let tokens = h.user("mo").await;
    let mut key = device();
    register(&h, &mut key, &tokens.access_token).await;
    h.client
        .transport
        .send(&SetUserMfaPreferenceRequest {
            access_token: tokens.access_token.clone(),
            email_mfa_settings: Some(MfaSettings {
                enabled: Some(true),
                preferred_mfa: Some(true),
            }),
            ..Default::default()
        })
        .await
        .unwrap();
    match h.client.start_user_auth("mo", None).await.unwrap() {
        SignInOutcome::Challenge { available, .. } => {
            assert_eq!(available, ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"])
        }
        other => panic!("expected a choice, got {other:?}"),
    }
    let (session, options) = passkey_challenge(&h, "mo").await;
    let assertion = assert_with(&mut key, &options, ORIGIN).await;
    let answer = answer(&h, "mo", &session, &assertion).await.unwrap();
    assert!(answer.authentication_result.is_some(), "{answer:?}");
}

#[tokio::test]
async fn refused_assertions_lock_no_one_and_a_pending_registration_cannot_be_named() {
    let h = start(passkey_pool()).await;
    let tokens = h.user("ivy").await;
    let mut key = device();
    register(&h, &mut key, &tokens.access_token).await;
    let other = h.user("oz").await;
    let mut theirs = device();
    register(&h, &mut theirs, &other.access_token).await;
    // Many refused assertions for ivy, over many sessions (more than the lockout threshold).
    for _ in 0..8 {
        let (_, oz_options) = passkey_challenge(&h, "oz").await;
        let foreign = assert_with(&mut theirs, &oz_options, ORIGIN).await;
        let (session, _) = passkey_challenge(&h, "ivy").await;
        let (kind_, message) = kind(answer(&h, "ivy", &session, &foreign).await.unwrap_err());
        assert_eq!(kind_, ErrorKind::NotAuthorized, "{message}");
    }
    // Neither her passkey nor her password is locked.
    let (session, options) = passkey_challenge(&h, "ivy").await;
    let right = assert_with(&mut key, &options, ORIGIN).await;
    assert!(answer(&h, "ivy", &session, &right)
        .await
        .unwrap()
        .authentication_result
        .is_some());
    h.sign_in("ivy").await;

    // A registration in progress is not ended by naming it as another operation's session.
    let options = start_registration(&h, &tokens.access_token).await;
    for guess in ["webauthn_registration:ivy", "webauthn_registration"] {
        let _ = h
            .client
            .transport
            .send(&RespondToAuthChallengeRequest {
                client_id: "localclient0000000000000001".into(),
                challenge_name: "SMS_MFA".into(),
                session: Some(Secret::new(guess)),
                challenge_responses: responses(&[("USERNAME", "ivy"), ("SMS_MFA_CODE", "123456")]),
                client_metadata: None,
            })
            .await;
    }
    let mut second = device();
    let credential = create(&mut second, &options, ORIGIN).await;
    complete(&h, &tokens.access_token, credential)
        .await
        .unwrap();
    assert_eq!(list(&h, &tokens.access_token).await.len(), 2);
}
