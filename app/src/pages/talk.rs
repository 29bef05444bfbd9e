//! Writing the monthly Erziehungsplanungsgespräch on the phone: like the capture forms,
//! "Speichern" checks the form, seals it into the device outbox and sends it when it can;
//! without JavaScript it posts straight to the server.

use super::capture::CaptureForm;
use crate::api::talks::list_talk_choices;
use crate::auth::policy::Page;
use crate::components::form::{ChoiceGroup, SelectField, TextArea, TextField, error_in};
use crate::components::load::Load;
use crate::components::status::{Guard, PageTitle, when_allowed};
use crate::domain::plan::Rating;
use crate::domain::talk::{self, TalkChoices, TalkGoalChoice, TalkInput};
use crate::domain::text::format_date;
use crate::error::{AppError, FieldError};
use crate::i18n::{fill, texts};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn NewTalkPage() -> impl IntoView {
    let t = texts();
    let query = use_query_map();
    let preselected = StoredValue::new(query.read_untracked().get("fuer").unwrap_or_default());
    let saved_plain = query.read_untracked().get("gespeichert").is_some();
    let choices = Resource::new(|| (), |_| when_allowed(Page::NewTalk, list_talk_choices));
    view! {
        <Guard page=Page::NewTalk>
        <PageTitle text=t.talk_new_title />
        <p class="page-lead">{t.talk_lead}</p>
        {saved_plain.then(|| view! { <div class="alert alert-success" role="status">{t.saved}</div> })}
        <Load data=choices let:c>
            <TalkForm choices=c preselected=preselected.get_value() />
        </Load>
        </Guard>
    }
}

#[component]
fn TalkForm(choices: TalkChoices, preselected: String) -> impl IntoView {
    let t = texts();
    #[cfg(feature = "hydrate")]
    super::capture::refresh_default("talk-date", choices.today.clone(), crate::browser::outbox::today().to_string());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let youth = RwSignal::new(preselected.clone());
    let options: Vec<(String, String)> = choices
        .youths
        .iter()
        .map(|y| {
            (
                y.id.to_string(),
                if choices.youths.iter().any(|o| o.group_name != y.group_name) {
                    format!("{} ({})", y.name, y.group_name)
                } else {
                    y.name.clone()
                },
            )
        })
        .collect();
    let initial = TalkInput { youth_id: preselected, date: choices.today.clone(), ..Default::default() };
    let sets: Vec<(String, String, Vec<TalkGoalChoice>)> =
        choices.youths.iter().map(|y| (y.id.to_string(), y.name.clone(), y.goals.clone())).collect();
    view! {
        <CaptureForm kind="talk" action="/api/talks/save" author_id=choices.author_id.clone() outbox_key=choices.outbox_key.clone() fresh_id=choices.fresh_id.clone() errors>
            <SelectField
                label=t.talk_youth
                name="input[youth_id]"
                id="talk-youth"
                options
                selected=initial.youth_id.clone()
                placeholder=t.note_choose_subject
                error=error_in(errors, "youth_id")
                on_change=Callback::new(move |v| youth.set(v))
            />
            <TalkFields initial sets youth errors />
        </CaptureForm>
    }
}

/// The fields of a talk after the young person: shared by the new-talk form and the
/// correction form. `sets`: per young person (id, name) the goals the talk may rate; only
/// the chosen young person's are sent (the others' fieldsets are disabled).
#[component]
pub fn TalkFields(
    initial: TalkInput,
    sets: Vec<(String, String, Vec<TalkGoalChoice>)>,
    youth: RwSignal<String>,
    errors: RwSignal<Vec<FieldError>>,
    #[prop(optional)] server_errors: Option<Signal<Option<AppError>>>,
) -> impl IntoView {
    let t = texts();
    let err = move |field: &'static str| {
        let local = error_in(errors, field);
        Signal::derive(move || local.get().or_else(|| server_errors.and_then(|s| s.get()).and_then(|e| e.field(field))))
    };
    let present =
        vec![("ja".to_owned(), t.talk_present_yes.to_owned()), ("nein".to_owned(), t.talk_present_no.to_owned())];
    let goals_error = err("goals");
    // The goal rows' messages are shown once, under the rows (`goals`).
    let none = Signal::derive(|| None::<String>);
    let next_error = err("next");
    let ratings: Vec<(String, String)> =
        Rating::ALL.iter().map(|r| (r.code().to_owned(), r.label().to_owned())).collect();
    let mut index = 0usize;
    let goal_sets = sets
        .into_iter()
        .map(|(id, name, goals)| {
            let for_youth = id.clone();
            let for_empty = id.clone();
            let empty = goals.is_empty();
            let rows = goals
                .into_iter()
                .map(|g| {
                    let i = index;
                    index += 1;
                    let stored = initial.goals.iter().find(|s| s.goal_id == g.id.as_str()).cloned().unwrap_or_default();
                    let name = move |f: &str| format!("input[goals][{i}][{f}]");
                    let youth_rating = if stored.youth.is_empty() { g.own_rating.map(|r| r.code().to_owned()).unwrap_or_default() } else { stored.youth.clone() };
                    let mut entry_index = 0usize;
                    let offered = g.entries.iter().map(|e| {
                        let j = entry_index;
                        entry_index += 1;
                        let box_id = format!("talk-goal-{i}-entry-{j}");
                        let label_for = box_id.clone();
                        let checked = stored.entry_ids.iter().any(|s| s == e.id.as_str());
                        view! {
                            <label class="choice" for=label_for>
                                <input type="checkbox" id=box_id name=format!("input[goals][{i}][entry_ids][{j}]") value=e.id.to_string() checked=checked />
                                <span>{fill(t.talk_entry_line, &[("date", &format_date(&e.date)), ("text", &e.excerpt)])}</span>
                            </label>
                        }
                    }).collect_view();
                    // Ticked entries the form no longer offers (a correction after some
                    // weeks) stay as they were.
                    let kept = stored.entry_ids.iter().filter(|s| !g.entries.iter().any(|e| e.id.as_str() == s.as_str())).enumerate().map(|(k, s)| {
                        view! { <input type="hidden" name=format!("input[goals][{i}][entry_ids][{}]", 1000 + k) value=s.clone() /> }
                    }).collect_view();
                    let has_entries = !g.entries.is_empty();
                    view! {
                        <fieldset class="talk-goal stack">
                            <legend>{g.title.clone()}</legend>
                            {(!g.direction.is_empty()).then(|| view! { <p class="muted">{fill(t.goals_under, &[("title", &g.direction)])}</p> })}
                            <input type="hidden" name=name("goal_id") value=g.id.to_string() />
                            <TextArea label=t.talk_happened name=name("happened") id=format!("talk-goal-{i}-happened") value=stored.happened.clone() maxlength=talk::HAPPENED_MAX error=none />
                            {has_entries.then(|| view! {
                                <fieldset class="field choice-group">
                                    <legend>{t.talk_entries}</legend>
                                    {offered}
                                </fieldset>
                            })}
                            {kept}
                            <SelectField label=t.talk_rating_staff name=name("staff") id=format!("talk-goal-{i}-staff") options=ratings.clone() selected=stored.staff.clone() placeholder=t.talk_not_rated required=false error=none />
                            <SelectField label=t.talk_rating_youth name=name("youth") id=format!("talk-goal-{i}-youth") options=ratings.clone() selected=youth_rating placeholder=t.talk_not_rated required=false error=none />
                            {g.own_rating.map(|r| view! { <p class="hint">{fill(t.talk_own_rating, &[("rating", r.label())])}</p> })}
                            <SelectField label=t.talk_rating_parents name=name("parents") id=format!("talk-goal-{i}-parents") options=ratings.clone() selected=stored.parents.clone() placeholder=t.talk_not_rated required=false error=none />
                        </fieldset>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="talk-goals stack" hidden=move || youth.get() != for_youth disabled=move || youth.get() != for_empty>
                    <legend>{fill(t.talk_goals_of, &[("name", &name)])}</legend>
                    {empty.then(|| view! { <p class="empty">{t.talk_goals_none}</p> })}
                    {rows}
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <TextField label=t.talk_date name="input[date]" id="talk-date" kind="date" value=initial.date.clone() error=err("date") />
        <ChoiceGroup legend=t.talk_present name="input[youth_present]" id="talk-present" options=present checked=vec![initial.youth_present.clone()] error=err("youth_present") />
        <TextArea label=t.talk_participants name="input[participants]" id="talk-participants" value=initial.participants.clone() required=true maxlength=talk::PARTICIPANTS_MAX hint=t.talk_participants_hint error=err("participants") />
        <p class="muted" hidden=move || !youth.get().is_empty()>{t.talk_choose_youth_first}</p>
        {goal_sets}
        {move || goals_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        <fieldset class="stack">
            <legend>{t.talk_next}</legend>
            <div class="step-row cluster">
                <TextField label=t.talk_next_who name="input[next_who]" id="talk-next-who" required=false value=initial.next_who.clone() maxlength=talk::STEP_WHO_MAX error=none />
                <TextField label=t.talk_next_what name="input[next_what]" id="talk-next-what" required=false value=initial.next_what.clone() maxlength=talk::STEP_WHAT_MAX error=none />
                <TextField label=t.talk_next_by name="input[next_by]" id="talk-next-by" kind="date" required=false value=initial.next_by.clone() error=err("next_by") />
            </div>
            {move || next_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </fieldset>
        <TextArea label=t.talk_youth_words name="input[youth_words]" id="talk-youth-words" value=initial.youth_words.clone() maxlength=talk::WORDS_MAX error=err("youth_words") />
        <TextArea label=t.talk_hpg_topics name="input[hpg_topics]" id="talk-hpg-topics" value=initial.hpg_topics.clone() maxlength=talk::WORDS_MAX error=err("hpg_topics") />
        <div class="field">
            <label class="choice" for="talk-for-advisor">
                <input type="checkbox" id="talk-for-advisor" name="input[for_advisor]" value="true" checked=initial.for_advisor />
                <span>{t.talk_for_advisor}</span>
            </label>
            <p class="hint">{t.talk_for_advisor_hint}</p>
        </div>
    }
}
