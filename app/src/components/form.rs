//! Form fields that show their server-side validation message next to the input.

use crate::error::AppError;
use crate::i18n::texts;
use leptos::prelude::*;

/// The field message from the last result of a server action, if any.
pub fn field_error<T: Clone + Send + Sync + 'static>(
    value: Signal<Option<Result<T, AppError>>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || value.get().and_then(|r| r.err()).and_then(|e| e.field(field)))
}

/// A summary above the form: "check the marked fields" or the general error.
#[component]
pub fn FormStatus<T: Clone + Send + Sync + 'static>(
    value: Signal<Option<Result<T, AppError>>>,
    #[prop(optional)] success: Option<&'static str>,
) -> impl IntoView {
    move || match value.get() {
        Some(Err(e)) => view! { <div class="alert alert-error" role="alert">{e.message()}</div> }.into_any(),
        Some(Ok(_)) => success
            .map(|s| view! { <div class="alert alert-success" role="status">{s}</div> }.into_any())
            .unwrap_or_else(|| ().into_any()),
        None => ().into_any(),
    }
}

/// A labelled input. `name` is the form name (`input[first_name]`), `id` the element id.
#[component]
pub fn TextField(
    label: &'static str,
    #[prop(into)] name: String,
    #[prop(into)] id: String,
    #[prop(optional, into)] value: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = true)] required: bool,
    #[prop(optional)] maxlength: Option<usize>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let t = texts();
    let hint_id = format!("{id}-hinweis");
    let error_id = format!("{id}-fehler");
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field">
            <label for=id.clone()>
                {label}
                {(!required).then(|| view! { " " <span class="muted">"("{t.optional}")"</span> })}
            </label>
            <input
                id=id
                name=name
                type=kind
                value=value
                required=required
                maxlength=maxlength.map(|m| m.to_string())
                autocomplete=autocomplete
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described
            />
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone() role="alert">{e}</p> })}
        </div>
    }
}

/// A labelled text area.
#[component]
pub fn TextArea(
    label: &'static str,
    #[prop(into)] name: String,
    #[prop(into)] id: String,
    #[prop(optional, into)] value: String,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] maxlength: Option<usize>,
    #[prop(default = false)] required: bool,
    #[prop(default = 3)] rows: u32,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let t = texts();
    let hint_id = format!("{id}-hinweis");
    let error_id = format!("{id}-fehler");
    view! {
        <div class="field">
            <label for=id.clone()>
                {label}
                {(!required).then(|| view! { " " <span class="muted">"("{t.optional}")"</span> })}
            </label>
            <textarea
                id=id
                name=name
                rows=rows.to_string()
                required=required
                maxlength=maxlength.map(|m| m.to_string())
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=hint.map(|_| hint_id.clone())
            >
                {value}
            </textarea>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone() role="alert">{e}</p> })}
        </div>
    }
}

/// A labelled drop-down list. `options` are (value, label); an empty first option asks
/// the user to choose.
#[component]
pub fn SelectField(
    label: &'static str,
    #[prop(into)] name: String,
    #[prop(into)] id: String,
    options: Vec<(String, String)>,
    #[prop(optional, into)] selected: String,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(default = true)] required: bool,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] on_change: Option<Callback<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-fehler");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select
                id=id
                name=name
                required=required
                aria-invalid=move || error.get().is_some().then_some("true")
                on:change=move |ev| {
                    if let Some(cb) = on_change {
                        cb.run(event_target_value(&ev));
                    }
                }
            >
                {placeholder.map(|p| view! { <option value="">{p}</option> })}
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let is_selected = value == selected;
                        view! { <option value=value selected=is_selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
            {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone() role="alert">{e}</p> })}
        </div>
    }
}

/// A group of radio buttons or check boxes with a legend. Check boxes are named
/// `name[i]`, so the server reads them as a list.
#[component]
pub fn ChoiceGroup(
    legend: &'static str,
    name: &'static str,
    #[prop(into)] id: String,
    options: Vec<(String, String)>,
    #[prop(optional)] checked: Vec<String>,
    #[prop(default = false)] multiple: bool,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-fehler");
    view! {
        <fieldset class="field choice-group" id=id aria-invalid=move || error.get().is_some().then_some("true")>
            <legend>{legend}</legend>
            {options
                .into_iter()
                .enumerate()
                .map(|(i, (value, text))| {
                    let input_id = format!("{id}-{i}");
                    let label_for = input_id.clone();
                    let is_checked = checked.contains(&value);
                    let (kind, field) = if multiple { ("checkbox", format!("{name}[{i}]")) } else { ("radio", name.to_owned()) };
                    view! {
                        <label class="choice" for=label_for>
                            <input type=kind id=input_id name=field value=value checked=is_checked />
                            <span>{text}</span>
                        </label>
                    }
                })
                .collect_view()}
            {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone() role="alert">{e}</p> })}
        </fieldset>
    }
}

/// Field messages from a list of errors (client-side checks before the outbox).
pub fn error_in(errors: RwSignal<Vec<crate::error::FieldError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || errors.read().iter().find(|e| e.field == field).map(|e| e.message.clone()))
}
