//! "Meine Ziele": a young person sees their own help-plan goals in simple words and rates
//! each with faces before the monthly talk; the talk offers that rating as their view.
//! Nothing else of the case reaches them.

use crate::domain::plan::OwnGoal;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A young person's rating of one of their goals, as the form sends it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnRatingInput {
    #[serde(default)]
    pub goal_id: String,
    /// "1" (klappt noch nicht) to "5" (klappt richtig gut).
    #[serde(default)]
    pub rating: String,
}

/// The caller's own active goals (young people with a record only).
#[server(prefix = "/api", endpoint = "me/goals")]
pub async fn my_goals() -> Result<Vec<OwnGoal>, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::OwnGoals).await?;
    let youth = cx.own_youth(Action::OwnGoals)?;
    let goals = ssr::own_goals(&mut cx, &youth).await?;
    cx.audit(AuditAction::List, RecordKind::Goal, Some(youth.as_str()), Some(&youth)).await?;
    cx.commit().await?;
    Ok(goals)
}

/// Rates one of the caller's own active goals with a face. 400 for a goal that is not
/// theirs (or no longer active) and for a rating off the scale.
#[server(prefix = "/api", endpoint = "me/rate-goal")]
pub async fn rate_my_goal(input: OwnRatingInput) -> Result<(), AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::plan::Rating;
    use crate::i18n::texts;
    let t = texts();
    let goal: crate::domain::ids::GoalId = crate::domain::ids::GoalId::parse(input.goal_id.trim())
        .ok_or_else(|| AppError::invalid("goal_id", t.v_own_goal))?;
    let rating = Rating::parse(&input.rating).ok_or_else(|| AppError::invalid("rating", t.v_own_rating))?;
    let mut cx = Cx::begin(Action::OwnGoals).await?;
    let youth = cx.own_youth(Action::OwnGoals)?;
    let stored = crate::db::goals::get(cx.tx(), &goal).await?;
    if !stored.is_some_and(|g| g.youth_id == youth && g.status.active()) {
        return Err(AppError::invalid("goal_id", t.v_own_goal));
    }
    crate::db::progress::rate_own(cx.tx(), &goal, rating.step()).await?;
    cx.audit(AuditAction::Create, RecordKind::GoalRating, Some(goal.as_str()), Some(&youth)).await?;
    cx.commit().await?;
    super::ssr::redirect("/meine-ziele?gespeichert=1");
    Ok(())
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::cx::Cx;
    use crate::domain::ids::YouthId;
    use crate::domain::plan::{OwnGoal, Rating};
    use crate::error::AppError;

    /// The active goals in simple words, each with the young person's newest face.
    pub async fn own_goals(cx: &mut Cx, youth: &YouthId) -> Result<Vec<OwnGoal>, AppError> {
        let goals = crate::domain::plan::plan_order(crate::db::goals::list_for_youth(cx.tx(), youth).await?);
        let own = crate::db::progress::own_ratings(cx.tx(), youth).await?;
        Ok(goals
            .into_iter()
            .filter(|g| g.status.active())
            .map(|g| {
                let rated = own.iter().find(|(id, ..)| *id == g.id);
                OwnGoal {
                    title: g.for_youth().to_owned(),
                    direction: g.level == crate::domain::goal::GoalLevel::Direction,
                    rating: rated.and_then(|(_, step, _)| Rating::from_step(*step)),
                    rated_on: rated
                        .map(|(_, _, at)| {
                            crate::db::time_of(*at)
                                .with_timezone(&chrono_tz::Europe::Berlin)
                                .format("%d.%m.%Y")
                                .to_string()
                        })
                        .unwrap_or_default(),
                    id: g.id,
                }
            })
            .collect())
    }
}
