//! A small Amazon Cognito user-pool client: the AWS JSON 1.1 wire types, Cognito's SRP variant,
//! typed errors and JWT verification. It knows nothing about web sessions or Leptos.
//!
//! The same [`wire`], [`error`] and [`srp`] modules are used by the `local-pool` crate, so client
//! and emulator cannot drift apart.

pub mod client;
pub mod clock;
pub mod error;
pub mod jwt;
pub mod oauth;
pub mod policy;
pub mod secret;
pub mod srp;
pub mod wire;

pub use client::{CognitoClient, RememberedDevice, SignInOutcome, TokenOrSession, UserPoolClient};
pub use clock::Clock;
pub use error::{Error, ErrorKind, ServiceError};
pub use secret::{Secret, SecretMap};
