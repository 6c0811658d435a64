//! Request guards shared by the pool's console and the app: same-site state changes, loopback,
//! and the `Host` names the pool answers.

use crate::pools::Pools;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Whether a state-changing request may proceed: `Sec-Fetch-Site` when the browser sends it,
/// else `Origin` against this host and the configured origins. Requests with neither header
/// come from non-browser clients, which cannot carry a visitor's cookie for an attacker.
pub fn is_same_site(headers: &HeaderMap, allowed_origins: &[String]) -> bool {
    let get = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let origin = get(header::ORIGIN);
    if let Some(origin) = origin {
        if allowed_origins.iter().any(|allowed| allowed == origin) {
            return true;
        }
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match (origin, get(header::HOST)) {
        (None, _) => true,
        (Some(origin), Some(host)) => {
            let host_part = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            host_part == Some(host)
        }
        (Some(_), None) => false,
    }
}

/// Whether a request's `Host` names this machine (a loopback address, `localhost` or a name
/// under it, which browsers resolve to loopback themselves) or one of `allowed` (names, with or
/// without a port). A DNS-rebinding page reaches a loopback server under the attacker's own
/// name, so this is what keeps such a page away from the pool, its outbox and its console.
pub fn is_allowed_host(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = host.trim().to_ascii_lowercase();
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host
            .rsplit_once(':')
            .map_or(host.as_str(), |(name, _)| name),
    };
    let name = name.trim_end_matches('.');
    let loopback = name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    loopback
        || allowed.iter().any(|allowed| {
            let allowed = allowed.to_ascii_lowercase();
            allowed == name || allowed == host
        })
}

/// Refuses requests whose `Host` is neither loopback nor one of the pool's `allowed_hosts`.
pub async fn allowed_host(State(pools): State<Pools>, request: Request, next: Next) -> Response {
    if is_allowed_host(
        request.headers(),
        &pools.default_pool().config().allowed_hosts,
    ) {
        next.run(request).await
    } else {
        (
            StatusCode::MISDIRECTED_REQUEST,
            "The local pool answers only requests addressed to this machine; add other host names to allowed_hosts in its configuration.",
        )
            .into_response()
    }
}

/// Serves only connections from this machine (the console, and the outbox with every code
/// and temporary password): a `Host` name is no access control.
pub async fn loopback_peer(request: Request, next: Next) -> Response {
    let local = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .is_some_and(|axum::extract::ConnectInfo(addr)| is_loopback(addr));
    if local {
        next.run(request).await
    } else {
        (
            StatusCode::FORBIDDEN,
            "The local pool's outbox and console are only served to this machine.",
        )
            .into_response()
    }
}

/// Whether `addr` is this machine.
pub fn is_loopback(addr: &std::net::SocketAddr) -> bool {
    addr.ip().is_loopback()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(is_same_site(
            &headers(&[("sec-fetch-site", "same-origin")]),
            &[]
        ));
        assert!(!is_same_site(
            &headers(&[("sec-fetch-site", "cross-site")]),
            &[]
        ));
        assert!(!is_same_site(
            &headers(&[("sec-fetch-site", "same-site")]),
            &[]
        ));
    }

    #[test]
    fn origin_must_match_host() {
        let same = headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert!(is_same_site(&same, &[]));
        let other = headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert!(!is_same_site(&other, &[]));
        assert!(is_same_site(&other, &["https://evil.example".to_owned()]));
        let null = headers(&[("origin", "null"), ("host", "127.0.0.1:3000")]);
        assert!(!is_same_site(&null, &[]));
        assert!(is_same_site(&headers(&[]), &[]));
    }

    #[test]
    fn only_loopback_and_listed_hosts_are_answered() {
        for host in [
            "127.0.0.1:3000",
            "127.8.9.1",
            "localhost:9229",
            "LOCALHOST",
            "app.localhost:3000",
            "[::1]:3000",
            "localhost.",
        ] {
            assert!(is_allowed_host(&headers(&[("host", host)]), &[]), "{host}");
        }
        let listed = ["pool.internal".to_owned(), "10.0.0.5:9229".to_owned()];
        for host in [
            "rebind.attacker.example",
            "rebind.attacker.example:3000",
            "127.0.0.1.attacker.example",
            "localhost.attacker.example",
            "0.0.0.0:3000",
            "10.0.0.5:80",
            "",
        ] {
            assert!(
                !is_allowed_host(&headers(&[("host", host)]), &listed),
                "{host}"
            );
        }
        assert!(!is_allowed_host(&headers(&[]), &listed), "no Host at all");
        assert!(is_allowed_host(
            &headers(&[("host", "pool.internal:9229")]),
            &listed
        ));
        assert!(is_allowed_host(
            &headers(&[("host", "10.0.0.5:9229")]),
            &listed
        ));
    }
}
