//! The app's token verifier against a pool's JWKS: keys are fetched once and cached, fetched
//! again when a token names an unknown key (rotation), and a key that left the set is refused.

use axum::routing::get;
use cognito_idp::jwt::{JwtError, JwtVerifier, TokenUse};
use cognito_idp::wire::{InitiateAuthRequest, JwkSet, SignUpRequest};
use cognito_idp::{Clock, Secret};
use local_pool::{LocalPool, PoolConfig};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const ISSUER_BASE: &str = "http://issuer.test";

/// A pool (with its own fresh signing keys) and an ID token it issued.
async fn pool_and_token(username: &str) -> (LocalPool, String) {
    let config = PoolConfig {
        print_outbox: false,
        auto_verified_attributes: Vec::new(),
        ..PoolConfig::default()
    };
    let client_id = config.default_client().client_id.clone();
    let pool = LocalPool::open(config, None, ISSUER_BASE, Clock::system())
        .await
        .unwrap();
    pool.sign_up(SignUpRequest {
        client_id: client_id.clone(),
        username: username.into(),
        password: Some(Secret::new("Corr3ct-horse!")),
        ..Default::default()
    })
    .await
    .unwrap();
    pool.admin_confirm_sign_up(cognito_idp::wire::AdminConfirmSignUpRequest(
        cognito_idp::wire::AdminUserRequest {
            user_pool_id: pool.config().pool_id.clone(),
            username: username.into(),
        },
    ))
    .await
    .unwrap();
    let answer = pool
        .initiate_auth(InitiateAuthRequest {
            auth_flow: "USER_PASSWORD_AUTH".into(),
            auth_parameters: [("USERNAME", username), ("PASSWORD", "Corr3ct-horse!")]
                .into_iter()
                .collect(),
            client_id,
            ..Default::default()
        })
        .await
        .unwrap();
    let token = answer
        .authentication_result
        .unwrap()
        .id_token
        .expose()
        .to_owned();
    (pool, token)
}

#[tokio::test]
async fn keys_are_cached_and_fetched_again_for_an_unknown_kid() {
    let (first_pool, first_token) = pool_and_token("ada").await;
    let (second_pool, second_token) = pool_and_token("bo").await;
    let served: Arc<Mutex<JwkSet>> = Arc::new(Mutex::new(first_pool.jwks()));
    let fetches = Arc::new(AtomicUsize::new(0));
    let app = {
        let (served, fetches) = (served.clone(), fetches.clone());
        axum::Router::new().route(
            "/jwks.json",
            get(move || {
                fetches.fetch_add(1, Ordering::SeqCst);
                let set = served.lock().unwrap().clone();
                async move { axum::Json(set) }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let jwks_url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let config = first_pool.config();
    let verifier = JwtVerifier::new(
        reqwest::Client::new(),
        jwks_url,
        format!("{ISSUER_BASE}/{}", config.pool_id),
        config.default_client().client_id.clone(),
    );
    let now = Clock::system().now();
    for _ in 0..3 {
        let claims = verifier
            .verify(&first_token, TokenUse::Id, now)
            .await
            .unwrap();
        assert_eq!(claims.str("cognito:username"), Some("ada"));
    }
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        1,
        "cached after the first fetch"
    );

    // The pool rotates its keys: a token signed with the new key triggers one more fetch.
    *served.lock().unwrap() = second_pool.jwks();
    let claims = verifier
        .verify(&second_token, TokenUse::Id, now)
        .await
        .unwrap();
    assert_eq!(claims.str("cognito:username"), Some("bo"));
    assert_eq!(fetches.load(Ordering::SeqCst), 2);

    // A token signed with a key no longer published is refused.
    assert!(matches!(
        verifier.verify(&first_token, TokenUse::Id, now).await,
        Err(JwtError::UnknownKey)
    ));
}
