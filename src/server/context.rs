//! What a server function works with: the shared [`Auth`] service, the visitor's session, and
//! whether the request came from a plain HTML form (no JavaScript).

use super::session::{self, Flow, SignedIn};
use super::AuthConfig;
use crate::error::{AppError, ErrorKind};
use crate::flow::{Flash, MfaType, Notice, PageState, Reply, Step, UserView};
use cognito_idp::jwt::{JwtVerifier, TokenUse};
use cognito_idp::wire::AuthenticationResult;
use cognito_idp::{Clock, ErrorKind as CognitoKind, UserPoolClient};
use leptos::prelude::*;
use local_pool::Pools;
use std::sync::Arc;
use tower_sessions::Session;

/// The app's shared state: configuration, the Cognito client and the token verifier.
#[derive(Clone)]
pub struct Auth {
    inner: Arc<AuthInner>,
}

pub struct AuthInner {
    pub config: AuthConfig,
    pub cognito: UserPoolClient,
    pub verifier: JwtVerifier,
    pub clock: Clock,
    /// The embedded pools (the configured one and any `[[pools]]`), when no Cognito is set.
    pub local_pool: Option<Pools>,
    pub sessions: super::session_store::AppSessionStore,
    pub refreshes: super::refresh::Refreshes,
    pub limits: super::limits::Limits,
}

impl std::ops::Deref for Auth {
    type Target = AuthInner;
    fn deref(&self) -> &AuthInner {
        &self.inner
    }
}

impl Auth {
    pub fn new(inner: AuthInner) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }
}

/// Where a form's server function sends the user next.
pub enum Next {
    /// Another step's page.
    Go(Step),
    /// Another step's page, with a notice shown there.
    GoWith(Step, Notice),
    /// The same page, with a reply (for example "a new code is on its way").
    Stay(Reply),
    /// The same page, loaded again because its state changed, perhaps with a notice.
    Reload(Option<Notice>),
    /// Off this app's pages: the user pool domain's `/logout` after a federated sign-in.
    Leave(String),
}

/// Claims that describe the token rather than the user.
const TECHNICAL_CLAIMS: [&str; 16] = [
    "iss",
    "aud",
    "exp",
    "iat",
    "jti",
    "origin_jti",
    "event_id",
    "token_use",
    "auth_time",
    "sub",
    "cognito:username",
    "at_hash",
    "nbf",
    "nonce",
    "identities",
    "cognito:groups",
];

fn session_failed(err: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %err, "session store failed");
    AppError::new(ErrorKind::Unavailable)
}

/// What the step-page check found for this request (see `checked_user`): the signed-in user,
/// and Cognito's `GetUser` answer if it asked.
#[derive(Clone)]
pub struct CheckedUser(
    Option<SignedIn>,
    Option<Option<cognito_idp::wire::GetUserResponse>>,
);

pub struct Ctx {
    pub auth: Auth,
    pub session: Session,
    /// A plain form post: answer with a redirect and keep the outcome in the session.
    pub no_js: bool,
    /// This request's `GetUser` answer (`None`: Cognito did not answer), so the token check
    /// and the account page share one call.
    fetched_user: tokio::sync::OnceCell<Option<cognito_idp::wire::GetUserResponse>>,
    /// This request's signed-in user, found once (and handed from the step-page check to the
    /// render through [`CheckedUser`], so a page re-checks its tokens once).
    checked_user: tokio::sync::OnceCell<Option<SignedIn>>,
    /// This browser's remembered-devices cookie (see `server::devices`).
    pub(super) device_cookie: Option<String>,
    pub(super) user_agent: Option<String>,
    /// For the auth event log line: this request's id and when it started.
    request_id: String,
    started: std::time::Instant,
}

impl Ctx {
    pub async fn load() -> Result<Self, AppError> {
        let parts = use_context::<axum::http::request::Parts>()
            .ok_or_else(|| AppError::new(ErrorKind::Unexpected))?;
        // From the render's context, else from the request (`mount` adds it), so server
        // functions work whatever context an embedder's routes provide.
        let auth = use_context::<Auth>()
            .or_else(|| parts.extensions.get::<Auth>().cloned())
            .ok_or_else(|| AppError::new(ErrorKind::Unexpected))?;
        let session: Session = leptos_axum::extract()
            .await
            .map_err(|_| AppError::new(ErrorKind::Unexpected))?;
        Ok(Self::for_request(auth, session, &parts))
    }

    /// The context of a request that is not a Leptos render (the `CurrentUser` extractor).
    pub fn for_request(auth: Auth, session: Session, parts: &axum::http::request::Parts) -> Self {
        let no_js = parts
            .headers
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        // A load balancer's request id when it sent a plausible one, else a new one.
        let request_id = parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|id| {
                id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
            .map(str::to_owned)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let (checked_user, fetched_user) = match parts.extensions.get::<CheckedUser>() {
            Some(CheckedUser(user, fetched)) => (
                tokio::sync::OnceCell::new_with(Some(user.clone())),
                tokio::sync::OnceCell::new_with(fetched.clone()),
            ),
            None => Default::default(),
        };
        let device_cookie = super::devices::cookie_in(&parts.headers, auth.config.secure_cookies);
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Self {
            auth,
            session,
            no_js,
            fetched_user,
            checked_user,
            device_cookie,
            user_agent,
            request_id,
            started: std::time::Instant::now(),
        }
    }

    pub fn now(&self) -> i64 {
        self.auth.clock.now()
    }

    /// Sends the visitor to `target`. While rendering a page (not answering a server-fn call)
    /// this is always a real 302, whatever the client's `Accept` header says.
    fn redirect_to(&self, target: &str) {
        leptos_axum::redirect(target);
        let rendering_page = use_context::<axum::http::request::Parts>()
            .is_some_and(|parts| !parts.uri.path().starts_with("/api/"));
        if rendering_page {
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(axum::http::StatusCode::FOUND);
            }
        }
    }

    /// Ends a form's server function: redirects to the next page, or (without JavaScript)
    /// back to this one with the outcome and the typed values kept in the session.
    pub async fn finish(
        &self,
        page: Step,
        result: Result<Next, AppError>,
        values: &[(&str, &str)],
    ) -> Result<Reply, AppError> {
        self.log_event(page, &result);
        // Inside an embedder's `<Authenticator>`, every step is shown on the embedder's page: a
        // page load of it without JavaScript, the component switching in place with it.
        // Only a form on the page that started the flow is answered in place (not the account
        // page's, a confirmation link's or any other page's, whatever the session remembers).
        let inline = match page {
            Step::Done => None,
            _ => session::inline_host(&self.session)
                .await
                .filter(|host| self.posted_from(host)),
        };
        // The embedder's page, naming the start screen when the step is one.
        let stay_on = |step: Step| match &inline {
            Some(host) => {
                let (path, query) = host
                    .split_once('?')
                    .map_or((host.as_str(), None), |(p, q)| (p, Some(q)));
                crate::ui::step_page::with_screen(path, query, step)
            }
            None => step.route().to_owned(),
        };
        let starts = |step: Step| crate::ui::step_page::screen_slug(step).is_some();
        let in_place = || Reply {
            reload: true,
            ..Reply::default()
        };
        match result {
            // With JavaScript, the router does not reload a page it is already on.
            Ok(Next::Go(step)) if !self.no_js && step.route() == page.route() => Ok(in_place()),
            Ok(Next::Go(Step::Done)) => {
                // Signed in: back to where the visitor was sent from, if that was allowed.
                let target = session::take_return_to(&self.session).await;
                session::set_inline_host(&self.session, None)
                    .await
                    .map_err(session_failed)?;
                if inline.is_some() && !self.no_js {
                    return Ok(in_place());
                }
                leptos_axum::redirect(target.as_deref().unwrap_or(Step::Done.route()));
                Ok(Reply::default())
            }
            Ok(Next::Go(step)) if inline.is_some() && !self.no_js && !starts(step) => {
                Ok(in_place())
            }
            Ok(Next::Go(step)) => {
                leptos_axum::redirect(&stay_on(step));
                Ok(Reply::default())
            }
            Ok(Next::Leave(target)) if self.no_js => {
                leptos_axum::redirect(&target);
                Ok(Reply::default())
            }
            Ok(Next::Leave(target)) => Ok(Reply {
                leave: Some(target),
                ..Reply::default()
            }),
            Ok(Next::GoWith(step, notice)) => {
                let flash = Flash {
                    notice: Some(notice),
                    ..Flash::default()
                };
                session::set_flash(&self.session, &flash)
                    .await
                    .map_err(session_failed)?;
                if inline.is_some() && !self.no_js && !starts(step) {
                    return Ok(in_place());
                }
                leptos_axum::redirect(&stay_on(step));
                Ok(Reply::default())
            }
            Ok(Next::Stay(reply)) => {
                if self.no_js {
                    let flash = Flash {
                        notice: reply.notice,
                        ..Flash::default()
                    };
                    session::set_flash(&self.session, &flash)
                        .await
                        .map_err(session_failed)?;
                    leptos_axum::redirect(&stay_on(page));
                }
                Ok(reply)
            }
            Ok(Next::Reload(notice)) => {
                let flash = Flash {
                    notice,
                    ..Flash::default()
                };
                session::set_flash(&self.session, &flash)
                    .await
                    .map_err(session_failed)?;
                if self.no_js {
                    leptos_axum::redirect(&stay_on(page));
                }
                Ok(in_place())
            }
            Err(error) => {
                if self.no_js {
                    let flash = Flash {
                        error: Some(error.clone()),
                        notice: None,
                        values: super::input::redisplayed_values(values),
                    };
                    session::set_flash(&self.session, &flash)
                        .await
                        .map_err(session_failed)?;
                    leptos_axum::redirect(&stay_on(page));
                }
                Err(error)
            }
        }
    }

    /// One line per auth event: the step, its outcome and where it led, how long it took, and
    /// the request id. Never a value the person typed, nor anything Cognito returned.
    fn log_event(&self, page: Step, result: &Result<Next, AppError>) {
        let latency_ms = self.started.elapsed().as_millis() as u64;
        let request_id = self.request_id.as_str();
        match result {
            Ok(next) => {
                let next = match next {
                    Next::Go(step) | Next::GoWith(step, _) => format!("{step:?}"),
                    Next::Stay(_) | Next::Reload(_) => format!("{page:?}"),
                    Next::Leave(_) => "Leave".to_owned(),
                };
                tracing::info!(event = "auth", step = ?page, outcome = "ok", next, latency_ms, request_id);
            }
            Err(error) => {
                tracing::info!(event = "auth", step = ?page, outcome = "error", error = error.message_key(), latency_ms, request_id);
            }
        }
    }

    pub async fn flow(&self) -> Option<Flow> {
        session::flow(&self.session, self.now()).await
    }

    /// A session that holds a flow or a signed-in user lives as configured, even when this
    /// request first made it a short-lived one for an anonymous form's error.
    fn keep_session_for_long(&self) {
        self.session
            .set_expiry(Some(tower_sessions::Expiry::OnInactivity(
                time::Duration::seconds(self.auth.config.session_idle_secs),
            )));
    }

    /// The flow, if it is at one of `steps`; otherwise where to send the visitor instead.
    pub async fn flow_at(&self, steps: &[Step]) -> Result<Flow, Next> {
        match self.flow().await {
            Some(flow) if steps.contains(&flow.step) => Ok(flow),
            _ => Err(Next::GoWith(Step::SignIn, Notice::FlowExpired)),
        }
    }

    /// When Cognito has ended the challenge session, start again at sign-in with a clear message.
    pub async fn restart_if_expired(
        &self,
        result: Result<Next, AppError>,
    ) -> Result<Next, AppError> {
        match result {
            Err(error) if error.kind == ErrorKind::FlowExpired => {
                self.clear_flow().await?;
                Ok(Next::GoWith(Step::SignIn, Notice::FlowExpired))
            }
            other => other,
        }
    }

    pub async fn set_flow(&self, flow: &Flow) -> Result<(), AppError> {
        self.keep_session_for_long();
        session::set_flow(&self.session, flow)
            .await
            .map_err(session_failed)
    }

    pub async fn clear_flow(&self) -> Result<(), AppError> {
        session::clear_flow(&self.session)
            .await
            .map_err(session_failed)
    }

    /// Verifies the new tokens and starts a signed-in session under a fresh id.
    /// `login`: the name the person signed in with (none for a provider's sign-in).
    pub async fn establish(
        &self,
        tokens: AuthenticationResult,
        login: Option<&str>,
    ) -> Result<SignedIn, AppError> {
        let new_device = tokens.new_device_metadata.clone();
        let mut device = session::take_sign_in_device(&self.session).await;
        let mut user = self.signed_in_from(tokens, None).await?;
        user.login = login.map(str::to_owned);
        // A device presented for another account's sign-in (one abandoned before this one) is
        // not this sign-in's.
        if !user
            .account_names()
            .contains(&session::account_name(&device.login))
        {
            device.presented = None;
        }
        // A device confirmed now binds its tokens: refreshing them must name it.
        let presented = device.presented.clone();
        user.device_key = match self
            .settle_sign_in_device(&user, new_device.as_ref(), device)
            .await
        {
            Ok(key) => key,
            Err(err) => {
                tracing::warn!(error = ?err.kind, "could not confirm the sign-in's device");
                presented
            }
        };
        // Where the account's epochs stand now: a later "end the other sessions" ends this one.
        self.stamp_epochs(&mut user, false).await?;
        self.keep_session_for_long();
        session::start_signed_in(&self.session, &user)
            .await
            .map_err(session_failed)?;
        Ok(user)
    }

    pub async fn update_user(&self, user: &SignedIn) -> Result<(), AppError> {
        session::update_signed_in(&self.session, user)
            .await
            .map_err(session_failed)
    }

    /// Fetches fresh tokens so the claims shown reflect a change (a verified attribute).
    /// Returns the session's user as now kept (`user` itself if the refresh failed).
    pub async fn refresh_claims(&self, user: &SignedIn) -> SignedIn {
        let Some(refresh_token) = user.refresh_token.clone() else {
            return user.clone();
        };
        if let Ok(tokens) = self
            .auth
            .cognito
            .get_tokens_from_refresh_token(&refresh_token, user.device_key.as_deref())
            .await
        {
            if let Ok(fresh) = self.signed_in_from(tokens, Some(refresh_token)).await {
                let fresh = user.clone().with_tokens_of(fresh);
                if self.update_user(&fresh).await.is_ok() {
                    return fresh;
                }
            }
        }
        user.clone()
    }

    /// The signed-in user, or `NotSignedIn`.
    pub async fn require_user(&self) -> Result<SignedIn, AppError> {
        self.current_user()
            .await
            .ok_or_else(|| AppError::new(ErrorKind::NotSignedIn))
    }

    /// Runs `step` unless this address or username has used up its attempts at `action`; the
    /// username defaults to the one of the sign-in or sign-up in progress, or the signed-in one.
    pub async fn limited(
        &self,
        action: super::limits::Action,
        username: Option<&str>,
        step: impl std::future::Future<Output = Result<Next, AppError>>,
    ) -> Result<Next, AppError> {
        let username = match username {
            Some(name) => Some(super::input::limit_key(name)),
            None => match self.flow().await {
                Some(flow) => Some(flow.username),
                None => session::signed_in(&self.session).await.map(|u| u.username),
            },
        };
        let address = self.client_address();
        if let Err(wait) = self
            .auth
            .limits
            .attempt(action, &address, username.as_deref(), self.now())
            .await
        {
            tracing::warn!(?action, retry_after = wait, "attempt limit reached");
            return Err(AppError::rate_limited(wait));
        }
        step.await
    }

    /// The client's address: the socket's peer, or with `FORWARDED_FOR_HOPS` trusted proxies in
    /// front, the address the outermost of them saw in `X-Forwarded-For`.
    fn client_address(&self) -> String {
        let Some(parts) = use_context::<axum::http::request::Parts>() else {
            return "unknown".into();
        };
        let hops = self.auth.config.forwarded_for_hops;
        if hops > 0 {
            let forwarded: Vec<&str> = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .collect();
            if let Some(address) = forwarded
                .len()
                .checked_sub(hops)
                .and_then(|i| forwarded.get(i))
            {
                return (*address).to_owned();
            }
        }
        parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into())
    }

    /// Keeps a requested after-sign-in destination when it is safe; others are dropped (and
    /// logged), so the visitor lands on the account page instead.
    pub async fn remember_return_to(&self, requested: Option<&str>) -> Result<(), AppError> {
        let Some(requested) = requested.filter(|r| !r.is_empty()) else {
            return Ok(());
        };
        match super::security::safe_return_to(requested, &self.auth.config.allowed_origins) {
            Some(target) => session::set_return_to(&self.session, &target)
                .await
                .map_err(session_failed),
            None => {
                tracing::warn!("ignored a return_to that is not on this site");
                Ok(())
            }
        }
    }

    /// Remembers whether this flow runs inside an `<Authenticator>` on the embedder's page
    /// `host` (a path of this site, checked like `return_to`): its steps then come back to that
    /// page, and so does the signed-in visitor.
    pub async fn remember_inline(&self, host: Option<&str>) -> Result<(), AppError> {
        let host = host
            .filter(|h| !h.is_empty())
            .and_then(|h| super::security::safe_return_to(h, &[]))
            .filter(|h| h.starts_with('/') && !h.starts_with("//"));
        if let Some(host) = &host {
            session::set_return_to(&self.session, host)
                .await
                .map_err(session_failed)?;
        }
        session::set_inline_host(&self.session, host.as_deref())
            .await
            .map_err(session_failed)
    }

    /// Whether this request's form was on `host` (the embedder's page, path and query): its
    /// `Referer`, which browsers send with same-origin posts and fetches.
    fn posted_from(&self, host: &str) -> bool {
        let Some(parts) = use_context::<axum::http::request::Parts>() else {
            return false;
        };
        let Some(referer) = parts
            .headers
            .get(axum::http::header::REFERER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| url::Url::parse(v).ok())
        else {
            return false;
        };
        let host_path = host.split_once('?').map_or(host, |(path, _)| path);
        referer.path() == host_path
    }

    /// What the `<Authenticator>` on the embedder's page `host` shows (see
    /// `step_page::inline_screen`).
    pub async fn inline_screen(
        &self,
        host: &str,
        requested: Option<Step>,
        initial: Step,
    ) -> Result<PageState, AppError> {
        session::check_store(&self.session)
            .await
            .map_err(session_failed)?;
        let user = self.current_user().await;
        // Only the start screens begin a flow.
        let initial = match initial {
            Step::SignUp | Step::ResetPassword => initial,
            _ => Step::SignIn,
        };
        let this_page = super::security::safe_return_to(host, &[]);
        let started_here =
            this_page.is_some() && session::inline_host(&self.session).await == this_page;
        let in_flow = match (requested, started_here) {
            (None, true) => self
                .flow()
                .await
                .map(|f| f.step)
                .filter(|step| *step != Step::Done),
            _ => None,
        };
        let step = match (in_flow, requested, user) {
            (Some(step), _, _) => step,
            // No step's state: nothing else is read, and the flash stays for the next screen.
            (None, _, Some(user)) => {
                return Ok(PageState {
                    signed_in: Some(user.user()),
                    ..PageState::default()
                })
            }
            (None, requested, None) => requested.unwrap_or(initial),
        };
        // The step's page state comes with it, in this one call, so the flash is taken once
        // and by the screen it is for.
        let state = self.page_state(step, false).await?;
        Ok(PageState {
            inline_step: Some(step),
            ..state
        })
    }

    /// `GetUser` for this request, asked at most once. `Ok(None)`: Cognito did not answer;
    /// `Err`: it refused the token.
    async fn get_user_once(
        &self,
        access_token: &cognito_idp::Secret,
    ) -> Result<Option<&cognito_idp::wire::GetUserResponse>, cognito_idp::Error> {
        if let Some(known) = self.fetched_user.get() {
            return Ok(known.as_ref());
        }
        let answer = match self.auth.cognito.get_user(access_token).await {
            Ok(answer) => Some(answer),
            Err(err) if err.kind() == Some(&CognitoKind::NotAuthorized) => return Err(err),
            Err(_) => None,
        };
        Ok(self
            .fetched_user
            .get_or_init(|| async { answer })
            .await
            .as_ref())
    }

    /// The account page's view: claims plus MFA settings fresh from Cognito.
    async fn user_view(&self, user: &SignedIn) -> UserView {
        let (mfa_enabled, mfa_preferred) = match self.get_user_once(&user.access_token).await {
            Ok(Some(answer)) => (
                answer
                    .user_mfa_setting_list
                    .clone()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|n| MfaType::from_cognito(n))
                    .collect(),
                answer
                    .preferred_mfa_setting
                    .as_deref()
                    .and_then(MfaType::from_cognito),
            ),
            _ => (Vec::new(), None),
        };
        let sign_in_methods = self.sign_in_methods_of(user).await;
        let deletion = Self::deletion_view(user, &sign_in_methods);
        UserView {
            username: user.username.clone(),
            attributes: user.attributes.clone(),
            mfa_enabled,
            mfa_preferred,
            mfa_available: self.auth.config.mfa_factors.clone(),
            totp_setup: user.totp_setup.clone(),
            sign_in_methods,
            passkeys: self.passkeys_of(user).await,
            editable_attributes: self.editable_attributes(user),
            pending_contact: user.pending_contact.clone().map(|p| {
                crate::flow::PendingContactView {
                    attribute: p.attribute,
                    destination: p.destination,
                    old_value_kept: !p.replaced,
                }
            }),
            devices: self.devices_of(user).await,
            deletion,
        }
    }

    /// The attributes `user` may change on the account page: a provider's user gets its email
    /// and phone from the provider at each sign-in, so it changes only the others.
    pub fn editable_attributes(&self, user: &SignedIn) -> Vec<String> {
        let mut names = self.auth.config.account_attributes();
        if user.federated_with.is_some() {
            names.retain(|name| !matches!(name.as_str(), "email" | "phone_number"));
        }
        names
    }

    /// How deleting `user`'s account is confirmed.
    pub async fn user_deletion_view(&self, user: &SignedIn) -> crate::flow::DeletionView {
        Self::deletion_view(user, &self.sign_in_methods_of(user).await)
    }

    /// How deleting the account is confirmed: the password if it has one, else a code to a
    /// verified email or phone.
    fn deletion_view(
        user: &SignedIn,
        sign_in_methods: &[crate::flow::SignInMethod],
    ) -> crate::flow::DeletionView {
        use crate::flow::DeletionView;
        // An account that signs in without a password has none to confirm with.
        let has_password = user.federated_with.is_none()
            && (sign_in_methods.is_empty()
                || sign_in_methods.contains(&crate::flow::SignInMethod::Password));
        if has_password {
            return DeletionView::Password;
        }
        if let Some(sent) = &user.deletion_code {
            return DeletionView::Code(Some(sent.destination.clone()));
        }
        if ["email", "phone_number"]
            .iter()
            .any(|name| user.is_verified(name))
        {
            DeletionView::Code(None)
        } else {
            DeletionView::Unavailable
        }
    }

    /// The user's tracked devices, where the pool remembers devices (`None` if it does not,
    /// or if Cognito does not answer).
    async fn devices_of(&self, user: &SignedIn) -> Option<Vec<crate::flow::DeviceView>> {
        if self.auth.config.device_remembering() == super::DeviceRemembering::Off {
            return None;
        }
        let listed = match self
            .auth
            .cognito
            .list_devices(&user.access_token, Some(60), None)
            .await
        {
            Ok(listed) => listed,
            Err(err) => {
                tracing::warn!(error = %err, "could not list the user's devices");
                return None;
            }
        };
        let here = self.this_browsers_device(user).await;
        let date = |at: Option<f64>| {
            at.and_then(|at| time::OffsetDateTime::from_unix_timestamp(at as i64).ok())
                .map(|t| t.date().to_string())
                .unwrap_or_default()
        };
        Some(
            listed
                .devices
                .into_iter()
                .map(|d| crate::flow::DeviceView {
                    name: d
                        .attribute("device_name")
                        .unwrap_or(d.device_key.as_str())
                        .to_owned(),
                    last_used: date(d.device_last_authenticated_date),
                    remembered: d.attribute("dev:device_remembered_status") == Some("remembered"),
                    this_browser: here.as_deref() == Some(d.device_key.as_str()),
                    key: d.device_key,
                })
                .collect(),
        )
    }

    /// The user's passkeys, where the site offers them (`None` if it does not, or if Cognito
    /// does not answer: the page then leaves the section out).
    async fn passkeys_of(&self, user: &SignedIn) -> Option<Vec<crate::flow::PasskeyView>> {
        if !self.auth.config.offers_passkeys() {
            return None;
        }
        match self
            .auth
            .cognito
            .list_web_authn_credentials(&user.access_token)
            .await
        {
            Ok(list) => Some(
                list.into_iter()
                    .map(|p| crate::flow::PasskeyView {
                        id: p.credential_id,
                        name: p.friendly_credential_name,
                        created: time::OffsetDateTime::from_unix_timestamp(p.created_at as i64)
                            .map(|t| t.date().to_string())
                            .unwrap_or_default(),
                    })
                    .collect(),
            ),
            Err(err) => {
                tracing::warn!(error = %err, "could not list the user's passkeys");
                None
            }
        }
    }

    /// With choice-based sign-in, the ways this user can sign in, in the site's order (none
    /// if Cognito does not answer: the page shows the rest).
    async fn sign_in_methods_of(&self, user: &SignedIn) -> Vec<crate::flow::SignInMethod> {
        let offered = &self.auth.config.sign_in_methods;
        if offered.is_empty() {
            return Vec::new();
        }
        match self
            .auth
            .cognito
            .get_user_auth_factors(&user.access_token)
            .await
        {
            Ok(answer) => offered
                .iter()
                .copied()
                .filter(|method| {
                    answer
                        .configured_user_auth_factors
                        .iter()
                        .any(|name| crate::flow::SignInMethod::from_cognito(name) == Some(*method))
                })
                .collect(),
            Err(err) => {
                tracing::warn!(error = %err, "could not read the user's sign-in factors");
                Vec::new()
            }
        }
    }

    async fn signed_in_from(
        &self,
        tokens: AuthenticationResult,
        previous_refresh: Option<cognito_idp::Secret>,
    ) -> Result<SignedIn, AppError> {
        let now = self.now();
        let claims = self
            .auth
            .verifier
            .verify(tokens.id_token.expose(), TokenUse::Id, now)
            .await
            .map_err(|err| {
                tracing::error!(error = %err, "ID token failed verification");
                AppError::new(ErrorKind::Unexpected)
            })?;
        let attributes = claims
            .0
            .iter()
            .filter(|(name, _)| !TECHNICAL_CLAIMS.contains(&name.as_str()))
            .map(|(name, value)| {
                let text = match value {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (name.clone(), text)
            })
            .collect();
        Ok(SignedIn {
            username: claims
                .str("cognito:username")
                .unwrap_or_default()
                .to_owned(),
            sub: claims.str("sub").unwrap_or_default().to_owned(),
            attributes,
            id_token: tokens.id_token,
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token.or(previous_refresh),
            expires_at: now + tokens.expires_in,
            checked_at: now,
            signed_in_at: now,
            totp_setup: None,
            epochs: Vec::new(),
            passkey_prompt_dismissed: false,
            federated_with: None,
            device_key: None,
            pending_contact: None,
            deletion_code: None,
            login: None,
        })
    }

    /// The signed-in user, refreshed when the access token is about to expire and re-checked
    /// with Cognito every `revalidate_after_secs`. A revoked session is ended here.
    pub async fn current_user(&self) -> Option<SignedIn> {
        self.checked_user
            .get_or_init(|| self.find_current_user())
            .await
            .clone()
    }

    /// What this request found of [`Ctx::current_user`], if it looked.
    pub fn checked_user(&self) -> Option<CheckedUser> {
        let user = self.checked_user.get().cloned()?;
        Some(CheckedUser(user, self.fetched_user.get().cloned()))
    }

    async fn find_current_user(&self) -> Option<SignedIn> {
        let mut user = session::signed_in(&self.session).await?;
        let now = self.now();
        let cognito = &self.auth.cognito;
        if user.signed_in_at > 0 && now - user.signed_in_at >= self.auth.config.session_max_age_secs
        {
            let _ = session::end(&self.session).await;
            return None;
        }
        if self.ended_by_the_account(&user).await {
            self.end_revoked_session().await;
            return None;
        }
        if user.expires_at - now < 60 {
            let Some(refresh_token) = user.refresh_token.clone() else {
                self.end_revoked_session().await;
                return None;
            };
            let refreshed = self
                .auth
                .refreshes
                // GetTokensFromRefreshToken works on every app client; REFRESH_TOKEN_AUTH is
                // refused where refresh tokens rotate. A rotated token comes back and is kept.
                .run(&refresh_token, now, || {
                    cognito
                        .get_tokens_from_refresh_token(&refresh_token, user.device_key.as_deref())
                })
                .await;
            match refreshed {
                Ok(tokens) => match self.signed_in_from(tokens, Some(refresh_token)).await {
                    Ok(refreshed) => {
                        user = user.with_tokens_of(refreshed);
                        let _ = session::update_signed_in(&self.session, &user).await;
                    }
                    Err(_) => {
                        self.end_revoked_session().await;
                        return None;
                    }
                },
                Err(err) if err.kind() == Some(&CognitoKind::NotAuthorized) => {
                    self.end_revoked_session().await;
                    return None;
                }
                // Cognito unreachable: keep the session while its token is still valid.
                Err(_) if user.expires_at > now => {}
                Err(_) => return None,
            }
        } else if now - user.checked_at >= self.auth.config.revalidate_after_secs {
            match self.get_user_once(&user.access_token).await {
                Ok(Some(_)) => {
                    user.checked_at = now;
                    let _ = session::update_signed_in(&self.session, &user).await;
                }
                Err(_) => {
                    self.end_revoked_session().await;
                    return None;
                }
                // Cognito did not answer: keep the session; the next request checks again.
                Ok(None) => {}
            }
        }
        Some(user)
    }

    /// Whether the account ended its other sessions (a password change or reset, "sign out
    /// everywhere") since this one began. A store that cannot answer ends nothing.
    async fn ended_by_the_account(&self, user: &SignedIn) -> bool {
        let names: Vec<String> = user.epochs.iter().map(|(name, _)| name.clone()).collect();
        match self.auth.sessions.account_epochs(&names).await {
            Ok(current) => user
                .epochs
                .iter()
                .zip(current)
                .any(|((_, seen), now)| now > *seen),
            Err(err) => {
                tracing::warn!(error = %err, "could not read the account's session epochs");
                false
            }
        }
    }

    /// Ends every other session of this account, at once and on every instance; this one
    /// goes on.
    pub async fn end_other_sessions(&self, user: &mut SignedIn) -> Result<(), AppError> {
        self.stamp_epochs(user, true).await?;
        self.update_user(user).await
    }

    /// Records in `user` where its account's epochs stand, moving them on first when
    /// `advance` (which ends every session that saw the old ones).
    async fn stamp_epochs(&self, user: &mut SignedIn, advance: bool) -> Result<(), AppError> {
        let names = user.account_names();
        let sessions = &self.auth.sessions;
        let epochs = if advance {
            sessions.end_account_sessions(&names).await
        } else {
            sessions.account_epochs(&names).await
        }
        .map_err(|err| {
            tracing::error!(error = %err, advance, "could not reach the account's session epochs");
            AppError::new(ErrorKind::Unavailable)
        })?;
        user.epochs = names.into_iter().zip(epochs).collect();
        Ok(())
    }

    /// Ends every session of the account `login` names (after its password was reset).
    pub async fn end_account_sessions(&self, login: &str) {
        let names = [session::account_name(login)];
        if let Err(err) = self.auth.sessions.end_account_sessions(&names).await {
            tracing::error!(error = %err, "could not end the account's sessions");
        }
    }

    async fn end_revoked_session(&self) {
        let _ = session::end(&self.session).await;
        let flash = Flash {
            notice: Some(Notice::SignedOutElsewhere),
            ..Flash::default()
        };
        let _ = session::set_flash(&self.session, &flash).await;
    }

    /// Where `step`'s page sends this visitor instead of rendering, if it does not fit them
    /// (signed in on a sign-in page, no flow on a flow page, signed out on the account page).
    /// Decided before anything renders (`server::routes::step_pages`), so a redirect never
    /// carries a page; the reason travels in the visitor's session when they have one, else in
    /// the URL, so an anonymous visitor gets no session for it.
    pub async fn page_redirect(&self, step: Step) -> Option<String> {
        // A store that cannot be read is said by the page itself.
        session::check_store(&self.session).await.ok()?;
        let session_exists = self.session.id().is_some();
        let tell = |notice: Notice| async move {
            if !session_exists {
                return format!("{}?notice={}", Step::SignIn.route(), notice.slug());
            }
            let flash = Flash {
                notice: Some(notice),
                ..Flash::default()
            };
            let _ = session::set_flash(&self.session, &flash).await;
            Step::SignIn.route().to_owned()
        };
        match step {
            Step::SignIn | Step::SignUp | Step::ResetPassword => self
                .current_user()
                .await
                .map(|_| Step::Done.route().to_owned()),
            Step::Done if self.current_user().await.is_none() => {
                // A notice already waiting (signed out, signed out elsewhere) is shown there.
                let waiting = session::peek_flash(&self.session).await.notice.is_some();
                Some(if waiting {
                    Step::SignIn.route().to_owned()
                } else {
                    tell(Notice::NotSignedIn).await
                })
            }
            Step::VerifyAttribute | Step::PasskeyPrompt if self.current_user().await.is_none() => {
                Some(Step::SignIn.route().to_owned())
            }
            // The offer, once answered: nothing expired, the account page is where it led.
            Step::PasskeyPrompt
                if self
                    .flow()
                    .await
                    .is_none_or(|f| f.step != Step::PasskeyPrompt) =>
            {
                Some(Step::Done.route().to_owned())
            }
            step if step.needs_flow() => match self.flow().await {
                Some(flow) if flow.step.route() == step.route() => None,
                _ => Some(tell(Notice::FlowExpired).await),
            },
            _ => None,
        }
    }

    /// What a step's page renders from. A visitor the page does not fit is sent on (see
    /// [`Ctx::page_redirect`]; this covers pages loaded in place, which that middleware does
    /// not see).
    pub async fn page_state(&self, step: Step, send_on: bool) -> Result<PageState, AppError> {
        session::check_store(&self.session)
            .await
            .map_err(session_failed)?;
        let local_pool = self.auth.local_pool.is_some();
        let password_rules = super::input::password_rules(&self.auth.config.password_policy);
        let misfit = match send_on {
            true => self.page_redirect(step).await,
            false => None,
        };
        if let Some(target) = misfit {
            self.redirect_to(&target);
            return Ok(PageState {
                flow: None,
                flash: Flash::default(),
                user: None,
                local_pool,
                password_rules,
                sign_in_methods: self.auth.config.sign_in_methods.clone(),
                identity_providers: self.auth.config.identity_providers(),
                ..PageState::default()
            });
        }
        let mut flash = session::take_flash(&self.session).await;
        if flash.notice.is_none() && flash.error.is_none() {
            flash.notice = url_notice();
        }
        let user = match step {
            Step::Done => match self.current_user().await {
                Some(user) => Some(self.user_view(&user).await),
                None => None,
            },
            _ => None,
        };
        let flow = if step.needs_flow() {
            self.flow().await.map(|f| f.view())
        } else {
            None
        };
        Ok(PageState {
            flow,
            flash,
            user,
            local_pool,
            password_rules,
            sign_in_methods: self.auth.config.sign_in_methods.clone(),
            identity_providers: self.auth.config.identity_providers(),
            ask_remember_device: self.auth.config.device_remembering()
                == super::DeviceRemembering::Ask,
            ..PageState::default()
        })
    }
}

/// A notice named in the page's URL (`?notice=flow_expired`), for visitors without a session.
fn url_notice() -> Option<Notice> {
    let parts = use_context::<axum::http::request::Parts>()?;
    let query = parts.uri.query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "notice")
        .and_then(|(_, slug)| Notice::from_slug(&slug))
        // Only what a redirect of ours says, so a link cannot claim "your password was reset".
        .filter(|notice| {
            matches!(
                notice,
                Notice::NotSignedIn
                    | Notice::FlowExpired
                    | Notice::SignedOut
                    | Notice::FederationCancelled
                    | Notice::FederationExpired
                    | Notice::FederationFailed
            )
        })
}
