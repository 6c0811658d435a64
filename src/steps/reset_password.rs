//! Forgot password, second half: the code, a new password and its confirmation.

use crate::error::AppError;
use crate::flow::{FormSecret, PageState, Reply, Step};
use crate::options::Screen;
use crate::ui::errors::{FormError, NoticeBanner};
use crate::ui::fields::{FieldSpec, FormFields, SubmitButton};
use crate::ui::i18n::t;
use crate::ui::layout::{AuthCard, BackToSignIn};
use crate::ui::step_page::{submission_error, submission_notice, StepScreen};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "reset_password")]
pub async fn reset_password(
    code: FormSecret,
    password: FormSecret,
    confirm_password: FormSecret,
) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::Code,
            None,
            ssr::reset(&ctx, &code, &password, &confirm_password),
        )
        .await;
    ctx.finish(Step::ConfirmResetPasswordWithCode, result, &[])
        .await
}

#[server(prefix = "/api", endpoint = "resend_reset_code")]
pub async fn resend_reset_code() -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::SendCode,
            None,
            ssr::resend(&ctx),
        )
        .await;
    ctx.finish(Step::ConfirmResetPasswordWithCode, result, &[])
        .await
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    view! { <StepScreen step=Step::ConfirmResetPasswordWithCode view=|state| view! { <ResetPasswordForm state /> } /> }
}

#[component]
fn ResetPasswordForm(state: PageState) -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    crate::ui::step_page::reload_on_success(action);
    let resend = ServerAction::<ResendResetCode>::new();
    crate::ui::step_page::reload_on_success(resend);
    let reset_error = submission_error(action, &state.flash);
    let error = Signal::derive(move || {
        resend
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| reset_error.get())
    });
    let notice = submission_notice(resend, &state.flash);
    let delivery = state.flow.as_ref().and_then(|f| f.delivery.clone());
    view! {
        <AuthCard heading="reset_password.heading" local_pool=state.local_pool>
            <NoticeBanner notice />
            <p class="ca-text" data-testid="delivery">
                {match delivery {
                    Some(d) => view! { {t("reset_password.sent_to")} " " <strong>{d.destination}</strong> {t("sentence.end")} }.into_any(),
                    None => view! { {t("confirm.sent_generic")} }.into_any(),
                }}
            </p>
            <ActionForm action attr:class="ca-form" attr:novalidate=true>
                <FormError error />
                <FormFields screen=Screen::ConfirmResetPassword error fields=vec![
                    FieldSpec::code("code", "field.confirmation_code"),
                    FieldSpec::password("password", "field.new_password", "new-password")
                        .placeholder("placeholder.new_password").with_rules(state.password_rules),
                    FieldSpec::password("confirm_password", "field.confirm_password", "new-password")
                        .placeholder("placeholder.confirm_password"),
                ] />
                <SubmitButton label="button.submit" pending=action.pending() />
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
    use crate::server::session;
    use crate::server::{input, Ctx, Next};
    use cognito_idp::Secret;

    pub async fn reset(
        ctx: &Ctx,
        code: &FormSecret,
        password: &FormSecret,
        confirm_password: &FormSecret,
    ) -> Result<Next, AppError> {
        let flow = match ctx.flow_at(&[Step::ConfirmResetPasswordWithCode]).await {
            Ok(flow) => flow,
            Err(next) => return Ok(next),
        };
        let code = input::code(code)?;
        input::new_password(password, confirm_password, &ctx.auth.config.password_policy)?;
        ctx.auth
            .cognito
            .confirm_forgot_password(
                &flow.username,
                &Secret::new(code),
                &Secret::new(password.expose()),
            )
            .await
            .map_err(|err| {
                let error = AppError::from(err);
                match error.kind {
                    ErrorKind::CodeMismatch | ErrorKind::ExpiredCode => error.on("code"),
                    ErrorKind::WeakPassword => error.on("password"),
                    _ => error,
                }
            })?;
        ctx.clear_flow().await?;
        // Whoever was signed in with the old password is signed out.
        ctx.end_account_sessions(&flow.username).await;
        tracing::info!(event = "reset_password", outcome = "done");
        Ok(Next::GoWith(Step::SignIn, Notice::PasswordReset))
    }

    pub async fn resend(ctx: &Ctx) -> Result<Next, AppError> {
        let mut flow = match ctx.flow_at(&[Step::ConfirmResetPasswordWithCode]).await {
            Ok(flow) => flow,
            Err(next) => return Ok(next),
        };
        let sent = ctx.auth.cognito.forgot_password(&flow.username).await?;
        flow.delivery = session::delivery(sent.code_delivery_details).or(flow.delivery);
        flow.expires_at = ctx.now() + ctx.auth.config.flow_validity_secs;
        ctx.set_flow(&flow).await?;
        Ok(Next::Stay(Reply {
            notice: Some(Notice::CodeResent),
            delivery: flow.delivery,
            ..Reply::default()
        }))
    }
}
