//! Every sign-in next step the pool can answer with, through the real client over HTTP.

use cognito_idp::wire::{AttributeType, MfaSettings, SetUserMfaPreferenceRequest};
use cognito_idp::{ErrorKind, Secret, SecretMap, TokenOrSession};
use local_pool::config::{CustomAuth, MfaMode};
use local_pool::PoolConfig;
use serde_json::{json, Value};
mod common;
use common::*;

fn mfa_pool() -> PoolConfig {
    PoolConfig {
        mfa: MfaMode::Optional,
        ..PoolConfig::default()
    }
}

#[tokio::test]
async fn new_password_required_for_admin_created_users() {
    let config = PoolConfig {
        required_attributes: vec!["email".into(), "given_name".into()],
        ..PoolConfig::default()
    };
    let h = start(config).await;
    let created = h
        .admin("AdminCreateUser", json!({"UserPoolId": "us-east-1_LocalPool", "Username": "nina", "UserAttributes": [{"Name": "email", "Value": "nina@example.com"}, {"Name": "email_verified", "Value": "true"}]}))
        .await;
    assert_eq!(created.status(), 200);
    let body: Value = created.json().await.unwrap();
    assert_eq!(body["User"]["UserStatus"], "FORCE_CHANGE_PASSWORD");
    let message = h.last_message("nina").await;
    assert_eq!(message.kind, "TEMPORARY_PASSWORD");
    let temporary = message.code.unwrap();

    let (name, session, params) = challenge(
        h.client
            .sign_in_srp("nina", &Secret::new(temporary))
            .await
            .unwrap(),
    );
    assert_eq!(name, "NEW_PASSWORD_REQUIRED");
    let required: Vec<String> =
        serde_json::from_str(params.get("requiredAttributes").unwrap()).unwrap();
    assert_eq!(required, vec!["userAttributes.given_name"]);
    let current: Value = serde_json::from_str(params.get("userAttributes").unwrap()).unwrap();
    assert_eq!(current["email"], "nina@example.com");

    // A missing required attribute and a weak password keep the challenge open.
    let (k, m) = kind(
        h.client
            .respond(
                "NEW_PASSWORD_REQUIRED",
                session.clone(),
                responses(&[("USERNAME", "nina"), ("NEW_PASSWORD", NEW_PASSWORD)]),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (
            ErrorKind::InvalidParameter,
            "Invalid attributes given, given_name is missing"
        )
    );
    let (k, _) = kind(
        h.client
            .respond(
                "NEW_PASSWORD_REQUIRED",
                session.clone(),
                responses(&[
                    ("USERNAME", "nina"),
                    ("NEW_PASSWORD", "weakpassword"),
                    ("userAttributes.given_name", "Nina"),
                ]),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::InvalidPassword);
    signed_in(
        h.client
            .respond(
                "NEW_PASSWORD_REQUIRED",
                session,
                responses(&[
                    ("USERNAME", "nina"),
                    ("NEW_PASSWORD", NEW_PASSWORD),
                    ("userAttributes.given_name", "Nina"),
                ]),
            )
            .await
            .unwrap(),
    );
    signed_in(
        h.client
            .sign_in_srp("nina", &Secret::new(NEW_PASSWORD))
            .await
            .unwrap(),
    );

    // Admin calls need a SigV4 Authorization header.
    let unsigned = reqwest::Client::new()
        .post(format!("{}/", h.endpoint))
        .header(
            "X-Amz-Target",
            "AWSCognitoIdentityProviderService.AdminCreateUser",
        )
        .body(r#"{"UserPoolId":"us-east-1_LocalPool","Username":"x"}"#)
        .send()
        .await
        .unwrap();
    // As on AWS: 403 MissingAuthenticationTokenException.
    assert_eq!(unsigned.status(), 403);
}

#[tokio::test]
async fn totp_setup_during_sign_in_then_totp_sign_in() {
    let h = start(PoolConfig {
        mfa: MfaMode::On,
        ..PoolConfig::default()
    })
    .await;
    h.client
        .sign_up(
            "omar",
            &Secret::new(PASSWORD),
            vec![AttributeType::new("email", "omar@example.com")],
        )
        .await
        .unwrap();
    let code = h.last_message("omar").await.code.unwrap();
    h.client
        .confirm_sign_up("omar", &Secret::new(code), None)
        .await
        .unwrap();

    let (name, session, params) = challenge(
        h.client
            .sign_in_srp("omar", &Secret::new(PASSWORD))
            .await
            .unwrap(),
    );
    assert_eq!(name, "MFA_SETUP");
    let options: Vec<String> = serde_json::from_str(params.get("MFAS_CAN_SETUP").unwrap()).unwrap();
    assert!(options.contains(&"SOFTWARE_TOKEN_MFA".to_owned()));
    let associated = h
        .client
        .associate_software_token(TokenOrSession::Session(session.unwrap()))
        .await
        .unwrap();
    let secret = associated.secret_code.expose().to_owned();
    assert_eq!(secret.len(), 32);
    let wrong = if h.totp_now(&secret) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let (k, m) = kind(
        h.client
            .verify_software_token(
                TokenOrSession::Session(associated.session.clone().unwrap()),
                &Secret::new(wrong),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (
            ErrorKind::EnableSoftwareTokenMfa,
            "Code mismatch and fail enable Software Token MFA"
        )
    );
    let verified = h
        .client
        .verify_software_token(
            TokenOrSession::Session(associated.session.unwrap()),
            &Secret::new(h.totp_now(&secret)),
        )
        .await
        .unwrap();
    assert_eq!(verified.status, "SUCCESS");
    signed_in(
        h.client
            .respond(
                "MFA_SETUP",
                verified.session,
                responses(&[("USERNAME", "omar")]),
            )
            .await
            .unwrap(),
    );

    // Next sign-in asks for a TOTP code; a used code is refused, the next step's works.
    h.clock.advance(30);
    let (name, session, _) = challenge(
        h.client
            .sign_in_srp("omar", &Secret::new(PASSWORD))
            .await
            .unwrap(),
    );
    assert_eq!(name, "SOFTWARE_TOKEN_MFA");
    let code = h.totp_now(&secret);
    signed_in(
        h.client
            .respond(
                "SOFTWARE_TOKEN_MFA",
                session,
                responses(&[("USERNAME", "omar"), ("SOFTWARE_TOKEN_MFA_CODE", &code)]),
            )
            .await
            .unwrap(),
    );
    let (_, session, _) = challenge(
        h.client
            .sign_in_srp("omar", &Secret::new(PASSWORD))
            .await
            .unwrap(),
    );
    let (k, m) = kind(
        h.client
            .respond(
                "SOFTWARE_TOKEN_MFA",
                session.clone(),
                responses(&[("USERNAME", "omar"), ("SOFTWARE_TOKEN_MFA_CODE", &code)]),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (
            ErrorKind::CodeMismatch,
            "Invalid code or auth state for the user."
        )
    );
    h.clock.advance(30);
    let next = h.totp_now(&secret);
    let tokens = signed_in(
        h.client
            .respond(
                "SOFTWARE_TOKEN_MFA",
                session,
                responses(&[("USERNAME", "omar"), ("SOFTWARE_TOKEN_MFA_CODE", &next)]),
            )
            .await
            .unwrap(),
    );
    let user = h.client.get_user(&tokens.access_token).await.unwrap();
    assert_eq!(
        user.user_mfa_setting_list,
        Some(vec!["SOFTWARE_TOKEN_MFA".to_owned()])
    );
}

#[tokio::test]
async fn sms_and_email_codes_selection_and_attempt_limits() {
    let h = start(mfa_pool()).await;
    let tokens = h.user("pia").await;
    // SMS needs a verified phone (done), email a verified email (done at confirmation).
    h.client
        .set_mfa_preference(SetUserMfaPreferenceRequest {
            access_token: tokens.access_token.clone(),
            sms_mfa_settings: Some(MfaSettings {
                enabled: Some(true),
                preferred_mfa: None,
            }),
            email_mfa_settings: Some(MfaSettings {
                enabled: Some(true),
                preferred_mfa: None,
            }),
            ..Default::default()
        })
        .await
        .unwrap();
    let (k, m) = kind(
        h.client
            .set_mfa_preference(SetUserMfaPreferenceRequest {
                access_token: tokens.access_token.clone(),
                software_token_mfa_settings: Some(MfaSettings {
                    enabled: Some(true),
                    preferred_mfa: None,
                }),
                ..Default::default()
            })
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (
            ErrorKind::InvalidParameter,
            "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA"
        )
    );

    // Two factors and no preference: the user chooses.
    let (name, session, params) = challenge(
        h.client
            .sign_in_srp("pia", &Secret::new(PASSWORD))
            .await
            .unwrap(),
    );
    assert_eq!(name, "SELECT_MFA_TYPE");
    let choices: Vec<String> =
        serde_json::from_str(params.get("MFAS_CAN_CHOOSE").unwrap()).unwrap();
    assert_eq!(choices, vec!["SMS_MFA", "EMAIL_OTP"]);
    let (name, session, params) = challenge(
        h.client
            .respond(
                "SELECT_MFA_TYPE",
                session,
                responses(&[("USERNAME", "pia"), ("ANSWER", "SMS_MFA")]),
            )
            .await
            .unwrap(),
    );
    assert_eq!(name, "SMS_MFA");
    assert_eq!(
        params.get("CODE_DELIVERY_DESTINATION"),
        Some("+*******0123")
    );
    let sms = h.last_message("pia").await;
    assert_eq!(
        (sms.channel.as_str(), sms.kind.as_str()),
        ("SMS", "MFA_CODE")
    );
    let wrong = if sms.code.as_deref() == Some("000000") {
        "111111"
    } else {
        "000000"
    };
    // A wrong code can be retried on the same session...
    let (k, _) = kind(
        h.client
            .respond(
                "SMS_MFA",
                session.clone(),
                responses(&[("USERNAME", "pia"), ("SMS_MFA_CODE", wrong)]),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::CodeMismatch);
    signed_in(
        h.client
            .respond(
                "SMS_MFA",
                session,
                responses(&[
                    ("USERNAME", "pia"),
                    ("SMS_MFA_CODE", sms.code.as_deref().unwrap()),
                ]),
            )
            .await
            .unwrap(),
    );

    // ...until the attempts run out and the session ends.
    let (_, session, _) = challenge(
        h.client
            .sign_in_srp("pia", &Secret::new(PASSWORD))
            .await
            .unwrap(),
    );
    let (_, session, _) = challenge(
        h.client
            .respond(
                "SELECT_MFA_TYPE",
                session,
                responses(&[("USERNAME", "pia"), ("ANSWER", "EMAIL_OTP")]),
            )
            .await
            .unwrap(),
    );
    let email = h.last_message("pia").await;
    assert_eq!(email.channel, "EMAIL");
    let wrong = if email.code.as_deref() == Some("000000") {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..2 {
        assert_eq!(
            kind(
                h.client
                    .respond(
                        "EMAIL_OTP",
                        session.clone(),
                        responses(&[("USERNAME", "pia"), ("EMAIL_OTP_CODE", wrong)])
                    )
                    .await
                    .unwrap_err()
            )
            .0,
            ErrorKind::CodeMismatch
        );
    }
    let (k, m) = kind(
        h.client
            .respond(
                "EMAIL_OTP",
                session.clone(),
                responses(&[("USERNAME", "pia"), ("EMAIL_OTP_CODE", wrong)]),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (
            ErrorKind::NotAuthorized,
            "Invalid session for the user, session is expired."
        )
    );
    let (k, _) = kind(
        h.client
            .respond(
                "EMAIL_OTP",
                session,
                responses(&[
                    ("USERNAME", "pia"),
                    ("EMAIL_OTP_CODE", email.code.as_deref().unwrap()),
                ]),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::NotAuthorized);

    // A preference skips the choice; sessions expire after the auth-session validity.
    h.client
        .set_mfa_preference(SetUserMfaPreferenceRequest {
            access_token: tokens.access_token.clone(),
            email_mfa_settings: Some(MfaSettings {
                enabled: Some(true),
                preferred_mfa: Some(true),
            }),
            ..Default::default()
        })
        .await
        .unwrap();
    let (name, session, _) = challenge(
        h.client
            .sign_in_srp("pia", &Secret::new(PASSWORD))
            .await
            .unwrap(),
    );
    assert_eq!(name, "EMAIL_OTP");
    h.clock.advance(181);
    let code = h.last_message("pia").await.code.unwrap();
    let (k, m) = kind(
        h.client
            .respond(
                "EMAIL_OTP",
                session,
                responses(&[("USERNAME", "pia"), ("EMAIL_OTP_CODE", &code)]),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (
            ErrorKind::NotAuthorized,
            "Invalid session for the user, session is expired."
        )
    );
}

#[tokio::test]
async fn forgot_password_and_admin_reset() {
    let h = start(with_client(|c| c.prevent_user_existence_errors = false)).await;
    h.user("quinn").await;
    let sent = h.client.forgot_password("quinn").await.unwrap();
    assert_eq!(
        sent.code_delivery_details.unwrap().destination.as_deref(),
        Some("q***@e***.com")
    );
    let code = h.last_message("quinn").await;
    assert_eq!(code.kind, "FORGOT_PASSWORD");
    let code = code.code.unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (k, _) = kind(
        h.client
            .confirm_forgot_password("quinn", &Secret::new(wrong), &Secret::new(NEW_PASSWORD))
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::CodeMismatch);
    let (k, _) = kind(
        h.client
            .confirm_forgot_password(
                "quinn",
                &Secret::new(code.clone()),
                &Secret::new("weakpassword"),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::InvalidPassword);
    h.client
        .confirm_forgot_password(
            "quinn",
            &Secret::new(code.clone()),
            &Secret::new(NEW_PASSWORD),
        )
        .await
        .unwrap();
    signed_in(
        h.client
            .sign_in_srp("quinn", &Secret::new(NEW_PASSWORD))
            .await
            .unwrap(),
    );
    let (k, _) = kind(
        h.client
            .confirm_forgot_password("quinn", &Secret::new(code), &Secret::new(PASSWORD))
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::ExpiredCode, "a reset code works once");
    let (k, _) = kind(h.client.forgot_password("nobody").await.unwrap_err());
    assert_eq!(k, ErrorKind::UserNotFound);

    // An administrator's reset: sign-in says so, and the emailed code sets a new password.
    let reset = h
        .admin(
            "AdminResetUserPassword",
            json!({"UserPoolId": "us-east-1_LocalPool", "Username": "quinn"}),
        )
        .await;
    assert_eq!(reset.status(), 200);
    let (k, m) = kind(
        h.client
            .sign_in_srp("quinn", &Secret::new(NEW_PASSWORD))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (
            ErrorKind::PasswordResetRequired,
            "Password reset required for the user"
        )
    );
    let code = h.last_message("quinn").await.code.unwrap();
    h.client
        .confirm_forgot_password("quinn", &Secret::new(code), &Secret::new(PASSWORD))
        .await
        .unwrap();
    signed_in(
        h.client
            .sign_in_srp("quinn", &Secret::new(PASSWORD))
            .await
            .unwrap(),
    );
}

#[tokio::test]
async fn unknown_users_get_a_simulated_reset_when_protected() {
    let h = start(PoolConfig::default()).await;
    let sent = h
        .client
        .forgot_password("nobody@example.com")
        .await
        .unwrap();
    assert_eq!(
        sent.code_delivery_details.unwrap().destination.as_deref(),
        Some("n***@e***.com")
    );
    let (k, _) = kind(
        h.client
            .confirm_forgot_password(
                "nobody@example.com",
                &Secret::new("123456"),
                &Secret::new(NEW_PASSWORD),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::ExpiredCode);
}

#[tokio::test]
async fn change_password_and_attribute_verification() {
    let h = start(PoolConfig::default()).await;
    let tokens = h.user("rita").await;
    let (k, _) = kind(
        h.client
            .change_password(
                &tokens.access_token,
                &Secret::new("Wrong-pass1!"),
                &Secret::new(NEW_PASSWORD),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::NotAuthorized);
    let (k, _) = kind(
        h.client
            .change_password(
                &tokens.access_token,
                &Secret::new(PASSWORD),
                &Secret::new("weakpassword"),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::InvalidPassword);
    h.client
        .change_password(
            &tokens.access_token,
            &Secret::new(PASSWORD),
            &Secret::new(NEW_PASSWORD),
        )
        .await
        .unwrap();
    signed_in(
        h.client
            .sign_in_srp("rita", &Secret::new(NEW_PASSWORD))
            .await
            .unwrap(),
    );
    let user = h.client.get_user(&tokens.access_token).await.unwrap();
    let verified = user
        .user_attributes
        .iter()
        .find(|a| a.name == "phone_number_verified")
        .and_then(|a| a.value.clone());
    assert_eq!(verified.as_deref(), Some("true"));
    let (k, _) = kind(
        h.client
            .verify_attribute(&tokens.access_token, "email", &Secret::new("123456"))
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::ExpiredCode, "no code was requested");
}

#[tokio::test]
async fn custom_auth_demo_emails_a_code() {
    let h = start(PoolConfig::default()).await;
    h.user("sam").await;
    let mut params = SecretMap::new();
    params.insert("USERNAME", "sam");
    let first = h
        .client
        .transport
        .send(&cognito_idp::wire::InitiateAuthRequest {
            auth_flow: "CUSTOM_AUTH".into(),
            auth_parameters: params,
            client_id: h.client.client_id.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(first.challenge_name.as_deref(), Some("CUSTOM_CHALLENGE"));
    assert_eq!(first.challenge_parameters.get("type"), Some("EMAIL_CODE"));
    assert_eq!(
        first.challenge_parameters.get("destination"),
        Some("s***@e***.com")
    );
    let code = h.last_message("sam").await.code.unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (name, session, params) = challenge(
        h.client
            .respond(
                "CUSTOM_CHALLENGE",
                first.session,
                responses(&[("USERNAME", "sam"), ("ANSWER", wrong)]),
            )
            .await
            .unwrap(),
    );
    assert_eq!(
        (name.as_str(), params.get("attempt")),
        ("CUSTOM_CHALLENGE", Some("2"))
    );
    let code = h.last_message("sam").await.code.unwrap();
    signed_in(
        h.client
            .respond(
                "CUSTOM_CHALLENGE",
                session,
                responses(&[("USERNAME", "sam"), ("ANSWER", &code)]),
            )
            .await
            .unwrap(),
    );
}

#[tokio::test]
async fn custom_auth_webhooks_receive_cognito_events() {
    use axum::routing::post;
    use axum::Json;
    // A tiny trigger service: one question, answer "blue".
    let triggers = axum::Router::new()
        .route("/define", post(|Json(mut event): Json<Value>| async move {
            let rounds = event["request"]["session"].as_array().cloned().unwrap_or_default();
            let last_ok = rounds.last().and_then(|r| r["challengeResult"].as_bool());
            event["response"] = match last_ok {
                Some(true) => json!({"issueTokens": true, "failAuthentication": false}),
                Some(false) => json!({"issueTokens": false, "failAuthentication": true}),
                None => json!({"challengeName": "CUSTOM_CHALLENGE", "issueTokens": false, "failAuthentication": false}),
            };
            Json(event)
        }))
        .route("/create", post(|Json(mut event): Json<Value>| async move {
            assert_eq!(event["triggerSource"], "CreateAuthChallenge_Authentication");
            event["response"] = json!({"publicChallengeParameters": {"question": "Favourite colour?"}, "privateChallengeParameters": {"answer": "blue"}, "challengeMetadata": "COLOUR"});
            Json(event)
        }))
        .route("/verify", post(|Json(mut event): Json<Value>| async move {
            let correct = event["request"]["challengeAnswer"] == event["request"]["privateChallengeParameters"]["answer"];
            event["response"] = json!({"answerCorrect": correct});
            Json(event)
        }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, triggers).await.unwrap() });
    let h = start(PoolConfig {
        custom_auth: CustomAuth::Webhook {
            define_url: format!("{base}/define"),
            create_url: format!("{base}/create"),
            verify_url: format!("{base}/verify"),
        },
        ..PoolConfig::default()
    })
    .await;
    h.user("tess").await;
    let start_custom = || {
        let mut params = SecretMap::new();
        params.insert("USERNAME", "tess");
        cognito_idp::wire::InitiateAuthRequest {
            auth_flow: "CUSTOM_AUTH".into(),
            auth_parameters: params,
            client_id: h.client.client_id.clone(),
            ..Default::default()
        }
    };
    let first = h.client.transport.send(&start_custom()).await.unwrap();
    assert_eq!(
        first.challenge_parameters.get("question"),
        Some("Favourite colour?")
    );
    signed_in(
        h.client
            .respond(
                "CUSTOM_CHALLENGE",
                first.session,
                responses(&[("USERNAME", "tess"), ("ANSWER", "blue")]),
            )
            .await
            .unwrap(),
    );
    let again = h.client.transport.send(&start_custom()).await.unwrap();
    let (k, _) = kind(
        h.client
            .respond(
                "CUSTOM_CHALLENGE",
                again.session,
                responses(&[("USERNAME", "tess"), ("ANSWER", "red")]),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::NotAuthorized);
}

#[tokio::test]
async fn confirmation_links_in_the_outbox() {
    let h = start(PoolConfig {
        verification: local_pool::config::Verification::Link,
        link_base_url: Some("http://127.0.0.1:3000/confirm-link".into()),
        ..PoolConfig::default()
    })
    .await;
    h.client
        .sign_up(
            "uma",
            &Secret::new(PASSWORD),
            vec![AttributeType::new("email", "uma@example.com")],
        )
        .await
        .unwrap();
    let message = h.last_message("uma").await;
    let link = reqwest::Url::parse(message.link.as_deref().expect("a link")).unwrap();
    assert_eq!(link.path(), "/confirm-link");
    let query: std::collections::HashMap<_, _> = link.query_pairs().into_owned().collect();
    assert_eq!(query["user_name"], "uma");
    assert_eq!(query["client_id"], "localclient0000000000000001");
    h.client
        .confirm_sign_up(
            "uma",
            &Secret::new(query["confirmation_code"].clone()),
            None,
        )
        .await
        .unwrap();
    signed_in(
        h.client
            .sign_in_srp("uma", &Secret::new(PASSWORD))
            .await
            .unwrap(),
    );
}

#[tokio::test]
async fn custom_auth_after_srp_needs_the_password_first() {
    let h = start(PoolConfig::default()).await;
    h.user("vera").await;
    let (k, _) = kind(
        h.client
            .sign_in_custom_with_srp("vera", &Secret::new("Wrong-pass1!"))
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::NotAuthorized);
    let (name, session, params) = challenge(
        h.client
            .sign_in_custom_with_srp("vera", &Secret::new(PASSWORD))
            .await
            .unwrap(),
    );
    assert_eq!(
        (name.as_str(), params.get("type")),
        ("CUSTOM_CHALLENGE", Some("EMAIL_CODE"))
    );
    assert_eq!(params.get("attempt"), Some("1"), "only custom rounds count");
    let code = h.last_message("vera").await.code.unwrap();
    signed_in(
        h.client
            .respond(
                "CUSTOM_CHALLENGE",
                session,
                responses(&[("USERNAME", "vera"), ("ANSWER", &code)]),
            )
            .await
            .unwrap(),
    );
}
