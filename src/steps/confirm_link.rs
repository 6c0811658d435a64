//! Confirmation by link. Opening the link shows a button rather than confirming at once: mail
//! scanners that fetch links must not use up the code, and a GET never changes state.

use crate::error::AppError;
use crate::flow::{PageState, Reply, Step};
use crate::ui::errors::FormError;
use crate::ui::fields::SubmitButton;
use crate::ui::i18n::t;
use crate::ui::layout::{AuthCard, BackToSignIn};
use crate::ui::step_page::{submission_error, StepScreen};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[server(prefix = "/api", endpoint = "confirm_link")]
pub async fn confirm_link(user_name: String, confirmation_code: String) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::Code,
            Some(&user_name),
            ssr::confirm(&ctx, &user_name, &confirmation_code),
        )
        .await;
    ctx.finish(Step::SignIn, result, &[]).await
}

#[component]
pub fn ConfirmLinkPage() -> impl IntoView {
    view! { <StepScreen step=Step::SignIn view=|state| view! { <ConfirmLinkForm state /> } /> }
}

#[component]
fn ConfirmLinkForm(state: PageState) -> impl IntoView {
    let action = ServerAction::<ConfirmLink>::new();
    let error = submission_error(action, &state.flash);
    let query = use_query_map();
    let user_name = query.with_untracked(|q| q.get("user_name").unwrap_or_default());
    let code = query.with_untracked(|q| q.get("confirmation_code").unwrap_or_default());
    view! {
        <AuthCard heading="confirm_link.heading" local_pool=state.local_pool>
            <p class="ca-text">{t("confirm_link.explanation")} " " <strong>{user_name.clone()}</strong> {t("sentence.end")}</p>
            <ActionForm action attr:class="ca-form">
                <FormError error />
                <input type="hidden" name="user_name" value=user_name />
                <input type="hidden" name="confirmation_code" value=code />
                <SubmitButton label="button.confirm_account" pending=action.pending() />
            </ActionForm>
            <BackToSignIn />
        </AuthCard>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::{AppError, ErrorKind};
    use crate::flow::{Notice, Step};
    use crate::server::{Ctx, Next};
    use cognito_idp::{ErrorKind as CognitoKind, Secret};

    pub async fn confirm(ctx: &Ctx, user_name: &str, code: &str) -> Result<Next, AppError> {
        if user_name.is_empty() || code.is_empty() || user_name.len() > 128 || code.len() > 2048 {
            return Ok(Next::GoWith(Step::SignIn, Notice::ConfirmationLinkExpired));
        }
        // Auto sign-in only when this browser is the one that signed up.
        let flow = ctx
            .flow_at(&[Step::ConfirmSignUp])
            .await
            .ok()
            .filter(|f| f.username == user_name);
        let cognito = &ctx.auth.cognito;
        let confirmed = match cognito
            .confirm_sign_up(
                user_name,
                &Secret::new(code),
                flow.as_ref().and_then(|f| f.cognito_session.clone()),
            )
            .await
        {
            Ok(confirmed) => confirmed,
            Err(err) => {
                // Confirmed already, unknown, wrong or expired: one answer, so a link tells
                // nothing about the account it names.
                let refused = err.kind() == Some(&CognitoKind::NotAuthorized);
                let error = AppError::from(err);
                return match error.kind {
                    _ if refused => Ok(Next::GoWith(Step::SignIn, Notice::ConfirmationLinkExpired)),
                    ErrorKind::CodeMismatch | ErrorKind::ExpiredCode | ErrorKind::UserNotFound => {
                        Ok(Next::GoWith(Step::SignIn, Notice::ConfirmationLinkExpired))
                    }
                    _ => Err(error),
                };
            }
        };
        tracing::info!(event = "confirm_sign_up", via = "link");
        match (flow, confirmed.session) {
            (Some(flow), Some(session)) => {
                ctx.clear_flow().await?;
                match cognito
                    .sign_in_with_confirmation_session(&flow.username, session)
                    .await
                {
                    Ok(outcome) => ctx.advance(&flow.username, outcome).await,
                    Err(_) => Ok(Next::GoWith(Step::SignIn, Notice::AccountConfirmed)),
                }
            }
            _ => Ok(Next::GoWith(Step::SignIn, Notice::AccountConfirmed)),
        }
    }
}
