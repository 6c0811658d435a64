//! The app's side of "Sign in with …": the callback accepts only a round trip its session
//! started, once; signs in with a new session id; and a forged callback changes nothing.

mod common;

use cognito_authenticator::server::AuthConfig;
use cognito_idp::Clock;
use common::*;
use local_pool::PoolConfig;
use reqwest::header::{LOCATION, SET_COOKIE};

async fn app() -> App {
    let pool = PoolConfig {
        print_outbox: false,
        ..PoolConfig::default()
    };
    let config = AuthConfig::local(None, pool)
        .with_identity_providers(["Google"], None)
        .unwrap();
    serve_app(config, Clock::system(), None).await
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| !c.starts_with("local_domain_session"))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

#[tokio::test]
async fn the_callback_signs_in_once_with_a_new_session_id() {
    let app = app().await;
    let visitor = browser();
    let started = visitor
        .get(app.url("/auth/federate"))
        .query(&[
            ("provider", "Google"),
            ("return_to", "/account?tab=security"),
        ])
        .send()
        .await
        .unwrap();
    let before = session_cookie(&started).expect("the round trip is kept in a session");
    let location = started.headers()[LOCATION].to_str().unwrap().to_owned();
    for needed in [
        "code_challenge_method=S256",
        "state=",
        "nonce=",
        "identity_provider=Google",
        "lang=en",
    ] {
        assert!(location.contains(needed), "{needed} in {location}");
    }
    assert!(
        !location.contains("verifier"),
        "the PKCE verifier stays on the server"
    );
    let callback = app.federate(&visitor, "Google", "jane@example.com").await;
    let back = visitor.get(&callback).send().await.unwrap();
    assert_eq!(back.status(), 303);
    assert_eq!(back.headers()[LOCATION], "/account");
    let after = session_cookie(&back).expect("a new session cookie at sign-in");
    assert_ne!(before, after, "the session id changes at sign-in");
    let account = visitor
        .get(app.url("/account"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(account.text().await.unwrap().contains("google_"));
    // The same callback again is refused and changes nothing: the visitor stays signed in.
    let replay = visitor.get(&callback).send().await.unwrap();
    assert_eq!(
        replay.headers()[LOCATION],
        "/signin?notice=federation_expired"
    );
    let still = visitor
        .get(app.url("/account"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(still.status(), 200);
}

#[tokio::test]
async fn a_forged_callback_makes_no_session_and_a_cancel_is_reported() {
    let app = app().await;
    let stranger = browser();
    let forged = stranger
        .get(app.url("/auth/callback?code=abc&state=forged"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.headers()[LOCATION],
        "/signin?notice=federation_expired"
    );
    assert!(
        session_cookie(&forged).is_none(),
        "no session is made for a forged callback"
    );
    // An unknown provider name is refused before anything leaves the site.
    let unknown = stranger
        .get(app.url("/auth/federate"))
        .query(&[("provider", "Evil")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        unknown.headers()[LOCATION],
        "/signin?notice=federation_failed"
    );
    // What a start keeps for a stranger lasts as long as the round trip may take.
    let start = stranger
        .get(app.url("/auth/federate"))
        .query(&[("provider", "Google")])
        .send()
        .await
        .unwrap();
    let cookie = start.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.contains("Max-Age=600"), "{cookie}");
    // The provider's error comes back with this session's state: "cancelled".
    let visitor = browser();
    let started = visitor
        .get(app.url("/auth/federate"))
        .query(&[("provider", "Google")])
        .send()
        .await
        .unwrap();
    let location = started.headers()[LOCATION].to_str().unwrap();
    let state = url::Url::parse(&format!(
        "{}{location}",
        if location.starts_with('/') {
            app.base.as_str()
        } else {
            ""
        }
    ))
    .unwrap()
    .query_pairs()
    .find(|(k, _)| k == "state")
    .unwrap()
    .1
    .into_owned();
    let cancelled = visitor
        .get(app.url(&format!("/auth/callback?error=access_denied&state={state}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        cancelled.headers()[LOCATION],
        "/signin?notice=federation_cancelled"
    );
}

#[tokio::test]
async fn a_sign_up_waiting_for_its_code_keeps_its_session_when_a_provider_is_tried() {
    let app = app().await;
    let visitor = browser();
    let form = [
        ("username", "gus"),
        ("password", PASSWORD),
        ("confirm_password", PASSWORD),
        ("email", "gus@example.com"),
        ("dial_code", "+1"),
        ("phone_number", ""),
    ];
    let (status, location) = app.post(&visitor, "/api/sign_up", &form).await;
    assert_eq!((status, location.as_str()), (302, "/confirm-signup"));
    let start = visitor
        .get(app.url("/auth/federate"))
        .query(&[("provider", "Google")])
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303);
    let shortened = start
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .any(|c| c.to_str().unwrap().contains("Max-Age=600"));
    assert!(
        !shortened,
        "the pending sign-up keeps its session's lifetime"
    );
    let (status, _) = app.page(&visitor, "/confirm-signup").await;
    assert_eq!(status, 200);
}
