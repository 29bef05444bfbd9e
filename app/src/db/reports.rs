//! Reports for the Hilfeplangespräch, their comments, the young people's own views and
//! the configured list of sections; and what the draft is made from.

use super::{Conn, now_ms, time_of};
use crate::domain::entry::EntryBody;
use crate::domain::ids::{EntryId, FeedbackId, GoalId, IncidentId, UserId, YouthId};
use crate::domain::plan::Perspective;
use crate::domain::report::{
    ComplaintLine, IncidentLine, RatingRow, ReportBody, ReportRef, ReportStatus, SourceEntry, TemplateSection,
    ViewBody, ViewRow,
};
use sqlx::FromRow;

fn encode<T: serde::Serialize>(value: &T) -> Result<String, sqlx::Error> {
    serde_json::to_string(value).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

fn decode<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// A new report version.
pub struct NewReport<'a> {
    pub id: &'a str,
    pub series_id: &'a str,
    pub version: i64,
    pub youth_id: &'a YouthId,
    pub meeting_on: &'a str,
    pub period_from: &'a str,
    pub period_to: &'a str,
    pub body: &'a ReportBody,
    pub correction_reason: &'a str,
    pub created_by: &'a UserId,
}

pub async fn insert(conn: &mut Conn, new: NewReport<'_>) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO reports (id, series_id, version, youth_id, meeting_on, period_from, period_to, body, revision, \
         correction_reason, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $11, $11)",
    )
    .bind(new.id)
    .bind(new.series_id)
    .bind(new.version)
    .bind(new.youth_id)
    .bind(new.meeting_on)
    .bind(new.period_from)
    .bind(new.period_to)
    .bind(encode(new.body)?)
    .bind(new.correction_reason)
    .bind(new.created_by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct ReportRow {
    id: String,
    series_id: String,
    version: i64,
    youth_id: YouthId,
    meeting_on: String,
    period_from: String,
    period_to: String,
    body: String,
    revision: i64,
    correction_reason: String,
    created_by_name: String,
    reviewed_by_name: Option<String>,
    reviewed_at: Option<i64>,
    signed_by_name: Option<String>,
    signed_at: Option<i64>,
    sent_on: Option<String>,
    summary: String,
    summary_released_at: Option<i64>,
    explained_on: Option<String>,
    explained_by_name: Option<String>,
}

/// A stored report version.
#[derive(Clone, Debug)]
pub struct StoredReport {
    pub id: String,
    pub series_id: String,
    pub version: i64,
    pub youth_id: YouthId,
    pub meeting_on: String,
    pub period_from: String,
    pub period_to: String,
    pub body: ReportBody,
    pub revision: i64,
    pub correction_reason: String,
    pub created_by: String,
    pub reviewed: Option<(String, chrono::DateTime<chrono::Utc>)>,
    pub signed: Option<(String, chrono::DateTime<chrono::Utc>)>,
    pub sent_on: Option<String>,
    pub summary: String,
    pub summary_released_at: Option<chrono::DateTime<chrono::Utc>>,
    pub explained: Option<(String, String)>,
}

impl StoredReport {
    pub fn status(&self) -> ReportStatus {
        status_of(self.reviewed.is_some(), self.signed.is_some(), self.sent_on.is_some())
    }
}

fn status_of(reviewed: bool, signed: bool, sent: bool) -> ReportStatus {
    match (reviewed, signed, sent) {
        (_, _, true) => ReportStatus::Sent,
        (_, true, false) => ReportStatus::Signed,
        (true, false, false) => ReportStatus::Reviewed,
        _ => ReportStatus::Draft,
    }
}

const SELECT: &str = "SELECT r.id, r.series_id, r.version, r.youth_id, r.meeting_on, r.period_from, r.period_to, \
     r.body, r.revision, r.correction_reason, c.display_name AS created_by_name, \
     rv.display_name AS reviewed_by_name, r.reviewed_at, s.display_name AS signed_by_name, r.signed_at, r.sent_on, \
     r.summary, r.summary_released_at, r.explained_on, x.display_name AS explained_by_name \
     FROM reports r JOIN users c ON c.id = r.created_by \
     LEFT JOIN users rv ON rv.id = r.reviewed_by LEFT JOIN users s ON s.id = r.signed_by \
     LEFT JOIN users x ON x.id = r.explained_by";

fn stored(row: ReportRow) -> Result<StoredReport, sqlx::Error> {
    Ok(StoredReport {
        body: decode(&row.body)?,
        id: row.id,
        series_id: row.series_id,
        version: row.version,
        youth_id: row.youth_id,
        meeting_on: row.meeting_on,
        period_from: row.period_from,
        period_to: row.period_to,
        revision: row.revision,
        correction_reason: row.correction_reason,
        created_by: row.created_by_name,
        reviewed: row.reviewed_at.map(|at| (row.reviewed_by_name.unwrap_or_default(), time_of(at))),
        signed: row.signed_at.map(|at| (row.signed_by_name.unwrap_or_default(), time_of(at))),
        sent_on: row.sent_on,
        summary: row.summary,
        summary_released_at: row.summary_released_at.map(time_of),
        explained: row.explained_on.map(|on| (on, row.explained_by_name.unwrap_or_default())),
    })
}

pub async fn get(conn: &mut Conn, id: &str) -> Result<Option<StoredReport>, sqlx::Error> {
    let row: Option<ReportRow> =
        sqlx::query_as(&format!("{SELECT} WHERE r.id = $1")).bind(id).fetch_optional(conn).await?;
    row.map(stored).transpose()
}

/// The young person a report is about.
pub async fn youth_of(conn: &mut Conn, id: &str) -> Result<Option<YouthId>, sqlx::Error> {
    sqlx::query_scalar("SELECT youth_id FROM reports WHERE id = $1").bind(id).fetch_optional(conn).await
}

#[derive(FromRow)]
struct RefRow {
    id: String,
    version: i64,
    meeting_on: String,
    reviewed_at: Option<i64>,
    signed_at: Option<i64>,
    sent_on: Option<String>,
}

fn reference(row: RefRow) -> ReportRef {
    ReportRef {
        status: status_of(row.reviewed_at.is_some(), row.signed_at.is_some(), row.sent_on.is_some()),
        id: row.id,
        version: row.version,
        meeting_on: row.meeting_on,
    }
}

/// Every version of a report, newest first.
pub async fn versions(conn: &mut Conn, series: &str) -> Result<Vec<ReportRef>, sqlx::Error> {
    let rows: Vec<RefRow> = sqlx::query_as(
        "SELECT id, version, meeting_on, reviewed_at, signed_at, sent_on FROM reports WHERE series_id = $1 \
         ORDER BY version DESC",
    )
    .bind(series)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(reference).collect())
}

/// A young person's reports (the newest version of each), newest meeting first.
pub async fn list_for_youth(conn: &mut Conn, youth: &YouthId) -> Result<Vec<ReportRef>, sqlx::Error> {
    let rows: Vec<RefRow> = sqlx::query_as(
        "SELECT id, version, meeting_on, reviewed_at, signed_at, sent_on FROM reports r WHERE youth_id = $1 \
         AND version = (SELECT MAX(version) FROM reports o WHERE o.series_id = r.series_id) \
         ORDER BY meeting_on DESC, created_at DESC",
    )
    .bind(youth)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(reference).collect())
}

/// The report version still being written for a young person, if any.
pub async fn open_for_youth(conn: &mut Conn, youth: &YouthId) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM reports WHERE youth_id = $1 AND signed_at IS NULL ORDER BY created_at DESC LIMIT 1",
    )
    .bind(youth)
    .fetch_optional(conn)
    .await
}

/// The meeting dates that have a report, for the young people of a group (reminders).
pub async fn meetings_in_group(
    conn: &mut Conn,
    group: &crate::domain::ids::GroupId,
) -> Result<Vec<(YouthId, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.youth_id, r.meeting_on FROM reports r JOIN youths y ON y.id = r.youth_id WHERE y.group_id = $1",
    )
    .bind(group)
    .fetch_all(conn)
    .await
}

/// Stores a changed body if nobody changed the report since `revision` and it is not
/// signed; false otherwise.
pub async fn update_body(
    conn: &mut Conn,
    id: &str,
    revision: i64,
    body: &ReportBody,
    period_to: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE reports SET body = $3, revision = revision + 1, period_to = COALESCE($4, period_to), updated_at = $5 \
         WHERE id = $1 AND revision = $2 AND signed_at IS NULL",
    )
    .bind(id)
    .bind(revision)
    .bind(encode(body)?)
    .bind(period_to)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the revision as reviewed by the Fachberatung.
pub async fn review(conn: &mut Conn, id: &str, revision: i64, by: &UserId) -> Result<bool, sqlx::Error> {
    stamp(conn, Stamp::Reviewed, id, revision, by).await
}

/// Signs the revision (Leitung): from now on it is frozen.
pub async fn sign(conn: &mut Conn, id: &str, revision: i64, by: &UserId) -> Result<bool, sqlx::Error> {
    stamp(conn, Stamp::Signed, id, revision, by).await
}

enum Stamp {
    Reviewed,
    Signed,
}

/// Who reviewed or signed, and when, on the revision they saw, while it is not signed.
async fn stamp(conn: &mut Conn, stamp: Stamp, id: &str, revision: i64, by: &UserId) -> Result<bool, sqlx::Error> {
    let set = match stamp {
        Stamp::Reviewed => "reviewed_by = $3, reviewed_at = $4",
        Stamp::Signed => "signed_by = $3, signed_at = $4",
    };
    let done = sqlx::query(&format!(
        "UPDATE reports SET {set}, revision = revision + 1, updated_at = $4 \
         WHERE id = $1 AND revision = $2 AND signed_at IS NULL"
    ))
    .bind(id)
    .bind(revision)
    .bind(by)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_sent(conn: &mut Conn, id: &str, on: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE reports SET sent_on = $2, updated_at = $3 WHERE id = $1 AND signed_at IS NOT NULL")
        .bind(id)
        .bind(on)
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Stores the summary for the young person (and releases it) while it is not released.
pub async fn set_summary(conn: &mut Conn, id: &str, summary: &str, release: bool) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE reports SET summary = $2, summary_released_at = $3, updated_at = $4 \
         WHERE id = $1 AND summary_released_at IS NULL",
    )
    .bind(id)
    .bind(summary)
    .bind(if release { Some(now) } else { None })
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_explained(conn: &mut Conn, id: &str, on: &str, by: &UserId) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE reports SET explained_on = $2, explained_by = $3, updated_at = $4 WHERE id = $1")
        .bind(id)
        .bind(on)
        .bind(by)
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn add_comment(
    conn: &mut Conn,
    report: &str,
    section: &str,
    by: &UserId,
    text: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO report_comments (id, report_id, section, author_id, text, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(report)
    .bind(section)
    .bind(by)
    .bind(text)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

/// A version's comments, oldest first: (section, author, when, text).
pub async fn comments(
    conn: &mut Conn,
    report: &str,
) -> Result<Vec<(String, String, chrono::DateTime<chrono::Utc>, String)>, sqlx::Error> {
    let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
        "SELECT c.section, u.display_name, c.created_at, c.text FROM report_comments c \
         JOIN users u ON u.id = c.author_id WHERE c.report_id = $1 ORDER BY c.created_at, c.id",
    )
    .bind(report)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(s, a, at, t)| (s, a, time_of(at), t)).collect())
}

/// The released summaries of a young person's reports, newest meeting first:
/// (meeting, summary, released at).
pub async fn released_summaries(
    conn: &mut Conn,
    youth: &YouthId,
) -> Result<Vec<(String, String, chrono::DateTime<chrono::Utc>)>, sqlx::Error> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT meeting_on, summary, summary_released_at FROM reports \
         WHERE youth_id = $1 AND summary_released_at IS NOT NULL ORDER BY meeting_on DESC, version DESC",
    )
    .bind(youth)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(m, s, at)| (m, s, time_of(at))).collect())
}

/// The configured sections, if Leitung changed the default list.
pub async fn template(conn: &mut Conn) -> Result<Option<Vec<TemplateSection>>, sqlx::Error> {
    let body: Option<String> =
        sqlx::query_scalar("SELECT body FROM report_templates WHERE id = 'default'").fetch_optional(conn).await?;
    body.map(|b| decode(&b)).transpose()
}

pub async fn set_template(conn: &mut Conn, sections: &[TemplateSection], by: &UserId) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO report_templates (id, body, updated_by, updated_at) VALUES ('default', $1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
    )
    .bind(encode(&sections)?)
    .bind(by)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

/// Stores a young person's view once; false if that id was stored before.
pub async fn insert_view(
    conn: &mut Conn,
    id: &str,
    youth: &YouthId,
    author: &UserId,
    body: &ViewBody,
    on: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO youth_views (id, youth_id, author_id, body, written_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(youth)
    .bind(author)
    .bind(encode(body)?)
    .bind(on)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Who stored a view (young person, author), to answer a resend.
pub async fn view_owner(conn: &mut Conn, id: &str) -> Result<Option<(YouthId, UserId)>, sqlx::Error> {
    sqlx::query_as("SELECT youth_id, author_id FROM youth_views WHERE id = $1").bind(id).fetch_optional(conn).await
}

/// A young person's views written between two days, oldest first.
pub async fn views_between(
    conn: &mut Conn,
    youth: &YouthId,
    from: &str,
    to: &str,
) -> Result<Vec<ViewRow>, sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, written_on, body FROM youth_views WHERE youth_id = $1 AND written_on >= $2 AND written_on <= $3 \
         ORDER BY written_on, created_at",
    )
    .bind(youth)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(|(id, date, body)| Ok(ViewRow { id, date, body: decode(&body)? })).collect()
}

/// The days a young person sent their view, newest first.
pub async fn view_dates(conn: &mut Conn, youth: &YouthId) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT written_on FROM youth_views WHERE youth_id = $1 ORDER BY written_on DESC LIMIT 10")
        .bind(youth)
        .fetch_all(conn)
        .await
}

/// The young person's entries of the period (never those only the Fachberatung reads),
/// oldest first.
pub async fn entries_between(
    conn: &mut Conn,
    youth: &YouthId,
    from: &str,
    to: &str,
) -> Result<Vec<SourceEntry>, sqlx::Error> {
    let rows: Vec<(EntryId, String, String)> = sqlx::query_as(
        "SELECT e.id, e.occurred_on, v.body FROM entries e \
         JOIN entry_versions v ON v.entry_id = e.id AND v.version = e.version \
         WHERE e.youth_id = $1 AND e.occurred_on >= $2 AND e.occurred_on <= $3 AND e.advisors_only = 0 \
         ORDER BY e.occurred_on, e.created_at, e.id",
    )
    .bind(youth)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, date, body)| match serde_json::from_str::<EntryBody>(&body) {
            Ok(body) => Some(SourceEntry { id, date, body }),
            Err(error) => {
                tracing::error!(%error, %id, "unreadable entry body");
                None
            }
        })
        .collect())
}

/// The goal ratings of the monthly talks in the period.
pub async fn ratings_between(
    conn: &mut Conn,
    youth: &YouthId,
    from: &str,
    to: &str,
) -> Result<Vec<RatingRow>, sqlx::Error> {
    let rows: Vec<(GoalId, String, i64, String, EntryId)> = sqlx::query_as(
        "SELECT r.goal_id, r.perspective, r.step, r.occurred_on, r.entry_id FROM goal_ratings r \
         JOIN goals g ON g.id = r.goal_id WHERE g.youth_id = $1 AND r.occurred_on >= $2 AND r.occurred_on <= $3 \
         ORDER BY r.occurred_on",
    )
    .bind(youth)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(goal_id, p, step, date, entry_id)| {
            Some(RatingRow { goal_id, perspective: Perspective::parse(&p)?, step, date, entry_id })
        })
        .collect())
}

/// The entries of the period linked to the young person's goals (not those only the
/// Fachberatung reads): (goal, entry, date).
pub async fn links_between(
    conn: &mut Conn,
    youth: &YouthId,
    from: &str,
    to: &str,
) -> Result<Vec<(GoalId, EntryId, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.goal_id, l.entry_id, l.occurred_on FROM entry_goals l JOIN goals g ON g.id = l.goal_id \
         JOIN entries e ON e.id = l.entry_id \
         WHERE g.youth_id = $1 AND l.occurred_on >= $2 AND l.occurred_on <= $3 AND e.advisors_only = 0",
    )
    .bind(youth)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// The incidents of the period that concern the young person, with where they stand.
pub async fn incidents_between(
    conn: &mut Conn,
    youth: &YouthId,
    from: &str,
    to: &str,
) -> Result<Vec<IncidentLine>, sqlx::Error> {
    use crate::domain::incident::{IncidentCategory, IncidentState};
    type Row = (IncidentId, String, String, Option<i64>, Option<i64>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT i.id, i.occurred_on, i.category, i.acknowledged_at, i.escalated_at FROM incidents i \
         JOIN incident_youths iy ON iy.incident_id = i.id \
         WHERE iy.youth_id = $1 AND i.occurred_on >= $2 AND i.occurred_on <= $3 ORDER BY i.occurred_on",
    )
    .bind(youth)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, date, category, acknowledged, escalated)| {
            let state = match (acknowledged, escalated) {
                (Some(_), _) => IncidentState::Acknowledged,
                (None, Some(_)) => IncidentState::Escalated,
                (None, None) => IncidentState::Open,
            };
            IncidentLine {
                id,
                date,
                category: IncidentCategory::parse(&category).unwrap_or(IncidentCategory::Other).label().to_owned(),
                state: state.label().to_owned(),
            }
        })
        .collect())
}

/// The named complaints the young person sent to their group in the period. Nothing sent
/// past the group (to the Fachberatung) and nothing anonymous is read here.
pub async fn complaints_between(
    conn: &mut Conn,
    youth: &YouthId,
    from: &str,
    to: &str,
) -> Result<Vec<ComplaintLine>, sqlx::Error> {
    use crate::domain::feedback::{FeedbackStatus, Topic};
    let rows: Vec<(FeedbackId, String, String, String)> = sqlx::query_as(
        "SELECT id, received_on, topic, status FROM feedback WHERE youth_id = $1 AND kind = 'beschwerde' \
         AND recipient = 'gruppe' AND anonymous = 0 AND received_on >= $2 AND received_on <= $3 ORDER BY received_on",
    )
    .bind(youth)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, date, topic, status)| ComplaintLine {
            id,
            date,
            topic: Topic::parse(&topic).map(Topic::label).unwrap_or_default().to_owned(),
            status: FeedbackStatus::parse(&status).map(FeedbackStatus::label).unwrap_or_default().to_owned(),
        })
        .collect())
}
