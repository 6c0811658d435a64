//! The outbox: every message the pool "sent" (codes, links), for people (HTML) and tests (JSON).
//! Served only to this machine, under the host names the pool answers.

use crate::pools::Pools;
use crate::store::OutboxMessage;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

/// `GET /`: every pool's messages, as JSON (oldest first) for `Accept: application/json`,
/// else an HTML page.
pub fn router(pools: impl Into<Pools>) -> Router {
    let pools: Pools = pools.into();
    Router::new()
        .route("/", get(show))
        .layer(axum::middleware::from_fn(crate::guard::loopback_peer))
        .layer(axum::middleware::from_fn_with_state(
            pools.clone(),
            crate::guard::allowed_host,
        ))
        .with_state(pools)
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

async fn show(State(pools): State<Pools>, headers: HeaderMap) -> Response {
    let messages = match pools.outbox().await {
        Ok(messages) => messages,
        Err(fault) => return fault.into_response(),
    };
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        return Json(messages).into_response();
    }
    let several_pools = pools.all().len() > 1;
    Html(render(&messages, several_pools)).into_response()
}

fn render(messages: &[OutboxMessage], several_pools: bool) -> String {
    let rows: String = messages
        .iter()
        .rev()
        .map(|m| {
            let when = chrono::DateTime::from_timestamp(m.at, 0)
                .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                .unwrap_or_default();
            let pool = if several_pools {
                format!("<td>{}</td>", escape(&m.pool_id))
            } else {
                String::new()
            };
            format!(
                "<tr>{pool}<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"ca-code\">{}</td><td>{}</td></tr>",
                escape(&when),
                escape(&m.username),
                escape(&m.channel),
                escape(&m.destination),
                escape(&m.kind),
                escape(m.code.as_deref().unwrap_or("")),
                escape(&m.message),
            )
        })
        .collect();
    let body = if messages.is_empty() {
        "<p class=\"ca-text\">No messages yet. Sign up to receive a confirmation code here.</p>"
            .to_owned()
    } else {
        let pool = if several_pools {
            "<th scope=\"col\">Pool</th>"
        } else {
            ""
        };
        format!("<div class=\"ca-table-wrap\" role=\"region\" aria-label=\"Messages\" tabindex=\"0\"><table class=\"ca-table\"><thead><tr>{pool}<th scope=\"col\">Time</th><th scope=\"col\">User</th><th scope=\"col\">Channel</th><th scope=\"col\">To</th><th scope=\"col\">Kind</th><th scope=\"col\">Code</th><th scope=\"col\">Message</th></tr></thead><tbody>{rows}</tbody></table></div>")
    };
    crate::page::tool_page(
        "Local outbox",
        &format!(
            "<p class=\"ca-text\">Emails and text messages the local user pool would have sent, newest first.</p>{body}\
<p class=\"ca-text\"><a class=\"ca-link\" href=\"/local/console\">Console</a> · <a class=\"ca-link\" href=\"/signin\">Back to sign in</a></p>"
        ),
    )
}
