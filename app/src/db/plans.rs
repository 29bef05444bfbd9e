//! Versions of a young person's help plan (append-only) and the legal basis of the
//! placement.

use super::{Conn, now_ms, time_of};
use crate::domain::ids::{PlanId, UserId, YouthId};
use crate::domain::plan::{PlanSnapshot, PlanVersionRef, ValidPlan};
use sqlx::FromRow;

/// Records the next version of a plan with the goals as they stand; returns its id and
/// number. The unique (young person, version) index turns a concurrent second recording
/// into an error instead of two versions with one number.
pub async fn insert(
    conn: &mut Conn,
    youth: &YouthId,
    plan: &ValidPlan,
    snapshot: &PlanSnapshot,
    author: &UserId,
) -> Result<(PlanId, i64), sqlx::Error> {
    let version: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM help_plans WHERE youth_id = $1")
        .bind(youth)
        .fetch_one(&mut *conn)
        .await?;
    let id = PlanId::fresh();
    let body = serde_json::to_string(snapshot).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "INSERT INTO help_plans (id, youth_id, version, agreed_on, body, author_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(youth)
    .bind(version)
    .bind(plan.agreed_on.to_string())
    .bind(body)
    .bind(author)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE youths SET legal_basis = $2, updated_at = $3 WHERE id = $1")
        .bind(youth)
        .bind(plan.legal_basis.code())
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok((id, version))
}

/// A young person's versions, newest first.
pub async fn list(conn: &mut Conn, youth: &YouthId) -> Result<Vec<PlanVersionRef>, sqlx::Error> {
    let rows: Vec<(PlanId, i64, String)> =
        sqlx::query_as("SELECT id, version, agreed_on FROM help_plans WHERE youth_id = $1 ORDER BY version DESC")
            .bind(youth)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|(id, version, agreed_on)| PlanVersionRef { id, version, agreed_on }).collect())
}

#[derive(FromRow)]
struct VersionRow {
    id: PlanId,
    youth_id: YouthId,
    version: i64,
    agreed_on: String,
    body: String,
    author_name: String,
    created_at: i64,
}

/// One stored version.
pub struct StoredPlan {
    pub id: PlanId,
    pub youth_id: YouthId,
    pub version: i64,
    pub agreed_on: String,
    pub snapshot: PlanSnapshot,
    pub author_name: String,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

const SELECT: &str = "SELECT p.id, p.youth_id, p.version, p.agreed_on, p.body, u.display_name AS author_name, \
     p.created_at FROM help_plans p JOIN users u ON u.id = p.author_id";

fn stored(row: VersionRow) -> Option<StoredPlan> {
    let snapshot = match serde_json::from_str(&row.body) {
        Ok(s) => s,
        Err(error) => {
            tracing::error!(%error, id = %row.id, "unreadable help plan");
            return None;
        }
    };
    Some(StoredPlan {
        id: row.id,
        youth_id: row.youth_id,
        version: row.version,
        agreed_on: row.agreed_on,
        snapshot,
        author_name: row.author_name,
        recorded_at: time_of(row.created_at),
    })
}

pub async fn get(conn: &mut Conn, id: &PlanId) -> Result<Option<StoredPlan>, sqlx::Error> {
    let row: Option<VersionRow> =
        sqlx::query_as(&format!("{SELECT} WHERE p.id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.and_then(stored))
}

/// The newest version of a young person's plan.
pub async fn latest(conn: &mut Conn, youth: &YouthId) -> Result<Option<StoredPlan>, sqlx::Error> {
    let row: Option<VersionRow> =
        sqlx::query_as(&format!("{SELECT} WHERE p.youth_id = $1 ORDER BY p.version DESC LIMIT 1"))
            .bind(youth)
            .fetch_optional(conn)
            .await?;
    Ok(row.and_then(stored))
}

/// The date of the newest version ("YYYY-MM-DD"), if there is one.
pub async fn latest_date(conn: &mut Conn, youth: &YouthId) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT agreed_on FROM help_plans WHERE youth_id = $1 ORDER BY version DESC LIMIT 1")
        .bind(youth)
        .fetch_optional(conn)
        .await
}

/// The legal basis of the young person's placement ("" if not set yet).
pub async fn legal_basis(conn: &mut Conn, youth: &YouthId) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT legal_basis FROM youths WHERE id = $1").bind(youth).fetch_one(conn).await
}

/// The next Hilfeplangespräch as each young person's newest plan set it, for the young
/// people of a group: (young person, YYYY-MM-DD); those without a date are left out.
pub async fn next_meetings_in_group(
    conn: &mut Conn,
    group: &crate::domain::ids::GroupId,
) -> Result<Vec<(YouthId, String)>, sqlx::Error> {
    let rows: Vec<(YouthId, String)> = sqlx::query_as(
        "SELECT p.youth_id, p.body FROM help_plans p JOIN youths y ON y.id = p.youth_id WHERE y.group_id = $1 \
         AND p.version = (SELECT MAX(o.version) FROM help_plans o WHERE o.youth_id = p.youth_id)",
    )
    .bind(group)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(youth, body)| {
            let snapshot: PlanSnapshot = serde_json::from_str(&body).ok()?;
            (!snapshot.next_on.is_empty()).then_some((youth, snapshot.next_on))
        })
        .collect())
}
