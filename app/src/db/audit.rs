//! The audit log: append-only (database triggers refuse UPDATE and DELETE).

use super::{Conn, berlin_time, new_id, now_ms};
use crate::auth::CurrentUser;
use crate::domain::audit::{AuditEntry, AuditFilter, AuditPage, cursor};
use sqlx::FromRow;

/// What an audit row says happened. Stored as text; never the content itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAction {
    Login,
    LoginFailed,
    Logout,
    Read,
    List,
    Create,
    Update,
    PasswordReset,
    Deactivate,
    Activate,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::Logout => "logout",
            AuditAction::Read => "read",
            AuditAction::List => "list",
            AuditAction::Create => "create",
            AuditAction::Update => "update",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::Deactivate => "deactivate",
            AuditAction::Activate => "activate",
        }
    }
}

/// One audit row to write.
pub struct AuditRecord<'a> {
    pub action: AuditAction,
    pub record_kind: &'a str,
    pub record_id: Option<&'a str>,
    pub youth_id: Option<&'a str>,
}

/// Writes an audit row for `actor`, in the caller's transaction.
pub async fn record(conn: &mut Conn, actor: &CurrentUser, rec: AuditRecord<'_>) -> Result<(), sqlx::Error> {
    write(conn, Some(&actor.id), &actor.login, actor.role.as_str(), rec).await
}

/// Writes one audit row per young person shown (a list or an overview that names them),
/// in the caller's transaction, so "who saw X" also finds list views. `record_id` is the
/// record listed (a group, a timeline); `None` names each young person's own record.
pub async fn record_each(
    conn: &mut Conn,
    actor: &CurrentUser,
    action: AuditAction,
    record_kind: &str,
    record_id: Option<&str>,
    youth_ids: &[&str],
) -> Result<(), sqlx::Error> {
    for &youth_id in youth_ids {
        let rec = AuditRecord {
            action,
            record_kind,
            record_id: Some(record_id.unwrap_or(youth_id)),
            youth_id: Some(youth_id),
        };
        record(&mut *conn, actor, rec).await?;
    }
    Ok(())
}

/// Writes an audit row for someone not (yet) authenticated, e.g. a failed login.
pub async fn record_anonymous(conn: &mut Conn, login: &str, rec: AuditRecord<'_>) -> Result<(), sqlx::Error> {
    write(conn, None, login, "-", rec).await
}

async fn write(
    conn: &mut Conn,
    actor_id: Option<&str>,
    login: &str,
    role: &str,
    rec: AuditRecord<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_id, actor_login, actor_role, action, record_kind, record_id, youth_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(now_ms())
    .bind(actor_id)
    .bind(login)
    .bind(role)
    .bind(rec.action.as_str())
    .bind(rec.record_kind)
    .bind(rec.record_id)
    .bind(rec.youth_id)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct AuditRow {
    id: String,
    at: i64,
    actor_login: String,
    actor_role: String,
    action: String,
    record_kind: String,
    record_id: Option<String>,
    youth_id: Option<String>,
}

/// Page size of the audit view.
pub const PAGE: i64 = 100;

/// A page of the audit log, newest first, filtered. Keyset pagination on (at, id).
pub async fn list(conn: &mut Conn, filter: &AuditFilter) -> Result<AuditPage, sqlx::Error> {
    // Days as people in the group homes mean them: from midnight in Europe/Berlin.
    let day_ms = |d: chrono::NaiveDate| {
        use chrono::TimeZone;
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| chrono_tz::Europe::Berlin.from_local_datetime(&t).earliest())
            .map(|t| t.timestamp_millis())
            .unwrap_or(0)
    };
    let from = filter.from.map(day_ms).unwrap_or(0);
    let to = filter.to.and_then(|d| d.succ_opt()).map(day_ms).unwrap_or(i64::MAX);
    let (before_at, before_id) = filter.before.clone().unwrap_or((i64::MAX, String::new()));
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT id, at, actor_login, actor_role, action, record_kind, record_id, youth_id FROM audit_log \
         WHERE at >= $1 AND at < $2 \
         AND ($3 = '' OR actor_id = $3) AND ($4 = '' OR youth_id = $4) \
         AND (at < $5 OR (at = $5 AND ($6 = '' OR id < $6))) \
         ORDER BY at DESC, id DESC LIMIT $7",
    )
    .bind(from)
    .bind(to)
    .bind(filter.actor_id.clone().unwrap_or_default())
    .bind(filter.youth_id.clone().unwrap_or_default())
    .bind(before_at)
    .bind(before_id)
    .bind(PAGE + 1)
    .fetch_all(conn)
    .await?;
    let more = rows.len() as i64 > PAGE;
    let entries: Vec<AuditEntry> = rows
        .into_iter()
        .take(PAGE as usize)
        .map(|r| AuditEntry {
            id: r.id,
            at_text: berlin_time(r.at),
            at: r.at,
            actor_login: r.actor_login,
            actor_role: r.actor_role,
            action: r.action,
            record_kind: r.record_kind,
            record_id: r.record_id,
            youth_id: r.youth_id,
        })
        .collect();
    let next = if more { entries.last().map(|e| cursor(e.at, &e.id)) } else { None };
    Ok(AuditPage { entries, next })
}

/// Number of audit rows (for tests and backup checks).
pub async fn count(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(conn).await
}
