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
    /// Signed in.
    Done,
}

impl Step {
    pub const ALL: [Step; 4] = [Step::SignIn, Step::SignUp, Step::ConfirmSignUp, Step::Done];

    pub fn route(self) -> &'static str {
        match self {
            Step::SignIn => "/signin",
            Step::SignUp => "/signup",
            Step::ConfirmSignUp => "/confirm-signup",
            Step::Done => "/account",
        }
    }

    pub fn from_route(path: &str) -> Option<Step> {
        Self::ALL.into_iter().find(|step| step.route() == path)
    }

    /// Steps that belong to an in-progress flow held in the session.
    pub fn needs_flow(self) -> bool {
        matches!(self, Step::ConfirmSignUp)
    }
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
}

/// Something to tell the user on the next page they see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notice {
    CodeResent,
    SignedOut,
    SignedOutEverywhere,
    SignedOutElsewhere,
    AccountConfirmed,
    FlowExpired,
}

impl Notice {
    pub fn message_key(self) -> &'static str {
        match self {
            Notice::CodeResent => "notice.code_resent",
            Notice::SignedOut => "notice.signed_out",
            Notice::SignedOutEverywhere => "notice.signed_out_everywhere",
            Notice::SignedOutElsewhere => "notice.signed_out_elsewhere",
            Notice::AccountConfirmed => "notice.account_confirmed",
            Notice::FlowExpired => "notice.flow_expired",
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub username: String,
    pub attributes: Vec<(String, String)>,
}

/// Everything a page renders from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageState {
    pub flow: Option<FlowView>,
    pub flash: Flash,
    pub user: Option<UserView>,
    /// The app runs on the embedded local pool (codes are in the local outbox).
    pub local_pool: bool,
}

/// What a form's server function answers when it does not move to another page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub notice: Option<Notice>,
    pub delivery: Option<Delivery>,
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
    fn every_step_has_its_own_route() {
        for step in Step::ALL {
            assert_eq!(Step::from_route(step.route()), Some(step));
        }
        assert_eq!(Step::from_route("/nowhere"), None);
    }

    #[test]
    fn form_secrets_are_not_shown() {
        assert_eq!(
            format!("{:?}", FormSecret::from("hunter2")),
            "FormSecret(***)"
        );
    }
}
