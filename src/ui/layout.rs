//! The card every screen sits in, with the Sign In / Create Account tabs.

use crate::flow::Step;
use crate::options::{use_auth_options, Screen, SlotPlace};
use crate::ui::i18n::t;
use leptos::html::H1;
use leptos::prelude::*;
use leptos_meta::Title;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once the first page is on screen: later cards arrived by navigating in place.
static FIRST_CARD_SHOWN: AtomicBool = AtomicBool::new(false);

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    SignIn,
    CreateAccount,
}

#[component]
pub fn AuthCard(
    /// Show the tabs, with this one selected.
    #[prop(optional)]
    tab: Option<Tab>,
    /// Message key of the step's heading.
    heading: &'static str,
    /// The screen, for the embedder's slots (`None`: the global header and footer only).
    #[prop(optional)]
    screen: Option<Screen>,
    /// Show the pointer to the local outbox.
    #[prop(optional)]
    local_pool: bool,
    children: Children,
) -> impl IntoView {
    let options = use_auth_options();
    let locale = crate::ui::i18n::current_locale();
    let header = options
        .slot_view(screen, SlotPlace::Header)
        .map(|view| view! { <div class="ca-slot ca-slot--header">{view.run()}</div> });
    let footer = options
        .slot_view(screen, SlotPlace::Footer)
        .map(|view| view! { <div class="ca-slot ca-slot--footer">{view.run()}</div> });
    // Without sign-up there is nothing to switch to.
    let tab = tab.filter(|_| !options.hide_sign_up);
    let tabs = tab.map(|selected| {
        let link = |this: Tab, step: Step, label: &'static str| {
            let current = (selected == this).then_some("page");
            view! {
                <a class="ca-tab" href=crate::ui::step_page::screen_href(step) aria-current=current data-selected=(selected == this).to_string()>
                    {t(label)}
                </a>
            }
        };
        view! {
            <nav class="ca-tabs" aria-label=t("tab.list")>
                {link(Tab::SignIn, Step::SignIn, "tab.sign_in")}
                {link(Tab::CreateAccount, Step::SignUp, "tab.create_account")}
            </nav>
        }
    });
    // A screen reached without a page load gets focus on its heading, so screen readers
    // announce the new step and keyboard users start from the top of it. The first page keeps
    // the browser's own focus.
    let heading_ref = NodeRef::<H1>::new();
    Effect::new(move |_| {
        if let Some(element) = heading_ref.get() {
            if FIRST_CARD_SHOWN.swap(true, Ordering::Relaxed) {
                // Once the browser has put the new screen in the document.
                request_animation_frame(move || {
                    let _ = element.focus();
                });
            }
        }
    });
    // Each step is its own page (in islands mode and without JavaScript), and the title is the
    // first thing a screen reader reads of it. Inside an embedder's page the title is theirs.
    let title = use_context::<crate::ui::step_page::InlineAuthenticator>()
        .is_none()
        .then(|| view! { <Title text=t(heading) /> });
    view! {
        {title}
        // Its own `lang` and `dir`: inside an embedder's page in another language, the card is
        // still read and laid out in its own.
        <section
            class="ca-card"
            lang=locale.tag()
            dir=locale.dir()
            data-step=heading
            data-screen=screen.map(|s| format!("{s:?}"))
        >
            {header}
            {tabs}
            <div class="ca-card-body">
                <h1 class="ca-heading" id="ca-heading" tabindex="-1" node_ref=heading_ref>{t(heading)}</h1>
                {children()}
            </div>
            {footer}
            {local_pool.then(|| view! {
                <p class="ca-local-hint">
                    {t("local.outbox_hint")} " "
                    <a href="/local/outbox" target="_blank" rel="noopener">{t("local.outbox_link")}</a> {t("sentence.end")}
                </p>
            })}
        </section>
    }
}

/// A "Back to Sign In" link.
#[component]
pub fn BackToSignIn() -> impl IntoView {
    view! {
        <p class="ca-back">
            <a href=crate::ui::step_page::screen_href(Step::SignIn) class="ca-link">{t("link.back_to_sign_in")}</a>
        </p>
    }
}
