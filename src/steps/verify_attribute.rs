//! After sign-in, when neither email nor phone number is verified: send a code to one and
//! verify it, or skip.

use crate::error::AppError;
use crate::flow::{FormSecret, PageState, Reply, Step};
use crate::options::Screen;
use crate::ui::errors::{FormError, NoticeBanner};
use crate::ui::fields::{FieldSpec, FormFields, RadioGroup, SubmitButton};
use crate::ui::i18n::t;
use crate::ui::layout::AuthCard;
use crate::ui::step_page::{reload_on_success, submission_error, submission_notice, StepScreen};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "send_verification_code")]
pub async fn send_verification_code(attribute: String) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::SendCode,
            None,
            ssr::send(&ctx, &attribute),
        )
        .await;
    ctx.finish(Step::VerifyAttribute, result, &[]).await
}

#[server(prefix = "/api", endpoint = "verify_attribute")]
pub async fn verify_attribute(code: FormSecret) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::Code,
            None,
            ssr::verify(&ctx, &code),
        )
        .await;
    ctx.finish(Step::VerifyAttribute, result, &[]).await
}

#[server(prefix = "/api", endpoint = "skip_verification")]
pub async fn skip_verification() -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ssr::skip(&ctx).await;
    ctx.finish(Step::VerifyAttribute, result, &[]).await
}

#[component]
pub fn VerifyAttributePage() -> impl IntoView {
    view! { <StepScreen step=Step::VerifyAttribute view=|state| view! { <VerifyForm state /> } /> }
}

#[component]
fn VerifyForm(state: PageState) -> impl IntoView {
    let send = ServerAction::<SendVerificationCode>::new();
    let verify = ServerAction::<VerifyAttribute>::new();
    let skip = ServerAction::<SkipVerification>::new();
    reload_on_success(send);
    let verify_error = submission_error(verify, &state.flash);
    let error = Signal::derive(move || {
        send.value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| verify_error.get())
    });
    let notice = submission_notice(send, &state.flash);
    let flow = state.flow.clone();
    let sent = flow.as_ref().and_then(|f| f.delivery.clone());
    let options: Vec<(&'static str, &'static str)> = flow
        .map(|f| f.challenge.attributes)
        .unwrap_or_default()
        .iter()
        .filter_map(|a| match a.as_str() {
            "email" => Some(("email", "field.email")),
            "phone_number" => Some(("phone_number", "field.phone_number")),
            _ => None,
        })
        .collect();
    let body = match sent {
        None => view! {
            <p class="ca-text">{t("verify.explanation")}</p>
            <ActionForm action=send attr:class="ca-form" attr:novalidate=true>
                <FormError error />
                <RadioGroup name="attribute" legend="verify.legend" options error />
                <SubmitButton label="button.send_code" pending=send.pending() />
            </ActionForm>
        }
        .into_any(),
        Some(delivery) => view! {
            <p class="ca-text" data-testid="delivery">{t("confirm.sent_to")} " " <strong>{delivery.destination}</strong> {t("sentence.end")}</p>
            <ActionForm action=verify attr:class="ca-form" attr:novalidate=true>
                <FormError error />
                <FormFields screen=Screen::VerifyAttribute error
                    fields=vec![FieldSpec::code("code", "field.confirmation_code")] />
                <SubmitButton label="button.verify" pending=verify.pending() />
            </ActionForm>
        }
        .into_any(),
    };
    view! {
        <AuthCard heading="verify.heading" local_pool=state.local_pool>
            <NoticeBanner notice />
            {body}
            <ActionForm action=skip attr:class="ca-form ca-form--secondary">
                <button class="ca-button ca-button--secondary" type="submit">{t("button.skip")}</button>
            </ActionForm>
        </AuthCard>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::{AppError, ErrorKind};
    use crate::flow::{FormSecret, Notice, Step};
    use crate::server::session;
    use crate::server::{input, Ctx, Next};
    use cognito_idp::Secret;

    pub async fn send(ctx: &Ctx, attribute: &str) -> Result<Next, AppError> {
        let user = ctx.require_user().await?;
        let mut flow = match ctx.flow_at(&[Step::VerifyAttribute]).await {
            Ok(flow) => flow,
            Err(_) => return Ok(Next::Go(Step::Done)),
        };
        if !flow.challenge.attributes.iter().any(|a| a == attribute) {
            return Err(AppError::field(ErrorKind::Required, "attribute"));
        }
        let sent = ctx
            .auth
            .cognito
            .get_attribute_verification_code(&user.access_token, attribute)
            .await?;
        flow.delivery = session::delivery(sent.code_delivery_details);
        flow.challenge.attributes = vec![attribute.to_owned()];
        ctx.set_flow(&flow).await?;
        Ok(Next::Reload(Some(Notice::CodeSent)))
    }

    pub async fn verify(ctx: &Ctx, code: &FormSecret) -> Result<Next, AppError> {
        let user = ctx.require_user().await?;
        let flow = match ctx.flow_at(&[Step::VerifyAttribute]).await {
            Ok(flow) => flow,
            Err(_) => return Ok(Next::Go(Step::Done)),
        };
        let code = input::code(code)?;
        let attribute = flow
            .challenge
            .attributes
            .first()
            .cloned()
            .unwrap_or_default();
        ctx.auth
            .cognito
            .verify_attribute(&user.access_token, &attribute, &Secret::new(code))
            .await
            .map_err(|err| {
                let error = AppError::from(err);
                match error.kind {
                    ErrorKind::CodeMismatch | ErrorKind::ExpiredCode => error.on("code"),
                    _ => error,
                }
            })?;
        ctx.clear_flow().await?;
        ctx.refresh_claims(&user).await;
        Ok(Next::GoWith(Step::Done, Notice::AttributeVerified))
    }

    pub async fn skip(ctx: &Ctx) -> Result<Next, AppError> {
        ctx.clear_flow().await?;
        Ok(Next::Go(Step::Done))
    }
}
