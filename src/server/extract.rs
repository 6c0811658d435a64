//! `CurrentUser`: the signed-in user in an axum handler, from the server-side session.

use super::{Auth, Ctx};
use crate::flow::AuthUser;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

/// The signed-in user of this request, from claims of the ID token that was verified at
/// sign-in (and refreshed as needed). Rejects with 401 when nobody is signed in; take
/// `Option<CurrentUser>` to allow anonymous visitors. Needs the router to go through
/// [`super::routes::mount`].
///
/// ```no_run
/// use axum::{routing::get, Router};
/// use cognito_authenticator::server::CurrentUser;
///
/// async fn hello(user: CurrentUser) -> String {
///     format!("Hello, {}!", user.attribute("given_name").unwrap_or(&user.username))
/// }
/// # async fn run(auth: cognito_authenticator::server::Auth) {
/// let app: Router = cognito_authenticator::server::mount(Router::new().route("/hello", get(hello)), &auth);
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct CurrentUser {
    user: AuthUser,
    access_token: cognito_idp::Secret,
}

impl CurrentUser {
    /// The access token, to call an API that accepts Cognito tokens. Never send it to the browser.
    pub fn access_token(&self) -> &str {
        self.access_token.expose()
    }

    /// The user as components see them.
    pub fn user(&self) -> &AuthUser {
        &self.user
    }
}

impl std::ops::Deref for CurrentUser {
    type Target = AuthUser;
    fn deref(&self) -> &AuthUser {
        &self.user
    }
}

/// Why there is no current user.
#[derive(Debug)]
pub enum CurrentUserRejection {
    /// Nobody is signed in (401).
    NotSignedIn,
    /// The router was not set up with `mount` (500, and logged).
    NotMounted,
}

impl IntoResponse for CurrentUserRejection {
    fn into_response(self) -> Response {
        match self {
            Self::NotSignedIn => (StatusCode::UNAUTHORIZED, "Please sign in.").into_response(),
            Self::NotMounted => {
                tracing::error!(
                    "CurrentUser used on a router without cognito_authenticator::server::mount"
                );
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}

async fn signed_in(parts: &mut Parts) -> Result<Option<CurrentUser>, CurrentUserRejection> {
    let auth = parts
        .extensions
        .get::<Auth>()
        .cloned()
        .ok_or(CurrentUserRejection::NotMounted)?;
    let session = Session::from_request_parts(parts, &())
        .await
        .map_err(|_| CurrentUserRejection::NotMounted)?;
    let ctx = Ctx::for_request(auth, session, parts);
    Ok(ctx.current_user().await.map(|signed_in| CurrentUser {
        user: signed_in.user(),
        access_token: signed_in.access_token,
    }))
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = CurrentUserRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        signed_in(parts)
            .await?
            .ok_or(CurrentUserRejection::NotSignedIn)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for CurrentUser {
    type Rejection = CurrentUserRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        signed_in(parts).await
    }
}
