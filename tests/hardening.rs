//! The app against what an outside review tried: telling accounts apart by their answers,
//! growing the session store anonymously, smuggling attributes, and reading pages off redirects.

mod common;
use common::*;
use local_pool::PoolConfig;

/// The error a page shows (its message key), if any.
fn error_key(html: &str) -> Option<String> {
    html.split("data-error=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
}

#[tokio::test]
async fn wrong_passwords_get_the_same_answers_for_real_and_unknown_accounts() {
    let app = start().await;
    app.confirmed_user("realuser").await;
    let mut answers = Vec::new();
    for name in ["realuser", "nosuchuser"] {
        let client = browser();
        let mut seen = Vec::new();
        for _ in 0..8 {
            app.post(
                &client,
                "/api/sign_in",
                &[("username", name), ("password", "Wrong-pass1!")],
            )
            .await;
            let (_, html) = app.page(&client, "/signin").await;
            seen.push(error_key(&html));
        }
        answers.push(seen);
    }
    assert_eq!(
        answers[0], answers[1],
        "the answers tell the accounts apart"
    );
    assert_eq!(
        answers[0].last().cloned().flatten().as_deref(),
        Some("error.rate_limited"),
        "{answers:?}"
    );
}

#[tokio::test]
async fn one_phone_number_is_one_limit_however_it_is_typed() {
    let app = start_with(PoolConfig {
        username_attributes: vec!["phone_number".into()],
        ..PoolConfig::default()
    })
    .await;
    let client = browser();
    let typed = [
        "(555) 945-1140",
        "5559451140",
        "555 945 1140",
        "555.945.1140",
    ];
    let mut last = None;
    for attempt in 0..10 {
        let number = typed[attempt % typed.len()];
        app.post(
            &client,
            "/api/sign_in",
            &[
                ("username", number),
                ("dial_code", "+1"),
                ("password", "Wrong-pass1!"),
            ],
        )
        .await;
        let (_, html) = app.page(&client, "/signin").await;
        last = error_key(&html);
    }
    assert_eq!(last.as_deref(), Some("error.rate_limited"));
}
