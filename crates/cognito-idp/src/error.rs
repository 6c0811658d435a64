//! Cognito's error `__type` names, mapped to a typed kind in exactly one place.

use std::fmt;

macro_rules! error_kinds {
    ($($kind:ident => $type_name:literal),+ $(,)?) => {
        /// The service errors this project distinguishes. `Other` keeps any name we do not model.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorKind {
            $($kind,)+
            Other(String),
        }

        impl ErrorKind {
            /// Parses an error code (`__type`, `x-amzn-ErrorType`), tolerating the
            /// `Name:uri` and `namespace#Name` forms that AWS JSON clients accept.
            pub fn from_code(code: &str) -> Self {
                let code = code.split(':').next().unwrap_or(code);
                let code = code.rsplit('#').next().unwrap_or(code);
                match code {
                    $($type_name => Self::$kind,)+
                    other => Self::Other(other.to_owned()),
                }
            }

            /// The `__type` name Cognito uses on the wire.
            pub fn type_name(&self) -> &str {
                match self {
                    $(Self::$kind => $type_name,)+
                    Self::Other(name) => name,
                }
            }
        }
    };
}

error_kinds! {
    AliasExists => "AliasExistsException",
    CodeDeliveryFailure => "CodeDeliveryFailureException",
    CodeMismatch => "CodeMismatchException",
    ConcurrentModification => "ConcurrentModificationException",
    DeviceKeyExists => "DeviceKeyExistsException",
    EnableSoftwareTokenMfa => "EnableSoftwareTokenMFAException",
    ExpiredCode => "ExpiredCodeException",
    Forbidden => "ForbiddenException",
    InternalError => "InternalErrorException",
    DuplicateProvider => "DuplicateProviderException",
    InvalidLambdaResponse => "InvalidLambdaResponseException",
    InvalidOAuthFlow => "InvalidOAuthFlowException",
    InvalidParameter => "InvalidParameterException",
    InvalidPassword => "InvalidPasswordException",
    InvalidUserPoolConfiguration => "InvalidUserPoolConfigurationException",
    LimitExceeded => "LimitExceededException",
    MfaMethodNotFound => "MFAMethodNotFoundException",
    NotAuthorized => "NotAuthorizedException",
    PasswordHistoryPolicyViolation => "PasswordHistoryPolicyViolationException",
    PasswordResetRequired => "PasswordResetRequiredException",
    RefreshTokenReuse => "RefreshTokenReuseException",
    ResourceNotFound => "ResourceNotFoundException",
    SoftwareTokenMfaNotFound => "SoftwareTokenMFANotFoundException",
    TooManyFailedAttempts => "TooManyFailedAttemptsException",
    TooManyRequests => "TooManyRequestsException",
    UnsupportedIdentityProvider => "UnsupportedIdentityProviderException",
    UnexpectedLambda => "UnexpectedLambdaException",
    UnknownOperation => "UnknownOperationException",
    UnsupportedOperation => "UnsupportedOperationException",
    UnsupportedTokenType => "UnsupportedTokenTypeException",
    UserLambdaValidation => "UserLambdaValidationException",
    UserNotConfirmed => "UserNotConfirmedException",
    UserNotFound => "UserNotFoundException",
    UsernameExists => "UsernameExistsException",
    WebAuthnChallengeNotFound => "WebAuthnChallengeNotFoundException",
    WebAuthnClientMismatch => "WebAuthnClientMismatchException",
    WebAuthnConfigurationMissing => "WebAuthnConfigurationMissingException",
    WebAuthnCredentialNotSupported => "WebAuthnCredentialNotSupportedException",
    WebAuthnNotEnabled => "WebAuthnNotEnabledException",
    WebAuthnOriginNotAllowed => "WebAuthnOriginNotAllowedException",
    WebAuthnRelyingPartyMismatch => "WebAuthnRelyingPartyMismatchException",
}

impl ErrorKind {
    /// HTTP status Cognito answers with: client errors 400 (403 for a refused or unsigned IAM
    /// call), internal errors 500.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::InternalError => 500,
            // AWS's own answers to calls that lack the right to be made at all.
            Self::Other(name)
                if name == "MissingAuthenticationTokenException"
                    || name == "AccessDeniedException" =>
            {
                403
            }
            _ => 400,
        }
    }

    /// Errors worth retrying unchanged (throttling and server faults).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::TooManyRequests | Self::InternalError)
    }
}

/// An error answered by Cognito (or the local pool): its kind and human message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ServiceError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.type_name(), self.message)
    }
}

/// Everything a call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Cognito answered {0}")]
    Service(ServiceError),
    #[error("Cognito could not be reached: {0}")]
    Unreachable(String),
    #[error("Cognito did not answer in time")]
    Timeout,
    #[error("Cognito answered HTTP {status} without a recognisable error")]
    Http { status: u16 },
    #[error("Cognito's answer could not be read: {0}")]
    Malformed(String),
    #[error("SRP failed: {0}")]
    Srp(#[from] crate::srp::SrpError),
    #[error("unexpected answer: {0}")]
    Protocol(String),
}

impl Error {
    /// The service error kind, if Cognito answered with one.
    pub fn kind(&self) -> Option<&ErrorKind> {
        match self {
            Self::Service(e) => Some(&e.kind),
            _ => None,
        }
    }

    /// True for faults worth retrying an idempotent call for.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Service(e) => e.kind.is_retryable(),
            Self::Unreachable(_) | Self::Timeout => true,
            Self::Http { status } => *status >= 500,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_code_forms() {
        assert_eq!(
            ErrorKind::from_code("NotAuthorizedException"),
            ErrorKind::NotAuthorized
        );
        assert_eq!(
            ErrorKind::from_code("NotAuthorizedException:"),
            ErrorKind::NotAuthorized
        );
        assert_eq!(
            ErrorKind::from_code("com.amazonaws#CodeMismatchException"),
            ErrorKind::CodeMismatch
        );
        assert_eq!(
            ErrorKind::from_code("SomethingNewException"),
            ErrorKind::Other("SomethingNewException".into())
        );
    }

    #[test]
    fn type_name_round_trips() {
        for kind in [
            ErrorKind::UsernameExists,
            ErrorKind::InvalidPassword,
            ErrorKind::ExpiredCode,
            ErrorKind::LimitExceeded,
        ] {
            assert_eq!(ErrorKind::from_code(kind.type_name()), kind);
        }
    }
}
