//! Labelled inputs that show their own error (`aria-invalid`, `aria-describedby`).

use crate::error::AppError;
use crate::ui::i18n::t;
use leptos::prelude::*;

/// Calling codes offered beside the phone number, most common first.
pub const DIAL_CODES: &[(&str, &str)] = &[
    ("+1", "US/CA +1"),
    ("+44", "UK +44"),
    ("+33", "FR +33"),
    ("+49", "DE +49"),
    ("+34", "ES +34"),
    ("+39", "IT +39"),
    ("+31", "NL +31"),
    ("+46", "SE +46"),
    ("+41", "CH +41"),
    ("+81", "JP +81"),
    ("+82", "KR +82"),
    ("+86", "CN +86"),
    ("+91", "IN +91"),
    ("+61", "AU +61"),
    ("+64", "NZ +64"),
    ("+55", "BR +55"),
    ("+52", "MX +52"),
    ("+27", "ZA +27"),
];

fn field_error(
    error: Signal<Option<AppError>>,
    name: &'static str,
) -> impl Fn() -> Option<AppError> + Copy {
    move || error.get().filter(|e| e.is_field(name))
}

/// A text-like input with its label and error.
#[component]
pub fn TextField(
    name: &'static str,
    /// Message key of the label.
    label: &'static str,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] value: String,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = 256)] maxlength: usize,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("ca-field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let mine = field_error(error, name);
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if mine().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    // A password can be shown while typing; the button needs JavaScript, so it appears only
    // once the page is interactive.
    let is_password = input_type == "password";
    let (shown, set_shown) = signal(false);
    let (interactive, set_interactive) = signal(false);
    Effect::new(move |_| set_interactive.set(true));
    let toggle = is_password.then(|| {
        view! {
            <button
                type="button"
                class="ca-password-toggle"
                aria-controls=id.clone()
                aria-pressed=move || if shown.get() { "true" } else { "false" }
                hidden=move || !interactive.get()
                on:click=move |_| set_shown.update(|shown| *shown = !*shown)
            >
                {t("button.show_password")}
            </button>
        }
    });
    view! {
        <div class="ca-field" data-field=name>
            <label class="ca-label" for=id.clone()>{t(label)}</label>
            <input
                class="ca-input"
                id=id.clone()
                name=name
                type=move || if shown.get() { "text" } else { input_type }
                value=value
                placeholder=placeholder.map(t)
                autocomplete=autocomplete
                inputmode=inputmode
                maxlength=maxlength.to_string()
                aria-invalid=move || mine().map(|_| "true")
                aria-describedby=described_by
            />
            {toggle}
            {hint.map(|h| view! { <p class="ca-hint" id=hint_id>{t(h)}</p> })}
            <p class="ca-field-error" id=error_id hidden=move || mine().is_none()>
                {move || mine().map(|e| e.to_string())}
            </p>
        </div>
    }
}

/// A phone number as a calling-code select plus the national number.
#[component]
pub fn PhoneField(
    #[prop(optional)] dial_code: String,
    #[prop(optional)] value: String,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let name = "phone_number";
    let mine = field_error(error, name);
    let selected = if dial_code.is_empty() {
        "+1".to_owned()
    } else {
        dial_code
    };
    let options = DIAL_CODES
        .iter()
        .map(|(code, label)| {
            let is_selected = *code == selected;
            view! { <option value=*code selected=is_selected>{*label}</option> }
        })
        .collect_view();
    view! {
        <div class="ca-field" data-field=name>
            <label class="ca-label" for="ca-field-phone_number">{t("field.phone_number")}</label>
            <div class="ca-phone">
                <select class="ca-select" name="dial_code" aria-label=t("field.country_code") autocomplete="tel-country-code">
                    {options}
                </select>
                <input
                    class="ca-input"
                    id="ca-field-phone_number"
                    name=name
                    type="tel"
                    value=value
                    placeholder=t("placeholder.phone_number")
                    autocomplete="tel-national"
                    inputmode="tel"
                    maxlength="32"
                    aria-invalid=move || mine().map(|_| "true")
                    aria-describedby=move || if mine().is_some() { "ca-field-phone_number-hint ca-field-phone_number-error" } else { "ca-field-phone_number-hint" }
                />
            </div>
            <p class="ca-hint" id="ca-field-phone_number-hint">{t("signup.phone_hint")}</p>
            <p class="ca-field-error" id="ca-field-phone_number-error" hidden=move || mine().is_none()>
                {move || mine().map(|e| e.to_string())}
            </p>
        </div>
    }
}

/// The submit button; disabled while the form is being sent.
#[component]
pub fn SubmitButton(label: &'static str, #[prop(into)] pending: Signal<bool>) -> impl IntoView {
    view! {
        <button class="ca-button ca-button--primary" type="submit" disabled=move || pending.get() aria-busy=move || pending.get().then_some("true")>
            {t(label)}
        </button>
    }
}

/// A group of radio buttons with a legend.
#[component]
pub fn RadioGroup(
    name: &'static str,
    /// Message key of the legend.
    legend: &'static str,
    /// `(value, message key of the label)` pairs.
    options: Vec<(&'static str, &'static str)>,
    #[prop(optional)] selected: Option<&'static str>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let mine = field_error(error, name);
    let first = options.first().map(|(value, _)| *value);
    let checked_value = selected.or(first);
    let error_id = format!("ca-field-{name}-error");
    let items = options
        .into_iter()
        .map(|(value, label)| {
            let id = format!("ca-field-{name}-{value}");
            view! {
                <label class="ca-radio">
                    <input type="radio" id=id name=name value=value checked=Some(value) == checked_value />
                    <span>{t(label)}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="ca-fieldset" data-field=name aria-invalid=move || mine().map(|_| "true")
            aria-describedby=move || mine().map(|_| error_id.clone())>
            <legend class="ca-label">{t(legend)}</legend>
            {items}
            <p class="ca-field-error" id=format!("ca-field-{name}-error") hidden=move || mine().is_none()>
                {move || mine().map(|e| e.to_string())}
            </p>
        </fieldset>
    }
}
