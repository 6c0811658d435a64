//! The harness the pool's integration tests share: a pool served on a free loopback port, the
//! real client pointed at it, and helpers to read the outbox and unwrap answers.
#![allow(dead_code)]

use cognito_idp::wire::AttributeType;
use cognito_idp::{
    Clock, CognitoClient, Error, ErrorKind, Secret, SecretMap, SignInOutcome, UserPoolClient,
};
use local_pool::{totp, LocalPool, PoolConfig};
use serde_json::Value;
use std::time::Duration;

pub const PASSWORD: &str = "Corr3ct-horse!";
pub const NEW_PASSWORD: &str = "N3w-password!";

pub struct Harness {
    pub pool: LocalPool,
    pub client: UserPoolClient,
    pub clock: Clock,
    pub endpoint: String,
}

pub async fn start(config: PoolConfig) -> Harness {
    start_at(config, Clock::system()).await
}

pub async fn start_at(config: PoolConfig, clock: Clock) -> Harness {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let config = PoolConfig {
        print_outbox: false,
        ..config
    };
    let pool = LocalPool::open(config.clone(), None, &endpoint, clock.clone())
        .await
        .unwrap();
    let app =
        local_pool::server::router(pool.clone()).merge(local_pool::oauth::router(pool.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let transport = CognitoClient::new(&endpoint, Duration::from_secs(10));
    let client = UserPoolClient::new(
        transport,
        &config.pool_id,
        &config.default_client().client_id,
        config
            .default_client()
            .client_secret
            .clone()
            .map(Secret::new),
    )
    .with_clock(clock.clone());
    Harness {
        pool,
        client,
        clock,
        endpoint,
    }
}

/// The default pool with its app client changed by `change`.
pub fn with_client(change: impl FnOnce(&mut local_pool::config::AppClient)) -> PoolConfig {
    let mut config = PoolConfig::default();
    change(&mut config.clients[0]);
    config
}

pub fn kind(err: Error) -> (ErrorKind, String) {
    match err {
        Error::Service(e) => (e.kind, e.message),
        other => panic!("expected a service error, got {other:?}"),
    }
}

impl Harness {
    pub async fn sign_up(&self, username: &str) -> cognito_idp::wire::SignUpResponse {
        self.client
            .sign_up(
                username,
                &Secret::new(PASSWORD),
                vec![
                    AttributeType::new("email", format!("{username}@example.com")),
                    AttributeType::new("phone_number", "+15555550123"),
                ],
            )
            .await
            .unwrap()
    }

    pub async fn last_code(&self, username: &str) -> String {
        self.pool
            .outbox()
            .await
            .unwrap()
            .into_iter()
            .rev()
            .find(|m| m.username == username)
            .and_then(|m| m.code)
            .expect("a code in the outbox")
    }

    pub async fn confirmed_user(&self, username: &str) {
        self.sign_up(username).await;
        let code = self.last_code(username).await;
        self.client
            .confirm_sign_up(username, &Secret::new(code), None)
            .await
            .unwrap();
    }

    /// On a pool whose users sign in by email: signs `email` up and confirms it; returns the
    /// user's (uuid) username.
    pub async fn confirmed_by_email(&self, email: &str) -> String {
        self.client
            .sign_up(
                email,
                &Secret::new(PASSWORD),
                vec![AttributeType::new("email", email)],
            )
            .await
            .unwrap();
        let user = self
            .pool
            .store()
            .users_with_attribute("email", email)
            .await
            .unwrap()
            .remove(0);
        let code = self.last_code(&user.username).await;
        self.client
            .confirm_sign_up(email, &Secret::new(code), None)
            .await
            .unwrap();
        user.username
    }

    pub async fn sign_in(&self, username: &str) -> cognito_idp::wire::AuthenticationResult {
        match self
            .client
            .sign_in_srp(username, &Secret::new(PASSWORD))
            .await
            .unwrap()
        {
            SignInOutcome::SignedIn(result) => result,
            other => panic!("expected tokens, got {other:?}"),
        }
    }
}

pub fn challenge(outcome: SignInOutcome) -> (String, Option<Secret>, SecretMap) {
    match outcome {
        SignInOutcome::Challenge {
            name,
            session,
            parameters,
            ..
        } => (name, session, parameters),
        SignInOutcome::SignedIn(_) => panic!("expected a challenge, got tokens"),
    }
}

pub fn signed_in(outcome: SignInOutcome) -> cognito_idp::wire::AuthenticationResult {
    match outcome {
        SignInOutcome::SignedIn(tokens) => tokens,
        other => panic!("expected tokens, got {other:?}"),
    }
}

pub fn responses(pairs: &[(&str, &str)]) -> SecretMap {
    pairs.iter().map(|(k, v)| (*k, *v)).collect()
}

impl Harness {
    pub async fn admin(&self, operation: &str, body: Value) -> reqwest::Response {
        reqwest::Client::new()
            .post(format!("{}/", self.endpoint))
            .header("X-Amz-Target", format!("AWSCognitoIdentityProviderService.{operation}"))
            .header("Content-Type", "application/x-amz-json-1.1")
            .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261127/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0")
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn last_message(&self, username: &str) -> local_pool::OutboxMessage {
        self.pool
            .outbox()
            .await
            .unwrap()
            .into_iter()
            .rev()
            .find(|m| m.username == username)
            .expect("a message")
    }

    /// A confirmed user with a verified email and phone number.
    pub async fn user(&self, username: &str) -> cognito_idp::wire::AuthenticationResult {
        self.client
            .sign_up(
                username,
                &Secret::new(PASSWORD),
                vec![
                    AttributeType::new("email", format!("{username}@example.com")),
                    AttributeType::new("phone_number", "+15555550123"),
                ],
            )
            .await
            .unwrap();
        let code = self.last_message(username).await.code.unwrap();
        self.client
            .confirm_sign_up(username, &Secret::new(code), None)
            .await
            .unwrap();
        let tokens = signed_in(
            self.client
                .sign_in_srp(username, &Secret::new(PASSWORD))
                .await
                .unwrap(),
        );
        self.client
            .get_attribute_verification_code(&tokens.access_token, "phone_number")
            .await
            .unwrap();
        let code = self.last_message(username).await.code.unwrap();
        self.client
            .verify_attribute(&tokens.access_token, "phone_number", &Secret::new(code))
            .await
            .unwrap();
        tokens
    }

    pub fn totp_now(&self, secret: &str) -> String {
        totp::code_at(secret, self.clock.now() / totp::STEP_SECONDS).unwrap()
    }
}

/// The pool with its outbox and console, as the standalone command serves them.
pub async fn serve_tools(config: PoolConfig) -> (LocalPool, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let config = PoolConfig {
        print_outbox: false,
        ..config
    };
    let pool = LocalPool::open(config, None, &endpoint, cognito_idp::Clock::system())
        .await
        .unwrap();
    let app = local_pool::server::router(pool.clone())
        .nest("/local/outbox", local_pool::outbox::router(pool.clone()))
        .merge(local_pool::test_mode::router(pool.clone()))
        .merge(local_pool::console::router(pool.clone()));
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });
    (pool, endpoint)
}
