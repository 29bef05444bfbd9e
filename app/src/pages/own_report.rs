//! "Mein Hilfeplangespräch": in simple words, what a young person wants said in their
//! Hilfeplangespräch (faces and short answers, sealed on the phone and sent through the
//! outbox, so it is not lost without a connection), and "Das steht in deinem Bericht",
//! the summary staff released to them.

use crate::api::reports::my_report;
use crate::auth::policy::Page;
use crate::components::icon::Icon;
use crate::components::load::Load;
use crate::components::status::{Guard, PageTitle, when_allowed};
use crate::domain::feedback::Mood;
use crate::domain::report::{OwnViewForm, VIEW_TEXT_MAX};
use crate::domain::text::format_date;
use crate::error::FieldError;
use crate::i18n::{fill, texts};
use crate::pages::feedback::FieldMessage;
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Sent {
    Idle,
    Sending,
    Done { waiting: bool },
    Failed(String),
}

#[component]
pub fn OwnReportPage() -> impl IntoView {
    let t = texts();
    let data = Resource::new(|| (), |_| when_allowed(Page::OwnReport, my_report));
    view! {
        <Guard page=Page::OwnReport>
        <div class="youth-page stack">
            <PageTitle text=t.own_report_title.to_owned() />
            <p class="page-lead">{t.own_report_lead}</p>
            <Load data let:form>
                <ViewForm form=form.clone() />
                <Summaries form />
            </Load>
        </div>
        </Guard>
    }
}

#[component]
fn ViewForm(form: OwnViewForm) -> impl IntoView {
    let t = texts();
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let sent = RwSignal::new(Sent::Idle);
    // Sealing needs the WebAssembly: until it runs the button stays off.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let form = StoredValue::new(form);
    let err = move |field: &'static str| crate::components::form::error_in(errors, field);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        send(ev, form.get_value(), errors, sent);
    };
    let question = |id: &'static str, label: &'static str, hint: &'static str| {
        view! {
            <div class="field">
                <label for=format!("view-{id}")>{label}</label>
                <p class="hint" id=format!("view-{id}-hint")>{hint}</p>
                <textarea id=format!("view-{id}") name=id rows="3" maxlength=VIEW_TEXT_MAX aria-describedby=format!("view-{id}-hint")></textarea>
                <FieldMessage error=err(id) id=format!("view-{id}-fehler") />
            </div>
        }
    };
    view! {
        <leptos_meta::Meta name="gb-outbox-key" content=form.with_value(|f| f.outbox_key.clone()) />
        <section class="card stack" aria-labelledby="view-title">
            <h2 id="view-title">{t.own_view_title}</h2>
            {move || match sent.get() {
                Sent::Done { waiting } => view! {
                    <p class="alert alert-success" role="status" id="view-sent">{if waiting { t.own_view_waiting } else { t.own_view_sent }}</p>
                }.into_any(),
                Sent::Failed(message) => view! { <p class="alert alert-error" role="alert">{message}</p> }.into_any(),
                _ => ().into_any(),
            }}
            <form class="form youth-form" id="view-form" novalidate=true on:submit=on_submit>
                <fieldset class="field" id="view-mood">
                    <legend>{t.own_view_mood}</legend>
                    <div class="mood-row">
                        {Mood::ALL.iter().map(|&mood| view! {
                            <label class="mood">
                                <input type="radio" class="tile-input" name="mood" value=mood.code() />
                                <Icon name=format!("mood-{}", mood.code()) class="mood-icon" />
                                <span>{mood.label()}</span>
                            </label>
                        }).collect_view()}
                    </div>
                    <FieldMessage error=err("mood") id="view-mood-fehler" />
                </fieldset>
                {question("going_well", t.own_view_going_well, t.own_view_going_well_hint)}
                {question("change", t.own_view_change, t.own_view_change_hint)}
                {question("wish", t.own_view_wish, t.own_view_wish_hint)}
                <p class="muted">{t.own_view_who}</p>
                <button type="submit" class="btn btn-primary btn-block" id="view-send" disabled=move || !ready.get() || sent.get() == Sent::Sending>
                    {t.own_view_send}
                </button>
            </form>
            {form.with_value(|f| (!f.sent.is_empty()).then(|| view! {
                <p class="muted" id="view-sent-before">{fill(t.own_view_sent_before, &[("dates", &f.sent.join(", "))])}</p>
            }))}
        </section>
    }
}

#[component]
fn Summaries(form: OwnViewForm) -> impl IntoView {
    let t = texts();
    view! {
        <section class="card stack" aria-labelledby="own-summary-title" id="own-summaries">
            <h2 id="own-summary-title">{t.own_summary_title}</h2>
            {form.summaries.is_empty().then(|| view! { <p class="empty">{t.own_summary_none}</p> })}
            {form.summaries.into_iter().map(|s| view! {
                <article class="stack own-summary">
                    <h3>{fill(t.own_summary_for, &[("date", &format_date(&s.meeting_on))])}</h3>
                    <p class="report-text">{s.summary}</p>
                    <p class="muted">{t.own_summary_ask}</p>
                </article>
            }).collect_view()}
        </section>
    }
}

/// Checks, seals and puts the view into the outbox; then waits briefly for the receipt.
#[cfg(feature = "hydrate")]
fn send(ev: leptos::ev::SubmitEvent, form: OwnViewForm, errors: RwSignal<Vec<FieldError>>, sent: RwSignal<Sent>) {
    use crate::browser::outbox::{self, Delivery};
    use crate::domain::entry::form_value;
    use crate::domain::report::{SealedView, ViewInput};
    use wasm_bindgen::JsCast;
    let Some(element) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok()) else { return };
    if sent.get_untracked() == Sent::Sending {
        return;
    }
    let fields: Vec<(String, String)> =
        outbox::form_fields(&element).into_iter().map(|(k, v)| (format!("input[{k}]"), v)).collect();
    let id = outbox::new_id();
    let input = ViewInput {
        id: id.clone(),
        mood: form_value(&fields, "mood"),
        going_well: form_value(&fields, "going_well"),
        change: form_value(&fields, "change"),
        wish: form_value(&fields, "wish"),
    };
    if let Err(e) = input.validate() {
        errors.set(e);
        return;
    }
    errors.set(Vec::new());
    let sealed = SealedView { author_id: form.author_id.clone(), view: input };
    let Ok(json) = serde_json::to_string(&sealed) else { return };
    sent.set(Sent::Sending);
    leptos::task::spawn_local(async move {
        if outbox::put(&id, crate::domain::report::VIEW_KIND, &json).await.is_err() {
            sent.set(Sent::Failed(texts().fb_v_broken.into()));
            return;
        }
        let outcome = outbox::settle(&id, 6000).await;
        match outcome {
            Delivery::Delivered | Delivery::Waiting | Delivery::TooMany => {
                element.reset();
                sent.set(Sent::Done { waiting: outcome != Delivery::Delivered });
            }
            Delivery::Refused(body) => {
                let message = serde_json::from_str::<crate::error::AppError>(&body)
                    .map(|e| e.message())
                    .unwrap_or_else(|_| texts().fb_v_broken.into());
                sent.set(Sent::Failed(message));
            }
        }
    });
}
