//! Passkeys through the hosted pages' server functions: the offer after sign-in and its "Not
//! now", the options handed to the page, what is refused (a stale sign-in adding a passkey, a
//! malformed credential, no passkey ceremony without JavaScript). The ceremonies themselves run
//! in Chromium (end2end/tests/passkeys.spec.ts).

use cognito_authenticator::server::AuthConfig;
use cognito_authenticator::SignInMethod;
use cognito_idp::Clock;
use local_pool::PoolConfig;
use reqwest::header::{ACCEPT, ORIGIN};
mod common;
use common::*;

/// Signs up and confirms `username` through the pages; the confirmation signs in (and the
/// passkey offer follows).
async fn signed_up(app: &App, username: &str) -> reqwest::Client {
    let client = browser();
    app.sign_up(&client, username).await;
    let code = app.last_code(username).await;
    let (status, location) = app
        .post(&client, "/api/confirm_sign_up", &[("code", &code)])
        .await;
    assert_eq!((status, location.as_str()), (302, "/passkey"));
    client
}

async fn passkey_app(clock: Clock) -> App {
    let pool = PoolConfig {
        print_outbox: false,
        ..PoolConfig::default()
    };
    let config = AuthConfig::local(None, pool).with_sign_in_methods([
        SignInMethod::Passkey,
        SignInMethod::EmailCode,
        SignInMethod::Password,
    ]);
    let mut app = serve_app(config, clock, None).await;
    // Passkeys belong to a name: the site is visited at localhost, as the README says.
    app.base = app.base.replace("127.0.0.1", "localhost");
    app
}

/// A server-function call as the page's script makes it: JSON back, no redirect followed.
async fn call(
    app: &App,
    client: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let response = client
        .post(app.url(path))
        .header(ACCEPT, "application/json")
        .header(ORIGIN, app.url(""))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_offer_follows_sign_in_until_not_now_and_adding_needs_a_recent_sign_in() {
    let clock = Clock::fixed(1_800_000_000);
    let app = passkey_app(clock.clone()).await;
    signed_up(&app, "penny").await;
    let client = browser();
    let (status, location) = app
        .post(&client, "/api/sign_in", &[("username", "penny")])
        .await;
    assert_eq!((status, location.as_str()), (302, "/signin-methods"));
    // No passkey yet: the list has none, and a no-JavaScript post of it says why it fails.
    let (_, page) = app.page(&client, "/signin-methods").await;
    assert!(!page.contains("Sign in with a passkey"));
    let (status, location) = app
        .post(
            &client,
            "/api/choose_sign_in_method",
            &[("method", "PASSWORD")],
        )
        .await;
    assert_eq!((status, location.as_str()), (302, "/signin-password"));
    let (status, location) = app
        .post(
            &client,
            "/api/sign_in_with_password",
            &[("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (302, "/passkey"),
        "the offer comes first"
    );
    let (_, page) = app.page(&client, "/passkey").await;
    assert!(page.contains("Sign in faster with a passkey"));
    assert!(page.contains("/cognito-authenticator/passkey.js"));
    assert!(page.contains("id=\"ca-passkey-messages\""));

    // The page's script gets creation options for this user and this site's relying party.
    let (status, options) = call(&app, &client, "/api/passkey_registration_options", &[]).await;
    assert_eq!(status, 200, "{options}");
    let options: serde_json::Value =
        serde_json::from_str(&serde_json::from_str::<String>(&options).unwrap()).unwrap();
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(options["user"]["name"], "penny");
    // A credential that is not one is refused with the passkey's own error.
    let (status, body) = call(
        &app,
        &client,
        "/api/passkey_register",
        &[("credential", "{\"id\":\"x\"}"), ("page", "prompt")],
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.contains("PasskeyFailed"), "{body}");
    let (status, body) = call(
        &app,
        &client,
        "/api/passkey_register",
        &[("credential", "not json"), ("page", "prompt")],
    )
    .await;
    assert!(status == 400 && body.contains("PasskeyFailed"), "{body}");

    // "Not now": the account page, and the offer is not made again in this session.
    let (status, location) = app.post(&client, "/api/skip_passkey", &[]).await;
    assert_eq!((status, location.as_str()), (302, "/account"));
    let (_, page) = app.page(&client, "/account").await;
    assert!(page.contains("Passkeys") && page.contains("You have no passkeys yet."));
    let (status, _) = app.page(&client, "/passkey").await;
    assert_eq!(status, 302, "the offer's page is gone once dismissed");

    // Twenty minutes on, adding a passkey needs a new sign-in.
    clock.advance(20 * 60);
    let (status, body) = call(&app, &client, "/api/passkey_registration_options", &[]).await;
    assert_eq!(status, 400);
    assert!(body.contains("RecentSignInRequired"), "{body}");

    // A new sign-in (a new session) is offered it again; at an IP address, where no passkey
    // can work, it is not.
    let at_ip = App::at(&app.base.replace("localhost", "127.0.0.1"));
    let client = browser();
    at_ip
        .post(&client, "/api/sign_in", &[("username", "penny")])
        .await;
    at_ip
        .post(
            &client,
            "/api/choose_sign_in_method",
            &[("method", "PASSWORD")],
        )
        .await;
    let (_, location) = at_ip
        .post(
            &client,
            "/api/sign_in_with_password",
            &[("password", PASSWORD)],
        )
        .await;
    assert_eq!(location, "/account");
    let client = browser();
    app.post(&client, "/api/sign_in", &[("username", "penny")])
        .await;
    app.post(
        &client,
        "/api/choose_sign_in_method",
        &[("method", "PASSWORD")],
    )
    .await;
    let (_, location) = app
        .post(
            &client,
            "/api/sign_in_with_password",
            &[("password", PASSWORD)],
        )
        .await;
    assert_eq!(location, "/passkey");
    let (status, _) = call(&app, &client, "/api/passkey_registration_options", &[]).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn passkey_sign_in_needs_its_step_and_a_real_credential() {
    let app = passkey_app(Clock::system()).await;
    let client = browser();
    // No sign-in in progress.
    let (status, body) = call(&app, &client, "/api/passkey_sign_in_options", &[]).await;
    assert_eq!(status, 400);
    assert!(body.contains("FlowExpired"), "{body}");
    // Without JavaScript the passkey choice is answered on its page, with why.
    signed_up(&app, "quinn").await;
    app.post(&client, "/api/sign_in", &[("username", "quinn")])
        .await;
    let (status, location) = app
        .post(
            &client,
            "/api/choose_sign_in_method",
            &[("method", "WEB_AUTHN")],
        )
        .await;
    assert_eq!((status, location.as_str()), (302, "/signin-methods"));
    let (_, page) = app.page(&client, "/signin-methods").await;
    assert!(
        page.contains("this account can&#x27;t")
            || page.contains("can't sign in with any method")
            || page.contains("needs JavaScript"),
        "{page}"
    );
    // quinn has no passkey: the options are refused, and an answer without a passkey
    // challenge in progress starts the sign-in again (the page is sent back to it).
    let (status, body) = call(&app, &client, "/api/passkey_sign_in_options", &[]).await;
    assert_eq!(status, 400);
    assert!(body.contains("NoSignInMethod"), "{body}");
    let response = client
        .post(app.url("/api/passkey_sign_in"))
        .header(ACCEPT, "application/json")
        .header(ORIGIN, app.url(""))
        .form(&[("credential", "{}")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["location"], "/signin");
    assert!(response.headers().contains_key("serverfnredirect"));
}
