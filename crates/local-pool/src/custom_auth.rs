//! `CUSTOM_AUTH`: Cognito's define / create / verify auth-challenge triggers, either built in (a
//! demo that emails a one-time code) or HTTP webhooks receiving Cognito's trigger events.

use crate::challenges::ChallengeState;
use crate::config::CustomAuth;
use crate::pool::{fault, required, Fault, LocalPool, OpResult, SESSION_EXPIRED};
use crate::store::UserRecord;
use cognito_idp::error::ErrorKind;
use cognito_idp::wire::*;
use cognito_idp::{Secret, SecretMap};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// One finished round, as Cognito lists them in `request.session`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Round {
    #[serde(rename = "challengeName")]
    pub challenge_name: String,
    #[serde(rename = "challengeResult")]
    pub challenge_result: bool,
    #[serde(rename = "challengeMetadata", default)]
    pub challenge_metadata: Option<String>,
}

/// The custom part of a challenge session.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct CustomState {
    pub rounds: Vec<Round>,
    pub private: serde_json::Map<String, Value>,
    pub metadata: Option<String>,
}

struct Define {
    challenge_name: Option<String>,
    issue_tokens: bool,
    fail: bool,
}

fn lambda_error(message: impl Into<String>) -> Fault {
    fault(ErrorKind::UserLambdaValidation, message)
}

impl LocalPool {
    async fn define(
        &self,
        user: &UserRecord,
        client_id: &str,
        rounds: &[Round],
    ) -> OpResult<Define> {
        match &self.cfg().custom_auth {
            CustomAuth::Demo => {
                // Only the custom rounds count (SRP rounds come first in CUSTOM_WITH_SRP).
                let custom: Vec<&Round> = rounds
                    .iter()
                    .filter(|r| r.challenge_name == "CUSTOM_CHALLENGE")
                    .collect();
                let ask = || Define {
                    challenge_name: Some("CUSTOM_CHALLENGE".into()),
                    issue_tokens: false,
                    fail: false,
                };
                Ok(match custom.last() {
                    None => ask(),
                    Some(last) if last.challenge_result => Define {
                        challenge_name: None,
                        issue_tokens: true,
                        fail: false,
                    },
                    Some(_) if custom.len() >= 3 => Define {
                        challenge_name: None,
                        issue_tokens: false,
                        fail: true,
                    },
                    Some(_) => ask(),
                })
            }
            CustomAuth::Webhook { define_url, .. } => {
                let event = self.event(
                    user,
                    client_id,
                    "DefineAuthChallenge_Authentication",
                    json!({"userAttributes": Self::user_attributes(user), "session": rounds, "userNotFound": false}),
                );
                let response = self
                    .call_trigger(define_url, "DefineAuthChallenge", event)
                    .await?;
                Ok(Define {
                    challenge_name: response["challengeName"].as_str().map(str::to_owned),
                    issue_tokens: response["issueTokens"].as_bool().unwrap_or(false),
                    fail: response["failAuthentication"].as_bool().unwrap_or(false),
                })
            }
        }
    }

    /// Public parameters, private parameters and metadata of a new round.
    async fn create(
        &self,
        user: &UserRecord,
        client_id: &str,
        rounds: &[Round],
    ) -> OpResult<(SecretMap, serde_json::Map<String, Value>, Option<String>)> {
        match &self.cfg().custom_auth {
            CustomAuth::Demo => {
                let email = user.attributes.get("email").cloned().ok_or_else(|| {
                    lambda_error("The demo custom challenge emails a code, and this user has no email address.")
                })?;
                let code = self.new_code(&user.username);
                self.send_message(
                    &user.username,
                    "EMAIL",
                    &email,
                    "CUSTOM_CHALLENGE",
                    Some(&code),
                    format!("Your sign-in code is {code}"),
                )
                .await?;
                let public: SecretMap = [
                    ("type", "EMAIL_CODE".to_owned()),
                    ("destination", crate::pool::mask_email(&email)),
                    (
                        "attempt",
                        (rounds
                            .iter()
                            .filter(|r| r.challenge_name == "CUSTOM_CHALLENGE")
                            .count()
                            + 1)
                        .to_string(),
                    ),
                ]
                .into_iter()
                .collect();
                let private = [("answer".to_owned(), Value::String(code))]
                    .into_iter()
                    .collect();
                Ok((public, private, Some("EMAIL_CODE".into())))
            }
            CustomAuth::Webhook { create_url, .. } => {
                let event = self.event(
                    user,
                    client_id,
                    "CreateAuthChallenge_Authentication",
                    json!({"userAttributes": Self::user_attributes(user), "challengeName": "CUSTOM_CHALLENGE", "session": rounds, "userNotFound": false}),
                );
                let response = self
                    .call_trigger(create_url, "CreateAuthChallenge", event)
                    .await?;
                let public: SecretMap = response["publicChallengeParameters"]
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .map(|(k, v)| {
                                (
                                    k.clone(),
                                    v.as_str()
                                        .map(str::to_owned)
                                        .unwrap_or_else(|| v.to_string()),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let private = response["privateChallengeParameters"]
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                Ok((
                    public,
                    private,
                    response["challengeMetadata"].as_str().map(str::to_owned),
                ))
            }
        }
    }

    async fn verify(
        &self,
        user: &UserRecord,
        client_id: &str,
        state: &CustomState,
        answer: &str,
    ) -> OpResult<bool> {
        match &self.cfg().custom_auth {
            CustomAuth::Demo => {
                Ok(state.private.get("answer").and_then(Value::as_str) == Some(answer))
            }
            CustomAuth::Webhook { verify_url, .. } => {
                let event = self.event(
                    user,
                    client_id,
                    "VerifyAuthChallengeResponse_Authentication",
                    json!({"userAttributes": Self::user_attributes(user), "privateChallengeParameters": state.private, "challengeAnswer": answer, "userNotFound": false}),
                );
                let response = self
                    .call_trigger(verify_url, "VerifyAuthChallengeResponse", event)
                    .await?;
                Ok(response["answerCorrect"].as_bool().unwrap_or(false))
            }
        }
    }

    /// Runs define (and create) for the rounds so far: tokens, failure, or the next challenge.
    async fn next_custom_round(
        &self,
        user: &UserRecord,
        client_id: &str,
        rounds: Vec<Round>,
    ) -> OpResult<AuthResponse> {
        let decision = self.define(user, client_id, &rounds).await?;
        if decision.issue_tokens {
            return self.issue_tokens(user, client_id, None).await;
        }
        if decision.fail || decision.challenge_name.as_deref() != Some("CUSTOM_CHALLENGE") {
            return Err(fault(ErrorKind::NotAuthorized, crate::pool::INCORRECT));
        }
        let (public, private, metadata) = self.create(user, client_id, &rounds).await?;
        let custom = CustomState {
            rounds,
            private,
            metadata,
        };
        let state = ChallengeState {
            stage: Some(serde_json::to_string(&custom).expect("custom state serialises")),
            ..Default::default()
        };
        self.challenge(user, client_id, "CUSTOM_CHALLENGE", public, state)
            .await
    }

    /// CUSTOM_WITH_SRP: the password was right; the custom rounds follow.
    pub(crate) async fn custom_after_password(
        &self,
        user: UserRecord,
        client_id: &str,
    ) -> OpResult<AuthResponse> {
        if !user.enabled {
            return Err(fault(ErrorKind::NotAuthorized, "User is disabled."));
        }
        match user.status {
            crate::store::UserStatus::Unconfirmed => {
                return Err(fault(ErrorKind::UserNotConfirmed, "User is not confirmed."))
            }
            crate::store::UserStatus::ResetRequired => {
                return Err(fault(
                    ErrorKind::PasswordResetRequired,
                    "Password reset required for the user",
                ))
            }
            _ => {}
        }
        let passed = |name: &str| Round {
            challenge_name: name.into(),
            challenge_result: true,
            challenge_metadata: None,
        };
        self.next_custom_round(
            &user,
            client_id,
            vec![passed("SRP_A"), passed("PASSWORD_VERIFIER")],
        )
        .await
    }

    pub(crate) async fn start_custom_auth(
        &self,
        req: &InitiateAuthRequest,
    ) -> OpResult<AuthResponse> {
        let params = &req.auth_parameters;
        let login = required(params, "USERNAME")?;
        let client = self.check_client(&req.client_id, params.get("SECRET_HASH"), login)?;
        let Some(user) = self.resolve_user(login).await? else {
            return Err(if client.prevent_user_existence_errors {
                fault(ErrorKind::NotAuthorized, crate::pool::INCORRECT)
            } else {
                fault(ErrorKind::UserNotFound, "User does not exist.")
            });
        };
        if !user.enabled {
            return Err(fault(ErrorKind::NotAuthorized, "User is disabled."));
        }
        if user.status != crate::store::UserStatus::Confirmed {
            return Err(fault(ErrorKind::UserNotConfirmed, "User is not confirmed."));
        }
        self.next_custom_round(&user, &req.client_id, Vec::new())
            .await
    }

    pub(crate) async fn answer_custom_challenge(
        &self,
        _session: &Secret,
        user: &UserRecord,
        client_id: &str,
        state: ChallengeState,
        responses: &SecretMap,
    ) -> OpResult<AuthResponse> {
        let answer = required(responses, "ANSWER")?;
        let custom: CustomState = state
            .stage
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .ok_or_else(|| fault(ErrorKind::NotAuthorized, SESSION_EXPIRED))?;
        let correct = self.verify(user, client_id, &custom, answer).await?;
        let mut rounds = custom.rounds;
        rounds.push(Round {
            challenge_name: "CUSTOM_CHALLENGE".into(),
            challenge_result: correct,
            challenge_metadata: custom.metadata,
        });
        self.next_custom_round(user, client_id, rounds).await
    }
}
