//! The user pool domain's token endpoint, as an app's server calls it after a federated
//! sign-in: an authorization code and its PKCE verifier for tokens.

use crate::client::UserPoolClient;
use crate::secret::Secret;
use crate::wire::AuthenticationResult;
use base64::Engine as _;

/// Why the token endpoint gave no tokens (its `error` code, or the transport's failure).
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("the token endpoint refused the code: {0}")]
    Refused(String),
    #[error("the token endpoint could not be reached: {0}")]
    Unreachable(String),
    #[error("the token endpoint's answer had no tokens")]
    Malformed,
}

#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: Secret,
    id_token: Option<Secret>,
    refresh_token: Option<Secret>,
    expires_in: i64,
    token_type: String,
}

impl UserPoolClient {
    /// `POST <domain>/oauth2/token` with `grant_type=authorization_code`, the app client's
    /// secret (if any) as HTTP Basic, as Cognito's managed login expects.
    pub async fn redeem_authorization_code(
        &self,
        domain: &str,
        code: &str,
        redirect_uri: &str,
        code_verifier: &Secret,
    ) -> Result<AuthenticationResult, OAuthError> {
        let mut request = self
            .transport
            .http()
            .post(format!("{}/oauth2/token", domain.trim_end_matches('/')))
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", self.client_id.as_str()),
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("code_verifier", code_verifier.expose()),
            ]);
        if let Some(secret) = self.client_secret() {
            let basic = base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                self.client_id,
                secret.expose()
            ));
            request = request.header("authorization", format!("Basic {basic}"));
        }
        let response = request
            .send()
            .await
            .map_err(|e| OAuthError::Unreachable(e.without_url().to_string()))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| OAuthError::Unreachable(e.without_url().to_string()))?;
        if !status.is_success() {
            let error = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_owned))
                .unwrap_or_else(|| format!("HTTP {status}"));
            return Err(OAuthError::Refused(error));
        }
        let answer: TokenAnswer =
            serde_json::from_slice(&body).map_err(|_| OAuthError::Malformed)?;
        Ok(AuthenticationResult {
            access_token: answer.access_token,
            expires_in: answer.expires_in,
            token_type: answer.token_type,
            refresh_token: answer.refresh_token,
            id_token: answer.id_token.ok_or(OAuthError::Malformed)?,
            new_device_metadata: None,
        })
    }
}
