//! The account page's actions driven without JavaScript: what they refuse, and a remembered
//! device's tokens refreshing (Cognito binds them to the device).

mod common;
use common::*;
use local_pool::config::DeviceConfiguration;
use local_pool::PoolConfig;

/// A pool that remembers every device it confirms, and lets it stand in for MFA.
fn remembering_every_device() -> PoolConfig {
    PoolConfig {
        device_configuration: Some(DeviceConfiguration {
            challenge_required_on_new_device: true,
            device_only_remembered_on_user_prompt: false,
        }),
        ..PoolConfig::default()
    }
}

#[tokio::test]
async fn account_actions_refuse_what_the_page_does_not_offer() {
    let app = start().await;
    app.confirmed_user("ivy").await;
    let client = browser();
    assert_eq!(app.sign_in(&client, "ivy").await, "/account");

    // The default sign-up form asks for no given name: the account page may not set one.
    let (status, location) = app
        .post(
            &client,
            "/api/save_profile",
            &[("attributes[given_name]", "Ivy")],
        )
        .await;
    // Answered as a post the page could not have sent (see `server::forms`).
    assert_eq!((status, location.as_str()), (303, "/account"));
    let (_, html) = app.page(&client, "/account").await;
    assert!(
        html.contains("data-error=\"error.unreadable_form\""),
        "{html}"
    );
    assert!(!html.contains("data-attribute=\"given_name\""));

    // Only email and phone go through the verified change.
    let (_, location) = app
        .post(
            &client,
            "/api/change_contact",
            &[("attribute", "given_name"), ("email", "x@example.com")],
        )
        .await;
    assert_eq!(location, "/account");
    let (_, html) = app.page(&client, "/account").await;
    assert!(html.contains("data-error=\"error.unreadable_form\""));

    // A device key that is not one.
    let (_, location) = app
        .post(&client, "/api/forget_device", &[("device_key", "../../x")])
        .await;
    assert_eq!(location, "/account");
    let (_, html) = app.page(&client, "/account").await;
    assert!(html.contains("data-error=\"error.unreadable_form\""));

    // A code with no change in progress changes nothing.
    let (_, location) = app
        .post(
            &client,
            "/api/confirm_contact",
            &[("contact_code", "123456")],
        )
        .await;
    assert_eq!(location, "/account");
}

#[tokio::test]
async fn deleting_needs_a_signed_in_session_and_the_right_password() {
    let app = start().await;
    app.confirmed_user("jon").await;
    let stranger = browser();
    let (status, location) = app
        .post(
            &stranger,
            "/api/delete_account",
            &[("delete_password", PASSWORD)],
        )
        .await;
    // Back to the account page, which sends a stranger to sign in; nothing was deleted.
    assert_eq!((status, location.as_str()), (302, "/account"));
    assert_eq!(app.sign_in(&browser(), "jon").await, "/account");

    let client = browser();
    app.sign_in(&client, "jon").await;
    let (_, location) = app
        .post(&client, "/api/delete_account", &[("delete_password", "")])
        .await;
    assert_eq!(location, "/account");
    let (_, html) = app.page(&client, "/account").await;
    let field = html
        .find("name=\"delete_password\"")
        .expect("the password field");
    let tag = &html[html[..field].rfind('<').unwrap()..field + html[field..].find('>').unwrap()];
    assert!(tag.contains("aria-invalid=\"true\""), "{tag}");
    // The account is still there: it signs in elsewhere.
    assert_eq!(app.sign_in(&browser(), "jon").await, "/account");

    let other = browser();
    app.sign_in(&other, "jon").await;
    let (_, location) = app
        .post(
            &client,
            "/api/delete_account",
            &[("delete_password", PASSWORD)],
        )
        .await;
    assert_eq!(location, "/signin");
    // The account's other sessions end with it.
    let (status, _) = app.page(&other, "/account").await;
    assert_eq!(status, 302);
}

#[tokio::test]
async fn a_remembered_devices_tokens_refresh_and_a_stray_device_cookie_is_ignored() {
    let app = start_with(remembering_every_device()).await;
    app.confirmed_user("kai").await;
    let client = browser();
    assert_eq!(app.sign_in(&client, "kai").await, "/account");
    // The pool remembers every device: this one is listed, as this browser.
    let (_, html) = app.page(&client, "/account").await;
    assert!(html.contains("data-testid=\"this-device\""), "{html}");

    // An hour on, the access token is refreshed: Cognito wants the device key with it.
    app.clock.advance(3600);
    let (status, html) = app.page(&client, "/account").await;
    assert_eq!(status, 200, "still signed in after the refresh");
    assert!(html.contains("data-testid=\"this-device\""));

    // The next sign-in from this browser goes through device SRP and still signs in.
    app.post(&client, "/api/sign_out", &[]).await;
    assert_eq!(app.sign_in(&client, "kai").await, "/account");

    // A browser sending a made-up device cookie (or a session id as one) signs in as usual.
    let stray = browser();
    let response = stray
        .post(app.url("/api/sign_in"))
        .header(reqwest::header::ACCEPT, "text/html")
        .header(reqwest::header::ORIGIN, app.url(""))
        .header(reqwest::header::COOKIE, "ca_device=not-an-id")
        .form(&[("username", "kai"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/account");
}

#[tokio::test]
async fn a_new_email_needs_a_recent_sign_in() {
    let app = start().await;
    app.confirmed_user("lea").await;
    let client = browser();
    app.sign_in(&client, "lea").await;
    app.clock.advance(16 * 60);
    let (_, location) = app
        .post(
            &client,
            "/api/change_contact",
            &[("attribute", "email"), ("email", "lea.new@example.com")],
        )
        .await;
    assert_eq!(location, "/account");
    let (_, html) = app.page(&client, "/account").await;
    assert!(
        html.contains("data-error=\"error.sign_in_again\""),
        "{html}"
    );
    assert!(app
        .outbox_for("lea")
        .await
        .iter()
        .all(|m| m["destination"] != "lea.new@example.com"));

    // Signed in again, the change goes ahead.
    app.post(&client, "/api/sign_out", &[]).await;
    app.sign_in(&client, "lea").await;
    app.post(
        &client,
        "/api/change_contact",
        &[("attribute", "email"), ("email", "lea.new@example.com")],
    )
    .await;
    let (_, html) = app.page(&client, "/account").await;
    assert!(html.contains("data-testid=\"contact-sent\""), "{html}");
}

#[tokio::test]
async fn another_account_naming_itself_like_this_one_cannot_end_its_sessions() {
    let config = cognito_authenticator::server::AuthConfig::local(
        None,
        PoolConfig {
            print_outbox: false,
            ..PoolConfig::default()
        },
    )
    .with_account_attributes(["email", "phone_number", "preferred_username"]);
    let app = serve_app(config, cognito_idp::Clock::system(), None).await;
    app.confirmed_user("mia").await;
    app.confirmed_user("nox").await;
    let victim = browser();
    app.sign_in(&victim, "mia").await;
    let attacker = browser();
    app.sign_in(&attacker, "nox").await;
    // The attacker calls itself by the victim's name, and signs out everywhere.
    app.post(
        &attacker,
        "/api/save_profile",
        &[("attributes[preferred_username]", "mia")],
    )
    .await;
    let (_, html) = app.page(&attacker, "/account").await;
    assert!(
        html.contains("data-attribute=\"preferred_username\""),
        "{html}"
    );
    app.post(&attacker, "/api/sign_out_everywhere", &[]).await;
    let (status, _) = app.page(&victim, "/account").await;
    assert_eq!(status, 200, "the victim is still signed in");
}

#[tokio::test]
async fn a_device_cookie_planted_in_a_browser_never_receives_its_next_device() {
    let app = start_with(remembering_every_device()).await;
    app.confirmed_user("eve").await;
    app.confirmed_user("vic").await;
    let device_cookie = |response: &reqwest::Response| {
        response
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("ca_device="))
            .map(|c| c.split(';').next().unwrap().to_owned())
    };
    let sign_in = |username: &'static str, cookie: Option<String>| {
        let app = &app;
        async move {
            let mut request = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap()
                .post(app.url("/api/sign_in"))
                .header(reqwest::header::ACCEPT, "text/html")
                .header(reqwest::header::ORIGIN, app.url(""));
            if let Some(cookie) = cookie {
                request = request.header(reqwest::header::COOKIE, format!("ca_device={cookie}"));
            }
            request
                .form(&[("username", username), ("password", PASSWORD)])
                .send()
                .await
                .unwrap()
        }
    };
    let planted = device_cookie(&sign_in("eve", None).await).expect("eve's device cookie");
    let theirs =
        device_cookie(&sign_in("vic", Some(planted.clone())).await).expect("vic's device cookie");
    assert_ne!(theirs, planted, "vic's device went to a record of its own");
}

#[tokio::test]
async fn an_account_without_a_password_is_deleted_with_a_fresh_code() {
    let pool = PoolConfig {
        print_outbox: false,
        ..PoolConfig::default()
    };
    let config = cognito_authenticator::server::AuthConfig::local(None, pool)
        .with_sign_in_methods([cognito_authenticator::SignInMethod::EmailCode]);
    let app = serve_app(config, cognito_idp::Clock::system(), None).await;
    let client = browser();
    app.post(
        &client,
        "/api/sign_up",
        &[
            ("username", "pia"),
            ("email", "pia@example.com"),
            ("dial_code", "+1"),
            ("phone_number", ""),
        ],
    )
    .await;
    let code = app.last_code("pia").await;
    let (_, location) = app
        .post(&client, "/api/confirm_sign_up", &[("code", &code)])
        .await;
    assert_eq!(location, "/account");
    let (_, html) = app.page(&client, "/account").await;
    assert!(
        !html.contains("name=\"delete_password\""),
        "no password to ask for"
    );

    app.post(&client, "/api/send_deletion_code", &[]).await;
    let (_, html) = app.page(&client, "/account").await;
    assert!(html.contains("data-testid=\"deletion-sent\""), "{html}");
    let code = app.last_code("pia").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (_, location) = app
        .post(&client, "/api/delete_account", &[("delete_code", wrong)])
        .await;
    assert_eq!(location, "/account", "a wrong code deletes nothing");
    let (_, location) = app
        .post(&client, "/api/delete_account", &[("delete_code", &code)])
        .await;
    assert_eq!(location, "/signin");
    let (_, html) = app.page(&client, "/signin").await;
    assert!(html.contains("Your account has been deleted."));
    // Gone: a new sign-in sends no code (the page answers as for anyone).
    let sent = app.outbox_for("pia").await.len();
    app.post(&browser(), "/api/sign_in", &[("username", "pia")])
        .await;
    assert_eq!(app.outbox_for("pia").await.len(), sent);
}

#[tokio::test]
async fn a_new_phone_number_is_written_at_once_unverified_and_its_code_verifies_it() {
    let app = start().await;
    app.confirmed_user("raf").await;
    let client = browser();
    app.sign_in(&client, "raf").await;
    let (_, location) = app
        .post(
            &client,
            "/api/change_contact",
            &[
                ("attribute", "phone_number"),
                ("dial_code", "+1"),
                ("phone_number", "5555550142"),
            ],
        )
        .await;
    assert_eq!(location, "/account");
    let (_, html) = app.page(&client, "/account").await;
    // The pool keeps no old value for a phone: the new one shows, unverified, with no hint
    // that an old one is still in use.
    assert!(html.contains("data-testid=\"contact-sent\""), "{html}");
    assert!(
        html.contains("data-testid=\"phone_number-status\" class=\"ca-badge\">Not verified<"),
        "{html}"
    );
    assert!(!html.contains("stays in use"));
    assert!(html.contains("+15555550142"));
    let code = app.last_code("raf").await;
    app.post(&client, "/api/confirm_contact", &[("contact_code", &code)])
        .await;
    let (_, html) = app.page(&client, "/account").await;
    assert!(html.contains("Your new contact details are verified and now in use."));
    assert!(
        html.contains("data-testid=\"phone_number-status\" class=\"ca-badge\">Verified<"),
        "{html}"
    );
}
