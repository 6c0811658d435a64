//! The account page's devices: those Cognito tracks for the user, which of them skip MFA
//! (remembered), which one is this browser, and forgetting one.

use crate::error::AppError;
use crate::flow::{DeviceView, Reply};
use crate::ui::i18n::t;
use crate::ui::step_page::reload_on_success;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "forget_device")]
pub async fn forget_device(device_key: String) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::SendCode,
            None,
            ssr::forget(&ctx, &device_key),
        )
        .await;
    ctx.finish(crate::flow::Step::Done, result, &[]).await
}

#[component]
pub fn DevicesSection(devices: Vec<DeviceView>) -> impl IntoView {
    let forget = ServerAction::<ForgetDevice>::new();
    reload_on_success(forget);
    // A no-JS post's error shows at the top of the page; this section shows its own answers.
    let error = Signal::derive(move || forget.value().get().and_then(|r| r.err()));
    let empty = devices
        .is_empty()
        .then(|| view! { <p class="ca-text">{t("account.no_devices")}</p> });
    let items = devices
        .into_iter()
        .map(|device| {
            let status = if device.remembered {
                t("account.device_remembered")
            } else {
                t("account.device_not_remembered")
            };
            let here = device
                .this_browser
                .then(|| view! { " " <span class="ca-badge" data-testid="this-device">{t("account.this_device")}</span> });
            let (key, marked) = (device.key.clone(), device.key.clone());
            view! {
                <li class="ca-device" data-device=marked>
                    <span><strong>{device.name.clone()}</strong>{here}</span>
                    <span class="ca-hint">{status} " · " {t("account.device_last_used")} " " {device.last_used.clone()}</span>
                    <ActionForm action=forget attr:class="ca-form ca-form--inline">
                        <input type="hidden" name="device_key" value=key />
                        <button class="ca-button ca-button--secondary" type="submit" aria-label=format!("{} {}", t("button.forget_device"), device.name)>
                            {t("button.forget_device")}
                        </button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="ca-section" aria-labelledby="ca-devices-heading">
            <h2 class="ca-subheading" id="ca-devices-heading">{t("account.devices_heading")}</h2>
            <p class="ca-hint">{t("account.devices_hint")}</p>
            <crate::ui::errors::FormError error />
            {empty}
            <ul class="ca-list" data-testid="devices">{items}</ul>
        </section>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::{AppError, ErrorKind};
    use crate::flow::Notice;
    use crate::server::{Ctx, Next};
    use cognito_idp::ErrorKind as CognitoKind;

    pub async fn forget(ctx: &Ctx, device_key: &str) -> Result<Next, AppError> {
        let user = ctx.require_user().await?;
        // Cognito's device keys are `<region>_<uuid>`.
        if device_key.is_empty()
            || device_key.len() > 64
            || !device_key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(AppError::new(ErrorKind::UnreadableForm));
        }
        match ctx
            .auth
            .cognito
            .forget_device(&user.access_token, device_key)
            .await
        {
            Ok(()) => {}
            // Forgotten already (another tab, another device): the list just shows it gone.
            Err(err) if err.kind() == Some(&CognitoKind::ResourceNotFound) => {}
            Err(err) => return Err(err.into()),
        }
        ctx.forget_remembered_device(&user.sub, Some(device_key))
            .await;
        tracing::info!(event = "device", forgotten = true);
        Ok(Next::Reload(Some(Notice::DeviceForgotten)))
    }
}
