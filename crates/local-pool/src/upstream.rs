//! Federation to a real OpenID provider (an `OIDC` identity provider whose `oidc_issuer` is a
//! URL), as Cognito does it: the browser goes to the provider's authorization endpoint, comes
//! back to the domain's `/oauth2/idpresponse`, and the pool redeems the code, checks the ID
//! token (signature, issuer, audience, expiry, nonce) with `openidconnect`, and signs the
//! person in as the provider's user.

use crate::config::IdentityProviderConfig;
use crate::oauth::{
    cookie_value, domain_path, domain_url, error_page, finish, found, pool_page, redirect_error,
    Authorization,
};
use crate::pool::{constant_time_eq, random_token, sha256_hex, LocalPool};
use crate::pools::Pools;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse,
};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// The pool's half of a round trip to a provider, kept with the open authorization.
#[derive(Clone, Debug)]
pub(crate) struct UpstreamLeg {
    pub nonce: String,
    pub verifier: String,
    /// The hash of a cookie set on the browser that went to the provider: the provider's
    /// answer is taken only from that browser (no one can hand theirs to someone else).
    pub binding: String,
}

/// The cookie that ties a provider's answer to the browser that asked.
const BINDING_COOKIE: &str = "local_idp_binding";

/// Whether `provider` is a real OpenID provider (else the built-in test provider stands in).
pub fn is_upstream(provider: &IdentityProviderConfig) -> bool {
    provider.provider_type == "OIDC"
        && provider.provider_details.contains_key("client_id")
        && provider
            .provider_details
            .get("oidc_issuer")
            .is_some_and(|issuer| issuer.starts_with("https://") || issuer.starts_with("http://"))
}

fn http_client() -> Result<openidconnect::reqwest::Client, String> {
    // No redirects: following them from a provider's answers would be a server-side request
    // forgery waiting to happen.
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())
}

async fn metadata(
    provider: &IdentityProviderConfig,
    http: &openidconnect::reqwest::Client,
) -> Result<CoreProviderMetadata, String> {
    let issuer = provider
        .provider_details
        .get("oidc_issuer")
        .cloned()
        .unwrap_or_default();
    let issuer = IssuerUrl::new(issuer).map_err(|e| e.to_string())?;
    CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| format!("discovery failed: {e}"))
}

fn detail(provider: &IdentityProviderConfig, key: &str) -> Option<String> {
    provider.provider_details.get(key).cloned()
}

/// A client of the provider as discovery describes it, with the pool's `idpresponse` as its
/// redirect.
type UpstreamClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

async fn upstream_client(
    pool: &LocalPool,
    provider: &IdentityProviderConfig,
    http: &openidconnect::reqwest::Client,
) -> Result<UpstreamClient, String> {
    let metadata = metadata(provider, http).await?;
    let redirect = RedirectUrl::new(format!("{}/oauth2/idpresponse", domain_url(pool)))
        .map_err(|e| e.to_string())?;
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(detail(provider, "client_id").unwrap_or_default()),
        detail(provider, "client_secret").map(ClientSecret::new),
    )
    .set_redirect_uri(redirect))
}

/// Off to the provider: the open authorization's id is the `state` it will send back.
pub(crate) async fn start(
    pool: &LocalPool,
    provider: &IdentityProviderConfig,
    mut authorization: Authorization,
) -> Response {
    let http = match http_client() {
        Ok(http) => http,
        Err(_) => return redirect_error(&authorization, "server_error", None),
    };
    let client = match upstream_client(pool, provider, &http).await {
        Ok(client) => client,
        Err(problem) => {
            tracing::warn!(provider = %provider.provider_name, problem = %problem, "upstream provider unavailable");
            let description = format!("{} Error - discovery failed", provider.provider_name);
            return redirect_error(&authorization, "invalid_request", Some(&description));
        }
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = Nonce::new_random();
    let binding = random_token(24);
    authorization.upstream = Some(UpstreamLeg {
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
        binding: sha256_hex(&binding),
    });
    let Some(state) = pool.inner.oauth.open(authorization.clone(), pool.now()) else {
        return redirect_error(&authorization, "temporarily_unavailable", None);
    };
    let scopes =
        detail(provider, "authorize_scopes").unwrap_or_else(|| "openid email profile".into());
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        move || CsrfToken::new(state),
        move || nonce,
    );
    for scope in scopes
        .split([' ', ','])
        .filter(|s| !s.is_empty() && *s != "openid")
    {
        request = request.add_scope(Scope::new(scope.to_owned()));
    }
    let (url, _, _) = request.set_pkce_challenge(challenge).url();
    let mut response = found(url.as_str());
    let cookie = format!(
        "{BINDING_COOKIE}={binding}; Path={}/oauth2/idpresponse; HttpOnly; SameSite=Lax; Max-Age=600",
        domain_path(pool)
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `GET /oauth2/idpresponse`: back from the provider.
pub(crate) async fn idp_response(
    State(pools): State<Pools>,
    Path(pool_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let pool = match pool_page(&pools, &pool_id) {
        Ok(pool) => pool,
        Err(page) => return *page,
    };
    let now = pool.now();
    let state = query.get("state").map(String::as_str).unwrap_or_default();
    // Only the browser that went to the provider, and only a real provider's round trip: a
    // forwarded or forged answer leaves the open authorization as it was.
    let from_that_browser = pool
        .inner
        .oauth
        .pending(state, now)
        .and_then(|a| a.upstream)
        .zip(cookie_value(&headers, BINDING_COOKIE))
        .is_some_and(|(leg, cookie)| constant_time_eq(&sha256_hex(&cookie), &leg.binding));
    let taken = from_that_browser
        .then(|| pool.inner.oauth.take(state, now))
        .flatten();
    let Some((authorization, leg)) = taken.and_then(|a| a.upstream.clone().map(|leg| (a, leg)))
    else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "This sign-in has expired or was already used. Go back to the app and start again.",
        );
    };
    let config = pool.config();
    let Some(provider) = config
        .identity_providers
        .iter()
        .find(|p| p.provider_name == authorization.provider)
    else {
        return redirect_error(&authorization, "invalid_request", None);
    };
    if let Some(error) = query.get("error") {
        let code = if error == "access_denied" {
            "access_denied"
        } else {
            "invalid_request"
        };
        let description = format!("{} Error - {error}", provider.provider_name);
        return redirect_error(&authorization, code, Some(&description));
    }
    let Some(code) = query.get("code") else {
        return redirect_error(&authorization, "invalid_request", None);
    };
    match redeem(&pool, provider, code, &leg).await {
        Ok(claims) => match pool.federated_user(provider, &claims).await {
            Ok(username) => {
                finish(
                    &pool,
                    authorization,
                    &username,
                    now,
                    Some(&provider.provider_name),
                )
                .await
            }
            Err(message) => redirect_error(&authorization, "invalid_request", Some(&message)),
        },
        Err(problem) => {
            tracing::warn!(provider = %provider.provider_name, problem = %problem, "upstream sign-in refused");
            let description = format!("{} Error - error getting token", provider.provider_name);
            redirect_error(&authorization, "invalid_request", Some(&description))
        }
    }
}

/// The provider's code for its verified ID token's claims.
async fn redeem(
    pool: &LocalPool,
    provider: &IdentityProviderConfig,
    code: &str,
    leg: &UpstreamLeg,
) -> Result<BTreeMap<&'static str, String>, String> {
    let http = http_client()?;
    let client = upstream_client(pool, provider, &http).await?;
    let answer = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|e| e.to_string())?
        .set_pkce_verifier(PkceCodeVerifier::new(leg.verifier.clone()))
        .request_async(&http)
        .await
        .map_err(|e| format!("token request failed: {e}"))?;
    let id_token = answer.id_token().ok_or("the provider sent no ID token")?;
    let claims = id_token
        .claims(&client.id_token_verifier(), &Nonce::new(leg.nonce.clone()))
        .map_err(|e| format!("ID token refused: {e}"))?;
    let mut out = BTreeMap::from([("sub", claims.subject().as_str().to_owned())]);
    if let Some(email) = claims.email() {
        out.insert("email", email.as_str().to_owned());
    }
    if let Some(verified) = claims.email_verified() {
        out.insert("email_verified", verified.to_string());
    }
    if let Some(name) = claims.name().and_then(|n| n.get(None)) {
        out.insert("name", name.as_str().to_owned());
    }
    if let Some(given) = claims.given_name().and_then(|n| n.get(None)) {
        out.insert("given_name", given.as_str().to_owned());
    }
    if let Some(family) = claims.family_name().and_then(|n| n.get(None)) {
        out.insert("family_name", family.as_str().to_owned());
    }
    Ok(out)
}
