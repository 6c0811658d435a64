//! Running for real users: session stores (SQLite, Redis shared by two instances), single-flight
//! refresh, a failed refresh, Cognito faults, security headers and `/healthz`.

mod common;
use cognito_authenticator::server::session_store::SessionStoreUrl;
use cognito_idp::Clock;
use common::*;
use local_pool::PoolConfig;
use reqwest::header::ACCEPT;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const UNAVAILABLE: &str = "data-error=\"error.unavailable\"";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A throwaway `redis-server` (the Debian package) on a loopback port, without persistence.
struct Redis {
    port: u16,
    child: Child,
}

impl Redis {
    async fn start_on(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed (apt-get install redis-server)");
        // Owned at once, so the process is killed and reaped however the wait below ends.
        let redis = Self { port, child };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return redis;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server did not start on port {port}");
    }

    fn url(&self) -> SessionStoreUrl {
        SessionStoreUrl::Redis(format!("redis://127.0.0.1:{}", self.port))
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn account_shows(app: &App, client: &reqwest::Client, username: &str) -> bool {
    let (status, html) = app.page(client, "/account").await;
    status == 200 && html.contains(&format!("{username}@example.com"))
}

#[tokio::test]
async fn two_instances_share_sessions_through_redis_and_survive_it_going_away() {
    let redis = Redis::start_on(free_port()).await;
    let clock = Clock::system();
    let pool = PoolBehindProxy::start(PoolConfig::default(), clock.clone()).await;
    let first = pool.app(clock.clone(), redis.url()).await;
    let second = pool.app(clock.clone(), redis.url()).await;
    first.confirmed_user("rhea").await;

    // Signed in through the first instance, the same cookie works on the second.
    let client = browser();
    assert_eq!(first.sign_in(&client, "rhea").await, "/account");
    assert!(account_shows(&second, &client, "rhea").await);

    // Sign-out through the second ends the session for the first too.
    let (status, _) = second.post(&client, "/api/sign_out", &[]).await;
    assert_eq!(status, 302);
    let (status, _) = first.page(&client, "/account").await;
    assert_eq!(status, 302, "signed out on every instance");

    // Redis goes away: a clear, retryable message, and the instance keeps serving.
    first.sign_in(&client, "rhea").await;
    let port = redis.port;
    let mut redis = redis;
    redis.stop();
    let (status, html) = second.page(&client, "/account").await;
    assert!(status == 200 || status == 503, "got {status}");
    assert!(html.contains(UNAVAILABLE), "a retryable message: {html}");
    let sign_in_while_down = |language: &'static str| {
        browser()
            .post(second.url("/api/sign_in"))
            .header(ACCEPT, "text/html")
            .header("accept-language", language)
            .header("origin", &second.base)
            .form(&[("username", "rhea"), ("password", PASSWORD)])
            .send()
    };
    let response = sign_in_while_down("en").await.unwrap();
    assert_eq!(response.status(), 503);
    assert!(response.text().await.unwrap().contains("please try again"));
    // In the visitor's language, as the pages are.
    let response = sign_in_while_down("fr-FR,fr;q=0.9").await.unwrap();
    assert_eq!(response.status(), 503);
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"fr\">"), "{html}");
    assert!(html.contains("réessayez dans un instant"), "{html}");
    assert!(html.contains("Retour à la connexion"), "{html}");
    let health = browser().get(second.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 503);

    // Back again: signing in works (the old session was in the lost Redis).
    let _redis = Redis::start_on(port).await;
    let mut signed_in = false;
    for _ in 0..40 {
        let fresh = browser();
        let (status, location) = second
            .post(
                &fresh,
                "/api/sign_in",
                &[("username", "rhea"), ("password", PASSWORD)],
            )
            .await;
        if status == 302 && location == "/account" && account_shows(&second, &fresh, "rhea").await {
            signed_in = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(signed_in, "the instance recovers when Redis is back");
}

#[tokio::test]
async fn sqlite_sessions_outlive_the_process() {
    let dir = std::env::temp_dir().join(format!("ca-sessions-{}", uuid::Uuid::new_v4()));
    let store = SessionStoreUrl::Sqlite(dir.join("sessions.sqlite3"));
    let clock = Clock::system();
    let pool = PoolBehindProxy::start(PoolConfig::default(), clock.clone()).await;
    let before = pool.app(clock.clone(), store.clone()).await;
    before.confirmed_user("sol").await;
    let client = browser();
    before.sign_in(&client, "sol").await;
    // A new instance on the same file (as after a restart) knows the session.
    let after = pool.app(clock, store).await;
    assert!(account_shows(&after, &client, "sol").await);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn ten_concurrent_requests_with_an_expired_token_refresh_once() {
    let clock = Clock::system();
    let pool = PoolBehindProxy::start(PoolConfig::default(), clock.clone()).await;
    let app = pool.app(clock.clone(), SessionStoreUrl::Memory).await;
    app.confirmed_user("tess").await;
    let client = browser();
    app.sign_in(&client, "tess").await;
    assert_eq!(pool.refreshes(), 0);
    clock.advance(3600);
    let pages = (0..10).map(|_| app.page(&client, "/account"));
    for (status, html) in futures::future::join_all(pages).await {
        assert_eq!(status, 200);
        assert!(html.contains("tess@example.com"));
    }
    assert_eq!(pool.refreshes(), 1, "one refresh for the burst");
}

#[tokio::test]
async fn a_failed_refresh_signs_the_user_out_cleanly() {
    let clock = Clock::system();
    let pool = PoolBehindProxy::start(PoolConfig::default(), clock.clone()).await;
    let app = pool.app(clock.clone(), SessionStoreUrl::Memory).await;
    app.confirmed_user("uma").await;
    let client = browser();
    app.sign_in(&client, "uma").await;
    // Past the refresh token's 30 days (and the session's absolute lifetime is longer here).
    clock.advance(31 * 24 * 3600);
    let (status, _) = app.page(&client, "/account").await;
    assert_eq!(status, 302);
    let (_, html) = app.page(&client, "/signin").await;
    assert!(html.contains("name=\"username\""));
    let (status, _) = app.page(&client, "/account").await;
    assert_eq!(status, 302, "the session stays ended");
}

#[tokio::test]
async fn sessions_end_at_their_absolute_lifetime_however_active() {
    let clock = Clock::system();
    let pool = PoolBehindProxy::start(PoolConfig::default(), clock.clone()).await;
    let mut config = pool.app_config();
    config.session_max_age_secs = 3 * 3600;
    let app = serve_app(
        config,
        clock.clone(),
        Some(format!("{}/local/outbox", pool.pool_url)),
    )
    .await;
    app.confirmed_user("vera").await;
    let client = browser();
    app.sign_in(&client, "vera").await;
    for _ in 0..3 {
        clock.advance(50 * 60);
        assert!(account_shows(&app, &client, "vera").await);
    }
    clock.advance(40 * 60);
    let (status, _) = app.page(&client, "/account").await;
    assert_eq!(status, 302);
}

#[tokio::test]
async fn cognito_faults_give_a_retryable_message_and_the_server_keeps_serving() {
    let clock = Clock::system();
    let pool = PoolBehindProxy::start(PoolConfig::default(), clock.clone()).await;
    let app = pool.app(clock, SessionStoreUrl::Memory).await;
    app.confirmed_user("will").await;
    for fault in [
        Fault::ServerError,
        Fault::Throttle,
        Fault::Malformed,
        Fault::Hang,
    ] {
        pool.fail_with(fault);
        let client = browser();
        let before = pool.calls().len();
        let (status, location) = app
            .post(
                &client,
                "/api/sign_in",
                &[("username", "will"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!((status, location.as_str()), (302, "/signin"), "{fault:?}");
        let (_, html) = app.page(&client, "/signin").await;
        assert!(html.contains(UNAVAILABLE), "{fault:?}: {html}");
        assert!(
            html.contains("value=\"will\""),
            "{fault:?}: the username stays"
        );
        // Starting a sign-in is not idempotent: one try only.
        let tries = pool.calls()[before..]
            .iter()
            .filter(|op| *op == "InitiateAuth")
            .count();
        assert_eq!(tries, 1, "{fault:?}");
    }
    pool.fail_with(Fault::None);
    let client = browser();
    assert_eq!(app.sign_in(&client, "will").await, "/account");

    // A signed-in page re-checks the token (GetUser, idempotent): retried, at most 3 tries,
    // and the page still shows while Cognito is down.
    app.clock.advance(10);
    pool.fail_with(Fault::ServerError);
    let before = pool.calls().len();
    assert!(account_shows(&app, &client, "will").await);
    let tries = pool.calls()[before..]
        .iter()
        .filter(|op| *op == "GetUser")
        .count();
    assert_eq!(tries, 3);
    pool.fail_with(Fault::None);
}

#[tokio::test]
async fn an_unreachable_cognito_is_said_plainly() {
    let clock = Clock::system();
    let pool = PoolBehindProxy::start(PoolConfig::default(), clock.clone()).await;
    let mut config = pool.app_config();
    config.backend = cognito_authenticator::server::Backend::Cognito {
        pool_id: pool.pool.config().pool_id.clone(),
        client_id: pool.pool.config().default_client().client_id.clone(),
        client_secret: None,
        endpoint: format!("http://127.0.0.1:{}", free_port()),
    };
    let app = serve_app(config, clock, None).await;
    let client = browser();
    let (status, location) = app
        .post(
            &client,
            "/api/sign_in",
            &[("username", "xena"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!((status, location.as_str()), (302, "/signin"));
    let (_, html) = app.page(&client, "/signin").await;
    assert!(html.contains(UNAVAILABLE));
    let health = browser().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 503);
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(body["session_store"], "ok");
    assert_ne!(body["jwks"], "ok");
}

/// The nonce a Content-Security-Policy allows scripts by.
fn csp_nonce(csp: &str) -> String {
    csp.split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the CSP")
        .to_owned()
}

#[tokio::test]
async fn the_not_found_page_scripts_carry_the_response_nonce() {
    let app = start().await;
    let response = browser()
        .get(app.url("/no-such-page"))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let nonce = csp_nonce(
        response.headers()["content-security-policy"]
            .to_str()
            .unwrap(),
    );
    let html = response.text().await.unwrap();
    let in_page: Vec<&str> = html
        .split("nonce=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(!in_page.is_empty(), "the page has its scripts: {html}");
    assert!(
        in_page.iter().all(|n| *n == nonce),
        "every script may run under the CSP: {in_page:?} against {nonce}"
    );
}

#[tokio::test]
async fn pages_carry_the_security_headers_and_a_fresh_nonce() {
    let app = start().await;
    let page = |path: &'static str| {
        let client = browser();
        let url = app.url(path);
        async move {
            client
                .get(url)
                .header(ACCEPT, "text/html")
                .send()
                .await
                .unwrap()
        }
    };
    let first = page("/signin").await;
    let headers = first.headers().clone();
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(csp.contains("'wasm-unsafe-eval'"));
    assert!(!csp.contains("unsafe-inline"));
    let nonce = csp_nonce(&csp);
    assert!(nonce.len() >= 16);
    let html = first.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries it"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert_eq!(headers["cross-origin-opener-policy"], "same-origin");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(
        headers.get("strict-transport-security").is_none(),
        "plain http here"
    );

    let second = page("/signin").await;
    let other = second.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(!other.contains(&nonce), "a new nonce per response");

    let health = page("/healthz").await;
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("content-security-policy"));
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(body["session_store"], "ok");
    assert_eq!(body["jwks"], "ok");
}

#[tokio::test]
async fn repeated_attempts_are_limited_with_a_clear_wait() {
    let app = start().await;
    app.confirmed_user("yara").await;
    let client = browser();
    for _ in 0..10 {
        app.post(
            &client,
            "/api/sign_in",
            &[("username", "yara"), ("password", "Wrong-pass1!")],
        )
        .await;
    }
    let (status, location) = app
        .post(
            &client,
            "/api/sign_in",
            &[("username", "yara"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!((status, location.as_str()), (302, "/signin"));
    let (_, html) = app.page(&client, "/signin").await;
    assert!(html.contains("data-error=\"error.rate_limited\""), "{html}");
    let wait: u64 = html
        .split("Please try again in ")
        .nth(1)
        .and_then(|rest| rest.split(" second").next())
        .and_then(|n| n.parse().ok())
        .expect("the wait in seconds");
    assert!((1..=300).contains(&wait), "{wait}");
    assert!(html.contains("value=\"yara\""));

    // Another person from the same address is not held up by yara's limit.
    let other = browser();
    app.confirmed_user("zoe").await;
    assert_eq!(app.sign_in(&other, "zoe").await, "/account");

    // The limit lifts when the windows have passed: the attempts' five minutes, and the
    // fifteen that failed sign-ins wait out (as long as Cognito's longest lockout).
    app.clock.advance(901);
    let (status, location) = app
        .post(
            &client,
            "/api/sign_in",
            &[("username", "yara"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!((status, location.as_str()), (302, "/account"));
}

#[tokio::test]
async fn an_app_client_with_a_secret_works_end_to_end() {
    let mut pool = PoolConfig::default();
    pool.clients[0].client_secret = Some("a-client-secret-for-tests".into());
    let clock = Clock::system();
    let pool = PoolBehindProxy::start(pool, clock.clone()).await;
    let mut config = pool.app_config();
    if let cognito_authenticator::server::Backend::Cognito { client_secret, .. } =
        &mut config.backend
    {
        *client_secret = Some("a-client-secret-for-tests".into());
    }
    let app = serve_app(
        config,
        clock.clone(),
        Some(format!("{}/local/outbox", pool.pool_url)),
    )
    .await;
    // Sign-up, confirmation with auto sign-in, sign-out, sign-in, refresh and a password
    // reset all carry SECRET_HASH (the pool refuses any call without it).
    app.confirmed_user("quin").await;
    let client = browser();
    assert_eq!(app.sign_in(&client, "quin").await, "/account");
    clock.advance(3600);
    assert!(account_shows(&app, &client, "quin").await);
    assert_eq!(pool.refreshes(), 1);
    let (status, location) = app
        .post(&browser(), "/api/forgot_password", &[("username", "quin")])
        .await;
    assert_eq!((status, location.as_str()), (302, "/reset-password"));
}

#[tokio::test]
async fn instances_on_one_redis_share_their_attempt_limits() {
    let redis = Redis::start_on(free_port()).await;
    let clock = Clock::system();
    let pool = PoolBehindProxy::start(PoolConfig::default(), clock.clone()).await;
    let first = pool.app(clock.clone(), redis.url()).await;
    let second = pool.app(clock.clone(), redis.url()).await;
    first.confirmed_user("vera").await;
    // Wrong passwords spread over both instances count as one person's.
    for attempt in 0..5 {
        let instance = if attempt % 2 == 0 { &first } else { &second };
        instance
            .post(
                &browser(),
                "/api/sign_in",
                &[("username", "vera"), ("password", "Wrong-pass1!")],
            )
            .await;
    }
    let client = browser();
    second
        .post(
            &client,
            "/api/sign_in",
            &[("username", "vera"), ("password", PASSWORD)],
        )
        .await;
    let (_, html) = second.page(&client, "/signin").await;
    assert!(html.contains("data-error=\"error.rate_limited\""), "{html}");
}

#[tokio::test]
async fn refresh_tokens_that_rotate_keep_the_user_signed_in() {
    let mut config = PoolConfig::default();
    config.clients[0].refresh_token_rotation = true;
    config.clients[0].access_token_validity_secs = 300;
    config.clients[0].id_token_validity_secs = 300;
    let clock = Clock::system();
    let pool = PoolBehindProxy::start(config, clock.clone()).await;
    let app = pool.app(clock.clone(), SessionStoreUrl::Memory).await;
    app.confirmed_user("rota").await;
    let client = browser();
    app.sign_in(&client, "rota").await;
    // Each expiry refreshes with the newest refresh token; the first one is spent after the
    // first refresh, so keeping it would sign the user out at the second.
    for round in 1..=3 {
        clock.advance(301);
        assert!(account_shows(&app, &client, "rota").await, "round {round}");
        assert_eq!(pool.refreshes(), round);
    }
}

#[tokio::test]
async fn a_password_change_on_one_instance_ends_the_sessions_on_the_others() {
    let redis = Redis::start_on(free_port()).await;
    let clock = Clock::system();
    let pool = PoolBehindProxy::start(PoolConfig::default(), clock.clone()).await;
    let first = pool.app(clock.clone(), redis.url()).await;
    let second = pool.app(clock.clone(), redis.url()).await;
    first.confirmed_user("uma").await;
    let (elsewhere, here) = (browser(), browser());
    first.sign_in(&elsewhere, "uma").await;
    second.sign_in(&here, "uma").await;
    second
        .post(
            &here,
            "/api/change_password",
            &[
                ("current_password", PASSWORD),
                ("password", "Chang3d-pass!"),
                ("confirm_password", "Chang3d-pass!"),
                ("sign_out_others", "on"),
            ],
        )
        .await;
    assert_eq!(first.page(&elsewhere, "/account").await.0, 302);
    assert!(account_shows(&second, &here, "uma").await);
}
