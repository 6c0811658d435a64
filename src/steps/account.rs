//! The signed-in page: who you are (from the verified ID token), second factors (set up or
//! remove an authenticator app, text or email codes, the preferred one), changing the
//! password, and signing out.

use crate::error::AppError;
use crate::flow::{FormSecret, MfaType, PageState, Reply, Step, UserView};
use crate::steps::setup_totp::TotpSetupDetails;
use crate::ui::errors::{FormError, NoticeBanner};
use crate::ui::fields::{Field, FieldSpec, RadioGroup, SubmitButton};
use crate::ui::i18n::{attribute_label, t};
use crate::ui::layout::AuthCard;
use crate::ui::step_page::{reload_on_success, submission_error, submission_notice, StepScreen};
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

#[server(prefix = "/api", endpoint = "start_totp_setup")]
pub async fn start_totp_setup() -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ssr::start_totp(&ctx).await;
    ctx.finish(Step::Done, result, &[]).await
}

#[server(prefix = "/api", endpoint = "finish_totp_setup")]
pub async fn finish_totp_setup(totp_code: FormSecret) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::Code,
            None,
            ssr::finish_totp(&ctx, &totp_code),
        )
        .await;
    ctx.finish(Step::Done, result, &[]).await
}

/// Turns a second factor on or off (`enabled` is `true` or `false`).
#[server(prefix = "/api", endpoint = "set_mfa")]
pub async fn set_mfa(mfa_type: String, enabled: String) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = match enabled.as_str() {
        "true" => ssr::set_mfa(&ctx, &mfa_type, true).await,
        "false" => ssr::set_mfa(&ctx, &mfa_type, false).await,
        _ => Err(AppError::new(crate::error::ErrorKind::UnreadableForm)),
    };
    ctx.finish(Step::Done, result, &[]).await
}

#[server(prefix = "/api", endpoint = "set_preferred_mfa")]
pub async fn set_preferred_mfa(mfa_type: String) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ssr::set_preferred(&ctx, &mfa_type).await;
    ctx.finish(Step::Done, result, &[]).await
}

#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current_password: FormSecret,
    password: FormSecret,
    confirm_password: FormSecret,
    /// The "sign out other devices" box: present when ticked (as it is at first).
    #[server(default)]
    sign_out_others: String,
) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let passwords = [&current_password, &password, &confirm_password];
    let result = ctx
        .limited(
            crate::server::limits::Action::SignIn,
            None,
            ssr::change_password(&ctx, passwords, !sign_out_others.is_empty()),
        )
        .await;
    ctx.finish(Step::Done, result, &[]).await
}

#[component]
pub fn AccountPage() -> impl IntoView {
    view! { <StepScreen step=Step::Done view=|state| view! { <Account state /> } /> }
}

/// A readable label for a second factor's state.
fn factor_status(user: &UserView, factor: MfaType) -> &'static str {
    if user.mfa_enabled.contains(&factor) {
        "account.mfa_on"
    } else {
        "account.mfa_off"
    }
}

#[component]
fn Account(state: PageState) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    let start_totp = ServerAction::<StartTotpSetup>::new();
    let finish_totp = ServerAction::<FinishTotpSetup>::new();
    let toggle = ServerAction::<SetMfa>::new();
    let preferred = ServerAction::<SetPreferredMfa>::new();
    let password = ServerAction::<ChangePassword>::new();
    let password_rules = state.password_rules;
    crate::ui::step_page::leave_on_reply(sign_out);
    crate::ui::step_page::leave_on_reply(everywhere);
    reload_on_success(start_totp);
    reload_on_success(finish_totp);
    reload_on_success(toggle);
    reload_on_success(preferred);
    reload_on_success(password);
    let flash_error = submission_error(sign_out, &state.flash);
    let error = Signal::derive(move || {
        let last = |v: Option<Result<Reply, AppError>>| v.and_then(|r| r.err());
        last(everywhere.value().get())
            .or_else(|| last(start_totp.value().get()))
            .or_else(|| last(finish_totp.value().get()))
            .or_else(|| last(toggle.value().get()))
            .or_else(|| last(preferred.value().get()))
            .or_else(|| last(password.value().get()))
            .or_else(|| flash_error.get())
    });
    let notice = submission_notice(sign_out, &state.flash);
    let user = state.user.unwrap_or_default();
    let rows = user
        .attributes
        .iter()
        .map(|(name, value)| {
            // Flags such as `email_verified` read as a word of the page's language.
            let shown = match value.as_str() {
                "true" | "false" => t(&format!("value.{value}")),
                _ => value.clone(),
            };
            view! { <tr data-attribute=name.clone()><th scope="row">{attribute_label(name)}</th><td>{shown}</td></tr> }
        })
        .collect_view();

    let totp_section = user.mfa_available.contains(&MfaType::Totp).then(|| {
        let body = if user.mfa_enabled.contains(&MfaType::Totp) {
            view! {
                <ActionForm action=toggle attr:class="ca-form ca-form--inline">
                    <input type="hidden" name="mfa_type" value="SOFTWARE_TOKEN_MFA" />
                    <input type="hidden" name="enabled" value="false" />
                    <button class="ca-button ca-button--secondary" type="submit">{t("button.remove_totp")}</button>
                </ActionForm>
            }
            .into_any()
        } else if let Some(setup) = user.totp_setup.clone() {
            view! {
                <TotpSetupDetails setup />
                <ActionForm action=finish_totp attr:class="ca-form" attr:novalidate=true>
                    <Field spec=FieldSpec::code("totp_code", "field.code") error />
                    <SubmitButton label="button.confirm" pending=finish_totp.pending() />
                </ActionForm>
            }
            .into_any()
        } else {
            view! {
                <ActionForm action=start_totp attr:class="ca-form ca-form--inline">
                    <button class="ca-button ca-button--secondary" type="submit">{t("button.setup_totp")}</button>
                </ActionForm>
            }
            .into_any()
        };
        view! {
            <div class="ca-factor" data-factor="totp">
                <p class="ca-text"><strong>{t("mfa.totp")}</strong> ": " <span data-testid="totp-status">{t(factor_status(&user, MfaType::Totp))}</span></p>
                {body}
            </div>
        }
    });
    let code_factors = [MfaType::Sms, MfaType::Email]
        .into_iter()
        .filter(|f| user.mfa_available.contains(f))
        .map(|factor| {
            let on = user.mfa_enabled.contains(&factor);
            let status = t(factor_status(&user, factor));
            view! {
                <div class="ca-factor" data-factor=factor.cognito_name()>
                    <p class="ca-text"><strong>{t(factor.message_key())}</strong> ": " <span>{status}</span></p>
                    <ActionForm action=toggle attr:class="ca-form ca-form--inline">
                        <input type="hidden" name="mfa_type" value=factor.cognito_name() />
                        <input type="hidden" name="enabled" value=(!on).to_string() />
                        <button class="ca-button ca-button--secondary" type="submit">
                            {t(if on { "button.turn_off" } else { "button.turn_on" })}
                        </button>
                    </ActionForm>
                </div>
            }
        })
        .collect_view();
    let choose_preferred = (user.mfa_enabled.len() > 1).then(|| {
        let options: Vec<(&'static str, &'static str)> =
            user.mfa_enabled.iter().map(|m| (m.cognito_name(), m.message_key())).collect();
        let selected = user.mfa_preferred.map(MfaType::cognito_name);
        view! {
            <ActionForm action=preferred attr:class="ca-form">
                <RadioGroup name="mfa_type" legend="account.preferred_mfa" options selected=selected.unwrap_or_default() error />
                <SubmitButton label="button.save" pending=preferred.pending() />
            </ActionForm>
        }
    });
    let methods = (!user.sign_in_methods.is_empty()).then(|| {
        let items = user
            .sign_in_methods
            .iter()
            .map(|m| view! { <li data-method=m.cognito_name()>{t(m.name_key())}</li> })
            .collect_view();
        view! {
            <section class="ca-section" aria-labelledby="ca-methods-heading">
                <h2 class="ca-subheading" id="ca-methods-heading">{t("account.sign_in_methods_heading")}</h2>
                <ul class="ca-list" data-testid="sign-in-methods">{items}</ul>
            </section>
        }
    });
    let passkeys = user
        .passkeys
        .clone()
        .map(|passkeys| view! { <crate::steps::passkey::PasskeysSection passkeys /> });
    let devices = user
        .devices
        .clone()
        .map(|devices| view! { <crate::steps::devices::DevicesSection devices /> });
    // An account that signs in without a password has none to change.
    let has_password = user.sign_in_methods.is_empty()
        || user
            .sign_in_methods
            .contains(&crate::flow::SignInMethod::Password);
    let password_section = has_password.then(|| {
        view! {
            <section class="ca-section" aria-labelledby="ca-password-heading">
                <h2 class="ca-subheading" id="ca-password-heading">{t("account.password_heading")}</h2>
                <ActionForm action=password attr:class="ca-form" attr:novalidate=true>
                    <Field spec=FieldSpec::password("current_password", "field.current_password", "current-password") error />
                    <Field spec=FieldSpec::password("password", "field.new_password", "new-password").with_rules(password_rules) error />
                    <Field spec=FieldSpec::password("confirm_password", "field.confirm_password", "new-password") error />
                    <label class="ca-check">
                        <input type="checkbox" name="sign_out_others" value="on" checked=true />
                        {t("account.sign_out_others")}
                    </label>
                    <SubmitButton label="button.change_password" pending=password.pending() />
                </ActionForm>
            </section>
        }
    });
    let security = (!user.mfa_available.is_empty()).then(|| {
        view! {
            <section class="ca-section" aria-labelledby="ca-mfa-heading">
                <h2 class="ca-subheading" id="ca-mfa-heading">{t("account.mfa_heading")}</h2>
                {totp_section}
                {code_factors}
                {choose_preferred}
            </section>
        }
    });
    view! {
        <AuthCard heading="account.heading">
            <NoticeBanner notice />
            <FormError error />
            <p class="ca-text">{t("account.signed_in_as")} " " <strong data-testid="username">{user.username.clone()}</strong></p>
            <table class="ca-attributes" aria-label=t("account.attributes")>
                <tbody>{rows}</tbody>
            </table>
            <crate::steps::profile::ContactSection user=user.clone() error=flash_error />
            <crate::steps::profile::ProfileSection user=user.clone() error=flash_error />
            {methods}
            {passkeys}
            {security}
            {devices}
            {password_section}
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
            <crate::steps::delete_account::DeleteAccountSection deletion=user.deletion.clone() error=flash_error />
        </AuthCard>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::{AppError, ErrorKind};
    use crate::flow::{FormSecret, MfaType, Notice, Step};
    use crate::server::next_step::totp_setup_view;
    use crate::server::session;
    use crate::server::{input, Ctx, Next};
    use cognito_idp::wire::{MfaSettings, SetUserMfaPreferenceRequest};
    use cognito_idp::{ErrorKind as CognitoKind, Secret, TokenOrSession};

    pub async fn sign_out(ctx: &Ctx, everywhere: bool) -> Result<Next, AppError> {
        let Some(user) = session::signed_in(&ctx.session).await else {
            return Ok(Next::GoWith(Step::SignIn, Notice::SignedOut));
        };
        let cognito = &ctx.auth.cognito;
        let user_federated = user.federated_with.is_some();
        if everywhere {
            match cognito.global_sign_out(&user.access_token).await {
                Ok(()) => {}
                // Already revoked or expired: every device is signed out already.
                Err(err) if err.kind() == Some(&CognitoKind::NotAuthorized) => {}
                // Keep the session so the person can try again.
                Err(err) => return Err(err.into()),
            }
            // This app's other sessions end now, not at their next check with Cognito.
            let mut user = user;
            ctx.end_other_sessions(&mut user).await?;
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
        if user_federated {
            // The domain's own session ends too, so the next "Sign in with …" asks again.
            let parts = leptos::prelude::use_context::<axum::http::request::Parts>();
            if let Some(url) = crate::server::federation::logout_url(&ctx.auth, parts.as_ref()) {
                return Ok(Next::Leave(url));
            }
        }
        let notice = if everywhere {
            Notice::SignedOutEverywhere
        } else {
            Notice::SignedOut
        };
        Ok(Next::GoWith(Step::SignIn, notice))
    }

    pub async fn start_totp(ctx: &Ctx) -> Result<Next, AppError> {
        let mut user = ctx.require_user().await?;
        let associated = ctx
            .auth
            .cognito
            .associate_software_token(TokenOrSession::AccessToken(user.access_token.clone()))
            .await?;
        user.totp_setup = Some(totp_setup_view(
            &ctx.auth.config.totp_issuer,
            &user.username,
            associated.secret_code.expose(),
        )?);
        ctx.update_user(&user).await?;
        Ok(Next::Reload(None))
    }

    pub async fn finish_totp(ctx: &Ctx, code: &FormSecret) -> Result<Next, AppError> {
        let mut user = ctx.require_user().await?;
        if user.totp_setup.is_none() {
            return Ok(Next::Reload(None));
        }
        let code = input::code(code).map_err(|e| e.on("totp_code"))?;
        let cognito = &ctx.auth.cognito;
        cognito
            .verify_software_token(
                TokenOrSession::AccessToken(user.access_token.clone()),
                &Secret::new(code),
            )
            .await
            .map_err(|err| {
                let error = AppError::from(err);
                if error.kind == ErrorKind::CodeMismatch {
                    error.on("totp_code")
                } else {
                    error
                }
            })?;
        let current = cognito.get_user(&user.access_token).await?;
        let preferred = current.preferred_mfa_setting.is_none();
        cognito
            .set_mfa_preference(SetUserMfaPreferenceRequest {
                access_token: user.access_token.clone(),
                software_token_mfa_settings: Some(MfaSettings {
                    enabled: Some(true),
                    preferred_mfa: preferred.then_some(true),
                }),
                ..Default::default()
            })
            .await?;
        user.totp_setup = None;
        ctx.update_user(&user).await?;
        tracing::info!(event = "mfa", factor = "totp", enabled = true);
        Ok(Next::Reload(Some(Notice::TotpEnabled)))
    }

    fn settings(
        factor: MfaType,
        value: MfaSettings,
        access_token: Secret,
    ) -> SetUserMfaPreferenceRequest {
        let mut request = SetUserMfaPreferenceRequest {
            access_token,
            ..Default::default()
        };
        match factor {
            MfaType::Totp => request.software_token_mfa_settings = Some(value),
            MfaType::Sms => request.sms_mfa_settings = Some(value),
            MfaType::Email => request.email_mfa_settings = Some(value),
        }
        request
    }

    pub async fn set_mfa(ctx: &Ctx, name: &str, enabled: bool) -> Result<Next, AppError> {
        let user = ctx.require_user().await?;
        let factor = MfaType::from_cognito(name)
            .filter(|f| ctx.auth.config.mfa_factors.contains(f))
            .ok_or_else(|| AppError::new(ErrorKind::InvalidParameter))?;
        let value = MfaSettings {
            enabled: Some(enabled),
            preferred_mfa: None,
        };
        ctx.auth
            .cognito
            .set_mfa_preference(settings(factor, value, user.access_token.clone()))
            .await?;
        tracing::info!(event = "mfa", factor = name, enabled);
        let notice = match (factor, enabled) {
            (MfaType::Totp, false) => Notice::TotpRemoved,
            _ => Notice::MfaPreferenceSaved,
        };
        Ok(Next::Reload(Some(notice)))
    }

    pub async fn set_preferred(ctx: &Ctx, name: &str) -> Result<Next, AppError> {
        let user = ctx.require_user().await?;
        let factor = MfaType::from_cognito(name)
            .ok_or_else(|| AppError::field(ErrorKind::Required, "mfa_type"))?;
        let value = MfaSettings {
            enabled: Some(true),
            preferred_mfa: Some(true),
        };
        ctx.auth
            .cognito
            .set_mfa_preference(settings(factor, value, user.access_token.clone()))
            .await?;
        Ok(Next::Reload(Some(Notice::MfaPreferenceSaved)))
    }

    /// Changes the password (`[current, new, confirm]`), then, if asked, ends the account's
    /// other sessions: whoever knew the old password is signed out.
    pub async fn change_password(
        ctx: &Ctx,
        [current, password, confirm]: [&FormSecret; 3],
        sign_out_others: bool,
    ) -> Result<Next, AppError> {
        let mut user = ctx.require_user().await?;
        input::password(current, "current_password")?;
        input::new_password(password, confirm, &ctx.auth.config.password_policy)?;
        ctx.auth
            .cognito
            .change_password(
                &user.access_token,
                &Secret::new(current.expose()),
                &Secret::new(password.expose()),
            )
            .await
            .map_err(|err| {
                let error = AppError::from(err);
                match error.kind {
                    ErrorKind::IncorrectCredentials => {
                        AppError::field(ErrorKind::IncorrectPassword, "current_password")
                    }
                    ErrorKind::WeakPassword => error.on("password"),
                    _ => error,
                }
            })?;
        if sign_out_others {
            ctx.end_other_sessions(&mut user).await?;
        }
        tracing::info!(event = "change_password", sign_out_others);
        Ok(Next::Reload(Some(Notice::PasswordChanged)))
    }
}
