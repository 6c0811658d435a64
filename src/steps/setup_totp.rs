//! CONTINUE_SIGN_IN_WITH_TOTP_SETUP: scan the QR code (or copy the secret) into an
//! authenticator app, then prove it with a code.

use crate::error::AppError;
use crate::flow::{FormSecret, PageState, Reply, Step, TotpSetupView};
use crate::options::Screen;
use crate::ui::errors::FormError;
use crate::ui::fields::{FieldSpec, FormFields, SubmitButton};
use crate::ui::i18n::t;
use crate::ui::layout::{AuthCard, BackToSignIn};
use crate::ui::step_page::{submission_error, StepScreen};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "verify_totp_setup")]
pub async fn verify_totp_setup(code: FormSecret) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::Code,
            None,
            ssr::verify(&ctx, &code),
        )
        .await;
    let result = ctx.restart_if_expired(result).await;
    ctx.finish(Step::ContinueSignInWithTotpSetup, result, &[])
        .await
}

#[component]
pub fn SetupTotpPage() -> impl IntoView {
    view! { <StepScreen step=Step::ContinueSignInWithTotpSetup view=|state| view! { <SetupTotpForm state /> } /> }
}

/// The QR code, the secret to copy, and a link for authenticator apps on this device.
#[component]
pub fn TotpSetupDetails(setup: TotpSetupView) -> impl IntoView {
    view! {
        <div class="ca-totp">
            <p class="ca-text">{t("setup_totp.explanation")}</p>
            <figure class="ca-qr" aria-label=t("setup_totp.qr_label") inner_html=setup.qr_svg></figure>
            <p class="ca-hint">{t("setup_totp.secret_label")}</p>
            <p><code class="ca-secret" data-testid="totp-secret">{setup.secret}</code></p>
            <p class="ca-hint"><a class="ca-link" href=setup.uri>{t("setup_totp.open_app")}</a></p>
        </div>
    }
}

#[component]
fn SetupTotpForm(state: PageState) -> impl IntoView {
    let action = ServerAction::<VerifyTotpSetup>::new();
    crate::ui::step_page::reload_on_success(action);
    let error = submission_error(action, &state.flash);
    let setup = state.flow.as_ref().and_then(|f| f.challenge.totp.clone());
    view! {
        <AuthCard heading="setup_totp.heading" local_pool=state.local_pool>
            {setup.map(|setup| view! { <TotpSetupDetails setup /> })}
            <ActionForm action attr:class="ca-form" attr:novalidate=true>
                <FormError error />
                <FormFields screen=Screen::SetupTotp error fields=vec![FieldSpec::code("code", "field.code")] />
                <SubmitButton label="button.confirm" pending=action.pending() />
            </ActionForm>
            <BackToSignIn />
        </AuthCard>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::{AppError, ErrorKind};
    use crate::flow::{FormSecret, Step};
    use crate::server::{input, Ctx, Next};
    use cognito_idp::{Secret, SecretMap, TokenOrSession};

    pub async fn verify(ctx: &Ctx, code: &FormSecret) -> Result<Next, AppError> {
        let mut flow = match ctx.flow_at(&[Step::ContinueSignInWithTotpSetup]).await {
            Ok(flow) => flow,
            Err(next) => return Ok(next),
        };
        let code = input::code(code)?;
        let session = flow
            .cognito_session
            .clone()
            .ok_or_else(|| AppError::new(ErrorKind::FlowExpired))?;
        let cognito = &ctx.auth.cognito;
        let verified = cognito
            .verify_software_token(TokenOrSession::Session(session), &Secret::new(code))
            .await
            .map_err(|err| {
                let error = AppError::from(err);
                if error.kind == ErrorKind::CodeMismatch {
                    error.on("code")
                } else {
                    error
                }
            })?;
        // Cognito answers with the session for the last step; keep it in case that fails.
        flow.cognito_session = verified.session.clone();
        ctx.set_flow(&flow).await?;
        let mut responses = SecretMap::new();
        responses.insert("USERNAME", flow.username.clone());
        let outcome = cognito
            .respond("MFA_SETUP", verified.session, responses)
            .await?;
        ctx.advance(&flow.username, outcome).await
    }
}
