//! Pre sign-up, post confirmation, pre token generation and custom message triggers, as
//! webhooks receiving Cognito's event JSON; plus the built-in auto-confirm rule. The custom-auth
//! triggers (`custom_auth.rs`) use the same event and call.

use crate::pool::{fault, LocalPool, OpResult};
use crate::store::UserRecord;
use cognito_idp::error::ErrorKind;
use serde_json::{json, Map, Value};

/// What a pre sign-up trigger decided.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PreSignUp {
    pub auto_confirm: bool,
    pub auto_verify_email: bool,
    pub auto_verify_phone: bool,
}

/// Claims a pre-token-generation trigger may not change (Cognito's list).
const PROTECTED_CLAIMS: [&str; 17] = [
    "acr",
    "amr",
    "aud",
    "at_hash",
    "auth_time",
    "azp",
    "cognito:username",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "sub",
    "token_use",
];

impl LocalPool {
    pub(crate) fn event(
        &self,
        user: &UserRecord,
        client_id: &str,
        source: &str,
        request: Value,
    ) -> Value {
        let config = self.cfg();
        json!({
            "version": "1",
            "region": config.pool_id.split('_').next().unwrap_or_default(),
            "userPoolId": config.pool_id,
            "userName": user.username,
            "callerContext": {"awsSdkVersion": "local-pool", "clientId": client_id},
            "triggerSource": source,
            "request": request,
            "response": {},
        })
    }

    pub(crate) fn user_attributes(user: &UserRecord) -> Value {
        let mut attributes: Map<String, Value> = user
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        attributes.insert("sub".into(), Value::String(user.sub.clone()));
        attributes.insert(
            "cognito:user_status".into(),
            Value::String(user.status.as_str().into()),
        );
        Value::Object(attributes)
    }

    /// Calls a trigger webhook. A refusal carries the webhook's text, as a Lambda error would.
    pub(crate) async fn call_trigger(
        &self,
        url: &str,
        name: &str,
        event: Value,
    ) -> OpResult<Value> {
        let response = reqwest::Client::new()
            .post(url)
            .timeout(std::time::Duration::from_secs(5))
            .json(&event)
            .send()
            .await
            .map_err(|_| {
                fault(
                    ErrorKind::UnexpectedLambda,
                    format!("{name} failed: the trigger could not be reached."),
                )
            })?;
        if !response.status().is_success() {
            let text = response.text().await.unwrap_or_default();
            let message = text.trim().chars().take(300).collect::<String>();
            return Err(fault(
                ErrorKind::UserLambdaValidation,
                format!("{name} failed with error {message}."),
            ));
        }
        let body: Value = response.json().await.map_err(|_| {
            fault(
                ErrorKind::InvalidLambdaResponse,
                format!("Invalid {name} Lambda response"),
            )
        })?;
        Ok(body.get("response").cloned().unwrap_or(Value::Null))
    }

    pub(crate) async fn pre_sign_up(
        &self,
        user: &UserRecord,
        client_id: &str,
    ) -> OpResult<PreSignUp> {
        let triggers = &self.cfg().triggers;
        let mut decision = PreSignUp::default();
        if let Some(domain) = user
            .attributes
            .get("email")
            .and_then(|e| e.rsplit_once('@'))
            .map(|(_, d)| d.to_lowercase())
        {
            if triggers
                .auto_confirm_email_domains
                .iter()
                .any(|d| d.eq_ignore_ascii_case(&domain))
            {
                decision.auto_confirm = true;
                decision.auto_verify_email = true;
            }
        }
        if let Some(url) = &triggers.pre_sign_up {
            let event = self.event(user, client_id, "PreSignUp_SignUp", json!({"userAttributes": Self::user_attributes(user), "validationData": null, "clientMetadata": {}}));
            let response = self.call_trigger(url, "PreSignUp", event).await?;
            let flag = |name: &str| response[name].as_bool().unwrap_or(false);
            decision.auto_confirm |= flag("autoConfirmUser");
            decision.auto_verify_email |= flag("autoVerifyEmail");
            decision.auto_verify_phone |= flag("autoVerifyPhone");
        }
        Ok(decision)
    }

    /// After confirmation; a failing trigger is reported but the user stays confirmed.
    pub(crate) async fn post_confirmation(
        &self,
        user: &UserRecord,
        client_id: &str,
    ) -> OpResult<()> {
        let Some(url) = self.cfg().triggers.post_confirmation.clone() else {
            return Ok(());
        };
        let event = self.event(
            user,
            client_id,
            "PostConfirmation_ConfirmSignUp",
            json!({"userAttributes": Self::user_attributes(user), "clientMetadata": {}}),
        );
        self.call_trigger(&url, "PostConfirmation", event)
            .await
            .map(|_| ())
    }

    /// Lets a trigger add, override or suppress ID-token claims (never the protected ones).
    pub(crate) async fn pre_token_generation(
        &self,
        user: &UserRecord,
        client_id: &str,
        source: &str,
        claims: &mut Map<String, Value>,
    ) -> OpResult<()> {
        let Some(url) = self.cfg().triggers.pre_token_generation.clone() else {
            return Ok(());
        };
        let event = self.event(user, client_id, source, json!({"userAttributes": Self::user_attributes(user), "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null}, "clientMetadata": {}}));
        let response = self.call_trigger(&url, "PreTokenGeneration", event).await?;
        let details = &response["claimsOverrideDetails"];
        if let Some(add) = details["claimsToAddOrOverride"].as_object() {
            for (name, value) in add {
                if !PROTECTED_CLAIMS.contains(&name.as_str()) {
                    claims.insert(name.clone(), value.clone());
                }
            }
        }
        if let Some(suppress) = details["claimsToSuppress"].as_array() {
            for name in suppress.iter().filter_map(Value::as_str) {
                if !PROTECTED_CLAIMS.contains(&name) {
                    claims.remove(name);
                }
            }
        }
        Ok(())
    }

    /// The text of a message carrying `code`, from the custom message trigger if there is one.
    pub(crate) async fn custom_message(
        &self,
        user: &UserRecord,
        source: &str,
        code: &str,
        default: String,
    ) -> OpResult<String> {
        let Some(url) = self.cfg().triggers.custom_message.clone() else {
            return Ok(default);
        };
        let client_id = self
            .cfg()
            .clients
            .first()
            .map(|c| c.client_id.clone())
            .unwrap_or_default();
        let event = self.event(user, &client_id, source, json!({"userAttributes": Self::user_attributes(user), "codeParameter": "{####}", "usernameParameter": user.username, "clientMetadata": {}}));
        let response = self.call_trigger(&url, "CustomMessage", event).await?;
        let template = response["emailMessage"]
            .as_str()
            .or_else(|| response["smsMessage"].as_str());
        Ok(match template {
            Some(template) if template.contains("{####}") => template.replace("{####}", code),
            // Cognito refuses a custom message without the code; keep the default then.
            _ => default,
        })
    }
}
