//! A Cognito-compatible user pool for local development and tests: the same AWS JSON 1.1
//! operations, error names and token formats as Amazon Cognito, stored in SQLite, with every
//! message it would send kept in an outbox.

pub mod account;
pub mod admin;
pub mod challenges;
pub mod config;
pub mod console;
pub mod custom_auth;
pub mod devices;
pub mod federation;
pub mod guard;
pub mod oauth;
pub mod outbox;
pub mod page;
pub mod pool;
pub mod pools;
pub mod provider_details;
pub mod server;
pub mod sign_in;
pub mod sign_up;
pub mod sigv4;
pub mod store;
pub mod test_mode;
pub mod throttle;
pub mod tokens;
pub mod totp;
pub mod triggers;
pub mod upstream;
pub mod user_auth;
pub mod users;
pub mod webauthn;

pub use config::PoolConfig;
pub use pool::LocalPool;
pub use pools::Pools;
pub use store::{OutboxMessage, UserStatus};
pub use totp::STEP_SECONDS;
