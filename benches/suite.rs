//! The benchmark suite, run in release by `scripts/bench.sh` (not by the test command). Each
//! part prints markdown table rows (`| measure | result | budget | verdict |`):
//!
//! - `inprocess`: SRP math (client and pool side), the local pool's SignUp (argon2id) and SRP
//!   sign-in, a sign-in through the app's server function against the same calls made directly
//!   (the app's own overhead), the same for an email-code and a passkey sign-in and for the
//!   account page, session-store get/set (memory, SQLite, Redis), and memory per
//!   signed-in session at 10k and 100k sessions;
//! - `plain <port> <file>`: serves `file` from a bare axum handler (the SSR comparison);
//! - `account <base-url> <username>`: a confirmed user to sign in with;
//! - `passkey`: the passkey sign-in overhead alone;
//! - `federation`: the cost of the "Sign in with …" callback alone;
//! - `account-page`: the signed-in account page's overhead alone;
//! - `concurrent <base-url> <server-pid> <users>`: that many sign-ups, confirmations, sign-outs
//!   and sign-ins at once against a running server: throughput, errors, the server's peak RSS.

#[path = "../tests/common/mod.rs"]
mod common;

use cognito_authenticator::server::session_store::{AppSessionStore, SessionStoreUrl};
use cognito_authenticator::server::{routes, Auth, AuthConfig};
use cognito_idp::srp::{self, PasswordVerifierChallenge, SrpClient, SrpServer};
use cognito_idp::{Clock, CognitoClient, Secret, UserPoolClient};
use common::*;
use local_pool::PoolConfig;
use reqwest::header::{ACCEPT, CONTENT_TYPE, ORIGIN};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tower_sessions::session::{Id, Record};
use tower_sessions::SessionStore;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match args.first().map(String::as_str) {
        Some("plain") => runtime.block_on(plain(&args[1], &args[2])),
        Some("account") => runtime.block_on(App::at(&args[1]).confirmed_user(&args[2])),
        // One measure alone, to check it without the whole suite.
        Some("passkey") => runtime.block_on(passkey_sign_in_overhead()),
        Some("federation") => runtime.block_on(federation_callback_overhead()),
        Some("account-page") => runtime.block_on(account_page_overhead()),
        Some("concurrent") => runtime.block_on(concurrent(
            &args[1],
            &args[2],
            args[3].parse().expect("users"),
        )),
        _ => runtime.block_on(inprocess()),
    }
}

/// p50 and p99 of `samples`.
fn percentiles(samples: &mut [Duration]) -> (Duration, Duration) {
    samples.sort_unstable();
    let at = |p: usize| samples[(samples.len() * p / 100).min(samples.len() - 1)];
    (at(50), at(99))
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn row(measure: &str, result: &str, budget: &str, verdict: &str) {
    println!("| {measure} | {result} | {budget} | {verdict} |");
}

/// "meets" or "misses by …" for a measured value against a maximum.
fn verdict_max(value: f64, max: f64, unit: &str) -> String {
    if value <= max {
        "meets".to_owned()
    } else {
        format!(
            "**misses** by {:.2} {unit} ({:.0} %)",
            value - max,
            (value / max - 1.0) * 100.0
        )
    }
}

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

async fn inprocess() {
    srp_math();
    let captured: Arc<Mutex<Option<Auth>>> = Arc::default();
    let keep = captured.clone();
    let mut config = AuthConfig::local(
        None,
        PoolConfig {
            print_outbox: false,
            ..PoolConfig::default()
        },
    );
    // One address signs in hundreds of times here; the limits are not what is measured.
    config.attempt_limit_scale = 1e6;
    let app = serve_with(config, Clock::system(), None, move |auth, options| {
        *keep.lock().unwrap() = Some(auth.clone());
        routes::router(auth, options)
    })
    .await;
    let auth = captured.lock().unwrap().clone().expect("the app's service");
    let pool = PoolConfig::default();
    let direct = direct_client(&app, &pool);
    pool_sign_ups(&direct).await;
    app.confirmed_user("bench").await;
    sign_in_overhead(&app, &direct).await;
    code_sign_in_overhead().await;
    passkey_sign_in_overhead().await;
    federation_callback_overhead().await;
    account_page_overhead().await;
    let record = signed_in_record(&app, &auth).await;
    session_stores(&record).await;
    session_memory(&record).await;
}

fn srp_math() {
    let pool_name = "LocalPool";
    let salt = srp::new_salt();
    let verifier = srp::verifier(pool_name, "bench-user", PASSWORD, &salt);
    let secret_block = [7u8; 64];
    let secret_block_b64 = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(secret_block)
    };
    let timestamp = srp::timestamp(1_700_000_000);
    let (mut client, mut server) = (Vec::new(), Vec::new());
    // The first rounds build the fixed-base table once per process, as a server's first sign-in does.
    for round in 0..220 {
        // The pool's half at InitiateAuth: B from the stored verifier.
        let started = Instant::now();
        let pool_side = SrpServer::new(&verifier);
        let b_hex = pool_side.public_hex();
        let pool_start = started.elapsed();
        let salt_hex = srp::salt_hex(&salt);
        let challenge = PasswordVerifierChallenge {
            salt_hex: &salt_hex,
            srp_b_hex: &b_hex,
            secret_block_b64: &secret_block_b64,
            user_id_for_srp: "bench-user",
        };
        let started = Instant::now();
        let me = SrpClient::new();
        let a_hex = me.public_hex();
        let claim = me
            .password_claim(pool_name, &challenge, PASSWORD, &timestamp)
            .expect("claim");
        let client_time = started.elapsed();
        // The pool's half at RespondToAuthChallenge: checking the claim.
        let started = Instant::now();
        let verified = pool_side.verify_claim(
            &verifier,
            &a_hex,
            pool_name,
            "bench-user",
            &secret_block,
            &timestamp,
            &claim,
        );
        let pool_time = pool_start + started.elapsed();
        assert_eq!(verified, Ok(true), "the claim must verify");
        // The first rounds build the fixed-base table, once per process.
        if round >= 20 {
            client.push(client_time);
            server.push(pool_time);
        }
    }
    let (p50, p99) = percentiles(&mut client);
    row(
        "SRP client math per sign-in (A, then the password claim)",
        &format!("p50 {} · p99 {}", ms(p50), ms(p99)),
        "≤ 3 ms",
        &verdict_max(p99.as_secs_f64() * 1000.0, 3.0, "ms"),
    );
    let (p50, p99) = percentiles(&mut server);
    row(
        "local pool SRP math per sign-in (B, then checking the claim)",
        &format!("p50 {} · p99 {}", ms(p50), ms(p99)),
        "—",
        "—",
    );
}

async fn pool_sign_ups(direct: &UserPoolClient) {
    let mut samples = Vec::new();
    for i in 0..40 {
        let started = Instant::now();
        direct
            .sign_up(&format!("signup{i}"), &Secret::new(PASSWORD), Vec::new())
            .await
            .expect("sign-up");
        samples.push(started.elapsed());
    }
    let (p50, p99) = percentiles(&mut samples);
    row(
        "local pool SignUp (argon2id hash, SRP verifier, SQLite)",
        &format!("p50 {} · p99 {}", ms(p50), ms(p99)),
        "—",
        "—",
    );
}

/// The same SRP sign-in through the app's server function and directly with the client.
async fn sign_in_overhead(app: &App, direct: &UserPoolClient) {
    // No cookie store: every sign-in starts anonymous, as a new visitor's would.
    let visitor = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let (mut through_app, mut straight) = (Vec::new(), Vec::new());
    for round in 0..220 {
        let started = Instant::now();
        let response = visitor
            .post(app.url("/api/sign_in"))
            .header(ORIGIN, &app.base)
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(format!("username=bench&password={}", "Corr3ct-horse%21"))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let _ = response.bytes().await;
        let app_time = started.elapsed();
        assert!(
            status.is_success() || status.is_redirection(),
            "sign-in answered {status}"
        );
        let started = Instant::now();
        direct
            .sign_in_srp("bench", &Secret::new(PASSWORD))
            .await
            .expect("direct sign-in");
        let direct_time = started.elapsed();
        // The first rounds warm connections and caches.
        if round >= 20 {
            through_app.push(app_time);
            straight.push(direct_time);
        }
    }
    report_overhead(
        "sign-in through the app (POST /api/sign_in, SRP, session)",
        "**app overhead per sign-in** (difference)",
        &mut through_app,
        &mut straight,
    );
}

/// Choice-based sign-in with an email code (`SIGN_IN_METHODS=EMAIL_OTP`): the username page
/// (which sends the code) and the code page through the app, against `USER_AUTH` with
/// `EMAIL_OTP` and the code's answer made directly. Reading the code from the outbox is not timed.
async fn code_sign_in_overhead() {
    let pool = PoolConfig {
        print_outbox: false,
        // The pool's per-name send limit is not what is measured.
        max_code_sends: 1_000_000,
        ..PoolConfig::default()
    };
    let mut config = AuthConfig::local(None, pool.clone())
        .with_sign_in_methods([cognito_authenticator::SignInMethod::EmailCode]);
    config.attempt_limit_scale = 1e6;
    let app = serve_app(config, Clock::system(), None).await;
    app.confirmed_user("codebench").await;
    let direct = direct_client(&app, &pool);
    let post =
        |client: &reqwest::Client, path: &str, body: String| script_post(&app, client, path, body);
    let (mut through_app, mut straight) = (Vec::new(), Vec::new());
    for round in 0..220 {
        // A new visitor each round, as in the password measure.
        let visitor = browser();
        let started = Instant::now();
        let sent = post(&visitor, "/api/sign_in", "username=codebench".into())
            .await
            .unwrap();
        assert!(
            sent.status().is_success(),
            "sign-in answered {}",
            sent.status()
        );
        let _ = sent.bytes().await;
        let mut app_time = started.elapsed();
        let code = app.last_code("codebench").await;
        let started = Instant::now();
        let confirmed = post(&visitor, "/api/confirm_sign_in", format!("code={code}"))
            .await
            .unwrap();
        assert!(
            confirmed.status().is_success(),
            "confirm answered {}",
            confirmed.status()
        );
        let _ = confirmed.bytes().await;
        app_time += started.elapsed();

        let started = Instant::now();
        let challenge = direct
            .start_user_auth("codebench", Some("EMAIL_OTP"))
            .await
            .expect("direct USER_AUTH");
        let mut direct_time = started.elapsed();
        let cognito_idp::SignInOutcome::Challenge { session, .. } = challenge else {
            panic!("expected the EMAIL_OTP challenge");
        };
        let code = app.last_code("codebench").await;
        let started = Instant::now();
        let answer: cognito_idp::SecretMap = [
            ("USERNAME", "codebench".to_owned()),
            ("EMAIL_OTP_CODE", code),
        ]
        .into_iter()
        .collect();
        direct
            .respond("EMAIL_OTP", session, answer)
            .await
            .expect("direct code answer");
        direct_time += started.elapsed();
        if round >= 20 {
            through_app.push(app_time);
            straight.push(direct_time);
        }
    }
    report_overhead(
        "email-code sign-in through the app (username page, code page)",
        "**app overhead per code sign-in** (difference)",
        &mut through_app,
        &mut straight,
    );
}

/// A user who is always there and verified, for the software authenticator.
struct AlwaysVerified;

#[async_trait::async_trait]
impl passkey::authenticator::UserValidationMethod for AlwaysVerified {
    type PasskeyItem = passkey::types::Passkey;
    async fn check_user<'a>(
        &self,
        _hint: passkey::authenticator::UiHint<'a, passkey::types::Passkey>,
        presence: bool,
        verification: bool,
    ) -> Result<passkey::authenticator::UserCheck, passkey::types::ctap2::Ctap2Error> {
        Ok(passkey::authenticator::UserCheck {
            presence,
            verification,
        })
    }
    fn is_presence_enabled(&self) -> bool {
        true
    }
    fn is_verification_enabled(&self) -> Option<bool> {
        Some(true)
    }
}

type Device = passkey::client::Client<
    passkey::authenticator::MemoryStore,
    AlwaysVerified,
    passkey::crypto::AvailableBackend,
    public_suffix::PublicSuffixList,
    (),
>;

const PASSKEY_ORIGIN: &str = "http://localhost:3000";

/// The authenticator's answer to request options (JSON, as the pool gives them).
async fn passkey_assertion(device: &mut Device, options: &str) -> String {
    let options: serde_json::Value = serde_json::from_str(options).unwrap();
    let request: passkey::types::webauthn::CredentialRequestOptions =
        serde_json::from_value(serde_json::json!({ "publicKey": options })).unwrap();
    let origin = url::Url::parse(PASSKEY_ORIGIN).unwrap();
    let assertion = device
        .authenticate(&origin, request, passkey::client::DefaultClientData)
        .await
        .unwrap();
    serde_json::to_string(&assertion).unwrap()
}

/// A passkey sign-in through the app (username page, the options for the page's script, the
/// credential it posts) against the same three Cognito calls made directly. The
/// authenticator's own work is left out of both.
async fn passkey_sign_in_overhead() {
    use cognito_authenticator::SignInMethod;
    let pool = PoolConfig {
        print_outbox: false,
        ..PoolConfig::default()
    };
    let mut config = AuthConfig::local(None, pool.clone())
        .with_sign_in_methods([SignInMethod::Passkey, SignInMethod::Password])
        .with_passkey_prompt(cognito_authenticator::server::PasskeyPrompt::Never);
    config.attempt_limit_scale = 1e6;
    let app = serve_app(config, Clock::system(), None).await;
    app.confirmed_user("passbench").await;
    let direct = direct_client(&app, &pool);
    let mut device: Device =
        passkey::client::Client::new(passkey::authenticator::Authenticator::new(
            passkey::types::ctap2::Aaguid::new_empty(),
            passkey::authenticator::MemoryStore::new(),
            AlwaysVerified,
            passkey::crypto::AvailableBackend,
        ))
        .allows_insecure_localhost(true);
    // The passkey, registered with the pool directly.
    let tokens = match direct
        .sign_in_srp("passbench", &Secret::new(PASSWORD))
        .await
        .unwrap()
    {
        cognito_idp::SignInOutcome::SignedIn(tokens) => tokens,
        other => panic!("expected tokens, got {other:?}"),
    };
    let options = direct
        .start_web_authn_registration(&tokens.access_token)
        .await
        .unwrap();
    let request: passkey::types::webauthn::CredentialCreationOptions =
        serde_json::from_value(serde_json::json!({ "publicKey": options })).unwrap();
    let created = device
        .register(
            &url::Url::parse(PASSKEY_ORIGIN).unwrap(),
            request,
            passkey::client::DefaultClientData,
        )
        .await
        .unwrap();
    direct
        .complete_web_authn_registration(
            &tokens.access_token,
            serde_json::to_value(created).unwrap(),
        )
        .await
        .unwrap();

    let post =
        |client: &reqwest::Client, path: &str, body: String| script_post(&app, client, path, body);
    let (mut through_app, mut straight) = (Vec::new(), Vec::new());
    for round in 0..220 {
        let visitor = browser();
        let started = Instant::now();
        let listed = post(&visitor, "/api/sign_in", "username=passbench".into())
            .await
            .unwrap();
        assert!(
            listed.status().is_success(),
            "sign-in answered {}",
            listed.status()
        );
        let _ = listed.bytes().await;
        let options = post(&visitor, "/api/passkey_sign_in_options", String::new())
            .await
            .unwrap();
        assert!(
            options.status().is_success(),
            "options answered {}",
            options.status()
        );
        let options: String = options.json().await.unwrap();
        let mut app_time = started.elapsed();
        let credential = passkey_assertion(&mut device, &options).await;
        let started = Instant::now();
        let body = format!(
            "credential={}",
            cognito_authenticator::flow::percent_encode(&credential)
        );
        let signed_in = post(&visitor, "/api/passkey_sign_in", body).await.unwrap();
        assert_eq!(
            signed_in
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap()),
            Some("/account"),
            "passkey sign-in answered {}",
            signed_in.status()
        );
        let _ = signed_in.bytes().await;
        app_time += started.elapsed();

        // The same three Cognito calls the app makes: the list of methods (for the method
        // page), the passkey's challenge, the answer.
        let started = Instant::now();
        direct
            .start_user_auth("passbench", None)
            .await
            .expect("direct USER_AUTH list");
        let challenge = direct
            .start_user_auth("passbench", Some("WEB_AUTHN"))
            .await
            .expect("direct USER_AUTH");
        let mut direct_time = started.elapsed();
        let cognito_idp::SignInOutcome::Challenge {
            session,
            parameters,
            ..
        } = challenge
        else {
            panic!("expected the WEB_AUTHN challenge");
        };
        let options = parameters
            .get("CREDENTIAL_REQUEST_OPTIONS")
            .unwrap()
            .to_owned();
        let credential = passkey_assertion(&mut device, &options).await;
        let started = Instant::now();
        let answer: cognito_idp::SecretMap = [
            ("USERNAME", "passbench".to_owned()),
            ("CREDENTIAL", credential),
        ]
        .into_iter()
        .collect();
        direct
            .respond("WEB_AUTHN", session, answer)
            .await
            .expect("direct passkey answer");
        direct_time += started.elapsed();
        if round >= 20 {
            through_app.push(app_time);
            straight.push(direct_time);
        }
    }
    report_overhead(
        "passkey sign-in through the app (username page, options, credential)",
        "**app overhead per passkey sign-in** (difference)",
        &mut through_app,
        &mut straight,
    );
}

/// The "Sign in with …" callback (state check, code exchange, ID-token checks, sign-in)
/// against the one call it makes to the domain, the token endpoint, made directly.
async fn federation_callback_overhead() {
    let pool = PoolConfig {
        print_outbox: false,
        ..PoolConfig::default()
    };
    let mut config = AuthConfig::local(None, pool.clone())
        .with_identity_providers(["Google"], None)
        .unwrap()
        .with_passkey_prompt(cognito_authenticator::server::PasskeyPrompt::Never);
    config.attempt_limit_scale = 1e6;
    let app = serve_app(config, Clock::system(), None).await;
    let domain = format!("{}/local/auth/{}", app.base, pool.pool_id);
    let callback_url = format!("{}/auth/callback", app.base);
    let client_id = pool.default_client().client_id.clone();
    let verifier = "a-benchmark-verifier-of-more-than-forty-three-characters-0123";
    let challenge = {
        use base64::Engine as _;
        use sha2::Digest as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(verifier.as_bytes()))
    };
    let (mut through_app, mut straight) = (Vec::new(), Vec::new());
    for round in 0..220 {
        let email = format!("bench{round}@example.com");
        let visitor = browser();
        let callback = app.federate(&visitor, "Google", &email).await;
        let started = Instant::now();
        let back = visitor.get(&callback).send().await.unwrap();
        let app_time = started.elapsed();
        assert_eq!(back.status(), 303);
        assert_eq!(back.headers()["location"], "/account");

        // A code of the bench's own, redeemed directly.
        let own = browser();
        let authorize = format!(
            "{domain}/oauth2/authorize?response_type=code&client_id={client_id}&redirect_uri={}&identity_provider=Google&scope=openid+email&code_challenge={challenge}&code_challenge_method=S256",
            cognito_authenticator::flow::percent_encode(&callback_url)
        );
        let to_page = own.get(&authorize).send().await.unwrap();
        let page = format!(
            "{}{}",
            app.base,
            to_page.headers()["location"].to_str().unwrap()
        );
        let request = url::Url::parse(&page)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "request")
            .unwrap()
            .1
            .into_owned();
        let chosen = own
            .post(page.split('?').next().unwrap())
            .header(ORIGIN, &app.base)
            .form(&[
                ("request", request.as_str()),
                ("action", "continue"),
                ("email", email.as_str()),
            ])
            .send()
            .await
            .unwrap();
        let code = url::Url::parse(chosen.headers()["location"].to_str().unwrap())
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap()
            .1
            .into_owned();
        let started = Instant::now();
        let tokens = own
            .post(format!("{domain}/oauth2/token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", client_id.as_str()),
                ("code", code.as_str()),
                ("redirect_uri", callback_url.as_str()),
                ("code_verifier", verifier),
            ])
            .send()
            .await
            .unwrap();
        assert!(tokens.status().is_success());
        let _ = tokens.bytes().await;
        let direct_time = started.elapsed();
        if round >= 20 {
            through_app.push(app_time);
            straight.push(direct_time);
        }
    }
    report_overhead(
        "\"Sign in with Google\" callback through the app (code exchange, ID token, sign-in)",
        "**the callback's own cost** (difference)",
        &mut through_app,
        &mut straight,
    );
}

/// A server-function call as the page's script makes it (JSON back, no redirect followed).
fn script_post(
    app: &App,
    client: &reqwest::Client,
    path: &str,
    body: String,
) -> impl std::future::Future<Output = reqwest::Result<reqwest::Response>> {
    client
        .post(app.url(path))
        .header(ORIGIN, &app.base)
        .header(ACCEPT, "application/json")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
}

/// The pool's own client, calling the app's embedded pool without the app in between.
/// The account page of a signed-in user, rendered by the app (`GET /account`, every section:
/// contact, MFA, devices, password, deletion), against the Cognito calls it makes made
/// directly (`GetUser` and `ListDevices`).
async fn account_page_overhead() {
    let pool = PoolConfig {
        print_outbox: false,
        mfa: local_pool::config::MfaMode::Optional,
        device_configuration: Some(local_pool::config::DeviceConfiguration {
            challenge_required_on_new_device: true,
            device_only_remembered_on_user_prompt: false,
        }),
        ..PoolConfig::default()
    };
    let mut config = AuthConfig::local(None, pool.clone());
    config.attempt_limit_scale = 1e6;
    let app = serve_app(config, Clock::system(), None).await;
    app.confirmed_user("accountbench").await;
    let client = browser();
    assert_eq!(app.sign_in(&client, "accountbench").await, "/account");
    let direct = direct_client(&app, &pool);
    let tokens = match direct
        .sign_in_srp("accountbench", &Secret::new(PASSWORD))
        .await
        .expect("direct sign-in")
    {
        cognito_idp::SignInOutcome::SignedIn(tokens) => tokens,
        other => panic!("expected tokens, got {other:?}"),
    };
    let (mut through_app, mut straight) = (Vec::new(), Vec::new());
    for round in 0..220 {
        let started = Instant::now();
        let (status, html) = app.page(&client, "/account").await;
        let app_time = started.elapsed();
        assert!(
            status == 200 && html.contains("ca-devices-heading"),
            "the account page answered {status}"
        );
        let started = Instant::now();
        direct
            .get_user(&tokens.access_token)
            .await
            .expect("GetUser");
        direct
            .list_devices(&tokens.access_token, Some(60), None)
            .await
            .expect("ListDevices");
        let direct_time = started.elapsed();
        if round >= 20 {
            through_app.push(app_time);
            straight.push(direct_time);
        }
    }
    report_overhead(
        "the account page through the app (GET /account, signed in, every section)",
        "**app overhead per account page** (difference)",
        &mut through_app,
        &mut straight,
    );
}

fn direct_client(app: &App, pool: &PoolConfig) -> UserPoolClient {
    UserPoolClient::new(
        CognitoClient::new(
            format!("{}{}", app.base, routes::LOCAL_POOL_PATH),
            Duration::from_secs(10),
        ),
        pool.pool_id.clone(),
        pool.default_client().client_id.clone(),
        None,
    )
}

/// Rows for a flow timed through the app and with the same Cognito calls made directly, and
/// the difference: the app's own overhead, against its budget.
fn report_overhead(
    measure: &str,
    overhead: &str,
    through_app: &mut [Duration],
    straight: &mut [Duration],
) {
    let (app50, app99) = percentiles(through_app);
    let (d50, d99) = percentiles(straight);
    row(
        measure,
        &format!("p50 {} · p99 {}", ms(app50), ms(app99)),
        "—",
        "—",
    );
    row(
        "the same Cognito calls made directly by the client",
        &format!("p50 {} · p99 {}", ms(d50), ms(d99)),
        "—",
        "—",
    );
    let over99 = app99.saturating_sub(d99);
    row(
        overhead,
        &format!("p50 {} · p99 {}", ms(app50.saturating_sub(d50)), ms(over99)),
        "≤ 5 ms p99",
        &verdict_max(over99.as_secs_f64() * 1000.0, 5.0, "ms"),
    );
}

/// A real signed-in session record (tokens from a real sign-in).
async fn signed_in_record(app: &App, auth: &Auth) -> Record {
    let visitor = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = visitor
        .post(app.url("/api/sign_in"))
        .header(ORIGIN, &app.base)
        .header(ACCEPT, "text/html")
        .form(&[("username", "bench"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .expect("a session cookie");
    let id: Id = cookie.parse().expect("a session id");
    auth.sessions
        .load(&id)
        .await
        .expect("store")
        .expect("the session")
}

async fn session_stores(record: &Record) {
    let dir = std::env::temp_dir().join(format!("ca-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut stores = vec![
        ("memory", SessionStoreUrl::Memory),
        (
            "SQLite",
            format!("sqlite://{}", dir.join("sessions.sqlite3").display())
                .parse()
                .unwrap(),
        ),
    ];
    let redis = start_redis(&dir);
    if let Some((port, _)) = &redis {
        stores.push((
            "Redis",
            format!("redis://127.0.0.1:{port}").parse().unwrap(),
        ));
    }
    for (name, url) in stores {
        let store = AppSessionStore::open(&url).await.expect("store opens");
        let (mut sets, mut gets) = (Vec::new(), Vec::new());
        for _ in 0..1000 {
            let mut fresh = record.clone();
            fresh.id = Id::default();
            let started = Instant::now();
            store.save(&fresh).await.expect("save");
            sets.push(started.elapsed());
            let started = Instant::now();
            let loaded = store.load(&fresh.id).await.expect("load");
            gets.push(started.elapsed());
            assert!(loaded.is_some());
        }
        let (s50, s99) = percentiles(&mut sets);
        let (g50, g99) = percentiles(&mut gets);
        row(
            &format!("session store {name}: set / get"),
            &format!(
                "set p50 {} · p99 {}; get p50 {} · p99 {}",
                us(s50),
                us(s99),
                us(g50),
                us(g99)
            ),
            "—",
            "—",
        );
    }
    if redis.is_none() {
        row(
            "session store Redis",
            "not measured (no redis-server on PATH)",
            "—",
            "—",
        );
    }
    if let Some((_, mut child)) = redis {
        let _ = child.kill();
    }
}

fn start_redis(dir: &std::path::Path) -> Option<(u16, std::process::Child)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = std::process::Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .spawn()
        .ok()?;
    for _ in 0..50 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some((port, child));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

/// Resident memory added per signed-in session in the memory store.
async fn session_memory(record: &Record) {
    let store = AppSessionStore::open(&SessionStoreUrl::Memory)
        .await
        .unwrap();
    let bytes = serde_json::to_vec(&record.data)
        .map(|v| v.len())
        .unwrap_or(0);
    let before = resident_bytes();
    let mut stored = 0usize;
    for target in [10_000usize, 100_000] {
        while stored < target {
            let mut fresh = record.clone();
            fresh.id = Id::default();
            store.save(&fresh).await.unwrap();
            stored += 1;
        }
        let per_session = (resident_bytes().saturating_sub(before)) as f64 / stored as f64;
        row(
            &format!("memory per signed-in session, {target} sessions (memory store)"),
            &format!(
                "{:.1} kB (the session's data is {:.1} kB as JSON)",
                per_session / 1000.0,
                bytes as f64 / 1000.0
            ),
            "≤ 8 kB",
            &verdict_max(per_session / 1000.0, 8.0, "kB"),
        );
    }
    // Reads stay fast with 100k sessions stored.
    let mut gets = Vec::new();
    for _ in 0..1000 {
        let started = Instant::now();
        let _ = store.load(&record.id).await;
        gets.push(started.elapsed());
    }
    let (g50, g99) = percentiles(&mut gets);
    row(
        "memory store get with 100k sessions",
        &format!("p50 {} · p99 {}", us(g50), us(g99)),
        "no degradation",
        "see the set/get row above",
    );
}

/// A bare axum handler answering every request with `file`'s bytes as HTML.
async fn plain(port: &str, file: &str) {
    let body = axum::body::Bytes::from(std::fs::read(file).expect("the page"));
    let app = axum::Router::new().fallback(move || {
        let body = body.clone();
        async move {
            (
                [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
                body,
            )
        }
    });
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .unwrap();
    axum::serve(listener, app).await.unwrap();
}

/// `users` people sign up, confirm (signed in), sign out and sign in again, all at once.
async fn concurrent(base: &str, server_pid: &str, users: usize) {
    let app = App::at(base);
    let started = Instant::now();
    let run = |i: usize| {
        let app = app.clone();
        async move {
            let username = format!("load{i}x{}", std::process::id());
            let client = browser();
            let (status, location) = app
                .post(
                    &client,
                    "/api/sign_up",
                    &[
                        ("username", username.as_str()),
                        ("password", PASSWORD),
                        ("confirm_password", PASSWORD),
                        ("email", &format!("{username}@example.com")),
                    ],
                )
                .await;
            if (status, location.as_str()) != (302, "/confirm-signup") {
                return Err(format!("sign-up: {status} {location}"));
            }
            let code = app.last_code(&username).await;
            let (status, location) = app
                .post(&client, "/api/confirm_sign_up", &[("code", &code)])
                .await;
            if location != "/account" {
                return Err(format!("confirm: {status} {location}"));
            }
            app.post(&client, "/api/sign_out", &[]).await;
            let (status, location) = app
                .post(
                    &client,
                    "/api/sign_in",
                    &[("username", username.as_str()), ("password", PASSWORD)],
                )
                .await;
            if location != "/account" {
                return Err(format!("sign-in: {status} {location}"));
            }
            Ok(())
        }
    };
    let results = futures::future::join_all((0..users).map(run)).await;
    let elapsed = started.elapsed();
    let errors: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    let peak_kb: u64 = std::fs::read_to_string(format!("/proc/{server_pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    row(
        &format!("{users} concurrent sign-ups + sign-ins (local pool)"),
        &format!(
            "{:.1} s, {:.1} users/s ({} requests each)",
            elapsed.as_secs_f64(),
            users as f64 / elapsed.as_secs_f64(),
            5
        ),
        "—",
        "—",
    );
    row(
        "errors among them",
        &format!(
            "{}{}",
            errors.len(),
            errors
                .first()
                .map(|e| format!(" (first: {e})"))
                .unwrap_or_default()
        ),
        "0",
        if errors.is_empty() {
            "meets"
        } else {
            "**misses**"
        },
    );
    row(
        "server peak RSS during them",
        &format!("{:.0} MB", peak_kb as f64 / 1024.0),
        "< 1 GB",
        &verdict_max(peak_kb as f64 / 1024.0, 1024.0, "MB"),
    );
}
