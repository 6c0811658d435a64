//! Server-only parts: configuration, sessions, the request context server functions use,
//! security layers and the router.

pub mod config;
pub mod context;
pub mod devices;
pub mod extract;
pub mod federation;
pub mod forms;
pub mod input;
pub mod limits;
pub mod next_step;
pub mod page_cache;
pub mod refresh;
pub mod routes;
pub mod security;
pub mod session;
pub mod session_store;

pub use cognito_idp::Clock;
pub use config::{AuthConfig, Backend, DeviceRemembering, PasskeyPrompt, SignInFlow};
pub use context::{Auth, Ctx, Next};
pub use extract::CurrentUser;
pub use routes::{connect, mount, provide_auth_context};
