//! Administrator operations (SigV4-signed on AWS): creating users with a temporary password and
//! forcing a password reset.

use crate::pool::{fault, is_valid_email, is_valid_phone, LocalPool, OpResult};
use crate::store::{UserRecord, UserStatus};
use cognito_idp::error::ErrorKind;
use cognito_idp::wire::*;
use rand::seq::SliceRandom;
use rand::Rng;
use std::collections::BTreeMap;

/// A temporary password that meets any Cognito policy: 12 characters with every class.
fn temporary_password() -> String {
    let mut rng = rand::thread_rng();
    let classes: [&[u8]; 4] = [
        b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        b"abcdefghijkmnpqrstuvwxyz",
        b"23456789",
        b"!#%+=?@",
    ];
    let mut chars: Vec<u8> = classes
        .iter()
        .map(|c| c[rng.gen_range(0..c.len())])
        .collect();
    let all: Vec<u8> = classes.concat();
    chars.extend((0..8).map(|_| all[rng.gen_range(0..all.len())]));
    chars.shuffle(&mut rng);
    String::from_utf8(chars).expect("ASCII")
}

impl LocalPool {
    fn check_pool(&self, pool_id: &str) -> OpResult<()> {
        if pool_id != self.inner.config.pool_id {
            return Err(fault(
                ErrorKind::ResourceNotFound,
                format!("User pool {pool_id} does not exist."),
            ));
        }
        Ok(())
    }

    pub(crate) fn user_type(user: &UserRecord) -> UserType {
        let mut attributes = vec![AttributeType::new("sub", &user.sub)];
        attributes.extend(
            user.attributes
                .iter()
                .map(|(k, v)| AttributeType::new(k, v)),
        );
        UserType {
            username: user.username.clone(),
            attributes,
            user_create_date: user.created_at,
            user_last_modified_date: user.updated_at,
            enabled: user.enabled,
            user_status: user.status.as_str().to_owned(),
        }
    }

    pub async fn admin_create_user(
        &self,
        req: AdminCreateUserRequest,
    ) -> OpResult<AdminCreateUserResponse> {
        self.check_pool(&req.user_pool_id)?;
        let username = req.username.trim().to_owned();
        if username.is_empty()
            || username.chars().count() > 128
            || username.chars().any(char::is_whitespace)
        {
            return Err(fault(
                ErrorKind::InvalidParameter,
                "1 validation error detected: Value at 'username' failed to satisfy constraint",
            ));
        }
        let mut attributes: BTreeMap<String, String> = req
            .user_attributes
            .iter()
            .filter(|a| a.name != "sub")
            .map(|a| (a.name.clone(), a.value.clone().unwrap_or_default()))
            .collect();
        if attributes.get("email").is_some_and(|e| !is_valid_email(e)) {
            return Err(fault(
                ErrorKind::InvalidParameter,
                "Invalid email address format.",
            ));
        }
        if attributes
            .get("phone_number")
            .is_some_and(|p| !is_valid_phone(p))
        {
            return Err(fault(
                ErrorKind::InvalidParameter,
                "Invalid phone number format.",
            ));
        }
        let resend = req.message_action.as_deref() == Some("RESEND");
        if resend {
            return self
                .resend_temporary_password(
                    &username,
                    req.temporary_password
                        .as_ref()
                        .map(|p| p.expose().to_owned()),
                )
                .await;
        }
        if self.resolve_user(&username).await?.is_some() {
            return Err(fault(
                ErrorKind::UsernameExists,
                "User account already exists",
            ));
        }
        let password = req
            .temporary_password
            .as_ref()
            .map(|p| p.expose().to_owned())
            .unwrap_or_else(temporary_password);
        self.check_password_shape(&password)?;
        for name in ["email", "phone_number"] {
            if !attributes.contains_key(name) {
                attributes.remove(&format!("{name}_verified"));
            }
        }
        let now = self.now();
        let mut user = UserRecord {
            username: username.clone(),
            sub: uuid::Uuid::new_v4().to_string(),
            status: UserStatus::ForceChangePassword,
            enabled: true,
            attributes,
            password_hash: String::new(),
            srp_salt: Vec::new(),
            srp_verifier: Vec::new(),
            failed_attempts: 0,
            created_at: now,
            updated_at: now,
        };
        self.set_password(&mut user, &password).await?;
        if !self.inner.store.insert_user(&user).await? {
            return Err(fault(
                ErrorKind::UsernameExists,
                "User account already exists",
            ));
        }
        if req.message_action.as_deref() != Some("SUPPRESS") {
            self.send_temporary_password(&user, &password, &req.desired_delivery_mediums)
                .await?;
        }
        Ok(AdminCreateUserResponse {
            user: Self::user_type(&user),
        })
    }

    async fn resend_temporary_password(
        &self,
        username: &str,
        given: Option<String>,
    ) -> OpResult<AdminCreateUserResponse> {
        let mut user = self
            .resolve_user(username)
            .await?
            .ok_or_else(|| fault(ErrorKind::UserNotFound, "User does not exist."))?;
        if user.status != UserStatus::ForceChangePassword {
            return Err(fault(
                ErrorKind::UnsupportedOperation,
                "Resend is not supported for this user.",
            ));
        }
        let password = given.unwrap_or_else(temporary_password);
        self.set_password(&mut user, &password).await?;
        user.updated_at = self.now();
        self.inner.store.update_user(&user).await?;
        self.send_temporary_password(&user, &password, &[]).await?;
        Ok(AdminCreateUserResponse {
            user: Self::user_type(&user),
        })
    }

    async fn send_temporary_password(
        &self,
        user: &UserRecord,
        password: &str,
        mediums: &[String],
    ) -> OpResult<()> {
        let wants_sms = mediums.iter().any(|m| m == "SMS");
        let wants_email = mediums.is_empty() || mediums.iter().any(|m| m == "EMAIL");
        let message = format!(
            "Your username is {} and temporary password is {password}",
            user.username
        );
        let mut sent = false;
        if wants_email {
            if let Some(email) = user.attributes.get("email") {
                self.send_message(
                    &user.username,
                    "EMAIL",
                    email,
                    "TEMPORARY_PASSWORD",
                    Some(password),
                    message.clone(),
                )
                .await?;
                sent = true;
            }
        }
        if wants_sms {
            if let Some(phone) = user.attributes.get("phone_number") {
                self.send_message(
                    &user.username,
                    "SMS",
                    phone,
                    "TEMPORARY_PASSWORD",
                    Some(password),
                    message.clone(),
                )
                .await?;
                sent = true;
            }
        }
        if !sent {
            // Still recorded, so a local administrator can hand the password over.
            self.send_message(
                &user.username,
                "NONE",
                "",
                "TEMPORARY_PASSWORD",
                Some(password),
                message,
            )
            .await?;
        }
        Ok(())
    }

    pub async fn admin_reset_user_password(
        &self,
        req: AdminResetUserPasswordRequest,
    ) -> OpResult<Empty> {
        let req = req.0;
        self.check_pool(&req.user_pool_id)?;
        let mut user = self
            .resolve_user(&req.username)
            .await?
            .ok_or_else(|| fault(ErrorKind::UserNotFound, "User does not exist."))?;
        self.send_reset_code(&user).await?;
        user.status = UserStatus::ResetRequired;
        user.updated_at = self.now();
        self.inner.store.update_user(&user).await?;
        self.inner
            .store
            .revoke_all_refresh_tokens(&user.username)
            .await?;
        Ok(Empty {})
    }
}
