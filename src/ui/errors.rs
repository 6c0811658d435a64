//! Form-level errors and notices, announced to screen readers.

use crate::error::AppError;
use crate::flow::Notice;
use crate::ui::i18n::{error_text, t};
use leptos::prelude::*;

/// The error of the last submission, for errors that belong to no single field.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let message = move || {
        // The embedder's own inputs (`extra[…]`) have no error slot of ours: shown here.
        let form_level = |e: &AppError| e.field.as_deref().is_none_or(|f| f.starts_with("extra["));
        error.get().filter(form_level).map(|e| {
            let reference = e.log_id.clone();
            // An embedder's message is the error's text itself, not a detail after it.
            let detail = e.detail.clone().filter(|_| e.kind != crate::error::ErrorKind::InvalidValue);
            view! {
                <p class="ca-alert ca-alert--error" data-error=e.message_key().to_owned()>
                    {error_text(&e)}
                    {detail.map(|d| view! { " " <span class="ca-alert-detail">{d}</span> })}
                    {reference.map(|id| view! { " " <span class="ca-alert-ref">"(" {t("error.reference")} " " {id} ")"</span> })}
                </p>
            }
        })
    };
    // After a refused submission, keyboard and screen-reader users start at the first field
    // at fault (the alert itself announces form-level errors). A page loaded after the refusal
    // does it with the field's `autofocus`; this is for errors that arrive in place, on a fully
    // hydrated page.
    Effect::new(move |_| {
        if error.with(Option::is_some) {
            request_animation_frame(|| {
                use leptos::wasm_bindgen::JsCast;
                let first = document()
                    .query_selector(".ca-form [aria-invalid=\"true\"]")
                    .ok()
                    .flatten()
                    .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlElement>().ok());
                if let Some(element) = first {
                    let _ = element.focus();
                }
            });
        }
    });
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
