//! Device tracking: NewDeviceMetadata, ConfirmDevice, device SRP at sign-in, remembered devices
//! skipping MFA, the device list operations, and refresh tokens bound to a device.

use cognito_idp::wire::{MfaSettings, SetUserMfaPreferenceRequest};
use cognito_idp::{ErrorKind, RememberedDevice, Secret};
use local_pool::config::{DeviceConfiguration, MfaMode};
use local_pool::PoolConfig;
mod common;
use common::*;

fn tracking_pool(remember_on_prompt: bool) -> PoolConfig {
    PoolConfig {
        mfa: MfaMode::Optional,
        device_configuration: Some(DeviceConfiguration {
            challenge_required_on_new_device: true,
            device_only_remembered_on_user_prompt: remember_on_prompt,
        }),
        ..PoolConfig::default()
    }
}

/// A user with SMS MFA on, and the device their first sign-in was given, confirmed.
async fn user_with_confirmed_device(h: &Harness, name: &str) -> (RememberedDevice, bool) {
    let tokens = h.user(name).await;
    let metadata = tokens
        .new_device_metadata
        .clone()
        .expect("a tracking pool announces the new device");
    assert!(metadata.device_key.starts_with("us-east-1_"));
    assert!(!metadata.device_group_key.is_empty());
    h.client
        .set_mfa_preference(SetUserMfaPreferenceRequest {
            access_token: tokens.access_token.clone(),
            sms_mfa_settings: Some(MfaSettings {
                enabled: Some(true),
                preferred_mfa: Some(true),
            }),
            ..Default::default()
        })
        .await
        .unwrap();
    h.client
        .confirm_device(&tokens.access_token, &metadata, "Test laptop")
        .await
        .unwrap()
}

async fn sms_sign_in(h: &Harness, name: &str, device: &RememberedDevice) -> Secret {
    let (challenge_name, session, _) = challenge(
        h.client
            .sign_in_srp_on_device(name, &Secret::new(PASSWORD), device)
            .await
            .unwrap(),
    );
    assert_eq!(challenge_name, "SMS_MFA");
    let code = h.last_code(name).await;
    let tokens = signed_in(
        h.client
            .respond(
                "SMS_MFA",
                session,
                responses(&[
                    ("USERNAME", name),
                    ("SMS_MFA_CODE", &code),
                    ("DEVICE_KEY", &device.device_key),
                ]),
            )
            .await
            .unwrap(),
    );
    assert!(
        tokens.new_device_metadata.is_none(),
        "a known device is not announced again"
    );
    tokens.access_token
}

#[tokio::test]
async fn a_remembered_device_proves_itself_and_skips_mfa() {
    let h = start(tracking_pool(true)).await;
    let (device, must_ask) = user_with_confirmed_device(&h, "dora").await;
    assert!(must_ask, "remembering waits for the user's choice");

    // Confirmed but not remembered: device SRP passes, MFA still applies.
    let access = sms_sign_in(&h, "dora", &device).await;
    let listed = h.client.list_devices(&access, None, None).await.unwrap();
    assert_eq!(listed.devices.len(), 1);
    let listed = &listed.devices[0];
    assert_eq!(listed.device_key, device.device_key);
    assert_eq!(listed.attribute("device_name"), Some("Test laptop"));
    assert_eq!(
        listed.attribute("dev:device_remembered_status"),
        Some("not_remembered")
    );

    h.client
        .update_device_status(&access, &device.device_key, true)
        .await
        .unwrap();
    let got = h
        .client
        .get_device(&access, &device.device_key)
        .await
        .unwrap();
    assert_eq!(
        got.attribute("dev:device_remembered_status"),
        Some("remembered")
    );

    // Remembered: tokens straight after device SRP, no SMS sent.
    let sent_before = h.pool.outbox().await.unwrap().len();
    let tokens = signed_in(
        h.client
            .sign_in_srp_on_device("dora", &Secret::new(PASSWORD), &device)
            .await
            .unwrap(),
    );
    assert_eq!(h.pool.outbox().await.unwrap().len(), sent_before);
    let claims = access_claims(&h, &tokens.access_token).await;
    assert_eq!(claims.str("device_key"), Some(device.device_key.as_str()));

    // Without the device the user still gets MFA, and a new device.
    let (name, _, _) = challenge(
        h.client
            .sign_in_srp("dora", &Secret::new(PASSWORD))
            .await
            .unwrap(),
    );
    assert_eq!(name, "SMS_MFA");

    // Forgotten: the key no longer skips anything and is gone from the list.
    h.client
        .forget_device(&tokens.access_token, &device.device_key)
        .await
        .unwrap();
    let listed = h
        .client
        .list_devices(&tokens.access_token, None, None)
        .await
        .unwrap();
    assert!(listed.devices.is_empty());
    let (name, _, _) = challenge(
        h.client
            .sign_in_srp_on_device("dora", &Secret::new(PASSWORD), &device)
            .await
            .unwrap(),
    );
    assert_eq!(name, "SMS_MFA");
    let (kind_, _) = kind(
        h.client
            .get_device(&tokens.access_token, &device.device_key)
            .await
            .unwrap_err(),
    );
    assert_eq!(kind_, ErrorKind::ResourceNotFound);
}

#[tokio::test]
async fn devices_are_remembered_at_confirmation_unless_the_pool_asks_first() {
    let h = start(tracking_pool(false)).await;
    let (device, must_ask) = user_with_confirmed_device(&h, "ezra").await;
    assert!(!must_ask);
    let tokens = signed_in(
        h.client
            .sign_in_srp_on_device("ezra", &Secret::new(PASSWORD), &device)
            .await
            .unwrap(),
    );
    assert!(tokens.new_device_metadata.is_none());
}

#[tokio::test]
async fn a_wrong_device_secret_is_refused() {
    let h = start(tracking_pool(false)).await;
    let (device, _) = user_with_confirmed_device(&h, "finn").await;
    // Another confirmed device of someone else, presented as finn's: not a device of finn.
    let (other, _) = user_with_confirmed_device(&h, "gale").await;
    let (name, _, _) = challenge(
        h.client
            .sign_in_srp_on_device("finn", &Secret::new(PASSWORD), &other)
            .await
            .unwrap(),
    );
    assert_eq!(name, "SMS_MFA", "another user's device key is ignored");

    // finn's key with a different device password: the SRP proof fails.
    let tokens = h.sign_in_with_sms("finn").await;
    let metadata = tokens.new_device_metadata.expect("a new device");
    let (impostor, _) = h
        .client
        .confirm_device(&tokens.access_token, &metadata, "other")
        .await
        .unwrap();
    let forged = forge(&device, &impostor);
    let (k, m) = kind(
        h.client
            .sign_in_srp_on_device("finn", &Secret::new(PASSWORD), &forged)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::NotAuthorized, "Incorrect username or password.")
    );
}

#[tokio::test]
async fn refresh_tokens_of_a_confirmed_device_need_its_key() {
    let h = start(tracking_pool(false)).await;
    let (device, _) = user_with_confirmed_device(&h, "hana").await;
    let tokens = signed_in(
        h.client
            .sign_in_srp_on_device("hana", &Secret::new(PASSWORD), &device)
            .await
            .unwrap(),
    );
    let refresh = tokens.refresh_token.unwrap();
    let (k, m) = kind(
        h.client
            .get_tokens_from_refresh_token(&refresh, None)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::NotAuthorized, "Invalid Refresh Token")
    );
    let renewed = h
        .client
        .transport
        .send(&cognito_idp::wire::GetTokensFromRefreshTokenRequest {
            refresh_token: refresh,
            client_id: h.client.client_id.clone(),
            device_key: Some(device.device_key.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    let claims = access_claims(&h, &renewed.authentication_result.access_token).await;
    assert_eq!(claims.str("device_key"), Some(device.device_key.as_str()));
}

#[tokio::test]
async fn pools_without_tracking_announce_no_devices() {
    let h = start(PoolConfig::default()).await;
    let tokens = h.user("ivo").await;
    assert!(tokens.new_device_metadata.is_none());
    let (k, _) = kind(
        h.client
            .list_devices(&tokens.access_token, Some(61), None)
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::InvalidParameter);
    assert!(h
        .client
        .list_devices(&tokens.access_token, None, None)
        .await
        .unwrap()
        .devices
        .is_empty());
}

/// `device`'s key and group with `other`'s password (which the pool never saw for this key).
fn forge(device: &RememberedDevice, other: &RememberedDevice) -> RememberedDevice {
    RememberedDevice {
        password: other.password.clone(),
        ..device.clone()
    }
}

/// The verified claims of an access token the pool issued.
async fn access_claims(h: &Harness, token: &Secret) -> cognito_idp::jwt::Claims {
    let verifier = cognito_idp::jwt::JwtVerifier::new(
        reqwest::Client::new(),
        h.client.jwks_url(),
        h.client.issuer(),
        h.client.client_id.clone(),
    );
    verifier
        .verify(
            token.expose(),
            cognito_idp::jwt::TokenUse::Access,
            h.clock.now(),
        )
        .await
        .unwrap()
}

impl Harness {
    async fn sign_in_with_sms(&self, name: &str) -> cognito_idp::wire::AuthenticationResult {
        let (_, session, _) = challenge(
            self.client
                .sign_in_srp(name, &Secret::new(PASSWORD))
                .await
                .unwrap(),
        );
        let code = self.last_code(name).await;
        signed_in(
            self.client
                .respond(
                    "SMS_MFA",
                    session,
                    responses(&[("USERNAME", name), ("SMS_MFA_CODE", &code)]),
                )
                .await
                .unwrap(),
        )
    }
}
