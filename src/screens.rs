//! The embedding components (`Authenticator`, `RequireAuth`, `SignOutButton`) and the page of
//! each step (`AuthRoutes`): the one place that chooses a screen for a step.

use crate::flow::PageState;
use crate::flow::{percent_encode, AuthUser, Step};
use crate::options::{use_auth_options, AuthOptions};
use crate::steps::{forgot_password::ForgotPasswordPage, sign_in::SignInPage, sign_up::SignUpPage};
use crate::ui::fields::SubmitButton;
use crate::ui::i18n::t;
use crate::ui::step_page::{
    inline_screen, use_current_user, ErrorCard, InlineAuthenticator, InlinePage, SCREEN_PARAM,
};
use leptos::prelude::*;
use std::sync::Arc;

/// Sets the options every screen below uses (call it at the root of the app, on both the
/// server and the browser, with the same value).
pub fn provide_auth_options(options: AuthOptions) {
    provide_context(options);
}

/// Shows `children` with the signed-in user, else the whole sign-in experience in place
/// (`options.initial_state` first: sign in, sign up or forgot password), every step on this
/// page: codes, MFA, new passwords. In a fully hydrated site the steps switch in place; in an
/// islands site and without JavaScript each step is a page load of this same page (the flow is
/// in the session), so the page's own layout stays around it.
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
    // One body for every `<Authenticator>` of a site, whatever its children: a generic body
    // would be compiled again, resources and effects included, for each place it is used.
    let children: UserChildren = Arc::new(move |user| children(user).into_any());
    // Outside the options' owner: the page's other components share this one current user,
    // and learn of a sign-in here.
    let user = use_current_user();
    match options {
        Some(options) => with_own_options(options, move || authenticator_body(children, user)),
        None => authenticator_body(children, user),
    }
}

/// Renders `body` with `options` for it and what it renders only: a context provided in a
/// component's body would reach the components rendered after it too.
fn with_own_options(options: AuthOptions, body: impl FnOnce() -> AnyView) -> AnyView {
    let owner = Owner::current().map_or_else(Owner::new, |owner| owner.child());
    let view = owner.with(|| {
        provide_context(options);
        body()
    });
    leptos::tachys::reactive_graph::OwnedView::new_with_owner(view, owner).into_any()
}

/// What an `<Authenticator>` shows to a signed-in user.
type UserChildren = Arc<dyn Fn(AuthUser) -> AnyView + Send + Sync>;

fn authenticator_body(
    children: UserChildren,
    user: Resource<Result<Option<AuthUser>, crate::error::AppError>>,
) -> AnyView {
    let options = use_auth_options();
    let modal = options.variation == crate::options::Variation::Modal;
    let initial = options.initial_state.step();
    let location = leptos_router::hooks::use_location();
    let query = leptos_router::hooks::use_query_map();
    // The page without the screen its own links asked for.
    let here = {
        let kept: Vec<(String, String)> = query.with_untracked(|q| {
            q.into_iter()
                .filter(|(name, _)| *name != SCREEN_PARAM)
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect()
        });
        let search: Vec<String> = kept
            .iter()
            .map(|(name, value)| format!("{}={}", percent_encode(name), percent_encode(value)))
            .collect();
        match search.is_empty() {
            true => location.pathname.get_untracked(),
            false => format!("{}?{}", location.pathname.get_untracked(), search.join("&")),
        }
    };
    let version = RwSignal::new(0u32);
    let inline = InlineAuthenticator {
        return_to: here.clone(),
        version,
    };
    // What the component asks the server for: the answer count and the screen its links asked
    // for. An in-place answer moves the flow on, so the link's screen no longer applies (and
    // leaves the address); a link followed in place asks for its screen. The memo keeps the
    // link it last saw, so a change of either one is told from the other.
    let asked = Memo::new(
        move |seen: Option<&(u32, Option<String>, Option<String>)>| {
            let answers = version.get();
            let linked = query.with(|q| q.get(SCREEN_PARAM));
            match seen {
                Some((seen, _, _)) if *seen != answers => (answers, None, linked),
                Some((_, requested, seen_link)) if *seen_link == linked => {
                    (answers, requested.clone(), linked)
                }
                _ => (answers, linked.clone(), linked),
            }
        },
    );
    let navigate = leptos_router::hooks::use_navigate();
    // Each answer builds its screen afresh (a resource tells its readers of every answer, the
    // same step again included), so the screen shows what the form just changed.
    let screen = Resource::new(
        move || asked.with(|(answers, requested, _)| (*answers, requested.clone())),
        move |(answers, requested)| {
            let here = here.clone();
            let navigate = navigate.clone();
            async move {
                // Before the round trip: a link followed meanwhile is not undone, and a
                // visitor who left the page is not brought back to it.
                let linked = query.with_untracked(|q| q.get(SCREEN_PARAM));
                if answers > 0 && requested.is_none() && linked.is_some() {
                    let replace = leptos_router::NavigateOptions {
                        replace: true,
                        scroll: false,
                        ..Default::default()
                    };
                    navigate(&here, replace);
                }
                let state = inline_screen(here, requested, initial).await;
                if answers > 0 && matches!(&state, Ok(state) if state.signed_in.is_some()) {
                    user.refetch();
                }
                state
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="ca-loading">{t("loading")}</p> }>
            {move || {
                let children = children.clone();
                let inline = inline.clone();
                Suspend::new(async move {
                    match screen.await {
                        Ok(PageState { signed_in: Some(user), .. }) => children(user),
                        // The steps, not the children, are the component's.
                        Ok(state) => {
                            let step = state.inline_step.unwrap_or(initial);
                            let screen = view! { <InlineStep inline step state /> };
                            match modal {
                                true => view! { <ModalDialog>{screen}</ModalDialog> }.into_any(),
                                false => screen.into_any(),
                            }
                        }
                        Err(error) => view! { <ErrorCard error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

/// The id of the modal variation's dialog (one `<Authenticator>` per page is a dialog).
const MODAL_ID: &str = "ca-modal";

/// The modal variation: the steps in a dialog over the page. The server sends it open; with
/// JavaScript [`ModalOpener`] makes it modal (the page behind inert, focus kept inside, Escape
/// closes). Its close button is a `method="dialog"` form, so it closes without JavaScript too,
/// and the "Sign in" button after it opens it again (as a modal, by the `show-modal` command).
#[component]
fn ModalDialog(children: Children) -> impl IntoView {
    view! {
        <div class="ca-modal-host">
        <dialog class="ca-modal" id=MODAL_ID open aria-labelledby="ca-heading">
            <form method="dialog" class="ca-modal-close">
                <button type="submit" class="ca-modal-close-button" aria-label=t("button.close")>"×"</button>
            </form>
            {children()}
        </dialog>
        <ModalOpener dialog_id=MODAL_ID.to_owned() />
        <button type="button" class="ca-button ca-button--primary ca-modal-reopen" commandfor=MODAL_ID command="show-modal">
            {t("button.sign_in")}
        </button>
        </div>
    }
}

/// Turns the server's open dialog into a modal one once the page runs (an island in islands
/// mode, so it needs no full hydration).
#[cfg_attr(feature = "islands", island)]
#[cfg_attr(not(feature = "islands"), component)]
pub fn ModalOpener(dialog_id: String) -> impl IntoView {
    fn call(dialog: &leptos::web_sys::Element, name: &str) {
        use leptos::web_sys::js_sys::{Function, Reflect};
        if let Ok(method) = Reflect::get(dialog, &name.into()) {
            if let Ok(method) = leptos::wasm_bindgen::JsCast::dyn_into::<Function>(method) {
                let _ = method.call0(dialog);
            }
        }
    }
    {
        let dialog_id = dialog_id.clone();
        Effect::new(move |_| {
            let Some(dialog) = document().get_element_by_id(&dialog_id) else {
                return;
            };
            if dialog.has_attribute("open") && !dialog.matches(":modal").unwrap_or(true) {
                call(&dialog, "close");
                call(&dialog, "showModal");
            }
        });
    }
    // The "Sign in" button's `show-modal` command, for browsers without invoker commands.
    let listener = window_event_listener(leptos::ev::click, move |ev| {
        let target = event_target::<leptos::web_sys::Element>(&ev);
        let opens = target
            .closest(".ca-modal-reopen")
            .ok()
            .flatten()
            .and_then(|button| button.get_attribute("commandfor"))
            .is_some_and(|id| id == dialog_id);
        if let (true, Some(dialog)) = (opens, document().get_element_by_id(&dialog_id)) {
            if !dialog.has_attribute("open") {
                call(&dialog, "showModal");
            }
        }
    });
    on_cleanup(move || listener.remove());
}

#[component]
fn InlineStep(inline: InlineAuthenticator, step: Step, state: PageState) -> impl IntoView {
    provide_context(inline);
    provide_context(InlinePage(state));
    step_screen(step)
}

/// The screen of a step, for an `<Authenticator>` (the pages at their routes are [`AuthRoutes`]).
fn step_screen(step: Step) -> AnyView {
    use crate::steps::{
        account::AccountPage, confirm_sign_in::ConfirmSignInPage,
        confirm_sign_up::ConfirmSignUpPage, new_password::NewPasswordPage,
        passkey::PasskeyPromptPage, reset_password::ResetPasswordPage, select_mfa::SelectMfaPage,
        setup_email::SetupEmailPage, setup_totp::SetupTotpPage, sign_in_methods::SignInMethodsPage,
        sign_in_password::SignInPasswordPage, verify_attribute::VerifyAttributePage,
    };
    match step {
        Step::SignIn => view! { <SignInPage /> }.into_any(),
        Step::SignUp => view! { <SignUpPage /> }.into_any(),
        Step::ConfirmSignUp => view! { <ConfirmSignUpPage /> }.into_any(),
        Step::ConfirmSignInWithNewPasswordRequired => view! { <NewPasswordPage /> }.into_any(),
        Step::ConfirmSignInWithCustomChallenge
        | Step::ConfirmSignInWithTotpCode
        | Step::ConfirmSignInWithSmsCode
        | Step::ConfirmSignInWithEmailCode => view! { <ConfirmSignInPage /> }.into_any(),
        Step::ContinueSignInWithTotpSetup => view! { <SetupTotpPage /> }.into_any(),
        Step::ContinueSignInWithEmailSetup => view! { <SetupEmailPage /> }.into_any(),
        Step::ContinueSignInWithMfaSelection | Step::ContinueSignInWithMfaSetupSelection => {
            view! { <SelectMfaPage /> }.into_any()
        }
        Step::ContinueSignInWithFirstFactorSelection => view! { <SignInMethodsPage /> }.into_any(),
        Step::ConfirmSignInWithPassword => view! { <SignInPasswordPage /> }.into_any(),
        Step::ResetPassword => view! { <ForgotPasswordPage /> }.into_any(),
        Step::ConfirmResetPasswordWithCode => view! { <ResetPasswordPage /> }.into_any(),
        Step::VerifyAttribute => view! { <VerifyAttributePage /> }.into_any(),
        Step::PasskeyPrompt => view! { <PasskeyPromptPage /> }.into_any(),
        Step::Done => view! { <AccountPage /> }.into_any(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Variation;
    use std::sync::Mutex;

    #[test]
    fn options_given_to_one_authenticator_stay_with_it() {
        Owner::new().with(|| {
            provide_auth_options(AuthOptions::new());
            let seen = Arc::new(Mutex::new(None));
            let inside = seen.clone();
            let _view =
                with_own_options(AuthOptions::new().variation(Variation::Modal), move || {
                    *inside.lock().unwrap() = Some(use_auth_options().variation);
                    ().into_any()
                });
            assert_eq!(*seen.lock().unwrap(), Some(Variation::Modal));
            // The components after it keep the page's options.
            assert_eq!(use_auth_options().variation, Variation::Default);
        });
    }
}
