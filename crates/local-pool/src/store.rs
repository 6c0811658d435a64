//! SQLite storage (sqlx): users, codes, refresh-token lineages, challenge sessions, signing keys
//! and the outbox.

use serde::{Deserialize, Serialize};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

pub type StoreResult<T> = Result<T, sqlx::Error>;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS users (
  username TEXT PRIMARY KEY,
  sub TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  attributes TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  srp_salt BLOB NOT NULL,
  srp_verifier BLOB NOT NULL,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS codes (
  username TEXT NOT NULL,
  purpose TEXT NOT NULL,
  code TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (username, purpose)
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  client_id TEXT NOT NULL,
  origin_jti TEXT NOT NULL UNIQUE,
  auth_time INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS refresh_tokens_user ON refresh_tokens(username);
CREATE TABLE IF NOT EXISTS auth_sessions (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  client_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  data TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS signing_keys (
  kid TEXT PRIMARY KEY,
  token_use TEXT NOT NULL UNIQUE,
  private_der BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  username TEXT NOT NULL,
  channel TEXT NOT NULL,
  destination TEXT NOT NULL,
  kind TEXT NOT NULL,
  code TEXT,
  message TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mfa (username TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rotated_tokens (token_hash TEXT PRIMARY KEY, origin_jti TEXT NOT NULL, replaced_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS lockouts (username TEXT PRIMARY KEY, locked_until INTEGER NOT NULL, last_failure INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
  device_key TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  group_key TEXT NOT NULL,
  name TEXT,
  salt BLOB,
  verifier BLOB,
  remembered INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_authenticated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS devices_user ON devices(username);
CREATE TABLE IF NOT EXISTS passkeys (
  credential_id TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  name TEXT NOT NULL,
  relying_party_id TEXT NOT NULL,
  attachment TEXT,
  transports TEXT NOT NULL,
  credential TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
);
CREATE INDEX IF NOT EXISTS passkeys_user ON passkeys(username);
CREATE TABLE IF NOT EXISTS oauth_lineages (origin_jti TEXT PRIMARY KEY, scope TEXT NOT NULL);
"#;

/// Cognito's `UserStatusType` values the pool uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserStatus {
    Unconfirmed,
    Confirmed,
    ForceChangePassword,
    ResetRequired,
    /// Made by a sign-in through a social or enterprise provider; no password.
    ExternalProvider,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unconfirmed => "UNCONFIRMED",
            Self::Confirmed => "CONFIRMED",
            Self::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            Self::ResetRequired => "RESET_REQUIRED",
            Self::ExternalProvider => "EXTERNAL_PROVIDER",
        }
    }

    fn parse(value: &str) -> Self {
        match value {
            "CONFIRMED" => Self::Confirmed,
            "FORCE_CHANGE_PASSWORD" => Self::ForceChangePassword,
            "RESET_REQUIRED" => Self::ResetRequired,
            "EXTERNAL_PROVIDER" => Self::ExternalProvider,
            _ => Self::Unconfirmed,
        }
    }
}

#[derive(Clone)]
pub struct UserRecord {
    pub username: String,
    pub sub: String,
    pub status: UserStatus,
    pub enabled: bool,
    pub attributes: BTreeMap<String, String>,
    pub password_hash: String,
    pub srp_salt: Vec<u8>,
    pub srp_verifier: Vec<u8>,
    pub failed_attempts: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("username", &self.username)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug)]
pub struct CodeRecord {
    pub code: String,
    pub expires_at: i64,
    pub attempts: i64,
}

#[derive(Clone, Debug)]
pub struct RefreshRecord {
    pub username: String,
    pub client_id: String,
    pub origin_jti: String,
    pub auth_time: i64,
    pub expires_at: i64,
    pub revoked: bool,
    /// The device the lineage was issued to, when the pool tracks devices.
    pub device_key: Option<String>,
}

/// A device the pool tracks for a user. It is confirmed once it has a verifier.
#[derive(Clone)]
pub struct DeviceRecord {
    pub device_key: String,
    pub username: String,
    pub group_key: String,
    pub name: Option<String>,
    pub salt: Option<Vec<u8>>,
    pub verifier: Option<Vec<u8>>,
    pub remembered: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_authenticated_at: i64,
}

/// A registered passkey: its id (base64url), the verifier's state of it (public key, sign
/// count; JSON), and what `ListWebAuthnCredentials` describes.
#[derive(Clone, Debug)]
pub struct PasskeyRecord {
    pub credential_id: String,
    pub username: String,
    pub name: String,
    pub relying_party_id: String,
    pub attachment: Option<String>,
    pub transports: Vec<String>,
    pub credential: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl DeviceRecord {
    pub fn confirmed(&self) -> bool {
        self.verifier.is_some()
    }
}

impl std::fmt::Debug for DeviceRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceRecord")
            .field("device_key", &self.device_key)
            .field("username", &self.username)
            .field("remembered", &self.remembered)
            .field("confirmed", &self.confirmed())
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug)]
pub struct AuthSessionRecord {
    pub username: String,
    pub client_id: String,
    pub kind: String,
    pub data: String,
    pub expires_at: i64,
}

/// One message the pool "sent".
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct OutboxMessage {
    pub id: i64,
    pub at: i64,
    pub username: String,
    pub channel: String,
    pub destination: String,
    pub kind: String,
    pub code: Option<String>,
    /// A confirmation link, when the pool confirms sign-ups by link.
    #[serde(default)]
    pub link: Option<String>,
    pub message: String,
    /// The pool that sent it (filled in by the pool, not stored).
    #[serde(default)]
    pub pool_id: String,
}

/// A user's second factors.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct MfaRecord {
    /// The TOTP secret, once `AssociateSoftwareToken` made one.
    pub totp_secret: Option<String>,
    /// `VerifySoftwareToken` succeeded for `totp_secret`.
    pub totp_verified: bool,
    pub totp_enabled: bool,
    /// The last TOTP step used, so a code works once.
    pub totp_last_step: Option<i64>,
    pub sms_enabled: bool,
    pub email_enabled: bool,
    /// `SOFTWARE_TOKEN_MFA`, `SMS_MFA` or `EMAIL_OTP`.
    pub preferred: Option<String>,
}

impl std::fmt::Debug for MfaRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MfaRecord")
            .field("totp_enabled", &self.totp_enabled)
            .field("sms_enabled", &self.sms_enabled)
            .field("email_enabled", &self.email_enabled)
            .field("preferred", &self.preferred)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug)]
pub struct Store {
    db: SqlitePool,
}

impl Store {
    /// A database file in `dir` (created if missing), or in memory when `dir` is `None`.
    pub async fn open(dir: Option<&Path>) -> StoreResult<Self> {
        let (options, max) = match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
                let options = SqliteConnectOptions::new()
                    .filename(dir.join("local-pool.sqlite3"))
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // As for the sessions: WAL with NORMAL keeps commits through a process crash.
                    .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(std::time::Duration::from_secs(5));
                (options, 4)
            }
            // One connection: each in-memory connection would be its own database.
            None => (SqliteConnectOptions::from_str("sqlite::memory:")?, 1),
        };
        let db = SqlitePoolOptions::new()
            .max_connections(max)
            .connect_with(options)
            .await?;
        sqlx::raw_sql(SCHEMA).execute(&db).await?;
        // Columns added after the first release; "duplicate column" means already there.
        for migration in [
            "ALTER TABLE outbox ADD COLUMN link TEXT",
            "ALTER TABLE refresh_tokens ADD COLUMN device_key TEXT",
        ] {
            if let Err(err) = sqlx::query(migration).execute(&db).await {
                if !err.to_string().contains("duplicate column") {
                    return Err(err);
                }
            }
        }
        Ok(Self { db })
    }

    fn user_from_row(row: &sqlx::sqlite::SqliteRow) -> StoreResult<UserRecord> {
        let attributes: String = row.try_get("attributes")?;
        Ok(UserRecord {
            username: row.try_get("username")?,
            sub: row.try_get("sub")?,
            status: UserStatus::parse(row.try_get::<String, _>("status")?.as_str()),
            enabled: row.try_get::<i64, _>("enabled")? != 0,
            attributes: serde_json::from_str(&attributes).unwrap_or_default(),
            password_hash: row.try_get("password_hash")?,
            srp_salt: row.try_get("srp_salt")?,
            srp_verifier: row.try_get("srp_verifier")?,
            failed_attempts: row.try_get("failed_attempts")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    /// Inserts a new user; `false` if the username is taken.
    pub async fn insert_user(&self, user: &UserRecord) -> StoreResult<bool> {
        let result = sqlx::query(
            "INSERT INTO users (username, sub, status, enabled, attributes, password_hash, srp_salt, \
             srp_verifier, failed_attempts, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) \
             ON CONFLICT(username) DO NOTHING",
        )
        .bind(&user.username)
        .bind(&user.sub)
        .bind(user.status.as_str())
        .bind(user.enabled as i64)
        .bind(serde_json::to_string(&user.attributes).expect("string map serialises"))
        .bind(&user.password_hash)
        .bind(&user.srp_salt)
        .bind(&user.srp_verifier)
        .bind(user.failed_attempts)
        .bind(user.created_at)
        .bind(user.updated_at)
        .execute(&self.db)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    pub async fn user(&self, username: &str) -> StoreResult<Option<UserRecord>> {
        sqlx::query("SELECT * FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.db)
            .await?
            .map(|row| Self::user_from_row(&row))
            .transpose()
    }

    /// Users whose attribute `name` equals `value`.
    pub async fn users_with_attribute(
        &self,
        name: &str,
        value: &str,
    ) -> StoreResult<Vec<UserRecord>> {
        sqlx::query("SELECT * FROM users WHERE json_extract(attributes, '$.' || ?) = ?")
            .bind(name)
            .bind(value)
            .fetch_all(&self.db)
            .await?
            .iter()
            .map(Self::user_from_row)
            .collect()
    }

    pub async fn update_user(&self, user: &UserRecord) -> StoreResult<()> {
        sqlx::query(
            "UPDATE users SET status = ?, enabled = ?, attributes = ?, password_hash = ?, srp_salt = ?, \
             srp_verifier = ?, failed_attempts = ?, updated_at = ? WHERE username = ?",
        )
        .bind(user.status.as_str())
        .bind(user.enabled as i64)
        .bind(serde_json::to_string(&user.attributes).expect("string map serialises"))
        .bind(&user.password_hash)
        .bind(&user.srp_salt)
        .bind(&user.srp_verifier)
        .bind(user.failed_attempts)
        .bind(user.updated_at)
        .bind(&user.username)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    pub async fn list_users(&self) -> StoreResult<Vec<UserRecord>> {
        sqlx::query("SELECT * FROM users ORDER BY created_at, username")
            .fetch_all(&self.db)
            .await?
            .iter()
            .map(Self::user_from_row)
            .collect()
    }

    /// Stores a code, replacing any earlier one for the same purpose.
    pub async fn put_code(
        &self,
        username: &str,
        purpose: &str,
        code: &str,
        expires_at: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO codes (username, purpose, code, expires_at, attempts) VALUES (?,?,?,?,0) \
             ON CONFLICT(username, purpose) DO UPDATE SET code = excluded.code, \
             expires_at = excluded.expires_at, attempts = 0",
        )
        .bind(username)
        .bind(purpose)
        .bind(code)
        .bind(expires_at)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    pub async fn code(&self, username: &str, purpose: &str) -> StoreResult<Option<CodeRecord>> {
        let row = sqlx::query(
            "SELECT code, expires_at, attempts FROM codes WHERE username = ? AND purpose = ?",
        )
        .bind(username)
        .bind(purpose)
        .fetch_optional(&self.db)
        .await?;
        row.map(|row| {
            Ok(CodeRecord {
                code: row.try_get("code")?,
                expires_at: row.try_get("expires_at")?,
                attempts: row.try_get("attempts")?,
            })
        })
        .transpose()
    }

    pub async fn count_code_attempt(&self, username: &str, purpose: &str) -> StoreResult<()> {
        sqlx::query("UPDATE codes SET attempts = attempts + 1 WHERE username = ? AND purpose = ?")
            .bind(username)
            .bind(purpose)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// Deletes whatever is kept for `purpose`, used or not.
    pub async fn delete_code(&self, username: &str, purpose: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM codes WHERE username = ? AND purpose = ?")
            .bind(username)
            .bind(purpose)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// Deletes a code; `true` if this call used it (codes are single-use even under races).
    pub async fn take_code(&self, username: &str, purpose: &str, code: &str) -> StoreResult<bool> {
        let result =
            sqlx::query("DELETE FROM codes WHERE username = ? AND purpose = ? AND code = ?")
                .bind(username)
                .bind(purpose)
                .bind(code)
                .execute(&self.db)
                .await?;
        Ok(result.rows_affected() == 1)
    }

    pub async fn insert_refresh_token(
        &self,
        token_hash: &str,
        record: &RefreshRecord,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, username, client_id, origin_jti, auth_time, \
             expires_at, revoked, device_key) VALUES (?,?,?,?,?,?,?,?)",
        )
        .bind(token_hash)
        .bind(&record.username)
        .bind(&record.client_id)
        .bind(&record.origin_jti)
        .bind(record.auth_time)
        .bind(record.expires_at)
        .bind(record.revoked as i64)
        .bind(&record.device_key)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    fn refresh_from_row(row: &sqlx::sqlite::SqliteRow) -> StoreResult<RefreshRecord> {
        Ok(RefreshRecord {
            username: row.try_get("username")?,
            client_id: row.try_get("client_id")?,
            origin_jti: row.try_get("origin_jti")?,
            auth_time: row.try_get("auth_time")?,
            expires_at: row.try_get("expires_at")?,
            revoked: row.try_get::<i64, _>("revoked")? != 0,
            device_key: row.try_get("device_key")?,
        })
    }

    fn device_from_row(row: &sqlx::sqlite::SqliteRow) -> StoreResult<DeviceRecord> {
        Ok(DeviceRecord {
            device_key: row.try_get("device_key")?,
            username: row.try_get("username")?,
            group_key: row.try_get("group_key")?,
            name: row.try_get("name")?,
            salt: row.try_get("salt")?,
            verifier: row.try_get("verifier")?,
            remembered: row.try_get::<i64, _>("remembered")? != 0,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            last_authenticated_at: row.try_get("last_authenticated_at")?,
        })
    }

    /// Inserts or replaces a device.
    pub async fn put_device(&self, device: &DeviceRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT OR REPLACE INTO devices (device_key, username, group_key, name, salt, verifier, \
             remembered, created_at, updated_at, last_authenticated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        )
        .bind(&device.device_key)
        .bind(&device.username)
        .bind(&device.group_key)
        .bind(&device.name)
        .bind(&device.salt)
        .bind(&device.verifier)
        .bind(device.remembered as i64)
        .bind(device.created_at)
        .bind(device.updated_at)
        .bind(device.last_authenticated_at)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// A user's device by key (`None` for another user's key).
    pub async fn device(
        &self,
        username: &str,
        device_key: &str,
    ) -> StoreResult<Option<DeviceRecord>> {
        sqlx::query("SELECT * FROM devices WHERE device_key = ? AND username = ?")
            .bind(device_key)
            .bind(username)
            .fetch_optional(&self.db)
            .await?
            .map(|row| Self::device_from_row(&row))
            .transpose()
    }

    /// A user's devices, oldest first.
    pub async fn devices(&self, username: &str) -> StoreResult<Vec<DeviceRecord>> {
        sqlx::query("SELECT * FROM devices WHERE username = ? ORDER BY created_at, device_key")
            .bind(username)
            .fetch_all(&self.db)
            .await?
            .iter()
            .map(Self::device_from_row)
            .collect()
    }

    pub async fn delete_device(&self, username: &str, device_key: &str) -> StoreResult<bool> {
        let result = sqlx::query("DELETE FROM devices WHERE device_key = ? AND username = ?")
            .bind(device_key)
            .bind(username)
            .execute(&self.db)
            .await?;
        Ok(result.rows_affected() == 1)
    }

    /// A user's passkeys, oldest first.
    pub async fn passkeys(&self, username: &str) -> StoreResult<Vec<PasskeyRecord>> {
        sqlx::query("SELECT * FROM passkeys WHERE username = ? ORDER BY created_at, credential_id")
            .bind(username)
            .fetch_all(&self.db)
            .await?
            .iter()
            .map(|row| {
                let transports: String = row.try_get("transports")?;
                Ok(PasskeyRecord {
                    credential_id: row.try_get("credential_id")?,
                    username: row.try_get("username")?,
                    name: row.try_get("name")?,
                    relying_party_id: row.try_get("relying_party_id")?,
                    attachment: row.try_get("attachment")?,
                    transports: serde_json::from_str(&transports).unwrap_or_default(),
                    credential: row.try_get("credential")?,
                    created_at: row.try_get("created_at")?,
                    last_used_at: row.try_get("last_used_at")?,
                })
            })
            .collect()
    }

    /// Whether any user has registered this credential id.
    pub async fn passkey_exists(&self, credential_id: &str) -> StoreResult<bool> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM passkeys WHERE credential_id = ?")
                .bind(credential_id)
                .fetch_optional(&self.db)
                .await?;
        Ok(found.is_some())
    }

    /// Stores a new passkey; `false` if its id is taken (by anyone).
    pub async fn insert_passkey(&self, passkey: &PasskeyRecord) -> StoreResult<bool> {
        let result = sqlx::query(
            "INSERT OR IGNORE INTO passkeys (credential_id, username, name, relying_party_id, \
             attachment, transports, credential, created_at, last_used_at) VALUES (?,?,?,?,?,?,?,?,?)",
        )
        .bind(&passkey.credential_id)
        .bind(&passkey.username)
        .bind(&passkey.name)
        .bind(&passkey.relying_party_id)
        .bind(&passkey.attachment)
        .bind(serde_json::to_string(&passkey.transports).expect("strings serialise"))
        .bind(&passkey.credential)
        .bind(passkey.created_at)
        .bind(passkey.last_used_at)
        .execute(&self.db)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// A used passkey's new state (sign count, flags, last use); `false` if it is gone.
    pub async fn record_passkey_use(&self, passkey: &PasskeyRecord) -> StoreResult<bool> {
        let result = sqlx::query(
            "UPDATE passkeys SET credential = ?, last_used_at = ? WHERE credential_id = ? AND username = ?",
        )
        .bind(&passkey.credential)
        .bind(passkey.last_used_at)
        .bind(&passkey.credential_id)
        .bind(&passkey.username)
        .execute(&self.db)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    pub async fn delete_passkey(&self, username: &str, credential_id: &str) -> StoreResult<bool> {
        let result = sqlx::query("DELETE FROM passkeys WHERE credential_id = ? AND username = ?")
            .bind(credential_id)
            .bind(username)
            .execute(&self.db)
            .await?;
        Ok(result.rows_affected() == 1)
    }

    pub async fn refresh_token(&self, token_hash: &str) -> StoreResult<Option<RefreshRecord>> {
        sqlx::query("SELECT * FROM refresh_tokens WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.db)
            .await?
            .map(|row| Self::refresh_from_row(&row))
            .transpose()
    }

    /// The lineage an access token came from, if it is still live.
    pub async fn lineage(&self, origin_jti: &str) -> StoreResult<Option<RefreshRecord>> {
        sqlx::query("SELECT * FROM refresh_tokens WHERE origin_jti = ?")
            .bind(origin_jti)
            .fetch_optional(&self.db)
            .await?
            .map(|row| Self::refresh_from_row(&row))
            .transpose()
    }

    /// Replaces a lineage's refresh token, remembering the old one for reuse detection.
    pub async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new_hash: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.db.begin().await?;
        let origin: Option<String> =
            sqlx::query_scalar("SELECT origin_jti FROM refresh_tokens WHERE token_hash = ?")
                .bind(old_hash)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(origin) = origin else {
            return Ok(false);
        };
        sqlx::query("UPDATE refresh_tokens SET token_hash = ? WHERE token_hash = ?")
            .bind(new_hash)
            .bind(old_hash)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT OR REPLACE INTO rotated_tokens (token_hash, origin_jti, replaced_at) VALUES (?, ?, ?)")
            .bind(old_hash)
            .bind(&origin)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// `(origin_jti, replaced_at)` of a rotated-out refresh token.
    pub async fn rotated_token(&self, token_hash: &str) -> StoreResult<Option<(String, i64)>> {
        let row =
            sqlx::query("SELECT origin_jti, replaced_at FROM rotated_tokens WHERE token_hash = ?")
                .bind(token_hash)
                .fetch_optional(&self.db)
                .await?;
        row.map(|r| Ok((r.try_get("origin_jti")?, r.try_get("replaced_at")?)))
            .transpose()
    }

    /// The current token hash of a lineage.
    /// The scopes granted to a lineage that began at the OAuth token endpoint.
    pub async fn set_lineage_scope(&self, origin_jti: &str, scope: &str) -> StoreResult<()> {
        sqlx::query("INSERT OR REPLACE INTO oauth_lineages (origin_jti, scope) VALUES (?, ?)")
            .bind(origin_jti)
            .bind(scope)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    pub async fn lineage_scope(&self, origin_jti: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT scope FROM oauth_lineages WHERE origin_jti = ?")
            .bind(origin_jti)
            .fetch_optional(&self.db)
            .await
    }

    pub async fn lineage_token_hash(&self, origin_jti: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT token_hash FROM refresh_tokens WHERE origin_jti = ?")
            .bind(origin_jti)
            .fetch_optional(&self.db)
            .await
    }

    pub async fn delete_user(&self, username: &str) -> StoreResult<()> {
        let mut tx = self.db.begin().await?;
        for table in ["users", "codes", "mfa", "lockouts", "devices", "passkeys"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE username = ?"))
                .bind(username)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE refresh_tokens SET revoked = 1 WHERE username = ?")
            .bind(username)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn revoke_refresh_token(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE refresh_tokens SET revoked = 1 WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// Revokes every lineage of a user (`GlobalSignOut`).
    pub async fn revoke_all_refresh_tokens(&self, username: &str) -> StoreResult<u64> {
        let result = sqlx::query("UPDATE refresh_tokens SET revoked = 1 WHERE username = ?")
            .bind(username)
            .execute(&self.db)
            .await?;
        Ok(result.rows_affected())
    }

    pub async fn put_auth_session(&self, id: &str, record: &AuthSessionRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT OR REPLACE INTO auth_sessions (id, username, client_id, kind, data, expires_at) \
             VALUES (?,?,?,?,?,?)",
        )
        .bind(id)
        .bind(&record.username)
        .bind(&record.client_id)
        .bind(&record.kind)
        .bind(&record.data)
        .bind(record.expires_at)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// Removes and returns a challenge session (single use).
    pub async fn take_auth_session(&self, id: &str) -> StoreResult<Option<AuthSessionRecord>> {
        let row = sqlx::query("DELETE FROM auth_sessions WHERE id = ? RETURNING *")
            .bind(id)
            .fetch_optional(&self.db)
            .await?;
        row.map(|row| {
            Ok(AuthSessionRecord {
                username: row.try_get("username")?,
                client_id: row.try_get("client_id")?,
                kind: row.try_get("kind")?,
                data: row.try_get("data")?,
                expires_at: row.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    pub async fn auth_session_client(&self, id: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT client_id FROM auth_sessions WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.db)
            .await
    }

    /// How many challenge sessions are stored (live or not yet swept).
    pub async fn auth_session_count(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM auth_sessions")
            .fetch_one(&self.db)
            .await
    }

    pub async fn delete_expired_auth_sessions(&self, now: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM auth_sessions WHERE expires_at <= ?")
            .bind(now)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    pub async fn signing_keys(&self) -> StoreResult<Vec<(String, String, Vec<u8>)>> {
        sqlx::query("SELECT kid, token_use, private_der FROM signing_keys")
            .fetch_all(&self.db)
            .await?
            .iter()
            .map(|row| {
                Ok((
                    row.try_get("kid")?,
                    row.try_get("token_use")?,
                    row.try_get("private_der")?,
                ))
            })
            .collect()
    }

    pub async fn insert_signing_key(
        &self,
        kid: &str,
        token_use: &str,
        der: &[u8],
        now: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT OR IGNORE INTO signing_keys (kid, token_use, private_der, created_at) VALUES (?,?,?,?)",
        )
        .bind(kid)
        .bind(token_use)
        .bind(der)
        .bind(now)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    pub async fn push_outbox(&self, message: &OutboxMessage) -> StoreResult<i64> {
        let result = sqlx::query(
            "INSERT INTO outbox (at, username, channel, destination, kind, code, link, message) VALUES (?,?,?,?,?,?,?,?)",
        )
        .bind(message.at)
        .bind(&message.username)
        .bind(&message.channel)
        .bind(&message.destination)
        .bind(&message.kind)
        .bind(&message.code)
        .bind(&message.link)
        .bind(&message.message)
        .execute(&self.db)
        .await?;
        Ok(result.last_insert_rowid())
    }

    /// The outbox, oldest first.
    pub async fn outbox(&self) -> StoreResult<Vec<OutboxMessage>> {
        sqlx::query("SELECT * FROM outbox ORDER BY id")
            .fetch_all(&self.db)
            .await?
            .iter()
            .map(|row| {
                Ok(OutboxMessage {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    username: row.try_get("username")?,
                    channel: row.try_get("channel")?,
                    destination: row.try_get("destination")?,
                    kind: row.try_get("kind")?,
                    code: row.try_get("code")?,
                    link: row.try_get("link")?,
                    message: row.try_get("message")?,
                    pool_id: String::new(),
                })
            })
            .collect()
    }

    pub async fn mfa(&self, username: &str) -> StoreResult<MfaRecord> {
        let data: Option<String> = sqlx::query_scalar("SELECT data FROM mfa WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.db)
            .await?;
        Ok(data
            .and_then(|d| serde_json::from_str(&d).ok())
            .unwrap_or_default())
    }

    pub async fn put_mfa(&self, username: &str, record: &MfaRecord) -> StoreResult<()> {
        sqlx::query("INSERT OR REPLACE INTO mfa (username, data) VALUES (?, ?)")
            .bind(username)
            .bind(serde_json::to_string(record).expect("MFA record serialises"))
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// `(locked_until, last_failure)` of a user, zeros when never locked.
    pub async fn lockout(&self, username: &str) -> StoreResult<(i64, i64)> {
        let row = sqlx::query("SELECT locked_until, last_failure FROM lockouts WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.db)
            .await?;
        row.map(|r| Ok((r.try_get("locked_until")?, r.try_get("last_failure")?)))
            .transpose()
            .map(Option::unwrap_or_default)
    }

    pub async fn put_lockout(
        &self,
        username: &str,
        locked_until: i64,
        last_failure: i64,
    ) -> StoreResult<()> {
        sqlx::query("INSERT OR REPLACE INTO lockouts (username, locked_until, last_failure) VALUES (?, ?, ?)")
            .bind(username)
            .bind(locked_until)
            .bind(last_failure)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    pub async fn meta(&self, key: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.db)
            .await
    }

    /// Sets `key` unless already set, and returns the value that is stored.
    pub async fn meta_or_insert(&self, key: &str, value: &str) -> StoreResult<String> {
        sqlx::query("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)")
            .bind(key)
            .bind(value)
            .execute(&self.db)
            .await?;
        Ok(self.meta(key).await?.unwrap_or_else(|| value.to_owned()))
    }
}
