//! The look the pool's own pages (console, outbox) share with the sign-in pages: the app's
//! stylesheet, served by the pool itself so the standalone command has it too, and a wide card.

use crate::outbox::escape;
use axum::http::header;
use axum::response::IntoResponse;

/// Where the pool serves the stylesheet.
pub const STYLESHEET_PATH: &str = "/local/console/style.css";

/// The app's own stylesheet (`style/main.css`).
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("../../../style/main.css"),
    )
}

/// A whole page: `title` as its title and heading, `body` (HTML) in a wide card.
pub fn tool_page(title: &str, body: &str) -> String {
    let title = escape(title);
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>\
<link rel=\"stylesheet\" href=\"{STYLESHEET_PATH}\"></head><body>\
<main class=\"ca-page\"><section class=\"ca-card ca-card--wide\"><div class=\"ca-card-body\">\
<h1 class=\"ca-heading\">{title}</h1>{body}</div></section></main></body></html>"
    )
}
