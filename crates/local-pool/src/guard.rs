//! Request guards shared by the pool's console and the app: same-site state changes, loopback.

use axum::http::{header, HeaderMap};

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
}
