//! Builds the app: the Cognito backend (or the embedded local pool), sessions, security layers,
//! the Leptos routes and server functions.

use super::context::{Auth, AuthInner};
use super::security;
use super::session_store::AppSessionStore;
use super::{AuthConfig, Backend};
use crate::app::{shell, App};
use axum::Router;
use cognito_idp::jwt::JwtVerifier;
use cognito_idp::{Clock, CognitoClient, Secret, UserPoolClient};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use local_pool::{LocalPool, Pools};
use std::sync::Arc;
use tower_http::limit::RequestBodyLimitLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Where the embedded pool is mounted.
pub const LOCAL_POOL_PATH: &str = "/local/cognito";
pub const LOCAL_OUTBOX_PATH: &str = "/local/outbox";
/// Forms are small; anything larger is refused before it is read.
const BODY_LIMIT: usize = 64 * 1024;

/// Connects to the configured pool. `public_base` is this server's own URL
/// (`http://127.0.0.1:3000`), where the embedded pool is reachable.
pub async fn connect(config: AuthConfig, public_base: &str, clock: Clock) -> Result<Auth, String> {
    let (pool_id, client_id, client_secret, endpoint, local_pool) = match &config.backend {
        Backend::Local { data_dir, pool } => {
            let endpoint = format!("{}{LOCAL_POOL_PATH}", public_base.trim_end_matches('/'));
            let local = LocalPool::open(
                (**pool).clone(),
                data_dir.as_deref(),
                &endpoint,
                clock.clone(),
            )
            .await?;
            let local = Pools::open(local, &endpoint, data_dir.clone(), clock.clone()).await?;
            (
                pool.pool_id.clone(),
                pool.default_client().client_id.clone(),
                pool.default_client().client_secret.clone(),
                endpoint,
                Some(local),
            )
        }
        Backend::Cognito {
            pool_id,
            client_id,
            client_secret,
            endpoint,
        } => (
            pool_id.clone(),
            client_id.clone(),
            client_secret.clone(),
            endpoint.clone(),
            None,
        ),
    };
    let transport = CognitoClient::new(endpoint, config.request_timeout);
    let cognito = UserPoolClient::new(
        transport.clone(),
        pool_id,
        client_id.clone(),
        client_secret.map(Secret::new),
    )
    .with_clock(clock.clone());
    let verifier = JwtVerifier::new(
        transport.http().clone(),
        cognito.jwks_url(),
        cognito.issuer(),
        client_id,
    );
    let sessions = AppSessionStore::open(&config.session_store).await?;
    Ok(Auth::new(AuthInner {
        limits: super::limits::Limits::with_scale(config.attempt_limit_scale),
        config,
        cognito,
        verifier,
        clock,
        local_pool,
        sessions,
        refreshes: Default::default(),
    }))
}

/// The whole app as an axum router.
pub fn router(auth: Auth, leptos_options: LeptosOptions) -> Router {
    let routes = generate_route_list(App);
    let context_auth = auth.clone();
    let shell_options = leptos_options.clone();
    let session_layer = SessionManagerLayer::new(auth.sessions.clone())
        .with_name(auth.config.cookie_name())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(auth.config.secure_cookies)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
            auth.config.session_idle_secs,
        )));
    let allowed_origins = Arc::new(auth.config.allowed_origins.clone());
    let app = Router::new()
        .leptos_routes_with_context(
            &leptos_options,
            routes,
            move || {
                provide_context(context_auth.clone());
                security::provide_request_nonce();
            },
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(leptos_options)
        .layer(axum::middleware::from_fn_with_state(
            allowed_origins,
            security::reject_cross_site,
        ))
        .layer(session_layer)
        .layer(axum::middleware::from_fn(explain_store_failures));
    let app = match &auth.local_pool {
        // The pool's endpoint is for SDKs (CORS, no cookies), so it sits outside the app's layers.
        Some(pool) => app
            .merge(local_pool::server::mounted(LOCAL_POOL_PATH, pool.clone()))
            .nest(LOCAL_OUTBOX_PATH, local_pool::outbox::router(pool.clone()))
            .merge(local_pool::console::router(pool.clone())),
        None => app,
    };
    let https = auth.config.secure_cookies;
    app.route("/healthz", axum::routing::get(health).with_state(auth))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            https,
            security::security_headers,
        ))
}

/// The session layer answers a bare 500 when the store fails to save (Redis gone, disk
/// full); say what happened and that trying again is fine.
async fn explain_store_failures(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let response = next.run(request).await;
    let bare = response.status() == axum::http::StatusCode::INTERNAL_SERVER_ERROR
        && axum::body::HttpBody::size_hint(response.body()).exact() == Some(0);
    if !bare {
        return response;
    }
    (
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        [(axum::http::header::RETRY_AFTER, "5")],
        axum::response::Html(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Please try again</title></head>\
<body><main><h1>Please try again</h1><p role=\"alert\">We could not save your session just now. Nothing was lost; please try again in a moment.</p>\
<p><a href=\"/signin\">Back to sign in</a></p></main></body></html>",
        ),
    )
        .into_response()
}

/// `GET /healthz`: 200 when the session store answers and the pool's signing keys can be
/// fetched, else 503 naming what failed (for load balancers and monitors).
async fn health(
    axum::extract::State(auth): axum::extract::State<Auth>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let store = auth.sessions.check().await;
    let jwks = auth.verifier.check_keys().await;
    let status = |result: &Result<(), String>| match result {
        Ok(()) => "ok".to_owned(),
        Err(problem) => problem.clone(),
    };
    let body = serde_json::json!({
        "session_store": status(&store),
        "session_store_kind": auth.sessions.kind(),
        "jwks": status(&jwks),
    });
    let code = if store.is_ok() && jwks.is_ok() {
        axum::http::StatusCode::OK
    } else {
        tracing::warn!(%body, "health check failed");
        axum::http::StatusCode::SERVICE_UNAVAILABLE
    };
    (code, axum::Json(body)).into_response()
}
