//! Pools created through the management API are kept across restarts; the configured pool
//! cannot be deleted.

use cognito_idp::Clock;
use local_pool::{LocalPool, PoolConfig, Pools};
use serde_json::json;

async fn open(dir: &std::path::Path) -> Pools {
    let config = PoolConfig {
        print_outbox: false,
        ..PoolConfig::default()
    };
    let endpoint = "http://127.0.0.1:9";
    let default = LocalPool::open(config, Some(dir), endpoint, Clock::system())
        .await
        .unwrap();
    Pools::open(default, endpoint, Some(dir.to_path_buf()), Clock::system())
        .await
        .unwrap()
}

#[tokio::test]
async fn created_pools_and_clients_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("local-pool-management-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let pools = open(&dir).await;
    let created = pools
        .manage("CreateUserPool", &json!({"PoolName": "kept"}))
        .await
        .unwrap()
        .unwrap();
    let pool_id = created["UserPool"]["Id"].as_str().unwrap().to_owned();
    let client = pools
        .manage(
            "CreateUserPoolClient",
            &json!({"UserPoolId": pool_id, "ClientName": "app"}),
        )
        .await
        .unwrap()
        .unwrap();
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(client_id.len(), 26);
    let refused = pools
        .manage(
            "DeleteUserPool",
            &json!({"UserPoolId": "us-east-1_LocalPool"}),
        )
        .await
        .unwrap();
    assert!(refused.is_err(), "the configured pool stays");
    drop(pools);

    let reopened = open(&dir).await;
    let pool = reopened
        .by_pool_id(&pool_id)
        .expect("the created pool is back");
    assert_eq!(pool.config().pool_name, "kept");
    assert!(pool.config().client(&client_id).is_some());
    let listed = reopened
        .manage("ListUserPools", &json!({}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(listed["UserPools"].as_array().unwrap().len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Two pools from one TOML file: each answers its own client, the outbox and the console
/// cover both, and neither is written to `pools.json` nor deletable through the API.
#[tokio::test]
async fn pools_declared_in_the_file_are_served_side_by_side() {
    let dir = std::env::temp_dir().join(format!("local-pool-two-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = PoolConfig::from_toml(
        r#"
        print_outbox = false
        [[pools]]
        pool_id = "eu-west-1_Second"
        pool_name = "second"
        print_outbox = false
        [[pools.clients]]
        client_id = "second0000000000000000001"
        "#,
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let default = LocalPool::open(config, Some(&dir), &endpoint, Clock::system())
        .await
        .unwrap();
    let pools = Pools::open(default, &endpoint, Some(dir.clone()), Clock::system())
        .await
        .unwrap();
    let app = local_pool::server::router(pools.clone())
        .nest("/local/outbox", local_pool::outbox::router(pools.clone()))
        .merge(local_pool::console::router(pools.clone()));
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });
    let http = reqwest::Client::new();
    let sign_up = |client_id: &'static str, username: &'static str| {
        http.post(format!("{endpoint}/"))
            .header("X-Amz-Target", "AWSCognitoIdentityProviderService.SignUp")
            .header("Content-Type", "application/x-amz-json-1.1")
            .json(&json!({
                "ClientId": client_id, "Username": username, "Password": "Corr3ct-horse!",
                "UserAttributes": [{"Name": "email", "Value": format!("{username}@example.com")}],
            }))
            .send()
    };
    assert!(sign_up("localclient0000000000000001", "first-user")
        .await
        .unwrap()
        .status()
        .is_success());
    let second = sign_up("second0000000000000000001", "second-user")
        .await
        .unwrap();
    assert!(second.status().is_success());

    let second_pool = pools.by_pool_id("eu-west-1_Second").unwrap();
    assert!(second_pool
        .store()
        .user("second-user")
        .await
        .unwrap()
        .is_some());
    assert!(pools
        .default_pool()
        .store()
        .user("second-user")
        .await
        .unwrap()
        .is_none());

    let outbox: Vec<local_pool::OutboxMessage> = http
        .get(format!("{endpoint}/local/outbox"))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pool_of = |user: &str| {
        outbox
            .iter()
            .find(|m| m.username == user)
            .map(|m| m.pool_id.clone())
    };
    assert_eq!(
        pool_of("first-user").as_deref(),
        Some("us-east-1_LocalPool")
    );
    assert_eq!(pool_of("second-user").as_deref(), Some("eu-west-1_Second"));

    let console = |query: &'static str| {
        let url = format!("{endpoint}/local/console{query}");
        let http = http.clone();
        async move { http.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let first_page = console("").await;
    assert!(first_page.contains("data-username=\"first-user\""));
    assert!(!first_page.contains("data-username=\"second-user\""));
    assert!(first_page.contains("href=\"/local/console?pool=eu-west-1_Second\""));
    let second_page = console("?pool=eu-west-1_Second").await;
    assert!(second_page.contains("data-username=\"second-user\""));
    assert!(second_page
        .contains("action=\"/local/console/users/second-user/delete?pool=eu-west-1_Second&\""));

    let refused = pools
        .manage("DeleteUserPool", &json!({"UserPoolId": "eu-west-1_Second"}))
        .await
        .unwrap();
    assert!(refused.is_err());
    pools
        .manage("CreateUserPool", &json!({"PoolName": "made"}))
        .await
        .unwrap()
        .unwrap();
    let saved = std::fs::read_to_string(dir.join("pools.json")).unwrap();
    assert!(saved.contains("\"made\""));
    assert!(!saved.contains("eu-west-1_Second"));
    let _ = std::fs::remove_dir_all(&dir);
}
