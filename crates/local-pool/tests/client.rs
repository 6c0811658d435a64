//! The Cognito client against the local pool over real HTTP: every operation and error the
//! sign-up / sign-in slice depends on.

use cognito_idp::jwt::{JwtVerifier, TokenUse};
use cognito_idp::wire::AttributeType;
use cognito_idp::{Clock, CognitoClient, ErrorKind, Secret, SignInOutcome, UserPoolClient};
use local_pool::{LocalPool, PoolConfig};
use std::time::Duration;

mod common;
use common::*;

fn legacy() -> PoolConfig {
    with_client(|c| c.prevent_user_existence_errors = false)
}

#[tokio::test]
async fn sign_up_confirm_and_auto_sign_in() {
    let h = start(PoolConfig::default()).await;
    let signed_up = h.sign_up("alice").await;
    assert!(!signed_up.user_confirmed);
    let delivery = signed_up.code_delivery_details.unwrap();
    assert_eq!(delivery.destination.as_deref(), Some("a***@e***.com"));
    assert_eq!(delivery.delivery_medium.as_deref(), Some("EMAIL"));

    let outbox = h.pool.outbox().await.unwrap();
    let message = outbox.last().unwrap();
    assert_eq!(message.username, "alice");
    assert_eq!(message.destination, "alice@example.com");
    assert_eq!(message.kind, "CONFIRM_SIGN_UP");
    let code = message.code.clone().unwrap();
    assert_eq!(code.len(), 6);
    assert!(code.chars().all(|c| c.is_ascii_digit()));

    let confirmed = h
        .client
        .confirm_sign_up("alice", &Secret::new(code.clone()), signed_up.session)
        .await
        .unwrap();
    let session = confirmed.session.expect("a session for auto sign-in");
    let tokens = match h
        .client
        .sign_in_with_confirmation_session("alice", session.clone())
        .await
        .unwrap()
    {
        SignInOutcome::SignedIn(result) => result,
        other => panic!("expected tokens, got {other:?}"),
    };
    assert!(tokens.refresh_token.is_some());
    assert_eq!(tokens.expires_in, 3600);

    // The auto sign-in session is single use.
    let (kind_, message) = kind(
        h.client
            .sign_in_with_confirmation_session("alice", session)
            .await
            .unwrap_err(),
    );
    assert_eq!(kind_, ErrorKind::NotAuthorized);
    assert_eq!(message, "Invalid session for the user, session is expired.");

    // A code is single use too.
    let (kind_, _) = kind(
        h.client
            .confirm_sign_up("alice", &Secret::new(code), None)
            .await
            .unwrap_err(),
    );
    assert_eq!(kind_, ErrorKind::NotAuthorized);

    // The ID token verifies against the pool's JWKS and carries Cognito's claims.
    let verifier = JwtVerifier::new(
        reqwest::Client::new(),
        h.client.jwks_url(),
        h.client.issuer(),
        h.client.client_id.clone(),
    );
    let claims = verifier
        .verify(tokens.id_token.expose(), TokenUse::Id, h.clock.now())
        .await
        .unwrap();
    assert_eq!(claims.str("cognito:username"), Some("alice"));
    assert_eq!(claims.str("email"), Some("alice@example.com"));
    assert_eq!(claims.0["email_verified"], serde_json::Value::Bool(true));
    assert_eq!(claims.str("token_use"), Some("id"));
    assert_eq!(
        claims.str("iss"),
        Some(format!("{}/us-east-1_LocalPool", h.endpoint).as_str())
    );
    for claim in ["sub", "aud", "exp", "iat", "jti", "origin_jti", "auth_time"] {
        assert!(claims.0.contains_key(claim), "missing {claim}");
    }
    let access = verifier
        .verify(
            tokens.access_token.expose(),
            TokenUse::Access,
            h.clock.now(),
        )
        .await
        .unwrap();
    assert_eq!(access.str("username"), Some("alice"));
    assert_eq!(access.str("client_id"), Some(h.client.client_id.as_str()));
    // The wrong token use is refused.
    assert!(verifier
        .verify(tokens.access_token.expose(), TokenUse::Id, h.clock.now())
        .await
        .is_err());
    // So is an expired token.
    assert_eq!(
        verifier
            .verify(tokens.id_token.expose(), TokenUse::Id, h.clock.now() + 3601)
            .await
            .unwrap_err(),
        cognito_idp::jwt::JwtError::Expired
    );
}

#[tokio::test]
async fn sign_up_errors() {
    let h = start(PoolConfig::default()).await;
    h.sign_up("bob").await;
    let attempt = |username: &'static str, password: &'static str, email: &'static str| {
        let client = h.client.clone();
        async move {
            kind(
                client
                    .sign_up(
                        username,
                        &Secret::new(password),
                        vec![AttributeType::new("email", email)],
                    )
                    .await
                    .unwrap_err(),
            )
        }
    };
    let (k, m) = attempt("bob", PASSWORD, "bob@example.com").await;
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::UsernameExists, "User already exists")
    );
    let (k, m) = attempt("carol", "password", "carol@example.com").await;
    assert_eq!(k, ErrorKind::InvalidPassword);
    assert!(m.contains("Password must have uppercase characters"), "{m}");
    let (k, m) = attempt("carol", "Sh0rt!", "carol@example.com").await;
    assert_eq!(k, ErrorKind::InvalidPassword);
    assert!(m.contains("Password not long enough"), "{m}");
    let (k, _) = attempt("carol", "abc", "carol@example.com").await;
    assert_eq!(k, ErrorKind::InvalidParameter);
    let (k, m) = attempt("carol", PASSWORD, "not-an-email").await;
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::InvalidParameter, "Invalid email address format.")
    );
    let (k, m) = kind(
        h.client
            .sign_up(
                "dave",
                &Secret::new(PASSWORD),
                vec![AttributeType::new("phone_number", "555-1234")],
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::InvalidParameter, "Invalid phone number format.")
    );
    let (k, _) = attempt("has space", PASSWORD, "x@example.com").await;
    assert_eq!(k, ErrorKind::InvalidParameter);
    let long: &'static str = Box::leak("x".repeat(129).into_boxed_str());
    let (k, _) = attempt(long, PASSWORD, "x@example.com").await;
    assert_eq!(k, ErrorKind::InvalidParameter);
}

#[tokio::test]
async fn confirmation_code_errors() {
    let h = start(legacy()).await;
    h.sign_up("erin").await;
    let code = h.last_code("erin").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let confirm = |c: &str| {
        let client = h.client.clone();
        let c = Secret::new(c);
        async move { client.confirm_sign_up("erin", &c, None).await }
    };
    let (k, m) = kind(confirm(wrong).await.unwrap_err());
    assert_eq!(k, ErrorKind::CodeMismatch);
    assert_eq!(m, "Invalid verification code provided, please try again.");

    // Resending replaces the code: the old one no longer works.
    let resent = h.client.resend_confirmation_code("erin").await.unwrap();
    assert_eq!(
        resent.code_delivery_details.unwrap().destination.as_deref(),
        Some("e***@e***.com")
    );
    let new_code = h.last_code("erin").await;
    if new_code != code {
        assert_eq!(
            kind(confirm(&code).await.unwrap_err()).0,
            ErrorKind::CodeMismatch
        );
    }

    // Expired after 24 hours.
    h.clock.advance(24 * 3600 + 1);
    let (k, m) = kind(confirm(&new_code).await.unwrap_err());
    assert_eq!(k, ErrorKind::ExpiredCode);
    assert_eq!(m, "Invalid code provided, please request a code again.");

    // Too many wrong codes.
    h.client.resend_confirmation_code("erin").await.unwrap();
    let fresh = h.last_code("erin").await;
    let wrong = if fresh == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..5 {
        assert_eq!(
            kind(confirm(wrong).await.unwrap_err()).0,
            ErrorKind::CodeMismatch
        );
    }
    assert_eq!(
        kind(confirm(&fresh).await.unwrap_err()).0,
        ErrorKind::LimitExceeded
    );

    // Unknown users (pool without user-existence protection).
    let (k, _) = kind(
        h.client
            .confirm_sign_up("nobody", &Secret::new("123456"), None)
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::UserNotFound);
    let (k, m) = kind(
        h.client
            .resend_confirmation_code("nobody")
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (
            ErrorKind::UserNotFound,
            "Username/client id combination not found."
        )
    );

    // A confirmed user cannot be sent another code.
    h.confirmed_user("frank").await;
    let (k, m) = kind(
        h.client
            .resend_confirmation_code("frank")
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::InvalidParameter, "User is already confirmed.")
    );
}

#[tokio::test]
async fn sign_in_outcomes() {
    let h = start(legacy()).await;
    h.confirmed_user("gina").await;
    let tokens = h.sign_in("gina").await;
    assert!(tokens.refresh_token.is_some());

    let (k, m) = kind(
        h.client
            .sign_in_srp("gina", &Secret::new("Wrong-pass1!"))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::NotAuthorized, "Incorrect username or password.")
    );
    let (k, m) = kind(
        h.client
            .sign_in_password("gina", &Secret::new("Wrong-pass1!"))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::NotAuthorized, "Incorrect username or password.")
    );
    assert!(matches!(
        h.client
            .sign_in_password("gina", &Secret::new(PASSWORD))
            .await
            .unwrap(),
        SignInOutcome::SignedIn(_)
    ));

    let (k, m) = kind(
        h.client
            .sign_in_srp("nobody", &Secret::new(PASSWORD))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::UserNotFound, "User does not exist.")
    );

    h.sign_up("hank").await;
    let (k, m) = kind(
        h.client
            .sign_in_srp("hank", &Secret::new(PASSWORD))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::UserNotConfirmed, "User is not confirmed.")
    );
}

#[tokio::test]
async fn unknown_users_look_like_wrong_passwords_when_protected() {
    let h = start(PoolConfig::default()).await;
    let (k, m) = kind(
        h.client
            .sign_in_srp("nobody", &Secret::new(PASSWORD))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::NotAuthorized, "Incorrect username or password.")
    );
    let (k, _) = kind(
        h.client
            .sign_in_password("nobody", &Secret::new(PASSWORD))
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::NotAuthorized);
    let resent = h.client.resend_confirmation_code("nobody").await.unwrap();
    assert!(resent.code_delivery_details.is_some());
}

#[tokio::test]
async fn refresh_revoke_and_global_sign_out() {
    let h = start(PoolConfig::default()).await;
    h.confirmed_user("ivan").await;
    let first = h.sign_in("ivan").await;
    let second = h.sign_in("ivan").await;

    let user = h.client.get_user(&first.access_token).await.unwrap();
    assert_eq!(user.username, "ivan");
    let attribute = |name: &str| {
        user.user_attributes
            .iter()
            .find(|a| a.name == name)
            .and_then(|a| a.value.clone())
    };
    assert_eq!(attribute("email").as_deref(), Some("ivan@example.com"));
    assert_eq!(attribute("email_verified").as_deref(), Some("true"));
    assert!(attribute("sub").is_some());

    let refreshed = h
        .client
        .refresh("ivan", first.refresh_token.as_ref().unwrap())
        .await
        .unwrap();
    assert!(refreshed.refresh_token.is_none());
    h.client.get_user(&refreshed.access_token).await.unwrap();

    // RevokeToken ends this lineage only.
    h.client
        .revoke_token(first.refresh_token.as_ref().unwrap())
        .await
        .unwrap();
    let (k, m) = kind(
        h.client
            .refresh("ivan", first.refresh_token.as_ref().unwrap())
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::NotAuthorized, "Refresh Token has been revoked")
    );
    let (k, m) = kind(h.client.get_user(&first.access_token).await.unwrap_err());
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::NotAuthorized, "Access Token has been revoked")
    );
    h.client.get_user(&second.access_token).await.unwrap();

    // GlobalSignOut ends every lineage.
    let third = h.sign_in("ivan").await;
    h.client
        .global_sign_out(&second.access_token)
        .await
        .unwrap();
    for tokens in [&second, &third] {
        let (k, m) = kind(h.client.get_user(&tokens.access_token).await.unwrap_err());
        assert_eq!(
            (k, m.as_str()),
            (ErrorKind::NotAuthorized, "Access Token has been revoked")
        );
        let (k, _) = kind(
            h.client
                .refresh("ivan", tokens.refresh_token.as_ref().unwrap())
                .await
                .unwrap_err(),
        );
        assert_eq!(k, ErrorKind::NotAuthorized);
    }

    // Expired access tokens are refused.
    let fourth = h.sign_in("ivan").await;
    h.clock.advance(3601);
    let (k, m) = kind(h.client.get_user(&fourth.access_token).await.unwrap_err());
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::NotAuthorized, "Access Token has expired")
    );
    let (k, _) = kind(
        h.client
            .get_user(&Secret::new("not-a-token"))
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::NotAuthorized);
}

#[tokio::test]
async fn client_secret_requires_secret_hash() {
    let config = with_client(|c| {
        c.client_secret = Some("abcdef0123456789abcdef0123456789abcdef0123456789abc".into())
    });
    let h = start(config.clone()).await;
    h.confirmed_user("judy").await;
    h.sign_in("judy").await;
    let no_secret = UserPoolClient::new(
        CognitoClient::new(&h.endpoint, Duration::from_secs(5)),
        &config.pool_id,
        &config.default_client().client_id,
        None,
    );
    let (k, m) = kind(
        no_secret
            .sign_in_srp("judy", &Secret::new(PASSWORD))
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::NotAuthorized);
    assert!(m.contains("configured for secret"), "{m}");
    let wrong = UserPoolClient::new(
        CognitoClient::new(&h.endpoint, Duration::from_secs(5)),
        &config.pool_id,
        &config.default_client().client_id,
        Some(Secret::new("another-secret-another-secret-xx")),
    );
    let (k, m) = kind(
        wrong
            .sign_in_srp("judy", &Secret::new(PASSWORD))
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::NotAuthorized);
    assert!(m.contains("SecretHash does not match"), "{m}");
}

#[tokio::test]
async fn wire_level_details() {
    let h = start(PoolConfig::default()).await;
    let http = reqwest::Client::new();
    let response = http
        .post(format!("{}/", h.endpoint))
        .header("Content-Type", "application/x-amz-json-1.1")
        .header(
            "X-Amz-Target",
            "AWSCognitoIdentityProviderService.NoSuchThing",
        )
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["content-type"],
        "application/x-amz-json-1.1"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["__type"], "UnknownOperationException");

    let response = http
        .post(format!("{}/", h.endpoint))
        .header("X-Amz-Target", "AWSCognitoIdentityProviderService.SignUp")
        .body(r#"{"ClientId":"localclient0000000000000001"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["x-amzn-errortype"],
        "InvalidParameterException:"
    );
    assert!(response.headers().contains_key("x-amzn-requestid"));

    let (k, m) = kind(
        UserPoolClient::new(
            CognitoClient::new(&h.endpoint, Duration::from_secs(5)),
            "us-east-1_LocalPool",
            "nosuchclient",
            None,
        )
        .sign_up("x", &Secret::new(PASSWORD), vec![])
        .await
        .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (
            ErrorKind::ResourceNotFound,
            "User pool client nosuchclient does not exist."
        )
    );
}

#[tokio::test]
async fn signing_keys_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("local-pool-keys-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let open = || {
        LocalPool::open(
            PoolConfig::default(),
            Some(&dir),
            "http://127.0.0.1:1",
            Clock::system(),
        )
    };
    let first = open().await.unwrap();
    let kids: Vec<String> = first.jwks().keys.into_iter().map(|k| k.kid).collect();
    assert_eq!(kids.len(), 2);
    assert_ne!(kids[0], kids[1], "ID and access tokens use different keys");
    drop(first);
    let second = open().await.unwrap();
    let again: Vec<String> = second.jwks().keys.into_iter().map(|k| k.kid).collect();
    assert_eq!(kids, again);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn lockout_after_five_failures_grows_and_resets() {
    // A clock that stands still: lockouts are whole seconds.
    let h = start_at(PoolConfig::default(), Clock::fixed(1_800_000_000)).await;
    h.confirmed_user("lena").await;
    let wrong = Secret::new("Wrong-pass1!");
    for _ in 0..5 {
        let (k, m) = kind(h.client.sign_in_srp("lena", &wrong).await.unwrap_err());
        assert_eq!(
            (k, m.as_str()),
            (ErrorKind::NotAuthorized, "Incorrect username or password.")
        );
    }
    // Locked for 1 second: even the right password is refused, and that does not count.
    let (k, m) = kind(
        h.client
            .sign_in_password("lena", &Secret::new(PASSWORD))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (k, m.as_str()),
        (ErrorKind::NotAuthorized, "Password attempts exceeded")
    );
    h.clock.advance(1);
    // The sixth failure locks for 2 seconds.
    kind(h.client.sign_in_srp("lena", &wrong).await.unwrap_err());
    h.clock.advance(1);
    let (_, m) = kind(
        h.client
            .sign_in_srp("lena", &Secret::new(PASSWORD))
            .await
            .unwrap_err(),
    );
    assert_eq!(m, "Password attempts exceeded");
    h.clock.advance(1);
    h.sign_in("lena").await;
    // Success resets the count.
    kind(h.client.sign_in_srp("lena", &wrong).await.unwrap_err());
    h.sign_in("lena").await;
}

#[tokio::test]
async fn get_tokens_from_refresh_token_with_and_without_rotation() {
    let h = start(PoolConfig::default()).await;
    h.confirmed_user("mona").await;
    let tokens = h.sign_in("mona").await;
    let refresh = tokens.refresh_token.clone().unwrap();
    let again = h
        .client
        .get_tokens_from_refresh_token(&refresh, None)
        .await
        .unwrap();
    assert!(
        again.refresh_token.is_none(),
        "no rotation: the refresh token stays"
    );
    h.client.get_user(&again.access_token).await.unwrap();

    let rotating = start(with_client(|c| {
        c.refresh_token_rotation = true;
        c.rotation_grace_secs = 10;
    }))
    .await;
    rotating.confirmed_user("nils").await;
    let first = rotating.sign_in("nils").await.refresh_token.unwrap();
    let (k, _) = kind(rotating.client.refresh("nils", &first).await.unwrap_err());
    assert_eq!(
        k,
        ErrorKind::InvalidParameter,
        "REFRESH_TOKEN_AUTH is refused with rotation"
    );
    let rotated = rotating
        .client
        .get_tokens_from_refresh_token(&first, None)
        .await
        .unwrap();
    let second = rotated.refresh_token.clone().expect("a new refresh token");
    assert_ne!(second.expose(), first.expose());
    // The old one still works within the grace period, then counts as reuse.
    rotating
        .client
        .get_tokens_from_refresh_token(&first, None)
        .await
        .unwrap();
    rotating.clock.advance(11);
    let (k, _) = kind(
        rotating
            .client
            .get_tokens_from_refresh_token(&first, None)
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::RefreshTokenReuse);
}

/// The value of `name` in a `GetUser` answer.
fn attribute(user: &cognito_idp::wire::GetUserResponse, name: &str) -> Option<String> {
    user.user_attributes
        .iter()
        .find(|a| a.name == name)
        .and_then(|a| a.value.clone())
}

#[tokio::test]
async fn attribute_changes_without_keeping_the_old_value_and_client_write_rules() {
    let mut config = PoolConfig {
        attributes_require_verification_before_update: Vec::new(),
        ..Default::default()
    };
    config.clients[0].write_attributes = vec!["email".into()];
    let h = start(config).await;
    h.confirmed_user("piet").await;
    let tokens = h.sign_in("piet").await;
    let update = |attributes: Vec<AttributeType>| {
        h.client
            .update_user_attributes(&tokens.access_token, attributes)
    };
    // Not in the client's write attributes: refused, and nothing of the call is applied.
    let refused = update(vec![
        AttributeType::new("email", "piet.new@example.com"),
        AttributeType::new("given_name", "Piet"),
    ])
    .await
    .unwrap_err();
    assert_eq!(kind(refused).0, ErrorKind::NotAuthorized);
    let user = h.client.get_user(&tokens.access_token).await.unwrap();
    assert_ne!(
        attribute(&user, "email").as_deref(),
        Some("piet.new@example.com")
    );
    // Without the setting, the new address replaces the old one at once, unverified.
    update(vec![AttributeType::new("email", "piet.new@example.com")])
        .await
        .unwrap();
    let user = h.client.get_user(&tokens.access_token).await.unwrap();
    assert_eq!(
        attribute(&user, "email").as_deref(),
        Some("piet.new@example.com")
    );
    assert_eq!(attribute(&user, "email_verified").as_deref(), Some("false"));
}

#[tokio::test]
async fn update_delete_attributes_and_delete_user() {
    let h = start(PoolConfig::default()).await;
    h.confirmed_user("olga").await;
    let tokens = h.sign_in("olga").await;
    let update = |attributes: Vec<AttributeType>| {
        h.client
            .update_user_attributes(&tokens.access_token, attributes)
    };
    let sent = update(vec![
        AttributeType::new("email", "olga.new@example.com"),
        AttributeType::new("given_name", "Olga"),
    ])
    .await
    .unwrap();
    assert_eq!(sent.code_delivery_details_list.len(), 1);
    // The pool keeps the verified address until the new one's code comes back.
    let before = h.client.get_user(&tokens.access_token).await.unwrap();
    let old_email = attribute(&before, "email").unwrap();
    assert_ne!(old_email, "olga.new@example.com");
    assert_eq!(
        attribute(&before, "email_verified").as_deref(),
        Some("true")
    );
    assert_eq!(attribute(&before, "given_name").as_deref(), Some("Olga"));
    let wrong = h
        .client
        .verify_attribute(&tokens.access_token, "email", &Secret::new("000000"))
        .await
        .unwrap_err();
    assert_eq!(kind(wrong).0, ErrorKind::CodeMismatch);
    assert_eq!(
        attribute(
            &h.client.get_user(&tokens.access_token).await.unwrap(),
            "email"
        ),
        Some(old_email)
    );
    // A resend goes to the new address.
    h.client
        .get_attribute_verification_code(&tokens.access_token, "email")
        .await
        .unwrap();
    let outbox = h.pool.outbox().await.unwrap();
    let resent = outbox.last().unwrap();
    assert_eq!(
        (resent.destination.as_str(), resent.kind.as_str()),
        ("olga.new@example.com", "VERIFY_ATTRIBUTE")
    );
    let code = h.last_code("olga").await;
    h.client
        .verify_attribute(&tokens.access_token, "email", &Secret::new(code))
        .await
        .unwrap();
    let user = h.client.get_user(&tokens.access_token).await.unwrap();
    assert_eq!(
        attribute(&user, "email").as_deref(),
        Some("olga.new@example.com")
    );
    assert_eq!(attribute(&user, "email_verified").as_deref(), Some("true"));
    let (k, _) = kind(
        update(vec![AttributeType::new("email_verified", "true")])
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::InvalidParameter);

    h.client
        .transport
        .send(&cognito_idp::wire::DeleteUserAttributesRequest {
            user_attribute_names: vec!["given_name".into()],
            access_token: tokens.access_token.clone(),
        })
        .await
        .unwrap();
    assert!(attribute(
        &h.client.get_user(&tokens.access_token).await.unwrap(),
        "given_name"
    )
    .is_none());

    h.client
        .transport
        .send(&cognito_idp::wire::DeleteUserRequest(
            cognito_idp::wire::AccessTokenRequest {
                access_token: tokens.access_token.clone(),
            },
        ))
        .await
        .unwrap();
    let (k, _) = kind(
        h.client
            .sign_in_password("olga", &Secret::new(PASSWORD))
            .await
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::NotAuthorized, "a deleted user is unknown");
    let (k, _) = kind(h.client.get_user(&tokens.access_token).await.unwrap_err());
    assert_eq!(k, ErrorKind::NotAuthorized);
}

#[tokio::test]
async fn browser_sdks_get_cors_and_discovery_documents() {
    let h = start(PoolConfig::default()).await;
    let http = reqwest::Client::new();
    let preflight = http
        .request(reqwest::Method::OPTIONS, format!("{}/", h.endpoint))
        .header("Origin", "http://localhost:5173")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "content-type,x-amz-target,x-amz-user-agent",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200);
    let allowed = preflight.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_owned();
    for header in ["content-type", "x-amz-target", "x-amz-user-agent"] {
        assert!(allowed.contains(header), "{header} not allowed");
    }
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    let answer = http
        .post(format!("{}/", h.endpoint))
        .header("X-Amz-Target", "AWSCognitoIdentityProviderService.GetUser")
        .body(r#"{"AccessToken":"x"}"#)
        .send()
        .await
        .unwrap();
    let exposed = answer.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap();
    assert!(exposed.contains("x-amzn-ErrorType"));

    let discovery: serde_json::Value = http
        .get(format!(
            "{}/us-east-1_LocalPool/.well-known/openid-configuration",
            h.endpoint
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        discovery["issuer"],
        format!("{}/us-east-1_LocalPool", h.endpoint)
    );
    let jwks: serde_json::Value = http
        .get(discovery["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    assert_eq!(jwks["keys"][0]["alg"], "RS256");
    let missing = http
        .get(format!(
            "{}/us-east-1_Other/.well-known/jwks.json",
            h.endpoint
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn abandoned_challenge_sessions_are_swept() {
    let h = start_at(PoolConfig::default(), Clock::fixed(1_800_000_000)).await;
    h.confirmed_user("rex").await;
    let start_srp = || {
        let mut params = cognito_idp::SecretMap::new();
        params.insert("USERNAME", "rex");
        params.insert("SRP_A", cognito_idp::srp::SrpClient::new().public_hex());
        cognito_idp::wire::InitiateAuthRequest {
            auth_flow: "USER_SRP_AUTH".into(),
            auth_parameters: params,
            client_id: h.client.client_id.clone(),
            ..Default::default()
        }
    };
    let before = h.pool.store().auth_session_count().await.unwrap();
    for _ in 0..3 {
        h.client.transport.send(&start_srp()).await.unwrap();
    }
    assert_eq!(
        h.pool.store().auth_session_count().await.unwrap(),
        before + 3
    );
    h.clock.advance(181);
    h.client.transport.send(&start_srp()).await.unwrap();
    assert_eq!(
        h.pool.store().auth_session_count().await.unwrap(),
        1,
        "only the new one is left"
    );
}

#[tokio::test]
async fn a_pending_email_taken_meanwhile_by_another_account_is_refused_at_verification() {
    let h = start(PoolConfig {
        username_attributes: vec!["email".into()],
        ..PoolConfig::default()
    })
    .await;
    let rosa = h.confirmed_by_email("rosa@example.com").await;
    let tokens = h.sign_in("rosa@example.com").await;
    h.client
        .update_user_attributes(
            &tokens.access_token,
            vec![AttributeType::new("email", "taken@example.com")],
        )
        .await
        .unwrap();
    let code = h.last_code(&rosa).await;
    // Meanwhile someone signs up with that address: it is free, Rosa's change being pending.
    h.confirmed_by_email("taken@example.com").await;
    let refused = h
        .client
        .verify_attribute(&tokens.access_token, "email", &Secret::new(code))
        .await
        .unwrap_err();
    assert_eq!(kind(refused).0, ErrorKind::AliasExists);
    // Rosa still signs in with her own address.
    h.sign_in("rosa@example.com").await;
}

#[tokio::test]
async fn an_alias_written_at_once_must_be_free() {
    let h = start(PoolConfig {
        username_attributes: vec!["email".into(), "phone_number".into()],
        ..PoolConfig::default()
    })
    .await;
    let mut tokens = Vec::new();
    for email in ["una@example.com", "ben@example.com"] {
        h.confirmed_by_email(email).await;
        tokens.push(h.sign_in(email).await);
    }
    // A phone number is not kept pending here: it is written at once, unverified.
    let phone = vec![AttributeType::new("phone_number", "+15555550100")];
    h.client
        .update_user_attributes(&tokens[0].access_token, phone.clone())
        .await
        .unwrap();
    let refused = h
        .client
        .update_user_attributes(&tokens[1].access_token, phone)
        .await
        .unwrap_err();
    assert_eq!(kind(refused).0, ErrorKind::AliasExists);
}
