//! Passkeys: signing in with one from the method list, "Sign in faster with a passkey" after
//! sign-in, and adding or deleting one on the account page. The WebAuthn ceremony itself runs
//! in the browser (`passkey.js`, loaded only by pages that offer a passkey); the server asks
//! Cognito for the options, hands them to the page, and passes the credential back to Cognito.

use crate::error::AppError;
use crate::flow::{PageState, Reply, Step};
use crate::ui::errors::FormError;
use crate::ui::i18n::t;
use crate::ui::layout::AuthCard;
use crate::ui::step_page::StepScreen;
use leptos::prelude::*;

/// Where the hosted server (and [`crate::server::mount`]) serves the passkey script.
pub const PASSKEY_SCRIPT_PATH: &str = "/cognito-authenticator/passkey.js";

/// The `navigator.credentials.get` options for this sign-in (the method list's passkey).
#[server(prefix = "/api", endpoint = "passkey_sign_in_options")]
pub async fn passkey_sign_in_options() -> Result<String, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let mut options = None;
    ctx.limited(crate::server::limits::Action::SignIn, None, async {
        options = Some(ssr::sign_in_options(&ctx).await?);
        Ok(crate::server::Next::Stay(Reply::default()))
    })
    .await?;
    options.ok_or_else(|| AppError::new(crate::error::ErrorKind::Unexpected))
}

/// The passkey's answer: signed in (or the next step).
#[server(prefix = "/api", endpoint = "passkey_sign_in")]
pub async fn passkey_sign_in(credential: String) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::SignIn,
            None,
            ssr::sign_in(&ctx, &credential),
        )
        .await;
    let result = ctx.restart_if_expired(result).await;
    ctx.finish(Step::ContinueSignInWithFirstFactorSelection, result, &[])
        .await
}

/// The `navigator.credentials.create` options for a new passkey of the signed-in user.
#[server(prefix = "/api", endpoint = "passkey_registration_options")]
pub async fn passkey_registration_options() -> Result<String, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let mut options = None;
    ctx.limited(crate::server::limits::Action::SignIn, None, async {
        options = Some(ssr::registration_options(&ctx).await?);
        Ok(crate::server::Next::Stay(Reply::default()))
    })
    .await?;
    options.ok_or_else(|| AppError::new(crate::error::ErrorKind::Unexpected))
}

/// Saves the new passkey; `page` is where it was made (`prompt` or `account`).
#[server(prefix = "/api", endpoint = "passkey_register")]
pub async fn passkey_register(credential: String, page: String) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let step = if page == "prompt" {
        Step::PasskeyPrompt
    } else {
        Step::Done
    };
    let result = ssr::register(&ctx, &credential, step).await;
    ctx.finish(step, result, &[]).await
}

#[server(prefix = "/api", endpoint = "skip_passkey")]
pub async fn skip_passkey() -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ssr::skip(&ctx).await;
    ctx.finish(Step::PasskeyPrompt, result, &[]).await
}

#[server(prefix = "/api", endpoint = "delete_passkey")]
pub async fn delete_passkey(credential_id: String) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ssr::delete(&ctx, &credential_id).await;
    ctx.finish(Step::Done, result, &[]).await
}

/// The passkey script and the texts it shows, for a page with a passkey button. The texts are
/// the page's language, chosen on the server; the script has none of its own.
#[component]
pub fn PasskeyScript() -> impl IntoView {
    let keys = [
        ("busy", "passkey.busy"),
        ("cancelled", "passkey.error.cancelled"),
        ("unsupported", "passkey.error.unsupported"),
        ("wrong_site", "error.passkey_wrong_site"),
        ("ip_address", "passkey.error.ip_address"),
        ("exists", "passkey.error.exists"),
        ("failed", "error.passkey_failed"),
        ("unexpected", "error.unexpected"),
    ];
    let mut messages: std::collections::BTreeMap<String, String> = keys
        .iter()
        .map(|(name, key)| ((*name).to_owned(), t(key)))
        .collect();
    // The server's errors by kind, as its JSON answer names them.
    for kind in crate::error::ErrorKind::ALL {
        let error = AppError::new(kind);
        messages.insert(format!("{kind:?}"), crate::ui::i18n::error_text(&error));
    }
    // A JSON data block (never run, so the CSP does not apply).
    let json = format!(
        "{{{}}}",
        messages
            .iter()
            .map(|(name, text)| format!("{}:{}", json_string(name), json_string(text)))
            .collect::<Vec<_>>()
            .join(",")
    );
    view! {
        <script type="application/json" id="ca-passkey-messages" inner_html=json></script>
        <script type="module" src=PASSKEY_SCRIPT_PATH></script>
    }
}

/// `text` as a JSON string that is safe inside a `<script>` element (`<` escaped, so no
/// `</script>` can end it early).
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("\\u003c"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Where the passkey script writes what went wrong.
#[component]
pub fn PasskeyError() -> impl IntoView {
    view! { <p class="ca-field-error ca-passkey-error" role="alert" data-passkey-error hidden></p> }
}

#[component]
pub fn PasskeyPromptPage() -> impl IntoView {
    view! { <StepScreen step=Step::PasskeyPrompt view=|state| view! { <PasskeyPrompt state /> } /> }
}

#[component]
fn PasskeyPrompt(state: PageState) -> impl IntoView {
    let skip = ServerAction::<SkipPasskey>::new();
    crate::ui::step_page::reload_on_success(skip);
    let error = crate::ui::step_page::submission_error(skip, &state.flash);
    view! {
        <AuthCard heading="passkey.prompt.heading">
            <FormError error />
            <p class="ca-text">{t("passkey.prompt.text")}</p>
            <PasskeyError />
            <button class="ca-button ca-button--primary" type="button" data-passkey="register" data-page="prompt" disabled=true data-enable-with-js>
                {t("passkey.prompt.create")}
            </button>
            <p class="ca-hint" data-hide-with-js>{t("passkey.needs_js")}</p>
            <ActionForm action=skip attr:class="ca-form ca-form--secondary">
                <button class="ca-button ca-button--secondary" type="submit">{t("passkey.prompt.skip")}</button>
            </ActionForm>
            <PasskeyScript />
        </AuthCard>
    }
}

/// The account page's passkeys: each with its date and a delete that asks first, and a
/// button that adds one.
#[component]
pub fn PasskeysSection(passkeys: Vec<crate::flow::PasskeyView>) -> impl IntoView {
    let delete = ServerAction::<DeletePasskey>::new();
    let list = if passkeys.is_empty() {
        view! { <p class="ca-text" data-testid="no-passkeys">{t("account.no_passkeys")}</p> }
            .into_any()
    } else {
        let items = passkeys
            .into_iter()
            .map(|passkey| {
                let name = passkey.name.clone();
                let id = passkey.id.clone();
                view! {
                    <li class="ca-passkey" data-passkey-id=id>
                        <span class="ca-passkey-name">{passkey.name.clone()}</span>
                        " "
                        <span class="ca-hint">{crate::ui::i18n::t_with("account.passkey_created", &[("date", &passkey.created)])}</span>
                        // A native disclosure: the confirmation works without JavaScript.
                        <details class="ca-confirm">
                            <summary class="ca-link">{t("button.delete")}</summary>
                            <ActionForm action=delete attr:class="ca-form ca-form--inline">
                                <input type="hidden" name="credential_id" value=passkey.id />
                                <p class="ca-text">{crate::ui::i18n::t_with("account.delete_passkey_confirm", &[("name", &name)])}</p>
                                <button class="ca-button ca-button--danger" type="submit">{t("button.delete_passkey")}</button>
                            </ActionForm>
                        </details>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="ca-list ca-passkeys" data-testid="passkeys">{items}</ul> }.into_any()
    };
    view! {
        <section class="ca-section" aria-labelledby="ca-passkeys-heading">
            <h2 class="ca-subheading" id="ca-passkeys-heading">{t("account.passkeys_heading")}</h2>
            {list}
            <PasskeyError />
            <button class="ca-button ca-button--secondary" type="button" data-passkey="register" data-page="account" disabled=true data-enable-with-js>
                {t("button.add_passkey")}
            </button>
            <p class="ca-hint" data-hide-with-js>{t("passkey.needs_js")}</p>
            <PasskeyScript />
        </section>
    }
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    /// The credential the browser made, as `RegistrationResponseJSON` /
    /// `AuthenticationResponseJSON` text: a few kilobytes at most.
    const MAX_CREDENTIAL: usize = 16 * 1024;
    use crate::error::{AppError, ErrorKind};
    use crate::flow::{Notice, SignInMethod, Step};
    use crate::server::{session, Ctx, Next};
    use cognito_idp::{SecretMap, SignInOutcome};

    const WEB_AUTHN: &str = "WEB_AUTHN";

    /// A credential as the browser's JSON, checked for shape before Cognito sees it.
    fn credential_json(text: &str) -> Result<serde_json::Value, AppError> {
        if text.len() > MAX_CREDENTIAL {
            return Err(AppError::new(ErrorKind::PasskeyFailed));
        }
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .filter(serde_json::Value::is_object)
            .ok_or_else(|| AppError::new(ErrorKind::PasskeyFailed))
    }

    /// Cognito's refusal of a passkey credential, as the passkey's own error: "incorrect
    /// username or password" would mislead (none was given), and Cognito's wording of a
    /// malformed credential is no help to a person.
    fn passkey_error(err: cognito_idp::Error) -> AppError {
        let error = AppError::from(err);
        match error.kind {
            ErrorKind::IncorrectCredentials | ErrorKind::InvalidParameter => {
                AppError::new(ErrorKind::PasskeyFailed)
            }
            _ => error,
        }
    }

    pub async fn sign_in_options(ctx: &Ctx) -> Result<String, AppError> {
        let mut flow = ctx
            .flow_at(&[Step::ContinueSignInWithFirstFactorSelection])
            .await
            .map_err(|_| AppError::new(ErrorKind::FlowExpired))?;
        if !flow.challenge.methods.contains(&SignInMethod::Passkey) {
            return Err(AppError::new(ErrorKind::NoSignInMethod));
        }
        let outcome = ctx
            .auth
            .cognito
            .start_user_auth(&flow.username, Some(WEB_AUTHN))
            .await?;
        let SignInOutcome::Challenge {
            name,
            session,
            parameters,
            ..
        } = outcome
        else {
            return Err(AppError::new(ErrorKind::Unexpected));
        };
        let options = parameters.get("CREDENTIAL_REQUEST_OPTIONS");
        let (Some(options), Some(session), true) = (options, session, name == WEB_AUTHN) else {
            // Cognito fell back to the list: this user has no passkey after all.
            return Err(AppError::new(ErrorKind::NoSignInMethod));
        };
        let options = options.to_owned();
        // The list page stays, now holding the passkey challenge's session.
        flow.cognito_session = Some(session);
        flow.challenge.challenge_name = WEB_AUTHN.to_owned();
        flow.expires_at = ctx.now() + ctx.auth.config.challenge_validity_secs;
        ctx.set_flow(&flow).await?;
        Ok(options)
    }

    pub async fn sign_in(ctx: &Ctx, credential: &str) -> Result<Next, AppError> {
        let flow = match ctx
            .flow_at(&[Step::ContinueSignInWithFirstFactorSelection])
            .await
        {
            Ok(flow) => flow,
            Err(next) => return Ok(next),
        };
        let session = flow
            .cognito_session
            .clone()
            .filter(|_| flow.challenge.challenge_name == WEB_AUTHN)
            .ok_or_else(|| AppError::new(ErrorKind::FlowExpired))?;
        credential_json(credential)?;
        let responses: SecretMap = [
            ("USERNAME", flow.username.clone()),
            ("CREDENTIAL", credential.to_owned()),
        ]
        .into_iter()
        .collect();
        let outcome = ctx
            .auth
            .cognito
            .respond(WEB_AUTHN, Some(session), responses)
            .await
            .map_err(passkey_error)?;
        let base = crate::flow::ChallengeView {
            login: flow.challenge.login.clone(),
            methods: flow.challenge.methods.clone(),
            ..crate::flow::ChallengeView::default()
        };
        match ctx.advance_with(&flow.username, outcome, base).await? {
            // Signed in with a passkey: no offer to create one.
            Next::Go(Step::PasskeyPrompt) => {
                ctx.clear_flow().await?;
                Ok(Next::Go(Step::Done))
            }
            next => Ok(next),
        }
    }

    pub async fn registration_options(ctx: &Ctx) -> Result<String, AppError> {
        let user = ctx.require_user().await?;
        if !ctx.auth.config.offers_passkeys() {
            return Err(AppError::new(ErrorKind::Misconfigured));
        }
        // A passkey outlives the session, the password and "sign out everywhere", so a browser
        // left signed in cannot add one later.
        if !user.signed_in_recently(ctx.now()) {
            return Err(AppError::new(ErrorKind::RecentSignInRequired));
        }
        let options = ctx
            .auth
            .cognito
            .start_web_authn_registration(&user.access_token)
            .await?;
        Ok(options.to_string())
    }

    pub async fn register(ctx: &Ctx, credential: &str, page: Step) -> Result<Next, AppError> {
        let user = ctx.require_user().await?;
        let credential = credential_json(credential)?;
        ctx.auth
            .cognito
            .complete_web_authn_registration(&user.access_token, credential)
            .await
            .map_err(passkey_error)?;
        tracing::info!(event = "passkey_added");
        if page == Step::PasskeyPrompt {
            ctx.clear_flow().await?;
            return Ok(Next::Go(Step::Done));
        }
        Ok(Next::Reload(Some(Notice::PasskeyAdded)))
    }

    pub async fn skip(ctx: &Ctx) -> Result<Next, AppError> {
        if let Some(mut user) = session::signed_in(&ctx.session).await {
            user.passkey_prompt_dismissed = true;
            session::update_signed_in(&ctx.session, &user)
                .await
                .map_err(|_| AppError::new(ErrorKind::Unavailable))?;
        }
        ctx.clear_flow().await?;
        Ok(Next::Go(Step::Done))
    }

    pub async fn delete(ctx: &Ctx, credential_id: &str) -> Result<Next, AppError> {
        let user = ctx.require_user().await?;
        let well_formed = !credential_id.is_empty()
            && credential_id.len() <= 1400
            && credential_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !well_formed {
            return Err(AppError::new(ErrorKind::PasskeyFailed));
        }
        match ctx
            .auth
            .cognito
            .delete_web_authn_credential(&user.access_token, credential_id)
            .await
        {
            Ok(()) => {}
            // Deleted already (another tab, another device): the list just shows it gone.
            Err(err) if err.kind() == Some(&cognito_idp::ErrorKind::ResourceNotFound) => {}
            Err(err) => return Err(err.into()),
        }
        tracing::info!(event = "passkey_deleted");
        Ok(Next::Reload(Some(Notice::PasskeyDeleted)))
    }
}
