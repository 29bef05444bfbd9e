//! The audit log: append-only (database triggers refuse UPDATE and DELETE).

use super::{Conn, new_id, now_ms, time_of};
use crate::domain::audit::{AuditAction, AuditFilter, RecordKind};
use crate::domain::ids::{UserId, YouthId};
use crate::domain::user::CurrentUser;
use sqlx::FromRow;

/// One audit row to write.
#[derive(Clone, Copy, Debug)]
pub struct AuditRecord<'a> {
    pub action: AuditAction,
    pub record_kind: RecordKind,
    pub record_id: Option<&'a str>,
    pub youth_id: Option<&'a YouthId>,
}

/// Writes an audit row for `actor`, in the caller's transaction.
pub async fn record(conn: &mut Conn, actor: &CurrentUser, rec: AuditRecord<'_>) -> Result<(), sqlx::Error> {
    write(conn, Some(&actor.id), &actor.login, actor.role.as_str(), rec).await
}

/// Writes an audit row for someone not (yet) authenticated, e.g. a failed login.
pub async fn record_anonymous(conn: &mut Conn, login: &str, rec: AuditRecord<'_>) -> Result<(), sqlx::Error> {
    write(conn, None, login, "-", rec).await
}

async fn write(
    conn: &mut Conn,
    actor_id: Option<&UserId>,
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
    .bind(rec.record_kind.as_str())
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

/// One stored audit row.
pub struct Logged {
    pub id: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor_login: String,
    pub actor_role: String,
    pub action: String,
    pub record_kind: String,
    pub record_id: Option<String>,
    pub youth_id: Option<String>,
    /// The page's cursor position of this row.
    pub cursor: String,
}

/// Page size of the audit view.
pub const PAGE: i64 = 100;

/// A page of the audit log, newest first, filtered, and whether more follow. Keyset
/// pagination on (at, id).
pub async fn list(conn: &mut Conn, filter: &AuditFilter) -> Result<(Vec<Logged>, bool), sqlx::Error> {
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
    .bind(filter.actor_id.as_ref().map(UserId::as_str).unwrap_or_default())
    .bind(filter.youth_id.as_ref().map(YouthId::as_str).unwrap_or_default())
    .bind(before_at)
    .bind(before_id)
    .bind(PAGE + 1)
    .fetch_all(conn)
    .await?;
    let more = rows.len() as i64 > PAGE;
    let entries = rows
        .into_iter()
        .take(PAGE as usize)
        .map(|r| Logged {
            cursor: crate::domain::audit::cursor(r.at, &r.id),
            id: r.id,
            at: time_of(r.at),
            actor_login: r.actor_login,
            actor_role: r.actor_role,
            action: r.action,
            record_kind: r.record_kind,
            record_id: r.record_id,
            youth_id: r.youth_id,
        })
        .collect();
    Ok((entries, more))
}

/// Number of audit rows (for tests and backup checks).
pub async fn count(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(conn).await
}
