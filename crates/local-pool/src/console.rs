//! `/local/console`: the local equivalent of the user list in the AWS console. Loopback only;
//! every change is a same-origin POST answered with a redirect back to the list.

use crate::guard::is_same_site;
use crate::outbox::escape;
use crate::pool::LocalPool;
use crate::pools::Pools;
use crate::store::UserRecord;
use axum::extract::{Form, Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cognito_idp::wire::*;
use cognito_idp::Secret;
use serde::Deserialize;

/// Where the console is served.
pub const PATH: &str = "/local/console";

/// The console at `/local/console` (with or without the trailing slash), to merge into a router.
/// `?pool=<id>` picks one of several pools; the configured one is shown by default.
pub fn router(pools: impl Into<Pools>) -> Router {
    let pools: Pools = pools.into();
    Router::new()
        .route(PATH, get(list))
        .route(crate::page::STYLESHEET_PATH, get(crate::page::stylesheet))
        .route(&format!("{PATH}/"), get(list))
        .route(&format!("{PATH}/users"), post(create))
        .route(&format!("{PATH}/users/{{username}}/{{action}}"), post(act))
        .layer(axum::middleware::from_fn(guard))
        .layer(axum::middleware::from_fn(crate::guard::loopback_peer))
        .layer(axum::middleware::from_fn_with_state(
            pools.clone(),
            crate::guard::allowed_host,
        ))
        .with_state(pools)
}

/// Which pool a console request is about.
#[derive(Deserialize, Default)]
struct PoolQuery {
    #[serde(default)]
    pool: String,
}

/// The chosen pool, or the page saying the id is unknown.
fn chosen(pools: &Pools, pool_id: &str) -> Result<LocalPool, Box<Response>> {
    pools.chosen(Some(pool_id)).map_err(|fault| {
        Box::new(
            (
                StatusCode::NOT_FOUND,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                fault.0.message,
            )
                .into_response(),
        )
    })
}

/// `?pool=<id>` for links back to a pool other than the configured one.
fn pool_param(pools: &Pools, pool: &LocalPool) -> String {
    let id = pool.config().pool_id.clone();
    if id == pools.default_pool().config().pool_id {
        String::new()
    } else {
        format!("pool={}&", url_encode(&id))
    }
}

/// Changes only by same-origin forms.
async fn guard(request: Request, next: Next) -> Response {
    if request.method() == axum::http::Method::POST && !is_same_site(request.headers(), &[]) {
        return (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response();
    }
    next.run(request).await
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    pool: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    done: String,
    #[serde(default)]
    error: String,
}

fn back(pool: &str, done: &str) -> Response {
    Redirect::to(&format!("{PATH}?{pool}done={}", url_encode(done))).into_response()
}

fn back_with_error(pool: &str, message: &str) -> Response {
    Redirect::to(&format!("{PATH}?{pool}error={}", url_encode(message))).into_response()
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

async fn list(State(pools): State<Pools>, Query(query): Query<ListQuery>) -> Response {
    let pool = match chosen(&pools, &query.pool) {
        Ok(pool) => pool,
        Err(response) => return *response,
    };
    let param = pool_param(&pools, &pool);
    let users = match pool.store().list_users().await {
        Ok(users) => users,
        Err(_) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The pool's database could not be read.",
            )
                .into_response()
        }
    };
    let needle = query.q.trim().to_lowercase();
    let mut rows = String::new();
    let mut shown = 0;
    for user in users.iter().filter(|u| {
        needle.is_empty()
            || u.username.to_lowercase().contains(&needle)
            || u.attributes
                .values()
                .any(|v| v.to_lowercase().contains(&needle))
    }) {
        shown += 1;
        let (mfa, _) = pool.mfa_settings_for(user).await;
        rows.push_str(&row(user, &mfa.join(", "), &param));
    }
    let all = pools.all();
    let switcher = if all.len() > 1 {
        let links: Vec<String> = all
            .iter()
            .map(|p| {
                let config = p.config();
                let id = escape(&config.pool_id);
                if config.pool_id == pool.config().pool_id {
                    format!("<strong aria-current=\"page\">{id}</strong>")
                } else {
                    format!(
                        "<a href=\"{PATH}?pool={}\">{id}</a>",
                        url_encode(&config.pool_id)
                    )
                }
            })
            .collect();
        format!(
            "<nav aria-label=\"Pools\">Pools: {}</nav>",
            links.join(" · ")
        )
    } else {
        String::new()
    };
    let banner = match (query.done.is_empty(), query.error.is_empty()) {
        (false, _) => format!(
            "<p class=\"ca-alert ca-alert--info\" role=\"status\">{}</p>",
            escape(&query.done)
        ),
        (_, false) => format!(
            "<p class=\"ca-alert ca-alert--error\" role=\"alert\">{}</p>",
            escape(&query.error)
        ),
        _ => String::new(),
    };
    let config = pool.config();
    let body = format!(
        "<p class=\"ca-text\">Pool <code>{pool_id}</code> · app client <code>{client_id}</code> · <a class=\"ca-link\" href=\"/local/outbox\">Outbox</a></p>{switcher}{banner}\
<form method=\"get\" class=\"ca-form ca-search\"><input type=\"hidden\" name=\"pool\" value=\"{pool_id}\">\
<div class=\"ca-field\"><label class=\"ca-label\" for=\"q\">Search users</label><input class=\"ca-input\" id=\"q\" name=\"q\" value=\"{q}\" placeholder=\"username, email or phone\"></div>\
<button class=\"ca-button ca-button--secondary\">Search</button></form>\
<p class=\"ca-text\">{shown} of {total} users.</p>\
<div class=\"ca-table-wrap\" role=\"region\" aria-label=\"Users\" tabindex=\"0\"><table class=\"ca-table\"><thead><tr><th scope=\"col\">Username</th><th scope=\"col\">Status</th><th scope=\"col\">Enabled</th><th scope=\"col\">Attributes</th><th scope=\"col\">MFA</th><th scope=\"col\">Created</th><th scope=\"col\">Actions</th></tr></thead><tbody>{rows}</tbody></table></div>\
<h2 class=\"ca-subheading\">Create a user</h2><p class=\"ca-hint\">The user gets a temporary password (in the outbox) and must choose a new one at first sign-in.</p>\
<form method=\"post\" action=\"/local/console/users?{param}\" class=\"ca-form\">\
<div class=\"ca-field\"><label class=\"ca-label\" for=\"new-username\">Username</label><input class=\"ca-input\" id=\"new-username\" name=\"username\" required maxlength=\"128\"></div>\
<div class=\"ca-field\"><label class=\"ca-label\" for=\"new-email\">Email</label><input class=\"ca-input\" id=\"new-email\" name=\"email\" type=\"email\"></div>\
<div class=\"ca-field\"><label class=\"ca-label\" for=\"new-password\">Temporary password (optional)</label><input class=\"ca-input\" id=\"new-password\" name=\"temporary_password\" type=\"text\" autocomplete=\"off\"></div>\
<button class=\"ca-button ca-button--primary\">Create user</button></form>",
        pool_id = escape(&config.pool_id),
        client_id = escape(&config.default_client().client_id),
        q = escape(&query.q),
        total = users.len(),
    );
    Html(crate::page::tool_page("Local user pool", &body)).into_response()
}

fn row(user: &UserRecord, mfa: &str, pool_param: &str) -> String {
    let name = escape(&user.username);
    let path = url_encode(&user.username);
    let attributes: String = user
        .attributes
        .iter()
        .filter(|(k, _)| k.as_str() != "identities")
        .map(|(k, v)| format!("{}: {}<br>", escape(k), escape(v)))
        .collect();
    // Provider identities read as "Google 1093… (linked)" rather than as their JSON.
    let identities: String = crate::federation::identities_of(user)
        .iter()
        .map(|identity| {
            let text = |key: &str| escape(identity[key].as_str().unwrap_or_default());
            let how = if identity["primary"] == "true" {
                "signed up"
            } else {
                "linked"
            };
            format!(
                "<span data-identity>identity: {} {} ({how})</span><br>",
                text("providerName"),
                text("userId")
            )
        })
        .collect();
    let attributes = attributes + &identities;
    let created = chrono::DateTime::from_timestamp(user.created_at, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default();
    let button = |action: &str, label: &str| {
        format!("<form method=\"post\" action=\"/local/console/users/{path}/{action}?{pool_param}\"><button class=\"ca-button ca-button--small\" aria-label=\"{label} {name}\">{label}</button></form>")
    };
    let mut actions = String::new();
    if user.status == crate::store::UserStatus::Unconfirmed {
        actions.push_str(&button("confirm", "Confirm"));
    }
    actions.push_str(&if user.enabled {
        button("disable", "Disable")
    } else {
        button("enable", "Enable")
    });
    actions.push_str(&button("reset-password", "Reset password"));
    actions.push_str(&button("sign-out", "Sign out everywhere"));
    actions.push_str(&button("delete", "Delete"));
    format!(
        "<tr data-username=\"{name}\"><td>{name}</td><td>{status}</td><td>{enabled}</td><td>{attributes}</td><td>{mfa}</td><td>{created}</td><td>{actions}</td></tr>",
        status = user.status.as_str(),
        enabled = if user.enabled { "Yes" } else { "No" },
        mfa = escape(mfa),
    )
}

#[derive(Deserialize)]
struct NewUser {
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    temporary_password: String,
}

async fn create(
    State(pools): State<Pools>,
    Query(which): Query<PoolQuery>,
    Form(form): Form<NewUser>,
) -> Response {
    let pool = match chosen(&pools, &which.pool) {
        Ok(pool) => pool,
        Err(response) => return *response,
    };
    let param = pool_param(&pools, &pool);
    let mut attributes = Vec::new();
    if !form.email.trim().is_empty() {
        attributes.push(AttributeType::new("email", form.email.trim()));
        attributes.push(AttributeType::new("email_verified", "true"));
    }
    let request = AdminCreateUserRequest {
        user_pool_id: pool.config().pool_id.clone(),
        username: form.username.clone(),
        user_attributes: attributes,
        temporary_password: (!form.temporary_password.is_empty())
            .then(|| Secret::new(form.temporary_password.clone())),
        ..Default::default()
    };
    match pool.admin_create_user(request).await {
        Ok(created) => back(
            &param,
            &format!(
                "Created {}; the temporary password is in the outbox.",
                created.user.username
            ),
        ),
        Err(fault) => back_with_error(&param, &fault.0.message),
    }
}

async fn act(
    State(pools): State<Pools>,
    Query(which): Query<PoolQuery>,
    Path((username, action)): Path<(String, String)>,
) -> Response {
    let pool = match chosen(&pools, &which.pool) {
        Ok(pool) => pool,
        Err(response) => return *response,
    };
    let param = pool_param(&pools, &pool);
    let user = AdminUserRequest {
        user_pool_id: pool.config().pool_id.clone(),
        username: username.clone(),
    };
    let result = match action.as_str() {
        "confirm" => pool
            .admin_confirm_sign_up(AdminConfirmSignUpRequest(user))
            .await
            .map(|_| "confirmed"),
        "disable" => pool
            .admin_disable_user(AdminDisableUserRequest(user))
            .await
            .map(|_| "disabled"),
        "enable" => pool
            .admin_enable_user(AdminEnableUserRequest(user))
            .await
            .map(|_| "enabled"),
        "reset-password" => pool
            .admin_reset_user_password(AdminResetUserPasswordRequest(user))
            .await
            .map(|_| "sent a password reset code to"),
        "sign-out" => pool
            .admin_user_global_sign_out(AdminUserGlobalSignOutRequest(user))
            .await
            .map(|_| "signed out everywhere"),
        "delete" => pool
            .admin_delete_user(AdminDeleteUserRequest(user))
            .await
            .map(|_| "deleted"),
        _ => {
            return (
                StatusCode::NOT_FOUND,
                [(header::CONTENT_TYPE, "text/plain")],
                "Unknown action",
            )
                .into_response()
        }
    };
    match result {
        Ok(done) => back(&param, &format!("{username}: {done}.")),
        Err(fault) => back_with_error(&param, &fault.0.message),
    }
}
