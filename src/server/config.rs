//! Configuration from the environment, validated with one clear line per problem.

use crate::ui::i18n::Locale;
use cognito_idp::policy::PasswordPolicy;
use local_pool::PoolConfig;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Which user pool the app talks to.
#[derive(Clone, Debug)]
pub enum Backend {
    /// The embedded pool, mounted in-process at `/local/cognito`.
    Local {
        data_dir: Option<PathBuf>,
        pool: Box<PoolConfig>,
    },
    /// Amazon Cognito (or any endpoint that speaks its protocol).
    Cognito {
        pool_id: String,
        client_id: String,
        client_secret: Option<String>,
        endpoint: String,
    },
}

/// `SIGN_IN_METHODS`: Cognito's factor names, comma-separated, each once.
pub fn parse_sign_in_methods(value: &str) -> Result<Vec<crate::flow::SignInMethod>, String> {
    let mut methods = Vec::new();
    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let method = crate::flow::SignInMethod::ALL
            .into_iter()
            .find(|m| m.cognito_name() == name)
            .ok_or_else(|| {
                format!("SIGN_IN_METHODS: unknown method {name:?} (use WEB_AUTHN, EMAIL_OTP, SMS_OTP, PASSWORD)")
            })?;
        if methods.contains(&method) {
            return Err(format!("SIGN_IN_METHODS names {name} twice"));
        }
        methods.push(method);
    }
    // A passkey is added once signed in: something else has to sign a new account in first.
    if methods == [crate::flow::SignInMethod::Passkey] {
        return Err("SIGN_IN_METHODS: WEB_AUTHN needs another method too (EMAIL_OTP, SMS_OTP or PASSWORD): a passkey is added after the first sign-in".into());
    }
    Ok(methods)
}

/// How the sign-in form proves the password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInFlow {
    /// `USER_SRP_AUTH`: the password never leaves this server (the default).
    Srp,
    /// `USER_PASSWORD_AUTH`: the password is sent to Cognito (for user migration triggers).
    Password,
    /// `CUSTOM_AUTH` after SRP: custom challenges follow the password.
    CustomWithSrp,
}

/// Form values as submitted (never passwords or codes), by input name: `username`, `email`,
/// `attributes[given_name]`, `extra[terms]`, …
pub type FormValues = std::collections::BTreeMap<String, String>;

type Check = dyn Fn(&FormValues) -> Result<(), crate::error::AppError> + Send + Sync;
type Transform = dyn Fn(crate::options::Screen, &mut FormValues) + Send + Sync;

/// The embedder's own code, run by the server on each submission (so it holds without
/// JavaScript too).
#[derive(Clone, Default)]
pub struct Hooks {
    pub validate_sign_up: Option<Arc<Check>>,
    pub transform: Option<Arc<Transform>>,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("validate_sign_up", &self.validate_sign_up.is_some())
            .field("transform", &self.transform.is_some())
            .finish()
    }
}

/// When the passkey offer follows a sign-in or sign-up. Whichever is chosen, a visitor who
/// says "not now" is not asked again in that session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasskeyPrompt {
    Always,
    Never,
    /// Only to users who have no passkey yet.
    WhenNone,
}

impl PasskeyPrompt {
    pub fn parse(value: &str) -> Result<Self, String> {
        match value {
            "always" => Ok(Self::Always),
            "never" => Ok(Self::Never),
            "when-none" => Ok(Self::WhenNone),
            other => Err(format!(
                "PASSKEY_PROMPT must be always, never or when-none, not {other:?}"
            )),
        }
    }
}

/// Whether and how the pool remembers the devices people sign in from (Cognito's device
/// tracking), so a remembered device skips MFA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceRemembering {
    Off,
    /// "Remember this device" is asked on the MFA code page (`DeviceOnlyRememberedOnUserPrompt`).
    Ask,
    /// Every device that signs in is remembered.
    Always,
}

impl DeviceRemembering {
    pub fn parse(value: &str) -> Result<Self, String> {
        match value {
            "off" => Ok(Self::Off),
            "ask" => Ok(Self::Ask),
            "always" => Ok(Self::Always),
            other => Err(format!(
                "REMEMBER_DEVICES must be off, ask or always, not {other:?}"
            )),
        }
    }
}

/// Federated sign-in through the user pool's domain (Cognito's OAuth 2.0 endpoints).
#[derive(Clone, Debug, Default)]
pub struct Federation {
    /// The providers' buttons, in order.
    pub providers: Vec<crate::flow::IdentityProvider>,
    /// The domain's base URL (`https://auth.example.com`); for the embedded pool, filled in
    /// at start (`routes::connect`).
    pub domain: String,
    /// `redirect_uri` (registered as a callback URL of the app client); else this server's
    /// own `/auth/callback` at the address the browser used.
    pub callback_url: Option<String>,
    /// `logout_uri` (a registered sign-out URL); else this server's `/signin?notice=signed_out`.
    pub sign_out_url: Option<String>,
}

impl Federation {
    pub fn new(
        providers: Vec<crate::flow::IdentityProvider>,
        domain: Option<&str>,
    ) -> Result<Self, String> {
        if providers.is_empty() {
            return Err("IDENTITY_PROVIDERS names no provider".into());
        }
        for (i, provider) in providers.iter().enumerate() {
            if providers[..i].iter().any(|p| p.name == provider.name) {
                return Err(format!("IDENTITY_PROVIDERS names {} twice", provider.label));
            }
            if provider.name.chars().count() > 32
                || provider.name.contains(['<', '>', '"', '&', '/'])
            {
                return Err(format!(
                    "IDENTITY_PROVIDERS: {:?} is not a provider name",
                    provider.name
                ));
            }
        }
        let domain = match domain.map(str::trim).filter(|d| !d.is_empty()) {
            None => String::new(),
            Some(d) => {
                let d = if d.contains("://") {
                    d.to_owned()
                } else {
                    format!("https://{d}")
                };
                let parsed = url::Url::parse(&d)
                    .map_err(|_| format!("COGNITO_DOMAIN: {d:?} is not a URL"))?;
                if parsed.scheme() != "https"
                    && parsed.host_str() != Some("localhost")
                    && parsed.host_str() != Some("127.0.0.1")
                {
                    return Err("COGNITO_DOMAIN must be https".into());
                }
                d.trim_end_matches('/').to_owned()
            }
        };
        Ok(Self {
            providers,
            domain,
            callback_url: None,
            sign_out_url: None,
        })
    }
}

#[derive(Clone, Debug)]
pub struct AuthConfig {
    pub sign_in_flow: SignInFlow,
    /// Choice-based sign-in (`SIGN_IN_METHODS`): the methods offered, in the site's order of
    /// preference. Empty: the username-and-password form with `sign_in_flow`.
    pub sign_in_methods: Vec<crate::flow::SignInMethod>,
    /// When "Sign in faster with a passkey" follows a sign-in (`PASSKEY_PROMPT`), where the
    /// site offers passkeys.
    pub passkey_prompt: PasskeyPrompt,
    /// Sign-in through social and enterprise providers (`IDENTITY_PROVIDERS`).
    pub federation: Option<Federation>,
    pub backend: Backend,
    /// How often a signed-in session re-checks its access token with Cognito, so a
    /// "sign out everywhere" on another device ends this session within that many seconds.
    pub revalidate_after_secs: i64,
    /// How long an unfinished sign-up or password reset stays in the session.
    pub flow_validity_secs: i64,
    /// How long a sign-in challenge step stays in the session (Cognito's default: 3 minutes).
    pub challenge_validity_secs: i64,
    /// The issuer shown in authenticator apps for TOTP.
    pub totp_issuer: String,
    /// Second factors the pool offers, for the account page.
    pub mfa_factors: Vec<crate::flow::MfaType>,
    /// Serve the cookie with `Secure` and the `__Host-` prefix.
    pub secure_cookies: bool,
    /// Origins (besides the request's own) allowed to post forms.
    pub allowed_origins: Vec<String>,
    pub password_policy: PasswordPolicy,
    pub request_timeout: Duration,
    /// Idle time after which a session ends.
    pub session_idle_secs: i64,
    /// Time after sign-in at which a session ends however active it is.
    pub session_max_age_secs: i64,
    /// Where sessions are kept (`SESSION_STORE`).
    pub session_store: super::session_store::SessionStoreUrl,
    /// Trusted proxies in front of the app that append to `X-Forwarded-For` (0: none, the
    /// socket's peer is the client).
    pub forwarded_for_hops: usize,
    /// Multiplies the app's attempt limits (1: as documented).
    pub attempt_limit_scale: f64,
    /// The languages pages are offered in (empty: all bundled ones).
    pub languages: Vec<Locale>,
    /// The language when neither the visitor nor their browser picks an offered one.
    pub default_language: Locale,
    pub hooks: Hooks,
    /// The sign-up forms the pages show, as the server checks a post (see
    /// [`AuthConfig::with_auth_options`]): only their attributes pass, their required fields
    /// are enforced.
    pub sign_up_forms: Vec<crate::steps::sign_up::SignUpForm>,
    /// Whether `sign_up_forms` was given (else it holds the default form).
    sign_up_forms_given: bool,
    /// Inputs an embedder's widgets add to the forms under names of their own (a CAPTCHA's
    /// `cf-turnstile-response`), accepted besides the forms' own and `extra[…]`.
    pub accepted_form_inputs: Vec<String>,
    /// The pool's device tracking, for a real Cognito pool (`REMEMBER_DEVICES`); the embedded
    /// pool's comes from its `device_configuration`.
    pub remember_devices: DeviceRemembering,
    /// The attributes the account page lets people change (`ACCOUNT_ATTRIBUTES`); `None`:
    /// those the sign-up forms ask for.
    pub account_attributes: Option<Vec<String>>,
}

impl AuthConfig {
    /// A configuration for the embedded local pool (`data_dir: None` keeps it in memory).
    pub fn local(data_dir: Option<PathBuf>, pool: PoolConfig) -> Self {
        let password_policy = pool.password_policy.clone();
        let challenge_validity_secs = pool.default_client().auth_session_validity_secs;
        let mfa_factors = if pool.mfa == local_pool::config::MfaMode::Off {
            Vec::new()
        } else {
            pool.mfa_factors
                .iter()
                .filter_map(|f| crate::flow::MfaType::from_cognito(f))
                .collect()
        };
        Self {
            sign_in_flow: SignInFlow::Srp,
            sign_in_methods: Vec::new(),
            passkey_prompt: PasskeyPrompt::WhenNone,
            federation: None,
            backend: Backend::Local {
                data_dir,
                pool: Box::new(pool),
            },
            revalidate_after_secs: 5,
            // Cognito's sign-up codes last 24 hours; the pending sign-up outlives them a little,
            // so an old code gets "expired" rather than "start again".
            flow_validity_secs: 25 * 3600,
            challenge_validity_secs,
            totp_issuer: "Cognito Authenticator".into(),
            mfa_factors,
            secure_cookies: false,
            allowed_origins: Vec::new(),
            password_policy,
            request_timeout: Duration::from_secs(10),
            session_idle_secs: 8 * 3600,
            session_max_age_secs: 7 * 24 * 3600,
            session_store: super::session_store::SessionStoreUrl::Memory,
            forwarded_for_hops: 0,
            attempt_limit_scale: 1.0,
            languages: Vec::new(),
            default_language: Locale::En,
            hooks: Hooks::default(),
            sign_up_forms: vec![crate::steps::sign_up::SignUpForm::of(
                &crate::options::AuthOptions::default(),
            )],
            sign_up_forms_given: false,
            accepted_form_inputs: Vec::new(),
            remember_devices: DeviceRemembering::Off,
            account_attributes: None,
        }
    }

    /// How the pool remembers devices so that they skip MFA. Off where they would not: a pool
    /// without `ChallengeRequiredOnNewDevice`, and sign-in flows other than `USER_SRP_AUTH`
    /// (device SRP follows the password's SRP only).
    pub fn device_remembering(&self) -> DeviceRemembering {
        if !self.sign_in_methods.is_empty() || self.sign_in_flow != SignInFlow::Srp {
            return DeviceRemembering::Off;
        }
        match &self.backend {
            Backend::Local { pool, .. } => match &pool.device_configuration {
                Some(devices) if !devices.challenge_required_on_new_device => {
                    DeviceRemembering::Off
                }
                None => DeviceRemembering::Off,
                Some(devices) if devices.device_only_remembered_on_user_prompt => {
                    DeviceRemembering::Ask
                }
                Some(_) => DeviceRemembering::Always,
            },
            Backend::Cognito { .. } => self.remember_devices,
        }
    }

    /// Tells the app how the real pool's device tracking is set (`REMEMBER_DEVICES`); the
    /// embedded pool's comes from its `[device_configuration]`.
    pub fn with_remember_devices(mut self, remembering: DeviceRemembering) -> Self {
        self.remember_devices = remembering;
        self
    }

    /// The attributes the account page lets people change (`ACCOUNT_ATTRIBUTES`).
    pub fn with_account_attributes<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        attributes: I,
    ) -> Self {
        self.account_attributes = Some(attributes.into_iter().map(Into::into).collect());
        self
    }

    /// The attributes the account page lets people change, as the server enforces them:
    /// the configured ones, else those the sign-up forms ask for (an email or phone sign-in
    /// included); on the embedded pool, only those its app client may write.
    pub fn account_attributes(&self) -> Vec<String> {
        let mut names: Vec<String> = match &self.account_attributes {
            Some(names) => names.clone(),
            None => {
                let mut names = Vec::new();
                for form in &self.sign_up_forms {
                    let mechanism = form.mechanism.as_str();
                    // Custom attributes are often the site's own (a role, a plan): editable
                    // only when named.
                    let from_inputs = form.inputs.iter().filter_map(|input| match input.as_str() {
                        "email" | "phone_number" => Some(input.clone()),
                        "username" if mechanism != "username" => Some(mechanism.to_owned()),
                        other => other
                            .strip_prefix("attributes[")
                            .and_then(|rest| rest.strip_suffix(']'))
                            .filter(|name| !name.starts_with("custom:"))
                            .map(str::to_owned),
                    });
                    for name in from_inputs {
                        if !names.contains(&name) {
                            names.push(name);
                        }
                    }
                }
                names
            }
        };
        names.retain(|name| crate::options::is_attribute(name) && name != "updated_at");
        if let Backend::Local { pool, .. } = &self.backend {
            let client = pool.default_client();
            names.retain(|name| client.writes(name));
        }
        names
    }

    /// A configuration for an Amazon Cognito app client (`pool_id` is `<region>_<id>`).
    pub fn cognito(pool_id: &str, client_id: &str) -> Self {
        let region = pool_id.split_once('_').map_or("us-east-1", |(r, _)| r);
        let mut config = Self::local(None, PoolConfig::default());
        config.backend = Backend::Cognito {
            pool_id: pool_id.to_owned(),
            client_id: client_id.to_owned(),
            client_secret: None,
            endpoint: cognito_idp::CognitoClient::aws_endpoint(region),
        };
        config.secure_cookies = true;
        config
    }

    /// The app client's secret (sent as `SECRET_HASH`).
    pub fn with_client_secret(mut self, secret: impl Into<String>) -> Self {
        if let Backend::Cognito { client_secret, .. } = &mut self.backend {
            *client_secret = Some(secret.into());
        }
        self
    }

    /// Where sessions live: `memory`, `sqlite://path` or `redis://host:port`.
    pub fn with_session_store(mut self, url: &str) -> Result<Self, String> {
        self.session_store = url.parse()?;
        Ok(self)
    }

    pub fn with_totp_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.totp_issuer = issuer.into();
        self
    }

    /// Offer only `languages`, falling back to `default`.
    pub fn with_languages(mut self, languages: &[Locale], default: Locale) -> Self {
        self.languages = languages.to_vec();
        self.default_language = default;
        self
    }

    /// Origins besides this server's own that may post its forms and be `return_to` targets.
    pub fn with_allowed_origins<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        origins: I,
    ) -> Self {
        self.allowed_origins = origins.into_iter().map(Into::into).collect();
        self
    }

    /// Checks a sign-up before it reaches Cognito: return an error on a field (for example
    /// `AppError::invalid_value("extra[terms]", "error.must_accept")`) to refuse it.
    pub fn validate_sign_up(
        mut self,
        check: impl Fn(&FormValues) -> Result<(), crate::error::AppError> + Send + Sync + 'static,
    ) -> Self {
        self.hooks.validate_sign_up = Some(Arc::new(check));
        self
    }

    /// Accepts form inputs that an embedder's widgets name themselves (a CAPTCHA's response
    /// field); every other input a form does not have makes its post unreadable.
    pub fn accept_form_inputs<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        names: I,
    ) -> Self {
        self.accepted_form_inputs
            .extend(names.into_iter().map(Into::into));
        self
    }

    /// Tells the server what the sign-up form of `options` asks for (give it the options the
    /// pages use; call it once for each set of options a site shows): only the attributes of
    /// these forms are accepted and their required fields are enforced, whatever a post
    /// claims. Without it, the default form's (email, phone number).
    pub fn with_auth_options(mut self, options: &crate::options::AuthOptions) -> Self {
        if !self.sign_up_forms_given {
            self.sign_up_forms.clear();
            self.sign_up_forms_given = true;
        }
        self.sign_up_forms
            .push(crate::steps::sign_up::SignUpForm::of(options));
        if !options.sign_in_methods.is_empty() {
            self.set_sign_in_methods(options.sign_in_methods.clone());
        }
        self
    }

    /// Offers choice-based sign-in with `methods`, in this order of preference (the same as
    /// `SIGN_IN_METHODS`).
    pub fn with_sign_in_methods(
        mut self,
        methods: impl IntoIterator<Item = crate::flow::SignInMethod>,
    ) -> Self {
        self.set_sign_in_methods(methods.into_iter().collect());
        self
    }

    /// On the embedded pool, a pool left at Cognito's default first factor (the password)
    /// allows the methods offered, so setting them is all it takes.
    fn set_sign_in_methods(&mut self, methods: Vec<crate::flow::SignInMethod>) {
        if let Backend::Local { pool, .. } = &mut self.backend {
            if pool.allowed_first_auth_factors == ["PASSWORD"] {
                let mut factors: Vec<String> = methods
                    .iter()
                    .map(|m| m.cognito_name().to_owned())
                    .collect();
                if !factors.iter().any(|f| f == "PASSWORD") {
                    // Cognito's policy always allows the password; the site may not offer it.
                    factors.push("PASSWORD".to_owned());
                }
                pool.allowed_first_auth_factors = factors;
            }
            // Passkeys on this machine: a relying party id must be a name, and `localhost`
            // is the one a browser accepts on loopback (never 127.0.0.1).
            if methods.contains(&crate::flow::SignInMethod::Passkey)
                && pool.webauthn.relying_party_id.is_none()
            {
                pool.webauthn.relying_party_id = Some("localhost".to_owned());
            }
        }
        self.sign_in_methods = methods;
    }

    /// When to offer a passkey after sign-in (default: to users who have none).
    pub fn with_passkey_prompt(mut self, prompt: PasskeyPrompt) -> Self {
        self.passkey_prompt = prompt;
        self
    }

    /// The "Sign in with …" buttons the pages show.
    pub fn identity_providers(&self) -> Vec<crate::flow::IdentityProvider> {
        self.federation
            .as_ref()
            .map(|f| f.providers.clone())
            .unwrap_or_default()
    }

    /// Offers sign-in through `providers` (Cognito's names, or `Apple` and `Amazon`) at the
    /// user pool's `domain` (the embedded pool serves its own: give `None`).
    pub fn with_identity_providers<I: IntoIterator<Item = S>, S: AsRef<str>>(
        mut self,
        providers: I,
        domain: Option<&str>,
    ) -> Result<Self, String> {
        let providers = providers
            .into_iter()
            .map(|p| crate::flow::IdentityProvider::named(p.as_ref()))
            .collect();
        if matches!(self.backend, Backend::Cognito { .. }) && domain.is_none() {
            return Err("identity providers need the user pool's domain".into());
        }
        self.federation = Some(Federation::new(providers, domain)?);
        Ok(self)
    }

    /// Whether the site offers passkeys.
    pub fn offers_passkeys(&self) -> bool {
        self.sign_in_methods
            .contains(&crate::flow::SignInMethod::Passkey)
    }

    /// Changes submitted values before they are checked and sent (for example lower-casing
    /// an email address). Runs for sign-in and sign-up.
    pub fn transform_submission(
        mut self,
        transform: impl Fn(crate::options::Screen, &mut FormValues) + Send + Sync + 'static,
    ) -> Self {
        self.hooks.transform = Some(Arc::new(transform));
        self
    }

    /// Runs the transform hook over `values`.
    pub fn transform(&self, screen: crate::options::Screen, values: &mut FormValues) {
        if let Some(transform) = &self.hooks.transform {
            transform(screen, values);
        }
    }

    /// Reads the variables the README lists (`COGNITO_USER_POOL_ID`, `COGNITO_CLIENT_ID`,
    /// `SESSION_STORE`, …). Without a pool id the embedded local pool is used. Every problem
    /// found is returned, one line each.
    pub fn from_env() -> Result<Self, Vec<String>> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// [`AuthConfig::from_env`] reading from `lookup` instead of the process environment.
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Vec<String>> {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut problems = Vec::new();
        let data_dir = var("DATA_DIR").unwrap_or_else(|| "data".into());
        let mut config = match (var("COGNITO_USER_POOL_ID"), var("COGNITO_CLIENT_ID")) {
            (None, None) => {
                let pool = match var("LOCAL_POOL_CONFIG") {
                    Some(path) => match std::fs::read_to_string(&path) {
                        Ok(text) => PoolConfig::from_toml(&text).unwrap_or_else(|e| {
                            problems.push(format!("LOCAL_POOL_CONFIG {path}: {e}"));
                            PoolConfig::default()
                        }),
                        Err(e) => {
                            problems.push(format!("LOCAL_POOL_CONFIG {path}: {e}"));
                            PoolConfig::default()
                        }
                    },
                    None => PoolConfig::default(),
                };
                Self::local(Some(PathBuf::from(&data_dir)), pool)
            }
            (Some(pool_id), Some(client_id)) => {
                let pool_region = pool_id.split_once('_').map(|(r, _)| r.to_owned());
                if pool_region.is_none() {
                    problems.push(format!(
                        "COGNITO_USER_POOL_ID {pool_id:?} is not of the form <region>_<id>"
                    ));
                }
                let region = var("AWS_REGION").or_else(|| pool_region.clone());
                if let (Some(region), Some(pool_region)) = (&region, &pool_region) {
                    if region != pool_region {
                        problems.push(format!(
                            "AWS_REGION {region} does not match the pool's region {pool_region}"
                        ));
                    }
                }
                let endpoint = var("COGNITO_ENDPOINT").unwrap_or_else(|| {
                    cognito_idp::CognitoClient::aws_endpoint(
                        region.as_deref().unwrap_or("us-east-1"),
                    )
                });
                let mut config = Self::local(None, PoolConfig::default());
                config.backend = Backend::Cognito {
                    pool_id,
                    client_id,
                    client_secret: var("COGNITO_CLIENT_SECRET"),
                    endpoint,
                };
                config.secure_cookies = true;
                config
            }
            (Some(_), None) => {
                problems
                    .push("COGNITO_USER_POOL_ID is set but COGNITO_CLIENT_ID is missing".into());
                Self::local(None, PoolConfig::default())
            }
            (None, Some(_)) => {
                problems
                    .push("COGNITO_CLIENT_ID is set but COGNITO_USER_POOL_ID is missing".into());
                Self::local(None, PoolConfig::default())
            }
        };
        // Known codes let anyone confirm any account: only ever on the embedded pool.
        if let Some(value) = var("LOCAL_POOL_TEST_MODE") {
            match (value.as_str(), &mut config.backend) {
                // Off means off, whatever a copied pool file says.
                ("0" | "false", Backend::Local { pool, .. }) => {
                    pool.test_mode = None;
                    for other in &mut pool.pools {
                        other.test_mode = None;
                    }
                }
                ("0" | "false", _) => {}
                ("1" | "true", Backend::Local { pool, .. }) => {
                    pool.test_mode.get_or_insert_with(Default::default);
                }
                ("1" | "true", _) => problems.push(
                    "LOCAL_POOL_TEST_MODE is for the embedded local pool only; it can never be on with a real pool"
                        .into(),
                ),
                (other, _) => problems.push(format!(
                    "LOCAL_POOL_TEST_MODE must be true or false, not {other:?}"
                )),
            }
        }
        // The app's own limits rise with the pool's (unless set apart).
        if let Backend::Local { pool, .. } = &config.backend {
            if let (Some(test_mode), None) = (&pool.test_mode, var("ATTEMPT_LIMIT_SCALE")) {
                config.attempt_limit_scale = test_mode.limit_scale as f64;
            }
        }
        if let Some(value) = var("SECURE_COOKIES") {
            match value.as_str() {
                "1" | "true" => config.secure_cookies = true,
                "0" | "false" => config.secure_cookies = false,
                other => problems.push(format!(
                    "SECURE_COOKIES must be true or false, not {other:?}"
                )),
            }
        }
        config.session_store = match var("SESSION_STORE") {
            Some(value) => value.parse().unwrap_or_else(|problem| {
                problems.push(problem);
                super::session_store::SessionStoreUrl::Memory
            }),
            None => super::session_store::SessionStoreUrl::Sqlite(
                PathBuf::from(&data_dir).join("sessions.sqlite3"),
            ),
        };
        for (name, target) in [
            ("SESSION_IDLE_SECS", &mut config.session_idle_secs),
            ("SESSION_MAX_AGE_SECS", &mut config.session_max_age_secs),
        ] {
            if let Some(value) = var(name) {
                match value.parse::<i64>() {
                    Ok(secs) if secs > 0 => *target = secs,
                    _ => problems.push(format!(
                        "{name} must be a positive number of seconds, not {value:?}"
                    )),
                }
            }
        }
        if let Some(value) = var("FORWARDED_FOR_HOPS") {
            match value.parse::<usize>() {
                Ok(hops) => config.forwarded_for_hops = hops,
                _ => problems.push(format!(
                    "FORWARDED_FOR_HOPS must be the number of proxies in front of the app, not {value:?}"
                )),
            }
        }
        // A real pool's password policy is not readable with the app client's rights: the
        // operator states it, so the checklist beside new passwords matches the pool.
        let is_cognito = matches!(config.backend, Backend::Cognito { .. });
        for name in ["PASSWORD_MIN_LENGTH", "PASSWORD_REQUIRE"] {
            if var(name).is_some() && !is_cognito {
                problems.push(format!(
                    "{name} is for a real pool; the embedded pool's policy is [password_policy] in LOCAL_POOL_CONFIG"
                ));
            }
        }
        if let (true, Some(value)) = (is_cognito, var("PASSWORD_MIN_LENGTH")) {
            match value.parse::<usize>() {
                Ok(length) if (6..=99).contains(&length) => {
                    config.password_policy.minimum_length = length
                }
                _ => problems.push(format!(
                    "PASSWORD_MIN_LENGTH must be a number from 6 to 99, as Cognito allows, not {value:?}"
                )),
            }
        }
        if let (true, Some(value)) = (is_cognito, var("PASSWORD_REQUIRE")) {
            let policy = &mut config.password_policy;
            policy.require_lowercase = false;
            policy.require_uppercase = false;
            policy.require_numbers = false;
            policy.require_symbols = false;
            for rule in value.split(',').map(str::trim).filter(|r| !r.is_empty()) {
                match rule {
                    "lowercase" => policy.require_lowercase = true,
                    "uppercase" => policy.require_uppercase = true,
                    "numbers" => policy.require_numbers = true,
                    "symbols" => policy.require_symbols = true,
                    "none" => {}
                    other => problems.push(format!(
                        "PASSWORD_REQUIRE lists {other:?}; use lowercase, uppercase, numbers, symbols (comma-separated) or none"
                    )),
                }
            }
        }
        if let Some(value) = var("ATTEMPT_LIMIT_SCALE") {
            match value.parse::<f64>() {
                Ok(scale) if scale > 0.0 && scale.is_finite() => config.attempt_limit_scale = scale,
                _ => problems.push(format!(
                    "ATTEMPT_LIMIT_SCALE must be a positive number, not {value:?}"
                )),
            }
        }
        if let Some(value) = var("REQUEST_TIMEOUT_SECS") {
            match value.parse::<u64>() {
                Ok(secs) if secs > 0 => config.request_timeout = Duration::from_secs(secs),
                _ => problems.push(format!(
                    "REQUEST_TIMEOUT_SECS must be a positive number of seconds, not {value:?}"
                )),
            }
        }
        if let Some(value) = var("SESSION_REVALIDATE_SECS") {
            match value.parse::<i64>() {
                Ok(secs) if secs >= 0 => config.revalidate_after_secs = secs,
                _ => problems.push(format!(
                    "SESSION_REVALIDATE_SECS must be a number of seconds, not {value:?}"
                )),
            }
        }
        if let Some(value) = var("SIGN_IN_FLOW") {
            config.sign_in_flow = match value.as_str() {
                "USER_SRP_AUTH" => SignInFlow::Srp,
                "USER_PASSWORD_AUTH" => SignInFlow::Password,
                "CUSTOM_WITH_SRP" => SignInFlow::CustomWithSrp,
                other => {
                    problems.push(format!("SIGN_IN_FLOW must be USER_SRP_AUTH, USER_PASSWORD_AUTH or CUSTOM_WITH_SRP, not {other:?}"));
                    SignInFlow::Srp
                }
            };
        }
        if let Some(value) = var("SIGN_IN_METHODS") {
            match parse_sign_in_methods(&value) {
                Ok(methods) => config.set_sign_in_methods(methods),
                Err(problem) => problems.push(problem),
            }
        }
        if let Some(value) = var("IDENTITY_PROVIDERS") {
            let providers: Vec<_> = value
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(crate::flow::IdentityProvider::named)
                .collect();
            let domain = var("COGNITO_DOMAIN");
            if matches!(config.backend, Backend::Cognito { .. }) && domain.is_none() {
                problems.push("IDENTITY_PROVIDERS needs COGNITO_DOMAIN, the user pool's domain (https://<prefix>.auth.<region>.amazoncognito.com or your own)".into());
            }
            match Federation::new(providers, domain.as_deref()) {
                Ok(mut federation) => {
                    federation.callback_url = var("OAUTH_CALLBACK_URL");
                    federation.sign_out_url = var("OAUTH_SIGN_OUT_URL");
                    config.federation = Some(federation);
                }
                Err(problem) => problems.push(problem),
            }
        }
        if let Some(value) = var("PASSKEY_PROMPT") {
            match PasskeyPrompt::parse(&value) {
                Ok(prompt) => config.passkey_prompt = prompt,
                Err(problem) => problems.push(problem),
            }
        }
        if let Some(value) = var("REMEMBER_DEVICES") {
            match DeviceRemembering::parse(&value) {
                Ok(remembering) => config.remember_devices = remembering,
                Err(problem) => problems.push(problem),
            }
        }
        if let Some(value) = var("ACCOUNT_ATTRIBUTES") {
            let names: Vec<String> = value
                .split(',')
                .map(|name| name.trim().to_owned())
                .filter(|name| !name.is_empty())
                .collect();
            match names
                .iter()
                .find(|name| !crate::options::is_attribute(name))
            {
                Some(bad) => problems.push(format!(
                    "ACCOUNT_ATTRIBUTES: {bad:?} is not a standard or custom: attribute"
                )),
                None => config.account_attributes = Some(names),
            }
        }
        if let Some(value) = var("TOTP_ISSUER") {
            config.totp_issuer = value;
        }
        if let Some(value) = var("MFA_FACTORS") {
            let mut factors = Vec::new();
            for name in value.split(',').map(str::trim) {
                match crate::flow::MfaType::from_cognito(name) {
                    Some(factor) => factors.push(factor),
                    None => problems.push(format!("MFA_FACTORS: unknown factor {name:?} (use SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP)")),
                }
            }
            config.mfa_factors = factors;
        }
        if let Some(value) = var("LANGUAGES") {
            let mut languages = Vec::new();
            for tag in value.split(',').map(str::trim) {
                match Locale::from_tag(tag) {
                    Some(locale) => languages.push(locale),
                    None => problems.push(format!(
                        "LANGUAGES: no bundle for {tag:?} (en, es, fr, de, ja)"
                    )),
                }
            }
            config.default_language = languages.first().copied().unwrap_or_default();
            config.languages = languages;
        }
        if let Some(value) = var("ALLOWED_ORIGINS") {
            config.allowed_origins = value
                .split(',')
                .map(|o| o.trim().trim_end_matches('/').to_owned())
                .collect();
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    pub fn cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-session"
        } else {
            "session"
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn identity_providers_take_the_names_people_use_and_a_checked_domain() {
        let providers =
            ["Google", "Apple", "Amazon", "MyCorp"].map(crate::flow::IdentityProvider::named);
        let names: Vec<&str> = providers.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["Google", "SignInWithApple", "LoginWithAmazon", "MyCorp"]
        );
        let federation = Federation::new(providers.to_vec(), Some("auth.example.com/")).unwrap();
        assert_eq!(federation.domain, "https://auth.example.com");
        assert!(Federation::new(providers.to_vec(), Some("http://auth.example.com")).is_err());
        let twice = ["Google", "Google"]
            .map(crate::flow::IdentityProvider::named)
            .to_vec();
        assert!(Federation::new(twice, None).is_err());
        assert!(AuthConfig::cognito("us-east-1_X", "c")
            .with_identity_providers(["Google"], None)
            .is_err());
        let vars = |name: &str| match name {
            "COGNITO_USER_POOL_ID" => Some("us-east-1_Abc".to_owned()),
            "COGNITO_CLIENT_ID" => Some("client".to_owned()),
            "IDENTITY_PROVIDERS" => Some("Google".to_owned()),
            _ => None,
        };
        let problems = AuthConfig::from_vars(vars).unwrap_err();
        assert!(
            problems.iter().any(|p| p.contains("COGNITO_DOMAIN")),
            "{problems:?}"
        );
    }

    use super::*;
    use crate::server::session_store::SessionStoreUrl;

    fn read(vars: &[(&str, &str)]) -> Result<AuthConfig, Vec<String>> {
        let vars: std::collections::HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        AuthConfig::from_vars(|name| vars.get(name).cloned())
    }

    #[test]
    fn test_mode_is_for_the_embedded_pool_only_and_raises_the_apps_limits_too() {
        let problems = read(&[
            ("COGNITO_USER_POOL_ID", "us-east-1_Abc"),
            ("COGNITO_CLIENT_ID", "client"),
            ("LOCAL_POOL_TEST_MODE", "1"),
        ])
        .unwrap_err();
        assert!(
            problems[0].contains("can never be on with a real pool"),
            "{problems:?}"
        );
        let config = read(&[("LOCAL_POOL_TEST_MODE", "true")]).unwrap();
        let Backend::Local { pool, .. } = &config.backend else {
            panic!("the embedded pool");
        };
        assert_eq!(pool.test_mode.as_ref().unwrap().code, "123456");
        assert_eq!(config.attempt_limit_scale, 100.0);
        let config = read(&[("LOCAL_POOL_TEST_MODE", "1"), ("ATTEMPT_LIMIT_SCALE", "3")]).unwrap();
        assert_eq!(config.attempt_limit_scale, 3.0);
        assert!(read(&[("LOCAL_POOL_TEST_MODE", "yes")]).is_err());
        // Off means off, even when a copied pool file says otherwise.
        let file = std::env::temp_dir().join(format!("ca-test-mode-{}.toml", std::process::id()));
        std::fs::write(&file, "[test_mode]\n").unwrap();
        let path = file.to_str().unwrap();
        let from_file = read(&[("LOCAL_POOL_CONFIG", path)]).unwrap();
        let Backend::Local { pool, .. } = &from_file.backend else {
            panic!("the embedded pool");
        };
        assert!(pool.test_mode.is_some());
        let switched_off =
            read(&[("LOCAL_POOL_CONFIG", path), ("LOCAL_POOL_TEST_MODE", "0")]).unwrap();
        let Backend::Local { pool, .. } = &switched_off.backend else {
            panic!("the embedded pool");
        };
        assert_eq!(pool.test_mode, None);
        std::fs::remove_file(file).unwrap();
        let off = read(&[]).unwrap();
        let Backend::Local { pool, .. } = &off.backend else {
            panic!("the embedded pool");
        };
        assert_eq!(pool.test_mode, None);
    }

    #[test]
    fn passkeys_come_with_another_method_and_a_prompt_setting() {
        let problems = read(&[("SIGN_IN_METHODS", "WEB_AUTHN")]).unwrap_err();
        assert!(
            problems[0].contains("WEB_AUTHN needs another method"),
            "{problems:?}"
        );
        let config = read(&[
            ("SIGN_IN_METHODS", "WEB_AUTHN,EMAIL_OTP"),
            ("PASSKEY_PROMPT", "always"),
        ])
        .unwrap();
        assert!(config.offers_passkeys());
        assert_eq!(config.passkey_prompt, PasskeyPrompt::Always);
        // The embedded pool's relying party is localhost, with WEB_AUTHN allowed.
        let Backend::Local { pool, .. } = &config.backend else {
            panic!("the embedded pool");
        };
        assert_eq!(pool.webauthn.relying_party_id.as_deref(), Some("localhost"));
        assert!(pool.allows_first_factor("WEB_AUTHN"));
        let problems = read(&[("PASSKEY_PROMPT", "sometimes")]).unwrap_err();
        assert!(problems[0].contains("PASSKEY_PROMPT"), "{problems:?}");
    }

    #[test]
    fn nothing_set_means_the_local_pool_with_sqlite_sessions() {
        let config = read(&[]).unwrap();
        assert!(matches!(config.backend, Backend::Local { .. }));
        assert_eq!(
            config.session_store,
            SessionStoreUrl::Sqlite(PathBuf::from("data/sessions.sqlite3"))
        );
        assert!(!config.secure_cookies);
    }

    #[test]
    fn a_real_pool_derives_its_endpoint_from_the_region() {
        let config = read(&[
            ("COGNITO_USER_POOL_ID", "eu-west-1_AbCdEf123"),
            ("COGNITO_CLIENT_ID", "client"),
            ("COGNITO_CLIENT_SECRET", "s3cret"),
            ("SESSION_STORE", "redis://127.0.0.1:6379"),
        ])
        .unwrap();
        match &config.backend {
            Backend::Cognito {
                endpoint,
                client_secret,
                ..
            } => {
                assert_eq!(endpoint, "https://cognito-idp.eu-west-1.amazonaws.com");
                assert_eq!(client_secret.as_deref(), Some("s3cret"));
            }
            other => panic!("{other:?}"),
        }
        assert!(config.secure_cookies);
        assert_eq!(config.cookie_name(), "__Host-session");
    }

    #[test]
    fn every_problem_is_reported_on_its_own_line() {
        let problems = read(&[
            ("COGNITO_USER_POOL_ID", "eu-west-1_AbCdEf123"),
            ("COGNITO_CLIENT_ID", "client"),
            ("AWS_REGION", "us-east-1"),
            ("SESSION_STORE", "postgres://db"),
            ("SESSION_IDLE_SECS", "soon"),
            ("SECURE_COOKIES", "maybe"),
            ("FORWARDED_FOR_HOPS", "-1"),
        ])
        .unwrap_err();
        let expect = [
            "AWS_REGION us-east-1 does not match the pool's region eu-west-1",
            "SESSION_STORE \"postgres://db\" is not one of memory",
            "SESSION_IDLE_SECS must be a positive number of seconds",
            "SECURE_COOKIES must be true or false",
            "FORWARDED_FOR_HOPS must be the number of proxies",
        ];
        assert_eq!(problems.len(), expect.len(), "{problems:#?}");
        for start in expect {
            assert!(
                problems.iter().any(|p| p.starts_with(start)),
                "{start:?} in {problems:#?}"
            );
        }
        assert_eq!(
            read(&[("COGNITO_CLIENT_ID", "client")]).unwrap_err(),
            vec!["COGNITO_CLIENT_ID is set but COGNITO_USER_POOL_ID is missing".to_owned()]
        );
        assert!(read(&[
            ("COGNITO_USER_POOL_ID", "nounderscore"),
            ("COGNITO_CLIENT_ID", "c")
        ])
        .unwrap_err()[0]
            .contains("is not of the form <region>_<id>"));
    }

    #[test]
    fn a_real_pools_password_policy_comes_from_the_environment() {
        let pool = [
            ("COGNITO_USER_POOL_ID", "eu-west-1_Abc"),
            ("COGNITO_CLIENT_ID", "client"),
        ];
        let default = read(&pool).unwrap();
        assert_eq!(default.password_policy, PasswordPolicy::default());
        let mut vars = pool.to_vec();
        vars.extend([
            ("PASSWORD_MIN_LENGTH", "12"),
            ("PASSWORD_REQUIRE", "lowercase, numbers"),
        ]);
        let policy = read(&vars).unwrap().password_policy;
        assert_eq!(
            policy,
            PasswordPolicy {
                minimum_length: 12,
                require_uppercase: false,
                require_lowercase: true,
                require_numbers: true,
                require_symbols: false,
            }
        );
        let mut vars = pool.to_vec();
        vars.push(("PASSWORD_REQUIRE", "none"));
        let policy = read(&vars).unwrap().password_policy;
        assert!(!policy.require_lowercase && !policy.require_symbols);
        for (name, value) in [
            ("PASSWORD_MIN_LENGTH", "5"),
            ("PASSWORD_MIN_LENGTH", "eight"),
            ("PASSWORD_REQUIRE", "digits"),
        ] {
            let mut vars = pool.to_vec();
            vars.push((name, value));
            let problems = read(&vars).unwrap_err();
            assert!(problems.iter().any(|p| p.starts_with(name)), "{problems:?}");
        }
        // The embedded pool has its policy in its own file.
        let problems = read(&[("PASSWORD_MIN_LENGTH", "12")]).unwrap_err();
        assert!(problems[0].contains("LOCAL_POOL_CONFIG"), "{problems:?}");
    }
}
