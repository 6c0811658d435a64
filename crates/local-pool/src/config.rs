//! Pool settings. Every field has Cognito's default, so an empty TOML file (or none) works.

pub use cognito_idp::policy::PasswordPolicy;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PoolConfig {
    /// `<region>_<id>`; the part after `_` is the SRP pool name.
    pub pool_id: String,
    pub pool_name: String,
    /// The app clients of the pool (one by default).
    pub clients: Vec<AppClient>,
    /// Attributes that sign in in place of a username (`email`, `phone_number`); empty = username.
    pub username_attributes: Vec<String>,
    pub required_attributes: Vec<String>,
    /// Attributes a code is sent to at sign-up and verified by confirmation.
    pub auto_verified_attributes: Vec<String>,
    /// Cognito's `UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate`: a
    /// change of these (auto-verified) attributes waits for its code, and the verified old
    /// value stays in force until then.
    pub attributes_require_verification_before_update: Vec<String>,
    pub password_policy: PasswordPolicy,
    pub signup_code_validity_secs: i64,
    /// Wrong codes accepted before `LimitExceededException`.
    pub max_code_attempts: i64,
    /// Codes sent to one user (`ForgotPassword`, `ResendConfirmationCode`) within
    /// `code_send_window_secs` before `LimitExceededException`.
    pub max_code_sends: i64,
    pub code_send_window_secs: i64,
    /// `OFF`, `OPTIONAL` or `ON` (every user must have a second factor).
    pub mfa: MfaMode,
    /// Second factors the pool offers: `SOFTWARE_TOKEN_MFA`, `SMS_MFA`, `EMAIL_OTP`.
    pub mfa_factors: Vec<String>,
    /// First factors choice-based sign-in (`USER_AUTH`) may offer, Cognito's
    /// `SignInPolicy.AllowedFirstAuthFactors`: `PASSWORD`, `EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`.
    pub allowed_first_auth_factors: Vec<String>,
    pub temporary_password_validity_days: i64,
    pub reset_code_validity_secs: i64,
    pub attribute_code_validity_secs: i64,
    /// Wrong MFA codes accepted on one challenge before its session ends.
    pub max_challenge_attempts: i64,
    /// Sign-up confirmation by `code` or by `link`.
    pub verification: Verification,
    /// Where confirmation links point (the app's `/confirm-link`), with `verification = "link"`.
    pub link_base_url: Option<String>,
    /// Failed sign-ins before the first lockout (Cognito: 5).
    pub lockout_threshold: i64,
    /// The longest lockout; each failure past the threshold doubles it from 1 second.
    pub lockout_cap_secs: i64,
    /// Quiet time after which the failure count starts again.
    pub lockout_reset_secs: i64,
    /// Lambda-trigger stand-ins: webhooks, and a built-in auto-confirm rule.
    pub triggers: Triggers,
    /// How `CUSTOM_AUTH` challenges are defined, created and verified.
    pub custom_auth: CustomAuth,
    /// Access keys admin calls must be signed with; empty accepts any signature.
    pub credentials: Vec<crate::sigv4::Credentials>,
    /// Host names (other than loopback ones) the pool, its outbox and its console answer to;
    /// read from the top level only. Any other `Host` is refused (DNS rebinding).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_hosts: Vec<String>,
    /// Print each outbox message on the console (local development).
    pub print_outbox: bool,
    pub argon2: Argon2Params,
    /// Device tracking (Cognito's `DeviceConfiguration`); off when absent.
    pub device_configuration: Option<DeviceConfiguration>,
    /// Passkeys (Cognito's `WebAuthnConfiguration`).
    pub webauthn: WebAuthnConfig,
    /// Social and enterprise providers (`[[identity_providers]]`, Cognito's
    /// `CreateIdentityProvider`); the built-in test provider signs people in for each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub identity_providers: Vec<IdentityProviderConfig>,
    /// Test mode for end-to-end suites (`[test_mode]`): fixed codes, raised limits, a clock
    /// tests can move. Off when absent; see [`crate::test_mode`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_mode: Option<crate::test_mode::TestMode>,
    /// More pools served at the same endpoint (`[[pools]]` tables, each with these keys).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pools: Vec<PoolConfig>,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            pool_id: "us-east-1_LocalPool".into(),
            pool_name: "LocalPool".into(),
            clients: vec![AppClient::default()],
            username_attributes: Vec::new(),
            required_attributes: Vec::new(),
            auto_verified_attributes: vec!["email".into()],
            attributes_require_verification_before_update: vec!["email".into()],
            password_policy: PasswordPolicy::default(),
            signup_code_validity_secs: 24 * 3600,
            max_code_attempts: 5,
            max_code_sends: 5,
            code_send_window_secs: 3600,
            mfa: MfaMode::Off,
            mfa_factors: vec![
                "SOFTWARE_TOKEN_MFA".into(),
                "SMS_MFA".into(),
                "EMAIL_OTP".into(),
            ],
            allowed_first_auth_factors: vec!["PASSWORD".into()],
            temporary_password_validity_days: 7,
            reset_code_validity_secs: 3600,
            attribute_code_validity_secs: 24 * 3600,
            max_challenge_attempts: 3,
            verification: Verification::Code,
            link_base_url: None,
            lockout_threshold: 5,
            lockout_cap_secs: 900,
            lockout_reset_secs: 900,
            triggers: Triggers::default(),
            custom_auth: CustomAuth::default(),
            credentials: Vec::new(),
            allowed_hosts: Vec::new(),
            print_outbox: true,
            argon2: Argon2Params::default(),
            device_configuration: None,
            webauthn: WebAuthnConfig::default(),
            identity_providers: Vec::new(),
            test_mode: None,
            pools: Vec::new(),
        }
    }
}

impl PoolConfig {
    /// Reads a pool file and checks what serde cannot: unique pool and client ids, and no
    /// `[[pools]]` inside `[[pools]]`.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let config: Self = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut pool_ids = std::collections::BTreeSet::new();
        let mut client_ids = std::collections::BTreeSet::new();
        for pool in std::iter::once(&config).chain(&config.pools) {
            if pool.clients.is_empty() {
                return Err(format!("pool {} has no [[clients]]", pool.pool_id));
            }
            if !pool.pool_id.contains('_') {
                return Err(format!(
                    "pool_id {:?} is not of the form <region>_<id>",
                    pool.pool_id
                ));
            }
            check_first_factors(&pool.allowed_first_auth_factors)?;
            pool.webauthn.check()?;
            if let Some(test_mode) = &pool.test_mode {
                test_mode.check()?;
            }
            if !pool_ids.insert(&pool.pool_id) {
                return Err(format!("pool_id {} is declared twice", pool.pool_id));
            }
            if std::ptr::eq(pool, &config) || pool.pools.is_empty() {
                for client in &pool.clients {
                    if !client_ids.insert(&client.client_id) {
                        return Err(format!("client_id {} is declared twice", client.client_id));
                    }
                }
            } else {
                return Err(format!(
                    "pool {} declares [[pools]]; list every pool at the top level",
                    pool.pool_id
                ));
            }
        }
        Ok(config)
    }

    /// The app client with this id.
    pub fn client(&self, client_id: &str) -> Option<&AppClient> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    /// The first app client (the one the hosted pages use).
    pub fn default_client(&self) -> &AppClient {
        self.clients
            .first()
            .expect("a pool config has at least one client")
    }

    pub fn signs_in_with(&self, attribute: &str) -> bool {
        self.username_attributes.iter().any(|a| a == attribute)
    }

    pub fn offers_factor(&self, factor: &str) -> bool {
        self.mfa != MfaMode::Off && self.mfa_factors.iter().any(|f| f == factor)
    }

    /// Whether `USER_AUTH` may offer `factor` as a first factor.
    pub fn allows_first_factor(&self, factor: &str) -> bool {
        self.allowed_first_auth_factors.iter().any(|f| f == factor)
    }
}

/// The first factors Cognito knows (`AuthFactorType` without the MFA-only `SOFTWARE_TOKEN`).
pub const FIRST_FACTORS: [&str; 4] = ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"];

/// Checks an `AllowedFirstAuthFactors` list: one to four known factors, none twice.
pub fn check_first_factors(factors: &[String]) -> Result<(), String> {
    if factors.is_empty() || factors.len() > FIRST_FACTORS.len() {
        return Err(format!(
            "allowed_first_auth_factors must list 1 to 4 of {FIRST_FACTORS:?}"
        ));
    }
    for (index, factor) in factors.iter().enumerate() {
        if !FIRST_FACTORS.contains(&factor.as_str()) {
            return Err(format!(
                "allowed_first_auth_factors: {factor:?} is not one of {FIRST_FACTORS:?}"
            ));
        }
        if factors[..index].contains(factor) {
            return Err(format!("allowed_first_auth_factors lists {factor} twice"));
        }
    }
    Ok(())
}

/// One app client: its id and secret, and the settings Cognito keeps per client.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AppClient {
    pub client_id: String,
    pub client_name: String,
    /// With a secret, every public call must carry `SECRET_HASH`.
    pub client_secret: Option<String>,
    /// `ALLOW_…` flows; empty allows every flow (a local convenience).
    pub explicit_auth_flows: Vec<String>,
    /// Cognito's `PreventUserExistenceErrors = ENABLED`.
    pub prevent_user_existence_errors: bool,
    pub enable_token_revocation: bool,
    pub access_token_validity_secs: i64,
    pub id_token_validity_secs: i64,
    pub refresh_token_validity_secs: i64,
    /// Lifetime of a challenge `Session` (Cognito: 3 to 15 minutes, default 3).
    pub auth_session_validity_secs: i64,
    /// A new refresh token at each refresh (`RefreshTokenRotation`).
    pub refresh_token_rotation: bool,
    /// How long a rotated-out refresh token still works (0 to 60 seconds).
    pub rotation_grace_secs: i64,
    /// Cognito's `AllowedOAuthFlowsUserPoolClient`: the OAuth settings below apply only when on.
    pub allowed_oauth_flows_user_pool_client: bool,
    /// `code`, `implicit` and `client_credentials`.
    pub allowed_oauth_flows: Vec<String>,
    /// `openid`, `email`, `phone`, `profile`, `aws.cognito.signin.user.admin` and
    /// `<resource server>/<scope>`.
    pub allowed_oauth_scopes: Vec<String>,
    /// Where `/oauth2/authorize` may send the browser back (exact matches only).
    pub callback_urls: Vec<String>,
    /// Where `/logout` may send the browser (exact matches only).
    pub logout_urls: Vec<String>,
    /// The providers this client signs in with (`COGNITO`, `Google`, a provider's name…).
    pub supported_identity_providers: Vec<String>,
    /// Cognito's `WriteAttributes`: the attributes people may change through this client
    /// (empty: every one they may change at all).
    pub write_attributes: Vec<String>,
}

impl Default for AppClient {
    fn default() -> Self {
        Self {
            client_id: "localclient0000000000000001".into(),
            client_name: "local".into(),
            client_secret: None,
            explicit_auth_flows: Vec::new(),
            prevent_user_existence_errors: true,
            enable_token_revocation: true,
            access_token_validity_secs: 3600,
            id_token_validity_secs: 3600,
            refresh_token_validity_secs: 30 * 24 * 3600,
            auth_session_validity_secs: 180,
            refresh_token_rotation: false,
            rotation_grace_secs: 0,
            allowed_oauth_flows_user_pool_client: false,
            allowed_oauth_flows: Vec::new(),
            allowed_oauth_scopes: Vec::new(),
            callback_urls: Vec::new(),
            logout_urls: Vec::new(),
            supported_identity_providers: Vec::new(),
            write_attributes: Vec::new(),
        }
    }
}

impl AppClient {
    /// Whether people may write `attribute` through this client.
    pub fn writes(&self, attribute: &str) -> bool {
        self.write_attributes.is_empty() || self.write_attributes.iter().any(|a| a == attribute)
    }

    /// Whether the client allows `flow` (an `AuthFlow` value).
    pub fn allows(&self, flow: &str) -> bool {
        let needed = match flow {
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => "ALLOW_REFRESH_TOKEN_AUTH",
            "USER_SRP_AUTH" => "ALLOW_USER_SRP_AUTH",
            "USER_PASSWORD_AUTH" => "ALLOW_USER_PASSWORD_AUTH",
            "CUSTOM_AUTH" => "ALLOW_CUSTOM_AUTH",
            "USER_AUTH" => "ALLOW_USER_AUTH",
            "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            _ => return true,
        };
        self.explicit_auth_flows.is_empty() || self.explicit_auth_flows.iter().any(|f| f == needed)
    }

    /// Whether the client may use the OAuth flow `flow` (`code`, `client_credentials`).
    pub fn allows_oauth_flow(&self, flow: &str) -> bool {
        self.allowed_oauth_flows_user_pool_client
            && self.allowed_oauth_flows.iter().any(|f| f == flow)
    }
}

/// A social or enterprise identity provider (Cognito's `IdentityProviderType`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct IdentityProviderConfig {
    /// `Google`, `Facebook`, `SignInWithApple`, `LoginWithAmazon`, or any name for OIDC and SAML.
    pub provider_name: String,
    /// `Google`, `Facebook`, `SignInWithApple`, `LoginWithAmazon`, `OIDC` or `SAML`.
    pub provider_type: String,
    /// Cognito's `ProviderDetails` (client id and secret, scopes, issuer…).
    pub provider_details: std::collections::BTreeMap<String, String>,
    /// User-pool attribute → provider claim.
    pub attribute_mapping: std::collections::BTreeMap<String, String>,
    /// Other names `idp_identifier` may use for this provider.
    pub idp_identifiers: Vec<String>,
    pub creation_date: i64,
    pub last_modified_date: i64,
}

/// SAML attribute names for the user's email and names, as WS-Federation defined them.
pub const SAML_EMAIL: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";
pub const SAML_NAME: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name";
pub const SAML_GIVEN_NAME: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname";
pub const SAML_SURNAME: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname";

impl IdentityProviderConfig {
    /// The mapping in force: the configured one, else email, its verification, the names and
    /// `username` ← `sub` (what people map first in Cognito's console).
    pub fn effective_mapping(&self) -> std::collections::BTreeMap<String, String> {
        if !self.attribute_mapping.is_empty() {
            return self.attribute_mapping.clone();
        }
        let defaults: &[(&str, &str)] = if self.provider_type == "SAML" {
            // The claim types most IdPs (Entra ID, AD FS, Okta's defaults) send; SAML has no
            // verification flag, so a mapped email stays unverified.
            &[
                ("email", SAML_EMAIL),
                ("name", SAML_NAME),
                ("given_name", SAML_GIVEN_NAME),
                ("family_name", SAML_SURNAME),
            ]
        } else {
            &[
                ("email", "email"),
                ("email_verified", "email_verified"),
                ("name", "name"),
                ("given_name", "given_name"),
                ("family_name", "family_name"),
                ("username", "sub"),
            ]
        };
        defaults
            .iter()
            .map(|(a, c)| ((*a).to_owned(), (*c).to_owned()))
            .collect()
    }
}

/// Device tracking: each sign-in from a new device gets `NewDeviceMetadata`; a confirmed
/// device then signs in with device SRP.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct DeviceConfiguration {
    /// Cognito's `ChallengeRequiredOnNewDevice`: when true, a remembered device proves itself
    /// with device SRP in place of the user's MFA code (other devices still get MFA).
    pub challenge_required_on_new_device: bool,
    /// Cognito's `DeviceOnlyRememberedOnUserPrompt`: a confirmed device is remembered only
    /// after `UpdateDeviceStatus` (else at `ConfirmDevice`).
    pub device_only_remembered_on_user_prompt: bool,
}

/// Passkey settings. Registering and signing in with passkeys also needs `WEB_AUTHN` in
/// `allowed_first_auth_factors`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct WebAuthnConfig {
    /// Cognito's `RelyingPartyId`: a domain name (never an IP address), which the pages that
    /// run the ceremonies are on or under. `localhost` for local development.
    pub relying_party_id: Option<String>,
    /// `required` or `preferred` (Cognito's only two).
    pub user_verification: String,
    /// `SINGLE_FACTOR`, or `MULTI_FACTOR_WITH_USER_VERIFICATION`: a passkey used with user
    /// verification then also satisfies MFA.
    pub factor_configuration: String,
    /// Origins `clientDataJSON` may name; empty allows `https://<rp id>` and its subdomains on
    /// any port, and `http://localhost` on any port when the RP id is `localhost`.
    pub origins: Vec<String>,
    /// Passkeys one user may register (`LimitExceededException` past it).
    pub max_credentials: usize,
}

impl Default for WebAuthnConfig {
    fn default() -> Self {
        Self {
            relying_party_id: None,
            user_verification: "preferred".into(),
            factor_configuration: "SINGLE_FACTOR".into(),
            origins: Vec::new(),
            max_credentials: 20,
        }
    }
}

impl WebAuthnConfig {
    pub fn check(&self) -> Result<(), String> {
        if !matches!(self.user_verification.as_str(), "required" | "preferred") {
            return Err(format!(
                "webauthn.user_verification {:?} is not \"required\" or \"preferred\"",
                self.user_verification
            ));
        }
        if !matches!(
            self.factor_configuration.as_str(),
            "SINGLE_FACTOR" | "MULTI_FACTOR_WITH_USER_VERIFICATION"
        ) {
            return Err(format!(
                "webauthn.factor_configuration {:?} is not SINGLE_FACTOR or MULTI_FACTOR_WITH_USER_VERIFICATION",
                self.factor_configuration
            ));
        }
        if let Some(id) = &self.relying_party_id {
            check_relying_party_id(id)?;
        }
        Ok(())
    }

    /// Whether a passkey used with user verification also counts as MFA.
    pub fn is_multi_factor(&self) -> bool {
        self.factor_configuration == "MULTI_FACTOR_WITH_USER_VERIFICATION"
    }
}

/// A relying-party id is a domain: browsers refuse an IP address (WebAuthn's RP id must be a
/// registrable domain suffix of the page's effective domain).
pub fn check_relying_party_id(id: &str) -> Result<(), String> {
    let well_formed = !id.is_empty()
        && id.len() <= 127
        && id.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !well_formed {
        return Err(format!("relying party id {id:?} is not a domain name"));
    }
    if id.parse::<std::net::IpAddr>().is_ok()
        || id.split('.').all(|l| l.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(format!(
            "relying party id {id:?} is an IP address; passkeys need a domain name (use localhost on this machine)"
        ));
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum MfaMode {
    Off,
    Optional,
    On,
}

/// Cognito's user-pool triggers as HTTP webhooks: each receives the trigger's event JSON and
/// answers with it, `response` filled in. A non-2xx answer rejects, with its body as the message.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Triggers {
    pub pre_sign_up: Option<String>,
    pub post_confirmation: Option<String>,
    pub pre_token_generation: Option<String>,
    pub custom_message: Option<String>,
    /// Sign-ups with an email at one of these domains are confirmed (and the email verified)
    /// without a webhook.
    pub auto_confirm_email_domains: Vec<String>,
}

/// Cognito's three custom-auth triggers: built in, or HTTP webhooks that receive Cognito's
/// trigger event JSON and answer with it, `response` filled in.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(tag = "mode", rename_all = "lowercase", deny_unknown_fields)]
pub enum CustomAuth {
    /// A one-time code emailed to the user, three tries.
    #[default]
    Demo,
    Webhook {
        define_url: String,
        create_url: String,
        verify_url: String,
    },
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Verification {
    Code,
    Link,
}

/// argon2id cost; the default is OWASP's minimum (19 MiB, 2 passes).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Argon2Params {
    pub memory_kib: u32,
    pub iterations: u32,
    /// Hashes computed at once; more wait (bounds memory under load).
    pub max_concurrent: usize,
}

impl Default for Argon2Params {
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            max_concurrent: 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_toml_gives_cognito_defaults() {
        assert_eq!(PoolConfig::from_toml("").unwrap(), PoolConfig::default());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(PoolConfig::from_toml("pool_idd = \"x\"").is_err());
    }

    #[test]
    fn more_pools_come_as_pools_tables_with_their_own_ids() {
        let two = r#"
            [[pools]]
            pool_id = "eu-west-1_Second"
            [pools.device_configuration]
            challenge_required_on_new_device = true
            [[pools.clients]]
            client_id = "second0000000000000000001"
        "#;
        let config = PoolConfig::from_toml(two).unwrap();
        assert_eq!(config.pools.len(), 1);
        assert_eq!(config.pools[0].pool_id, "eu-west-1_Second");
        assert!(config.pools[0].device_configuration.is_some());
        assert_eq!(
            config.pools[0].clients[0].client_id,
            "second0000000000000000001"
        );

        let same_pool = "[[pools]]\npool_id = \"us-east-1_LocalPool\"";
        assert!(PoolConfig::from_toml(same_pool)
            .unwrap_err()
            .contains("declared twice"));
        let same_client = "[[pools]]\npool_id = \"us-east-1_Other\"";
        assert!(PoolConfig::from_toml(same_client)
            .unwrap_err()
            .contains("client_id localclient0000000000000001 is declared twice"));
        let nested = "[[pools]]\npool_id = \"us-east-1_A\"\n[[pools.clients]]\nclient_id = \"a\"\n[[pools.pools]]\npool_id = \"us-east-1_B\"";
        assert!(PoolConfig::from_toml(nested)
            .unwrap_err()
            .contains("top level"));
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    /// The documented example must stay a valid file whose values are the defaults.
    #[test]
    fn the_example_file_is_the_defaults() {
        let text = include_str!("../../../examples/local-pool.toml");
        let parsed = PoolConfig::from_toml(text).expect("examples/local-pool.toml parses");
        assert_eq!(parsed, PoolConfig::default());
    }

    #[test]
    fn a_relying_party_is_a_domain_name() {
        for bad in ["127.0.0.1", "::1", "local host", "", "example..com"] {
            let text = format!("[webauthn]\nrelying_party_id = {bad:?}\n");
            assert!(PoolConfig::from_toml(&text).is_err(), "{bad} accepted");
        }
        for good in ["localhost", "auth.example.com"] {
            let text = format!("[webauthn]\nrelying_party_id = {good:?}\n");
            assert!(PoolConfig::from_toml(&text).is_ok(), "{good} refused");
        }
        let text = "[webauthn]\nuser_verification = \"discouraged\"\n";
        assert!(PoolConfig::from_toml(text).is_err());
    }
}
