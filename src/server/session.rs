//! Typed buckets in the tower-sessions session: the in-progress flow, the signed-in user's
//! tokens, and a one-shot flash for form posts without JavaScript. Nothing here reaches the
//! browser except through `FlowView`/`UserView`, which hold no secrets.

use crate::flow::{ChallengeView, Delivery, Flash, FlowView, Step};
use cognito_idp::Secret;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const FLOW: &str = "flow";
const SIGNED_IN: &str = "signed_in";
const FLASH: &str = "flash";
const RETURN_TO: &str = "return_to";
const INLINE_HOST: &str = "inline_host";
const SIGN_IN_DEVICE: &str = "sign_in_device";

/// The device side of a sign-in in progress: the remembered device it presented, and whether
/// the person asked to remember this one ("Remember this device" on the MFA page).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SignInDevice {
    pub presented: Option<String>,
    /// The name the device was presented for (its account alone may use it).
    #[serde(default)]
    pub login: String,
    pub remember: bool,
}

/// A sign-up or sign-in in progress. Never holds the password.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Flow {
    pub step: Step,
    pub username: String,
    /// Cognito's `Session` for the next call of this flow.
    pub cognito_session: Option<Secret>,
    pub delivery: Option<Delivery>,
    /// What the step's page shows (public).
    #[serde(default)]
    pub challenge: ChallengeView,
    pub expires_at: i64,
}

impl Flow {
    /// The name as the person typed it (choice-based sign-in keeps it), else Cognito's: what
    /// attempt limits count, so one person's name is one budget however the flow got there.
    pub fn login(&self) -> &str {
        match self.challenge.login.as_str() {
            "" => &self.username,
            typed => typed,
        }
    }

    pub fn view(&self) -> FlowView {
        FlowView {
            step: self.step,
            username: self.username.clone(),
            delivery: self.delivery.clone(),
            challenge: self.challenge.clone(),
        }
    }
}

/// The signed-in user: tokens (server-side only) and the verified ID-token claims to show.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SignedIn {
    pub username: String,
    pub sub: String,
    pub attributes: Vec<(String, String)>,
    pub id_token: Secret,
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    /// When the access token expires (unix seconds).
    pub expires_at: i64,
    /// When Cognito last confirmed the access token is not revoked.
    pub checked_at: i64,
    /// When the user signed in (the session's absolute lifetime counts from here).
    #[serde(default)]
    pub signed_in_at: i64,
    /// A TOTP enrolment started from the account page (its public set-up view).
    #[serde(default)]
    pub totp_setup: Option<crate::flow::TotpSetupView>,
    /// The account's epochs when this session began (see `AppSessionStore::account_epochs`),
    /// by account name.
    #[serde(default)]
    pub epochs: Vec<(String, u64)>,
    /// "Not now" was said to the passkey offer in this session.
    #[serde(default)]
    pub passkey_prompt_dismissed: bool,
    /// Signed in through this provider (sign-out also ends the user-pool domain's session).
    #[serde(default)]
    pub federated_with: Option<String>,
    /// The tracked device these tokens were issued to (refreshing them must name it).
    #[serde(default)]
    pub device_key: Option<String>,
    /// A new email or phone number waiting for its code (the account page's change).
    #[serde(default)]
    pub pending_contact: Option<PendingContact>,
    /// The name typed to sign in (an alias the claims may not show as verified), which names
    /// this session's account too.
    #[serde(default)]
    pub login: Option<String>,
    /// The code that confirms deleting the account: the attribute it went to, and where.
    #[serde(default)]
    pub deletion_code: Option<PendingContact>,
}

/// A code sent to the user's email or phone: for a change that counts once it is entered, or
/// to confirm deleting the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingContact {
    /// `email` or `phone_number`.
    pub attribute: String,
    /// Where the code went, masked as Cognito reports it.
    pub destination: String,
    /// The pool replaced the value at once (unverified) instead of keeping the old one.
    #[serde(default)]
    pub replaced: bool,
}

/// How an account is named wherever it can be named: a sign-in by username, email or phone
/// number, or a password reset started with any of them.
pub fn account_name(login: &str) -> String {
    // The same normalisation the attempt limits count under.
    super::input::limit_key(login)
}

/// How recent a sign-in must be for what a browser left signed in may not do (add a passkey,
/// set a new email or phone number).
pub const RECENT_SIGN_IN_SECS: i64 = 15 * 60;

impl SignedIn {
    /// An attribute's value in the claims.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the claims say `name` (`email`, `phone_number`) is verified.
    pub fn is_verified(&self, name: &str) -> bool {
        self.attribute(&format!("{name}_verified")) == Some("true")
    }

    /// Whether the sign-in is recent enough for a change that outlives the session.
    pub fn signed_in_recently(&self, now: i64) -> bool {
        now - self.signed_in_at <= RECENT_SIGN_IN_SECS
    }

    /// This session with `fresh`'s tokens and claims (after a refresh): everything else it
    /// keeps beside them (epochs, sign-in time, device, changes in progress) stays.
    pub fn with_tokens_of(self, fresh: SignedIn) -> SignedIn {
        SignedIn {
            username: fresh.username,
            sub: fresh.sub,
            attributes: fresh.attributes,
            id_token: fresh.id_token,
            access_token: fresh.access_token,
            refresh_token: fresh.refresh_token,
            expires_at: fresh.expires_at,
            checked_at: fresh.checked_at,
            ..self
        }
    }

    /// The names this account is known by: its username, the name it signed in with, and its
    /// verified email and phone number. An unverified value (or a preferred username) is anyone's to set, so it names
    /// no account here: another account could otherwise end this one's sessions by it.
    pub fn account_names(&self) -> Vec<String> {
        let mut names = vec![account_name(&self.username)];
        // A provider's user signs in at the provider, whose claims name no pool account.
        if self.federated_with.is_some() {
            return names;
        }
        if let Some(login) = &self.login {
            let name = account_name(login);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        for (attribute, value) in &self.attributes {
            if matches!(attribute.as_str(), "email" | "phone_number") && self.is_verified(attribute)
            {
                let name = account_name(value);
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    }

    /// The user as components and handlers see them: the claims, no tokens.
    pub fn user(&self) -> crate::flow::AuthUser {
        crate::flow::AuthUser {
            username: self.username.clone(),
            sub: self.sub.clone(),
            attributes: self.attributes.clone(),
        }
    }
}

/// Loads the session record, so a store that cannot be reached is noticed (and said) before
/// the page pretends the visitor is signed out.
pub async fn check_store(session: &Session) -> Result<(), tower_sessions::session::Error> {
    session.get_value(FLASH).await.map(|_| ())
}

/// Session reads never fail the request: an unreadable value counts as absent.
async fn read<T: for<'de> Deserialize<'de>>(session: &Session, key: &str) -> Option<T> {
    session.get::<T>(key).await.ok().flatten()
}

pub async fn flow(session: &Session, now: i64) -> Option<Flow> {
    read::<Flow>(session, FLOW)
        .await
        .filter(|f| f.expires_at > now)
}

pub async fn set_flow(
    session: &Session,
    flow: &Flow,
) -> Result<(), tower_sessions::session::Error> {
    session.insert(FLOW, flow).await
}

pub async fn clear_flow(session: &Session) -> Result<(), tower_sessions::session::Error> {
    remove_if_present(session, FLOW).await
}

/// `Session::remove_value` marks the session modified even when the key is absent, which would
/// write a record for an anonymous visitor; look first.
async fn remove_if_present(
    session: &Session,
    key: &str,
) -> Result<(), tower_sessions::session::Error> {
    if session.get_value(key).await?.is_some() {
        session.remove_value(key).await?;
    }
    Ok(())
}

pub async fn signed_in(session: &Session) -> Option<SignedIn> {
    read(session, SIGNED_IN).await
}

pub async fn update_signed_in(
    session: &Session,
    user: &SignedIn,
) -> Result<(), tower_sessions::session::Error> {
    session.insert(SIGNED_IN, user).await
}

/// Starts a signed-in session under a new id (no session fixation) and drops the flow.
pub async fn start_signed_in(
    session: &Session,
    user: &SignedIn,
) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.remove_value(FLOW).await?;
    session.insert(SIGNED_IN, user).await
}

pub async fn sign_in_device(session: &Session) -> SignInDevice {
    read(session, SIGN_IN_DEVICE).await.unwrap_or_default()
}

pub async fn set_sign_in_device(
    session: &Session,
    device: &SignInDevice,
) -> Result<(), tower_sessions::session::Error> {
    session.insert(SIGN_IN_DEVICE, device).await
}

/// Takes the device side of a sign-in that has just finished.
pub async fn take_sign_in_device(session: &Session) -> SignInDevice {
    let device = sign_in_device(session).await;
    let _ = remove_if_present(session, SIGN_IN_DEVICE).await;
    device
}

/// Remembers where to go once signed in (a value `security::safe_return_to` accepted).
pub async fn set_return_to(
    session: &Session,
    target: &str,
) -> Result<(), tower_sessions::session::Error> {
    shorten_if_anonymous(session).await?;
    session.insert(RETURN_TO, target).await
}

/// Takes the place to go after sign-in, if one was given.
pub async fn take_return_to(session: &Session) -> Option<String> {
    let target = read::<String>(session, RETURN_TO).await;
    if target.is_some() {
        let _ = session.remove_value(RETURN_TO).await;
    }
    target
}

/// Remembers the embedder's page an `<Authenticator>` runs this flow on (`None`: the flow runs
/// on the step pages).
pub async fn set_inline_host(
    session: &Session,
    host: Option<&str>,
) -> Result<(), tower_sessions::session::Error> {
    match host {
        Some(host) => {
            shorten_if_anonymous(session).await?;
            session.insert(INLINE_HOST, host).await
        }
        None if read::<String>(session, INLINE_HOST).await.is_some() => {
            session.remove_value(INLINE_HOST).await.map(|_| ())
        }
        None => Ok(()),
    }
}

/// The embedder's page this flow runs on, if it runs inside an `<Authenticator>`.
pub async fn inline_host(session: &Session) -> Option<String> {
    read::<String>(session, INLINE_HOST).await
}

/// Deletes the session (record and data).
pub async fn end(session: &Session) -> Result<(), tower_sessions::session::Error> {
    session.flush().await
}

/// Takes the flash, if any (an anonymous visitor's empty session stays unwritten).
pub async fn take_flash(session: &Session) -> Flash {
    let flash = read::<Flash>(session, FLASH).await;
    if flash.is_some() {
        let _ = remove_if_present(session, FLASH).await;
    }
    flash.unwrap_or_default()
}

/// The flash, left in place for the page that shows it.
pub async fn peek_flash(session: &Session) -> Flash {
    read::<Flash>(session, FLASH).await.unwrap_or_default()
}

/// How long a session lives that only carries a flash for a visitor with no flow and no
/// sign-in: long enough to show the next page, short enough that anonymous posts cannot fill
/// the store.
const ANONYMOUS_FLASH_SECS: i64 = 300;

pub async fn set_flash(
    session: &Session,
    flash: &Flash,
) -> Result<(), tower_sessions::session::Error> {
    shorten_if_anonymous(session).await?;
    session.insert(FLASH, flash).await
}

/// A session with no flow and no sign-in (an anonymous form's error or `return_to`) lives
/// minutes: a flood of anonymous posts cannot fill the store.
async fn shorten_if_anonymous(session: &Session) -> Result<(), tower_sessions::session::Error> {
    let anonymous =
        session.get_value(SIGNED_IN).await?.is_none() && session.get_value(FLOW).await?.is_none();
    if anonymous {
        session.set_expiry(Some(tower_sessions::Expiry::OnInactivity(
            time::Duration::seconds(ANONYMOUS_FLASH_SECS),
        )));
    }
    Ok(())
}

/// The masked destination Cognito reported, for the confirm page.
pub fn delivery(details: Option<cognito_idp::wire::CodeDeliveryDetails>) -> Option<Delivery> {
    let details = details?;
    Some(Delivery {
        destination: details.destination?,
        medium: details.delivery_medium.unwrap_or_default(),
    })
}
