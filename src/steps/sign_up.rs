//! Create an account: the username (or the email or phone number standing for it), the
//! password twice, then the attributes the options ask for (by default email and an optional
//! phone number).
// The sign-up server function takes one argument per form input, as the form posts them
// (the generated browser-side function repeats them, where an item attribute cannot reach).
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::flow::{FormSecret, PageState, Reply, Step};
use crate::options::{use_auth_options, AuthOptions, LoginMechanism, Screen, SlotPlace};
use crate::ui::errors::FormError;
use crate::ui::federation::ProviderButtons;
use crate::ui::fields::{attribute_field, FieldSpec, FormFields, SubmitButton};
use crate::ui::layout::{AuthCard, Tab};
use crate::ui::step_page::{submission_error, StepScreen};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Creates an account. `email` and `phone_number` (with `dial_code`) are the contact
/// attributes; any other attribute comes as `attributes[<name>]`, the embedder's own inputs as
/// `extra[<name>]`. What is required, and which attributes may be sent at all, the server
/// knows from its own configuration ([`SignUpForm`]), never from the post.
#[server(prefix = "/api", endpoint = "sign_up")]
pub async fn sign_up(
    username: String,
    /// Absent where sign-in is by code alone (password-less sign-up).
    #[server(default)]
    password: FormSecret,
    #[server(default)] confirm_password: FormSecret,
    #[server(default)] email: String,
    #[server(default)] dial_code: String,
    #[server(default)] phone_number: String,
    #[server(default)] attributes: BTreeMap<String, String>,
    #[server(default)] extra: BTreeMap<String, String>,
    #[server(default)] login_mechanism: String,
    /// The embedder's page, when the form is inside an `<Authenticator>`.
    #[server(default)]
    inline: Option<String>,
) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    ctx.remember_inline(inline.as_deref()).await?;
    let mut values = ssr::form_values(
        &username,
        &email,
        &dial_code,
        &phone_number,
        &attributes,
        &extra,
    );
    ctx.auth
        .config
        .transform(crate::options::Screen::SignUp, &mut values);
    let result = ctx
        .limited(
            crate::server::limits::Action::SignUp,
            Some(&username),
            ssr::sign_up(
                &ctx,
                &values,
                &password,
                &confirm_password,
                &login_mechanism,
            ),
        )
        .await;
    let kept: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    ctx.finish(Step::SignUp, result, &kept).await
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    view! { <StepScreen step=Step::SignUp view=|state| view! { <SignUpForm state /> } /> }
}

/// Sign-up without a password: the site signs in by codes (or passkeys) only.
pub fn is_passwordless(methods: &[crate::flow::SignInMethod]) -> bool {
    !methods.is_empty() && !methods.contains(&crate::flow::SignInMethod::Password)
}

/// The sign-up fields: the username (or the email or phone number standing for it), the
/// password twice, then the attributes the options ask for.
fn sign_up_fields(state: &PageState, options: &AuthOptions) -> Vec<FieldSpec> {
    let kept = |name: &str| state.flash.values.get(name).cloned().unwrap_or_default();
    let mechanism = options.sign_in_mechanism();
    let username = login_field(mechanism)
        .value(kept("username"))
        .dial_code(kept("dial_code"));
    let mut fields = vec![username];
    if !is_passwordless(&state.sign_in_methods) {
        fields.push(
            FieldSpec::password("password", "field.password", "new-password")
                .placeholder("placeholder.password")
                .with_rules(state.password_rules),
        );
        fields.push(
            FieldSpec::password("confirm_password", "field.confirm_password", "new-password")
                .placeholder("placeholder.confirm_password"),
        );
    }
    let attributes = options
        .sign_up_attributes
        .clone()
        .unwrap_or_else(|| vec!["email".to_owned(), "phone_number".to_owned()]);
    let custom = options.sign_up_attributes.is_some();
    for attribute in attributes {
        // The mechanism's own attribute is the username field already.
        if attribute == mechanism.as_str() {
            continue;
        }
        let field = match attribute.as_str() {
            "email" => FieldSpec::email("email", "field.email")
                .placeholder("placeholder.email")
                .value(kept("email")),
            "phone_number" => {
                let phone = FieldSpec::phone("phone_number", "field.phone_number")
                    .placeholder("placeholder.phone_number")
                    .value(kept("phone_number"))
                    .dial_code(kept("dial_code"))
                    .optional();
                if custom {
                    phone
                } else {
                    phone.hint("signup.phone_hint")
                }
            }
            _ => {
                let spec = attribute_field(&attribute);
                let value = kept(&spec.name);
                spec.value(value).optional()
            }
        };
        fields.push(field);
    }
    fields
}

/// What a sign-up form asks for, as the server checks a post against it: the inputs it has
/// (an attribute it does not offer is refused, so a post cannot add `custom:role`) and the
/// ones it requires. Built from the same options as the form, so the two cannot disagree.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignUpForm {
    /// What the username field holds (a username, an email address or a phone number).
    pub mechanism: LoginMechanism,
    pub inputs: Vec<String>,
    pub required: Vec<String>,
}

#[cfg(feature = "ssr")]
impl SignUpForm {
    pub fn of(options: &AuthOptions) -> Self {
        let fields = crate::ui::fields::customize(
            Screen::SignUp,
            sign_up_fields(&PageState::default(), options),
            options,
        );
        Self {
            mechanism: options.sign_in_mechanism(),
            required: fields
                .iter()
                .filter(|f| f.required)
                .map(|f| f.name.clone())
                .collect(),
            inputs: fields.into_iter().map(|f| f.name).collect(),
        }
    }

    pub(crate) fn offers(&self, input: &str) -> bool {
        self.inputs.iter().any(|i| i == input)
    }

    pub(crate) fn requires(&self, input: &str) -> bool {
        self.required.iter().any(|i| i == input)
    }
}

/// The field people sign in with, named `username` whatever it holds.
pub(crate) fn login_field(mechanism: LoginMechanism) -> FieldSpec {
    match mechanism {
        LoginMechanism::Username => FieldSpec::text("username", "field.username")
            .placeholder("placeholder.username")
            .autocomplete("username")
            .maxlength(128),
        LoginMechanism::Email => FieldSpec::email("username", "field.login.email")
            .placeholder("placeholder.email")
            .autocomplete("username"),
        LoginMechanism::PhoneNumber => FieldSpec::phone("username", "field.login.phone_number")
            .placeholder("placeholder.phone_number")
            .autocomplete("username"),
    }
}

#[component]
fn SignUpForm(state: PageState) -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    crate::ui::step_page::reload_on_success(action);
    let error = submission_error(action, &state.flash);
    let options = use_auth_options();
    let fields = sign_up_fields(&state, &options);
    let mechanism = options.sign_in_mechanism().as_str();
    let form_end = options.slot_view(Some(Screen::SignUp), SlotPlace::FormEnd);
    let federated_only = options.federated_only && !state.identity_providers.is_empty();
    let return_target = crate::ui::step_page::return_target();
    view! {
        <AuthCard tab=Tab::CreateAccount heading="signup.heading" screen=Screen::SignUp local_pool=state.local_pool>
            <ProviderButtons
                providers=state.identity_providers.clone()
                sign_up=true
                return_to=return_target.clone().unwrap_or_default()
            />
            {(!federated_only).then(|| view! {
                <ActionForm action attr:class="ca-form" attr:novalidate=true>
                    <FormError error />
                    <input type="hidden" name="login_mechanism" value=mechanism />
                    <crate::ui::step_page::InlineHostInput />
                    <FormFields screen=Screen::SignUp fields error />
                    {form_end.map(|view| view.run())}
                    <SubmitButton label="button.create_account" pending=action.pending() />
                </ActionForm>
            })}
            <ProviderButtons
                providers=state.identity_providers.clone()
                sign_up=true
                return_to=return_target.unwrap_or_default()
                below=true
            />
        </AuthCard>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::{AppError, ErrorKind};
    use crate::flow::{FormSecret, Notice, SignInMethod, Step};
    use crate::options::{is_attribute, LoginMechanism};
    use crate::server::config::FormValues;
    use crate::server::session::{self, Flow};
    use crate::server::{input, Ctx, Next};
    use cognito_idp::wire::AttributeType;
    use cognito_idp::Secret;
    use std::collections::BTreeMap;

    /// Everything typed into the form but the passwords, by input name.
    pub fn form_values(
        username: &str,
        email: &str,
        dial_code: &str,
        phone_number: &str,
        attributes: &BTreeMap<String, String>,
        extra: &BTreeMap<String, String>,
    ) -> FormValues {
        let mut values = FormValues::new();
        for (name, value) in [
            ("username", username),
            ("email", email),
            ("dial_code", dial_code),
            ("phone_number", phone_number),
        ] {
            values.insert(name.to_owned(), value.to_owned());
        }
        for (name, value) in attributes {
            values.insert(format!("attributes[{name}]"), value.clone());
        }
        for (name, value) in extra {
            values.insert(format!("extra[{name}]"), value.clone());
        }
        values
    }

    pub async fn sign_up(
        ctx: &Ctx,
        values: &FormValues,
        password: &FormSecret,
        confirm_password: &FormSecret,
        login_mechanism: &str,
    ) -> Result<Next, AppError> {
        let value = |name: &str| values.get(name).map(String::as_str).unwrap_or_default();
        // The configured form this post comes from: the one with its mechanism (and, of
        // several, one that has every attribute posted); none means it is no form of ours.
        let posted = LoginMechanism::parse(login_mechanism);
        let forms: Vec<&super::SignUpForm> = ctx
            .auth
            .config
            .sign_up_forms
            .iter()
            .filter(|form| posted.is_none_or(|posted| posted == form.mechanism))
            .collect();
        let has_all = |form: &&&super::SignUpForm| {
            values
                .keys()
                .filter(|name| name.starts_with("attributes["))
                .all(|name| form.offers(name))
        };
        let form = *forms
            .iter()
            .find(has_all)
            .or(forms.first())
            .ok_or_else(|| AppError::new(ErrorKind::InvalidParameter))?;
        let mechanism = form.mechanism;
        let not_offered = |name: &str| {
            let mut error = AppError::new(ErrorKind::InvalidParameter);
            error.detail = Some(name.to_owned());
            error
        };
        let mut attributes = Vec::new();
        let username = match mechanism {
            LoginMechanism::Username => input::username(value("username"))?,
            LoginMechanism::Email => {
                let email = input::email(value("username")).map_err(|e| e.on("username"))?;
                attributes.push(AttributeType::new("email", email.clone()));
                email
            }
            LoginMechanism::PhoneNumber => {
                let phone = input::phone_username(value("dial_code"), value("username"))?;
                attributes.push(AttributeType::new("phone_number", phone.clone()));
                phone
            }
        };
        let methods = &ctx.auth.config.sign_in_methods;
        let passwordless = super::is_passwordless(methods);
        if !passwordless {
            input::new_password(password, confirm_password, &ctx.auth.config.password_policy)?;
        }
        let email = value("email");
        if !email.trim().is_empty() && !form.offers("email") {
            return Err(not_offered("email"));
        }
        if !email.trim().is_empty() || form.requires("email") {
            attributes.push(AttributeType::new("email", input::email(email)?));
        }
        if !value("phone_number").trim().is_empty() && !form.offers("phone_number") {
            return Err(not_offered("phone_number"));
        }
        match input::phone(value("dial_code"), value("phone_number"))? {
            Some(phone) => attributes.push(AttributeType::new("phone_number", phone)),
            None if form.requires("phone_number") => {
                return Err(AppError::field(ErrorKind::Required, "phone_number"))
            }
            None => {}
        }
        for (field, text) in values {
            let Some(name) = field
                .strip_prefix("attributes[")
                .and_then(|rest| rest.strip_suffix(']'))
            else {
                continue;
            };
            if !is_attribute(name)
                || !form.offers(field)
                || attributes.iter().any(|a| a.name == name)
            {
                // Not a field of ours to mark: say which attribute at the top of the form.
                let mut error = AppError::new(ErrorKind::InvalidParameter);
                error.detail = Some(name.chars().take(64).collect());
                return Err(error);
            }
            let text = text.trim();
            if text.is_empty() {
                if form.requires(field) {
                    return Err(AppError::field(ErrorKind::Required, field));
                }
                continue;
            }
            if text.chars().count() > 2048 {
                return Err(AppError::field(ErrorKind::TooLong, field));
            }
            attributes.push(AttributeType::new(name, text.to_owned()));
        }
        if passwordless {
            // Codes go to an email or a phone: one the site signs in with must be given.
            let has = |name: &str| attributes.iter().any(|a| a.name == name);
            let email_ok = methods.contains(&SignInMethod::EmailCode) && has("email");
            let phone_ok = methods.contains(&SignInMethod::SmsCode) && has("phone_number");
            if !email_ok && !phone_ok {
                let field = if methods.contains(&SignInMethod::EmailCode) {
                    "email"
                } else {
                    "phone_number"
                };
                return Err(AppError::field(ErrorKind::Required, field));
            }
        }
        if let Some(check) = &ctx.auth.config.hooks.validate_sign_up {
            check(values)?;
        }
        let cognito = &ctx.auth.cognito;
        let created = if passwordless {
            cognito.sign_up_passwordless(&username, attributes).await
        } else {
            let password = Secret::new(password.expose());
            cognito.sign_up(&username, &password, attributes).await
        };
        let created = created.map_err(|err| {
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
