//! Amazon Cognito user-pool sign-up and sign-in for Leptos: server-rendered pages that work
//! with and without JavaScript, tokens kept in a server-side session, and an embedded
//! Cognito-compatible local pool for development.

pub mod app;
pub mod error;
pub mod flow;
pub mod steps;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
