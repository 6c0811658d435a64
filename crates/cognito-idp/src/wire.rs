//! Request and response shapes of the Cognito Identity Provider JSON 1.1 API (PascalCase members,
//! absent members omitted). Shared by the client and the local pool.

use crate::secret::{Secret, SecretMap};
use serde::{Deserialize, Serialize};

/// The `X-Amz-Target` prefix of every operation.
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
/// The content type of requests and responses.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// An operation: its name and its request/response types.
pub trait Operation: Serialize + for<'de> Deserialize<'de> {
    const NAME: &'static str;
    type Response: Serialize + for<'de> Deserialize<'de>;
    /// Safe to send again after a transport failure.
    const IDEMPOTENT: bool = false;
}

macro_rules! operation {
    ($req:ident => $resp:ty, $name:literal) => {
        impl Operation for $req {
            const NAME: &'static str = $name;
            type Response = $resp;
        }
    };
    ($req:ident => $resp:ty, $name:literal, idempotent) => {
        impl Operation for $req {
            const NAME: &'static str = $name;
            type Response = $resp;
            const IDEMPOTENT: bool = true;
        }
    };
}

/// An operation answered with `{}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Empty {}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeType {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl AttributeType {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: Some(value.into()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_medium: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_name: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpRequest {
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<Secret>,
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_attributes: Vec<AttributeType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validation_data: Vec<AttributeType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<SecretMap>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpResponse {
    pub user_confirmed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_delivery_details: Option<CodeDeliveryDetails>,
    pub user_sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Secret>,
}
operation!(SignUpRequest => SignUpResponse, "SignUp");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSignUpRequest {
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<Secret>,
    pub username: String,
    pub confirmation_code: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_alias_creation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<SecretMap>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSignUpResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Secret>,
}
operation!(ConfirmSignUpRequest => ConfirmSignUpResponse, "ConfirmSignUp");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResendConfirmationCodeRequest {
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<Secret>,
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<SecretMap>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_delivery_details: Option<CodeDeliveryDetails>,
}
operation!(ResendConfirmationCodeRequest => CodeDeliveryResponse, "ResendConfirmationCode");

/// `ForgotPassword` takes the same members as `ResendConfirmationCode`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ForgotPasswordRequest(pub ResendConfirmationCodeRequest);
operation!(ForgotPasswordRequest => CodeDeliveryResponse, "ForgotPassword");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmForgotPasswordRequest {
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<Secret>,
    pub username: String,
    pub confirmation_code: Secret,
    pub password: Secret,
}
operation!(ConfirmForgotPasswordRequest => Empty, "ConfirmForgotPassword");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InitiateAuthRequest {
    pub auth_flow: String,
    #[serde(default)]
    pub auth_parameters: SecretMap,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<SecretMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Secret>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthenticationResult {
    pub access_token: Secret,
    pub expires_in: i64,
    pub token_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    pub id_token: Secret,
    /// A device the pool started tracking with this sign-in (confirm it with `ConfirmDevice`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_device_metadata: Option<NewDeviceMetadata>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NewDeviceMetadata {
    pub device_key: String,
    pub device_group_key: String,
}

/// The answer of `InitiateAuth` and `RespondToAuthChallenge`: tokens, or the next challenge.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Secret>,
    #[serde(default)]
    pub challenge_parameters: SecretMap,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_result: Option<AuthenticationResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_challenges: Option<Vec<String>>,
}
operation!(InitiateAuthRequest => AuthResponse, "InitiateAuth");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RespondToAuthChallengeRequest {
    pub client_id: String,
    pub challenge_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Secret>,
    #[serde(default)]
    pub challenge_responses: SecretMap,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<SecretMap>,
}
operation!(RespondToAuthChallengeRequest => AuthResponse, "RespondToAuthChallenge");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessTokenRequest {
    pub access_token: Secret,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetUserRequest(pub AccessTokenRequest);

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserResponse {
    pub username: String,
    pub user_attributes: Vec<AttributeType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_mfa_setting: Option<String>,
    #[serde(
        default,
        rename = "UserMFASettingList",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_mfa_setting_list: Option<Vec<String>>,
}
operation!(GetUserRequest => GetUserResponse, "GetUser", idempotent);

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetUserAuthFactorsRequest(pub AccessTokenRequest);

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserAuthFactorsResponse {
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_mfa_setting: Option<String>,
    #[serde(
        default,
        rename = "UserMFASettingList",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_mfa_setting_list: Option<Vec<String>>,
    /// What the user can sign in with: `PASSWORD`, `EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`, and
    /// `SOFTWARE_TOKEN` as a second factor.
    #[serde(default)]
    pub configured_user_auth_factors: Vec<String>,
}
operation!(GetUserAuthFactorsRequest => GetUserAuthFactorsResponse, "GetUserAuthFactors", idempotent);

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GlobalSignOutRequest(pub AccessTokenRequest);
operation!(GlobalSignOutRequest => Empty, "GlobalSignOut", idempotent);

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RevokeTokenRequest {
    pub token: Secret,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
}
operation!(RevokeTokenRequest => Empty, "RevokeToken", idempotent);

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangePasswordRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_password: Option<Secret>,
    pub proposed_password: Secret,
    pub access_token: Secret,
}
operation!(ChangePasswordRequest => Empty, "ChangePassword");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserAttributeVerificationCodeRequest {
    pub access_token: Secret,
    pub attribute_name: String,
}
operation!(GetUserAttributeVerificationCodeRequest => CodeDeliveryResponse, "GetUserAttributeVerificationCode");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyUserAttributeRequest {
    pub access_token: Secret,
    pub attribute_name: String,
    pub code: Secret,
}
operation!(VerifyUserAttributeRequest => Empty, "VerifyUserAttribute");

/// `AssociateSoftwareToken` and `VerifySoftwareToken` take an access token or a challenge session.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateSoftwareTokenRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Secret>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateSoftwareTokenResponse {
    /// The base32 TOTP shared secret.
    pub secret_code: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Secret>,
}
operation!(AssociateSoftwareTokenRequest => AssociateSoftwareTokenResponse, "AssociateSoftwareToken");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifySoftwareTokenRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Secret>,
    pub user_code: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friendly_device_name: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifySoftwareTokenResponse {
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Secret>,
}
operation!(VerifySoftwareTokenRequest => VerifySoftwareTokenResponse, "VerifySoftwareToken");

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_mfa: Option<bool>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetUserMfaPreferenceRequest {
    pub access_token: Secret,
    #[serde(
        default,
        rename = "SMSMfaSettings",
        skip_serializing_if = "Option::is_none"
    )]
    pub sms_mfa_settings: Option<MfaSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_token_mfa_settings: Option<MfaSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_mfa_settings: Option<MfaSettings>,
}
operation!(SetUserMfaPreferenceRequest => Empty, "SetUserMFAPreference");

/// A user as the admin operations describe one.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserType {
    pub username: String,
    #[serde(default)]
    pub attributes: Vec<AttributeType>,
    pub user_create_date: i64,
    pub user_last_modified_date: i64,
    pub enabled: bool,
    pub user_status: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserRequest {
    pub user_pool_id: String,
    pub username: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_attributes: Vec<AttributeType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temporary_password: Option<Secret>,
    /// `SUPPRESS` (send nothing) or `RESEND`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_action: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub desired_delivery_mediums: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserResponse {
    pub user: UserType,
}
operation!(AdminCreateUserRequest => AdminCreateUserResponse, "AdminCreateUser");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminUserRequest {
    pub user_pool_id: String,
    pub username: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AdminResetUserPasswordRequest(pub AdminUserRequest);
operation!(AdminResetUserPasswordRequest => Empty, "AdminResetUserPassword");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTokensFromRefreshTokenRequest {
    pub refresh_token: Secret,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<SecretMap>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTokensFromRefreshTokenResponse {
    pub authentication_result: AuthenticationResult,
}
operation!(GetTokensFromRefreshTokenRequest => GetTokensFromRefreshTokenResponse, "GetTokensFromRefreshToken");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserAttributesRequest {
    pub user_attributes: Vec<AttributeType>,
    pub access_token: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<SecretMap>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserAttributesResponse {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code_delivery_details_list: Vec<CodeDeliveryDetails>,
}
operation!(UpdateUserAttributesRequest => UpdateUserAttributesResponse, "UpdateUserAttributes");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteUserAttributesRequest {
    pub user_attribute_names: Vec<String>,
    pub access_token: Secret,
}
operation!(DeleteUserAttributesRequest => Empty, "DeleteUserAttributes");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeleteUserRequest(pub AccessTokenRequest);
operation!(DeleteUserRequest => Empty, "DeleteUser");

macro_rules! admin_user_operation {
    ($($req:ident => $name:literal),+ $(,)?) => {$(
        #[derive(Clone, Debug, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $req(pub AdminUserRequest);
        operation!($req => Empty, $name);
    )+};
}
admin_user_operation! {
    AdminDeleteUserRequest => "AdminDeleteUser",
    AdminConfirmSignUpRequest => "AdminConfirmSignUp",
    AdminDisableUserRequest => "AdminDisableUser",
    AdminEnableUserRequest => "AdminEnableUser",
    AdminUserGlobalSignOutRequest => "AdminUserGlobalSignOut",
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AdminGetUserRequest(pub AdminUserRequest);

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminGetUserResponse {
    pub username: String,
    pub user_attributes: Vec<AttributeType>,
    pub user_create_date: i64,
    pub user_last_modified_date: i64,
    pub enabled: bool,
    pub user_status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_mfa_setting: Option<String>,
    #[serde(
        default,
        rename = "UserMFASettingList",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_mfa_setting_list: Option<Vec<String>>,
}
operation!(AdminGetUserRequest => AdminGetUserResponse, "AdminGetUser");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsersRequest {
    pub user_pool_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes_to_get: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsersResponse {
    pub users: Vec<UserType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination_token: Option<String>,
}
operation!(ListUsersRequest => ListUsersResponse, "ListUsers");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminSetUserPasswordRequest {
    pub user_pool_id: String,
    pub username: String,
    pub password: Secret,
    #[serde(default)]
    pub permanent: bool,
}
operation!(AdminSetUserPasswordRequest => Empty, "AdminSetUserPassword");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminUpdateUserAttributesRequest {
    pub user_pool_id: String,
    pub username: String,
    pub user_attributes: Vec<AttributeType>,
}
operation!(AdminUpdateUserAttributesRequest => Empty, "AdminUpdateUserAttributes");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminInitiateAuthRequest {
    pub user_pool_id: String,
    pub client_id: String,
    pub auth_flow: String,
    #[serde(default)]
    pub auth_parameters: SecretMap,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<SecretMap>,
    /// `USER_AUTH` after confirmation: the `Session` `ConfirmSignUp` returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Secret>,
}
operation!(AdminInitiateAuthRequest => AuthResponse, "AdminInitiateAuth");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminRespondToAuthChallengeRequest {
    pub user_pool_id: String,
    pub client_id: String,
    pub challenge_name: String,
    #[serde(default)]
    pub challenge_responses: SecretMap,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Secret>,
}
operation!(AdminRespondToAuthChallengeRequest => AuthResponse, "AdminRespondToAuthChallenge");

/// The verifier a client derives from its random device password (SRP, as for users).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceSecretVerifierConfig {
    /// Base64 of the padded `g^x mod N`.
    pub password_verifier: String,
    /// Base64 of the padded salt.
    pub salt: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmDeviceRequest {
    pub access_token: Secret,
    pub device_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_secret_verifier_config: Option<DeviceSecretVerifierConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmDeviceResponse {
    pub user_confirmation_necessary: bool,
}
operation!(ConfirmDeviceRequest => ConfirmDeviceResponse, "ConfirmDevice");

/// One tracked device (`DeviceType`); dates are epoch seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceType {
    pub device_key: String,
    #[serde(default)]
    pub device_attributes: Vec<AttributeType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_create_date: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_last_modified_date: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_last_authenticated_date: Option<f64>,
}

impl DeviceType {
    /// The value of one of the device's attributes (`device_name`, `dev:device_remembered_status`…).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.device_attributes
            .iter()
            .find(|a| a.name == name)
            .and_then(|a| a.value.as_deref())
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetDeviceRequest {
    pub device_key: String,
    pub access_token: Secret,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetDeviceResponse {
    pub device: DeviceType,
}
operation!(GetDeviceRequest => GetDeviceResponse, "GetDevice", idempotent);

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDevicesRequest {
    pub access_token: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination_token: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDevicesResponse {
    #[serde(default)]
    pub devices: Vec<DeviceType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination_token: Option<String>,
}
operation!(ListDevicesRequest => ListDevicesResponse, "ListDevices", idempotent);

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForgetDeviceRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<Secret>,
    pub device_key: String,
}
operation!(ForgetDeviceRequest => Empty, "ForgetDevice", idempotent);

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateDeviceStatusRequest {
    pub access_token: Secret,
    pub device_key: String,
    /// `remembered` or `not_remembered`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_remembered_status: Option<String>,
}
operation!(UpdateDeviceStatusRequest => Empty, "UpdateDeviceStatus", idempotent);

/// The error body of every failed call.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(rename = "__type")]
    pub error_type: String,
    pub message: String,
}

/// One `JWK` of a pool's `jwks.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Jwk {
    pub kid: String,
    pub alg: String,
    pub kty: String,
    pub e: String,
    pub n: String,
    #[serde(rename = "use")]
    pub use_: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JwkSet {
    pub keys: Vec<Jwk>,
}

// ---- passkeys (WebAuthn) ---------------------------------------------------------------------

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StartWebAuthnRegistrationRequest(pub AccessTokenRequest);

/// `CredentialCreationOptions` is the WebAuthn JSON form of `PublicKeyCredentialCreationOptions`
/// (buffers as base64url), an object on the wire; handed to the browser as it is.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartWebAuthnRegistrationResponse {
    pub credential_creation_options: serde_json::Value,
}
operation!(StartWebAuthnRegistrationRequest => StartWebAuthnRegistrationResponse, "StartWebAuthnRegistration");

/// `Credential` is the browser's `RegistrationResponseJSON`, an object on the wire.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CompleteWebAuthnRegistrationRequest {
    pub access_token: Secret,
    pub credential: serde_json::Value,
}
operation!(CompleteWebAuthnRegistrationRequest => Empty, "CompleteWebAuthnRegistration");

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListWebAuthnCredentialsRequest {
    pub access_token: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct WebAuthnCredentialDescription {
    pub credential_id: String,
    pub friendly_credential_name: String,
    pub relying_party_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<String>,
    #[serde(default)]
    pub authenticator_transports: Vec<String>,
    /// Epoch seconds (a JSON number, as Cognito's timestamps are).
    pub created_at: f64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListWebAuthnCredentialsResponse {
    #[serde(default)]
    pub credentials: Vec<WebAuthnCredentialDescription>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}
operation!(ListWebAuthnCredentialsRequest => ListWebAuthnCredentialsResponse, "ListWebAuthnCredentials", idempotent);

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteWebAuthnCredentialRequest {
    pub access_token: Secret,
    pub credential_id: String,
}
operation!(DeleteWebAuthnCredentialRequest => Empty, "DeleteWebAuthnCredential", idempotent);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn omits_absent_members_and_uses_pascal_case() {
        let req = SignUpRequest {
            client_id: "c".into(),
            username: "u".into(),
            password: Some("p".into()),
            ..Default::default()
        };
        let json = serde_json::to_value(&req).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"ClientId": "c", "Username": "u", "Password": "p"})
        );
    }

    #[test]
    fn reads_a_sign_in_answer() {
        let body = r#"{"AuthenticationResult":{"AccessToken":"a","ExpiresIn":3600,"TokenType":"Bearer","RefreshToken":"r","IdToken":"i"},"ChallengeParameters":{}}"#;
        let resp: AuthResponse = serde_json::from_str(body).unwrap();
        let result = resp.authentication_result.unwrap();
        assert_eq!(result.expires_in, 3600);
        assert_eq!(result.id_token.expose(), "i");
        assert!(resp.challenge_name.is_none());
    }
}
