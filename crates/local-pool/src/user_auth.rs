//! Choice-based sign-in (`USER_AUTH`): the first factors a pool allows and a user has,
//! `SELECT_CHALLENGE`, a password, a one-time code by email or SMS or a passkey
//! (`webauthn.rs`) as the first factor, and
//! `GetUserAuthFactors`. Unknown users get answers shaped like a real user's, stable per name.

use crate::challenges::ChallengeState;
use crate::pool::{fault, required, LocalPool, OpResult, INCORRECT, SESSION_EXPIRED};
use crate::store::{UserRecord, UserStatus};
use crate::webauthn::WEB_AUTHN;
use cognito_idp::error::ErrorKind;
use cognito_idp::wire::*;
use cognito_idp::{Secret, SecretMap};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

pub const SELECT_CHALLENGE: &str = "SELECT_CHALLENGE";
pub const SMS_OTP: &str = "SMS_OTP";
/// The challenges `PREFERRED_CHALLENGE` and `ANSWER` may name.
const CHOICES: [&str; 5] = [
    "PASSWORD",
    "PASSWORD_SRP",
    "EMAIL_OTP",
    "SMS_OTP",
    "WEB_AUTHN",
];

fn verified(user: &UserRecord, attribute: &str) -> bool {
    user.attributes.contains_key(attribute)
        && user
            .attributes
            .get(&format!("{attribute}_verified"))
            .map(String::as_str)
            == Some("true")
}

fn check_choice(name: &str, member: &str) -> OpResult<()> {
    if CHOICES.contains(&name) {
        Ok(())
    } else {
        Err(fault(
            ErrorKind::InvalidParameter,
            format!("{member} {name:?} is not one of {}", CHOICES.join(", ")),
        ))
    }
}

impl LocalPool {
    /// The first factors `user` can sign in with now, in Cognito's order. A user with MFA, or
    /// any user of a pool that requires MFA, is offered only the password (Cognito's rule:
    /// a one-time code as first factor cannot be followed by MFA).
    pub(crate) async fn first_factors(&self, user: &UserRecord) -> OpResult<Vec<String>> {
        let config = self.cfg();
        let mfa = self.inner.store.mfa(&user.username).await?;
        let has_mfa = !self.enabled_factors(user, &mfa).is_empty();
        let passwordless = !has_mfa && config.mfa != crate::config::MfaMode::On;
        let mut factors = Vec::new();
        if config.allows_first_factor("PASSWORD") && !user.password_hash.is_empty() {
            factors.extend(["PASSWORD".to_owned(), "PASSWORD_SRP".to_owned()]);
        }
        if passwordless && config.allows_first_factor("EMAIL_OTP") && verified(user, "email") {
            factors.push("EMAIL_OTP".to_owned());
        }
        if passwordless && config.allows_first_factor(SMS_OTP) && verified(user, "phone_number") {
            factors.push(SMS_OTP.to_owned());
        }
        // Where a passkey with user verification counts as MFA, users with MFA may use it too.
        if (passwordless || config.webauthn.is_multi_factor()) && self.has_passkey(user).await? {
            factors.push(WEB_AUTHN.to_owned());
        }
        Ok(factors)
    }

    /// A login as the pool looks it up (emails are matched without case where users sign in
    /// with them), so a stand-in's answers do not change with the case typed.
    fn normalised(&self, login: &str) -> String {
        if self.cfg().signs_in_with("email") && login.contains('@') {
            login.to_lowercase()
        } else {
            login.to_owned()
        }
    }

    fn decoy_seed(&self, purpose: &str, login: &str) -> [u8; 32] {
        let login = self.normalised(login);
        Sha256::digest(format!("{}#{purpose}:{login}", self.inner.fake_seed)).into()
    }

    /// The name an unknown login is given in challenges: the login itself where users sign in
    /// with a username, a stable id shaped like Cognito's where they sign in with an alias.
    pub(crate) fn decoy_username(&self, login: &str) -> String {
        if self.cfg().username_attributes.is_empty() {
            return login.to_owned();
        }
        let seed = self.decoy_seed("username", login);
        uuid::Builder::from_random_bytes(seed[..16].try_into().expect("16 bytes"))
            .into_uuid()
            .to_string()
    }

    /// A stand-in user for an unknown login; never stored.
    pub(crate) fn decoy_user(&self, username: &str) -> UserRecord {
        UserRecord {
            username: username.to_owned(),
            sub: String::new(),
            status: UserStatus::Confirmed,
            enabled: true,
            attributes: BTreeMap::new(),
            password_hash: String::new(),
            srp_salt: Vec::new(),
            srp_verifier: Vec::new(),
            failed_attempts: 0,
            created_at: 0,
            updated_at: 0,
        }
    }

    /// What an unknown login is offered, shaped like a real user's and the same each time:
    /// where the login is an email or phone number the pool signs in with, its code (a real
    /// user found that way has it verified); other code factors for about half of all names;
    /// and the password, which about a quarter of the names that get a code go without (as
    /// users who signed up without one do).
    fn decoy_factors(&self, login: &str) -> Vec<String> {
        let config = self.cfg();
        let seed = self.decoy_seed("factors", login);
        let passwordless = config.mfa != crate::config::MfaMode::On;
        let by_email = config.signs_in_with("email") && login.contains('@');
        let by_phone = config.signs_in_with("phone_number") && login.starts_with('+');
        let email = passwordless
            && config.allows_first_factor("EMAIL_OTP")
            && (by_email || (!by_phone && seed[0] & 1 == 1));
        let sms = passwordless
            && config.allows_first_factor(SMS_OTP)
            && (by_phone || (!by_email && seed[1] & 1 == 1));
        let password = config.allows_first_factor("PASSWORD")
            && (!(email || sms) || !seed[2].is_multiple_of(4));
        let mut factors = Vec::new();
        if password {
            factors.extend(["PASSWORD".to_owned(), "PASSWORD_SRP".to_owned()]);
        }
        if email {
            factors.push("EMAIL_OTP".to_owned());
        }
        if sms {
            factors.push(SMS_OTP.to_owned());
        }
        if (passwordless || config.webauthn.is_multi_factor())
            && self.passkeys_on()
            && seed[3].is_multiple_of(4)
        {
            factors.push(WEB_AUTHN.to_owned());
        }
        factors
    }

    /// The passkey an unknown name is said to have, the same each time: an id of 16 bytes
    /// (Google Password Manager's, Chromium's) or 32 (Windows Hello's), as real ones vary.
    fn decoy_credential(&self, login: &str) -> Vec<u8> {
        let seed = self.decoy_seed("passkey", login);
        let length = if seed[31] & 1 == 0 { 16 } else { 32 };
        seed[..length].to_vec()
    }

    /// `InitiateAuth` / `AdminInitiateAuth` with `USER_AUTH`.
    pub(crate) async fn start_user_auth(
        &self,
        req: &InitiateAuthRequest,
    ) -> OpResult<AuthResponse> {
        let params = &req.auth_parameters;
        let login = required(params, "USERNAME")?;
        let client = self.check_client(&req.client_id, params.get("SECRET_HASH"), login)?;
        if let Some(session) = &req.session {
            // Auto sign-in after confirmation: the sign-up code was the first factor.
            let record = self
                .take_session(session.expose(), "confirmed", &req.client_id)
                .await?;
            return match self.resolve_user(login).await? {
                Some(user) if user.username == record.username => {
                    self.after_first_factor(user, &req.client_id, params.get("DEVICE_KEY"))
                        .await
                }
                _ => Err(fault(ErrorKind::NotAuthorized, SESSION_EXPIRED)),
            };
        }
        if let Some(preferred) = params.get("PREFERRED_CHALLENGE") {
            check_choice(preferred, "PREFERRED_CHALLENGE")?;
        }
        let user = self.resolve_user(login).await?;
        let (user, available, decoy) = match user {
            Some(user) => {
                let factors = self.first_factors(&user).await?;
                (user, factors, false)
            }
            None if client.prevent_user_existence_errors => (
                self.decoy_user(&self.decoy_username(login)),
                self.decoy_factors(login),
                true,
            ),
            None => return Err(fault(ErrorKind::UserNotFound, "User does not exist.")),
        };
        match params.get("PREFERRED_CHALLENGE") {
            // A preferred factor this user lacks falls back to the choice.
            Some(preferred) if available.iter().any(|f| f == preferred) => {
                self.begin_first_factor(&user, decoy, login, preferred, params, &req.client_id)
                    .await
            }
            _ => {
                let state = ChallengeState {
                    options: available.clone(),
                    decoy,
                    ..Default::default()
                };
                let mut answer = self
                    .challenge(
                        &user,
                        &req.client_id,
                        SELECT_CHALLENGE,
                        SecretMap::new(),
                        state,
                    )
                    .await?;
                answer.available_challenges = Some(available);
                Ok(answer)
            }
        }
    }

    /// `RespondToAuthChallenge` to `SELECT_CHALLENGE`: the `ANSWER` must be one the user was
    /// offered; it starts that factor, with its proof when it carries one (a password, `SRP_A`).
    pub(crate) async fn answer_select_challenge(
        &self,
        user: &UserRecord,
        state: ChallengeState,
        session: &Secret,
        req: &RespondToAuthChallengeRequest,
    ) -> OpResult<AuthResponse> {
        let responses = &req.challenge_responses;
        let login = required(responses, "USERNAME")?;
        let answer = required(responses, "ANSWER")?;
        check_choice(answer, "ANSWER")?;
        if !state.options.iter().any(|o| o == answer) {
            // The same session may choose another, a few times (its attempts are counted).
            let message = format!("{answer} is not one of the challenges available to the user");
            return self
                .wrong_code(
                    session,
                    user,
                    &req.client_id,
                    state,
                    ErrorKind::InvalidParameter,
                    &message,
                )
                .await;
        }
        self.begin_first_factor(user, state.decoy, login, answer, responses, &req.client_id)
            .await
    }

    /// Starts (or, with its proof in `params`, passes) the first factor `factor`.
    async fn begin_first_factor(
        &self,
        user: &UserRecord,
        decoy: bool,
        login: &str,
        factor: &str,
        params: &SecretMap,
        client_id: &str,
    ) -> OpResult<AuthResponse> {
        match factor {
            "PASSWORD" => {
                let password = required(params, "PASSWORD")?;
                if decoy {
                    let hash = self.decoy_hash().await?;
                    self.verify_password(password, &hash).await;
                    return Err(fault(ErrorKind::NotAuthorized, INCORRECT));
                }
                self.check_lockout(user).await?;
                if !self.verify_password(password, &user.password_hash).await {
                    return Err(self.record_failed_sign_in(user.clone()).await);
                }
                self.after_first_factor(user.clone(), client_id, params.get("DEVICE_KEY"))
                    .await
            }
            "PASSWORD_SRP" => {
                let mut srp_params: SecretMap = [
                    ("USERNAME", login.to_owned()),
                    ("SRP_A", required(params, "SRP_A")?.to_owned()),
                ]
                .into_iter()
                .collect();
                for key in ["SECRET_HASH", "DEVICE_KEY"] {
                    if let Some(value) = params.get(key) {
                        srp_params.insert(key, value.to_owned());
                    }
                }
                self.start_srp(&InitiateAuthRequest {
                    auth_flow: "USER_SRP_AUTH".into(),
                    auth_parameters: srp_params,
                    client_id: client_id.to_owned(),
                    client_metadata: None,
                    session: None,
                })
                .await
            }
            "EMAIL_OTP" | SMS_OTP => {
                // Each ask sends a message: limited per account (however it is named), known
                // or not, like other sends.
                self.throttle_code_send(&user.username)?;
                let (medium, attribute) = if factor == SMS_OTP {
                    ("SMS", "phone_number")
                } else {
                    ("EMAIL", "email")
                };
                let destination = if decoy {
                    self.decoy_destination(login, attribute)
                } else {
                    user.attributes.get(attribute).cloned().unwrap_or_default()
                };
                let state = ChallengeState {
                    first_factor: true,
                    decoy,
                    ..Default::default()
                };
                self.code_challenge(
                    user,
                    client_id,
                    factor,
                    (medium, attribute, &destination),
                    state,
                )
                .await
            }
            WEB_AUTHN => {
                let decoy_credential = decoy.then(|| self.decoy_credential(login));
                self.passkey_challenge(user, decoy_credential, client_id)
                    .await
            }
            _ => Err(fault(
                ErrorKind::InvalidParameter,
                format!("{factor} is not one of the challenges available to the user"),
            )),
        }
    }

    /// The address an unknown login's code would go to (masked later, like a real one): the
    /// login itself when it is an address of that kind, else one drawn from the name.
    fn decoy_destination(&self, login: &str, attribute: &str) -> String {
        let login = self.normalised(login);
        let seed = self.decoy_seed(attribute, &login);
        if attribute == "phone_number" {
            if login.starts_with('+') && crate::pool::is_valid_phone(&login) {
                return login;
            }
            let digits: String = seed[..4]
                .iter()
                .map(|b| char::from(b'0' + b % 10))
                .collect();
            return format!("+1555010{digits}");
        }
        if crate::pool::is_valid_email(&login) {
            return login;
        }
        const DOMAINS: [&str; 8] = [
            "gmail.com",
            "outlook.com",
            "yahoo.com",
            "icloud.com",
            "hotmail.com",
            "proton.me",
            "gmx.de",
            "example.org",
        ];
        let letter = char::from(b'a' + seed[0] % 26);
        format!("{letter}@{}", DOMAINS[seed[1] as usize % DOMAINS.len()])
    }

    /// `GetUserAuthFactors`: the user's MFA settings and every factor they could sign in with.
    pub async fn get_user_auth_factors(
        &self,
        req: GetUserAuthFactorsRequest,
    ) -> OpResult<GetUserAuthFactorsResponse> {
        let user = self.authorize(&req.0.access_token).await?;
        let (enabled, preferred) = self.mfa_settings(&user).await?;
        let config = self.cfg();
        let mut factors = Vec::new();
        if !user.password_hash.is_empty() {
            factors.push("PASSWORD".to_owned());
        }
        let first = |factor: &str, attribute: &str| {
            config.allows_first_factor(factor) && verified(&user, attribute)
        };
        if first("EMAIL_OTP", "email") || enabled.iter().any(|f| f == "EMAIL_OTP") {
            factors.push("EMAIL_OTP".to_owned());
        }
        if first(SMS_OTP, "phone_number") || enabled.iter().any(|f| f == "SMS_MFA") {
            factors.push(SMS_OTP.to_owned());
        }
        if enabled.iter().any(|f| f == "SOFTWARE_TOKEN_MFA") {
            factors.push("SOFTWARE_TOKEN".to_owned());
        }
        if self.has_passkey(&user).await? {
            factors.push(WEB_AUTHN.to_owned());
        }
        Ok(GetUserAuthFactorsResponse {
            username: user.username,
            preferred_mfa_setting: preferred,
            user_mfa_setting_list: Some(enabled),
            configured_user_auth_factors: factors,
        })
    }
}
