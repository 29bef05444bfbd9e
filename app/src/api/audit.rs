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
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    allow(can(&user, Action::ReadAudit, Resource::Institute))?;
    let filter = input.validate()?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let page = crate::db::audit::list(&mut tx, &filter).await?;
    record(
        &mut tx,
        &user,
        AuditRecord {
            action: AuditAction::List,
            record_kind: "audit_log",
            record_id: None,
            youth_id: filter.youth_id.as_deref(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(page)
}

/// The accounts to choose from in the audit filter (Datenschutz only).
#[server(prefix = "/api", endpoint = "audit/actors")]
pub async fn list_audit_actors() -> Result<Vec<AuditActor>, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    allow(can(&user, Action::ReadAudit, Resource::Institute))?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let accounts = crate::db::accounts::list(&mut tx).await?;
    let rec = AuditRecord { action: AuditAction::List, record_kind: "account", record_id: None, youth_id: None };
    record(&mut tx, &user, rec).await?;
    tx.commit().await?;
    Ok(accounts.into_iter().map(|a| AuditActor { id: a.id, login: a.login, display_name: a.display_name }).collect())
}
