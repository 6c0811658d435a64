//! The step vocabulary (Amplify's `nextStep`), shared by server and browser. The only place a
//! step maps to a route.

use crate::error::AppError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Step {
    SignIn,
    SignUp,
    ConfirmSignUp,
    ConfirmSignInWithNewPasswordRequired,
    ConfirmSignInWithCustomChallenge,
    ConfirmSignInWithTotpCode,
    ConfirmSignInWithSmsCode,
    ConfirmSignInWithEmailCode,
    ContinueSignInWithTotpSetup,
    /// Email MFA set up during sign-in: the address its codes go to.
    ContinueSignInWithEmailSetup,
    ContinueSignInWithMfaSelection,
    ContinueSignInWithMfaSetupSelection,
    /// Choice-based sign-in: the methods this user has (Amplify's
    /// `CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION`).
    ContinueSignInWithFirstFactorSelection,
    /// Choice-based sign-in: the password, once the username is known.
    ConfirmSignInWithPassword,
    /// Forgot password: ask for the username.
    ResetPassword,
    /// Forgot password: the code and the new password.
    ConfirmResetPasswordWithCode,
    /// Signed in, with no verified email or phone: offer to verify one.
    VerifyAttribute,
    /// Signed in: "Sign in faster with a passkey" (create one, or not now).
    PasskeyPrompt,
    /// Signed in.
    Done,
}

impl Step {
    pub const ALL: [Step; 19] = [
        Step::SignIn,
        Step::SignUp,
        Step::ConfirmSignUp,
        Step::ConfirmSignInWithNewPasswordRequired,
        Step::ConfirmSignInWithCustomChallenge,
        Step::ConfirmSignInWithTotpCode,
        Step::ConfirmSignInWithSmsCode,
        Step::ConfirmSignInWithEmailCode,
        Step::ContinueSignInWithTotpSetup,
        Step::ContinueSignInWithEmailSetup,
        Step::ContinueSignInWithMfaSelection,
        Step::ContinueSignInWithMfaSetupSelection,
        Step::ContinueSignInWithFirstFactorSelection,
        Step::ConfirmSignInWithPassword,
        Step::ResetPassword,
        Step::ConfirmResetPasswordWithCode,
        Step::VerifyAttribute,
        Step::PasskeyPrompt,
        Step::Done,
    ];

    /// The page of a step. The code challenges share one page, as do the two MFA choices.
    pub fn route(self) -> &'static str {
        match self {
            Step::SignIn => "/signin",
            Step::SignUp => "/signup",
            Step::ConfirmSignUp => "/confirm-signup",
            Step::ConfirmSignInWithNewPasswordRequired => "/new-password",
            Step::ConfirmSignInWithCustomChallenge
            | Step::ConfirmSignInWithTotpCode
            | Step::ConfirmSignInWithSmsCode
            | Step::ConfirmSignInWithEmailCode => "/confirm-signin",
            Step::ContinueSignInWithTotpSetup => "/setup-totp",
            Step::ContinueSignInWithEmailSetup => "/setup-email",
            Step::ContinueSignInWithMfaSelection | Step::ContinueSignInWithMfaSetupSelection => {
                "/select-mfa"
            }
            Step::ContinueSignInWithFirstFactorSelection => "/signin-methods",
            Step::ConfirmSignInWithPassword => "/signin-password",
            Step::ResetPassword => "/forgot-password",
            Step::ConfirmResetPasswordWithCode => "/reset-password",
            Step::VerifyAttribute => "/verify",
            Step::PasskeyPrompt => "/passkey",
            Step::Done => "/account",
        }
    }

    /// The first step served at `path`.
    pub fn from_route(path: &str) -> Option<Step> {
        Self::ALL.into_iter().find(|step| step.route() == path)
    }

    /// Steps that belong to an in-progress flow held in the session.
    pub fn needs_flow(self) -> bool {
        !matches!(
            self,
            Step::SignIn | Step::SignUp | Step::ResetPassword | Step::Done
        )
    }

    /// Steps that continue a sign-in (Cognito challenge sessions, 3 minutes by default).
    pub fn is_challenge(self) -> bool {
        matches!(
            self,
            Step::ConfirmSignInWithNewPasswordRequired
                | Step::ConfirmSignInWithCustomChallenge
                | Step::ConfirmSignInWithTotpCode
                | Step::ConfirmSignInWithSmsCode
                | Step::ConfirmSignInWithEmailCode
                | Step::ContinueSignInWithTotpSetup
                | Step::ContinueSignInWithEmailSetup
                | Step::ContinueSignInWithMfaSelection
                | Step::ContinueSignInWithMfaSetupSelection
                | Step::ContinueSignInWithFirstFactorSelection
                | Step::ConfirmSignInWithPassword
        )
    }
}

/// A way to sign in with choice-based sign-in (Cognito's `USER_AUTH` first factors).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SignInMethod {
    Passkey,
    EmailCode,
    SmsCode,
    Password,
}

impl SignInMethod {
    pub const ALL: [SignInMethod; 4] = [
        SignInMethod::Passkey,
        SignInMethod::EmailCode,
        SignInMethod::SmsCode,
        SignInMethod::Password,
    ];

    /// Cognito's name of the factor (`AuthFactorType`, and the challenge that starts it).
    pub fn cognito_name(self) -> &'static str {
        match self {
            SignInMethod::Passkey => "WEB_AUTHN",
            SignInMethod::EmailCode => "EMAIL_OTP",
            SignInMethod::SmsCode => "SMS_OTP",
            SignInMethod::Password => "PASSWORD",
        }
    }

    /// The method behind one of Cognito's `AvailableChallenges` (`PASSWORD_SRP` is the
    /// password too).
    pub fn from_cognito(name: &str) -> Option<SignInMethod> {
        match name {
            "PASSWORD" | "PASSWORD_SRP" => Some(SignInMethod::Password),
            _ => Self::ALL.into_iter().find(|m| m.cognito_name() == name),
        }
    }

    /// The method's name (the account page lists a user's).
    pub fn name_key(self) -> &'static str {
        match self {
            SignInMethod::Passkey => "method_name.passkey",
            SignInMethod::EmailCode => "method_name.email_code",
            SignInMethod::SmsCode => "method_name.sms_code",
            SignInMethod::Password => "method_name.password",
        }
    }

    /// The text of the button that picks this method.
    pub fn label_key(self) -> &'static str {
        match self {
            SignInMethod::Passkey => "method.passkey",
            SignInMethod::EmailCode => "method.email_code",
            SignInMethod::SmsCode => "method.sms_code",
            SignInMethod::Password => "method.password",
        }
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The signed-in user as components see them: from the verified ID token, nothing secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthUser {
    pub username: String,
    /// The user's stable id (the token's `sub`).
    pub sub: String,
    pub attributes: Vec<(String, String)>,
}

impl AuthUser {
    /// An attribute's value (`email`, `given_name`, `custom:team`, …).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Second factors, by Cognito's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MfaType {
    Totp,
    Sms,
    Email,
}

impl MfaType {
    pub const ALL: [MfaType; 3] = [MfaType::Totp, MfaType::Sms, MfaType::Email];

    pub fn cognito_name(self) -> &'static str {
        match self {
            MfaType::Totp => "SOFTWARE_TOKEN_MFA",
            MfaType::Sms => "SMS_MFA",
            MfaType::Email => "EMAIL_OTP",
        }
    }

    pub fn from_cognito(name: &str) -> Option<MfaType> {
        match name {
            "SOFTWARE_TOKEN_MFA" => Some(MfaType::Totp),
            "SMS_MFA" => Some(MfaType::Sms),
            "EMAIL_OTP" | "EMAIL_MFA" => Some(MfaType::Email),
            _ => None,
        }
    }

    /// How the notice is named in a redirect's URL (`/signin?notice=flow_expired`), for the
    /// visitors who have no session to carry it: the message key without its group.
    pub fn slug(self) -> &'static str {
        let key = self.message_key();
        key.split_once('.').map_or(key, |(_, name)| name)
    }

    pub fn from_slug(slug: &str) -> Option<Notice> {
        Notice::ALL.into_iter().find(|notice| notice.slug() == slug)
    }

    pub fn message_key(self) -> &'static str {
        match self {
            MfaType::Totp => "mfa.totp",
            MfaType::Sms => "mfa.sms",
            MfaType::Email => "mfa.email",
        }
    }
}

/// What the page of a challenge shows besides the form (nothing secret but the TOTP secret,
/// which the person must see to set up their app).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeView {
    /// Attributes the new-password step must collect.
    pub required_attributes: Vec<String>,
    /// Factors to choose from.
    pub mfa_options: Vec<MfaType>,
    /// A custom challenge's public parameters.
    pub parameters: Vec<(String, String)>,
    /// TOTP set-up: the base32 secret, the otpauth URI and its QR code as SVG.
    pub totp: Option<TotpSetupView>,
    /// Attributes that can be verified (the verify step).
    pub attributes: Vec<String>,
    /// Choice-based sign-in: the name as typed, and the methods this user has, in the order
    /// the site prefers them (the code and password pages link back to the list).
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub methods: Vec<SignInMethod>,
    /// The Cognito challenge the page answers, where one page answers several (`SMS_MFA` or
    /// `SMS_OTP` on the code page).
    #[serde(default)]
    pub challenge_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpSetupView {
    pub secret: String,
    pub uri: String,
    pub qr_svg: String,
}

/// Where a code was sent, already masked by Cognito (`a***@e***.com`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub destination: String,
    pub medium: String,
}

/// What a page may know about the flow in progress: nothing secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowView {
    pub step: Step,
    pub username: String,
    pub delivery: Option<Delivery>,
    pub challenge: ChallengeView,
}

/// Something to tell the user on the next page they see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notice {
    CodeResent,
    SignedOut,
    SignedOutEverywhere,
    SignedOutElsewhere,
    AccountConfirmed,
    /// A confirmation link that cannot be used: expired, wrong, or used already (one notice
    /// for all, so a link never tells whether its account exists or is confirmed).
    ConfirmationLinkExpired,
    FlowExpired,
    PasswordReset,
    PasswordResetRequired,
    PasswordChanged,
    TotpEnabled,
    TotpRemoved,
    MfaPreferenceSaved,
    AttributeVerified,
    CodeSent,
    /// A signed-out visitor was sent from a page that needs a signed-in one.
    NotSignedIn,
    PasskeyAdded,
    PasskeyDeleted,
    /// The person cancelled at the identity provider (`error=access_denied`).
    FederationCancelled,
    /// A provider's callback this session did not start, or one used already.
    FederationExpired,
    /// The provider or the pool refused the sign-in.
    FederationFailed,
    AttributesSaved,
    /// A new email or phone number was verified and now counts.
    ContactChanged,
    DeviceForgotten,
    AccountDeleted,
}

impl Notice {
    pub const ALL: [Notice; 25] = [
        Notice::NotSignedIn,
        Notice::CodeResent,
        Notice::SignedOut,
        Notice::SignedOutEverywhere,
        Notice::SignedOutElsewhere,
        Notice::AccountConfirmed,
        Notice::ConfirmationLinkExpired,
        Notice::FlowExpired,
        Notice::PasswordReset,
        Notice::PasswordResetRequired,
        Notice::PasswordChanged,
        Notice::TotpEnabled,
        Notice::TotpRemoved,
        Notice::MfaPreferenceSaved,
        Notice::AttributeVerified,
        Notice::CodeSent,
        Notice::PasskeyAdded,
        Notice::PasskeyDeleted,
        Notice::FederationCancelled,
        Notice::FederationExpired,
        Notice::FederationFailed,
        Notice::AttributesSaved,
        Notice::ContactChanged,
        Notice::DeviceForgotten,
        Notice::AccountDeleted,
    ];

    /// How the notice is named in a redirect's URL (`/signin?notice=flow_expired`), for the
    /// visitors who have no session to carry it: the message key without its group.
    pub fn slug(self) -> &'static str {
        let key = self.message_key();
        key.split_once('.').map_or(key, |(_, name)| name)
    }

    pub fn from_slug(slug: &str) -> Option<Notice> {
        Notice::ALL.into_iter().find(|notice| notice.slug() == slug)
    }

    pub fn message_key(self) -> &'static str {
        match self {
            Notice::CodeResent => "notice.code_resent",
            Notice::SignedOut => "notice.signed_out",
            Notice::SignedOutEverywhere => "notice.signed_out_everywhere",
            Notice::SignedOutElsewhere => "notice.signed_out_elsewhere",
            Notice::AccountConfirmed => "notice.account_confirmed",
            Notice::NotSignedIn => "error.not_signed_in",
            Notice::ConfirmationLinkExpired => "notice.confirmation_link_expired",
            Notice::FlowExpired => "notice.flow_expired",
            Notice::PasswordReset => "notice.password_reset",
            Notice::PasswordResetRequired => "notice.password_reset_required",
            Notice::PasswordChanged => "notice.password_changed",
            Notice::TotpEnabled => "notice.totp_enabled",
            Notice::TotpRemoved => "notice.totp_removed",
            Notice::MfaPreferenceSaved => "notice.mfa_preference_saved",
            Notice::AttributeVerified => "notice.attribute_verified",
            Notice::CodeSent => "notice.code_sent",
            Notice::PasskeyAdded => "notice.passkey_added",
            Notice::PasskeyDeleted => "notice.passkey_deleted",
            Notice::FederationCancelled => "notice.federation_cancelled",
            Notice::FederationExpired => "notice.federation_expired",
            Notice::FederationFailed => "notice.federation_failed",
            Notice::AttributesSaved => "notice.attributes_saved",
            Notice::ContactChanged => "notice.contact_changed",
            Notice::DeviceForgotten => "notice.device_forgotten",
            Notice::AccountDeleted => "notice.account_deleted",
        }
    }
}

/// The outcome of a form post without JavaScript, kept in the session across the redirect.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    pub error: Option<AppError>,
    pub notice: Option<Notice>,
    /// What the user typed, to put back into the form (never passwords or codes).
    pub values: BTreeMap<String, String>,
}

/// The signed-in user, from the verified ID token.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub username: String,
    pub attributes: Vec<(String, String)>,
    /// Second factors turned on, and the preferred one.
    pub mfa_enabled: Vec<MfaType>,
    pub mfa_preferred: Option<MfaType>,
    /// Factors the pool offers (for the account page's choices).
    pub mfa_available: Vec<MfaType>,
    /// A TOTP set-up in progress from the account page.
    pub totp_setup: Option<TotpSetupView>,
    /// How this user can sign in, as Cognito reports it (`GetUserAuthFactors`), with
    /// choice-based sign-in.
    #[serde(default)]
    pub sign_in_methods: Vec<SignInMethod>,
    /// The user's passkeys, where the site offers them (`None`: it does not).
    #[serde(default)]
    pub passkeys: Option<Vec<PasskeyView>>,
    /// The attributes the account page lets this user change.
    #[serde(default)]
    pub editable_attributes: Vec<String>,
    /// A new email or phone number waiting for its code.
    #[serde(default)]
    pub pending_contact: Option<PendingContactView>,
    /// The devices Cognito tracks for the user, where the pool remembers devices.
    #[serde(default)]
    pub devices: Option<Vec<DeviceView>>,
    /// Deleting the account: how it is confirmed.
    #[serde(default)]
    pub deletion: DeletionView,
}

impl UserView {
    /// An attribute's value in the claims.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A change of email or phone number waiting for its code, as the account page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingContactView {
    pub attribute: String,
    /// Where the code went (masked).
    pub destination: String,
    /// The old value stays in force until the code is entered (else the pool replaced it).
    pub old_value_kept: bool,
}

/// One of the user's tracked devices as the account page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    pub key: String,
    pub name: String,
    /// When it last signed in, as `YYYY-MM-DD` (UTC).
    pub last_used: String,
    pub remembered: bool,
    /// The device this browser is.
    pub this_browser: bool,
}

/// How deleting the account is confirmed: the password, or (for an account without one) a
/// code sent to its verified email or phone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeletionView {
    #[default]
    Password,
    /// A code can be sent; `Some(destination)` once it was.
    Code(Option<String>),
    /// No password and nowhere verified to send a code.
    Unavailable,
}

/// One of the user's passkeys as the account page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyView {
    /// Cognito's credential id (base64url), which deleting it names.
    pub id: String,
    pub name: String,
    /// When it was registered, as `YYYY-MM-DD` (UTC).
    pub created: String,
}

/// The pool's password policy, as the page shows it (a checklist updated while typing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordRules {
    pub minimum_length: u32,
    pub lowercase: bool,
    pub uppercase: bool,
    pub number: bool,
    pub symbol: bool,
}

impl Default for PasswordRules {
    /// Cognito's default policy.
    fn default() -> Self {
        Self {
            minimum_length: 8,
            lowercase: true,
            uppercase: true,
            number: true,
            symbol: true,
        }
    }
}

/// Cognito's password symbols (its password-policy documentation lists these).
pub const PASSWORD_SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

impl PasswordRules {
    /// The rules in force, in the order they are shown and checked.
    pub fn rules(&self) -> Vec<crate::error::PasswordRuleKey> {
        use crate::error::PasswordRuleKey as R;
        let mut rules = vec![R::MinimumLength];
        for (on, rule) in [
            (self.lowercase, R::Lowercase),
            (self.uppercase, R::Uppercase),
            (self.number, R::Number),
            (self.symbol, R::Symbol),
        ] {
            if on {
                rules.push(rule);
            }
        }
        rules
    }

    /// Whether `password` keeps `rule`.
    pub fn keeps(&self, rule: crate::error::PasswordRuleKey, password: &str) -> bool {
        use crate::error::PasswordRuleKey as R;
        match rule {
            R::MinimumLength => password.chars().count() >= self.minimum_length as usize,
            R::Lowercase => password.chars().any(char::is_lowercase),
            R::Uppercase => password.chars().any(char::is_uppercase),
            R::Number => password.chars().any(|c| c.is_ascii_digit()),
            R::Symbol => password.chars().any(|c| PASSWORD_SYMBOLS.contains(c)),
        }
    }

    /// The first rule `password` breaks.
    pub fn first_broken(&self, password: &str) -> Option<crate::error::PasswordRuleKey> {
        self.rules()
            .into_iter()
            .find(|rule| !self.keeps(*rule, password))
    }
}

/// Everything a page renders from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageState {
    pub flow: Option<FlowView>,
    pub flash: Flash,
    pub user: Option<UserView>,
    /// The app runs on the embedded local pool (codes are in the local outbox).
    pub local_pool: bool,
    /// The pool's password policy, for the checklist beside new passwords.
    pub password_rules: PasswordRules,
    /// Choice-based sign-in's methods in the site's order; empty: username and password.
    #[serde(default)]
    pub sign_in_methods: Vec<SignInMethod>,
    /// "Sign in with …" buttons, in the site's order.
    #[serde(default)]
    pub identity_providers: Vec<IdentityProvider>,
    /// The MFA page offers "Remember this device" (the pool remembers devices on request).
    #[serde(default)]
    pub ask_remember_device: bool,
    /// For an `<Authenticator>`: the step its screen shows (`None` on a step's own page).
    #[serde(default)]
    pub inline_step: Option<Step>,
    /// For an `<Authenticator>`: the signed-in user its children are for, instead of a step.
    #[serde(default)]
    pub signed_in: Option<AuthUser>,
}

/// A social or enterprise provider the pool federates with, as its button shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityProvider {
    /// Cognito's provider name (`Google`, `SignInWithApple`, `MyCorpOIDC`…).
    pub name: String,
    /// What the button calls it ("Google", "Apple", "MyCorp").
    pub label: String,
    /// An icon's URL for a custom provider (the four social ones have their own look).
    pub icon: Option<String>,
}

impl IdentityProvider {
    /// A provider by Cognito's name or the usual one (`Apple`, `Amazon`): Cognito's name and
    /// the label people know; `MyCorpOIDC=My Corp` gives a label of its own.
    pub fn named(name: &str) -> Self {
        if let Some((name, label)) = name.split_once('=') {
            let mut provider = Self::named(name.trim());
            provider.label = label.trim().to_owned();
            return provider;
        }
        let (name, label) = match name {
            "Apple" | "SignInWithApple" => ("SignInWithApple", "Apple"),
            "Amazon" | "LoginWithAmazon" => ("LoginWithAmazon", "Amazon"),
            other => (other, other),
        };
        Self {
            name: name.to_owned(),
            label: label.to_owned(),
            icon: None,
        }
    }

    /// The look of the button: one of the four social providers', else a neutral one.
    pub fn look(&self) -> &'static str {
        match self.name.as_str() {
            "Google" => "google",
            "Facebook" => "facebook",
            "SignInWithApple" => "apple",
            "LoginWithAmazon" => "amazon",
            _ => "custom",
        }
    }
}

/// What a form's server function answers when it does not move to another page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub notice: Option<Notice>,
    pub delivery: Option<Delivery>,
    /// The page should load its state again (it changed on the server).
    pub reload: bool,
    /// Leave this site's pages for this address (the user pool domain's `/logout`): a whole
    /// page load, which a client-side router would not do for a path it does not know.
    #[serde(default)]
    pub leave: Option<String>,
}

/// A password or code typed into a form: serialised as a plain string, never shown by `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FormSecret(String);

impl FormSecret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for FormSecret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl std::fmt::Debug for FormSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FormSecret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_leads_back_to_a_step_on_that_page() {
        for step in Step::ALL {
            let first = Step::from_route(step.route()).expect("a step for every route");
            assert_eq!(first.route(), step.route());
        }
        assert_eq!(Step::from_route("/nowhere"), None);
        // The code challenges share one page; the other steps have their own.
        assert_eq!(
            Step::ConfirmSignInWithSmsCode.route(),
            Step::ConfirmSignInWithTotpCode.route()
        );
        assert_ne!(
            Step::ConfirmSignUp.route(),
            Step::ConfirmSignInWithTotpCode.route()
        );
    }

    #[test]
    fn form_secrets_are_not_shown() {
        assert_eq!(
            format!("{:?}", FormSecret::from("hunter2")),
            "FormSecret(***)"
        );
    }
}
