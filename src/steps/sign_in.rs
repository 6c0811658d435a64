//! Sign in with username and password (SRP: the password never leaves the server).

use crate::error::AppError;
use crate::flow::{FormSecret, PageState, Reply, Step};
use crate::ui::authenticator::{submission_error, submission_notice, StepScreen};
use crate::ui::errors::{FormError, NoticeBanner};
use crate::ui::fields::{SubmitButton, TextField};
use crate::ui::layout::{AuthCard, Tab};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(username: String, password: FormSecret) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ssr::sign_in(&ctx, &username, &password).await;
    ctx.finish(Step::SignIn, result, &[("username", &username)])
        .await
}

#[component]
pub fn SignInPage() -> impl IntoView {
    view! { <StepScreen step=Step::SignIn view=|state| view! { <SignInForm state /> } /> }
}

#[component]
fn SignInForm(state: PageState) -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let error = submission_error(action, &state.flash);
    let notice = submission_notice(action, &state.flash);
    let username = state
        .flash
        .values
        .get("username")
        .cloned()
        .unwrap_or_default();
    view! {
        <AuthCard tab=Tab::SignIn heading="signin.heading" local_pool=state.local_pool>
            <NoticeBanner notice />
            <ActionForm action attr:class="ca-form" attr:novalidate=true>
                <FormError error />
                <TextField name="username" label="field.username" placeholder="placeholder.username"
                    autocomplete="username" value=username maxlength=128 error />
                <TextField name="password" label="field.password" placeholder="placeholder.password"
                    input_type="password" autocomplete="current-password" error />
                <SubmitButton label="button.sign_in" pending=action.pending() />
            </ActionForm>
        </AuthCard>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::{AppError, ErrorKind};
    use crate::flow::{FormSecret, Step};
    use crate::server::session::{self, Flow};
    use crate::server::{input, Ctx, Next};
    use cognito_idp::{ErrorKind as CognitoKind, Secret, SignInOutcome};

    pub async fn sign_in(
        ctx: &Ctx,
        username: &str,
        password: &FormSecret,
    ) -> Result<Next, AppError> {
        let username = input::username(username)?;
        input::password(password, "password")?;
        let cognito = &ctx.auth.cognito;
        match cognito
            .sign_in_srp(&username, &Secret::new(password.expose()))
            .await
        {
            Ok(SignInOutcome::SignedIn(tokens)) => {
                ctx.establish(tokens).await?;
                tracing::info!(event = "sign_in", outcome = "signed_in");
                Ok(Next::Go(Step::Done))
            }
            Ok(SignInOutcome::Challenge { name, .. }) => {
                tracing::warn!(event = "sign_in", challenge = %name, "next step not supported yet");
                Err(AppError::new(ErrorKind::UnsupportedStep))
            }
            Err(err) if err.kind() == Some(&CognitoKind::UserNotConfirmed) => {
                // The password was right but the account is unconfirmed: send a fresh code.
                let sent = cognito.resend_confirmation_code(&username).await?;
                let delivery = session::delivery(sent.code_delivery_details);
                ctx.set_flow(&Flow {
                    step: Step::ConfirmSignUp,
                    username,
                    cognito_session: None,
                    delivery,
                    expires_at: ctx.now() + ctx.auth.config.flow_validity_secs,
                })
                .await?;
                tracing::info!(event = "sign_in", outcome = "confirm_sign_up");
                Ok(Next::Go(Step::ConfirmSignUp))
            }
            Err(err) => {
                let error = AppError::from(err);
                tracing::info!(event = "sign_in", outcome = ?error.kind);
                Err(error)
            }
        }
    }
}
