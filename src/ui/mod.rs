//! Shared building blocks of the screens.

pub mod authenticator;
pub mod errors;
pub mod fields;
pub mod i18n;
pub mod layout;
