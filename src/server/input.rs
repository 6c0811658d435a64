//! Checks on what people type, before anything is sent to Cognito. Each failure names its field.

use crate::error::{AppError, ErrorKind};
use crate::flow::FormSecret;
use cognito_idp::policy::PasswordPolicy;

/// Cognito's limits.
const MAX_USERNAME: usize = 128;
const MAX_PASSWORD: usize = 256;
const MAX_ATTRIBUTE: usize = 2048;

pub fn username(value: &str) -> Result<String, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::field(ErrorKind::Required, "username"));
    }
    if value.chars().count() > MAX_USERNAME {
        return Err(AppError::field(ErrorKind::TooLong, "username"));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(AppError::field(ErrorKind::InvalidUsername, "username"));
    }
    Ok(value.to_owned())
}

/// What a form's typed values keep to show again after an error: each cut to its field's
/// limit, names cut too, and at most a few kB in all, so a visitor cannot park data in the
/// session store.
pub fn redisplayed_values(values: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    const BUDGET: usize = 4096;
    let mut kept = std::collections::BTreeMap::new();
    let mut used = 0;
    for (name, value) in values {
        let name: String = name.chars().take(64).collect();
        let value = redisplayed(&name, value);
        used += name.len() + value.len();
        if used > BUDGET {
            break;
        }
        kept.insert(name, value);
    }
    kept
}

fn redisplayed(field: &str, value: &str) -> String {
    let limit = match field {
        "username" => MAX_USERNAME,
        "dial_code" => 8,
        _ => MAX_ATTRIBUTE,
    };
    value.chars().take(limit).collect()
}

/// The name an attempt limit counts under: one key for the ways people type one account
/// (case, spaces, a phone number's punctuation), so `(555) 945-1140` and `5559451140` share it.
pub fn limit_key(value: &str) -> String {
    let value = value.trim().to_lowercase();
    let digits: String = value
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    let phone_like = !digits.is_empty()
        && digits
            .strip_prefix('+')
            .unwrap_or(&digits)
            .chars()
            .all(|c| c.is_ascii_digit());
    if phone_like {
        digits
    } else {
        value
    }
}

/// What a sign-in's username field names: the E.164 number when it was typed with a calling
/// code, else the username as typed (trimmed).
pub fn login(username: &str, dial_code: &str) -> Result<String, AppError> {
    if dial_code.is_empty() {
        self::username(username)
    } else {
        phone_username(dial_code, username)
    }
}

/// A password being used (sign-in): present and not absurdly long.
pub fn password(value: &FormSecret, field: &str) -> Result<(), AppError> {
    if value.expose().is_empty() {
        return Err(AppError::field(ErrorKind::Required, field));
    }
    if value.expose().chars().count() > MAX_PASSWORD {
        return Err(AppError::field(ErrorKind::TooLong, field));
    }
    Ok(())
}

/// The pool's policy as the pages show it; the same rules are checked here and in the browser.
pub fn password_rules(policy: &PasswordPolicy) -> crate::flow::PasswordRules {
    crate::flow::PasswordRules {
        minimum_length: u32::try_from(policy.minimum_length).unwrap_or(u32::MAX),
        lowercase: policy.require_lowercase,
        uppercase: policy.require_uppercase,
        number: policy.require_numbers,
        symbol: policy.require_symbols,
    }
}

/// A password being chosen: the policy, then the confirmation.
pub fn new_password(
    value: &FormSecret,
    confirmation: &FormSecret,
    policy: &PasswordPolicy,
) -> Result<(), AppError> {
    password(value, "password")?;
    let rules = password_rules(policy);
    if let Some(rule) = rules.first_broken(value.expose()) {
        let mut error = AppError::field(ErrorKind::WeakPassword, "password");
        error.rule = Some(rule);
        error.minimum_length = Some(rules.minimum_length);
        return Err(error);
    }
    if confirmation.expose().is_empty() {
        return Err(AppError::field(ErrorKind::Required, "confirm_password"));
    }
    if value != confirmation {
        return Err(AppError::field(
            ErrorKind::PasswordMismatch,
            "confirm_password",
        ));
    }
    Ok(())
}

pub fn email(value: &str) -> Result<String, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::field(ErrorKind::Required, "email"));
    }
    if value.chars().count() > MAX_ATTRIBUTE {
        return Err(AppError::field(ErrorKind::TooLong, "email"));
    }
    if !local_pool::pool::is_valid_email(value) {
        return Err(AppError::field(ErrorKind::InvalidEmail, "email"));
    }
    Ok(value.to_lowercase())
}

/// The calling code and national number as E.164 (`+15555550123`); `None` when left empty.
pub fn phone(dial_code: &str, number: &str) -> Result<Option<String>, AppError> {
    let number: String = number
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    if number.is_empty() {
        return Ok(None);
    }
    let invalid = || AppError::field(ErrorKind::InvalidPhone, "phone_number");
    let dial = dial_code.trim();
    let national = match number.strip_prefix('+') {
        // A full international number typed into the field wins over the select.
        Some(full) => return check_e164(format!("+{full}")).map(Some),
        None => number,
    };
    if !dial.starts_with('+') || !dial[1..].chars().all(|c| c.is_ascii_digit()) || dial.len() < 2 {
        return Err(invalid());
    }
    if !national.chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid());
    }
    let national = national.trim_start_matches('0');
    check_e164(format!("{dial}{national}")).map(Some)
}

/// A phone number typed as the username (with its calling code): the E.164 username.
pub fn phone_username(dial_code: &str, number: &str) -> Result<String, AppError> {
    phone(dial_code, number)
        .map_err(|e| e.on("username"))?
        .ok_or_else(|| AppError::field(ErrorKind::Required, "username"))
}

fn check_e164(value: String) -> Result<String, AppError> {
    if local_pool::pool::is_valid_phone(&value) {
        Ok(value)
    } else {
        Err(AppError::field(ErrorKind::InvalidPhone, "phone_number"))
    }
}

/// A six-digit confirmation code (spaces people type around it are dropped).
pub fn code(value: &FormSecret) -> Result<String, AppError> {
    let code: String = value
        .expose()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if code.is_empty() {
        return Err(AppError::field(ErrorKind::Required, "code"));
    }
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::field(ErrorKind::InvalidCode, "code"));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(username("  alice ").unwrap(), "alice");
        assert_eq!(username("").unwrap_err().kind, ErrorKind::Required);
        assert_eq!(
            username("a b").unwrap_err().kind,
            ErrorKind::InvalidUsername
        );
        assert_eq!(
            username(&"x".repeat(129)).unwrap_err().kind,
            ErrorKind::TooLong
        );
    }

    #[test]
    fn phones_become_e164() {
        assert_eq!(
            phone("+1", "(555) 555-0123").unwrap().as_deref(),
            Some("+15555550123")
        );
        assert_eq!(
            phone("+44", "07700 900123").unwrap().as_deref(),
            Some("+447700900123")
        );
        assert_eq!(
            phone("+1", "+33612345678").unwrap().as_deref(),
            Some("+33612345678")
        );
        assert_eq!(phone("+1", "").unwrap(), None);
        assert_eq!(
            phone("+1", "12ab").unwrap_err().kind,
            ErrorKind::InvalidPhone
        );
        assert_eq!(
            phone("+1", "1234567890123456").unwrap_err().kind,
            ErrorKind::InvalidPhone
        );
        assert_eq!(
            phone("1", "5555550123").unwrap_err().kind,
            ErrorKind::InvalidPhone
        );
    }

    #[test]
    fn passwords() {
        let policy = PasswordPolicy::default();
        let ok = FormSecret::from("Corr3ct-horse!");
        assert!(new_password(&ok, &ok, &policy).is_ok());
        let weak = FormSecret::from("short");
        let err = new_password(&weak, &weak, &policy).unwrap_err();
        assert_eq!(
            (err.kind, err.rule),
            (
                ErrorKind::WeakPassword,
                Some(crate::error::PasswordRuleKey::MinimumLength)
            )
        );
        let err = new_password(&ok, &FormSecret::from("Corr3ct-horse?"), &policy).unwrap_err();
        assert_eq!(
            (err.kind, err.field.as_deref()),
            (ErrorKind::PasswordMismatch, Some("confirm_password"))
        );
    }

    #[test]
    fn codes_and_emails() {
        assert_eq!(code(&FormSecret::from(" 123 456 ")).unwrap(), "123456");
        assert_eq!(
            code(&FormSecret::from("12345")).unwrap_err().kind,
            ErrorKind::InvalidCode
        );
        assert_eq!(email(" Alice@Example.com ").unwrap(), "alice@example.com");
        assert_eq!(email("alice@").unwrap_err().kind, ErrorKind::InvalidEmail);
    }
}
