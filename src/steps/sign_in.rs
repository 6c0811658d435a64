//! Sign in with username and password (SRP: the password never leaves the server).

use crate::error::AppError;
use crate::flow::{FormSecret, PageState, Reply, Step};
use crate::ui::authenticator::{submission_error, submission_notice, StepScreen};
use crate::ui::errors::{FormError, NoticeBanner};
use crate::ui::fields::{SubmitButton, TextField};
use crate::ui::i18n::t;
use crate::ui::layout::{AuthCard, Tab};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(
    username: String,
    password: FormSecret,
    #[server(default)] return_to: Option<String>,
) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    ctx.remember_return_to(return_to.as_deref()).await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::SignIn,
            Some(&username),
            ssr::sign_in(&ctx, &username, &password),
        )
        .await;
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
    // `?return_to=` travels with the form; the server checks it before keeping it.
    let return_to = leptos_router::hooks::use_query_map()
        .with_untracked(|query| query.get("return_to"))
        .map(|target| view! { <input type="hidden" name="return_to" value=target /> });
    view! {
        <AuthCard tab=Tab::SignIn heading="signin.heading" local_pool=state.local_pool>
            <NoticeBanner notice />
            <ActionForm action attr:class="ca-form" attr:novalidate=true>
                <FormError error />
                {return_to}
                <TextField name="username" label="field.username" placeholder="placeholder.username"
                    autocomplete="username" value=username maxlength=128 error />
                <TextField name="password" label="field.password" placeholder="placeholder.password"
                    input_type="password" autocomplete="current-password" error />
                <SubmitButton label="button.sign_in" pending=action.pending() />
            </ActionForm>
            <p class="ca-back">
                <a class="ca-link" href=Step::ResetPassword.route()>{t("link.forgot_password")}</a>
            </p>
        </AuthCard>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    use crate::flow::{FormSecret, Notice, Step};
    use crate::server::session::{self, Flow};
    use crate::server::{input, Ctx, Next, SignInFlow};
    use cognito_idp::{ErrorKind as CognitoKind, Secret};

    pub async fn sign_in(
        ctx: &Ctx,
        username: &str,
        password: &FormSecret,
    ) -> Result<Next, AppError> {
        let username = input::username(username)?;
        input::password(password, "password")?;
        let cognito = &ctx.auth.cognito;
        let password = Secret::new(password.expose());
        let answer = match ctx.auth.config.sign_in_flow {
            SignInFlow::Srp => cognito.sign_in_srp(&username, &password).await,
            SignInFlow::Password => cognito.sign_in_password(&username, &password).await,
            SignInFlow::CustomWithSrp => {
                cognito.sign_in_custom_with_srp(&username, &password).await
            }
        };
        match answer {
            Ok(outcome) => ctx.advance(&username, outcome).await,
            Err(err) if err.kind() == Some(&CognitoKind::UserNotConfirmed) => {
                // The password was right but the account is unconfirmed: send a fresh code.
                let sent = cognito.resend_confirmation_code(&username).await?;
                ctx.set_flow(&Flow {
                    step: Step::ConfirmSignUp,
                    username,
                    cognito_session: None,
                    delivery: session::delivery(sent.code_delivery_details),
                    challenge: Default::default(),
                    expires_at: ctx.now() + ctx.auth.config.flow_validity_secs,
                })
                .await?;
                tracing::info!(event = "sign_in", outcome = "confirm_sign_up");
                Ok(Next::Go(Step::ConfirmSignUp))
            }
            Err(err) if err.kind() == Some(&CognitoKind::PasswordResetRequired) => {
                // An administrator reset the password: a code is on its way, choose a new one.
                let sent = cognito.forgot_password(&username).await?;
                ctx.set_flow(&Flow {
                    step: Step::ConfirmResetPasswordWithCode,
                    username,
                    cognito_session: None,
                    delivery: session::delivery(sent.code_delivery_details),
                    challenge: Default::default(),
                    expires_at: ctx.now() + ctx.auth.config.flow_validity_secs,
                })
                .await?;
                tracing::info!(event = "sign_in", outcome = "reset_password");
                Ok(Next::GoWith(
                    Step::ConfirmResetPasswordWithCode,
                    Notice::PasswordResetRequired,
                ))
            }
            Err(err) => {
                let error = AppError::from(err);
                tracing::info!(event = "sign_in", outcome = ?error.kind);
                Err(error)
            }
        }
    }
}
