//! An example site embedding cognito-authenticator: a public page, a protected page, an inline
//! `<Authenticator>` with custom fields, slots and a terms checkbox, and one signing in by
//! phone number. French by default (Spanish offered), with its own theme.

use cognito_authenticator::{
    provide_auth_options, use_current_user, AuthOptions, AuthRoutes, Authenticator, FieldOptions,
    InitialState, LoginMechanism, Messages, RequireAuth, Screen, SignOutButton, SlotPlace,
    Variation,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::{path, SsrMode};

/// The options of every screen on this site: the same value on the server and in the browser.
pub fn auth_options() -> AuthOptions {
    AuthOptions::new()
        .login_mechanisms([LoginMechanism::Email])
        .sign_up_attributes(["given_name", "family_name"])
        .field(
            Screen::SignIn,
            "username",
            FieldOptions::default()
                .label("Adresse e-mail du club")
                .placeholder("prenom@club.example"),
        )
        .field(
            Screen::SignUp,
            "attributes[family_name]",
            FieldOptions::default().order(1).required(true),
        )
        .field(
            Screen::SignUp,
            "attributes[given_name]",
            FieldOptions::default().order(2).required(true),
        )
        .header(|| view! { <p class="site-brand" data-slot="header">"Club des lecteurs"</p> })
        .slot(Screen::SignIn, SlotPlace::Footer, || {
            view! { <p data-slot="sign-in-footer">"Besoin d’aide ? Écrivez-nous."</p> }
        })
        .slot(Screen::SignUp, SlotPlace::FormEnd, || {
            view! {
                <label class="site-terms">
                    <input type="checkbox" name="extra[terms]" value="yes" />
                    "J’accepte le règlement du club"
                </label>
            }
        })
        .messages(
            Messages::default()
                .set_for(
                    cognito_authenticator::Locale::Fr,
                    "signin.heading",
                    "Entrez dans le club",
                )
                .set(
                    "site.terms_required",
                    "Veuillez accepter le règlement du club.",
                ),
        )
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html
            lang=cognito_authenticator::current_locale().tag()
            dir=cognito_authenticator::current_locale().dir()
        >
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_auth_options(auth_options());
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        // The authenticator's stylesheet first, then this site's theme over it.
        <Stylesheet id="authenticator" href="/cognito-authenticator/authenticator.css" />
        <Stylesheet id="leptos" href="/pkg/example-site.css" />
        <Title text="Club des lecteurs" />
        <Router>
            <nav class="site-nav">
                <A href="/">"Accueil"</A>
                <A href="/prive">"Espace privé"</A>
                <A href="/membres">"Membres"</A>
                <A href="/salon">"Salon"</A>
            </nav>
            <main class="ca-page">
                // Async SSR on the auth pages: the whole page arrives at once, so it works without JS.
                <Routes fallback=|| "Page introuvable">
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/prive") view=Private ssr=SsrMode::Async />
                    <Route path=path!("/membres") view=Members ssr=SsrMode::Async />
                    <Route path=path!("/telephone") view=ByPhone ssr=SsrMode::Async />
                    <Route path=path!("/invitation") view=InvitationOnly ssr=SsrMode::Async />
                    <Route path=path!("/salon") view=Lounge ssr=SsrMode::Async />
                    <AuthRoutes />
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn Home() -> impl IntoView {
    view! {
        <section class="site-main">
            <h1>"Bienvenue au club"</h1>
            <p>"Cette page est publique. L’espace privé demande une connexion."</p>
        </section>
    }
}

/// Guarded: visitors who are not signed in are sent to sign in, and back here afterwards.
#[component]
fn Private() -> impl IntoView {
    view! {
        <RequireAuth>
            <PrivateContent />
        </RequireAuth>
    }
}

#[component]
fn PrivateContent() -> impl IntoView {
    let user = use_current_user();
    view! {
        <section class="site-main" data-testid="private">
            <h1>"Espace privé"</h1>
            <Suspense fallback=|| "…">
                {move || Suspend::new(async move {
                    let name = user
                        .await
                        .ok()
                        .flatten()
                        .map(|u| u.attribute("given_name").unwrap_or(&u.username).to_owned());
                    view! { <p data-testid="greeting">"Bonjour, " {name} " !"</p> }
                })}
            </Suspense>
            <SignOutButton />
        </section>
    }
}

/// An inline authenticator: its children show once signed in.
#[component]
fn Members() -> impl IntoView {
    view! {
        <Authenticator let:user>
            <section class="site-main" data-testid="members">
                <h1>"Membres"</h1>
                <p>"Connecté : " {user.username}</p>
                <SignOutButton />
            </section>
        </Authenticator>
    }
}

/// The options of the sign-up-by-phone page (the server is told of them too).
pub fn by_phone_options() -> AuthOptions {
    auth_options()
        .login_mechanisms([LoginMechanism::PhoneNumber])
        .sign_up_attributes(Vec::<String>::new())
        .initial_state(InitialState::SignUp)
        .field(
            Screen::SignUp,
            "username",
            FieldOptions::default()
                .dial_code("+33")
                .dial_codes(["+33", "+32", "+41", "+1"]),
        )
}

/// Sign-up first, by phone number, with a short list of calling codes.
#[component]
fn ByPhone() -> impl IntoView {
    let options = by_phone_options();
    view! {
        <Authenticator options let:user>
            <p class="site-main" data-testid="phone-user">{user.username}</p>
        </Authenticator>
    }
}

/// For invited members only: no way to create an account here.
#[component]
fn InvitationOnly() -> impl IntoView {
    view! {
        <Authenticator options=auth_options().hide_sign_up(true) let:user>
            <p class="site-main" data-testid="invited-user">{user.username}</p>
        </Authenticator>
    }
}

/// The modal variation: the page is there behind the dialog, which can be closed.
#[component]
fn Lounge() -> impl IntoView {
    view! {
        <section class="site-main">
            <h2>"Le salon"</h2>
            <p data-testid="lounge-intro">"Les membres s’y retrouvent chaque jeudi."</p>
            <Authenticator options=auth_options().variation(Variation::Modal) let:user>
                <p data-testid="lounge-user">"Bienvenue au salon, " {user.username}</p>
            </Authenticator>
            // After the component: it shares the component's current user all the same.
            <LoungeBadge />
        </section>
    }
}

/// Who the page thinks is here, outside the authenticator: a sign-in in its dialog updates it.
#[component]
fn LoungeBadge() -> impl IntoView {
    let user = use_current_user();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let badge = match user.await.ok().flatten() {
                    Some(user) => format!("Membre : {}", user.username),
                    None => "Invité".to_owned(),
                };
                view! { <p data-testid="lounge-badge">{badge}</p> }
            })}
        </Suspense>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
