//! One module per step: its screen, its server functions, and server-only helpers.

pub mod account;
pub mod confirm_link;
pub mod confirm_sign_in;
pub mod confirm_sign_up;
pub mod delete_account;
pub mod devices;
pub mod forgot_password;
pub mod new_password;
pub mod passkey;
pub mod profile;
pub mod reset_password;
pub mod select_mfa;
pub mod setup_email;
pub mod setup_totp;
pub mod sign_in;
pub mod sign_in_methods;
pub mod sign_in_password;
pub mod sign_up;
pub mod verify_attribute;

#[cfg(feature = "ssr")]
use crate::flow::Step;

/// Every form's server function: its path, the step whose page shows its outcome, and the
/// inputs it reads (besides `extra[…]`, where embedders' own inputs go). A post that names
/// anything else, or lacks what the function needs, is answered on that page with a clear
/// error (`server::forms`).
#[cfg(feature = "ssr")]
pub const FORMS: &[(&str, Step, &[&str])] = &[
    (
        "/api/sign_in",
        Step::SignIn,
        &["username", "password", "return_to", "dial_code", "inline"],
    ),
    (
        "/api/confirm_link",
        Step::SignIn,
        &["user_name", "confirmation_code"],
    ),
    (
        "/api/sign_up",
        Step::SignUp,
        &[
            "username",
            "password",
            "confirm_password",
            "email",
            "dial_code",
            "phone_number",
            "attributes",
            "login_mechanism",
            "inline",
        ],
    ),
    (
        "/api/choose_sign_in_method",
        Step::ContinueSignInWithFirstFactorSelection,
        &["method"],
    ),
    (
        "/api/show_sign_in_methods",
        Step::ContinueSignInWithFirstFactorSelection,
        &[],
    ),
    (
        "/api/resend_sign_in_code",
        Step::ConfirmSignInWithEmailCode,
        &[],
    ),
    (
        "/api/sign_in_with_password",
        Step::ConfirmSignInWithPassword,
        &["password"],
    ),
    ("/api/confirm_sign_up", Step::ConfirmSignUp, &["code"]),
    ("/api/resend_sign_up_code", Step::ConfirmSignUp, &[]),
    (
        "/api/confirm_new_password",
        Step::ConfirmSignInWithNewPasswordRequired,
        &["password", "confirm_password", "attributes", "dial_code"],
    ),
    (
        "/api/confirm_sign_in",
        Step::ConfirmSignInWithTotpCode,
        &["code", "remember_device"],
    ),
    (
        "/api/verify_totp_setup",
        Step::ContinueSignInWithTotpSetup,
        &["code"],
    ),
    (
        "/api/setup_email",
        Step::ContinueSignInWithEmailSetup,
        &["email"],
    ),
    (
        "/api/select_mfa",
        Step::ContinueSignInWithMfaSelection,
        &["mfa_type"],
    ),
    (
        "/api/forgot_password",
        Step::ResetPassword,
        &["username", "dial_code", "inline"],
    ),
    (
        "/api/reset_password",
        Step::ConfirmResetPasswordWithCode,
        &["code", "password", "confirm_password"],
    ),
    (
        "/api/resend_reset_code",
        Step::ConfirmResetPasswordWithCode,
        &[],
    ),
    (
        "/api/send_verification_code",
        Step::VerifyAttribute,
        &["attribute"],
    ),
    ("/api/verify_attribute", Step::VerifyAttribute, &["code"]),
    ("/api/skip_verification", Step::VerifyAttribute, &[]),
    (
        "/api/passkey_sign_in_options",
        Step::ContinueSignInWithFirstFactorSelection,
        &[],
    ),
    (
        "/api/passkey_sign_in",
        Step::ContinueSignInWithFirstFactorSelection,
        &["credential"],
    ),
    ("/api/passkey_registration_options", Step::Done, &[]),
    ("/api/passkey_register", Step::Done, &["credential", "page"]),
    ("/api/skip_passkey", Step::PasskeyPrompt, &[]),
    ("/api/delete_passkey", Step::Done, &["credential_id"]),
    ("/api/sign_out", Step::Done, &[]),
    ("/api/sign_out_everywhere", Step::Done, &[]),
    ("/api/start_totp_setup", Step::Done, &[]),
    ("/api/finish_totp_setup", Step::Done, &["totp_code"]),
    ("/api/set_mfa", Step::Done, &["mfa_type", "enabled"]),
    ("/api/set_preferred_mfa", Step::Done, &["mfa_type"]),
    (
        "/api/change_password",
        Step::Done,
        &[
            "current_password",
            "password",
            "confirm_password",
            "sign_out_others",
        ],
    ),
    (
        "/api/change_contact",
        Step::Done,
        &["attribute", "email", "phone_number", "dial_code"],
    ),
    ("/api/send_contact_code", Step::Done, &["attribute"]),
    ("/api/confirm_contact", Step::Done, &["contact_code"]),
    ("/api/cancel_contact_change", Step::Done, &[]),
    ("/api/save_profile", Step::Done, &["attributes"]),
    ("/api/forget_device", Step::Done, &["device_key"]),
    ("/api/send_deletion_code", Step::Done, &[]),
    (
        "/api/delete_account",
        Step::Done,
        &["delete_password", "delete_code"],
    ),
];
