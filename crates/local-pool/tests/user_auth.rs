//! Choice-based sign-in (`USER_AUTH`) through the real client over HTTP: what each user is
//! offered, codes as the first factor, the password as a choice, password-less sign-up and
//! `GetUserAuthFactors`.

use cognito_idp::wire::{AttributeType, MfaSettings, SetUserMfaPreferenceRequest};
use cognito_idp::{ErrorKind, Secret, SignInOutcome};
use local_pool::config::MfaMode;
use local_pool::PoolConfig;
use serde_json::{json, Value};
mod common;
use common::*;

fn passwordless_pool() -> PoolConfig {
    PoolConfig {
        mfa: MfaMode::Optional,
        allowed_first_auth_factors: vec!["PASSWORD".into(), "EMAIL_OTP".into(), "SMS_OTP".into()],
        ..PoolConfig::default()
    }
}

fn available(outcome: SignInOutcome) -> (Option<Secret>, Vec<String>) {
    match outcome {
        SignInOutcome::Challenge {
            name,
            session,
            available,
            ..
        } => {
            assert_eq!(name, "SELECT_CHALLENGE");
            (session, available)
        }
        SignInOutcome::SignedIn(_) => panic!("expected SELECT_CHALLENGE, got tokens"),
    }
}

#[tokio::test]
async fn the_choice_lists_exactly_what_each_user_has() {
    let h = start(passwordless_pool()).await;
    // Verified email and phone.
    h.user("both").await;
    // Confirmed by email: the phone number is not verified.
    h.confirmed_user("emailonly").await;
    let (session, both) = available(h.client.start_user_auth("both", None).await.unwrap());
    assert!(session.is_some());
    assert_eq!(both, ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]);
    let (_, email_only) = available(h.client.start_user_auth("emailonly", None).await.unwrap());
    assert_eq!(email_only, ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]);

    // A user with MFA is offered only the password.
    let tokens = h.sign_in("emailonly").await;
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
    let (_, with_mfa) = available(h.client.start_user_auth("emailonly", None).await.unwrap());
    assert_eq!(with_mfa, ["PASSWORD", "PASSWORD_SRP"]);

    // A pool that allows only the password offers only the password.
    let h = start(PoolConfig::default()).await;
    h.user("plain").await;
    let (_, plain) = available(h.client.start_user_auth("plain", None).await.unwrap());
    assert_eq!(plain, ["PASSWORD", "PASSWORD_SRP"]);
}

#[tokio::test]
async fn an_email_code_as_the_first_factor() {
    let h = start(passwordless_pool()).await;
    h.user("erin").await;
    let (name, session, params) = challenge(
        h.client
            .start_user_auth("erin", Some("EMAIL_OTP"))
            .await
            .unwrap(),
    );
    assert_eq!(name, "EMAIL_OTP");
    assert_eq!(params.get("CODE_DELIVERY_DELIVERY_MEDIUM"), Some("EMAIL"));
    assert_eq!(
        params.get("CODE_DELIVERY_DESTINATION"),
        Some("e***@e***.com")
    );
    let message = h.last_message("erin").await;
    assert_eq!(message.kind, "SIGN_IN_CODE");
    let code = message.code.unwrap();

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (k, m) = kind(
        h.client
            .respond(
                "EMAIL_OTP",
                session.clone(),
                responses(&[("USERNAME", "erin"), ("EMAIL_OTP_CODE", wrong)]),
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
    // The same session takes the right code.
    let tokens = signed_in(
        h.client
            .respond(
                "EMAIL_OTP",
                session,
                responses(&[("USERNAME", "erin"), ("EMAIL_OTP_CODE", &code)]),
            )
            .await
            .unwrap(),
    );
    let user = h.client.get_user(&tokens.access_token).await.unwrap();
    assert_eq!(user.username, "erin");
}

#[tokio::test]
async fn wrong_codes_run_out_and_expired_sessions_end() {
    let h = start(passwordless_pool()).await;
    h.user("wendy").await;
    let (_, session, _) = challenge(
        h.client
            .start_user_auth("wendy", Some("EMAIL_OTP"))
            .await
            .unwrap(),
    );
    let code = h.last_code("wendy").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let answer = |value: &str| responses(&[("USERNAME", "wendy"), ("EMAIL_OTP_CODE", value)]);
    for _ in 0..2 {
        let (k, _) = kind(
            h.client
                .respond("EMAIL_OTP", session.clone(), answer(wrong))
                .await
                .unwrap_err(),
        );
        assert_eq!(k, ErrorKind::CodeMismatch);
    }
    // The third wrong code ends the session; the right one no longer helps.
    let (k, m) = kind(
        h.client
            .respond("EMAIL_OTP", session.clone(), answer(wrong))
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
            .respond("EMAIL_OTP", session, answer(&code))
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::NotAuthorized);

    // A session past its lifetime is refused too.
    let clock = cognito_idp::Clock::fixed(1_900_000_000);
    let h = start_at(passwordless_pool(), clock.clone()).await;
    h.user("late").await;
    let (_, session, _) = challenge(
        h.client
            .start_user_auth("late", Some("EMAIL_OTP"))
            .await
            .unwrap(),
    );
    let code = h.last_code("late").await;
    clock.advance(181);
    let (k, m) = kind(
        h.client
            .respond(
                "EMAIL_OTP",
                session,
                responses(&[("USERNAME", "late"), ("EMAIL_OTP_CODE", &code)]),
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
async fn choosing_from_the_list_sms_code_password_and_srp() {
    let h = start(passwordless_pool()).await;
    h.user("sam").await;
    // SMS code, chosen with SELECT_CHALLENGE.
    let (session, _) = available(h.client.start_user_auth("sam", None).await.unwrap());
    let (name, session, params) = challenge(
        h.client
            .respond(
                "SELECT_CHALLENGE",
                session,
                responses(&[("USERNAME", "sam"), ("ANSWER", "SMS_OTP")]),
            )
            .await
            .unwrap(),
    );
    assert_eq!(name, "SMS_OTP");
    assert_eq!(params.get("CODE_DELIVERY_DELIVERY_MEDIUM"), Some("SMS"));
    let code = h.last_code("sam").await;
    signed_in(
        h.client
            .respond(
                "SMS_OTP",
                session,
                responses(&[("USERNAME", "sam"), ("SMS_OTP_CODE", &code)]),
            )
            .await
            .unwrap(),
    );

    // An answer the user was not offered keeps the session for another choice.
    let h = start(PoolConfig {
        allowed_first_auth_factors: vec!["PASSWORD".into(), "EMAIL_OTP".into()],
        ..passwordless_pool()
    })
    .await;
    h.user("pat").await;
    let (session, offered) = available(h.client.start_user_auth("pat", None).await.unwrap());
    assert_eq!(offered, ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]);
    let (k, _) = kind(
        h.client
            .respond(
                "SELECT_CHALLENGE",
                session.clone(),
                responses(&[("USERNAME", "pat"), ("ANSWER", "SMS_OTP")]),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::InvalidParameter);
    // The password, wrong and then right.
    let (k, m) = kind(
        h.client
            .respond(
                "SELECT_CHALLENGE",
                session.clone(),
                responses(&[
                    ("USERNAME", "pat"),
                    ("ANSWER", "PASSWORD"),
                    ("PASSWORD", "Wr0ng-password!"),
                ]),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::NotAuthorized, "Incorrect username or password.")
    );
    let (session, _) = available(h.client.start_user_auth("pat", None).await.unwrap());
    signed_in(
        h.client
            .respond(
                "SELECT_CHALLENGE",
                session,
                responses(&[
                    ("USERNAME", "pat"),
                    ("ANSWER", "PASSWORD"),
                    ("PASSWORD", PASSWORD),
                ]),
            )
            .await
            .unwrap(),
    );
    // PASSWORD_SRP preferred: the SRP exchange, then tokens.
    signed_in(
        h.client
            .sign_in_user_auth_srp("pat", &Secret::new(PASSWORD))
            .await
            .unwrap(),
    );
    let (k, _) = kind(
        h.client
            .sign_in_user_auth_srp("pat", &Secret::new("Wr0ng-password!"))
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::NotAuthorized);
}

#[tokio::test]
async fn a_preferred_factor_the_user_lacks_falls_back_to_the_choice() {
    let h = start(passwordless_pool()).await;
    h.confirmed_user("nophone").await;
    let (_, offered) = available(
        h.client
            .start_user_auth("nophone", Some("SMS_OTP"))
            .await
            .unwrap(),
    );
    assert_eq!(offered, ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]);
    // An unknown name for a challenge is a parameter error.
    let (k, _) = kind(
        h.client
            .start_user_auth("nophone", Some("CARRIER_PIGEON"))
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::InvalidParameter);
}

#[tokio::test]
async fn an_unknown_name_gets_a_choice_and_a_code_page_that_never_passes() {
    let h = start(passwordless_pool()).await;
    let first = available(h.client.start_user_auth("ghost", None).await.unwrap()).1;
    let again = available(h.client.start_user_auth("ghost", None).await.unwrap()).1;
    assert_eq!(first, again, "stable per name");
    // Shaped like real users' lists: the password (with SRP) or not, then codes.
    let shapes = unknown_names_lists(&h, 60).await;
    let password = ["PASSWORD".to_owned(), "PASSWORD_SRP".to_owned()];
    assert!(
        shapes.iter().any(|l| l.starts_with(&password)),
        "{shapes:?}"
    );
    assert!(
        shapes
            .iter()
            .any(|l| !l.is_empty() && !l.contains(&password[0])),
        "some look like users without a password: {shapes:?}"
    );
    // Some unknown names are offered email codes, as real users are.
    let (name, session) = unknown_name_offered(&h, "ghost", "EMAIL_OTP").await;
    let (challenge_name, session, params) = challenge(
        h.client
            .respond(
                "SELECT_CHALLENGE",
                session,
                responses(&[("USERNAME", &name), ("ANSWER", "EMAIL_OTP")]),
            )
            .await
            .unwrap(),
    );
    assert_eq!(challenge_name, "EMAIL_OTP");
    assert!(params
        .get("CODE_DELIVERY_DESTINATION")
        .unwrap()
        .contains("***"));
    assert!(
        h.pool
            .outbox()
            .await
            .unwrap()
            .iter()
            .all(|m| m.username != name),
        "nothing is sent for a name without an account"
    );
    let (k, _) = kind(
        h.client
            .respond(
                "EMAIL_OTP",
                session,
                responses(&[("USERNAME", &name), ("EMAIL_OTP_CODE", "123456")]),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::CodeMismatch);
    // The password choice fails as a wrong password does.
    let (name, session) = unknown_name_offered(&h, "spook", "PASSWORD").await;
    let (k, m) = kind(
        h.client
            .respond(
                "SELECT_CHALLENGE",
                session,
                responses(&[
                    ("USERNAME", &name),
                    ("ANSWER", "PASSWORD"),
                    ("PASSWORD", PASSWORD),
                ]),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::NotAuthorized, "Incorrect username or password.")
    );
}

#[tokio::test]
async fn code_sends_are_limited_per_name() {
    let h = start(PoolConfig {
        max_code_sends: 2,
        ..passwordless_pool()
    })
    .await;
    h.user("spammed").await;
    for _ in 0..2 {
        challenge(
            h.client
                .start_user_auth("spammed", Some("EMAIL_OTP"))
                .await
                .unwrap(),
        );
    }
    let (k, _) = kind(
        h.client
            .start_user_auth("spammed", Some("EMAIL_OTP"))
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::LimitExceeded);
}

#[tokio::test]
async fn passwordless_sign_up_then_auto_sign_in_and_codes_only() {
    let h = start(passwordless_pool()).await;
    let email = |name: &str| vec![AttributeType::new("email", format!("{name}@example.com"))];
    let signed_up = h
        .client
        .sign_up_passwordless("paula", email("paula"))
        .await
        .unwrap();
    assert!(!signed_up.user_confirmed);
    let code = h.last_code("paula").await;
    let confirmed = h
        .client
        .confirm_sign_up("paula", &Secret::new(code), signed_up.session)
        .await
        .unwrap();
    signed_in(
        h.client
            .sign_in_with_confirmation_session("paula", confirmed.session.unwrap())
            .await
            .unwrap(),
    );
    // No password to choose: only the email code.
    let (_, offered) = available(h.client.start_user_auth("paula", None).await.unwrap());
    assert_eq!(offered, ["EMAIL_OTP"]);
    let (k, _) = kind(
        h.client
            .sign_in_srp("paula", &Secret::new(PASSWORD))
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::NotAuthorized);

    // Without the matching contact, or where only passwords sign in, a password is required.
    let phone_only = PoolConfig {
        allowed_first_auth_factors: vec!["PASSWORD".into(), "SMS_OTP".into()],
        ..passwordless_pool()
    };
    for config in [PoolConfig::default(), phone_only] {
        let h = start(config).await;
        let (k, m) = kind(
            h.client
                .sign_up_passwordless("nopass", email("nopass"))
                .await
                .unwrap_err(),
        );
        assert_eq!(
            (k, m.as_str()),
            (ErrorKind::InvalidParameter, "Password is required.")
        );
    }
}

#[tokio::test]
async fn get_user_auth_factors_reports_first_and_second_factors() {
    let h = start(passwordless_pool()).await;
    let tokens = h.user("fay").await;
    let factors = h
        .client
        .get_user_auth_factors(&tokens.access_token)
        .await
        .unwrap();
    assert_eq!(factors.username, "fay");
    assert_eq!(
        factors.configured_user_auth_factors,
        ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
    );
    assert_eq!(factors.user_mfa_setting_list, Some(vec![]));
    let (k, _) = kind(
        h.client
            .get_user_auth_factors(&Secret::new("not-a-token"))
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::NotAuthorized);
}

#[tokio::test]
async fn clients_without_allow_user_auth_refuse_it() {
    let mut config = with_client(|client| {
        client.explicit_auth_flows = vec![
            "ALLOW_USER_SRP_AUTH".into(),
            "ALLOW_REFRESH_TOKEN_AUTH".into(),
        ];
    });
    config.allowed_first_auth_factors = vec!["PASSWORD".into(), "EMAIL_OTP".into()];
    let h = start(config).await;
    h.user("olive").await;
    let (k, m) = kind(h.client.start_user_auth("olive", None).await.unwrap_err());
    assert_eq!(
        (k, m.as_str()),
        (
            ErrorKind::InvalidParameter,
            "USER_AUTH flow not enabled for this client"
        )
    );
}

#[tokio::test]
async fn the_sign_in_policy_through_the_management_api_and_the_file() {
    let h = start(PoolConfig::default()).await;
    let described: Value = h
        .admin(
            "DescribeUserPool",
            json!({"UserPoolId": "us-east-1_LocalPool"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        described["UserPool"]["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"],
        json!(["PASSWORD"])
    );
    let created = h
        .admin(
            "CreateUserPool",
            json!({"PoolName": "codes", "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}}),
        )
        .await;
    assert_eq!(created.status(), 200);
    let created: Value = created.json().await.unwrap();
    assert_eq!(
        created["UserPool"]["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"],
        json!(["PASSWORD", "EMAIL_OTP"])
    );
    let id = created["UserPool"]["Id"].as_str().unwrap().to_owned();
    for bad in [
        json!([]),
        json!(["PASSWORD", "PASSWORD"]),
        json!(["CARRIER_PIGEON"]),
    ] {
        let refused = h
            .admin(
                "UpdateUserPool",
                json!({"UserPoolId": id, "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": bad}}}),
            )
            .await;
        assert_eq!(refused.status(), 400, "{bad}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["__type"], "InvalidParameterException");
    }
    let updated = h
        .admin(
            "UpdateUserPool",
            json!({"UserPoolId": id, "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["SMS_OTP", "PASSWORD"]}}}),
        )
        .await;
    assert_eq!(updated.status(), 200);
    let described: Value = h
        .admin("DescribeUserPool", json!({"UserPoolId": id}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        described["UserPool"]["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"],
        json!(["SMS_OTP", "PASSWORD"])
    );

    let parsed =
        PoolConfig::from_toml("allowed_first_auth_factors = [\"PASSWORD\", \"EMAIL_OTP\"]\n")
            .unwrap();
    assert_eq!(parsed.allowed_first_auth_factors, ["PASSWORD", "EMAIL_OTP"]);
    let refused = PoolConfig::from_toml("allowed_first_auth_factors = [\"EMAIL\"]\n").unwrap_err();
    assert!(refused.contains("\"EMAIL\" is not one of"), "{refused}");
}

/// The first of 40 unknown names (`<prefix><n>`) that is offered `factor`, with its session.
async fn unknown_name_offered(h: &Harness, prefix: &str, factor: &str) -> (String, Option<Secret>) {
    for index in 0..40 {
        let name = format!("{prefix}{index}");
        let (session, list) = available(h.client.start_user_auth(&name, None).await.unwrap());
        if list.iter().any(|f| f == factor) {
            return (name, session);
        }
    }
    panic!("no unknown name among 40 is offered {factor}");
}

/// The lists `count` unknown names are offered.
async fn unknown_names_lists(h: &Harness, count: usize) -> std::collections::BTreeSet<Vec<String>> {
    let mut lists = std::collections::BTreeSet::new();
    for index in 0..count {
        let name = format!("phantom{index}");
        lists.insert(available(h.client.start_user_auth(&name, None).await.unwrap()).1);
    }
    lists
}

#[tokio::test]
async fn where_people_sign_in_by_email_an_unknown_address_is_offered_its_code_whatever_its_case() {
    let h = start(PoolConfig {
        username_attributes: vec!["email".into()],
        ..passwordless_pool()
    })
    .await;
    for index in 0..20 {
        let address = format!("Someone{index}@Example.com");
        let (_, list) = available(h.client.start_user_auth(&address, None).await.unwrap());
        assert!(list.iter().any(|f| f == "EMAIL_OTP"), "{address}: {list:?}");
        let (_, lower) = available(
            h.client
                .start_user_auth(&address.to_lowercase(), None)
                .await
                .unwrap(),
        );
        assert_eq!(list, lower, "the same answer whatever the case");
    }
    let (_, session, params) = challenge(
        h.client
            .start_user_auth("nobody@example.com", Some("EMAIL_OTP"))
            .await
            .unwrap(),
    );
    assert!(session.is_some());
    assert_eq!(
        params.get("CODE_DELIVERY_DESTINATION"),
        Some("n***@e***.com"),
        "masked once, as a real address is"
    );
}

#[tokio::test]
async fn a_user_without_a_password_cannot_be_signed_in_by_srp_with_a_forged_claim() {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    use num_bigint::BigUint;
    use sha2::{Digest, Sha256};
    let h = start(passwordless_pool()).await;
    let email = vec![AttributeType::new("email", "forge@example.com")];
    h.client.sign_up_passwordless("forge", email).await.unwrap();
    let code = h.last_code("forge").await;
    h.client
        .confirm_sign_up("forge", &Secret::new(code), None)
        .await
        .unwrap();

    // Any valid SRP_A: with an empty verifier the pool's shared secret would be zero, which
    // anyone can compute without the password.
    let a_hex = cognito_idp::srp::SrpClient::new().public_hex();
    let answer = h
        .client
        .transport
        .send(&cognito_idp::wire::InitiateAuthRequest {
            auth_flow: "USER_SRP_AUTH".into(),
            auth_parameters: responses(&[("USERNAME", "forge"), ("SRP_A", &a_hex)]),
            client_id: "localclient0000000000000001".into(),
            client_metadata: None,
            session: None,
        })
        .await
        .unwrap();
    assert_eq!(answer.challenge_name.as_deref(), Some("PASSWORD_VERIFIER"));
    let params = answer.challenge_parameters;
    // A salt like anyone's: 16 random bytes, hex of the padded number (so 30 to 34 digits).
    let salt = params.get("SALT").unwrap();
    let salt_value = BigUint::parse_bytes(salt.as_bytes(), 16).expect("hex salt");
    assert!(
        salt_value.bits() <= 128 && (30..=34).contains(&salt.len()),
        "{salt}"
    );
    let pad = |x: &BigUint| {
        let mut bytes = x.to_bytes_be();
        if bytes[0] & 0x80 != 0 {
            bytes.insert(0, 0);
        }
        bytes
    };
    let hex = |text: &str| BigUint::parse_bytes(text.as_bytes(), 16).unwrap();
    let u = BigUint::from_bytes_be(
        &Sha256::new()
            .chain_update(pad(&hex(&a_hex)))
            .chain_update(pad(&hex(params.get("SRP_B").unwrap())))
            .finalize(),
    );
    let mac = |key: &[u8], parts: &[&[u8]]| {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().to_vec()
    };
    let prk = mac(&pad(&u), &[&pad(&BigUint::from(0u8))]);
    let key = mac(&prk, &[b"Caldera Derived Key", &[1u8]]);
    let block = params.get("SECRET_BLOCK").unwrap().to_owned();
    let user_id = params.get("USER_ID_FOR_SRP").unwrap().to_owned();
    let timestamp = cognito_idp::srp::timestamp(h.clock.now());
    let block_bytes = base64::engine::general_purpose::STANDARD
        .decode(&block)
        .unwrap();
    let signature = mac(
        &key[..16],
        &[
            b"LocalPool",
            user_id.as_bytes(),
            &block_bytes,
            timestamp.as_bytes(),
        ],
    );
    let signature = base64::engine::general_purpose::STANDARD.encode(signature);
    let (k, m) = kind(
        h.client
            .respond(
                "PASSWORD_VERIFIER",
                answer.session,
                responses(&[
                    ("USERNAME", &user_id),
                    ("PASSWORD_CLAIM_SECRET_BLOCK", &block),
                    ("PASSWORD_CLAIM_SIGNATURE", &signature),
                    ("TIMESTAMP", &timestamp),
                ]),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::NotAuthorized, "Incorrect username or password.")
    );
    // Nor the password flow, with any password.
    let (k, _) = kind(
        h.client
            .sign_in_password("forge", &Secret::new("Anyth1ng-at-all!"))
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::NotAuthorized);
}

#[tokio::test]
async fn wrong_sign_in_codes_count_toward_the_lockout_across_sessions() {
    let h = start(PoolConfig {
        lockout_threshold: 2,
        max_code_sends: 100,
        ..passwordless_pool()
    })
    .await;
    h.user("guessed").await;
    for _ in 0..3 {
        let (_, session, _) = challenge(
            h.client
                .start_user_auth("guessed", Some("EMAIL_OTP"))
                .await
                .unwrap(),
        );
        let code = h.last_code("guessed").await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let answer = responses(&[("USERNAME", "guessed"), ("EMAIL_OTP_CODE", wrong)]);
        h.client
            .respond("EMAIL_OTP", session, answer)
            .await
            .unwrap_err();
    }
    // Past the threshold, even the right code waits (each new session gave no new guesses).
    let (_, session, _) = challenge(
        h.client
            .start_user_auth("guessed", Some("EMAIL_OTP"))
            .await
            .unwrap(),
    );
    let code = h.last_code("guessed").await;
    let answer = responses(&[("USERNAME", "guessed"), ("EMAIL_OTP_CODE", &code)]);
    let (k, m) = kind(
        h.client
            .respond("EMAIL_OTP", session, answer)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::NotAuthorized, "Password attempts exceeded")
    );
}
