//! The rest of the user API: refreshing with `GetTokensFromRefreshToken` (and rotation),
//! changing and deleting attributes, deleting oneself.

use crate::account::{pending_purpose, verify_code_purpose};
use crate::config::AppClient;
use crate::pool::{
    check_attribute, constant_time_eq, fault, random_token, sha256_hex, LocalPool, OpResult,
};
use crate::store::UserRecord;
use cognito_idp::error::ErrorKind;
use cognito_idp::wire::*;
use cognito_idp::Secret;

/// Attributes people may not set themselves (`identities` says which provider identities sign
/// in as the user: only the pool writes it).
const READ_ONLY: [&str; 4] = [
    "sub",
    "email_verified",
    "phone_number_verified",
    "identities",
];

impl LocalPool {
    fn check_client_secret(&self, client_id: &str, secret: Option<&Secret>) -> OpResult<AppClient> {
        let client = self.client(client_id)?;
        if let Some(expected) = &client.client_secret {
            if !secret.is_some_and(|s| constant_time_eq(s.expose(), expected)) {
                return Err(fault(
                    ErrorKind::NotAuthorized,
                    format!(
                        "Client {client_id} is configured for secret but secret was not received"
                    ),
                ));
            }
        }
        Ok(client)
    }

    pub async fn get_tokens_from_refresh_token(
        &self,
        req: GetTokensFromRefreshTokenRequest,
    ) -> OpResult<GetTokensFromRefreshTokenResponse> {
        let client = self.check_client_secret(&req.client_id, req.client_secret.as_ref())?;
        let store = &self.inner.store;
        let now = self.now();
        let invalid = || fault(ErrorKind::NotAuthorized, "Invalid Refresh Token");
        let hash = sha256_hex(req.refresh_token.expose());
        // A rotated-out token: accepted within the grace period, reuse after it.
        let current_hash = match store.refresh_token(&hash).await? {
            Some(_) => hash,
            None => {
                let (origin, replaced_at) =
                    store.rotated_token(&hash).await?.ok_or_else(invalid)?;
                if now - replaced_at > client.rotation_grace_secs {
                    return Err(fault(
                        ErrorKind::RefreshTokenReuse,
                        "Refresh token has been reused",
                    ));
                }
                store
                    .lineage_token_hash(&origin)
                    .await?
                    .ok_or_else(invalid)?
            }
        };
        let record = store
            .refresh_token(&current_hash)
            .await?
            .ok_or_else(invalid)?;
        if record.client_id != req.client_id {
            return Err(invalid());
        }
        self.check_refresh_device(
            &record.username,
            record.device_key.as_deref(),
            req.device_key.as_deref(),
        )
        .await?;
        let rotated = if client.refresh_token_rotation && !record.revoked {
            let fresh = random_token(96);
            if !store
                .rotate_refresh_token(&current_hash, &sha256_hex(&fresh), now)
                .await?
            {
                return Err(invalid());
            }
            Some(Secret::new(fresh))
        } else {
            None
        };
        let result = self
            .tokens_for_lineage(&record, &req.client_id, rotated)
            .await?;
        Ok(GetTokensFromRefreshTokenResponse {
            authentication_result: result,
        })
    }

    pub async fn update_user_attributes(
        &self,
        req: UpdateUserAttributesRequest,
    ) -> OpResult<UpdateUserAttributesResponse> {
        let (mut user, client_id) = self.authorize_with_client(&req.access_token).await?;
        let client = self.client(&client_id)?;
        let mut deliveries = Vec::new();
        for attribute in &req.user_attributes {
            let name = attribute.name.as_str();
            if READ_ONLY.contains(&name) {
                return Err(fault(
                    ErrorKind::InvalidParameter,
                    format!("Cannot modify the non-mutable attribute {name}"),
                ));
            }
            if !client.writes(name) {
                return Err(fault(
                    ErrorKind::NotAuthorized,
                    "A client attempted to write unauthorized attribute",
                ));
            }
            check_attribute(name, &attribute.value.clone().unwrap_or_default())?;
        }
        for attribute in &req.user_attributes {
            let name = attribute.name.as_str();
            let value = attribute.value.clone().unwrap_or_default();
            let verifiable = matches!(name, "email" | "phone_number");
            if !verifiable || user.attributes.get(name) == Some(&value) {
                if verifiable {
                    // Back to the value in force: a pending change is dropped.
                    self.inner
                        .store
                        .delete_code(&user.username, &pending_purpose(name))
                        .await?;
                }
                user.attributes.insert(name.to_owned(), value);
                continue;
            }
            let code = self.new_code(&user.username);
            let expires = self.now() + self.cfg().attribute_code_validity_secs;
            let keeps_old = self.keeps_verified_value(&user, name);
            // A sign-in alias written at once must be free now (a waiting one is checked when
            // its code comes back).
            if !keeps_old && self.alias_taken(&user, name, &value).await? {
                return Err(fault(
                    ErrorKind::AliasExists,
                    format!("An account with the given {name} already exists."),
                ));
            }
            if keeps_old {
                // The new value waits beside its code; the old one still signs in.
                self.inner
                    .store
                    .put_code(&user.username, &pending_purpose(name), &value, expires)
                    .await?;
            } else {
                // A new email or phone is unverified until its code comes back.
                user.attributes.insert(name.to_owned(), value.clone());
                user.attributes
                    .insert(format!("{name}_verified"), "false".into());
            }
            self.inner
                .store
                .put_code(&user.username, &verify_code_purpose(name), &code, expires)
                .await?;
            let medium = if name == "email" { "EMAIL" } else { "SMS" };
            self.send_message(
                &user.username,
                medium,
                &value,
                "VERIFY_ATTRIBUTE",
                Some(&code),
                format!("Your verification code is {code}"),
            )
            .await?;
            deliveries.push(Self::details(medium, name, &value));
        }
        user.updated_at = self.now();
        self.inner.store.update_user(&user).await?;
        Ok(UpdateUserAttributesResponse {
            code_delivery_details_list: deliveries,
        })
    }

    /// Whether another confirmed account signs in with `value` as its `name` (on a pool that
    /// signs in with that attribute).
    pub(crate) async fn alias_taken(
        &self,
        user: &UserRecord,
        name: &str,
        value: &str,
    ) -> OpResult<bool> {
        if !self.cfg().signs_in_with(name) {
            return Ok(false);
        }
        let value = if name == "email" {
            value.to_lowercase()
        } else {
            value.to_owned()
        };
        Ok(self
            .inner
            .store
            .users_with_attribute(name, &value)
            .await?
            .iter()
            .any(|u| {
                u.username != user.username
                    && !matches!(
                        u.status,
                        crate::store::UserStatus::ExternalProvider
                            | crate::store::UserStatus::Unconfirmed
                    )
            }))
    }

    /// Whether a change of `name` waits for verification: the pool asks for it and the value
    /// in force is a verified one (an unverified value has nothing worth keeping).
    fn keeps_verified_value(&self, user: &UserRecord, name: &str) -> bool {
        let cfg = self.cfg();
        let listed = |list: &[String]| list.iter().any(|a| a == name);
        listed(&cfg.attributes_require_verification_before_update)
            && listed(&cfg.auto_verified_attributes)
            && user
                .attributes
                .get(&format!("{name}_verified"))
                .map(String::as_str)
                == Some("true")
    }

    pub async fn delete_user_attributes(
        &self,
        req: DeleteUserAttributesRequest,
    ) -> OpResult<Empty> {
        let (mut user, client_id) = self.authorize_with_client(&req.access_token).await?;
        let client = self.client(&client_id)?;
        for name in &req.user_attribute_names {
            if !client.writes(name) {
                return Err(fault(
                    ErrorKind::NotAuthorized,
                    "A client attempted to write unauthorized attribute",
                ));
            }
            if READ_ONLY.contains(&name.as_str()) {
                return Err(fault(
                    ErrorKind::InvalidParameter,
                    format!("Cannot delete the non-mutable attribute {name}"),
                ));
            }
            if self.cfg().required_attributes.contains(name) {
                return Err(fault(
                    ErrorKind::InvalidParameter,
                    format!("{name} is required and cannot be deleted."),
                ));
            }
            user.attributes.remove(name);
            user.attributes.remove(&format!("{name}_verified"));
            self.inner
                .store
                .delete_code(&user.username, &pending_purpose(name))
                .await?;
        }
        user.updated_at = self.now();
        self.inner.store.update_user(&user).await?;
        Ok(Empty {})
    }

    pub async fn delete_user(&self, req: DeleteUserRequest) -> OpResult<Empty> {
        let user = self.authorize(&req.0.access_token).await?;
        self.inner.store.delete_user(&user.username).await?;
        Ok(Empty {})
    }
}
