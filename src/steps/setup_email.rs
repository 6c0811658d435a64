//! CONTINUE_SIGN_IN_WITH_EMAIL_SETUP: email MFA is being set up during sign-in; the user
//! gives the address its codes will go to, then confirms the code sent there (the code page).

use crate::error::AppError;
use crate::flow::{PageState, Reply, Step};
use crate::options::Screen;
use crate::ui::errors::FormError;
use crate::ui::fields::{FieldSpec, FormFields, SubmitButton};
use crate::ui::i18n::t;
use crate::ui::layout::{AuthCard, BackToSignIn};
use crate::ui::step_page::{submission_error, StepScreen};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "setup_email")]
pub async fn setup_email(email: String) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::SendCode,
            None,
            ssr::send_code(&ctx, &email),
        )
        .await;
    let result = ctx.restart_if_expired(result).await;
    ctx.finish(
        Step::ContinueSignInWithEmailSetup,
        result,
        &[("email", &email)],
    )
    .await
}

#[component]
pub fn SetupEmailPage() -> impl IntoView {
    view! { <StepScreen step=Step::ContinueSignInWithEmailSetup view=|state| view! { <SetupEmailForm state /> } /> }
}

#[component]
fn SetupEmailForm(state: PageState) -> impl IntoView {
    let action = ServerAction::<SetupEmail>::new();
    crate::ui::step_page::reload_on_success(action);
    let error = submission_error(action, &state.flash);
    let email = state.flash.values.get("email").cloned().unwrap_or_default();
    view! {
        <AuthCard heading="setup_email.heading" local_pool=state.local_pool>
            <p class="ca-text">{t("setup_email.explanation")}</p>
            <ActionForm action attr:class="ca-form" attr:novalidate=true>
                <FormError error />
                <FormFields screen=Screen::SetupEmail error fields=vec![
                    FieldSpec::email("email", "field.email").placeholder("placeholder.email").value(email),
                ] />
                <SubmitButton label="button.send_code" pending=action.pending() />
            </ActionForm>
            <BackToSignIn />
        </AuthCard>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::{AppError, ErrorKind};
    use crate::flow::Step;
    use crate::server::{input, Ctx, Next};
    use cognito_idp::SecretMap;

    /// Answers `MFA_SETUP` with the address, as Amplify JS does; Cognito mails a code there and
    /// goes on with `EMAIL_OTP` (the code page).
    pub async fn send_code(ctx: &Ctx, email: &str) -> Result<Next, AppError> {
        let flow = match ctx.flow_at(&[Step::ContinueSignInWithEmailSetup]).await {
            Ok(flow) => flow,
            Err(next) => return Ok(next),
        };
        let email = input::email(email)?;
        let session = flow
            .cognito_session
            .clone()
            .ok_or_else(|| AppError::new(ErrorKind::FlowExpired))?;
        let mut responses = SecretMap::new();
        responses.insert("USERNAME", flow.username.clone());
        responses.insert("EMAIL", email);
        let outcome = ctx
            .auth
            .cognito
            .respond("MFA_SETUP", Some(session), responses)
            .await
            .map_err(|err| AppError::from(err).on("email"))?;
        ctx.advance(&flow.username, outcome).await
    }
}
