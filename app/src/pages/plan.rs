//! The help plan: a young person's plan with its goals and versions, one version word for
//! word, and a goal's progress page.

use super::route_id;
use crate::api::goals::{CreateGoal, UpdateGoal, get_goal_progress};
use crate::api::plans::{CreatePlanVersion, get_help_plan, get_plan_version};
use crate::auth::policy::Page;
use crate::components::form::{FormStatus, SelectField, TextArea, TextField, field_error};
use crate::components::load::Load;
use crate::components::status::{Guard, PageTitle, when_allowed};
use crate::domain::goal::{BLANK_STEPS, Goal, GoalInput, GoalLevel, GoalStatus, StepInput};
use crate::domain::plan::{GoalOverview, HelpPlan, LatestRatings, LegalBasis, PlanVersion};
use crate::domain::progress::GoalProgress;
use crate::domain::text::format_date;
use crate::error::AppError;
use crate::i18n::{fill, texts};
use leptos::prelude::*;

#[component]
pub fn HelpPlanPage() -> impl IntoView {
    let t = texts();
    let id = route_id();
    let create_goal = ServerAction::<CreateGoal>::new();
    let update_goal = ServerAction::<UpdateGoal>::new();
    let record = ServerAction::<CreatePlanVersion>::new();
    let start = ServerAction::<crate::api::reports::StartReport>::new();
    let plan = Resource::new(
        move || (id.get(), create_goal.version().get(), update_goal.version().get(), record.version().get()),
        |(id, ..)| when_allowed(Page::HelpPlan, move || get_help_plan(id)),
    );
    let reports = Resource::new(
        move || (id.get(), record.version().get(), start.version().get()),
        |(id, ..)| when_allowed(Page::HelpPlan, move || crate::api::reports::list_reports(id)),
    );
    view! {
        <Guard page=Page::HelpPlan>
        <Load data=plan let:p>
            <PageTitle text=fill(t.plan_of, &[("name", &p.youth_name)]) />
            <p class="page-lead"><a href=format!("/jugendliche/{}", p.youth_id)>{fill(t.plan_youth_link, &[("name", &p.youth_name)])}</a></p>
            <PlanHeader plan=p.clone() />
            <PlanGoals plan=p.clone() create_goal update_goal />
            {p.can_edit.then(|| view! { <NewVersion plan=p.clone() action=record /> })}
            <PlanVersions plan=p />
        </Load>
        <Load data=reports let:list>
            <crate::pages::report::ReportsPanel list start />
        </Load>
        </Guard>
    }
}

/// The newest version's header: when, who, on which legal basis, with whom as key worker.
#[component]
fn PlanHeader(plan: HelpPlan) -> impl IntoView {
    let t = texts();
    let legal = plan.legal_basis.map_or(t.plan_legal_basis_unset, LegalBasis::label);
    view! {
        <section class="stack" aria-labelledby="plan-current-title">
            <h2 id="plan-current-title">{t.plan_current}</h2>
            {match plan.current {
                None => view! {
                    <p class="empty">{t.plan_none}</p>
                    <dl class="facts"><dt>{t.plan_legal_basis}</dt><dd>{legal}</dd></dl>
                }.into_any(),
                Some(v) => view! {
                    <p id="plan-current"><a href=format!("/hilfeplan/{}", v.id)>{fill(t.plan_header, &[("n", &v.version.to_string()), ("date", &format_date(&v.agreed_on))])}</a></p>
                    <dl class="facts">
                        <dt>{t.plan_participants}</dt><dd>{v.snapshot.participants.clone()}</dd>
                        <dt>{t.plan_legal_basis}</dt><dd>{legal}</dd>
                        <dt>{t.plan_key_worker}</dt><dd>{v.snapshot.key_worker.clone()}</dd>
                        {(!v.snapshot.place.is_empty()).then(|| view! { <dt>{t.plan_place}</dt><dd>{v.snapshot.place.clone()}</dd> })}
                        {(!v.snapshot.results.is_empty()).then(|| view! { <dt>{t.plan_results}</dt><dd class="pre-line">{v.snapshot.results.clone()}</dd> })}
                        {(!v.snapshot.next_on.is_empty()).then(|| view! { <dt>{t.plan_next_on}</dt><dd id="plan-next-meeting">{format_date(&v.snapshot.next_on)}</dd> })}
                    </dl>
                    <p class="muted">{fill(t.plan_recorded, &[("name", &v.author_name), ("at", &v.recorded_at)])}</p>
                }.into_any(),
            }}
        </section>
    }
}

/// "Bezugsbetreuer:in: teilweise erreicht (01.11.2026) · …", or "Noch nicht eingeschätzt".
pub fn ratings_line(latest: &LatestRatings) -> String {
    use crate::domain::plan::Perspective;
    let t = texts();
    let parts: Vec<String> = [
        (Perspective::Staff, &latest.staff),
        (Perspective::Youth, &latest.youth),
        (Perspective::Parents, &latest.parents),
    ]
    .into_iter()
    .filter_map(|(p, r)| {
        r.as_ref().map(|(rating, date)| {
            fill(
                t.goals_rating_line,
                &[("perspective", p.label()), ("rating", rating.label()), ("date", &format_date(date))],
            )
        })
    })
    .collect();
    if parts.is_empty() { t.goals_not_rated.to_owned() } else { parts.join(" · ") }
}

/// A goal's steps: who does what by when (nothing without steps).
#[component]
fn StepList(steps: Vec<crate::domain::goal::Step>) -> impl IntoView {
    let t = texts();
    (!steps.is_empty()).then(|| {
        view! {
            <ul class="steps">
                {steps.into_iter().map(|s| view! {
                    <li>{fill(t.goals_step_line, &[("who", &s.who), ("what", &s.what), ("date", &format_date(&s.by))])}</li>
                }).collect_view()}
            </ul>
        }
    })
}

/// One goal of the current plan: level, status, steps, latest ratings, what to point out.
#[component]
pub fn GoalSummary(overview: GoalOverview, stale_weeks: i64) -> impl IntoView {
    let t = texts();
    let g = overview.goal;
    let action = g.level == GoalLevel::Action && g.parent_id.is_some();
    let status = if g.status == GoalStatus::Dropped && !g.status_reason.is_empty() {
        format!("{} ({})", g.status.label(), g.status_reason)
    } else {
        g.status.label().to_owned()
    };
    let last = if overview.last_entry_on.is_empty() {
        t.goals_no_entry.to_owned()
    } else {
        fill(t.goals_last_entry, &[("date", &format_date(&overview.last_entry_on))])
    };
    view! {
        <div class="goal-summary stack" class:goal-action=action>
            <p class="goal-head">
                <span class="badge">{g.level.label()}</span>" "
                <a href=format!("/ziele/{}", g.id) class="goal-title">{g.title.clone()}</a>
            </p>
            <p class="muted">{t.goals_status}": "{status}
                {(!g.review_on.is_empty()).then(|| view! { " · "{fill(t.goals_review, &[("date", &format_date(&g.review_on))])} })}
            </p>
            <StepList steps=g.steps.clone() />
            <p class="goal-ratings">{t.goals_latest}": "{ratings_line(&overview.latest)}</p>
            <p class="muted">{last}</p>
            {overview.stale.then(|| view! {
                <p class="alert alert-warning goal-stale">{fill(t.goals_stale, &[("weeks", &stale_weeks.to_string())])}</p>
            })}
            {(!overview.warnings.is_empty()).then(|| view! {
                <ul class="goal-warnings" aria-label=t.goal_hints>
                    {overview.warnings.iter().map(|w| view! { <li class="field-hint">{w.text()}</li> }).collect_view()}
                </ul>
            })}
        </div>
    }
}

#[component]
fn PlanGoals(
    plan: HelpPlan,
    create_goal: ServerAction<CreateGoal>,
    update_goal: ServerAction<UpdateGoal>,
) -> impl IntoView {
    let t = texts();
    let created = Signal::derive(move || create_goal.value().get());
    let updated = Signal::derive(move || update_goal.value().get());
    let directions: Vec<(String, String)> = plan
        .goals
        .iter()
        .filter(|o| o.goal.level == GoalLevel::Direction)
        .map(|o| (o.goal.id.to_string(), o.goal.title.clone()))
        .collect();
    let can_edit = plan.can_edit;
    let youth_id = plan.youth_id.to_string();
    let stale_weeks = plan.stale_weeks;
    view! {
        <section class="stack" id="ziele" aria-labelledby="ziele-titel">
            <h2 id="ziele-titel">{t.plan_goals}</h2>
            <p class="muted">{t.plan_goals_lead}</p>
            {plan.goals.is_empty().then(|| view! { <p class="empty">{t.goals_empty}</p> })}
            <ul class="list goal-list">
                {plan.goals.into_iter().map(|o| {
                    let goal = o.goal.clone();
                    let key = format!("goal-edit-{}", &goal.id.as_str()[28..]);
                    let directions = directions.iter().filter(|(id, _)| *id != goal.id.as_str()).cloned().collect::<Vec<_>>();
                    view! {
                        <li class="list-item">
                            <GoalSummary overview=o stale_weeks />
                            {can_edit.then(|| view! {
                                <details>
                                    <summary class="btn btn-link">{t.edit}</summary>
                                    <ActionForm action=update_goal attr:class="form" attr:novalidate=true>
                                        <FormStatus value=updated />
                                        <input type="hidden" name="id" value=goal.id.to_string() />
                                        <GoalFields goal=GoalInput::from(&goal) key directions value=updated />
                                        <button type="submit" class="btn btn-primary">{t.save}</button>
                                    </ActionForm>
                                </details>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {can_edit.then(|| view! {
                <details class="add-goal">
                    <summary class="btn btn-secondary">{t.goals_add}</summary>
                    <ActionForm action=create_goal attr:class="form" attr:novalidate=true>
                        <FormStatus value=created />
                        <input type="hidden" name="input[youth_id]" value=youth_id.clone() />
                        <GoalFields goal=GoalInput { youth_id: youth_id.clone(), ..GoalInput::default() } key="goal-new".to_owned() directions=directions.clone() value=created />
                        <button type="submit" class="btn btn-primary" id="goal-save">{t.save}</button>
                    </ActionForm>
                </details>
            })}
        </section>
    }
}

/// The goal form. `key`: unique on the page, as several goals can be edited.
#[component]
fn GoalFields(
    goal: GoalInput,
    key: String,
    /// The young person's Richtungsziele (id, title) a Handlungsziel can belong to.
    directions: Vec<(String, String)>,
    value: Signal<Option<Result<String, AppError>>>,
) -> impl IntoView {
    let t = texts();
    let level = if goal.level.is_empty() { GoalLevel::Action.code().to_owned() } else { goal.level.clone() };
    let status = if goal.status.is_empty() { GoalStatus::Open.code().to_owned() } else { goal.status.clone() };
    let mut parents = vec![(String::new(), t.goals_parent_none.to_owned())];
    parents.extend(directions);
    let mut steps = goal.steps.clone();
    steps.extend((0..BLANK_STEPS).map(|_| StepInput::default()));
    let steps_error = field_error(value, "steps");
    view! {
        <TextField label=t.goals_goal_title name="input[title]" id=format!("{key}-title") value=goal.title maxlength=crate::domain::goal::TITLE_MAX error=field_error(value, "title") />
        <SelectField label=t.goals_level name="input[level]" id=format!("{key}-level")
            options=GoalLevel::ALL.iter().map(|l| (l.code().to_owned(), l.label().to_owned())).collect()
            selected=level error=field_error(value, "level") />
        <SelectField label=t.goals_parent name="input[parent_id]" id=format!("{key}-parent") required=false
            options=parents selected=goal.parent_id error=field_error(value, "parent_id") />
        <TextField label=t.goals_youth_title name="input[youth_title]" id=format!("{key}-youth-title") required=false value=goal.youth_title hint=t.goals_youth_title_hint maxlength=crate::domain::goal::TITLE_MAX error=field_error(value, "youth_title") />
        <TextArea label=t.goals_description name="input[description]" id=format!("{key}-description") value=goal.description maxlength=crate::domain::goal::DESCRIPTION_MAX error=field_error(value, "description") />
        <SelectField label=t.goals_status name="input[status]" id=format!("{key}-status")
            options=GoalStatus::ALL.iter().map(|s| (s.code().to_owned(), s.label().to_owned())).collect()
            selected=status error=field_error(value, "status") />
        <TextField label=t.goals_status_reason name="input[status_reason]" id=format!("{key}-reason") required=false value=goal.status_reason maxlength=crate::domain::goal::REASON_MAX error=field_error(value, "status_reason") />
        <TextField label=t.goals_review_on name="input[review_on]" id=format!("{key}-review") kind="date" required=false value=goal.review_on error=field_error(value, "review_on") />
        <fieldset class="steps-fieldset stack">
            <legend>{t.goals_steps}</legend>
            <p class="hint">{t.goals_steps_hint}</p>
            {steps.into_iter().enumerate().map(|(i, s)| {
                let id = |f: &str| format!("{key}-step-{i}-{f}");
                let name = |f: &str| format!("input[steps][{i}][{f}]");
                view! {
                    <div class="step-row cluster" role="group" aria-label=fill(t.goals_step_n, &[("n", &(i + 1).to_string())])>
                        <div class="field"><label for=id("who")>{t.goals_step_who}</label>
                            <input id=id("who") name=name("who") value=s.who maxlength=crate::domain::goal::STEP_WHO_MAX /></div>
                        <div class="field field-wide"><label for=id("what")>{t.goals_step_what}</label>
                            <input id=id("what") name=name("what") value=s.what maxlength=crate::domain::goal::STEP_WHAT_MAX /></div>
                        <div class="field"><label for=id("by")>{t.goals_step_by}</label>
                            <input id=id("by") name=name("by") type="date" value=s.by /></div>
                    </div>
                }
            }).collect_view()}
            {move || steps_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </fieldset>
    }
}

/// Recording a new version after a Hilfeplangespräch.
#[component]
fn NewVersion(plan: HelpPlan, action: ServerAction<CreatePlanVersion>) -> impl IntoView {
    let t = texts();
    let value = Signal::derive(move || action.value().get());
    let current = plan.current.as_ref();
    let participants = current.map(|v| v.snapshot.participants.clone()).unwrap_or_default();
    let key_worker = current.map(|v| v.snapshot.key_worker.clone()).unwrap_or_default();
    let legal = plan.legal_basis.map(|l| l.code().to_owned()).unwrap_or_default();
    view! {
        <section class="stack" aria-labelledby="plan-new-title">
            <details id="plan-new">
                <summary class="btn btn-secondary" id="plan-new-title">{t.plan_new_version}</summary>
                <ActionForm action=action attr:class="form" attr:novalidate=true>
                    <p class="muted">{t.plan_new_version_lead}</p>
                    <FormStatus value />
                    <input type="hidden" name="input[youth_id]" value=plan.youth_id.to_string() />
                    <TextField label=t.plan_agreed_on name="input[agreed_on]" id="plan-agreed-on" kind="date" error=field_error(value, "agreed_on") />
                    <TextArea label=t.plan_participants name="input[participants]" id="plan-participants" required=true value=participants maxlength=crate::domain::plan::PARTICIPANTS_MAX error=field_error(value, "participants") />
                    <SelectField label=t.plan_legal_basis name="input[legal_basis]" id="plan-legal-basis" placeholder=t.choose
                        options=LegalBasis::ALL.iter().map(|l| (l.code().to_owned(), l.label().to_owned())).collect()
                        selected=legal error=field_error(value, "legal_basis") />
                    <TextField label=t.plan_key_worker name="input[key_worker]" id="plan-key-worker" value=key_worker maxlength=crate::domain::plan::KEY_WORKER_MAX error=field_error(value, "key_worker") />
                    <TextField label=t.plan_place name="input[place]" id="plan-place" required=false maxlength=crate::domain::plan::PLACE_MAX error=field_error(value, "place") />
                    <TextArea label=t.plan_results name="input[results]" id="plan-results" rows=5 hint=t.plan_results_hint maxlength=crate::domain::plan::RESULTS_MAX error=field_error(value, "results") />
                    <TextField label=t.plan_next_on name="input[next_on]" id="plan-next-on" kind="date" required=false hint=t.plan_next_on_hint error=field_error(value, "next_on") />
                    <button type="submit" class="btn btn-primary" id="plan-record">{t.plan_record}</button>
                </ActionForm>
            </details>
        </section>
    }
}

#[component]
fn PlanVersions(plan: HelpPlan) -> impl IntoView {
    let t = texts();
    (!plan.versions.is_empty()).then(|| {
        view! {
            <section class="stack" aria-labelledby="plan-versions-title">
                <h2 id="plan-versions-title">{t.plan_versions}</h2>
                <ul class="list" id="plan-versions">
                    {plan.versions.into_iter().map(|v| view! {
                        <li class="list-item"><a href=format!("/hilfeplan/{}", v.id)>
                            {fill(t.plan_version_link, &[("n", &v.version.to_string()), ("date", &format_date(&v.agreed_on))])}
                        </a></li>
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

/// One version of a plan, as it was agreed.
#[component]
pub fn PlanVersionPage() -> impl IntoView {
    let id = route_id();
    let version = Resource::new(move || id.get(), |id| when_allowed(Page::HelpPlan, move || get_plan_version(id)));
    view! {
        <Guard page=Page::HelpPlan>
        <Load data=version let:v>
            <VersionView v />
        </Load>
        </Guard>
    }
}

#[component]
fn VersionView(v: PlanVersion) -> impl IntoView {
    let t = texts();
    let n = v.version.to_string();
    let titles: Vec<(String, String)> = v.snapshot.goals.iter().map(|g| (g.id.to_string(), g.title.clone())).collect();
    view! {
        <PageTitle text=fill(t.plan_version_title, &[("name", &v.youth_name), ("n", &n)]) />
        <p class="page-lead">{fill(t.plan_version_lead, &[("date", &format_date(&v.agreed_on))])}</p>
        <p>
            {match &v.newer {
                Some(newer) => view! {
                    <a href=format!("/hilfeplan/{}", newer.id)>{fill(t.plan_version_link, &[("n", &newer.version.to_string()), ("date", &format_date(&newer.agreed_on))])}</a>
                }.into_any(),
                None => view! { <span>{t.plan_is_latest}</span> }.into_any(),
            }}
            " · "<a href=format!("/jugendliche/{}/hilfeplan", v.youth_id)>{t.plan_back}</a>
        </p>
        <dl class="facts">
            <dt>{t.plan_agreed_on}</dt><dd>{format_date(&v.agreed_on)}</dd>
            <dt>{t.plan_participants}</dt><dd>{v.snapshot.participants.clone()}</dd>
            <dt>{t.plan_legal_basis}</dt><dd>{v.snapshot.legal_basis.label()}</dd>
            <dt>{t.plan_key_worker}</dt><dd>{v.snapshot.key_worker.clone()}</dd>
            {(!v.snapshot.place.is_empty()).then(|| view! { <dt>{t.plan_place}</dt><dd>{v.snapshot.place.clone()}</dd> })}
            {(!v.snapshot.results.is_empty()).then(|| view! { <dt>{t.plan_results}</dt><dd class="pre-line">{v.snapshot.results.clone()}</dd> })}
            {(!v.snapshot.next_on.is_empty()).then(|| view! { <dt>{t.plan_next_on}</dt><dd>{format_date(&v.snapshot.next_on)}</dd> })}
        </dl>
        <p class="muted">{fill(t.plan_recorded, &[("name", &v.author_name), ("at", &v.recorded_at)])}</p>
        <h2>{t.plan_goals}</h2>
        {v.snapshot.goals.is_empty().then(|| view! { <p class="empty">{t.plan_no_goals}</p> })}
        <ul class="list goal-list" id="plan-version-goals">
            {v.snapshot.goals.into_iter().map(|g| view! { <li class="list-item"><SnapshotGoal g titles=titles.clone() /></li> }).collect_view()}
        </ul>
    }
}

/// A goal as a version recorded it (no links to today's progress: it is history).
#[component]
fn SnapshotGoal(g: Goal, titles: Vec<(String, String)>) -> impl IntoView {
    let t = texts();
    let parent = g
        .parent_id
        .as_ref()
        .and_then(|p| titles.iter().find(|(id, _)| id == p.as_str()))
        .map(|(_, title)| title.clone());
    let under = parent.is_some();
    view! {
        <div class="goal-summary stack" class:goal-action=under>
            <p class="goal-head"><span class="badge">{g.level.label()}</span>" "<strong>{g.title.clone()}</strong></p>
            {parent.map(|p| view! { <p class="muted">{fill(t.goals_under, &[("title", &p)])}</p> })}
            {(!g.description.is_empty()).then(|| view! { <p>{g.description.clone()}</p> })}
            <p class="muted">{t.goals_status}": "{g.status.label()}
                {(!g.review_on.is_empty()).then(|| view! { " · "{fill(t.goals_review, &[("date", &format_date(&g.review_on))])} })}
            </p>
            <StepList steps=g.steps.clone() />
        </div>
    }
}

/// A goal's progress over time.
#[component]
pub fn GoalPage() -> impl IntoView {
    let id = route_id();
    let progress = Resource::new(move || id.get(), |id| when_allowed(Page::Goal, move || get_goal_progress(id)));
    view! {
        <Guard page=Page::Goal>
        <Load data=progress let:p>
            <ProgressView p />
        </Load>
        </Guard>
    }
}

#[component]
fn ProgressView(p: GoalProgress) -> impl IntoView {
    let t = texts();
    let g = p.goal.clone();
    let shown = p.entries.len().to_string();
    let total = p.entries_total.to_string();
    view! {
        <PageTitle text=fill(t.progress_title, &[("title", &g.title)]) />
        <p class="page-lead">
            <a href=format!("/jugendliche/{}/hilfeplan", p.youth_id)>{fill(t.plan_of, &[("name", &p.youth_name)])}</a>
        </p>
        <section class="stack" aria-labelledby="goal-facts-title">
            <h2 id="goal-facts-title" class="visually-hidden">{t.progress_facts}</h2>
            <dl class="facts">
                <dt>{t.goals_level}</dt><dd>{g.level.label()}</dd>
                {p.parent.clone().map(|parent| view! {
                    <dt>{t.progress_parent}</dt><dd><a href=format!("/ziele/{}", parent.id)>{parent.title}</a></dd>
                })}
                <dt>{t.goals_status}</dt><dd>{g.status.label()}{(!g.status_reason.is_empty()).then(|| format!(" ({})", g.status_reason))}</dd>
                {(!g.review_on.is_empty()).then(|| view! { <dt>{t.goals_review_on}</dt><dd>{format_date(&g.review_on)}</dd> })}
            </dl>
            {(!g.description.is_empty()).then(|| view! { <p>{g.description.clone()}</p> })}
            {(!p.actions.is_empty()).then(|| view! {
                <h3>{t.progress_actions}</h3>
                <ul class="list">{p.actions.iter().map(|a| view! { <li class="list-item"><a href=format!("/ziele/{}", a.id)>{a.title.clone()}</a></li> }).collect_view()}</ul>
            })}
            {(!g.steps.is_empty()).then(|| view! { <h3>{t.progress_steps}</h3><StepList steps=g.steps.clone() /> })}
            {p.stale.then(|| view! { <p class="alert alert-warning goal-stale">{fill(t.goals_stale, &[("weeks", &p.stale_weeks.to_string())])}</p> })}
            {(!p.warnings.is_empty()).then(|| view! {
                <ul class="goal-warnings" aria-label=t.goal_hints>
                    {p.warnings.iter().map(|w| view! { <li class="field-hint">{w.text()}</li> }).collect_view()}
                </ul>
            })}
        </section>
        <section class="stack" aria-labelledby="goal-ratings-title">
            <h2 id="goal-ratings-title">{t.progress_ratings}</h2>
            {if p.ratings.is_empty() {
                view! { <p class="empty">{t.progress_no_ratings}</p> }.into_any()
            } else {
                view! {
                    <div class="chart-box" inner_html=p.ratings_chart.clone()></div>
                    <details>
                        <summary class="btn btn-link">{t.progress_as_table}</summary>
                        <table class="data-table table-stack" id="goal-ratings">
                            <caption class="visually-hidden">{t.progress_ratings}</caption>
                            <thead><tr><th scope="col">{t.progress_date}</th><th scope="col">{t.progress_perspective}</th><th scope="col">{t.progress_rating}</th></tr></thead>
                            <tbody>
                                {p.ratings.iter().rev().map(|r| view! {
                                    <tr><th scope="row">{format_date(&r.date)}</th><td data-label=t.progress_perspective>{r.perspective.label()}</td><td data-label=t.progress_rating>{r.rating.label()}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </details>
                }.into_any()
            }}
        </section>
        <section class="stack" aria-labelledby="goal-months-title">
            <h2 id="goal-months-title">{t.progress_months}</h2>
            <div class="chart-box" inner_html=p.months_chart.clone()></div>
            <details>
                <summary class="btn btn-link">{t.progress_as_table}</summary>
                <table class="data-table" id="goal-months">
                    <caption class="visually-hidden">{t.progress_months}</caption>
                    <thead><tr><th scope="col">{t.progress_month}</th><th scope="col" class="num">{t.progress_count}</th></tr></thead>
                    <tbody>
                        {p.months.iter().rev().map(|m| view! { <tr><th scope="row">{m.label.clone()}</th><td class="num">{m.count}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
        <section class="stack" aria-labelledby="goal-entries-title">
            <h2 id="goal-entries-title">{t.progress_entries}</h2>
            {if p.entries.is_empty() {
                view! { <p class="empty">{t.progress_no_entries}</p> }.into_any()
            } else {
                view! {
                    <p class="muted">{fill(t.progress_entries_count, &[("shown", &shown), ("total", &total)])}</p>
                    <ul class="list" id="goal-entries">
                        {p.entries.into_iter().map(|e| view! {
                            <li class="list-item">
                                <a href=format!("/eintraege/{}", e.id)>{format_date(&e.date)}" · "{kind_label(e.kind)}</a>
                                <p>{e.excerpt}</p>
                                <p class="muted">{e.author_name}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

fn kind_label(kind: crate::domain::entry::EntryKind) -> &'static str {
    use crate::domain::entry::EntryKind;
    let t = texts();
    match kind {
        EntryKind::Note => t.feed_kind_note,
        EntryKind::Visit => t.feed_kind_visit,
        EntryKind::Talk => t.feed_kind_talk,
        EntryKind::Record => t.feed_kind_record,
    }
}
