//! Several user pools behind one endpoint, and the management API that creates and changes
//! them and their app clients (what a boto3 or AWS CLI set-up script calls).
//!
//! The configured pool comes from its TOML file at each start; pools created through the API
//! are kept in `<data>/pools.json` (with their users in `<data>/pools/<id>/`).

use crate::config::{AppClient, DeviceConfiguration, IdentityProviderConfig, MfaMode, PoolConfig};
use crate::pool::{fault, random_token, Fault, LocalPool, OpResult};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use cognito_idp::error::ErrorKind;
use cognito_idp::Clock;
use rand::Rng;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

#[derive(Clone)]
pub struct Pools {
    inner: Arc<PoolsInner>,
}

struct PoolsInner {
    endpoint: String,
    data_dir: Option<PathBuf>,
    clock: Clock,
    default: LocalPool,
    /// The other pools, by id: declared in the configuration (`[[pools]]`) or created through
    /// the API.
    created: RwLock<BTreeMap<String, LocalPool>>,
    /// Ids of the pools the configuration declares: rebuilt from it at each start, so they are
    /// not written to `pools.json`.
    configured: Vec<String>,
}

fn not_found(pool_id: &str) -> Fault {
    fault(
        ErrorKind::ResourceNotFound,
        format!("User pool {pool_id} does not exist."),
    )
}

fn invalid(message: impl Into<String>) -> Fault {
    fault(ErrorKind::InvalidParameter, message)
}

/// Base-62 characters, as real pool and client ids use.
fn random_id(len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

fn lowercase_id(len: usize) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

/// The page a `MaxResults`/`NextToken` listing asks for, checked as Cognito checks them: a
/// whole number from 1 to 60 and a token this listing handed out.
fn list_page(body: &Value, len: usize) -> OpResult<(usize, usize)> {
    let max = match body.get("MaxResults") {
        None | Some(Value::Null) => None,
        Some(value) => Some(value.as_i64().ok_or_else(|| {
            invalid("1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must be a whole number")
        })?),
    };
    let max = crate::pool::page_size("maxResults", max, 1, 60)?;
    let token = match body.get("NextToken") {
        None | Some(Value::Null) => None,
        Some(Value::String(token)) => Some(token.as_str()),
        Some(_) => return Err(invalid("Invalid pagination token.")),
    };
    crate::pool::page(token, max, len)
}

/// Adds `NextToken` when the listing goes on past `end`.
fn with_next_token(mut listing: Value, end: usize, len: usize) -> Value {
    if end < len {
        listing["NextToken"] = Value::String(end.to_string());
    }
    listing
}

/// Seconds of a token validity given in Cognito's units (`TokenValidityUnits`).
fn to_seconds(value: i64, unit: &str) -> i64 {
    value
        * match unit {
            "seconds" => 1,
            "minutes" => 60,
            "hours" => 3600,
            _ => 86_400,
        }
}

impl Pools {
    /// The configured pool, plus any created earlier through the API under `data_dir`.
    pub async fn open(
        default: LocalPool,
        endpoint: &str,
        data_dir: Option<PathBuf>,
        clock: Clock,
    ) -> Result<Self, String> {
        let pools = Self {
            inner: Arc::new(PoolsInner {
                endpoint: endpoint.trim_end_matches('/').to_owned(),
                data_dir,
                clock,
                configured: default
                    .config()
                    .pools
                    .iter()
                    .map(|p| p.pool_id.clone())
                    .collect(),
                default,
                created: RwLock::default(),
            }),
        };
        for config in pools.default_pool().config().pools.clone() {
            let pool = pools.open_pool(config).await?;
            pools.created().insert(pool.config().pool_id.clone(), pool);
        }
        if let Some(path) = pools.registry_path() {
            if let Ok(text) = std::fs::read_to_string(&path) {
                let saved: Vec<PoolConfig> =
                    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
                for config in saved {
                    // The configuration wins over a saved pool with the same id.
                    if pools.is_configured(&config.pool_id) {
                        continue;
                    }
                    let pool = pools.open_pool(config).await?;
                    pools.created().insert(pool.config().pool_id.clone(), pool);
                }
            }
        }
        Ok(pools)
    }

    /// A registry starting with one pool; pools created through the API live in memory.
    pub fn single(pool: LocalPool) -> Self {
        let endpoint = pool
            .issuer()
            .strip_suffix(&format!("/{}", pool.config().pool_id))
            .unwrap_or_default()
            .to_owned();
        Self {
            inner: Arc::new(PoolsInner {
                endpoint,
                data_dir: None,
                clock: pool.clock(),
                default: pool,
                created: RwLock::default(),
                configured: Vec::new(),
            }),
        }
    }

    pub fn default_pool(&self) -> &LocalPool {
        &self.inner.default
    }

    pub fn now(&self) -> i64 {
        self.inner.clock.now()
    }

    fn created(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, LocalPool>> {
        self.inner.created.write().expect("pools lock")
    }

    /// Every pool's outbox in one list, oldest first.
    pub async fn outbox(&self) -> OpResult<Vec<crate::store::OutboxMessage>> {
        let mut messages = Vec::new();
        for pool in self.all() {
            messages.extend(pool.outbox().await?);
        }
        // Stable: messages of one pool keep their order within the same second.
        messages.sort_by_key(|m| m.at);
        Ok(messages)
    }

    /// The pool the console or outbox was asked for (`?pool=`), else the configured one.
    pub fn chosen(&self, pool_id: Option<&str>) -> OpResult<LocalPool> {
        match pool_id.filter(|id| !id.is_empty()) {
            Some(id) => self.by_pool_id(id),
            None => Ok(self.inner.default.clone()),
        }
    }

    /// Declared by the configuration file (the default pool or a `[[pools]]` table).
    fn is_configured(&self, pool_id: &str) -> bool {
        pool_id == self.inner.default.config().pool_id
            || self.inner.configured.iter().any(|id| id == pool_id)
    }

    /// Every pool served: the configured one first.
    pub fn all(&self) -> Vec<LocalPool> {
        let mut pools = vec![self.inner.default.clone()];
        pools.extend(
            self.inner
                .created
                .read()
                .expect("pools lock")
                .values()
                .cloned(),
        );
        pools
    }

    fn registry_path(&self) -> Option<PathBuf> {
        self.inner.data_dir.as_ref().map(|d| d.join("pools.json"))
    }

    async fn open_pool(&self, config: PoolConfig) -> Result<LocalPool, String> {
        let dir = self
            .inner
            .data_dir
            .as_ref()
            .map(|d| d.join("pools").join(&config.pool_id));
        LocalPool::open(
            config,
            dir.as_deref(),
            &self.inner.endpoint,
            self.inner.clock.clone(),
        )
        .await
    }

    /// Writes the created pools' settings, so they survive a restart.
    fn save(&self) -> OpResult<()> {
        let Some(path) = self.registry_path() else {
            return Ok(());
        };
        let configs: Vec<PoolConfig> = self
            .inner
            .created
            .read()
            .expect("pools lock")
            .values()
            .filter(|p| !self.is_configured(&p.config().pool_id))
            .map(|p| (*p.config()).clone())
            .collect();
        let text = serde_json::to_string_pretty(&configs).expect("configs serialise");
        std::fs::write(&path, text).map_err(|e| {
            tracing::error!(error = %e, "could not save the pools");
            fault(ErrorKind::InternalError, "Internal error")
        })
    }

    pub fn by_pool_id(&self, pool_id: &str) -> OpResult<LocalPool> {
        self.all()
            .into_iter()
            .find(|p| p.config().pool_id == pool_id)
            .ok_or_else(|| not_found(pool_id))
    }

    /// The pool a request is for: by pool id, client id, token issuer or challenge session.
    pub async fn route(&self, body: &Value) -> OpResult<LocalPool> {
        let text = |key: &str| body.get(key).and_then(Value::as_str);
        if let Some(pool_id) = text("UserPoolId") {
            return self.by_pool_id(pool_id);
        }
        if let Some(client_id) = text("ClientId") {
            return self
                .all()
                .into_iter()
                .find(|p| p.config().client(client_id).is_some())
                .ok_or_else(|| {
                    fault(
                        ErrorKind::ResourceNotFound,
                        format!("User pool client {client_id} does not exist."),
                    )
                });
        }
        if let Some(token) = text("AccessToken") {
            // The issuer names the pool; the pool itself verifies the token.
            let issuer = token
                .split('.')
                .nth(1)
                .and_then(|payload| URL_SAFE_NO_PAD.decode(payload).ok())
                .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
                .and_then(|claims| claims["iss"].as_str().map(str::to_owned));
            if let Some(pool) =
                issuer.and_then(|iss| self.all().into_iter().find(|p| p.issuer() == iss))
            {
                return Ok(pool);
            }
        }
        if let Some(session) = text("Session") {
            for pool in self.all() {
                if pool
                    .store()
                    .auth_session_client(session)
                    .await
                    .ok()
                    .flatten()
                    .is_some()
                {
                    return Ok(pool);
                }
            }
        }
        Ok(self.inner.default.clone())
    }

    fn describe_pool(&self, pool: &LocalPool, users: usize) -> Value {
        let config = pool.config();
        let policy = &config.password_policy;
        let region = config.pool_id.split('_').next().unwrap_or("us-east-1");
        json!({
            "Id": config.pool_id,
            "Name": config.pool_name,
            "Arn": format!("arn:aws:cognito-idp:{region}:000000000000:userpool/{}", config.pool_id),
            "Policies": {"PasswordPolicy": {
                "MinimumLength": policy.minimum_length,
                "RequireUppercase": policy.require_uppercase,
                "RequireLowercase": policy.require_lowercase,
                "RequireNumbers": policy.require_numbers,
                "RequireSymbols": policy.require_symbols,
                "TemporaryPasswordValidityDays": config.temporary_password_validity_days,
            }, "SignInPolicy": {"AllowedFirstAuthFactors": config.allowed_first_auth_factors}},
            "UsernameAttributes": config.username_attributes,
            "AutoVerifiedAttributes": config.auto_verified_attributes,
            "MfaConfiguration": match config.mfa { MfaMode::Off => "OFF", MfaMode::Optional => "OPTIONAL", MfaMode::On => "ON" },
            "SchemaAttributes": config.required_attributes.iter().map(|name| json!({"Name": name, "Required": true, "AttributeDataType": "String", "Mutable": true})).collect::<Vec<_>>(),
            "EstimatedNumberOfUsers": users,
            "UserPoolTier": "ESSENTIALS",
            "DeviceConfiguration": config.device_configuration.as_ref().map(|d| json!({
                "ChallengeRequiredOnNewDevice": d.challenge_required_on_new_device,
                "DeviceOnlyRememberedOnUserPrompt": d.device_only_remembered_on_user_prompt,
            })),
        })
    }

    fn describe_client(pool: &LocalPool, client: &AppClient) -> Value {
        let mut described = json!({
            "UserPoolId": pool.config().pool_id,
            "ClientName": client.client_name,
            "ClientId": client.client_id,
            "ExplicitAuthFlows": client.explicit_auth_flows,
            "AccessTokenValidity": client.access_token_validity_secs / 60,
            "IdTokenValidity": client.id_token_validity_secs / 60,
            "RefreshTokenValidity": client.refresh_token_validity_secs / 60,
            "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "minutes"},
            "AuthSessionValidity": client.auth_session_validity_secs / 60,
            "EnableTokenRevocation": client.enable_token_revocation,
            "PreventUserExistenceErrors": if client.prevent_user_existence_errors { "ENABLED" } else { "LEGACY" },
            "RefreshTokenRotation": {"Feature": if client.refresh_token_rotation { "ENABLED" } else { "DISABLED" }, "RetryGracePeriodSeconds": client.rotation_grace_secs},
        });
        if let Some(secret) = &client.client_secret {
            described["ClientSecret"] = json!(secret);
        }
        described["AllowedOAuthFlowsUserPoolClient"] =
            json!(client.allowed_oauth_flows_user_pool_client);
        for (key, list) in [
            ("AllowedOAuthFlows", &client.allowed_oauth_flows),
            ("AllowedOAuthScopes", &client.allowed_oauth_scopes),
            ("CallbackURLs", &client.callback_urls),
            ("LogoutURLs", &client.logout_urls),
            (
                "SupportedIdentityProviders",
                &client.supported_identity_providers,
            ),
        ] {
            if !list.is_empty() {
                described[key] = json!(list);
            }
        }
        described
    }

    /// Applies the pool settings of a CreateUserPool / UpdateUserPool request.
    fn apply_pool_settings(config: &mut PoolConfig, body: &Value) -> OpResult<()> {
        if let Some(policy) = body.pointer("/Policies/PasswordPolicy") {
            let flag = |name: &str, current: bool| policy[name].as_bool().unwrap_or(current);
            let p = &mut config.password_policy;
            if let Some(length) = policy["MinimumLength"].as_u64() {
                if !(6..=99).contains(&length) {
                    return Err(invalid("MinimumLength must be between 6 and 99."));
                }
                p.minimum_length = length as usize;
            }
            p.require_uppercase = flag("RequireUppercase", p.require_uppercase);
            p.require_lowercase = flag("RequireLowercase", p.require_lowercase);
            p.require_numbers = flag("RequireNumbers", p.require_numbers);
            p.require_symbols = flag("RequireSymbols", p.require_symbols);
            if let Some(days) = policy["TemporaryPasswordValidityDays"].as_i64() {
                config.temporary_password_validity_days = days;
            }
        }
        if let Some(policy) = body.pointer("/Policies/SignInPolicy") {
            let factors: Vec<String> = policy["AllowedFirstAuthFactors"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            crate::config::check_first_factors(&factors).map_err(|_| {
                invalid("SignInPolicy.AllowedFirstAuthFactors must list 1 to 4 of PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN, each once.")
            })?;
            config.allowed_first_auth_factors = factors;
        }
        let strings = |key: &str| {
            body[key].as_array().map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
        };
        if let Some(attributes) = strings("UsernameAttributes") {
            config.username_attributes = attributes;
        }
        if let Some(attributes) = strings("AutoVerifiedAttributes") {
            config.auto_verified_attributes = attributes;
        }
        if let Some(mode) = body["MfaConfiguration"].as_str() {
            config.mfa = Self::mfa_mode(mode)?;
        }
        // Any member given turns device tracking on (as on AWS).
        if let Some(devices) = body.get("DeviceConfiguration").filter(|d| d.is_object()) {
            let flag = |name: &str| devices[name].as_bool().unwrap_or(false);
            config.device_configuration = Some(DeviceConfiguration {
                challenge_required_on_new_device: flag("ChallengeRequiredOnNewDevice"),
                device_only_remembered_on_user_prompt: flag("DeviceOnlyRememberedOnUserPrompt"),
            });
        }
        if let Some(schema) = body["Schema"].as_array() {
            for attribute in schema {
                if attribute["Required"].as_bool() == Some(true) {
                    if let Some(name) = attribute["Name"].as_str() {
                        if !config.required_attributes.iter().any(|a| a == name) {
                            config.required_attributes.push(name.to_owned());
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn mfa_mode(mode: &str) -> OpResult<MfaMode> {
        match mode {
            "OFF" => Ok(MfaMode::Off),
            "OPTIONAL" => Ok(MfaMode::Optional),
            "ON" => Ok(MfaMode::On),
            other => Err(invalid(format!("Invalid MfaConfiguration {other}"))),
        }
    }

    /// Applies an app client's settings from CreateUserPoolClient / UpdateUserPoolClient.
    fn apply_client_settings(client: &mut AppClient, body: &Value) -> OpResult<()> {
        if let Some(name) = body["ClientName"].as_str() {
            client.client_name = name.to_owned();
        }
        if let Some(flows) = body["ExplicitAuthFlows"].as_array() {
            client.explicit_auth_flows = flows
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
        }
        let unit = |key: &str, default: &str| {
            body.pointer(&format!("/TokenValidityUnits/{key}"))
                .and_then(Value::as_str)
                .unwrap_or(default)
                .to_owned()
        };
        if let Some(v) = body["AccessTokenValidity"].as_i64() {
            client.access_token_validity_secs = to_seconds(v, &unit("AccessToken", "hours"));
        }
        if let Some(v) = body["IdTokenValidity"].as_i64() {
            client.id_token_validity_secs = to_seconds(v, &unit("IdToken", "hours"));
        }
        if let Some(v) = body["RefreshTokenValidity"].as_i64() {
            client.refresh_token_validity_secs = if v == 0 {
                30 * 86_400
            } else {
                to_seconds(v, &unit("RefreshToken", "days"))
            };
        }
        if let Some(minutes) = body["AuthSessionValidity"].as_i64() {
            if !(3..=15).contains(&minutes) {
                return Err(invalid(
                    "AuthSessionValidity must be between 3 and 15 minutes.",
                ));
            }
            client.auth_session_validity_secs = minutes * 60;
        }
        if let Some(enabled) = body["EnableTokenRevocation"].as_bool() {
            client.enable_token_revocation = enabled;
        }
        if let Some(mode) = body["PreventUserExistenceErrors"].as_str() {
            client.prevent_user_existence_errors = mode == "ENABLED";
        }
        if let Some(rotation) = body.get("RefreshTokenRotation") {
            client.refresh_token_rotation = rotation["Feature"].as_str() == Some("ENABLED");
            client.rotation_grace_secs = rotation["RetryGracePeriodSeconds"].as_i64().unwrap_or(0);
        }
        Self::apply_oauth_settings(client, body)
    }

    /// The app client's OAuth members, checked as Cognito checks them.
    fn apply_oauth_settings(client: &mut AppClient, body: &Value) -> OpResult<()> {
        let list = |key: &str| -> Option<Vec<String>> {
            body[key].as_array().map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
        };
        if let Some(on) = body["AllowedOAuthFlowsUserPoolClient"].as_bool() {
            client.allowed_oauth_flows_user_pool_client = on;
        }
        if let Some(flows) = list("AllowedOAuthFlows") {
            if let Some(bad) = flows
                .iter()
                .find(|f| !matches!(f.as_str(), "code" | "implicit" | "client_credentials"))
            {
                return Err(invalid(format!("Invalid OAuth flow {bad}.")));
            }
            if flows.iter().any(|f| f == "client_credentials") && flows.len() > 1 {
                return Err(fault(
                    ErrorKind::InvalidOAuthFlow,
                    "client_credentials flow can not be selected along with code flow or implicit flow.",
                ));
            }
            client.allowed_oauth_flows = flows;
        }
        if let Some(scopes) = list("AllowedOAuthScopes") {
            client.allowed_oauth_scopes = scopes;
        }
        for (key, slot) in [
            ("CallbackURLs", &mut client.callback_urls),
            ("LogoutURLs", &mut client.logout_urls),
        ] {
            if let Some(urls) = list(key) {
                if let Some(bad) = urls.iter().find(|u| !is_registrable_redirect(u)) {
                    return Err(invalid(format!(
                        "{key} must be absolute URLs without a fragment, https except for localhost: {bad}"
                    )));
                }
                *slot = urls;
            }
        }
        if let Some(providers) = list("SupportedIdentityProviders") {
            client.supported_identity_providers = providers;
        }
        Ok(())
    }

    /// Runs a management operation; `None` when `operation` is not one.
    pub async fn manage(&self, operation: &str, body: &Value) -> Option<OpResult<Value>> {
        let result = match operation {
            "AdminLinkProviderForUser" => self.link_provider(body).await,
            "AdminDisableProviderForUser" => self.disable_provider(body).await,
            "CreateIdentityProvider" => self.create_identity_provider(body).await,
            "DescribeIdentityProvider" => self
                .find_identity_provider(body)
                .map(|(_, p)| json!({"IdentityProvider": describe_provider(&p)})),
            "UpdateIdentityProvider" => self.update_identity_provider(body).await,
            "DeleteIdentityProvider" => self.delete_identity_provider(body).await,
            "ListIdentityProviders" => self.list_identity_providers(body),
            "GetIdentityProviderByIdentifier" => self.identity_provider_by_identifier(body),
            "CreateUserPool" => self.create_user_pool(body).await,
            "ListUserPools" => self.list_user_pools(body),
            "DescribeUserPool" => self.describe_user_pool(body).await,
            "UpdateUserPool" => {
                self.update_pool(body, |config| Self::apply_pool_settings(config, body))
                    .await
            }
            "DeleteUserPool" => self.delete_user_pool(body),
            "SetUserPoolMfaConfig" => self.set_mfa_config(body).await,
            "GetUserPoolMfaConfig" => self.get_mfa_config(body),
            "CreateUserPoolClient" => self.create_client(body).await,
            "DescribeUserPoolClient" => self.find_client(body).map(
                |(pool, client)| json!({"UserPoolClient": Self::describe_client(&pool, &client)}),
            ),
            "UpdateUserPoolClient" => self.update_client(body).await,
            "ListUserPoolClients" => self.list_clients(body),
            "DeleteUserPoolClient" => self.delete_client(body).await,
            _ => return None,
        };
        Some(result)
    }

    fn pool_of(&self, body: &Value) -> OpResult<LocalPool> {
        let id = body["UserPoolId"]
            .as_str()
            .ok_or_else(|| invalid("UserPoolId is required."))?;
        self.by_pool_id(id)
    }

    async fn create_user_pool(&self, body: &Value) -> OpResult<Value> {
        let name = body["PoolName"]
            .as_str()
            .filter(|n| !n.is_empty() && n.len() <= 128)
            .ok_or_else(|| invalid("PoolName is required."))?;
        let region = self
            .inner
            .default
            .config()
            .pool_id
            .split('_')
            .next()
            .unwrap_or("us-east-1")
            .to_owned();
        let mut config = PoolConfig {
            pool_id: format!("{region}_{}", random_id(9)),
            pool_name: name.to_owned(),
            clients: Vec::new(),
            print_outbox: self.inner.default.config().print_outbox,
            ..PoolConfig::default()
        };
        // A pool made through the API starts as Cognito's does: nothing auto-verified.
        config.auto_verified_attributes = Vec::new();
        Self::apply_pool_settings(&mut config, body)?;
        let pool = self.open_pool(config).await.map_err(|e| {
            tracing::error!(error = %e, "could not create a pool");
            fault(ErrorKind::InternalError, "Internal error")
        })?;
        let described = self.describe_pool(&pool, 0);
        self.created().insert(pool.config().pool_id.clone(), pool);
        self.save()?;
        Ok(json!({"UserPool": described}))
    }

    fn list_user_pools(&self, body: &Value) -> OpResult<Value> {
        let pools = self.all();
        let (start, end) = list_page(body, pools.len())?;
        let listed: Vec<Value> = pools[start..end]
            .iter()
            .map(|p| json!({"Id": p.config().pool_id, "Name": p.config().pool_name}))
            .collect();
        Ok(with_next_token(
            json!({"UserPools": listed}),
            end,
            pools.len(),
        ))
    }

    async fn describe_user_pool(&self, body: &Value) -> OpResult<Value> {
        let pool = self.pool_of(body)?;
        let users = pool
            .store()
            .list_users()
            .await
            .map(|u| u.len())
            .unwrap_or_default();
        Ok(json!({"UserPool": self.describe_pool(&pool, users)}))
    }

    async fn update_pool(
        &self,
        body: &Value,
        change: impl FnOnce(&mut PoolConfig) -> OpResult<()>,
    ) -> OpResult<Value> {
        let pool = self.pool_of(body)?;
        let mut config = (*pool.config()).clone();
        change(&mut config)?;
        pool.set_config(config);
        self.save()?;
        Ok(json!({}))
    }

    fn delete_user_pool(&self, body: &Value) -> OpResult<Value> {
        let id = body["UserPoolId"]
            .as_str()
            .ok_or_else(|| invalid("UserPoolId is required."))?;
        if self.is_configured(id) {
            return Err(invalid(
                "A pool from the configuration file cannot be deleted; remove it from the file instead.",
            ));
        }
        self.created().remove(id).ok_or_else(|| not_found(id))?;
        self.save()?;
        if let Some(dir) = self
            .inner
            .data_dir
            .as_ref()
            .map(|d| d.join("pools").join(id))
        {
            let _ = std::fs::remove_dir_all(dir);
        }
        Ok(json!({}))
    }

    async fn set_mfa_config(&self, body: &Value) -> OpResult<Value> {
        self.update_pool(body, |config| {
            if let Some(mode) = body["MfaConfiguration"].as_str() {
                config.mfa = Self::mfa_mode(mode)?;
            }
            let mut factors = Vec::new();
            for (key, factor) in [
                ("SoftwareTokenMfaConfiguration", "SOFTWARE_TOKEN_MFA"),
                ("SmsMfaConfiguration", "SMS_MFA"),
                ("EmailMfaConfiguration", "EMAIL_OTP"),
            ] {
                let configured = body.get(key);
                let enabled = match configured {
                    Some(v) if key == "SoftwareTokenMfaConfiguration" => {
                        v["Enabled"].as_bool().unwrap_or(false)
                    }
                    Some(v) => !v.is_null(),
                    None => config.mfa_factors.iter().any(|f| f == factor),
                };
                if enabled {
                    factors.push(factor.to_owned());
                }
            }
            config.mfa_factors = factors;
            if let Some(webauthn) = body.get("WebAuthnConfiguration").filter(|v| !v.is_null()) {
                let mut settings = config.webauthn.clone();
                let text = |key: &str| webauthn.get(key).and_then(Value::as_str);
                if let Some(id) = text("RelyingPartyId") {
                    crate::config::check_relying_party_id(id).map_err(|e| invalid(&e))?;
                    settings.relying_party_id = Some(id.to_owned());
                }
                if let Some(verification) = text("UserVerification") {
                    settings.user_verification = verification.to_owned();
                }
                if let Some(factor) = text("FactorConfiguration") {
                    settings.factor_configuration = factor.to_owned();
                }
                settings.check().map_err(|e| invalid(&e))?;
                config.webauthn = settings;
            }
            Ok(())
        })
        .await?;
        self.get_mfa_config(body)
    }

    fn get_mfa_config(&self, body: &Value) -> OpResult<Value> {
        let config = self.pool_of(body)?.config();
        let has = |factor: &str| config.mfa_factors.iter().any(|f| f == factor);
        let mut answer = json!({
            "MfaConfiguration": match config.mfa { MfaMode::Off => "OFF", MfaMode::Optional => "OPTIONAL", MfaMode::On => "ON" },
            "SoftwareTokenMfaConfiguration": {"Enabled": has("SOFTWARE_TOKEN_MFA")},
        });
        if has("SMS_MFA") {
            answer["SmsMfaConfiguration"] =
                json!({"SmsAuthenticationMessage": "Your authentication code is {####}"});
        }
        if has("EMAIL_OTP") {
            answer["EmailMfaConfiguration"] =
                json!({"Message": "Your authentication code is {####}", "Subject": "Your code"});
        }
        let webauthn = &config.webauthn;
        answer["WebAuthnConfiguration"] = json!({
            "UserVerification": webauthn.user_verification,
            "FactorConfiguration": webauthn.factor_configuration,
        });
        if let Some(id) = &webauthn.relying_party_id {
            answer["WebAuthnConfiguration"]["RelyingPartyId"] = json!(id);
        }
        Ok(answer)
    }

    async fn create_client(&self, body: &Value) -> OpResult<Value> {
        let pool = self.pool_of(body)?;
        let mut client = AppClient {
            client_id: lowercase_id(26),
            client_name: body["ClientName"].as_str().unwrap_or_default().to_owned(),
            client_secret: body["GenerateSecret"]
                .as_bool()
                .unwrap_or(false)
                .then(|| random_token(39)),
            // Cognito's API default for new clients.
            prevent_user_existence_errors: false,
            explicit_auth_flows: vec![
                "ALLOW_REFRESH_TOKEN_AUTH".into(),
                "ALLOW_USER_SRP_AUTH".into(),
                "ALLOW_CUSTOM_AUTH".into(),
            ],
            ..AppClient::default()
        };
        if client.client_name.is_empty() {
            return Err(invalid("ClientName is required."));
        }
        Self::apply_client_settings(&mut client, body)?;
        let described = Self::describe_client(&pool, &client);
        let mut config = (*pool.config()).clone();
        config.clients.push(client);
        pool.set_config(config);
        self.save()?;
        Ok(json!({"UserPoolClient": described}))
    }

    fn find_client(&self, body: &Value) -> OpResult<(LocalPool, AppClient)> {
        let pool = self.pool_of(body)?;
        let id = body["ClientId"].as_str().unwrap_or_default();
        let client = pool.config().client(id).cloned().ok_or_else(|| {
            fault(
                ErrorKind::ResourceNotFound,
                format!("User pool client {id} does not exist."),
            )
        })?;
        Ok((pool, client))
    }

    async fn update_client(&self, body: &Value) -> OpResult<Value> {
        let (pool, mut client) = self.find_client(body)?;
        Self::apply_client_settings(&mut client, body)?;
        let described = Self::describe_client(&pool, &client);
        let mut config = (*pool.config()).clone();
        if let Some(slot) = config
            .clients
            .iter_mut()
            .find(|c| c.client_id == client.client_id)
        {
            *slot = client;
        }
        pool.set_config(config);
        self.save()?;
        Ok(json!({"UserPoolClient": described}))
    }

    fn list_clients(&self, body: &Value) -> OpResult<Value> {
        let pool = self.pool_of(body)?;
        let config = pool.config();
        let (start, end) = list_page(body, config.clients.len())?;
        let clients: Vec<Value> = config.clients[start..end]
            .iter()
            .map(|c| json!({"ClientId": c.client_id, "UserPoolId": config.pool_id, "ClientName": c.client_name}))
            .collect();
        Ok(with_next_token(
            json!({"UserPoolClients": clients}),
            end,
            config.clients.len(),
        ))
    }

    async fn delete_client(&self, body: &Value) -> OpResult<Value> {
        let (pool, client) = self.find_client(body)?;
        let mut config = (*pool.config()).clone();
        config.clients.retain(|c| c.client_id != client.client_id);
        pool.set_config(config);
        self.save()?;
        Ok(json!({}))
    }
}

/// Cognito's `IdentityProviderType` for `provider` (a private key is never shown).
fn describe_provider(provider: &IdentityProviderConfig) -> Value {
    let details = crate::provider_details::described(provider);
    json!({
        "ProviderName": provider.provider_name,
        "ProviderType": provider.provider_type,
        "ProviderDetails": details,
        "AttributeMapping": provider.effective_mapping(),
        "IdpIdentifiers": provider.idp_identifiers,
        "CreationDate": provider.creation_date,
        "LastModifiedDate": provider.last_modified_date,
    })
}

fn string_map(value: &Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

const PROVIDER_TYPES: [&str; 6] = [
    "SAML",
    "Facebook",
    "Google",
    "LoginWithAmazon",
    "SignInWithApple",
    "OIDC",
];

impl Pools {
    fn find_identity_provider(
        &self,
        body: &Value,
    ) -> OpResult<(LocalPool, IdentityProviderConfig)> {
        let pool = self.pool_of(body)?;
        let name = body["ProviderName"]
            .as_str()
            .ok_or_else(|| invalid("ProviderName is required."))?;
        let provider = pool
            .config()
            .identity_providers
            .iter()
            .find(|p| p.provider_name == name)
            .cloned()
            .ok_or_else(|| {
                fault(
                    ErrorKind::ResourceNotFound,
                    format!("Identity provider {name} does not exist."),
                )
            })?;
        Ok((pool, provider))
    }

    /// Applies `change` to the pool's providers and saves the pool.
    fn update_providers(
        &self,
        pool: &LocalPool,
        change: impl FnOnce(&mut Vec<IdentityProviderConfig>),
    ) -> OpResult<()> {
        let mut config = (*pool.config()).clone();
        change(&mut config.identity_providers);
        pool.set_config(config);
        self.save()
    }

    async fn create_identity_provider(&self, body: &Value) -> OpResult<Value> {
        let pool = self.pool_of(body)?;
        let name = body["ProviderName"]
            .as_str()
            .ok_or_else(|| invalid("ProviderName is required."))?;
        if name.is_empty()
            || name.chars().count() > 32
            || name.starts_with(['_', ' '])
            || name.ends_with(['_', ' '])
        {
            return Err(invalid(
                "ProviderName must be 1 to 32 characters, not starting or ending with _ or a space.",
            ));
        }
        let provider_type = body["ProviderType"].as_str().unwrap_or_default();
        if !PROVIDER_TYPES.contains(&provider_type) {
            return Err(invalid(format!("Invalid ProviderType {provider_type}.")));
        }
        // Social providers go by their type's name, the only one /oauth2/authorize accepts.
        if !matches!(provider_type, "OIDC" | "SAML") && name != provider_type {
            return Err(invalid(format!(
                "A {provider_type} provider must be named {provider_type}."
            )));
        }
        if pool
            .config()
            .identity_providers
            .iter()
            .any(|p| p.provider_name == name)
        {
            return Err(fault(
                ErrorKind::DuplicateProvider,
                "A provider with the name already exists in this user pool.",
            ));
        }
        let provider_details = string_map(&body["ProviderDetails"]);
        crate::provider_details::check(provider_type, &provider_details).map_err(invalid)?;
        let now = pool.now();
        let provider = IdentityProviderConfig {
            provider_name: name.to_owned(),
            provider_type: provider_type.to_owned(),
            provider_details,
            attribute_mapping: string_map(&body["AttributeMapping"]),
            idp_identifiers: body["IdpIdentifiers"]
                .as_array()
                .map(|ids| {
                    ids.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            creation_date: now,
            last_modified_date: now,
        };
        let described = describe_provider(&provider);
        self.update_providers(&pool, |providers| providers.push(provider))?;
        Ok(json!({"IdentityProvider": described}))
    }

    /// Links a provider identity to a user of the pool: signing in with it then signs in as
    /// that user (at most five links per user, as on Cognito).
    async fn link_provider(&self, body: &Value) -> OpResult<Value> {
        let pool = self.pool_of(body)?;
        let destination = &body["DestinationUser"];
        let source = &body["SourceUser"];
        if destination["ProviderName"].as_str() != Some("Cognito") {
            return Err(invalid("DestinationUser.ProviderName must be Cognito."));
        }
        let username = destination["ProviderAttributeValue"]
            .as_str()
            .ok_or_else(|| invalid("DestinationUser.ProviderAttributeValue is required."))?;
        let provider_name = source["ProviderName"]
            .as_str()
            .ok_or_else(|| invalid("SourceUser.ProviderName is required."))?;
        let subject = source["ProviderAttributeValue"]
            .as_str()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid("SourceUser.ProviderAttributeValue is required."))?;
        if source["ProviderAttributeName"].as_str() != Some("Cognito_Subject") {
            return Err(invalid(
                "The local pool links by Cognito_Subject (the provider's subject) only.",
            ));
        }
        let config = pool.config();
        let provider = config
            .identity_providers
            .iter()
            .find(|p| p.provider_name == provider_name)
            .ok_or_else(|| invalid(format!("Identity provider {provider_name} does not exist.")))?;
        let store = pool.store();
        let mut user = store
            .user(username)
            .await?
            .filter(|u| u.status != crate::store::UserStatus::ExternalProvider)
            .ok_or_else(|| fault(ErrorKind::UserNotFound, "User does not exist."))?;
        let federated = format!("{}_{subject}", provider_name.to_lowercase());
        if store.user(&federated).await?.is_some()
            || pool
                .linked_user(provider_name, subject)
                .await
                .map_err(|_| fault(ErrorKind::InternalError, "Internal error"))?
                .is_some()
        {
            return Err(fault(
                ErrorKind::AliasExists,
                "The source user is already in the pool or linked to another user.",
            ));
        }
        let mut identities = crate::federation::identities_of(&user);
        if identities.len() >= 5 {
            return Err(fault(
                ErrorKind::LimitExceeded,
                "A user can be linked to at most 5 identities.",
            ));
        }
        identities.push(crate::federation::identity_entry(
            provider,
            subject,
            false,
            pool.now(),
        ));
        user.attributes
            .insert("identities".into(), Value::Array(identities).to_string());
        user.updated_at = pool.now();
        store.update_user(&user).await?;
        Ok(json!({}))
    }

    /// Unlinks a provider identity: it no longer signs in as the user it was linked to, and a
    /// user the provider's sign-in made is removed (the next sign-in starts afresh).
    async fn disable_provider(&self, body: &Value) -> OpResult<Value> {
        let pool = self.pool_of(body)?;
        let user = &body["User"];
        let provider_name = user["ProviderName"]
            .as_str()
            .ok_or_else(|| invalid("User.ProviderName is required."))?;
        let subject = user["ProviderAttributeValue"]
            .as_str()
            .ok_or_else(|| invalid("User.ProviderAttributeValue is required."))?;
        if provider_name == "Cognito" {
            return Err(invalid(
                "The local pool does not turn off a user's own password sign-in.",
            ));
        }
        let store = pool.store();
        for mut linked in store.list_users().await? {
            let identities = crate::federation::identities_of(&linked);
            let kept: Vec<Value> = identities
                .iter()
                .filter(|i| !(i["providerName"] == provider_name && i["userId"] == subject))
                .cloned()
                .collect();
            if kept.len() != identities.len()
                && linked.status != crate::store::UserStatus::ExternalProvider
            {
                linked
                    .attributes
                    .insert("identities".into(), Value::Array(kept).to_string());
                linked.updated_at = pool.now();
                store.update_user(&linked).await?;
            }
        }
        let federated = format!("{}_{subject}", provider_name.to_lowercase());
        if store
            .user(&federated)
            .await?
            .is_some_and(|u| u.status == crate::store::UserStatus::ExternalProvider)
        {
            store.delete_user(&federated).await?;
        }
        // Its domain sessions end too, so it cannot sign in again without the provider.
        pool.end_domain_sessions(provider_name);
        Ok(json!({}))
    }

    async fn update_identity_provider(&self, body: &Value) -> OpResult<Value> {
        let (pool, mut provider) = self.find_identity_provider(body)?;
        if body.get("ProviderDetails").is_some() {
            let details = string_map(&body["ProviderDetails"]);
            crate::provider_details::check(&provider.provider_type, &details).map_err(invalid)?;
            provider.provider_details = details;
        }
        if body.get("AttributeMapping").is_some() {
            provider.attribute_mapping = string_map(&body["AttributeMapping"]);
        }
        if let Some(ids) = body["IdpIdentifiers"].as_array() {
            provider.idp_identifiers = ids
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
        }
        provider.last_modified_date = pool.now();
        let described = describe_provider(&provider);
        self.update_providers(&pool, |providers| {
            if let Some(slot) = providers
                .iter_mut()
                .find(|p| p.provider_name == provider.provider_name)
            {
                *slot = provider;
            }
        })?;
        Ok(json!({"IdentityProvider": described}))
    }

    async fn delete_identity_provider(&self, body: &Value) -> OpResult<Value> {
        let (pool, provider) = self.find_identity_provider(body)?;
        self.update_providers(&pool, |providers| {
            providers.retain(|p| p.provider_name != provider.provider_name)
        })?;
        Ok(json!({}))
    }

    fn list_identity_providers(&self, body: &Value) -> OpResult<Value> {
        let pool = self.pool_of(body)?;
        let config = pool.config();
        let providers = &config.identity_providers;
        let (start, end) = list_page(body, providers.len())?;
        let listed: Vec<Value> = providers[start..end]
            .iter()
            .map(|p| {
                json!({
                    "ProviderName": p.provider_name, "ProviderType": p.provider_type,
                    "CreationDate": p.creation_date, "LastModifiedDate": p.last_modified_date,
                })
            })
            .collect();
        Ok(with_next_token(
            json!({"Providers": listed}),
            end,
            providers.len(),
        ))
    }

    fn identity_provider_by_identifier(&self, body: &Value) -> OpResult<Value> {
        let pool = self.pool_of(body)?;
        let identifier = body["IdpIdentifier"]
            .as_str()
            .ok_or_else(|| invalid("IdpIdentifier is required."))?;
        pool.config()
            .identity_providers
            .iter()
            .find(|p| p.idp_identifiers.iter().any(|i| i == identifier))
            .map(|p| json!({"IdentityProvider": describe_provider(p)}))
            .ok_or_else(|| {
                fault(
                    ErrorKind::ResourceNotFound,
                    format!("Identity provider with identifier {identifier} does not exist."),
                )
            })
    }
}

/// Whether `url` may be registered as a callback or sign-out URL: absolute, no fragment, and
/// https unless it is on this machine.
fn is_registrable_redirect(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    if parsed.fragment().is_some() {
        return false;
    }
    match parsed.scheme() {
        "https" => true,
        "http" => matches!(
            parsed.host_str(),
            Some("localhost") | Some("127.0.0.1") | Some("[::1]")
        ),
        // Apps' own schemes (myapp://callback), as Cognito allows.
        other => other != "javascript" && other != "data" && other != "file",
    }
}

impl From<LocalPool> for Pools {
    fn from(pool: LocalPool) -> Self {
        Self::single(pool)
    }
}
