//! What an embedder can change about the screens: the counterpart of Amplify Authenticator's
//! props. Build one [`AuthOptions`] and give it to [`crate::provide_auth_options`] at the root of
//! the app (or to one `<Authenticator options=…>`); both the server render and the browser use
//! the same value, so the page hydrates cleanly.
//!
//! Options shape what the screens show. What the server enforces (hooks, the TOTP issuer, the
//! languages offered) is set on `AuthConfig` instead, since a browser could skip any check
//! that lives only in the page.

use crate::flow::Step;
use crate::ui::i18n::Messages;
use leptos::prelude::ViewFn;
use std::collections::HashMap;

/// Cognito's standard user-pool attributes (OpenID Connect claims).
pub const STANDARD_ATTRIBUTES: &[&str] = &[
    "address",
    "birthdate",
    "email",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
];

/// Whether `name` can be sent as a user attribute: a standard one or `custom:*`.
pub fn is_attribute(name: &str) -> bool {
    STANDARD_ATTRIBUTES.contains(&name)
        || name
            .strip_prefix("custom:")
            .is_some_and(|rest| !rest.is_empty() && rest.len() <= 20)
}

/// The screen `<Authenticator>` shows to a signed-out visitor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InitialState {
    #[default]
    SignIn,
    SignUp,
    ForgotPassword,
}

impl InitialState {
    pub fn step(self) -> Step {
        match self {
            InitialState::SignIn => Step::SignIn,
            InitialState::SignUp => Step::SignUp,
            InitialState::ForgotPassword => Step::ResetPassword,
        }
    }
}

/// What people sign in with. It must match the pool's username attributes or aliases.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LoginMechanism {
    #[default]
    Username,
    Email,
    PhoneNumber,
}

impl LoginMechanism {
    /// The form value naming this mechanism (posted with sign-in and sign-up).
    pub fn as_str(self) -> &'static str {
        match self {
            LoginMechanism::Username => "username",
            LoginMechanism::Email => "email",
            LoginMechanism::PhoneNumber => "phone_number",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "" | "username" => Some(LoginMechanism::Username),
            "email" => Some(LoginMechanism::Email),
            "phone_number" => Some(LoginMechanism::PhoneNumber),
            _ => None,
        }
    }
}

/// The screens whose fields and slots can be customised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Screen {
    SignIn,
    SignUp,
    ConfirmSignUp,
    ForgotPassword,
    ConfirmResetPassword,
    ConfirmSignIn,
    ForceNewPassword,
    SetupTotp,
    SetupEmail,
    SelectMfa,
    VerifyAttribute,
}

/// Changes to one form field; anything left `None` keeps the default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldOptions {
    /// A message key or literal text.
    pub label: Option<String>,
    /// A message key or literal text.
    pub placeholder: Option<String>,
    /// Fields are shown by ascending order; unordered ones keep their place after ordered ones.
    pub order: Option<i32>,
    pub required: Option<bool>,
    /// The label stays for screen readers but is not shown.
    pub label_hidden: bool,
    /// The calling code selected at first (phone fields), like `"+44"`.
    pub dial_code: Option<String>,
    /// The calling codes offered (phone fields).
    pub dial_codes: Option<Vec<String>>,
    pub autocomplete: Option<String>,
    pub input_type: Option<String>,
}

impl FieldOptions {
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
    pub fn placeholder(mut self, placeholder: impl Into<String>) -> Self {
        self.placeholder = Some(placeholder.into());
        self
    }
    pub fn order(mut self, order: i32) -> Self {
        self.order = Some(order);
        self
    }
    pub fn required(mut self, required: bool) -> Self {
        self.required = Some(required);
        self
    }
    pub fn label_hidden(mut self) -> Self {
        self.label_hidden = true;
        self
    }
    pub fn dial_code(mut self, code: impl Into<String>) -> Self {
        self.dial_code = Some(code.into());
        self
    }
    pub fn dial_codes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, codes: I) -> Self {
        self.dial_codes = Some(codes.into_iter().map(Into::into).collect());
        self
    }
    pub fn autocomplete(mut self, token: impl Into<String>) -> Self {
        self.autocomplete = Some(token.into());
        self
    }
    pub fn input_type(mut self, input_type: impl Into<String>) -> Self {
        self.input_type = Some(input_type.into());
        self
    }
}

/// How `<Authenticator>` sits on its page (Amplify's `variation`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Variation {
    /// In the page's flow, where the component is.
    #[default]
    Default,
    /// A dialog over the page, closable (its close button, or Escape), with focus kept inside
    /// while it is open; a "Sign in" button opens it again.
    Modal,
}

/// Where a slot's view goes on a screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SlotPlace {
    /// Above the card's heading.
    Header,
    /// Below the form.
    Footer,
    /// Inside the form, after the fields and before the submit button (for example a terms
    /// checkbox on sign-up, posted as `extra[terms]`).
    FormEnd,
}

/// Everything `<Authenticator>` and the step pages can be told. Cheap to clone.
#[derive(Clone, Default)]
pub struct AuthOptions {
    pub initial_state: InitialState,
    /// The first is the one the sign-in form asks for.
    pub login_mechanisms: Vec<LoginMechanism>,
    /// Attributes the sign-up form asks for, in order (`email`, `given_name`, `custom:team`, …).
    /// `None`: email (required) and phone number (optional).
    pub sign_up_attributes: Option<Vec<String>>,
    pub hide_sign_up: bool,
    pub form_fields: HashMap<(Screen, String), FieldOptions>,
    pub header: Option<ViewFn>,
    pub footer: Option<ViewFn>,
    pub slots: HashMap<(Screen, SlotPlace), ViewFn>,
    pub messages: Messages,
    /// Choice-based sign-in's methods, in order of preference (see
    /// `AuthConfig::with_auth_options`, which hands them to the server).
    pub sign_in_methods: Vec<crate::flow::SignInMethod>,
    /// Labels and icons of the "Sign in with …" buttons, by Cognito's provider name, in the
    /// order to show them (the server decides which providers are offered).
    pub identity_providers: Vec<crate::flow::IdentityProvider>,
    /// The buttons below the screen's own form instead of above it.
    pub provider_buttons_below: bool,
    /// Only the buttons: a pool whose users all sign in through providers.
    pub federated_only: bool,
    /// In the page, or a dialog over it (`<Authenticator>` only; the step pages are pages).
    pub variation: Variation,
}

impl AuthOptions {
    /// How the button of the provider `name` looks: its `label` ("Sign in with {label}") and an
    /// optional icon URL. Buttons follow the order of these calls.
    pub fn identity_provider(
        mut self,
        name: impl Into<String>,
        label: impl Into<String>,
        icon: Option<String>,
    ) -> Self {
        let mut provider = crate::flow::IdentityProvider::named(&name.into());
        provider.label = label.into();
        provider.icon = icon;
        self.identity_providers.push(provider);
        self
    }
    /// Puts the provider buttons below the form.
    pub fn provider_buttons_below(mut self) -> Self {
        self.provider_buttons_below = true;
        self
    }
    /// Shows only the provider buttons on the sign-in and sign-up screens.
    pub fn federated_only(mut self) -> Self {
        self.federated_only = true;
        self
    }
    /// The buttons to show: the server's providers, in this options' order and with their
    /// labels and icons where given.
    pub fn provider_buttons(
        &self,
        offered: &[crate::flow::IdentityProvider],
    ) -> Vec<crate::flow::IdentityProvider> {
        let mut buttons: Vec<crate::flow::IdentityProvider> = self
            .identity_providers
            .iter()
            .filter(|p| offered.iter().any(|o| o.name == p.name))
            .cloned()
            .collect();
        buttons.extend(
            offered
                .iter()
                .filter(|o| !self.identity_providers.iter().any(|p| p.name == o.name))
                .cloned(),
        );
        buttons
    }
    pub fn new() -> Self {
        Self::default()
    }
    pub fn initial_state(mut self, state: InitialState) -> Self {
        self.initial_state = state;
        self
    }
    pub fn login_mechanisms(
        mut self,
        mechanisms: impl IntoIterator<Item = LoginMechanism>,
    ) -> Self {
        self.login_mechanisms = mechanisms.into_iter().collect();
        self
    }
    pub fn sign_up_attributes<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        attributes: I,
    ) -> Self {
        self.sign_up_attributes = Some(attributes.into_iter().map(Into::into).collect());
        self
    }
    /// Signs in username first, then with one of `methods` this user has (Cognito's
    /// `USER_AUTH`), offered in this order.
    pub fn sign_in_methods(
        mut self,
        methods: impl IntoIterator<Item = crate::flow::SignInMethod>,
    ) -> Self {
        self.sign_in_methods = methods.into_iter().collect();
        self
    }
    pub fn variation(mut self, variation: Variation) -> Self {
        self.variation = variation;
        self
    }
    pub fn hide_sign_up(mut self, hide: bool) -> Self {
        self.hide_sign_up = hide;
        self
    }
    /// Changes the field `name` (its input name: `username`, `password`, `email`,
    /// `given_name`, `code`, …) on `screen`.
    pub fn field(mut self, screen: Screen, name: impl Into<String>, options: FieldOptions) -> Self {
        self.form_fields.insert((screen, name.into()), options);
        self
    }
    /// A view above every screen's card content.
    pub fn header(mut self, view: impl Into<ViewFn>) -> Self {
        self.header = Some(view.into());
        self
    }
    /// A view below every screen's card content.
    pub fn footer(mut self, view: impl Into<ViewFn>) -> Self {
        self.footer = Some(view.into());
        self
    }
    /// A view for one place of one screen (it replaces the global header or footer there).
    pub fn slot(mut self, screen: Screen, place: SlotPlace, view: impl Into<ViewFn>) -> Self {
        self.slots.insert((screen, place), view.into());
        self
    }
    pub fn messages(mut self, messages: Messages) -> Self {
        self.messages = messages;
        self
    }

    /// The mechanism the sign-in form asks for.
    pub fn sign_in_mechanism(&self) -> LoginMechanism {
        self.login_mechanisms.first().copied().unwrap_or_default()
    }

    pub fn field_options(&self, screen: Screen, name: &str) -> Option<&FieldOptions> {
        self.form_fields.get(&(screen, name.to_owned()))
    }

    /// The view for `place` on `screen`: its own slot, else the global header or footer
    /// (`None`: a card that is no customisable screen gets the global ones only).
    pub fn slot_view(&self, screen: Option<Screen>, place: SlotPlace) -> Option<ViewFn> {
        screen
            .and_then(|screen| self.slots.get(&(screen, place)).cloned())
            .or_else(|| match place {
                SlotPlace::Header => self.header.clone(),
                SlotPlace::Footer => self.footer.clone(),
                SlotPlace::FormEnd => None,
            })
    }
}

/// The options in force here: the nearest `<Authenticator options>` or
/// [`crate::provide_auth_options`], else the defaults.
pub fn use_auth_options() -> AuthOptions {
    leptos::prelude::use_context::<AuthOptions>().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_buttons_follow_the_options_order_and_labels_for_what_the_server_offers() {
        use crate::flow::IdentityProvider;
        let offered: Vec<IdentityProvider> = ["Google", "MyCorpOIDC=Corp", "Apple"]
            .map(IdentityProvider::named)
            .to_vec();
        assert_eq!(offered[1].name, "MyCorpOIDC");
        assert_eq!(offered[1].label, "Corp");
        let options = AuthOptions::new()
            .identity_provider("MyCorpOIDC", "My Corp", Some("/corp.svg".into()))
            .identity_provider("Facebook", "Facebook", None);
        let buttons = options.provider_buttons(&offered);
        let shown: Vec<(&str, &str)> = buttons
            .iter()
            .map(|p| (p.name.as_str(), p.label.as_str()))
            .collect();
        // Facebook is not offered by the server, so it gets no button.
        assert_eq!(
            shown,
            [
                ("MyCorpOIDC", "My Corp"),
                ("Google", "Google"),
                ("SignInWithApple", "Apple")
            ]
        );
        assert_eq!(buttons[0].icon.as_deref(), Some("/corp.svg"));
    }
}
