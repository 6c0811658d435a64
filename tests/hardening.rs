//! The app against what an outside review tried: telling accounts apart by their answers,
//! growing the session store anonymously, smuggling attributes, and reading pages off redirects.

mod common;
use common::*;
use local_pool::PoolConfig;

/// The error a page shows (its message key), if any.
fn error_key(html: &str) -> Option<String> {
    html.split("data-error=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
}

#[tokio::test]
async fn wrong_passwords_get_the_same_answers_for_real_and_unknown_accounts() {
    let app = start().await;
    app.confirmed_user("realuser").await;
    let mut answers = Vec::new();
    for name in ["realuser", "nosuchuser"] {
        let client = browser();
        let mut seen = Vec::new();
        for _ in 0..8 {
            app.post(
                &client,
                "/api/sign_in",
                &[("username", name), ("password", "Wrong-pass1!")],
            )
            .await;
            let (_, html) = app.page(&client, "/signin").await;
            seen.push(error_key(&html));
        }
        answers.push(seen);
    }
    assert_eq!(
        answers[0], answers[1],
        "the answers tell the accounts apart"
    );
    assert_eq!(
        answers[0].last().cloned().flatten().as_deref(),
        Some("error.rate_limited"),
        "{answers:?}"
    );
}

#[tokio::test]
async fn one_phone_number_is_one_limit_however_it_is_typed() {
    let app = start_with(PoolConfig {
        username_attributes: vec!["phone_number".into()],
        ..PoolConfig::default()
    })
    .await;
    let client = browser();
    let typed = [
        "(555) 945-1140",
        "5559451140",
        "555 945 1140",
        "555.945.1140",
    ];
    let mut last = None;
    for attempt in 0..10 {
        let number = typed[attempt % typed.len()];
        app.post(
            &client,
            "/api/sign_in",
            &[
                ("username", number),
                ("dial_code", "+1"),
                ("password", "Wrong-pass1!"),
            ],
        )
        .await;
        let (_, html) = app.page(&client, "/signin").await;
        last = error_key(&html);
    }
    assert_eq!(last.as_deref(), Some("error.rate_limited"));
}

/// A client with no cookie jar: every request is a new visitor's.
fn stranger() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The app on a SQLite session store in a fresh directory, and that file.
async fn app_on_sqlite() -> (App, std::path::PathBuf) {
    use cognito_authenticator::server::AuthConfig;
    let dir = std::env::temp_dir().join(format!("ca-hardening-{}", uuid::Uuid::new_v4()));
    let file = dir.join("sessions.sqlite3");
    let pool = PoolConfig {
        print_outbox: false,
        ..PoolConfig::default()
    };
    let config = AuthConfig::local(None, pool)
        .with_session_store(&format!("sqlite://{}", file.display()))
        .unwrap();
    let app = serve_app(config, cognito_idp::Clock::system(), None).await;
    (app, file)
}

/// (records, largest record in bytes, latest expiry in unix seconds) of the session file.
async fn stored_sessions(file: &std::path::Path) -> (i64, i64, i64) {
    let url = format!("sqlite://{}", file.display());
    let db = sqlx::SqlitePool::connect(&url).await.unwrap();
    let row: (i64, Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MAX(LENGTH(data)), MAX(expires_at) FROM sessions")
            .fetch_one(&db)
            .await
            .unwrap();
    (row.0, row.1.unwrap_or(0), row.2.unwrap_or(0))
}

#[tokio::test]
async fn anonymous_visitors_cannot_fill_the_session_store() {
    let (app, file) = app_on_sqlite().await;
    // Page views of guarded and flow pages write nothing, and redirect with an empty body.
    for path in [
        "/account",
        "/confirm-signin",
        "/setup-totp",
        "/verify",
        "/account",
    ] {
        for _ in 0..11 {
            let response = stranger()
                .get(app.url(path))
                .header("Accept", "text/html")
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 302, "{path}");
            assert!(response.headers().get("set-cookie").is_none(), "{path}");
            assert!(response.text().await.unwrap().is_empty(), "{path}");
        }
    }
    let (records, _, _) = stored_sessions(&file).await;
    assert_eq!(records, 0, "anonymous page views write no session");

    // A thousand failed no-JS posts, each from a new visitor with a 60 KB username.
    let huge = "a".repeat(60_000);
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let posts = (0..50).map(|_| {
            stranger()
                .post(app.url("/api/sign_in"))
                .header("Accept", "text/html")
                .header("Origin", &app.base)
                .form(&[("username", huge.as_str()), ("password", "x")])
                .send()
        });
        for response in futures::future::join_all(posts).await {
            statuses.push(response.unwrap().status());
        }
    }
    assert!(statuses.iter().all(|s| s.as_u16() == 302), "{statuses:?}");
    let (records, largest, latest) = stored_sessions(&file).await;
    assert!(records <= 1000, "{records}");
    assert!(largest < 2_000, "a record holds {largest} bytes");
    assert!(
        latest <= started + 300 + 60,
        "anonymous error sessions live minutes: {} s",
        latest - started
    );
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
}

#[tokio::test]
async fn a_redirect_carries_no_page_for_any_client() {
    let app = start().await;
    for path in ["/", "/account", "/confirm-signin", "/new-password"] {
        for accept in [None, Some("*/*"), Some("text/html")] {
            let mut request = stranger().get(app.url(path));
            if let Some(accept) = accept {
                request = request.header("Accept", accept);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 302, "{path} {accept:?}");
            assert!(
                response.headers()["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/signin"),
                "{path}"
            );
            assert!(
                response.text().await.unwrap().is_empty(),
                "{path} {accept:?}"
            );
        }
    }
}

#[tokio::test]
async fn step_pages_answer_each_visitor_right_while_the_cache_is_warm() {
    let app = start().await;
    // One visitor in a sign-up flow, on its confirmation page.
    let flowing = browser();
    app.sign_up(&flowing, "hammer").await;
    let (status, html) = app.page(&flowing, "/confirm-signup").await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"code\""));
    let mut requests = Vec::new();
    for round in 0..60 {
        let app = app.clone();
        let flowing = flowing.clone();
        requests.push(tokio::spawn(async move {
            match round % 3 {
                // The visitor with the flow sees its form.
                0 => {
                    let (status, html) = app.page(&flowing, "/confirm-signup").await;
                    (status == 200 && html.contains("name=\"code\""), "flow")
                }
                // A new visitor on a flow page is sent to sign in, with nothing in the body.
                1 => {
                    let response = stranger()
                        .get(app.url("/confirm-signup"))
                        .header("Accept", "text/html")
                        .send()
                        .await
                        .unwrap();
                    let ok = response.status() == 302
                        && response.headers()["location"]
                            .to_str()
                            .unwrap()
                            .starts_with("/signin");
                    (ok && response.text().await.unwrap().is_empty(), "stranger")
                }
                // The shared sign-in page stays the sign-in page.
                _ => {
                    let (status, html) = app.page(&stranger(), "/signin").await;
                    (
                        status == 200 && html.contains("name=\"password\""),
                        "signin",
                    )
                }
            }
        }));
    }
    for request in requests {
        let (ok, who) = request.await.unwrap();
        assert!(ok, "{who} got the wrong page");
    }
}

#[tokio::test]
async fn server_function_answers_are_never_cached() {
    let app = start().await;
    let client = browser();
    app.confirmed_user("cachey").await;
    app.sign_in(&client, "cachey").await;
    // As a hydrated page calls them: JSON answers with the user's own data.
    for (path, body) in [
        ("/api/current_user", ""),
        ("/api/start_totp_setup", ""),
        ("/api/page", "step=Done"),
    ] {
        let response = client
            .post(app.url(path))
            .header("Origin", &app.base)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response
                .headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{path} ({})",
            response.status()
        );
    }
}

/// A same-origin form post of `body` exactly as given.
fn raw_post(
    app: &App,
    client: &reqwest::Client,
    path: &str,
    body: &str,
) -> reqwest::RequestBuilder {
    client
        .post(app.url(path))
        .header("Origin", &app.base)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
}

/// Every form's server function with a post it cannot read: a misnamed field, an unknown one,
/// missing ones, and values of the wrong shape.
#[tokio::test]
async fn a_post_no_server_function_can_read_gets_its_page_and_a_clear_error() {
    let app = start().await;
    app.confirmed_user("formuser").await;
    let signed_in = browser();
    app.sign_in(&signed_in, "formuser").await;
    let forms: Vec<(&str, &str, &str)> = vec![
        (
            "/api/confirm_sign_up",
            "confirmation_code=123456",
            "/confirm-signup",
        ),
        ("/api/sign_in", "user=formuser&password=x", "/signin"),
        ("/api/sign_in", "", "/signin"),
        (
            "/api/sign_in",
            "username=a&password=b&is_admin=1",
            "/signin",
        ),
        (
            "/api/sign_up",
            "username=a&password=b&confirm_password=b&attributes=x",
            "/signup",
        ),
        (
            "/api/sign_up",
            "username[]=a&password=b&confirm_password=b",
            "/signup",
        ),
        ("/api/forgot_password", "name=formuser", "/forgot-password"),
        ("/api/reset_password", "code=1", "/reset-password"),
        ("/api/confirm_link", "user_name=formuser", "/signin"),
        ("/api/select_mfa", "mfa=Totp", "/select-mfa"),
        ("/api/confirm_sign_in", "totp=123456", "/confirm-signin"),
        ("/api/verify_totp_setup", "", "/setup-totp"),
        (
            "/api/confirm_new_password",
            "new_password=x",
            "/new-password",
        ),
        ("/api/resend_sign_up_code", "please=1", "/confirm-signup"),
        ("/api/send_verification_code", "", "/verify"),
        ("/api/verify_attribute", "attribute_code=1", "/verify"),
        ("/api/set_mfa", "mfa_type=Totp&enabled=maybe", "/account"),
        ("/api/set_preferred_mfa", "preferred=Totp", "/account"),
        ("/api/finish_totp_setup", "code=123456", "/account"),
        (
            "/api/change_password",
            "old_password=x&password=y",
            "/account",
        ),
        ("/api/sign_out", "everywhere=1", "/account"),
    ];
    for (path, body, page) in forms {
        // Without JavaScript: the form's page, with the error on it (the account page's
        // forms as the signed-in user, the others as a visitor).
        let client = if page == "/account" {
            signed_in.clone()
        } else {
            browser()
        };
        let response = raw_post(&app, &client, path, body)
            .header("Accept", "text/html")
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        assert!(
            (status == 303 || status == 302) && location == page,
            "{path} {body:?}: {status} to {location:?}"
        );
        if matches!(
            page,
            "/account" | "/signin" | "/signup" | "/forgot-password"
        ) {
            let (_, html) = app.page(&client, page).await;
            assert!(
                html.contains("data-error=\"error.unreadable_form\""),
                "{path} {body:?}: no error on {page}"
            );
        }
        // From script: a typed error.
        let response = raw_post(&app, &browser(), path, body).send().await.unwrap();
        assert_eq!(response.status(), 400, "{path} {body:?}");
        let error: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error["kind"], "UnreadableForm", "{path} {body:?}");
    }
    // Still signed in: none of those posts did anything.
    let (status, _) = app.page(&signed_in, "/account").await;
    assert_eq!(status, 200);
}

#[test]
fn every_form_server_function_is_checked_for_unreadable_posts() {
    let checked: Vec<&str> = cognito_authenticator::steps::FORMS
        .iter()
        .map(|(path, _, _)| *path)
        .collect();
    for (path, _) in leptos::server_fn::axum::server_fn_paths() {
        // Called by the components, never by a form.
        if path == "/api/page" || path == "/api/current_user" || path == "/api/inline_screen" {
            continue;
        }
        assert!(checked.contains(&path), "{path} is not in steps::FORMS");
    }
}

/// Whether `client` is still signed in (the account page answers rather than redirecting).
async fn signed_in(app: &App, client: &reqwest::Client) -> bool {
    app.page(client, "/account").await.0 == 200
}

#[tokio::test]
async fn a_password_change_or_reset_or_sign_out_everywhere_ends_the_other_sessions_at_once() {
    let app = start().await;
    app.confirmed_user("victim").await;
    let (thief, owner) = (browser(), browser());
    app.sign_in(&thief, "victim").await;
    app.sign_in(&owner, "victim").await;

    // Changed with "sign out other devices" left off: both stay.
    let (status, _) = app
        .post(
            &owner,
            "/api/change_password",
            &[
                ("current_password", PASSWORD),
                ("password", "Chang3d-once!"),
                ("confirm_password", "Chang3d-once!"),
            ],
        )
        .await;
    assert_eq!(status, 302);
    assert!(signed_in(&app, &thief).await && signed_in(&app, &owner).await);

    // Ticked (as it is at first): the other session ends, this one goes on.
    app.post(
        &owner,
        "/api/change_password",
        &[
            ("current_password", "Chang3d-once!"),
            ("password", "Chang3d-twice!"),
            ("confirm_password", "Chang3d-twice!"),
            ("sign_out_others", "on"),
        ],
    )
    .await;
    assert!(!signed_in(&app, &thief).await, "the thief is signed out");
    assert!(signed_in(&app, &owner).await, "the owner stays signed in");
    let (_, html) = app.page(&thief, "/signin").await;
    assert!(
        html.contains("data-notice=\"notice.signed_out_elsewhere\""),
        "told why: {html}"
    );

    // A reset through these pages, by someone who is not signed in, ends every session.
    let resetter = browser();
    app.post(&resetter, "/api/forgot_password", &[("username", "victim")])
        .await;
    let code = app.last_code("victim").await;
    let (status, location) = app
        .post(
            &resetter,
            "/api/reset_password",
            &[
                ("code", &code),
                ("password", "Res3t-password!"),
                ("confirm_password", "Res3t-password!"),
            ],
        )
        .await;
    assert_eq!((status, location.as_str()), (302, "/signin"));
    assert!(
        !signed_in(&app, &owner).await,
        "reset ends the owner's old session"
    );

    // "Sign out everywhere" reaches this app's other sessions now, not at their next check.
    let (first, second) = (browser(), browser());
    for client in [&first, &second] {
        app.post(
            client,
            "/api/sign_in",
            &[("username", "victim"), ("password", "Res3t-password!")],
        )
        .await;
        assert!(signed_in(&app, client).await);
    }
    app.post(&first, "/api/sign_out_everywhere", &[]).await;
    assert!(!signed_in(&app, &second).await);
}

#[tokio::test]
async fn email_mfa_is_set_up_during_sign_in_with_the_address_the_user_types() {
    let app = start_with(PoolConfig {
        mfa: local_pool::config::MfaMode::On,
        mfa_factors: vec!["EMAIL_OTP".into()],
        ..PoolConfig::default()
    })
    .await;
    // Confirming the account signs in, and MFA must be set up first: by email, the only one.
    let client = browser();
    app.sign_up(&client, "mailer").await;
    let code = app.last_code("mailer").await;
    let (status, location) = app
        .post(&client, "/api/confirm_sign_up", &[("code", &code)])
        .await;
    assert_eq!((status, location.as_str()), (302, "/setup-email"));
    let (status, html) = app.page(&client, "/setup-email").await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"email\""), "{html}");
    // A malformed address is refused on the page; a good one gets a code.
    app.post(&client, "/api/setup_email", &[("email", "not-an-address")])
        .await;
    let (_, html) = app.page(&client, "/setup-email").await;
    assert!(
        html.contains("Enter a valid email address") && html.contains("aria-invalid=\"true\""),
        "{html}"
    );
    let (status, location) = app
        .post(
            &client,
            "/api/setup_email",
            &[("email", "Codes@Example.org")],
        )
        .await;
    assert_eq!((status, location.as_str()), (302, "/confirm-signin"));
    let (_, html) = app.page(&client, "/confirm-signin").await;
    assert!(html.contains("c***@e***.org"), "the masked address: {html}");
    let message = app
        .outbox_for("mailer")
        .await
        .into_iter()
        .last()
        .expect("a code");
    assert_eq!(message["destination"], "codes@example.org");
    let code = message["code"].as_str().unwrap().to_owned();
    let (status, location) = app
        .post(&client, "/api/confirm_sign_in", &[("code", &code)])
        .await;
    assert_eq!((status, location.as_str()), (302, "/account"));
    // The address is the account's now, verified, and the next sign-in asks for its code.
    let (_, html) = app.page(&client, "/account").await;
    assert!(html.contains("codes@example.org"), "{html}");
    let again = browser();
    let (_, location) = app
        .post(
            &again,
            "/api/sign_in",
            &[("username", "mailer"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(location, "/confirm-signin");
}

#[tokio::test]
async fn parallel_wrong_passwords_cannot_reach_cognitos_lockout() {
    let app = start().await;
    app.confirmed_user("racer").await;
    let mut answers = Vec::new();
    for name in ["racer", "nobody-racer"] {
        let posts = (0..10).map(|_| {
            let app = app.clone();
            async move {
                let client = browser();
                app.post(
                    &client,
                    "/api/sign_in",
                    &[("username", name), ("password", "Wrong-pass1!")],
                )
                .await;
                error_key(&app.page(&client, "/signin").await.1)
            }
        });
        let mut seen = futures::future::join_all(posts).await;
        seen.sort();
        answers.push(seen);
    }
    assert_eq!(
        answers[0], answers[1],
        "the answers tell the accounts apart"
    );
    assert!(!answers[0]
        .iter()
        .flatten()
        .any(|k| k == "error.too_many_attempts"));
    // And the real owner is not locked out by Cognito once the wait is over.
    app.clock.advance(901);
    assert_eq!(app.sign_in(&browser(), "racer").await, "/account");
}

#[tokio::test]
async fn an_embedders_own_widget_inputs_can_be_accepted() {
    use cognito_authenticator::server::AuthConfig;
    let pool = PoolConfig {
        print_outbox: false,
        ..PoolConfig::default()
    };
    let config = AuthConfig::local(None, pool).accept_form_inputs(["cf-turnstile-response"]);
    let app = serve_app(config, cognito_idp::Clock::system(), None).await;
    app.confirmed_user("widget").await;
    let client = browser();
    let (_, location) = app
        .post(
            &client,
            "/api/sign_in",
            &[
                ("username", "widget"),
                ("password", PASSWORD),
                ("cf-turnstile-response", "token"),
            ],
        )
        .await;
    assert_eq!(location, "/account");
    // Any other input still makes the post unreadable.
    let (status, location) = app
        .post(
            &browser(),
            "/api/sign_in",
            &[
                ("username", "widget"),
                ("password", PASSWORD),
                ("g-recaptcha-response", "token"),
            ],
        )
        .await;
    assert_eq!((status, location.as_str()), (303, "/signin"));
}

#[tokio::test]
async fn test_mode_is_refused_where_other_machines_reach_the_pages() {
    use cognito_authenticator::server::{routes, AuthConfig};
    let pool = PoolConfig {
        test_mode: Some(Default::default()),
        print_outbox: false,
        ..PoolConfig::default()
    };
    let config = AuthConfig::local(None, pool);
    let refused = routes::connect(
        config.clone(),
        "https://auth.example.com",
        cognito_idp::Clock::system(),
    )
    .await
    .err()
    .expect("refused");
    assert!(refused.contains("test mode"), "{refused}");
    assert!(routes::connect(
        config,
        "http://127.0.0.1:3000",
        cognito_idp::Clock::system()
    )
    .await
    .is_ok());
}
