//! The pool's OAuth 2.0 / OpenID Connect domain: what Cognito serves on a user pool's domain
//! (`/oauth2/authorize`, `/oauth2/token`, `/oauth2/userInfo`, `/oauth2/revoke`, `/logout`), under
//! `/local/auth/<pool id>`. Sign-in at a provider goes through the built-in test identity
//! provider (`federation.rs`), so every "Sign in with …" button works offline.

use crate::federation::{self, TEST_IDP};
use crate::pool::{constant_time_eq, random_token, sha256_hex, LocalPool};
use crate::pools::Pools;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;

/// Where the domains are mounted: `/local/auth/<pool id>/oauth2/authorize` and so on.
pub const DOMAIN_PATH: &str = "/local/auth";
/// The managed-login session cookie (Cognito keeps one for an hour on its domain).
pub(crate) const DOMAIN_COOKIE: &str = "local_domain_session";
const CODE_LIFETIME_SECS: i64 = 300;
const DOMAIN_SESSION_SECS: i64 = 3600;
/// Open authorizations, codes and domain sessions kept at once: a flood of anonymous
/// `/oauth2/authorize` requests cannot grow memory past this.
const MAX_ENTRIES: usize = 10_000;
/// The scopes Cognito reserves; a client's own are `<resource server>/<scope>`.
const OPENID_SCOPES: [&str; 4] = ["email", "phone", "profile", "aws.cognito.signin.user.admin"];

/// An `/oauth2/authorize` request waiting for the user to sign in at the provider.
#[derive(Clone, Debug)]
pub(crate) struct Authorization {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    pub provider: String,
    /// `response_type=token`: the tokens go straight to the app in the URL fragment.
    pub implicit: bool,
    pub expires_at: i64,
    /// The round trip to a real provider, when one signs the person in.
    pub upstream: Option<crate::upstream::UpstreamLeg>,
}

impl Authorization {
    /// What its tokens carry beyond an API sign-in's: the scopes granted and the nonce.
    fn claims(&self) -> crate::pool::OAuthClaims {
        crate::pool::OAuthClaims {
            scope: self.scopes.join(" "),
            nonce: self.nonce.clone(),
        }
    }
}

/// What an authorization code stands for until the token endpoint redeems it (once).
#[derive(Clone, Debug)]
struct Grant {
    authorization: Authorization,
    username: String,
    auth_time: i64,
    expires_at: i64,
}

#[derive(Clone, Debug)]
struct DomainSession {
    username: String,
    provider: String,
    auth_time: i64,
    expires_at: i64,
}

/// The domain's short-lived state. In memory: codes live five minutes, and a restart of the
/// local pool only asks the user to sign in at the provider again.
#[derive(Default)]
pub(crate) struct OAuthState {
    authorizations: Mutex<HashMap<String, Authorization>>,
    grants: Mutex<HashMap<String, Grant>>,
    sessions: Mutex<HashMap<String, DomainSession>>,
}

/// Inserts under a fresh random key, after dropping expired entries; `None` when full.
fn insert_fresh<T>(
    map: &Mutex<HashMap<String, T>>,
    value: T,
    now: i64,
    expires_at: impl Fn(&T) -> i64,
) -> Option<String> {
    let mut map = map.lock().expect("oauth state lock");
    if map.len() >= MAX_ENTRIES {
        map.retain(|_, v| expires_at(v) > now);
        if map.len() >= MAX_ENTRIES {
            return None;
        }
    }
    let key = random_token(24);
    map.insert(key.clone(), value);
    Some(key)
}

impl OAuthState {
    pub(crate) fn open(&self, authorization: Authorization, now: i64) -> Option<String> {
        insert_fresh(&self.authorizations, authorization, now, |a| a.expires_at)
    }

    pub(crate) fn pending(&self, id: &str, now: i64) -> Option<Authorization> {
        let map = self.authorizations.lock().expect("oauth state lock");
        map.get(id).filter(|a| a.expires_at > now).cloned()
    }

    /// Takes an open authorization out (single use).
    pub(crate) fn take(&self, id: &str, now: i64) -> Option<Authorization> {
        let mut map = self.authorizations.lock().expect("oauth state lock");
        map.remove(id).filter(|a| a.expires_at > now)
    }

    fn issue_code(&self, grant: Grant, now: i64) -> Option<String> {
        insert_fresh(&self.grants, grant, now, |g| g.expires_at)
    }

    fn redeem(&self, code: &str, now: i64) -> Option<Grant> {
        let mut map = self.grants.lock().expect("oauth state lock");
        map.remove(code).filter(|g| g.expires_at > now)
    }

    fn start_session(&self, session: DomainSession, now: i64) -> Option<String> {
        insert_fresh(&self.sessions, session, now, |s| s.expires_at)
    }

    fn session(&self, id: &str, now: i64) -> Option<DomainSession> {
        let map = self.sessions.lock().expect("oauth state lock");
        map.get(id).filter(|s| s.expires_at > now).cloned()
    }

    fn end_session(&self, id: &str) {
        self.sessions.lock().expect("oauth state lock").remove(id);
    }

    fn end_provider_sessions(&self, provider: &str) {
        self.sessions
            .lock()
            .expect("oauth state lock")
            .retain(|_, s| s.provider != provider);
    }
}

impl LocalPool {
    /// Ends every domain session that came from `provider` (after an administrator unlinks one
    /// of its identities: which session was whose is not kept apart, so all of them end).
    pub(crate) fn end_domain_sessions(&self, provider: &str) {
        self.inner.oauth.end_provider_sessions(provider);
    }
}

/// The domains of every pool `pools` serves.
pub fn router(pools: impl Into<Pools>) -> Router {
    let pools: Pools = pools.into();
    let base = format!("{DOMAIN_PATH}/{{pool_id}}");
    Router::new()
        .route(&format!("{base}/oauth2/authorize"), get(authorize))
        .route(
            &format!("{base}/oauth2/token"),
            post(token).options(token_preflight),
        )
        .route(
            &format!("{base}/oauth2/userInfo"),
            get(user_info).post(user_info),
        )
        .route(&format!("{base}/oauth2/revoke"), post(revoke))
        .route(
            &format!("{base}/oauth2/idpresponse"),
            get(crate::upstream::idp_response),
        )
        .route(&format!("{base}/logout"), get(logout))
        .route(
            &format!("{base}/{TEST_IDP}/{{provider}}"),
            get(federation::test_idp_page).post(federation::test_idp_choice),
        )
        // The pages use the console's stylesheet (`console::router`, mounted beside this one).
        .layer(axum::middleware::from_fn_with_state(
            pools.clone(),
            crate::guard::allowed_host,
        ))
        .with_state(pools)
}

/// The base URL of `pool`'s domain, for links in its pages and documents.
pub fn domain_path(pool: &LocalPool) -> String {
    format!("{DOMAIN_PATH}/{}", pool.config().pool_id)
}

/// The absolute URL of `pool`'s domain (the origin it is served at, then [`domain_path`]).
pub fn domain_url(pool: &LocalPool) -> String {
    let origin = url::Url::parse(pool.issuer())
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    format!("{origin}{}", domain_path(pool))
}

/// Cognito's page for requests it cannot send back to the app (an unknown client or an
/// unregistered `redirect_uri`): the app is never called.
/// The pool a domain page is for, or the error page a browser sees when there is none.
pub(crate) fn pool_page(pools: &Pools, pool_id: &str) -> Result<LocalPool, Box<Response>> {
    pools.by_pool_id(pool_id).map_err(|_| {
        Box::new(error_page(
            StatusCode::NOT_FOUND,
            "invalid_request",
            "No such user pool.",
        ))
    })
}

pub(crate) fn error_page(status: StatusCode, error: &str, detail: &str) -> Response {
    let body = format!(
        "<p class=\"ca-error\" role=\"alert\">An error was encountered with the requested page.</p>\
<p><code>{}</code>: {}</p>",
        crate::outbox::escape(error),
        crate::outbox::escape(detail)
    );
    (
        status,
        Html(crate::page::tool_page("Something went wrong", &body)),
    )
        .into_response()
}

/// `redirect_uri` with `pairs` added to its query (the `state` echoed byte for byte).
/// A registered redirect URI as a URL, or the error page when it is not one.
fn redirect_url(redirect_uri: &str) -> Result<url::Url, Box<Response>> {
    url::Url::parse(redirect_uri).map_err(|_| {
        Box::new(error_page(
            StatusCode::BAD_REQUEST,
            "redirect_mismatch",
            "The redirect URI is not valid.",
        ))
    })
}

pub(crate) fn redirect_with(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    let mut url = match redirect_url(redirect_uri) {
        Ok(url) => url,
        Err(page) => return *page,
    };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in pairs {
            query.append_pair(name, value);
        }
    }
    found(url.as_str())
}

pub(crate) fn found(location: &str) -> Response {
    let mut response = Redirect::to(location).into_response();
    *response.status_mut() = StatusCode::FOUND;
    response
}

/// An error sent back to the app, as RFC 6749 §4.1.2.1 defines it.
pub(crate) fn redirect_error(
    authorization: &Authorization,
    error: &str,
    description: Option<&str>,
) -> Response {
    let mut pairs = vec![("error", error)];
    if let Some(description) = description {
        pairs.push(("error_description", description));
    }
    if let Some(state) = &authorization.state {
        pairs.push(("state", state));
    }
    // An implicit client reads its answer, the error too, from the fragment (RFC 6749 §4.2.2.1).
    if authorization.implicit {
        return redirect_in_fragment(&authorization.redirect_uri, &pairs);
    }
    redirect_with(&authorization.redirect_uri, &pairs)
}

/// `redirect_uri` with `pairs` in its fragment.
fn redirect_in_fragment(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    let mut url = match redirect_url(redirect_uri) {
        Ok(url) => url,
        Err(page) => return *page,
    };
    let mut fragment = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        fragment.append_pair(name, value);
    }
    url.set_fragment(Some(&fragment.finish()));
    found(url.as_str())
}

async fn authorize(
    State(pools): State<Pools>,
    Path(pool_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let pool = match pool_page(&pools, &pool_id) {
        Ok(pool) => pool,
        Err(page) => return *page,
    };
    let param = |name: &str| {
        query
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let config = pool.config();
    let Some(client) = param("client_id").and_then(|id| config.client(id)) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The client_id is missing or unknown.",
        );
    };
    // Only an exact match of a registered callback: no prefix, no other port, no fragment.
    let Some(redirect_uri) = param("redirect_uri").filter(|uri| {
        client
            .callback_urls
            .iter()
            .any(|registered| registered == uri)
    }) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "redirect_mismatch",
            "The redirect_uri is not one of the app client's callback URLs.",
        );
    };
    // What is kept for a stranger stays small: a PKCE challenge is 43 characters, and state
    // and nonce have no reason to be long.
    let too_long = ["state", "nonce", "scope"]
        .iter()
        .any(|name| query.get(*name).is_some_and(|v| v.len() > 1024))
        || param("code_challenge").is_some_and(|c| c.len() != 43);
    if too_long {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "state, nonce or scope is too long, or code_challenge is not 43 characters.",
        );
    }
    let now = pool.now();
    let mut authorization = Authorization {
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        state: query.get("state").cloned(),
        scopes: Vec::new(),
        code_challenge: None,
        nonce: param("nonce").map(str::to_owned),
        provider: String::new(),
        implicit: param("response_type") == Some("token"),
        expires_at: now + CODE_LIFETIME_SECS,
        upstream: None,
    };
    let flow = match param("response_type") {
        Some("code") => "code",
        Some("token") => "implicit",
        Some(_) => return redirect_error(&authorization, "unsupported_response_type", None),
        None => return redirect_error(&authorization, "invalid_request", None),
    };
    if !client.allows_oauth_flow(flow) {
        return redirect_error(&authorization, "unauthorized_client", None);
    }
    // PKCE protects a code; with no code it would be silently meaningless.
    if authorization.implicit && param("code_challenge").is_some() {
        return redirect_error(
            &authorization,
            "invalid_request",
            Some("code_challenge is for the code flow."),
        );
    }
    match (param("code_challenge"), param("code_challenge_method")) {
        (None, None) => {}
        (Some(challenge), Some("S256")) => {
            authorization.code_challenge = Some(challenge.to_owned());
        }
        _ => return redirect_error(&authorization, "invalid_request", None),
    }
    authorization.scopes = granted_scopes(&client.allowed_oauth_scopes, param("scope"));
    if authorization.scopes.is_empty() {
        return redirect_error(&authorization, "invalid_scope", None);
    }
    // OpenID Connect: an ID token in the front channel is bound to the client's nonce.
    let openid = authorization.scopes.iter().any(|s| s == "openid");
    if authorization.implicit && openid && authorization.nonce.is_none() {
        return redirect_error(
            &authorization,
            "invalid_request",
            Some("A nonce is required for an ID token in the fragment."),
        );
    }
    let provider = match (param("identity_provider"), param("idp_identifier")) {
        (Some(name), None) => config
            .identity_providers
            .iter()
            .find(|p| p.provider_name == name),
        (None, Some(identifier)) => config
            .identity_providers
            .iter()
            .find(|p| p.idp_identifiers.iter().any(|i| i == identifier)),
        (None, None) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The local pool has no managed login pages: name the provider with identity_provider (the app's own pages sign in Cognito users).",
            )
        }
        (Some(_), Some(_)) => None,
    };
    let Some(provider) = provider.filter(|p| {
        client
            .supported_identity_providers
            .iter()
            .any(|name| name == &p.provider_name)
    }) else {
        return redirect_error(
            &authorization,
            "invalid_request",
            Some("The identity provider is not enabled for this app client."),
        );
    };
    authorization.provider = provider.provider_name.clone();
    // A live domain session for this provider signs in again without asking, as Cognito's does.
    if let Some(session) = domain_cookie(&headers)
        .and_then(|id| pool.inner.oauth.session(&id, now))
        .filter(|s| s.provider == authorization.provider)
    {
        return finish(
            &pool,
            authorization,
            &session.username,
            session.auth_time,
            None,
        )
        .await;
    }
    if crate::upstream::is_upstream(provider) {
        let provider = provider.clone();
        return crate::upstream::start(&pool, &provider, authorization).await;
    }
    let Some(id) = pool.inner.oauth.open(authorization.clone(), now) else {
        return redirect_error(&authorization, "temporarily_unavailable", None);
    };
    let mut page = url::Url::parse("http://local/").expect("static URL");
    page.set_path(&format!(
        "{}/{TEST_IDP}/{}",
        domain_path(&pool),
        provider.provider_name
    ));
    page.query_pairs_mut().append_pair("request", &id);
    found(&format!(
        "{}?{}",
        page.path(),
        page.query().unwrap_or_default()
    ))
}

/// The scopes asked for that the client allows (all of them when none are asked for); the
/// OpenID ones only with `openid`, as Cognito grants them.
fn granted_scopes(allowed: &[String], asked: Option<&str>) -> Vec<String> {
    let mut scopes: Vec<String> = match asked {
        Some(asked) => asked
            .split(' ')
            .filter(|s| allowed.iter().any(|a| a == s))
            .map(str::to_owned)
            .collect(),
        None => allowed.to_vec(),
    };
    scopes.dedup();
    if !scopes.iter().any(|s| s == "openid") {
        scopes.retain(|s| !OPENID_SCOPES.contains(&s.as_str()));
    }
    scopes
}

fn domain_cookie(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, DOMAIN_COOKIE)
}

/// The value of the cookie `name` a request carries.
pub(crate) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(cookie, _)| *cookie == name)
        .map(|(_, value)| value.to_owned())
}

/// Signed in at the provider: a code for the app (or its tokens, for an implicit grant), and
/// (after a fresh sign-in) the domain session that lets the next authorization through
/// without asking.
pub(crate) async fn finish(
    pool: &LocalPool,
    authorization: Authorization,
    username: &str,
    auth_time: i64,
    new_session: Option<&str>,
) -> Response {
    let now = pool.now();
    let oauth = &pool.inner.oauth;
    let mut cookie = None;
    if let Some(provider) = new_session {
        let session = DomainSession {
            username: username.to_owned(),
            provider: provider.to_owned(),
            auth_time,
            expires_at: now + DOMAIN_SESSION_SECS,
        };
        let Some(id) = oauth.start_session(session, now) else {
            return redirect_error(&authorization, "temporarily_unavailable", None);
        };
        cookie = Some(format!(
            "{DOMAIN_COOKIE}={id}; Path={}; HttpOnly; SameSite=Lax; Max-Age={DOMAIN_SESSION_SECS}",
            domain_path(pool)
        ));
    }
    let mut response = if authorization.implicit {
        implicit_tokens(pool, &authorization, username, auth_time).await
    } else {
        let grant = Grant {
            authorization: authorization.clone(),
            username: username.to_owned(),
            auth_time,
            expires_at: now + CODE_LIFETIME_SECS,
        };
        let Some(code) = oauth.issue_code(grant, now) else {
            return redirect_error(&authorization, "temporarily_unavailable", None);
        };
        let mut pairs = vec![("code", code.as_str())];
        if let Some(state) = &authorization.state {
            pairs.push(("state", state));
        }
        redirect_with(&authorization.redirect_uri, &pairs)
    };
    if let Some(cookie) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The implicit grant's answer: access and ID tokens (never a refresh token) in the redirect's
/// fragment, which browsers do not send to servers or in `Referer`.
async fn implicit_tokens(
    pool: &LocalPool,
    authorization: &Authorization,
    username: &str,
    auth_time: i64,
) -> Response {
    let user = match pool.inner.store.user(username).await {
        Ok(Some(user)) if user.enabled => user,
        _ => return redirect_error(authorization, "access_denied", None),
    };
    let claims = authorization.claims();
    let result = match pool
        .issue_oauth_tokens(&user, &authorization.client_id, auth_time, &claims)
        .await
    {
        Ok(result) => result,
        Err(e) => {
            tracing::warn!(error = %e.0, "could not issue implicit tokens");
            return redirect_error(authorization, "server_error", None);
        }
    };
    let expires_in = result.expires_in.to_string();
    let mut pairs = vec![("access_token", result.access_token.expose())];
    if authorization.scopes.iter().any(|s| s == "openid") {
        pairs.push(("id_token", result.id_token.expose()));
    }
    pairs.push(("token_type", "Bearer"));
    pairs.push(("expires_in", &expires_in));
    if let Some(state) = &authorization.state {
        pairs.push(("state", state));
    }
    redirect_in_fragment(&authorization.redirect_uri, &pairs)
}

// ---- the token endpoint ------------------------------------------------------------------

/// An OAuth error body (`{"error": …}` only, as Cognito answers).
fn oauth_error(status: StatusCode, error: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
        json!({ "error": error }).to_string(),
    )
        .into_response()
}

fn with_token_cors(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert("access-control-allow-origin", HeaderValue::from_static("*"));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn token_preflight() -> Response {
    with_token_cors(
        (
            StatusCode::OK,
            [
                ("access-control-allow-methods", "POST, OPTIONS"),
                (
                    "access-control-allow-headers",
                    "content-type, authorization",
                ),
            ],
        )
            .into_response(),
    )
}

/// The client a token or revocation request authenticates as: `client_secret_basic` or
/// `client_secret_post`, or a public client's bare `client_id`.
fn authenticate_client(
    pool: &LocalPool,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<crate::config::AppClient, (StatusCode, &'static str)> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .map(|encoded| {
            BASE64
                .decode(encoded.trim())
                .ok()
                .and_then(|raw| String::from_utf8(raw).ok())
                .and_then(|pair| {
                    let (id, secret) = pair.split_once(':')?;
                    Some((id.to_owned(), secret.to_owned()))
                })
        });
    let (client_id, secret, status) = match basic {
        Some(Some((id, secret))) => (id, Some(secret), StatusCode::UNAUTHORIZED),
        Some(None) => return Err((StatusCode::UNAUTHORIZED, "invalid_client")),
        None => (
            form.get("client_id").cloned().unwrap_or_default(),
            form.get("client_secret").cloned(),
            StatusCode::BAD_REQUEST,
        ),
    };
    let invalid = || (status, "invalid_client");
    let config = pool.config();
    let client = config.client(&client_id).ok_or_else(invalid)?;
    if form.get("client_id").is_some_and(|id| id != &client_id) {
        return Err(invalid());
    }
    match (&client.client_secret, secret) {
        (None, None) => {}
        (Some(expected), Some(given)) if constant_time_eq(expected, &given) => {}
        _ => return Err(invalid()),
    }
    Ok(client.clone())
}

async fn token(
    State(pools): State<Pools>,
    Path(pool_id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Ok(pool) = pools.by_pool_id(&pool_id) else {
        return with_token_cors(oauth_error(StatusCode::BAD_REQUEST, "invalid_request"));
    };
    let response = match authenticate_client(&pool, &headers, &form) {
        Ok(client) => match form.get("grant_type").map(String::as_str) {
            Some("authorization_code") => redeem_code(&pool, &client, &form).await,
            Some("refresh_token") => refresh(&pool, &client, &form).await,
            Some("client_credentials") => client_credentials(&pool, &client, &form).await,
            Some(_) => oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
            None => oauth_error(StatusCode::BAD_REQUEST, "invalid_request"),
        },
        Err((status, error)) => oauth_error(status, error),
    };
    with_token_cors(response)
}

async fn redeem_code(
    pool: &LocalPool,
    client: &crate::config::AppClient,
    form: &HashMap<String, String>,
) -> Response {
    let (Some(code), Some(redirect_uri)) = (form.get("code"), form.get("redirect_uri")) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    if !client.allows_oauth_flow("code") {
        return oauth_error(StatusCode::BAD_REQUEST, "unauthorized_client");
    }
    let invalid_grant = || oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    // Taken before it is checked: a code is never good twice, even after a failed try.
    let Some(grant) = pool.inner.oauth.redeem(code, pool.now()) else {
        return invalid_grant();
    };
    let authorization = &grant.authorization;
    if authorization.client_id != client.client_id || &authorization.redirect_uri != redirect_uri {
        return invalid_grant();
    }
    if let Some(challenge) = &authorization.code_challenge {
        let Some(verifier) = form.get("code_verifier") else {
            return invalid_grant();
        };
        let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        if !constant_time_eq(&computed, challenge) {
            return invalid_grant();
        }
    }
    let Ok(Some(user)) = pool.inner.store.user(&grant.username).await else {
        return invalid_grant();
    };
    if !user.enabled {
        return invalid_grant();
    }
    let claims = authorization.claims();
    match pool
        .issue_oauth_tokens(&user, &client.client_id, grant.auth_time, &claims)
        .await
    {
        Ok(result) => {
            let mut body = json!({
                "access_token": result.access_token.expose(),
                "refresh_token": result.refresh_token.as_ref().map(|t| t.expose().to_owned()),
                "token_type": "Bearer",
                "expires_in": result.expires_in,
            });
            if authorization.scopes.iter().any(|s| s == "openid") {
                body["id_token"] = result.id_token.expose().into();
            }
            json_ok(body)
        }
        Err(e) => {
            tracing::warn!(error = %e.0, "could not issue tokens for a code");
            oauth_error(StatusCode::BAD_REQUEST, "invalid_grant")
        }
    }
}

fn json_ok(body: Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}

async fn refresh(
    pool: &LocalPool,
    client: &crate::config::AppClient,
    form: &HashMap<String, String>,
) -> Response {
    let Some(refresh_token) = form.get("refresh_token") else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    let Ok(Some(record)) = pool
        .inner
        .store
        .refresh_token(&sha256_hex(refresh_token))
        .await
    else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    if record.client_id != client.client_id {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    match pool
        .tokens_for_lineage(&record, &client.client_id, None)
        .await
    {
        Ok(result) => {
            let mut body = json!({
                "access_token": result.access_token.expose(),
                "token_type": "Bearer",
                "expires_in": result.expires_in,
            });
            if pool
                .lineage_scope(&record.origin_jti)
                .await
                .is_none_or(|scope| scope.split(' ').any(|s| s == "openid"))
            {
                body["id_token"] = result.id_token.expose().into();
            }
            json_ok(body)
        }
        Err(_) => oauth_error(StatusCode::BAD_REQUEST, "invalid_grant"),
    }
}

/// Machine-to-machine tokens: a client with a secret and the `client_credentials` flow gets an
/// access token for its custom scopes (resource-server scopes), with no user.
async fn client_credentials(
    pool: &LocalPool,
    client: &crate::config::AppClient,
    form: &HashMap<String, String>,
) -> Response {
    if client.client_secret.is_none() || !client.allows_oauth_flow("client_credentials") {
        return oauth_error(StatusCode::BAD_REQUEST, "unauthorized_client");
    }
    let custom: Vec<String> = client
        .allowed_oauth_scopes
        .iter()
        .filter(|s| s.contains('/'))
        .cloned()
        .collect();
    let scopes: Vec<String> = match form.get("scope").filter(|s| !s.is_empty()) {
        Some(asked) => {
            let asked: Vec<String> = asked.split(' ').map(str::to_owned).collect();
            if asked.iter().any(|s| !custom.contains(s)) {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_scope");
            }
            asked
        }
        None => custom,
    };
    if scopes.is_empty() {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_scope");
    }
    let (token, expires_in) = pool.machine_token(client, &scopes.join(" "));
    json_ok(json!({
        "access_token": token.expose(),
        "token_type": "Bearer",
        "expires_in": expires_in,
    }))
}

// ---- userInfo, revoke, logout -------------------------------------------------------------

async fn user_info(
    State(pools): State<Pools>,
    Path(pool_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let bad_request = || {
        (
            StatusCode::BAD_REQUEST,
            [(
                header::WWW_AUTHENTICATE,
                "error=\"invalid_request\", error_description=\"Bad OAuth2 request at UserInfo Endpoint\"",
            )],
        )
            .into_response()
    };
    let invalid_token = || {
        (
            StatusCode::UNAUTHORIZED,
            [(
                header::WWW_AUTHENTICATE,
                "error=\"invalid_token\", error_description=\"Access token is expired, disabled, or deleted, or the user has globally signed out.\"",
            )],
        )
            .into_response()
    };
    let Ok(pool) = pools.by_pool_id(&pool_id) else {
        return bad_request();
    };
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return bad_request();
    };
    match pool.user_info(token.trim()).await {
        Some(claims) => with_token_cors(json_ok(claims)),
        None => invalid_token(),
    }
}

async fn revoke(
    State(pools): State<Pools>,
    Path(pool_id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Ok(pool) = pools.by_pool_id(&pool_id) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    let client = match authenticate_client(&pool, &headers, &form) {
        Ok(client) => client,
        Err((status, error)) => return with_token_cors(oauth_error(status, error)),
    };
    let Some(token) = form.get("token").filter(|t| !t.is_empty()) else {
        return with_token_cors(oauth_error(StatusCode::BAD_REQUEST, "invalid_request"));
    };
    if !client.enable_token_revocation {
        return with_token_cors(oauth_error(StatusCode::BAD_REQUEST, "invalid_request"));
    }
    let hash = sha256_hex(token);
    // Unknown and already revoked tokens are answered like revoked ones (RFC 7009 §2.2).
    match pool.inner.store.refresh_token(&hash).await {
        Ok(Some(record)) if record.client_id == client.client_id => {
            if pool.inner.store.revoke_refresh_token(&hash).await.is_err() {
                return with_token_cors(oauth_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                ));
            }
        }
        Ok(_) => {}
        Err(_) => {
            return with_token_cors(oauth_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
            ))
        }
    }
    with_token_cors(StatusCode::OK.into_response())
}

/// Ends the domain session (revoking no tokens, as Cognito's `/logout` does) and returns to a
/// registered logout URL.
async fn logout(
    State(pools): State<Pools>,
    Path(pool_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let pool = match pool_page(&pools, &pool_id) {
        Ok(pool) => pool,
        Err(page) => return *page,
    };
    let config = pool.config();
    let Some(client) = query.get("client_id").and_then(|id| config.client(id)) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The client_id is missing or unknown.",
        );
    };
    let Some(logout_uri) = query.get("logout_uri").filter(|uri| {
        client
            .logout_urls
            .iter()
            .any(|registered| registered == *uri)
    }) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "redirect_mismatch",
            "The logout_uri is not one of the app client's sign-out URLs.",
        );
    };
    if let Some(id) = domain_cookie(&headers) {
        pool.inner.oauth.end_session(&id);
    }
    let mut response = found(logout_uri);
    let expired = format!(
        "{DOMAIN_COOKIE}=; Path={}; HttpOnly; SameSite=Lax; Max-Age=0",
        domain_path(&pool)
    );
    if let Ok(value) = HeaderValue::from_str(&expired) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The discovery members of a pool with a domain (the issuer's document lists them).
pub fn discovery_endpoints(domain: &str) -> Value {
    json!({
        "authorization_endpoint": format!("{domain}/oauth2/authorize"),
        "token_endpoint": format!("{domain}/oauth2/token"),
        "userinfo_endpoint": format!("{domain}/oauth2/userInfo"),
        "revocation_endpoint": format!("{domain}/oauth2/revoke"),
        "end_session_endpoint": format!("{domain}/logout"),
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_what_the_client_allows_and_openid_ones_need_openid() {
        let allowed: Vec<String> = ["openid", "email", "profile", "api/read"]
            .map(str::to_owned)
            .to_vec();
        assert_eq!(
            granted_scopes(&allowed, Some("openid email phone")),
            ["openid", "email"]
        );
        assert_eq!(
            granted_scopes(&allowed, Some("email api/read")),
            ["api/read"]
        );
        assert_eq!(granted_scopes(&allowed, None), allowed);
        assert!(granted_scopes(&allowed, Some("phone")).is_empty());
    }
}
