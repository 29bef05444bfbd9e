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
/// without case access, get 404 (or 403 for a role that never sees case data): the answer
/// does not even say whether the record exists. Writes an audit row.
#[server(prefix = "/api", endpoint = "youths/get")]
pub async fn get_youth(id: String) -> Result<YouthDetail, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::{Action, Resource};
    use crate::domain::audit::{AuditAction, RecordKind};
    let id: crate::domain::ids::YouthId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::ViewYouth).await?;
    cx.youth(Action::ViewYouth, &id).await?;
    let mut youth = crate::db::youths::get(cx.tx(), &id).await?.ok_or(AppError::NotFound)?;
    youth.age = crate::domain::text::age_from_iso(&youth.birth_date, super::ssr::today());
    cx.audit(AuditAction::Read, RecordKind::Youth, Some(id.as_str()), Some(&id)).await?;
    let can_edit = cx.can(Action::EditYouth, Resource::Group(&youth.group_id));
    cx.commit().await?;
    Ok(YouthDetail { youth, can_edit })
}

/// Admits a young person to a group home (Leitung). 400 with field messages on bad input
/// (future or implausible birth date, admission before birth, unknown group).
#[server(prefix = "/api", endpoint = "youths/create")]
pub async fn create_youth(input: YouthInput) -> Result<String, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::CreateYouth).await?;
    let valid = input.validate(super::ssr::today())?;
    cx.in_group(Action::CreateYouth, &valid.group_id, "group_id").await?;
    let id = crate::db::youths::insert(cx.tx(), &valid).await?;
    cx.audit(AuditAction::Create, RecordKind::Youth, Some(id.as_str()), Some(&id)).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/jugendliche/{id}"));
    Ok(id.into_string())
}

/// Changes a young person's master data, including a move to another group (Leitung).
#[server(prefix = "/api", endpoint = "youths/update")]
pub async fn update_youth(id: String, input: YouthInput) -> Result<String, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let id: crate::domain::ids::YouthId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::EditYouth).await?;
    let valid = input.validate(super::ssr::today())?;
    cx.youth(Action::EditYouth, &id).await?;
    cx.in_group(Action::EditYouth, &valid.group_id, "group_id").await?;
    crate::db::youths::update(cx.tx(), &id, &valid).await?;
    cx.audit(AuditAction::Update, RecordKind::Youth, Some(id.as_str()), Some(&id)).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/jugendliche/{id}"));
    Ok(id.into_string())
}

/// Every young person, to link a young person's account to their record (Leitung only).
#[server(prefix = "/api", endpoint = "youths/choices")]
pub async fn list_youth_choices() -> Result<Vec<YouthSummary>, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::LinkYouthAccount).await?;
    cx.institute(Action::LinkYouthAccount)?;
    let youths = crate::db::youths::list_all(cx.tx()).await?;
    let shown: Vec<_> = youths.iter().map(|y| &y.id).collect();
    cx.audit_each(AuditAction::List, RecordKind::Youth, None, &shown).await?;
    cx.commit().await?;
    Ok(youths)
}
