//! Every page in every bundled language: no English left where the language has its own words,
//! no message key shown as itself, and Arabic and Hebrew laid out right to left.

mod common;

use cognito_authenticator::Locale;
use common::{browser, PASSWORD};

/// The visible text of a page and the attributes people read (labels, placeholders, titles).
fn readable_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    // Scripts and styles are not read.
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        rest = &rest[open..];
        let lower = rest.get(..8).unwrap_or("").to_ascii_lowercase();
        let skip_to = if lower.starts_with("<script") {
            rest.find("</script>")
        } else if lower.starts_with("<style") {
            rest.find("</style>")
        } else {
            None
        };
        let tag_end = match skip_to {
            Some(end) => rest[end..].find('>').map(|e| end + e),
            None => rest.find('>'),
        };
        let Some(tag_end) = tag_end else { break };
        let tag = &rest[..tag_end];
        if skip_to.is_none() {
            for attribute in ["placeholder=\"", "aria-label=\"", "title=\"", "alt=\""] {
                if let Some(at) = tag.find(attribute) {
                    let value = &tag[at + attribute.len()..];
                    out.push_str(value.split('"').next().unwrap_or(""));
                    out.push(' ');
                }
            }
        }
        rest = &rest[tag_end + 1..];
    }
    out.push_str(rest);
    out.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// The Latin-script words of a text (four letters or more: shorter ones are shared too often).
fn words(text: &str) -> std::collections::BTreeSet<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 4)
        .map(str::to_lowercase)
        .collect()
}

/// What a page in `locale` shows in English: words its English twin shows that none of the
/// language's own texts has (a string that bypasses the bundle), and keys shown as themselves.
fn untranslated(locale: Locale, page: &str, html: &str, english_html: &str) -> Vec<String> {
    let text = readable_text(html);
    let own: std::collections::BTreeSet<String> = locale
        .messages()
        .iter()
        .flat_map(|(_, text)| words(text))
        .collect();
    // The test's own data (names, addresses) reads the same in every language.
    let data = ["polyglot", "nobody", "example", "localhost"];
    let english = words(&readable_text(english_html));
    let mut found: Vec<String> = words(&text)
        .into_iter()
        .filter(|w| english.contains(w) && !own.contains(w) && !data.iter().any(|d| w.contains(d)))
        .map(|w| format!("{locale:?} {page}: the English word {w:?}"))
        .collect();
    // A key with no text anywhere is shown as itself (`t` falls back to the key).
    for (key, _) in Locale::En.messages() {
        if key.contains('.') && text.contains(key) {
            found.push(format!("{locale:?} {page}: the key {key} is shown"));
        }
    }
    found
}

#[tokio::test]
async fn every_page_speaks_the_language_it_is_shown_in() {
    // Twenty-one sign-ups from one address: more than a household's budget.
    let pool = local_pool::PoolConfig {
        print_outbox: false,
        ..Default::default()
    };
    let mut config = cognito_authenticator::server::AuthConfig::local(None, pool);
    config.attempt_limit_scale = 10.0;
    let app = common::serve_app(config, cognito_idp::Clock::system(), None).await;
    app.confirmed_user("polyglot").await;
    let mut problems = Vec::new();
    let mut english_pages = std::collections::HashMap::new();
    assert_eq!(
        Locale::ALL[0],
        Locale::En,
        "English first: the others are compared with it"
    );
    for locale in Locale::ALL {
        let tag = locale.tag();
        let visitor = browser();
        let mut pages = Vec::new();
        for path in ["/signin", "/signup", "/forgot-password"] {
            let (status, html) = app.page(&visitor, &format!("{path}?lang={tag}")).await;
            assert_eq!(status, 200, "{tag} {path}");
            pages.push((path.to_owned(), html));
        }
        // A wrong password: the error comes back on the page, in the language.
        app.post(
            &visitor,
            "/api/sign_in",
            &[
                ("username", &format!("nobody_{tag}")),
                ("password", "Wrong-pass1!"),
            ],
        )
        .await;
        pages.push((
            "/signin (error)".into(),
            app.page(&visitor, "/signin").await.1,
        ));
        // Sign-up to its code page, then a signed-in account page.
        let newcomer = format!("new_{tag}");
        let joining = browser();
        app.page(&joining, &format!("/signup?lang={tag}")).await;
        app.sign_up(&joining, &newcomer).await;
        pages.push((
            "/confirm-signup".into(),
            app.page(&joining, "/confirm-signup").await.1,
        ));
        let member = browser();
        app.page(&member, &format!("/signin?lang={tag}")).await;
        let (_, location) = app
            .post(
                &member,
                "/api/sign_in",
                &[("username", "polyglot"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(location, "/account");
        pages.push(("/account".into(), app.page(&member, "/account").await.1));

        for (path, html) in &pages {
            assert!(
                html.contains(&format!("<html lang=\"{tag}\" dir=\"{}\"", locale.dir())),
                "{tag} {path}: no lang/dir on <html>"
            );
            if locale == Locale::En {
                english_pages.insert(path.clone(), html.clone());
            } else {
                problems.extend(untranslated(locale, path, html, &english_pages[path]));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn arabic_and_hebrew_are_right_to_left_and_the_rest_left_to_right() {
    let rtl: Vec<_> = Locale::ALL
        .into_iter()
        .filter(|l| l.dir() == "rtl")
        .map(Locale::tag)
        .collect();
    assert_eq!(rtl, ["ar", "he"]);
    assert_eq!(Locale::ALL.len(), 21);
    assert_eq!(Locale::from_tag("iw-IL"), Some(Locale::He));
    assert_eq!(Locale::from_tag("no"), Some(Locale::Nb));
    assert_eq!(Locale::from_tag("pt-BR"), Some(Locale::Pt));
}
