//! CONTINUE_SIGN_IN_WITH_MFA_SELECTION (choose which second factor to use now) and
//! CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION (choose which one to set up).

use crate::error::AppError;
use crate::flow::{PageState, Reply, Step};
use crate::ui::errors::FormError;
use crate::ui::fields::{RadioGroup, SubmitButton};
use crate::ui::layout::{AuthCard, BackToSignIn};
use crate::ui::step_page::{submission_error, StepScreen};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "select_mfa")]
pub async fn select_mfa(mfa_type: String) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ssr::select(&ctx, &mfa_type).await;
    let result = ctx.restart_if_expired(result).await;
    ctx.finish(Step::ContinueSignInWithMfaSelection, result, &[])
        .await
}

#[component]
pub fn SelectMfaPage() -> impl IntoView {
    view! { <StepScreen step=Step::ContinueSignInWithMfaSelection view=|state| view! { <SelectMfaForm state /> } /> }
}

#[component]
fn SelectMfaForm(state: PageState) -> impl IntoView {
    let action = ServerAction::<SelectMfa>::new();
    crate::ui::step_page::reload_on_success(action);
    let error = submission_error(action, &state.flash);
    let flow = state.flow.clone();
    let setup = flow
        .as_ref()
        .is_some_and(|f| f.step == Step::ContinueSignInWithMfaSetupSelection);
    let options: Vec<(&'static str, &'static str)> = flow
        .map(|f| f.challenge.mfa_options)
        .unwrap_or_default()
        .into_iter()
        .map(|m| (m.cognito_name(), m.message_key()))
        .collect();
    let (heading, legend) = if setup {
        ("select_mfa.setup_heading", "select_mfa.setup_legend")
    } else {
        ("select_mfa.heading", "select_mfa.legend")
    };
    view! {
        <AuthCard heading local_pool=state.local_pool>
            <ActionForm action attr:class="ca-form" attr:novalidate=true>
                <FormError error />
                <RadioGroup name="mfa_type" legend options error />
                <SubmitButton label="button.confirm" pending=action.pending() />
            </ActionForm>
            <BackToSignIn />
        </AuthCard>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::{AppError, ErrorKind};
    use crate::flow::{MfaType, Step};
    use crate::server::{Ctx, Next};
    use cognito_idp::SecretMap;

    pub async fn select(ctx: &Ctx, choice: &str) -> Result<Next, AppError> {
        let flow = match ctx
            .flow_at(&[
                Step::ContinueSignInWithMfaSelection,
                Step::ContinueSignInWithMfaSetupSelection,
            ])
            .await
        {
            Ok(flow) => flow,
            Err(next) => return Ok(next),
        };
        let choice = MfaType::from_cognito(choice)
            .filter(|m| flow.challenge.mfa_options.contains(m))
            .ok_or_else(|| AppError::field(ErrorKind::Required, "mfa_type"))?;
        let session = flow
            .cognito_session
            .clone()
            .ok_or_else(|| AppError::new(ErrorKind::FlowExpired))?;
        let cognito = &ctx.auth.cognito;
        let mut responses = SecretMap::new();
        responses.insert("USERNAME", flow.username.clone());
        if flow.step == Step::ContinueSignInWithMfaSelection {
            responses.insert("ANSWER", choice.cognito_name());
            let outcome = cognito
                .respond("SELECT_MFA_TYPE", Some(session), responses)
                .await?;
            return ctx.advance(&flow.username, outcome).await;
        }
        match choice {
            MfaType::Totp => ctx.start_totp_setup(flow.username.clone(), session).await,
            // The address is asked for on a page of its own, then confirmed with a code.
            MfaType::Email => ctx.start_email_setup(flow.username.clone(), session).await,
            // SMS uses the number the account already has.
            MfaType::Sms => {
                responses.insert("PHONE_NUMBER", "on file");
                let outcome = cognito
                    .respond("MFA_SETUP", Some(session), responses)
                    .await?;
                ctx.advance(&flow.username, outcome).await
            }
        }
    }
}
