//! CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED: a user created by an administrator chooses a
//! password, and gives any required attribute they lack.

use crate::error::AppError;
use crate::flow::{FormSecret, PageState, Reply, Step};
use crate::options::Screen;
use crate::ui::errors::FormError;
use crate::ui::fields::{attribute_field, FieldSpec, FormFields, SubmitButton};
use crate::ui::i18n::t;
use crate::ui::layout::{AuthCard, BackToSignIn};
use crate::ui::step_page::{submission_error, StepScreen};
use leptos::prelude::*;
use std::collections::BTreeMap;

#[server(prefix = "/api", endpoint = "confirm_new_password")]
pub async fn confirm_new_password(
    password: FormSecret,
    confirm_password: FormSecret,
    attributes: Option<BTreeMap<String, String>>,
) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let attributes = attributes.unwrap_or_default();
    let result = ssr::confirm(&ctx, &password, &confirm_password, &attributes).await;
    let result = ctx.restart_if_expired(result).await;
    let kept: Vec<(String, String)> = attributes
        .iter()
        .map(|(k, v)| (format!("attributes[{k}]"), v.clone()))
        .collect();
    let kept: Vec<(&str, &str)> = kept.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    ctx.finish(Step::ConfirmSignInWithNewPasswordRequired, result, &kept)
        .await
}

#[component]
pub fn NewPasswordPage() -> impl IntoView {
    view! { <StepScreen step=Step::ConfirmSignInWithNewPasswordRequired view=|state| view! { <NewPasswordForm state /> } /> }
}

#[component]
fn NewPasswordForm(state: PageState) -> impl IntoView {
    let action = ServerAction::<ConfirmNewPassword>::new();
    crate::ui::step_page::reload_on_success(action);
    let error = submission_error(action, &state.flash);
    let required = state
        .flow
        .as_ref()
        .map(|f| f.challenge.required_attributes.clone())
        .unwrap_or_default();
    let kept = state.flash.values.clone();
    let attribute_fields = required.into_iter().map(move |name| {
        let value = kept
            .get(&format!("attributes[{name}]"))
            .cloned()
            .unwrap_or_default();
        attribute_field(&name).value(value)
    });
    view! {
        <AuthCard heading="new_password.heading" local_pool=state.local_pool>
            <p class="ca-text">{t("new_password.explanation")}</p>
            <ActionForm action attr:class="ca-form" attr:novalidate=true>
                <FormError error />
                <FormFields screen=Screen::ForceNewPassword error fields=[
                    FieldSpec::password("password", "field.new_password", "new-password")
                        .placeholder("placeholder.new_password").with_rules(state.password_rules),
                    FieldSpec::password("confirm_password", "field.confirm_password", "new-password")
                        .placeholder("placeholder.confirm_password"),
                ].into_iter().chain(attribute_fields).collect() />
                <SubmitButton label="button.change_password" pending=action.pending() />
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
    use cognito_idp::SecretMap;
    use std::collections::BTreeMap;

    pub async fn confirm(
        ctx: &Ctx,
        password: &FormSecret,
        confirm_password: &FormSecret,
        attributes: &BTreeMap<String, String>,
    ) -> Result<Next, AppError> {
        let flow = match ctx
            .flow_at(&[Step::ConfirmSignInWithNewPasswordRequired])
            .await
        {
            Ok(flow) => flow,
            Err(next) => return Ok(next),
        };
        input::new_password(password, confirm_password, &ctx.auth.config.password_policy)?;
        let mut responses = SecretMap::new();
        responses.insert("USERNAME", flow.username.clone());
        responses.insert("NEW_PASSWORD", password.expose());
        for name in &flow.challenge.required_attributes {
            let value = attributes.get(name).map(|v| v.trim()).unwrap_or_default();
            let field = format!("attributes[{name}]");
            if value.is_empty() {
                return Err(AppError::field(ErrorKind::Required, &field));
            }
            if value.chars().count() > 2048 {
                return Err(AppError::field(ErrorKind::TooLong, &field));
            }
            if name == "email" && !local_pool::pool::is_valid_email(value) {
                return Err(AppError::field(ErrorKind::InvalidEmail, &field));
            }
            responses.insert(format!("userAttributes.{name}"), value);
        }
        let outcome = ctx
            .auth
            .cognito
            .respond(
                "NEW_PASSWORD_REQUIRED",
                flow.cognito_session.clone(),
                responses,
            )
            .await
            .map_err(|err| {
                let error = AppError::from(err);
                if error.kind == ErrorKind::WeakPassword {
                    error.on("password")
                } else {
                    error
                }
            })?;
        ctx.advance(&flow.username, outcome).await
    }
}
