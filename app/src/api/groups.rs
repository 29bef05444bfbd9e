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
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::domain::Role;
    let user = user()?;
    allow(can(&user, Action::ListGroups, Resource::Institute))?;
    let store = store()?;
    let mut conn = store.pool().acquire().await?;
    let groups = match user.role {
        Role::Leitung | Role::Admin => crate::db::groups::list_all(&mut conn).await?,
        _ => crate::db::groups::list_for_user(&mut conn, &user.id).await?,
    };
    Ok(groups)
}

/// One group with its young people. Staff and Fachberatung of other groups get 404.
/// Writes an audit row (the list names young people).
#[server(prefix = "/api", endpoint = "groups/get")]
pub async fn get_group(id: String) -> Result<GroupDetail, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    let id = record_id(&id)?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let group = crate::db::groups::get(&mut tx, &id).await?.ok_or(AppError::NotFound)?;
    if !can(&user, Action::ViewGroup, Resource::Group(&group.id)) {
        return Err(AppError::NotFound);
    }
    let mut youths = crate::db::youths::list_in_group(&mut tx, &group.id).await?;
    let today = today();
    for y in &mut youths {
        y.age = crate::domain::text::age_from_iso(&y.birth_date, today);
    }
    let shown: Vec<&str> = youths.iter().map(|y| y.id.as_str()).collect();
    crate::db::audit::record_each(&mut tx, &user, AuditAction::List, "group", Some(&group.id), &shown).await?;
    if youths.is_empty() {
        let rec =
            AuditRecord { action: AuditAction::List, record_kind: "group", record_id: Some(&group.id), youth_id: None };
        record(&mut tx, &user, rec).await?;
    }
    tx.commit().await?;
    let can_edit = can(&user, Action::EditGroup, Resource::Group(&group.id));
    Ok(GroupDetail { group, youths, can_edit })
}

/// Creates a group home (Leitung). 400 with field messages on bad input, a duplicate
/// name included. Redirects to the new group.
#[server(prefix = "/api", endpoint = "groups/create")]
pub async fn create_group(input: GroupInput) -> Result<String, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    allow(can(&user, Action::CreateGroup, Resource::Institute))?;
    let valid = input.validate()?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let id = crate::db::groups::insert(&mut tx, &valid).await.map_err(duplicate_name)?;
    record(
        &mut tx,
        &user,
        AuditRecord { action: AuditAction::Create, record_kind: "group", record_id: Some(&id), youth_id: None },
    )
    .await?;
    tx.commit().await?;
    redirect(&format!("/gruppen/{id}"));
    Ok(id)
}

/// Changes a group home's name, address and phone (Leitung).
#[server(prefix = "/api", endpoint = "groups/update")]
pub async fn update_group(id: String, input: GroupInput) -> Result<String, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    let id = record_id(&id)?;
    allow(can(&user, Action::EditGroup, Resource::Group(&id)))?;
    let valid = input.validate()?;
    let store = store()?;
    let mut tx = store.begin().await?;
    if !crate::db::groups::update(&mut tx, &id, &valid).await.map_err(duplicate_name)? {
        return Err(AppError::NotFound);
    }
    record(
        &mut tx,
        &user,
        AuditRecord { action: AuditAction::Update, record_kind: "group", record_id: Some(&id), youth_id: None },
    )
    .await?;
    tx.commit().await?;
    redirect(&format!("/gruppen/{id}"));
    Ok(id)
}

#[cfg(feature = "ssr")]
fn duplicate_name(error: sqlx::Error) -> AppError {
    if crate::db::is_unique_violation(&error) {
        AppError::invalid("name", crate::i18n::texts().v_group_name_taken)
    } else {
        error.into()
    }
}
