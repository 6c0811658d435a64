//! Sign in with username and password (SRP: the password never leaves the server).

use crate::error::AppError;
use crate::flow::{FormSecret, PageState, Reply, Step};
use crate::options::{use_auth_options, Screen};
use crate::steps::sign_up::login_field;
use crate::ui::errors::{FormError, NoticeBanner};
use crate::ui::federation::ProviderButtons;
use crate::ui::fields::{FieldSpec, FormFields, SubmitButton};
use crate::ui::i18n::t;
use crate::ui::layout::{AuthCard, Tab};
use crate::ui::step_page::{
    reload_on_success, screen_href, submission_error, submission_notice, InlineHostInput,
    StepScreen,
};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(
    username: String,
    /// Absent with choice-based sign-in, which asks for the username first.
    #[server(default)]
    password: FormSecret,
    #[server(default)] return_to: Option<String>,
    /// With a phone number for a username: its calling code.
    #[server(default)]
    dial_code: String,
    /// The embedder's page, when the form is inside an `<Authenticator>`.
    #[server(default)]
    inline: Option<String>,
) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    ctx.remember_return_to(return_to.as_deref()).await?;
    ctx.remember_inline(inline.as_deref()).await?;
    let mut values = crate::server::config::FormValues::new();
    values.insert("username".to_owned(), username);
    values.insert("dial_code".to_owned(), dial_code);
    ctx.auth
        .config
        .transform(crate::options::Screen::SignIn, &mut values);
    let (username, dial_code) = (&values["username"], &values["dial_code"]);
    let result = match crate::server::input::login(username, dial_code) {
        // Limited under the name the pool receives, however it was typed.
        Ok(login) if !ctx.auth.config.sign_in_methods.is_empty() => {
            ctx.limited(
                crate::server::limits::Action::SignIn,
                Some(&login),
                crate::steps::sign_in_methods::ssr::start(&ctx, &login),
            )
            .await
        }
        Ok(login) => {
            ctx.limited(
                crate::server::limits::Action::SignIn,
                Some(&login),
                ssr::sign_in(&ctx, &login, &password),
            )
            .await
        }
        Err(error) => Err(error),
    };
    let kept = [
        ("username", username.as_str()),
        ("dial_code", dial_code.as_str()),
    ];
    ctx.finish(Step::SignIn, result, &kept).await
}

#[component]
pub fn SignInPage() -> impl IntoView {
    view! { <StepScreen step=Step::SignIn view=|state| view! { <SignInForm state /> } /> }
}

#[component]
fn SignInForm(state: PageState) -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    reload_on_success(action);
    let error = submission_error(action, &state.flash);
    let notice = submission_notice(action, &state.flash);
    let kept = |name: &str| state.flash.values.get(name).cloned().unwrap_or_default();
    let options = use_auth_options();
    // Choice-based sign-in asks for the username first, then shows this user's methods.
    let choice = !state.sign_in_methods.is_empty();
    let login = login_field(options.sign_in_mechanism())
        .value(kept("username"))
        .dial_code(kept("dial_code"));
    let fields = if choice {
        vec![login.autocomplete("username webauthn")]
    } else {
        vec![
            login,
            FieldSpec::password("password", "field.password", "current-password")
                .placeholder("placeholder.password"),
        ]
    };
    let submit = if choice {
        "button.continue"
    } else {
        "button.sign_in"
    };
    // Only the providers' buttons when no one signs in here (and there are buttons).
    let federated_only = options.federated_only && !state.identity_providers.is_empty();
    let forgot = (!federated_only && !choice
        || state
            .sign_in_methods
            .contains(&crate::flow::SignInMethod::Password))
    .then(|| {
        view! {
            <p class="ca-back">
                <a class="ca-link" href=screen_href(Step::ResetPassword)>{t("link.forgot_password")}</a>
            </p>
        }
    });
    // `?return_to=` travels with the form; the server checks it before keeping it.
    // Inside an `<Authenticator>`, signing in comes back to its page.
    let return_target = crate::ui::step_page::return_target();
    let return_to = return_target
        .clone()
        .map(|target| view! { <input type="hidden" name="return_to" value=target /> });
    view! {
        <AuthCard tab=Tab::SignIn heading="signin.heading" screen=Screen::SignIn local_pool=state.local_pool>
            <NoticeBanner notice />
            <ProviderButtons providers=state.identity_providers.clone() return_to=return_target.clone().unwrap_or_default() />
            {(!federated_only).then(|| view! {
                <ActionForm action attr:class="ca-form" attr:novalidate=true>
                    <FormError error />
                    {return_to}
                    <InlineHostInput />
                    <FormFields screen=Screen::SignIn fields error />
                    <SubmitButton label=submit pending=action.pending() />
                </ActionForm>
            })}
            <ProviderButtons providers=state.identity_providers.clone() return_to=return_target.unwrap_or_default() below=true />
            {forgot}
        </AuthCard>
    }
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::error::{AppError, ErrorKind};
    use crate::flow::{FormSecret, Notice, Step};
    use crate::server::session::{self, Flow};
    use crate::server::{input, Ctx, Next, SignInFlow};
    use cognito_idp::{ErrorKind as CognitoKind, Secret};

    /// Signs `username` (already normalised, see `input::login`) in.
    pub async fn sign_in(
        ctx: &Ctx,
        username: &str,
        password: &FormSecret,
    ) -> Result<Next, AppError> {
        input::password(password, "password")?;
        let limits = &ctx.auth.limits;
        let key = input::limit_key(username);
        // Counted as a failure before Cognito is asked (so parallel attempts cannot all pass),
        // and forgiven once the password proves right.
        if let Err(wait) = limits.reserve_failure(&key, ctx.now()).await {
            tracing::warn!(retry_after = wait, "failed sign-in limit reached");
            return Err(AppError::rate_limited(wait));
        }
        let username = username.to_owned();
        let cognito = &ctx.auth.cognito;
        let password = Secret::new(password.expose());
        let choice = !ctx.auth.config.sign_in_methods.is_empty();
        let answer = match ctx.auth.config.sign_in_flow {
            // The password page of choice-based sign-in.
            _ if choice => cognito.sign_in_user_auth_srp(&username, &password).await,
            SignInFlow::Srp => ctx.sign_in_srp_here(&username, &password).await,
            SignInFlow::Password => cognito.sign_in_password(&username, &password).await,
            SignInFlow::CustomWithSrp => {
                cognito.sign_in_custom_with_srp(&username, &password).await
            }
        };
        // A wrong password, an unknown or disabled user, or Cognito's lockout.
        let refused = answer.as_ref().err().is_some_and(|err| {
            matches!(
                err.kind(),
                Some(CognitoKind::NotAuthorized | CognitoKind::UserNotFound)
            )
        });
        if !refused {
            limits.forgive_failures(&key).await;
        }
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
                let mut error = AppError::from(err);
                tracing::info!(event = "sign_in", outcome = ?error.kind);
                // Cognito's lockout only ever locks real accounts: said as a wrong password,
                // which is what an unknown name gets.
                if error.kind == ErrorKind::TooManyAttempts {
                    error = AppError::new(ErrorKind::IncorrectCredentials);
                }
                Err(error)
            }
        }
    }
}
