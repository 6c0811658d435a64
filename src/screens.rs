//! The embedding components (`Authenticator`, `RequireAuth`, `SignOutButton`) and the page of
//! each step (`AuthRoutes`): the one place that chooses a screen for a step.

use crate::flow::{percent_encode, AuthUser, Step};
use crate::options::{use_auth_options, AuthOptions, InitialState};
use crate::steps::{forgot_password::ForgotPasswordPage, sign_in::SignInPage, sign_up::SignUpPage};
use crate::ui::fields::SubmitButton;
use crate::ui::i18n::t;
use crate::ui::step_page::{use_current_user, ErrorCard, InlineAuthenticator};
use leptos::prelude::*;
/// Sets the options every screen below uses (call it at the root of the app, on both the
/// server and the browser, with the same value).
pub fn provide_auth_options(options: AuthOptions) {
    provide_context(options);
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
        crate::ui::step_page::leave_on_reply(action);
        view! {
            <ActionForm action attr:class="ca-form ca-form--sign-out">
                <SubmitButton label="button.sign_out_everywhere" pending=action.pending() />
            </ActionForm>
        }
        .into_any()
    } else {
        let action = ServerAction::<crate::steps::account::SignOut>::new();
        crate::ui::step_page::leave_on_reply(action);
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
