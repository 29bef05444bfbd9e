//! The help plan (Hilfeplan): everyone who reads a young person's record reads it;
//! Leitung and the group's Fachberatung record its versions.

use crate::domain::plan::{HelpPlan, PlanInput, PlanVersion};
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
    use crate::domain::plan::{PlanSnapshot, plan_order};
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
    let snapshot = PlanSnapshot {
        participants: plan.participants.clone(),
        legal_basis: plan.legal_basis,
        key_worker: plan.key_worker.clone(),
        goals,
    };
    let author = cx.user().id.clone();
    let (id, _) = crate::db::plans::insert(cx.tx(), &youth, &plan, &snapshot, &author).await?;
    cx.audit(AuditAction::Create, RecordKind::HelpPlan, Some(id.as_str()), Some(&youth)).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/jugendliche/{youth}/hilfeplan"));
    Ok(id.into_string())
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::cx::Cx;
    use crate::db::plans::StoredPlan;
    use crate::domain::goal::Goal;
    use crate::domain::ids::YouthId;
    use crate::domain::plan::{
        GoalOverview, HelpPlan, LatestRatings, LegalBasis, Perspective, PlanVersion, PlanVersionRef, Rating, is_stale,
        plan_order,
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

    /// The current goals of a young person in plan order, each with its warnings, latest
    /// ratings and whether it has gone without entries.
    pub async fn goal_overviews(cx: &mut Cx, youth: &YouthId) -> Result<Vec<GoalOverview>, AppError> {
        let today = crate::api::ssr::today();
        let days = cx.settings().goal_stale_days;
        let goals = crate::db::goals::list_with_dates(cx.tx(), youth).await?;
        let last = crate::db::progress::last_entries(cx.tx(), youth).await?;
        let rated = crate::db::progress::latest_ratings(cx.tx(), youth).await?;
        let set_on: Vec<(crate::domain::ids::GoalId, chrono::NaiveDate)> = goals
            .iter()
            .map(|(g, at)| {
                let day = crate::db::time_of(*at).with_timezone(&chrono_tz::Europe::Berlin).date_naive();
                (g.id.clone(), day)
            })
            .collect();
        let ordered: Vec<Goal> = plan_order(goals.into_iter().map(|(g, _)| g).collect());
        Ok(ordered
            .into_iter()
            .map(|goal| {
                let last_entry_on =
                    last.iter().find(|(id, _)| *id == goal.id).map(|(_, d)| d.clone()).unwrap_or_default();
                let mut latest = LatestRatings::default();
                for (_, perspective, step, date) in rated.iter().filter(|(id, ..)| *id == goal.id) {
                    if let (Some(p), Some(r)) = (Perspective::parse(perspective), Rating::from_step(*step)) {
                        latest.set(p, r, date.clone());
                    }
                }
                let since = set_on.iter().find(|(id, _)| *id == goal.id).map_or(today, |(_, d)| *d);
                let stale = is_stale(goal.status.active(), &last_entry_on, since, today, days);
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
