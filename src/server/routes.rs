//! Builds the app: the Cognito backend (or the embedded local pool), sessions, security layers,
//! the Leptos routes and server functions.

use super::context::{Auth, AuthInner, Ctx};
use super::security;
use super::session_store::AppSessionStore;
use super::{AuthConfig, Backend};
use crate::app::{shell, App};
use crate::flow::Step;
use crate::ui::i18n::{bundled, Locale, LOCALE_COOKIE};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
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
pub async fn connect(
    mut config: AuthConfig,
    public_base: &str,
    clock: Clock,
) -> Result<Auth, String> {
    if let Backend::Local { pool, .. } = &config.backend {
        let test_mode =
            pool.test_mode.is_some() || pool.pools.iter().any(|p| p.test_mode.is_some());
        let on_this_machine = url::Url::parse(public_base)
            .is_ok_and(|url| matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")));
        if test_mode && !on_this_machine {
            return Err(format!(
                "the embedded pool is in test mode (known codes), only for end-to-end tests on this machine, and {public_base} is not a loopback address"
            ));
        }
    }
    if let (Some(federation), Backend::Local { pool, .. }) =
        (config.federation.as_mut(), &mut config.backend)
    {
        federate_locally(federation, pool, public_base);
    }
    let (pool_id, client_id, client_secret, endpoint, local_pool) = match &config.backend {
        Backend::Local { data_dir, pool } => {
            let endpoint = format!("{}{LOCAL_POOL_PATH}", public_base.trim_end_matches('/'));
            if let Some(test_mode) = &pool.test_mode {
                tracing::warn!(
                    code = %test_mode.code,
                    "the embedded pool is in test mode: every code it sends is known; never use it for real accounts"
                );
            }
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
    // Instances that share sessions share their attempt counts too.
    let limits = match sessions.redis_connection() {
        Some(connection) => super::limits::Limits::shared(config.attempt_limit_scale, connection),
        None => super::limits::Limits::with_scale(config.attempt_limit_scale),
    };
    Ok(Auth::new(AuthInner {
        limits,
        config,
        cognito,
        verifier,
        clock,
        local_pool,
        sessions,
        refreshes: Default::default(),
    }))
}

/// The whole hosted app as an axum router.
pub fn router(auth: Auth, leptos_options: LeptosOptions) -> Router {
    let routes = generate_route_list(App);
    let shell_options = leptos_options.clone();
    let app = Router::new()
        .leptos_routes_with_context(&leptos_options, routes, provide_auth_context, move || {
            shell(shell_options.clone())
        })
        // The not-found page needs the same context as the others (its CSP nonce above all).
        .fallback(leptos_axum::file_and_error_handler_with_context(
            provide_auth_context,
            shell,
        ))
        .with_state(leptos_options);
    // Pages compressed (their stylesheet is inline, so the HTML is most of what a first visit
    // loads); the browser files are served precompressed already.
    let html = |_: axum::http::StatusCode,
                _: axum::http::Version,
                headers: &axum::http::HeaderMap,
                _: &axum::http::Extensions| {
        headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"))
    };
    let compression = tower_http::compression::CompressionLayer::new().compress_when(
        tower_http::compression::predicate::Predicate::and(
            tower_http::compression::predicate::DefaultPredicate::new(),
            html,
        ),
    );
    mount(app, &auth).layer(compression)
}

/// What every render and server function of a request needs: call it as the
/// `additional_context` of `leptos_routes_with_context` (the hosted app does). It provides the
/// [`Auth`] service, the page's CSP nonce and the visitor's language. Also give it to
/// `file_and_error_handler_with_context`, so the not-found page gets the nonce too.
pub fn provide_auth_context() {
    // Without a request there is nothing to render (that handler serving a static file).
    let Some(parts) = use_context::<axum::http::request::Parts>() else {
        return;
    };
    let Some(auth) = parts.extensions.get::<Auth>().cloned() else {
        tracing::error!("provide_auth_context: the request did not pass through mount()");
        return;
    };
    security::provide_request_nonce();
    provide_context(request_locale(&auth, &parts));
    provide_context(auth);
}

/// The visitor's language: `?lang=` (remembered in a cookie), the cookie, `Accept-Language`.
pub(crate) fn request_locale(auth: &Auth, parts: &axum::http::request::Parts) -> Locale {
    let query = parts.uri.query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v.into_owned())
    });
    let cookie = parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(LOCALE_COOKIE)?.strip_prefix('='))
        .map(str::to_owned);
    let accept = parts
        .headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let config = &auth.config;
    let locale = Locale::negotiate(
        query.as_deref(),
        cookie.as_deref(),
        accept,
        &config.languages,
        config.default_language,
    );
    // An explicit choice is remembered for the next pages.
    if query.as_deref().and_then(Locale::from_tag) == Some(locale) {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            let secure = if config.secure_cookies {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax{secure}",
                locale.tag()
            );
            if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
                response.append_header(axum::http::header::SET_COOKIE, value);
            }
        }
    }
    locale
}

/// Adds what the sign-in pages need to an app's router: the [`Auth`] service for
/// [`provide_auth_context`] and the `CurrentUser` extractor, the session layer, the origin
/// check on posts, security headers, a body limit, `/healthz`, the stylesheet at
/// [`STYLESHEET_PATH`] and, on the embedded pool, the pool with its outbox and console.
///
/// ```no_run
/// use cognito_authenticator::server::{connect, mount, provide_auth_context, AuthConfig, Clock};
/// use leptos::prelude::*;
/// use leptos_axum::{generate_route_list, LeptosRoutes};
///
/// # #[component] fn App() -> impl IntoView { () }
/// # fn shell(_: LeptosOptions) -> impl IntoView { view! { <App /> } }
/// # async fn run(options: LeptosOptions) -> Result<(), String> {
/// let config = AuthConfig::from_env()
///     .map_err(|problems| problems.join("; "))?
///     .with_totp_issuer("Example Inc.");
/// let auth = connect(config, "http://127.0.0.1:3000", Clock::system()).await?;
/// let routes = generate_route_list(App);
/// let app = axum::Router::new()
///     .leptos_routes_with_context(&options, routes, provide_auth_context, {
///         let options = options.clone();
///         move || shell(options.clone())
///     })
///     .with_state(options);
/// let app = mount(app, &auth);
/// # let _ = app;
/// # Ok(())
/// # }
/// ```
pub fn mount(app: Router, auth: &Auth) -> Router {
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
    let app = app
        .route(STYLESHEET_PATH, axum::routing::get(stylesheet))
        .route(
            crate::steps::passkey::PASSKEY_SCRIPT_PATH,
            axum::routing::get(passkey_script),
        )
        .route(
            super::federation::FEDERATE_PATH,
            axum::routing::get(super::federation::start),
        )
        .route(
            super::federation::CALLBACK_PATH,
            axum::routing::get(super::federation::callback),
        )
        // Inside the cross-site check: a refused post is never read.
        .layer(axum::middleware::from_fn(super::forms::unreadable_forms))
        .layer(axum::middleware::from_fn_with_state(
            allowed_origins,
            security::reject_cross_site,
        ))
        .layer(axum::middleware::from_fn(step_pages))
        .layer(session_layer)
        .layer(axum::middleware::from_fn(explain_store_failures))
        .layer(axum::Extension(auth.clone()))
        .layer(axum::middleware::from_fn(redirects_carry_no_page))
        // Outside the session layer: a shared anonymous page needs no session at all.
        .layer(axum::middleware::from_fn_with_state(
            super::page_cache::PageCache::default(),
            super::page_cache::anonymous_pages,
        ));
    let app = match &auth.local_pool {
        // The pool's endpoint is for SDKs (CORS, no cookies), so it sits outside the app's layers.
        Some(pool) => app
            .merge(local_pool::server::mounted(LOCAL_POOL_PATH, pool.clone()))
            .merge(local_pool::oauth::router(pool.clone()))
            .nest(LOCAL_OUTBOX_PATH, local_pool::outbox::router(pool.clone()))
            .merge(local_pool::test_mode::router(pool.clone()))
            .merge(local_pool::console::router(pool.clone())),
        None => app,
    };
    let policy = security::HeaderPolicy {
        https: auth.config.secure_cookies,
        form_origins: federation_origin(auth).into(),
    };
    app.route(
        "/healthz",
        axum::routing::get(health).layer(axum::Extension(auth.clone())),
    )
    .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
    .layer(axum::middleware::from_fn_with_state(
        policy,
        security::security_headers,
    ))
}

/// ` <origin>` of the user pool's domain when the buttons lead off this site (a real pool's);
/// the embedded pool's domain is this server.
fn federation_origin(auth: &Auth) -> String {
    match (&auth.config.federation, &auth.local_pool) {
        (Some(federation), None) => url::Url::parse(&federation.domain)
            .map(|url| format!(" {}", url.origin().ascii_serialization()))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The embedded pool plays the user pool's domain: its test provider stands in for each
/// provider offered, and the app client gets the OAuth settings Cognito's console would set
/// (callbacks at this server, on `localhost` and `127.0.0.1` alike).
fn federate_locally(
    federation: &mut super::config::Federation,
    pool: &mut local_pool::PoolConfig,
    public_base: &str,
) {
    let base = public_base.trim_end_matches('/');
    if federation.domain.is_empty() {
        federation.domain = format!("{base}{}/{}", local_pool::oauth::DOMAIN_PATH, pool.pool_id);
    }
    let mut origins = vec![base.to_owned()];
    for (from, to) in [
        ("//127.0.0.1:", "//localhost:"),
        ("//localhost:", "//127.0.0.1:"),
    ] {
        if base.contains(from) {
            origins.push(base.replace(from, to));
        }
    }
    let now = chrono_now();
    for provider in &federation.providers {
        if !pool
            .identity_providers
            .iter()
            .any(|p| p.provider_name == provider.name)
        {
            pool.identity_providers
                .push(local_pool::config::IdentityProviderConfig {
                    provider_name: provider.name.clone(),
                    provider_type: local_pool::federation::provider_type_for(&provider.name)
                        .to_owned(),
                    creation_date: now,
                    last_modified_date: now,
                    ..Default::default()
                });
        }
    }
    let client = &mut pool.clients[0];
    client.allowed_oauth_flows_user_pool_client = true;
    // The code flow the buttons use, beside whatever the pool file allows.
    if !client.allowed_oauth_flows.iter().any(|f| f == "code") {
        client.allowed_oauth_flows.push("code".into());
    }
    client.allowed_oauth_scopes = [
        "openid",
        "email",
        "profile",
        "aws.cognito.signin.user.admin",
    ]
    .map(str::to_owned)
    .to_vec();
    client.supported_identity_providers = std::iter::once("COGNITO".to_owned())
        .chain(federation.providers.iter().map(|p| p.name.clone()))
        .collect();
    for origin in origins {
        client
            .callback_urls
            .push(format!("{origin}{}", super::federation::CALLBACK_PATH));
        client.logout_urls.push(format!(
            "{origin}{}?notice={}",
            crate::flow::Step::SignIn.route(),
            crate::flow::Notice::SignedOut.slug()
        ));
    }
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Sends a visitor a step page does not fit on before the page renders (see
/// [`Ctx::page_redirect`]): the redirect is decided from the session alone, not from inside a
/// render, so it is always a real 302 with nothing in its body.
async fn step_pages(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let is_page_view = matches!(*request.method(), Method::GET | Method::HEAD);
    let Some(step) = is_page_view
        .then(|| Step::from_route(request.uri().path()))
        .flatten()
    else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let (Some(auth), Some(session)) = (
        parts.extensions.get::<Auth>().cloned(),
        parts.extensions.get::<tower_sessions::Session>().cloned(),
    ) else {
        return next
            .run(axum::extract::Request::from_parts(parts, body))
            .await;
    };
    let ctx = Ctx::for_request(auth, session, &parts);
    if let Some(target) = ctx.page_redirect(step).await {
        return (StatusCode::FOUND, [(axum::http::header::LOCATION, target)]).into_response();
    }
    let mut parts = parts;
    if let Some(checked) = ctx.checked_user() {
        parts.extensions.insert(checked);
    }
    next.run(axum::extract::Request::from_parts(parts, body))
        .await
}

/// A page view answered with a redirect carries no page: the body of any `Location`
/// response is dropped, and one that came back as a 200 (Leptos's `<Redirect>` for a client
/// that did not ask for HTML: curl, health checkers) becomes a real 302.
async fn redirects_carry_no_page(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let is_page_view = matches!(*request.method(), Method::GET | Method::HEAD)
        && !request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let redirecting = response
        .headers()
        .contains_key(axum::http::header::LOCATION)
        && (response.status().is_success() || response.status().is_redirection());
    if !is_page_view || !redirecting {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    if !parts.status.is_redirection() {
        parts.status = StatusCode::FOUND;
    }
    parts.headers.remove(axum::http::header::CONTENT_TYPE);
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.remove("serverfnredirect");
    Response::from_parts(parts, axum::body::Body::empty())
}

/// Where [`mount`] serves the components' stylesheet (for embedders: the hosted app's own
/// build includes it already).
pub const STYLESHEET_PATH: &str = "/cognito-authenticator/authenticator.css";

/// The passkey ceremonies' script (plain JavaScript, a few kilobytes): loaded only by the
/// pages that offer a passkey, so the others ship no more than before.
async fn passkey_script() -> impl axum::response::IntoResponse {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/javascript; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../ui/passkey.js"),
    )
}

async fn stylesheet() -> impl axum::response::IntoResponse {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../style/main.css"),
    )
}

/// The session layer answers a bare 500 when the store fails to save (Redis gone, disk
/// full); say what happened and that trying again is fine.
async fn explain_store_failures(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    // In the visitor's language, chosen as for the pages (the Leptos app is not involved here).
    let (parts, body) = request.into_parts();
    let locale = parts
        .extensions
        .get::<Auth>()
        .map(|auth| request_locale(auth, &parts))
        .unwrap_or_default();
    let response = next
        .run(axum::extract::Request::from_parts(parts, body))
        .await;
    let bare = response.status() == axum::http::StatusCode::INTERNAL_SERVER_ERROR
        && axum::body::HttpBody::size_hint(response.body()).exact() == Some(0);
    if !bare {
        return response;
    }
    let text = |key| local_pool::outbox::escape(bundled(locale, key).unwrap_or(key));
    let (heading, message, back) = (
        text("store_failure.heading"),
        text("store_failure.message"),
        text("link.back_to_sign_in"),
    );
    let page = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{heading}</title></head>\
<body><main><h1>{heading}</h1><p role=\"alert\">{message}</p>\
<p><a href=\"{sign_in}\">{back}</a></p></main></body></html>",
        lang = locale.tag(),
        sign_in = crate::flow::Step::SignIn.route(),
    );
    (
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        [(axum::http::header::RETRY_AFTER, "5")],
        axum::response::Html(page),
    )
        .into_response()
}

/// `GET /healthz`: 200 when the session store answers and the pool's signing keys can be
/// fetched, else 503 naming what failed (for load balancers and monitors).
async fn health(axum::Extension(auth): axum::Extension<Auth>) -> axum::response::Response {
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
