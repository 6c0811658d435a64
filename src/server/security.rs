//! Request-level protections: state-changing requests must come from this site.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
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
