//! The console: listing, searching, creating and managing users, loopback and same-origin only.

mod common;

use local_pool::{LocalPool, PoolConfig};

async fn start() -> (LocalPool, String) {
    common::serve_tools(PoolConfig::default()).await
}

#[tokio::test]
async fn create_find_disable_and_delete_users() {
    let (pool, endpoint) = start().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let http = http.clone();
        let endpoint = endpoint.clone();
        async move {
            http.post(format!("{endpoint}{path}"))
                .header("Origin", &endpoint)
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    let created = post(
        "/local/console/users".into(),
        vec![
            ("username", "wendy".into()),
            ("email", "wendy@example.com".into()),
        ],
    )
    .await;
    assert_eq!(created.status(), 303);
    let user = pool.store().user("wendy").await.unwrap().unwrap();
    assert_eq!(user.status.as_str(), "FORCE_CHANGE_PASSWORD");
    assert!(pool
        .outbox()
        .await
        .unwrap()
        .iter()
        .any(|m| m.username == "wendy" && m.kind == "TEMPORARY_PASSWORD"));

    let page = http
        .get(format!("{endpoint}/local/console/?q=wendy%40example"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-username=\"wendy\""));
    assert!(page.contains("FORCE_CHANGE_PASSWORD"));
    let none = http
        .get(format!("{endpoint}/local/console/?q=nobody"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!none.contains("data-username=\"wendy\""));

    assert_eq!(
        post("/local/console/users/wendy/disable".into(), vec![])
            .await
            .status(),
        303
    );
    assert!(!pool.store().user("wendy").await.unwrap().unwrap().enabled);
    assert_eq!(
        post("/local/console/users/wendy/enable".into(), vec![])
            .await
            .status(),
        303
    );
    assert!(pool.store().user("wendy").await.unwrap().unwrap().enabled);

    // A duplicate is refused with the pool's own message.
    let again = post(
        "/local/console/users".into(),
        vec![("username", "wendy".into())],
    )
    .await;
    assert!(again.headers()["location"]
        .to_str()
        .unwrap()
        .contains("error=User%20account%20already%20exists"));

    // Cross-site posts are refused.
    let forged = http
        .post(format!("{endpoint}/local/console/users/wendy/delete"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(pool.store().user("wendy").await.unwrap().is_some());

    assert_eq!(
        post("/local/console/users/wendy/delete".into(), vec![])
            .await
            .status(),
        303
    );
    assert!(pool.store().user("wendy").await.unwrap().is_none());
    let html = http
        .get(format!("{endpoint}/local/console/?q=<script>"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>"), "input is escaped");
}

#[tokio::test]
async fn provider_users_show_their_identities() {
    let (pool, endpoint) = start().await;
    let identities = r#"[{"userId":"117300206013007398924","providerName":"Google","providerType":"Google","issuer":null,"primary":"true","dateCreated":"1"}]"#;
    let user = local_pool::store::UserRecord {
        username: "google_117300206013007398924".into(),
        sub: "7dca9b92-746b-4406-9f7d-3e58cd7b247f".into(),
        status: local_pool::UserStatus::ExternalProvider,
        enabled: true,
        attributes: [
            ("identities".to_owned(), identities.to_owned()),
            ("email".to_owned(), "jane@example.com".to_owned()),
        ]
        .into(),
        password_hash: String::new(),
        srp_salt: Vec::new(),
        srp_verifier: Vec::new(),
        failed_attempts: 0,
        created_at: 1,
        updated_at: 1,
    };
    assert!(pool.store().insert_user(&user).await.unwrap());
    let page = reqwest::get(format!("{endpoint}/local/console/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("EXTERNAL_PROVIDER"));
    assert!(
        page.contains("identity: Google 117300206013007398924 (signed up)"),
        "{page}"
    );
    assert!(!page.contains("providerType"), "the raw JSON is not shown");
}
