//! Forgot password, first half: ask for the username and send a code.

use crate::error::AppError;
use crate::flow::{PageState, Reply, Step};
use crate::options::Screen;
use crate::ui::errors::FormError;
use crate::ui::fields::{FieldSpec, FormFields, SubmitButton};
use crate::ui::i18n::t;
use crate::ui::layout::{AuthCard, BackToSignIn};
use crate::ui::step_page::{submission_error, StepScreen};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "forgot_password")]
pub async fn forgot_password(
    username: String,
    /// With a phone number for a username (the field customised as one): its calling code.
    #[server(default)]
    dial_code: String,
    /// The embedder's page, when the form is inside an `<Authenticator>`.
    #[server(default)]
    inline: Option<String>,
) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    ctx.remember_inline(inline.as_deref()).await?;
    let result = match crate::server::input::login(&username, &dial_code) {
        Ok(login) => {
            ctx.limited(
                crate::server::limits::Action::SendCode,
                Some(&login),
                ssr::send_code(&ctx, login.clone()),
            )
            .await
        }
        Err(error) => Err(error),
    };
    ctx.finish(Step::ResetPassword, result, &[("username", &username)])
        .await
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    view! { <StepScreen step=Step::ResetPassword view=|state| view! { <ForgotPasswordForm state /> } /> }
}

#[component]
fn ForgotPasswordForm(state: PageState) -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    crate::ui::step_page::reload_on_success(action);
    let error = submission_error(action, &state.flash);
    let username = state
        .flash
        .values
        .get("username")
        .cloned()
        .unwrap_or_default();
    view! {
        <AuthCard heading="forgot_password.heading" local_pool=state.local_pool>
            <p class="ca-text">{t("forgot_password.explanation")}</p>
            <ActionForm action attr:class="ca-form" attr:novalidate=true>
                <FormError error />
                <crate::ui::step_page::InlineHostInput />
                <FormFields screen=Screen::ForgotPassword error fields=vec![
                    FieldSpec::text("username", "field.username").placeholder("placeholder.username")
                        .autocomplete("username").value(username).maxlength(128),
                ] />
                <SubmitButton label="button.send_code" pending=action.pending() />
            </ActionForm>
            <BackToSignIn />
        </AuthCard>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    use crate::flow::Step;
    use crate::server::session::{self, Flow};
    use crate::server::{Ctx, Next};

    /// Sends a reset code to `username` (already normalised, see `input::login`).
    pub async fn send_code(ctx: &Ctx, username: String) -> Result<Next, AppError> {
        // With user-existence errors prevented, Cognito answers an unknown user exactly like a
        // known one, so this page cannot be used to probe for accounts.
        let sent = ctx.auth.cognito.forgot_password(&username).await?;
        ctx.set_flow(&Flow {
            step: Step::ConfirmResetPasswordWithCode,
            username,
            cognito_session: None,
            delivery: session::delivery(sent.code_delivery_details),
            challenge: Default::default(),
            expires_at: ctx.now() + ctx.auth.config.flow_validity_secs,
        })
        .await?;
        tracing::info!(event = "forgot_password");
        Ok(Next::Go(Step::ConfirmResetPasswordWithCode))
    }
}
