//! Help-plan goals (Hilfeplanziele): staff read them, Leitung and Fachberatung keep them.

use crate::domain::goal::{Goal, GoalInput};
use crate::error::AppError;
use leptos::prelude::*;

/// A young person's goals. 404 outside the caller's groups.
#[server(prefix = "/api", endpoint = "goals/list")]
pub async fn list_goals(id: String) -> Result<Vec<Goal>, AppError> {
    use super::ssr::*;
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    let youth = record_id(&id)?;
    let store = store()?;
    let mut tx = store.begin().await?;
    visible_youth_group(&mut tx, &user, &youth).await?;
    let goals = crate::db::goals::list_for_youth(&mut tx, &youth).await?;
    let rec =
        AuditRecord { action: AuditAction::List, record_kind: "goal", record_id: Some(&youth), youth_id: Some(&youth) };
    record(&mut tx, &user, rec).await?;
    tx.commit().await?;
    Ok(goals)
}

/// Adds a goal to a young person's help plan (Leitung; Fachberatung of the group).
#[server(prefix = "/api", endpoint = "goals/create")]
pub async fn create_goal(input: GoalInput) -> Result<String, AppError> {
    use super::ssr::*;
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    let goal = input.validate()?;
    let youth = record_id(&goal.youth_id)?;
    let store = store()?;
    let mut tx = store.begin().await?;
    may_manage(&mut tx, &user, &youth).await?;
    let id = crate::db::goals::insert(&mut tx, &goal).await?;
    let rec =
        AuditRecord { action: AuditAction::Create, record_kind: "goal", record_id: Some(&id), youth_id: Some(&youth) };
    record(&mut tx, &user, rec).await?;
    tx.commit().await?;
    redirect(&format!("/jugendliche/{youth}#ziele"));
    Ok(id)
}

/// Changes a goal (title, description, review date).
#[server(prefix = "/api", endpoint = "goals/update")]
pub async fn update_goal(id: String, input: GoalInput) -> Result<String, AppError> {
    use super::ssr::*;
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    let id = record_id(&id)?;
    let mut goal = input.validate()?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let stored = crate::db::goals::get(&mut tx, &id).await?.ok_or(AppError::NotFound)?;
    may_manage(&mut tx, &user, &stored.youth_id).await?;
    goal.youth_id = stored.youth_id.clone();
    crate::db::goals::update(&mut tx, &id, &goal).await?;
    let rec = AuditRecord {
        action: AuditAction::Update,
        record_kind: "goal",
        record_id: Some(&id),
        youth_id: Some(&stored.youth_id),
    };
    record(&mut tx, &user, rec).await?;
    tx.commit().await?;
    redirect(&format!("/jugendliche/{}#ziele", stored.youth_id));
    Ok(id)
}

/// 404 for a young person the caller cannot see, 403 if they see but may not keep the
/// case plan.
#[cfg(feature = "ssr")]
pub(crate) async fn may_manage(
    tx: &mut crate::db::Conn,
    user: &crate::auth::CurrentUser,
    youth: &str,
) -> Result<(), AppError> {
    use crate::auth::policy::{Action, Resource, can};
    let group = crate::db::youths::group_of(tx, youth).await?.ok_or(AppError::NotFound)?;
    if can(user, Action::ManageCasePlan, Resource::Group(&group)) {
        Ok(())
    } else if can(user, Action::ViewEntries, Resource::Group(&group)) {
        Err(AppError::Forbidden)
    } else {
        Err(AppError::NotFound)
    }
}
