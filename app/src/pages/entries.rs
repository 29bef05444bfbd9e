//! Reading entries: one entry with its history and correction form, the group's shift
//! hand-over, and the cards that timelines are made of.

use super::capture::{NoteFields, VisitFields};
use super::route_id;
use crate::api::entries::{get_entry, group_handover};
use crate::api::notes::CorrectNote;
use crate::api::records::CorrectRecord;
use crate::api::talks::CorrectTalk;
use crate::api::visits::CorrectVisit;
use crate::auth::policy::Page;
use crate::components::form::{FormStatus, TextArea};
use crate::components::load::Load;
use crate::components::status::{Guard, PageTitle, when_allowed};
use crate::domain::entry::{EntryBody, EntryDetail, EntryView};
use crate::domain::note::{NoteBody, NoteInput};
use crate::domain::text::format_date;
use crate::domain::visit::{VisitBody, VisitInput, mood_label, visit_headline};
use crate::error::{AppError, FieldError};
use crate::i18n::{fill, texts};
use leptos::prelude::*;

/// The content of one version of an entry.
#[component]
pub fn EntryBodyView(body: EntryBody, #[prop(optional)] goal_titles: Vec<String>) -> impl IntoView {
    let t = texts();
    match body {
        EntryBody::Note(n) => view! {
            <p class="entry-meta">
                <span class="badge">{n.category.label()}</span>
                {n.important.then(|| view! { " "<span class="badge badge-important">{t.note_important_badge}</span> })}
            </p>
            <p class="entry-text">{n.text}</p>
            {(!goal_titles.is_empty()).then(|| view! {
                <p class="muted">{t.note_goals}": "{goal_titles.join(", ")}</p>
            })}
        }
        .into_any(),
        EntryBody::Visit(v) => {
            let participants: Vec<&str> = v
                .participants
                .iter()
                .map(|p| p.label())
                .chain((!v.participants_other.is_empty()).then_some(v.participants_other.as_str()))
                .collect();
            let mood = |step: Option<u8>, text: &str| {
                let mut s =
                    step.map(|s| format!("{s} – {}", mood_label(s))).unwrap_or_else(|| t.not_recorded.to_owned());
                if !text.is_empty() {
                    s.push_str(&format!(": {text}"));
                }
                s
            };
            view! {
                <p class="entry-meta"><span class="badge">{visit_headline(&v)}</span>" "{v.time.clone()}</p>
                <dl class="facts">
                    <dt>{t.visit_place}</dt><dd>{v.place.label()}</dd>
                    <dt>{t.visit_participants}</dt><dd>{participants.join(", ")}</dd>
                    <dt>{t.visit_supervised}</dt>
                    <dd>{if v.supervised { fill(t.visit_supervised_yes, &[("by", &v.supervised_by)]) } else { t.no.to_owned() }}</dd>
                    <dt>{t.visit_mood_before}</dt><dd>{mood(v.mood_before, &v.mood_before_text)}</dd>
                    <dt>{t.visit_mood_after}</dt><dd>{mood(v.mood_after, &v.mood_after_text)}</dd>
                </dl>
                {(!v.notes.is_empty()).then(|| view! { <p class="entry-text">{v.notes.clone()}</p> })}
            }
            .into_any()
        }
        EntryBody::Talk(talk) => view! { <TalkBodyView talk goal_titles /> }.into_any(),
        EntryBody::Record(r) => view! { <RecordBodyView r goal_titles /> }.into_any(),
    }
}

/// A record of the Fachberatung: who took part, what was discussed and agreed, the
/// diagnostics' findings, the goals it concerns.
#[component]
fn RecordBodyView(r: crate::domain::record::RecordBody, goal_titles: Vec<String>) -> impl IntoView {
    let t = texts();
    view! {
        <p class="entry-meta">
            <span class="badge">{r.record_type.label()}</span>
            {r.advisors_only().then(|| view! { " "<span class="badge badge-warn">{t.record_advisors_only}</span> })}
            {r.phase.map(|p| view! { " "<span class="badge">{p.label()}</span> })}
        </p>
        <dl class="facts">
            {(!r.participants.is_empty()).then(|| view! { <dt>{t.record_participants}</dt><dd>{r.participants.clone()}</dd> })}
            {(!r.assessor.is_empty()).then(|| view! { <dt>{t.record_assessor}</dt><dd>{r.assessor.clone()}</dd> })}
            {(!r.instrument.is_empty()).then(|| view! { <dt>{t.record_instrument}</dt><dd>{r.instrument.clone()}</dd> })}
        </dl>
        {(!r.content.is_empty()).then(|| view! { <p class="entry-text">{r.content.clone()}</p> })}
        {(!r.findings.is_empty()).then(|| view! { <p><strong>{t.record_findings}": "</strong>{r.findings.clone()}</p> })}
        {(!r.outcome.is_empty()).then(|| view! { <p><strong>{t.record_outcome}": "</strong>{r.outcome.clone()}</p> })}
        {(!goal_titles.is_empty()).then(|| view! { <p class="muted">{t.note_goals}": "{goal_titles.join(", ")}</p> })}
    }
}

/// A monthly talk: who took part, per goal what happened and the ratings, the next step,
/// the young person's words and the topics for the next Hilfeplangespräch.
#[component]
fn TalkBodyView(talk: crate::domain::talk::TalkBody, goal_titles: Vec<String>) -> impl IntoView {
    let t = texts();
    let present = if talk.youth_present { t.talk_was_present } else { t.talk_was_absent };
    let goals = talk
        .goals
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let title = goal_titles.get(i).cloned().filter(|t| !t.is_empty()).unwrap_or_else(|| texts().goals_title.to_owned());
            let ratings: Vec<String> = g
                .ratings()
                .into_iter()
                .map(|(p, r)| fill(t.talk_ratings_line, &[("perspective", p.label()), ("rating", r.label())]))
                .collect();
            view! {
                <li>
                    <a href=format!("/ziele/{}", g.goal_id)>{title}</a>
                    {(!g.happened.is_empty()).then(|| view! { <p class="entry-text">{g.happened.clone()}</p> })}
                    {(!ratings.is_empty()).then(|| view! { <p>{ratings.join(" · ")}</p> })}
                    {(!g.entry_ids.is_empty()).then(|| view! { <p class="muted">{fill(t.talk_entries_count, &[("n", &g.entry_ids.len().to_string())])}</p> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <p class="entry-meta">
            <span class="badge">{t.feed_kind_talk}</span>
            {talk.for_advisor.then(|| view! { " "<span class="badge badge-important">{t.talk_for_advisor}</span> })}
        </p>
        <dl class="facts">
            <dt>{t.talk_participants}</dt><dd>{talk.participants.clone()}</dd>
            <dt>{t.talk_youth}</dt><dd>{present}</dd>
        </dl>
        {(!talk.goals.is_empty()).then(|| view! { <h3>{t.talk_goals}</h3><ul class="talk-goal-list">{goals}</ul> })}
        {(!talk.next_what.is_empty()).then(|| view! {
            <p><strong>{t.talk_next}": "</strong>{fill(t.talk_next_line, &[("who", &talk.next_who), ("what", &talk.next_what), ("date", &format_date(&talk.next_by))])}</p>
        })}
        {(!talk.youth_words.is_empty()).then(|| view! { <p><strong>{t.talk_youth_words}": "</strong>{talk.youth_words.clone()}</p> })}
        {(!talk.hpg_topics.is_empty()).then(|| view! { <p><strong>{t.talk_hpg_topics}": "</strong>{talk.hpg_topics.clone()}</p> })}
    }
}

/// The titles of the goals an earlier version names (from the young person's goals).
fn titles_for(body: &EntryBody, goals: &[crate::domain::goal::Goal]) -> Vec<String> {
    let title = |id: &crate::domain::ids::GoalId| goals.iter().find(|g| &g.id == id).map(|g| g.title.clone());
    match body {
        EntryBody::Note(n) => n.goal_ids.iter().filter_map(title).collect(),
        EntryBody::Talk(talk) => talk.goals.iter().map(|g| title(&g.goal_id).unwrap_or_default()).collect(),
        EntryBody::Record(r) => r.goal_ids.iter().filter_map(title).collect(),
        EntryBody::Visit(_) => Vec::new(),
    }
}

/// The name of an entry's kind, as cards and titles show it.
fn kind_title(body: &EntryBody) -> &'static str {
    let t = texts();
    match body {
        EntryBody::Note(_) => t.outbox_kind_note,
        EntryBody::Visit(_) => t.outbox_kind_visit,
        EntryBody::Talk(_) => t.outbox_kind_talk,
        EntryBody::Record(r) => r.record_type.label(),
    }
}

/// An entry in a list: who, when, what; links to the entry's page.
#[component]
pub fn EntryCard(entry: EntryView, #[prop(default = true)] show_subject: bool) -> impl IntoView {
    let t = texts();
    let kind = kind_title(&entry.body);
    view! {
        <article class="entry-card">
            <header>
                <a href=format!("/eintraege/{}", entry.id)>
                    {kind}" · "{format_date(&entry.date)}
                    {show_subject.then(|| view! { " · "{entry.subject_name.clone()} })}
                </a>
            </header>
            <EntryBodyView body=entry.body goal_titles=entry.goal_titles />
            <p class="muted entry-footer">
                {fill(t.entry_written_by, &[("name", &entry.author_name), ("time", &entry.written_at)])}
                {entry.corrected_by.map(|by| view! { " · "{fill(t.entry_corrected_by, &[("name", &by)])} })}
            </p>
        </article>
    }
}

#[component]
pub fn EntryPage() -> impl IntoView {
    let id = route_id();
    let detail = Resource::new(move || id.get(), |id| when_allowed(Page::Entry, move || get_entry(id)));
    let correct_note = ServerAction::<CorrectNote>::new();
    let correct_visit = ServerAction::<CorrectVisit>::new();
    let correct_talk = ServerAction::<CorrectTalk>::new();
    let correct_record = ServerAction::<CorrectRecord>::new();
    // A stored correction reloads the entry with its new version.
    Effect::new(move |_| {
        let stored = matches!(correct_note.value().get(), Some(Ok(_)))
            || matches!(correct_visit.value().get(), Some(Ok(_)))
            || matches!(correct_talk.value().get(), Some(Ok(_)))
            || matches!(correct_record.value().get(), Some(Ok(_)));
        if stored {
            detail.refetch();
        }
    });
    view! {
        <Guard page=Page::Entry>
        <Load data=detail let:d>
            <EntryDetailView detail=d correct_note correct_visit correct_talk correct_record />
        </Load>
        </Guard>
    }
}

#[component]
fn EntryDetailView(
    detail: EntryDetail,
    correct_note: ServerAction<CorrectNote>,
    correct_visit: ServerAction<CorrectVisit>,
    correct_talk: ServerAction<CorrectTalk>,
    correct_record: ServerAction<CorrectRecord>,
) -> impl IntoView {
    let t = texts();
    let e = detail.entry.clone();
    let title = kind_title(&e.body);
    let back = match &e.youth_id {
        Some(y) => format!("/jugendliche/{y}"),
        None => format!("/gruppen/{}/uebergabe", e.group_id),
    };
    let history = detail
        .versions
        .iter()
        .map(|v| {
            view! {
                <li class="version">
                    <p class="muted">
                        {fill(t.entry_version_line, &[("n", &v.version.to_string()), ("name", &v.author_name), ("time", &v.at)])}
                        " · "{format_date(&v.date)}
                    </p>
                    {(!v.reason.is_empty()).then(|| view! { <p><strong>{t.entry_reason}": "</strong>{v.reason.clone()}</p> })}
                    <EntryBodyView body=v.body.clone() goal_titles=titles_for(&v.body, &detail.goals) />
                </li>
            }
        })
        .collect_view();
    let correction = detail.can_correct.then(|| match e.body.clone() {
        EntryBody::Note(n) => {
            view! { <NoteCorrection entry=e.clone() body=n detail=detail.clone() action=correct_note /> }.into_any()
        }
        EntryBody::Visit(v) => view! { <VisitCorrection entry=e.clone() body=v action=correct_visit /> }.into_any(),
        EntryBody::Talk(talk) => view! { <TalkCorrection entry=e.clone() body=talk action=correct_talk /> }.into_any(),
        EntryBody::Record(r) => {
            view! { <RecordCorrection entry=e.clone() body=r detail=detail.clone() action=correct_record /> }.into_any()
        }
    });
    view! {
        <PageTitle text=format!("{title} · {}", e.subject_name) />
        <p class="page-lead"><a href=back>{t.back}</a></p>
        <EntryCard entry=e.clone() show_subject=false />
        {correction}
        <h2>{t.entry_history}</h2>
        <ol class="version-list" reversed=true>{history}</ol>
    }
}

#[component]
fn NoteCorrection(
    entry: EntryView,
    body: NoteBody,
    detail: EntryDetail,
    action: ServerAction<CorrectNote>,
) -> impl IntoView {
    let t = texts();
    let value = Signal::derive(move || action.value().get());
    let server_errors = Signal::derive(move || value.get().and_then(|r| r.err()));
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let youth = entry.youth_id.as_ref().map(ToString::to_string).unwrap_or_default();
    let subject = RwSignal::new(youth.clone());
    let goals: Vec<_> = if youth.is_empty() {
        Vec::new()
    } else {
        let choices = detail
            .goals
            .iter()
            .map(|g| crate::domain::goal::GoalChoice { id: g.id.clone(), title: g.title.clone() })
            .collect();
        vec![(youth, entry.subject_name.clone(), choices)]
    };
    let initial = NoteInput {
        id: entry.id.to_string(),
        subject: String::new(),
        date: entry.date.clone(),
        category: body.category.code().to_owned(),
        text: body.text.clone(),
        important: body.important,
        goal_ids: body.goal_ids.iter().map(ToString::to_string).collect(),
        reason: String::new(),
    };
    view! {
        <details class="correction" id="korrektur">
            <summary class="btn btn-secondary">{t.entry_correct}</summary>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormStatus value success=t.entry_corrected />
                <input type="hidden" name="id" value=entry.id.clone() />
                <input type="hidden" name="input[id]" value=entry.id.clone() />
                <NoteFields initial goals subject errors server_errors />
                <ReasonField server_errors />
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t.entry_save_correction}</button>
                </div>
            </ActionForm>
        </details>
    }
}

#[component]
fn VisitCorrection(entry: EntryView, body: VisitBody, action: ServerAction<CorrectVisit>) -> impl IntoView {
    let t = texts();
    let value = Signal::derive(move || action.value().get());
    let server_errors = Signal::derive(move || value.get().and_then(|r| r.err()));
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let initial = VisitInput {
        id: entry.id.to_string(),
        youth_id: entry.youth_id.as_ref().map(ToString::to_string).unwrap_or_default(),
        date: entry.date.clone(),
        time: body.time.clone(),
        kind: body.kind.code().to_owned(),
        place: body.place.code().to_owned(),
        participants: body.participants.iter().map(|p| p.code().to_owned()).collect(),
        participants_other: body.participants_other.clone(),
        supervised: if body.supervised { "ja" } else { "nein" }.to_owned(),
        supervised_by: body.supervised_by.clone(),
        outcome: body.outcome.code().to_owned(),
        mood_before: body.mood_before.map(|m| m.to_string()).unwrap_or_default(),
        mood_before_text: body.mood_before_text.clone(),
        mood_after: body.mood_after.map(|m| m.to_string()).unwrap_or_default(),
        mood_after_text: body.mood_after_text.clone(),
        notes: body.notes.clone(),
        reason: String::new(),
    };
    view! {
        <details class="correction" id="korrektur">
            <summary class="btn btn-secondary">{t.entry_correct}</summary>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormStatus value success=t.entry_corrected />
                <input type="hidden" name="id" value=entry.id.clone() />
                <input type="hidden" name="input[id]" value=entry.id.clone() />
                <VisitFields initial errors server_errors />
                <ReasonField server_errors />
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t.entry_save_correction}</button>
                </div>
            </ActionForm>
        </details>
    }
}

/// Correcting a monthly talk: its texts, ticks and ratings of the goals it spoke about.
#[component]
fn TalkCorrection(
    entry: EntryView,
    body: crate::domain::talk::TalkBody,
    action: ServerAction<CorrectTalk>,
) -> impl IntoView {
    use crate::domain::talk::{TalkGoalChoice, TalkInput};
    let t = texts();
    let value = Signal::derive(move || action.value().get());
    let server_errors = Signal::derive(move || value.get().and_then(|r| r.err()));
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let youth = entry.youth_id.as_ref().map(ToString::to_string).unwrap_or_default();
    let goals: Vec<TalkGoalChoice> = body
        .goals
        .iter()
        .enumerate()
        .map(|(i, g)| TalkGoalChoice {
            id: g.goal_id.clone(),
            title: entry.goal_titles.get(i).cloned().unwrap_or_default(),
            direction: String::new(),
            own_rating: None,
            entries: Vec::new(),
        })
        .collect();
    let initial = TalkInput::from((&body, entry.id.as_str(), entry.date.as_str()));
    let sets = vec![(youth.clone(), entry.subject_name.clone(), goals)];
    let selected = RwSignal::new(youth);
    view! {
        <details class="correction" id="korrektur">
            <summary class="btn btn-secondary">{t.entry_correct}</summary>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormStatus value success=t.entry_corrected />
                <input type="hidden" name="id" value=entry.id.clone() />
                <input type="hidden" name="input[id]" value=entry.id.clone() />
                <crate::pages::talk::TalkFields initial sets youth=selected errors server_errors />
                <ReasonField server_errors />
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t.entry_save_correction}</button>
                </div>
            </ActionForm>
        </details>
    }
}

/// Correcting a record of the Fachberatung (its kind stays).
#[component]
fn RecordCorrection(
    entry: EntryView,
    body: crate::domain::record::RecordBody,
    detail: EntryDetail,
    action: ServerAction<CorrectRecord>,
) -> impl IntoView {
    let t = texts();
    let value = Signal::derive(move || action.value().get());
    let server_errors = Signal::derive(move || value.get().and_then(|r| r.err()));
    let goals = detail
        .goals
        .iter()
        .map(|g| crate::domain::goal::GoalChoice { id: g.id.clone(), title: g.title.clone() })
        .collect();
    let initial = crate::domain::record::RecordInput::from((&body, entry.id.as_str(), entry.date.as_str()));
    view! {
        <details class="correction" id="korrektur">
            <summary class="btn btn-secondary">{t.entry_correct}</summary>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormStatus value success=t.entry_corrected />
                <input type="hidden" name="id" value=entry.id.clone() />
                <input type="hidden" name="input[id]" value=entry.id.clone() />
                <crate::pages::record::RecordFields initial goals server_errors />
                <ReasonField server_errors />
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t.entry_save_correction}</button>
                </div>
            </ActionForm>
        </details>
    }
}

#[component]
fn ReasonField(server_errors: Signal<Option<AppError>>) -> impl IntoView {
    let t = texts();
    let error = Signal::derive(move || server_errors.get().and_then(|e| e.field("reason")));
    view! {
        <TextArea label=t.entry_reason name="input[reason]" id="entry-reason" required=true maxlength=crate::domain::entry::REASON_MAX hint=t.entry_reason_hint error />
    }
}

#[component]
pub fn HandoverPage() -> impl IntoView {
    let t = texts();
    let id = route_id();
    let handover = Resource::new(move || id.get(), |id| when_allowed(Page::Handover, move || group_handover(id)));
    view! {
        <Guard page=Page::Handover>
        <Load data=handover let:h>
            {
                let section = |title: &'static str, entries: Vec<EntryView>| {
                    let empty = entries.is_empty();
                    view! {
                        <h2>{title}</h2>
                        {empty.then(|| view! { <p class="muted">{t.handover_empty}</p> })}
                        {entries.into_iter().map(|e| view! { <EntryCard entry=e /> }).collect_view()}
                    }
                };
                view! {
                    <PageTitle text=fill(t.handover_title, &[("group", &h.group_name)]) />
                    <p class="page-lead"><a href=format!("/gruppen/{}", h.group_id)>{h.group_name.clone()}</a></p>
                    {section(t.handover_today, h.today)}
                    {section(t.handover_yesterday, h.yesterday)}
                }
            }
        </Load>
        </Guard>
    }
}
