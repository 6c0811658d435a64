//! Form posts a server function cannot read (fields missing, misnamed, unknown, or of the wrong
//! shape) are answered like any other bad input: without JavaScript, the form's page with a
//! clear error; otherwise a typed `UnreadableForm` error with a 400. Left alone, the framework
//! answers a no-JavaScript post with a bare redirect and no message.

use crate::error::{AppError, ErrorKind};
use crate::flow::{Flash, Step};
use crate::server::session;
use crate::steps::FORMS;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

/// The largest form read here (the app's body limit is the same).
const MAX_FORM: usize = 64 * 1024;

/// Middleware, inside the session layer, around every `/api/` post.
pub async fn unreadable_forms(request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    let Some((_, step, inputs)) = FORMS.iter().find(|(form, _, _)| *form == path) else {
        return next.run(request).await;
    };
    let no_js = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let form_encoded = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let session = request
        .extensions()
        .get::<tower_sessions::Session>()
        .cloned();
    let accepted = request
        .extensions()
        .get::<crate::server::Auth>()
        .map(|auth| auth.config.accepted_form_inputs.clone())
        .unwrap_or_default();
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    if form_encoded {
        if let Some(unknown) = unknown_input(&bytes, inputs, &accepted) {
            tracing::info!(endpoint = %path, input = %unknown, "form post with an unknown input");
            return refuse(*step, no_js, session, Some(unknown)).await;
        }
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if !response.headers().contains_key(SERVER_FN_ERROR_HEADER) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_FORM)
        .await
        .unwrap_or_default();
    match serde_json::from_slice::<AppError>(&bytes) {
        Ok(error) if error.kind == ErrorKind::UnreadableForm => {
            tracing::info!(endpoint = %path, "form post that could not be read");
            refuse(*step, no_js, session, None).await
        }
        // The framework answers every error with a 500; a refused input is not the server's
        // failure, so it gets its own status (the browser's client reads any 4xx/5xx alike).
        Ok(error) if parts.status == StatusCode::INTERNAL_SERVER_ERROR => {
            let mut response = Response::from_parts(parts, Body::from(bytes));
            *response.status_mut() = status_of(&error);
            response
        }
        _ => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// The HTTP status of a server function's typed error.
fn status_of(error: &AppError) -> StatusCode {
    match error.kind {
        ErrorKind::Unexpected => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorKind::Unavailable | ErrorKind::Misconfigured | ErrorKind::TriggerFailed => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        ErrorKind::RateLimited | ErrorKind::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::NotSignedIn => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// The first input of the post that the form does not have, as its (cut) name.
fn unknown_input(body: &Bytes, inputs: &[&str], accepted: &[String]) -> Option<String> {
    url::form_urlencoded::parse(body).find_map(|(name, _)| {
        let top = name.split('[').next().unwrap_or_default();
        let known = top == "extra" || inputs.contains(&top) || accepted.iter().any(|a| *a == *name);
        (!known).then(|| name.chars().take(64).collect())
    })
}

async fn refuse(
    step: Step,
    no_js: bool,
    session: Option<tower_sessions::Session>,
    input: Option<String>,
) -> Response {
    let mut error = AppError::new(ErrorKind::UnreadableForm);
    error.detail = input;
    if !no_js {
        let body = serde_json::to_vec(&error).unwrap_or_default();
        let mut response = (StatusCode::BAD_REQUEST, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Ok(path) = HeaderValue::from_str(step.route()) {
            headers.insert(SERVER_FN_ERROR_HEADER, path);
        }
        return response;
    }
    let flash = Flash {
        error: Some(error),
        ..Flash::default()
    };
    if let Some(session) = session {
        if session::set_flash(&session, &flash).await.is_err() {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    (StatusCode::SEE_OTHER, [(header::LOCATION, step.route())]).into_response()
}
