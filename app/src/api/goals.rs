//! Help-plan goals (Hilfeplanziele): staff read them, Leitung and Fachberatung keep them.

use crate::domain::goal::{Goal, GoalInput};
use crate::domain::progress::GoalProgress;
use crate::error::AppError;
use leptos::prelude::*;

/// A young person's goals. 404 outside the caller's groups.
#[server(prefix = "/api", endpoint = "goals/list")]
pub async fn list_goals(id: String) -> Result<Vec<Goal>, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let youth: crate::domain::ids::YouthId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::ViewEntries).await?;
    cx.youth(Action::ViewEntries, &youth).await?;
    let goals = crate::db::goals::list_for_youth(cx.tx(), &youth).await?;
    cx.audit(AuditAction::List, RecordKind::Goal, Some(youth.as_str()), Some(&youth)).await?;
    cx.commit().await?;
    Ok(goals)
}

/// Adds a goal to a young person's help plan (Leitung; Fachberatung of the group): 404 for
/// a young person the caller cannot see, 403 if they see but may not keep the case plan.
/// A Handlungsziel may hang under one of the young person's Richtungsziele; no step and
/// no review date may lie before the plan's newest version.
#[server(prefix = "/api", endpoint = "goals/create")]
pub async fn create_goal(input: GoalInput) -> Result<String, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let goal = input.validate()?;
    let youth: crate::domain::ids::YouthId = parse_id(&input.youth_id)?;
    let mut cx = Cx::begin(Action::ManageCasePlan).await?;
    cx.youth(Action::ManageCasePlan, &youth).await?;
    ssr::check_goal(&mut cx, &youth, None, &goal).await?;
    let id = crate::db::goals::insert(cx.tx(), &youth, &goal).await?;
    cx.audit(AuditAction::Create, RecordKind::Goal, Some(id.as_str()), Some(&youth)).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/jugendliche/{youth}/hilfeplan#ziele"));
    Ok(id.into_string())
}

/// Changes a goal (text, level, status, steps, review date). Versions of the plan
/// recorded before keep the goal as it was.
#[server(prefix = "/api", endpoint = "goals/update")]
pub async fn update_goal(id: String, input: GoalInput) -> Result<String, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let id: crate::domain::ids::GoalId = parse_id(&id)?;
    let goal = input.validate()?;
    let mut cx = Cx::begin(Action::ManageCasePlan).await?;
    let stored = crate::db::goals::get(cx.tx(), &id).await?.ok_or(AppError::NotFound)?;
    cx.youth(Action::ManageCasePlan, &stored.youth_id).await?;
    ssr::check_goal(&mut cx, &stored.youth_id, Some(&stored), &goal).await?;
    crate::db::goals::update(cx.tx(), &id, &goal).await?;
    cx.audit(AuditAction::Update, RecordKind::Goal, Some(id.as_str()), Some(&stored.youth_id)).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/jugendliche/{}/hilfeplan#ziele", stored.youth_id));
    Ok(id.into_string())
}

/// A goal's progress: the linked entries (newest first), the ratings of the monthly talks
/// per perspective with their chart, and the linked entries per month. 404 outside the
/// caller's groups.
#[server(prefix = "/api", endpoint = "goals/progress")]
pub async fn get_goal_progress(id: String) -> Result<GoalProgress, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let id: crate::domain::ids::GoalId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::ViewEntries).await?;
    let goal = crate::db::goals::get(cx.tx(), &id).await?.ok_or(AppError::NotFound)?;
    cx.youth(Action::ViewEntries, &goal.youth_id).await?;
    let youth = goal.youth_id.clone();
    let progress = ssr::progress(&mut cx, goal).await?;
    cx.audit(AuditAction::Read, RecordKind::Goal, Some(id.as_str()), Some(&youth)).await?;
    cx.commit().await?;
    Ok(progress)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::cx::Cx;
    use crate::domain::entry::{EntryBody, EntryKind};
    use crate::domain::goal::{Goal, GoalLevel, ValidGoal};
    use crate::domain::ids::YouthId;
    use crate::domain::plan::{GoalRef, Perspective, Rating};
    use crate::domain::progress::{
        ENTRIES_SHOWN, EXCERPT_CHARS, GoalProgress, LinkedEntry, MONTHS_SHOWN, RatingPoint, excerpt, month_counts,
        months_chart, ratings_chart,
    };
    use crate::error::AppError;
    use crate::i18n::{fill, texts};

    /// What the store must confirm about a goal: its Richtungsziel is one of the young
    /// person's; a Richtungsziel with Handlungsziele under it stays one; no date lies
    /// before the plan's newest version.
    pub async fn check_goal(
        cx: &mut Cx,
        youth: &YouthId,
        stored: Option<&Goal>,
        goal: &ValidGoal,
    ) -> Result<(), AppError> {
        let t = texts();
        if let Some(parent) = &goal.parent_id {
            let found = crate::db::goals::get(cx.tx(), parent).await?;
            let fits = found.is_some_and(|p| &p.youth_id == youth && p.level == GoalLevel::Direction)
                && stored.is_none_or(|s| &s.id != parent);
            if !fits {
                return Err(AppError::invalid("parent_id", t.v_goal_parent));
            }
        }
        if let Some(stored) = stored
            && stored.level == GoalLevel::Direction
            && goal.level != GoalLevel::Direction
            && crate::db::goals::has_actions(cx.tx(), &stored.id).await?
        {
            return Err(AppError::invalid("level", t.v_goal_level_has_actions));
        }
        if let (Some(plan_date), Some((field, earliest))) =
            (crate::db::plans::latest_date(cx.tx(), youth).await?, goal.earliest_date())
            && earliest.to_string() < plan_date
        {
            let message = fill(t.v_goal_before_plan, &[("date", &crate::domain::text::format_date(&plan_date))]);
            return Err(AppError::invalid(field, message));
        }
        Ok(())
    }

    /// The text an entry shows on the goal page: a note's text, a visit's notes, a
    /// monthly talk's words on this goal.
    fn entry_text(body: &EntryBody, goal: &crate::domain::ids::GoalId) -> String {
        match body {
            EntryBody::Note(n) => n.text.clone(),
            EntryBody::Visit(v) => v.notes.clone(),
            EntryBody::Record(r) => r.feed_text(),
            EntryBody::Talk(talk) => talk
                .goals
                .iter()
                .find(|g| &g.goal_id == goal)
                .map(|g| g.happened.clone())
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| talk.feed_text()),
        }
    }

    pub async fn progress(cx: &mut Cx, goal: Goal) -> Result<GoalProgress, AppError> {
        let today = crate::api::ssr::today();
        let group = crate::db::youths::group_of(cx.tx(), &goal.youth_id).await?.ok_or(AppError::NotFound)?;
        let advisors = cx.sees_advisor_records(&group);
        let youth_name = crate::api::plans::ssr::youth_name(cx, &goal.youth_id).await?;
        let overviews = crate::api::plans::ssr::goal_overviews(cx, &goal.youth_id).await?;
        let overview = overviews.iter().find(|o| o.goal.id == goal.id);
        let (stale, warnings) = overview.map_or((false, goal.warnings()), |o| (o.stale, o.warnings.clone()));
        let parent = goal.parent_id.as_ref().and_then(|p| {
            overviews
                .iter()
                .find(|o| &o.goal.id == p)
                .map(|o| GoalRef { id: o.goal.id.clone(), title: o.goal.title.clone() })
        });
        let actions = overviews
            .iter()
            .filter(|o| o.goal.parent_id.as_ref() == Some(&goal.id))
            .map(|o| GoalRef { id: o.goal.id.clone(), title: o.goal.title.clone() })
            .collect();
        let rows = crate::db::progress::linked_entries(cx.tx(), &goal.id, ENTRIES_SHOWN, advisors).await?;
        let entries = rows
            .into_iter()
            .filter_map(|(id, kind, date, body, author_name)| {
                let kind = EntryKind::parse(&kind)?;
                let body: EntryBody = serde_json::from_str(&body).ok()?;
                Some(LinkedEntry {
                    id,
                    kind,
                    date,
                    excerpt: excerpt(&entry_text(&body, &goal.id), EXCERPT_CHARS),
                    author_name,
                })
            })
            .collect();
        let from = today
            .checked_sub_months(chrono::Months::new(MONTHS_SHOWN - 1))
            .map(|d| d.format("%Y-%m-01").to_string())
            .unwrap_or_default();
        let (counts, entries_total) = crate::db::progress::month_counts(cx.tx(), &goal.id, &from, advisors).await?;
        let months = month_counts(today, &counts);
        let ratings: Vec<RatingPoint> = crate::db::progress::ratings(cx.tx(), &goal.id)
            .await?
            .into_iter()
            .filter_map(|(date, perspective, step)| {
                Some(RatingPoint {
                    date,
                    perspective: Perspective::parse(&perspective)?,
                    rating: Rating::from_step(step)?,
                })
            })
            .collect();
        Ok(GoalProgress {
            ratings_chart: ratings_chart(&ratings, "chart-ratings-title"),
            months_chart: months_chart(&months, "chart-months-title"),
            youth_id: goal.youth_id.clone(),
            youth_name,
            parent,
            actions,
            warnings,
            stale,
            stale_weeks: cx.settings().goal_stale_days / 7,
            entries,
            entries_total,
            months,
            ratings,
            goal,
        })
    }
}
