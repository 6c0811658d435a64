//! Shared building blocks of the screens.

pub mod errors;
pub mod federation;
pub mod fields;
pub mod i18n;
pub mod layout;
pub mod step_page;
