//! The signed-in page: who you are (from the verified ID token) and signing out.

use crate::error::AppError;
use crate::flow::{PageState, Reply, Step};
use crate::ui::authenticator::{submission_error, StepScreen};
use crate::ui::errors::FormError;
use crate::ui::i18n::t;
use crate::ui::layout::AuthCard;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ssr::sign_out(&ctx, false).await;
    ctx.finish(Step::Done, result, &[]).await
}

#[server(prefix = "/api", endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ssr::sign_out(&ctx, true).await;
    ctx.finish(Step::Done, result, &[]).await
}

#[component]
pub fn AccountPage() -> impl IntoView {
    view! { <StepScreen step=Step::Done view=|state| view! { <Account state /> } /> }
}

#[component]
fn Account(state: PageState) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    let out_error = submission_error(sign_out, &state.flash);
    let error = Signal::derive(move || {
        everywhere
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| out_error.get())
    });
    let user = state.user.unwrap_or_else(|| crate::flow::UserView {
        username: String::new(),
        attributes: Vec::new(),
    });
    let rows = user
        .attributes
        .into_iter()
        .map(|(name, value)| {
            let label = attribute_label(&name);
            view! { <tr data-attribute=name><th scope="row">{label}</th><td>{value}</td></tr> }
        })
        .collect_view();
    view! {
        <AuthCard heading="account.heading">
            <FormError error />
            <p class="ca-text">{t("account.signed_in_as")} " " <strong data-testid="username">{user.username}</strong></p>
            <table class="ca-attributes" aria-label=t("account.attributes")>
                <tbody>{rows}</tbody>
            </table>
            <p class="ca-hint">{t("account.sign_out_hint")}</p>
            <div class="ca-actions">
                <ActionForm action=sign_out attr:class="ca-form ca-form--inline">
                    <button class="ca-button ca-button--primary" type="submit" disabled=move || sign_out.pending().get()>
                        {t("button.sign_out")}
                    </button>
                </ActionForm>
                <ActionForm action=everywhere attr:class="ca-form ca-form--inline">
                    <button class="ca-button ca-button--secondary" type="submit" disabled=move || everywhere.pending().get()>
                        {t("button.sign_out_everywhere")}
                    </button>
                </ActionForm>
            </div>
        </AuthCard>
    }
}

/// A readable label for a Cognito attribute; unknown and custom attributes show their name.
fn attribute_label(name: &str) -> String {
    let key = match name {
        "email" => "field.email",
        "email_verified" => "attribute.email_verified",
        "phone_number" => "field.phone_number",
        "phone_number_verified" => "attribute.phone_number_verified",
        "name" => "attribute.name",
        "given_name" => "attribute.given_name",
        "family_name" => "attribute.family_name",
        _ => return name.to_owned(),
    };
    t(key).to_owned()
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::{AppError, ErrorKind};
    use crate::flow::{Notice, Step};
    use crate::server::session;
    use crate::server::{Ctx, Next};
    use cognito_idp::ErrorKind as CognitoKind;

    pub async fn sign_out(ctx: &Ctx, everywhere: bool) -> Result<Next, AppError> {
        let Some(user) = session::signed_in(&ctx.session).await else {
            return Ok(Next::GoWith(Step::SignIn, Notice::SignedOut));
        };
        let cognito = &ctx.auth.cognito;
        if everywhere {
            match cognito.global_sign_out(&user.access_token).await {
                Ok(()) => {}
                // Already revoked or expired: every device is signed out already.
                Err(err) if err.kind() == Some(&CognitoKind::NotAuthorized) => {}
                // Keep the session so the person can try again.
                Err(err) => return Err(err.into()),
            }
        } else if let Some(refresh) = &user.refresh_token {
            if let Err(err) = cognito.revoke_token(refresh).await {
                // This device's session ends regardless; the token lapses on its own.
                tracing::warn!(event = "sign_out", error = %err, "token revocation failed");
            }
        }
        session::end(&ctx.session).await.map_err(|err| {
            tracing::error!(error = %err, "could not delete the session");
            AppError::new(ErrorKind::Unavailable)
        })?;
        tracing::info!(event = "sign_out", everywhere);
        let notice = if everywhere {
            Notice::SignedOutEverywhere
        } else {
            Notice::SignedOut
        };
        Ok(Next::GoWith(Step::SignIn, notice))
    }
}
