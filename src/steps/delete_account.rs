//! Deleting one's own account (`DeleteUser`), after a clear warning and proof that the person
//! at the keyboard owns it: the password, or for an account without one, a fresh code.

use crate::error::AppError;
use crate::flow::{DeletionView, FormSecret, Reply};
use crate::ui::errors::FormError;
use crate::ui::fields::{Field, FieldSpec};
use crate::ui::i18n::t;
use crate::ui::step_page::reload_on_success;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "send_deletion_code")]
pub async fn send_deletion_code() -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::SendCode,
            None,
            ssr::send_code(&ctx),
        )
        .await;
    ctx.finish(crate::flow::Step::Done, result, &[]).await
}

#[server(prefix = "/api", endpoint = "delete_account")]
pub async fn delete_account(
    #[server(default)] delete_password: FormSecret,
    #[server(default)] delete_code: FormSecret,
) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::SignIn,
            None,
            ssr::delete(&ctx, &delete_password, &delete_code),
        )
        .await;
    ctx.finish(crate::flow::Step::Done, result, &[]).await
}

#[component]
pub fn DeleteAccountSection(
    deletion: DeletionView,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let send = ServerAction::<SendDeletionCode>::new();
    let delete = ServerAction::<DeleteAccount>::new();
    reload_on_success(send);
    crate::ui::step_page::leave_on_reply(delete);
    let answered = Signal::derive(move || {
        let last = |v: Option<Result<Reply, AppError>>| v.and_then(|r| r.err());
        last(delete.value().get()).or_else(|| last(send.value().get()))
    });
    // A no-JS post's error: beside its field here, the rest at the top of the page.
    let field_error = Signal::derive(move || answered.get().or_else(|| error.get()));
    let delete_button = move || {
        view! {
            <button class="ca-button ca-button--danger" type="submit" disabled=move || delete.pending().get()>
                {t("button.delete_account")}
            </button>
        }
    };
    let body = match deletion {
        DeletionView::Password => view! {
            <ActionForm action=delete attr:class="ca-form" attr:novalidate=true>
                <Field spec=FieldSpec::password("delete_password", "account.delete_password", "current-password") error=field_error />
                {delete_button()}
            </ActionForm>
        }
        .into_any(),
        DeletionView::Code(None) => view! {
            <ActionForm action=send attr:class="ca-form ca-form--inline">
                <button class="ca-button ca-button--secondary" type="submit">{t("button.send_code")}</button>
            </ActionForm>
        }
        .into_any(),
        DeletionView::Code(Some(destination)) => view! {
            <p class="ca-text" data-testid="deletion-sent">{t("reset_password.sent_to")} " " <strong>{destination}</strong> {t("sentence.end")}</p>
            <ActionForm action=delete attr:class="ca-form" attr:novalidate=true>
                <Field spec=FieldSpec::code("delete_code", "field.confirmation_code") error=field_error />
                {delete_button()}
            </ActionForm>
        }
        .into_any(),
        DeletionView::Unavailable => {
            view! { <p class="ca-text">{t("account.delete_unavailable")}</p> }.into_any()
        }
    };
    view! {
        <section class="ca-section ca-section--danger" aria-labelledby="ca-delete-heading">
            <h2 class="ca-subheading" id="ca-delete-heading">{t("account.delete_heading")}</h2>
            <p class="ca-text" role="note"><strong>{t("account.delete_warning")}</strong></p>
            <FormError error=answered />
            {body}
        </section>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::{AppError, ErrorKind};
    use crate::flow::{DeletionView, FormSecret, Notice, Step};
    use crate::server::session::{self, PendingContact};
    use crate::server::{input, Ctx, Next};
    use cognito_idp::{ErrorKind as CognitoKind, Secret, SignInOutcome};

    pub async fn send_code(ctx: &Ctx) -> Result<Next, AppError> {
        let mut user = ctx.require_user().await?;
        // The code proves the mailbox, the recent sign-in that the person is at the keyboard.
        if !user.signed_in_recently(ctx.now()) {
            return Err(AppError::new(ErrorKind::SignInAgain));
        }
        // A change of address in progress would send the code to the new, unproven one.
        let Some(attribute) = ["email", "phone_number"].into_iter().find(|name| {
            user.is_verified(name)
                && user
                    .pending_contact
                    .as_ref()
                    .is_none_or(|p| p.attribute != *name)
        }) else {
            return Err(AppError::new(ErrorKind::MfaNotAvailable));
        };
        let sent = ctx
            .auth
            .cognito
            .get_attribute_verification_code(&user.access_token, attribute)
            .await?;
        user.deletion_code = Some(PendingContact {
            attribute: attribute.to_owned(),
            destination: sent
                .code_delivery_details
                .and_then(|d| d.destination)
                .unwrap_or_default(),
            replaced: false,
        });
        ctx.update_user(&user).await?;
        Ok(Next::Reload(Some(Notice::CodeSent)))
    }

    pub async fn delete(
        ctx: &Ctx,
        password: &FormSecret,
        code: &FormSecret,
    ) -> Result<Next, AppError> {
        let user = ctx.require_user().await?;
        let cognito = &ctx.auth.cognito;
        match ctx.user_deletion_view(&user).await {
            DeletionView::Password => {
                input::password(password, "delete_password")?;
                prove_password(ctx, &user.username, &Secret::new(password.expose())).await?;
            }
            DeletionView::Code(_) => {
                let sent = user
                    .deletion_code
                    .clone()
                    .ok_or_else(|| AppError::field(ErrorKind::ExpiredCode, "delete_code"))?;
                // A change of that address begun since would have had the code sent to the
                // new, unproven one.
                if user
                    .pending_contact
                    .as_ref()
                    .is_some_and(|p| p.attribute == sent.attribute)
                {
                    return Err(AppError::field(ErrorKind::ExpiredCode, "delete_code"));
                }
                let code = input::code(code).map_err(|e| e.on("delete_code"))?;
                cognito
                    .verify_attribute(&user.access_token, &sent.attribute, &Secret::new(code))
                    .await
                    .map_err(|err| {
                        let error = AppError::from(err);
                        match error.kind {
                            ErrorKind::CodeMismatch | ErrorKind::ExpiredCode => {
                                error.on("delete_code")
                            }
                            _ => error,
                        }
                    })?;
            }
            DeletionView::Unavailable => return Err(AppError::new(ErrorKind::MfaNotAvailable)),
        }
        cognito.delete_user(&user.access_token).await?;
        tracing::info!(event = "delete_account");
        // Every other session of the account ends now, and this browser forgets its device.
        let mut user = user;
        let _ = ctx.end_other_sessions(&mut user).await;
        ctx.forget_remembered_device(&user.sub, None).await;
        session::end(&ctx.session)
            .await
            .map_err(|_| AppError::new(ErrorKind::Unavailable))?;
        Ok(Next::GoWith(Step::SignIn, Notice::AccountDeleted))
    }

    /// Checks the password with a fresh sign-in. Reaching a second factor proves it too (the
    /// challenge is left unanswered); tokens a sign-in hands out are revoked at once.
    async fn prove_password(ctx: &Ctx, username: &str, password: &Secret) -> Result<(), AppError> {
        let wrong = || AppError::field(ErrorKind::IncorrectPassword, "delete_password");
        // The sign-in page's budget of wrong passwords, for this account.
        let limits = &ctx.auth.limits;
        let key = input::limit_key(username);
        if let Err(wait) = limits.reserve_failure(&key, ctx.now()).await {
            return Err(AppError::rate_limited(wait));
        }
        let proved = match ctx.srp_with_remembered_device(username, password).await.0 {
            Ok(SignInOutcome::SignedIn(tokens)) => {
                if let Some(refresh) = &tokens.refresh_token {
                    let _ = ctx.auth.cognito.revoke_token(refresh).await;
                }
                Ok(())
            }
            // What Cognito asks only once the password proved right.
            Ok(SignInOutcome::Challenge { name, .. })
                if matches!(
                    name.as_str(),
                    "SMS_MFA"
                        | "SOFTWARE_TOKEN_MFA"
                        | "EMAIL_OTP"
                        | "SELECT_MFA_TYPE"
                        | "MFA_SETUP"
                        | "NEW_PASSWORD_REQUIRED"
                ) =>
            {
                Ok(())
            }
            Ok(SignInOutcome::Challenge { .. }) => Err(AppError::new(ErrorKind::UnsupportedStep)),
            Err(err) if err.kind() == Some(&CognitoKind::NotAuthorized) => Err(wrong()),
            Err(err) => Err(err.into()),
        };
        if proved.is_ok() {
            limits.forgive_failures(&key).await;
        }
        proved
    }
}
