//! Create an account: username, password (twice), email and an optional phone number.

use crate::error::AppError;
use crate::flow::{FormSecret, PageState, Reply, Step};
use crate::ui::authenticator::{submission_error, StepScreen};
use crate::ui::errors::FormError;
use crate::ui::fields::{PhoneField, SubmitButton, TextField};
use crate::ui::layout::{AuthCard, Tab};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "sign_up")]
pub async fn sign_up(
    username: String,
    password: FormSecret,
    confirm_password: FormSecret,
    email: String,
    dial_code: String,
    phone_number: String,
) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let form = ssr::SignUpForm {
        username: &username,
        password: &password,
        confirm_password: &confirm_password,
        email: &email,
        dial_code: &dial_code,
        phone_number: &phone_number,
    };
    let result = ctx
        .limited(
            crate::server::limits::Action::SignUp,
            Some(&username),
            ssr::sign_up(&ctx, form),
        )
        .await;
    let kept = [
        ("username", username.as_str()),
        ("email", email.as_str()),
        ("dial_code", dial_code.as_str()),
        ("phone_number", phone_number.as_str()),
    ];
    ctx.finish(Step::SignUp, result, &kept).await
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    view! { <StepScreen step=Step::SignUp view=|state| view! { <SignUpForm state /> } /> }
}

#[component]
fn SignUpForm(state: PageState) -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let error = submission_error(action, &state.flash);
    let kept = |name: &str| state.flash.values.get(name).cloned().unwrap_or_default();
    let (username, email) = (kept("username"), kept("email"));
    let (dial_code, phone_number) = (kept("dial_code"), kept("phone_number"));
    view! {
        <AuthCard tab=Tab::CreateAccount heading="signup.heading" local_pool=state.local_pool>
            <ActionForm action attr:class="ca-form" attr:novalidate=true>
                <FormError error />
                <TextField name="username" label="field.username" placeholder="placeholder.username"
                    autocomplete="username" value=username maxlength=128 error />
                <TextField name="password" label="field.password" placeholder="placeholder.password"
                    input_type="password" autocomplete="new-password" error />
                <TextField name="confirm_password" label="field.confirm_password"
                    placeholder="placeholder.confirm_password" input_type="password"
                    autocomplete="new-password" error />
                <TextField name="email" label="field.email" placeholder="placeholder.email"
                    input_type="email" autocomplete="email" value=email maxlength=2048 error />
                <PhoneField dial_code value=phone_number error />
                <SubmitButton label="button.create_account" pending=action.pending() />
            </ActionForm>
        </AuthCard>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::{AppError, ErrorKind};
    use crate::flow::{FormSecret, Notice, Step};
    use crate::server::session::{self, Flow};
    use crate::server::{input, Ctx, Next};
    use cognito_idp::wire::AttributeType;
    use cognito_idp::Secret;

    pub struct SignUpForm<'a> {
        pub username: &'a str,
        pub password: &'a FormSecret,
        pub confirm_password: &'a FormSecret,
        pub email: &'a str,
        pub dial_code: &'a str,
        pub phone_number: &'a str,
    }

    pub async fn sign_up(ctx: &Ctx, form: SignUpForm<'_>) -> Result<Next, AppError> {
        let username = input::username(form.username)?;
        input::new_password(
            form.password,
            form.confirm_password,
            &ctx.auth.config.password_policy,
        )?;
        let email = input::email(form.email)?;
        let phone = input::phone(form.dial_code, form.phone_number)?;
        let mut attributes = vec![AttributeType::new("email", email)];
        if let Some(phone) = phone {
            attributes.push(AttributeType::new("phone_number", phone));
        }
        let password = Secret::new(form.password.expose());
        let created = ctx
            .auth
            .cognito
            .sign_up(&username, &password, attributes)
            .await
            .map_err(|err| {
                let error = AppError::from(err);
                let field = match error.kind {
                    ErrorKind::UsernameExists => Some("username"),
                    ErrorKind::WeakPassword => Some("password"),
                    ErrorKind::InvalidParameter => error.detail.as_deref().and_then(|d| {
                        if d.contains("email") {
                            Some("email")
                        } else if d.contains("phone") {
                            Some("phone_number")
                        } else {
                            None
                        }
                    }),
                    _ => None,
                };
                match field {
                    Some(field) => error.on(field),
                    None => error,
                }
            })?;
        tracing::info!(event = "sign_up", confirmed = created.user_confirmed);
        // Confirmed by the pool's rules: sign in with the session Cognito returned.
        if created.user_confirmed {
            let Some(session) = created.session else {
                return Ok(Next::GoWith(Step::SignIn, Notice::AccountConfirmed));
            };
            let cognito = &ctx.auth.cognito;
            return match cognito
                .sign_in_with_confirmation_session(&username, session)
                .await
            {
                Ok(outcome) => ctx.advance(&username, outcome).await,
                Err(_) => Ok(Next::GoWith(Step::SignIn, Notice::AccountConfirmed)),
            };
        }
        let delivery = session::delivery(created.code_delivery_details);
        ctx.set_flow(&Flow {
            step: Step::ConfirmSignUp,
            username,
            cognito_session: created.session,
            delivery,
            challenge: Default::default(),
            expires_at: ctx.now() + ctx.auth.config.flow_validity_secs,
        })
        .await?;
        Ok(Next::Go(Step::ConfirmSignUp))
    }
}
