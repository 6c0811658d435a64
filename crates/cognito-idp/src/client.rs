//! The reqwest transport (AWS JSON 1.1) and a pool-bound client with the sign-in flows.

use crate::clock::Clock;
use crate::error::{Error, ErrorKind, ServiceError};
use crate::secret::{Secret, SecretMap};
use crate::srp::{self, PasswordVerifierChallenge, SrpClient};
use crate::wire::*;
use std::time::Duration;

/// One shared HTTP client for a Cognito endpoint.
#[derive(Clone, Debug)]
pub struct CognitoClient {
    http: reqwest::Client,
    endpoint: String,
    max_attempts: u32,
}

impl CognitoClient {
    /// A client for `endpoint` (for AWS, `https://cognito-idp.<region>.amazonaws.com`).
    pub fn new(endpoint: impl Into<String>, timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .build()
            .expect("TLS backend initialises");
        Self {
            http,
            endpoint: endpoint.into().trim_end_matches('/').to_owned(),
            max_attempts: 3,
        }
    }

    /// The AWS endpoint of a region.
    pub fn aws_endpoint(region: &str) -> String {
        format!("https://cognito-idp.{region}.amazonaws.com")
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Sends one operation; idempotent operations are retried on transient faults with jittered
    /// backoff (at most `max_attempts` tries).
    pub async fn send<Op: Operation>(&self, request: &Op) -> Result<Op::Response, Error> {
        let mut attempt = 1;
        loop {
            match self.send_once(request).await {
                Err(err) if Op::IDEMPOTENT && err.is_retryable() && attempt < self.max_attempts => {
                    let base = 50u64 << attempt;
                    let jitter = rand::random::<u64>() % base;
                    tracing::debug!(op = Op::NAME, attempt, "retrying after a transient fault");
                    tokio::time::sleep(Duration::from_millis(base + jitter)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn send_once<Op: Operation>(&self, request: &Op) -> Result<Op::Response, Error> {
        let response = self
            .http
            .post(format!("{}/", self.endpoint))
            .header("Content-Type", CONTENT_TYPE)
            .header("X-Amz-Target", format!("{TARGET_PREFIX}{}", Op::NAME))
            .json(request)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    Error::Timeout
                } else {
                    Error::Unreachable(e.without_url().to_string())
                }
            })?;
        let status = response.status();
        let error_header = response
            .headers()
            .get("x-amzn-ErrorType")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.bytes().await.map_err(|e| {
            if e.is_timeout() {
                Error::Timeout
            } else {
                Error::Unreachable(e.without_url().to_string())
            }
        })?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| Error::Malformed(e.to_string()));
        }
        Err(parse_error(status.as_u16(), error_header.as_deref(), &body))
    }
}

/// AWS JSON error parsing: code from `x-amzn-ErrorType`, else body `code`, else `__type`.
fn parse_error(status: u16, header: Option<&str>, body: &[u8]) -> Error {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| {
        json.as_ref()
            .and_then(|j| j.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let code = header
        .map(str::to_owned)
        .or_else(|| field("code"))
        .or_else(|| field("__type"));
    match code {
        Some(code) if !code.is_empty() => Error::Service(ServiceError::new(
            ErrorKind::from_code(&code),
            field("message")
                .or_else(|| field("Message"))
                .unwrap_or_default(),
        )),
        _ => Error::Http { status },
    }
}

/// What a sign-in step produced: tokens, or the next challenge.
#[derive(Debug, Clone)]
pub enum SignInOutcome {
    SignedIn(AuthenticationResult),
    Challenge {
        name: String,
        session: Option<Secret>,
        parameters: SecretMap,
        available: Vec<String>,
    },
}

impl SignInOutcome {
    fn from_response(resp: AuthResponse) -> Result<Self, Error> {
        if let Some(result) = resp.authentication_result {
            return Ok(Self::SignedIn(result));
        }
        match resp.challenge_name {
            Some(name) => Ok(Self::Challenge {
                name,
                session: resp.session,
                parameters: resp.challenge_parameters,
                available: resp.available_challenges.unwrap_or_default(),
            }),
            None => Err(Error::Protocol(
                "neither tokens nor a challenge in the answer".into(),
            )),
        }
    }
}

/// The flows that prove the password with SRP.
#[derive(Clone, Copy)]
enum SrpFlow {
    UserSrp,
    /// `CUSTOM_AUTH` starting with SRP.
    CustomWithSrp,
    /// `USER_AUTH` with `PASSWORD_SRP` preferred.
    UserAuth,
}

/// A client bound to one user pool and app client; adds `SECRET_HASH` where needed.
#[derive(Clone, Debug)]
pub struct UserPoolClient {
    pub transport: CognitoClient,
    pub pool_id: String,
    pub client_id: String,
    client_secret: Option<Secret>,
    clock: Clock,
}

impl UserPoolClient {
    pub fn new(
        transport: CognitoClient,
        pool_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: Option<Secret>,
    ) -> Self {
        Self {
            transport,
            pool_id: pool_id.into(),
            client_id: client_id.into(),
            client_secret,
            clock: Clock::system(),
        }
    }

    /// Uses `clock` for SRP timestamps.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn has_secret(&self) -> bool {
        self.client_secret.is_some()
    }

    pub(crate) fn client_secret(&self) -> Option<&Secret> {
        self.client_secret.as_ref()
    }

    /// Where the pool publishes its signing keys.
    pub fn jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.issuer())
    }

    /// The `iss` claim of this pool's tokens.
    pub fn issuer(&self) -> String {
        format!("{}/{}", self.transport.endpoint(), self.pool_id)
    }

    fn secret_hash(&self, username: &str) -> Option<Secret> {
        self.client_secret
            .as_ref()
            .map(|s| Secret::new(srp::secret_hash(s.expose(), username, &self.client_id)))
    }

    pub async fn sign_up(
        &self,
        username: &str,
        password: &Secret,
        attributes: Vec<AttributeType>,
    ) -> Result<SignUpResponse, Error> {
        self.transport
            .send(&SignUpRequest {
                client_id: self.client_id.clone(),
                secret_hash: self.secret_hash(username),
                username: username.to_owned(),
                password: Some(password.clone()),
                user_attributes: attributes,
                ..Default::default()
            })
            .await
    }

    /// `SignUp` without a password, for pools where a one-time code can be the first factor.
    pub async fn sign_up_passwordless(
        &self,
        username: &str,
        attributes: Vec<AttributeType>,
    ) -> Result<SignUpResponse, Error> {
        self.transport
            .send(&SignUpRequest {
                client_id: self.client_id.clone(),
                secret_hash: self.secret_hash(username),
                username: username.to_owned(),
                password: None,
                user_attributes: attributes,
                ..Default::default()
            })
            .await
    }

    pub async fn confirm_sign_up(
        &self,
        username: &str,
        code: &Secret,
        session: Option<Secret>,
    ) -> Result<ConfirmSignUpResponse, Error> {
        self.transport
            .send(&ConfirmSignUpRequest {
                client_id: self.client_id.clone(),
                secret_hash: self.secret_hash(username),
                username: username.to_owned(),
                confirmation_code: code.clone(),
                session,
                ..Default::default()
            })
            .await
    }

    pub async fn resend_confirmation_code(
        &self,
        username: &str,
    ) -> Result<CodeDeliveryResponse, Error> {
        self.transport
            .send(&ResendConfirmationCodeRequest {
                client_id: self.client_id.clone(),
                secret_hash: self.secret_hash(username),
                username: username.to_owned(),
                client_metadata: None,
            })
            .await
    }

    async fn initiate(
        &self,
        flow: &str,
        mut params: SecretMap,
        hash_username: Option<&str>,
        session: Option<Secret>,
    ) -> Result<AuthResponse, Error> {
        if let Some(hash) = hash_username.and_then(|u| self.secret_hash(u)) {
            params.insert("SECRET_HASH", hash.into_inner());
        }
        self.transport
            .send(&InitiateAuthRequest {
                auth_flow: flow.to_owned(),
                auth_parameters: params,
                client_id: self.client_id.clone(),
                client_metadata: None,
                session,
            })
            .await
    }

    /// `RespondToAuthChallenge`, adding `USERNAME`'s `SECRET_HASH` when the client has a secret.
    pub async fn respond(
        &self,
        challenge: &str,
        session: Option<Secret>,
        mut responses: SecretMap,
    ) -> Result<SignInOutcome, Error> {
        if let Some(hash) = responses.get("USERNAME").and_then(|u| self.secret_hash(u)) {
            responses.insert("SECRET_HASH", hash.into_inner());
        }
        let resp = self
            .transport
            .send(&RespondToAuthChallengeRequest {
                client_id: self.client_id.clone(),
                challenge_name: challenge.to_owned(),
                session,
                challenge_responses: responses,
                client_metadata: None,
            })
            .await?;
        SignInOutcome::from_response(resp)
    }

    /// `USER_SRP_AUTH`: the password never leaves this process. Answers the
    /// `PASSWORD_VERIFIER` challenge itself and returns what follows it.
    pub async fn sign_in_srp(
        &self,
        username: &str,
        password: &Secret,
    ) -> Result<SignInOutcome, Error> {
        self.sign_in_srp_flow(username, password, SrpFlow::UserSrp, None)
            .await
    }

    /// `USER_AUTH` with the password as first factor, proved by SRP (`PASSWORD_SRP`). A user
    /// without a password gets Cognito's `SELECT_CHALLENGE` instead.
    pub async fn sign_in_user_auth_srp(
        &self,
        username: &str,
        password: &Secret,
    ) -> Result<SignInOutcome, Error> {
        self.sign_in_srp_flow(username, password, SrpFlow::UserAuth, None)
            .await
    }

    /// `USER_AUTH`: with `preferred` (`EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`, …) Cognito starts that
    /// factor when the user has it; without, or when they lack it, it answers
    /// `SELECT_CHALLENGE` with the user's `AvailableChallenges`.
    pub async fn start_user_auth(
        &self,
        username: &str,
        preferred: Option<&str>,
    ) -> Result<SignInOutcome, Error> {
        let mut params: SecretMap = [("USERNAME", username.to_owned())].into_iter().collect();
        if let Some(preferred) = preferred {
            params.insert("PREFERRED_CHALLENGE", preferred.to_owned());
        }
        let resp = self
            .initiate("USER_AUTH", params, Some(username), None)
            .await?;
        SignInOutcome::from_response(resp)
    }

    /// The factors the signed-in user can use (`GetUserAuthFactors`).
    pub async fn get_user_auth_factors(
        &self,
        access_token: &Secret,
    ) -> Result<GetUserAuthFactorsResponse, Error> {
        self.transport
            .send(&GetUserAuthFactorsRequest(AccessTokenRequest {
                access_token: access_token.clone(),
            }))
            .await
    }

    /// `StartWebAuthnRegistration`: the options for the browser's `navigator.credentials.create`.
    pub async fn start_web_authn_registration(
        &self,
        access_token: &Secret,
    ) -> Result<serde_json::Value, Error> {
        let started = self
            .transport
            .send(&StartWebAuthnRegistrationRequest(AccessTokenRequest {
                access_token: access_token.clone(),
            }))
            .await?;
        Ok(started.credential_creation_options)
    }

    /// `CompleteWebAuthnRegistration` with the browser's `RegistrationResponseJSON`.
    pub async fn complete_web_authn_registration(
        &self,
        access_token: &Secret,
        credential: serde_json::Value,
    ) -> Result<(), Error> {
        self.transport
            .send(&CompleteWebAuthnRegistrationRequest {
                access_token: access_token.clone(),
                credential,
            })
            .await?;
        Ok(())
    }

    /// Every passkey of the user (`ListWebAuthnCredentials`, page by page).
    pub async fn list_web_authn_credentials(
        &self,
        access_token: &Secret,
    ) -> Result<Vec<WebAuthnCredentialDescription>, Error> {
        let mut all = Vec::new();
        let mut next_token = None;
        loop {
            let page = self
                .transport
                .send(&ListWebAuthnCredentialsRequest {
                    access_token: access_token.clone(),
                    max_results: None,
                    next_token: next_token.take(),
                })
                .await?;
            all.extend(page.credentials);
            match page.next_token {
                Some(token) if all.len() < 1000 => next_token = Some(token),
                _ => return Ok(all),
            }
        }
    }

    pub async fn delete_web_authn_credential(
        &self,
        access_token: &Secret,
        credential_id: &str,
    ) -> Result<(), Error> {
        self.transport
            .send(&DeleteWebAuthnCredentialRequest {
                access_token: access_token.clone(),
                credential_id: credential_id.to_owned(),
            })
            .await?;
        Ok(())
    }

    /// `USER_SRP_AUTH` from a device the pool remembers: presents its key and answers the
    /// device SRP challenges, so a remembered device can skip MFA.
    pub async fn sign_in_srp_on_device(
        &self,
        username: &str,
        password: &Secret,
        device: &RememberedDevice,
    ) -> Result<SignInOutcome, Error> {
        self.sign_in_srp_flow(username, password, SrpFlow::UserSrp, Some(device))
            .await
    }

    /// `CUSTOM_AUTH` starting with SRP (Amplify's `CUSTOM_WITH_SRP`): the password is proved
    /// first, then the pool's custom challenges follow.
    pub async fn sign_in_custom_with_srp(
        &self,
        username: &str,
        password: &Secret,
    ) -> Result<SignInOutcome, Error> {
        self.sign_in_srp_flow(username, password, SrpFlow::CustomWithSrp, None)
            .await
    }

    async fn sign_in_srp_flow(
        &self,
        username: &str,
        password: &Secret,
        flow: SrpFlow,
        device: Option<&RememberedDevice>,
    ) -> Result<SignInOutcome, Error> {
        let srp_client = SrpClient::new();
        let mut params: SecretMap = [
            ("USERNAME", username.to_owned()),
            ("SRP_A", srp_client.public_hex()),
        ]
        .into_iter()
        .collect();
        if let Some(device) = device {
            params.insert("DEVICE_KEY", device.device_key.clone());
        }
        let flow = match flow {
            SrpFlow::UserSrp => "USER_SRP_AUTH",
            SrpFlow::CustomWithSrp => {
                params.insert("CHALLENGE_NAME", "SRP_A");
                "CUSTOM_AUTH"
            }
            SrpFlow::UserAuth => {
                params.insert("PREFERRED_CHALLENGE", "PASSWORD_SRP");
                "USER_AUTH"
            }
        };
        let first = self.initiate(flow, params, Some(username), None).await?;
        match SignInOutcome::from_response(first)? {
            SignInOutcome::Challenge {
                name,
                session,
                parameters,
                ..
            } if name == "PASSWORD_VERIFIER" => {
                let required = |key: &str| {
                    parameters
                        .get(key)
                        .ok_or_else(|| Error::Protocol(format!("PASSWORD_VERIFIER without {key}")))
                };
                let user_id = required("USER_ID_FOR_SRP")?;
                let secret_block = required("SECRET_BLOCK")?;
                let timestamp = srp::timestamp(self.clock.now());
                let signature = srp_client.password_claim(
                    srp::pool_name(&self.pool_id),
                    &PasswordVerifierChallenge {
                        salt_hex: required("SALT")?,
                        srp_b_hex: required("SRP_B")?,
                        secret_block_b64: secret_block,
                        user_id_for_srp: user_id,
                    },
                    password.expose(),
                    &timestamp,
                )?;
                let mut responses: SecretMap = [
                    ("USERNAME", user_id.to_owned()),
                    ("PASSWORD_CLAIM_SECRET_BLOCK", secret_block.to_owned()),
                    ("PASSWORD_CLAIM_SIGNATURE", signature),
                    ("TIMESTAMP", timestamp),
                ]
                .into_iter()
                .collect();
                if let Some(device) = device {
                    responses.insert("DEVICE_KEY", device.device_key.clone());
                }
                let outcome = self
                    .respond("PASSWORD_VERIFIER", session, responses)
                    .await?;
                match (outcome, device) {
                    (
                        SignInOutcome::Challenge {
                            name,
                            session,
                            parameters,
                            ..
                        },
                        Some(device),
                    ) if name == "DEVICE_SRP_AUTH" => {
                        let username = parameters.get("USERNAME").unwrap_or(user_id).to_owned();
                        self.prove_device(&username, session, device).await
                    }
                    (outcome, _) => Ok(outcome),
                }
            }
            other => Ok(other),
        }
    }

    /// Answers `DEVICE_SRP_AUTH` and then `DEVICE_PASSWORD_VERIFIER`: SRP with the device group
    /// key as pool name, the device key as user and the device password.
    async fn prove_device(
        &self,
        username: &str,
        session: Option<Secret>,
        device: &RememberedDevice,
    ) -> Result<SignInOutcome, Error> {
        let srp_client = SrpClient::new();
        let start: SecretMap = [
            ("USERNAME", username.to_owned()),
            ("DEVICE_KEY", device.device_key.clone()),
            ("SRP_A", srp_client.public_hex()),
        ]
        .into_iter()
        .collect();
        let (session, parameters) = match self.respond("DEVICE_SRP_AUTH", session, start).await? {
            SignInOutcome::Challenge {
                name,
                session,
                parameters,
                ..
            } if name == "DEVICE_PASSWORD_VERIFIER" => (session, parameters),
            other => return Ok(other),
        };
        let required = |key: &str| {
            parameters
                .get(key)
                .ok_or_else(|| Error::Protocol(format!("DEVICE_PASSWORD_VERIFIER without {key}")))
        };
        let secret_block = required("SECRET_BLOCK")?;
        let timestamp = srp::timestamp(self.clock.now());
        let signature = srp_client.password_claim(
            &device.group_key,
            &PasswordVerifierChallenge {
                salt_hex: required("SALT")?,
                srp_b_hex: required("SRP_B")?,
                secret_block_b64: secret_block,
                user_id_for_srp: &device.device_key,
            },
            device.password.expose(),
            &timestamp,
        )?;
        let responses: SecretMap = [
            ("USERNAME", username.to_owned()),
            ("DEVICE_KEY", device.device_key.clone()),
            ("PASSWORD_CLAIM_SECRET_BLOCK", secret_block.to_owned()),
            ("PASSWORD_CLAIM_SIGNATURE", signature),
            ("TIMESTAMP", timestamp),
        ]
        .into_iter()
        .collect();
        self.respond("DEVICE_PASSWORD_VERIFIER", session, responses)
            .await
    }

    /// Confirms the device a sign-in announced in `NewDeviceMetadata`: makes its random
    /// password and sends only the verifier. Returns what to keep to sign in from it later, and
    /// whether the user must still choose to remember it (`UpdateDeviceStatus`).
    pub async fn confirm_device(
        &self,
        access_token: &Secret,
        metadata: &NewDeviceMetadata,
        device_name: &str,
    ) -> Result<(RememberedDevice, bool), Error> {
        let (password, verifier) =
            srp::device_verifier(&metadata.device_group_key, &metadata.device_key);
        let response = self
            .transport
            .send(&ConfirmDeviceRequest {
                access_token: access_token.clone(),
                device_key: metadata.device_key.clone(),
                device_secret_verifier_config: Some(verifier),
                device_name: Some(device_name.to_owned()),
            })
            .await?;
        let device = RememberedDevice {
            device_key: metadata.device_key.clone(),
            group_key: metadata.device_group_key.clone(),
            password,
        };
        Ok((device, response.user_confirmation_necessary))
    }

    /// Remembers (or stops remembering) one of the user's devices.
    pub async fn update_device_status(
        &self,
        access_token: &Secret,
        device_key: &str,
        remembered: bool,
    ) -> Result<(), Error> {
        let status = if remembered {
            "remembered"
        } else {
            "not_remembered"
        };
        self.transport
            .send(&UpdateDeviceStatusRequest {
                access_token: access_token.clone(),
                device_key: device_key.to_owned(),
                device_remembered_status: Some(status.to_owned()),
            })
            .await
            .map(|_| ())
    }

    /// The user's tracked devices, one page.
    pub async fn list_devices(
        &self,
        access_token: &Secret,
        limit: Option<i64>,
        pagination_token: Option<String>,
    ) -> Result<ListDevicesResponse, Error> {
        self.transport
            .send(&ListDevicesRequest {
                access_token: access_token.clone(),
                limit,
                pagination_token,
            })
            .await
    }

    pub async fn get_device(
        &self,
        access_token: &Secret,
        device_key: &str,
    ) -> Result<DeviceType, Error> {
        self.transport
            .send(&GetDeviceRequest {
                access_token: access_token.clone(),
                device_key: device_key.to_owned(),
            })
            .await
            .map(|r| r.device)
    }

    pub async fn forget_device(
        &self,
        access_token: &Secret,
        device_key: &str,
    ) -> Result<(), Error> {
        self.transport
            .send(&ForgetDeviceRequest {
                access_token: Some(access_token.clone()),
                device_key: device_key.to_owned(),
            })
            .await
            .map(|_| ())
    }

    /// `USER_PASSWORD_AUTH` (the password is sent to Cognito over TLS).
    pub async fn sign_in_password(
        &self,
        username: &str,
        password: &Secret,
    ) -> Result<SignInOutcome, Error> {
        let params: SecretMap = [
            ("USERNAME", username.to_owned()),
            ("PASSWORD", password.expose().to_owned()),
        ]
        .into_iter()
        .collect();
        let resp = self
            .initiate("USER_PASSWORD_AUTH", params, Some(username), None)
            .await?;
        SignInOutcome::from_response(resp)
    }

    /// Auto sign-in after confirmation: `USER_AUTH` with the `Session` `ConfirmSignUp` returned.
    pub async fn sign_in_with_confirmation_session(
        &self,
        username: &str,
        session: Secret,
    ) -> Result<SignInOutcome, Error> {
        let params: SecretMap = [("USERNAME", username.to_owned())].into_iter().collect();
        let resp = self
            .initiate("USER_AUTH", params, Some(username), Some(session))
            .await?;
        SignInOutcome::from_response(resp)
    }

    /// `REFRESH_TOKEN_AUTH`; `username` is the internal username (for `SECRET_HASH`).
    pub async fn refresh(
        &self,
        username: &str,
        refresh_token: &Secret,
    ) -> Result<AuthenticationResult, Error> {
        let params: SecretMap = [("REFRESH_TOKEN", refresh_token.expose().to_owned())]
            .into_iter()
            .collect();
        let resp = self
            .initiate("REFRESH_TOKEN_AUTH", params, Some(username), None)
            .await?;
        match SignInOutcome::from_response(resp)? {
            SignInOutcome::SignedIn(result) => Ok(result),
            SignInOutcome::Challenge { name, .. } => Err(Error::Protocol(format!(
                "refresh answered with challenge {name}"
            ))),
        }
    }

    /// `GetTokensFromRefreshToken`: new ID and access tokens, and a new refresh token when the
    /// app client rotates them.
    /// `device_key`: the remembered device the tokens were issued to (Cognito then requires it).
    pub async fn get_tokens_from_refresh_token(
        &self,
        refresh_token: &Secret,
        device_key: Option<&str>,
    ) -> Result<AuthenticationResult, Error> {
        self.transport
            .send(&GetTokensFromRefreshTokenRequest {
                refresh_token: refresh_token.clone(),
                client_id: self.client_id.clone(),
                client_secret: self.client_secret.clone(),
                device_key: device_key.map(str::to_owned),
                ..Default::default()
            })
            .await
            .map(|r| r.authentication_result)
    }

    pub async fn get_user(&self, access_token: &Secret) -> Result<GetUserResponse, Error> {
        self.transport
            .send(&GetUserRequest(AccessTokenRequest {
                access_token: access_token.clone(),
            }))
            .await
    }

    /// Revokes a refresh token and the access tokens issued from it (this device).
    pub async fn revoke_token(&self, refresh_token: &Secret) -> Result<(), Error> {
        self.transport
            .send(&RevokeTokenRequest {
                token: refresh_token.clone(),
                client_id: self.client_id.clone(),
                client_secret: self.client_secret.clone(),
            })
            .await
            .map(|_| ())
    }

    /// Revokes every refresh and access token of the user (every device).
    pub async fn global_sign_out(&self, access_token: &Secret) -> Result<(), Error> {
        self.transport
            .send(&GlobalSignOutRequest(AccessTokenRequest {
                access_token: access_token.clone(),
            }))
            .await
            .map(|_| ())
    }

    /// Starts a password reset: Cognito sends a code.
    pub async fn forgot_password(&self, username: &str) -> Result<CodeDeliveryResponse, Error> {
        self.transport
            .send(&ForgotPasswordRequest(ResendConfirmationCodeRequest {
                client_id: self.client_id.clone(),
                secret_hash: self.secret_hash(username),
                username: username.to_owned(),
                client_metadata: None,
            }))
            .await
    }

    pub async fn confirm_forgot_password(
        &self,
        username: &str,
        code: &Secret,
        new_password: &Secret,
    ) -> Result<(), Error> {
        self.transport
            .send(&ConfirmForgotPasswordRequest {
                client_id: self.client_id.clone(),
                secret_hash: self.secret_hash(username),
                username: username.to_owned(),
                confirmation_code: code.clone(),
                password: new_password.clone(),
            })
            .await
            .map(|_| ())
    }

    pub async fn change_password(
        &self,
        access_token: &Secret,
        previous: &Secret,
        proposed: &Secret,
    ) -> Result<(), Error> {
        self.transport
            .send(&ChangePasswordRequest {
                previous_password: Some(previous.clone()),
                proposed_password: proposed.clone(),
                access_token: access_token.clone(),
            })
            .await
            .map(|_| ())
    }

    pub async fn get_attribute_verification_code(
        &self,
        access_token: &Secret,
        attribute: &str,
    ) -> Result<CodeDeliveryResponse, Error> {
        self.transport
            .send(&GetUserAttributeVerificationCodeRequest {
                access_token: access_token.clone(),
                attribute_name: attribute.to_owned(),
            })
            .await
    }

    /// Changes the user's attributes; a new email or phone number gets a code (listed in
    /// the answer), and with `AttributesRequireVerificationBeforeUpdate` counts only once the
    /// code is verified.
    pub async fn update_user_attributes(
        &self,
        access_token: &Secret,
        attributes: Vec<AttributeType>,
    ) -> Result<UpdateUserAttributesResponse, Error> {
        self.transport
            .send(&UpdateUserAttributesRequest {
                user_attributes: attributes,
                access_token: access_token.clone(),
                client_metadata: None,
            })
            .await
    }

    pub async fn delete_user_attributes(
        &self,
        access_token: &Secret,
        names: Vec<String>,
    ) -> Result<(), Error> {
        self.transport
            .send(&DeleteUserAttributesRequest {
                user_attribute_names: names,
                access_token: access_token.clone(),
            })
            .await
            .map(|_| ())
    }

    /// Deletes the signed-in user's own account.
    pub async fn delete_user(&self, access_token: &Secret) -> Result<(), Error> {
        self.transport
            .send(&DeleteUserRequest(AccessTokenRequest {
                access_token: access_token.clone(),
            }))
            .await
            .map(|_| ())
    }

    pub async fn verify_attribute(
        &self,
        access_token: &Secret,
        attribute: &str,
        code: &Secret,
    ) -> Result<(), Error> {
        self.transport
            .send(&VerifyUserAttributeRequest {
                access_token: access_token.clone(),
                attribute_name: attribute.to_owned(),
                code: code.clone(),
            })
            .await
            .map(|_| ())
    }

    /// Starts TOTP enrolment, signed in (`AccessToken`) or during sign-in (`Session`).
    pub async fn associate_software_token(
        &self,
        credential: TokenOrSession,
    ) -> Result<AssociateSoftwareTokenResponse, Error> {
        let (access_token, session) = credential.split();
        self.transport
            .send(&AssociateSoftwareTokenRequest {
                access_token,
                session,
            })
            .await
    }

    pub async fn verify_software_token(
        &self,
        credential: TokenOrSession,
        code: &Secret,
    ) -> Result<VerifySoftwareTokenResponse, Error> {
        let (access_token, session) = credential.split();
        self.transport
            .send(&VerifySoftwareTokenRequest {
                access_token,
                session,
                user_code: code.clone(),
                friendly_device_name: None,
            })
            .await
    }

    pub async fn set_mfa_preference(
        &self,
        request: SetUserMfaPreferenceRequest,
    ) -> Result<(), Error> {
        self.transport.send(&request).await.map(|_| ())
    }
}

/// What a client keeps for a device the pool tracks: its key, its group key and the random
/// password only this client knows (store all three to sign in from the device later).
#[derive(Clone)]
pub struct RememberedDevice {
    pub device_key: String,
    pub group_key: String,
    pub password: Secret,
}

impl std::fmt::Debug for RememberedDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RememberedDevice")
            .field("device_key", &self.device_key)
            .finish_non_exhaustive()
    }
}

/// What authorises a TOTP enrolment call.
#[derive(Clone, Debug)]
pub enum TokenOrSession {
    AccessToken(Secret),
    Session(Secret),
}

impl TokenOrSession {
    fn split(self) -> (Option<Secret>, Option<Secret>) {
        match self {
            Self::AccessToken(token) => (Some(token), None),
            Self::Session(session) => (None, Some(session)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_code_prefers_header_then_body() {
        let body = br#"{"__type":"CodeMismatchException","message":"Invalid verification code provided, please try again."}"#;
        match parse_error(400, None, body) {
            Error::Service(e) => {
                assert_eq!(e.kind, ErrorKind::CodeMismatch);
                assert!(e.message.starts_with("Invalid verification code"));
            }
            other => panic!("unexpected {other:?}"),
        }
        match parse_error(400, Some("NotAuthorizedException:"), b"{}") {
            Error::Service(e) => assert_eq!(e.kind, ErrorKind::NotAuthorized),
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            parse_error(502, None, b"<html>bad gateway</html>"),
            Error::Http { status: 502 }
        ));
    }
}
