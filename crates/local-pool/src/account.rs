//! Password reset, password change and attribute verification.

use crate::pool::{code_channel, fault, LocalPool, OpResult};
use crate::store::{UserRecord, UserStatus};
use cognito_idp::error::ErrorKind;
use cognito_idp::wire::*;
use cognito_idp::Secret;

const RESET_CODE: &str = "reset";

pub(crate) fn verify_code_purpose(attribute: &str) -> String {
    format!("verify:{attribute}")
}

/// Where a changed email or phone waits for its code (kept as the record's "code", so it
/// expires with it) while the verified old value stays in force.
pub(crate) fn pending_purpose(attribute: &str) -> String {
    format!("pending:{attribute}")
}

impl LocalPool {
    /// The verified channel a reset code goes to.
    fn reset_channel(user: &UserRecord) -> Option<(&'static str, &'static str, String)> {
        code_channel(user, |name| {
            user.attributes
                .get(&format!("{name}_verified"))
                .map(String::as_str)
                == Some("true")
        })
    }

    /// Sends a password-reset code to the user's verified email or phone.
    pub(crate) async fn send_reset_code(&self, user: &UserRecord) -> OpResult<CodeDeliveryDetails> {
        let (medium, attribute, destination) = Self::reset_channel(user).ok_or_else(|| {
            fault(
                ErrorKind::InvalidParameter,
                "Cannot reset password for the user as there is no registered/verified email or phone_number",
            )
        })?;
        let code = self.new_code(&user.username);
        let expires = self.now() + self.cfg().reset_code_validity_secs;
        self.inner
            .store
            .put_code(&user.username, RESET_CODE, &code, expires)
            .await?;
        let message = self
            .custom_message(
                user,
                "CustomMessage_ForgotPassword",
                &code,
                format!("Your password reset code is {code}"),
            )
            .await?;
        self.send_message(
            &user.username,
            medium,
            &destination,
            "FORGOT_PASSWORD",
            Some(&code),
            message,
        )
        .await?;
        Ok(Self::details(medium, attribute, &destination))
    }

    pub async fn forgot_password(
        &self,
        req: ForgotPasswordRequest,
    ) -> OpResult<CodeDeliveryResponse> {
        let req = req.0;
        let client = self.check_client(
            &req.client_id,
            req.secret_hash.as_ref().map(Secret::expose),
            &req.username,
        )?;
        let prevent = client.prevent_user_existence_errors;
        let user = self.resolve_user(&req.username).await?;
        self.throttle_code_send(&req.username)?;
        let Some(user) = user.filter(|u| u.enabled || !prevent) else {
            if prevent {
                return Ok(CodeDeliveryResponse {
                    code_delivery_details: Some(self.simulated_delivery(&req.username)),
                });
            }
            return Err(fault(
                ErrorKind::UserNotFound,
                "Username/client id combination not found.",
            ));
        };
        if !user.enabled {
            return Err(fault(ErrorKind::NotAuthorized, "User is disabled."));
        }
        match self.send_reset_code(&user).await {
            Ok(details) => Ok(CodeDeliveryResponse {
                code_delivery_details: Some(details),
            }),
            // Nowhere to send a code looks like any other user when existence is hidden.
            Err(_) if prevent => Ok(CodeDeliveryResponse {
                code_delivery_details: Some(self.simulated_delivery(&req.username)),
            }),
            Err(err) => Err(err),
        }
    }

    pub async fn confirm_forgot_password(
        &self,
        req: ConfirmForgotPasswordRequest,
    ) -> OpResult<Empty> {
        let client = self.check_client(
            &req.client_id,
            req.secret_hash.as_ref().map(Secret::expose),
            &req.username,
        )?;
        let prevent = client.prevent_user_existence_errors;
        let Some(mut user) = self.resolve_user(&req.username).await? else {
            return Err(if prevent {
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
        self.check_password_shape(req.password.expose())?;
        self.use_code(&user.username, RESET_CODE, req.confirmation_code.expose())
            .await?;
        self.set_password(&mut user, req.password.expose()).await?;
        if matches!(
            user.status,
            UserStatus::ResetRequired | UserStatus::ForceChangePassword
        ) {
            user.status = UserStatus::Confirmed;
        }
        user.failed_attempts = 0;
        user.updated_at = self.now();
        self.inner.store.update_user(&user).await?;
        Ok(Empty {})
    }

    pub async fn change_password(&self, req: ChangePasswordRequest) -> OpResult<Empty> {
        let mut user = self.authorize(&req.access_token).await?;
        let previous = req
            .previous_password
            .ok_or_else(|| fault(ErrorKind::InvalidParameter, "PreviousPassword is required."))?;
        if !self
            .verify_password(previous.expose(), &user.password_hash)
            .await
        {
            return Err(fault(ErrorKind::NotAuthorized, crate::pool::INCORRECT));
        }
        self.check_password_shape(req.proposed_password.expose())?;
        self.set_password(&mut user, req.proposed_password.expose())
            .await?;
        user.updated_at = self.now();
        self.inner.store.update_user(&user).await?;
        Ok(Empty {})
    }

    pub async fn get_user_attribute_verification_code(
        &self,
        req: GetUserAttributeVerificationCodeRequest,
    ) -> OpResult<CodeDeliveryResponse> {
        let user = self.authorize(&req.access_token).await?;
        let (medium, attribute) = match req.attribute_name.as_str() {
            "email" => ("EMAIL", "email"),
            "phone_number" => ("SMS", "phone_number"),
            other => {
                return Err(fault(
                    ErrorKind::InvalidParameter,
                    format!("{other} cannot be verified."),
                ))
            }
        };
        // A change waiting for verification gets the new code; else the value in force.
        let destination = match self.pending_value(&user, attribute).await? {
            Some(pending) => pending,
            None => user.attributes.get(attribute).cloned().ok_or_else(|| {
                fault(
                    ErrorKind::InvalidParameter,
                    format!("The user has no {attribute}."),
                )
            })?,
        };
        let code = self.new_code(&user.username);
        let expires = self.now() + self.cfg().attribute_code_validity_secs;
        self.inner
            .store
            .put_code(
                &user.username,
                &verify_code_purpose(attribute),
                &code,
                expires,
            )
            .await?;
        self.send_message(
            &user.username,
            medium,
            &destination,
            "VERIFY_ATTRIBUTE",
            Some(&code),
            format!("Your verification code is {code}"),
        )
        .await?;
        Ok(CodeDeliveryResponse {
            code_delivery_details: Some(Self::details(medium, attribute, &destination)),
        })
    }

    pub async fn verify_user_attribute(&self, req: VerifyUserAttributeRequest) -> OpResult<Empty> {
        let mut user = self.authorize(&req.access_token).await?;
        let attribute = req.attribute_name.as_str();
        if !matches!(attribute, "email" | "phone_number") {
            return Err(fault(
                ErrorKind::InvalidParameter,
                format!("{attribute} cannot be verified."),
            ));
        }
        self.use_code(
            &user.username,
            &verify_code_purpose(attribute),
            req.code.expose(),
        )
        .await?;
        if let Some(pending) = self.pending_value(&user, attribute).await? {
            // A sign-in alias stays unique: another account may have taken it meanwhile.
            // Checked only after the code, so a probe without the mailbox learns nothing.
            if self.alias_taken(&user, attribute, &pending).await? {
                return Err(fault(
                    ErrorKind::AliasExists,
                    format!("An account with the given {attribute} already exists."),
                ));
            }
            self.inner
                .store
                .delete_code(&user.username, &pending_purpose(attribute))
                .await?;
            user.attributes.insert(attribute.to_owned(), pending);
        }
        user.attributes
            .insert(format!("{attribute}_verified"), "true".into());
        user.updated_at = self.now();
        self.inner.store.update_user(&user).await?;
        Ok(Empty {})
    }

    /// The new value of `attribute` waiting for its code, if it has not expired.
    async fn pending_value(&self, user: &UserRecord, attribute: &str) -> OpResult<Option<String>> {
        let pending = self
            .inner
            .store
            .code(&user.username, &pending_purpose(attribute))
            .await?;
        Ok(pending
            .filter(|record| record.expires_at > self.now())
            .map(|record| record.code))
    }
}
