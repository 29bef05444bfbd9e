//! A young person's page (master data) and the admission / edit forms (Leitung).

use super::route_id;
use crate::api::contacts::{SetContacts, get_contacts};
use crate::api::entries::youth_timeline;
use crate::api::groups::list_groups;
use crate::api::plans::get_help_plan;
use crate::api::youths::{CreateYouth, UpdateYouth, get_youth};
use crate::auth::policy::Page;
use crate::components::form::{FormStatus, SelectField, TextArea, TextField, field_error};
use crate::components::load::{Both, Load};
use crate::components::status::{ErrorNote, PageTitle};
use crate::components::status::{Guard, when_allowed};
use crate::domain::contact::{ContactOverview, ContactPeriod};
use crate::domain::group::Group;
use crate::domain::note::NoteCategory;
use crate::domain::plan::HelpPlan;
use crate::domain::text::format_date;
use crate::domain::timeline::{FILTER_VISITS, TimelineInput, TimelinePage};
use crate::domain::visit::VisitKind;
use crate::domain::youth::{self, YouthInput};
use crate::error::AppError;
use crate::i18n::{fill, texts};
use crate::pages::entries::EntryCard;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn YouthPage() -> impl IntoView {
    let t = texts();
    let id = route_id();
    let query = use_query_map();
    let detail = Resource::new(move || id.get(), |id| when_allowed(Page::Youth, move || get_youth(id)));
    let timeline_key = move || {
        let q = query.read();
        (id.get(), q.get("filter").unwrap_or_default(), q.get("vor").unwrap_or_default())
    };
    let timeline = Resource::new(timeline_key, |(youth_id, filter, before)| {
        when_allowed(Page::Youth, move || youth_timeline(TimelineInput { youth_id, filter, before }))
    });
    let set_contacts = ServerAction::<SetContacts>::new();
    let plan = Resource::new(move || id.get(), |id| when_allowed(Page::Youth, move || get_help_plan(id)));
    let contacts = Resource::new(
        move || (id.get(), set_contacts.version().get()),
        |(id, _)| when_allowed(Page::Youth, move || get_contacts(id)),
    );
    let session = expect_context::<crate::components::layout::SessionContext>().0;
    view! {
        <Guard page=Page::Youth>
        <Load data=detail let:d>
            {
                let y = d.youth;
                let age = fill(t.youth_age, &[("years", &y.age.to_string())]);
                let or_dash = |s: String| if s.is_empty() { t.none.to_owned() } else { s };
                view! {
                    <PageTitle text=format!("{} {}", y.first_name, y.last_name) />
                    <p class="page-lead"><a href=format!("/gruppen/{}", y.group_id)>{y.group_name.clone()}</a></p>
                    <h2>{t.youth_master_data}</h2>
                    <dl class="facts">
                        <dt>{t.youth_birth_date}</dt><dd>{format_date(&y.birth_date)}" ("{age}")"</dd>
                        <dt>{t.youth_admission_date}</dt><dd>{format_date(&y.admission_date)}</dd>
                        <dt>{t.youth_caseworker_name}</dt><dd>{or_dash(y.caseworker_name.clone())}</dd>
                        <dt>{t.youth_caseworker_contact}</dt><dd>{or_dash(y.caseworker_contact.clone())}</dd>
                        <dt>{t.youth_custody}</dt><dd>{or_dash(y.custody.clone())}</dd>
                    </dl>
                    {d.can_edit.then(|| view! {
                        <div class="toolbar cluster">
                            <a class="btn btn-secondary" href=format!("/jugendliche/{}/bearbeiten", y.id)>{t.edit}</a>
                        </div>
                    })}
                    <WriteLinks youth_id=y.id.to_string() session />
                    <YouthContacts contacts action=set_contacts />
                    <YouthPlan plan />
                    <YouthTimeline youth_id=y.id.to_string() timeline />
                }
            }
        </Load>
        </Guard>
    }
}

#[component]
pub fn NewYouthPage() -> impl IntoView {
    let t = texts();
    let query = use_query_map();
    let preselected = StoredValue::new(query.read_untracked().get("gruppe").unwrap_or_default());
    let groups = Resource::new(|| (), |_| when_allowed(Page::NewYouth, list_groups));
    let action = ServerAction::<CreateYouth>::new();
    let value = Signal::derive(move || action.value().get());
    view! {
        <Guard page=Page::NewYouth>
        <PageTitle text=t.youth_new_title />
        <Load data=groups let:groups>
            {
                let blank = YouthInput { group_id: preselected.get_value(), ..YouthInput::default() };
                view! {
                    <ActionForm action=action attr:class="form" attr:novalidate=true>
                        <FormStatus value />
                        <YouthFields value=blank groups error=move |f| field_error(value, f) />
                        <div class="form-actions">
                            <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t.save}</button>
                            <a class="btn btn-link" href="/gruppen">{t.cancel}</a>
                        </div>
                    </ActionForm>
                }
            }
        </Load>
        </Guard>
    }
}

#[component]
pub fn EditYouthPage() -> impl IntoView {
    let t = texts();
    let id = route_id();
    let detail = Resource::new(move || id.get(), |id| when_allowed(Page::EditYouth, move || get_youth(id)));
    let groups = Resource::new(|| (), |_| when_allowed(Page::EditYouth, list_groups));
    let action = ServerAction::<UpdateYouth>::new();
    let value = Signal::derive(move || action.value().get());
    view! {
        <Guard page=Page::EditYouth>
        <PageTitle text=t.youth_edit_title />
        <Load data=Both(detail, groups) let:loaded>
            {match loaded {
                    (d, groups) if d.can_edit => {
                        let y = d.youth;
                        view! {
                            <ActionForm action=action attr:class="form" attr:novalidate=true>
                                <FormStatus value />
                                <input type="hidden" name="id" value=y.id.clone() />
                                <YouthFields value=YouthInput::from(&y) groups error=move |f| field_error(value, f) />
                                <div class="form-actions">
                                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t.save}</button>
                                    <a class="btn btn-link" href=format!("/jugendliche/{}", y.id)>{t.cancel}</a>
                                </div>
                            </ActionForm>
                        }
                        .into_any()
                    }
                    _ => view! { <ErrorNote error=AppError::Forbidden /> }.into_any(),
            }}
        </Load>
        </Guard>
    }
}

#[component]
fn YouthFields(
    value: YouthInput,
    groups: Vec<Group>,
    error: impl Fn(&'static str) -> Signal<Option<String>>,
) -> impl IntoView {
    let t = texts();
    let group_error = error("group_id");
    let selected = value.group_id.clone();
    view! {
        <div class="field">
            <label for="youth-group">{t.youth_group}</label>
            <select
                id="youth-group"
                name="input[group_id]"
                required
                aria-invalid=move || group_error.get().is_some().then_some("true")
            >
                <option value="">{t.youth_choose_group}</option>
                {groups
                    .into_iter()
                    .map(|g| {
                        let is_selected = g.id == selected;
                        view! { <option value=g.id selected=is_selected>{g.name}</option> }
                    })
                    .collect_view()}
            </select>
            {move || group_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </div>
        <TextField label=t.youth_first_name name="input[first_name]" id="youth-first-name" value=value.first_name maxlength=youth::NAME_MAX error=error("first_name") />
        <TextField label=t.youth_last_name name="input[last_name]" id="youth-last-name" value=value.last_name maxlength=youth::NAME_MAX error=error("last_name") />
        <TextField label=t.youth_birth_date name="input[birth_date]" id="youth-birth-date" kind="date" value=value.birth_date error=error("birth_date") />
        <TextField label=t.youth_admission_date name="input[admission_date]" id="youth-admission-date" kind="date" value=value.admission_date error=error("admission_date") />
        <TextField label=t.youth_caseworker_name name="input[caseworker_name]" id="youth-caseworker-name" value=value.caseworker_name required=false maxlength=youth::CASEWORKER_NAME_MAX error=error("caseworker_name") />
        <TextField label=t.youth_caseworker_contact name="input[caseworker_contact]" id="youth-caseworker-contact" value=value.caseworker_contact required=false maxlength=youth::CASEWORKER_CONTACT_MAX error=error("caseworker_contact") />
        <TextArea label=t.youth_custody name="input[custody]" id="youth-custody" value=value.custody hint=t.youth_custody_hint maxlength=youth::CUSTODY_MAX error=error("custody") />
    }
}

type Loaded<T> = Resource<Result<T, AppError>>;

/// "Tagesnotiz schreiben" / "Besuchskontakt erfassen" for those who write entries.
#[component]
fn WriteLinks(
    youth_id: String,
    session: Resource<Result<Option<crate::auth::CurrentUser>, AppError>>,
) -> impl IntoView {
    let t = texts();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let youth_id = youth_id.clone();
                Suspend::new(async move {
                    let user = session.await.ok().flatten();
                    let can = |page| user.as_ref().is_some_and(|u| crate::auth::policy::can_open(u, page));
                    let (writes, cards, records) = (can(Page::NewNote), can(Page::LoginCard), can(Page::NewRecord));
                    (writes || cards || records).then(|| view! {
                        <div class="toolbar cluster">
                            {writes.then(|| view! {
                                <a class="btn btn-primary" href=format!("/tagesnotiz/neu?fuer={youth_id}")>{t.nav_new_note}</a>
                                <a class="btn btn-secondary" href=format!("/besuchskontakt/neu?fuer={youth_id}")>{t.nav_new_visit}</a>
                                <a class="btn btn-secondary" href=format!("/erziehungsplanung/neu?fuer={youth_id}") id="talk-write">{t.talk_write}</a>
                            })}
                            {records.then(|| view! {
                                <a class="btn btn-secondary" href=format!("/jugendliche/{youth_id}/aufzeichnung/neu") id="record-write">{t.record_write}</a>
                            })}
                            {cards.then(|| view! {
                                <a class="btn btn-secondary" href=format!("/jugendliche/{youth_id}/karte")>{t.card_link}</a>
                            })}
                        </div>
                    })
                })
            }}
        </Suspense>
    }
}

/// All notes and visits, newest first, a page at a time, filterable by category.
#[component]
fn YouthTimeline(youth_id: String, timeline: Loaded<TimelinePage>) -> impl IntoView {
    let t = texts();
    let query = use_query_map();
    let current = move || query.read().get("filter").unwrap_or_default();
    let mut filters: Vec<(String, String)> = vec![(String::new(), t.timeline_all.to_owned())];
    filters.extend(NoteCategory::ALL.iter().map(|c| (c.code().to_owned(), c.label().to_owned())));
    filters.push((FILTER_VISITS.to_owned(), t.timeline_visits.to_owned()));
    let base = format!("/jugendliche/{youth_id}");
    view! {
        <section class="stack" id="verlauf" aria-labelledby="verlauf-titel">
            <h2 id="verlauf-titel">{t.timeline_title}</h2>
            <leptos_router::components::Form method="GET" action=base.clone() attr:class="filter-form">
                <div class="field">
                    <label for="timeline-filter">{t.timeline_filter}</label>
                    <select id="timeline-filter" name="filter">
                        {filters.into_iter().map(|(value, label)| {
                            let selected = value == current();
                            view! { <option value=value selected=selected>{label}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="btn btn-secondary">{t.timeline_apply}</button>
            </leptos_router::components::Form>
            <Load data=timeline let:page>
                {
                    let empty = page.entries.is_empty();
                    let filter = query.read_untracked().get("filter").unwrap_or_default();
                    let paged = query.read_untracked().get("vor").is_some();
                    view! {
                        {empty.then(|| view! { <p class="empty">{t.timeline_empty}</p> })}
                        <div class="entry-list">
                            {page.entries.into_iter().map(|e| view! { <EntryCard entry=e show_subject=false /> }).collect_view()}
                        </div>
                        <div class="toolbar cluster">
                            {paged.then(|| view! { <a class="btn btn-link" href=format!("{base}?filter={filter}#verlauf")>{t.timeline_newest}</a> })}
                            {page.next.map(|next| view! {
                                <a class="btn btn-secondary" href=format!("{base}?filter={filter}&vor={next}#verlauf")>{t.timeline_older}</a>
                            })}
                        </div>
                    }
                }
            </Load>
        </section>
    }
}

/// The help plan in short: each goal with its latest rating and what to point out, and
/// the way to the whole plan (where Leitung and Fachberatung keep it).
#[component]
fn YouthPlan(plan: Loaded<HelpPlan>) -> impl IntoView {
    let t = texts();
    view! {
        <section class="stack" id="ziele" aria-labelledby="ziele-titel">
            <h2 id="ziele-titel">{t.plan_title}</h2>
            <Load data=plan let:p>
                {
                    let header = p.current.as_ref().map(|v| fill(t.plan_header, &[("n", &v.version.to_string()), ("date", &format_date(&v.agreed_on))]));
                    let stale_weeks = p.stale_weeks;
                    view! {
                        <p>{header.unwrap_or_else(|| t.plan_none.to_owned())}</p>
                        {p.goals.is_empty().then(|| view! { <p class="empty">{t.goals_empty}</p> })}
                        <ul class="list goal-list">
                            {p.goals.into_iter().map(|o| view! {
                                <li class="list-item"><crate::pages::plan::GoalSummary overview=o stale_weeks /></li>
                            }).collect_view()}
                        </ul>
                        <div class="toolbar cluster">
                            <a class="btn btn-secondary" href=format!("/jugendliche/{}/hilfeplan", p.youth_id) id="plan-open">{t.plan_open}</a>
                        </div>
                    }
                }
            </Load>
        </section>
    }
}

/// The contact arrangement and planned against held contacts.
#[component]
fn YouthContacts(contacts: Loaded<ContactOverview>, action: ServerAction<SetContacts>) -> impl IntoView {
    let t = texts();
    let value = Signal::derive(move || action.value().get());
    view! {
        <section class="stack" id="umgang" aria-labelledby="umgang-titel">
            <h2 id="umgang-titel">{t.contacts_title}</h2>
            <Load data=contacts let:c>
                {
                    let summary = match &c.arrangement {
                        Some(a) => fill(t.contacts_summary, &[
                            ("times", &a.times.to_string()),
                            ("period", a.period.label()),
                            ("kind", a.kind.label()),
                            ("supervised", if a.supervised { t.contacts_supervised } else { t.contacts_unsupervised }),
                        ]),
                        None => t.contacts_none.to_owned(),
                    };
                    let note = c.arrangement.as_ref().map(|a| a.note.clone()).filter(|n| !n.is_empty());
                    let a = c.arrangement.clone();
                    view! {
                        <p id="contacts-summary">{summary}</p>
                        {note.map(|n| view! { <p class="muted">{n}</p> })}
                        <table class="data-table table-stack" id="contacts-months">
                            <caption class="visually-hidden">{t.contacts_table}</caption>
                            <thead><tr><th scope="col">{t.contacts_month}</th><th scope="col" class="num">{t.contacts_planned}</th><th scope="col" class="num">{t.contacts_held}</th><th scope="col" class="num">{t.contacts_missed}</th></tr></thead>
                            <tbody>
                                {c.months.into_iter().map(|m| view! {
                                    <tr>
                                        <th scope="row">{m.label}</th>
                                        <td class="num" data-label=t.contacts_planned>{m.planned.map(|p| p.to_string()).unwrap_or_else(|| t.none.to_owned())}</td>
                                        <td class="num" data-label=t.contacts_held>{m.held}</td>
                                        <td class="num" data-label=t.contacts_missed>{m.missed}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        {c.can_edit.then(|| {
                            let times = a.as_ref().map(|a| a.times.to_string()).unwrap_or_default();
                            let period = a.as_ref().map(|a| a.period.code()).unwrap_or_default();
                            let kind = a.as_ref().map(|a| a.kind.code()).unwrap_or_default();
                            let supervised = a.as_ref().map(|a| if a.supervised { "ja" } else { "nein" }).unwrap_or_default();
                            let note = a.as_ref().map(|a| a.note.clone()).unwrap_or_default();
                            view! {
                                <details>
                                    <summary class="btn btn-secondary">{t.contacts_edit}</summary>
                                    <ActionForm action=action attr:class="form" attr:novalidate=true>
                                        <FormStatus value />
                                        <input type="hidden" name="id" value=c.youth_id.clone() />
                                        <TextField label=t.contacts_times name="input[times]" id="contacts-times" kind="number" value=times error=field_error(value, "times") />
                                        <SelectField label=t.contacts_period name="input[period]" id="contacts-period"
                                            options=ContactPeriod::ALL.iter().map(|p| (p.code().to_owned(), p.label().to_owned())).collect()
                                            selected=period error=field_error(value, "period") />
                                        <SelectField label=t.visit_kind name="input[kind]" id="contacts-kind"
                                            options=VisitKind::ALL.iter().map(|k| (k.code().to_owned(), k.label().to_owned())).collect()
                                            selected=kind placeholder=t.choose error=field_error(value, "kind") />
                                        <SelectField label=t.visit_supervised name="input[supervised]" id="contacts-supervised"
                                            options=vec![("ja".to_owned(), t.yes.to_owned()), ("nein".to_owned(), t.no.to_owned())]
                                            selected=supervised placeholder=t.choose error=field_error(value, "supervised") />
                                        <TextArea label=t.contacts_note name="input[note]" id="contacts-note" value=note maxlength=crate::domain::contact::NOTE_MAX error=field_error(value, "note") />
                                        <button type="submit" class="btn btn-primary">{t.save}</button>
                                    </ActionForm>
                                </details>
                            }
                        })}
                    }
                }
            </Load>
        </section>
    }
}
