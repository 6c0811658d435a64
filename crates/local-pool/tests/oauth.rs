//! The pool's OAuth 2.0 / OpenID Connect domain with the built-in test identity provider:
//! authorization code with PKCE, refresh, client credentials, userInfo, revoke, logout, and the
//! redirect checks, over HTTP as a browser and an app's server would use them.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use local_pool::config::{AppClient, IdentityProviderConfig};
use local_pool::PoolConfig;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const CALLBACK: &str = "http://localhost:4000/auth/callback";
const SIGNED_OUT: &str = "http://localhost:4000/signin";
const VERIFIER: &str = "a-code-verifier-of-more-than-forty-three-characters-0123456789";

fn config() -> PoolConfig {
    let mut config = PoolConfig::default();
    let client = &mut config.clients[0];
    client.allowed_oauth_flows_user_pool_client = true;
    client.allowed_oauth_flows = vec!["code".into()];
    client.allowed_oauth_scopes = [
        "openid",
        "email",
        "profile",
        "aws.cognito.signin.user.admin",
    ]
    .map(str::to_owned)
    .to_vec();
    client.callback_urls = vec![CALLBACK.into()];
    client.logout_urls = vec![SIGNED_OUT.into()];
    client.supported_identity_providers = vec!["COGNITO".into(), "Google".into()];
    config.clients.push(AppClient {
        client_id: "machineclient000000000001".into(),
        client_name: "machine".into(),
        client_secret: Some("machine-secret".into()),
        allowed_oauth_flows_user_pool_client: true,
        allowed_oauth_flows: vec!["client_credentials".into()],
        allowed_oauth_scopes: vec!["https://api.example.com/orders.read".into()],
        ..AppClient::default()
    });
    config.identity_providers = vec![IdentityProviderConfig {
        provider_name: "Google".into(),
        provider_type: "Google".into(),
        ..Default::default()
    }];
    config
}

struct Domain {
    harness: common::Harness,
    http: reqwest::Client,
    base: String,
    client_id: String,
}

async fn start() -> Domain {
    start_with(config()).await
}

async fn start_with(config: PoolConfig) -> Domain {
    let harness = common::start(config).await;
    let base = format!(
        "{}/local/auth/{}",
        harness.endpoint,
        PoolConfig::default().pool_id
    );
    Domain {
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        client_id: PoolConfig::default().default_client().client_id.clone(),
        harness,
        base,
    }
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

fn query_of(url: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn challenge() -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()))
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

impl Domain {
    fn authorize_url(&self, extra: &[(&str, &str)]) -> String {
        let mut url = url::Url::parse(&format!("{}/oauth2/authorize", self.base)).unwrap();
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in [
                ("response_type", "code"),
                ("client_id", self.client_id.as_str()),
                ("redirect_uri", CALLBACK),
                ("state", "st=ate/1"),
                ("identity_provider", "Google"),
                (
                    "scope",
                    "openid email profile aws.cognito.signin.user.admin",
                ),
                ("nonce", "n-0S6_WzA2Mj"),
                ("code_challenge_method", "S256"),
            ] {
                if !extra.iter().any(|(name, _)| *name == k) {
                    q.append_pair(k, v);
                }
            }
            // No challenge when the test leaves the method out (the implicit grant).
            let without_pkce = extra
                .iter()
                .any(|(name, value)| *name == "code_challenge_method" && value.is_empty());
            if !without_pkce {
                q.append_pair("code_challenge", &challenge());
            }
            for (k, v) in extra.iter().filter(|(_, v)| !v.is_empty()) {
                q.append_pair(k, v);
            }
        }
        url.to_string()
    }

    /// `/oauth2/authorize`, then the test provider's page, then the choice: the app's callback URL.
    async fn sign_in_at_provider(&self, email: &str, cookie: Option<&str>) -> reqwest::Response {
        self.sign_in_with("Google", email, cookie).await
    }

    async fn sign_in_with(
        &self,
        provider: &str,
        email: &str,
        cookie: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .get(self.authorize_url(&[("identity_provider", provider)]));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let to_page = request.send().await.unwrap();
        assert_eq!(to_page.status(), 302);
        let page_path = location(&to_page);
        assert!(page_path.starts_with("/local/auth/"), "{page_path}");
        let page = self
            .http
            .get(format!("{}{page_path}", self.harness.endpoint))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(page
            .text()
            .await
            .unwrap()
            .contains(&format!("Sign in to {provider} (local test provider)")));
        let request_id = query_of(&format!("http://x{page_path}"))["request"].clone();
        self.choose(&page_path, &request_id, "continue", email)
            .await
    }

    async fn choose(
        &self,
        page_path: &str,
        request: &str,
        action: &str,
        email: &str,
    ) -> reqwest::Response {
        let path = page_path.split('?').next().unwrap();
        self.http
            .post(format!("{}{path}", self.harness.endpoint))
            .header("origin", &self.harness.endpoint)
            .form(&[
                ("request", request),
                ("action", action),
                ("email", email),
                ("name", "Jane Doe"),
                ("email_verified", "true"),
            ])
            .send()
            .await
            .unwrap()
    }

    async fn token(&self, form: &[(&str, &str)]) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/oauth2/token", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn redeem(&self, code: &str) -> (u16, Value) {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("client_id", &self.client_id),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ])
        .await
    }
}

#[tokio::test]
async fn code_flow_with_pkce_makes_a_federated_user_and_tokens_like_cognitos() {
    let domain = start().await;
    let back = domain.sign_in_at_provider("jane@example.com", None).await;
    assert_eq!(back.status(), 302);
    let cookie = back.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let to_app = location(&back);
    assert!(to_app.starts_with(CALLBACK), "{to_app}");
    let query = query_of(&to_app);
    assert_eq!(query["state"], "st=ate/1", "state comes back byte for byte");
    let (status, tokens) = domain.redeem(&query["code"]).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(id["aud"], domain.client_id.as_str());
    assert_eq!(id["email"], "jane@example.com");
    assert_eq!(id["email_verified"], true);
    let username = id["cognito:username"].as_str().unwrap().to_owned();
    assert!(username.starts_with("google_"), "{username}");
    assert_eq!(id["identities"][0]["providerName"], "Google");
    assert_eq!(id["identities"][0]["primary"], "true");
    let access = claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(
        access["scope"],
        "openid email profile aws.cognito.signin.user.admin"
    );
    let user = domain
        .harness
        .pool
        .store()
        .user(&username)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.status.as_str(), "EXTERNAL_PROVIDER");

    // A code is good once.
    let (status, again) = domain.redeem(&query["code"]).await;
    assert_eq!((status, again), (400, json!({"error": "invalid_grant"})));

    // userInfo answers for this access token, not for one from the API.
    let info: Value = domain
        .http
        .get(format!("{}/oauth2/userInfo", domain.base))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["email"], "jane@example.com");
    assert_eq!(info["username"], username.as_str());
    domain.harness.confirmed_user("api-user").await;
    let api_tokens = domain.harness.sign_in("api-user").await;
    let refused = domain
        .http
        .get(format!("{}/oauth2/userInfo", domain.base))
        .bearer_auth(api_tokens.access_token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert!(refused.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("invalid_token"));

    // Refresh keeps the scopes; revoking ends the lineage.
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, refreshed) = domain
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", &domain.client_id),
            ("refresh_token", refresh),
        ])
        .await;
    assert_eq!(status, 200, "{refreshed}");
    assert!(refreshed.get("refresh_token").is_none());
    assert_eq!(
        claims(refreshed["access_token"].as_str().unwrap())["scope"],
        access["scope"]
    );
    assert!(claims(refreshed["id_token"].as_str().unwrap())
        .get("nonce")
        .is_none());
    let revoked = domain
        .http
        .post(format!("{}/oauth2/revoke", domain.base))
        .form(&[("token", refresh), ("client_id", &domain.client_id)])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    let (status, body) = domain
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", &domain.client_id),
            ("refresh_token", refresh),
        ])
        .await;
    assert_eq!((status, body), (400, json!({"error": "invalid_grant"})));

    // The same identity again is the same user.
    let second = domain.sign_in_at_provider("jane@example.com", None).await;
    let (_, tokens) = domain.redeem(&query_of(&location(&second))["code"]).await;
    assert_eq!(
        claims(tokens["id_token"].as_str().unwrap())["cognito:username"],
        username.as_str()
    );
}

#[tokio::test]
async fn unregistered_redirects_never_reach_the_app_and_other_errors_come_back_with_the_state() {
    let domain = start().await;
    for redirect in [
        "http://localhost:4000/auth/callback/other",
        "http://localhost:4001/auth/callback",
        "https://evil.example/auth/callback",
        "",
    ] {
        let response = domain
            .http
            .get(domain.authorize_url(&[("redirect_uri", redirect)]))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{redirect}");
        assert!(response.headers().get("location").is_none());
        assert!(response.text().await.unwrap().contains("redirect_mismatch"));
    }
    let unknown_client = domain
        .http
        .get(domain.authorize_url(&[("client_id", "nosuchclient")]))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_client.status(), 400);
    for (extra, error) in [
        (("identity_provider", "Facebook"), "invalid_request"),
        (("code_challenge_method", "plain"), "invalid_request"),
        (("response_type", "id_token"), "unsupported_response_type"),
        (("scope", "phone"), "invalid_scope"),
    ] {
        let response = domain
            .http
            .get(domain.authorize_url(&[extra]))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 302, "{extra:?}");
        let query = query_of(&location(&response));
        assert!(location(&response).starts_with(CALLBACK));
        assert_eq!(query["error"], error, "{extra:?}");
        assert_eq!(query["state"], "st=ate/1");
    }
}

#[tokio::test]
async fn cancel_wrong_verifier_and_replayed_requests_are_refused() {
    let domain = start().await;
    let to_page = domain
        .http
        .get(domain.authorize_url(&[]))
        .send()
        .await
        .unwrap();
    let page_path = location(&to_page);
    let request = query_of(&format!("http://x{page_path}"))["request"].clone();
    // Another site's page cannot post the choice.
    let forged = domain
        .http
        .post(format!(
            "{}{}",
            domain.harness.endpoint,
            page_path.split('?').next().unwrap()
        ))
        .header("origin", "https://evil.example")
        .form(&[
            ("request", request.as_str()),
            ("action", "continue"),
            ("email", "x@example.com"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    // A bad email stays on the page with the reason.
    let bad = domain
        .choose(&page_path, &request, "continue", "not-an-email")
        .await;
    assert_eq!(bad.status(), 400);
    assert!(bad
        .text()
        .await
        .unwrap()
        .contains("Enter an email address such as"));
    let cancelled = domain.choose(&page_path, &request, "cancel", "").await;
    let query = query_of(&location(&cancelled));
    assert_eq!(query["error"], "access_denied");
    assert_eq!(query["state"], "st=ate/1");
    assert!(!query.contains_key("code"));
    // The request is used up.
    let replay = domain
        .choose(&page_path, &request, "continue", "jane@example.com")
        .await;
    assert_eq!(replay.status(), 400);
    assert!(replay.headers().get("location").is_none());

    let back = domain.sign_in_at_provider("jane@example.com", None).await;
    let code = query_of(&location(&back))["code"].clone();
    let (status, body) = domain
        .token(&[
            ("grant_type", "authorization_code"),
            ("client_id", &domain.client_id),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            (
                "code_verifier",
                "the-wrong-verifier-of-more-than-forty-three-characters-000",
            ),
        ])
        .await;
    assert_eq!((status, body), (400, json!({"error": "invalid_grant"})));
    // A code tried once with the wrong verifier is gone for the right one too.
    assert_eq!(domain.redeem(&code).await.0, 400);
}

#[tokio::test]
async fn the_domain_session_signs_in_again_until_logout() {
    let domain = start().await;
    let back = domain.sign_in_at_provider("jane@example.com", None).await;
    let set_cookie = back.headers()["set-cookie"].to_str().unwrap();
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let again = domain
        .http
        .get(domain.authorize_url(&[]))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert!(
        location(&again).starts_with(CALLBACK),
        "no question asked with a live session"
    );
    assert!(query_of(&location(&again)).contains_key("code"));

    let refused = domain
        .http
        .get(format!("{}/logout", domain.base))
        .query(&[
            ("client_id", domain.client_id.as_str()),
            ("logout_uri", "https://evil.example/"),
        ])
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let logout = domain
        .http
        .get(format!("{}/logout", domain.base))
        .query(&[
            ("client_id", domain.client_id.as_str()),
            ("logout_uri", SIGNED_OUT),
        ])
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(location(&logout), SIGNED_OUT);
    assert!(logout.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let asked = domain
        .http
        .get(domain.authorize_url(&[]))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert!(
        location(&asked).contains("/test-idp/Google"),
        "the provider asks again"
    );
}

#[tokio::test]
async fn client_credentials_for_machine_clients_only() {
    let domain = start().await;
    let machine = "machineclient000000000001";
    let basic = |secret: &str| {
        base64::engine::general_purpose::STANDARD.encode(format!("{machine}:{secret}"))
    };
    let post = |auth: Option<String>, form: Vec<(&'static str, &'static str)>| {
        let request = domain
            .http
            .post(format!("{}/oauth2/token", domain.base))
            .form(&form);
        let request = match auth {
            Some(a) => request.header("authorization", format!("Basic {a}")),
            None => request,
        };
        async move {
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let (status, body) = post(
        Some(basic("machine-secret")),
        vec![("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let access = claims(body["access_token"].as_str().unwrap());
    assert_eq!(access["scope"], "https://api.example.com/orders.read");
    assert_eq!(access["client_id"], machine);
    assert!(body.get("refresh_token").is_none() && body.get("id_token").is_none());
    let (status, body) = post(
        Some(basic("wrong")),
        vec![("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!((status, body), (401, json!({"error": "invalid_client"})));
    let (status, body) = post(
        Some(basic("machine-secret")),
        vec![
            ("grant_type", "client_credentials"),
            ("scope", "https://api.example.com/orders.write"),
        ],
    )
    .await;
    assert_eq!((status, body), (400, json!({"error": "invalid_scope"})));
    let public = domain.client_id.clone();
    let (status, body) = domain
        .token(&[("grant_type", "client_credentials"), ("client_id", &public)])
        .await;
    assert_eq!(
        (status, body),
        (400, json!({"error": "unauthorized_client"}))
    );
    let (status, body) = domain
        .token(&[("grant_type", "password"), ("client_id", &public)])
        .await;
    assert_eq!(
        (status, body),
        (400, json!({"error": "unsupported_grant_type"}))
    );
}

#[tokio::test]
async fn identity_providers_are_managed_as_cognito_manages_them() {
    let domain = start().await;
    let h = &domain.harness;
    let pool_id = PoolConfig::default().pool_id;
    let created = h
        .admin(
            "CreateIdentityProvider",
            json!({"UserPoolId": pool_id, "ProviderName": "MyCorp", "ProviderType": "OIDC",
                   "ProviderDetails": {"client_id": "corp", "oidc_issuer": "https://login.corp.example",
                                       "authorize_scopes": "openid email"},
                   "IdpIdentifiers": ["corp.example"]}),
        )
        .await;
    assert_eq!(created.status(), 200);
    let body: Value = created.json().await.unwrap();
    assert_eq!(body["IdentityProvider"]["ProviderType"], "OIDC");
    let duplicate = h
        .admin(
            "CreateIdentityProvider",
            json!({"UserPoolId": pool_id, "ProviderName": "MyCorp", "ProviderType": "OIDC"}),
        )
        .await;
    assert_eq!(
        duplicate.headers()["x-amzn-errortype"]
            .to_str()
            .unwrap()
            .split(':')
            .next(),
        Some("DuplicateProviderException")
    );
    let misnamed = h
        .admin(
            "CreateIdentityProvider",
            json!({"UserPoolId": pool_id, "ProviderName": "Goog", "ProviderType": "Google"}),
        )
        .await;
    assert_eq!(misnamed.status(), 400);
    let by_identifier: Value = h
        .admin(
            "GetIdentityProviderByIdentifier",
            json!({"UserPoolId": pool_id, "IdpIdentifier": "corp.example"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_identifier["IdentityProvider"]["ProviderName"], "MyCorp");
    let updated: Value = h
        .admin("UpdateIdentityProvider", json!({"UserPoolId": pool_id, "ProviderName": "MyCorp", "AttributeMapping": {"email": "mail"}}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        updated["IdentityProvider"]["AttributeMapping"],
        json!({"email": "mail"})
    );
    let listed: Value = h
        .admin("ListIdentityProviders", json!({"UserPoolId": pool_id}))
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = listed["Providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["ProviderName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Google", "MyCorp"]);
    assert_eq!(
        h.admin(
            "DeleteIdentityProvider",
            json!({"UserPoolId": pool_id, "ProviderName": "MyCorp"})
        )
        .await
        .status(),
        200
    );
    let gone = h
        .admin(
            "DescribeIdentityProvider",
            json!({"UserPoolId": pool_id, "ProviderName": "MyCorp"}),
        )
        .await;
    assert_eq!(gone.status(), 400);

    // Callback URLs must be https (or on this machine) and without a fragment.
    let client_id = domain.client_id.clone();
    for bad in [
        "http://example.com/cb",
        "https://example.com/cb#x",
        "not a url",
    ] {
        let refused = h
            .admin(
                "UpdateUserPoolClient",
                json!({"UserPoolId": pool_id, "ClientId": client_id, "CallbackURLs": [bad]}),
            )
            .await;
        assert_eq!(refused.status(), 400, "{bad}");
    }
    let described: Value = h
        .admin(
            "DescribeUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientId": client_id}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        described["UserPoolClient"]["CallbackURLs"],
        json!([CALLBACK])
    );
    assert_eq!(
        described["UserPoolClient"]["AllowedOAuthFlows"],
        json!(["code"])
    );
}

#[tokio::test]
async fn scopes_limit_what_a_token_does_and_names_cannot_be_taken_over() {
    let domain = start().await;
    // An identity's name taken first by a sign-up with a password is not adopted.
    let email = "victim@example.com";
    let page = domain
        .http
        .get(domain.authorize_url(&[]))
        .send()
        .await
        .unwrap();
    let page_path = location(&page);
    let request = query_of(&format!("http://x{page_path}"))["request"].clone();
    let first = domain.choose(&page_path, &request, "continue", email).await;
    let code = query_of(&location(&first))["code"].clone();
    let (_, tokens) = domain.redeem(&code).await;
    let username = claims(tokens["id_token"].as_str().unwrap())["cognito:username"]
        .as_str()
        .unwrap()
        .to_owned();
    domain
        .harness
        .pool
        .store()
        .delete_user(&username)
        .await
        .unwrap();
    domain.harness.confirmed_user(&username).await;
    let taken = domain.sign_in_at_provider(email, None).await;
    let query = query_of(&location(&taken));
    assert_eq!(query["error"], "invalid_request");
    assert!(!query.contains_key("code"));

    // A token with only `openid email` reads userInfo but cannot act on the user through the API.
    let to_page = domain
        .http
        .get(domain.authorize_url(&[("scope", "openid email")]))
        .send()
        .await
        .unwrap();
    let page_path = location(&to_page);
    let request = query_of(&format!("http://x{page_path}"))["request"].clone();
    let back = domain
        .choose(&page_path, &request, "continue", "reader@example.com")
        .await;
    let (_, tokens) = domain.redeem(&query_of(&location(&back))["code"]).await;
    let access = tokens["access_token"].as_str().unwrap();
    let info = domain
        .http
        .get(format!("{}/oauth2/userInfo", domain.base))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), 200);
    let refused = domain
        .harness
        .client
        .get_user(&cognito_idp::Secret::new(access.to_owned()))
        .await
        .unwrap_err();
    assert_eq!(
        common::kind(refused).0,
        cognito_idp::ErrorKind::NotAuthorized
    );

    // What a stranger can make the domain keep stays small.
    let long = "x".repeat(5000);
    let response = domain
        .http
        .get(domain.authorize_url(&[("state", &long)]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn provider_users_are_no_one_to_sign_in_sign_up_and_password_reset() {
    let mut config = config();
    config.username_attributes = vec!["email".into()];
    let harness = common::start(config).await;
    let domain = Domain {
        base: format!(
            "{}/local/auth/{}",
            harness.endpoint,
            PoolConfig::default().pool_id
        ),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        client_id: PoolConfig::default().default_client().client_id.clone(),
        harness,
    };
    let email = "shared@example.com";
    let back = domain.sign_in_at_provider(email, None).await;
    let (_, tokens) = domain.redeem(&query_of(&location(&back))["code"]).await;
    let federated = claims(tokens["id_token"].as_str().unwrap())["cognito:username"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = &domain.harness.client;
    // No reset code for the provider's user, by its name or by the email the provider claimed.
    for login in [federated.as_str(), email] {
        client.forgot_password(login).await.unwrap();
    }
    let outbox = domain.harness.pool.outbox().await.unwrap();
    assert!(outbox.iter().all(|m| m.username != federated), "{outbox:?}");
    // The email is still free for a sign-up of one's own, which then owns it for sign-in.
    let signed_up = client
        .sign_up(email, &cognito_idp::Secret::new(common::PASSWORD), vec![])
        .await
        .unwrap();
    assert_ne!(signed_up.user_sub, "");
    let own = domain
        .harness
        .pool
        .store()
        .users_with_attribute("email", email)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username != federated)
        .unwrap()
        .username;
    let code = domain.harness.last_code(&own).await;
    client
        .confirm_sign_up(email, &cognito_idp::Secret::new(code), None)
        .await
        .unwrap();
    let tokens = domain.harness.sign_in(email).await;
    assert_ne!(
        claims(tokens.id_token.expose())["cognito:username"],
        federated.as_str()
    );
}

#[tokio::test]
async fn an_administrator_links_a_provider_identity_to_a_pool_user_and_unlinks_it() {
    let domain = start().await;
    let h = &domain.harness;
    let pool_id = PoolConfig::default().pool_id;
    let email = "carlos@gmail.example";
    let username_of = |tokens: &Value| {
        claims(tokens["id_token"].as_str().unwrap())["cognito:username"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let first = domain.sign_in_at_provider(email, None).await;
    let (_, tokens) = domain.redeem(&query_of(&location(&first))["code"]).await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["cognito:groups"], json!([format!("{pool_id}_Google")]));
    let federated = username_of(&tokens);
    let subject = federated.trim_start_matches("google_").to_owned();
    // The provider's user starts afresh once unlinked; then the identity joins carlos.
    let disabled = h
        .admin(
            "AdminDisableProviderForUser",
            json!({"UserPoolId": pool_id, "User": {"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": subject}}),
        )
        .await;
    assert_eq!(disabled.status(), 200);
    assert!(h.pool.store().user(&federated).await.unwrap().is_none());
    h.confirmed_user("carlos").await;
    let link = |destination: &str| {
        h.admin(
            "AdminLinkProviderForUser",
            json!({"UserPoolId": pool_id,
                   "DestinationUser": {"ProviderName": "Cognito", "ProviderAttributeValue": destination},
                   "SourceUser": {"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": subject}}),
        )
    };
    assert_eq!(link("nobody").await.status(), 400);
    assert_eq!(link("carlos").await.status(), 200);
    let again = link("carlos").await;
    assert_eq!(
        again.headers()["x-amzn-errortype"]
            .to_str()
            .unwrap()
            .split(':')
            .next(),
        Some("AliasExistsException")
    );
    let linked = domain.sign_in_at_provider(email, None).await;
    let (_, tokens) = domain.redeem(&query_of(&location(&linked))["code"]).await;
    assert_eq!(username_of(&tokens), "carlos");
    // Unlinked, the identity is a user of its own again.
    h.admin(
        "AdminDisableProviderForUser",
        json!({"UserPoolId": pool_id, "User": {"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": subject}}),
    )
    .await;
    let alone = domain.sign_in_at_provider(email, None).await;
    let (_, tokens) = domain.redeem(&query_of(&location(&alone))["code"]).await;
    assert_eq!(username_of(&tokens), federated);
}

#[tokio::test]
async fn no_one_writes_their_own_identities() {
    let domain = start().await;
    let h = &domain.harness;
    // Learn a victim identity's subject, then let it start afresh.
    let first = domain
        .sign_in_at_provider("victim@gmail.example", None)
        .await;
    let (_, tokens) = domain.redeem(&query_of(&location(&first))["code"]).await;
    let federated = claims(tokens["id_token"].as_str().unwrap())["cognito:username"]
        .as_str()
        .unwrap()
        .to_owned();
    let subject = federated.trim_start_matches("google_").to_owned();
    let forged = json!([{"providerName": "Google", "userId": subject}]).to_string();
    // Neither at sign-up nor afterwards can a user claim that identity.
    h.client
        .sign_up(
            "mallory",
            &cognito_idp::Secret::new(common::PASSWORD),
            vec![
                cognito_idp::wire::AttributeType::new("email", "mallory@example.com"),
                cognito_idp::wire::AttributeType::new("identities", &forged),
            ],
        )
        .await
        .unwrap();
    let stored = h.pool.store().user("mallory").await.unwrap().unwrap();
    assert!(!stored.attributes.contains_key("identities"));
    let code = h.last_code("mallory").await;
    h.client
        .confirm_sign_up("mallory", &cognito_idp::Secret::new(code), None)
        .await
        .unwrap();
    let mallory = h.sign_in("mallory").await;
    let refused = domain
        .http
        .post(format!("{}/", h.endpoint))
        .header(
            "X-Amz-Target",
            "AWSCognitoIdentityProviderService.UpdateUserAttributes",
        )
        .header("Content-Type", "application/x-amz-json-1.1")
        .json(&json!({
            "AccessToken": mallory.access_token.expose(),
            "UserAttributes": [{"Name": "identities", "Value": forged}],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert!(!h
        .pool
        .store()
        .user("mallory")
        .await
        .unwrap()
        .unwrap()
        .attributes
        .contains_key("identities"));
    let again = domain
        .sign_in_at_provider("victim@gmail.example", None)
        .await;
    let (_, tokens) = domain.redeem(&query_of(&location(&again))["code"]).await;
    assert_eq!(
        claims(tokens["id_token"].as_str().unwrap())["cognito:username"],
        federated.as_str()
    );
}

#[tokio::test]
async fn a_saml_provider_takes_its_metadata_and_its_users_are_named_by_their_name_id() {
    let domain = start().await;
    let h = &domain.harness;
    let pool_id = PoolConfig::default().pool_id;
    let create = |details: Value| {
        h.admin(
            "CreateIdentityProvider",
            json!({"UserPoolId": pool_id, "ProviderName": "CorpSAML", "ProviderType": "SAML",
                   "ProviderDetails": details}),
        )
    };
    for (details, reason) in [
        (json!({}), "MetadataFile or MetadataURL"),
        (
            json!({"MetadataFile": "<EntityDescriptor"}),
            "not well-formed",
        ),
        (
            json!({"MetadataURL": "http://idp.corp.example/metadata"}),
            "https",
        ),
    ] {
        let refused = create(details).await;
        assert_eq!(refused.status(), 400);
        assert!(refused.headers()["x-amzn-errortype"]
            .to_str()
            .unwrap()
            .starts_with("InvalidParameterException"));
        let body: Value = refused.json().await.unwrap();
        assert!(body["message"].as_str().unwrap().contains(reason), "{body}");
    }
    let created: Value = create(json!({"MetadataFile": SAML_METADATA, "IDPSignout": "true"}))
        .await
        .json()
        .await
        .unwrap();
    let details = &created["IdentityProvider"]["ProviderDetails"];
    assert_eq!(
        details["SSORedirectBindingURI"],
        "https://sso.corp.example/sso"
    );
    assert_eq!(details["IDPSignout"], "true");
    assert_eq!(
        created["IdentityProvider"]["AttributeMapping"]["email"],
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
    );
    // Describe adds what Cognito adds for each type.
    let google: Value = h
        .admin(
            "DescribeIdentityProvider",
            json!({"UserPoolId": pool_id, "ProviderName": "Google"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        google["IdentityProvider"]["ProviderDetails"]["oidc_issuer"],
        "https://accounts.google.com"
    );
    h.admin(
        "UpdateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientId": domain.client_id,
               "SupportedIdentityProviders": ["COGNITO", "Google", "CorpSAML"]}),
    )
    .await;

    // The test provider stands in; the user is named by the NameID (the email) as on Cognito.
    let back = domain
        .sign_in_with("CorpSAML", "Kim.Lee@corp.example", None)
        .await;
    assert_eq!(back.status(), 302);
    let code = query_of(&location(&back))["code"].clone();
    let (status, tokens) = domain.redeem(&code).await;
    assert_eq!(status, 200, "{tokens}");
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["cognito:username"], "corpsaml_Kim.Lee@corp.example");
    assert_eq!(id["email"], "Kim.Lee@corp.example");
    assert_eq!(id["email_verified"], false);
    assert_eq!(id["given_name"], "Jane");
    assert_eq!(
        id["identities"][0],
        json!({"userId": "Kim.Lee@corp.example", "providerName": "CorpSAML", "providerType": "SAML",
               "issuer": "https://sts.corp.example/tenant/", "primary": "true",
               "dateCreated": id["identities"][0]["dateCreated"]})
    );
    assert_eq!(id["cognito:groups"], json!([format!("{pool_id}_CorpSAML")]));
}

const SAML_METADATA: &str = r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sts.corp.example/tenant/">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://sso.corp.example/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#;

#[tokio::test]
async fn an_implicit_grant_puts_the_tokens_in_the_fragment_for_clients_that_allow_it() {
    let domain = start().await;
    let h = &domain.harness;
    let pool_id = PoolConfig::default().pool_id;
    let implicit = [("response_type", "token"), ("code_challenge_method", "")];
    let fragment_of = |url: &str| -> std::collections::HashMap<String, String> {
        let url = url::Url::parse(url).unwrap();
        url::form_urlencoded::parse(url.fragment().unwrap_or_default().as_bytes())
            .into_owned()
            .collect()
    };
    let refused = domain
        .http
        .get(domain.authorize_url(&implicit))
        .send()
        .await
        .unwrap();
    // An implicit client reads errors from the fragment too.
    let answer = fragment_of(&location(&refused));
    assert_eq!(answer["error"], "unauthorized_client");
    assert_eq!(answer["state"], "st=ate/1");
    let unknown = domain
        .http
        .get(domain.authorize_url(&[("response_type", "id_token")]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        query_of(&location(&unknown))["error"],
        "unsupported_response_type"
    );

    h.admin(
        "UpdateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientId": domain.client_id,
               "AllowedOAuthFlows": ["code", "implicit"]}),
    )
    .await;
    for (extra, why) in [
        (
            ("code_challenge_method", "S256"),
            "PKCE is for the code flow",
        ),
        (("nonce", ""), "an ID token needs a nonce"),
    ] {
        let mut asked = implicit.to_vec();
        asked.retain(|(name, _)| *name != extra.0);
        asked.push(extra);
        let refused = domain
            .http
            .get(domain.authorize_url(&asked))
            .send()
            .await
            .unwrap();
        assert_eq!(
            fragment_of(&location(&refused))["error"],
            "invalid_request",
            "{why}"
        );
    }
    let to_page = domain
        .http
        .get(domain.authorize_url(&implicit))
        .send()
        .await
        .unwrap();
    let page_path = location(&to_page);
    let request_id = query_of(&format!("http://x{page_path}"))["request"].clone();
    let back = domain
        .choose(&page_path, &request_id, "continue", "ivy@example.com")
        .await;
    assert_eq!(back.status(), 302);
    let url = url::Url::parse(&location(&back)).unwrap();
    assert_eq!(url.query(), None, "nothing goes in the query: {url}");
    let fragment: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(url.fragment().unwrap().as_bytes())
            .into_owned()
            .collect();
    assert_eq!(fragment["token_type"], "Bearer");
    assert_eq!(fragment["state"], "st=ate/1");
    assert!(!fragment.contains_key("refresh_token"));
    assert!(!fragment.contains_key("code"));
    let id = claims(&fragment["id_token"]);
    assert_eq!(id["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(id["email"], "ivy@example.com");
    let access = claims(&fragment["access_token"]);
    assert_eq!(access["client_id"], domain.client_id.as_str());
    assert_eq!(access["token_use"], "access");
}

#[tokio::test]
async fn a_provider_user_named_like_an_address_never_hides_the_pool_user_with_that_email() {
    let mut pool = config();
    pool.username_attributes = vec!["email".into()];
    pool.identity_providers.push(IdentityProviderConfig {
        provider_name: "CorpSAML".into(),
        provider_type: "SAML".into(),
        ..Default::default()
    });
    pool.clients[0]
        .supported_identity_providers
        .push("CorpSAML".into());
    let domain = start_with(pool).await;
    // Someone signs in at the provider as "kim@corp.example": the user corpsaml_kim@corp.example.
    let back = domain
        .sign_in_with("CorpSAML", "kim@corp.example", None)
        .await;
    let code = query_of(&location(&back))["code"].clone();
    let (_, tokens) = domain.redeem(&code).await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["cognito:username"], "corpsaml_kim@corp.example");
    // The pool user whose email that is still signs in with it.
    let h = &domain.harness;
    let email = "corpsaml_kim@corp.example";
    let secret = cognito_idp::Secret::new(common::PASSWORD);
    h.client
        .sign_up(
            email,
            &secret,
            vec![cognito_idp::wire::AttributeType::new("email", email)],
        )
        .await
        .unwrap();
    let sent = h.pool.outbox().await.unwrap();
    let code = sent
        .iter()
        .rev()
        .find(|m| m.destination == email)
        .and_then(|m| m.code.clone())
        .unwrap();
    h.client
        .confirm_sign_up(email, &cognito_idp::Secret::new(code), None)
        .await
        .unwrap();
    h.client
        .sign_in_password(
            "corpsaml_kim@corp.example",
            &cognito_idp::Secret::new(common::PASSWORD),
        )
        .await
        .unwrap();
}
