//! The security checklist's top ten (`shared/reference/security-checklist.md` §10), one test
//! each, named by the checklist's id. Covered elsewhere: SESS-03 (no token in any response or
//! browser storage) by `end2end/tests/no-tokens.spec.ts`, HDR-02 (CSP with a nonce) by
//! `tests/production.rs` and the Playwright run, which fails on any CSP violation.

mod common;
use cognito_authenticator::server::session_store::SessionStoreUrl;
use cognito_idp::Clock;
use common::*;
use local_pool::PoolConfig;
use reqwest::header::{ACCEPT, COOKIE, LOCATION, ORIGIN, SET_COOKIE};

/// A client that keeps no cookies, so each test says exactly which cookie it sends.
fn bare() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `name=value` of a `Set-Cookie` header.
fn cookie_pair(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

async fn post_with_cookie(
    app: &App,
    path: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = bare()
        .post(app.url(path))
        .header(ACCEPT, "text/html")
        .header(ORIGIN, &app.base)
        .form(form);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap()
}

async fn status_with_cookie(app: &App, path: &str, cookie: &str) -> u16 {
    bare()
        .get(app.url(path))
        .header(ACCEPT, "text/html")
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn sess_01_the_session_id_changes_at_sign_in_and_the_old_one_is_worthless() {
    let app = start().await;
    app.confirmed_user("ann").await;
    // A failed attempt leaves a pre-session (the flash with the error).
    let failed = post_with_cookie(
        &app,
        "/api/sign_in",
        None,
        &[("username", "ann"), ("password", "Wrong-pass1!")],
    )
    .await;
    let before = cookie_pair(&failed).expect("a pre-session");
    let signed_in = post_with_cookie(
        &app,
        "/api/sign_in",
        Some(&before),
        &[("username", "ann"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(signed_in.headers()[LOCATION], "/account");
    let after = cookie_pair(&signed_in).expect("a new id at sign-in");
    assert_ne!(before, after);
    assert_eq!(status_with_cookie(&app, "/account", &after).await, 200);
    assert_eq!(status_with_cookie(&app, "/account", &before).await, 302);
}

#[tokio::test]
async fn csrf_01_cross_site_posts_are_refused_before_cognito_is_called() {
    let clock = Clock::system();
    let pool = PoolBehindProxy::start(PoolConfig::default(), clock.clone()).await;
    let app = pool.app(clock, SessionStoreUrl::Memory).await;
    let calls_before = pool.calls().len();
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
    ] {
        for path in [
            "/api/sign_in",
            "/api/sign_up",
            "/api/forgot_password",
            "/api/sign_out",
        ] {
            let response = bare()
                .post(app.url(path))
                .header(ACCEPT, "text/html")
                .header(header, value)
                .form(&[("username", "mallory"), ("password", PASSWORD)])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 403, "{path} with {header}: {value}");
        }
    }
    assert_eq!(pool.calls().len(), calls_before, "Cognito saw none of them");
}

#[tokio::test]
async fn csrf_02_login_csrf_cannot_sign_the_victim_into_the_attackers_account() {
    let app = start().await;
    app.confirmed_user("attacker").await;
    // The victim has no cookie yet; the attacker's page posts its own credentials.
    let response = bare()
        .post(app.url("/api/sign_in"))
        .header(ACCEPT, "text/html")
        .header(ORIGIN, "https://attacker.example")
        .header("sec-fetch-site", "cross-site")
        .form(&[("username", "attacker"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(
        response.headers().get(SET_COOKIE).is_none(),
        "no session was created"
    );
}

#[tokio::test]
async fn auth_01_an_unknown_user_and_a_wrong_password_look_the_same() {
    let app = start().await;
    app.confirmed_user("bea").await;
    let attempt = |username: &'static str| async {
        let client = browser();
        let (status, location) = app
            .post(
                &client,
                "/api/sign_in",
                &[("username", username), ("password", "Wrong-pass1!")],
            )
            .await;
        let (_, html) = app.page(&client, &location).await;
        let message = html
            .split("data-error=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(str::to_owned);
        (status, location, message)
    };
    let known = attempt("bea").await;
    let unknown = attempt("nobody-here").await;
    assert_eq!(known, unknown);
    assert_eq!(known.2.as_deref(), Some("error.incorrect_credentials"));
    // Timing is compared by the benchmark suite, not asserted here.
}

#[tokio::test]
async fn sess_04_sign_out_ends_the_session_for_a_replayed_cookie() {
    let app = start().await;
    app.confirmed_user("cid").await;
    let signed_in = post_with_cookie(
        &app,
        "/api/sign_in",
        None,
        &[("username", "cid"), ("password", PASSWORD)],
    )
    .await;
    let cookie = cookie_pair(&signed_in).unwrap();
    assert_eq!(status_with_cookie(&app, "/account", &cookie).await, 200);
    let out = post_with_cookie(&app, "/api/sign_out", Some(&cookie), &[]).await;
    assert_eq!(out.headers()[LOCATION], "/signin");
    assert_eq!(status_with_cookie(&app, "/account", &cookie).await, 302);
    // Sign-out is a POST: a GET does not sign anyone out.
    let get = bare()
        .get(app.url("/api/sign_out"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_ne!(get.status(), 302);
}

#[tokio::test]
async fn redir_01_return_to_goes_back_only_to_this_site() {
    let app = start().await;
    app.confirmed_user("dot").await;
    let sign_in_via = |return_to: &'static str| async {
        let client = browser();
        let (status, location) = app
            .post(
                &client,
                "/api/sign_in",
                &[
                    ("username", "dot"),
                    ("password", PASSWORD),
                    ("return_to", return_to),
                ],
            )
            .await;
        (status, location)
    };
    assert_eq!(
        sign_in_via("/account?from=return_to").await,
        (302, "/account?from=return_to".to_owned())
    );
    for hostile in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "/%0d%0aSet-Cookie:%20x=y",
        "javascript:alert(1)",
    ] {
        assert_eq!(
            sign_in_via(hostile).await,
            (302, "/account".to_owned()),
            "{hostile}"
        );
    }
    // The sign-in page carries the value in its form, for browsers without JavaScript.
    let (_, html) = app
        .page(&browser(), "/signin?return_to=%2Faccount%3Ffrom%3Dlink")
        .await;
    assert!(html.contains("name=\"return_to\" value=\"/account?from=link\""));
}

#[tokio::test]
async fn cookie_01_secure_deployments_use_a_host_only_secure_cookie() {
    let mut config = cognito_authenticator::server::AuthConfig::local(
        None,
        PoolConfig {
            print_outbox: false,
            ..PoolConfig::default()
        },
    );
    config.secure_cookies = true;
    let app = serve_app(config, Clock::system(), None).await;
    let response = post_with_cookie(
        &app,
        "/api/sign_in",
        None,
        &[("username", "nobody"), ("password", "Wrong-pass1!")],
    )
    .await;
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-session="), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.to_lowercase().contains("domain="));
    assert!(cookie.len() < 200, "an opaque id, not tokens");
    assert!(response.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .starts_with("max-age=31536000"));
}

#[tokio::test]
async fn auth_08_a_reset_code_works_once() {
    let app = start().await;
    app.confirmed_user("eve").await;
    let client = browser();
    let reset = |code: String| {
        let client = client.clone();
        let app = &app;
        async move {
            let (status, location) = app
                .post(&client, "/api/forgot_password", &[("username", "eve")])
                .await;
            assert_eq!((status, location.as_str()), (302, "/reset-password"));
            let fresh = app.last_code("eve").await;
            let code = if code.is_empty() { fresh } else { code };
            let new_password = "An0ther-pass!";
            let (_, location) = app
                .post(
                    &client,
                    "/api/reset_password",
                    &[
                        ("code", &code),
                        ("password", new_password),
                        ("confirm_password", new_password),
                    ],
                )
                .await;
            let (_, html) = app.page(&client, &location).await;
            (code, location, html)
        }
    };
    let (used, location, _) = reset(String::new()).await;
    assert_eq!(location, "/signin");
    let (_, location, html) = reset(used).await;
    assert_eq!(location, "/reset-password");
    assert!(
        html.contains("Invalid verification code provided, please try again."),
        "the used code is refused"
    );
}

#[tokio::test]
async fn sess_12_bogus_session_cookies_are_anonymous_not_errors() {
    let app = start().await;
    for cookie in ["session=%%%", "session=AAAAAAAAAAAAAAAAAAAAAA", "session="] {
        assert_eq!(
            status_with_cookie(&app, "/signin", cookie).await,
            200,
            "{cookie}"
        );
        assert_eq!(
            status_with_cookie(&app, "/account", cookie).await,
            302,
            "{cookie}"
        );
    }
}

#[test]
fn csrf_03_no_server_function_answers_a_get() {
    let paths: Vec<_> = leptos::server_fn::axum::server_fn_paths().collect();
    assert!(paths.len() >= 20, "the server functions are registered");
    for (path, method) in paths {
        assert_eq!(method, axum::http::Method::POST, "{path}");
    }
}
