//! Choice-based sign-in with the password (Amplify's `CONFIRM_SIGN_IN_WITH_PASSWORD`): the
//! username is known, the password is proved with SRP (`USER_AUTH` with `PASSWORD_SRP`).

use crate::error::AppError;
use crate::flow::{FormSecret, PageState, Reply, Step};
use crate::options::Screen;
use crate::steps::sign_in_methods::OtherSignInOptions;
use crate::ui::errors::FormError;
use crate::ui::fields::{FieldSpec, FormFields, SubmitButton};
use crate::ui::i18n::t;
use crate::ui::layout::{AuthCard, BackToSignIn};
use crate::ui::step_page::{submission_error, StepScreen};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "sign_in_with_password")]
pub async fn sign_in_with_password(password: FormSecret) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = match ctx.flow_at(&[Step::ConfirmSignInWithPassword]).await {
        Ok(flow) => {
            let login = flow.login().to_owned();
            ctx.limited(
                crate::server::limits::Action::SignIn,
                Some(&login),
                crate::steps::sign_in::ssr::sign_in(&ctx, &login, &password),
            )
            .await
        }
        Err(next) => Ok(next),
    };
    let result = ctx.restart_if_expired(result).await;
    ctx.finish(Step::ConfirmSignInWithPassword, result, &[])
        .await
}

#[component]
pub fn SignInPasswordPage() -> impl IntoView {
    view! { <StepScreen step=Step::ConfirmSignInWithPassword view=|state| view! { <SignInPasswordForm state /> } /> }
}

#[component]
fn SignInPasswordForm(state: PageState) -> impl IntoView {
    let action = ServerAction::<SignInWithPassword>::new();
    crate::ui::step_page::reload_on_success(action);
    let error = submission_error(action, &state.flash);
    let challenge = state.flow.map(|f| f.challenge).unwrap_or_default();
    let fields = vec![
        FieldSpec::password("password", "field.password", "current-password")
            .placeholder("placeholder.password"),
    ];
    view! {
        <AuthCard heading="signin_password.heading" local_pool=state.local_pool>
            <p class="ca-text" data-testid="login">{t("signin_methods.as")} " " <strong>{challenge.login.clone()}</strong></p>
            <ActionForm action attr:class="ca-form" attr:novalidate=true>
                <FormError error />
                // For password managers: the account this password belongs to (not posted).
                <input type="text" class="ca-hidden" autocomplete="username" value=challenge.login readonly tabindex="-1" aria-hidden="true" />
                <FormFields screen=Screen::SignIn fields error />
                <SubmitButton label="button.sign_in" pending=action.pending() />
            </ActionForm>
            <p class="ca-back">
                <a class="ca-link" href=crate::ui::step_page::screen_href(Step::ResetPassword)>{t("link.forgot_password")}</a>
            </p>
            <OtherSignInOptions methods=challenge.methods />
            <BackToSignIn />
        </AuthCard>
    }
}
