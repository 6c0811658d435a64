//! The HTML shell and the router: one route per step (see `flow.rs`).

use crate::flow::Step;
use crate::steps::{
    account::AccountPage, confirm_link::ConfirmLinkPage, confirm_sign_in::ConfirmSignInPage,
    confirm_sign_up::ConfirmSignUpPage, forgot_password::ForgotPasswordPage,
    new_password::NewPasswordPage, reset_password::ResetPasswordPage, select_mfa::SelectMfaPage,
    setup_totp::SetupTotpPage, sign_in::SignInPage, sign_up::SignUpPage,
    verify_attribute::VerifyAttributePage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::{path, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="referrer" content="same-origin" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser: marks the page as interactive (tests wait for it).
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/cognito-authenticator.css" />
        <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
        <Title text="Account" />
        <Router>
            <main class="ca-page">
                // Async SSR: the full page arrives in the first response, so it works without JS.
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=|| view! { <Redirect path=Step::SignIn.route() /> } />
                    <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async />
                    <Route path=path!("/signup") view=SignUpPage ssr=SsrMode::Async />
                    <Route path=path!("/confirm-signup") view=ConfirmSignUpPage ssr=SsrMode::Async />
                    <Route path=path!("/new-password") view=NewPasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/confirm-signin") view=ConfirmSignInPage ssr=SsrMode::Async />
                    <Route path=path!("/setup-totp") view=SetupTotpPage ssr=SsrMode::Async />
                    <Route path=path!("/select-mfa") view=SelectMfaPage ssr=SsrMode::Async />
                    <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/reset-password") view=ResetPasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/verify") view=VerifyAttributePage ssr=SsrMode::Async />
                    <Route path=path!("/confirm-link") view=ConfirmLinkPage ssr=SsrMode::Async />
                    <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <section class="ca-card">
            <h1 class="ca-heading">"Page not found"</h1>
            <p><a href=Step::SignIn.route()>{crate::ui::i18n::t("link.back_to_sign_in")}</a></p>
        </section>
    }
}
