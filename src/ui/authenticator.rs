//! Loads what a step's page renders from, and combines the last submission's outcome with the
//! outcome carried over a no-JavaScript redirect.

use crate::error::AppError;
use crate::flow::{Flash, PageState, Reply, Step};
use crate::steps::load_page;
use crate::ui::errors::FormError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Renders `view` once the step's page state is loaded (on the server for the first paint).
#[component]
pub fn StepScreen<V, F>(step: Step, view: F) -> impl IntoView
where
    F: Fn(PageState) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    // Bumped when a form changed what the page shows, so it loads again in place.
    let version = RwSignal::new(0u32);
    provide_context(PageReload(version));
    let state = Resource::new(move || version.get(), move |_| load_page(step));
    view! {
        <Suspense fallback=|| view! { <p class="ca-loading">"…"</p> }>
            {move || {
                let view = view.clone();
                Suspend::new(async move {
                    match state.await {
                        Ok(state) => view(state).into_any(),
                        Err(error) => {
                            let error = Signal::stored(Some(error));
                            view! { <section class="ca-card"><FormError error /></section> }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}

/// Loads the current page's state again.
#[derive(Clone, Copy)]
pub struct PageReload(RwSignal<u32>);

/// Reloads the page state when `action` answers with `reload` (the notice travels in the
/// session's flash, so the reloaded page shows it).
pub fn reload_on_success<S>(action: ServerAction<S>)
where
    S: ServerFn<Output = Reply, Error = AppError> + Clone + Send + Sync + 'static,
{
    let Some(PageReload(version)) = use_context::<PageReload>() else {
        return;
    };
    Effect::new(move |_| {
        if action
            .value()
            .with(|v| matches!(v, Some(Ok(reply)) if reply.reload))
        {
            version.update(|v| *v += 1);
        }
    });
}

/// The error to show: the last submission's (with JS), else the flash's (without JS).
pub fn submission_error<S>(action: ServerAction<S>, flash: &Flash) -> Signal<Option<AppError>>
where
    S: ServerFn<Output = Reply, Error = AppError> + Clone + Send + Sync + 'static,
{
    let from_flash = flash.error.clone();
    Signal::derive(move || match action.value().get() {
        Some(Err(error)) => Some(error),
        Some(Ok(_)) => None,
        None => from_flash.clone(),
    })
}

/// The notice to show: the last submission's reply, else the flash's.
pub fn submission_notice<S>(
    action: ServerAction<S>,
    flash: &Flash,
) -> Signal<Option<crate::flow::Notice>>
where
    S: ServerFn<Output = Reply, Error = AppError> + Clone + Send + Sync + 'static,
{
    let from_flash = flash.notice;
    Signal::derive(move || match action.value().get() {
        Some(Ok(reply)) => reply.notice,
        Some(Err(_)) => None,
        None => from_flash,
    })
}
