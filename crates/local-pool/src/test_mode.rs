//! Test mode, for end-to-end suites (`[test_mode]` in the pool file, or the app's
//! `LOCAL_POOL_TEST_MODE=1`): every code the pool sends is a known one (the pool's, or one set
//! for a user), the attempt limits are raised so a suite signing in hundreds of times from one
//! address is not locked out, and `/local/test/clock` moves the pool's clock forward so codes,
//! sessions and tokens can be seen to expire without waiting.
//!
//! Known codes mean anyone can confirm any account, which is why this is a local-pool setting
//! only: a real user pool has no such switch, and the app refuses it beside a real pool.

use crate::guard;
use crate::pool::LocalPool;
use crate::pools::Pools;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Where the test-mode endpoints are served.
pub const PATH: &str = "/local/test";
/// The longest single move of the clock: enough for any expiry the pool has (a temporary
/// password's days), small enough that a typo cannot overflow anything.
const MAX_ADVANCE_SECS: i64 = 31 * 24 * 3600;
/// How far ahead of the wall clock the pool's may get in all (dates stay ordinary ones).
const MAX_TOTAL_AHEAD_SECS: i64 = 10 * 366 * 24 * 3600;

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct TestMode {
    /// The six-digit code every message carries, unless a user has their own.
    pub code: String,
    /// Multiplies the pool's attempt limits (lockout, wrong codes, code sends, MFA tries).
    pub limit_scale: i64,
}

impl Default for TestMode {
    fn default() -> Self {
        Self {
            code: "123456".into(),
            limit_scale: 100,
        }
    }
}

impl TestMode {
    pub fn check(&self) -> Result<(), String> {
        if !is_code(&self.code) {
            return Err(format!(
                "test_mode.code must be six digits, not {:?}",
                self.code
            ));
        }
        if !(1..=10_000).contains(&self.limit_scale) {
            return Err("test_mode.limit_scale must be from 1 to 10000".into());
        }
        Ok(())
    }
}

fn is_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// The configuration a pool runs with: in test mode, its attempt limits raised.
pub(crate) fn apply(mut config: crate::PoolConfig) -> crate::PoolConfig {
    if let Some(scale) = config.test_mode.as_ref().map(|t| t.limit_scale) {
        for limit in [
            &mut config.lockout_threshold,
            &mut config.max_code_attempts,
            &mut config.max_code_sends,
            &mut config.max_challenge_attempts,
        ] {
            *limit = limit.saturating_mul(scale);
        }
    }
    config
}

/// `/local/test` (what test mode is doing), `/local/test/codes` and `/local/test/clock`; each
/// answers 404 for a pool not in test mode. Like the outbox, only this machine reaches them.
pub fn router(pools: impl Into<Pools>) -> Router {
    let pools: Pools = pools.into();
    Router::new()
        .route(PATH, get(status))
        .route(&format!("{PATH}/codes"), post(set_code))
        .route(&format!("{PATH}/clock"), post(advance_clock))
        .layer(axum::middleware::from_fn(not_through_a_proxy))
        .layer(axum::middleware::from_fn(guard::loopback_peer))
        .layer(axum::middleware::from_fn_with_state(
            pools.clone(),
            guard::allowed_host,
        ))
        .with_state(pools)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PoolQuery {
    #[serde(default)]
    pool_id: Option<String>,
}

fn problem(status: StatusCode, message: &str) -> Box<Response> {
    Box::new((status, Json(json!({ "message": message }))).into_response())
}

/// The pool a call names (the default one when it names none), if it is in test mode.
fn test_pool(pools: &Pools, pool_id: Option<&str>) -> Result<LocalPool, Box<Response>> {
    let pool = match pool_id {
        Some(id) => pools
            .by_pool_id(id)
            .map_err(|_| problem(StatusCode::NOT_FOUND, "No such user pool."))?,
        None => pools.default_pool().clone(),
    };
    if pool.cfg().test_mode.is_none() {
        return Err(problem(
            StatusCode::NOT_FOUND,
            "This pool is not in test mode.",
        ));
    }
    Ok(pool)
}

/// The pool a state change is for, refused from a page on another site (as the console
/// refuses it) or for a pool not in test mode.
fn changed_pool(
    pools: &Pools,
    headers: &HeaderMap,
    pool_id: Option<&str>,
) -> Result<LocalPool, Box<Response>> {
    if !guard::is_same_site(headers, &[]) {
        return Err(problem(
            StatusCode::FORBIDDEN,
            "Test-mode calls are not accepted from other sites.",
        ));
    }
    test_pool(pools, pool_id)
}

/// Refuses calls a proxy forwarded: behind a proxy on this machine every peer is loopback,
/// so the peer check alone would let the proxy's clients in.
async fn not_through_a_proxy(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let forwarded = ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|name| request.headers().contains_key(*name));
    if forwarded {
        return *problem(
            StatusCode::FORBIDDEN,
            "Test mode answers only calls made on this machine, not through a proxy.",
        );
    }
    next.run(request).await
}

async fn status(
    State(pools): State<Pools>,
    axum::extract::Query(query): axum::extract::Query<PoolQuery>,
) -> Response {
    match test_pool(&pools, query.pool_id.as_deref()) {
        Ok(pool) => {
            let config = pool.cfg();
            Json(json!({
                "pool_id": config.pool_id,
                "code": config.test_mode.as_ref().map(|t| t.code.clone()),
                "now": pool.now_secs(),
            }))
            .into_response()
        }
        Err(response) => *response,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeRequest {
    #[serde(default)]
    pool_id: Option<String>,
    /// A username or an alias (email, phone) that signs in.
    username: String,
    /// The user's code from now on; `null` goes back to the pool's.
    code: Option<String>,
}

async fn set_code(
    State(pools): State<Pools>,
    headers: HeaderMap,
    Json(request): Json<CodeRequest>,
) -> Response {
    let pool = match changed_pool(&pools, &headers, request.pool_id.as_deref()) {
        Ok(pool) => pool,
        Err(response) => return *response,
    };
    if request.code.as_deref().is_some_and(|c| !is_code(c)) {
        return *problem(StatusCode::BAD_REQUEST, "A code is six digits.");
    }
    let Ok(Some(user)) = pool.resolve_user(&request.username).await else {
        return *problem(StatusCode::NOT_FOUND, "No such user.");
    };
    let mut codes = pool
        .inner
        .test_codes
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    match request.code {
        Some(code) => codes.insert(user.username.clone(), code),
        None => codes.remove(&user.username),
    };
    Json(json!({ "username": user.username })).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockRequest {
    #[serde(default)]
    pool_id: Option<String>,
    advance_secs: i64,
}

/// Moves the pool's clock forward (never back: what has expired stays expired).
async fn advance_clock(
    State(pools): State<Pools>,
    headers: HeaderMap,
    Json(request): Json<ClockRequest>,
) -> Response {
    let pool = match changed_pool(&pools, &headers, request.pool_id.as_deref()) {
        Ok(pool) => pool,
        Err(response) => return *response,
    };
    if !(1..=MAX_ADVANCE_SECS).contains(&request.advance_secs) {
        return *problem(
            StatusCode::BAD_REQUEST,
            "advance_secs must be from 1 to 2678400 (31 days).",
        );
    }
    let ahead = pool.now_secs() + request.advance_secs - chrono::Utc::now().timestamp();
    if ahead > MAX_TOTAL_AHEAD_SECS {
        return *problem(
            StatusCode::BAD_REQUEST,
            "The pool's clock is already ten years ahead; restart the server to start again.",
        );
    }
    pool.clock().advance(request.advance_secs);
    Json(json!({ "now": pool.now_secs() })).into_response()
}
