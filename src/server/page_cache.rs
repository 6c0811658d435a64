//! A short-lived cache of the pages anonymous visitors get. A visitor with no session sees the
//! same `/signin` as every other one in their language, so rendering it again for each of them
//! only costs CPU (see BENCHMARKS.md: rendering is most of a page view's cost). Only the CSP
//! nonce differs per response; it is swapped for the request's own.
//!
//! A response is kept only when it is a `200` HTML page, set no cookie, and answered a `GET`
//! that carried no cookie but the language one: anything session-dependent (a flash message, a
//! flow in progress, a signed-in user) needs a session cookie, so it is never cached.

use super::security::CspNonce;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a kept page is served; short, so a changed configuration shows soon after a restart
/// of any instance behind the same address.
const FRESH_FOR: Duration = Duration::from_secs(30);
/// At most this many variants (path, query, language) are kept.
const CAPACITY: usize = 256;
/// Pages larger than this are not kept.
const MAX_PAGE: usize = 256 * 1024;

#[derive(Clone, Default)]
pub struct PageCache {
    pages: Arc<Mutex<HashMap<String, Kept>>>,
}

#[derive(Clone)]
struct Kept {
    body: Bytes,
    headers: HeaderMap,
    nonce: String,
    at: Instant,
}

impl PageCache {
    fn get(&self, key: &str) -> Option<Kept> {
        let pages = self.pages.lock().ok()?;
        pages
            .get(key)
            .filter(|kept| kept.at.elapsed() < FRESH_FOR)
            .cloned()
    }

    fn put(&self, key: String, kept: Kept) {
        if let Ok(mut pages) = self.pages.lock() {
            if pages.len() >= CAPACITY && !pages.contains_key(&key) {
                pages.retain(|_, kept| kept.at.elapsed() < FRESH_FOR);
                if pages.len() >= CAPACITY {
                    pages.clear();
                }
            }
            pages.insert(key, kept);
        }
    }
}

/// The cache key of a request whose page may be shared, else `None`.
fn shareable(request: &Request) -> Option<String> {
    if request.method() != Method::GET {
        return None;
    }
    let path = request.uri().path();
    // Pages only: not server functions, assets, the local pool's tools or health checks.
    if path.starts_with("/api/")
        || path.starts_with("/pkg/")
        || path.starts_with("/local/")
        || path == "/healthz"
        || path.contains('.')
    {
        return None;
    }
    let headers = request.headers();
    let mut language_cookie = "";
    for value in headers.get_all(COOKIE) {
        for pair in value.to_str().ok()?.split(';').map(str::trim) {
            match pair.strip_prefix(crate::ui::i18n::LOCALE_COOKIE) {
                Some(rest) if rest.starts_with('=') => language_cookie = rest,
                _ if pair.is_empty() => {}
                _ => return None,
            }
        }
    }
    let accept_language = headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    Some(format!(
        "{}\n{language_cookie}\n{accept_language}",
        request.uri()
    ))
}

/// Middleware: serves and keeps shareable pages (inside the security-headers layer, which has
/// chosen this request's nonce).
pub async fn anonymous_pages(
    State(cache): State<PageCache>,
    request: Request,
    next: Next,
) -> Response {
    let Some(key) = shareable(&request) else {
        return next.run(request).await;
    };
    let Some(nonce) = request.extensions().get::<CspNonce>().map(|n| n.0.clone()) else {
        return next.run(request).await;
    };
    if let Some(kept) = cache.get(&key) {
        let body = swap_nonce(&kept.body, &kept.nonce, &nonce);
        let mut response = (StatusCode::OK, body).into_response();
        *response.headers_mut() = kept.headers;
        return response;
    }
    let response = next.run(request).await;
    // Only a page as it is: never a redirect (whatever its status), never one that set a cookie.
    let is_page = response.status() == StatusCode::OK
        && !response.headers().contains_key(SET_COOKIE)
        && !response.headers().contains_key(LOCATION)
        && response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    if !is_page {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE).await else {
        // Too large to keep (or unreadable): nothing can be sent now but an error.
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    cache.put(
        key,
        Kept {
            body: bytes.clone(),
            headers: parts.headers.clone(),
            nonce,
            at: Instant::now(),
        },
    );
    Response::from_parts(parts, Body::from(bytes))
}

fn swap_nonce(body: &Bytes, kept: &str, fresh: &str) -> Body {
    match std::str::from_utf8(body) {
        Ok(text) => Body::from(text.replace(kept, fresh)),
        Err(_) => Body::from(body.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, uri: &str, cookie: Option<&str>) -> Request {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(cookie) = cookie {
            builder = builder.header(COOKIE, cookie);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    fn only_cookieless_page_views_are_shared() {
        assert!(shareable(&request(Method::GET, "/signin", None)).is_some());
        assert!(shareable(&request(Method::GET, "/signin", Some("ca_lang=fr"))).is_some());
        assert_ne!(
            shareable(&request(Method::GET, "/signin", Some("ca_lang=fr"))),
            shareable(&request(Method::GET, "/signin", None))
        );
        assert!(shareable(&request(Method::GET, "/signin", Some("session=abc"))).is_none());
        assert!(shareable(&request(
            Method::GET,
            "/signin",
            Some("ca_lang=fr; session=abc")
        ))
        .is_none());
        assert!(shareable(&request(Method::POST, "/api/sign_in", None)).is_none());
        assert!(shareable(&request(Method::GET, "/pkg/app.wasm", None)).is_none());
        assert!(shareable(&request(Method::GET, "/local/outbox", None)).is_none());
    }
}
