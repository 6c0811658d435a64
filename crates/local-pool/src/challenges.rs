//! What follows a passed first factor: a required new password, second factors (TOTP, SMS and
//! email codes), choosing or setting one up, and software-token enrolment.

use crate::config::MfaMode;
use crate::pool::{constant_time_eq, fault, required, LocalPool, OpResult, SESSION_EXPIRED};
use crate::store::{MfaRecord, UserRecord, UserStatus};
use crate::totp;
use cognito_idp::error::ErrorKind;
use cognito_idp::wire::*;
use cognito_idp::{Secret, SecretMap};
use serde::{Deserialize, Serialize};

pub const TOTP: &str = "SOFTWARE_TOKEN_MFA";
pub const SMS: &str = "SMS_MFA";
pub const EMAIL: &str = "EMAIL_OTP";

/// What a challenge `Session` remembers.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct ChallengeState {
    pub challenge: String,
    /// The code sent for SMS and email challenges.
    pub code: Option<String>,
    pub attempts: i64,
    /// Factors offered by `SELECT_MFA_TYPE` / `MFA_SETUP`.
    pub options: Vec<String>,
    /// `MFA_SETUP` progress: `associated`, then `verified`.
    pub stage: Option<String>,
    /// Email MFA being set up at sign-in: the address the code went to, which becomes the
    /// user's verified email once the code comes back.
    #[serde(default)]
    pub setup_email: Option<String>,
    /// The device proving itself with device SRP.
    #[serde(default)]
    pub device_key: Option<String>,
    #[serde(default)]
    pub device_srp: Option<DeviceSrpState>,
    /// A code sent as the first factor (`USER_AUTH`): once right, the sign-in goes on as after
    /// a password, not straight to tokens as after an MFA code.
    #[serde(default)]
    pub first_factor: bool,
    /// A challenge given to a name with no account: no code went anywhere, and no answer passes.
    #[serde(default)]
    pub decoy: bool,
    /// The passkey sign-in being verified (`WEB_AUTHN`): the verifier's state, JSON.
    #[serde(default)]
    pub webauthn: Option<String>,
}

/// The server side of a device SRP exchange, between its two challenges.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct DeviceSrpState {
    /// The device's `SRP_A` (hex).
    pub a: String,
    /// The pool's private `b` (base64url).
    pub b: String,
    pub secret_block: String,
}

fn verified(user: &UserRecord, attribute: &str) -> bool {
    user.attributes
        .get(&format!("{attribute}_verified"))
        .map(String::as_str)
        == Some("true")
        && user.attributes.contains_key(attribute)
}

/// SMS MFA needs only a phone number: Cognito does not require it to be verified first.
fn has_phone(user: &UserRecord) -> bool {
    user.attributes.contains_key("phone_number")
}

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).expect("string list serialises")
}

impl LocalPool {
    /// After the password: status checks, a required new password, then second factors.
    pub(crate) async fn after_first_factor(
        &self,
        user: UserRecord,
        client_id: &str,
        device_key: Option<&str>,
    ) -> OpResult<AuthResponse> {
        self.after_passkey(user, client_id, device_key, false).await
    }

    /// [`LocalPool::after_first_factor`], where `satisfies_mfa` (a passkey used with user
    /// verification, where the pool counts it as MFA) skips the second factor and the device
    /// check (no device key is attached then: it proved nothing).
    pub(crate) async fn after_passkey(
        &self,
        mut user: UserRecord,
        client_id: &str,
        device_key: Option<&str>,
        satisfies_mfa: bool,
    ) -> OpResult<AuthResponse> {
        if !user.enabled {
            return Err(fault(ErrorKind::NotAuthorized, "User is disabled."));
        }
        match user.status {
            UserStatus::Unconfirmed => {
                return Err(fault(ErrorKind::UserNotConfirmed, "User is not confirmed."))
            }
            UserStatus::ResetRequired => {
                return Err(fault(
                    ErrorKind::PasswordResetRequired,
                    "Password reset required for the user",
                ))
            }
            UserStatus::ForceChangePassword => {
                let validity = self.cfg().temporary_password_validity_days * 24 * 3600;
                if self.now() - user.updated_at > validity {
                    return Err(fault(
                        ErrorKind::NotAuthorized,
                        "Temporary password has expired and must be reset by an administrator.",
                    ));
                }
                return self.new_password_challenge(&user, client_id).await;
            }
            UserStatus::Confirmed => {}
            // Federated users sign in at their provider, never through the API.
            UserStatus::ExternalProvider => {
                return Err(fault(ErrorKind::NotAuthorized, crate::pool::INCORRECT))
            }
        }
        if user.failed_attempts != 0 {
            user.failed_attempts = 0;
            user.updated_at = self.now();
            self.inner.store.update_user(&user).await?;
        }
        if satisfies_mfa {
            return self.issue_tokens(&user, client_id, None).await;
        }
        if let Some(device) = self.confirmed_device(&user, device_key).await? {
            return self.device_challenge(&user, client_id, &device).await;
        }
        self.second_factor(&user, client_id, device_key).await
    }

    async fn new_password_challenge(
        &self,
        user: &UserRecord,
        client_id: &str,
    ) -> OpResult<AuthResponse> {
        let current: serde_json::Map<String, serde_json::Value> = user
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        let missing: Vec<String> = self
            .cfg()
            .required_attributes
            .iter()
            .filter(|name| user.attributes.get(*name).is_none_or(|v| v.is_empty()))
            .map(|name| format!("userAttributes.{name}"))
            .collect();
        let params = [
            (
                "userAttributes",
                serde_json::Value::Object(current).to_string(),
            ),
            ("requiredAttributes", json_list(&missing)),
        ];
        self.challenge(
            user,
            client_id,
            "NEW_PASSWORD_REQUIRED",
            params.into_iter().collect(),
            ChallengeState::default(),
        )
        .await
    }

    /// The factors a user can be challenged with now.
    pub(crate) fn enabled_factors(&self, user: &UserRecord, mfa: &MfaRecord) -> Vec<String> {
        let config = self.cfg();
        let mut factors = Vec::new();
        if mfa.totp_enabled && config.offers_factor(TOTP) {
            factors.push(TOTP.to_owned());
        }
        if mfa.sms_enabled && config.offers_factor(SMS) && has_phone(user) {
            factors.push(SMS.to_owned());
        }
        if mfa.email_enabled && config.offers_factor(EMAIL) && verified(user, "email") {
            factors.push(EMAIL.to_owned());
        }
        factors
    }

    /// `UserMFASettingList` and `PreferredMfaSetting` for `GetUser`.
    pub(crate) async fn mfa_settings(
        &self,
        user: &UserRecord,
    ) -> OpResult<(Vec<String>, Option<String>)> {
        let mfa = self.inner.store.mfa(&user.username).await?;
        let enabled = self.enabled_factors(user, &mfa);
        let preferred = mfa.preferred.filter(|p| enabled.contains(p));
        Ok((enabled, preferred))
    }

    /// `mfa_settings` for the console, where a read error shows as no factors.
    pub async fn mfa_settings_for(&self, user: &UserRecord) -> (Vec<String>, Option<String>) {
        self.mfa_settings(user).await.unwrap_or_default()
    }

    pub(crate) async fn second_factor(
        &self,
        user: &UserRecord,
        client_id: &str,
        device_key: Option<&str>,
    ) -> OpResult<AuthResponse> {
        let config = self.cfg();
        if config.mfa == MfaMode::Off {
            return self.issue_tokens(user, client_id, device_key).await;
        }
        let mfa = self.inner.store.mfa(&user.username).await?;
        let enabled = self.enabled_factors(user, &mfa);
        if enabled.is_empty() {
            if config.mfa != MfaMode::On {
                return self.issue_tokens(user, client_id, device_key).await;
            }
            let mut options = Vec::new();
            if config.offers_factor(TOTP) {
                options.push(TOTP.to_owned());
            }
            if config.offers_factor(SMS) && has_phone(user) {
                options.push(SMS.to_owned());
            }
            // Email MFA can be set up with an address typed at this point (Amplify's
            // CONTINUE_SIGN_IN_WITH_EMAIL_SETUP).
            if config.offers_factor(EMAIL) {
                options.push(EMAIL.to_owned());
            }
            if options.is_empty() {
                return Err(fault(
                    ErrorKind::InvalidUserPoolConfiguration,
                    "MFA is required but no second factor can be set up.",
                ));
            }
            let params = [("MFAS_CAN_SETUP", json_list(&options))]
                .into_iter()
                .collect();
            let state = ChallengeState {
                options,
                ..Default::default()
            };
            return self
                .challenge(user, client_id, "MFA_SETUP", params, state)
                .await;
        }
        let chosen = match mfa.preferred.filter(|p| enabled.contains(p)) {
            Some(preferred) => preferred,
            None if enabled.len() == 1 => enabled[0].clone(),
            None => {
                let params = [("MFAS_CAN_CHOOSE", json_list(&enabled))]
                    .into_iter()
                    .collect();
                let state = ChallengeState {
                    options: enabled,
                    ..Default::default()
                };
                return self
                    .challenge(user, client_id, "SELECT_MFA_TYPE", params, state)
                    .await;
            }
        };
        self.factor_challenge(user, client_id, &chosen).await
    }

    /// Challenges with one factor, sending a code for SMS and email.
    async fn factor_challenge(
        &self,
        user: &UserRecord,
        client_id: &str,
        factor: &str,
    ) -> OpResult<AuthResponse> {
        if factor == TOTP {
            return self
                .challenge(
                    user,
                    client_id,
                    TOTP,
                    SecretMap::new(),
                    ChallengeState::default(),
                )
                .await;
        }
        let (attribute, medium) = if factor == SMS {
            ("phone_number", "SMS")
        } else {
            ("email", "EMAIL")
        };
        let destination = user.attributes.get(attribute).cloned().unwrap_or_default();
        self.code_challenge(
            user,
            client_id,
            factor,
            (medium, attribute, &destination),
            ChallengeState::default(),
        )
        .await
    }

    /// Sends a code to `destination` (`(medium, attribute, address)`) and challenges with
    /// `factor` for it. `state` says what the code is for: an email MFA set-up to finish
    /// (`setup_email`), a first factor, or a decoy (nothing is sent).
    pub(crate) async fn code_challenge(
        &self,
        user: &UserRecord,
        client_id: &str,
        factor: &str,
        (medium, attribute, destination): (&str, &str, &str),
        mut state: ChallengeState,
    ) -> OpResult<AuthResponse> {
        let code = self.new_code(&user.username);
        let purpose = if state.first_factor {
            "SIGN_IN_CODE"
        } else {
            "MFA_CODE"
        };
        // Nothing goes to a stand-in, nor to a disabled account (which no code signs in).
        if !state.decoy && user.enabled {
            self.send_message(
                &user.username,
                medium,
                destination,
                purpose,
                Some(&code),
                format!("Your authentication code is {code}"),
            )
            .await?;
            state.code = Some(code);
        }
        let details = Self::details(medium, attribute, destination);
        let params = [
            ("CODE_DELIVERY_DELIVERY_MEDIUM", medium.to_owned()),
            (
                "CODE_DELIVERY_DESTINATION",
                details.destination.unwrap_or_default(),
            ),
        ]
        .into_iter()
        .collect();
        self.challenge(user, client_id, factor, params, state).await
    }

    /// Email MFA set-up at sign-in: a code to `address`, answered as an `EMAIL_OTP` challenge.
    async fn start_email_setup(
        &self,
        user: &UserRecord,
        client_id: &str,
        address: &str,
    ) -> OpResult<AuthResponse> {
        if !crate::pool::is_valid_email(address) {
            return Err(fault(
                ErrorKind::InvalidParameter,
                "Invalid email address format.",
            ));
        }
        let destination = ("EMAIL", "email", address);
        let state = ChallengeState {
            setup_email: Some(address.to_owned()),
            ..Default::default()
        };
        self.code_challenge(user, client_id, EMAIL, destination, state)
            .await
    }

    /// The code came back from the address: it is the user's, verified, and email MFA is on.
    async fn finish_email_setup(&self, user: &mut UserRecord, address: &str) -> OpResult<()> {
        user.attributes.insert("email".into(), address.to_owned());
        user.attributes
            .insert("email_verified".into(), "true".into());
        user.updated_at = self.now();
        self.inner.store.update_user(user).await?;
        let mut mfa = self.inner.store.mfa(&user.username).await?;
        mfa.email_enabled = true;
        self.inner.store.put_mfa(&user.username, &mfa).await?;
        Ok(())
    }

    /// Answers with a challenge and a new `Session` that remembers `state`.
    pub(crate) async fn challenge(
        &self,
        user: &UserRecord,
        client_id: &str,
        name: &str,
        mut params: SecretMap,
        mut state: ChallengeState,
    ) -> OpResult<AuthResponse> {
        state.challenge = name.to_owned();
        params.insert("USERNAME", user.username.clone());
        let session = self.store_challenge(user, client_id, &state).await?;
        Ok(AuthResponse {
            challenge_name: Some(name.to_owned()),
            session: Some(Secret::new(session)),
            challenge_parameters: params,
            ..Default::default()
        })
    }

    async fn store_challenge(
        &self,
        user: &UserRecord,
        client_id: &str,
        state: &ChallengeState,
    ) -> OpResult<String> {
        self.new_auth_session(
            user,
            client_id,
            "challenge",
            serde_json::to_value(state).expect("state serialises"),
        )
        .await
    }

    /// Takes a challenge session and its user.
    async fn open_challenge(
        &self,
        session: Option<&Secret>,
        client_id: &str,
    ) -> OpResult<(UserRecord, ChallengeState)> {
        let session = session.ok_or_else(|| fault(ErrorKind::NotAuthorized, SESSION_EXPIRED))?;
        let record = self
            .take_session(session.expose(), "challenge", client_id)
            .await?;
        let state: ChallengeState = serde_json::from_str(&record.data)
            .map_err(|_| fault(ErrorKind::NotAuthorized, SESSION_EXPIRED))?;
        if state.decoy {
            return Ok((self.decoy_user(&record.username), state));
        }
        let user = self
            .inner
            .store
            .user(&record.username)
            .await?
            .ok_or_else(|| fault(ErrorKind::NotAuthorized, SESSION_EXPIRED))?;
        Ok((user, state))
    }

    /// A wrong code: the same `Session` may try again, until the attempts run out.
    pub(crate) async fn wrong_code(
        &self,
        session: &Secret,
        user: &UserRecord,
        client_id: &str,
        mut state: ChallengeState,
        kind: ErrorKind,
        message: &str,
    ) -> OpResult<AuthResponse> {
        state.attempts += 1;
        if state.attempts >= self.cfg().max_challenge_attempts {
            return Err(fault(ErrorKind::NotAuthorized, SESSION_EXPIRED));
        }
        self.store_challenge_with_id(session, user, client_id, &state)
            .await?;
        Err(fault(kind, message))
    }

    pub(crate) async fn answer_challenge(
        &self,
        req: &RespondToAuthChallengeRequest,
    ) -> OpResult<AuthResponse> {
        let responses = &req.challenge_responses;
        let login = required(responses, "USERNAME")?;
        self.check_client(&req.client_id, responses.get("SECRET_HASH"), login)?;
        let (mut user, state) = self
            .open_challenge(req.session.as_ref(), &req.client_id)
            .await?;
        let same_user = if state.decoy {
            self.decoy_username(login) == user.username
        } else {
            self.resolve_user(login)
                .await?
                .is_some_and(|u| u.username == user.username)
        };
        if !same_user || state.challenge != req.challenge_name {
            return Err(fault(ErrorKind::NotAuthorized, SESSION_EXPIRED));
        }
        let session = req.session.clone().expect("checked by open_challenge");
        let client_id = req.client_id.as_str();
        // Clients that remember a device send its key with each answer.
        let device_key = responses.get("DEVICE_KEY");
        match req.challenge_name.as_str() {
            "DEVICE_SRP_AUTH" => {
                self.answer_device_srp(&user, client_id, state, responses)
                    .await
            }
            "DEVICE_PASSWORD_VERIFIER" => {
                self.answer_device_password(&user, client_id, state, responses)
                    .await
            }
            "NEW_PASSWORD_REQUIRED" => {
                let password = required(responses, "NEW_PASSWORD")?;
                if let Err(err) = self.check_password_shape(password) {
                    // Keep the challenge open so the person can choose another password.
                    self.store_challenge_with_id(&session, &user, client_id, &state)
                        .await?;
                    return Err(err);
                }
                for (key, value) in responses.iter() {
                    if let Some(name) = key.strip_prefix("userAttributes.") {
                        if name.ends_with("_verified") || name == "sub" {
                            continue;
                        }
                        user.attributes.insert(name.to_owned(), value.clone());
                    }
                }
                if let Some(missing) = self
                    .cfg()
                    .required_attributes
                    .iter()
                    .find(|name| user.attributes.get(*name).is_none_or(|v| v.is_empty()))
                {
                    self.store_challenge_with_id(&session, &user, client_id, &state)
                        .await?;
                    return Err(fault(
                        ErrorKind::InvalidParameter,
                        format!("Invalid attributes given, {missing} is missing"),
                    ));
                }
                self.set_password(&mut user, password).await?;
                user.status = UserStatus::Confirmed;
                user.updated_at = self.now();
                self.inner.store.update_user(&user).await?;
                self.second_factor(&user, client_id, device_key).await
            }
            crate::webauthn::WEB_AUTHN => {
                self.answer_passkey(&session, user, client_id, state, responses)
                    .await
            }
            crate::user_auth::SELECT_CHALLENGE => {
                self.answer_select_challenge(&user, state, &session, req)
                    .await
            }
            factor @ (SMS | EMAIL | crate::user_auth::SMS_OTP) => {
                let key = match factor {
                    SMS => "SMS_MFA_CODE",
                    EMAIL => "EMAIL_OTP_CODE",
                    _ => "SMS_OTP_CODE",
                };
                let given = required(responses, key)?;
                let expected = state.code.clone().unwrap_or_default();
                // A code as the first factor counts toward the lockout like a password, so
                // new sessions do not buy new guesses.
                let counts = state.first_factor && !state.decoy;
                if counts {
                    self.check_lockout(&user).await?;
                }
                if expected.is_empty() || !constant_time_eq(given, &expected) {
                    if counts {
                        self.count_failed_attempt(user.clone()).await?;
                    }
                    return self
                        .wrong_code(
                            &session,
                            &user,
                            client_id,
                            state,
                            ErrorKind::CodeMismatch,
                            "Invalid code or auth state for the user.",
                        )
                        .await;
                }
                if let Some(address) = &state.setup_email {
                    self.finish_email_setup(&mut user, address).await?;
                }
                if state.first_factor {
                    return self.after_first_factor(user, client_id, device_key).await;
                }
                self.issue_tokens(&user, client_id, device_key).await
            }
            TOTP => {
                let given = required(responses, "SOFTWARE_TOKEN_MFA_CODE")?;
                let mut mfa = self.inner.store.mfa(&user.username).await?;
                let secret = mfa
                    .totp_secret
                    .clone()
                    .filter(|_| mfa.totp_enabled)
                    .ok_or_else(|| {
                        fault(
                            ErrorKind::SoftwareTokenMfaNotFound,
                            "Software Token MFA does not exist for the user.",
                        )
                    })?;
                match totp::verify(&secret, given, self.now(), mfa.totp_last_step) {
                    Some(step) => {
                        mfa.totp_last_step = Some(step);
                        self.inner.store.put_mfa(&user.username, &mfa).await?;
                        self.issue_tokens(&user, client_id, device_key).await
                    }
                    None => {
                        self.wrong_code(
                            &session,
                            &user,
                            client_id,
                            state,
                            ErrorKind::CodeMismatch,
                            "Invalid code or auth state for the user.",
                        )
                        .await
                    }
                }
            }
            "SELECT_MFA_TYPE" => {
                let answer = required(responses, "ANSWER")?;
                let answer = if answer == "EMAIL_MFA" { EMAIL } else { answer };
                if !state.options.iter().any(|o| o == answer) {
                    self.store_challenge_with_id(&session, &user, client_id, &state)
                        .await?;
                    return Err(fault(
                        ErrorKind::InvalidParameter,
                        format!("{answer} is not one of the MFA types the user can choose"),
                    ));
                }
                self.factor_challenge(&user, client_id, answer).await
            }
            "MFA_SETUP" => {
                if state.stage.as_deref() == Some("verified") {
                    return self.issue_tokens(&user, client_id, device_key).await;
                }
                let factor = [(EMAIL, "email"), (SMS, "phone_number")].into_iter().find(
                    |(factor, attribute)| {
                        state.options.iter().any(|o| o == factor)
                            && responses
                                .get(if *attribute == "email" {
                                    "EMAIL"
                                } else {
                                    "PHONE_NUMBER"
                                })
                                .is_some()
                    },
                );
                let Some((factor, attribute)) = factor else {
                    return Err(fault(ErrorKind::InvalidParameter, "Set up a software token with AssociateSoftwareToken and VerifySoftwareToken first."));
                };
                if factor == EMAIL {
                    let address = required(responses, "EMAIL")?.trim().to_lowercase();
                    return self.start_email_setup(&user, client_id, &address).await;
                }
                if !has_phone(&user) {
                    return Err(fault(
                        ErrorKind::InvalidParameter,
                        format!("The user's {attribute} is not verified."),
                    ));
                }
                let mut mfa = self.inner.store.mfa(&user.username).await?;
                mfa.sms_enabled = true;
                self.inner.store.put_mfa(&user.username, &mfa).await?;
                self.issue_tokens(&user, client_id, device_key).await
            }
            "CUSTOM_CHALLENGE" => {
                self.answer_custom_challenge(&session, &user, client_id, state, responses)
                    .await
            }
            other => Err(fault(
                ErrorKind::InvalidParameter,
                format!("Challenge {other} is not supported by this pool."),
            )),
        }
    }

    pub(crate) async fn store_challenge_with_id(
        &self,
        session: &Secret,
        user: &UserRecord,
        client_id: &str,
        state: &ChallengeState,
    ) -> OpResult<()> {
        self.save_auth_session(
            session.expose(),
            &crate::store::AuthSessionRecord {
                username: user.username.clone(),
                client_id: client_id.to_owned(),
                kind: "challenge".into(),
                data: serde_json::to_string(state).expect("state serialises"),
                expires_at: self.now() + self.session_validity(client_id),
            },
        )
        .await?;
        Ok(())
    }

    pub async fn associate_software_token(
        &self,
        req: AssociateSoftwareTokenRequest,
    ) -> OpResult<AssociateSoftwareTokenResponse> {
        let secret = totp::new_secret();
        match (&req.access_token, &req.session) {
            (Some(token), _) => {
                let user = self.authorize(token).await?;
                let mut mfa = self.inner.store.mfa(&user.username).await?;
                mfa.totp_secret = Some(secret.clone());
                mfa.totp_verified = false;
                mfa.totp_enabled = false;
                self.inner.store.put_mfa(&user.username, &mfa).await?;
                Ok(AssociateSoftwareTokenResponse {
                    secret_code: Secret::new(secret),
                    session: None,
                })
            }
            (None, Some(session)) => {
                let client_id = self.session_client(session).await?;
                let (user, mut state) = self.open_challenge(Some(session), &client_id).await?;
                if state.challenge != "MFA_SETUP" || !state.options.iter().any(|o| o == TOTP) {
                    return Err(fault(ErrorKind::NotAuthorized, SESSION_EXPIRED));
                }
                let mut mfa = self.inner.store.mfa(&user.username).await?;
                mfa.totp_secret = Some(secret.clone());
                mfa.totp_verified = false;
                self.inner.store.put_mfa(&user.username, &mfa).await?;
                state.stage = Some("associated".into());
                let session = self.store_challenge(&user, &client_id, &state).await?;
                Ok(AssociateSoftwareTokenResponse {
                    secret_code: Secret::new(secret),
                    session: Some(Secret::new(session)),
                })
            }
            (None, None) => Err(fault(
                ErrorKind::InvalidParameter,
                "An AccessToken or a Session is required.",
            )),
        }
    }

    pub async fn verify_software_token(
        &self,
        req: VerifySoftwareTokenRequest,
    ) -> OpResult<VerifySoftwareTokenResponse> {
        let client_id = match (&req.access_token, &req.session) {
            (None, Some(session)) => self.session_client(session).await?,
            _ => String::new(),
        };
        let (user, state) = match (&req.access_token, &req.session) {
            (Some(token), _) => (self.authorize(token).await?, None),
            (None, Some(session)) => {
                let (user, state) = self.open_challenge(Some(session), &client_id).await?;
                if state.challenge != "MFA_SETUP" || state.stage.as_deref() != Some("associated") {
                    return Err(fault(ErrorKind::NotAuthorized, SESSION_EXPIRED));
                }
                (user, Some(state))
            }
            (None, None) => {
                return Err(fault(
                    ErrorKind::InvalidParameter,
                    "An AccessToken or a Session is required.",
                ))
            }
        };
        let mut mfa = self.inner.store.mfa(&user.username).await?;
        let secret = mfa.totp_secret.clone().ok_or_else(|| {
            fault(
                ErrorKind::SoftwareTokenMfaNotFound,
                "Software Token MFA does not exist for the user.",
            )
        })?;
        let Some(step) = totp::verify(
            &secret,
            req.user_code.expose(),
            self.now(),
            mfa.totp_last_step,
        ) else {
            if let (Some(session), Some(state)) = (&req.session, &state) {
                self.store_challenge_with_id(session, &user, &client_id, state)
                    .await?;
            }
            return Err(fault(
                ErrorKind::EnableSoftwareTokenMfa,
                "Code mismatch and fail enable Software Token MFA",
            ));
        };
        mfa.totp_verified = true;
        mfa.totp_last_step = Some(step);
        let session = match state {
            // Enrolment during sign-in turns the factor on; signed in, SetUserMFAPreference does.
            Some(mut state) => {
                mfa.totp_enabled = true;
                state.stage = Some("verified".into());
                Some(Secret::new(
                    self.store_challenge(&user, &client_id, &state).await?,
                ))
            }
            None => None,
        };
        self.inner.store.put_mfa(&user.username, &mfa).await?;
        Ok(VerifySoftwareTokenResponse {
            status: "SUCCESS".into(),
            session,
        })
    }

    pub async fn set_user_mfa_preference(
        &self,
        req: SetUserMfaPreferenceRequest,
    ) -> OpResult<Empty> {
        let user = self.authorize(&req.access_token).await?;
        let mut mfa = self.inner.store.mfa(&user.username).await?;
        let settings = [
            (TOTP, req.software_token_mfa_settings),
            (SMS, req.sms_mfa_settings),
            (EMAIL, req.email_mfa_settings),
        ];
        for (factor, setting) in settings {
            let Some(setting) = setting else { continue };
            if let Some(enabled) = setting.enabled {
                if enabled {
                    let ready = match factor {
                        TOTP => mfa.totp_verified,
                        SMS => has_phone(&user),
                        _ => verified(&user, "email"),
                    };
                    if !ready {
                        return Err(fault(
                            ErrorKind::InvalidParameter,
                            format!("User does not have delivery config set to turn on {factor}"),
                        ));
                    }
                }
                match factor {
                    TOTP => mfa.totp_enabled = enabled,
                    SMS => mfa.sms_enabled = enabled,
                    _ => mfa.email_enabled = enabled,
                }
                if !enabled && mfa.preferred.as_deref() == Some(factor) {
                    mfa.preferred = None;
                }
            }
            if setting.preferred_mfa == Some(true) {
                mfa.preferred = Some(factor.to_owned());
            } else if setting.preferred_mfa == Some(false)
                && mfa.preferred.as_deref() == Some(factor)
            {
                mfa.preferred = None;
            }
        }
        self.inner.store.put_mfa(&user.username, &mfa).await?;
        Ok(Empty {})
    }
}
