//! Choice-based sign-in (`USER_AUTH`) after the username: the methods this user has, as Cognito
//! lists them, in the site's order with the preferred one first; and the ways back to that list
//! and to a new code from the code page.

use crate::error::AppError;
use crate::flow::{PageState, Reply, SignInMethod, Step};
use crate::ui::errors::FormError;
use crate::ui::i18n::t;
use crate::ui::layout::{AuthCard, BackToSignIn};
use crate::ui::step_page::{submission_error, StepScreen};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "choose_sign_in_method")]
pub async fn choose_sign_in_method(method: String) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::SignIn,
            None,
            ssr::choose(&ctx, &method),
        )
        .await;
    let result = ctx.restart_if_expired(result).await;
    ctx.finish(Step::ContinueSignInWithFirstFactorSelection, result, &[])
        .await
}

/// "Other sign-in options": from the password or code page back to the list.
#[server(prefix = "/api", endpoint = "show_sign_in_methods")]
pub async fn show_sign_in_methods() -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ssr::back_to_list(&ctx).await;
    let result = ctx.restart_if_expired(result).await;
    ctx.finish(Step::ContinueSignInWithFirstFactorSelection, result, &[])
        .await
}

/// A new code for a code chosen as the first factor (Cognito sends one per `USER_AUTH` start).
#[server(prefix = "/api", endpoint = "resend_sign_in_code")]
pub async fn resend_sign_in_code() -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ssr::resend(&ctx).await;
    let result = ctx.restart_if_expired(result).await;
    ctx.finish(Step::ConfirmSignInWithEmailCode, result, &[])
        .await
}

#[component]
pub fn SignInMethodsPage() -> impl IntoView {
    view! { <StepScreen step=Step::ContinueSignInWithFirstFactorSelection view=|state| view! { <SignInMethodsForm state /> } /> }
}

#[component]
fn SignInMethodsForm(state: PageState) -> impl IntoView {
    let action = ServerAction::<ChooseSignInMethod>::new();
    crate::ui::step_page::reload_on_success(action);
    let error = submission_error(action, &state.flash);
    let challenge = state.flow.map(|f| f.challenge).unwrap_or_default();
    let pending = action.pending();
    let buttons = challenge
        .methods
        .iter()
        .enumerate()
        .map(|(index, method)| {
            // The site's preferred method of those this user has comes first, as the main button.
            let class = if index == 0 {
                "ca-button ca-button--primary"
            } else {
                "ca-button ca-button--secondary"
            };
            let separator = (index == 1)
                .then(|| view! { <p class="ca-divider"><span>{t("signin_methods.or")}</span></p> });
            // The passkey runs its ceremony in the browser (`passkey.js` takes the click);
            // without JavaScript its post is answered with why it cannot work.
            let passkey = *method == SignInMethod::Passkey;
            let passkey_parts = passkey.then(|| {
                view! {
                    <p class="ca-hint" data-hide-with-js>{t("signin_methods.passkey_needs_js")}</p>
                    <crate::steps::passkey::PasskeyError />
                    <crate::steps::passkey::PasskeyScript />
                }
            });
            view! {
                {separator}
                // The passkey's button works only with the script, which enables it.
                <button class=class type="submit" name="method" value=method.cognito_name()
                    data-passkey=passkey.then_some("sign-in")
                    data-enable-with-js=passkey.then_some("")
                    disabled=move || passkey || pending.get()>
                    {t(method.label_key())}
                </button>
                {passkey_parts}
            }
        })
        .collect_view();
    view! {
        <AuthCard heading="signin_methods.heading" local_pool=state.local_pool>
            <p class="ca-text" data-testid="login">{t("signin_methods.as")} " " <strong>{challenge.login.clone()}</strong></p>
            <ActionForm action attr:class="ca-form ca-methods" attr:novalidate=true>
                <FormError error />
                {buttons}
            </ActionForm>
            <BackToSignIn />
        </AuthCard>
    }
}

/// "Other sign-in options" on a method's page, when the user has more than one.
#[component]
pub fn OtherSignInOptions(methods: Vec<SignInMethod>) -> impl IntoView {
    let action = ServerAction::<ShowSignInMethods>::new();
    crate::ui::step_page::reload_on_success(action);
    (methods.len() > 1).then(|| {
        view! {
            <ActionForm action attr:class="ca-form ca-form--link">
                <button class="ca-link ca-link--button" type="submit">{t("link.other_sign_in_options")}</button>
            </ActionForm>
        }
    })
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::error::{AppError, ErrorKind};
    use crate::flow::{ChallengeView, Notice, SignInMethod, Step};
    use crate::server::session::Flow;
    use crate::server::{Ctx, Next};

    /// Starts choice-based sign-in for `login`: Cognito lists what this user can use.
    pub async fn start(ctx: &Ctx, login: &str) -> Result<Next, AppError> {
        let base = ChallengeView {
            login: login.to_owned(),
            ..ChallengeView::default()
        };
        match ctx.auth.cognito.start_user_auth(login, None).await {
            Ok(outcome) => {
                let next = ctx.advance_with(login, outcome, base).await?;
                // A code as the only way in: nothing to choose, so it is sent at once.
                if matches!(next, Next::Go(Step::ContinueSignInWithFirstFactorSelection)) {
                    if let Ok(flow) = ctx
                        .flow_at(&[Step::ContinueSignInWithFirstFactorSelection])
                        .await
                    {
                        if let [method @ (SignInMethod::EmailCode | SignInMethod::SmsCode)] =
                            flow.challenge.methods.as_slice()
                        {
                            return send_code(ctx, &flow, method.cognito_name()).await;
                        }
                    }
                }
                Ok(next)
            }
            // A pool that names unknown users (no PreventUserExistenceErrors) would tell here;
            // the password page answers them as a wrong password.
            Err(err)
                if err.kind() == Some(&cognito_idp::ErrorKind::UserNotFound)
                    && ctx
                        .auth
                        .config
                        .sign_in_methods
                        .contains(&SignInMethod::Password) =>
            {
                let view = ChallengeView {
                    methods: vec![SignInMethod::Password],
                    ..base
                };
                ctx.challenge_step(
                    Step::ConfirmSignInWithPassword,
                    login.to_owned(),
                    None,
                    None,
                    view,
                )
                .await
            }
            Err(err) => Err(err.into()),
        }
    }

    /// The list's view of a flow, to carry to the method's page and back.
    fn list_of(flow: &Flow) -> ChallengeView {
        ChallengeView {
            login: flow.challenge.login.clone(),
            methods: flow.challenge.methods.clone(),
            ..ChallengeView::default()
        }
    }

    pub async fn choose(ctx: &Ctx, method: &str) -> Result<Next, AppError> {
        let flow = match ctx
            .flow_at(&[Step::ContinueSignInWithFirstFactorSelection])
            .await
        {
            Ok(flow) => flow,
            Err(next) => return Ok(next),
        };
        let method = SignInMethod::from_cognito(method)
            .filter(|m| flow.challenge.methods.contains(m))
            .ok_or_else(|| AppError::new(ErrorKind::NoSignInMethod))?;
        match method {
            SignInMethod::Password => {
                ctx.challenge_step(
                    Step::ConfirmSignInWithPassword,
                    flow.username.clone(),
                    None,
                    None,
                    list_of(&flow),
                )
                .await
            }
            SignInMethod::EmailCode | SignInMethod::SmsCode => {
                send_code(ctx, &flow, method.cognito_name()).await
            }
            SignInMethod::Passkey => Err(AppError::new(ErrorKind::PasskeyNeedsJavaScript)),
        }
    }

    /// Asks Cognito for a code by `factor` (`EMAIL_OTP`, `SMS_OTP`): the code page follows.
    /// Counted as a code sent, under the name as typed (as the first page counts it).
    async fn send_code(ctx: &Ctx, flow: &Flow, factor: &str) -> Result<Next, AppError> {
        let login = flow.login();
        let send = async {
            let outcome = ctx
                .auth
                .cognito
                .start_user_auth(&flow.username, Some(factor))
                .await?;
            ctx.advance_with(&flow.username, outcome, list_of(flow))
                .await
        };
        ctx.limited(crate::server::limits::Action::SendCode, Some(login), send)
            .await
    }

    const METHOD_PAGES: [Step; 3] = [
        Step::ConfirmSignInWithPassword,
        Step::ConfirmSignInWithEmailCode,
        Step::ConfirmSignInWithSmsCode,
    ];

    pub async fn back_to_list(ctx: &Ctx) -> Result<Next, AppError> {
        let flow = match ctx.flow_at(&METHOD_PAGES).await {
            Ok(flow) => flow,
            Err(next) => return Ok(next),
        };
        if flow.challenge.methods.len() < 2 {
            return Ok(Next::Go(flow.step));
        }
        ctx.challenge_step(
            Step::ContinueSignInWithFirstFactorSelection,
            flow.username.clone(),
            None,
            None,
            list_of(&flow),
        )
        .await
    }

    pub async fn resend(ctx: &Ctx) -> Result<Next, AppError> {
        let flow = match ctx
            .flow_at(&[
                Step::ConfirmSignInWithEmailCode,
                Step::ConfirmSignInWithSmsCode,
            ])
            .await
        {
            Ok(flow) => flow,
            Err(next) => return Ok(next),
        };
        let factor = flow.challenge.challenge_name.clone();
        // Only a code chosen as the first factor can be asked for again this way.
        if flow.challenge.methods.is_empty() || !matches!(factor.as_str(), "EMAIL_OTP" | "SMS_OTP")
        {
            return Err(AppError::new(ErrorKind::UnsupportedStep));
        }
        match send_code(ctx, &flow, &factor).await? {
            Next::Go(step) if step == flow.step => Ok(Next::Reload(Some(Notice::CodeResent))),
            other => Ok(other),
        }
    }
}
