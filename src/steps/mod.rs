//! One module per step: its screen, its server functions, and server-only helpers.

pub mod account;
pub mod confirm_link;
pub mod confirm_sign_in;
pub mod confirm_sign_up;
pub mod forgot_password;
pub mod new_password;
pub mod reset_password;
pub mod select_mfa;
pub mod setup_totp;
pub mod sign_in;
pub mod sign_up;
pub mod verify_attribute;

use crate::error::AppError;
use crate::flow::{PageState, Step};
use leptos::prelude::*;

/// What a step's page renders from. Sends the visitor to the right page when this one does not
/// fit (a redirect on the server, client-side navigation in the browser).
#[server(prefix = "/api", endpoint = "page")]
pub async fn load_page(step: Step) -> Result<PageState, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    ctx.page_state(step).await
}
