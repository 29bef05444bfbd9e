//! Participation and complaints (submissions), their steps, and the public links of the
//! groups' anonymous forms. What a row may carry is decided in `api::submissions`; this
//! module only stores: an anonymous row gets no account, no young person and no time of
//! day.

use super::sql::Sql;
use super::{Conn, new_id, now_ms, time_of};
use crate::domain::Role;
use crate::domain::feedback::{FeedbackKind, FeedbackStatus, Mood, Recipient, Topic, ValidFeedback};
use crate::domain::ids::{FeedbackId, GroupId, UserId, YouthId};
use crate::domain::scope::ListScope;
use sqlx::FromRow;

/// A checked submission with its group and (for named ones) its author.
pub struct NewFeedback<'a> {
    pub feedback: &'a ValidFeedback,
    pub group_id: &'a GroupId,
    pub author_id: Option<&'a UserId>,
    pub youth_id: Option<&'a YouthId>,
    /// SHA-256 of the device's id: stores a resend once without keeping the id.
    pub device_key: &'a str,
    /// SHA-256 of what was sent, to tell a resend from another submission under the id.
    pub content_hash: &'a str,
    pub pickup_hash: Option<&'a str>,
    /// Today where the group homes are.
    pub today: chrono::NaiveDate,
}

/// What storing did.
#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    Created(FeedbackId),
    /// Stored before under this device key: the content hash of that first send.
    Exists {
        id: FeedbackId,
        content_hash: String,
    },
    /// A record of another kind (an entry, an incident) has the id.
    OtherKind,
}

/// Midnight of a day in Berlin, in UTC milliseconds (the sort time of an anonymous row).
pub fn day_start_ms(day: chrono::NaiveDate) -> i64 {
    use chrono::TimeZone;
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| chrono_tz::Europe::Berlin.from_local_datetime(&t).earliest())
        .map(|t| t.timestamp_millis())
        .unwrap_or_default()
}

/// Stores a submission exactly once per device key. `row_id`: the device's id for a
/// named submission; for an anonymous one a random id that, unlike the time-ordered ids
/// elsewhere, tells nothing about when the row was made.
pub async fn insert(conn: &mut Conn, new: NewFeedback<'_>, row_id: &FeedbackId) -> Result<Stored, sqlx::Error> {
    let f = new.feedback;
    let now = now_ms();
    let listed_at = if f.anonymous { day_start_ms(new.today) } else { now };
    let done = sqlx::query(
        "INSERT INTO feedback (id, device_key, content_hash, group_id, kind, topic, mood, body, recipient, anonymous, \
         author_id, youth_id, pickup_hash, received_on, listed_at, status, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $15) \
         ON CONFLICT (device_key) DO NOTHING",
    )
    .bind(row_id)
    .bind(new.device_key)
    .bind(new.content_hash)
    .bind(new.group_id)
    .bind(f.kind.code())
    .bind(f.topic.code())
    .bind(f.mood.map(Mood::code))
    .bind(&f.text)
    .bind(f.recipient.code())
    .bind(i64::from(f.anonymous))
    .bind(new.author_id)
    .bind(new.youth_id)
    .bind(new.pickup_hash)
    .bind(new.today.to_string())
    .bind(listed_at)
    .bind(FeedbackStatus::Received.code())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        let past_group = f.recipient == Recipient::Advisor;
        let item = super::feed::NewItem {
            id: row_id.as_str(),
            kind: f.kind.code(),
            group_id: new.group_id,
            youth_id: new.youth_id,
            author_id: new.author_id,
            at: listed_at,
            day: &new.today.to_string(),
            category: f.topic.code(),
            urgent: past_group && f.kind == FeedbackKind::Complaint,
            to_advisor: past_group,
            text: &f.text,
        };
        if !super::feed::insert(conn, item).await? {
            return Ok(Stored::OtherKind);
        }
        return Ok(Stored::Created(row_id.clone()));
    }
    let (id, content_hash): (FeedbackId, String) =
        sqlx::query_as("SELECT id, content_hash FROM feedback WHERE device_key = $1")
            .bind(new.device_key)
            .fetch_one(conn)
            .await?;
    Ok(Stored::Exists { id, content_hash })
}

#[derive(FromRow)]
struct SubmissionRow {
    id: FeedbackId,
    group_id: GroupId,
    group_name: String,
    kind: String,
    topic: String,
    mood: Option<String>,
    body: String,
    recipient: String,
    anonymous: i64,
    author_name: Option<String>,
    youth_id: Option<YouthId>,
    received_on: String,
    status: String,
}

/// A stored submission.
#[derive(Clone, Debug)]
pub struct Submission {
    pub id: FeedbackId,
    pub group_id: GroupId,
    pub group_name: String,
    pub kind: FeedbackKind,
    pub topic: Topic,
    pub mood: Option<Mood>,
    pub text: String,
    pub recipient: Recipient,
    /// Addressed past the group, to the Fachberatung.
    pub to_advisor: bool,
    pub anonymous: bool,
    /// The first name of a named sender.
    pub author_name: Option<String>,
    /// The named sender's record (for audit rows); `None` when anonymous.
    pub youth_id: Option<YouthId>,
    pub received_on: String,
    pub status: FeedbackStatus,
}

impl SubmissionRow {
    /// `None` for a row with codes this version does not know.
    fn into_submission(self) -> Option<Submission> {
        let recipient = Recipient::parse(&self.recipient)?;
        Some(Submission {
            id: self.id,
            group_id: self.group_id,
            group_name: self.group_name,
            kind: FeedbackKind::parse(&self.kind)?,
            topic: Topic::parse(&self.topic)?,
            mood: self.mood.as_deref().and_then(Mood::parse),
            text: self.body,
            to_advisor: recipient != Recipient::Group,
            recipient,
            anonymous: self.anonymous != 0,
            author_name: self.author_name,
            youth_id: self.youth_id,
            received_on: self.received_on,
            status: FeedbackStatus::parse(&self.status)?,
        })
    }
}

const SELECT: &str = "SELECT f.id, f.group_id, g.name AS group_name, f.kind, f.topic, f.mood, f.body, f.recipient, \
     f.anonymous, y.first_name AS author_name, f.youth_id, f.received_on, f.status \
     FROM feedback f JOIN groups g ON g.id = f.group_id LEFT JOIN youths y ON y.id = f.youth_id";

fn known(rows: Vec<SubmissionRow>) -> Vec<Submission> {
    rows.into_iter().filter_map(SubmissionRow::into_submission).collect()
}

pub async fn get(conn: &mut Conn, id: &FeedbackId) -> Result<Option<Submission>, sqlx::Error> {
    let row: Option<SubmissionRow> =
        sqlx::query_as(&format!("{SELECT} WHERE f.id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.and_then(SubmissionRow::into_submission))
}

/// Pickup hashes still in the form from before keyed hashing (SHA-256 of the code, no
/// `h1:` prefix): (row id, hash).
pub async fn unkeyed_pickups(conn: &mut Conn) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, pickup_hash FROM feedback WHERE pickup_hash IS NOT NULL AND pickup_hash NOT LIKE 'h1:%'")
        .fetch_all(conn)
        .await
}

/// Replaces one pickup hash, only if it is still `old` (two instances may start at once).
pub async fn replace_pickup(conn: &mut Conn, id: &str, old: &str, new: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE feedback SET pickup_hash = $3 WHERE id = $1 AND pickup_hash = $2")
        .bind(id)
        .bind(old)
        .bind(new)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn by_pickup(conn: &mut Conn, pickup_hash: &str) -> Result<Option<Submission>, sqlx::Error> {
    let row: Option<SubmissionRow> =
        sqlx::query_as(&format!("{SELECT} WHERE f.pickup_hash = $1")).bind(pickup_hash).fetch_optional(conn).await?;
    Ok(row.and_then(SubmissionRow::into_submission))
}

/// Submissions in the scope (what went past a group only where the scope allows it),
/// newest first, at most `limit`. `status`: `None` for all, `Some(None)` for all not
/// done, `Some(Some(s))` for one status.
pub async fn list(
    conn: &mut Conn,
    scope: &ListScope,
    status: Option<Option<FeedbackStatus>>,
    limit: i64,
) -> Result<Vec<Submission>, sqlx::Error> {
    if scope.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE (");
    for (i, (group, past)) in scope.entries().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        sql.push("(f.group_id = ").bind(group.as_str());
        if !past {
            sql.push(" AND f.recipient = ").bind(Recipient::Group.code());
        }
        sql.push(")");
    }
    sql.push(")");
    match status {
        None => {}
        Some(None) => {
            sql.push(" AND f.status <> ").bind(FeedbackStatus::Done.code());
        }
        Some(Some(s)) => {
            sql.push(" AND f.status = ").bind(s.code());
        }
    }
    sql.push(" ORDER BY f.listed_at DESC, f.id DESC LIMIT ").bind_int(limit);
    Ok(known(sql.fetch_all(conn).await?))
}

/// A young person's own named submissions, newest first.
pub async fn mine(conn: &mut Conn, author_id: &UserId) -> Result<Vec<Submission>, sqlx::Error> {
    let rows: Vec<SubmissionRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE f.author_id = $1 AND f.anonymous = 0 ORDER BY f.listed_at DESC, f.id DESC"
    ))
    .bind(author_id)
    .fetch_all(conn)
    .await?;
    Ok(known(rows))
}

#[derive(FromRow)]
struct StepRow {
    at: i64,
    actor_name: String,
    actor_role: String,
    status: Option<String>,
    answer: Option<String>,
}

/// One step on a submission: a status change and/or an answer.
pub struct Step {
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor_name: String,
    pub actor_role: Option<Role>,
    pub status: Option<FeedbackStatus>,
    pub answer: Option<String>,
}

/// Every step on a submission, oldest first.
pub async fn steps(conn: &mut Conn, id: &FeedbackId) -> Result<Vec<Step>, sqlx::Error> {
    let rows: Vec<StepRow> = sqlx::query_as(
        "SELECT e.at, u.display_name AS actor_name, e.actor_role, e.status, e.answer FROM feedback_events e \
         JOIN users u ON u.id = e.actor_id WHERE e.feedback_id = $1 ORDER BY e.at, e.id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Step {
            at: time_of(r.at),
            actor_name: r.actor_name,
            actor_role: Role::parse(&r.actor_role),
            status: r.status.as_deref().and_then(FeedbackStatus::parse),
            answer: r.answer,
        })
        .collect())
}

/// Records a step and moves the submission to its status.
pub async fn add_step(
    conn: &mut Conn,
    id: &FeedbackId,
    actor: &UserId,
    actor_role: Role,
    status: FeedbackStatus,
    answer: Option<&str>,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO feedback_events (id, feedback_id, at, actor_id, actor_role, status, answer) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(id)
    .bind(now)
    .bind(actor)
    .bind(actor_role.as_str())
    .bind(status.code())
    .bind(answer)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE feedback SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.code())
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Counts per group, kind, topic and status for the days `from..=to` (ISO dates).
pub async fn counts(
    conn: &mut Conn,
    from: &str,
    to: &str,
) -> Result<Vec<(GroupId, String, String, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT group_id, kind, topic, status, COUNT(*) FROM feedback WHERE received_on >= $1 AND received_on <= $2 \
         GROUP BY group_id, kind, topic, status ORDER BY group_id, kind, topic, status",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

// ------------------------------------------------------------ group links

/// The token of a group's public link: `fresh` (minted by the caller) is stored if the
/// group has none yet. Two instances asking at once both insert; the second insert does
/// nothing and both read the same row.
pub async fn group_token(conn: &mut Conn, group_id: &GroupId, fresh: &str) -> Result<String, sqlx::Error> {
    sqlx::query(
        "INSERT INTO group_links (group_id, token, created_at) VALUES ($1, $2, $3) ON CONFLICT (group_id) DO NOTHING",
    )
    .bind(group_id)
    .bind(fresh)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar("SELECT token FROM group_links WHERE group_id = $1").bind(group_id).fetch_one(conn).await
}

/// The group a public link belongs to: its id and name.
pub async fn group_of_token(conn: &mut Conn, token: &str) -> Result<Option<(GroupId, String)>, sqlx::Error> {
    sqlx::query_as("SELECT g.id, g.name FROM group_links l JOIN groups g ON g.id = l.group_id WHERE l.token = $1")
        .bind(token)
        .fetch_optional(conn)
        .await
}
