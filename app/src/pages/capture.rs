//! Writing a daily note or a visit contact on the phone. With the app loaded, "Speichern"
//! checks the form, seals the entry into the device outbox and sends it when it can;
//! without JavaScript the form posts straight to the server.

use crate::api::entries::list_capture_choices;
use crate::auth::policy::Page;
use crate::components::form::{ChoiceGroup, SelectField, TextArea, TextField, error_in};
use crate::components::load::Load;
use crate::components::status::{Guard, PageTitle, when_allowed};
use crate::domain::entry::CaptureChoices;
use crate::domain::goal::GoalChoice;
use crate::domain::note::{self, GROUP_SUBJECT_PREFIX, NoteCategory, NoteInput};
use crate::domain::visit::{
    self, MOOD_STEPS, Participant, VisitInput, VisitKind, VisitOutcome, VisitPlace, mood_label,
};
use crate::error::FieldError;
use crate::i18n::texts;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What happened to the last "Speichern" (set only by the WebAssembly build).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Copy, Debug, PartialEq)]
enum SaveState {
    Idle,
    Saving,
    Saved,
    Failed,
}

fn options<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter().map(|&c| (code(c).to_owned(), label(c).to_owned())).collect()
}

#[component]
pub fn NewNotePage() -> impl IntoView {
    let t = texts();
    let query = use_query_map();
    let preselected = StoredValue::new(query.read_untracked().get("fuer").unwrap_or_default());
    let saved_plain = query.read_untracked().get("gespeichert").is_some();
    let choices = Resource::new(|| (), |_| when_allowed(Page::NewNote, list_capture_choices));
    view! {
        <Guard page=Page::NewNote>
        <PageTitle text=t.note_new_title />
        {saved_plain.then(|| view! { <div class="alert alert-success" role="status">{t.saved}</div> })}
        <Load data=choices let:c>
            <NoteForm choices=c preselected=preselected.get_value() />
        </Load>
        </Guard>
    }
}

#[component]
pub fn NewVisitPage() -> impl IntoView {
    let t = texts();
    let query = use_query_map();
    let preselected = StoredValue::new(query.read_untracked().get("fuer").unwrap_or_default());
    let saved_plain = query.read_untracked().get("gespeichert").is_some();
    let choices = Resource::new(|| (), |_| when_allowed(Page::NewVisit, list_capture_choices));
    view! {
        <Guard page=Page::NewVisit>
        <PageTitle text=t.visit_new_title />
        {saved_plain.then(|| view! { <div class="alert alert-success" role="status">{t.saved}</div> })}
        <Load data=choices let:c>
            <VisitForm choices=c preselected=preselected.get_value() />
        </Load>
        </Guard>
    }
}

/// The subject options: per group "ganze Gruppe", then its young people.
fn subject_options(c: &CaptureChoices, with_group: bool) -> Vec<(String, String)> {
    let t = texts();
    let mut out = Vec::new();
    for g in &c.groups {
        if with_group {
            out.push((format!("{GROUP_SUBJECT_PREFIX}{}", g.id), format!("{} – {}", t.note_whole_group, g.name)));
        }
        for y in &g.youths {
            let label = if c.groups.len() > 1 { format!("{} ({})", y.name, g.name) } else { y.name.clone() };
            out.push((y.id.to_string(), label));
        }
    }
    out
}

fn goals_by_youth(c: &CaptureChoices) -> Vec<(String, String, Vec<GoalChoice>)> {
    c.groups
        .iter()
        .flat_map(|g| g.youths.iter())
        .filter(|y| !y.goals.is_empty())
        .map(|y| (y.id.to_string(), y.name.clone(), y.goals.clone()))
        .collect()
}

/// The status line under a capture form.
#[component]
fn SaveStatus(state: RwSignal<SaveState>, errors: RwSignal<Vec<FieldError>>) -> impl IntoView {
    let t = texts();
    move || match (state.get(), errors.read().is_empty()) {
        (_, false) => view! { <div class="alert alert-error" role="alert">{t.error_validation}</div> }.into_any(),
        (SaveState::Saved, _) => {
            view! { <div class="alert alert-success" role="status" id="save-status">{t.entry_saved_outbox}</div> }
                .into_any()
        }
        (SaveState::Failed, _) => {
            view! { <div class="alert alert-error" role="alert">{t.entry_outbox_failed}</div> }.into_any()
        }
        _ => ().into_any(),
    }
}

/// Checks the form on the device and seals it into the outbox. Returns false (and leaves
/// the form as it is) when the form has errors.
#[cfg(feature = "hydrate")]
fn save_to_outbox(
    ev: leptos::ev::SubmitEvent,
    kind: &'static str,
    author_id: String,
    errors: RwSignal<Vec<FieldError>>,
    state: RwSignal<SaveState>,
) {
    use crate::browser::outbox;
    use crate::domain::entry::Purpose;
    use crate::domain::outbox::SealedPayload;
    use wasm_bindgen::JsCast;
    let Some(form) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok()) else { return };
    ev.prevent_default();
    if state.get_untracked() == SaveState::Saving {
        return;
    }
    // `make bench` reads the time from "Speichern" to the item being stored.
    let performance = window().performance();
    if let Some(p) = &performance {
        let _ = p.mark("gb-save");
    }
    let fields = outbox::form_fields(&form);
    let id = outbox::new_id();
    let today = outbox::today();
    let payload = match kind {
        "visit" => {
            let input = VisitInput { id: id.clone(), ..VisitInput::from_fields(&fields) };
            input
                .validate(today, Purpose::Create)
                .map(|_| SealedPayload { author_id, note: None, visit: Some(input), talk: None })
                .and_then(|p| serde_json::to_string(&p).map_err(|_| Vec::new()))
        }
        "talk" => {
            use crate::domain::talk::TalkInput;
            let input = TalkInput { id: id.clone(), ..TalkInput::from_fields(&fields) };
            input
                .validate(today, Purpose::Create)
                .map(|_| SealedPayload { author_id, note: None, visit: None, talk: Some(input) })
                .and_then(|p| serde_json::to_string(&p).map_err(|_| Vec::new()))
        }
        "observation" => {
            use crate::domain::protection::{ObservationInput, SealedObservation};
            let input = ObservationInput { id: id.clone(), ..ObservationInput::from_fields(&fields) };
            input
                .validate(today)
                .map(|_| SealedObservation { author_id, observation: input })
                .and_then(|p| serde_json::to_string(&p).map_err(|_| Vec::new()))
        }
        "incident" => {
            use crate::domain::incident::{IncidentInput, SealedIncident};
            let input = IncidentInput { id: id.clone(), ..IncidentInput::from_fields(&fields) };
            input
                .validate(today)
                .map(|_| SealedIncident { author_id, incident: input })
                .and_then(|p| serde_json::to_string(&p).map_err(|_| Vec::new()))
        }
        _ => {
            let input = NoteInput { id: id.clone(), ..NoteInput::from_fields(&fields) };
            input
                .validate(today, Purpose::Create)
                .map(|_| SealedPayload { author_id, note: Some(input), visit: None, talk: None })
                .and_then(|p| serde_json::to_string(&p).map_err(|_| Vec::new()))
        }
    };
    let json = match payload {
        Ok(p) => p,
        Err(e) => {
            errors.set(e);
            state.set(SaveState::Idle);
            return;
        }
    };
    if let Some(p) = &performance {
        let _ = p.mark("gb-save-checked");
    }
    errors.set(Vec::new());
    state.set(SaveState::Saving);
    leptos::task::spawn_local(async move {
        if let Some(p) = &performance {
            let _ = p.mark("gb-save-sealing");
        }
        match outbox::put(&id, kind, &json).await {
            Ok(()) => {
                if let Some(p) = &performance {
                    let _ = p.measure_with_start_mark("gb-save-to-outbox", "gb-save");
                }
                form.reset();
                state.set(SaveState::Saved);
            }
            Err(_) => state.set(SaveState::Failed),
        }
    });
}

/// A page kept by the service worker may be days old: its default date (and time) are
/// those of when it was rendered. Once the app runs, an untouched default becomes the
/// device's today (and now), so an entry written offline is not silently back-dated.
#[cfg(feature = "hydrate")]
pub(crate) fn refresh_default(id: &'static str, rendered: String, now: String) {
    use wasm_bindgen::JsCast;
    Effect::new(move |_| {
        let input = document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some(input) = input
            && input.value() == rendered
            && rendered != now
        {
            input.set_value(&now);
        }
    });
}

/// The frame both capture forms share: the outbox key, the plain-post fallback with an
/// id made at render time, the check-and-seal on "Speichern", the status and the button.
#[component]
pub(crate) fn CaptureForm(
    /// "note", "visit", "talk" or "incident": the outbox kind, and the prefix of the form's
    /// element ids.
    kind: &'static str,
    /// Where the form posts without JavaScript.
    action: &'static str,
    /// The account's id, sealed along (see `CaptureChoices`).
    author_id: String,
    /// The server's public outbox key.
    outbox_key: String,
    /// The entry's id when the form is sent without JavaScript.
    fresh_id: String,
    errors: RwSignal<Vec<FieldError>>,
    /// The button's label ("Speichern" unless given).
    #[prop(optional)]
    submit: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let t = texts();
    let state = RwSignal::new(SaveState::Idle);
    let author = StoredValue::new(author_id);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        save_to_outbox(ev, kind, author.get_value(), errors, state);
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, author);
    };
    view! {
        <leptos_meta::Meta name="gb-outbox-key" content=outbox_key />
        <form class="form capture-form" method="post" action=action novalidate=true on:submit=on_submit id=format!("{kind}-form")>
            <input type="hidden" name="input[id]" value=fresh_id />
            {children()}
            <SaveStatus state errors />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary btn-block" id=format!("{kind}-save") disabled=move || state.get() == SaveState::Saving>
                    {submit.unwrap_or(t.save)}
                </button>
            </div>
        </form>
    }
}

#[component]
fn NoteForm(choices: CaptureChoices, preselected: String) -> impl IntoView {
    let t = texts();
    #[cfg(feature = "hydrate")]
    refresh_default("note-date", choices.today.clone(), crate::browser::outbox::today().to_string());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let subject = RwSignal::new(preselected.clone());
    let initial = NoteInput { subject: preselected, date: choices.today.clone(), ..Default::default() };
    let options = subject_options(&choices, true);
    let goals = goals_by_youth(&choices);
    view! {
        <CaptureForm kind="note" action="/api/notes/save" author_id=choices.author_id.clone() outbox_key=choices.outbox_key.clone() fresh_id=choices.fresh_id.clone() errors>
            <SelectField
                label=t.note_subject
                name="input[subject]"
                id="note-subject"
                options
                selected=initial.subject.clone()
                placeholder=t.note_choose_subject
                error=error_in(errors, "subject")
                on_change=Callback::new(move |v| subject.set(v))
            />
            <NoteFields initial goals subject errors />
        </CaptureForm>
    }
}

/// The fields of a daily note after the subject: shared by the new-note form and the
/// correction form.
#[component]
pub fn NoteFields(
    initial: NoteInput,
    goals: Vec<(String, String, Vec<GoalChoice>)>,
    subject: RwSignal<String>,
    errors: RwSignal<Vec<FieldError>>,
    #[prop(optional)] server_errors: Option<Signal<Option<crate::error::AppError>>>,
) -> impl IntoView {
    let t = texts();
    let err = move |field: &'static str| {
        let local = error_in(errors, field);
        Signal::derive(move || local.get().or_else(|| server_errors.and_then(|s| s.get()).and_then(|e| e.field(field))))
    };
    let goal_error = err("goal_ids");
    let mut index = 0usize;
    let goal_sets = goals
        .into_iter()
        .map(|(youth, name, list)| {
            let youth_for_hidden = youth.clone();
            let boxes = list
                .into_iter()
                .map(|g| {
                    let i = index;
                    index += 1;
                    let id = format!("note-goal-{i}");
                    let label_for = id.clone();
                    let checked = initial.goal_ids.iter().any(|id| g.id == *id);
                    view! {
                        <label class="choice" for=label_for>
                            <input type="checkbox" id=id name=format!("input[goal_ids][{i}]") value=g.id checked=checked />
                            <span>{g.title}</span>
                        </label>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="field choice-group" hidden=move || subject.get() != youth_for_hidden>
                    <legend>{crate::i18n::fill(t.note_goals_of, &[("name", &name)])}" "<span class="muted">"("{t.optional}")"</span></legend>
                    {boxes}
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <TextField label=t.entry_date name="input[date]" id="note-date" kind="date" value=initial.date.clone() error=err("date") />
        <SelectField
            label=t.note_category
            name="input[category]"
            id="note-category"
            options=options(NoteCategory::ALL, NoteCategory::code, NoteCategory::label)
            selected=initial.category.clone()
            placeholder=t.note_choose_category
            error=err("category")
        />
        <TextArea label=t.note_text name="input[text]" id="note-text" value=initial.text.clone() required=true rows=6 maxlength=note::NOTE_TEXT_MAX hint=t.note_text_hint error=err("text") />
        <div class="field">
            <label class="choice" for="note-important">
                <input type="checkbox" id="note-important" name="input[important]" value="true" checked=initial.important />
                <span>{t.note_important}</span>
            </label>
        </div>
        {goal_sets}
        {move || goal_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
    }
}

#[component]
fn VisitForm(choices: CaptureChoices, preselected: String) -> impl IntoView {
    let t = texts();
    #[cfg(feature = "hydrate")]
    {
        use crate::browser::outbox;
        refresh_default("visit-date", choices.today.clone(), outbox::today().to_string());
        refresh_default("visit-time", choices.now.clone(), outbox::clock(js_sys::Date::now()));
    }
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let initial = VisitInput {
        youth_id: preselected,
        date: choices.today.clone(),
        time: choices.now.clone(),
        ..Default::default()
    };
    let options = subject_options(&choices, false);
    view! {
        <CaptureForm kind="visit" action="/api/visits/save" author_id=choices.author_id.clone() outbox_key=choices.outbox_key.clone() fresh_id=choices.fresh_id.clone() errors>
            <SelectField
                label=t.visit_youth
                name="input[youth_id]"
                id="visit-youth"
                options
                selected=initial.youth_id.clone()
                placeholder=t.note_choose_subject
                error=error_in(errors, "youth_id")
            />
            <VisitFields initial errors />
        </CaptureForm>
    }
}

/// The fields of a visit contact after the young person: shared with the correction form.
#[component]
pub fn VisitFields(
    initial: VisitInput,
    errors: RwSignal<Vec<FieldError>>,
    #[prop(optional)] server_errors: Option<Signal<Option<crate::error::AppError>>>,
) -> impl IntoView {
    let t = texts();
    let err = move |field: &'static str| {
        let local = error_in(errors, field);
        Signal::derive(move || local.get().or_else(|| server_errors.and_then(|s| s.get()).and_then(|e| e.field(field))))
    };
    let yes_no = vec![("ja".to_owned(), t.yes.to_owned()), ("nein".to_owned(), t.no.to_owned())];
    let moods: Vec<(String, String)> =
        MOOD_STEPS.iter().map(|s| (s.to_string(), format!("{s} – {}", mood_label(*s)))).collect();
    view! {
        <div class="field-row">
            <TextField label=t.entry_date name="input[date]" id="visit-date" kind="date" value=initial.date.clone() error=err("date") />
            <TextField label=t.visit_time name="input[time]" id="visit-time" kind="time" value=initial.time.clone() error=err("time") />
        </div>
        <SelectField label=t.visit_kind name="input[kind]" id="visit-kind" options=options(VisitKind::ALL, VisitKind::code, VisitKind::label) selected=initial.kind.clone() placeholder=t.choose error=err("kind") />
        <SelectField label=t.visit_place name="input[place]" id="visit-place" options=options(VisitPlace::ALL, VisitPlace::code, VisitPlace::label) selected=initial.place.clone() placeholder=t.choose error=err("place") />
        <ChoiceGroup legend=t.visit_participants name="input[participants]" id="visit-participants" multiple=true options=options(Participant::ALL, Participant::code, Participant::label) checked=initial.participants.clone() error=err("participants") />
        <TextField label=t.visit_participants_other name="input[participants_other]" id="visit-participants-other" required=false value=initial.participants_other.clone() maxlength=visit::PARTICIPANTS_OTHER_MAX error=err("participants_other") />
        <ChoiceGroup legend=t.visit_supervised name="input[supervised]" id="visit-supervised" options=yes_no checked=vec![initial.supervised.clone()] error=err("supervised") />
        <TextField label=t.visit_supervised_by name="input[supervised_by]" id="visit-supervised-by" required=false value=initial.supervised_by.clone() maxlength=visit::SUPERVISED_BY_MAX error=err("supervised_by") />
        <SelectField label=t.visit_outcome name="input[outcome]" id="visit-outcome" options=options(VisitOutcome::ALL, VisitOutcome::code, VisitOutcome::label) selected=initial.outcome.clone() placeholder=t.choose error=err("outcome") />
        <SelectField label=t.visit_mood_before name="input[mood_before]" id="visit-mood-before" options=moods.clone() selected=initial.mood_before.clone() placeholder=t.not_recorded required=false error=err("mood_before") />
        <TextArea label=t.visit_mood_before_text name="input[mood_before_text]" id="visit-mood-before-text" value=initial.mood_before_text.clone() maxlength=visit::MOOD_TEXT_MAX error=err("mood_before_text") />
        <SelectField label=t.visit_mood_after name="input[mood_after]" id="visit-mood-after" options=moods selected=initial.mood_after.clone() placeholder=t.not_recorded required=false error=err("mood_after") />
        <TextArea label=t.visit_mood_after_text name="input[mood_after_text]" id="visit-mood-after-text" value=initial.mood_after_text.clone() maxlength=visit::MOOD_TEXT_MAX error=err("mood_after_text") />
        <TextArea label=t.visit_notes name="input[notes]" id="visit-notes" value=initial.notes.clone() rows=5 maxlength=visit::VISIT_NOTES_MAX error=err("notes") />
    }
}
