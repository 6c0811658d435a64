//! Form-level errors and notices, announced to screen readers.

use crate::error::AppError;
use crate::flow::Notice;
use crate::ui::i18n::t;
use leptos::prelude::*;

/// The error of the last submission, for errors that belong to no single field.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let message = move || {
        error.get().filter(|e| e.field.is_none()).map(|e| {
            let reference = e.log_id.clone();
            let detail = e.detail.clone();
            view! {
                <p class="ca-alert ca-alert--error" data-error=e.message_key()>
                    {e.to_string()}
                    {detail.map(|d| view! { " " <span class="ca-alert-detail">{d}</span> })}
                    {reference.map(|id| view! { " " <span class="ca-alert-ref">"(ref " {id} ")"</span> })}
                </p>
            }
        })
    };
    view! { <div class="ca-live" role="alert" aria-live="assertive">{message}</div> }
}

/// A confirmation or information message.
#[component]
pub fn NoticeBanner(#[prop(into)] notice: Signal<Option<Notice>>) -> impl IntoView {
    let message = move || {
        notice.get().map(|n| {
            view! { <p class="ca-alert ca-alert--info" data-notice=n.message_key()>{t(n.message_key())}</p> }
        })
    };
    view! { <div class="ca-live" role="status" aria-live="polite">{message}</div> }
}
