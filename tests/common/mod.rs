//! The harness the app's integration tests share: the app served in-process on a free loopback
//! port, driven like a browser without JavaScript (form posts with `Accept: text/html`,
//! redirects, a cookie jar); optionally in front of a standalone pool reached through a proxy
//! that counts calls and injects faults.
#![allow(dead_code)]

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cognito_authenticator::server::session_store::SessionStoreUrl;
use cognito_authenticator::server::{routes, Auth, AuthConfig, Backend};
use cognito_idp::Clock;
use leptos::prelude::LeptosOptions;
use local_pool::{LocalPool, PoolConfig};
use reqwest::header::{ACCEPT, LOCATION, ORIGIN};
use reqwest::redirect::Policy;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub const PASSWORD: &str = "Corr3ct-horse!";

#[derive(Clone)]
pub struct App {
    pub base: String,
    pub clock: Clock,
    pub browser: reqwest::Client,
    /// Where the pool's outbox is (the app's own, or the standalone pool's).
    pub outbox: String,
}

impl App {
    /// A server already running at `base` on its embedded pool.
    pub fn at(base: &str) -> App {
        App {
            base: base.trim_end_matches('/').to_owned(),
            clock: Clock::system(),
            browser: browser(),
            outbox: format!("{}/local/outbox", base.trim_end_matches('/')),
        }
    }
}

pub async fn start() -> App {
    start_with(PoolConfig::default()).await
}

/// The app on its embedded pool.
pub async fn start_with(pool: PoolConfig) -> App {
    let pool = PoolConfig {
        print_outbox: false,
        ..pool
    };
    serve_app(AuthConfig::local(None, pool), Clock::system(), None).await
}

/// Serves the app for `config`; `outbox` defaults to the app's own `/local/outbox`.
pub async fn serve_app(config: AuthConfig, clock: Clock, outbox: Option<String>) -> App {
    serve_with(config, clock, outbox, routes::router).await
}

/// Serves what `build` makes of the connected service, like [`serve_app`] does the hosted app.
pub async fn serve_with(
    config: AuthConfig,
    clock: Clock,
    outbox: Option<String>,
    build: impl FnOnce(Auth, LeptosOptions) -> axum::Router,
) -> App {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let auth = routes::connect(config, &base, clock.clone()).await.unwrap();
    let options = LeptosOptions::builder()
        .output_name(Arc::from("cognito-authenticator"))
        .site_root(Arc::from("target/site"))
        .site_addr(addr)
        .build();
    let app = build(auth, options);
    tokio::spawn(async move {
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, app).await.unwrap()
    });
    App {
        browser: browser(),
        outbox: outbox.unwrap_or_else(|| format!("{base}/local/outbox")),
        base,
        clock,
    }
}

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        // A request the app never answers fails its test with the request's URL, instead of
        // hanging the whole run.
        .timeout(std::time::Duration::from_secs(60))
        .redirect(Policy::none())
        .build()
        .unwrap()
}

impl App {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A form post as a browser without JavaScript sends it; returns (status, Location).
    pub async fn post(
        &self,
        client: &reqwest::Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> (u16, String) {
        let response = client
            .post(self.url(path))
            .header(ACCEPT, "text/html")
            .header(ORIGIN, &self.base)
            .form(form)
            .send()
            .await
            .unwrap();
        let location = response
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (response.status().as_u16(), location)
    }

    pub async fn page(&self, client: &reqwest::Client, path: &str) -> (u16, String) {
        let response = client
            .get(self.url(path))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// Every outbox message to `username`, oldest first.
    pub async fn outbox_for(&self, username: &str) -> Vec<serde_json::Value> {
        let messages: Vec<serde_json::Value> = self
            .browser
            .get(&self.outbox)
            .header(ACCEPT, "application/json")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        messages
            .into_iter()
            .filter(|m| m["username"] == username)
            .collect()
    }

    pub async fn last_code(&self, username: &str) -> String {
        self.outbox_for(username)
            .await
            .iter()
            .rev()
            .find_map(|m| m["code"].as_str().map(str::to_owned))
            .expect("a code for the user")
    }

    pub async fn sign_up(&self, client: &reqwest::Client, username: &str) {
        let email = format!("{username}@example.com");
        let (status, location) = self
            .post(
                client,
                "/api/sign_up",
                &[
                    ("username", username),
                    ("password", PASSWORD),
                    ("confirm_password", PASSWORD),
                    ("email", &email),
                    ("dial_code", "+1"),
                    ("phone_number", ""),
                ],
            )
            .await;
        assert_eq!((status, location.as_str()), (302, "/confirm-signup"));
    }

    /// Signs up, confirms (which signs in) and signs out, leaving a confirmed user.
    pub async fn confirmed_user(&self, username: &str) {
        let client = browser();
        self.sign_up(&client, username).await;
        let code = self.last_code(username).await;
        let (status, location) = self
            .post(&client, "/api/confirm_sign_up", &[("code", &code)])
            .await;
        assert_eq!((status, location.as_str()), (302, "/account"));
    }

    /// Signs in with the password; returns where the app sent the browser.
    pub async fn sign_in(&self, client: &reqwest::Client, username: &str) -> String {
        let (status, location) = self
            .post(
                client,
                "/api/sign_in",
                &[("username", username), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(status, 302);
        location
    }
}

/// What the proxy in front of the pool does with each call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Fault {
    None = 0,
    /// `500` with an HTML body.
    ServerError = 1,
    /// `TooManyRequestsException`.
    Throttle = 2,
    /// `200` with a body that is not JSON.
    Malformed = 3,
    /// Never answers (until the client's timeout).
    Hang = 4,
}

impl Fault {
    fn from_u8(value: u8) -> Self {
        [
            Self::ServerError,
            Self::Throttle,
            Self::Malformed,
            Self::Hang,
        ]
        .into_iter()
        .find(|fault| *fault as u8 == value)
        .unwrap_or(Self::None)
    }
}

/// A standalone pool behind a proxy that counts calls and can fail them.
pub struct PoolBehindProxy {
    pub pool: LocalPool,
    pub pool_url: String,
    pub proxy_url: String,
    fault: Arc<AtomicU8>,
    calls: Arc<Mutex<Vec<String>>>,
    refreshes: Arc<AtomicUsize>,
}

#[derive(Clone)]
struct ProxyState {
    pool_url: String,
    fault: Arc<AtomicU8>,
    calls: Arc<Mutex<Vec<String>>>,
    refreshes: Arc<AtomicUsize>,
    http: reqwest::Client,
}

impl PoolBehindProxy {
    pub async fn start(config: PoolConfig, clock: Clock) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let pool_url = format!("http://{}", listener.local_addr().unwrap());
        let proxy_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy_url = format!("http://{}", proxy_listener.local_addr().unwrap());
        let config = PoolConfig {
            print_outbox: false,
            ..config
        };
        // Tokens name the proxy as issuer, since that is the endpoint the app knows.
        let pool = LocalPool::open(config, None, &proxy_url, clock)
            .await
            .unwrap();
        let app = local_pool::server::router(pool.clone())
            .nest("/local/outbox", local_pool::outbox::router(pool.clone()));
        tokio::spawn(async move {
            let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, app).await.unwrap()
        });
        let fault = Arc::new(AtomicU8::new(Fault::None as u8));
        let calls = Arc::new(Mutex::new(Vec::new()));
        let refreshes = Arc::new(AtomicUsize::new(0));
        let state = ProxyState {
            pool_url: pool_url.clone(),
            fault: fault.clone(),
            calls: calls.clone(),
            refreshes: refreshes.clone(),
            http: reqwest::Client::new(),
        };
        let proxy = axum::Router::new().fallback(forward).with_state(state);
        tokio::spawn(async move { axum::serve(proxy_listener, proxy).await.unwrap() });
        Self {
            pool,
            pool_url,
            proxy_url,
            fault,
            calls,
            refreshes,
        }
    }

    /// An app configuration that talks to this pool as if it were Cognito.
    pub fn app_config(&self) -> AuthConfig {
        let pool = self.pool.config();
        let mut config = AuthConfig::local(None, (*pool).clone());
        config.backend = Backend::Cognito {
            pool_id: pool.pool_id.clone(),
            client_id: pool.default_client().client_id.clone(),
            client_secret: None,
            endpoint: self.proxy_url.clone(),
        };
        config.request_timeout = std::time::Duration::from_secs(2);
        config
    }

    pub async fn app(&self, clock: Clock, store: SessionStoreUrl) -> App {
        let mut config = self.app_config();
        config.session_store = store;
        serve_app(
            config,
            clock,
            Some(format!("{}/local/outbox", self.pool_url)),
        )
        .await
    }

    pub fn fail_with(&self, fault: Fault) {
        self.fault.store(fault as u8, Ordering::SeqCst);
    }

    /// `X-Amz-Target` operations seen so far (after the fault, if any, was applied).
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }

    pub fn refreshes(&self) -> usize {
        self.refreshes.load(Ordering::SeqCst)
    }
}

async fn forward(
    State(state): State<ProxyState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let operation = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix("AWSCognitoIdentityProviderService."))
        .unwrap_or("GET")
        .to_owned();
    state.calls.lock().unwrap().push(operation.clone());
    let refresh_auth =
        operation == "InitiateAuth" && body.windows(18).any(|w| w == b"REFRESH_TOKEN_AUTH");
    if refresh_auth || operation == "GetTokensFromRefreshToken" {
        state.refreshes.fetch_add(1, Ordering::SeqCst);
    }
    let fault = Fault::from_u8(state.fault.load(Ordering::SeqCst));
    if operation != "GET" {
        match fault {
            Fault::ServerError => {
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "<html>Internal Server Error</html>",
                )
                    .into_response()
            }
            Fault::Throttle => {
                return (
                    StatusCode::BAD_REQUEST,
                    [("content-type", "application/x-amz-json-1.1")],
                    r#"{"__type":"TooManyRequestsException","message":"Rate exceeded"}"#,
                )
                    .into_response()
            }
            Fault::Malformed => {
                return (
                    StatusCode::OK,
                    [("content-type", "application/x-amz-json-1.1")],
                    "{not json",
                )
                    .into_response()
            }
            Fault::Hang => {
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            }
            Fault::None => {}
        }
    }
    let mut request = state
        .http
        .request(method, format!("{}{}", state.pool_url, uri))
        .body(body);
    for name in ["x-amz-target", "content-type", "authorization"] {
        if let Some(value) = headers.get(name) {
            request = request.header(name, value);
        }
    }
    match request.send().await {
        Ok(answer) => {
            let status = answer.status();
            let content_type = answer
                .headers()
                .get("content-type")
                .cloned()
                .unwrap_or_else(|| "application/json".parse().unwrap());
            let bytes = answer.bytes().await.unwrap_or_default();
            (status, [("content-type", content_type)], bytes).into_response()
        }
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}

impl App {
    /// "Sign in with `provider`" as a browser without JavaScript does it, through the embedded
    /// pool's test provider as `email`: returns the app's callback URL the browser is sent to
    /// (not yet followed).
    pub async fn federate(&self, visitor: &reqwest::Client, provider: &str, email: &str) -> String {
        let follow = |response: &reqwest::Response| {
            let location = response.headers()[LOCATION].to_str().unwrap();
            if location.starts_with('/') {
                format!("{}{location}", self.base)
            } else {
                location.to_owned()
            }
        };
        let started = visitor
            .get(self.url("/auth/federate"))
            .query(&[("provider", provider)])
            .send()
            .await
            .unwrap();
        assert_eq!(started.status(), StatusCode::SEE_OTHER, "federate");
        let authorized = visitor.get(follow(&started)).send().await.unwrap();
        assert_eq!(authorized.status(), StatusCode::FOUND, "authorize");
        let next = follow(&authorized);
        if next.contains("/auth/callback?") {
            // The domain remembered this browser.
            return next;
        }
        let request = url::Url::parse(&next)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "request")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        let chosen = visitor
            .post(next.split('?').next().unwrap())
            .header(ORIGIN, &self.base)
            .form(&[
                ("request", request.as_str()),
                ("action", "continue"),
                ("email", email),
                ("name", "Test Person"),
                ("email_verified", "true"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(chosen.status(), StatusCode::FOUND, "test provider");
        follow(&chosen)
    }
}
