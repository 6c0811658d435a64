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
