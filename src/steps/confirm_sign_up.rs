//! Confirm a new account with the code Cognito sent, then sign in automatically.

use crate::error::AppError;
use crate::flow::{FormSecret, PageState, Reply, Step};
use crate::options::Screen;
use crate::ui::errors::{FormError, NoticeBanner};
use crate::ui::fields::{FieldSpec, FormFields, SubmitButton};
use crate::ui::i18n::t;
use crate::ui::layout::{AuthCard, BackToSignIn};
use crate::ui::step_page::{submission_error, submission_notice, StepScreen};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "confirm_sign_up")]
pub async fn confirm_sign_up(code: FormSecret) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::Code,
            None,
            ssr::confirm(&ctx, &code),
        )
        .await;
    ctx.finish(Step::ConfirmSignUp, result, &[]).await
}

#[server(prefix = "/api", endpoint = "resend_sign_up_code")]
pub async fn resend_sign_up_code() -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::SendCode,
            None,
            ssr::resend(&ctx),
        )
        .await;
    ctx.finish(Step::ConfirmSignUp, result, &[]).await
}

#[component]
pub fn ConfirmSignUpPage() -> impl IntoView {
    view! { <StepScreen step=Step::ConfirmSignUp view=|state| view! { <ConfirmSignUpForm state /> } /> }
}

#[component]
fn ConfirmSignUpForm(state: PageState) -> impl IntoView {
    let confirm = ServerAction::<ConfirmSignUp>::new();
    crate::ui::step_page::reload_on_success(confirm);
    let resend = ServerAction::<ResendSignUpCode>::new();
    crate::ui::step_page::reload_on_success(resend);
    let confirm_error = submission_error(confirm, &state.flash);
    let resend_error = Signal::derive(move || resend.value().get().and_then(|r| r.err()));
    let error = Signal::derive(move || resend_error.get().or_else(|| confirm_error.get()));
    let notice = submission_notice(resend, &state.flash);
    let initial = state.flow.as_ref().and_then(|f| f.delivery.clone());
    let delivery = Signal::derive(move || {
        resend
            .value()
            .get()
            .and_then(|r| r.ok())
            .and_then(|reply| reply.delivery)
            .or_else(|| initial.clone())
    });
    let heading = if state
        .flow
        .as_ref()
        .and_then(|f| f.delivery.as_ref())
        .is_some_and(|d| d.medium == "SMS")
    {
        "confirm.heading_sms"
    } else {
        "confirm.heading"
    };
    view! {
        <AuthCard heading local_pool=state.local_pool>
            <NoticeBanner notice />
            <p class="ca-text" data-testid="delivery">
                {move || match delivery.get() {
                    Some(d) => view! { {t("confirm.sent_to")} " " <strong>{d.destination}</strong> {t("sentence.end")} " " {t("confirm.code_hint")} }.into_any(),
                    None => view! { {t("confirm.sent_generic")} }.into_any(),
                }}
            </p>
            <ActionForm action=confirm attr:class="ca-form" attr:novalidate=true>
                <FormError error />
                <FormFields screen=Screen::ConfirmSignUp error
                    fields=vec![FieldSpec::code("code", "field.confirmation_code")] />
                <SubmitButton label="button.confirm" pending=confirm.pending() />
            </ActionForm>
            <ActionForm action=resend attr:class="ca-form ca-form--secondary">
                <button class="ca-button ca-button--secondary" type="submit" disabled=move || resend.pending().get()>
                    {t("button.resend_code")}
                </button>
            </ActionForm>
            <BackToSignIn />
        </AuthCard>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::{AppError, ErrorKind};
    use crate::flow::{FormSecret, Notice, Reply, Step};
    use crate::server::session::{self, Flow};
    use crate::server::{input, Ctx, Next};
    use cognito_idp::Secret;

    async fn current_flow(ctx: &Ctx) -> Result<Flow, Next> {
        ctx.flow_at(&[Step::ConfirmSignUp]).await
    }

    pub async fn confirm(ctx: &Ctx, code: &FormSecret) -> Result<Next, AppError> {
        let flow = match current_flow(ctx).await {
            Ok(flow) => flow,
            Err(next) => return Ok(next),
        };
        let code = input::code(code)?;
        let cognito = &ctx.auth.cognito;
        let confirmed = cognito
            .confirm_sign_up(
                &flow.username,
                &Secret::new(code),
                flow.cognito_session.clone(),
            )
            .await
            .map_err(|err| {
                let error = AppError::from(err);
                match error.kind {
                    ErrorKind::CodeMismatch | ErrorKind::ExpiredCode => error.on("code"),
                    _ => error,
                }
            })?;
        ctx.clear_flow().await?;
        tracing::info!(event = "confirm_sign_up", outcome = "confirmed");
        // Auto sign-in with the Session Cognito returned: no password was kept.
        let Some(session) = confirmed.session else {
            return Ok(Next::GoWith(Step::SignIn, Notice::AccountConfirmed));
        };
        match cognito
            .sign_in_with_confirmation_session(&flow.username, session)
            .await
        {
            Ok(outcome) => ctx.advance(&flow.username, outcome).await,
            Err(err) => {
                tracing::info!(event = "auto_sign_in", outcome = "failed", error = %err);
                Ok(Next::GoWith(Step::SignIn, Notice::AccountConfirmed))
            }
        }
    }

    pub async fn resend(ctx: &Ctx) -> Result<Next, AppError> {
        let mut flow = match current_flow(ctx).await {
            Ok(flow) => flow,
            Err(next) => return Ok(next),
        };
        let sent = ctx
            .auth
            .cognito
            .resend_confirmation_code(&flow.username)
            .await?;
        flow.delivery = session::delivery(sent.code_delivery_details).or(flow.delivery);
        // A new code restarts the clock on the pending sign-up.
        flow.expires_at = ctx.now() + ctx.auth.config.flow_validity_secs;
        ctx.set_flow(&flow).await?;
        tracing::info!(event = "resend_sign_up_code");
        Ok(Next::Stay(Reply {
            notice: Some(Notice::CodeResent),
            delivery: flow.delivery,
            ..Reply::default()
        }))
    }
}
