//! Besondere Vorkommnisse: the report form on the phone (sealed into the device outbox
//! like a daily note, so it is never lost offline), the board of one's groups with the
//! unacknowledged incidents pinned on top and refreshed without reloading, and an
//! incident with its whole chain, the acknowledgement and the comments.

use crate::api::entries::list_capture_choices;
use crate::api::incidents::{
    AcknowledgeIncident, CommentIncident, get_incident, get_incident_board, incident_stamp, open_incident_count,
};
use crate::auth::policy::Page;
use crate::components::form::{ChoiceGroup, FormStatus, SelectField, TextArea, TextField, error_in, field_error};
use crate::components::load::Load;
use crate::components::status::{Guard, PageTitle, when_allowed};
use crate::domain::entry::CaptureChoices;
use crate::domain::incident::{self, IncidentCategory, IncidentEventKind, IncidentState, IncidentSummary, Informed};
use crate::error::FieldError;
use crate::i18n::{fill, texts};
use leptos::prelude::*;

/// How often an open board or incident looks for news (seconds).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const POLL_SECONDS: u64 = 10;

/// Runs `tick` every [`POLL_SECONDS`] while the page is open and visible (in the browser).
pub(crate) fn every_few_seconds(tick: impl Fn() + 'static) {
    #[cfg(feature = "hydrate")]
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if !document().hidden() {
                tick();
            }
        },
        std::time::Duration::from_secs(POLL_SECONDS),
    ) {
        on_cleanup(move || handle.clear());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = tick;
}

fn state_badge(state: IncidentState) -> impl IntoView {
    let class = match state {
        IncidentState::Open => "badge badge-important",
        IncidentState::Escalated => "badge badge-alarm",
        IncidentState::Acknowledged => "badge badge-ok",
    };
    view! { <span class=class>{state.label()}</span> }
}

// ------------------------------------------------------------------ report

/// `/vorkommnis/neu`: report an incident from the phone.
#[component]
pub fn NewIncidentPage() -> impl IntoView {
    let t = texts();
    let query = leptos_router::hooks::use_query_map();
    let preselected = StoredValue::new(query.read_untracked().get("fuer").unwrap_or_default());
    let choices = Resource::new(|| (), |_| when_allowed(Page::NewIncident, list_capture_choices));
    view! {
        <Guard page=Page::NewIncident>
        <PageTitle text=t.inc_new_title />
        <p class="page-lead">{t.inc_new_lead}</p>
        <Load data=choices let:c>
            <IncidentForm choices=c preselected=preselected.get_value() />
        </Load>
        </Guard>
    }
}

/// A closed list's choices as (code, label) pairs for a select or a choice group.
pub(crate) fn options<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter().map(|&c| (code(c).to_owned(), label(c).to_owned())).collect()
}

#[component]
fn IncidentForm(choices: CaptureChoices, preselected: String) -> impl IntoView {
    let t = texts();
    #[cfg(feature = "hydrate")]
    {
        use crate::browser::outbox;
        super::capture::refresh_default("incident-date", choices.today.clone(), outbox::today().to_string());
        super::capture::refresh_default("incident-time", choices.now.clone(), outbox::clock(js_sys::Date::now()));
    }
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let youths = youth_options(&choices);
    let (today, now) = (choices.today.clone(), choices.now.clone());
    view! {
        <super::capture::CaptureForm kind="incident" action="/api/incidents/save" author_id=choices.author_id.clone() outbox_key=choices.outbox_key.clone() fresh_id=choices.fresh_id.clone() errors submit=t.inc_report>
            <ChoiceGroup legend=t.inc_youths name="input[youth_ids]" id="incident-youths" multiple=true options=youths checked=vec![preselected] error=error_in(errors, "youth_ids") />
            <div class="field-row">
                <TextField label=t.entry_date name="input[date]" id="incident-date" kind="date" value=today error=error_in(errors, "date") />
                <TextField label=t.visit_time name="input[time]" id="incident-time" kind="time" value=now error=error_in(errors, "time") />
            </div>
            <SelectField
                label=t.inc_category
                name="input[category]"
                id="incident-category"
                options=options(IncidentCategory::ALL, IncidentCategory::code, IncidentCategory::label)
                selected=String::new()
                placeholder=t.choose
                error=error_in(errors, "category")
            />
            <TextArea label=t.inc_what name="input[what]" id="incident-what" required=true rows=6 maxlength=incident::WHAT_MAX hint=t.inc_what_hint error=error_in(errors, "what") />
            <TextArea label=t.inc_measures name="input[measures]" id="incident-measures" rows=3 maxlength=incident::MEASURES_MAX error=error_in(errors, "measures") />
            <ChoiceGroup legend=t.inc_informed name="input[informed]" id="incident-informed" multiple=true options=options(Informed::ALL, Informed::code, Informed::label) error=error_in(errors, "informed") />
        </super::capture::CaptureForm>
        <p><a href="/vorkommnisse">{t.inc_to_board}</a></p>
    }
}

/// The young people one may write for, as (id, name) choices; with the group's name
/// when there are several groups.
pub(crate) fn youth_options(choices: &CaptureChoices) -> Vec<(String, String)> {
    let several = choices.groups.len() > 1;
    choices
        .groups
        .iter()
        .flat_map(|g| {
            g.youths.iter().map(move |y| {
                let label = if several { format!("{} ({})", y.name, g.name) } else { y.name.clone() };
                (y.id.to_string(), label)
            })
        })
        .collect()
}

// ------------------------------------------------------------------ board

/// `/vorkommnisse`: open incidents pinned on top, then the latest acknowledged ones.
/// Looks for new ones every few seconds; j/k move, Enter opens, x acknowledges.
#[component]
pub fn IncidentsPage() -> impl IntoView {
    let t = texts();
    let acknowledge = ServerAction::<AcknowledgeIncident>::new();
    // The board is loaded again when the number of open incidents changes (asked every
    // few seconds; a cheap count), not on every tick: a reload would take the keyboard
    // focus away from the incident being reviewed.
    let refresh = RwSignal::new(0u32);
    let shown_open = StoredValue::new(-1_i64);
    let board = Resource::new(
        move || (acknowledge.version().get(), refresh.get()),
        |_| when_allowed(Page::Incidents, get_incident_board),
    );
    every_few_seconds(move || {
        leptos::task::spawn_local(async move {
            if let Ok(open) = open_incident_count().await
                && open != shown_open.get_value()
            {
                shown_open.set_value(open);
                refresh.update(|n| *n += 1);
            }
        });
    });
    #[cfg(feature = "hydrate")]
    keyboard_review("a.incident-link", move |id| {
        acknowledge.dispatch(AcknowledgeIncident { id });
    });
    // After an acknowledgement the list is drawn anew: the next open incident gets the
    // focus, so a review with j/k/x goes on where it was.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use wasm_bindgen::JsCast;
        if acknowledge.version().get() > 0 && board.get().is_some() {
            request_animation_frame(|| {
                let next = document()
                    .query_selector("#incidents-open a.incident-link")
                    .ok()
                    .flatten()
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                if let Some(link) = next {
                    let _ = link.focus();
                }
            });
        }
    });
    view! {
        <Guard page=Page::Incidents>
        <PageTitle text=t.inc_board_title />
        <Load data=board keep=true let:b>
            {
                shown_open.set_value(i64::try_from(b.pinned.len()).unwrap_or_default());
                view! {
                {b.can_report.then(|| view! {
                    <p><a class="btn btn-primary" href="/vorkommnis/neu" id="incident-report-link">{t.nav_new_incident}</a></p>
                })}
                <section aria-labelledby="incidents-open-title" class="pinned">
                    <h2 id="incidents-open-title">{t.inc_pinned}" "<span class="badge badge-count" id="incidents-open-count">{b.pinned.len()}</span></h2>
                    {if b.pinned.is_empty() {
                        view! { <p class="muted" id="incidents-open-empty">{t.inc_none_open}</p> }.into_any()
                    } else {
                        view! { <IncidentList items=b.pinned id="incidents-open" /> }.into_any()
                    }}
                </section>
                <p class="hint keyboard-hint">{t.inc_keys_hint}</p>
                <section aria-labelledby="incidents-done-title">
                    <h2 id="incidents-done-title">{t.inc_recent}</h2>
                    {if b.recent.is_empty() {
                        view! { <p class="muted">{t.inc_none}</p> }.into_any()
                    } else {
                        view! { <IncidentList items=b.recent id="incidents-done" /> }.into_any()
                    }}
                </section>
                }
            }
        </Load>
        </Guard>
    }
}

#[component]
fn IncidentList(items: Vec<IncidentSummary>, id: &'static str) -> impl IntoView {
    let t = texts();
    view! {
        <ul class="incident-list stack" id=id>
            {items
                .into_iter()
                .map(|i| {
                    let comments = (i.comments > 0).then(|| fill(t.inc_comments, &[("n", &i.comments.to_string())]));
                    view! {
                        <li class="card incident-card" data-state=format!("{:?}", i.state).to_lowercase()>
                            <a class="incident-link" href=format!("/vorkommnisse/{}", i.id) data-id=i.id.clone()>
                                <strong>{i.category.label()}</strong>
                                " – "{i.youth_names.join(", ")}
                            </a>
                            <p class="entry-meta">
                                {state_badge(i.state)}" "{i.group_name.clone()}" · "{i.occurred.clone()}
                                {comments.map(|c| view! { " · "<span>{c}</span> })}
                            </p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// j/k move the focus between the links matching `selector` (the items of a list),
/// Enter opens the focused one (it is a link), x calls `acknowledge` with its `data-id`.
/// Keys typed into a field are left alone.
#[cfg(feature = "hydrate")]
pub(crate) fn keyboard_review(selector: &'static str, acknowledge: impl Fn(String) + 'static) {
    use wasm_bindgen::JsCast;
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let active = document().active_element();
        if let Some(el) = &active
            && matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        {
            return;
        }
        let Ok(links) = document().query_selector_all(selector) else { return };
        let links: Vec<web_sys::HtmlElement> =
            (0..links.length()).filter_map(|i| links.item(i)?.dyn_into::<web_sys::HtmlElement>().ok()).collect();
        if links.is_empty() {
            return;
        }
        let current = active.as_ref().and_then(|a| links.iter().position(|l| l.is_same_node(Some(a))));
        match ev.key().as_str() {
            "j" => {
                let next = current.map_or(0, |i| (i + 1).min(links.len() - 1));
                focus_visible(&links[next]);
                ev.prevent_default();
            }
            "k" => {
                let prev = current.map_or(0, |i| i.saturating_sub(1));
                focus_visible(&links[prev]);
                ev.prevent_default();
            }
            "x" => {
                if let Some(id) = current.and_then(|i| links[i].get_attribute("data-id")) {
                    acknowledge(id);
                    ev.prevent_default();
                }
            }
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
}

/// Focuses a list item's link and scrolls its whole item into view, just as far as
/// needed (`scrollIntoView({block: "nearest"})`; called through JavaScript because the
/// option type is not among the crate's web-sys features).
#[cfg(feature = "hydrate")]
fn focus_visible(link: &web_sys::HtmlElement) {
    use wasm_bindgen::{JsCast, JsValue};
    let _ = link.focus();
    let item: web_sys::Element = link.closest("li").ok().flatten().unwrap_or_else(|| link.clone().into());
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &JsValue::from_str("block"), &JsValue::from_str("nearest"));
    if let Ok(scroll) = js_sys::Reflect::get(&item, &JsValue::from_str("scrollIntoView"))
        && let Some(scroll) = scroll.dyn_ref::<js_sys::Function>()
    {
        let _ = scroll.call1(&item, &options);
    }
}

// ------------------------------------------------------------------ one incident

/// `/vorkommnisse/:id`: what happened, the chain, the acknowledgement and comments.
#[component]
pub fn IncidentPage() -> impl IntoView {
    let t = texts();
    let id = super::route_id();
    let acknowledge = ServerAction::<AcknowledgeIncident>::new();
    let comment = ServerAction::<CommentIncident>::new();
    let detail = Resource::new(
        move || (id.get(), acknowledge.version().get(), comment.version().get()),
        |(id, _, _)| when_allowed(Page::Incidents, move || get_incident(id)),
    );
    // New links of the chain (comments, acknowledgement) appear without reloading; the
    // comment form is outside the part that is redrawn, so typing is never lost.
    let shown = StoredValue::new(-1_i64);
    every_few_seconds(move || {
        let id = id.get_untracked();
        leptos::task::spawn_local(async move {
            if let Ok(n) = incident_stamp(id).await
                && n != shown.get_value()
                && shown.get_value() >= 0
            {
                detail.refetch();
            }
        });
    });
    let ack_value = Signal::derive(move || acknowledge.value().get());
    let comment_value = Signal::derive(move || comment.value().get());
    let open_case = ServerAction::<crate::api::protection::OpenCase>::new();
    let open_value = Signal::derive(move || open_case.value().get());
    // A sent comment empties the form (it stays on a refused one, with the message).
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use wasm_bindgen::JsCast;
        if matches!(comment.value().get(), Some(Ok(())))
            && let Some(form) =
                document().get_element_by_id("comment-form").and_then(|e| e.dyn_into::<web_sys::HtmlFormElement>().ok())
        {
            form.reset();
        }
    });
    view! {
        <Guard page=Page::Incidents>
        <Load data=detail keep=true let:d>
            {
                shown.set_value(i64::try_from(d.events.len()).unwrap_or_default());
                let s = d.summary.clone();
                let incident_id = s.id.to_string();
                let informed: Vec<&str> = d.body.informed.iter().map(|i| i.label()).collect();
                let informed = if informed.is_empty() { t.inc_nobody_informed.to_owned() } else { informed.join(", ") };
                let measures = if d.body.measures.is_empty() { t.inc_no_measures.to_owned() } else { d.body.measures.clone() };
                view! {
                    <PageTitle text=format!("{}: {}", t.inc_title_prefix, s.category.label()) />
                    <dl class="facts">
                        <dt>{t.inc_state_label}</dt><dd id="incident-state">{state_badge(s.state)}</dd>
                        {d.acknowledged.clone().map(|a| view! { <dt>{t.inc_acknowledged_by}</dt><dd id="incident-acknowledged">{a}</dd> })}
                        <dt>{t.inc_youths}</dt><dd>{s.youth_names.join(", ")}</dd>
                        <dt>{t.fb_group_label}</dt><dd>{s.group_name.clone()}</dd>
                        <dt>{t.inc_when}</dt><dd>{s.occurred.clone()}</dd>
                        <dt>{t.inc_reported_by}</dt><dd>{d.author_name.clone()}</dd>
                        <dt>{t.inc_informed}</dt><dd>{informed}</dd>
                    </dl>
                    <h2>{t.inc_what}</h2>
                    <p class="message-text" id="incident-what-text">{d.body.what.clone()}</p>
                    <h2>{t.inc_measures}</h2>
                    <p class="message-text">{measures}</p>
                    {d.can_acknowledge.then(|| view! {
                        <ActionForm action=acknowledge attr:class="form" attr:id="acknowledge-form">
                            <FormStatus value=ack_value />
                            <input type="hidden" name="id" value=s.id.clone() />
                            <button type="submit" class="btn btn-primary" id="incident-acknowledge" disabled=move || acknowledge.pending().get()>{t.inc_acknowledge}</button>
                        </ActionForm>
                    })}
                    {d.open_protection.clone().map(|(key, youths)| view! {
                        <details class="card" id="incident-protection">
                            <summary>{t.cp_start_from_incident}</summary>
                            <super::protection::OpenCaseForm action=open_case value=open_value from=incident_id.clone() key=key youths=youths />
                        </details>
                    })}
                    {d.licence_offer.then(|| view! {
                        <p><a class="btn btn-secondary" id="incident-licence" href=format!("/meldungen-47/neu?vorkommnis={incident_id}")>{t.l47_offer}</a></p>
                    })}
                    <h2>{t.inc_chain}</h2>
                    <ol class="history" id="incident-chain">
                        {d.events
                            .into_iter()
                            .map(|e| {
                                let kind_class = format!("chain-{}", e.kind.code());
                                let comment = e.kind == IncidentEventKind::Commented;
                                let detail = (!e.detail.is_empty()).then(|| e.detail.clone());
                                view! {
                                    <li class=kind_class>
                                        <p class="entry-meta">{e.at.clone()}" · "<strong>{e.kind.label()}</strong>{e.by.clone().map(|b| format!(" · {b}"))}</p>
                                        {detail.map(|d| if comment {
                                            view! { <p class="answer-text">{d}</p> }.into_any()
                                        } else {
                                            view! { <p class="muted">{d}</p> }.into_any()
                                        })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
            }
        </Load>
        <h2>{t.inc_comment_title}</h2>
        <ActionForm action=comment attr:class="form" attr:novalidate=true attr:id="comment-form">
            <FormStatus value=comment_value />
            <input type="hidden" name="id" value=move || id.get() />
            <TextArea label=t.inc_comment_label name="input[text]" id="incident-comment" required=true rows=3 maxlength=incident::COMMENT_MAX hint=t.inc_comment_hint error=field_error(comment_value, "text") />
            <div class="form-actions">
                <button type="submit" class="btn btn-secondary" id="incident-comment-submit" disabled=move || comment.pending().get()>{t.inc_comment_submit}</button>
                <a class="btn btn-link" href="/vorkommnisse">{t.inc_to_board}</a>
            </div>
        </ActionForm>
        </Guard>
    }
}
