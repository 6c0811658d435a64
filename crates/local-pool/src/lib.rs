//! A Cognito-compatible user pool for local development and tests: the same AWS JSON 1.1
//! operations, error names and token formats as Amazon Cognito, stored in SQLite, with every
//! message it would send kept in an outbox.

pub mod config;
pub mod outbox;
pub mod pool;
pub mod server;
pub mod store;
pub mod tokens;

pub use config::PoolConfig;
pub use pool::LocalPool;
pub use store::{OutboxMessage, UserStatus};
