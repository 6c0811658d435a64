//! Where sessions live, chosen by `SESSION_STORE`: `memory` (tests, one process), `sqlite://path`
//! (one machine) or `redis://host:port` (several app instances behind a load balancer).
//!
//! The published SQLite and Redis stores for tower-sessions still target its 0.14 core, so the
//! two small adapters live here.

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::SqlitePool;
use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions::SessionStore;

/// A parsed `SESSION_STORE` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionStoreUrl {
    Memory,
    Sqlite(PathBuf),
    Redis(String),
}

impl FromStr for SessionStoreUrl {
    type Err = String;

    fn from_str(value: &str) -> std::result::Result<Self, String> {
        let value = value.trim();
        if value == "memory" {
            return Ok(Self::Memory);
        }
        if let Some(path) = value.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("SESSION_STORE sqlite:// needs a file path, e.g. sqlite://data/sessions.sqlite3".into());
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if value.starts_with("redis://") || value.starts_with("rediss://") {
            redis::Client::open(value)
                .map_err(|e| format!("SESSION_STORE {value:?} is not a Redis URL: {e}"))?;
            return Ok(Self::Redis(value.to_owned()));
        }
        Err(format!(
            "SESSION_STORE {value:?} is not one of memory, sqlite://<path>, redis://<host>:<port>"
        ))
    }
}

/// The session store the app runs with.
#[derive(Clone, Debug)]
pub enum AppSessionStore {
    Memory(MemorySessions),
    Sqlite(SqliteSessions),
    Redis(RedisSessions),
}

impl AppSessionStore {
    /// Opens (and for SQLite creates) the store; fails when it cannot be reached.
    pub async fn open(url: &SessionStoreUrl) -> std::result::Result<Self, String> {
        Ok(match url {
            SessionStoreUrl::Memory => Self::Memory(MemorySessions::new()),
            SessionStoreUrl::Sqlite(path) => Self::Sqlite(SqliteSessions::open(path).await?),
            SessionStoreUrl::Redis(url) => Self::Redis(RedisSessions::open(url).await?),
        })
    }

    /// Whether the store answers (for `/healthz`).
    pub async fn check(&self) -> std::result::Result<(), String> {
        match self {
            Self::Memory(_) => Ok(()),
            Self::Sqlite(store) => store.check().await,
            Self::Redis(store) => store.check().await,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Memory(_) => "memory",
            Self::Sqlite(_) => "sqlite",
            Self::Redis(_) => "redis",
        }
    }

    /// The account epochs of `names` (an account's username, email and phone number): a
    /// session keeps the values it saw at sign-in and has ended once any has moved on. This is
    /// how a password change or reset, or "sign out everywhere", ends the account's other
    /// sessions at once, on every instance that shares the store.
    pub async fn account_epochs(&self, names: &[String]) -> std::result::Result<Vec<u64>, String> {
        match self {
            Self::Memory(store) => Ok(store.epochs(names, false)),
            Self::Sqlite(store) => store.epochs(names, false).await.map_err(|e| e.to_string()),
            Self::Redis(store) => store.epochs(names, false).await,
        }
    }

    /// Moves the epochs of `names` on (ending every session that saw the old ones) and returns
    /// the new values.
    pub async fn end_account_sessions(
        &self,
        names: &[String],
    ) -> std::result::Result<Vec<u64>, String> {
        match self {
            Self::Memory(store) => Ok(store.epochs(names, true)),
            Self::Sqlite(store) => store.epochs(names, true).await.map_err(|e| e.to_string()),
            Self::Redis(store) => store.epochs(names, true).await,
        }
    }

    /// The Redis connection, when sessions live there (the attempt limits share it).
    pub fn redis_connection(&self) -> Option<ConnectionManager> {
        match self {
            Self::Redis(store) => Some(store.connection.clone()),
            _ => None,
        }
    }
}

#[async_trait]
impl SessionStore for AppSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        match self {
            Self::Memory(store) => store.create(record).await,
            Self::Sqlite(store) => store.create(record).await,
            Self::Redis(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        match self {
            Self::Memory(store) => store.save(record).await,
            Self::Sqlite(store) => store.save(record).await,
            Self::Redis(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        match self {
            Self::Memory(store) => store.load(id).await,
            Self::Sqlite(store) => store.load(id).await,
            Self::Redis(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        match self {
            Self::Memory(store) => store.delete(id).await,
            Self::Sqlite(store) => store.delete(id).await,
            Self::Redis(store) => store.delete(id).await,
        }
    }
}

/// Ticks every minute, the first time a minute from now (not at once, which would race with
/// the store's first users).
fn sweep_timer() -> tokio::time::Interval {
    let period = Duration::from_secs(60);
    tokio::time::interval_at(tokio::time::Instant::now() + period, period)
}

/// Sessions in this process's memory (tests, one instance); expired ones are swept every
/// minute, so the map holds live sessions only.
#[derive(Clone, Debug, Default)]
pub struct MemorySessions {
    records: Arc<Mutex<HashMap<Id, Record>>>,
    epochs: Arc<Mutex<HashMap<String, u64>>>,
}

impl MemorySessions {
    pub fn new() -> Self {
        let store = Self::default();
        let records = Arc::downgrade(&store.records);
        tokio::spawn(async move {
            let mut every_minute = sweep_timer();
            loop {
                every_minute.tick().await;
                // The store is gone: stop sweeping.
                let Some(records) = records.upgrade() else {
                    break;
                };
                Self::sweep(&records);
            }
        });
        store
    }

    fn sweep(records: &Mutex<HashMap<Id, Record>>) -> usize {
        let now = OffsetDateTime::now_utc();
        let mut records = records.lock().expect("memory sessions");
        let before = records.len();
        records.retain(|_, record| record.expiry_date > now);
        before - records.len()
    }

    /// Removes expired sessions now; returns how many.
    pub fn delete_expired(&self) -> usize {
        Self::sweep(&self.records)
    }

    fn epochs(&self, names: &[String], advance: bool) -> Vec<u64> {
        let mut epochs = self.epochs.lock().expect("memory epochs");
        names
            .iter()
            .map(|name| {
                let epoch = epochs.entry(name.clone()).or_default();
                if advance {
                    *epoch += 1;
                }
                *epoch
            })
            .collect()
    }

    pub fn len(&self) -> usize {
        self.records.lock().expect("memory sessions").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl SessionStore for MemorySessions {
    async fn create(&self, record: &mut Record) -> Result<()> {
        let mut records = self.records.lock().expect("memory sessions");
        while records.contains_key(&record.id) {
            record.id = Id::default();
        }
        records.insert(record.id, record.clone());
        Ok(())
    }

    async fn save(&self, record: &Record) -> Result<()> {
        self.records
            .lock()
            .expect("memory sessions")
            .insert(record.id, record.clone());
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let now = OffsetDateTime::now_utc();
        Ok(self
            .records
            .lock()
            .expect("memory sessions")
            .get(id)
            .filter(|record| record.expiry_date > now)
            .cloned())
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.records.lock().expect("memory sessions").remove(id);
        Ok(())
    }
}

fn encode(record: &Record) -> Result<Vec<u8>> {
    serde_json::to_vec(record).map_err(|e| Error::Encode(e.to_string()))
}

fn decode(bytes: &[u8]) -> Result<Record> {
    serde_json::from_slice(bytes).map_err(|e| Error::Decode(e.to_string()))
}

fn backend(err: impl std::fmt::Display) -> Error {
    Error::Backend(err.to_string())
}

/// Sessions in one SQLite file; expired rows are swept every minute.
#[derive(Clone, Debug)]
pub struct SqliteSessions {
    db: SqlitePool,
}

impl SqliteSessions {
    pub async fn open(path: &std::path::Path) -> std::result::Result<Self, String> {
        let problem =
            |e: &dyn std::fmt::Display| format!("SESSION_STORE sqlite://{}: {e}", path.display());
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| problem(&e))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL keeps every commit through a crash of the process (only power loss
            // can cost the last ones) and spares an fsync per write, which a slow disk makes long.
            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5));
        let db = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| problem(&e))?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, data BLOB NOT NULL, \
             expires_at INTEGER NOT NULL)",
        )
        .execute(&db)
        .await
        .map_err(|e| problem(&e))?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS account_epochs (name TEXT PRIMARY KEY, epoch INTEGER NOT NULL)",
        )
        .execute(&db)
        .await
        .map_err(|e| problem(&e))?;
        let store = Self { db };
        let sweeper = store.clone();
        tokio::spawn(async move {
            let mut every_minute = sweep_timer();
            loop {
                every_minute.tick().await;
                if let Err(err) = sweeper.delete_expired().await {
                    tracing::warn!(error = %err, "could not sweep expired sessions");
                }
            }
        });
        Ok(store)
    }

    pub async fn delete_expired(&self) -> std::result::Result<u64, sqlx::Error> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
            .bind(now)
            .execute(&self.db)
            .await?;
        Ok(done.rows_affected())
    }

    async fn epochs(
        &self,
        names: &[String],
        advance: bool,
    ) -> std::result::Result<Vec<u64>, sqlx::Error> {
        let mut epochs = Vec::with_capacity(names.len());
        for name in names {
            let epoch: Option<i64> = if advance {
                sqlx::query_scalar(
                    "INSERT INTO account_epochs (name, epoch) VALUES (?, 1) \
                     ON CONFLICT(name) DO UPDATE SET epoch = epoch + 1 RETURNING epoch",
                )
                .bind(name)
                .fetch_optional(&self.db)
                .await?
            } else {
                sqlx::query_scalar("SELECT epoch FROM account_epochs WHERE name = ?")
                    .bind(name)
                    .fetch_optional(&self.db)
                    .await?
            };
            epochs.push(epoch.unwrap_or(0).max(0) as u64);
        }
        Ok(epochs)
    }

    async fn check(&self) -> std::result::Result<(), String> {
        sqlx::query("SELECT 1")
            .execute(&self.db)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    async fn create(&self, record: &mut Record) -> Result<()> {
        loop {
            let inserted = sqlx::query(
                "INSERT INTO sessions (id, data, expires_at) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(encode(record)?)
            .bind(record.expiry_date.unix_timestamp())
            .execute(&self.db)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        sqlx::query("INSERT OR REPLACE INTO sessions (id, data, expires_at) VALUES (?, ?, ?)")
            .bind(record.id.to_string())
            .bind(encode(record)?)
            .bind(record.expiry_date.unix_timestamp())
            .execute(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let row: Option<(Vec<u8>,)> =
            sqlx::query_as("SELECT data FROM sessions WHERE id = ? AND expires_at > ?")
                .bind(id.to_string())
                .bind(now)
                .fetch_optional(&self.db)
                .await
                .map_err(backend)?;
        row.map(|(data,)| decode(&data)).transpose()
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = ?")
            .bind(id.to_string())
            .execute(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// Sessions in Redis, one key each, expiring with the session (Redis deletes them).
#[derive(Clone)]
pub struct RedisSessions {
    connection: ConnectionManager,
}

impl std::fmt::Debug for RedisSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedisSessions")
    }
}

const KEY_PREFIX: &str = "cognito-authenticator:session:";

fn key(id: &Id) -> String {
    format!("{KEY_PREFIX}{id}")
}

/// The epoch of an account name, kept by digest (names are email addresses and numbers).
fn epoch_key(name: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(name.as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("cognito-authenticator:account-epoch:{hex}")
}

impl RedisSessions {
    pub async fn open(url: &str) -> std::result::Result<Self, String> {
        let problem = |e: redis::RedisError| format!("SESSION_STORE {url}: {e}");
        let client = redis::Client::open(url).map_err(problem)?;
        // Fail fast at start; afterwards the manager reconnects by itself.
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(1);
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(problem)?;
        Ok(Self { connection })
    }

    async fn epochs(
        &self,
        names: &[String],
        advance: bool,
    ) -> std::result::Result<Vec<u64>, String> {
        let mut connection = self.connection.clone();
        let keys: Vec<String> = names.iter().map(|n| epoch_key(n)).collect();
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let epochs: Vec<Option<u64>> = if advance {
            let mut pipe = redis::pipe();
            for key in &keys {
                pipe.cmd("INCR").arg(key);
            }
            pipe.query_async(&mut connection).await
        } else {
            redis::cmd("MGET")
                .arg(&keys)
                .query_async(&mut connection)
                .await
        }
        .map_err(|e| e.to_string())?;
        Ok(epochs.into_iter().map(Option::unwrap_or_default).collect())
    }

    async fn check(&self) -> std::result::Result<(), String> {
        let mut connection = self.connection.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// `SET` with the session's absolute expiry; `only_new` refuses to overwrite.
    async fn set(&self, record: &Record, only_new: bool) -> Result<bool> {
        let mut connection = self.connection.clone();
        let mut command = redis::cmd("SET");
        command
            .arg(key(&record.id))
            .arg(encode(record)?)
            .arg("EXAT")
            .arg(record.expiry_date.unix_timestamp());
        if only_new {
            command.arg("NX");
        }
        let answer: Option<String> = command
            .query_async(&mut connection)
            .await
            .map_err(backend)?;
        Ok(answer.is_some())
    }

    async fn create(&self, record: &mut Record) -> Result<()> {
        while !self.set(record, true).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> Result<()> {
        self.set(record, false).await.map(|_| ())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let mut connection = self.connection.clone();
        let data: Option<Vec<u8>> = redis::cmd("GET")
            .arg(key(id))
            .query_async(&mut connection)
            .await
            .map_err(backend)?;
        data.map(|bytes| decode(&bytes)).transpose()
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        let mut connection = self.connection.clone();
        redis::cmd("DEL")
            .arg(key(id))
            .query_async::<i64>(&mut connection)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_session_store_urls() {
        assert_eq!("memory".parse(), Ok(SessionStoreUrl::Memory));
        assert_eq!(
            "sqlite://data/sessions.db".parse(),
            Ok(SessionStoreUrl::Sqlite("data/sessions.db".into()))
        );
        assert_eq!(
            "redis://127.0.0.1:6379".parse(),
            Ok(SessionStoreUrl::Redis("redis://127.0.0.1:6379".into()))
        );
        let bad: std::result::Result<SessionStoreUrl, _> = "postgres://x".parse();
        assert!(bad.unwrap_err().contains("not one of memory"));
        let empty: std::result::Result<SessionStoreUrl, _> = "sqlite://".parse();
        assert!(empty.unwrap_err().contains("needs a file path"));
    }

    #[tokio::test]
    async fn memory_sessions_expire_and_are_swept() {
        let store = MemorySessions::new();
        let mut live = Record {
            id: Id::default(),
            data: Default::default(),
            expiry_date: OffsetDateTime::now_utc() + time::Duration::hours(1),
        };
        store.create(&mut live).await.unwrap();
        let mut twin = live.clone();
        store.create(&mut twin).await.unwrap();
        assert_ne!(twin.id, live.id, "a taken id is never overwritten");
        for _ in 0..100 {
            let stale = Record {
                id: Id::default(),
                data: Default::default(),
                expiry_date: OffsetDateTime::now_utc() - time::Duration::seconds(1),
            };
            store.save(&stale).await.unwrap();
            assert_eq!(store.load(&stale.id).await.unwrap(), None);
        }
        assert_eq!(store.len(), 102);
        assert_eq!(store.delete_expired(), 100);
        assert_eq!(store.load(&live.id).await.unwrap(), Some(live));
    }

    #[tokio::test]
    async fn sqlite_sessions_round_trip_and_expire() {
        let dir = std::env::temp_dir().join(format!("sessions-{}", uuid::Uuid::new_v4()));
        let store = SqliteSessions::open(&dir.join("s.sqlite3")).await.unwrap();
        let mut record = Record {
            id: Id::default(),
            data: [("k".to_owned(), serde_json::json!("v"))]
                .into_iter()
                .collect(),
            expiry_date: OffsetDateTime::now_utc() + time::Duration::hours(1),
        };
        store.create(&mut record).await.unwrap();
        assert_eq!(store.load(&record.id).await.unwrap(), Some(record.clone()));
        // A second create with the same id gets a fresh id instead of overwriting.
        let mut twin = record.clone();
        store.create(&mut twin).await.unwrap();
        assert_ne!(twin.id, record.id);

        let mut expired = record.clone();
        expired.id = Id::default();
        expired.expiry_date = OffsetDateTime::now_utc() - time::Duration::seconds(1);
        store.save(&expired).await.unwrap();
        assert_eq!(store.load(&expired.id).await.unwrap(), None);
        assert_eq!(store.delete_expired().await.unwrap(), 1);

        store.delete(&record.id).await.unwrap();
        assert_eq!(store.load(&record.id).await.unwrap(), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
