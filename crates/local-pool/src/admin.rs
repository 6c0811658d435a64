//! Administrator operations (SigV4-signed on AWS): creating users with a temporary password and
//! forcing a password reset.

use crate::pool::{check_attribute, fault, LocalPool, OpResult};
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
        if pool_id != self.cfg().pool_id {
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
            // Links to provider identities are made with AdminLinkProviderForUser only.
            .filter(|a| a.name != "sub" && a.name != "identities")
            .map(|a| (a.name.clone(), a.value.clone().unwrap_or_default()))
            .collect();
        for (name, value) in &attributes {
            check_attribute(name, value)?;
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
        if self.resolve_any_user(&username).await?.is_some() {
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
            .resolve_any_user(username)
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
            .resolve_any_user(&req.username)
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

/// One condition of `ListUsers`' `Filter`: `name = "value"` or `name ^= "prefix"`.
struct Filter {
    attribute: String,
    value: String,
    prefix: bool,
}

fn parse_filter(text: &str) -> OpResult<Filter> {
    let invalid = || {
        fault(
            ErrorKind::InvalidParameter,
            format!("Invalid filter: {text}"),
        )
    };
    let (name, rest, prefix) = if let Some((name, rest)) = text.split_once("^=") {
        (name, rest, true)
    } else if let Some((name, rest)) = text.split_once('=') {
        (name, rest, false)
    } else {
        return Err(invalid());
    };
    let value = rest
        .trim()
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .ok_or_else(invalid)?;
    let attribute = name.trim().to_owned();
    const SEARCHABLE: [&str; 11] = [
        "username",
        "email",
        "phone_number",
        "name",
        "given_name",
        "family_name",
        "preferred_username",
        "cognito:user_status",
        "status",
        "sub",
        "user_status",
    ];
    if !SEARCHABLE.contains(&attribute.as_str()) {
        return Err(invalid());
    }
    Ok(Filter {
        attribute,
        value: value.to_owned(),
        prefix,
    })
}

impl Filter {
    fn matches(&self, user: &UserRecord) -> bool {
        let value = match self.attribute.as_str() {
            "username" => Some(user.username.clone()),
            "sub" => Some(user.sub.clone()),
            "cognito:user_status" | "user_status" => Some(user.status.as_str().to_owned()),
            "status" => Some(if user.enabled { "Enabled" } else { "Disabled" }.to_owned()),
            other => user.attributes.get(other).cloned(),
        };
        value.is_some_and(|v| {
            if self.prefix {
                v.starts_with(&self.value)
            } else {
                v == self.value
            }
        })
    }
}

impl LocalPool {
    async fn admin_user(&self, pool_id: &str, username: &str) -> OpResult<UserRecord> {
        self.check_pool(pool_id)?;
        self.resolve_any_user(username)
            .await?
            .ok_or_else(|| fault(ErrorKind::UserNotFound, "User does not exist."))
    }

    pub async fn admin_get_user(&self, req: AdminGetUserRequest) -> OpResult<AdminGetUserResponse> {
        let user = self
            .admin_user(&req.0.user_pool_id, &req.0.username)
            .await?;
        let (enabled, preferred) = self.mfa_settings(&user).await?;
        let described = Self::user_type(&user);
        Ok(AdminGetUserResponse {
            username: described.username,
            user_attributes: described.attributes,
            user_create_date: described.user_create_date,
            user_last_modified_date: described.user_last_modified_date,
            enabled: described.enabled,
            user_status: described.user_status,
            preferred_mfa_setting: preferred,
            user_mfa_setting_list: (!enabled.is_empty()).then_some(enabled),
        })
    }

    pub async fn list_users(&self, req: ListUsersRequest) -> OpResult<ListUsersResponse> {
        self.check_pool(&req.user_pool_id)?;
        let limit = crate::pool::page_size("limit", req.limit, 0, 60)?;
        let filter = req
            .filter
            .as_deref()
            .filter(|f| !f.trim().is_empty())
            .map(parse_filter)
            .transpose()?;
        let matching: Vec<UserRecord> = self
            .inner
            .store
            .list_users()
            .await?
            .into_iter()
            .filter(|u| filter.as_ref().is_none_or(|f| f.matches(u)))
            .collect();
        let (start, end) =
            crate::pool::page(req.pagination_token.as_deref(), limit, matching.len())?;
        let users = matching[start..end]
            .iter()
            .map(|user| {
                let mut described = Self::user_type(user);
                if let Some(wanted) = &req.attributes_to_get {
                    described.attributes.retain(|a| wanted.contains(&a.name));
                }
                described
            })
            .collect();
        Ok(ListUsersResponse {
            users,
            pagination_token: (end < matching.len()).then(|| end.to_string()),
        })
    }

    pub async fn admin_delete_user(&self, req: AdminDeleteUserRequest) -> OpResult<Empty> {
        let user = self
            .admin_user(&req.0.user_pool_id, &req.0.username)
            .await?;
        self.inner.store.delete_user(&user.username).await?;
        Ok(Empty {})
    }

    pub async fn admin_confirm_sign_up(&self, req: AdminConfirmSignUpRequest) -> OpResult<Empty> {
        let mut user = self
            .admin_user(&req.0.user_pool_id, &req.0.username)
            .await?;
        if user.status != UserStatus::Unconfirmed {
            return Err(fault(
                ErrorKind::NotAuthorized,
                format!(
                    "User cannot be confirmed. Current status is {}",
                    user.status.as_str()
                ),
            ));
        }
        user.status = UserStatus::Confirmed;
        user.updated_at = self.now();
        self.inner.store.update_user(&user).await?;
        Ok(Empty {})
    }

    pub async fn admin_set_user_password(
        &self,
        req: AdminSetUserPasswordRequest,
    ) -> OpResult<Empty> {
        let mut user = self.admin_user(&req.user_pool_id, &req.username).await?;
        self.check_password_shape(req.password.expose())?;
        self.set_password(&mut user, req.password.expose()).await?;
        user.status = if req.permanent {
            UserStatus::Confirmed
        } else {
            UserStatus::ForceChangePassword
        };
        user.updated_at = self.now();
        self.inner.store.update_user(&user).await?;
        Ok(Empty {})
    }

    async fn set_enabled(&self, pool_id: &str, username: &str, enabled: bool) -> OpResult<Empty> {
        let mut user = self.admin_user(pool_id, username).await?;
        user.enabled = enabled;
        user.updated_at = self.now();
        self.inner.store.update_user(&user).await?;
        if !enabled {
            // Disabling revokes every token the user holds.
            self.inner
                .store
                .revoke_all_refresh_tokens(&user.username)
                .await?;
        }
        Ok(Empty {})
    }

    pub async fn admin_disable_user(&self, req: AdminDisableUserRequest) -> OpResult<Empty> {
        self.set_enabled(&req.0.user_pool_id, &req.0.username, false)
            .await
    }

    pub async fn admin_enable_user(&self, req: AdminEnableUserRequest) -> OpResult<Empty> {
        self.set_enabled(&req.0.user_pool_id, &req.0.username, true)
            .await
    }

    pub async fn admin_user_global_sign_out(
        &self,
        req: AdminUserGlobalSignOutRequest,
    ) -> OpResult<Empty> {
        let user = self
            .admin_user(&req.0.user_pool_id, &req.0.username)
            .await?;
        self.inner
            .store
            .revoke_all_refresh_tokens(&user.username)
            .await?;
        Ok(Empty {})
    }

    pub async fn admin_update_user_attributes(
        &self,
        req: AdminUpdateUserAttributesRequest,
    ) -> OpResult<Empty> {
        let mut user = self.admin_user(&req.user_pool_id, &req.username).await?;
        for attribute in &req.user_attributes {
            let value = attribute.value.clone().unwrap_or_default();
            if attribute.name == "sub" || attribute.name == "identities" {
                return Err(fault(
                    ErrorKind::InvalidParameter,
                    format!("Cannot modify the non-mutable attribute {}", attribute.name),
                ));
            }
            check_attribute(&attribute.name, &value)?;
            user.attributes.insert(attribute.name.clone(), value);
        }
        user.updated_at = self.now();
        self.inner.store.update_user(&user).await?;
        Ok(Empty {})
    }

    pub async fn admin_initiate_auth(
        &self,
        req: AdminInitiateAuthRequest,
    ) -> OpResult<AuthResponse> {
        self.check_pool(&req.user_pool_id)?;
        // The admin password flows are the password flow without the public endpoint's limits.
        let auth_flow = match req.auth_flow.as_str() {
            "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => "USER_PASSWORD_AUTH",
            "USER_PASSWORD_AUTH" => {
                return Err(fault(
                    ErrorKind::InvalidParameter,
                    "Initiate Auth method not supported.",
                ));
            }
            other => other,
        };
        self.initiate_auth(InitiateAuthRequest {
            auth_flow: auth_flow.to_owned(),
            auth_parameters: req.auth_parameters,
            client_id: req.client_id,
            client_metadata: req.client_metadata,
            session: req.session,
        })
        .await
    }

    pub async fn admin_respond_to_auth_challenge(
        &self,
        req: AdminRespondToAuthChallengeRequest,
    ) -> OpResult<AuthResponse> {
        self.check_pool(&req.user_pool_id)?;
        self.respond_to_auth_challenge(RespondToAuthChallengeRequest {
            client_id: req.client_id,
            challenge_name: req.challenge_name,
            session: req.session,
            challenge_responses: req.challenge_responses,
            client_metadata: None,
        })
        .await
    }
}
