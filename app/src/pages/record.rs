//! Writing a record of the Fachberatung about a young person (at the desk, a plain form).

use super::route_id;
use crate::api::plans::get_help_plan;
use crate::api::records::SaveRecord;
use crate::auth::policy::Page;
use crate::components::form::{FormStatus, SelectField, TextArea, TextField};
use crate::components::load::{Both, Load};
use crate::components::status::{Guard, PageTitle, when_allowed};
use crate::domain::goal::GoalChoice;
use crate::domain::record::{self, DiagnosticPhase, RecordInput, RecordType};
use crate::error::AppError;
use crate::i18n::{fill, texts};
use leptos::prelude::*;

#[component]
pub fn NewRecordPage() -> impl IntoView {
    let t = texts();
    let id = route_id();
    let plan = Resource::new(move || id.get(), |id| when_allowed(Page::NewRecord, move || get_help_plan(id)));
    // The record's id and today's date, made once where the page is rendered (the server,
    // or the browser after a navigation), so a repeated post stores the record once.
    let fresh = Resource::new(
        || (),
        |_| async { Ok::<(String, String), AppError>((crate::domain::ids::EntryId::fresh().into_string(), today())) },
    );
    let action = ServerAction::<SaveRecord>::new();
    let value = Signal::derive(move || action.value().get());
    let server_errors = Signal::derive(move || value.get().and_then(|r| r.err()));
    view! {
        <Guard page=Page::NewRecord>
        <Load data=Both(plan, fresh) let:loaded>
            {
                let (p, (fresh_id, today)) = loaded;
                let goals: Vec<GoalChoice> = p.goals.iter().map(|o| GoalChoice { id: o.goal.id.clone(), title: o.goal.title.clone() }).collect();
                let initial = RecordInput { id: fresh_id, youth_id: p.youth_id.to_string(), date: today, ..Default::default() };
                view! {
                    <PageTitle text=fill(t.record_new_for, &[("name", &p.youth_name)]) />
                    <p class="page-lead"><a href=format!("/jugendliche/{}", p.youth_id)>{fill(t.plan_youth_link, &[("name", &p.youth_name)])}</a></p>
                    <ActionForm action=action attr:class="form" attr:novalidate=true attr:id="record-form">
                        <FormStatus value />
                        <input type="hidden" name="input[id]" value=initial.id.clone() />
                        <input type="hidden" name="input[youth_id]" value=initial.youth_id.clone() />
                        <RecordFields initial goals server_errors />
                        <div class="form-actions">
                            <button type="submit" class="btn btn-primary" id="record-save" disabled=move || action.pending().get()>{t.save}</button>
                        </div>
                    </ActionForm>
                }
            }
        </Load>
        </Guard>
    }
}

/// Today where the page is made.
fn today() -> String {
    #[cfg(feature = "ssr")]
    let day = crate::api::ssr::today().to_string();
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    let day = crate::browser::outbox::today().to_string();
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    let day = String::new();
    day
}

/// The fields of a record: shared by the new-record form and the correction form.
#[component]
pub fn RecordFields(
    initial: RecordInput,
    goals: Vec<GoalChoice>,
    server_errors: Signal<Option<AppError>>,
) -> impl IntoView {
    let t = texts();
    let err = move |field: &'static str| Signal::derive(move || server_errors.get().and_then(|e| e.field(field)));
    let kind = RwSignal::new(initial.record_type.clone());
    let types: Vec<(String, String)> =
        RecordType::ALL.iter().map(|r| (r.code().to_owned(), r.label().to_owned())).collect();
    let phases: Vec<(String, String)> =
        DiagnosticPhase::ALL.iter().map(|p| (p.code().to_owned(), p.label().to_owned())).collect();
    let diagnostics = move || kind.get() == RecordType::Diagnostics.code();
    let goal_error = err("goal_ids");
    let boxes = goals
        .into_iter()
        .enumerate()
        .map(|(i, g)| {
            let id = format!("record-goal-{i}");
            let label_for = id.clone();
            let checked = initial.goal_ids.iter().any(|c| g.id == *c);
            view! {
                <label class="choice" for=label_for>
                    <input type="checkbox" id=id name=format!("input[goal_ids][{i}]") value=g.id.to_string() checked=checked />
                    <span>{g.title}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <SelectField label=t.record_type name="input[record_type]" id="record-type" options=types selected=initial.record_type.clone()
            placeholder=t.choose error=err("record_type") on_change=Callback::new(move |v| kind.set(v)) />
        <p class="hint" hidden=move || kind.get() != RecordType::Reflection.code()>{t.record_reflection_hint}</p>
        <TextField label=t.record_date name="input[date]" id="record-date" kind="date" value=initial.date.clone() error=err("date") />
        <TextArea label=t.record_participants name="input[participants]" id="record-participants" value=initial.participants.clone() maxlength=record::PARTICIPANTS_MAX error=err("participants") />
        <TextArea label=t.record_content name="input[content]" id="record-content" rows=5 value=initial.content.clone() maxlength=record::TEXT_MAX error=err("content") />
        <TextArea label=t.record_outcome name="input[outcome]" id="record-outcome" rows=4 value=initial.outcome.clone() maxlength=record::OUTCOME_MAX error=err("outcome") />
        <fieldset class="stack" hidden=move || !diagnostics()>
            <legend>{t.record_diagnostics_fields}</legend>
            <SelectField label=t.record_phase name="input[phase]" id="record-phase" options=phases selected=initial.phase.clone() placeholder=t.choose required=false error=err("phase") />
            <TextField label=t.record_assessor name="input[assessor]" id="record-assessor" required=false value=initial.assessor.clone() maxlength=record::ASSESSOR_MAX error=err("assessor") />
            <TextField label=t.record_instrument name="input[instrument]" id="record-instrument" required=false value=initial.instrument.clone() maxlength=record::INSTRUMENT_MAX error=err("instrument") />
            <TextArea label=t.record_findings name="input[findings]" id="record-findings" rows=5 value=initial.findings.clone() maxlength=record::TEXT_MAX error=err("findings") />
        </fieldset>
        <fieldset class="field choice-group">
            <legend>{t.record_goals}" "<span class="muted">"("{t.optional}")"</span></legend>
            {boxes}
            {move || goal_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </fieldset>
    }
}
