//! Single-flight token refresh: when several requests of one session find the access token
//! expired at once, one of them asks Cognito and the others use its answer, so a burst costs
//! one `REFRESH_TOKEN_AUTH` and no request sees a half-rotated session.

use cognito_idp::wire::AuthenticationResult;
use cognito_idp::{Error, Secret};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

/// How long a fresh answer is handed to late arrivals of the same burst.
const SHARE_SECS: i64 = 30;

type Slot = Arc<tokio::sync::Mutex<Option<(i64, AuthenticationResult)>>>;

#[derive(Default)]
pub struct Refreshes {
    /// By a hash of the refresh token (the token itself is not kept as a key).
    slots: Mutex<HashMap<[u8; 32], Slot>>,
}

impl Refreshes {
    /// Runs `refresh` unless another request refreshed this token in the last moments, in
    /// which case its result is returned. Failures are not shared: the next caller tries again.
    pub async fn run<F>(
        &self,
        refresh_token: &Secret,
        now: i64,
        refresh: impl FnOnce() -> F,
    ) -> Result<AuthenticationResult, Error>
    where
        F: Future<Output = Result<AuthenticationResult, Error>>,
    {
        let key: [u8; 32] = Sha256::digest(refresh_token.expose().as_bytes()).into();
        let slot = {
            let mut slots = self.slots.lock().expect("refresh slots");
            slots.retain(|_, slot| {
                Arc::strong_count(slot) > 1
                    || slot.try_lock().is_ok_and(|done| {
                        done.as_ref().is_some_and(|(at, _)| now - at < SHARE_SECS)
                    })
            });
            slots.entry(key).or_default().clone()
        };
        let mut done = slot.lock().await;
        if let Some((at, result)) = done.as_ref() {
            if now - at < SHARE_SECS {
                return Ok(result.clone());
            }
        }
        let result = refresh().await?;
        *done = Some((now, result.clone()));
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn tokens(tag: &str) -> AuthenticationResult {
        AuthenticationResult {
            access_token: Secret::new(tag),
            expires_in: 3600,
            token_type: "Bearer".into(),
            refresh_token: None,
            id_token: Secret::new(tag),
            new_device_metadata: None,
        }
    }

    #[tokio::test]
    async fn a_burst_of_refreshes_calls_once() {
        let refreshes = Arc::new(Refreshes::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let token = Secret::new("refresh-1");
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (refreshes, calls, token) = (refreshes.clone(), calls.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                refreshes
                    .run(&token, 100, || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        Ok(tokens("new"))
                    })
                    .await
                    .unwrap()
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap().access_token.expose(), "new");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Later, the same token is refreshed again.
        let again = refreshes
            .run(&token, 100 + SHARE_SECS, || async { Ok(tokens("newer")) })
            .await
            .unwrap();
        assert_eq!(again.access_token.expose(), "newer");
    }
}
