//! Young people's master data (Stammdaten).

use crate::domain::youth::{Youth, YouthInput, YouthSummary};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A young person's master data as their page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YouthDetail {
    pub youth: Youth,
    pub can_edit: bool,
}

/// Reads a young person's master data. Staff and Fachberatung of other groups, and roles
/// without case access, get 404: the answer does not even say whether the record exists.
/// Writes an audit row.
#[server(prefix = "/api", endpoint = "youths/get")]
pub async fn get_youth(id: String) -> Result<YouthDetail, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    let id = record_id(&id)?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let mut youth = crate::db::youths::get(&mut tx, &id).await?.ok_or(AppError::NotFound)?;
    youth.age = crate::domain::text::age_from_iso(&youth.birth_date, today());
    if !can(&user, Action::ViewYouth, Resource::Group(&youth.group_id)) {
        return Err(AppError::NotFound);
    }
    record(
        &mut tx,
        &user,
        AuditRecord { action: AuditAction::Read, record_kind: "youth", record_id: Some(&id), youth_id: Some(&id) },
    )
    .await?;
    tx.commit().await?;
    let can_edit = can(&user, Action::EditYouth, Resource::Group(&youth.group_id));
    Ok(YouthDetail { youth, can_edit })
}

/// Admits a young person to a group home (Leitung). 400 with field messages on bad input
/// (future or implausible birth date, admission before birth, unknown group).
#[server(prefix = "/api", endpoint = "youths/create")]
pub async fn create_youth(input: YouthInput) -> Result<String, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    let valid = input.validate(today())?;
    allow(can(&user, Action::CreateYouth, Resource::Group(&valid.group_id)))?;
    let store = store()?;
    let mut tx = store.begin().await?;
    if !crate::db::groups::exists(&mut tx, &valid.group_id).await? {
        return Err(AppError::invalid("group_id", crate::i18n::texts().v_unknown_group));
    }
    let id = crate::db::youths::insert(&mut tx, &valid).await?;
    record(
        &mut tx,
        &user,
        AuditRecord { action: AuditAction::Create, record_kind: "youth", record_id: Some(&id), youth_id: Some(&id) },
    )
    .await?;
    tx.commit().await?;
    redirect(&format!("/jugendliche/{id}"));
    Ok(id)
}

/// Changes a young person's master data, including a move to another group (Leitung).
#[server(prefix = "/api", endpoint = "youths/update")]
pub async fn update_youth(id: String, input: YouthInput) -> Result<String, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    let id = record_id(&id)?;
    let valid = input.validate(today())?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let current_group = crate::db::youths::group_of(&mut tx, &id).await?.ok_or(AppError::NotFound)?;
    if !can(&user, Action::EditYouth, Resource::Group(&current_group)) {
        return Err(if can(&user, Action::ViewYouth, Resource::Group(&current_group)) {
            AppError::Forbidden
        } else {
            AppError::NotFound
        });
    }
    allow(can(&user, Action::EditYouth, Resource::Group(&valid.group_id)))?;
    if !crate::db::groups::exists(&mut tx, &valid.group_id).await? {
        return Err(AppError::invalid("group_id", crate::i18n::texts().v_unknown_group));
    }
    crate::db::youths::update(&mut tx, &id, &valid).await?;
    record(
        &mut tx,
        &user,
        AuditRecord { action: AuditAction::Update, record_kind: "youth", record_id: Some(&id), youth_id: Some(&id) },
    )
    .await?;
    tx.commit().await?;
    redirect(&format!("/jugendliche/{id}"));
    Ok(id)
}

/// Every young person, to link a young person's account to their record (Leitung only).
#[server(prefix = "/api", endpoint = "youths/choices")]
pub async fn list_youth_choices() -> Result<Vec<YouthSummary>, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::AuditAction;
    let user = user()?;
    allow(can(&user, Action::LinkYouthAccount, Resource::Institute))?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let youths = crate::db::youths::list_all(&mut tx).await?;
    let shown: Vec<&str> = youths.iter().map(|y| y.id.as_str()).collect();
    crate::db::audit::record_each(&mut tx, &user, AuditAction::List, "youth", None, &shown).await?;
    tx.commit().await?;
    Ok(youths)
}
