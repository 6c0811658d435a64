//! Every log line of a whole journey (sign-up, confirmation, sign-in with a wrong and a right
//! password, password reset, sign-out) is captured: no password, code, token, SRP value or
//! Cognito `Session` appears, and each auth event is logged with its outcome.

mod common;
use common::*;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether `text` holds `word` with no letter or digit right before or after it.
fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// The longest run of characters that base64url, hex or JWT values are made of.
fn longest_token_like_run(text: &str) -> usize {
    text.split(|c: char| {
        !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '+' || c == '/' || c == '=')
    })
    .map(str::len)
    .max()
    .unwrap_or(0)
}

#[tokio::test]
async fn a_whole_journey_logs_its_events_and_no_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter("trace,hyper=info,hyper_util=info,h2=info,reqwest=debug,sqlx=info")
        .without_time()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let app = start().await;
    let client = browser();
    app.sign_up(&client, "logan").await;
    let mut codes = vec![app.last_code("logan").await];
    let (_, location) = app
        .post(&client, "/api/confirm_sign_up", &[("code", &codes[0])])
        .await;
    assert_eq!(location, "/account");
    app.post(&client, "/api/sign_out", &[]).await;
    let wrong = "Wr0ng-but-secret!";
    app.post(
        &client,
        "/api/sign_in",
        &[("username", "logan"), ("password", wrong)],
    )
    .await;
    assert_eq!(app.sign_in(&client, "logan").await, "/account");
    app.post(&client, "/api/sign_out_everywhere", &[]).await;

    app.post(&client, "/api/forgot_password", &[("username", "logan")])
        .await;
    codes.push(app.last_code("logan").await);
    let new_password = "N3w-and-secret!";
    let (_, location) = app
        .post(
            &client,
            "/api/reset_password",
            &[
                ("code", &codes[1]),
                ("password", new_password),
                ("confirm_password", new_password),
            ],
        )
        .await;
    assert_eq!(location, "/signin");

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.lines().count() > 20, "the journey was logged:\n{logs}");
    for secret in [PASSWORD, wrong, new_password] {
        assert!(!logs.contains(secret), "a password in the logs");
    }
    for code in &codes {
        assert!(!contains_word(&logs, code), "code {code} in the logs");
    }
    assert!(!logs.contains("eyJ"), "a JWT in the logs");
    // Refresh tokens and Cognito Sessions are 128 base64url characters, SRP values hundreds of
    // hex digits; nothing that long belongs in a log line.
    assert!(
        longest_token_like_run(&logs) < 64,
        "a token-like value in the logs"
    );

    let events: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("event=\"auth\""))
        .collect();
    assert!(events.iter().any(|l| l.contains("step=SignIn")
        && l.contains("outcome=\"error\"")
        && l.contains("error.incorrect_credentials")));
    assert!(events.iter().any(|l| l.contains("step=SignIn")
        && l.contains("outcome=\"ok\"")
        && l.contains("next=\"Done\"")));
    assert!(events
        .iter()
        .any(|l| l.contains("step=ConfirmSignUp") && l.contains("outcome=\"ok\"")));
    assert!(events
        .iter()
        .all(|l| l.contains("latency_ms=") && l.contains("request_id=")));
}
