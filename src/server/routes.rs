//! Builds the app: the Cognito backend (or the embedded local pool), sessions, security layers,
//! the Leptos routes and server functions.

use super::context::{Auth, AuthInner};
use super::security;
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
use tower_sessions::{Expiry, MemoryStore, SessionManagerLayer};

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
    Ok(Auth::new(AuthInner {
        config,
        cognito,
        verifier,
        clock,
        local_pool,
    }))
}

/// The whole app as an axum router.
pub fn router(auth: Auth, leptos_options: LeptosOptions) -> Router {
    let routes = generate_route_list(App);
    let context_auth = auth.clone();
    let shell_options = leptos_options.clone();
    let session_layer = SessionManagerLayer::new(MemoryStore::default())
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
            move || provide_context(context_auth.clone()),
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(leptos_options)
        .layer(axum::middleware::from_fn_with_state(
            allowed_origins,
            security::reject_cross_site,
        ))
        .layer(session_layer);
    let app = match &auth.local_pool {
        // The pool's endpoint is for SDKs (CORS, no cookies), so it sits outside the app's layers.
        Some(pool) => app
            .merge(local_pool::server::mounted(LOCAL_POOL_PATH, pool.clone()))
            .nest(LOCAL_OUTBOX_PATH, local_pool::outbox::router(pool.clone()))
            .merge(local_pool::console::router(pool.clone())),
        None => app,
    };
    app.layer(RequestBodyLimitLayer::new(BODY_LIMIT))
}
