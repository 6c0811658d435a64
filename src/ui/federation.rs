//! "Sign in with Google" and the other providers' buttons: plain links to the server's
//! federation start (`/auth/federate`), so they work without JavaScript and inside any
//! embedder's page, and add no script.

use crate::flow::{percent_encode, IdentityProvider};
use crate::ui::i18n::{t, t_with};
use leptos::prelude::*;

/// Where the buttons lead (the server's `federation::FEDERATE_PATH`).
const FEDERATE_PATH: &str = "/auth/federate";

/// One button per provider and "or" between them and the screen's own form; nothing without
/// providers. Put one above the form and one (`below`) under it: the options
/// (`provider_buttons_below`, `federated_only`) decide which one shows.
#[component]
pub fn ProviderButtons(
    providers: Vec<IdentityProvider>,
    /// "Sign Up with …" on the create-account screen.
    #[prop(optional)]
    sign_up: bool,
    /// Where to land after signing in (checked by the server like every `return_to`).
    #[prop(optional)]
    return_to: Option<String>,
    /// This one sits under the form.
    #[prop(optional)]
    below: bool,
) -> impl IntoView {
    let options = crate::options::use_auth_options();
    let only = options.federated_only;
    let shown_here = if only {
        !below
    } else {
        options.provider_buttons_below == below
    };
    let providers = options.provider_buttons(&providers);
    if providers.is_empty() || !shown_here {
        return None;
    }
    let return_to = return_to.filter(|target| !target.is_empty());
    let key = if sign_up {
        "federation.sign_up_with"
    } else {
        "federation.sign_in_with"
    };
    let buttons = providers
        .into_iter()
        .map(|provider| {
            let look = provider.look();
            let label = t_with(key, &[("provider", &provider.label)]);
            let mark = match (look, &provider.icon) {
                (_, Some(icon)) => view! { <img class="ca-provider-icon" src=icon.clone() alt="" /> }.into_any(),
                ("custom", None) => view! {
                    <span class="ca-provider-icon ca-provider-icon--letter" aria-hidden="true">
                        {provider.label.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default()}
                    </span>
                }
                .into_any(),
                (look, None) => view! {
                    <span class=format!("ca-provider-icon ca-provider-icon--{look}") aria-hidden="true"></span>
                }
                .into_any(),
            };
            let mut href = format!("{FEDERATE_PATH}?provider={}", percent_encode(&provider.name));
            if let Some(target) = &return_to {
                href.push_str(&format!("&return_to={}", percent_encode(target)));
            }
            // `external`: a whole page load, which a hydrated site's router would otherwise
            // turn into a client-side visit to a route it does not have.
            view! {
                <a href=href rel="external nofollow" class=format!("ca-button ca-provider ca-provider--{look}")>
                    {mark}
                    <span>{label}</span>
                </a>
            }
        })
        .collect_view();
    let divider = || view! { <p class="ca-divider"><span>{t("signin_methods.or")}</span></p> };
    let (before, after) = match (only, below) {
        (true, _) => (None, None),
        (false, false) => (None, Some(divider())),
        (false, true) => (Some(divider()), None),
    };
    Some(view! {
        <div class="ca-providers">
            {before}
            {buttons}
            {after}
        </div>
    })
}
