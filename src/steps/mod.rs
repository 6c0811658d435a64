//! One module per step: its screen, its server functions, and server-only helpers.

pub mod account;
pub mod confirm_sign_up;
pub mod sign_in;
pub mod sign_up;

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
