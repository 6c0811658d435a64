//! Where a sign-in goes next: the one place a Cognito answer (tokens or a challenge) becomes a
//! step of the flow.

use super::session::{self, Flow};
use super::{Ctx, Next};
use crate::error::{AppError, ErrorKind};
use crate::flow::{
    percent_encode, ChallengeView, Delivery, MfaType, SignInMethod, Step, TotpSetupView,
};
use cognito_idp::{Secret, SecretMap, SignInOutcome, TokenOrSession};

/// `otpauth://totp/<issuer>:<user>?secret=…&issuer=…`, with issuer and user encoded.
pub fn otpauth_uri(issuer: &str, user: &str, secret: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{}?secret={secret}&issuer={issuer}",
        percent_encode(user)
    )
}

/// The set-up view of a TOTP secret: the URI and its QR code, drawn on the server as SVG.
pub fn totp_setup_view(issuer: &str, user: &str, secret: &str) -> Result<TotpSetupView, AppError> {
    let uri = otpauth_uri(issuer, user, secret);
    let code =
        qrcode::QrCode::new(uri.as_bytes()).map_err(|_| AppError::new(ErrorKind::Unexpected))?;
    let qr_svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(TotpSetupView {
        secret: secret.to_owned(),
        uri,
        qr_svg,
    })
}

fn json_list(parameters: &SecretMap, key: &str) -> Vec<String> {
    parameters
        .get(key)
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or_default()
}

fn mfa_list(parameters: &SecretMap, key: &str) -> Vec<MfaType> {
    json_list(parameters, key)
        .iter()
        .filter_map(|name| MfaType::from_cognito(name))
        .collect()
}

impl Ctx {
    /// Stores a challenge step and goes to its page.
    pub async fn challenge_step(
        &self,
        step: Step,
        username: String,
        session: Option<Secret>,
        delivery: Option<Delivery>,
        challenge: ChallengeView,
    ) -> Result<Next, AppError> {
        self.set_flow(&Flow {
            step,
            username,
            cognito_session: session,
            delivery,
            challenge,
            expires_at: self.now() + self.auth.config.challenge_validity_secs,
        })
        .await?;
        // Anyone can start a sign-in for any name: until it succeeds, its session lives no
        // longer than its step, so a flood of starts cannot fill the store for hours.
        let validity = self.auth.config.challenge_validity_secs + 60;
        self.session
            .set_expiry(Some(tower_sessions::Expiry::OnInactivity(
                time::Duration::seconds(validity),
            )));
        tracing::info!(event = "sign_in", step = ?step);
        Ok(Next::Go(step))
    }

    /// Starts TOTP enrolment inside a sign-in (`MFA_SETUP`).
    pub async fn start_totp_setup(
        &self,
        username: String,
        session: Secret,
    ) -> Result<Next, AppError> {
        let associated = self
            .auth
            .cognito
            .associate_software_token(TokenOrSession::Session(session))
            .await?;
        let view = totp_setup_view(
            &self.auth.config.totp_issuer,
            &username,
            associated.secret_code.expose(),
        )?;
        let challenge = ChallengeView {
            totp: Some(view),
            ..ChallengeView::default()
        };
        self.challenge_step(
            Step::ContinueSignInWithTotpSetup,
            username,
            associated.session,
            None,
            challenge,
        )
        .await
    }

    /// Asks for the address email MFA will use (`MFA_SETUP` with email).
    pub async fn start_email_setup(
        &self,
        username: String,
        session: Secret,
    ) -> Result<Next, AppError> {
        self.challenge_step(
            Step::ContinueSignInWithEmailSetup,
            username,
            Some(session),
            None,
            ChallengeView::default(),
        )
        .await
    }

    /// Turns Cognito's answer into the next step.
    pub async fn advance(&self, username: &str, outcome: SignInOutcome) -> Result<Next, AppError> {
        self.advance_with(username, outcome, ChallengeView::default())
            .await
    }

    /// [`Ctx::advance`] for choice-based sign-in: the next page keeps `base`'s login and
    /// methods (so it can lead back to the list).
    pub async fn advance_with(
        &self,
        username: &str,
        outcome: SignInOutcome,
        base: ChallengeView,
    ) -> Result<Next, AppError> {
        let (name, session, parameters, available) = match outcome {
            SignInOutcome::SignedIn(tokens) => {
                let user = self.establish(tokens, Some(username)).await?;
                tracing::info!(event = "sign_in", outcome = "signed_in");
                return Ok(self.after_sign_in(&user).await);
            }
            SignInOutcome::Challenge {
                name,
                session,
                parameters,
                available,
            } => (name, session, parameters, available),
        };
        // Later calls name the user as Cognito does (the internal username).
        let username = parameters.get("USERNAME").unwrap_or(username).to_owned();
        let delivery = || {
            Some(Delivery {
                destination: parameters.get("CODE_DELIVERY_DESTINATION")?.to_owned(),
                medium: parameters
                    .get("CODE_DELIVERY_DELIVERY_MEDIUM")
                    .unwrap_or_default()
                    .to_owned(),
            })
        };
        let mut view = ChallengeView {
            challenge_name: name.clone(),
            ..base
        };
        let (step, delivery) = match name.as_str() {
            "SELECT_CHALLENGE" => {
                view.methods = self.offered_methods(&available);
                match view.methods.as_slice() {
                    [] => return Err(AppError::new(ErrorKind::NoSignInMethod)),
                    // Nothing to choose: straight to the password.
                    [SignInMethod::Password] => (Step::ConfirmSignInWithPassword, None),
                    _ => (Step::ContinueSignInWithFirstFactorSelection, None),
                }
            }
            "NEW_PASSWORD_REQUIRED" => {
                view.required_attributes = json_list(&parameters, "requiredAttributes")
                    .into_iter()
                    .map(|a| a.trim_start_matches("userAttributes.").to_owned())
                    .collect();
                (Step::ConfirmSignInWithNewPasswordRequired, None)
            }
            "SOFTWARE_TOKEN_MFA" => (Step::ConfirmSignInWithTotpCode, None),
            "SMS_MFA" | "SMS_OTP" => (Step::ConfirmSignInWithSmsCode, delivery()),
            "EMAIL_OTP" => (Step::ConfirmSignInWithEmailCode, delivery()),
            "SELECT_MFA_TYPE" => {
                view.mfa_options = mfa_list(&parameters, "MFAS_CAN_CHOOSE");
                (Step::ContinueSignInWithMfaSelection, None)
            }
            "MFA_SETUP" => {
                view.mfa_options = mfa_list(&parameters, "MFAS_CAN_SETUP");
                let session = session.ok_or_else(|| AppError::new(ErrorKind::FlowExpired))?;
                if view.mfa_options == [MfaType::Totp] {
                    return self.start_totp_setup(username, session).await;
                }
                if view.mfa_options == [MfaType::Email] {
                    return self.start_email_setup(username, session).await;
                }
                return self
                    .challenge_step(
                        Step::ContinueSignInWithMfaSetupSelection,
                        username,
                        Some(session),
                        None,
                        view,
                    )
                    .await;
            }
            "CUSTOM_CHALLENGE" => {
                view.parameters = parameters
                    .iter()
                    .filter(|(k, _)| k.as_str() != "USERNAME")
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                (Step::ConfirmSignInWithCustomChallenge, None)
            }
            other => {
                tracing::warn!(event = "sign_in", challenge = %other, "next step not supported");
                return Err(AppError::new(ErrorKind::UnsupportedStep));
            }
        };
        self.challenge_step(step, username, session, delivery, view)
            .await
    }

    /// The site's sign-in methods Cognito offers this user (its `AvailableChallenges`), in
    /// the site's order.
    pub fn offered_methods(&self, available: &[String]) -> Vec<SignInMethod> {
        self.auth
            .config
            .sign_in_methods
            .iter()
            .copied()
            .filter(|method| {
                available
                    .iter()
                    .any(|name| SignInMethod::from_cognito(name) == Some(*method))
            })
            .collect()
    }

    /// Signed in: "Sign in faster with a passkey", where the site offers passkeys and its
    /// prompt setting says so, else the account page (or where the visitor was going).
    pub async fn offer_passkey(&self, user: &session::SignedIn) -> Next {
        use crate::server::config::PasskeyPrompt;
        let config = &self.auth.config;
        if !config.offers_passkeys() || user.passkey_prompt_dismissed || self.at_ip_address() {
            return Next::Go(Step::Done);
        }
        let wanted = match config.passkey_prompt {
            PasskeyPrompt::Never => false,
            PasskeyPrompt::Always => true,
            PasskeyPrompt::WhenNone => self
                .auth
                .cognito
                .list_web_authn_credentials(&user.access_token)
                .await
                .is_ok_and(|list| list.is_empty()),
        };
        if !wanted {
            return Next::Go(Step::Done);
        }
        let flow = Flow {
            step: Step::PasskeyPrompt,
            username: user.username.clone(),
            cognito_session: None,
            delivery: None,
            challenge: ChallengeView::default(),
            expires_at: self.now() + config.flow_validity_secs,
        };
        match self.set_flow(&flow).await {
            Ok(()) => Next::Go(Step::PasskeyPrompt),
            Err(_) => Next::Go(Step::Done),
        }
    }

    /// Whether the page was asked for at an IP address (`Host: 127.0.0.1:3000`), where no
    /// passkey can work: a relying party is a domain name.
    fn at_ip_address(&self) -> bool {
        let Some(parts) = leptos::prelude::use_context::<axum::http::request::Parts>() else {
            return false;
        };
        let host = parts
            .headers
            .get(axum::http::header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let name = host
            .strip_prefix('[')
            .and_then(|h| h.split(']').next())
            .unwrap_or_else(|| host.rsplit_once(':').map_or(host, |(name, _)| name));
        name.parse::<std::net::IpAddr>().is_ok()
    }

    /// Signed in: offer to verify a contact if none is, else the account page.
    async fn after_sign_in(&self, user: &session::SignedIn) -> Next {
        let has = |name: &str| user.attribute(name).is_some();
        let verified = |name: &str| user.is_verified(name);
        let unverified: Vec<String> = ["email", "phone_number"]
            .into_iter()
            .filter(|a| has(a))
            .map(str::to_owned)
            .collect();
        if verified("email") || verified("phone_number") || unverified.is_empty() {
            return self.offer_passkey(user).await;
        }
        let flow = Flow {
            step: Step::VerifyAttribute,
            username: user.username.clone(),
            cognito_session: None,
            delivery: None,
            challenge: ChallengeView {
                attributes: unverified,
                ..ChallengeView::default()
            },
            expires_at: self.now() + self.auth.config.flow_validity_secs,
        };
        match self.set_flow(&flow).await {
            Ok(()) => Next::Go(Step::VerifyAttribute),
            Err(_) => Next::Go(Step::Done),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otpauth_uris_are_encoded() {
        assert_eq!(
            otpauth_uri("Acme Corp", "zoë@example.com", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/Acme%20Corp:zo%C3%AB%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme%20Corp"
        );
    }

    #[test]
    fn the_qr_code_is_an_svg_of_the_uri() {
        let view = totp_setup_view("Acme", "alice", "JBSWY3DPEHPK3PXP").unwrap();
        assert!(view.qr_svg.contains("<svg"));
        assert!(!view.qr_svg.contains("<script"));
        assert_eq!(
            view.uri,
            "otpauth://totp/Acme:alice?secret=JBSWY3DPEHPK3PXP&issuer=Acme"
        );
    }
}
