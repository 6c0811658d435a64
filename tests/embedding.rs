//! Embedding: an app of its own with the pages mounted (`mount`, `provide_auth_context`), the
//! `CurrentUser` extractor, sign-up attributes and hooks checked by the server, and the
//! language of the pages.

mod common;
use axum::routing::get;
use cognito_authenticator::server::{mount, provide_auth_context, AuthConfig, CurrentUser};
use cognito_authenticator::{AppError, Locale};
use cognito_idp::Clock;
use common::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use local_pool::PoolConfig;
use reqwest::header::{ACCEPT, ACCEPT_LANGUAGE, SET_COOKIE};

async fn me(user: CurrentUser) -> String {
    let email = user.attribute("email").unwrap_or("-").to_owned();
    let given = user.attribute("given_name").unwrap_or("-").to_owned();
    format!("{} {email} {given}", user.username)
}

async fn maybe(user: Option<CurrentUser>) -> String {
    user.map_or("anonymous".to_owned(), |u| u.username.clone())
}

fn quiet_pool() -> PoolConfig {
    PoolConfig {
        print_outbox: false,
        ..PoolConfig::default()
    }
}

/// An embedder's router: its own handlers, the crate's pages, then `mount`.
async fn embedded(config: AuthConfig) -> App {
    serve_with(config, Clock::system(), None, |auth, options| {
        use cognito_authenticator::app::{shell, App};
        let shell_options = options.clone();
        let app = axum::Router::new()
            .route("/me", get(me))
            .route("/maybe", get(maybe))
            .leptos_routes_with_context(
                &options,
                generate_route_list(App),
                provide_auth_context,
                move || shell(shell_options.clone()),
            )
            .with_state(options);
        mount(app, &auth)
    })
    .await
}

#[tokio::test]
async fn the_current_user_extractor_sees_who_signed_in() {
    let app = embedded(AuthConfig::local(None, quiet_pool())).await;
    let client = browser();
    let (status, _) = app.page(&client, "/me").await;
    assert_eq!(status, 401);
    let (_, text) = app.page(&client, "/maybe").await;
    assert_eq!(text, "anonymous");

    app.sign_up(&client, "embedded1").await;
    let code = app.last_code("embedded1").await;
    let (status, location) = app
        .post(&client, "/api/confirm_sign_up", &[("code", &code)])
        .await;
    assert_eq!((status, location.as_str()), (302, "/account"));
    let (status, text) = app.page(&client, "/me").await;
    assert_eq!(
        (status, text.as_str()),
        (200, "embedded1 embedded1@example.com -")
    );
    let (_, text) = app.page(&client, "/maybe").await;
    assert_eq!(text, "embedded1");
}

#[tokio::test]
async fn sign_up_sends_the_attributes_the_form_asks_for() {
    use cognito_authenticator::{AuthOptions, FieldOptions, Screen};
    let options = AuthOptions::new()
        .sign_up_attributes(["email", "given_name", "custom:team"])
        .field(
            Screen::SignUp,
            "attributes[given_name]",
            FieldOptions::default().required(true),
        );
    let app = embedded(AuthConfig::local(None, quiet_pool()).with_auth_options(&options)).await;
    let client = browser();
    let base = [
        ("username", "attrs1"),
        ("password", PASSWORD),
        ("confirm_password", PASSWORD),
        ("email", "attrs1@example.com"),
    ];
    // An attribute Cognito does not know is refused before the pool is asked.
    let mut form = base.to_vec();
    form.push(("attributes[favourite_colour]", "blue"));
    let (status, location) = app.post(&client, "/api/sign_up", &form).await;
    assert_eq!((status, location.as_str()), (302, "/signup"));
    let (_, page) = app.page(&client, "/signup").await;
    assert!(
        page.contains("data-error=\"error.invalid_parameter\""),
        "{page}"
    );
    assert!(page.contains("favourite_colour"));
    // A field the form requires must be filled, whatever the post says about it.
    // (Each under a name of its own: a username's sign-up attempts are limited.)
    for (name, claimed) in [
        ("req1", None),
        ("req2", Some("")),
        ("req3", Some("username")),
    ] {
        let mut form = base.to_vec();
        form[0] = ("username", name);
        form.push(("attributes[given_name]", " "));
        if let Some(claimed) = claimed {
            form.push(("required_fields", claimed));
        }
        // (A post naming `required_fields`, which the form no longer has, is refused whole.)
        let (status, location) = app.post(&client, "/api/sign_up", &form).await;
        assert!(matches!(status, 302 | 303), "{claimed:?}: {status}");
        assert_eq!(location, "/signup", "{claimed:?}");
        assert!(app.outbox_for(name).await.is_empty(), "{claimed:?}");
    }
    // An attribute the form does not offer is refused, however real it is.
    for (name, smuggled) in [
        ("smuggle1", "attributes[custom:role]"),
        ("smuggle2", "attributes[phone_number]"),
        ("smuggle3", "attributes[name]"),
    ] {
        let mut form = base.to_vec();
        form[0] = ("username", name);
        form.extend([("attributes[given_name]", "Ann"), (smuggled, "admin")]);
        let (status, location) = app.post(&client, "/api/sign_up", &form).await;
        assert_eq!((status, location.as_str()), (302, "/signup"), "{smuggled}");
        let (_, page) = app.page(&client, "/signup").await;
        assert!(
            page.contains("data-error=\"error.invalid_parameter\""),
            "{smuggled}"
        );
        assert!(app.outbox_for(name).await.is_empty(), "{smuggled}");
    }
    // Standard and custom attributes reach the pool, and the verified token carries them.
    let mut form = base.to_vec();
    form.extend([
        ("attributes[given_name]", "Ann"),
        ("attributes[custom:team]", "blue"),
    ]);
    let (status, location) = app.post(&client, "/api/sign_up", &form).await;
    assert_eq!((status, location.as_str()), (302, "/confirm-signup"));
    let code = app.last_code("attrs1").await;
    app.post(&client, "/api/confirm_sign_up", &[("code", &code)])
        .await;
    let (_, text) = app.page(&client, "/me").await;
    assert_eq!(text, "attrs1 attrs1@example.com Ann");
}

#[tokio::test]
async fn the_servers_hooks_check_and_transform_submissions() {
    let config = AuthConfig::local(None, quiet_pool())
        .validate_sign_up(
            |values| match values.get("extra[terms]").map(String::as_str) {
                Some("yes") => Ok(()),
                _ => Err(AppError::invalid_value(
                    "extra[terms]",
                    "Please accept the terms.",
                )),
            },
        )
        .transform_submission(|_, values| {
            if let Some(email) = values.get_mut("email") {
                *email = email.to_lowercase();
            }
        });
    let app = embedded(config).await;
    let client = browser();
    let form = [
        ("username", "hooked1"),
        ("password", PASSWORD),
        ("confirm_password", PASSWORD),
        ("email", "Hooked1@Example.COM"),
    ];
    let (status, location) = app.post(&client, "/api/sign_up", &form).await;
    assert_eq!((status, location.as_str()), (302, "/signup"));
    let (_, page) = app.page(&client, "/signup").await;
    assert!(page.contains("Please accept the terms."), "{page}");
    // Nothing reached the pool.
    assert!(app.outbox_for("hooked1").await.is_empty());

    let mut accepted = form.to_vec();
    accepted.push(("extra[terms]", "yes"));
    let (status, location) = app.post(&client, "/api/sign_up", &accepted).await;
    assert_eq!((status, location.as_str()), (302, "/confirm-signup"));
    let sent = app.outbox_for("hooked1").await;
    assert_eq!(sent[0]["destination"], "hooked1@example.com");
}

#[tokio::test]
async fn pages_speak_the_visitors_language() {
    let app = embedded(AuthConfig::local(None, quiet_pool())).await;
    let client = browser();
    let german = client
        .get(app.url("/signin"))
        .header(ACCEPT, "text/html")
        .header(ACCEPT_LANGUAGE, "de-CH, fr;q=0.8")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(german.contains("<html lang=\"de\""), "{german}");
    assert!(german.contains("Bei Ihrem Konto anmelden"));
    // `?lang=` wins, and is remembered in an HttpOnly cookie.
    let japanese = client
        .get(app.url("/signin?lang=ja"))
        .header(ACCEPT_LANGUAGE, "de")
        .send()
        .await
        .unwrap();
    let cookie = japanese
        .headers()
        .get(SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.starts_with("ca_lang=ja;")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let page = japanese.text().await.unwrap();
    assert!(page.contains("<html lang=\"ja\"") && page.contains("アカウントにサインイン"));
    let (_, later) = app.page(&client, "/signup").await;
    assert!(later.contains("<html lang=\"ja\""));

    // A site offering only some languages falls back to its default.
    let config =
        AuthConfig::local(None, quiet_pool()).with_languages(&[Locale::Fr, Locale::Es], Locale::Fr);
    let site = embedded(config).await;
    let page = browser()
        .get(site.url("/signin"))
        .header(ACCEPT_LANGUAGE, "de, en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<html lang=\"fr\"") && page.contains("Connectez-vous à votre compte"));
}
