//! Kinderschutz (§ 8a): the observation form on the phone (sealed into the outbox, so it
//! is never lost offline), the Kinderschutz page, one observation, and one procedure
//! with its checklist, steps, signatures, deadlines, people and documents.

use crate::api::entries::list_capture_choices;
use crate::api::protection::{
    AcknowledgeObservation, AddMember, OpenCase, RecordStep, SignStep, get_case, get_observation, get_protection_board,
};
use crate::auth::policy::Page;
use crate::components::form::{ChoiceGroup, FormStatus, SelectField, TextArea, TextField, error_in, field_error};
use crate::components::load::Load;
use crate::components::status::{Guard, PageTitle, when_allowed};
use crate::domain::entry::CaptureChoices;
use crate::domain::protection::{
    self as cp, Acceptance, CaseSummary, CaseView, Channel, DangerForm, FirstResult, ObservationSource,
    ObservationView, Outcome, SignRole, StepKind, StepView,
};
use crate::error::FieldError;
use crate::i18n::{fill, texts};
use leptos::prelude::*;

use super::incidents::{options, youth_options};

// ------------------------------------------------------------------ observation form

/// `/kinderschutz/beobachtung/neu`: an observation in under a minute, on the phone.
#[component]
pub fn NewObservationPage() -> impl IntoView {
    let t = texts();
    let query = leptos_router::hooks::use_query_map();
    let preselected = StoredValue::new(query.read_untracked().get("fuer").unwrap_or_default());
    let choices = Resource::new(|| (), |_| when_allowed(Page::NewObservation, list_capture_choices));
    view! {
        <Guard page=Page::NewObservation>
        <PageTitle text=t.cp_observation_title />
        <p class="page-lead">{t.cp_observation_lead}</p>
        <Load data=choices let:c>
            <ObservationForm choices=c preselected=preselected.get_value() />
        </Load>
        </Guard>
    }
}

#[component]
fn ObservationForm(choices: CaptureChoices, preselected: String) -> impl IntoView {
    let t = texts();
    #[cfg(feature = "hydrate")]
    {
        use crate::browser::outbox;
        super::capture::refresh_default("observation-date", choices.today.clone(), outbox::today().to_string());
        super::capture::refresh_default("observation-time", choices.now.clone(), outbox::clock(js_sys::Date::now()));
    }
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let youths = youth_options(&choices);
    let (today, now) = (choices.today.clone(), choices.now.clone());
    view! {
        <super::capture::CaptureForm kind="observation" action="/api/protection/observe" author_id=choices.author_id.clone() outbox_key=choices.outbox_key.clone() fresh_id=choices.fresh_id.clone() errors submit=t.cp_save_observation>
            <SelectField label=t.cp_youth name="input[youth_id]" id="observation-youth" options=youths selected=preselected placeholder=t.choose error=error_in(errors, "youth_id") />
            <div class="field-row">
                <TextField label=t.entry_date name="input[date]" id="observation-date" kind="date" value=today error=error_in(errors, "date") />
                <TextField label=t.visit_time name="input[time]" id="observation-time" kind="time" value=now error=error_in(errors, "time") />
            </div>
            <TextArea label=t.cp_fact name="input[fact]" id="observation-fact" required=true rows=5 maxlength=cp::FACT_MAX hint=t.cp_fact_hint error=error_in(errors, "fact") />
            <ChoiceGroup legend=t.cp_source name="input[source]" id="observation-source" options=options(ObservationSource::ALL, ObservationSource::code, ObservationSource::label) error=error_in(errors, "source") />
            <TextArea label=t.cp_own_assessment name="input[assessment]" id="observation-assessment" rows=3 maxlength=cp::ASSESSMENT_MAX hint=t.cp_own_assessment_hint error=error_in(errors, "assessment") />
        </super::capture::CaptureForm>
        <p><a href="/kinderschutz">{t.cp_title}</a></p>
    }
}

// ------------------------------------------------------------------ board

/// `/kinderschutz`: what waits for Leitung's note, the procedures, one's own observations.
#[component]
pub fn ProtectionPage() -> impl IntoView {
    let t = texts();
    let board = Resource::new(|| (), |_| when_allowed(Page::Protection, get_protection_board));
    view! {
        <Guard page=Page::Protection>
        <PageTitle text=t.cp_title />
        <p class="page-lead">{t.cp_lead}</p>
        <Load data=board let:b>
            {b.can_observe.then(|| view! {
                <p><a class="btn btn-primary" href="/kinderschutz/beobachtung/neu" id="observation-new-link">{t.cp_new_observation}</a></p>
            })}
            {(b.reviews || !b.cases.is_empty()).then(|| view! {
                <section aria-labelledby="cp-waiting-title" class="pinned">
                    <h2 id="cp-waiting-title">{t.cp_waiting}" "<span class="badge badge-count" id="cp-waiting-count">{b.waiting.len()}</span></h2>
                    {if b.waiting.is_empty() {
                        view! { <p class="muted">{t.cp_none_waiting}</p> }.into_any()
                    } else {
                        view! { <ObservationList items=b.waiting.clone() id="cp-waiting" /> }.into_any()
                    }}
                </section>
                <section aria-labelledby="cp-cases-title">
                    <h2 id="cp-cases-title">{t.cp_cases}</h2>
                    {if b.cases.is_empty() {
                        view! { <p class="muted">{t.cp_no_cases}</p> }.into_any()
                    } else {
                        view! { <CaseList items=b.cases.clone() /> }.into_any()
                    }}
                </section>
            })}
            {b.can_observe.then(|| view! {
                <section aria-labelledby="cp-own-title">
                    <h2 id="cp-own-title">{t.cp_own}</h2>
                    {if b.own.is_empty() {
                        view! { <p class="muted">{t.cp_no_own}</p> }.into_any()
                    } else {
                        view! { <ObservationList items=b.own.clone() id="cp-own" /> }.into_any()
                    }}
                </section>
            })}
        </Load>
        </Guard>
    }
}

#[component]
fn ObservationList(items: Vec<ObservationView>, id: &'static str) -> impl IntoView {
    let t = texts();
    view! {
        <ul class="incident-list stack" id=id>
            {items.into_iter().map(|o| {
                let state = match (&o.acknowledged, o.overdue) {
                    (Some(_), _) => view! { <span class="badge badge-ok">{t.cp_acknowledge}</span> }.into_any(),
                    (None, true) => view! { <span class="badge badge-alarm">{t.cp_overdue}</span> }.into_any(),
                    (None, false) => view! { <span class="badge badge-important">{t.inc_state_open}</span> }.into_any(),
                };
                view! {
                    <li class="card incident-card">
                        <a class="observation-link" href=format!("/kinderschutz/beobachtungen/{}", o.id)>
                            <strong>{fill(t.cp_observation_of, &[("when", &o.occurred)])}</strong>" – "{o.youth_name.clone()}
                        </a>
                        <p class="entry-meta">{state}" "{o.group_name.clone()}" · "{fill(t.cp_written_by, &[("name", &o.author_name)])}</p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn CaseList(items: Vec<CaseSummary>) -> impl IntoView {
    let t = texts();
    view! {
        <ul class="incident-list stack" id="cp-cases">
            {items.into_iter().map(|c| view! {
                <li class="card incident-card">
                    <a class="case-link" href=format!("/kinderschutz/{}", c.id)>
                        <strong>{fill(t.cp_case_of, &[("name", &c.youth_name)])}</strong>
                    </a>
                    <p class="entry-meta"><CaseBadges summary=c.clone() />" "{c.group_name.clone()}" · "{fill(t.cp_opened, &[("when", &c.opened)])}</p>
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
fn CaseBadges(summary: CaseSummary) -> impl IntoView {
    let t = texts();
    let stage = match summary.stage {
        Some(step) => fill(t.cp_stage, &[("step", step.label())]),
        None => t.cp_no_stage.to_owned(),
    };
    view! {
        {if summary.closed {
            view! { <span class="badge badge-ok">{t.cp_closed}</span> }.into_any()
        } else {
            view! { <span class="badge badge-important">{t.cp_open_state}</span> }.into_any()
        }}
        {summary.overdue.then(|| view! { " "<span class="badge badge-alarm">{t.cp_overdue}</span> })}
        {summary.concerns_staff.then(|| view! { " "<span class="badge">{t.cp_concerns_staff}</span> })}
        " "<span class="muted">{stage}</span>
    }
}

// ------------------------------------------------------------------ one observation

/// `/kinderschutz/beobachtungen/:id`: the observation, Leitung's note, opening the
/// procedure.
#[component]
pub fn ObservationPage() -> impl IntoView {
    let t = texts();
    let id = super::route_id();
    let acknowledge = ServerAction::<AcknowledgeObservation>::new();
    let open = ServerAction::<OpenCase>::new();
    let detail = Resource::new(
        move || (id.get(), acknowledge.version().get()),
        |(id, _)| when_allowed(Page::Protection, move || get_observation(id)),
    );
    let ack_value = Signal::derive(move || acknowledge.value().get());
    let open_value = Signal::derive(move || open.value().get());
    view! {
        <Guard page=Page::Protection>
        <Load data=detail let:o>
            <PageTitle text=fill(t.cp_observation_of, &[("when", &o.occurred)]) />
            <dl class="facts">
                <dt>{t.cp_youth}</dt><dd id="observation-youth-name">{o.youth_name.clone()}</dd>
                <dt>{t.fb_group_label}</dt><dd>{o.group_name.clone()}</dd>
                <dt>{t.cp_source}</dt><dd>{o.body.source.label()}</dd>
                <dt>{t.inc_reported_by}</dt><dd>{o.author_name.clone()}</dd>
                <dt>{t.cp_deadline_ack}</dt>
                <dd id="observation-acknowledged">{match o.acknowledged.clone() {
                    Some(a) => fill(t.cp_acknowledged, &[("who", &a)]),
                    None if o.overdue => format!("{} – {}", t.cp_overdue, t.cp_not_acknowledged),
                    None => t.cp_not_acknowledged.to_owned(),
                }}</dd>
            </dl>
            <h2>{t.cp_fact}</h2>
            <p class="message-text" id="observation-fact-text">{o.body.fact.clone()}</p>
            {(!o.body.assessment.is_empty()).then(|| view! {
                <h2>{t.cp_own_assessment}</h2>
                <p class="message-text">{o.body.assessment.clone()}</p>
            })}
            {let observation_id = o.id.to_string();
            o.can_acknowledge.then(|| view! {
                <ActionForm action=acknowledge attr:class="form" attr:id="observation-acknowledge-form">
                    <FormStatus value=ack_value />
                    <input type="hidden" name="id" value=observation_id.clone() />
                    <button type="submit" class="btn btn-primary" id="observation-acknowledge">{t.cp_acknowledge}</button>
                </ActionForm>
            })}
            {o.case_id.clone().map(|case| view! {
                <p><a class="btn btn-secondary" id="observation-case-link" href=format!("/kinderschutz/{case}")>{t.cp_to_case}</a></p>
            })}
            {o.can_start.then(|| view! {
                <OpenCaseForm action=open value=open_value from=o.id.to_string() key=o.open_key.clone() />
            })}
        </Load>
        <p><a href="/kinderschutz">{t.cp_title}</a></p>
        </Guard>
    }
}

/// Opens a procedure from an observation, an incident or for a young person.
#[component]
pub(crate) fn OpenCaseForm(
    action: ServerAction<OpenCase>,
    value: Signal<Option<Result<String, crate::error::AppError>>>,
    from: String,
    key: String,
    #[prop(optional)] youths: Vec<(String, String)>,
) -> impl IntoView {
    let t = texts();
    let several = youths.len() > 1;
    view! {
        <ActionForm action=action attr:class="form" attr:id="open-case-form" attr:novalidate=true>
            <h2>{t.cp_open_case}</h2>
            <p class="hint">{t.cp_open_case_hint}</p>
            <FormStatus value=value />
            <input type="hidden" name="input[from]" value=from />
            <input type="hidden" name="input[key]" value=key />
            {several.then(|| view! {
                <SelectField label=t.cp_youth name="input[youth_id]" id="open-case-youth" options=youths.clone() placeholder=t.choose error=field_error(value, "youth_id") />
            })}
            <label class="choice" for="open-case-staff">
                <input type="checkbox" name="input[concerns_staff]" value="ja" id="open-case-staff" />
                <span>{t.cp_concerns_staff_label}</span>
            </label>
            <button type="submit" class="btn btn-primary" id="open-case-submit" disabled=move || action.pending().get()>{t.cp_open_case}</button>
        </ActionForm>
    }
}

// ------------------------------------------------------------------ one procedure

/// `/kinderschutz/:id`: the procedure.
#[component]
pub fn CasePage() -> impl IntoView {
    let id = super::route_id();
    // Loaded again after a step, a signature or a person was saved (not after a refused
    // form: the typed text stays with its messages).
    let saved = RwSignal::new(0u32);
    let case =
        Resource::new(move || (id.get(), saved.get()), |(id, _)| when_allowed(Page::Protection, move || get_case(id)));
    view! {
        <Guard page=Page::Protection>
        <Load data=case keep=true let:c>
            <CaseContent c=c saved=saved />
        </Load>
        </Guard>
    }
}

#[component]
fn CaseContent(c: CaseView, saved: RwSignal<u32>) -> impl IntoView {
    let t = texts();
    let s = c.summary.clone();
    let case_id = s.id.to_string();
    let recorded: Vec<StepKind> = c.steps.iter().filter(|st| st.corrected_by.is_none()).map(|st| st.kind).collect();
    let checklist = StepKind::ALL
        .iter()
        .map(|kind| {
            let dates: Vec<String> = c
                .steps
                .iter()
                .filter(|st| st.kind == *kind && st.corrected_by.is_none())
                .map(|st| st.date.clone())
                .collect();
            let done = !dates.is_empty();
            view! {
                <li data-done=done.to_string() class=if done { "check-done" } else { "check-open" }>
                    <strong>{kind.label()}</strong>": "
                    {if done { dates.join(", ") } else { t.cp_step_missing.to_owned() }}
                </li>
            }
        })
        .collect_view();
    let open = !s.closed;
    let first_done = recorded.contains(&StepKind::First);
    let forms: Vec<StepKind> = if !c.can_work || !open {
        Vec::new()
    } else if first_done {
        StepKind::ALL.iter().copied().filter(|k| *k != StepKind::First).collect()
    } else {
        vec![StepKind::First]
    };
    let key = c.key.clone();
    let pdf_base = format!("/kinderschutz/{case_id}");
    view! {
        <PageTitle text=fill(t.cp_case_of, &[("name", &s.youth_name)]) />
        <p class="entry-meta" id="case-state"><CaseBadges summary=s.clone() />" "{s.group_name.clone()}" · "{fill(t.cp_opened, &[("when", &s.opened)])}</p>
        {s.outcome.map(|o| view! { <p class="alert alert-success" id="case-outcome">{fill(t.cp_case_closed, &[("outcome", o.label())])}</p> })}
        <section aria-labelledby="case-checklist-title">
            <h2 id="case-checklist-title">{t.cp_checklist}</h2>
            <ol class="checklist" id="case-checklist">{checklist}</ol>
        </section>
        {(!c.deadlines.is_empty()).then(|| view! {
            <section aria-labelledby="case-deadlines-title">
                <h2 id="case-deadlines-title">{t.cp_deadlines}</h2>
                <ul class="plain-list" id="case-deadlines">
                    {c.deadlines.iter().map(|d| view! {
                        <li>
                            {d.kind.label()}": "{fill(t.cp_due_on, &[("when", &d.due)])}" "
                            {if d.met {
                                view! { <span class="badge badge-ok">{t.cp_met}</span> }.into_any()
                            } else if d.overdue {
                                view! { <span class="badge badge-alarm">{t.cp_overdue}</span> }.into_any()
                            } else {
                                ().into_any()
                            }}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {(!c.observations.is_empty()).then(|| view! {
            <section aria-labelledby="case-observations-title">
                <h2 id="case-observations-title">{t.cp_pdf_observations}</h2>
                <ObservationList items=c.observations.clone() id="case-observations" />
            </section>
        })}
        <section aria-labelledby="schritte" id="case-steps">
            <h2 id="schritte">{t.cp_steps}</h2>
            {if c.steps.is_empty() {
                view! { <p class="muted">{t.cp_no_steps}</p> }.into_any()
            } else {
                c.steps.iter().cloned().map(|st| view! {
                    <StepCard step=st case_id=case_id.clone() key=key.clone() saved=saved />
                }).collect_view().into_any()
            }}
        </section>
        {(!forms.is_empty()).then(|| view! {
            <section aria-labelledby="case-record-title">
                <h2 id="case-record-title">{t.cp_record_step}</h2>
                <p class="hint">{t.cp_record_hint}</p>
                {forms.iter().map(|kind| view! {
                    <details class="card step-form" id=format!("record-{}", kind.code())>
                        <summary>{kind.label()}</summary>
                        <StepForm kind=*kind case_id=case_id.clone() key=key.clone() today=c.today.clone() saved=saved corrects=String::new() />
                    </details>
                }).collect_view()}
            </section>
        })}
        <section aria-labelledby="beteiligte">
            <h2 id="beteiligte">{t.cp_members}</h2>
            <p class="hint">{t.cp_members_hint}</p>
            {if c.members.is_empty() {
                view! { <p class="muted">{t.cp_no_members}</p> }.into_any()
            } else {
                view! { <ul class="plain-list" id="case-members">{c.members.iter().map(|m| view! { <li>{m.clone()}</li> }).collect_view()}</ul> }.into_any()
            }}
            {(c.can_manage && !c.candidates.is_empty()).then(|| view! {
                <MemberForm case_id=case_id.clone() candidates=c.candidates.iter().map(|x| (x.id.to_string(), format!("{} ({})", x.name, x.role))).collect() saved=saved />
            })}
        </section>
        <section aria-labelledby="case-documents-title" class="no-print">
            <h2 id="case-documents-title">{t.cp_documents}</h2>
            {c.licence_offer.then(|| view! {
                <p><a class="btn btn-secondary" id="case-licence" href=format!("/meldungen-47/neu?verfahren={case_id}")>{t.l47_offer}</a></p>
            })}
            <p><a class="btn btn-secondary" id="case-notice-pdf" rel="external" href=format!("{pdf_base}/mitteilung.pdf") download="">{t.cp_notice_pdf}</a></p>
            <p><a class="btn btn-secondary" id="case-export-pdf" rel="external" href=format!("{pdf_base}/fachkraft.pdf") download="">{t.cp_export_pdf}</a></p>
            <p class="hint">{t.cp_export_hint}</p>
        </section>
        <section aria-labelledby="case-history-title">
            <h2 id="case-history-title">{t.cp_history}</h2>
            <ol class="history" id="case-history">
                {c.events.iter().map(|e| view! {
                    <li><p class="entry-meta">{e.at.clone()}{e.by.clone().map(|b| format!(" · {b}"))}</p><p>{e.text.clone()}</p></li>
                }).collect_view()}
            </ol>
        </section>
        <p><a href="/kinderschutz">{t.cp_title}</a></p>
    }
}

/// Bumps `saved` when an action succeeded, so the procedure loads again.
fn reload_on_success<T: Clone + Send + Sync + 'static>(
    value: Signal<Option<Result<T, crate::error::AppError>>>,
    saved: RwSignal<u32>,
) {
    Effect::new(move |_| {
        if matches!(value.get(), Some(Ok(_))) {
            saved.update(|n| *n += 1);
        }
    });
}

#[component]
fn StepCard(step: StepView, case_id: String, key: String, saved: RwSignal<u32>) -> impl IntoView {
    let t = texts();
    let sign = ServerAction::<SignStep>::new();
    let sign_value = Signal::derive(move || sign.value().get());
    reload_on_success(sign_value, saved);
    let has_second = step.signatures.iter().any(|g| g.signed_as == Some(SignRole::Second));
    let needs_second =
        matches!(step.kind, StepKind::First | StepKind::Assessment) && !has_second && step.corrected_by.is_none();
    let step_id = step.id.to_string();
    let (second_id, leitung_id) = (step_id.clone(), step_id.clone());
    let kind = step.kind;
    let class = if step.corrected_by.is_some() { "card step-card step-corrected" } else { "card step-card" };
    view! {
        <article class=class id=format!("step-{}", step.id) data-kind=kind.code()>
            <h3>{kind.label()}" · "{step.date.clone()}</h3>
            {step.correction_of.clone().map(|c| view! { <p class="muted">{c}</p> })}
            {step.corrected_by.clone().map(|c| view! { <p class="alert alert-info">{c}</p> })}
            <dl class="facts">
                {(!step.participants.is_empty()).then(|| view! { <dt>{t.cp_participants}</dt><dd>{step.participants.clone()}</dd> })}
                {step.lines.iter().map(|(k, v)| view! { <dt>{k.clone()}</dt><dd class="message-text">{v.clone()}</dd> }).collect_view()}
            </dl>
            <ul class="plain-list signatures">
                {step.signatures.iter().map(|g| {
                    let text = match g.signed_as {
                        None => fill(t.cp_signed_author, &[("name", &g.name), ("when", &g.at)]),
                        Some(role) => fill(t.cp_signed_as, &[("role", role.label()), ("name", &g.name), ("when", &g.at)]),
                    };
                    view! { <li>{text}</li> }
                }).collect_view()}
            </ul>
            {needs_second.then(|| view! { <p class="hint">{t.cp_awaits_second}</p> })}
            <FormStatus value=sign_value />
            {step.can_sign_second.then(|| view! {
                <ActionForm action=sign attr:class="inline-form">
                    <input type="hidden" name="id" value=second_id.clone() />
                    <input type="hidden" name="input[signed_as]" value=SignRole::Second.code() />
                    <button type="submit" class="btn btn-secondary sign-second">{t.cp_sign_second_button}</button>
                </ActionForm>
            })}
            {step.can_sign_leitung.then(|| view! {
                <ActionForm action=sign attr:class="inline-form">
                    <input type="hidden" name="id" value=leitung_id.clone() />
                    <input type="hidden" name="input[signed_as]" value=SignRole::Acknowledgement.code() />
                    <button type="submit" class="btn btn-secondary sign-leitung">{t.cp_sign_leitung_button}</button>
                </ActionForm>
            })}
            {step.can_correct.then(|| view! {
                <details class="step-correct">
                    <summary>{t.cp_correct}</summary>
                    <p class="hint">{t.cp_correct_hint}</p>
                    <StepForm kind=kind case_id=case_id.clone() key=key.clone() today=String::new() saved=saved corrects=step_id.clone() />
                </details>
            })}
        </article>
    }
}

/// The form of one kind of step (or of a correction, with `corrects`).
#[component]
fn StepForm(
    kind: StepKind,
    case_id: String,
    key: String,
    today: String,
    saved: RwSignal<u32>,
    corrects: String,
) -> impl IntoView {
    let t = texts();
    let action = ServerAction::<RecordStep>::new();
    let value = Signal::derive(move || action.value().get());
    reload_on_success(value, saved);
    let prefix = if corrects.is_empty() {
        kind.code().to_owned()
    } else {
        format!("fix-{}", &corrects[corrects.len().saturating_sub(8)..])
    };
    let prefix = StoredValue::new(prefix);
    let f = move |name: &str| format!("{}-{name}", prefix.get_value());
    let err = move |field: &'static str| field_error(value, field);
    let correcting = !corrects.is_empty();
    let fields = match kind {
        StepKind::First => view! {
            <TextArea label=t.cp_participants name="input[participants]" id=f("participants") required=true rows=2 hint=t.cp_participants_hint error=err("participants") />
            <ChoiceGroup legend=t.cp_result name="input[result]" id=f("result") options=options(FirstResult::ALL, FirstResult::code, FirstResult::label) error=err("result") />
            <p class="hint">{t.cp_acute_hint}</p>
            <TextField label=t.cp_informed_whom name="input[informed_whom]" id=f("informed-whom") required=false error=err("informed_whom") />
            <TextField label=t.cp_informed_at name="input[informed_at]" id=f("informed-at") kind="datetime-local" required=false error=err("informed_at") />
            <TextArea label=t.cp_notes name="input[text]" id=f("text") rows=4 error=err("text") />
        }.into_any(),
        StepKind::Assessment => view! {
            <TextArea label=t.cp_participants name="input[participants]" id=f("participants") required=true rows=2 hint=t.cp_participants_hint error=err("participants") />
            <TextArea label=t.cp_intensity name="input[intensity]" id=f("intensity") required=true rows=2 error=err("intensity") />
            <TextArea label=t.cp_frequency name="input[frequency]" id=f("frequency") required=true rows=2 error=err("frequency") />
            <TextArea label=t.cp_duration name="input[duration]" id=f("duration") required=true rows=2 error=err("duration") />
            <TextArea label=t.cp_probability name="input[probability]" id=f("probability") required=true rows=2 error=err("probability") />
            <SelectField label=t.cp_parents_accept name="input[parents_accept]" id=f("parents-accept") options=options(Acceptance::ALL, Acceptance::code, Acceptance::label) placeholder=t.choose error=err("parents_accept") />
            <SelectField label=t.cp_staff_accept name="input[staff_accept]" id=f("staff-accept") options=options(Acceptance::ALL, Acceptance::code, Acceptance::label) placeholder=t.choose error=err("staff_accept") />
            <TextArea label=t.cp_assessment_text name="input[text]" id=f("text") rows=4 error=err("text") />
        }.into_any(),
        StepKind::Specialist => view! {
            <TextField label=t.cp_specialist name="input[specialist]" id=f("specialist") error=err("specialist") />
            <TextArea label=t.cp_advice name="input[advice]" id=f("advice") required=true rows=4 error=err("advice") />
            <TextArea label=t.cp_dissent name="input[dissent]" id=f("dissent") rows=2 error=err("dissent") />
            <TextArea label=t.cp_next_steps name="input[next_steps]" id=f("next-steps") rows=3 error=err("next_steps") />
            <TextField label=t.cp_due name="input[due]" id=f("due") kind="date" required=false error=err("due") />
        }.into_any(),
        StepKind::Involvement => view! {
            <Involvement who="parents" legend=t.cp_parents_involved prefix=f("parents") value=value />
            <Involvement who="child" legend=t.cp_child_involved prefix=f("child") value=value />
        }.into_any(),
        StepKind::Help => view! {
            <TextArea label=t.cp_participants name="input[participants]" id=f("participants") rows=2 error=err("participants") />
            <TextArea label=t.cp_agreements name="input[agreements]" id=f("agreements") required=true rows=4 error=err("agreements") />
            <TextField label=t.cp_deadline name="input[deadline]" id=f("deadline") kind="date" required=false error=err("deadline") />
        }.into_any(),
        StepKind::Notice => view! {
            <TextField label=t.cp_recipient name="input[recipient]" id=f("recipient") error=err("recipient") />
            <SelectField label=t.cp_channel name="input[channel]" id=f("channel") options=options(Channel::ALL, Channel::code, Channel::label) placeholder=t.choose error=err("channel") />
            <TextField label=t.cp_notice_at name="input[notice_at]" id=f("notice-at") kind="datetime-local" error=err("notice_at") />
        }.into_any(),
        StepKind::Review => view! {
            <TextArea label=t.cp_participants name="input[participants]" id=f("participants") rows=2 error=err("participants") />
            <TextArea label=t.cp_notes name="input[text]" id=f("text") required=true rows=4 error=err("text") />
            <TextField label=t.cp_next_review name="input[next_review]" id=f("next-review") kind="date" required=false error=err("next_review") />
        }.into_any(),
        StepKind::Closing => view! {
            <ChoiceGroup legend=t.cp_outcome name="input[outcome]" id=f("outcome") options=options(Outcome::ALL, Outcome::code, Outcome::label) error=err("outcome") />
            <ChoiceGroup legend=t.cp_forms name="input[forms]" id=f("forms") multiple=true options=options(DangerForm::ALL, DangerForm::code, DangerForm::label) error=err("forms") />
            <p class="hint">{t.cp_acute_hint}</p>
            <TextField label=t.cp_informed_whom name="input[informed_whom]" id=f("informed-whom") required=false error=err("informed_whom") />
            <TextField label=t.cp_informed_at name="input[informed_at]" id=f("informed-at") kind="datetime-local" required=false error=err("informed_at") />
            <TextArea label=t.cp_notes name="input[text]" id=f("text") rows=4 error=err("text") />
        }.into_any(),
    };
    view! {
        <ActionForm action=action attr:class="form step-form-body" attr:novalidate=true attr:id=f("form")>
            <FormStatus value=value />
            <input type="hidden" name="id" value=case_id />
            <input type="hidden" name="input[key]" value=key />
            <input type="hidden" name="input[kind]" value=kind.code() />
            <input type="hidden" name="input[corrects]" value=corrects.clone() />
            <TextField label=t.cp_step_date name="input[date]" id=f("date") kind="date" value=today error=err("date") />
            {fields}
            {correcting.then(|| view! {
                <TextArea label=t.cp_reason name="input[reason]" id=f("reason") required=true rows=2 error=err("reason") />
            })}
            <button type="submit" class="btn btn-primary" id=f("save") disabled=move || action.pending().get()>{t.cp_save_step}</button>
        </ActionForm>
    }
}

/// "Ja, am [Datum]" or "Nein, weil …".
#[component]
fn Involvement(
    who: &'static str,
    legend: &'static str,
    prefix: String,
    value: Signal<Option<Result<(), crate::error::AppError>>>,
) -> impl IntoView {
    let t = texts();
    let (name, on, reason, on_field, reason_field, yes_no_field) = match who {
        "parents" => (
            "input[parents_involved]",
            "input[parents_on]",
            "input[parents_reason]",
            "parents_on",
            "parents_reason",
            "parents_involved",
        ),
        _ => (
            "input[child_involved]",
            "input[child_on]",
            "input[child_reason]",
            "child_on",
            "child_reason",
            "child_involved",
        ),
    };
    view! {
        <div class="involvement">
            <ChoiceGroup legend=legend name=name id=format!("{prefix}-involved") options=vec![("ja".to_owned(), t.cp_yes_on.to_owned()), ("nein".to_owned(), t.cp_no_because.to_owned())] error=field_error(value, yes_no_field) />
            <TextField label=t.cp_step_date name=on id=format!("{prefix}-on") kind="date" required=false error=field_error(value, on_field) />
            <TextArea label=t.cp_reason name=reason id=format!("{prefix}-reason") rows=2 error=field_error(value, reason_field) />
        </div>
    }
}

#[component]
fn MemberForm(case_id: String, candidates: Vec<(String, String)>, saved: RwSignal<u32>) -> impl IntoView {
    let t = texts();
    let action = ServerAction::<AddMember>::new();
    let value = Signal::derive(move || action.value().get());
    reload_on_success(value, saved);
    view! {
        <ActionForm action=action attr:class="form" attr:id="member-form" attr:novalidate=true>
            <FormStatus value=value />
            <input type="hidden" name="id" value=case_id />
            <SelectField label=t.cp_member name="input[user_id]" id="member-user" options=candidates placeholder=t.choose error=field_error(value, "user_id") />
            <button type="submit" class="btn btn-secondary" id="member-add" disabled=move || action.pending().get()>{t.cp_add_member}</button>
        </ActionForm>
    }
}
