//! Trigger webhooks receive Cognito's events and their answers are honoured.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use cognito_idp::jwt::{JwtVerifier, TokenUse};
use cognito_idp::wire::AttributeType;
use cognito_idp::{Clock, CognitoClient, Error, ErrorKind, Secret, SignInOutcome, UserPoolClient};
use local_pool::config::Triggers;
use local_pool::{LocalPool, PoolConfig};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const PASSWORD: &str = "Corr3ct-horse!";
type Seen = Arc<Mutex<Vec<Value>>>;

fn record(seen: &Seen, event: &Value) {
    seen.lock().unwrap().push(event.clone());
}

async fn hooks() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app = Router::new()
        .route("/pre-sign-up", post(|State(seen): State<Seen>, Json(mut event): Json<Value>| async move {
            record(&seen, &event);
            let email = event["request"]["userAttributes"]["email"].as_str().unwrap_or_default().to_owned();
            if email.ends_with("@blocked.example") {
                return (StatusCode::BAD_REQUEST, "Sign-ups from this domain are closed").into_response();
            }
            event["response"] = json!({"autoConfirmUser": email.ends_with("@vip.example"), "autoVerifyEmail": email.ends_with("@vip.example")});
            Json(event).into_response()
        }))
        .route("/post-confirmation", post(|State(seen): State<Seen>, Json(event): Json<Value>| async move {
            record(&seen, &event);
            Json(event)
        }))
        .route("/pre-token", post(|State(seen): State<Seen>, Json(mut event): Json<Value>| async move {
            record(&seen, &event);
            event["response"] = json!({"claimsOverrideDetails": {"claimsToAddOrOverride": {"custom:tier": "gold", "sub": "forged"}, "claimsToSuppress": ["phone_number"]}});
            Json(event)
        }))
        .route("/custom-message", post(|Json(mut event): Json<Value>| async move {
            event["response"] = json!({"emailMessage": "Welcome aboard! Your code: {####}", "emailSubject": "Welcome"});
            Json(event)
        }))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, seen)
}

async fn pool(triggers: Triggers) -> (LocalPool, UserPoolClient) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let config = PoolConfig {
        print_outbox: false,
        triggers,
        ..PoolConfig::default()
    };
    let pool = LocalPool::open(config.clone(), None, &endpoint, Clock::system())
        .await
        .unwrap();
    let app = local_pool::server::router(pool.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = UserPoolClient::new(
        CognitoClient::new(&endpoint, Duration::from_secs(10)),
        &config.pool_id,
        &config.default_client().client_id,
        None,
    );
    (pool, client)
}

fn attributes(email: &str) -> Vec<AttributeType> {
    vec![
        AttributeType::new("email", email),
        AttributeType::new("phone_number", "+15555550123"),
    ]
}

#[tokio::test]
async fn pre_sign_up_confirms_or_refuses_and_post_confirmation_hears_of_it() {
    let (base, seen) = hooks().await;
    let (pool, client) = pool(Triggers {
        pre_sign_up: Some(format!("{base}/pre-sign-up")),
        post_confirmation: Some(format!("{base}/post-confirmation")),
        ..Triggers::default()
    })
    .await;

    match client
        .sign_up(
            "blocked",
            &Secret::new(PASSWORD),
            attributes("x@blocked.example"),
        )
        .await
        .unwrap_err()
    {
        Error::Service(e) => {
            assert_eq!(e.kind, ErrorKind::UserLambdaValidation);
            assert_eq!(
                e.message,
                "PreSignUp failed with error Sign-ups from this domain are closed."
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        pool.store().user("blocked").await.unwrap().is_none(),
        "a refused sign-up creates nobody"
    );

    let vip = client
        .sign_up("vip", &Secret::new(PASSWORD), attributes("v@vip.example"))
        .await
        .unwrap();
    assert!(vip.user_confirmed);
    assert!(vip.code_delivery_details.is_none());
    let tokens = client
        .sign_in_with_confirmation_session("vip", vip.session.unwrap())
        .await
        .unwrap();
    assert!(
        matches!(tokens, SignInOutcome::SignedIn(_)),
        "auto-confirmed users sign in straight away"
    );

    client
        .sign_up("plain", &Secret::new(PASSWORD), attributes("p@example.com"))
        .await
        .unwrap();
    let code = pool
        .outbox()
        .await
        .unwrap()
        .last()
        .unwrap()
        .code
        .clone()
        .unwrap();
    client
        .confirm_sign_up("plain", &Secret::new(code), None)
        .await
        .unwrap();

    let events = seen.lock().unwrap().clone();
    let sources: Vec<&str> = events
        .iter()
        .filter_map(|e| e["triggerSource"].as_str())
        .collect();
    assert_eq!(
        sources,
        vec![
            "PreSignUp_SignUp",
            "PreSignUp_SignUp",
            "PostConfirmation_ConfirmSignUp",
            "PreSignUp_SignUp",
            "PostConfirmation_ConfirmSignUp"
        ]
    );
    let last = events.last().unwrap();
    assert_eq!(last["userPoolId"], "us-east-1_LocalPool");
    assert_eq!(last["userName"], "plain");
    assert_eq!(
        last["callerContext"]["clientId"],
        "localclient0000000000000001"
    );
    assert_eq!(last["request"]["userAttributes"]["email"], "p@example.com");
}

#[tokio::test]
async fn built_in_rule_confirms_by_email_domain() {
    let (_, client) = pool(Triggers {
        auto_confirm_email_domains: vec!["trusted.example".into()],
        ..Triggers::default()
    })
    .await;
    assert!(
        client
            .sign_up(
                "trusted",
                &Secret::new(PASSWORD),
                attributes("t@Trusted.example")
            )
            .await
            .unwrap()
            .user_confirmed
    );
    assert!(
        !client
            .sign_up("other", &Secret::new(PASSWORD), attributes("o@example.com"))
            .await
            .unwrap()
            .user_confirmed
    );
}

#[tokio::test]
async fn pre_token_generation_and_custom_messages() {
    let (base, _) = hooks().await;
    let (pool, client) = pool(Triggers {
        pre_token_generation: Some(format!("{base}/pre-token")),
        custom_message: Some(format!("{base}/custom-message")),
        ..Triggers::default()
    })
    .await;
    client
        .sign_up(
            "tina",
            &Secret::new(PASSWORD),
            attributes("tina@example.com"),
        )
        .await
        .unwrap();
    let message = pool.outbox().await.unwrap().last().unwrap().clone();
    let code = message.code.clone().unwrap();
    assert_eq!(
        message.message,
        format!("Welcome aboard! Your code: {code}")
    );
    client
        .confirm_sign_up("tina", &Secret::new(code), None)
        .await
        .unwrap();
    let SignInOutcome::SignedIn(tokens) = client
        .sign_in_srp("tina", &Secret::new(PASSWORD))
        .await
        .unwrap()
    else {
        panic!("expected tokens");
    };
    let verifier = JwtVerifier::new(
        reqwest::Client::new(),
        client.jwks_url(),
        client.issuer(),
        client.client_id.clone(),
    );
    let claims = verifier
        .verify(
            tokens.id_token.expose(),
            TokenUse::Id,
            Clock::system().now(),
        )
        .await
        .unwrap();
    assert_eq!(claims.str("custom:tier"), Some("gold"));
    assert!(claims.str("phone_number").is_none(), "suppressed");
    assert_ne!(claims.str("sub"), Some("forged"), "protected claims stay");
    // Refreshed tokens go through the trigger too.
    let refreshed = client
        .get_tokens_from_refresh_token(tokens.refresh_token.as_ref().unwrap(), None)
        .await
        .unwrap();
    let claims = verifier
        .verify(
            refreshed.id_token.expose(),
            TokenUse::Id,
            Clock::system().now(),
        )
        .await
        .unwrap();
    assert_eq!(claims.str("custom:tier"), Some("gold"));
}
