//! Test mode: known codes (the pool's, or a user's own), raised limits, and a clock a suite
//! moves forward; and nothing of it on a pool without `[test_mode]`.

mod common;

use cognito_idp::{CognitoClient, ErrorKind, Secret, UserPoolClient};
use common::{kind, serve_tools, PASSWORD};
use local_pool::test_mode::TestMode;
use local_pool::PoolConfig;
use serde_json::{json, Value};
use std::time::Duration;

fn client_for(endpoint: &str) -> UserPoolClient {
    let config = PoolConfig::default();
    UserPoolClient::new(
        CognitoClient::new(endpoint, Duration::from_secs(10)),
        &config.pool_id,
        &config.default_client().client_id,
        None,
    )
}

async fn sign_up(client: &UserPoolClient, username: &str) {
    client
        .sign_up(
            username,
            &Secret::new(PASSWORD),
            vec![cognito_idp::wire::AttributeType::new(
                "email",
                format!("{username}@example.com"),
            )],
        )
        .await
        .unwrap();
}

async fn call(endpoint: &str, path: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{endpoint}/local/test/{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn codes_are_known_limits_raised_and_the_clock_moves_forward() {
    let config = PoolConfig {
        test_mode: Some(TestMode::default()),
        ..Default::default()
    };
    let (pool, endpoint) = serve_tools(config).await;
    let client = client_for(&endpoint);
    let status: Value = reqwest::get(format!("{endpoint}/local/test"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["code"], "123456");

    // Every code is the pool's…
    sign_up(&client, "tess").await;
    let sent = pool.outbox().await.unwrap();
    assert_eq!(sent.last().unwrap().code.as_deref(), Some("123456"));
    // …unless the user has their own.
    let (status, _) = call(
        &endpoint,
        "codes",
        json!({"username": "tess", "code": "654321"}),
    )
    .await;
    assert_eq!(status, 200);
    client.resend_confirmation_code("tess").await.unwrap();
    let sent = pool.outbox().await.unwrap();
    assert_eq!(sent.last().unwrap().code.as_deref(), Some("654321"));
    let (status, body) = call(
        &endpoint,
        "codes",
        json!({"username": "tess", "code": "12"}),
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (400, Some("A code is six digits."))
    );
    let (status, _) = call(
        &endpoint,
        "codes",
        json!({"username": "nobody", "code": "111111"}),
    )
    .await;
    assert_eq!(status, 404);

    // A day and a second later the sign-up code has expired.
    let before = pool.now_secs();
    let (status, body) = call(&endpoint, "clock", json!({"advance_secs": 24 * 3600 + 1})).await;
    assert_eq!(status, 200);
    assert!(body["now"].as_i64().unwrap() > before + 24 * 3600);
    let expired = client
        .confirm_sign_up("tess", &Secret::new("654321"), None)
        .await
        .unwrap_err();
    assert_eq!(kind(expired).0, ErrorKind::ExpiredCode);
    for bad in [0, -5, 40 * 24 * 3600] {
        let (status, _) = call(&endpoint, "clock", json!({"advance_secs": bad})).await;
        assert_eq!(status, 400, "{bad}");
    }

    // Raised limits: twenty wrong passwords and the right one still signs in (Cognito locks
    // out after five).
    client.resend_confirmation_code("tess").await.unwrap();
    client
        .confirm_sign_up("tess", &Secret::new("654321"), None)
        .await
        .unwrap();
    for _ in 0..20 {
        let refused = client
            .sign_in_password("tess", &Secret::new("Wrong-pass1!"))
            .await
            .unwrap_err();
        assert_eq!(kind(refused).0, ErrorKind::NotAuthorized);
    }
    client
        .sign_in_password("tess", &Secret::new(PASSWORD))
        .await
        .unwrap();

    // Another site's page cannot use them.
    let cross_site = reqwest::Client::new()
        .post(format!("{endpoint}/local/test/clock"))
        .header("origin", "http://evil.example")
        .header("sec-fetch-site", "cross-site")
        .json(&json!({"advance_secs": 60}))
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
}

#[tokio::test]
async fn a_pool_without_test_mode_has_none_of_it() {
    let (pool, endpoint) = serve_tools(PoolConfig::default()).await;
    let status = reqwest::get(format!("{endpoint}/local/test"))
        .await
        .unwrap();
    assert_eq!(status.status(), 404);
    let before = pool.now_secs();
    let (status, _) = call(&endpoint, "clock", json!({"advance_secs": 3600})).await;
    assert_eq!(status, 404);
    assert!(pool.now_secs() < before + 3600);
    let client = client_for(&endpoint);
    sign_up(&client, "rand").await;
    let code = pool.outbox().await.unwrap().pop().unwrap().code.unwrap();
    let (status, _) = call(
        &endpoint,
        "codes",
        json!({"username": "rand", "code": "111111"}),
    )
    .await;
    assert_eq!(status, 404);
    // Random codes: five sends all alike would be one chance in 10^24.
    let mut codes = std::collections::BTreeSet::from([code]);
    for _ in 0..4 {
        client.resend_confirmation_code("rand").await.unwrap();
        codes.insert(pool.outbox().await.unwrap().pop().unwrap().code.unwrap());
    }
    assert!(codes.len() > 1, "{codes:?}");
}

#[test]
fn a_test_mode_is_checked_when_the_pool_file_is_read() {
    let bad = "[test_mode]\ncode = \"12345a\"\n";
    assert!(PoolConfig::from_toml(bad)
        .unwrap_err()
        .contains("six digits"));
    let good = PoolConfig::from_toml("[test_mode]\n").unwrap();
    assert_eq!(good.test_mode, Some(TestMode::default()));
}
