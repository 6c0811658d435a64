//! Amazon Cognito user-pool sign-up and sign-in for Leptos: server-rendered pages that work
//! with and without JavaScript, tokens kept in a server-side session, and an embedded
//! Cognito-compatible local pool for development.
// The release browser build nests the field views deeply enough to need more than the default.
#![recursion_limit = "256"]

pub mod app;
pub mod error;
pub mod flow;
pub mod options;
pub mod screens;
pub mod steps;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;

pub use error::{AppError, ErrorKind};
pub use flow::{AuthUser, SignInMethod};
pub use options::{
    AuthOptions, FieldOptions, InitialState, LoginMechanism, Screen, SlotPlace, Variation,
};
pub use screens::{provide_auth_options, AuthRoutes, Authenticator, RequireAuth, SignOutButton};
pub use ui::i18n::{current_locale, Locale, Messages};
pub use ui::step_page::use_current_user;

/// The hosted pages' browser entry point: islands mode, so only the islands on the page (the
/// password helpers) are hydrated, by Leptos's loader right after this returns.
#[cfg(all(feature = "hydrate", feature = "hosted"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // Marks the page as interactive (tests wait for it).
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
