//! Labelled inputs that show their own error (`aria-invalid`, `aria-describedby`).

use crate::error::{AppError, PasswordRuleKey};
use crate::flow::PasswordRules;
use crate::options::{use_auth_options, AuthOptions, FieldOptions, Screen};
use crate::ui::i18n::{error_text, t, t_with};
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

/// The element id of a field: its name with anything but letters, digits and `_` made `-`.
pub fn field_id(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("ca-field-{}", safe.trim_end_matches('-'))
}

fn field_error(error: Signal<Option<AppError>>, name: &str) -> Signal<Option<AppError>> {
    let name = name.to_owned();
    Signal::derive(move || error.get().filter(|e| e.is_field(&name)))
}

/// One input of a form, before an embedder's [`FieldOptions`] are applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// The input's `name` (what the server function receives).
    pub name: String,
    /// A message key or literal text.
    pub label: String,
    pub placeholder: Option<String>,
    pub input_type: String,
    pub autocomplete: Option<String>,
    pub inputmode: Option<String>,
    pub required: bool,
    pub label_hidden: bool,
    pub hint: Option<String>,
    pub maxlength: usize,
    pub value: String,
    /// A phone number: a calling-code select (posted as `dial_code`) beside the number.
    pub phone: bool,
    pub dial_code: String,
    pub dial_codes: Option<Vec<String>>,
    /// Show the pool's password rules under this field, ticked while typing.
    pub password_rules: Option<PasswordRules>,
    order: Option<i32>,
}

impl FieldSpec {
    pub fn text(name: &str, label: &str) -> Self {
        Self {
            name: name.to_owned(),
            label: label.to_owned(),
            placeholder: None,
            input_type: "text".to_owned(),
            autocomplete: None,
            inputmode: None,
            required: true,
            label_hidden: false,
            hint: None,
            maxlength: 256,
            value: String::new(),
            phone: false,
            dial_code: String::new(),
            dial_codes: None,
            password_rules: None,
            order: None,
        }
    }
    pub fn password(name: &str, label: &str, autocomplete: &str) -> Self {
        Self {
            input_type: "password".to_owned(),
            autocomplete: Some(autocomplete.to_owned()),
            ..Self::text(name, label)
        }
    }
    pub fn email(name: &str, label: &str) -> Self {
        Self {
            input_type: "email".to_owned(),
            autocomplete: Some("email".to_owned()),
            maxlength: 2048,
            ..Self::text(name, label)
        }
    }
    pub fn phone(name: &str, label: &str) -> Self {
        Self {
            input_type: "tel".to_owned(),
            autocomplete: Some("tel-national".to_owned()),
            inputmode: Some("tel".to_owned()),
            maxlength: 32,
            phone: true,
            ..Self::text(name, label)
        }
    }
    /// A six-digit code sent by email or text, or shown by an authenticator app.
    pub fn code(name: &str, label: &str) -> Self {
        Self {
            autocomplete: Some("one-time-code".to_owned()),
            inputmode: Some("numeric".to_owned()),
            maxlength: 16,
            placeholder: Some("placeholder.confirmation_code".to_owned()),
            ..Self::text(name, label)
        }
    }
    pub fn placeholder(mut self, placeholder: &str) -> Self {
        self.placeholder = Some(placeholder.to_owned());
        self
    }
    pub fn autocomplete(mut self, token: &str) -> Self {
        self.autocomplete = Some(token.to_owned());
        self
    }
    pub fn hint(mut self, hint: &str) -> Self {
        self.hint = Some(hint.to_owned());
        self
    }
    pub fn maxlength(mut self, maxlength: usize) -> Self {
        self.maxlength = maxlength;
        self
    }
    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = value.into();
        self
    }
    pub fn dial_code(mut self, code: impl Into<String>) -> Self {
        self.dial_code = code.into();
        self
    }
    pub fn with_rules(mut self, rules: PasswordRules) -> Self {
        self.password_rules = Some(rules);
        self
    }

    /// Applies an embedder's changes.
    fn customize(mut self, options: &FieldOptions) -> Self {
        if let Some(label) = &options.label {
            self.label = label.clone();
        }
        if let Some(placeholder) = &options.placeholder {
            self.placeholder = Some(placeholder.clone());
        }
        if let Some(required) = options.required {
            self.required = required;
        }
        if let Some(token) = &options.autocomplete {
            self.autocomplete = Some(token.clone());
        }
        if let Some(input_type) = &options.input_type {
            self.input_type = input_type.clone();
        }
        if let Some(code) = &options.dial_code {
            if self.dial_code.is_empty() {
                self.dial_code = code.clone();
            }
        }
        self.dial_codes = options.dial_codes.clone().or(self.dial_codes);
        self.label_hidden |= options.label_hidden;
        self.order = options.order;
        self
    }
}

/// The field for a Cognito attribute, posted as `attributes[<name>]`, with the input type and
/// autocomplete token that fit it.
pub fn attribute_field(attribute: &str) -> FieldSpec {
    let name = format!("attributes[{attribute}]");
    let label = crate::ui::i18n::attribute_label(attribute);
    let autocomplete = match attribute {
        "email" => "email",
        "phone_number" => "tel",
        "given_name" => "given-name",
        "family_name" => "family-name",
        "middle_name" => "additional-name",
        "name" => "name",
        "nickname" => "nickname",
        "birthdate" => "bday",
        "gender" => "sex",
        "address" => "street-address",
        "locale" => "language",
        "picture" | "profile" | "website" => "url",
        "preferred_username" => "username",
        _ => "off",
    };
    let mut spec = match attribute {
        "email" => FieldSpec::email(&name, &label),
        "phone_number" => FieldSpec::phone(&name, &label),
        _ => FieldSpec::text(&name, &label).maxlength(2048),
    };
    spec.autocomplete = Some(autocomplete.to_owned());
    if attribute == "birthdate" {
        spec.input_type = "date".to_owned();
    } else if matches!(attribute, "picture" | "profile" | "website") {
        spec.input_type = "url".to_owned();
    }
    spec
}

/// A screen's fields with the embedder's changes applied, in display order: fields given an
/// order first (ascending), then the rest in their default order.
pub fn customize(screen: Screen, fields: Vec<FieldSpec>, options: &AuthOptions) -> Vec<FieldSpec> {
    let mut fields: Vec<FieldSpec> = fields
        .into_iter()
        .map(|field| match options.field_options(screen, &field.name) {
            Some(changes) => field.customize(changes),
            None => field,
        })
        .collect();
    fields.sort_by_key(|field| field.order.unwrap_or(i32::MAX));
    fields
}

/// The fields of a form, customised for `screen`. (What the server requires it knows from its
/// own configuration, not from the form.)
#[component]
pub fn FormFields(
    screen: Screen,
    fields: Vec<FieldSpec>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let options = use_auth_options();
    customize(screen, fields, &options)
        .into_iter()
        .map(|spec| view! { <Field spec error /> })
        .collect_view()
}

/// One field from its spec.
#[component]
pub fn Field(spec: FieldSpec, #[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    if spec.phone {
        view! { <PhoneField spec error /> }.into_any()
    } else {
        view! { <TextField spec error /> }.into_any()
    }
}

/// `aria-describedby` for a field: its hint and, while there is one, its error.
fn described_by(
    hint_id: Option<String>,
    error_id: String,
    mine: Signal<Option<AppError>>,
) -> impl Fn() -> Option<String> {
    move || {
        let mut ids: Vec<String> = hint_id.iter().cloned().collect();
        if mine.with(Option::is_some) {
            ids.push(error_id.clone());
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// The label: visible, or kept for screen readers only.
fn label_view(for_id: String, label: &str, hidden: bool) -> impl IntoView {
    let class = if hidden {
        "ca-label ca-visually-hidden"
    } else {
        "ca-label"
    };
    view! { <label class=class for=for_id>{t(label)}</label> }
}

/// A field's error text, shown and announced while there is one.
fn error_view(error_id: String, mine: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <p class="ca-field-error" id=error_id hidden=move || mine.with(Option::is_none)>
            {move || mine.get().map(|e| error_text(&e))}
        </p>
    }
}

/// A text-like input with its label and error.
#[component]
pub fn TextField(spec: FieldSpec, #[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let FieldSpec {
        name,
        label,
        placeholder,
        input_type,
        autocomplete,
        inputmode,
        required,
        label_hidden,
        hint,
        maxlength,
        value,
        password_rules,
        ..
    } = spec;
    let id = field_id(&name);
    let error_id = format!("{id}-error");
    let hint_id = hint.as_ref().map(|_| format!("{id}-hint"));
    let rules_id = password_rules.map(|_| format!("{id}-rules"));
    let mine = field_error(error, &name);
    let describe_ids = hint_id
        .iter()
        .chain(rules_id.iter())
        .cloned()
        .collect::<Vec<_>>();
    let described = described_by(
        (!describe_ids.is_empty()).then(|| describe_ids.join(" ")),
        error_id.clone(),
        mine,
    );
    let helpers = (input_type == "password").then(|| {
        let checklist = password_rules
            .zip(rules_id)
            .map(|(rules, id)| RuleChecklist::new(rules, id));
        view! { <PasswordHelpers input_id=id.clone() show_label=t("button.show_password") checklist /> }
    });
    let aria_invalid = move || mine.with(Option::is_some).then_some("true");
    view! {
        <div class="ca-field" data-field=name.clone()>
            {label_view(id.clone(), &label, label_hidden)}
            <input
                class="ca-input"
                id=id.clone()
                name=name.clone()
                type=input_type
                value=value
                placeholder=placeholder.as_deref().map(t)
                autocomplete=autocomplete
                inputmode=inputmode
                maxlength=maxlength.to_string()
                aria-required=required.then_some("true")
                aria-invalid=aria_invalid
                aria-describedby=described
                // A page reloaded after a refused form starts at the field at fault.
                autofocus=move || mine.with(Option::is_some)
            />
            {hint.map(|h| view! { <p class="ca-hint" id=format!("{}-hint", field_id(&name))>{t(&h)}</p> })}
            {helpers}
            {error_view(error_id, mine)}
        </div>
    }
}

/// The pool's password rules with their texts, translated on the server: an island gets its
/// props in the page, not the app's context.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RuleChecklist {
    /// The element id the password input's `aria-describedby` names.
    pub id: String,
    pub rules: PasswordRules,
    pub intro: String,
    /// Each rule with its message key (`data-rule`) and text.
    pub items: Vec<(PasswordRuleKey, String, String)>,
    /// The screen-reader prefixes of a rule kept and not yet kept.
    pub met: String,
    pub unmet: String,
}

impl RuleChecklist {
    fn new(rules: PasswordRules, id: String) -> Self {
        let minimum = rules.minimum_length.to_string();
        let items = rules
            .rules()
            .into_iter()
            .map(|rule| {
                let key = rule_key(rule);
                (rule, key.to_owned(), t_with(key, &[("n", &minimum)]))
            })
            .collect();
        Self {
            id,
            rules,
            intro: t("password.rules"),
            items,
            met: t("password.rule.met"),
            unmet: t("password.rule.unmet"),
        }
    }
}

/// What a password input gains with JavaScript: a show/hide button, and the pool's rules ticked
/// while typing (listed either way, so they are read before typing). The only interactive part
/// of the pages in islands mode; it reaches its input by id.
#[cfg_attr(feature = "islands", island)]
#[cfg_attr(not(feature = "islands"), component)]
pub fn PasswordHelpers(
    input_id: String,
    show_label: String,
    checklist: Option<RuleChecklist>,
) -> impl IntoView {
    let (shown, set_shown) = signal(false);
    // The button could do nothing before the page is interactive, so it appears only then.
    let (interactive, set_interactive) = signal(false);
    let (typed, set_typed) = signal(String::new());
    {
        let input_id = input_id.clone();
        Effect::new(move |_| {
            set_interactive.set(true);
            // The browser may have filled the input before this ran (autofill, back/forward).
            use leptos::wasm_bindgen::JsCast;
            if let Some(input) = document().get_element_by_id(&input_id) {
                set_typed.set(
                    input
                        .unchecked_into::<leptos::web_sys::HtmlInputElement>()
                        .value(),
                );
            }
        });
    }
    {
        let input_id = input_id.clone();
        let listener = window_event_listener(leptos::ev::input, move |ev| {
            let target = event_target::<leptos::web_sys::Element>(&ev);
            if target.id() == input_id {
                set_typed.set(event_target_value(&ev));
            }
        });
        on_cleanup(move || listener.remove());
    }
    let toggle = {
        let input_id = input_id.clone();
        move |_| {
            let show = !shown.get_untracked();
            set_shown.set(show);
            if let Some(input) = document().get_element_by_id(&input_id) {
                let _ = input.set_attribute("type", if show { "text" } else { "password" });
            }
        }
    };
    let checklist = checklist.map(|list| {
        let RuleChecklist {
            id,
            rules,
            intro,
            items,
            met,
            unmet,
        } = list;
        let items = items
            .into_iter()
            .map(|(rule, key, text)| {
                let (met, unmet) = (met.clone(), unmet.clone());
                let kept = move || rules.keeps(rule, &typed.get());
                view! {
                    <li class="ca-password-rule" data-rule=key data-met=move || kept().to_string()>
                        <span class="ca-visually-hidden">
                            {move || if kept() { met.clone() } else { unmet.clone() }} ": "
                        </span>
                        {text}
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="ca-password-rules" id=id>
                <p class="ca-hint">{intro}</p>
                <ul>{items}</ul>
            </div>
        }
    });
    view! {
        <button
            type="button"
            class="ca-password-toggle"
            aria-controls=input_id
            aria-pressed=move || if shown.get() { "true" } else { "false" }
            hidden=move || !interactive.get()
            on:click=toggle
        >
            {show_label}
        </button>
        {checklist}
    }
}

fn rule_key(rule: PasswordRuleKey) -> &'static str {
    match rule {
        PasswordRuleKey::MinimumLength => "password.rule.minimum_length",
        PasswordRuleKey::Lowercase => "password.rule.lowercase",
        PasswordRuleKey::Uppercase => "password.rule.uppercase",
        PasswordRuleKey::Number => "password.rule.number",
        PasswordRuleKey::Symbol => "password.rule.symbol",
    }
}

/// A phone number as a calling-code select (posted as `dial_code`) plus the national number.
#[component]
pub fn PhoneField(spec: FieldSpec, #[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let FieldSpec {
        name,
        label,
        placeholder,
        required,
        label_hidden,
        hint,
        maxlength,
        value,
        dial_code,
        dial_codes,
        ..
    } = spec;
    let id = field_id(&name);
    let error_id = format!("{id}-error");
    let hint_id = hint.as_ref().map(|_| format!("{id}-hint"));
    let mine = field_error(error, &name);
    let described = described_by(hint_id.clone(), error_id.clone(), mine);
    let offered: Vec<(String, String)> = match dial_codes {
        Some(codes) => codes
            .into_iter()
            .map(|code| {
                let label = DIAL_CODES
                    .iter()
                    .find(|(known, _)| *known == code)
                    .map_or_else(|| code.clone(), |(_, label)| (*label).to_owned());
                (code, label)
            })
            .collect(),
        None => DIAL_CODES
            .iter()
            .map(|(code, label)| ((*code).to_owned(), (*label).to_owned()))
            .collect(),
    };
    let selected = if dial_code.is_empty() {
        offered
            .first()
            .map(|(code, _)| code.clone())
            .unwrap_or_default()
    } else {
        dial_code
    };
    let options = offered
        .into_iter()
        .map(|(code, label)| {
            let is_selected = code == selected;
            view! { <option value=code selected=is_selected>{label}</option> }
        })
        .collect_view();
    let aria_invalid = move || mine.with(Option::is_some).then_some("true");
    view! {
        <div class="ca-field" data-field=name.clone()>
            {label_view(id.clone(), &label, label_hidden)}
            <div class="ca-phone">
                <select class="ca-select" name="dial_code" aria-label=t("field.country_code") autocomplete="tel-country-code">
                    {options}
                </select>
                <input
                    class="ca-input"
                    id=id
                    name=name.clone()
                    type="tel"
                    value=value
                    placeholder=placeholder.as_deref().map(t)
                    autocomplete="tel-national"
                    inputmode="tel"
                    maxlength=maxlength.to_string()
                    aria-required=required.then_some("true")
                    aria-invalid=aria_invalid
                    aria-describedby=described
                    autofocus=move || mine.with(Option::is_some)
                />
            </div>
            {hint.map(|h| view! { <p class="ca-hint" id=format!("{}-hint", field_id(&name))>{t(&h)}</p> })}
            {error_view(error_id, mine)}
        </div>
    }
}

/// The submit button; disabled while the form is being sent.
#[component]
pub fn SubmitButton(
    #[prop(into)] label: String,
    #[prop(into)] pending: Signal<bool>,
) -> impl IntoView {
    view! {
        <button class="ca-button ca-button--primary" type="submit" disabled=move || pending.get() aria-busy=move || pending.get().then_some("true")>
            {t(&label)}
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
                    <input type="radio" id=id name=name value=value checked=Some(value) == checked_value
                        autofocus=move || Some(value) == checked_value && mine.with(Option::is_some) />
                    <span>{t(label)}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="ca-fieldset" data-field=name aria-invalid=move || mine.with(Option::is_some).then_some("true")
            aria-describedby=move || mine.with(Option::is_some).then(|| error_id.clone())>
            <legend class="ca-label">{t(legend)}</legend>
            {items}
            <p class="ca-field-error" id=format!("ca-field-{name}-error") hidden=move || mine.with(Option::is_none)>
                {move || mine.get().map(|e| error_text(&e))}
            </p>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(fields: &[FieldSpec]) -> Vec<&str> {
        fields.iter().map(|f| f.name.as_str()).collect()
    }

    #[test]
    fn ordered_fields_come_first_and_the_rest_keep_their_place() {
        let fields = vec![
            FieldSpec::text("username", "field.username"),
            FieldSpec::password("password", "field.password", "new-password"),
            attribute_field("given_name"),
            attribute_field("family_name"),
        ];
        let options = AuthOptions::new()
            .field(
                Screen::SignUp,
                "attributes[family_name]",
                FieldOptions::default().order(1),
            )
            .field(
                Screen::SignUp,
                "attributes[given_name]",
                FieldOptions::default()
                    .order(2)
                    .label("First name")
                    .required(true),
            )
            .field(Screen::SignIn, "username", FieldOptions::default().order(1));
        let shown = customize(Screen::SignUp, fields, &options);
        assert_eq!(
            names(&shown),
            [
                "attributes[family_name]",
                "attributes[given_name]",
                "username",
                "password"
            ]
        );
        assert_eq!(shown[1].label, "First name");
        assert!(shown[1].required);
        // Another screen's options do not apply.
        let sign_in = customize(
            Screen::SignUp,
            vec![FieldSpec::text("username", "x")],
            &AuthOptions::new(),
        );
        assert_eq!(sign_in[0].order, None);
    }

    #[test]
    fn attributes_get_fitting_inputs_and_safe_ids() {
        let birthdate = attribute_field("birthdate");
        assert_eq!(
            (
                birthdate.input_type.as_str(),
                birthdate.autocomplete.as_deref()
            ),
            ("date", Some("bday"))
        );
        assert!(attribute_field("phone_number").phone);
        assert_eq!(
            field_id("attributes[custom:team]"),
            "ca-field-attributes-custom-team"
        );
        assert!(crate::options::is_attribute("custom:team"));
        assert!(!crate::options::is_attribute("custom:"));
        assert!(!crate::options::is_attribute("favourite_colour"));
    }
}
