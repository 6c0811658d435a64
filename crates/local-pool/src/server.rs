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
        .layer(axum::middleware::from_fn_with_state(
            pools.clone(),
            crate::guard::allowed_host,
        ))
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

/// What a browser page on another origin may send: the headers the AWS SDK for JavaScript adds
/// to the public operations. `authorization` and `x-amz-security-token` are left out, so no page
/// can send a signed call, and SigV4 operations are refused to browsers anyway (`dispatch`).
const BROWSER_HEADERS: &str = "content-type, x-amz-target, x-amz-user-agent, x-amz-date, \
     amz-sdk-invocation-id, amz-sdk-request, cache-control";

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
                HeaderValue::from_static(BROWSER_HEADERS),
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

/// Operations that manage pools and clients.
const MANAGEMENT: [&str; 20] = [
    "AdminLinkProviderForUser",
    "AdminDisableProviderForUser",
    "CreateIdentityProvider",
    "DescribeIdentityProvider",
    "UpdateIdentityProvider",
    "DeleteIdentityProvider",
    "ListIdentityProviders",
    "GetIdentityProviderByIdentifier",
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

/// Operations Cognito serves without AWS credentials (optional auth in its API model): the
/// calls an app makes with a user's tokens, a challenge session or nothing. The others this
/// pool serves (`Admin*`, `ListUsers`, [`MANAGEMENT`]) are SigV4-signed on AWS; any other name
/// is an unknown operation.
const PUBLIC_OPERATIONS: [&str; 30] = [
    "SignUp",
    "ConfirmSignUp",
    "ResendConfirmationCode",
    "InitiateAuth",
    "RespondToAuthChallenge",
    "GetUser",
    "GetUserAuthFactors",
    "GlobalSignOut",
    "RevokeToken",
    "ForgotPassword",
    "ConfirmForgotPassword",
    "ChangePassword",
    "GetUserAttributeVerificationCode",
    "VerifyUserAttribute",
    "AssociateSoftwareToken",
    "VerifySoftwareToken",
    "SetUserMFAPreference",
    "GetTokensFromRefreshToken",
    "UpdateUserAttributes",
    "DeleteUserAttributes",
    "DeleteUser",
    "ConfirmDevice",
    "GetDevice",
    "ListDevices",
    "ForgetDevice",
    "UpdateDeviceStatus",
    "StartWebAuthnRegistration",
    "CompleteWebAuthnRegistration",
    "ListWebAuthnCredentials",
    "DeleteWebAuthnCredential",
];

/// Whether a request was made by a web page: browsers add `Origin` to every POST (same-origin
/// ones too, so a DNS-rebinding page is caught as well) and Fetch Metadata to every request.
/// The AWS SDKs and CLI outside a browser send neither.
fn from_browser(headers: &HeaderMap) -> bool {
    ["origin", "sec-fetch-site", "sec-fetch-mode"]
        .iter()
        .any(|name| headers.contains_key(*name))
}

/// The checks an IAM-signed operation passes before it runs: never from a web page, and signed
/// with the credentials of the pool it names (any well-formed signature when that pool has
/// none configured, which is all a local pool without keys can check).
fn check_signed(
    pools: &Pools,
    request: &SignedRequest<'_>,
    value: &serde_json::Value,
) -> Result<(), Fault> {
    if from_browser(request.headers) {
        return Err(fault(
            ErrorKind::Other("AccessDeniedException".into()),
            "The local pool refuses IAM-signed operations from web pages; call them from a server-side AWS client.",
        ));
    }
    let named = value
        .get("UserPoolId")
        .and_then(serde_json::Value::as_str)
        .and_then(|id| pools.by_pool_id(id).ok());
    // A pool without keys of its own (declared or created through the API) is checked against
    // the configured pool's, read now, so a change of those keys reaches every pool.
    let own = named.map(|pool| pool.config().credentials.clone());
    let credentials = match own {
        Some(own) if !own.is_empty() => own,
        _ => pools.default_pool().config().credentials.clone(),
    };
    if credentials.is_empty() {
        if crate::sigv4::is_signed(request.headers) {
            Ok(())
        } else {
            Err(crate::sigv4::missing_token())
        }
    } else {
        crate::sigv4::verify(&credentials, request, pools.now())
    }
}

/// The parts of a request a signature covers.
pub struct SignedRequest<'a> {
    pub method: &'a axum::http::Method,
    pub uri: &'a axum::http::Uri,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

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
    let signed = operation.starts_with("Admin")
        || operation == "ListUsers"
        || MANAGEMENT.contains(&operation);
    if !signed && !PUBLIC_OPERATIONS.contains(&operation) {
        return fault(
            ErrorKind::UnknownOperation,
            format!("Unknown operation {operation}"),
        )
        .into_response();
    }
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    if signed {
        let request = SignedRequest {
            method: &method,
            uri: &uri,
            headers: &headers,
            body: &body,
        };
        if let Err(fault) = check_signed(&pools, &request, &value) {
            return fault.into_response();
        }
    }
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
        "GetUserAuthFactors" => get_user_auth_factors,
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
        "StartWebAuthnRegistration" => start_web_authn_registration,
        "CompleteWebAuthnRegistration" => complete_web_authn_registration,
        "ListWebAuthnCredentials" => list_web_authn_credentials,
        "DeleteWebAuthnCredential" => delete_web_authn_credential,
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
    let mut document = crate::oauth::discovery_endpoints(&crate::oauth::domain_url(&pool));
    document["issuer"] = issuer.into();
    document["jwks_uri"] = format!("{issuer}/.well-known/jwks.json").into();
    document["id_token_signing_alg_values_supported"] = serde_json::json!(["RS256"]);
    document["subject_types_supported"] = serde_json::json!(["public"]);
    Json(document).into_response()
}
