//! "Sign in with Google" and every other provider the pool federates with: the server owns the
//! OAuth round trip through the user pool's domain. `GET /auth/federate` keeps a `state`, a
//! PKCE verifier and a `nonce` in the session and sends the browser to `/oauth2/authorize`;
//! `GET /auth/callback` checks the `state`, redeems the code server-side, checks the ID token's
//! `nonce` and signs in like every other sign-in (session id cycled, tokens only here).

use super::context::{Auth, Ctx};
use super::session;
use crate::flow::{Notice, Step};
use axum::extract::Query;
use axum::http::{header, request::Parts, StatusCode};
use axum::response::{IntoResponse, Response};
use cognito_idp::jwt::TokenUse;
use cognito_idp::Secret;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use tower_sessions::Session;

pub const FEDERATE_PATH: &str = "/auth/federate";
pub const CALLBACK_PATH: &str = "/auth/callback";
const PENDING_KEY: &str = "federation";
/// How long a round trip through the provider may take (Cognito's own limit is 5 minutes at
/// the provider; the person may also take a while on the provider's page).
const PENDING_SECS: i64 = 600;
/// Sign-ins started in other tabs that are kept at once.
const MAX_PENDING: usize = 4;

/// A round trip in progress, keyed by its `state`.
#[derive(Clone, Serialize, Deserialize)]
struct Pending {
    state: String,
    verifier: Secret,
    nonce: String,
    provider: String,
    redirect_uri: String,
    return_to: Option<String>,
    expires_at: i64,
}

fn random_text(bytes: usize) -> String {
    use base64::Engine as _;
    let mut raw = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut raw);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

fn see_other(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

fn to_sign_in(notice: Notice) -> Response {
    see_other(&format!(
        "{}?notice={}",
        Step::SignIn.route(),
        notice.slug()
    ))
}

/// This server's address as the browser used it (`Host`), for the callback URL; the pool's
/// exact match of registered callbacks is what stops a forged `Host`.
fn own_origin(auth: &Auth, parts: &Parts) -> Option<String> {
    let host = parts.headers.get(header::HOST)?.to_str().ok()?;
    let scheme = if auth.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    Some(format!("{scheme}://{host}"))
}

/// Where the browser goes for the domain: the embedded pool's domain is on this server, at the
/// address the browser already uses (so its cookie stays on one host).
fn browser_domain(auth: &Auth, domain: &str) -> String {
    if auth.local_pool.is_some() {
        if let Ok(url) = url::Url::parse(domain) {
            return url.path().trim_end_matches('/').to_owned();
        }
    }
    domain.to_owned()
}

/// `GET /auth/federate?provider=…`: off to the provider. A link, not a form: browsers apply a
/// page's `form-action` to every redirect after a post, and the round trip goes on from the
/// domain to the provider's own site, which no policy here could list.
pub async fn start(
    axum::Extension(auth): axum::Extension<Auth>,
    session: Session,
    parts: Parts,
    Query(form): Query<HashMap<String, String>>,
) -> Response {
    let provider = form.get("provider").cloned().unwrap_or_default();
    let Some(federation) = &auth.config.federation else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !federation.providers.iter().any(|p| p.name == provider) {
        return to_sign_in(Notice::FederationFailed);
    }
    let Some(redirect_uri) = federation
        .callback_url
        .clone()
        .or_else(|| own_origin(&auth, &parts).map(|o| format!("{o}{CALLBACK_PATH}")))
    else {
        return to_sign_in(Notice::FederationFailed);
    };
    let now = auth.clock.now();
    let verifier = random_text(48);
    let challenge = {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
    };
    let pending = Pending {
        state: random_text(24),
        verifier: Secret::new(verifier),
        nonce: random_text(24),
        provider,
        redirect_uri,
        return_to: form
            .get("return_to")
            .map(String::as_str)
            .filter(|r| !r.is_empty())
            .and_then(|r| super::security::safe_return_to(r, &auth.config.allowed_origins)),
        expires_at: now + PENDING_SECS,
    };
    let mut kept: Vec<Pending> = session
        .get(PENDING_KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    kept.retain(|p| p.expires_at > now);
    if kept.len() >= MAX_PENDING {
        kept.remove(0);
    }
    kept.push(pending.clone());
    if session.insert(PENDING_KEY, &kept).await.is_err() {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    // A visitor with nothing else in the session keeps it only as long as the round trip may
    // take, so a flood of starts leaves nothing behind for long (a sign-up waiting for its
    // code keeps its own lifetime).
    let keeps_more = session::signed_in(&session).await.is_some()
        || session::flow(&session, now).await.is_some();
    if !keeps_more {
        session.set_expiry(Some(tower_sessions::Expiry::OnInactivity(
            time::Duration::seconds(PENDING_SECS),
        )));
    }
    let locale = super::routes::request_locale(&auth, &parts);
    let mut url = match url::Url::parse(&format!("{}/oauth2/authorize", federation.domain)) {
        Ok(url) => url,
        Err(_) => return to_sign_in(Notice::FederationFailed),
    };
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &auth.cognito.client_id)
        .append_pair("redirect_uri", &pending.redirect_uri)
        .append_pair("identity_provider", &pending.provider)
        .append_pair(
            "scope",
            "openid email profile aws.cognito.signin.user.admin",
        )
        .append_pair("state", &pending.state)
        .append_pair("nonce", &pending.nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("lang", locale.tag());
    let target = browser_domain(&auth, url.as_str().split('?').next().unwrap_or_default());
    tracing::info!(event = "federation", provider = %pending.provider, "to the provider");
    see_other(&format!("{target}?{}", url.query().unwrap_or_default()))
}

/// `GET /auth/callback`: back from the provider, through the pool's domain.
pub async fn callback(
    axum::Extension(auth): axum::Extension<Auth>,
    session: Session,
    parts: Parts,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(federation) = auth.config.federation.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let now = auth.clock.now();
    // A callback this session did not start (forged, replayed, another browser's) changes
    // nothing: not even an empty session is made for it.
    let state = query.get("state").cloned().unwrap_or_default();
    let kept: Vec<Pending> = session
        .get(PENDING_KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let Some(pending) = kept
        .iter()
        .find(|p| !state.is_empty() && p.state == state && p.expires_at > now)
        .cloned()
    else {
        tracing::warn!(event = "federation", outcome = "unknown_state");
        return to_sign_in(Notice::FederationExpired);
    };
    let rest: Vec<Pending> = kept.into_iter().filter(|p| p.state != state).collect();
    let stored = if rest.is_empty() {
        session
            .remove::<Vec<Pending>>(PENDING_KEY)
            .await
            .map(|_| ())
    } else {
        session.insert(PENDING_KEY, &rest).await
    };
    if stored.is_err() {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    if let Some(error) = query.get("error") {
        tracing::info!(event = "federation", provider = %pending.provider, error = %error);
        return to_sign_in(if error == "access_denied" {
            Notice::FederationCancelled
        } else {
            Notice::FederationFailed
        });
    }
    let Some(code) = query
        .get("code")
        .filter(|c| !c.is_empty() && c.len() <= 512)
    else {
        return to_sign_in(Notice::FederationFailed);
    };
    let tokens = match auth
        .cognito
        .redeem_authorization_code(
            &federation.domain,
            code,
            &pending.redirect_uri,
            &pending.verifier,
        )
        .await
    {
        Ok(tokens) => tokens,
        Err(err) => {
            tracing::warn!(event = "federation", provider = %pending.provider, error = %err);
            return to_sign_in(Notice::FederationFailed);
        }
    };
    // The ID token must be for this round trip (OIDC Core §3.1.3.7): signature, issuer,
    // audience and expiry by the verifier, the nonce here.
    let nonce_matches = auth
        .verifier
        .verify(tokens.id_token.expose(), TokenUse::Id, now)
        .await
        .ok()
        .is_some_and(|claims| claims.str("nonce") == Some(pending.nonce.as_str()));
    if !nonce_matches {
        tracing::warn!(event = "federation", provider = %pending.provider, "ID token refused");
        return to_sign_in(Notice::FederationFailed);
    }
    let ctx = Ctx::for_request(auth.clone(), session.clone(), &parts);
    let mut user = match ctx.establish(tokens, None).await {
        Ok(user) => user,
        Err(_) => return to_sign_in(Notice::FederationFailed),
    };
    user.federated_with = Some(pending.provider.clone());
    // Signed in: no earlier flow in an `<Authenticator>` goes on from here.
    if ctx.update_user(&user).await.is_err()
        || session::set_inline_host(&session, None).await.is_err()
    {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    tracing::info!(event = "sign_in", outcome = "signed_in", provider = %pending.provider);
    let target = pending
        .return_to
        .unwrap_or_else(|| Step::Done.route().to_owned());
    see_other(&target)
}

/// Where sign-out sends a federated user: the domain's `/logout`, so the next "Sign in with
/// Google" asks again, and then back to the sign-in page.
pub fn logout_url(auth: &Auth, parts: Option<&Parts>) -> Option<String> {
    let federation = auth.config.federation.as_ref()?;
    let back = federation.sign_out_url.clone().or_else(|| {
        let origin = own_origin(auth, parts?)?;
        Some(format!(
            "{origin}{}?notice={}",
            Step::SignIn.route(),
            Notice::SignedOut.slug()
        ))
    })?;
    let mut url = url::Url::parse(&format!("{}/logout", federation.domain)).ok()?;
    url.query_pairs_mut()
        .append_pair("client_id", &auth.cognito.client_id)
        .append_pair("logout_uri", &back);
    let path = browser_domain(auth, url.as_str().split('?').next().unwrap_or_default());
    Some(format!("{path}?{}", url.query().unwrap_or_default()))
}
