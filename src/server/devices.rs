//! Remembered devices. A browser that chose "Remember this device" gets a long-lived,
//! HttpOnly cookie of its own, separate from the session so it outlives sign-out. The cookie
//! holds only a random id; what device SRP needs (the device key, its group key and the
//! device password) is kept under that id in the session store, never sent to the browser.

use super::session::SignedIn;
use super::Ctx;
use cognito_idp::{RememberedDevice, Secret};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tower_sessions::session::{Id, Record};
use tower_sessions::SessionStore;

/// How long a browser remembers its devices (from the last device it was told to remember).
const LIFETIME_DAYS: i64 = 365;
/// Accounts one browser remembers devices for (the oldest is dropped past it).
const MOST_ACCOUNTS: usize = 5;
/// The record's one key, so a device record is never mistaken for a session.
const RECORD_KEY: &str = "remembered_devices";

/// The device one account remembers in this browser.
#[derive(Clone, Serialize, Deserialize)]
struct Remembered {
    sub: String,
    /// The names the account signs in with (as `session::account_name` gives them).
    account_names: Vec<String>,
    device_key: String,
    group_key: String,
    password: Secret,
}

pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-ca_device"
    } else {
        "ca_device"
    }
}

/// The device cookie's value in a `Cookie` header, if any.
pub fn cookie_in(headers: &axum::http::HeaderMap, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

impl Ctx {
    async fn device_record(&self) -> Option<(Record, Vec<Remembered>)> {
        let id: Id = self.device_cookie.as_deref()?.parse().ok()?;
        let record = self.auth.sessions.load(&id).await.ok().flatten()?;
        let devices = record
            .data
            .get(RECORD_KEY)
            .and_then(|value| serde_json::from_value(value.clone()).ok())?;
        Some((record, devices))
    }

    /// The device this browser remembers for the account `login` names.
    pub async fn remembered_device(&self, login: &str) -> Option<RememberedDevice> {
        let name = super::session::account_name(login);
        let (_, devices) = self.device_record().await?;
        devices
            .into_iter()
            .find(|d| d.account_names.contains(&name))
            .map(|d| RememberedDevice {
                device_key: d.device_key,
                group_key: d.group_key,
                password: d.password,
            })
    }

    /// The key of the device this browser remembers for `user`, to mark it on the account page.
    pub async fn this_browsers_device(&self, user: &SignedIn) -> Option<String> {
        let (_, devices) = self.device_record().await?;
        devices
            .into_iter()
            .find(|d| d.sub == user.sub)
            .map(|d| d.device_key)
    }

    /// Keeps `device` for `user` in this browser's record (made, and its cookie set, on first
    /// use), replacing the account's earlier one.
    pub async fn remember_device(
        &self,
        user: &SignedIn,
        device: RememberedDevice,
    ) -> Result<(), tower_sessions::session_store::Error> {
        let (record, mut devices) = match self.device_record().await {
            Some(found) => found,
            None => (
                Record {
                    id: Id::default(),
                    data: HashMap::new(),
                    expiry_date: time::OffsetDateTime::now_utc(),
                },
                Vec::new(),
            ),
        };
        devices.retain(|d| d.sub != user.sub);
        devices.push(Remembered {
            sub: user.sub.clone(),
            account_names: user.account_names(),
            device_key: device.device_key,
            group_key: device.group_key,
            password: device.password,
        });
        if devices.len() > MOST_ACCOUNTS {
            devices.remove(0);
        }
        self.save_devices(record, devices).await
    }

    /// Drops what this browser keeps for the device `device_key` (forgotten, or refused by
    /// the pool), or for every device of `sub` when no key is given.
    pub async fn forget_remembered_device(&self, sub: &str, device_key: Option<&str>) {
        let Some((record, mut devices)) = self.device_record().await else {
            return;
        };
        let before = devices.len();
        devices.retain(|d| d.sub != sub || device_key.is_some_and(|key| d.device_key != key));
        if devices.len() != before {
            if let Err(err) = self.save_devices(record, devices).await {
                tracing::warn!(error = %err, "could not update the remembered devices");
            }
        }
    }

    async fn save_devices(
        &self,
        mut record: Record,
        devices: Vec<Remembered>,
    ) -> Result<(), tower_sessions::session_store::Error> {
        let store = &self.auth.sessions;
        if devices.is_empty() {
            store.delete(&record.id).await?;
            self.set_device_cookie(None);
            return Ok(());
        }
        let value = serde_json::to_value(&devices)
            .map_err(|e| tower_sessions::session_store::Error::Encode(e.to_string()))?;
        record.data = HashMap::from([(RECORD_KEY.to_owned(), value)]);
        record.expiry_date = time::OffsetDateTime::now_utc() + time::Duration::days(LIFETIME_DAYS);
        // A new id at every change (the store picks one no session or record has): a cookie
        // planted in this browser by someone else never receives this person's device.
        let replaced = record.id;
        store.create(&mut record).await?;
        if self.device_cookie.as_deref() == Some(replaced.to_string().as_str()) {
            store.delete(&replaced).await?;
        }
        self.set_device_cookie(Some(&record.id.to_string()));
        Ok(())
    }

    fn set_device_cookie(&self, value: Option<&str>) {
        let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() else {
            return;
        };
        let secure = self.auth.config.secure_cookies;
        let name = cookie_name(secure);
        let attributes = if secure {
            "; Path=/; HttpOnly; SameSite=Lax; Secure"
        } else {
            "; Path=/; HttpOnly; SameSite=Lax"
        };
        let cookie = match value {
            Some(value) => format!(
                "{name}={value}; Max-Age={}{attributes}",
                LIFETIME_DAYS * 24 * 3600
            ),
            None => format!("{name}=; Max-Age=0{attributes}"),
        };
        if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
            response.append_header(axum::http::header::SET_COOKIE, value);
        }
    }

    /// `USER_SRP_AUTH` from this browser: with the device it remembers for the account, so a
    /// remembered device answers in place of MFA. A device the pool no longer knows (forgotten
    /// elsewhere) is dropped and the sign-in goes on without it.
    pub async fn sign_in_srp_here(
        &self,
        username: &str,
        password: &Secret,
    ) -> Result<cognito_idp::SignInOutcome, cognito_idp::Error> {
        // A sign-in starts with no device choice of an earlier one (another person's, in a
        // shared browser).
        let _ = super::session::take_sign_in_device(&self.session).await;
        let (answer, presented) = self.srp_with_remembered_device(username, password).await;
        // Kept only once the password proved right, so a wrong one writes nothing.
        if presented.is_some() && answer.is_ok() {
            let device = super::session::SignInDevice {
                presented,
                login: username.to_owned(),
                remember: false,
            };
            if let Err(err) = super::session::set_sign_in_device(&self.session, &device).await {
                tracing::warn!(error = %err, "could not keep the sign-in's device");
            }
        }
        answer
    }

    /// `USER_SRP_AUTH` with the device this browser remembers for the account, if any; also
    /// returns the key of the device presented.
    pub async fn srp_with_remembered_device(
        &self,
        username: &str,
        password: &Secret,
    ) -> (
        Result<cognito_idp::SignInOutcome, cognito_idp::Error>,
        Option<String>,
    ) {
        let cognito = &self.auth.cognito;
        let Some(device) = self.remembered_device(username).await else {
            return (cognito.sign_in_srp(username, password).await, None);
        };
        let answer = cognito
            .sign_in_srp_on_device(username, password, &device)
            .await;
        // Cognito's answers to a device key it does not know (forgotten, or of another pool).
        let refused_device = answer.as_ref().err().is_some_and(|err| {
            use cognito_idp::ErrorKind as K;
            let about_the_device = err.to_string().to_lowercase().contains("device");
            err.kind() == Some(&K::ResourceNotFound)
                || (matches!(err.kind(), Some(K::InvalidParameter | K::NotAuthorized))
                    && about_the_device)
        });
        if refused_device {
            tracing::info!(event = "device", outcome = "unknown to the pool");
            let forgotten = self.device_record().await.and_then(|(_, devices)| {
                devices
                    .into_iter()
                    .find(|d| d.device_key == device.device_key)
                    .map(|d| d.sub)
            });
            if let Some(sub) = forgotten {
                self.forget_remembered_device(&sub, Some(&device.device_key))
                    .await;
            }
            return (cognito.sign_in_srp(username, password).await, None);
        }
        (answer, Some(device.device_key))
    }

    /// The device side of a sign-in that has just finished: a new device the pool announced
    /// is confirmed and kept when it is to be remembered (always, or as the person asked); a
    /// device left unconfirmed is not tracked, so nothing is kept for it. Returns the key of
    /// the device the tokens are bound to.
    pub async fn settle_sign_in_device(
        &self,
        user: &SignedIn,
        metadata: Option<&cognito_idp::wire::NewDeviceMetadata>,
        device: super::session::SignInDevice,
    ) -> Result<Option<String>, crate::error::AppError> {
        let cognito = &self.auth.cognito;
        let remembering = self.auth.config.device_remembering();
        let Some(metadata) = metadata else {
            // A remembered device that was asked for MFA anyway (its status changed elsewhere).
            if let (Some(key), true) = (&device.presented, device.remember) {
                cognito
                    .update_device_status(&user.access_token, key, true)
                    .await?;
            }
            return Ok(device.presented);
        };
        // Left unconfirmed, the device is not tracked and its tokens are bound to nothing.
        let wanted = match remembering {
            super::DeviceRemembering::Off => false,
            super::DeviceRemembering::Ask => device.remember,
            super::DeviceRemembering::Always => true,
        };
        if !wanted {
            return Ok(None);
        }
        let name = device_name(self.user_agent.as_deref());
        let (confirmed, ask) = cognito
            .confirm_device(&user.access_token, metadata, &name)
            .await?;
        // Confirmed: the tokens are bound to it now, whatever fails next.
        let key = confirmed.device_key.clone();
        if ask {
            if let Err(err) = cognito
                .update_device_status(&user.access_token, &key, true)
                .await
            {
                tracing::warn!(error = %err, "could not remember the new device");
                return Ok(Some(key));
            }
        }
        match self.remember_device(user, confirmed).await {
            Ok(()) => tracing::info!(event = "device", remembered = true),
            Err(err) => tracing::error!(error = %err, "could not keep the remembered device"),
        }
        Ok(Some(key))
    }
}

/// A name people recognise a device by ("Firefox on Linux"), from its `User-Agent`.
pub fn device_name(user_agent: Option<&str>) -> String {
    let agent = user_agent.unwrap_or_default();
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(token, _)| agent.contains(token))
    .map_or("Browser", |(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(token, _)| agent.contains(token))
    .map(|(_, name)| name);
    match system {
        Some(system) => format!("{browser} on {system}"),
        None => browser.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_devices_from_their_user_agent() {
        let chrome_linux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
        assert_eq!(device_name(Some(chrome_linux)), "Chrome on Linux");
        let safari_iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(device_name(Some(safari_iphone)), "Safari on iOS");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0";
        assert_eq!(device_name(Some(edge)), "Edge on Windows");
        assert_eq!(device_name(None), "Browser");
    }

    #[test]
    fn reads_only_its_own_cookie() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            "session=abc; ca_device=xyz; __Host-ca_device=secure"
                .parse()
                .unwrap(),
        );
        assert_eq!(cookie_in(&headers, false).as_deref(), Some("xyz"));
        assert_eq!(cookie_in(&headers, true).as_deref(), Some("secure"));
        headers.insert(axum::http::header::COOKIE, "xca_device=1".parse().unwrap());
        assert_eq!(cookie_in(&headers, false), None);
    }
}
