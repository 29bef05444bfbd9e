//! The help plan (Hilfeplan): everyone who reads a young person's record reads it;
//! Leitung and the group's Fachberatung record its versions.

use crate::domain::plan::{HelpPlan, PlanInput, PlanVersion, Reminder};
use crate::error::AppError;
use leptos::prelude::*;

/// A young person's plan: the current goals with what to point out and their latest
/// ratings, the newest version's header and the list of versions. 404 outside the
/// caller's groups.
#[server(prefix = "/api", endpoint = "plans/get")]
pub async fn get_help_plan(id: String) -> Result<HelpPlan, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::{Action, Resource};
    use crate::domain::audit::{AuditAction, RecordKind};
    let youth: crate::domain::ids::YouthId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::ViewEntries).await?;
    let group = cx.youth(Action::ViewEntries, &youth).await?;
    let plan = ssr::help_plan(&mut cx, &youth).await?;
    let can_edit = cx.can(Action::ManageCasePlan, Resource::Group(&group));
    cx.audit(AuditAction::Read, RecordKind::HelpPlan, Some(youth.as_str()), Some(&youth)).await?;
    cx.commit().await?;
    Ok(HelpPlan { can_edit, ..plan })
}

/// One version of a plan, word for word as it was recorded.
#[server(prefix = "/api", endpoint = "plans/version")]
pub async fn get_plan_version(id: String) -> Result<PlanVersion, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let id: crate::domain::ids::PlanId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::ViewEntries).await?;
    let stored = crate::db::plans::get(cx.tx(), &id).await?.ok_or(AppError::NotFound)?;
    cx.youth(Action::ViewEntries, &stored.youth_id).await?;
    let versions = crate::db::plans::list(cx.tx(), &stored.youth_id).await?;
    let youth_id = stored.youth_id.clone();
    let version = ssr::version_view(&mut cx, stored, &versions).await?;
    cx.audit(AuditAction::Read, RecordKind::HelpPlan, Some(id.as_str()), Some(&youth_id)).await?;
    cx.commit().await?;
    Ok(version)
}

/// Records a new version of the plan after a Hilfeplangespräch: its date, participants,
/// legal basis and Bezugsbetreuer:in, and the goals as they stand now. Its date may not
/// lie before the previous version's. Leitung; Fachberatung of the group.
#[server(prefix = "/api", endpoint = "plans/create")]
pub async fn create_plan_version(input: PlanInput) -> Result<String, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::plan::plan_order;
    use crate::i18n::texts;
    let plan = input.validate(super::ssr::today())?;
    let youth: crate::domain::ids::YouthId = parse_id(&input.youth_id)?;
    let mut cx = Cx::begin(Action::ManageCasePlan).await?;
    cx.youth(Action::ManageCasePlan, &youth).await?;
    if let Some(previous) = crate::db::plans::latest_date(cx.tx(), &youth).await?
        && plan.agreed_on.to_string() < previous
    {
        return Err(AppError::invalid(
            "agreed_on",
            crate::i18n::fill(
                texts().v_plan_before_previous,
                &[("date", &crate::domain::text::format_date(&previous))],
            ),
        ));
    }
    let goals = plan_order(crate::db::goals::list_for_youth(cx.tx(), &youth).await?);
    let snapshot = plan.snapshot(goals);
    let author = cx.user().id.clone();
    let (id, _) = crate::db::plans::insert(cx.tx(), &youth, &plan, &snapshot, &author).await?;
    cx.audit(AuditAction::Create, RecordKind::HelpPlan, Some(id.as_str()), Some(&youth)).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/jugendliche/{youth}/hilfeplan"));
    Ok(id.into_string())
}

/// What help planning needs soon in the caller's groups: review dates within two weeks
/// (or passed), overdue monthly talks, active goals without entries for weeks.
#[server(prefix = "/api", endpoint = "plans/reminders")]
pub async fn plan_reminders() -> Result<Vec<Reminder>, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::plan::{GoalRef, ReminderKind, report_due, review_due, talk_overdue};
    let mut cx = Cx::begin(Action::ViewEntries).await?;
    let scope = cx.scope(Action::ViewEntries).await?;
    let today = super::ssr::today();
    let talk_days = cx.settings().talk_overdue_days;
    let mut out = Vec::new();
    let mut shown = Vec::new();
    for group in crate::db::groups::list_in(cx.tx(), &scope).await? {
        let youths = crate::db::youths::list_in_group(cx.tx(), &group.id).await?;
        let talks = crate::db::entries::last_talks(cx.tx(), &group.id).await?;
        let admissions = crate::db::youths::admissions_in_group(cx.tx(), &group.id).await?;
        let goals = ssr::activity(&mut cx, crate::db::goals::Of::Group(&group.id), &group.id).await?;
        let meetings = crate::db::plans::next_meetings_in_group(cx.tx(), &group.id).await?;
        let reports = crate::db::reports::meetings_in_group(cx.tx(), &group.id).await?;
        for youth in youths {
            let name = format!("{} {}", youth.first_name, youth.last_name);
            let before = out.len();
            let reminder = |kind, goal: Option<GoalRef>, date: String| Reminder {
                kind,
                youth_id: youth.id.clone(),
                youth_name: name.clone(),
                group_name: group.name.clone(),
                goal,
                date,
            };
            let last_talk = talks.iter().find(|(id, _)| *id == youth.id).map(|(_, d)| d.as_str());
            let admitted =
                admissions.iter().find(|(id, _)| *id == youth.id).map(|(_, d)| d.clone()).unwrap_or_default();
            if let Some((_, next_on)) = meetings.iter().find(|(id, _)| *id == youth.id) {
                let started: Vec<&str> =
                    reports.iter().filter(|(id, _)| *id == youth.id).map(|(_, m)| m.as_str()).collect();
                if report_due(next_on, &started, today) {
                    out.push(reminder(ReminderKind::ReportDue, None, next_on.clone()));
                }
            }
            if talk_overdue(last_talk, &admitted, today, talk_days) {
                out.push(reminder(ReminderKind::TalkOverdue, None, last_talk.unwrap_or_default().to_owned()));
            }
            for (g, last, stale) in goals.iter().filter(|(g, ..)| g.youth_id == youth.id) {
                let goal = GoalRef { id: g.id.clone(), title: g.title.clone() };
                if g.status.active() && review_due(&g.review_on, today) {
                    out.push(reminder(ReminderKind::Review, Some(goal.clone()), g.review_on.clone()));
                }
                if *stale {
                    out.push(reminder(ReminderKind::QuietGoal, Some(goal), last.clone()));
                }
            }
            if out.len() > before {
                shown.push(youth.id.clone());
            }
        }
    }
    let shown: Vec<_> = shown.iter().collect();
    cx.audit_each(AuditAction::List, RecordKind::HelpPlan, None, &shown).await?;
    cx.commit().await?;
    Ok(out)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::cx::Cx;
    use crate::db::plans::StoredPlan;
    use crate::domain::goal::Goal;
    use crate::domain::ids::YouthId;
    use crate::domain::plan::{
        GoalActivity, GoalOverview, HelpPlan, LatestRatings, LegalBasis, Perspective, PlanVersion, PlanVersionRef,
        Rating, plan_order,
    };
    use crate::domain::text::berlin_minute;
    use crate::error::AppError;

    /// The name of a young person the caller was allowed to see.
    pub async fn youth_name(cx: &mut Cx, youth: &YouthId) -> Result<String, AppError> {
        let y = crate::db::youths::get(cx.tx(), youth).await?.ok_or(AppError::NotFound)?;
        Ok(format!("{} {}", y.first_name, y.last_name))
    }

    pub async fn version_view(
        cx: &mut Cx,
        stored: StoredPlan,
        versions: &[PlanVersionRef],
    ) -> Result<PlanVersion, AppError> {
        let youth_name = youth_name(cx, &stored.youth_id).await?;
        let newer = versions.iter().filter(|v| v.version > stored.version).min_by_key(|v| v.version).cloned();
        Ok(PlanVersion {
            id: stored.id,
            youth_id: stored.youth_id,
            youth_name,
            version: stored.version,
            agreed_on: stored.agreed_on,
            snapshot: stored.snapshot,
            author_name: stored.author_name,
            recorded_at: berlin_minute(stored.recorded_at),
            newer,
        })
    }

    /// The goals of a young person or of a whole group with their newest entry and
    /// whether they have gone quiet, in creation order.
    pub async fn activity(
        cx: &mut Cx,
        of: crate::db::goals::Of<'_>,
        group: &crate::domain::ids::GroupId,
    ) -> Result<Vec<(Goal, String, bool)>, AppError> {
        let today = crate::api::ssr::today();
        let days = cx.settings().goal_stale_days;
        let advisors = cx.sees_advisor_records(group);
        let rows = crate::db::goals::activity(cx.tx(), of, advisors).await?;
        let items: Vec<GoalActivity> = rows
            .into_iter()
            .map(|(goal, at, last)| GoalActivity {
                goal,
                set_on: crate::db::time_of(at).with_timezone(&chrono_tz::Europe::Berlin).date_naive(),
                last_own: last.unwrap_or_default(),
            })
            .collect();
        let flags = crate::domain::plan::activity(&items, today, days);
        Ok(items.into_iter().zip(flags).map(|(item, (last, stale))| (item.goal, last, stale)).collect())
    }

    /// The current goals of a young person in plan order, each with its warnings, latest
    /// ratings and whether it has gone without entries.
    pub async fn goal_overviews(cx: &mut Cx, youth: &YouthId) -> Result<Vec<GoalOverview>, AppError> {
        let group = crate::db::youths::group_of(cx.tx(), youth).await?.ok_or(AppError::NotFound)?;
        let goals = activity(cx, crate::db::goals::Of::Youth(youth), &group).await?;
        let rated = crate::db::progress::latest_ratings(cx.tx(), youth).await?;
        let ordered: Vec<Goal> = plan_order(goals.iter().map(|(g, ..)| g.clone()).collect());
        Ok(ordered
            .into_iter()
            .map(|goal| {
                let mut latest = LatestRatings::default();
                for (_, perspective, step, date) in rated.iter().filter(|(id, ..)| *id == goal.id) {
                    if let (Some(p), Some(r)) = (Perspective::parse(perspective), Rating::from_step(*step)) {
                        latest.set(p, r, date.clone());
                    }
                }
                let (last_entry_on, stale) = goals
                    .iter()
                    .find(|(g, ..)| g.id == goal.id)
                    .map(|(_, last, stale)| (last.clone(), *stale))
                    .unwrap_or_default();
                GoalOverview { warnings: goal.warnings(), latest, last_entry_on, stale, goal }
            })
            .collect())
    }

    /// The plan as its page and the young person's page show it (without `can_edit`).
    pub async fn help_plan(cx: &mut Cx, youth: &YouthId) -> Result<HelpPlan, AppError> {
        let youth_name = youth_name(cx, youth).await?;
        let goals = goal_overviews(cx, youth).await?;
        let versions = crate::db::plans::list(cx.tx(), youth).await?;
        let current = match crate::db::plans::latest(cx.tx(), youth).await? {
            Some(stored) => Some(version_view(cx, stored, &versions).await?),
            None => None,
        };
        let legal_basis = LegalBasis::parse(&crate::db::plans::legal_basis(cx.tx(), youth).await?);
        Ok(HelpPlan {
            youth_id: youth.clone(),
            youth_name,
            legal_basis,
            current,
            versions,
            goals,
            can_edit: false,
            stale_weeks: cx.settings().goal_stale_days / 7,
        })
    }
}
