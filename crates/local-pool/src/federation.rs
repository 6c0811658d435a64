//! Federated sign-in: the built-in test identity provider that stands in for Google, Apple,
//! Facebook, Amazon or any OIDC/SAML provider on this machine, and the users Cognito makes for
//! people who sign in through one (`<provider>_<id>`, `EXTERNAL_PROVIDER`, `identities`).

use crate::config::IdentityProviderConfig;
use crate::oauth::{domain_path, error_page, finish, pool_page, redirect_error, Authorization};
use crate::outbox::escape;
use crate::pool::LocalPool;
use crate::pools::Pools;
use crate::store::{UserRecord, UserStatus};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// The test provider's pages, under a pool's domain.
pub const TEST_IDP: &str = "test-idp";
/// Earlier test identities offered as one-click choices.
const RECENT_IDENTITIES: usize = 8;

/// What people call the social providers, beside Cognito's own names for them.
pub fn provider_type_for(name: &str) -> &'static str {
    match name {
        "Google" => "Google",
        "Facebook" => "Facebook",
        "SignInWithApple" => "SignInWithApple",
        "LoginWithAmazon" => "LoginWithAmazon",
        _ => "OIDC",
    }
}

/// The name people know a provider by (Cognito's own names for Apple and Amazon are longer).
fn provider_label(name: &str) -> &str {
    match name {
        "SignInWithApple" => "Apple",
        "LoginWithAmazon" => "Amazon",
        other => other,
    }
}

/// The claims a test identity carries, as a provider's ID token or userinfo would.
struct TestIdentity {
    sub: String,
    email: String,
    email_verified: bool,
    name: String,
}

impl TestIdentity {
    fn claims(&self) -> BTreeMap<&'static str, String> {
        let mut claims = BTreeMap::from([
            ("sub", self.sub.clone()),
            ("email", self.email.clone()),
            ("email_verified", self.email_verified.to_string()),
        ]);
        if !self.name.is_empty() {
            claims.insert("name", self.name.clone());
            let mut parts = self.name.splitn(2, ' ');
            if let Some(given) = parts.next() {
                claims.insert("given_name", given.to_owned());
            }
            if let Some(family) = parts.next() {
                claims.insert("family_name", family.to_owned());
            }
        }
        claims
    }

    /// The same identity as a SAML assertion carries it: the NameID (kept as the subject) and
    /// attributes under their claim-type names.
    fn saml_attributes(&self) -> BTreeMap<&'static str, String> {
        let mut attributes = BTreeMap::from([
            ("sub", self.sub.clone()),
            (crate::config::SAML_EMAIL, self.email.clone()),
        ]);
        if !self.name.is_empty() {
            attributes.insert(crate::config::SAML_NAME, self.name.clone());
            let mut parts = self.name.splitn(2, ' ');
            if let Some(given) = parts.next() {
                attributes.insert(crate::config::SAML_GIVEN_NAME, given.to_owned());
            }
            if let Some(family) = parts.next() {
                attributes.insert(crate::config::SAML_SURNAME, family.to_owned());
            }
        }
        attributes
    }
}

/// A stable subject per provider and email, shaped like Google's (21 digits), so signing in
/// again as the same test identity finds the same user.
fn test_subject(provider: &str, email: &str) -> String {
    let digest = Sha256::digest(format!("{provider}\n{}", email.to_lowercase()).as_bytes());
    let mut number = u128::from_be_bytes(digest[..16].try_into().expect("16 bytes"));
    let mut digits = String::with_capacity(21);
    digits.push('1');
    for _ in 0..20 {
        digits.push(char::from(b'0' + (number % 10) as u8));
        number /= 10;
    }
    digits
}

#[derive(Deserialize)]
pub(crate) struct PageQuery {
    request: String,
}

fn provider_of<'a>(pool: &'a crate::PoolConfig, name: &str) -> Option<&'a IdentityProviderConfig> {
    pool.identity_providers
        .iter()
        .find(|p| p.provider_name == name)
}

/// "Sign in to Google (local test provider)": pick an earlier test identity or type one.
pub(crate) async fn test_idp_page(
    State(pools): State<Pools>,
    Path((pool_id, provider)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
) -> Response {
    let pool = match pool_page(&pools, &pool_id) {
        Ok(pool) => pool,
        Err(page) => return *page,
    };
    let now = pool.now();
    let Some(authorization) = pool
        .inner
        .oauth
        .pending(&query.request, now)
        .filter(|a| a.provider == provider && a.upstream.is_none())
    else {
        return expired_page();
    };
    Html(identity_form(&pool, &authorization, &query.request, None).await).into_response()
}

fn expired_page() -> Response {
    error_page(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "This sign-in has expired or was already used. Go back to the app and start again.",
    )
}

async fn identity_form(
    pool: &LocalPool,
    authorization: &Authorization,
    request: &str,
    error: Option<&str>,
) -> String {
    let provider = &authorization.provider;
    let action = format!("{}/{TEST_IDP}/{}", domain_path(pool), escape(provider));
    let request = escape(request);
    let prefix = format!("{}_", provider.to_lowercase());
    let mut recent: Vec<UserRecord> = pool
        .inner
        .store
        .list_users()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|u| u.username.starts_with(&prefix) && u.status == UserStatus::ExternalProvider)
        .collect();
    recent.sort_by_key(|u| std::cmp::Reverse(u.updated_at));
    recent.truncate(RECENT_IDENTITIES);
    let mut body = format!(
        "<p>This page stands in for {name} on this machine: nothing leaves it. Choose who to \
sign in as.</p>",
        name = escape(provider_label(provider))
    );
    if let Some(error) = error {
        body.push_str(&format!(
            "<p class=\"ca-error\" role=\"alert\">{}</p>",
            escape(error)
        ));
    }
    for user in &recent {
        let attr = |name: &str| escape(user.attributes.get(name).map_or("", String::as_str));
        body.push_str(&format!(
            "<form method=\"post\" action=\"{action}\" class=\"ca-form\">\
<input type=\"hidden\" name=\"request\" value=\"{request}\">\
<input type=\"hidden\" name=\"email\" value=\"{email}\">\
<input type=\"hidden\" name=\"name\" value=\"{name}\">\
<input type=\"hidden\" name=\"email_verified\" value=\"{verified}\">\
<button type=\"submit\" name=\"action\" value=\"continue\" class=\"ca-button ca-button--secondary\">\
Continue as {label}</button></form>",
            email = attr("email"),
            name = attr("name"),
            verified = attr("email_verified"),
            label = if attr("name").is_empty() {
                attr("email")
            } else {
                format!("{} ({})", attr("name"), attr("email"))
            },
        ));
    }
    if !recent.is_empty() {
        body.push_str("<p class=\"ca-divider\"><span>or someone else</span></p>");
    }
    body.push_str(&format!(
        "<form method=\"post\" action=\"{action}\" class=\"ca-form\">\
<input type=\"hidden\" name=\"request\" value=\"{request}\">\
<div class=\"ca-field\"><label class=\"ca-label\" for=\"email\">Email</label>\
<input class=\"ca-input\" id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\"></div>\
<div class=\"ca-field\"><label class=\"ca-label\" for=\"name\">Name</label>\
<input class=\"ca-input\" id=\"name\" name=\"name\" autocomplete=\"name\"></div>\
<div class=\"ca-field\"><label><input type=\"checkbox\" name=\"email_verified\" value=\"true\" checked> \
The provider has verified this email</label></div>\
<button type=\"submit\" name=\"action\" value=\"continue\" class=\"ca-button ca-button--primary\">Continue</button>\
<button type=\"submit\" name=\"action\" value=\"cancel\" class=\"ca-button ca-button--secondary\">Cancel</button>\
</form>"
    ));
    crate::page::tool_page(
        &format!(
            "Sign in to {} (local test provider)",
            provider_label(provider)
        ),
        &body,
    )
}

#[derive(Deserialize)]
pub(crate) struct Choice {
    request: String,
    action: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email_verified: String,
}

/// The person chose an identity (or cancelled): make or update their federated user and send
/// the app its code, or `access_denied`.
pub(crate) async fn test_idp_choice(
    State(pools): State<Pools>,
    Path((pool_id, provider)): Path<(String, String)>,
    headers: HeaderMap,
    Form(choice): Form<Choice>,
) -> Response {
    let pool = match pool_page(&pools, &pool_id) {
        Ok(pool) => pool,
        Err(page) => return *page,
    };
    if !crate::guard::is_same_site(&headers, &[]) {
        return error_page(
            StatusCode::FORBIDDEN,
            "invalid_request",
            "This form only accepts posts from its own page.",
        );
    }
    let now = pool.now();
    let oauth = &pool.inner.oauth;
    if oauth
        .pending(&choice.request, now)
        // A real provider's sign-in is never finished here: that would let anyone be anyone.
        .is_none_or(|a| a.provider != provider || a.upstream.is_some())
    {
        return expired_page();
    }
    if choice.action == "cancel" {
        let Some(authorization) = oauth.take(&choice.request, now) else {
            return expired_page();
        };
        return redirect_error(
            &authorization,
            "access_denied",
            Some("The user cancelled the sign-in at the provider."),
        );
    }
    let email = choice.email.trim().to_owned();
    let problem = if email.is_empty() {
        Some("Enter the email address of the test identity.")
    } else if email.len() > 254 || !email.contains('@') || email.contains(char::is_whitespace) {
        Some("Enter an email address such as jane@example.com.")
    } else if choice.name.chars().count() > 256 {
        Some("The name can be at most 256 characters.")
    } else {
        None
    };
    if let Some(problem) = problem {
        let Some(authorization) = oauth.pending(&choice.request, now) else {
            return expired_page();
        };
        let page = identity_form(&pool, &authorization, &choice.request, Some(problem)).await;
        return (StatusCode::BAD_REQUEST, Html(page)).into_response();
    }
    let Some(authorization) = oauth.take(&choice.request, now) else {
        return expired_page();
    };
    let config = pool.config();
    let Some(provider_config) = provider_of(&config, &provider) else {
        return redirect_error(&authorization, "invalid_request", None);
    };
    let saml = provider_config.provider_type == "SAML";
    let identity = TestIdentity {
        // A SAML IdP names its user by a NameID, most often the email address.
        sub: if saml {
            email.clone()
        } else {
            test_subject(&provider, &email)
        },
        email,
        email_verified: choice.email_verified == "true",
        name: choice.name.trim().to_owned(),
    };
    let claims = if saml {
        identity.saml_attributes()
    } else {
        identity.claims()
    };
    match pool.federated_user(provider_config, &claims).await {
        Ok(username) => finish(&pool, authorization, &username, now, Some(&provider)).await,
        Err(message) => {
            tracing::warn!(error = %message, "federated sign-in refused");
            redirect_error(&authorization, "invalid_request", Some(&message))
        }
    }
}

/// One entry of a user's `identities` attribute.
pub(crate) fn identity_entry(
    provider: &IdentityProviderConfig,
    subject: &str,
    primary: bool,
    now: i64,
) -> serde_json::Value {
    json!({
        "userId": subject,
        "providerName": provider.provider_name,
        "providerType": provider.provider_type,
        "issuer": crate::provider_details::issuer(provider),
        "primary": primary.to_string(),
        "dateCreated": (now * 1000).to_string(),
    })
}

/// The `identities` of a user (empty when it has none).
pub(crate) fn identities_of(user: &UserRecord) -> Vec<serde_json::Value> {
    user.attributes
        .get("identities")
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or_default()
}

impl LocalPool {
    /// The pool's own user an administrator linked this provider identity to.
    pub(crate) async fn linked_user(
        &self,
        provider: &str,
        subject: &str,
    ) -> Result<Option<String>, String> {
        let users = self
            .inner
            .store
            .list_users()
            .await
            .map_err(|e| e.to_string())?;
        let linked = users
            .into_iter()
            .filter(|u| u.status != UserStatus::ExternalProvider)
            .find(|u| {
                identities_of(u)
                    .iter()
                    .any(|i| i["providerName"] == provider && i["userId"] == subject)
            });
        match linked {
            // A disabled user stays out, whichever way they come.
            Some(user) if !user.enabled => Err("User is disabled.".into()),
            Some(user) => Ok(Some(user.username)),
            None => Ok(None),
        }
    }

    /// The user for a provider identity: `<provider>_<subject>` (lower-cased, as Cognito names
    /// them), made at the first sign-in and its mapped attributes rewritten at every one.
    pub(crate) async fn federated_user(
        &self,
        provider: &IdentityProviderConfig,
        claims: &BTreeMap<&'static str, String>,
    ) -> Result<String, String> {
        let subject = claims.get("sub").ok_or("the provider sent no subject")?;
        // An identity an administrator linked to a user of the pool signs in as that user.
        if let Some(linked) = self.linked_user(&provider.provider_name, subject).await? {
            return Ok(linked);
        }
        let username = format!("{}_{subject}", provider.provider_name.to_lowercase());
        let mapping = provider.effective_mapping();
        let mut mapped: HashMap<String, String> = HashMap::new();
        for (attribute, claim) in &mapping {
            if attribute == "username" {
                continue;
            }
            if let Some(value) = claims.get(claim.as_str()) {
                mapped.insert(attribute.clone(), value.chars().take(2048).collect());
            }
        }
        // A mapped email counts as verified only when the provider's verification is mapped too.
        for name in ["email", "phone_number"] {
            let flag = format!("{name}_verified");
            if mapped.contains_key(name) && !mapped.contains_key(&flag) {
                mapped.insert(flag, "false".into());
            }
        }
        for required in &self.config().required_attributes {
            if !mapped.contains_key(required) {
                return Err(format!(
                    "The provider sent no value for the required attribute {required}."
                ));
            }
        }
        let store = &self.inner.store;
        let now = self.now();
        let existing = store.user(&username).await.map_err(|e| e.to_string())?;
        let is_new = existing.is_none();
        let mut user = existing.unwrap_or_else(|| {
            let identities = json!([identity_entry(provider, subject, true, now)]);
            UserRecord {
                username: username.clone(),
                sub: uuid::Uuid::new_v4().to_string(),
                status: UserStatus::ExternalProvider,
                enabled: true,
                attributes: BTreeMap::from([("identities".to_owned(), identities.to_string())]),
                password_hash: String::new(),
                srp_salt: Vec::new(),
                srp_verifier: Vec::new(),
                failed_attempts: 0,
                created_at: now,
                updated_at: now,
            }
        });
        if !user.enabled {
            return Err("User is disabled.".into());
        }
        // A user someone made under this name (SignUp accepts any name), or another provider's
        // whose name differs only in case, is not this identity's.
        let this_identity = identities_of(&user).iter().any(|i| {
            i["providerName"] == provider.provider_name.as_str() && i["userId"] == subject.as_str()
        });
        if user.status != UserStatus::ExternalProvider || !this_identity {
            return Err("An account with this provider's name already exists.".into());
        }
        user.attributes.extend(mapped);
        user.updated_at = now;
        // Two first sign-ins at once: the second updates what the first inserted.
        if !is_new || !store.insert_user(&user).await.map_err(|e| e.to_string())? {
            store.update_user(&user).await.map_err(|e| e.to_string())?;
        }
        Ok(username)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_subjects_are_stable_per_provider_and_email_and_shaped_like_googles() {
        let a = test_subject("Google", "Jane@example.com");
        assert_eq!(a, test_subject("Google", "jane@example.com"));
        assert_ne!(a, test_subject("Facebook", "jane@example.com"));
        assert_ne!(a, test_subject("Google", "john@example.com"));
        assert_eq!(a.len(), 21);
        assert!(a.chars().all(|c| c.is_ascii_digit()));
    }
}
