//! The audit log, read by the Datenschutz role only.

use crate::domain::audit::{AuditFilterInput, AuditPage};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// An account as the audit filter lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditActor {
    pub id: String,
    pub login: String,
    pub display_name: String,
}

/// A page of the audit log, newest first, filtered by account, young person and period
/// (Datenschutz only). Reading the log is itself logged. 400 on a malformed filter or
/// cursor.
#[server(prefix = "/api", endpoint = "audit/list")]
pub async fn list_audit(input: AuditFilterInput) -> Result<AuditPage, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, AuditEntry, RecordKind};
    let mut cx = Cx::begin(Action::ReadAudit).await?;
    cx.institute(Action::ReadAudit)?;
    let filter = input.validate()?;
    let (rows, more) = crate::db::audit::list(cx.tx(), &filter).await?;
    cx.audit(AuditAction::List, RecordKind::AuditLog, None, filter.youth_id.as_ref()).await?;
    cx.commit().await?;
    let next = if more { rows.last().map(|r| r.cursor.clone()) } else { None };
    let entries = rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            at_text: crate::domain::text::berlin_time(r.at),
            actor_login: r.actor_login,
            actor_role: r.actor_role,
            action: r.action,
            record_kind: r.record_kind,
            record_id: r.record_id,
            youth_id: r.youth_id,
        })
        .collect();
    Ok(AuditPage { entries, next })
}

/// The accounts to choose from in the audit filter (Datenschutz only).
#[server(prefix = "/api", endpoint = "audit/actors")]
pub async fn list_audit_actors() -> Result<Vec<AuditActor>, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::ReadAudit).await?;
    cx.institute(Action::ReadAudit)?;
    let accounts = crate::db::accounts::list(cx.tx()).await?;
    cx.audit(AuditAction::List, RecordKind::Account, None, None).await?;
    cx.commit().await?;
    Ok(accounts
        .into_iter()
        .map(|a| AuditActor { id: a.id.into_string(), login: a.login, display_name: a.display_name })
        .collect())
}
