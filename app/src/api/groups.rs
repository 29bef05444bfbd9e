//! Familienwohngruppen: list, open, create, edit.

use crate::domain::group::{Group, GroupInput};
use crate::domain::youth::YouthSummary;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A group with the young people living there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupDetail {
    pub group: Group,
    pub youths: Vec<YouthSummary>,
    pub can_edit: bool,
}

/// The groups the caller may see: all for Leitung and Admin (Admin sees names only, for
/// account assignment), their own for staff and Fachberatung. 403 for other roles.
#[server(prefix = "/api", endpoint = "groups/list")]
pub async fn list_groups() -> Result<Vec<Group>, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::ListGroups).await?;
    let scope = cx.scope(Action::ListGroups).await?;
    let groups = crate::db::groups::list_in(cx.tx(), &scope).await?;
    cx.commit().await?;
    Ok(groups)
}

/// One group with its young people. Staff and Fachberatung of other groups get 404.
/// Writes an audit row (the list names young people).
#[server(prefix = "/api", endpoint = "groups/get")]
pub async fn get_group(id: String) -> Result<GroupDetail, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::{Action, Resource};
    use crate::domain::audit::{AuditAction, RecordKind};
    let id: crate::domain::ids::GroupId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::ViewGroup).await?;
    let group = cx.group(Action::ViewGroup, &id).await?;
    let mut youths = crate::db::youths::list_in_group(cx.tx(), &group.id).await?;
    let today = super::ssr::today();
    for y in &mut youths {
        y.age = crate::domain::text::age_from_iso(&y.birth_date, today);
    }
    let shown: Vec<_> = youths.iter().map(|y| &y.id).collect();
    cx.audit_each(AuditAction::List, RecordKind::Group, Some(group.id.as_str()), &shown).await?;
    if youths.is_empty() {
        cx.audit(AuditAction::List, RecordKind::Group, Some(group.id.as_str()), None).await?;
    }
    let can_edit = cx.can(Action::EditGroup, Resource::Group(&group.id));
    cx.commit().await?;
    Ok(GroupDetail { group, youths, can_edit })
}

/// Creates a group home (Leitung). 400 with field messages on bad input, a duplicate
/// name included. Redirects to the new group.
#[server(prefix = "/api", endpoint = "groups/create")]
pub async fn create_group(input: GroupInput) -> Result<String, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::CreateGroup).await?;
    cx.institute(Action::CreateGroup)?;
    let valid = input.validate()?;
    let id = crate::db::groups::insert(cx.tx(), &valid).await.map_err(duplicate_name)?;
    cx.audit(AuditAction::Create, RecordKind::Group, Some(id.as_str()), None).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/gruppen/{id}"));
    Ok(id.into_string())
}

/// Changes a group home's name, address and phone (Leitung).
#[server(prefix = "/api", endpoint = "groups/update")]
pub async fn update_group(id: String, input: GroupInput) -> Result<String, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::EditGroup).await?;
    let id: crate::domain::ids::GroupId = parse_id(&id)?;
    let valid = input.validate()?;
    cx.group(Action::EditGroup, &id).await?;
    crate::db::groups::update(cx.tx(), &id, &valid).await.map_err(duplicate_name)?;
    cx.audit(AuditAction::Update, RecordKind::Group, Some(id.as_str()), None).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/gruppen/{id}"));
    Ok(id.into_string())
}

#[cfg(feature = "ssr")]
fn duplicate_name(error: sqlx::Error) -> AppError {
    if crate::db::is_unique_violation(&error) {
        AppError::invalid("name", crate::i18n::texts().v_group_name_taken)
    } else {
        error.into()
    }
}
