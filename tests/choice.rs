//! Choice-based sign-in (`SIGN_IN_METHODS`) through the hosted pages, posted as a browser
//! without JavaScript posts: username first, the user's own methods, codes and the password.

use cognito_authenticator::server::AuthConfig;
use cognito_authenticator::SignInMethod;
use cognito_idp::Clock;
use local_pool::config::MfaMode;
use local_pool::PoolConfig;
mod common;
use common::*;

async fn choice_app(methods: &[SignInMethod]) -> App {
    let pool = PoolConfig {
        print_outbox: false,
        mfa: MfaMode::Optional,
        ..PoolConfig::default()
    };
    let config = AuthConfig::local(None, pool).with_sign_in_methods(methods.iter().copied());
    serve_app(config, Clock::system(), None).await
}

const ALL: [SignInMethod; 3] = [
    SignInMethod::EmailCode,
    SignInMethod::SmsCode,
    SignInMethod::Password,
];

#[tokio::test]
async fn username_first_then_this_users_methods_in_the_sites_order() {
    let app = choice_app(&ALL).await;
    app.confirmed_user("chooser").await;
    let client = browser();
    let (_, page) = app.page(&client, "/signin").await;
    assert!(
        page.contains("Continue"),
        "the first page asks for the username only"
    );
    assert!(!page.contains("name=\"password\""));
    let (status, location) = app
        .post(&client, "/api/sign_in", &[("username", "chooser")])
        .await;
    assert_eq!((status, location.as_str()), (302, "/signin-methods"));
    let (_, page) = app.page(&client, "/signin-methods").await;
    // Confirmed by email, no phone: email code first (the site's order), then the password.
    let email = page.find("Email me a code").expect("the email code");
    let password = page.find("Use my password").expect("the password");
    assert!(email < password, "the site's preferred method comes first");
    assert!(!page.contains("Text me a code"), "no phone number, no text");
    assert!(page.contains("chooser"));

    // The email code: the code page with the masked address, a resend, the way back.
    let (status, location) = app
        .post(
            &client,
            "/api/choose_sign_in_method",
            &[("method", "EMAIL_OTP")],
        )
        .await;
    assert_eq!((status, location.as_str()), (302, "/confirm-signin"));
    let (_, page) = app.page(&client, "/confirm-signin").await;
    assert!(page.contains("c***@e***.com"), "{page}");
    assert!(page.contains("Resend Code"));
    assert!(page.contains("Other sign-in options"));
    let first = app.last_code("chooser").await;
    let (status, location) = app.post(&client, "/api/resend_sign_in_code", &[]).await;
    assert_eq!((status, location.as_str()), (302, "/confirm-signin"));
    let (_, page) = app.page(&client, "/confirm-signin").await;
    assert!(page.contains("A new code is on its way."));
    let second = app.last_code("chooser").await;
    assert_eq!(
        app.outbox_for("chooser").await.len(),
        3,
        "sign-up code and two sign-in codes"
    );
    // Only the newest code's session is kept: the first code no longer counts.
    if first != second {
        let (_, location) = app
            .post(&client, "/api/confirm_sign_in", &[("code", &first)])
            .await;
        assert_eq!(location, "/confirm-signin");
        let (_, page) = app.page(&client, "/confirm-signin").await;
        assert!(
            page.contains("Invalid verification code provided"),
            "{page}"
        );
    }
    let (status, location) = app
        .post(&client, "/api/confirm_sign_in", &[("code", &second)])
        .await;
    assert_eq!((status, location.as_str()), (302, "/account"));
    // The account page lists the ways this user can sign in, as Cognito reports them.
    let (_, page) = app.page(&client, "/account").await;
    assert!(page.contains("Ways to sign in"), "{page}");
    assert!(page.contains("data-method=\"EMAIL_OTP\""));
    assert!(page.contains("data-method=\"PASSWORD\""));
    assert!(!page.contains("data-method=\"SMS_OTP\""));
}

#[tokio::test]
async fn the_password_page_and_back_to_the_list() {
    let app = choice_app(&ALL).await;
    app.confirmed_user("pw").await;
    let client = browser();
    app.post(&client, "/api/sign_in", &[("username", "pw")])
        .await;
    let (_, location) = app
        .post(
            &client,
            "/api/choose_sign_in_method",
            &[("method", "PASSWORD")],
        )
        .await;
    assert_eq!(location, "/signin-password");
    let (_, page) = app.page(&client, "/signin-password").await;
    assert!(page.contains("Enter your password"));
    assert!(page.contains("autocomplete=\"username\""));
    // Back to the list, and a method not offered to this user is refused.
    let (_, location) = app.post(&client, "/api/show_sign_in_methods", &[]).await;
    assert_eq!(location, "/signin-methods");
    let (_, location) = app
        .post(
            &client,
            "/api/choose_sign_in_method",
            &[("method", "SMS_OTP")],
        )
        .await;
    assert_eq!(location, "/signin-methods");
    let (_, page) = app.page(&client, "/signin-methods").await;
    assert!(
        page.contains("can&#x27;t sign in with any method")
            || page.contains("can't sign in with any method"),
        "{page}"
    );
    // The password, wrong then right.
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
            &[("password", "Wr0ng-password!")],
        )
        .await;
    assert_eq!(location, "/signin-password");
    let (_, page) = app.page(&client, "/signin-password").await;
    assert!(page.contains("Incorrect username or password."), "{page}");
    let (_, location) = app
        .post(
            &client,
            "/api/sign_in_with_password",
            &[("password", PASSWORD)],
        )
        .await;
    assert_eq!(location, "/account");
}

#[tokio::test]
async fn unknown_names_look_like_users_and_one_without_the_sites_methods_is_told() {
    let app = choice_app(&[SignInMethod::Password, SignInMethod::EmailCode]).await;
    let client = browser();
    // An unknown name gets a list or a password page, as some real users do; never an error.
    for name in ["nobody1", "nobody2", "nobody3", "nobody4"] {
        let (status, location) = app
            .post(&client, "/api/sign_in", &[("username", name)])
            .await;
        assert_eq!(status, 302);
        assert!(
            ["/signin-methods", "/signin-password", "/confirm-signin"].contains(&location.as_str()),
            "{name}: {location}"
        );
        if location == "/signin-methods" {
            let (_, location) = app
                .post(
                    &client,
                    "/api/choose_sign_in_method",
                    &[("method", "EMAIL_OTP")],
                )
                .await;
            assert_eq!(location, "/confirm-signin");
            assert!(
                app.outbox_for(name).await.is_empty(),
                "nothing is sent for {name}"
            );
            let (_, location) = app
                .post(&client, "/api/confirm_sign_in", &[("code", "123456")])
                .await;
            assert_eq!(location, "/confirm-signin");
        }
    }
    // A site that offers only texts, to a user with a password and an email: a clear error.
    let dir = std::env::temp_dir().join(format!("ca-choice-{}", uuid::Uuid::new_v4()));
    let on_disk = |methods: &[SignInMethod]| {
        let pool = PoolConfig {
            print_outbox: false,
            ..PoolConfig::default()
        };
        AuthConfig::local(Some(dir.clone()), pool).with_sign_in_methods(methods.iter().copied())
    };
    let signing_up = serve_app(on_disk(&[SignInMethod::Password]), Clock::system(), None).await;
    signing_up.confirmed_user("onlypw").await;
    let app = serve_app(on_disk(&[SignInMethod::SmsCode]), Clock::system(), None).await;
    let (_, location) = app
        .post(&client, "/api/sign_in", &[("username", "onlypw")])
        .await;
    assert_eq!(location, "/signin");
    let (_, page) = app.page(&client, "/signin").await;
    assert!(page.contains("any method this site offers"), "{page}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn passwordless_sign_up_confirms_by_code_and_signs_in() {
    let app = choice_app(&[SignInMethod::EmailCode]).await;
    let client = browser();
    let (_, page) = app.page(&client, "/signup").await;
    assert!(!page.contains("name=\"password\""), "no password fields");
    // Codes go by email: an email is needed.
    let (_, location) = app
        .post(
            &client,
            "/api/sign_up",
            &[
                ("username", "nopw"),
                ("email", ""),
                ("dial_code", "+1"),
                ("phone_number", ""),
            ],
        )
        .await;
    assert_eq!(location, "/signup");
    let (_, page) = app.page(&client, "/signup").await;
    assert!(
        page.contains("aria-invalid=\"true\""),
        "the email field is marked: {page}"
    );
    let (status, location) = app
        .post(
            &client,
            "/api/sign_up",
            &[
                ("username", "nopw"),
                ("email", "nopw@example.com"),
                ("dial_code", "+1"),
                ("phone_number", ""),
            ],
        )
        .await;
    assert_eq!((status, location.as_str()), (302, "/confirm-signup"));
    let code = app.last_code("nopw").await;
    let (_, location) = app
        .post(&client, "/api/confirm_sign_up", &[("code", &code)])
        .await;
    assert_eq!(location, "/account", "signed in once confirmed");

    // Signing in again: the email code is this user's only method, so it is sent at once.
    let other = browser();
    let (_, location) = app
        .post(&other, "/api/sign_in", &[("username", "nopw")])
        .await;
    assert_eq!(location, "/confirm-signin");
    let (_, page) = app.page(&other, "/confirm-signin").await;
    assert!(page.contains("n***@e***.com"));
    assert!(!page.contains("Other sign-in options"));
    let code = app.last_code("nopw").await;
    let (_, location) = app
        .post(&other, "/api/confirm_sign_in", &[("code", &code)])
        .await;
    assert_eq!(location, "/account");
    let (_, page) = app.page(&other, "/account").await;
    assert!(page.contains("data-method=\"EMAIL_OTP\""), "{page}");
    assert!(
        !page.contains("data-method=\"PASSWORD\""),
        "no password to sign in with"
    );
}

#[tokio::test]
async fn every_code_sent_counts_against_the_names_budget_however_it_is_asked_for() {
    let pool = PoolConfig {
        print_outbox: false,
        // The pool's own limit out of the way: this is the app's.
        max_code_sends: 100,
        ..PoolConfig::default()
    };
    let config = AuthConfig::local(None, pool).with_sign_in_methods(ALL);
    let app = serve_app(config, Clock::system(), None).await;
    app.confirmed_user("flooded").await;
    let client = browser();
    app.post(&client, "/api/sign_in", &[("username", "flooded")])
        .await;
    // Choosing, going back and choosing again, and resending: five codes in all.
    let choose = [("method", "EMAIL_OTP")];
    for round in 0..3 {
        if round > 0 {
            let (_, location) = app.post(&client, "/api/show_sign_in_methods", &[]).await;
            assert_eq!(location, "/signin-methods");
        }
        let (_, location) = app
            .post(&client, "/api/choose_sign_in_method", &choose)
            .await;
        assert_eq!(location, "/confirm-signin", "choice {round}");
    }
    for round in 0..2 {
        let (_, location) = app.post(&client, "/api/resend_sign_in_code", &[]).await;
        assert_eq!(location, "/confirm-signin", "resend {round}");
    }
    // The sixth is refused, whichever way it is asked for.
    app.post(&client, "/api/resend_sign_in_code", &[]).await;
    let (_, page) = app.page(&client, "/confirm-signin").await;
    assert!(page.contains("Too many attempts"), "{page}");
    app.post(&client, "/api/show_sign_in_methods", &[]).await;
    let (_, location) = app
        .post(&client, "/api/choose_sign_in_method", &choose)
        .await;
    assert_eq!(location, "/signin-methods");
    let sent = app.outbox_for("flooded").await.len() - 1;
    assert_eq!(sent, 5, "five codes, then the budget of the name ran out");
}

#[tokio::test]
async fn a_sign_in_started_for_any_name_keeps_its_session_only_minutes() {
    let app = choice_app(&ALL).await;
    let response = browser()
        .post(app.url("/api/sign_in"))
        .header("Accept", "text/html")
        .header("Origin", app.url(""))
        .form(&[("username", "anyone-at-all")])
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.contains("Max-Age"))
        .expect("a session cookie");
    let max_age: i64 = cookie
        .split(';')
        .find_map(|part| part.trim().strip_prefix("Max-Age="))
        .unwrap()
        .parse()
        .unwrap();
    assert!(max_age <= 240, "{cookie}");
}
