//! What every step's page shares: it loads what the page renders from (sending the visitor on
//! when the page does not fit), and combines the last submission's outcome with the outcome
//! carried over a no-JavaScript redirect; the signed-in user for the components below.

use crate::error::AppError;
use crate::flow::{AuthUser, Flash, PageState, Reply, Step};
use crate::ui::errors::FormError;
use crate::ui::i18n::t;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Where this page's sign-in should land afterwards: its `?return_to=`, or inside an
/// `<Authenticator>` the page it stands on (the server checks either before keeping it).
pub fn return_target() -> Option<String> {
    leptos_router::hooks::use_query_map()
        .with_untracked(|query| query.get("return_to"))
        .or_else(|| use_context::<InlineAuthenticator>().map(|i| i.return_to.clone()))
}

/// What a step's page renders from. Sends the visitor to the right page when this one does not
/// fit (a redirect on the server, client-side navigation in the browser).
#[server(prefix = "/api", endpoint = "page")]
pub async fn load_page(step: Step) -> Result<PageState, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    ctx.page_state(step, true).await
}

/// Renders `view` once the step's page state is loaded (on the server for the first paint).
#[component]
pub fn StepScreen<V, F>(step: Step, view: F) -> impl IntoView
where
    F: Fn(PageState) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    // Inside an `<Authenticator>` the component loaded the state with the step, and its
    // answers bump the component's count, which builds the next screen afresh.
    if let (Some(inline), Some(InlinePage(state))) = (
        use_context::<InlineAuthenticator>(),
        use_context::<InlinePage>(),
    ) {
        provide_context(PageReload(inline.version));
        return view(state).into_any();
    }
    // Bumped when a form changed what the page shows, so it loads again in place.
    let version = RwSignal::new(0u32);
    provide_context(PageReload(version));
    let state = Resource::new(move || version.get(), move |_| load_page(step));
    view! {
        <Suspense fallback=|| view! { <p class="ca-loading">{t("loading")}</p> }>
            {move || {
                let view = view.clone();
                Suspend::new(async move {
                    match state.await {
                        Ok(state) => view(state).into_any(),
                        Err(error) => view! { <ErrorCard error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

/// A card that only says what went wrong (what the page shows could not be loaded).
#[component]
pub(crate) fn ErrorCard(error: AppError) -> impl IntoView {
    // Not a page to keep or share: the anonymous-page cache keeps only 200s.
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
    }
    let error = Signal::stored(Some(error));
    view! {
        <section class="ca-card">
            <div class="ca-card-body"><FormError error /></div>
        </section>
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

/// Goes where `action`'s answer says to leave for (a federated sign-out's `/logout`), with a
/// whole page load.
pub fn leave_on_reply<S>(action: ServerAction<S>)
where
    S: ServerFn<Output = Reply, Error = AppError> + Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        let target = action
            .value()
            .with(|v| v.as_ref().and_then(|r| r.as_ref().ok()?.leave.clone()));
        if let Some(target) = target {
            let _ = window().location().set_href(&target);
        }
    });
}

/// The error to show: the last submission's (with JS), else the flash's (without JS).
pub fn submission_error<S>(action: ServerAction<S>, flash: &Flash) -> Signal<Option<AppError>>
where
    S: ServerFn<Output = Reply, Error = AppError> + Clone + Send + Sync + 'static,
{
    let from_flash = flash.error.clone();
    // While the server renders, nothing was submitted in place: the flash is all there is (and
    // each read of the action's value would build a mapped signal, on every page view).
    if cfg!(feature = "ssr") {
        return Signal::stored(from_flash);
    }
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
    if cfg!(feature = "ssr") {
        return Signal::stored(from_flash);
    }
    Signal::derive(move || match action.value().get() {
        Some(Ok(reply)) => reply.notice,
        Some(Err(_)) => None,
        None => from_flash,
    })
}

/// The signed-in user, or `None` (for [`use_current_user`]).
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<AuthUser>, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    Ok(ctx.current_user().await.map(|user| user.user()))
}

#[derive(Clone, Copy)]
struct CurrentUserResource(Resource<Result<Option<AuthUser>, AppError>>);

/// The signed-in user (from verified claims), loaded once per page and shared by the
/// components below the caller. Read it inside `<Suspense>` / `<Transition>`.
pub fn use_current_user() -> Resource<Result<Option<AuthUser>, AppError>> {
    if let Some(CurrentUserResource(resource)) = use_context() {
        return resource;
    }
    let resource = Resource::new(|| (), |_| current_user());
    provide_context(CurrentUserResource(resource));
    resource
}

/// Marks screens shown inside an `<Authenticator>`: every step comes back to its page.
#[derive(Clone)]
pub(crate) struct InlineAuthenticator {
    /// The embedder's page (path and query).
    pub return_to: String,
    /// Bumped when a form's answer moved the flow on: the component shows the next step.
    pub version: RwSignal<u32>,
}

/// Tells the server a form is inside an `<Authenticator>`, and on which page.
#[component]
pub fn InlineHostInput() -> impl IntoView {
    use_context::<InlineAuthenticator>()
        .map(|inline| view! { <input type="hidden" name="inline" value=inline.return_to /> })
}

/// The query parameter naming the screen an `<Authenticator>` shows (its tabs and links).
pub const SCREEN_PARAM: &str = "ca_screen";

/// Where a link to a screen without a flow (sign in, create account, forgot password) goes: its
/// page, or inside an `<Authenticator>` the embedder's page showing that screen.
pub fn screen_href(step: Step) -> String {
    match use_context::<InlineAuthenticator>() {
        // Query only: the link stays on whatever path the page has.
        Some(inline) => with_screen("", inline.return_to.split_once('?').map(|(_, q)| q), step),
        None => step.route().to_owned(),
    }
}

/// `path` with `query` and the `ca_screen` naming `step` (the start screens have one).
pub fn with_screen(path: &str, query: Option<&str>, step: Step) -> String {
    let Some(slug) = screen_slug(step) else {
        return format!(
            "{path}{}",
            query.map(|q| format!("?{q}")).unwrap_or_default()
        );
    };
    match query.filter(|q| !q.is_empty()) {
        Some(query) => format!("{path}?{query}&{SCREEN_PARAM}={slug}"),
        None => format!("{path}?{SCREEN_PARAM}={slug}"),
    }
}

/// The `?ca_screen=` of a start screen.
pub fn screen_slug(step: Step) -> Option<&'static str> {
    match step {
        Step::SignIn => Some("signin"),
        Step::SignUp => Some("signup"),
        Step::ResetPassword => Some("forgot_password"),
        _ => None,
    }
}

/// The screen a `?ca_screen=` names.
pub fn screen_of(slug: &str) -> Option<Step> {
    [Step::SignIn, Step::SignUp, Step::ResetPassword]
        .into_iter()
        .find(|step| screen_slug(*step) == Some(slug))
}

/// The page state an `<Authenticator>` loaded with its step (see [`StepScreen`]).
#[derive(Clone)]
pub(crate) struct InlinePage(pub PageState);

/// The screen of the `<Authenticator>` on the embedder's page `host`: a screen its links asked
/// for, the flow this page started, the signed-in user's children, or `initial`. A page state
/// (the step in `inline_step`, or the user in `signed_in`), so the component and the step pages
/// share one resource type in the browser build.
#[server(prefix = "/api", endpoint = "inline_screen")]
pub async fn inline_screen(
    host: String,
    requested: Option<String>,
    initial: Step,
) -> Result<PageState, AppError> {
    let ctx = crate::server::Ctx::load().await?;
    ctx.inline_screen(&host, requested.as_deref().and_then(screen_of), initial)
        .await
}
