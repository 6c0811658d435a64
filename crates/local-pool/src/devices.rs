//! Device tracking: new devices announced in `NewDeviceMetadata`, `ConfirmDevice` storing the
//! device's SRP verifier, device SRP at sign-in (`DEVICE_SRP_AUTH`, `DEVICE_PASSWORD_VERIFIER`)
//! and the device list operations. Only active when the pool has a `device_configuration`.

use crate::challenges::{ChallengeState, DeviceSrpState};
use crate::pool::{fault, random_token, required, LocalPool, OpResult, INCORRECT};
use crate::store::{DeviceRecord, UserRecord};
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD};
use base64::Engine as _;
use cognito_idp::error::ErrorKind;
use cognito_idp::srp::{self, SrpServer};
use cognito_idp::wire::*;
use cognito_idp::SecretMap;
use num_bigint::BigUint;
use rand::RngCore;

const REMEMBERED: &str = "remembered";
const NOT_REMEMBERED: &str = "not_remembered";
/// `ListDevices` returns at most this many at once (Cognito's limit).
const MAX_LIST: usize = 60;

fn device_not_found() -> crate::pool::Fault {
    fault(ErrorKind::ResourceNotFound, "Device does not exist.")
}

impl LocalPool {
    fn tracks_devices(&self) -> bool {
        self.cfg().device_configuration.is_some()
    }

    /// The user's confirmed device with this key, when the pool tracks devices.
    pub(crate) async fn confirmed_device(
        &self,
        user: &UserRecord,
        device_key: Option<&str>,
    ) -> OpResult<Option<DeviceRecord>> {
        let (true, Some(key)) = (self.tracks_devices(), device_key) else {
            return Ok(None);
        };
        let device = self.inner.store.device(&user.username, key).await?;
        Ok(device.filter(DeviceRecord::confirmed))
    }

    /// The device a new sign-in's tokens belong to: the presented one if it is the user's,
    /// else a new device announced in `NewDeviceMetadata`.
    pub(crate) async fn device_for_tokens(
        &self,
        user: &UserRecord,
        presented: Option<&str>,
    ) -> OpResult<(Option<String>, Option<NewDeviceMetadata>)> {
        if !self.tracks_devices() {
            return Ok((None, None));
        }
        let store = &self.inner.store;
        let now = self.now();
        if let Some(key) = presented {
            if let Some(mut device) = store.device(&user.username, key).await? {
                device.last_authenticated_at = now;
                store.put_device(&device).await?;
                return Ok((Some(device.device_key), None));
            }
        }
        let existing = store.devices(&user.username).await?;
        // One group key per user, as Cognito does.
        let group_key = existing
            .first()
            .map(|d| d.group_key.clone())
            .unwrap_or_else(|| format!("-{}", &random_token(9)[..9]));
        let region = self
            .cfg()
            .pool_id
            .split('_')
            .next()
            .unwrap_or("us-east-1")
            .to_owned();
        let device = DeviceRecord {
            device_key: format!("{region}_{}", uuid::Uuid::new_v4()),
            username: user.username.clone(),
            group_key,
            name: None,
            salt: None,
            verifier: None,
            remembered: false,
            created_at: now,
            updated_at: now,
            last_authenticated_at: now,
        };
        store.put_device(&device).await?;
        let metadata = NewDeviceMetadata {
            device_key: device.device_key.clone(),
            device_group_key: device.group_key.clone(),
        };
        Ok((Some(device.device_key), Some(metadata)))
    }

    /// A refresh token issued to a confirmed device works only with that device's key.
    pub(crate) async fn check_refresh_device(
        &self,
        username: &str,
        lineage_device: Option<&str>,
        presented: Option<&str>,
    ) -> OpResult<()> {
        let Some(key) = lineage_device else {
            return Ok(());
        };
        let confirmed = self
            .inner
            .store
            .device(username, key)
            .await?
            .is_some_and(|d| d.confirmed());
        if confirmed && presented != Some(key) {
            return Err(fault(ErrorKind::NotAuthorized, "Invalid Refresh Token"));
        }
        Ok(())
    }

    /// Asks a confirmed device to prove itself (after the user's password).
    pub(crate) async fn device_challenge(
        &self,
        user: &UserRecord,
        client_id: &str,
        device: &DeviceRecord,
    ) -> OpResult<AuthResponse> {
        let state = ChallengeState {
            device_key: Some(device.device_key.clone()),
            ..Default::default()
        };
        self.challenge(
            user,
            client_id,
            "DEVICE_SRP_AUTH",
            SecretMap::default(),
            state,
        )
        .await
    }

    /// `DEVICE_SRP_AUTH`: the device's `SRP_A`; answers `DEVICE_PASSWORD_VERIFIER`.
    pub(crate) async fn answer_device_srp(
        &self,
        user: &UserRecord,
        client_id: &str,
        state: ChallengeState,
        responses: &SecretMap,
    ) -> OpResult<AuthResponse> {
        let a_hex = required(responses, "SRP_A")?;
        srp::validate_public_a(a_hex)
            .map_err(|_| fault(ErrorKind::InvalidParameter, "Invalid SRP_A"))?;
        let device = self.challenged_device(user, &state, responses).await?;
        let (Some(salt), Some(verifier)) = (&device.salt, &device.verifier) else {
            return Err(fault(ErrorKind::NotAuthorized, INCORRECT));
        };
        let server = SrpServer::new(&BigUint::from_bytes_be(verifier));
        let mut block = vec![0u8; 64];
        rand::thread_rng().fill_bytes(&mut block);
        let secret_block = BASE64.encode(&block);
        let params: SecretMap = [
            ("SALT", srp::salt_hex(salt)),
            ("SRP_B", server.public_hex()),
            ("SECRET_BLOCK", secret_block.clone()),
        ]
        .into_iter()
        .collect();
        let next = ChallengeState {
            device_key: Some(device.device_key),
            device_srp: Some(DeviceSrpState {
                a: a_hex.to_owned(),
                b: URL_SAFE_NO_PAD.encode(server.private_bytes()),
                secret_block,
            }),
            ..Default::default()
        };
        self.challenge(user, client_id, "DEVICE_PASSWORD_VERIFIER", params, next)
            .await
    }

    /// `DEVICE_PASSWORD_VERIFIER`: checks the device's claim; a remembered device then skips
    /// MFA when the pool says so, any other goes on to the user's second factor.
    pub(crate) async fn answer_device_password(
        &self,
        user: &UserRecord,
        client_id: &str,
        state: ChallengeState,
        responses: &SecretMap,
    ) -> OpResult<AuthResponse> {
        let incorrect = || fault(ErrorKind::NotAuthorized, INCORRECT);
        let block_b64 = required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
        let claim = required(responses, "PASSWORD_CLAIM_SIGNATURE")?;
        let timestamp = required(responses, "TIMESTAMP")?;
        let mut device = self.challenged_device(user, &state, responses).await?;
        let Some(srp_state) = state.device_srp.filter(|s| s.secret_block == block_b64) else {
            return Err(incorrect());
        };
        let verifier = BigUint::from_bytes_be(device.verifier.as_deref().unwrap_or_default());
        let (Ok(b), Ok(block)) = (
            URL_SAFE_NO_PAD.decode(&srp_state.b),
            BASE64.decode(block_b64),
        ) else {
            return Err(incorrect());
        };
        let server = SrpServer::with_private(&verifier, &b).ok_or_else(incorrect)?;
        let valid = self.timestamp_is_fresh(timestamp)
            && server
                .verify_claim(
                    &verifier,
                    &srp_state.a,
                    &device.group_key,
                    &device.device_key,
                    &block,
                    timestamp,
                    claim,
                )
                .unwrap_or(false);
        if !valid {
            return Err(incorrect());
        }
        device.last_authenticated_at = self.now();
        self.inner.store.put_device(&device).await?;
        let skips_mfa = device.remembered
            && self
                .cfg()
                .device_configuration
                .as_ref()
                .is_some_and(|c| c.challenge_required_on_new_device);
        let key = Some(device.device_key.as_str());
        if skips_mfa {
            self.issue_tokens(user, client_id, key).await
        } else {
            self.second_factor(user, client_id, key).await
        }
    }

    /// The device a device-SRP answer speaks for: the one the challenge was for, still
    /// confirmed.
    async fn challenged_device(
        &self,
        user: &UserRecord,
        state: &ChallengeState,
        responses: &SecretMap,
    ) -> OpResult<DeviceRecord> {
        let incorrect = || fault(ErrorKind::NotAuthorized, INCORRECT);
        let key = required(responses, "DEVICE_KEY")?;
        if state.device_key.as_deref() != Some(key) {
            return Err(incorrect());
        }
        self.confirmed_device(user, Some(key))
            .await?
            .ok_or_else(incorrect)
    }

    fn device_type(&self, device: &DeviceRecord) -> DeviceType {
        let status = if device.remembered {
            REMEMBERED
        } else {
            NOT_REMEMBERED
        };
        let mut attributes = vec![AttributeType::new("device_status", "valid")];
        if let Some(name) = &device.name {
            attributes.push(AttributeType::new("device_name", name));
        }
        attributes.push(AttributeType::new("dev:device_remembered_status", status));
        DeviceType {
            device_key: device.device_key.clone(),
            device_attributes: attributes,
            device_create_date: Some(device.created_at as f64),
            device_last_modified_date: Some(device.updated_at as f64),
            device_last_authenticated_date: Some(device.last_authenticated_at as f64),
        }
    }

    /// The signed-in user's device with this key.
    async fn own_device(
        &self,
        access_token: &cognito_idp::Secret,
        device_key: &str,
    ) -> OpResult<(UserRecord, DeviceRecord)> {
        let user = self.authorize(access_token).await?;
        let device = self
            .inner
            .store
            .device(&user.username, device_key)
            .await?
            .ok_or_else(device_not_found)?;
        Ok((user, device))
    }

    pub async fn confirm_device(
        &self,
        req: ConfirmDeviceRequest,
    ) -> OpResult<ConfirmDeviceResponse> {
        let (_, mut device) = self.own_device(&req.access_token, &req.device_key).await?;
        let Some(config) = self.cfg().device_configuration.clone() else {
            return Err(fault(
                ErrorKind::InvalidUserPoolConfiguration,
                "Device tracking is not enabled for this user pool.",
            ));
        };
        if device.confirmed() {
            return Err(fault(
                ErrorKind::DeviceKeyExists,
                "Device already confirmed.",
            ));
        }
        let verifier_config = req.device_secret_verifier_config.ok_or_else(|| {
            fault(
                ErrorKind::InvalidParameter,
                "DeviceSecretVerifierConfig is required.",
            )
        })?;
        let decode = |value: &str, what: &str| {
            BASE64
                .decode(value)
                .ok()
                .filter(|bytes| !bytes.is_empty())
                .ok_or_else(|| fault(ErrorKind::InvalidParameter, format!("Invalid {what}.")))
        };
        let verifier = decode(&verifier_config.password_verifier, "PasswordVerifier")?;
        let salt = decode(&verifier_config.salt, "Salt")?;
        device.verifier = Some(verifier);
        device.salt = Some(salt);
        device.name = req.device_name.filter(|n| !n.is_empty());
        device.remembered = !config.device_only_remembered_on_user_prompt;
        device.updated_at = self.now();
        self.inner.store.put_device(&device).await?;
        Ok(ConfirmDeviceResponse {
            user_confirmation_necessary: config.device_only_remembered_on_user_prompt,
        })
    }

    pub async fn get_device(&self, req: GetDeviceRequest) -> OpResult<GetDeviceResponse> {
        let (_, device) = self.own_device(&req.access_token, &req.device_key).await?;
        Ok(GetDeviceResponse {
            device: self.device_type(&device),
        })
    }

    pub async fn list_devices(&self, req: ListDevicesRequest) -> OpResult<ListDevicesResponse> {
        let user = self.authorize(&req.access_token).await?;
        // Cognito reads a limit of 0 as "the most it returns".
        let limit = match crate::pool::page_size("limit", req.limit, 0, MAX_LIST as i64)? {
            0 => MAX_LIST,
            n => n,
        };
        let devices: Vec<DeviceRecord> = self
            .inner
            .store
            .devices(&user.username)
            .await?
            .into_iter()
            .filter(DeviceRecord::confirmed)
            .collect();
        // The token names the first device of the next page.
        let start = match &req.pagination_token {
            None => 0,
            Some(token) => devices
                .iter()
                .position(|d| &d.device_key == token)
                .ok_or_else(|| fault(ErrorKind::InvalidParameter, "Invalid pagination token."))?,
        };
        let page: Vec<DeviceType> = devices
            .iter()
            .skip(start)
            .take(limit)
            .map(|d| self.device_type(d))
            .collect();
        let pagination_token = devices.get(start + limit).map(|d| d.device_key.clone());
        Ok(ListDevicesResponse {
            devices: page,
            pagination_token,
        })
    }

    pub async fn forget_device(&self, req: ForgetDeviceRequest) -> OpResult<Empty> {
        let token = req
            .access_token
            .ok_or_else(|| fault(ErrorKind::NotAuthorized, "Missing Authentication Token"))?;
        let (user, device) = self.own_device(&token, &req.device_key).await?;
        self.inner
            .store
            .delete_device(&user.username, &device.device_key)
            .await?;
        Ok(Empty {})
    }

    pub async fn update_device_status(&self, req: UpdateDeviceStatusRequest) -> OpResult<Empty> {
        let (_, mut device) = self.own_device(&req.access_token, &req.device_key).await?;
        device.remembered = match req.device_remembered_status.as_deref() {
            Some(REMEMBERED) => true,
            Some(NOT_REMEMBERED) | None => false,
            Some(other) => {
                return Err(fault(
                    ErrorKind::InvalidParameter,
                    format!("1 validation error detected: Value '{other}' at 'deviceRememberedStatus' failed to satisfy constraint: Member must satisfy enum value set: [remembered, not_remembered]"),
                ))
            }
        };
        device.updated_at = self.now();
        self.inner.store.put_device(&device).await?;
        Ok(Empty {})
    }
}
