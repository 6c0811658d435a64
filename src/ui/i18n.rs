//! Message keys and their English text. Every visible string goes through [`t`].

/// The text of a message key; an unknown key is shown as itself, so a gap is visible.
pub fn t(key: &'static str) -> &'static str {
    english(key).unwrap_or(key)
}

fn english(key: &str) -> Option<&'static str> {
    Some(match key {
        "app.title" => "Account",
        "tab.sign_in" => "Sign In",
        "tab.create_account" => "Create Account",
        "tab.list" => "Sign in or create an account",
        "field.username" => "Username",
        "field.password" => "Password",
        "field.confirm_password" => "Confirm Password",
        "field.email" => "Email",
        "field.phone_number" => "Phone Number",
        "field.country_code" => "Country code",
        "field.confirmation_code" => "Confirmation Code",
        "placeholder.username" => "Enter your Username",
        "placeholder.password" => "Enter your Password",
        "placeholder.confirm_password" => "Please confirm your Password",
        "placeholder.email" => "Enter your Email",
        "placeholder.phone_number" => "Enter your Phone Number",
        "placeholder.confirmation_code" => "Enter your code",
        "button.sign_in" => "Sign in",
        "button.create_account" => "Create Account",
        "button.confirm" => "Confirm",
        "button.resend_code" => "Resend Code",
        "button.sign_out" => "Sign out",
        "button.sign_out_everywhere" => "Sign out everywhere",
        "button.show_password" => "Show password",
        "link.back_to_sign_in" => "Back to Sign In",
        "signin.heading" => "Sign in to your account",
        "signup.heading" => "Create a new account",
        "signup.phone_hint" => "Optional. Used for text-message codes.",
        "confirm.heading" => "We Emailed You",
        "confirm.heading_sms" => "We Texted You",
        "confirm.sent_to" => "Your code is on its way. To log in, enter the code we sent to",
        "confirm.sent_generic" => "Your code is on its way. Enter the code we sent you.",
        "confirm.code_hint" => "It may take a minute to arrive.",
        "account.heading" => "Your account",
        "account.signed_in_as" => "Signed in as",
        "account.attributes" => "Attributes",
        "attribute.email_verified" => "Email verified",
        "attribute.phone_number_verified" => "Phone number verified",
        "attribute.name" => "Name",
        "attribute.given_name" => "Given name",
        "attribute.family_name" => "Family name",
        "account.sign_out_hint" => "Sign out ends this browser's session. Sign out everywhere also ends your sessions on every other device.",
        "local.outbox_hint" => "Running on the local user pool: codes appear in the",
        "local.outbox_link" => "local outbox",
        "notice.code_resent" => "A new code is on its way.",
        "notice.signed_out" => "You have signed out.",
        "notice.signed_out_everywhere" => "You have signed out on every device.",
        "notice.signed_out_elsewhere" => "Your session ended because you signed out on another device. Please sign in again.",
        "notice.account_confirmed" => "Your account is confirmed. Please sign in.",
        "notice.flow_expired" => "Your sign-in session expired. Please start again.",
        "error.required" => "This field is required.",
        "error.too_long" => "This value is too long.",
        "error.invalid_username" => "Usernames cannot contain spaces.",
        "error.invalid_email" => "Enter a valid email address, like name@example.com.",
        "error.invalid_phone" => "Enter a valid phone number: digits only, with the country code selected.",
        "error.password_mismatch" => "Your passwords must match.",
        "error.password_too_short" => "Password must be at least 8 characters long.",
        "error.password_lowercase" => "Password must contain a lowercase letter.",
        "error.password_uppercase" => "Password must contain an uppercase letter.",
        "error.password_number" => "Password must contain a number.",
        "error.password_symbol" => "Password must contain a special character.",
        "error.invalid_code" => "Enter the 6-digit code.",
        "error.username_exists" => "An account with this username already exists.",
        "error.code_mismatch" => "Invalid verification code provided, please try again.",
        "error.expired_code" => "This code has expired. Select Resend Code to get a new one.",
        "error.incorrect_credentials" => "Incorrect username or password.",
        "error.user_not_found" => "User does not exist.",
        "error.user_not_confirmed" => "Your account is not confirmed yet.",
        "error.password_reset_required" => "You need to reset your password before signing in.",
        "error.too_many_attempts" => "Too many attempts. Please wait a while and try again.",
        "error.flow_expired" => "Your sign-in session expired. Please start again.",
        "error.not_signed_in" => "Please sign in first.",
        "error.unavailable" => "The sign-in service is not responding right now. Please try again in a moment.",
        "error.invalid_parameter" => "Some of the information you entered was not accepted.",
        "error.unsupported_step" => "This sign-in step is not supported yet. Please contact the site's administrator.",
        "error.forbidden" => "This request was refused.",
        "error.unexpected" => "Something went wrong. Please try again.",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{AppError, ErrorKind};
    use crate::flow::Notice;

    #[test]
    fn every_error_and_notice_has_text() {
        let kinds = [
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
            ErrorKind::UserNotFound,
            ErrorKind::UserNotConfirmed,
            ErrorKind::PasswordResetRequired,
            ErrorKind::TooManyAttempts,
            ErrorKind::FlowExpired,
            ErrorKind::NotSignedIn,
            ErrorKind::Unavailable,
            ErrorKind::InvalidParameter,
            ErrorKind::UnsupportedStep,
            ErrorKind::Forbidden,
            ErrorKind::Unexpected,
        ];
        for kind in kinds {
            let key = AppError::new(kind).message_key();
            assert!(english(key).is_some(), "no text for {key}");
        }
        for notice in [
            Notice::CodeResent,
            Notice::SignedOut,
            Notice::SignedOutEverywhere,
            Notice::SignedOutElsewhere,
            Notice::AccountConfirmed,
            Notice::FlowExpired,
        ] {
            assert!(english(notice.message_key()).is_some());
        }
    }
}
