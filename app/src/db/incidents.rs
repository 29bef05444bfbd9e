//! Incidents, their chain of events, and the queue of alarm e-mails. What a caller may see
//! or do is decided in `api::incidents`; this module only stores and reads.

use super::sql::Sql;
use super::{Conn, new_id, now_ms, time_of};
use crate::domain::ids::{GroupId, IncidentId, UserId, YouthId};
use crate::domain::incident::{IncidentBody, IncidentCategory, IncidentEventKind, IncidentState, ValidIncident};
use crate::domain::scope::ListScope;
use sqlx::FromRow;

/// What storing did.
#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    Created,
    /// Stored before under this id (a resend): by whom.
    Exists {
        author_id: UserId,
        body: String,
    },
    /// A record of another kind (an entry, a submission) has the id.
    OtherKind,
}

/// Stores an incident and its young people exactly once (keyed by the device's id), with
/// the first link of its chain.
pub async fn insert(
    conn: &mut Conn,
    incident: &ValidIncident,
    group_id: &GroupId,
    author_id: &UserId,
) -> Result<Stored, sqlx::Error> {
    let body = serde_json::to_string(&incident.body).unwrap_or_default();
    let now = now_ms();
    let done = sqlx::query(
        "INSERT INTO incidents (id, group_id, occurred_on, occurred_time, category, body, author_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&incident.id)
    .bind(group_id)
    .bind(incident.date.to_string())
    .bind(&incident.time)
    .bind(incident.category.code())
    .bind(&body)
    .bind(author_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        let (author_id, body): (UserId, String) = sqlx::query_as("SELECT author_id, body FROM incidents WHERE id = $1")
            .bind(&incident.id)
            .fetch_one(&mut *conn)
            .await?;
        return Ok(Stored::Exists { author_id, body });
    }
    for youth in &incident.youth_ids {
        sqlx::query("INSERT INTO incident_youths (incident_id, youth_id) VALUES ($1, $2)")
            .bind(&incident.id)
            .bind(youth)
            .execute(&mut *conn)
            .await?;
    }
    add_event(conn, &incident.id, IncidentEventKind::Reported, Some(author_id), "").await?;
    let mut youths = incident.youth_ids.clone();
    youths.sort();
    let item = super::feed::NewItem {
        id: incident.id.as_str(),
        kind: "incident",
        group_id,
        // The feed files an incident of several young people under the first one.
        youth_id: youths.first(),
        author_id: Some(author_id),
        at: now,
        day: &incident.date.to_string(),
        category: incident.category.code(),
        urgent: true,
        to_advisor: false,
        text: &incident.body.what,
    };
    if !super::feed::insert(conn, item).await? {
        return Ok(Stored::OtherKind);
    }
    Ok(Stored::Created)
}

/// Adds a link to an incident's chain.
pub async fn add_event(
    conn: &mut Conn,
    incident_id: &IncidentId,
    kind: IncidentEventKind,
    actor_id: Option<&UserId>,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO incident_events (id, incident_id, at, kind, actor_id, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(incident_id)
    .bind(now_ms())
    .bind(kind.code())
    .bind(actor_id)
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(())
}

/// Who stored an incident under this id, and its young people and body as stored (to
/// tell a resend from another incident under a used id).
pub async fn stored(conn: &mut Conn, id: &IncidentId) -> Result<Option<(UserId, String)>, sqlx::Error> {
    sqlx::query_as("SELECT author_id, body FROM incidents WHERE id = $1").bind(id).fetch_optional(conn).await
}

/// The group of an incident (for the policy), if it exists.
pub async fn group_of(conn: &mut Conn, id: &IncidentId) -> Result<Option<GroupId>, sqlx::Error> {
    sqlx::query_scalar("SELECT group_id FROM incidents WHERE id = $1").bind(id).fetch_optional(conn).await
}

#[derive(FromRow)]
struct IncidentRow {
    id: IncidentId,
    group_id: GroupId,
    group_name: String,
    occurred_on: String,
    occurred_time: String,
    category: String,
    body: String,
    author_name: String,
    acknowledged_at: Option<i64>,
    acknowledged_by_name: Option<String>,
    escalated_at: Option<i64>,
    comments: i64,
}

/// A stored incident.
#[derive(Clone, Debug)]
pub struct StoredIncident {
    pub id: IncidentId,
    pub group_id: GroupId,
    pub group_name: String,
    /// The day it happened (YYYY-MM-DD) and the time (HH:MM).
    pub occurred_on: String,
    pub occurred_time: String,
    pub category: IncidentCategory,
    pub body: IncidentBody,
    pub author_name: String,
    /// When, and by whom, it was acknowledged.
    pub acknowledged: Option<(chrono::DateTime<chrono::Utc>, Option<String>)>,
    pub state: IncidentState,
    pub comments: i64,
}

impl IncidentRow {
    fn into_incident(self) -> StoredIncident {
        let state = match (self.acknowledged_at, self.escalated_at) {
            (Some(_), _) => IncidentState::Acknowledged,
            (None, Some(_)) => IncidentState::Escalated,
            (None, None) => IncidentState::Open,
        };
        let body = serde_json::from_str(&self.body).unwrap_or(IncidentBody {
            what: String::new(),
            measures: String::new(),
            informed: Vec::new(),
        });
        StoredIncident {
            id: self.id,
            group_id: self.group_id,
            group_name: self.group_name,
            occurred_on: self.occurred_on,
            occurred_time: self.occurred_time,
            category: IncidentCategory::parse(&self.category).unwrap_or(IncidentCategory::Other),
            body,
            author_name: self.author_name,
            acknowledged: self.acknowledged_at.map(|at| (time_of(at), self.acknowledged_by_name)),
            state,
            comments: self.comments,
        }
    }
}

const SELECT: &str = "SELECT i.id, i.group_id, g.name AS group_name, i.occurred_on, i.occurred_time, i.category, \
     i.body, u.display_name AS author_name, i.acknowledged_at, ab.display_name AS acknowledged_by_name, \
     i.escalated_at, \
     (SELECT COUNT(*) FROM incident_events e WHERE e.incident_id = i.id AND e.kind = 'kommentar') AS comments \
     FROM incidents i JOIN groups g ON g.id = i.group_id JOIN users u ON u.id = i.author_id \
     LEFT JOIN users ab ON ab.id = i.acknowledged_by";

pub async fn get(conn: &mut Conn, id: &IncidentId) -> Result<Option<StoredIncident>, sqlx::Error> {
    let row: Option<IncidentRow> =
        sqlx::query_as(&format!("{SELECT} WHERE i.id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.map(IncidentRow::into_incident))
}

/// The incidents of the scope's groups, newest first: only the unacknowledged ones, or
/// the latest `limit` of all.
pub async fn list(
    conn: &mut Conn,
    scope: &ListScope,
    open_only: bool,
    limit: i64,
) -> Result<Vec<StoredIncident>, sqlx::Error> {
    if scope.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE i.group_id IN (").bind_list(scope.groups().map(GroupId::as_str)).push(")");
    if open_only {
        sql.push(" AND i.acknowledged_at IS NULL");
    }
    sql.push(" ORDER BY i.created_at DESC, i.id DESC LIMIT ").bind_int(limit);
    let rows: Vec<IncidentRow> = sql.fetch_all(conn).await?;
    Ok(rows.into_iter().map(IncidentRow::into_incident).collect())
}

/// The young people of an incident: (id, "Vorname Nachname").
pub async fn youths(conn: &mut Conn, id: &IncidentId) -> Result<Vec<(YouthId, String)>, sqlx::Error> {
    let rows: Vec<(YouthId, String, String)> = sqlx::query_as(
        "SELECT y.id, y.first_name, y.last_name FROM incident_youths iy JOIN youths y ON y.id = iy.youth_id \
         WHERE iy.incident_id = $1 ORDER BY y.first_name, y.last_name",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id, first, last)| (id, format!("{first} {last}"))).collect())
}

/// One link of an incident's chain.
pub struct Event {
    pub kind: IncidentEventKind,
    pub at: chrono::DateTime<chrono::Utc>,
    pub by: Option<String>,
    pub detail: String,
}

/// The chain, oldest first.
pub async fn events(conn: &mut Conn, id: &IncidentId) -> Result<Vec<Event>, sqlx::Error> {
    let rows: Vec<(String, i64, Option<String>, String)> = sqlx::query_as(
        "SELECT e.kind, e.at, u.display_name, e.detail FROM incident_events e LEFT JOIN users u ON u.id = e.actor_id \
         WHERE e.incident_id = $1 ORDER BY e.at, e.id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(kind, at, by, detail)| {
            Some(Event { kind: IncidentEventKind::parse(&kind)?, at: time_of(at), by, detail })
        })
        .collect())
}

/// How many links the chain has.
pub async fn event_count(conn: &mut Conn, id: &IncidentId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM incident_events WHERE incident_id = $1").bind(id).fetch_one(conn).await
}

/// Whether `user` has a "read" link on this incident already.
pub async fn has_read(conn: &mut Conn, id: &IncidentId, user_id: &UserId) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM incident_events WHERE incident_id = $1 AND actor_id = $2 AND kind = 'gelesen'",
    )
    .bind(id)
    .bind(user_id)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Marks an incident acknowledged; false if it already was.
pub async fn acknowledge(conn: &mut Conn, id: &IncidentId, user_id: &UserId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE incidents SET acknowledged_at = $1, acknowledged_by = $2 WHERE id = $3 AND acknowledged_at IS NULL",
    )
    .bind(now_ms())
    .bind(user_id)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    // The feed shows the same acknowledgement.
    super::feed::acknowledge(conn, &id.item(), user_id).await?;
    Ok(done.rows_affected() == 1)
}

/// Who is told of an incident in a group: the group's Fachberatung and every Leitung
/// (active accounts).
pub async fn recipients(conn: &mut Conn, group_id: &GroupId) -> Result<Vec<Recipient>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id, u.display_name, u.email FROM users u WHERE u.active = 1 AND (u.role = 'leitung' OR (u.role = 'fachberatung' \
         AND EXISTS (SELECT 1 FROM user_groups ug WHERE ug.user_id = u.id AND ug.group_id = $1))) ORDER BY u.id",
    )
    .bind(group_id)
    .fetch_all(conn)
    .await
}

/// Someone told of an incident.
#[derive(Clone, Debug, FromRow)]
pub struct Recipient {
    pub id: UserId,
    pub display_name: String,
    pub email: Option<String>,
}

/// Every active Leitung account.
pub async fn leitung(conn: &mut Conn) -> Result<Vec<Recipient>, sqlx::Error> {
    sqlx::query_as("SELECT id, display_name, email FROM users WHERE active = 1 AND role = 'leitung' ORDER BY id")
        .fetch_all(conn)
        .await
}

/// Claims the incidents reported before `cutoff` that nobody acknowledged and that have
/// not escalated yet. Each is claimed by one instance only (the update checks again).
pub async fn claim_due_escalations(conn: &mut Conn, cutoff: i64) -> Result<Vec<(IncidentId, GroupId)>, sqlx::Error> {
    let due: Vec<(IncidentId, GroupId)> = sqlx::query_as(
        "SELECT id, group_id FROM incidents WHERE acknowledged_at IS NULL AND escalated_at IS NULL AND created_at <= $1 \
         ORDER BY created_at LIMIT 100",
    )
    .bind(cutoff)
    .fetch_all(&mut *conn)
    .await?;
    let mut claimed = Vec::new();
    for (id, group) in due {
        let done = sqlx::query(
            "UPDATE incidents SET escalated_at = $1 WHERE id = $2 AND escalated_at IS NULL AND acknowledged_at IS NULL",
        )
        .bind(now_ms())
        .bind(&id)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            claimed.push((id, group));
        }
    }
    Ok(claimed)
}

/// How many unacknowledged incidents the scope's groups have (the badge).
pub async fn open_count(conn: &mut Conn, scope: &ListScope) -> Result<i64, sqlx::Error> {
    if scope.is_empty() {
        return Ok(0);
    }
    let mut sql = Sql::new("SELECT COUNT(*) FROM incidents WHERE acknowledged_at IS NULL AND group_id IN (");
    sql.bind_list(scope.groups().map(GroupId::as_str)).push(")");
    let counted: Vec<(i64,)> = sql.fetch_all(conn).await?;
    Ok(counted.first().map_or(0, |c| c.0))
}

/// Queues an e-mail (sent by the server's worker).
pub async fn queue_mail(conn: &mut Conn, recipient: &str, subject: &str, body: &str) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO mail_queue (id, recipient, subject, body, created_at, next_try_at, attempts) VALUES ($1, $2, $3, $4, $5, $5, 0)",
    )
    .bind(new_id())
    .bind(recipient)
    .bind(subject)
    .bind(body)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A queued e-mail.
#[derive(Clone, Debug, FromRow)]
pub struct Mail {
    pub id: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
    pub next_try_at: i64,
}

/// Claims up to `limit` due e-mails for `lease_ms` (so two instances never send one twice
/// at the same time).
pub async fn claim_due_mail(conn: &mut Conn, limit: i64, lease_ms: i64) -> Result<Vec<Mail>, sqlx::Error> {
    let now = now_ms();
    let due: Vec<Mail> = sqlx::query_as(
        "SELECT id, recipient, subject, body, attempts, next_try_at FROM mail_queue \
         WHERE sent_at IS NULL AND next_try_at <= $1 ORDER BY next_try_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut claimed = Vec::new();
    for mail in due {
        let done = sqlx::query(
            "UPDATE mail_queue SET next_try_at = $1 WHERE id = $2 AND next_try_at = $3 AND sent_at IS NULL",
        )
        .bind(now + lease_ms)
        .bind(&mail.id)
        .bind(mail.next_try_at)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            claimed.push(mail);
        }
    }
    Ok(claimed)
}

pub async fn mail_sent(conn: &mut Conn, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE mail_queue SET sent_at = $1, last_error = NULL WHERE id = $2")
        .bind(now_ms())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records a failed attempt; the next try waits longer each time (up to an hour).
pub async fn mail_failed(conn: &mut Conn, mail: &Mail, error: &str) -> Result<(), sqlx::Error> {
    let wait = (30_000_i64 << mail.attempts.clamp(0, 7)).min(3_600_000);
    sqlx::query("UPDATE mail_queue SET attempts = attempts + 1, next_try_at = $1, last_error = $2 WHERE id = $3")
        .bind(now_ms() + wait)
        .bind(error.chars().take(500).collect::<String>())
        .bind(&mail.id)
        .execute(conn)
        .await?;
    Ok(())
}
