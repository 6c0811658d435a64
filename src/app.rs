//! The HTML shell and the router: one route per step (see `flow.rs`).

use crate::flow::Step;
use crate::screens::AuthRoutes;
use crate::ui::i18n::{current_locale, t};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang=current_locale().tag()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="referrer" content="same-origin" />
                // Islands: the pages are server-rendered and their forms post without
                // JavaScript; only the password helpers are made interactive.
                <HydrationScripts options islands=true />
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
    view! {
        <Stylesheet id="leptos" href="/pkg/cognito-authenticator.css" />
        <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
        // Until a step's card sets its own.
        <Title text="Account" />
        <Router>
            <main class="ca-page">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=|| view! { <Redirect path=Step::SignIn.route() /> } />
                    <AuthRoutes />
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
        <Title text=t("page.not_found") />
        <section class="ca-card">
            <div class="ca-card-body">
                <h1 class="ca-heading">{t("page.not_found")}</h1>
                <p><a href=Step::SignIn.route()>{t("link.back_to_sign_in")}</a></p>
            </div>
        </section>
    }
}
