//! The embedding components (`Authenticator`, `RequireAuth`, `SignOutButton`, `AuthRoutes`),
//! and what every step's page shares: it loads what the page renders from, and combines the last submission's outcome with the
//! outcome carried over a no-JavaScript redirect.

use crate::error::AppError;
use crate::flow::{percent_encode, AuthUser, Flash, PageState, Reply, Step};
use crate::options::{use_auth_options, AuthOptions, InitialState};
use crate::steps::load_page;
use crate::steps::{forgot_password::ForgotPasswordPage, sign_in::SignInPage, sign_up::SignUpPage};
use crate::ui::errors::FormError;
use crate::ui::fields::SubmitButton;
use crate::ui::i18n::t;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Renders `view` once the step's page state is loaded (on the server for the first paint).
#[component]
pub fn StepScreen<V, F>(step: Step, view: F) -> impl IntoView
where
    F: Fn(PageState) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    // Bumped when a form changed what the page shows, so it loads again in place.
    let version = RwSignal::new(0u32);
    provide_context(PageReload(version));
    let state = Resource::new(move || version.get(), move |_| load_page(step));
    view! {
        <Suspense fallback=|| view! { <p class="ca-loading">{t("loading")}</p> }>
            {move || {
                let view = view.clone();
                Suspend::new(async move {
                    match state.await {
                        Ok(state) => view(state).into_any(),
                        Err(error) => view! { <ErrorCard error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// A card that only says what went wrong (what the page shows could not be loaded).
#[component]
fn ErrorCard(error: AppError) -> impl IntoView {
    // Not a page to keep or share: the anonymous-page cache keeps only 200s.
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
    }
    let error = Signal::stored(Some(error));
    view! {
        <section class="ca-card">
            <div class="ca-card-body"><FormError error /></div>
        </section>
    }
}

/// Loads the current page's state again.
#[derive(Clone, Copy)]
pub struct PageReload(RwSignal<u32>);

/// Reloads the page state when `action` answers with `reload` (the notice travels in the
/// session's flash, so the reloaded page shows it).
pub fn reload_on_success<S>(action: ServerAction<S>)
where
    S: ServerFn<Output = Reply, Error = AppError> + Clone + Send + Sync + 'static,
{
    let Some(PageReload(version)) = use_context::<PageReload>() else {
        return;
    };
    Effect::new(move |_| {
        if action
            .value()
            .with(|v| matches!(v, Some(Ok(reply)) if reply.reload))
        {
            version.update(|v| *v += 1);
        }
    });
}

/// The error to show: the last submission's (with JS), else the flash's (without JS).
pub fn submission_error<S>(action: ServerAction<S>, flash: &Flash) -> Signal<Option<AppError>>
where
    S: ServerFn<Output = Reply, Error = AppError> + Clone + Send + Sync + 'static,
{
    let from_flash = flash.error.clone();
    // While the server renders, nothing was submitted in place: the flash is all there is (and
    // each read of the action's value would build a mapped signal, on every page view).
    if cfg!(feature = "ssr") {
        return Signal::stored(from_flash);
    }
    Signal::derive(move || match action.value().get() {
        Some(Err(error)) => Some(error),
        Some(Ok(_)) => None,
        None => from_flash.clone(),
    })
}

/// The notice to show: the last submission's reply, else the flash's.
pub fn submission_notice<S>(
    action: ServerAction<S>,
    flash: &Flash,
) -> Signal<Option<crate::flow::Notice>>
where
    S: ServerFn<Output = Reply, Error = AppError> + Clone + Send + Sync + 'static,
{
    let from_flash = flash.notice;
    if cfg!(feature = "ssr") {
        return Signal::stored(from_flash);
    }
    Signal::derive(move || match action.value().get() {
        Some(Ok(reply)) => reply.notice,
        Some(Err(_)) => None,
        None => from_flash,
    })
}

/// The signed-in user, or `None` (for [`use_current_user`]).
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<AuthUser>, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    Ok(ctx.current_user().await.map(|user| user.user()))
}

#[derive(Clone, Copy)]
struct CurrentUserResource(Resource<Result<Option<AuthUser>, AppError>>);

/// The signed-in user (from verified claims), loaded once per page and shared by the
/// components below the caller. Read it inside `<Suspense>` / `<Transition>`.
pub fn use_current_user() -> Resource<Result<Option<AuthUser>, AppError>> {
    if let Some(CurrentUserResource(resource)) = use_context() {
        return resource;
    }
    let resource = Resource::new(|| (), |_| current_user());
    provide_context(CurrentUserResource(resource));
    resource
}

/// Sets the options every screen below uses (call it at the root of the app, on both the
/// server and the browser, with the same value).
pub fn provide_auth_options(options: AuthOptions) {
    provide_context(options);
}

/// Marks screens shown inside an `<Authenticator>`: a successful sign-in comes back here.
#[derive(Clone)]
pub(crate) struct InlineAuthenticator {
    pub return_to: String,
}

/// Shows `children` with the signed-in user, else the sign-in experience in place
/// (`options.initial_state`: sign in, sign up or forgot password). Steps after the first
/// (codes, MFA, new password) continue on their own pages (mount [`AuthRoutes`]) and come back
/// here when done.
///
/// ```no_run
/// use cognito_authenticator::{Authenticator, AuthOptions, SignOutButton};
/// use leptos::prelude::*;
///
/// #[component]
/// fn Dashboard() -> impl IntoView {
///     view! {
///         <Authenticator options=AuthOptions::new() let:user>
///             <p>"Hello, " {user.username}</p>
///             <SignOutButton />
///         </Authenticator>
///     }
/// }
/// ```
#[component]
pub fn Authenticator<C, V>(
    /// Options for this authenticator's screens (else those of [`provide_auth_options`]).
    #[prop(optional)]
    options: Option<AuthOptions>,
    children: C,
) -> impl IntoView
where
    C: Fn(AuthUser) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    if let Some(options) = options {
        provide_context(options);
    }
    let initial = use_auth_options().initial_state;
    let location = leptos_router::hooks::use_location();
    let here = location.pathname.get_untracked() + &location.search.get_untracked();
    provide_context(InlineAuthenticator { return_to: here });
    let user = use_current_user();
    view! {
        <Suspense fallback=|| view! { <p class="ca-loading">{t("loading")}</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match user.await {
                        Ok(Some(user)) => children(user).into_any(),
                        Ok(None) => match initial {
                            InitialState::SignIn => view! { <SignInPage /> }.into_any(),
                            InitialState::SignUp => view! { <SignUpPage /> }.into_any(),
                            InitialState::ForgotPassword => view! { <ForgotPasswordPage /> }.into_any(),
                        },
                        Err(error) => view! { <ErrorCard error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Shows `children` to a signed-in user; sends anyone else to sign in, and back here after.
///
/// ```no_run
/// use cognito_authenticator::RequireAuth;
/// use leptos::prelude::*;
///
/// #[component]
/// fn Private() -> impl IntoView {
///     view! { <RequireAuth><p>"Only for members."</p></RequireAuth> }
/// }
/// ```
#[component]
pub fn RequireAuth(children: ChildrenFn) -> impl IntoView {
    let user = use_current_user();
    let location = leptos_router::hooks::use_location();
    view! {
        <Suspense fallback=|| view! { <p class="ca-loading">{t("loading")}</p> }>
            {move || {
                let children = children.clone();
                let here = location.pathname.get_untracked() + &location.search.get_untracked();
                Suspend::new(async move {
                    match user.await {
                        Ok(Some(_)) => children().into_any(),
                        _ => {
                            let target = format!("{}?return_to={}", Step::SignIn.route(), percent_encode(&here));
                            view! { <leptos_router::components::Redirect path=target /> }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}

/// A sign-out button (`everywhere`: also revoke the user's sessions on other devices).
#[component]
pub fn SignOutButton(#[prop(optional)] everywhere: bool) -> impl IntoView {
    if everywhere {
        let action = ServerAction::<crate::steps::account::SignOutEverywhere>::new();
        view! {
            <ActionForm action attr:class="ca-form ca-form--sign-out">
                <SubmitButton label="button.sign_out_everywhere" pending=action.pending() />
            </ActionForm>
        }
        .into_any()
    } else {
        let action = ServerAction::<crate::steps::account::SignOut>::new();
        view! {
            <ActionForm action attr:class="ca-form ca-form--sign-out">
                <SubmitButton label="button.sign_out" pending=action.pending() />
            </ActionForm>
        }
        .into_any()
    }
}

/// Every step's page at its route (`/signin`, `/signup`, `/confirm-signup`, …, `/account`):
/// put it inside the app's `<Routes>`.
#[component(transparent)]
pub fn AuthRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    use crate::steps::{
        account::AccountPage, confirm_link::ConfirmLinkPage, confirm_sign_in::ConfirmSignInPage,
        confirm_sign_up::ConfirmSignUpPage, new_password::NewPasswordPage,
        passkey::PasskeyPromptPage, reset_password::ResetPasswordPage, select_mfa::SelectMfaPage,
        setup_email::SetupEmailPage, setup_totp::SetupTotpPage, sign_in_methods::SignInMethodsPage,
        sign_in_password::SignInPasswordPage, verify_attribute::VerifyAttributePage,
    };
    use leptos_router::components::{Outlet, ParentRoute, Route};
    use leptos_router::{path, SsrMode};
    // Async SSR: the full page arrives in the first response, so it works without JS.
    view! {
        <ParentRoute path=path!("") view=Outlet>
            <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async />
            <Route path=path!("/signup") view=SignUpPage ssr=SsrMode::Async />
            <Route path=path!("/confirm-signup") view=ConfirmSignUpPage ssr=SsrMode::Async />
            <Route path=path!("/new-password") view=NewPasswordPage ssr=SsrMode::Async />
            <Route path=path!("/signin-methods") view=SignInMethodsPage ssr=SsrMode::Async />
            <Route path=path!("/signin-password") view=SignInPasswordPage ssr=SsrMode::Async />
            <Route path=path!("/confirm-signin") view=ConfirmSignInPage ssr=SsrMode::Async />
            <Route path=path!("/setup-totp") view=SetupTotpPage ssr=SsrMode::Async />
            <Route path=path!("/setup-email") view=SetupEmailPage ssr=SsrMode::Async />
            <Route path=path!("/select-mfa") view=SelectMfaPage ssr=SsrMode::Async />
            <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async />
            <Route path=path!("/reset-password") view=ResetPasswordPage ssr=SsrMode::Async />
            <Route path=path!("/verify") view=VerifyAttributePage ssr=SsrMode::Async />
            <Route path=path!("/passkey") view=PasskeyPromptPage ssr=SsrMode::Async />
            <Route path=path!("/confirm-link") view=ConfirmLinkPage ssr=SsrMode::Async />
            <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
        </ParentRoute>
    }
    .into_inner()
}
