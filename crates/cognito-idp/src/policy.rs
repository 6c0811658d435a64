//! Cognito's password policy (`PasswordPolicyType`), checked by the pool and, before any call,
//! by the app.

use serde::{Deserialize, Serialize};

/// The special characters Cognito counts as symbols.
pub const PASSWORD_SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordPolicy {
    pub minimum_length: usize,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
}

/// Cognito's default policy.
impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
        }
    }
}

/// One rule of the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordRule {
    MinimumLength,
    Lowercase,
    Uppercase,
    Number,
    Symbol,
}

impl PasswordRule {
    /// Cognito's wording of the broken rule.
    pub fn cognito_message(self) -> &'static str {
        match self {
            Self::MinimumLength => "Password not long enough",
            Self::Lowercase => "Password must have lowercase characters",
            Self::Uppercase => "Password must have uppercase characters",
            Self::Number => "Password must have numeric characters",
            Self::Symbol => "Password must have symbol characters",
        }
    }
}

impl PasswordPolicy {
    /// The first rule `password` breaks.
    pub fn violation(&self, password: &str) -> Option<PasswordRule> {
        if password.chars().count() < self.minimum_length {
            Some(PasswordRule::MinimumLength)
        } else if self.require_lowercase && !password.chars().any(char::is_lowercase) {
            Some(PasswordRule::Lowercase)
        } else if self.require_uppercase && !password.chars().any(char::is_uppercase) {
            Some(PasswordRule::Uppercase)
        } else if self.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
            Some(PasswordRule::Number)
        } else if self.require_symbols && !password.chars().any(|c| PASSWORD_SYMBOLS.contains(c)) {
            Some(PasswordRule::Symbol)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_first_broken_rule() {
        let policy = PasswordPolicy::default();
        assert_eq!(policy.violation("Ab1!"), Some(PasswordRule::MinimumLength));
        assert_eq!(policy.violation("ABCDEFG1!"), Some(PasswordRule::Lowercase));
        assert_eq!(policy.violation("abcdefg1!"), Some(PasswordRule::Uppercase));
        assert_eq!(policy.violation("Abcdefgh!"), Some(PasswordRule::Number));
        assert_eq!(policy.violation("Abcdefgh1"), Some(PasswordRule::Symbol));
        assert_eq!(policy.violation("Abcdefg1!"), None);
        let lax = PasswordPolicy {
            minimum_length: 6,
            require_uppercase: false,
            require_lowercase: false,
            require_numbers: false,
            require_symbols: false,
        };
        assert_eq!(lax.violation("aaaaaa"), None);
    }
}
