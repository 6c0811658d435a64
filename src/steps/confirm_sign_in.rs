//! The code steps of sign-in: TOTP, SMS and email codes, and custom challenges.

use crate::error::AppError;
use crate::flow::{FormSecret, PageState, Reply, Step};
use crate::options::Screen;
use crate::steps::sign_in_methods::{OtherSignInOptions, ResendSignInCode};
use crate::ui::errors::{FormError, NoticeBanner};
use crate::ui::fields::{FieldSpec, FormFields, SubmitButton};
use crate::ui::i18n::t;
use crate::ui::layout::{AuthCard, BackToSignIn};
use crate::ui::step_page::{reload_on_success, submission_error, submission_notice, StepScreen};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "confirm_sign_in")]
pub async fn confirm_sign_in(
    code: FormSecret,
    /// The "Remember this device" box: present when ticked.
    #[server(default)]
    remember_device: String,
) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::Code,
            None,
            ssr::confirm(&ctx, &code, !remember_device.is_empty()),
        )
        .await;
    let result = ctx.restart_if_expired(result).await;
    ctx.finish(Step::ConfirmSignInWithTotpCode, result, &[])
        .await
}

#[component]
pub fn ConfirmSignInPage() -> impl IntoView {
    view! { <StepScreen step=Step::ConfirmSignInWithTotpCode view=|state| view! { <ConfirmSignInForm state /> } /> }
}

#[component]
fn ConfirmSignInForm(state: PageState) -> impl IntoView {
    let action = ServerAction::<ConfirmSignIn>::new();
    let resend = ServerAction::<ResendSignInCode>::new();
    // A new custom-challenge round is shown on this same page, as is a new code.
    reload_on_success(action);
    reload_on_success(resend);
    let confirm_error = submission_error(action, &state.flash);
    let resend_error = Signal::derive(move || resend.value().get().and_then(|r| r.err()));
    let error = Signal::derive(move || resend_error.get().or_else(|| confirm_error.get()));
    let notice = submission_notice(resend, &state.flash);
    let flow = state.flow.clone();
    let step = flow
        .as_ref()
        .map(|f| f.step)
        .unwrap_or(Step::ConfirmSignInWithTotpCode);
    let (heading, label) = match step {
        Step::ConfirmSignInWithSmsCode => ("confirm_sign_in.sms_heading", "field.code"),
        Step::ConfirmSignInWithEmailCode => ("confirm_sign_in.email_heading", "field.code"),
        Step::ConfirmSignInWithCustomChallenge => {
            ("confirm_sign_in.custom_heading", "field.answer")
        }
        _ => ("confirm_sign_in.totp_heading", "field.code"),
    };
    let explanation = match (step, flow.as_ref().and_then(|f| f.delivery.clone())) {
        (Step::ConfirmSignInWithTotpCode, _) => view! { <p class="ca-text">{t("confirm_sign_in.totp_explanation")}</p> }.into_any(),
        (Step::ConfirmSignInWithCustomChallenge, _) => {
            let parameters = flow.as_ref().map(|f| f.challenge.parameters.clone()).unwrap_or_default();
            let rows = parameters
                .into_iter()
                .map(|(name, value)| view! { <tr><th scope="row">{name}</th><td>{value}</td></tr> })
                .collect_view();
            view! {
                <p class="ca-text">{t("confirm_sign_in.custom_explanation")}</p>
                <table class="ca-attributes" data-testid="challenge-parameters"><tbody>{rows}</tbody></table>
            }
            .into_any()
        }
        (_, Some(delivery)) => view! {
            <p class="ca-text" data-testid="delivery">{t("confirm.sent_to")} " " <strong>{delivery.destination}</strong> {t("sentence.end")}</p>
        }
        .into_any(),
        _ => view! { <p class="ca-text">{t("confirm.sent_generic")}</p> }.into_any(),
    };
    let field = if step == Step::ConfirmSignInWithCustomChallenge {
        let mut answer = FieldSpec::text("code", label).autocomplete("off");
        answer.inputmode = Some("text".to_owned());
        answer
    } else {
        FieldSpec::code("code", label)
    };
    // A code chosen as the first factor can be sent again, and the user's other methods chosen.
    let methods = flow
        .as_ref()
        .map(|f| f.challenge.methods.clone())
        .unwrap_or_default();
    let first_factor = !methods.is_empty();
    // Only an MFA code: a remembered device answers in place of it at the next sign-in.
    let is_mfa = !first_factor && step != Step::ConfirmSignInWithCustomChallenge;
    let remember = (is_mfa && state.ask_remember_device).then(|| {
        view! {
            <label class="ca-check">
                <input type="checkbox" name="remember_device" value="on" />
                {t("confirm_sign_in.remember_device")}
            </label>
        }
    });
    let resend_form = first_factor.then(|| {
        view! {
            <ActionForm action=resend attr:class="ca-form ca-form--secondary">
                <button class="ca-button ca-button--secondary" type="submit" disabled=move || resend.pending().get()>
                    {t("button.resend_code")}
                </button>
            </ActionForm>
        }
    });
    view! {
        <AuthCard heading local_pool=state.local_pool>
            <NoticeBanner notice />
            {explanation}
            <ActionForm action attr:class="ca-form" attr:novalidate=true>
                <FormError error />
                <FormFields screen=Screen::ConfirmSignIn error fields=vec![field.maxlength(256)] />
                {remember}
                <SubmitButton label="button.confirm" pending=action.pending() />
            </ActionForm>
            {resend_form}
            <OtherSignInOptions methods />
            <BackToSignIn />
        </AuthCard>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::{AppError, ErrorKind};
    use crate::flow::{FormSecret, Step};
    use crate::server::{input, session, Ctx, Next};
    use cognito_idp::SecretMap;

    const CODE_STEPS: [Step; 4] = [
        Step::ConfirmSignInWithTotpCode,
        Step::ConfirmSignInWithSmsCode,
        Step::ConfirmSignInWithEmailCode,
        Step::ConfirmSignInWithCustomChallenge,
    ];

    pub async fn confirm(
        ctx: &Ctx,
        code: &FormSecret,
        remember_device: bool,
    ) -> Result<Next, AppError> {
        let flow = match ctx.flow_at(&CODE_STEPS).await {
            Ok(flow) => flow,
            Err(next) => return Ok(next),
        };

        let (challenge, key, value) = match flow.step {
            Step::ConfirmSignInWithCustomChallenge => {
                let answer = code.expose().trim();
                if answer.is_empty() {
                    return Err(AppError::field(ErrorKind::Required, "code"));
                }
                if answer.chars().count() > 256 {
                    return Err(AppError::field(ErrorKind::TooLong, "code"));
                }
                ("CUSTOM_CHALLENGE", "ANSWER", answer.to_owned())
            }
            // A text chosen as the first factor, or an MFA code.
            Step::ConfirmSignInWithSmsCode if flow.challenge.challenge_name == "SMS_OTP" => {
                ("SMS_OTP", "SMS_OTP_CODE", input::code(code)?)
            }
            Step::ConfirmSignInWithSmsCode => ("SMS_MFA", "SMS_MFA_CODE", input::code(code)?),
            Step::ConfirmSignInWithEmailCode => ("EMAIL_OTP", "EMAIL_OTP_CODE", input::code(code)?),
            _ => (
                "SOFTWARE_TOKEN_MFA",
                "SOFTWARE_TOKEN_MFA_CODE",
                input::code(code)?,
            ),
        };
        let mut responses = SecretMap::new();
        responses.insert("USERNAME", flow.username.clone());
        responses.insert(key, value);
        let outcome = ctx
            .auth
            .cognito
            .respond(challenge, flow.cognito_session.clone(), responses)
            .await
            .map_err(|err| {
                let error = AppError::from(err);
                match error.kind {
                    ErrorKind::CodeMismatch | ErrorKind::ExpiredCode => error.on("code"),
                    _ => error,
                }
            })?;
        // Only an MFA code answered right says "remember this device" (not a first factor's
        // code, not a custom challenge).
        let is_mfa = matches!(challenge, "SMS_MFA" | "EMAIL_OTP" | "SOFTWARE_TOKEN_MFA")
            && flow.challenge.methods.is_empty();
        if remember_device && is_mfa {
            let mut device = session::sign_in_device(&ctx.session).await;
            device.remember = true;
            session::set_sign_in_device(&ctx.session, &device)
                .await
                .map_err(|_| AppError::new(ErrorKind::Unavailable))?;
        }
        ctx.advance(&flow.username, outcome).await
    }
}
