//! The pool itself and what its operations share: passwords, codes, challenge sessions, tokens,
//! lockouts, and the signed-in user's own operations. Operation groups live beside it (`sign_up`,
//! `sign_in`, `user_auth`, `webauthn`, `challenges`, `devices`, `account`, `admin`).

use crate::config::{AppClient, PoolConfig};
use crate::store::{AuthSessionRecord, OutboxMessage, RefreshRecord, Store, UserRecord};
use crate::tokens::{Keys, TokenUse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use cognito_idp::error::{ErrorKind, ServiceError};
use cognito_idp::srp::{self};
use cognito_idp::wire::*;
use cognito_idp::{Clock, Secret, SecretMap};
use rand::{Rng, RngCore};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// An argon2id PHC string (`$argon2id$v=19$m=…,t=…,p=1$salt$hash`) for `password`.
fn argon2_hash(
    params: &argon2::Params,
    password: &[u8],
    memory: &mut Vec<argon2::Block>,
) -> Option<String> {
    use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_buf).ok()?;
    let argon = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params.clone(),
    );
    memory.resize(params.block_count(), argon2::Block::default());
    let mut out = [0u8; argon2::Params::DEFAULT_OUTPUT_LEN];
    argon
        .hash_password_into_with_memory(password, salt_bytes, &mut out, memory.as_mut_slice())
        .ok()?;
    let hash = PasswordHash {
        algorithm: argon2::Algorithm::Argon2id.ident(),
        version: Some(argon2::Version::V0x13.into()),
        params: ParamsString::try_from(params).ok()?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).ok()?),
    };
    Some(hash.to_string())
}

/// Whether `password` matches the PHC string `hash` (compared in constant time).
fn argon2_verify(password: &[u8], hash: &str, memory: &mut Vec<argon2::Block>) -> bool {
    use argon2::password_hash::{Output, PasswordHash};
    let mut check = || -> Option<bool> {
        let parsed = PasswordHash::new(hash).ok()?;
        let params = argon2::Params::try_from(&parsed).ok()?;
        let algorithm = argon2::Algorithm::try_from(parsed.algorithm).ok()?;
        let version = match parsed.version {
            Some(v) => argon2::Version::try_from(v).ok()?,
            None => argon2::Version::default(),
        };
        let expected = parsed.hash?;
        let mut salt_buf = [0u8; 64];
        let salt = parsed.salt?.decode_b64(&mut salt_buf).ok()?;
        memory.resize(params.block_count(), argon2::Block::default());
        let mut out = vec![0u8; expected.len()];
        argon2::Argon2::new(algorithm, version, params)
            .hash_password_into_with_memory(password, salt, &mut out, memory.as_mut_slice())
            .ok()?;
        // `Output` compares in constant time.
        Some(Output::new(&out).ok()? == expected)
    };
    check().unwrap_or(false)
}

/// An operation's failure: a Cognito error to send back.
#[derive(Debug)]
pub struct Fault(pub ServiceError);

impl From<sqlx::Error> for Fault {
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = %err, "local pool storage failed");
        fault(ErrorKind::InternalError, "Internal error")
    }
}

pub fn fault(kind: ErrorKind, message: impl Into<String>) -> Fault {
    Fault(ServiceError::new(kind, message))
}

pub type OpResult<T> = Result<T, Fault>;

/// The slice `start..end` of a list of `len` items that a page shows: `token` is the offset a
/// previous page handed out (only one within the list is valid), `limit` the page size.
pub(crate) fn page(token: Option<&str>, limit: usize, len: usize) -> OpResult<(usize, usize)> {
    let start = match token {
        None => 0,
        Some(token) => token
            .parse::<usize>()
            .ok()
            .filter(|start| *start <= len)
            .ok_or_else(|| fault(ErrorKind::InvalidParameter, "Invalid pagination token."))?,
    };
    Ok((start, start.saturating_add(limit).min(len)))
}

/// A page size member (`Limit`, `MaxResults`) checked against Cognito's range `min..=max`.
pub(crate) fn page_size(member: &str, value: Option<i64>, min: i64, max: i64) -> OpResult<usize> {
    match value {
        Some(n) if !(min..=max).contains(&n) => Err(fault(
            ErrorKind::InvalidParameter,
            format!("1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have value between {min} and {max}"),
        )),
        Some(n) => Ok(n as usize),
        None => Ok(max as usize),
    }
}

pub(crate) const INCORRECT: &str = "Incorrect username or password.";
pub(crate) const SESSION_EXPIRED: &str = "Invalid session for the user, session is expired.";
pub(crate) const SIGNUP_CODE: &str = "signup";

/// A Cognito-compatible user pool backed by SQLite. Cheap to clone.
#[derive(Clone)]
pub struct LocalPool {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// Swapped whole when a management call changes it.
    config: std::sync::RwLock<Arc<PoolConfig>>,
    pub(crate) store: Store,
    keys: Keys,
    pub(crate) clock: Clock,
    issuer: String,
    hashing: Semaphore,
    /// argon2 working memory, reused: at most one buffer per permit of `hashing`.
    hashing_memory: std::sync::Mutex<Vec<Vec<argon2::Block>>>,
    pub(crate) fake_seed: String,
    /// Code sends per user, as Cognito throttles them.
    pub(crate) code_sends: crate::throttle::Throttle,
    decoy_hash: tokio::sync::OnceCell<String>,
    /// Passwords checked against a hash (real or decoy), for tests that compare the work done.
    password_checks: std::sync::atomic::AtomicU64,
    /// The OAuth domain's open authorizations, codes and sessions.
    pub(crate) oauth: crate::oauth::OAuthState,
    /// Test mode's codes for single users (by username), set through `/local/test/codes`.
    pub(crate) test_codes: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

/// What a token from the OAuth endpoints carries beyond an API sign-in's: the scopes granted
/// and the client's `nonce`.
#[derive(Clone, Debug)]
pub(crate) struct OAuthClaims {
    pub scope: String,
    pub nonce: Option<String>,
}

impl std::fmt::Debug for LocalPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalPool")
            .field("issuer", &self.inner.issuer)
            .finish_non_exhaustive()
    }
}

pub(crate) fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// The first of email, then phone number, that the user has and `usable` accepts:
/// `(medium, attribute, destination)`.
pub(crate) fn code_channel(
    user: &UserRecord,
    usable: impl Fn(&str) -> bool,
) -> Option<(&'static str, &'static str, String)> {
    [("EMAIL", "email"), ("SMS", "phone_number")]
        .into_iter()
        .filter(|(_, attribute)| usable(attribute))
        .find_map(|(medium, attribute)| {
            user.attributes
                .get(attribute)
                .map(|value| (medium, attribute, value.clone()))
        })
}

/// A six-digit one-time code.
fn random_code() -> String {
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000))
}

impl LocalPool {
    /// The code to send `username`: random, or in test mode the user's own fixed code, else
    /// the pool's.
    pub(crate) fn new_code(&self, username: &str) -> String {
        let Some(test_mode) = &self.cfg().test_mode else {
            return random_code();
        };
        let codes = self
            .inner
            .test_codes
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        codes
            .get(username)
            .cloned()
            .unwrap_or_else(|| test_mode.code.clone())
    }
}

pub(crate) fn sha256_hex(value: &str) -> String {
    Sha256::digest(value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// `alice@example.com` → `a***@e***.com`.
pub fn mask_email(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let (host, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    format!("{}***@{}***.{}", first(local), first(host), tld)
}

/// `+15555550123` → `+*******0123`.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    let keep = digits.len().saturating_sub(4);
    let tail: String = digits[keep..].iter().collect();
    format!("+{}{}", "*".repeat(keep), tail)
}

pub fn is_valid_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
        && value.len() <= 2048
}

/// E.164: `+`, a non-zero digit, up to 15 digits in all.
pub fn is_valid_phone(value: &str) -> bool {
    let Some(digits) = value.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
}

/// Cognito's checks on one attribute value: length, and the email and phone formats.
pub(crate) fn check_attribute(name: &str, value: &str) -> OpResult<()> {
    if value.chars().count() > 2048 {
        return Err(fault(
            ErrorKind::InvalidParameter,
            format!("{name}: The attribute value is too long"),
        ));
    }
    match name {
        "email" if !is_valid_email(value) => Err(fault(
            ErrorKind::InvalidParameter,
            "Invalid email address format.",
        )),
        "phone_number" if !is_valid_phone(value) => Err(fault(
            ErrorKind::InvalidParameter,
            "Invalid phone number format.",
        )),
        _ => Ok(()),
    }
}

pub(crate) fn required<'a>(map: &'a SecretMap, key: &str) -> OpResult<&'a str> {
    map.get(key).filter(|v| !v.is_empty()).ok_or_else(|| {
        fault(
            ErrorKind::InvalidParameter,
            format!("Missing required parameter {key}"),
        )
    })
}

impl LocalPool {
    /// Opens (or creates) the pool's database in `data_dir` (in memory when `None`).
    /// `endpoint` is the public URL the pool is served at; the issuer is `<endpoint>/<poolId>`.
    pub async fn open(
        config: PoolConfig,
        data_dir: Option<&Path>,
        endpoint: &str,
        clock: Clock,
    ) -> Result<Self, String> {
        let store = Store::open(data_dir).await.map_err(|e| e.to_string())?;
        let keys = Keys::load_or_create(&store, clock.now()).await?;
        let fake_seed = store
            .meta_or_insert("fake_seed", &random_token(32))
            .await
            .map_err(|e| e.to_string())?;
        let config = crate::test_mode::apply(config);
        let issuer = format!("{}/{}", endpoint.trim_end_matches('/'), config.pool_id);
        let hashing = Semaphore::new(config.argon2.max_concurrent.max(1));
        Ok(Self {
            inner: Arc::new(Inner {
                config: std::sync::RwLock::new(Arc::new(config)),
                store,
                keys,
                clock,
                issuer,
                hashing,
                hashing_memory: Default::default(),
                fake_seed,
                code_sends: Default::default(),
                decoy_hash: Default::default(),
                password_checks: Default::default(),
                oauth: Default::default(),
                test_codes: Default::default(),
            }),
        })
    }

    pub fn config(&self) -> Arc<PoolConfig> {
        self.cfg()
    }

    /// How many passwords were checked against a hash so far (a real user's or the decoy).
    pub fn password_checks(&self) -> u64 {
        self.inner
            .password_checks
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn cfg(&self) -> Arc<PoolConfig> {
        self.inner.config.read().expect("config lock").clone()
    }

    /// Replaces the configuration (management operations).
    pub(crate) fn set_config(&self, config: PoolConfig) {
        *self.inner.config.write().expect("config lock") = Arc::new(config);
    }

    /// How long challenge sessions of `client_id` last.
    pub(crate) fn session_validity(&self, client_id: &str) -> i64 {
        self.cfg()
            .client(client_id)
            .map_or(180, |c| c.auth_session_validity_secs)
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    pub fn clock(&self) -> Clock {
        self.inner.clock.clone()
    }

    /// The pool's clock, in unix seconds.
    pub fn now_secs(&self) -> i64 {
        self.inner.clock.now()
    }

    pub fn jwks(&self) -> JwkSet {
        self.inner.keys.jwks()
    }

    pub(crate) fn now(&self) -> i64 {
        self.inner.clock.now()
    }

    /// The outbox, oldest first.
    pub async fn outbox(&self) -> OpResult<Vec<OutboxMessage>> {
        let pool_id = self.cfg().pool_id.clone();
        let mut messages = self.inner.store.outbox().await?;
        for message in &mut messages {
            message.pool_id.clone_from(&pool_id);
        }
        Ok(messages)
    }

    // ---- shared checks -------------------------------------------------------------------

    pub(crate) fn check_client(
        &self,
        client_id: &str,
        secret_hash: Option<&str>,
        username: &str,
    ) -> OpResult<AppClient> {
        let client = self.client(client_id)?;
        if let Some(secret) = &client.client_secret {
            let Some(given) = secret_hash else {
                return Err(fault(
                    ErrorKind::NotAuthorized,
                    format!(
                        "Client {client_id} is configured for secret but secret was not received"
                    ),
                ));
            };
            if !constant_time_eq(given, &srp::secret_hash(secret, username, client_id)) {
                return Err(fault(
                    ErrorKind::NotAuthorized,
                    format!("SecretHash does not match for the client: {client_id}"),
                ));
            }
        }
        Ok(client)
    }

    /// The app client with this id, or Cognito's error for an unknown one.
    pub(crate) fn client(&self, client_id: &str) -> OpResult<AppClient> {
        self.cfg().client(client_id).cloned().ok_or_else(|| {
            fault(
                ErrorKind::ResourceNotFound,
                format!("User pool client {client_id} does not exist."),
            )
        })
    }

    /// The user a sign-in, sign-up or password reset names: by username, or by email/phone
    /// when the pool signs in with them. Users made by a provider sign in there only, so these
    /// paths see them as no one (no code sent, no reset, no tell that they exist).
    pub(crate) async fn resolve_user(&self, login: &str) -> OpResult<Option<UserRecord>> {
        Ok(self
            .resolve_any_user(login)
            .await?
            .filter(|u| u.status != crate::store::UserStatus::ExternalProvider))
    }

    /// [`LocalPool::resolve_user`] for administrators, who see federated users too.
    pub(crate) async fn resolve_any_user(&self, login: &str) -> OpResult<Option<UserRecord>> {
        let store = &self.inner.store;
        let by_name = store.user(login).await?;
        // A provider's user named like an address (a SAML NameID) does not hide the pool user
        // whose email that address is.
        match by_name {
            Some(user) if user.status != crate::store::UserStatus::ExternalProvider => {
                return Ok(Some(user))
            }
            _ => {}
        }
        let config = self.cfg();
        let alias = if config.signs_in_with("email") && login.contains('@') {
            Some(("email", login.to_lowercase()))
        } else if config.signs_in_with("phone_number") && login.starts_with('+') {
            Some(("phone_number", login.to_owned()))
        } else {
            None
        };
        let by_alias = match alias {
            // A federated user's email is the provider's claim, never a sign-in alias.
            Some((name, value)) => store
                .users_with_attribute(name, &value)
                .await?
                .into_iter()
                .find(|u| u.status != crate::store::UserStatus::ExternalProvider),
            None => None,
        };
        Ok(by_alias.or(by_name))
    }

    async fn hash_password(&self, password: &str) -> OpResult<String> {
        let params = &self.cfg().argon2;
        let params = argon2::Params::new(params.memory_kib, params.iterations, 1, None)
            .map_err(|_| fault(ErrorKind::InternalError, "Internal error"))?;
        let password = password.to_owned();
        self.with_hashing_memory(move |memory| argon2_hash(&params, password.as_bytes(), memory))
            .await
            .flatten()
            .ok_or_else(|| fault(ErrorKind::InternalError, "Internal error"))
    }

    /// A hash made with the pool's parameters, checked against passwords given for unknown
    /// users so that they cost what a real user's do.
    pub(crate) async fn decoy_hash(&self) -> OpResult<String> {
        self.inner
            .decoy_hash
            .get_or_try_init(|| async { self.hash_password(&random_token(16)).await })
            .await
            .cloned()
    }

    pub(crate) async fn verify_password(&self, password: &str, hash: &str) -> bool {
        self.inner
            .password_checks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // A user without a password costs a full check too (against the decoy), so timing
        // does not tell them apart, and nothing matches.
        let checked = match hash {
            "" => match self.decoy_hash().await {
                Ok(decoy) => decoy,
                Err(_) => return false,
            },
            hash => hash.to_owned(),
        };
        let (password, hash) = (password.to_owned(), checked);
        self.with_hashing_memory(move |memory| argon2_verify(password.as_bytes(), &hash, memory))
            .await
            .unwrap_or(false)
    }

    /// Runs an argon2 computation off the async threads, at most `max_concurrent` at once, each
    /// with a reused buffer. Fresh 19 MiB buffers on many threads were kept by the allocator:
    /// 200 concurrent sign-ups peaked near 1 GB before, under 100 MB after (BENCHMARKS.md).
    async fn with_hashing_memory<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<argon2::Block>) -> T + Send + 'static,
    ) -> Option<T> {
        let _permit = self.inner.hashing.acquire().await.ok()?;
        let mut memory = self
            .inner
            .hashing_memory
            .lock()
            .ok()
            .and_then(|mut buffers| buffers.pop())
            .unwrap_or_default();
        let (result, memory) = tokio::task::spawn_blocking(move || {
            let result = work(&mut memory);
            (result, memory)
        })
        .await
        .ok()?;
        if let Ok(mut buffers) = self.inner.hashing_memory.lock() {
            buffers.push(memory);
        }
        Some(result)
    }

    pub(crate) fn check_password_shape(&self, password: &str) -> OpResult<()> {
        if password.chars().count() < 6 {
            return Err(fault(ErrorKind::InvalidParameter, "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length greater than or equal to 6"));
        }
        if password.len() > 256 {
            return Err(fault(ErrorKind::InvalidParameter, "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 256"));
        }
        if let Some(rule) = self.cfg().password_policy.violation(password) {
            return Err(fault(
                ErrorKind::InvalidPassword,
                format!(
                    "Password did not conform with policy: {}",
                    rule.cognito_message()
                ),
            ));
        }
        Ok(())
    }

    /// Sets a user's password: argon2id hash plus the SRP salt and verifier.
    pub(crate) async fn set_password(&self, user: &mut UserRecord, password: &str) -> OpResult<()> {
        user.password_hash = self.hash_password(password).await?;
        let salt = srp::new_salt();
        let config = self.cfg();
        let pool_name = srp::pool_name(&config.pool_id);
        user.srp_verifier = srp::verifier(pool_name, &user.username, password, &salt).to_bytes_be();
        user.srp_salt = salt.to_vec();
        Ok(())
    }

    // ---- messages and codes ----------------------------------------------------------------

    /// Where a user's codes go: the first auto-verified channel the user has.
    /// Where a user's sign-up codes go: the first auto-verified attribute the user has.
    pub(crate) fn delivery_channel(
        &self,
        user: &UserRecord,
    ) -> Option<(&'static str, &'static str, String)> {
        let config = self.cfg();
        code_channel(user, |name| {
            config.auto_verified_attributes.iter().any(|a| a == name)
        })
    }

    pub(crate) fn details(medium: &str, attribute: &str, destination: &str) -> CodeDeliveryDetails {
        let masked = if medium == "EMAIL" {
            mask_email(destination)
        } else {
            mask_phone(destination)
        };
        CodeDeliveryDetails {
            destination: Some(masked),
            delivery_medium: Some(medium.to_owned()),
            attribute_name: Some(attribute.to_owned()),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn send_message(
        &self,
        username: &str,
        channel: &str,
        destination: &str,
        kind: &str,
        code: Option<&str>,
        message: String,
    ) -> OpResult<()> {
        self.send_message_with_link(username, channel, destination, kind, code, None, message)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn send_message_with_link(
        &self,
        username: &str,
        channel: &str,
        destination: &str,
        kind: &str,
        code: Option<&str>,
        link: Option<String>,
        message: String,
    ) -> OpResult<()> {
        let entry = OutboxMessage {
            id: 0,
            at: self.now(),
            username: username.to_owned(),
            channel: channel.to_owned(),
            destination: destination.to_owned(),
            kind: kind.to_owned(),
            code: code.map(str::to_owned),
            link,
            message,
            pool_id: self.cfg().pool_id.clone(),
        };
        self.inner.store.push_outbox(&entry).await?;
        if self.cfg().print_outbox {
            // The local pool's stand-in for email/SMS delivery: printing is the point.
            eprintln!(
                "[local outbox] {kind} to {destination} ({channel}) for {username}: {}",
                entry.message
            );
        }
        Ok(())
    }

    /// Checks and consumes a code: expired, over-tried and wrong codes give Cognito's errors.
    pub(crate) async fn use_code(
        &self,
        username: &str,
        purpose: &str,
        given: &str,
    ) -> OpResult<()> {
        let store = &self.inner.store;
        let expired = || {
            fault(
                ErrorKind::ExpiredCode,
                "Invalid code provided, please request a code again.",
            )
        };
        let record = store.code(username, purpose).await?.ok_or_else(expired)?;
        if record.expires_at <= self.now() {
            return Err(expired());
        }
        if record.attempts >= self.cfg().max_code_attempts {
            return Err(fault(
                ErrorKind::LimitExceeded,
                "Attempt limit exceeded, please try after some time.",
            ));
        }
        if !constant_time_eq(&record.code, given) {
            store.count_code_attempt(username, purpose).await?;
            return Err(fault(
                ErrorKind::CodeMismatch,
                "Invalid verification code provided, please try again.",
            ));
        }
        if !store.take_code(username, purpose, given).await? {
            return Err(expired());
        }
        Ok(())
    }

    /// Stores a challenge session, sweeping out expired ones first so the table stays small.
    pub(crate) async fn save_auth_session(
        &self,
        id: &str,
        record: &AuthSessionRecord,
    ) -> OpResult<()> {
        let store = &self.inner.store;
        store.delete_expired_auth_sessions(self.now()).await?;
        store.put_auth_session(id, record).await?;
        Ok(())
    }

    pub(crate) async fn new_auth_session(
        &self,
        user: &UserRecord,
        client_id: &str,
        kind: &str,
        data: Value,
    ) -> OpResult<String> {
        let id = random_token(96);
        self.save_auth_session(
            &id,
            &AuthSessionRecord {
                username: user.username.clone(),
                client_id: client_id.to_owned(),
                kind: kind.to_owned(),
                data: data.to_string(),
                expires_at: self.now() + self.session_validity(client_id),
            },
        )
        .await?;
        Ok(id)
    }

    /// Takes a live session of `kind` for this client, or fails as Cognito does.
    /// The app client a challenge session belongs to (for calls that carry only the session).
    pub(crate) async fn session_client(&self, session: &Secret) -> OpResult<String> {
        self.inner
            .store
            .auth_session_client(session.expose())
            .await?
            .ok_or_else(|| fault(ErrorKind::NotAuthorized, SESSION_EXPIRED))
    }

    pub(crate) async fn take_session(
        &self,
        id: &str,
        kind: &str,
        client_id: &str,
    ) -> OpResult<AuthSessionRecord> {
        match self.inner.store.take_auth_session(id).await? {
            Some(s) if s.kind == kind && s.client_id == client_id && s.expires_at > self.now() => {
                Ok(s)
            }
            _ => Err(fault(ErrorKind::NotAuthorized, SESSION_EXPIRED)),
        }
    }

    // ---- tokens --------------------------------------------------------------------------

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn mint(
        &self,
        user: &UserRecord,
        client_id: &str,
        origin_jti: &str,
        auth_time: i64,
        source: &str,
        device_key: Option<&str>,
        oauth: Option<&OAuthClaims>,
    ) -> OpResult<(Secret, Secret)> {
        let config = self.client(client_id)?;
        let now = self.now();
        let event_id = uuid::Uuid::new_v4().to_string();
        let mut id = Map::new();
        for (name, value) in &user.attributes {
            let value = if name.ends_with("_verified") {
                Value::Bool(value == "true")
            } else if name == "identities" {
                // Kept as a JSON string, as Cognito does; a real array in the token.
                serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.clone()))
            } else {
                Value::String(value.clone())
            };
            id.insert(name.clone(), value);
        }
        let common = json!({
            "sub": user.sub, "iss": self.inner.issuer, "origin_jti": origin_jti, "event_id": event_id,
            "auth_time": auth_time, "iat": now,
        });
        let Value::Object(common) = common else {
            unreachable!()
        };
        id.extend(common.clone());
        id.insert("token_use".into(), "id".into());
        id.insert("aud".into(), client_id.into());
        id.insert("cognito:username".into(), user.username.clone().into());
        id.insert("exp".into(), (now + config.id_token_validity_secs).into());
        id.insert("jti".into(), uuid::Uuid::new_v4().to_string().into());
        let mut access = common;
        access.insert("token_use".into(), "access".into());
        access.insert("client_id".into(), client_id.into());
        access.insert("username".into(), user.username.clone().into());
        let scope = oauth.map_or("aws.cognito.signin.user.admin", |o| o.scope.as_str());
        access.insert("scope".into(), scope.into());
        if let Some(nonce) = oauth.and_then(|o| o.nonce.as_ref()) {
            id.insert("nonce".into(), nonce.clone().into());
        }
        access.insert(
            "exp".into(),
            (now + config.access_token_validity_secs).into(),
        );
        access.insert("jti".into(), uuid::Uuid::new_v4().to_string().into());
        if let Some(key) = device_key {
            access.insert("device_key".into(), key.into());
        }
        // A provider's user is in the automatic group `<pool id>_<provider>`, as on Cognito.
        if user.status == crate::store::UserStatus::ExternalProvider {
            let groups: Vec<Value> = user
                .attributes
                .get("identities")
                .and_then(|v| serde_json::from_str::<Vec<Value>>(v).ok())
                .unwrap_or_default()
                .iter()
                .filter_map(|i| i["providerName"].as_str())
                .map(|p| Value::String(format!("{}_{p}", self.cfg().pool_id)))
                .collect();
            id.insert("cognito:groups".into(), groups.clone().into());
            access.insert("cognito:groups".into(), groups.into());
        }
        self.pre_token_generation(user, client_id, source, &mut id)
            .await?;
        let keys = &self.inner.keys;
        Ok((
            Secret::new(keys.sign(TokenUse::Id, &id)),
            Secret::new(keys.sign(TokenUse::Access, &access)),
        ))
    }

    /// A new sign-in: a new refresh-token lineage plus ID and access tokens.
    pub(crate) async fn issue_tokens(
        &self,
        user: &UserRecord,
        client_id: &str,
        presented_device: Option<&str>,
    ) -> OpResult<AuthResponse> {
        let client = self.client(client_id)?;
        let (device_key, new_device_metadata) =
            self.device_for_tokens(user, presented_device).await?;
        let now = self.now();
        let (origin_jti, refresh) = self
            .new_lineage(user, &client, now, device_key.clone())
            .await?;
        let (id_token, access_token) = self
            .mint(
                user,
                client_id,
                &origin_jti,
                now,
                "TokenGeneration_Authentication",
                device_key.as_deref(),
                None,
            )
            .await?;
        Ok(AuthResponse {
            authentication_result: Some(AuthenticationResult {
                access_token,
                expires_in: client.access_token_validity_secs,
                token_type: "Bearer".into(),
                refresh_token: Some(Secret::new(refresh)),
                id_token,
                new_device_metadata,
            }),
            ..Default::default()
        })
    }

    /// A new refresh-token lineage: its `origin_jti` and refresh token.
    async fn new_lineage(
        &self,
        user: &UserRecord,
        client: &AppClient,
        auth_time: i64,
        device_key: Option<String>,
    ) -> OpResult<(String, String)> {
        let origin_jti = uuid::Uuid::new_v4().to_string();
        let refresh = random_token(96);
        self.inner
            .store
            .insert_refresh_token(
                &sha256_hex(&refresh),
                &RefreshRecord {
                    username: user.username.clone(),
                    client_id: client.client_id.clone(),
                    origin_jti: origin_jti.clone(),
                    auth_time,
                    expires_at: self.now() + client.refresh_token_validity_secs,
                    revoked: false,
                    device_key,
                },
            )
            .await?;
        Ok((origin_jti, refresh))
    }

    /// Tokens from the OAuth token endpoint: a new lineage that keeps its scopes for refreshes.
    pub(crate) async fn issue_oauth_tokens(
        &self,
        user: &UserRecord,
        client_id: &str,
        auth_time: i64,
        claims: &OAuthClaims,
    ) -> OpResult<AuthenticationResult> {
        let client = self.client(client_id)?;
        let (origin_jti, refresh) = self.new_lineage(user, &client, auth_time, None).await?;
        self.inner
            .store
            .set_lineage_scope(&origin_jti, &claims.scope)
            .await?;
        let (id_token, access_token) = self
            .mint(
                user,
                client_id,
                &origin_jti,
                auth_time,
                "TokenGeneration_HostedAuth",
                None,
                Some(claims),
            )
            .await?;
        Ok(AuthenticationResult {
            access_token,
            expires_in: client.access_token_validity_secs,
            token_type: "Bearer".into(),
            refresh_token: Some(Secret::new(refresh)),
            id_token,
            new_device_metadata: None,
        })
    }

    /// The scopes of a lineage begun at the token endpoint (`None` for API sign-ins).
    pub(crate) async fn lineage_scope(&self, origin_jti: &str) -> Option<String> {
        self.inner
            .store
            .lineage_scope(origin_jti)
            .await
            .ok()
            .flatten()
    }

    /// A `client_credentials` access token: the client itself, with its custom scopes.
    pub(crate) fn machine_token(&self, client: &AppClient, scope: &str) -> (Secret, i64) {
        let now = self.now();
        let claims = json!({
            "sub": client.client_id, "client_id": client.client_id, "token_use": "access",
            "scope": scope, "auth_time": now, "iss": self.inner.issuer, "iat": now,
            "exp": now + client.access_token_validity_secs, "version": 2,
            "jti": uuid::Uuid::new_v4().to_string(),
        });
        let Value::Object(claims) = claims else {
            unreachable!()
        };
        (
            Secret::new(self.inner.keys.sign(TokenUse::Access, &claims)),
            client.access_token_validity_secs,
        )
    }

    /// `/oauth2/userInfo`: the user's attributes for a live access token from the token
    /// endpoint with the `openid` scope (API-issued tokens are refused, as Cognito does).
    pub(crate) async fn user_info(&self, access_token: &str) -> Option<Value> {
        let claims = self
            .inner
            .keys
            .verify(TokenUse::Access, access_token, &self.inner.issuer)?;
        let scopes = claims
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !scopes.split(' ').any(|s| s == "openid") {
            return None;
        }
        let (user, _) = self
            .token_user(&Secret::new(access_token.to_owned()), false)
            .await
            .ok()?;
        let mut info = serde_json::Map::new();
        info.insert("sub".into(), user.sub.clone().into());
        for (name, value) in &user.attributes {
            info.insert(name.clone(), value.clone().into());
        }
        info.insert("username".into(), user.username.clone().into());
        Some(Value::Object(info))
    }

    /// Refuses a sign-in attempt while the user is locked out (not counted as a failure).
    pub(crate) async fn check_lockout(&self, user: &UserRecord) -> OpResult<()> {
        let (locked_until, _) = self.inner.store.lockout(&user.username).await?;
        if locked_until > self.now() {
            return Err(fault(
                ErrorKind::NotAuthorized,
                "Password attempts exceeded",
            ));
        }
        Ok(())
    }

    /// Counts a wrong password. From the threshold on, each failure locks the user out for
    /// twice as long as the last (1 s, 2 s, 4 s … up to the cap), as Cognito does.
    pub(crate) async fn record_failed_sign_in(&self, user: UserRecord) -> Fault {
        match self.count_failed_attempt(user).await {
            Ok(()) => fault(ErrorKind::NotAuthorized, INCORRECT),
            Err(err) => err,
        }
    }

    /// Counts a failed first factor (a wrong password, or a wrong sign-in code) toward the
    /// lockout.
    pub(crate) async fn count_failed_attempt(&self, mut user: UserRecord) -> OpResult<()> {
        let config = self.cfg();
        let now = self.now();
        let result: OpResult<()> = async {
            let (_, last_failure) = self.inner.store.lockout(&user.username).await?;
            if user.failed_attempts > 0 && now - last_failure >= config.lockout_reset_secs {
                user.failed_attempts = 0;
            }
            user.failed_attempts += 1;
            user.updated_at = now;
            self.inner.store.update_user(&user).await?;
            let past = user.failed_attempts - config.lockout_threshold;
            let locked_until = if past >= 0 {
                now + (1i64 << past.min(20)).min(config.lockout_cap_secs)
            } else {
                0
            };
            self.inner
                .store
                .put_lockout(&user.username, locked_until, now)
                .await?;
            Ok(())
        }
        .await;
        result
    }

    /// Authorizes an access-token call: signature, expiry, revocation, user state.
    pub(crate) async fn authorize(&self, access_token: &Secret) -> OpResult<UserRecord> {
        Ok(self.authorize_with_client(access_token).await?.0)
    }

    /// The user an access token is for, and the app client it was issued to.
    pub(crate) async fn authorize_with_client(
        &self,
        access_token: &Secret,
    ) -> OpResult<(UserRecord, String)> {
        self.token_user(access_token, true).await
    }

    /// The user and client of a live access token; `for_api`: it must carry the scope that
    /// lets it act on the user (`/oauth2/userInfo` needs only `openid`).
    async fn token_user(
        &self,
        access_token: &Secret,
        for_api: bool,
    ) -> OpResult<(UserRecord, String)> {
        let invalid = || fault(ErrorKind::NotAuthorized, "Invalid Access Token");
        let claims = self
            .inner
            .keys
            .verify(TokenUse::Access, access_token.expose(), &self.inner.issuer)
            .ok_or_else(invalid)?;
        let int = |name: &str| claims.get(name).and_then(Value::as_i64);
        let text = |name: &str| claims.get(name).and_then(Value::as_str);
        if int("exp").ok_or_else(invalid)? <= self.now() {
            return Err(fault(ErrorKind::NotAuthorized, "Access Token has expired"));
        }
        // Tokens from the OAuth endpoints act on the user only with this scope, as on Cognito.
        if for_api
            && !text("scope")
                .unwrap_or_default()
                .split(' ')
                .any(|s| s == "aws.cognito.signin.user.admin")
        {
            return Err(fault(
                ErrorKind::NotAuthorized,
                "Access Token does not have required scopes",
            ));
        }
        let lineage = self
            .inner
            .store
            .lineage(text("origin_jti").ok_or_else(invalid)?)
            .await?;
        if lineage.is_none_or(|l| l.revoked) {
            return Err(fault(
                ErrorKind::NotAuthorized,
                "Access Token has been revoked",
            ));
        }
        let user = self
            .inner
            .store
            .user(text("username").ok_or_else(invalid)?)
            .await?
            .ok_or_else(|| fault(ErrorKind::UserNotFound, "User does not exist."))?;
        if !user.enabled {
            return Err(fault(ErrorKind::NotAuthorized, "User is disabled."));
        }
        let client_id = text("client_id").ok_or_else(invalid)?.to_owned();
        Ok((user, client_id))
    }

    // ---- operations ----------------------------------------------------------------------

    pub async fn get_user(&self, req: GetUserRequest) -> OpResult<GetUserResponse> {
        let user = self.authorize(&req.0.access_token).await?;
        let mut attributes = vec![AttributeType::new("sub", &user.sub)];
        attributes.extend(
            user.attributes
                .iter()
                .map(|(name, value)| AttributeType::new(name, value)),
        );
        let (enabled, preferred) = self.mfa_settings(&user).await?;
        Ok(GetUserResponse {
            username: user.username,
            user_attributes: attributes,
            preferred_mfa_setting: preferred,
            user_mfa_setting_list: (!enabled.is_empty()).then_some(enabled),
        })
    }

    pub async fn global_sign_out(&self, req: GlobalSignOutRequest) -> OpResult<Empty> {
        let user = self.authorize(&req.0.access_token).await?;
        self.inner
            .store
            .revoke_all_refresh_tokens(&user.username)
            .await?;
        Ok(Empty {})
    }

    pub async fn revoke_token(&self, req: RevokeTokenRequest) -> OpResult<Empty> {
        let client = self.client(&req.client_id)?;
        if let Some(secret) = &client.client_secret {
            if !req
                .client_secret
                .as_ref()
                .is_some_and(|s| constant_time_eq(s.expose(), secret))
            {
                return Err(fault(
                    ErrorKind::NotAuthorized,
                    format!(
                        "Client {} is configured for secret but secret was not received",
                        req.client_id
                    ),
                ));
            }
        }
        let hash = sha256_hex(req.token.expose());
        // Unknown or already revoked tokens are accepted, as the OAuth revocation endpoint does.
        if let Some(record) = self.inner.store.refresh_token(&hash).await? {
            if record.client_id != req.client_id {
                return Err(fault(ErrorKind::NotAuthorized, "Invalid Refresh Token"));
            }
            self.inner.store.revoke_refresh_token(&hash).await?;
        }
        Ok(Empty {})
    }
}

#[cfg(test)]
mod hashing_tests {
    use super::*;

    #[test]
    fn hashes_verify_with_reused_memory_and_match_the_crates_own_format() {
        let params = argon2::Params::new(1024, 1, 1, None).unwrap();
        let mut memory = Vec::new();
        let hash = argon2_hash(&params, b"Corr3ct-horse!", &mut memory).unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{hash}");
        assert!(argon2_verify(b"Corr3ct-horse!", &hash, &mut memory));
        assert!(!argon2_verify(b"Corr3ct-horse?", &hash, &mut memory));
        assert!(!argon2_verify(b"Corr3ct-horse!", "not a hash", &mut memory));
        // Hashes stored before (made by the crate's PasswordHasher) still verify.
        use argon2::password_hash::{PasswordHasher, SaltString};
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let stored = argon2::Argon2::default()
            .hash_password(b"older", &salt)
            .unwrap()
            .to_string();
        assert!(argon2_verify(b"older", &stored, &mut memory));
        assert!(!argon2_verify(b"newer", &stored, &mut memory));
    }
}
