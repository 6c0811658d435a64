//! The pool over HTTP: the AWS JSON 1.1 endpoint (`POST /` with `X-Amz-Target`), the JWKS and
//! OpenID discovery documents, with CORS for browser SDKs.

use crate::pool::{fault, Fault, OpResult};
use crate::pools::Pools;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cognito_idp::error::ErrorKind;
use cognito_idp::wire::{ErrorBody, CONTENT_TYPE, TARGET_PREFIX};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The Cognito endpoint at the root of its own server.
pub fn router(pools: impl Into<Pools>) -> Router {
    mounted("", pools)
}

/// The Cognito endpoint under `prefix` (for example `/local/cognito`), answering at both
/// `prefix` and `prefix/`, as SDKs given an endpoint URL post to either.
pub fn mounted(prefix: &str, pools: impl Into<Pools>) -> Router {
    let pools: Pools = pools.into();
    let prefix = prefix.trim_end_matches('/');
    let mut router = Router::new().route(&format!("{prefix}/"), post(dispatch).options(preflight));
    if !prefix.is_empty() {
        router = router.route(prefix, post(dispatch).options(preflight));
    }
    router
        .route(
            &format!("{prefix}/{{pool_id}}/.well-known/jwks.json"),
            get(jwks),
        )
        .route(
            &format!("{prefix}/{{pool_id}}/.well-known/openid-configuration"),
            get(openid_configuration),
        )
        .layer(axum::middleware::map_response(cors))
        .with_state(pools)
}

async fn cors(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    headers.insert(
        "access-control-expose-headers",
        HeaderValue::from_static("x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"),
    );
    response
}

async fn preflight() -> impl IntoResponse {
    (
        StatusCode::OK,
        [
            (
                "access-control-allow-methods",
                HeaderValue::from_static("POST, OPTIONS"),
            ),
            (
                "access-control-allow-headers",
                HeaderValue::from_static("content-type, x-amz-target, x-amz-user-agent, cache-control, authorization, x-amz-date, x-amz-security-token"),
            ),
            ("access-control-max-age", HeaderValue::from_static("600")),
        ],
    )
}

fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn json_response(status: StatusCode, body: Vec<u8>, error_type: Option<&str>) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    if let Ok(id) = HeaderValue::from_str(&request_id()) {
        headers.insert("x-amzn-requestid", id);
    }
    if let Some(error_type) = error_type.and_then(|t| HeaderValue::from_str(&format!("{t}:")).ok())
    {
        headers.insert("x-amzn-errortype", error_type);
    }
    response
}

impl IntoResponse for Fault {
    fn into_response(self) -> Response {
        let kind = self.0.kind;
        let body = serde_json::to_vec(&ErrorBody {
            error_type: kind.type_name().to_owned(),
            message: self.0.message,
        })
        .expect("error body serialises");
        let status = StatusCode::from_u16(kind.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
        json_response(status, body, Some(kind.type_name()))
    }
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> OpResult<T> {
    serde_json::from_slice(body).map_err(|err| {
        if err.is_data() || err.is_eof() && !body.is_empty() {
            fault(
                ErrorKind::InvalidParameter,
                format!("1 validation error detected: {err}"),
            )
        } else {
            fault(
                ErrorKind::Other("SerializationException".into()),
                "Start of structure or map found where not expected.",
            )
        }
    })
}

fn reply<T: Serialize>(result: OpResult<T>) -> Response {
    match result {
        Ok(value) => json_response(
            StatusCode::OK,
            serde_json::to_vec(&value).expect("response serialises"),
            None,
        ),
        Err(fault) => fault.into_response(),
    }
}

macro_rules! operations {
    ($pool:expr, $operation:expr, $body:expr; $($name:literal => $method:ident),+ $(,)?) => {
        match $operation {
            $($name => match parse($body) {
                Ok(request) => reply($pool.$method(request).await),
                Err(fault) => fault.into_response(),
            },)+
            other => fault(
                ErrorKind::UnknownOperation,
                format!("Unknown operation {other}"),
            )
            .into_response(),
        }
    };
}

/// Operations that manage pools and clients (IAM-signed on AWS).
const MANAGEMENT: [&str; 12] = [
    "CreateUserPool",
    "ListUserPools",
    "DescribeUserPool",
    "UpdateUserPool",
    "DeleteUserPool",
    "SetUserPoolMfaConfig",
    "GetUserPoolMfaConfig",
    "CreateUserPoolClient",
    "DescribeUserPoolClient",
    "UpdateUserPoolClient",
    "ListUserPoolClients",
    "DeleteUserPoolClient",
];

async fn dispatch(
    State(pools): State<Pools>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(operation) = target.strip_prefix(TARGET_PREFIX) else {
        return fault(
            ErrorKind::UnknownOperation,
            "Missing or unknown X-Amz-Target",
        )
        .into_response();
    };
    // Admin operations are IAM-signed on AWS: a signature is required, and verified when the
    // pool has credentials configured.
    let signed_operation = operation.starts_with("Admin")
        || operation == "ListUsers"
        || MANAGEMENT.contains(&operation);
    if signed_operation {
        let configured = pools.default_pool().config();
        let credentials = &configured.credentials;
        let checked = if credentials.is_empty() {
            if crate::sigv4::is_signed(&headers) {
                Ok(())
            } else {
                Err(fault(
                    ErrorKind::Other("MissingAuthenticationTokenException".into()),
                    "Missing Authentication Token",
                ))
            }
        } else {
            crate::sigv4::verify(credentials, &method, &uri, &headers, &body, pools.now())
        };
        if let Err(fault) = checked {
            return fault.into_response();
        }
    }
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    if let Some(result) = pools.manage(operation, &value).await {
        return reply(result);
    }
    let pool = match pools.route(&value).await {
        Ok(pool) => pool,
        Err(fault) => return fault.into_response(),
    };
    operations!(pool, operation, &body;
        "SignUp" => sign_up,
        "ConfirmSignUp" => confirm_sign_up,
        "ResendConfirmationCode" => resend_confirmation_code,
        "InitiateAuth" => initiate_auth,
        "RespondToAuthChallenge" => respond_to_auth_challenge,
        "GetUser" => get_user,
        "GlobalSignOut" => global_sign_out,
        "RevokeToken" => revoke_token,
        "ForgotPassword" => forgot_password,
        "ConfirmForgotPassword" => confirm_forgot_password,
        "ChangePassword" => change_password,
        "GetUserAttributeVerificationCode" => get_user_attribute_verification_code,
        "VerifyUserAttribute" => verify_user_attribute,
        "AssociateSoftwareToken" => associate_software_token,
        "VerifySoftwareToken" => verify_software_token,
        "SetUserMFAPreference" => set_user_mfa_preference,
        "GetTokensFromRefreshToken" => get_tokens_from_refresh_token,
        "UpdateUserAttributes" => update_user_attributes,
        "DeleteUserAttributes" => delete_user_attributes,
        "DeleteUser" => delete_user,
        "ConfirmDevice" => confirm_device,
        "GetDevice" => get_device,
        "ListDevices" => list_devices,
        "ForgetDevice" => forget_device,
        "UpdateDeviceStatus" => update_device_status,
        "AdminCreateUser" => admin_create_user,
        "AdminResetUserPassword" => admin_reset_user_password,
        "AdminGetUser" => admin_get_user,
        "ListUsers" => list_users,
        "AdminDeleteUser" => admin_delete_user,
        "AdminConfirmSignUp" => admin_confirm_sign_up,
        "AdminSetUserPassword" => admin_set_user_password,
        "AdminDisableUser" => admin_disable_user,
        "AdminEnableUser" => admin_enable_user,
        "AdminUserGlobalSignOut" => admin_user_global_sign_out,
        "AdminUpdateUserAttributes" => admin_update_user_attributes,
        "AdminInitiateAuth" => admin_initiate_auth,
        "AdminRespondToAuthChallenge" => admin_respond_to_auth_challenge,
    )
}

async fn jwks(State(pools): State<Pools>, Path(pool_id): Path<String>) -> Response {
    let Ok(pool) = pools.by_pool_id(&pool_id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    Json(pool.jwks()).into_response()
}

async fn openid_configuration(State(pools): State<Pools>, Path(pool_id): Path<String>) -> Response {
    let Ok(pool) = pools.by_pool_id(&pool_id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let issuer = pool.issuer();
    Json(serde_json::json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "id_token_signing_alg_values_supported": ["RS256"],
        "subject_types_supported": ["public"],
        "response_types_supported": ["code", "token"],
    }))
    .into_response()
}
