//! Help-plan goals (Hilfeplanziele): staff read them, Leitung and Fachberatung keep them.

use crate::domain::goal::{Goal, GoalInput};
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
#[server(prefix = "/api", endpoint = "goals/create")]
pub async fn create_goal(input: GoalInput) -> Result<String, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let goal = input.validate()?;
    let youth: crate::domain::ids::YouthId = parse_id(&input.youth_id)?;
    let mut cx = Cx::begin(Action::ManageCasePlan).await?;
    cx.youth(Action::ManageCasePlan, &youth).await?;
    let id = crate::db::goals::insert(cx.tx(), &youth, &goal).await?;
    cx.audit(AuditAction::Create, RecordKind::Goal, Some(id.as_str()), Some(&youth)).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/jugendliche/{youth}#ziele"));
    Ok(id.into_string())
}

/// Changes a goal (title, description, review date).
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
    crate::db::goals::update(cx.tx(), &id, &goal).await?;
    cx.audit(AuditAction::Update, RecordKind::Goal, Some(id.as_str()), Some(&stored.youth_id)).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/jugendliche/{}#ziele", stored.youth_id));
    Ok(id.into_string())
}
