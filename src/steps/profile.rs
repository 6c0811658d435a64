//! The account page's own details: a new email or phone number, which counts only once its
//! code is entered (Cognito's `UpdateUserAttributes` then `VerifyUserAttribute`), and the other
//! attributes the site lets people change.

use crate::error::AppError;
use crate::flow::{FormSecret, Reply, UserView};
use crate::ui::errors::FormError;
use crate::ui::fields::{attribute_field, Field, FieldSpec, SubmitButton};
use crate::ui::i18n::{attribute_label, t};
use crate::ui::step_page::reload_on_success;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Asks for `attribute` (`email` or `phone_number`) to become `email` or the phone number.
#[server(prefix = "/api", endpoint = "change_contact")]
pub async fn change_contact(
    attribute: String,
    #[server(default)] email: String,
    #[server(default)] phone_number: String,
    #[server(default)] dial_code: String,
) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::SendCode,
            None,
            ssr::change(&ctx, &attribute, &email, &dial_code, &phone_number),
        )
        .await;
    ctx.finish(crate::flow::Step::Done, result, &[("email", &email)])
        .await
}

/// Sends (again) the code for the change in progress, or for an unverified `attribute`.
#[server(prefix = "/api", endpoint = "send_contact_code")]
pub async fn send_contact_code(attribute: String) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::SendCode,
            None,
            ssr::send_code(&ctx, &attribute),
        )
        .await;
    ctx.finish(crate::flow::Step::Done, result, &[]).await
}

#[server(prefix = "/api", endpoint = "confirm_contact")]
pub async fn confirm_contact(contact_code: FormSecret) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::Code,
            None,
            ssr::confirm(&ctx, &contact_code),
        )
        .await;
    ctx.finish(crate::flow::Step::Done, result, &[]).await
}

#[server(prefix = "/api", endpoint = "cancel_contact_change")]
pub async fn cancel_contact_change() -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::SendCode,
            None,
            ssr::cancel(&ctx),
        )
        .await;
    ctx.finish(crate::flow::Step::Done, result, &[]).await
}

/// Saves the other attributes (`attributes[<name>]`; an emptied one is removed).
#[server(prefix = "/api", endpoint = "save_profile")]
pub async fn save_profile(
    #[server(default)] attributes: BTreeMap<String, String>,
) -> Result<Reply, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    let result = ctx
        .limited(
            crate::server::limits::Action::SendCode,
            None,
            ssr::save(&ctx, &attributes),
        )
        .await;
    ctx.finish(crate::flow::Step::Done, result, &[]).await
}

fn is_contact(name: &str) -> bool {
    matches!(name, "email" | "phone_number")
}

/// Email and phone number: each with its change form, or the code form of a change in progress.
#[component]
pub fn ContactSection(user: UserView, error: Signal<Option<AppError>>) -> impl IntoView {
    let change = ServerAction::<ChangeContact>::new();
    let send = ServerAction::<SendContactCode>::new();
    let confirm = ServerAction::<ConfirmContact>::new();
    let cancel = ServerAction::<CancelContactChange>::new();
    reload_on_success(change);
    reload_on_success(send);
    reload_on_success(confirm);
    reload_on_success(cancel);
    // This section's answers; a page-level error (a no-JS post's) is shown at the top of the
    // page, and only beside its field here.
    let answered = Signal::derive(move || {
        let last = |v: Option<Result<Reply, AppError>>| v.and_then(|r| r.err());
        last(change.value().get())
            .or_else(|| last(send.value().get()))
            .or_else(|| last(confirm.value().get()))
            .or_else(|| last(cancel.value().get()))
    });
    let own_error = Signal::derive(move || answered.get().or_else(|| error.get()));
    let contacts: Vec<String> = user
        .editable_attributes
        .iter()
        .filter(|name| is_contact(name))
        .cloned()
        .collect();
    if contacts.is_empty() {
        return None;
    }
    let items = contacts
        .into_iter()
        .map(|name| {
            let current = user.attribute(&name).map(str::to_owned);
            let verified = user.attribute(&format!("{name}_verified")) == Some("true");
            let pending = user
                .pending_contact
                .clone()
                .filter(|pending| pending.attribute == name);
            let status = match (&current, verified) {
                (None, _) => t("account.contact_none"),
                (Some(_), true) => t("account.verified"),
                (Some(_), false) => t("account.unverified"),
            };
            let attribute = name.clone();
            let body = match pending {
                Some(pending) => view! {
                    <p class="ca-text" data-testid="contact-sent">{t("reset_password.sent_to")} " " <strong>{pending.destination}</strong> {t("sentence.end")}</p>
                    {pending.old_value_kept.then(|| view! { <p class="ca-hint">{t("account.contact_pending_hint")}</p> })}
                    <ActionForm action=confirm attr:class="ca-form" attr:novalidate=true>
                        <Field spec=FieldSpec::code("contact_code", "field.confirmation_code") error=own_error />
                        <SubmitButton label="button.verify" pending=confirm.pending() />
                    </ActionForm>
                    <div class="ca-actions">
                        <ActionForm action=send attr:class="ca-form ca-form--inline">
                            <input type="hidden" name="attribute" value=attribute.clone() />
                            <button class="ca-button ca-button--secondary" type="submit">{t("button.resend_code")}</button>
                        </ActionForm>
                        <ActionForm action=cancel attr:class="ca-form ca-form--inline">
                            <button class="ca-button ca-button--secondary" type="submit">{t("button.cancel")}</button>
                        </ActionForm>
                    </div>
                }
                .into_any(),
                None => {
                    let field = if name == "email" {
                        FieldSpec::email("email", "account.new_email")
                    } else {
                        FieldSpec::phone("phone_number", "account.new_phone_number")
                    };
                    let unverified = attribute.clone();
                    let verify = (current.is_some() && !verified).then(move || {
                        view! {
                            <ActionForm action=send attr:class="ca-form ca-form--inline">
                                <input type="hidden" name="attribute" value=unverified />
                                <button class="ca-button ca-button--secondary" type="submit">{t("button.verify")}</button>
                            </ActionForm>
                        }
                    });
                    view! {
                        {verify}
                        <ActionForm action=change attr:class="ca-form" attr:novalidate=true>
                            <input type="hidden" name="attribute" value=attribute.clone() />
                            <Field spec=field error=own_error />
                            <SubmitButton label="button.change" pending=change.pending() />
                        </ActionForm>
                    }
                    .into_any()
                }
            };
            view! {
                <div class="ca-factor" data-contact=name.clone()>
                    <p class="ca-text">
                        <strong>{attribute_label(&name)}</strong> ": "
                        <span data-testid=format!("{name}-value")>{current.unwrap_or_default()}</span> " "
                        <span class="ca-badge" data-testid=format!("{name}-status")>{status}</span>
                    </p>
                    {body}
                </div>
            }
        })
        .collect_view();
    Some(view! {
        <section class="ca-section" aria-labelledby="ca-contact-heading">
            <h2 class="ca-subheading" id="ca-contact-heading">{t("account.contact_heading")}</h2>
            <FormError error=answered />
            {items}
        </section>
    })
}

/// The other attributes the site lets people change, in one form.
#[component]
pub fn ProfileSection(user: UserView, error: Signal<Option<AppError>>) -> impl IntoView {
    let save = ServerAction::<SaveProfile>::new();
    reload_on_success(save);
    let answered = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let field_error = Signal::derive(move || answered.get().or_else(|| error.get()));
    let fields: Vec<FieldSpec> = user
        .editable_attributes
        .iter()
        .filter(|name| !is_contact(name))
        .map(|name| {
            attribute_field(name)
                .value(user.attribute(name).unwrap_or_default().to_owned())
                .optional()
        })
        .collect();
    if fields.is_empty() {
        return None;
    }
    let fields = fields
        .into_iter()
        .map(|spec| view! { <Field spec error=field_error /> })
        .collect_view();
    Some(view! {
        <section class="ca-section" aria-labelledby="ca-profile-heading">
            <h2 class="ca-subheading" id="ca-profile-heading">{t("account.profile_heading")}</h2>
            <ActionForm action=save attr:class="ca-form" attr:novalidate=true>
                <FormError error=answered />
                {fields}
                <SubmitButton label="button.save" pending=save.pending() />
            </ActionForm>
        </section>
    })
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::is_contact;
    use crate::error::{AppError, ErrorKind};
    use crate::flow::{FormSecret, Notice};
    use crate::server::session::{PendingContact, SignedIn};
    use crate::server::{input, Ctx, Next};
    use cognito_idp::wire::AttributeType;
    use cognito_idp::Secret;
    use std::collections::BTreeMap;

    /// Attribute values longer than this are refused (Cognito's limit).
    const MAX_VALUE: usize = 2048;

    fn editable(ctx: &Ctx, user: &SignedIn, name: &str) -> Result<(), AppError> {
        if ctx.editable_attributes(user).iter().any(|a| a == name) {
            Ok(())
        } else {
            Err(AppError::new(ErrorKind::UnreadableForm))
        }
    }

    /// Where a code went, or nothing when Cognito sent none.
    fn destination(details: Option<&cognito_idp::wire::CodeDeliveryDetails>) -> Option<String> {
        details.and_then(|d| d.destination.clone())
    }

    pub async fn change(
        ctx: &Ctx,
        attribute: &str,
        email: &str,
        dial_code: &str,
        phone_number: &str,
    ) -> Result<Next, AppError> {
        let user = ctx.require_user().await?;
        if !is_contact(attribute) {
            return Err(AppError::new(ErrorKind::UnreadableForm));
        }
        editable(ctx, &user, attribute)?;
        // A new address can reset the password: a browser left signed in may not set one.
        if !user.signed_in_recently(ctx.now()) {
            return Err(AppError::new(ErrorKind::SignInAgain));
        }
        let value = if attribute == "email" {
            input::email(email)?
        } else {
            input::phone(dial_code, phone_number)?
                .ok_or_else(|| AppError::field(ErrorKind::Required, "phone_number"))?
        };
        if user.attribute(attribute) == Some(value.as_str()) {
            return Ok(Next::Reload(Some(Notice::AttributesSaved)));
        }
        let sent = ctx
            .auth
            .cognito
            .update_user_attributes(
                &user.access_token,
                vec![AttributeType::new(attribute, value.clone())],
            )
            .await
            .map_err(|err| change_error(err, attribute))?;
        let details = sent
            .code_delivery_details_list
            .iter()
            .find(|d| d.attribute_name.as_deref() == Some(attribute));
        tracing::info!(
            event = "change_contact",
            attribute,
            code_sent = details.is_some()
        );
        match destination(details) {
            Some(destination) => {
                // A pool that replaces the value at once shows it now, unverified.
                let mut user = ctx.refresh_claims(&user).await;
                user.pending_contact = Some(PendingContact {
                    attribute: attribute.to_owned(),
                    destination,
                    replaced: user.attribute(attribute) == Some(value.as_str()),
                });
                ctx.update_user(&user).await?;
                Ok(Next::Reload(Some(Notice::CodeSent)))
            }
            None => {
                ctx.refresh_claims(&user).await;
                Ok(Next::Reload(Some(Notice::AttributesSaved)))
            }
        }
    }

    fn change_error(err: cognito_idp::Error, attribute: &str) -> AppError {
        let error = AppError::from(err);
        match error.kind {
            ErrorKind::InvalidParameter | ErrorKind::AliasExists => error.on(attribute),
            _ => error,
        }
    }

    pub async fn send_code(ctx: &Ctx, attribute: &str) -> Result<Next, AppError> {
        let mut user = ctx.require_user().await?;
        if !is_contact(attribute) {
            return Err(AppError::new(ErrorKind::UnreadableForm));
        }
        let sent = ctx
            .auth
            .cognito
            .get_attribute_verification_code(&user.access_token, attribute)
            .await?;
        let destination = destination(sent.code_delivery_details.as_ref()).unwrap_or_default();
        // A resend keeps what is known of the change; verifying a value in force replaces nothing.
        let replaced = user
            .pending_contact
            .as_ref()
            .filter(|p| p.attribute == attribute)
            .is_none_or(|p| p.replaced);
        user.pending_contact = Some(PendingContact {
            attribute: attribute.to_owned(),
            destination,
            replaced,
        });
        ctx.update_user(&user).await?;
        Ok(Next::Reload(Some(Notice::CodeSent)))
    }

    pub async fn confirm(ctx: &Ctx, code: &FormSecret) -> Result<Next, AppError> {
        let mut user = ctx.require_user().await?;
        let Some(pending) = user.pending_contact.clone() else {
            return Ok(Next::Reload(None));
        };
        let code = input::code(code).map_err(|e| e.on("contact_code"))?;
        ctx.auth
            .cognito
            .verify_attribute(&user.access_token, &pending.attribute, &Secret::new(code))
            .await
            .map_err(|err| {
                let error = AppError::from(err);
                match error.kind {
                    ErrorKind::CodeMismatch | ErrorKind::ExpiredCode => error.on("contact_code"),
                    _ => error,
                }
            })?;
        user.pending_contact = None;
        ctx.update_user(&user).await?;
        ctx.refresh_claims(&user).await;
        tracing::info!(event = "contact_changed", attribute = %pending.attribute);
        Ok(Next::Reload(Some(Notice::ContactChanged)))
    }

    pub async fn cancel(ctx: &Ctx) -> Result<Next, AppError> {
        let mut user = ctx.require_user().await?;
        let Some(pending) = user.pending_contact.take() else {
            return Ok(Next::Reload(None));
        };
        // Setting the value in force again drops the pool's waiting one, so no later code
        // (a deletion's included) goes to the new address.
        let current = user.attribute(&pending.attribute).map(str::to_owned);
        if let (false, Some(current)) = (pending.replaced, current) {
            ctx.auth
                .cognito
                .update_user_attributes(
                    &user.access_token,
                    vec![AttributeType::new(pending.attribute.as_str(), current)],
                )
                .await?;
        }
        ctx.update_user(&user).await?;
        Ok(Next::Reload(None))
    }

    pub async fn save(ctx: &Ctx, posted: &BTreeMap<String, String>) -> Result<Next, AppError> {
        let user = ctx.require_user().await?;
        let allowed = ctx.editable_attributes(&user);
        let mut changed = Vec::new();
        let mut removed = Vec::new();
        for (name, value) in posted {
            if is_contact(name) || !allowed.contains(name) {
                return Err(AppError::new(ErrorKind::UnreadableForm));
            }
            let field = format!("attributes[{name}]");
            let value = value.trim();
            if value.chars().count() > MAX_VALUE {
                return Err(AppError::field(ErrorKind::TooLong, &field));
            }
            match (user.attribute(name), value.is_empty()) {
                (Some(now), false) if now == value => {}
                (None, true) => {}
                (Some(_), true) => removed.push(name.clone()),
                (_, false) => changed.push(AttributeType::new(name.as_str(), value)),
            }
        }
        let cognito = &ctx.auth.cognito;
        if !changed.is_empty() {
            cognito
                .update_user_attributes(&user.access_token, changed)
                .await
                .map_err(|err| {
                    let error = AppError::from(err);
                    match (error.kind, &error.detail) {
                        // Cognito names the attribute it refused: put the error beside it.
                        (ErrorKind::InvalidParameter, Some(detail)) => {
                            match posted.keys().find(|name| detail.contains(name.as_str())) {
                                Some(name) => error.clone().on(&format!("attributes[{name}]")),
                                None => error,
                            }
                        }
                        _ => error,
                    }
                })?;
        }
        if !removed.is_empty() {
            cognito
                .delete_user_attributes(&user.access_token, removed)
                .await?;
        }
        ctx.refresh_claims(&user).await;
        tracing::info!(event = "save_profile");
        Ok(Next::Reload(Some(Notice::AttributesSaved)))
    }
}
