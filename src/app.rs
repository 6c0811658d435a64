//! The HTML shell and the router: one route per step (see `flow.rs`).

use crate::flow::Step;
use crate::screens::AuthRoutes;
use crate::ui::i18n::{current_locale, t};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang=current_locale().tag() dir=current_locale().dir()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="referrer" content="same-origin" />
                // Islands: the pages are server-rendered and their forms post without
                // JavaScript; only the password helpers are made interactive.
                <HydrationScripts options islands=true />
                // The whole stylesheet comes with the page (10 kB): the first paint waits for one
                // round trip, not two. Its nonce is the page's, so the CSP holds.
                <style nonce=leptos::nonce::use_nonce() inner_html=inline_css()></style>
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// `style/main.css` without comments and runs of whitespace, made once.
pub fn inline_css() -> &'static str {
    static CSS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CSS.get_or_init(|| minify_css(include_str!("../style/main.css")))
}

/// Drops comments and the whitespace CSS does not need (around braces, semicolons and commas;
/// other runs become one space, so selectors keep their meaning).
fn minify_css(css: &str) -> String {
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .find("*/")
            .map_or("", |end| &rest[start + 2 + end + 2..]);
    }
    text.push_str(rest);
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        let tight = matches!(c, '{' | '}' | ';' | ',');
        let after_tight = out.ends_with(['{', '}', ';', ',']);
        if pending_space && !tight && !after_tight && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
        // Until a step's card sets its own.
        <Title text="Account" />
        <Router>
            <main class="ca-page">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=|| view! { <Redirect path=Step::SignIn.route() /> } />
                    <AuthRoutes />
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text=t("page.not_found") />
        <section class="ca-card">
            <div class="ca-card-body">
                <h1 class="ca-heading">{t("page.not_found")}</h1>
                <p><a href=Step::SignIn.route()>{t("link.back_to_sign_in")}</a></p>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_is_minified_without_changing_selectors() {
        let css = "/* a */ .a > .b ,\n .c:hover {\n  color : red ;\n  margin: 0 auto;\n}\n/* b */";
        assert_eq!(
            minify_css(css),
            ".a > .b,.c:hover{color : red;margin: 0 auto;}"
        );
        let shipped = inline_css();
        assert!(shipped.len() < include_str!("../style/main.css").len());
        assert!(!shipped.contains("/*") && !shipped.contains("</"));
        assert!(shipped.contains(".ca-card"));
    }
}
