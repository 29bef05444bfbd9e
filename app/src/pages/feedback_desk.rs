//! The staff side of participation and complaints: the list and a submission with its
//! history and the answer form, the monthly counts, a group's poster with the link to
//! the anonymous form, a young person's login card, and editing "Meine Rechte". They are
//! in the case chunk (`app.rs`).

use crate::api::cards::IssueLoginCard;
use crate::api::rights::{SetRights, get_rights};
use crate::api::submissions::{AnswerFeedback, feedback_counts, get_feedback, get_group_link, list_feedback};
use crate::auth::policy::Page;
use crate::components::form::{FormStatus, field_error};
use crate::components::icon::Icon;
use crate::components::load::Load;
use crate::components::status::{Guard, PageTitle, when_allowed};
use crate::domain::feedback::{FeedbackFilter, FeedbackStatus, FeedbackView, Recipient};
use crate::domain::text::format_date;
use crate::i18n::{fill, texts};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn status_badge(status: FeedbackStatus) -> impl IntoView {
    let class = match status {
        FeedbackStatus::Received => "badge badge-important",
        FeedbackStatus::InProgress => "badge badge-warn",
        FeedbackStatus::Answered | FeedbackStatus::Done => "badge badge-ok",
    };
    view! { <span class=class>{status.label()}</span> }
}

/// "von Mia" or "anonym".
fn sender_label(message: &FeedbackView) -> String {
    let t = texts();
    match &message.author {
        Some(name) => fill(t.fb_from, &[("name", name)]),
        None => t.fb_anonymous_label.to_owned(),
    }
}

// ------------------------------------------------------------------ list

/// `/rueckmeldungen?stand=offen`: what the caller may handle, newest first.
#[component]
pub fn FeedbackListPage() -> impl IntoView {
    let t = texts();
    let query = use_query_map();
    let status = Memo::new(move |_| query.read().get("stand").unwrap_or_default());
    let list = Resource::new(
        move || status.get(),
        |status| when_allowed(Page::Feedback, move || list_feedback(FeedbackFilter { status })),
    );
    let session = expect_context::<crate::components::layout::SessionContext>().0;
    let options: Vec<(String, &'static str)> =
        [("".to_owned(), t.fb_filter_all), ("offen".to_owned(), t.fb_filter_open)]
            .into_iter()
            .chain(FeedbackStatus::ALL.iter().map(|s| (s.code().to_owned(), s.label())))
            .collect();
    view! {
        <Guard page=Page::Feedback>
            <PageTitle text=t.fb_staff_title />
            <p class="page-lead">{t.fb_staff_lead}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let counts = matches!(session.await, Ok(Some(u)) if crate::auth::policy::can_open(&u, Page::FeedbackCounts));
                    counts.then(|| view! { <p><a class="btn btn-secondary" href="/auswertung">{t.fb_stats_link}</a></p> })
                })}
            </Suspense>
            <form class="form filter-form" method="get" action="/rueckmeldungen">
                <div class="field">
                    <label for="fb-filter">{t.fb_status_label}</label>
                    <select id="fb-filter" name="stand">
                        {options
                            .clone()
                            .into_iter()
                            .map(|(code, label)| {
                                let value = code.clone();
                                let selected = move || status.get() == code;
                                view! { <option value=value selected=selected>{label}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <button type="submit" class="btn btn-secondary">{t.fb_filter_submit}</button>
            </form>
            <Load data=list let:list>
                {if list.is_empty() {
                    view! { <p class="empty">{t.fb_staff_empty}</p> }.into_any()
                } else {
                    view! {
                        <ul class="entry-list feedback-list stack" id="feedback-list">
                            {list.into_iter().map(|m| view! { <li><FeedbackRow message=m /></li> }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }}
            </Load>
        </Guard>
    }
}

#[component]
fn FeedbackRow(message: FeedbackView) -> impl IntoView {
    let t = texts();
    let href = format!("/rueckmeldungen/{}", message.id);
    let sender = sender_label(&message);
    view! {
        <article class="entry-card feedback-row">
            <h2 class="entry-title">
                <a href=href class="with-icon">
                    <Icon name=format!("topic-{}", message.topic.code()) />
                    <span>{message.kind.label()}": "{message.topic.label()}</span>
                </a>
            </h2>
            <p class="entry-meta">
                {status_badge(message.status)}" "
                {(message.recipient == Recipient::Advisor).then(|| view! { <span class="badge">{t.fb_who_advisor}</span> " " })}
                {message.mood.map(|m| view! { <span class="badge with-icon"><Icon name=format!("mood-{}", m.code()) /><span>{m.label()}</span></span> " " })}
                {format_date(&message.received_on)}" · "{message.group_name.clone()}" · "{sender}
            </p>
        </article>
    }
}

// ------------------------------------------------------------------ detail

/// `/rueckmeldungen/:id`: the text, every step, and the answer form.
#[component]
pub fn FeedbackDetailPage() -> impl IntoView {
    let t = texts();
    let id = super::route_id();
    let action = ServerAction::<AnswerFeedback>::new();
    // Loaded again after each answer, so the history shows the new step.
    let detail = Resource::new(
        move || (id.get(), action.version().get()),
        |(id, _)| when_allowed(Page::Feedback, move || get_feedback(id)),
    );
    let value = Signal::derive(move || action.value().get());
    let query = use_query_map();
    let saved = move || query.read().get("gespeichert").is_some();
    view! {
        <Guard page=Page::Feedback>
            <Load data=detail let:m>
                {
                    let title = format!("{}: {}", m.kind.label(), m.topic.label());
                    let steps = m.steps.clone();
                    view! {
                        <PageTitle text=title />
                        {move || saved().then(|| view! { <p class="alert alert-success" role="status" id="answer-saved">{t.fb_answer_saved}</p> })}
                        <dl class="facts">
                            <dt>{t.fb_status_label}</dt><dd id="feedback-status">{status_badge(m.status)}</dd>
                            <dt>{t.fb_to_label}</dt><dd>{m.recipient.label()}</dd>
                            <dt>{t.fb_group_label}</dt><dd>{m.group_name.clone()}</dd>
                            <dt>{t.fb_received_label}</dt><dd>{format_date(&m.received_on)}" · "{sender_label(&m)}</dd>
                            {m.mood.map(|mood| view! { <dt>{t.fb_mood_question}</dt><dd class="with-icon"><Icon name=format!("mood-{}", mood.code()) /><span>{mood.label()}</span></dd> })}
                        </dl>
                        <p class="message-text" id="feedback-text">{if m.text.is_empty() { t.fb_no_text.to_owned() } else { m.text.clone() }}</p>
                        <h2>{t.fb_history}</h2>
                        <ol class="history" id="feedback-history">
                            {steps
                                .into_iter()
                                .map(|s| view! {
                                    <li>
                                        <p class="entry-meta">{s.when.clone()}" · "{s.by.clone()}</p>
                                        {s.status.map(|st| view! { <p>{fill(t.fb_step_status, &[("status", st.label())])}</p> })}
                                        {s.answer.map(|a| view! { <p class="answer-text">{a}</p> })}
                                    </li>
                                })
                                .collect_view()}
                        </ol>
                        {m.can_answer.then(|| view! {
                            <h2>{t.fb_answer_title}</h2>
                            <ActionForm action=action attr:class="form" attr:novalidate=true attr:id="answer-form">
                                <FormStatus value />
                                <input type="hidden" name="id" value=m.id.clone() />
                                <div class="field">
                                    <label for="answer-status">{t.fb_status_label}</label>
                                    <select id="answer-status" name="input[status]">
                                        {FeedbackStatus::ALL
                                            .iter()
                                            .map(|s| view! { <option value=s.code() selected={*s == m.status}>{s.label()}</option> })
                                            .collect_view()}
                                    </select>
                                </div>
                                <crate::components::form::TextArea
                                    label=t.fb_answer_label
                                    name="input[answer]"
                                    id="answer-text"
                                    hint=t.fb_answer_hint
                                    maxlength=crate::domain::feedback::ANSWER_MAX
                                    rows=4
                                    error=field_error(value, "answer")
                                />
                                <div class="form-actions">
                                    <button type="submit" class="btn btn-primary" id="answer-submit" disabled=move || action.pending().get()>{t.fb_answer_submit}</button>
                                    <a class="btn btn-link" href="/rueckmeldungen">{t.cancel}</a>
                                </div>
                            </ActionForm>
                        })}
                    }
                }
            </Load>
        </Guard>
    }
}

// ------------------------------------------------------------------ counts

/// `/auswertung?monat=2026-11`: counts per group, kind, topic and status.
#[component]
pub fn CountsPage() -> impl IntoView {
    let t = texts();
    let query = use_query_map();
    let month = Memo::new(move |_| query.read().get("monat").unwrap_or_default());
    let counts = Resource::new(move || month.get(), |m| when_allowed(Page::FeedbackCounts, move || feedback_counts(m)));
    view! {
        <Guard page=Page::FeedbackCounts>
            <PageTitle text=t.fb_stats_title />
            <p class="page-lead">{t.fb_stats_lead}</p>
            <Load data=counts let:c>
                <form class="form filter-form" method="get" action="/auswertung">
                    <div class="field">
                        <label for="counts-month">{t.fb_stats_month}</label>
                        <input id="counts-month" name="monat" type="month" value=c.month.clone() />
                    </div>
                    <button type="submit" class="btn btn-secondary">{t.fb_filter_submit}</button>
                </form>
                {c.groups.into_iter().map(|g| view! {
                    <section class="card" aria-labelledby=format!("counts-{}", g.group_id)>
                        <h2 id=format!("counts-{}", g.group_id)>{g.group_name.clone()}</h2>
                        {if g.rows.is_empty() {
                            view! { <p class="empty">{t.fb_stats_none}</p> }.into_any()
                        } else {
                            view! {
                                <div class="table-wrap" tabindex="0" role="region" aria-label=g.group_name.clone()>
                                    <table class="data-table counts-table">
                                        <thead><tr>
                                            <th scope="col">{t.fb_stats_kind}</th>
                                            <th scope="col">{t.fb_stats_topic}</th>
                                            {FeedbackStatus::ALL.iter().map(|s| view! { <th scope="col" class="num">{s.label()}</th> }).collect_view()}
                                            <th scope="col" class="num">{t.fb_stats_total}</th>
                                        </tr></thead>
                                        <tbody>
                                            {g.rows.into_iter().map(|r| {
                                                let total = r.total();
                                                view! {
                                                    <tr>
                                                        <td>{r.kind.label()}</td>
                                                        <th scope="row">{r.topic.label()}</th>
                                                        {r.by_status.iter().map(|n| view! { <td class="num">{*n}</td> }).collect_view()}
                                                        <td class="num"><strong>{total}</strong></td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }}
                    </section>
                }).collect_view()}
            </Load>
        </Guard>
    }
}

// ------------------------------------------------------------------ printables

/// Prints the page (the buttons and the app's frame are hidden in print).
fn print_button(label: &'static str) -> impl IntoView {
    view! {
        <button type="button" class="btn btn-primary no-print" on:click=move |_| {
            #[cfg(feature = "hydrate")]
            let _ = window().print();
        }>{label}</button>
    }
}

/// `/gruppen/:id/aushang`: a poster with the QR code of the group's anonymous form.
#[component]
pub fn PosterPage() -> impl IntoView {
    let t = texts();
    let id = super::route_id();
    let link = Resource::new(move || id.get(), |id| when_allowed(Page::GroupLink, move || get_group_link(id)));
    view! {
        <Guard page=Page::GroupLink>
            <div class="no-print">
                <PageTitle text=t.fb_group_link_title />
                <p class="page-lead">{t.fb_group_link_lead}</p>
            </div>
            <Load data=link let:link>
                <p class="no-print">{print_button(t.fb_group_link_print)}</p>
                <section class="poster card" id="poster">
                    <h2>{t.fb_poster_heading}</h2>
                    <p class="poster-group">{link.group_name.clone()}</p>
                    <div class="qr" inner_html=link.qr_svg.clone() role="img" aria-label=t.fb_group_link_title></div>
                    <p>{t.fb_poster_text}</p>
                    <p class="poster-url"><a href=link.url.clone() id="poster-link">{link.url.clone()}</a></p>
                </section>
            </Load>
        </Guard>
    }
}

/// `/jugendliche/:id/karte`: a new login card for the young person's account.
#[component]
pub fn LoginCardPage() -> impl IntoView {
    let t = texts();
    let id = super::route_id();
    let youth =
        Resource::new(move || id.get(), |id| when_allowed(Page::LoginCard, move || crate::api::youths::get_youth(id)));
    let action = ServerAction::<IssueLoginCard>::new();
    let value = Signal::derive(move || action.value().get());
    view! {
        <Guard page=Page::LoginCard>
            <Load data=youth let:y>
                <div class="no-print">
                    <PageTitle text=format!("{} – {} {}", t.card_title, y.youth.first_name, y.youth.last_name) />
                    <p class="page-lead">{t.card_lead}</p>
                    <ActionForm action=action attr:class="form" attr:novalidate=true attr:id="card-form">
                        <FormStatus value />
                        <input type="hidden" name="id" value=y.youth.id.clone() />
                        <crate::components::form::TextField
                            label=t.card_pin
                            name="input[pin]"
                            id="card-new-pin"
                            kind="password"
                            hint=t.card_pin_hint
                            required=false
                            maxlength=8
                            autocomplete="new-password"
                            error=field_error(value, "pin")
                        />
                        <div class="form-actions">
                            <button type="submit" class="btn btn-primary" id="card-issue" disabled=move || action.pending().get()>{t.card_new}</button>
                        </div>
                    </ActionForm>
                </div>
            </Load>
            {move || value.get().and_then(|r| r.ok()).map(|card| view! {
                <p class="no-print">{print_button(t.card_print)}</p>
                <section class="card-print card" id="login-card">
                    <h2>{t.card_heading}</h2>
                    <p class="poster-group">{card.display_name.clone()}" · "{card.login.clone()}</p>
                    <div class="qr" inner_html=card.qr_svg.clone() role="img" aria-label=t.card_heading></div>
                    <p>{t.card_text}</p>
                    <a class="visually-hidden" href=card.url.clone() id="card-link">{t.card_heading}</a>
                </section>
            })}
        </Guard>
    }
}

// ------------------------------------------------------------------ rights

/// `/meine-rechte/bearbeiten` (Leitung).
#[component]
pub fn EditRightsPage() -> impl IntoView {
    let t = texts();
    let rights = Resource::new(|| (), |_| when_allowed(Page::EditRights, get_rights));
    let action = ServerAction::<SetRights>::new();
    let value = Signal::derive(move || action.value().get());
    view! {
        <Guard page=Page::EditRights>
            <PageTitle text=t.rights_edit_title />
            <p class="page-lead">{t.rights_edit_lead}</p>
            <Load data=rights let:rights>
                <ActionForm action=action attr:class="form" attr:novalidate=true attr:id="rights-form">
                    <FormStatus value />
                    <crate::components::form::TextArea
                        label=t.rights_body
                        name="input[body]"
                        id="rights-body"
                        value=rights.body
                        required=true
                        maxlength=20000
                        rows=24
                        error=field_error(value, "body")
                    />
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary" id="rights-save" disabled=move || action.pending().get()>{t.save}</button>
                        <a class="btn btn-link" href="/meine-rechte">{t.cancel}</a>
                    </div>
                </ActionForm>
            </Load>
        </Guard>
    }
}
