//! The one error type that crosses the server-function boundary: a stable kind, the field it
//! concerns, and nothing secret. Its text comes from the message key (see `ui::i18n`).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorKind {
    /// A required field is empty.
    Required,
    /// A field is longer than Cognito accepts.
    TooLong,
    InvalidUsername,
    InvalidEmail,
    InvalidPhone,
    PasswordMismatch,
    /// The password breaks a policy rule (`rule` says which).
    WeakPassword,
    /// The code is not six digits.
    InvalidCode,
    UsernameExists,
    CodeMismatch,
    ExpiredCode,
    IncorrectCredentials,
    /// The current password given to change it is wrong.
    IncorrectPassword,
    UserNotFound,
    UserNotConfirmed,
    PasswordResetRequired,
    TooManyAttempts,
    /// This app's own attempt limit (per address or per username); `retry_after_secs` says
    /// when to try again.
    RateLimited,
    /// The in-progress sign-in or sign-up is gone or expired.
    FlowExpired,
    /// The user must be signed in for this.
    NotSignedIn,
    /// Cognito is unreachable, slow, throttling or failing: try again.
    Unavailable,
    /// Cognito rejected a value; `detail` holds its message.
    InvalidParameter,
    /// A step this version cannot complete yet.
    UnsupportedStep,
    /// The pool's own rules refused it (a pre sign-up trigger); `detail` says why.
    Rejected,
    /// Cross-site or otherwise refused request.
    Forbidden,
    /// The code could not be sent (email or SMS delivery failed).
    CodeDeliveryFailed,
    /// The password is one of the user's recent ones (the pool's password history).
    PasswordRecentlyUsed,
    /// The second factor asked for is not set up for this user.
    MfaNotAvailable,
    /// The pool or app client is set up in a way this request cannot work with.
    Misconfigured,
    /// Choice-based sign-in: this account has none of the sign-in methods the site offers.
    NoSignInMethod,
    /// A passkey could not be used or created (refused by Cognito, or its ceremony failed).
    PasskeyFailed,
    /// The passkey ceremony runs in the browser: it needs JavaScript.
    PasskeyNeedsJavaScript,
    /// The page is not on the passkeys' site (their relying party), so the browser refuses.
    PasskeyWrongSite,
    /// Adding a passkey needs a sign-in of the last few minutes.
    RecentSignInRequired,
    /// A pool trigger (Lambda) failed or answered something unusable.
    TriggerFailed,
    /// Another account already signs in with this email address or phone number.
    AliasExists,
    /// The app client may not change this attribute (its `WriteAttributes`).
    AttributeNotWritable,
    /// A change a browser left signed in may not make (a new email or phone number): the
    /// last sign-in is older than a few minutes.
    SignInAgain,
    /// A value was refused by the embedder's own check (see `AuthConfig::validate_sign_up`).
    InvalidValue,
    /// A form post that could not be read: fields missing, misnamed, unknown or of the wrong
    /// shape (a stale page, a hand-made post). Never returned by a server function's body.
    UnreadableForm,
    /// Anything else: a generic text plus `log_id` to find it in the server log.
    Unexpected,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 41] = [
        ErrorKind::Required,
        ErrorKind::TooLong,
        ErrorKind::InvalidUsername,
        ErrorKind::InvalidEmail,
        ErrorKind::InvalidPhone,
        ErrorKind::PasswordMismatch,
        ErrorKind::WeakPassword,
        ErrorKind::InvalidCode,
        ErrorKind::UsernameExists,
        ErrorKind::CodeMismatch,
        ErrorKind::ExpiredCode,
        ErrorKind::IncorrectCredentials,
        ErrorKind::IncorrectPassword,
        ErrorKind::UserNotFound,
        ErrorKind::UserNotConfirmed,
        ErrorKind::PasswordResetRequired,
        ErrorKind::TooManyAttempts,
        ErrorKind::RateLimited,
        ErrorKind::FlowExpired,
        ErrorKind::NotSignedIn,
        ErrorKind::Unavailable,
        ErrorKind::InvalidParameter,
        ErrorKind::UnsupportedStep,
        ErrorKind::Rejected,
        ErrorKind::Forbidden,
        ErrorKind::CodeDeliveryFailed,
        ErrorKind::PasswordRecentlyUsed,
        ErrorKind::MfaNotAvailable,
        ErrorKind::Misconfigured,
        ErrorKind::NoSignInMethod,
        ErrorKind::PasskeyFailed,
        ErrorKind::PasskeyNeedsJavaScript,
        ErrorKind::PasskeyWrongSite,
        ErrorKind::RecentSignInRequired,
        ErrorKind::TriggerFailed,
        ErrorKind::AliasExists,
        ErrorKind::AttributeNotWritable,
        ErrorKind::SignInAgain,
        ErrorKind::InvalidValue,
        ErrorKind::UnreadableForm,
        ErrorKind::Unexpected,
    ];
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppError {
    pub kind: ErrorKind,
    /// The form field at fault (its input `name`), if one is.
    pub field: Option<String>,
    /// The broken password rule, for `WeakPassword`.
    pub rule: Option<PasswordRuleKey>,
    /// Safe, non-secret extra text (Cognito's message for `InvalidParameter`; for
    /// `InvalidValue`, the message key or text the embedder's check chose).
    pub detail: Option<String>,
    /// Correlates an `Unexpected` error with a server log line.
    pub log_id: Option<String>,
    /// For `RateLimited`: seconds until another attempt is accepted.
    #[serde(default)]
    pub retry_after_secs: Option<u64>,
    /// For a too-short password: the pool's minimum length.
    #[serde(default)]
    pub minimum_length: Option<u32>,
}

/// Password rules as message keys (the browser build has no Cognito crate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PasswordRuleKey {
    MinimumLength,
    Lowercase,
    Uppercase,
    Number,
    Symbol,
}

impl AppError {
    pub fn new(kind: ErrorKind) -> Self {
        Self {
            kind,
            field: None,
            rule: None,
            detail: None,
            log_id: None,
            retry_after_secs: None,
            minimum_length: None,
        }
    }

    /// Too many attempts here; another is accepted after `secs` seconds.
    pub fn rate_limited(secs: u64) -> Self {
        Self {
            retry_after_secs: Some(secs.max(1)),
            ..Self::new(ErrorKind::RateLimited)
        }
    }

    pub fn on(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    pub fn field(kind: ErrorKind, field: &str) -> Self {
        Self::new(kind).on(field)
    }

    pub fn is_field(&self, name: &str) -> bool {
        self.field.as_deref() == Some(name)
    }

    /// A value refused by an embedder's check, with the message key (or text) to show.
    pub fn invalid_value(field: &str, message: impl Into<String>) -> Self {
        Self {
            detail: Some(message.into()),
            ..Self::field(ErrorKind::InvalidValue, field)
        }
    }

    /// Values for the `{placeholders}` of this error's text.
    pub fn placeholders(&self) -> Vec<(&'static str, String)> {
        let mut values = Vec::new();
        if let Some(secs) = self.retry_after_secs {
            values.push(("seconds", secs.to_string()));
        }
        if let Some(n) = self.minimum_length {
            values.push(("n", n.to_string()));
        }
        values
    }

    /// The message key of this error.
    pub fn message_key(&self) -> &str {
        match self.kind {
            ErrorKind::Required => "error.required",
            ErrorKind::TooLong => "error.too_long",
            ErrorKind::InvalidUsername => "error.invalid_username",
            ErrorKind::InvalidEmail => "error.invalid_email",
            ErrorKind::InvalidPhone => "error.invalid_phone",
            ErrorKind::PasswordMismatch => "error.password_mismatch",
            ErrorKind::WeakPassword => match self.rule {
                Some(PasswordRuleKey::MinimumLength) | None if self.minimum_length.is_some() => {
                    "error.password_min_length"
                }
                Some(PasswordRuleKey::MinimumLength) | None => "error.password_too_short",
                Some(PasswordRuleKey::Lowercase) => "error.password_lowercase",
                Some(PasswordRuleKey::Uppercase) => "error.password_uppercase",
                Some(PasswordRuleKey::Number) => "error.password_number",
                Some(PasswordRuleKey::Symbol) => "error.password_symbol",
            },
            ErrorKind::InvalidCode => "error.invalid_code",
            ErrorKind::UsernameExists => "error.username_exists",
            ErrorKind::CodeMismatch => "error.code_mismatch",
            ErrorKind::ExpiredCode => "error.expired_code",
            ErrorKind::IncorrectCredentials => "error.incorrect_credentials",
            ErrorKind::IncorrectPassword => "error.incorrect_password",
            ErrorKind::UserNotFound => "error.user_not_found",
            ErrorKind::UserNotConfirmed => "error.user_not_confirmed",
            ErrorKind::PasswordResetRequired => "error.password_reset_required",
            ErrorKind::TooManyAttempts => "error.too_many_attempts",
            ErrorKind::RateLimited => "error.rate_limited",
            ErrorKind::FlowExpired => "error.flow_expired",
            ErrorKind::NotSignedIn => "error.not_signed_in",
            ErrorKind::Unavailable => "error.unavailable",
            ErrorKind::InvalidParameter => "error.invalid_parameter",
            ErrorKind::UnsupportedStep => "error.unsupported_step",
            ErrorKind::Rejected => "error.rejected",
            ErrorKind::Forbidden => "error.forbidden",
            ErrorKind::CodeDeliveryFailed => "error.code_delivery_failed",
            ErrorKind::PasswordRecentlyUsed => "error.password_recently_used",
            ErrorKind::MfaNotAvailable => "error.mfa_not_available",
            ErrorKind::Misconfigured => "error.misconfigured",
            ErrorKind::NoSignInMethod => "error.no_sign_in_method",
            ErrorKind::PasskeyFailed => "error.passkey_failed",
            ErrorKind::PasskeyNeedsJavaScript => "error.passkey_needs_js",
            ErrorKind::PasskeyWrongSite => "error.passkey_wrong_site",
            ErrorKind::RecentSignInRequired => "error.recent_sign_in_required",
            ErrorKind::TriggerFailed => "error.trigger_failed",
            ErrorKind::AliasExists => "error.alias_exists",
            ErrorKind::AttributeNotWritable => "error.attribute_not_writable",
            ErrorKind::SignInAgain => "error.sign_in_again",
            ErrorKind::InvalidValue => self.detail.as_deref().unwrap_or("error.invalid_value"),
            ErrorKind::UnreadableForm => "error.unreadable_form",
            ErrorKind::Unexpected => "error.unexpected",
        }
    }
}

/// English, for logs and tests; pages show [`crate::ui::i18n::error_text`].
impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = self.message_key();
        let text = crate::ui::i18n::bundled(crate::ui::i18n::Locale::En, key).unwrap_or(key);
        let text = self
            .placeholders()
            .iter()
            .fold(text.to_owned(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            });
        f.write_str(&text)
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // Transport or encoding failures between browser and server: worth a retry.
        let kind = match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => ErrorKind::Unavailable,
            // The arguments could not be read from the post.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                ErrorKind::UnreadableForm
            }
            _ => ErrorKind::Unexpected,
        };
        Self::new(kind)
    }
}

#[cfg(feature = "ssr")]
mod from_cognito {
    use super::*;
    use cognito_idp::ErrorKind as Cognito;

    impl From<cognito_idp::policy::PasswordRule> for PasswordRuleKey {
        fn from(rule: cognito_idp::policy::PasswordRule) -> Self {
            use cognito_idp::policy::PasswordRule as R;
            match rule {
                R::MinimumLength => Self::MinimumLength,
                R::Lowercase => Self::Lowercase,
                R::Uppercase => Self::Uppercase,
                R::Number => Self::Number,
                R::Symbol => Self::Symbol,
            }
        }
    }

    /// Cognito's errors, mapped to what the user is told (the only such mapping).
    impl From<cognito_idp::Error> for AppError {
        fn from(err: cognito_idp::Error) -> Self {
            use cognito_idp::Error as E;
            let service = match &err {
                E::Service(service) => service,
                E::Unreachable(_) | E::Timeout | E::Http { .. } | E::Malformed(_) => {
                    tracing::warn!(error = %err, "Cognito unavailable");
                    return Self::new(ErrorKind::Unavailable);
                }
                E::Srp(_) | E::Protocol(_) => return unexpected(&err),
            };
            let kind = match service.kind {
                Cognito::UsernameExists => ErrorKind::UsernameExists,
                Cognito::AliasExists => ErrorKind::AliasExists,
                Cognito::InvalidPassword => ErrorKind::WeakPassword,
                Cognito::CodeMismatch | Cognito::EnableSoftwareTokenMfa => ErrorKind::CodeMismatch,
                Cognito::ExpiredCode => ErrorKind::ExpiredCode,
                Cognito::UserNotConfirmed => ErrorKind::UserNotConfirmed,
                Cognito::UserNotFound => ErrorKind::UserNotFound,
                Cognito::PasswordResetRequired => ErrorKind::PasswordResetRequired,
                Cognito::NotAuthorized if service.message.contains("session is expired") => {
                    ErrorKind::FlowExpired
                }
                Cognito::NotAuthorized if service.message == "Password attempts exceeded" => {
                    ErrorKind::TooManyAttempts
                }
                Cognito::NotAuthorized if service.message.contains("unauthorized attribute") => {
                    ErrorKind::AttributeNotWritable
                }
                Cognito::NotAuthorized => ErrorKind::IncorrectCredentials,
                Cognito::LimitExceeded | Cognito::TooManyFailedAttempts => {
                    ErrorKind::TooManyAttempts
                }
                Cognito::TooManyRequests | Cognito::InternalError => ErrorKind::Unavailable,
                Cognito::CodeDeliveryFailure => ErrorKind::CodeDeliveryFailed,
                Cognito::PasswordHistoryPolicyViolation => ErrorKind::PasswordRecentlyUsed,
                Cognito::MfaMethodNotFound | Cognito::SoftwareTokenMfaNotFound => {
                    ErrorKind::MfaNotAvailable
                }
                Cognito::InvalidUserPoolConfiguration
                | Cognito::ResourceNotFound
                | Cognito::Forbidden
                | Cognito::UnsupportedOperation
                | Cognito::UnsupportedTokenType
                | Cognito::UnknownOperation => {
                    tracing::error!(error = %err, "the pool or app client refuses this call");
                    ErrorKind::Misconfigured
                }
                Cognito::InvalidLambdaResponse | Cognito::UnexpectedLambda => {
                    tracing::error!(error = %err, "a pool trigger failed");
                    ErrorKind::TriggerFailed
                }
                Cognito::ConcurrentModification => ErrorKind::Unavailable,
                Cognito::WebAuthnOriginNotAllowed | Cognito::WebAuthnRelyingPartyMismatch => {
                    tracing::warn!(error = %err, "a passkey made on a page the relying party does not cover");
                    ErrorKind::PasskeyWrongSite
                }
                Cognito::WebAuthnChallengeNotFound
                | Cognito::WebAuthnClientMismatch
                | Cognito::WebAuthnCredentialNotSupported => ErrorKind::PasskeyFailed,
                Cognito::WebAuthnNotEnabled | Cognito::WebAuthnConfigurationMissing => {
                    tracing::error!(error = %err, "the pool is not set up for passkeys (WEB_AUTHN and a relying party id)");
                    ErrorKind::Misconfigured
                }
                Cognito::UserLambdaValidation => {
                    // "PreSignUp failed with error <why>." — the why is meant for the user.
                    let why = service
                        .message
                        .split_once(" failed with error ")
                        .map_or(service.message.as_str(), |(_, why)| why)
                        .trim_end_matches('.');
                    let mut error = Self::new(ErrorKind::Rejected);
                    error.detail = Some(why.chars().take(300).collect());
                    return error;
                }
                Cognito::InvalidParameter if service.message.contains("flow not enabled") => {
                    tracing::error!(error = %err, "the app client does not allow this sign-in flow (ALLOW_USER_AUTH for SIGN_IN_METHODS)");
                    ErrorKind::Misconfigured
                }
                Cognito::InvalidParameter => {
                    let mut error = Self::new(ErrorKind::InvalidParameter);
                    error.detail = Some(service.message.clone());
                    return error;
                }
                _ => return unexpected(&err),
            };
            Self::new(kind)
        }
    }

    fn unexpected(err: &cognito_idp::Error) -> AppError {
        let log_id = uuid_like();
        tracing::error!(%log_id, error = %err, "unexpected Cognito answer");
        let mut error = AppError::new(ErrorKind::Unexpected);
        error.log_id = Some(log_id);
        error
    }

    fn uuid_like() -> String {
        uuid::Uuid::new_v4().simple().to_string()
    }
}
