//! The hosted app in-process on the embedded pool, driven like a browser without JavaScript:
//! form posts with `Accept: text/html`, redirects, and a cookie jar.

mod common;
use common::*;
use local_pool::PoolConfig;
use reqwest::header::{ACCEPT, ORIGIN, SET_COOKIE};

#[tokio::test]
async fn sign_up_confirm_and_sign_out_without_javascript() {
    let app = start().await;
    let client = browser();
    app.sign_up(&client, "alice").await;
    let (status, html) = app.page(&client, "/confirm-signup").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("a***@e***.com"),
        "the masked destination is shown"
    );

    let code = app.last_code("alice").await;
    let (status, location) = app
        .post(&client, "/api/confirm_sign_up", &[("code", &code)])
        .await;
    assert_eq!((status, location.as_str()), (302, "/account"));
    let (status, html) = app.page(&client, "/account").await;
    assert_eq!(status, 200);
    assert!(html.contains("alice@example.com"));
    assert!(!html.contains("eyJ"), "no token in the page");

    let (status, location) = app.post(&client, "/api/sign_out", &[]).await;
    assert_eq!((status, location.as_str()), (302, "/signin"));
    let (_, html) = app.page(&client, "/signin").await;
    assert!(html.contains("You have signed out."));
    let (status, _) = app.page(&client, "/account").await;
    assert_eq!(status, 302);
}

#[tokio::test]
async fn an_expired_code_says_so_on_the_page() {
    let app = start().await;
    let client = browser();
    app.sign_up(&client, "bob").await;
    let code = app.last_code("bob").await;
    app.clock.advance(24 * 3600 + 60);
    let (status, location) = app
        .post(&client, "/api/confirm_sign_up", &[("code", &code)])
        .await;
    assert_eq!((status, location.as_str()), (302, "/confirm-signup"));
    let (_, html) = app.page(&client, "/confirm-signup").await;
    assert!(html.contains("This code has expired. Select Resend Code to get a new one."));
    assert!(html.contains("aria-invalid=\"true\""));

    // Resend, and the new code works.
    let (status, location) = app.post(&client, "/api/resend_sign_up_code", &[]).await;
    assert_eq!((status, location.as_str()), (302, "/confirm-signup"));
    let (_, html) = app.page(&client, "/confirm-signup").await;
    assert!(html.contains("A new code is on its way."));
    let fresh = app.last_code("bob").await;
    let (status, location) = app
        .post(&client, "/api/confirm_sign_up", &[("code", &fresh)])
        .await;
    assert_eq!((status, location.as_str()), (302, "/account"));
}

#[tokio::test]
async fn an_abandoned_sign_up_expires_from_the_session() {
    let app = start().await;
    let client = browser();
    app.sign_up(&client, "erin").await;
    app.clock.advance(26 * 3600);
    let (status, location) = app
        .post(&client, "/api/confirm_sign_up", &[("code", "123456")])
        .await;
    assert_eq!((status, location.as_str()), (302, "/signin"));
    let (_, html) = app.page(&client, "/signin").await;
    assert!(html.contains("Your sign-in session expired"));
}

#[tokio::test]
async fn anonymous_pages_write_no_session() {
    let app = start().await;
    for path in ["/signin", "/signup"] {
        let response = app
            .browser
            .get(app.url(path))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(
            response.headers().get(SET_COOKIE).is_none(),
            "{path} set a cookie"
        );
    }
}

#[tokio::test]
async fn the_session_cookie_is_http_only_lax_and_cycled_at_sign_in() {
    let app = start().await;
    let client = browser();
    app.sign_up(&client, "carol").await;
    let response = client.get(app.url("/confirm-signup")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let code = app.last_code("carol").await;
    let response = client
        .post(app.url("/api/confirm_sign_up"))
        .header(ACCEPT, "text/html")
        .header(ORIGIN, &app.base)
        .form(&[("code", code.as_str())])
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get(SET_COOKIE)
        .expect("a new session id at sign-in")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(cookie.contains("Path=/"));
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = start().await;
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let response = app
            .browser
            .post(app.url("/api/sign_in"))
            .header(ACCEPT, "text/html")
            .header(header, value)
            .form(&[("username", "x"), ("password", "y")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{header}: {value}");
    }
}

#[tokio::test]
async fn a_wrong_password_keeps_the_username_but_never_the_password() {
    let app = start().await;
    let client = browser();
    let (status, location) = app
        .post(
            &client,
            "/api/sign_in",
            &[("username", "dave"), ("password", "Secret-123!")],
        )
        .await;
    assert_eq!((status, location.as_str()), (302, "/signin"));
    let (_, html) = app.page(&client, "/signin").await;
    assert!(html.contains("Incorrect username or password."));
    assert!(html.contains("value=\"dave\""));
    assert!(!html.contains("Secret-123!"));
    // The error is shown once.
    let (_, html) = app.page(&client, "/signin").await;
    assert!(!html.contains("Incorrect username or password."));
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = start().await;
    let big = "x".repeat(200 * 1024);
    let response = app
        .browser
        .post(app.url("/api/sign_in"))
        .header(ACCEPT, "text/html")
        .header(ORIGIN, &app.base)
        .form(&[("username", big.as_str()), ("password", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn an_expired_challenge_returns_to_sign_in_with_a_message() {
    let app = start_with(PoolConfig {
        mfa: local_pool::config::MfaMode::Optional,
        ..PoolConfig::default()
    })
    .await;
    let client = browser();
    app.sign_up(&client, "fay").await;
    let code = app.last_code("fay").await;
    let (_, location) = app
        .post(&client, "/api/confirm_sign_up", &[("code", &code)])
        .await;
    assert_eq!(location, "/account");
    let (status, location) = app
        .post(
            &client,
            "/api/set_mfa",
            &[("mfa_type", "EMAIL_OTP"), ("enabled", "true")],
        )
        .await;
    assert_eq!((status, location.as_str()), (302, "/account"));
    app.post(&client, "/api/sign_out", &[]).await;

    let (_, location) = app
        .post(
            &client,
            "/api/sign_in",
            &[("username", "fay"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(location, "/confirm-signin");
    let (_, html) = app.page(&client, "/confirm-signin").await;
    assert!(html.contains("Confirm Email Code"));
    let code = app.last_code("fay").await;

    // Cognito's challenge sessions last 3 minutes.
    app.clock.advance(181);
    let (status, location) = app
        .post(&client, "/api/confirm_sign_in", &[("code", &code)])
        .await;
    assert_eq!((status, location.as_str()), (302, "/signin"));
    let (_, html) = app.page(&client, "/signin").await;
    assert!(html.contains("Your sign-in session expired. Please start again."));
    let (status, _) = app.page(&client, "/confirm-signin").await;
    assert_eq!(status, 302, "the expired step is gone");
}

#[tokio::test]
async fn pre_sign_up_rules_confirm_or_refuse_with_a_message() {
    use axum::routing::post;
    let refuse = axum::Router::new().route(
        "/",
        post(|| async { (axum::http::StatusCode::FORBIDDEN, "Invitations only, sorry") }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, refuse).await.unwrap() });

    // The built-in rule: a trusted domain is confirmed and signed in at once.
    let app = start_with(PoolConfig {
        triggers: local_pool::config::Triggers {
            auto_confirm_email_domains: vec!["example.com".into()],
            ..Default::default()
        },
        ..PoolConfig::default()
    })
    .await;
    let client = browser();
    let form = [
        ("username", "gus"),
        ("password", PASSWORD),
        ("confirm_password", PASSWORD),
        ("email", "gus@example.com"),
        ("dial_code", "+1"),
        ("phone_number", ""),
    ];
    let (status, location) = app.post(&client, "/api/sign_up", &form).await;
    assert_eq!((status, location.as_str()), (302, "/account"));

    // A refusing webhook: the person reads why, on the sign-up page.
    let app = start_with(PoolConfig {
        triggers: local_pool::config::Triggers {
            pre_sign_up: Some(hook),
            ..Default::default()
        },
        ..PoolConfig::default()
    })
    .await;
    let client = browser();
    let (status, location) = app.post(&client, "/api/sign_up", &form).await;
    assert_eq!((status, location.as_str()), (302, "/signup"));
    let (_, html) = app.page(&client, "/signup").await;
    assert!(html.contains("This was not accepted:"));
    assert!(html.contains("Invitations only, sorry"));
    assert!(
        html.contains("value=\"gus@example.com\""),
        "typed values kept"
    );
}
