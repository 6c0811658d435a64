//! Request-level protections: state-changing requests must come from this site, and every
//! response carries the security headers (CSP with a per-page nonce on rendered pages).

use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use local_pool::guard::is_same_site;
use std::sync::Arc;

/// Middleware: refuses cross-site POST/PUT/PATCH/DELETE with 403.
pub async fn reject_cross_site(
    State(allowed_origins): State<Arc<Vec<String>>>,
    request: Request,
    next: Next,
) -> Response {
    let changes_state = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if changes_state && !is_same_site(request.headers(), &allowed_origins) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
        return (
            StatusCode::FORBIDDEN,
            Html("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Request refused</title></head><body><h1>Request refused</h1><p>This form was sent from another site, so it was not accepted. <a href=\"/signin\">Go to sign in</a>.</p></body></html>"),
        )
            .into_response();
    }
    next.run(request).await
}

/// The policy of a rendered page: scripts from this site or carrying this response's nonce
/// (Leptos' inline hydration loader), wasm compilation, styles from this site only.
/// `form_origins` are other origins a form's post may end at: browsers apply `form-action` to
/// the redirect after a post too, so the user pool's domain must be named for the "Sign in
/// with …" buttons and a federated sign-out to leave this site.
pub fn content_security_policy(nonce: &str, form_origins: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'{form_origins}; frame-ancestors 'none'"
    )
}

/// What [`security_headers`] needs to know about the site.
#[derive(Clone, Debug, Default)]
pub struct HeaderPolicy {
    /// Served over HTTPS: adds HSTS.
    pub https: bool,
    /// ` https://auth.example.com`: origins besides this one that forms may lead to.
    pub form_origins: std::sync::Arc<str>,
}

/// For the local pool's console and outbox: no scripts at all; inline styles allowed.
const FALLBACK_CSP: &str =
    "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// This request's CSP nonce, chosen by [`security_headers`] before the app renders; the app
/// hands it to Leptos, which puts it on its inline scripts.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// Gives Leptos this request's nonce (called with the app's other render context).
pub fn provide_request_nonce() {
    use leptos::prelude::{provide_context, use_context};
    let nonce = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(value)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(value));
    }
}

/// Middleware: the security headers of every response. `https` adds HSTS.
pub async fn security_headers(
    State(policy_of_site): State<HeaderPolicy>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    // The local pool's console and outbox are plain pages with inline styles and no scripts.
    let own_page = !request.uri().path().starts_with("/local/");
    // Server functions answer with a user's attributes, TOTP secrets and the like.
    let server_function = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html && own_page && !response.headers().contains_key(CONTENT_SECURITY_POLICY) {
        let policy = content_security_policy(&nonce, &policy_of_site.form_origins);
        if let Ok(policy) = HeaderValue::from_str(&policy) {
            response
                .headers_mut()
                .insert(CONTENT_SECURITY_POLICY, policy);
        }
    }
    let headers = response.headers_mut();
    let set_default =
        |headers: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
            if !headers.contains_key(&name) {
                headers.insert(name, HeaderValue::from_static(value));
            }
        };
    // A policy governs documents; other responses (scripts, wasm, JSON) only need to refuse
    // being framed.
    let policy = if is_html {
        FALLBACK_CSP
    } else {
        "frame-ancestors 'none'"
    };
    set_default(headers, CONTENT_SECURITY_POLICY, policy);
    set_default(headers, X_CONTENT_TYPE_OPTIONS, "nosniff");
    set_default(headers, X_FRAME_OPTIONS, "DENY");
    set_default(headers, REFERRER_POLICY, "same-origin");
    set_default(
        headers,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if is_html || server_function {
        // Auth pages and server-function answers carry per-user state: never from a shared
        // or back-button cache.
        set_default(headers, CACHE_CONTROL, "no-store");
    }
    if policy_of_site.https {
        set_default(
            headers,
            STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    response
}

/// Where a sign-in may send the browser afterwards: a path on this site, or a URL on one of
/// `allowed_origins`. Anything else (other hosts, `//host`, backslashes, control characters,
/// also percent-encoded, other schemes) is refused, so the value is always a safe `Location`.
pub fn safe_return_to(value: &str, allowed_origins: &[String]) -> Option<String> {
    const MAX_LEN: usize = 2048;
    if value.is_empty() || value.len() > MAX_LEN {
        return None;
    }
    let decoded = percent_decoded(value);
    if decoded.chars().any(|c| c.is_control()) || decoded.contains('\\') {
        return None;
    }
    if value.starts_with('/') {
        return (!decoded.starts_with("//")).then(|| value.to_owned());
    }
    let url = url::Url::parse(value).ok()?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.username().is_empty()
        && url.password().is_none();
    let origin = url.origin().ascii_serialization();
    (plain && allowed_origins.contains(&origin)).then(|| value.to_owned())
}

/// `value` with `%XX` escapes decoded (invalid UTF-8 replaced), to look for hidden characters.
fn percent_decoded(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((high * 16 + low) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn forms_may_lead_to_the_user_pools_domain_and_nowhere_else() {
        let policy = super::content_security_policy("n0nce", " https://auth.example.com");
        assert!(
            policy.contains("form-action 'self' https://auth.example.com;"),
            "{policy}"
        );
        assert!(super::content_security_policy("n0nce", "").contains("form-action 'self';"));
    }

    use super::safe_return_to;

    #[test]
    fn return_to_keeps_only_local_paths_and_allowed_origins() {
        let allowed = vec!["https://app.example".to_owned()];
        let kept = |v: &str| safe_return_to(v, &allowed);
        assert_eq!(kept("/x"), Some("/x".into()));
        assert_eq!(
            kept("/account?tab=mfa#top"),
            Some("/account?tab=mfa#top".into())
        );
        assert_eq!(
            kept("https://app.example/welcome"),
            Some("https://app.example/welcome".into())
        );
        for refused in [
            "",
            "//evil.com",
            "/\\evil.com",
            "/%5Cevil.com",
            "/%2F/evil.com",
            "https://evil.com",
            "https://app.example.evil.com/",
            "https://evilapp.example/",
            "http://app.example/",
            "https://user@app.example/",
            "javascript:alert(1)",
            "data:text/html,hi",
            "/%0d%0aSet-Cookie:x",
            "/\r\nSet-Cookie:x",
            "\t/evil",
            " /x",
            "x",
        ] {
            assert_eq!(kept(refused), None, "{refused:?}");
        }
        assert_eq!(kept(&format!("/{}", "a".repeat(3000))), None);
    }
}
