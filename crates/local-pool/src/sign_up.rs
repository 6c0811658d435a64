//! Sign-up: `SignUp` (with a password, or without one where a code can be the first factor),
//! `ConfirmSignUp` by code or link, `ResendConfirmationCode`, and the limits on sending codes.

use crate::pool::{
    check_attribute, fault, is_valid_email, is_valid_phone, LocalPool, OpResult, SIGNUP_CODE,
};
use crate::store::{UserRecord, UserStatus};
use cognito_idp::error::ErrorKind;
use cognito_idp::wire::*;
use cognito_idp::Secret;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

impl LocalPool {
    /// Creates a sign-up code and "sends" it; `None` when the user has nowhere to receive it.
    pub(crate) async fn send_signup_code(
        &self,
        user: &UserRecord,
        client_id: &str,
    ) -> OpResult<Option<CodeDeliveryDetails>> {
        let Some((medium, attribute, destination)) = self.delivery_channel(user) else {
            return Ok(None);
        };
        let code = self.new_code(&user.username);
        let expires = self.now() + self.cfg().signup_code_validity_secs;
        self.inner
            .store
            .put_code(&user.username, SIGNUP_CODE, &code, expires)
            .await?;
        let config = self.cfg();
        let link = match (config.verification, &config.link_base_url) {
            (crate::config::Verification::Link, Some(base)) => reqwest::Url::parse_with_params(
                base,
                [
                    ("client_id", client_id),
                    ("user_name", user.username.as_str()),
                    ("confirmation_code", code.as_str()),
                ],
            )
            .ok()
            .map(String::from),
            _ => None,
        };
        let message = match &link {
            Some(link) => format!("Verify your account by opening this link: {link}"),
            None => {
                self.custom_message(
                    user,
                    "CustomMessage_SignUp",
                    &code,
                    format!("Your confirmation code is {code}"),
                )
                .await?
            }
        };
        self.send_message_with_link(
            &user.username,
            medium,
            &destination,
            "CONFIRM_SIGN_UP",
            Some(&code),
            link,
            message,
        )
        .await?;
        Ok(Some(Self::details(medium, attribute, &destination)))
    }

    pub async fn sign_up(&self, req: SignUpRequest) -> OpResult<SignUpResponse> {
        self.check_client(
            &req.client_id,
            req.secret_hash.as_ref().map(Secret::expose),
            &req.username,
        )?;
        let config = self.cfg();
        let login = req.username.trim();
        if login.is_empty() || login.chars().count() > 128 || login.chars().any(char::is_whitespace)
        {
            return Err(fault(ErrorKind::InvalidParameter, "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"));
        }
        // Without a password only where a one-time code can be the first factor (checked once
        // the attributes are known).
        let password = req.password.as_ref().filter(|p| !p.expose().is_empty());
        if let Some(password) = password {
            self.check_password_shape(password.expose())?;
        }

        let mut attributes = BTreeMap::new();
        for attr in &req.user_attributes {
            let value = attr.value.clone().unwrap_or_default();
            if attr.name.ends_with("_verified") || attr.name == "sub" || attr.name == "identities" {
                continue;
            }
            attributes.insert(attr.name.clone(), value);
        }
        let mut username = login.to_owned();
        if !config.username_attributes.is_empty() {
            let alias = if config.signs_in_with("email") && login.contains('@') {
                "email"
            } else if config.signs_in_with("phone_number") && login.starts_with('+') {
                "phone_number"
            } else {
                return Err(fault(
                    ErrorKind::InvalidParameter,
                    "Username should be either an email or a phone number.",
                ));
            };
            let value = if alias == "email" {
                login.to_lowercase()
            } else {
                login.to_owned()
            };
            // Federated users' emails are their providers' claims, which anyone could make
            // with the test provider: they never block a sign-up.
            if self
                .inner
                .store
                .users_with_attribute(alias, &value)
                .await?
                .iter()
                .any(|u| u.status != crate::store::UserStatus::ExternalProvider)
            {
                let what = if alias == "email" {
                    "email"
                } else {
                    "phone_number"
                };
                return Err(fault(
                    ErrorKind::UsernameExists,
                    format!("An account with the given {what} already exists."),
                ));
            }
            attributes.insert(alias.to_owned(), value);
            username = uuid::Uuid::new_v4().to_string();
        }
        // After the username attribute joined them: a username that is an email is checked too.
        for (name, value) in &attributes {
            check_attribute(name, value)?;
        }
        for name in &config.required_attributes {
            if attributes.get(name).is_none_or(|v| v.is_empty()) {
                return Err(fault(ErrorKind::InvalidParameter, format!("Attributes did not conform to the schema: {name}: The attribute is required")));
            }
        }
        let code_can_sign_in = (config.allows_first_factor("EMAIL_OTP")
            && attributes.contains_key("email"))
            || (config.allows_first_factor("SMS_OTP") && attributes.contains_key("phone_number"));
        if password.is_none() && !code_can_sign_in {
            return Err(fault(ErrorKind::InvalidParameter, "Password is required."));
        }
        let sub = if config.username_attributes.is_empty() {
            uuid::Uuid::new_v4().to_string()
        } else {
            username.clone()
        };
        if self.inner.store.user(&username).await?.is_some() {
            return Err(fault(ErrorKind::UsernameExists, "User already exists"));
        }
        let now = self.now();
        let mut user = UserRecord {
            username,
            sub,
            status: UserStatus::Unconfirmed,
            enabled: true,
            attributes,
            password_hash: String::new(),
            srp_salt: Vec::new(),
            srp_verifier: Vec::new(),
            failed_attempts: 0,
            created_at: now,
            updated_at: now,
        };
        // The pre sign-up trigger runs before the user exists, and may refuse it.
        let decision = self.pre_sign_up(&user, &req.client_id).await?;
        if decision.auto_confirm {
            user.status = UserStatus::Confirmed;
        }
        for (verify, attribute) in [
            (decision.auto_verify_email, "email"),
            (decision.auto_verify_phone, "phone_number"),
        ] {
            if verify && user.attributes.contains_key(attribute) {
                user.attributes
                    .insert(format!("{attribute}_verified"), "true".into());
            }
        }
        if let Some(password) = password {
            self.set_password(&mut user, password.expose()).await?;
        }
        if !self.inner.store.insert_user(&user).await? {
            return Err(fault(ErrorKind::UsernameExists, "User already exists"));
        }
        // An auto-confirmed user gets no code, and a session for signing in straight away.
        let (delivery, session_kind) = if decision.auto_confirm {
            if let Err(err) = self.post_confirmation(&user, &req.client_id).await {
                tracing::warn!(error = %err.0, "post confirmation trigger failed");
            }
            (None, "confirmed")
        } else {
            (
                self.send_signup_code(&user, &req.client_id).await?,
                "signup",
            )
        };
        let session = self
            .new_auth_session(&user, &req.client_id, session_kind, json!({}))
            .await?;
        Ok(SignUpResponse {
            user_confirmed: decision.auto_confirm,
            code_delivery_details: delivery,
            user_sub: user.sub,
            session: Some(Secret::new(session)),
        })
    }

    pub async fn confirm_sign_up(
        &self,
        req: ConfirmSignUpRequest,
    ) -> OpResult<ConfirmSignUpResponse> {
        let client = self.check_client(
            &req.client_id,
            req.secret_hash.as_ref().map(Secret::expose),
            &req.username,
        )?;
        let Some(mut user) = self.resolve_user(&req.username).await? else {
            return Err(if client.prevent_user_existence_errors {
                fault(
                    ErrorKind::ExpiredCode,
                    "Invalid code provided, please request a code again.",
                )
            } else {
                fault(
                    ErrorKind::UserNotFound,
                    "Username/client id combination not found.",
                )
            });
        };
        if user.status != UserStatus::Unconfirmed {
            return Err(fault(
                ErrorKind::NotAuthorized,
                format!(
                    "User cannot be confirmed. Current status is {}",
                    user.status.as_str()
                ),
            ));
        }
        self.use_code(&user.username, SIGNUP_CODE, req.confirmation_code.expose())
            .await?;
        if let Some((_, attribute, _)) = self.delivery_channel(&user) {
            user.attributes
                .insert(format!("{attribute}_verified"), "true".into());
        }
        user.status = UserStatus::Confirmed;
        user.updated_at = self.now();
        self.inner.store.update_user(&user).await?;
        self.post_confirmation(&user, &req.client_id).await?;
        let session = self
            .new_auth_session(&user, &req.client_id, "confirmed", json!({}))
            .await?;
        Ok(ConfirmSignUpResponse {
            session: Some(Secret::new(session)),
        })
    }

    pub async fn resend_confirmation_code(
        &self,
        req: ResendConfirmationCodeRequest,
    ) -> OpResult<CodeDeliveryResponse> {
        let client = self.check_client(
            &req.client_id,
            req.secret_hash.as_ref().map(Secret::expose),
            &req.username,
        )?;
        let user = self.resolve_user(&req.username).await?;
        self.throttle_code_send(&req.username)?;
        let Some(user) = user else {
            if client.prevent_user_existence_errors {
                return Ok(CodeDeliveryResponse {
                    code_delivery_details: Some(self.simulated_delivery(&req.username)),
                });
            }
            return Err(fault(
                ErrorKind::UserNotFound,
                "Username/client id combination not found.",
            ));
        };
        if user.status != UserStatus::Unconfirmed {
            return Err(fault(
                ErrorKind::InvalidParameter,
                "User is already confirmed.",
            ));
        }
        let details = self
            .send_signup_code(&user, &req.client_id)
            .await?
            .ok_or_else(|| {
                fault(
                    ErrorKind::InvalidParameter,
                    "Cannot send a code: the user has no email or phone number to send it to.",
                )
            })?;
        Ok(CodeDeliveryResponse {
            code_delivery_details: Some(details),
        })
    }

    /// Counts a code send to `login` (the name asked for, whether or not a user has it, so
    /// unknown names are throttled alike and aliases of one user cannot be linked), refusing
    /// past the pool's limit.
    pub(crate) fn throttle_code_send(&self, login: &str) -> OpResult<()> {
        let key = login.trim().to_lowercase();
        let config = self.cfg();
        let allowed = self.inner.code_sends.allow(
            &key,
            self.inner.clock.now(),
            config.max_code_sends.max(0) as usize,
            config.code_send_window_secs,
        );
        if allowed {
            Ok(())
        } else {
            Err(fault(
                ErrorKind::LimitExceeded,
                "Attempt limit exceeded, please try after some time.",
            ))
        }
    }

    /// What an unknown user would have been told, so existence is not revealed.
    pub(crate) fn simulated_delivery(&self, login: &str) -> CodeDeliveryDetails {
        if login.starts_with('+') && is_valid_phone(login) {
            Self::details("SMS", "phone_number", login)
        } else if is_valid_email(login) {
            Self::details("EMAIL", "email", login)
        } else {
            // Drawn, the same for every ask, from what real addresses look like once masked
            // (any first letter, common providers), so the answer tells nothing.
            let seed = Sha256::digest(format!("{}{login}", self.inner.fake_seed).as_bytes());
            const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
            const DOMAINS: [&str; 8] = [
                "gmail.com",
                "outlook.com",
                "yahoo.com",
                "icloud.com",
                "hotmail.com",
                "proton.me",
                "gmx.de",
                "example.org",
            ];
            let letter = LETTERS[seed[0] as usize % LETTERS.len()] as char;
            let domain = DOMAINS[seed[1] as usize % DOMAINS.len()];
            Self::details("EMAIL", "email", &format!("{letter}@{domain}"))
        }
    }
}
