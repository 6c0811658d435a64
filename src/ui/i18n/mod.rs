//! Message keys and their text in twenty-one languages (Amplify's twenty, and Arabic). Every
//! visible string goes through [`t`]; embedders override any key with [`Messages`] (see
//! `AuthOptions::messages`). Arabic and Hebrew are written right to left ([`Locale::dir`]).
//!
//! The locale is chosen per request on the server (`?lang=`, then the `ca_lang` cookie, then
//! `Accept-Language`, then the configured default), written as `<html lang>`, and read back
//! from there by the browser, so both sides render the same words.

mod ar;
mod de;
mod en;
mod es;
mod fr;
mod he;
mod hu;
mod id;
mod it;
mod ja;
mod ko;
mod nb;
mod nl;
mod pl;
mod pt;
mod ru;
mod sv;
mod th;
mod tr;
mod uk;
mod zh;

use crate::error::AppError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The cookie that remembers a language picked with `?lang=`.
pub const LOCALE_COOKIE: &str = "ca_lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    En,
    Es,
    Fr,
    De,
    Ja,
    Ar,
    He,
    Hu,
    Id,
    It,
    Ko,
    Nb,
    Nl,
    Pl,
    Pt,
    Ru,
    Sv,
    Th,
    Tr,
    Uk,
    Zh,
}

impl Locale {
    pub const ALL: [Locale; 21] = [
        Locale::En,
        Locale::Es,
        Locale::Fr,
        Locale::De,
        Locale::Ja,
        Locale::Ar,
        Locale::He,
        Locale::Hu,
        Locale::Id,
        Locale::It,
        Locale::Ko,
        Locale::Nb,
        Locale::Nl,
        Locale::Pl,
        Locale::Pt,
        Locale::Ru,
        Locale::Sv,
        Locale::Th,
        Locale::Tr,
        Locale::Uk,
        Locale::Zh,
    ];

    /// The BCP 47 tag, as used in `<html lang>` and `?lang=`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
            Locale::Fr => "fr",
            Locale::De => "de",
            Locale::Ja => "ja",
            Locale::Ar => "ar",
            Locale::He => "he",
            Locale::Hu => "hu",
            Locale::Id => "id",
            Locale::It => "it",
            Locale::Ko => "ko",
            Locale::Nb => "nb",
            Locale::Nl => "nl",
            Locale::Pl => "pl",
            Locale::Pt => "pt",
            Locale::Ru => "ru",
            Locale::Sv => "sv",
            Locale::Th => "th",
            Locale::Tr => "tr",
            Locale::Uk => "uk",
            Locale::Zh => "zh",
        }
    }

    /// The language's name in itself, for a language menu.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Es => "Español",
            Locale::Fr => "Français",
            Locale::De => "Deutsch",
            Locale::Ja => "日本語",
            Locale::Ar => "العربية",
            Locale::He => "עברית",
            Locale::Hu => "Magyar",
            Locale::Id => "Bahasa Indonesia",
            Locale::It => "Italiano",
            Locale::Ko => "한국어",
            Locale::Nb => "Norsk bokmål",
            Locale::Nl => "Nederlands",
            Locale::Pl => "Polski",
            Locale::Pt => "Português",
            Locale::Ru => "Русский",
            Locale::Sv => "Svenska",
            Locale::Th => "ไทย",
            Locale::Tr => "Türkçe",
            Locale::Uk => "Українська",
            Locale::Zh => "中文（简体）",
        }
    }

    /// The writing direction, for `dir` on `<html>` or around the component.
    pub fn dir(self) -> &'static str {
        match self {
            Locale::Ar | Locale::He => "rtl",
            _ => "ltr",
        }
    }

    /// The locale of a language tag by its primary subtag (`fr-CA` is French).
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        // Older and broader tags browsers still send for the same languages.
        let primary = match primary.as_str() {
            "iw" => "he",
            "in" => "id",
            "no" | "nn" => "nb",
            other => other,
        };
        Self::ALL.into_iter().find(|l| l.tag() == primary)
    }

    /// The bundled `(key, text)` pairs of this language.
    pub fn messages(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Locale::En => en::MESSAGES,
            Locale::Es => es::MESSAGES,
            Locale::Fr => fr::MESSAGES,
            Locale::De => de::MESSAGES,
            Locale::Ja => ja::MESSAGES,
            Locale::Ar => ar::MESSAGES,
            Locale::He => he::MESSAGES,
            Locale::Hu => hu::MESSAGES,
            Locale::Id => id::MESSAGES,
            Locale::It => it::MESSAGES,
            Locale::Ko => ko::MESSAGES,
            Locale::Nb => nb::MESSAGES,
            Locale::Nl => nl::MESSAGES,
            Locale::Pl => pl::MESSAGES,
            Locale::Pt => pt::MESSAGES,
            Locale::Ru => ru::MESSAGES,
            Locale::Sv => sv::MESSAGES,
            Locale::Th => th::MESSAGES,
            Locale::Tr => tr::MESSAGES,
            Locale::Uk => uk::MESSAGES,
            Locale::Zh => zh::MESSAGES,
        }
    }

    /// Picks the locale of a request: an explicit `?lang=`, then the remembered cookie, then
    /// the browser's `Accept-Language` preferences, each only if `supported`; else `default`.
    pub fn negotiate(
        query: Option<&str>,
        cookie: Option<&str>,
        accept_language: Option<&str>,
        supported: &[Locale],
        default: Locale,
    ) -> Locale {
        let allowed = |l: &Locale| supported.is_empty() || supported.contains(l);
        let chosen = [query, cookie]
            .into_iter()
            .flatten()
            .filter_map(Locale::from_tag)
            .find(allowed);
        if let Some(locale) = chosen {
            return locale;
        }
        let mut preferences: Vec<(f32, Locale)> = accept_language
            .unwrap_or_default()
            .split(',')
            .filter_map(|item| {
                let mut parts = item.split(';');
                let locale = Locale::from_tag(parts.next()?)?;
                let quality = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (quality > 0.0).then_some((quality, locale))
            })
            .collect();
        // Stable: equal weights keep the browser's order.
        preferences.sort_by(|a, b| b.0.total_cmp(&a.0));
        preferences
            .into_iter()
            .map(|(_, l)| l)
            .find(allowed)
            .unwrap_or(default)
    }
}

/// The bundled text of `key` in `locale` only.
fn bundled_in(locale: Locale, key: &str) -> Option<&'static str> {
    static INDEX: OnceLock<Vec<HashMap<&'static str, &'static str>>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        Locale::ALL
            .iter()
            .map(|l| l.messages().iter().copied().collect())
            .collect()
    });
    let position = Locale::ALL.iter().position(|x| *x == locale).unwrap_or(0);
    index[position].get(key).copied()
}

/// The bundled text of `key` in `locale`, falling back to English.
pub fn bundled(locale: Locale, key: &str) -> Option<&'static str> {
    bundled_in(locale, key).or_else(|| bundled_in(Locale::En, key))
}

/// A CLDR plural category. A message with a count has its "other" text under its own key and
/// the others under `<key>.<category>`, as many as its language tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Plural {
    Zero,
    One,
    Two,
    Few,
    Many,
    Other,
}

impl Plural {
    pub fn suffix(self) -> &'static str {
        match self {
            Plural::Zero => "zero",
            Plural::One => "one",
            Plural::Two => "two",
            Plural::Few => "few",
            Plural::Many => "many",
            Plural::Other => "other",
        }
    }
}

impl Locale {
    /// The CLDR cardinal category of a whole number. The counts shown are small (a password's
    /// length, seconds to wait), so the million-rules some Romance languages add are left out.
    pub fn plural(self, n: u64) -> Plural {
        let (tens, hundreds) = (n % 10, n % 100);
        let slavic_few = (2..=4).contains(&tens) && !(12..=14).contains(&hundreds);
        match self.tag() {
            "ja" | "zh" | "ko" | "th" | "id" => Plural::Other,
            "fr" | "pt" if n <= 1 => Plural::One,
            "fr" | "pt" => Plural::Other,
            "he" => match n {
                1 => Plural::One,
                2 => Plural::Two,
                _ => Plural::Other,
            },
            "ru" | "uk" if tens == 1 && hundreds != 11 => Plural::One,
            "ru" | "uk" | "pl" if slavic_few => Plural::Few,
            "pl" if n == 1 => Plural::One,
            "ru" | "uk" | "pl" => Plural::Many,
            "ar" => match (n, hundreds) {
                (0, _) => Plural::Zero,
                (1, _) => Plural::One,
                (2, _) => Plural::Two,
                (_, 3..=10) => Plural::Few,
                (_, 11..=99) => Plural::Many,
                _ => Plural::Other,
            },
            _ if n == 1 => Plural::One,
            _ => Plural::Other,
        }
    }

    /// The categories other than "other" this language's whole numbers fall into.
    pub fn plural_variants(self) -> Vec<Plural> {
        let mut seen = Vec::new();
        for n in 0..200 {
            let category = self.plural(n);
            if category != Plural::Other && !seen.contains(&category) {
                seen.push(category);
            }
        }
        seen
    }
}

/// An embedder's replacements for message keys, for every language or for one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Messages {
    everywhere: HashMap<String, String>,
    per_locale: HashMap<(Locale, String), String>,
}

impl Messages {
    /// Replaces `key`'s text in every language (unless one has its own, see [`Messages::set_for`]).
    pub fn set(mut self, key: impl Into<String>, text: impl Into<String>) -> Self {
        self.everywhere.insert(key.into(), text.into());
        self
    }

    /// Replaces `key`'s text in `locale` only.
    pub fn set_for(
        mut self,
        locale: Locale,
        key: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        self.per_locale.insert((locale, key.into()), text.into());
        self
    }

    pub fn get(&self, locale: Locale, key: &str) -> Option<&str> {
        self.per_locale
            .get(&(locale, key.to_owned()))
            .or_else(|| self.everywhere.get(key))
            .map(String::as_str)
    }
}

/// The locale this page is rendered in.
pub fn current_locale() -> Locale {
    use leptos::prelude::use_context;
    if let Some(locale) = use_context::<Locale>() {
        return locale;
    }
    #[cfg(feature = "hydrate")]
    {
        thread_local! {
            static FROM_DOCUMENT: Locale = leptos::prelude::document()
                .document_element()
                .and_then(|html| html.get_attribute("lang"))
                .and_then(|tag| Locale::from_tag(&tag))
                .unwrap_or_default();
        }
        FROM_DOCUMENT.with(|locale| *locale)
    }
    #[cfg(not(feature = "hydrate"))]
    Locale::En
}

/// The text of a message key in the current locale: the embedder's override, else the bundle,
/// else English; an unknown key is shown as itself, so a gap is visible.
pub fn t(key: &str) -> String {
    let locale = current_locale();
    text_in(locale, key).unwrap_or_else(|| bundled(Locale::En, key).unwrap_or(key).to_owned())
}

/// The embedder's text for `key` in `locale`, else the bundle's in that language.
fn text_in(locale: Locale, key: &str) -> Option<String> {
    // Read in place: cloning the options for every string would copy their maps each time.
    let overridden = leptos::prelude::with_context::<crate::options::AuthOptions, _>(|options| {
        options.messages.get(locale, key).map(str::to_owned)
    })
    .flatten();
    overridden.or_else(|| bundled_in(locale, key).map(str::to_owned))
}

/// The placeholders that carry a count, and so choose a plural form.
const COUNT_PLACEHOLDERS: [&str; 2] = ["n", "seconds"];

/// [`t`] with `{name}` placeholders filled in; a count (`{n}`, `{seconds}`) picks the plural
/// form its language uses for that number.
pub fn t_with(key: &str, values: &[(&str, &str)]) -> String {
    let locale = current_locale();
    let count = values
        .iter()
        .find(|(name, _)| COUNT_PLACEHOLDERS.contains(name))
        .and_then(|(_, value)| value.parse::<u64>().ok());
    let form = count
        .map(|n| locale.plural(n))
        .filter(|category| *category != Plural::Other)
        .and_then(|category| text_in(locale, &format!("{key}.{}", category.suffix())));
    let text = form.unwrap_or_else(|| t(key));
    values.iter().fold(text, |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

/// What the user is told about an error, in the current locale.
pub fn error_text(error: &AppError) -> String {
    let values = error.placeholders();
    let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    t_with(error.message_key(), &values)
}

/// A readable label for a Cognito attribute; custom attributes show their name without
/// `custom:`, unknown ones their name.
pub fn attribute_label(name: &str) -> String {
    match name {
        "email" | "phone_number" => t(&format!("field.{name}")),
        _ if crate::options::STANDARD_ATTRIBUTES.contains(&name) || name.ends_with("_verified") => {
            t(&format!("attribute.{name}"))
        }
        _ => name.strip_prefix("custom:").unwrap_or(name).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::flow::Notice;

    fn keys(locale: Locale) -> Vec<&'static str> {
        locale.messages().iter().map(|(k, _)| *k).collect()
    }

    /// Keys whose English text has a count, so come in plural forms.
    fn counted_keys() -> Vec<&'static str> {
        keys(Locale::En)
            .into_iter()
            .filter(|key| bundled_in(Locale::En, &format!("{key}.one")).is_some())
            .collect()
    }

    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        found.sort_unstable();
        found
    }

    #[test]
    fn every_bundle_has_every_key_its_plural_forms_and_no_other() {
        let english = keys(Locale::En);
        let unique: std::collections::HashSet<_> = english.iter().collect();
        assert_eq!(
            unique.len(),
            english.len(),
            "a key is listed twice in English"
        );
        let counted = counted_keys();
        assert_eq!(counted.len(), 3, "{counted:?}");
        let base = |key: &&str| {
            !counted.iter().any(|c| {
                key.strip_prefix(c)
                    .is_some_and(|rest| rest.starts_with('.'))
            })
        };
        let mut english_base: Vec<_> = english.iter().copied().filter(base).collect();
        english_base.sort_unstable();
        for locale in Locale::ALL {
            let theirs = keys(locale);
            let unique: std::collections::HashSet<_> = theirs.iter().collect();
            assert_eq!(unique.len(), theirs.len(), "{locale:?} lists a key twice");
            let mut theirs_base: Vec<_> = theirs.iter().copied().filter(base).collect();
            theirs_base.sort_unstable();
            assert_eq!(theirs_base, english_base, "{locale:?} differs from English");
            for key in &counted {
                let mut forms: Vec<String> = theirs
                    .iter()
                    .filter_map(|k| k.strip_prefix(key)?.strip_prefix('.'))
                    .map(str::to_owned)
                    .collect();
                forms.sort_unstable();
                let mut expected: Vec<String> = locale
                    .plural_variants()
                    .iter()
                    .map(|p| p.suffix().to_owned())
                    .collect();
                expected.sort_unstable();
                assert_eq!(forms, expected, "{locale:?} plural forms of {key}");
            }
            for (key, text) in locale.messages() {
                assert!(!text.trim().is_empty(), "{locale:?} {key} is empty");
                let english_key = counted
                    .iter()
                    .find(|c| key.starts_with(&format!("{c}.")))
                    .copied()
                    .unwrap_or(key);
                let english_text = bundled_in(Locale::En, english_key).unwrap();
                assert_eq!(
                    placeholders(text),
                    placeholders(english_text),
                    "{locale:?} {key}: {text}"
                );
            }
        }
    }

    #[test]
    fn no_language_copies_an_english_sentence() {
        // A loanword ("Code", "Passkey", "Email") may read as in English; a phrase may not.
        for locale in Locale::ALL.into_iter().filter(|l| *l != Locale::En) {
            for (key, text) in locale.messages() {
                let english = bundled_in(Locale::En, key).unwrap_or_default();
                assert!(
                    *text != english || !text.contains(' '),
                    "{locale:?} {key} is still English: {text}"
                );
            }
        }
    }

    #[test]
    fn a_count_picks_its_languages_plural_form() {
        let plural = |locale: Locale, n| locale.plural(n);
        assert_eq!(plural(Locale::En, 1), Plural::One);
        assert_eq!(plural(Locale::En, 0), Plural::Other);
        assert_eq!(plural(Locale::Fr, 0), Plural::One);
        assert_eq!(plural(Locale::Ja, 1), Plural::Other);
        let owner = leptos::prelude::Owner::new();
        owner.set();
        leptos::prelude::provide_context(Locale::En);
        assert_eq!(
            t_with("password.rule.minimum_length", &[("n", "1")]),
            "at least 1 character"
        );
        assert_eq!(
            t_with("password.rule.minimum_length", &[("n", "8")]),
            "at least 8 characters"
        );
        leptos::prelude::provide_context(Locale::Fr);
        assert_eq!(
            t_with("error.rate_limited", &[("seconds", "0")]),
            "Trop de tentatives. Réessayez dans 0\u{a0}seconde."
        );
    }

    #[test]
    fn punctuation_follows_each_language() {
        for (key, text) in Locale::Fr.messages() {
            // French puts a (narrow) no-break space before ? ! : ; and never a plain one.
            for mark in ['?', '!', ':', ';'] {
                assert!(
                    !text.contains(&format!(" {mark}")),
                    "fr {key}: plain space before {mark}"
                );
                if let Some(at) = text.find(mark) {
                    if at > 0 && !text.contains("://") {
                        let before = text[..at].chars().last().unwrap();
                        assert!(
                            before == '\u{202f}' || before == '\u{a0}',
                            "fr {key}: {text}"
                        );
                    }
                }
            }
        }
        for (key, text) in Locale::Ja.messages() {
            assert!(
                !text.ends_with('.') && !text.contains(". "),
                "ja {key} uses a Latin full stop"
            );
            assert!(
                !text.contains('?') && !text.contains(':'),
                "ja {key} uses half-width marks"
            );
        }
        for (key, text) in Locale::Zh.messages() {
            let latin_marks = text.replace("://", "").contains(['?', '!', ':', ',', ';']);
            assert!(!latin_marks, "zh {key} uses half-width marks: {text}");
            assert!(!text.ends_with('.'), "zh {key} ends with a Latin full stop");
        }
        for (key, text) in Locale::Ar.messages() {
            assert!(
                !text.contains(['?', ',', ';']),
                "ar {key} uses Latin marks: {text}"
            );
        }
        for (key, text) in Locale::Th.messages() {
            assert!(
                !text.ends_with('.') && !text.contains(". "),
                "th {key} uses a full stop: {text}"
            );
        }
        for (key, text) in Locale::Es.messages() {
            if text.ends_with('?') {
                assert!(text.contains('¿'), "es {key} lacks the opening ¿");
            }
        }
    }

    #[test]
    fn the_locale_comes_from_the_query_then_the_cookie_then_the_browser() {
        let all = &Locale::ALL[..];
        let pick = |q, c, a| Locale::negotiate(q, c, a, all, Locale::En);
        assert_eq!(pick(Some("fr"), Some("de"), Some("ja")), Locale::Fr);
        assert_eq!(pick(Some("xx"), Some("de"), Some("ja")), Locale::De);
        assert_eq!(
            pick(None, None, Some("da, ja;q=0.8, es-MX;q=0.9")),
            Locale::Es
        );
        assert_eq!(pick(None, None, Some("ja;q=0, de")), Locale::De);
        assert_eq!(pick(None, None, Some("zz")), Locale::En);
        assert_eq!(pick(None, None, None), Locale::En);
        // Only the site's languages are picked; else its default.
        let site = [Locale::Fr, Locale::Es];
        assert_eq!(
            Locale::negotiate(Some("de"), None, Some("en-US"), &site, Locale::Fr),
            Locale::Fr
        );
        assert_eq!(
            Locale::negotiate(None, None, Some("en-US, es;q=0.5"), &site, Locale::Fr),
            Locale::Es
        );
    }

    #[test]
    fn overrides_win_per_locale_then_everywhere() {
        let messages = Messages::default().set("button.sign_in", "Log in").set_for(
            Locale::Fr,
            "button.sign_in",
            "Entrer",
        );
        assert_eq!(messages.get(Locale::Fr, "button.sign_in"), Some("Entrer"));
        assert_eq!(messages.get(Locale::De, "button.sign_in"), Some("Log in"));
        assert_eq!(messages.get(Locale::De, "button.confirm"), None);
    }

    #[test]
    fn every_error_and_notice_has_text_in_every_language() {
        let mut missing = Vec::new();
        for kind in ErrorKind::ALL {
            let error = AppError::new(kind);
            let key = error.message_key();
            for locale in Locale::ALL {
                if !locale.messages().iter().any(|(k, _)| *k == key) {
                    missing.push(format!("{locale:?} {key}"));
                }
            }
        }
        for notice in Notice::ALL {
            if bundled(Locale::En, notice.message_key()).is_none() {
                missing.push(notice.message_key().to_owned());
            }
        }
        assert!(missing.is_empty(), "{missing:?}");
    }
}
