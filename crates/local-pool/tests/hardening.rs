//! What a hostile caller tries against the pool: IAM-signed operations from a web page, a
//! DNS-rebinding `Host`, the CORS answer browsers act on, and hostile paging values.

mod common;

use common::*;
use local_pool::PoolConfig;
use serde_json::{json, Value};

const FAKE_SIGNATURE: &str = "AWS4-HMAC-SHA256 Credential=test/20261127/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0";

fn call(endpoint: &str, operation: &str, body: &Value) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(format!("{endpoint}/"))
        .header(
            "X-Amz-Target",
            format!("AWSCognitoIdentityProviderService.{operation}"),
        )
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(body.to_string())
}

async fn error_type(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("a JSON error body");
    (
        status,
        body["__type"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn signed_operations_refuse_web_pages_whatever_their_signature() {
    let (pool, endpoint) = serve_tools(PoolConfig::default()).await;
    let pool_id = pool.config().pool_id.clone();
    let list = json!({ "UserPoolId": pool_id });
    // A server-side client (no browser headers) with a well-formed signature is served.
    let served = call(&endpoint, "ListUsers", &list)
        .header("Authorization", FAKE_SIGNATURE)
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);

    // The same call from a page on another origin, or from a DNS-rebinding page (same origin,
    // but a browser still sends Origin and Fetch Metadata), is refused before it runs.
    let browser_headers: [&[(&str, &str)]; 3] = [
        &[("Origin", "https://evil.example")],
        &[("Origin", &endpoint)],
        &[
            ("Sec-Fetch-Site", "same-origin"),
            ("Sec-Fetch-Mode", "cors"),
        ],
    ];
    for headers in browser_headers {
        for (operation, body) in [
            ("ListUsers", list.clone()),
            (
                "AdminSetUserPassword",
                json!({"UserPoolId": pool_id, "Username": "victim", "Password": PASSWORD, "Permanent": true}),
            ),
            (
                "DeleteUserPoolClient",
                json!({"UserPoolId": pool_id, "ClientId": pool.config().default_client().client_id}),
            ),
            ("ListUserPools", json!({"MaxResults": 60})),
        ] {
            let mut request =
                call(&endpoint, operation, &body).header("Authorization", FAKE_SIGNATURE);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let (status, kind) = error_type(request.send().await.unwrap()).await;
            assert_eq!(
                (status, kind.as_str()),
                (403, "AccessDeniedException"),
                "{operation} with {headers:?}"
            );
        }
    }
    assert!(
        pool.config()
            .client(&pool.config().default_client().client_id)
            .is_some(),
        "the app client is still there"
    );

    // Unsigned, an IAM operation gets AWS's answer.
    let (status, kind) =
        error_type(call(&endpoint, "ListUsers", &list).send().await.unwrap()).await;
    assert_eq!(
        (status, kind.as_str()),
        (403, "MissingAuthenticationTokenException")
    );

    // Public operations stay callable from any origin, as on AWS.
    let public = call(
        &endpoint,
        "SignUp",
        &json!({"ClientId": pool.config().default_client().client_id, "Username": "pageuser", "Password": PASSWORD}),
    )
    .header("Origin", "https://app.example")
    .send()
    .await
    .unwrap();
    assert_eq!(public.status(), 200);
    assert_eq!(public.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn the_preflight_allows_the_browser_sdk_headers_but_no_signature() {
    let (_, endpoint) = serve_tools(PoolConfig::default()).await;
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, format!("{endpoint}/"))
        .header("Origin", "http://127.0.0.1:5173")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "amz-sdk-invocation-id,amz-sdk-request,cache-control,content-type,x-amz-target,x-amz-user-agent",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200);
    let allowed: Vec<String> = preflight.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    for header in [
        "amz-sdk-invocation-id",
        "amz-sdk-request",
        "cache-control",
        "content-type",
        "x-amz-target",
        "x-amz-user-agent",
    ] {
        assert!(
            allowed.iter().any(|a| a == header),
            "{header} in {allowed:?}"
        );
    }
    for header in ["authorization", "x-amz-security-token"] {
        assert!(
            !allowed.iter().any(|a| a == header),
            "{header} must not be allowed"
        );
    }
}

#[tokio::test]
async fn the_pool_outbox_and_console_answer_only_this_machines_names() {
    let (pool, endpoint) = serve_tools(PoolConfig::default()).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let rebinding = "rebind.attacker.example";
    let port = endpoint.rsplit(':').next().unwrap();
    let outbox = |host: String| {
        http.get(format!("{endpoint}/local/outbox"))
            .header("Host", host)
            .header("Accept", "application/json")
            .send()
    };
    assert_eq!(
        outbox(format!("127.0.0.1:{port}")).await.unwrap().status(),
        200
    );
    assert_eq!(
        outbox(format!("localhost:{port}")).await.unwrap().status(),
        200
    );
    assert_eq!(
        outbox(format!("{rebinding}:{port}"))
            .await
            .unwrap()
            .status(),
        421
    );

    let console = http
        .post(format!("{endpoint}/local/console/users"))
        .header("Host", format!("{rebinding}:{port}"))
        .header("Origin", format!("http://{rebinding}:{port}"))
        .form(&[("username", "planted"), ("email", "planted@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(console.status(), 421);
    assert!(pool.store().user("planted").await.unwrap().is_none());

    let api = call(
        &endpoint,
        "SignUp",
        &json!({"ClientId": pool.config().default_client().client_id, "Username": "rebound", "Password": PASSWORD}),
    )
    .header("Host", rebinding)
    .send()
    .await
    .unwrap();
    assert_eq!(api.status(), 421);

    // A configured name is answered.
    let (_, listed) = serve_tools(PoolConfig {
        allowed_hosts: vec!["pool.test".into()],
        ..PoolConfig::default()
    })
    .await;
    let listed_port = listed.rsplit(':').next().unwrap();
    let answered = http
        .get(format!("{listed}/local/outbox"))
        .header("Host", format!("pool.test:{listed_port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 200);
}

#[tokio::test]
async fn hostile_paging_values_get_a_validation_error() {
    let harness = start(PoolConfig::default()).await;
    let tokens = harness.user("pager").await;
    let pool_id = harness.pool.config().pool_id.clone();
    let hostile: Vec<Value> = vec![
        json!("18446744073709551615"),
        json!("340282366920938463463374607431768211456"),
        json!("-1"),
        json!("1e3"),
        json!("abc"),
        json!("١٢٣"),
        json!("😀"),
        json!(""),
        json!(18446744073709551615u64),
        json!(-1),
        json!(1e308),
        json!(2.5),
        json!(true),
        json!([1]),
        json!({"n": 1}),
    ];
    let members: [(&str, &str, Value); 8] = [
        ("ListUsers", "Limit", json!({"UserPoolId": pool_id})),
        (
            "ListUsers",
            "PaginationToken",
            json!({"UserPoolId": pool_id}),
        ),
        ("ListUserPools", "MaxResults", json!({})),
        ("ListUserPools", "NextToken", json!({"MaxResults": 10})),
        (
            "ListUserPoolClients",
            "MaxResults",
            json!({"UserPoolId": pool_id}),
        ),
        (
            "ListUserPoolClients",
            "NextToken",
            json!({"UserPoolId": pool_id}),
        ),
        (
            "ListDevices",
            "Limit",
            json!({"AccessToken": tokens.access_token.expose()}),
        ),
        (
            "ListDevices",
            "PaginationToken",
            json!({"AccessToken": tokens.access_token.expose()}),
        ),
    ];
    for (operation, member, base) in members {
        for value in &hostile {
            let mut body = base.clone();
            body[member] = value.clone();
            let response = call(&harness.endpoint, operation, &body)
                .header("Authorization", FAKE_SIGNATURE)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{operation} {member}={value}: {e}"));
            let (status, kind) = error_type(response).await;
            assert_eq!(status, 400, "{operation} {member}={value}");
            assert!(
                matches!(
                    kind.as_str(),
                    "InvalidParameterException" | "SerializationException"
                ),
                "{operation} {member}={value}: {kind}"
            );
        }
    }
    // In range, paging works and walks the list.
    let first = harness
        .admin("ListUsers", json!({"UserPoolId": pool_id, "Limit": 1}))
        .await;
    assert_eq!(first.status(), 200);
}

#[tokio::test]
async fn sms_mfa_needs_a_phone_number_not_a_verified_one() {
    let harness = start(PoolConfig {
        mfa: local_pool::config::MfaMode::Optional,
        ..PoolConfig::default()
    })
    .await;
    // Signed up with a phone number that was never verified (codes go to the email).
    harness.confirmed_user("smsuser").await;
    let tokens = harness.sign_in("smsuser").await;
    harness
        .client
        .set_mfa_preference(cognito_idp::wire::SetUserMfaPreferenceRequest {
            access_token: tokens.access_token.clone(),
            sms_mfa_settings: Some(cognito_idp::wire::MfaSettings {
                enabled: Some(true),
                preferred_mfa: Some(true),
            }),
            software_token_mfa_settings: None,
            email_mfa_settings: None,
        })
        .await
        .expect("SMS MFA turns on for an unverified phone number, as on Cognito");
    let (name, _, parameters) = challenge(
        harness
            .client
            .sign_in_srp("smsuser", &cognito_idp::Secret::new(PASSWORD))
            .await
            .unwrap(),
    );
    assert_eq!(name, "SMS_MFA");
    assert_eq!(parameters.get("CODE_DELIVERY_DELIVERY_MEDIUM"), Some("SMS"));
    assert_eq!(harness.last_message("smsuser").await.channel, "SMS");
}

#[tokio::test]
async fn code_sends_are_throttled_per_user_known_or_not() {
    let harness = start(PoolConfig::default()).await;
    harness.confirmed_user("resetter").await;
    for login in ["resetter", "nobody-here"] {
        for attempt in 0..5 {
            harness
                .client
                .forgot_password(login)
                .await
                .unwrap_or_else(|e| panic!("{login} send {attempt}: {e:?}"));
        }
        let (kind, _) = kind(harness.client.forgot_password(login).await.unwrap_err());
        assert_eq!(kind, cognito_idp::ErrorKind::LimitExceeded, "{login}");
    }
    // Resending a sign-up code is throttled the same way.
    harness.sign_up("unconfirmed").await;
    for _ in 0..4 {
        harness
            .client
            .resend_confirmation_code("unconfirmed")
            .await
            .unwrap();
    }
    harness
        .client
        .resend_confirmation_code("unconfirmed")
        .await
        .unwrap();
    let (kind, _) = kind(
        harness
            .client
            .resend_confirmation_code("unconfirmed")
            .await
            .unwrap_err(),
    );
    assert_eq!(kind, cognito_idp::ErrorKind::LimitExceeded);
}

#[tokio::test]
async fn an_unknown_users_code_destination_looks_like_a_real_one() {
    let harness = start(PoolConfig::default()).await;
    let mut destinations = Vec::new();
    for i in 0..40 {
        let login = format!("ghost{i}");
        let first = harness.client.forgot_password(&login).await.unwrap();
        let destination = first
            .code_delivery_details
            .and_then(|d| d.destination)
            .unwrap();
        destinations.push(destination);
    }
    // Real addresses start with any letter and end in many domains; hex digits and a lone
    // `.com` would mark the answer as made up.
    let firsts: std::collections::BTreeSet<char> = destinations
        .iter()
        .filter_map(|d| d.chars().next())
        .collect();
    assert!(
        firsts.iter().any(|c| !c.is_ascii_hexdigit()),
        "{destinations:?}"
    );
    let tlds: std::collections::BTreeSet<&str> = destinations
        .iter()
        .filter_map(|d| d.rsplit('.').next())
        .collect();
    assert!(tlds.len() > 1, "{destinations:?}");
    // And one name always gets the same answer, as a real user would.
    let again = harness.client.forgot_password("ghost0").await.unwrap();
    assert_eq!(
        again.code_delivery_details.and_then(|d| d.destination),
        Some(destinations[0].clone())
    );
}

#[tokio::test]
async fn a_password_for_an_unknown_user_costs_the_same_hashing_as_for_a_real_one() {
    let harness = start(PoolConfig::default()).await;
    harness.confirmed_user("hashed").await;
    let mut costs = Vec::new();
    for login in ["hashed", "nobody-hashed"] {
        let before = harness.pool.password_checks();
        let (kind, message) = kind(
            harness
                .client
                .sign_in_password(login, &cognito_idp::Secret::new("Wrong-pass1!"))
                .await
                .unwrap_err(),
        );
        assert_eq!(
            (kind, message.as_str()),
            (
                cognito_idp::ErrorKind::NotAuthorized,
                "Incorrect username or password."
            )
        );
        costs.push(harness.pool.password_checks() - before);
    }
    assert_eq!(costs, [1, 1], "one argon2 check each");
}
