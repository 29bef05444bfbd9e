//! Daily notes and visit contacts. `entries` holds what lists sort and filter by;
//! `entry_versions` holds every version of the content (append-only).

use super::{Conn, now_ms, time_of};
use crate::domain::entry::{EntryBody, EntryKind};
use crate::domain::ids::{EntryId, GroupId, UserId, YouthId};
use crate::domain::timeline::{Cursor, TimelineFilter, cursor};
use sqlx::FromRow;

/// A new entry, checked and authorized.
pub struct NewEntry<'a> {
    pub id: &'a EntryId,
    pub group_id: &'a GroupId,
    pub youth_id: Option<&'a YouthId>,
    pub date: chrono::NaiveDate,
    pub body: &'a EntryBody,
    pub author_id: &'a UserId,
}

/// What storing an entry did.
#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    Created,
    /// An entry with this id exists already (an earlier send of the same entry, if the
    /// author and kind match).
    Exists {
        author_id: UserId,
        kind: String,
    },
    /// Another kind of record (an incident, a submission) has this id.
    OtherKind,
}

/// What the feed files an entry under: category, "wichtig", and the text it shows and
/// searches.
fn feed_columns(body: &EntryBody) -> (&'static str, bool, String) {
    match body {
        EntryBody::Note(n) => (n.category.code(), n.important, n.text.clone()),
        EntryBody::Visit(v) => {
            let parts = [v.notes.as_str(), v.mood_before_text.as_str(), v.mood_after_text.as_str()];
            let text = parts.iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(" · ");
            (v.kind.code(), false, text)
        }
        EntryBody::Talk(talk) => (TALK_CATEGORY, talk.for_advisor, talk.feed_text()),
        EntryBody::Record(r) => (r.record_type.code(), false, r.feed_text()),
    }
}

/// Only the Fachberatung and Leitung read it.
fn advisors_only(body: &EntryBody) -> bool {
    matches!(body, EntryBody::Record(r) if r.advisors_only())
}

/// The condition that leaves out entries only the Fachberatung and Leitung read, unless
/// the caller is one of them.
fn visible(advisors: bool) -> &'static str {
    if advisors { "" } else { " AND e.advisors_only = 0" }
}

/// The category a monthly talk is filed under in the feed.
pub const TALK_CATEGORY: &str = "erziehungsplanung";

/// The goals an entry's content points at (the goal pages' index).
fn goal_links(body: &EntryBody) -> Vec<crate::domain::ids::GoalId> {
    match body {
        EntryBody::Note(n) => n.goal_ids.clone(),
        EntryBody::Visit(_) => Vec::new(),
        EntryBody::Talk(talk) => talk.goals.iter().map(|g| g.goal_id.clone()).collect(),
        EntryBody::Record(r) => r.goal_ids.clone(),
    }
}

/// The ratings a monthly talk gives: (goal, perspective code, step).
fn goal_ratings(body: &EntryBody) -> Vec<(crate::domain::ids::GoalId, &'static str, i64)> {
    match body {
        EntryBody::Talk(talk) => talk
            .goals
            .iter()
            .flat_map(|g| g.ratings().into_iter().map(|(p, r)| (g.goal_id.clone(), p.code(), r.step())))
            .collect(),
        EntryBody::Note(_) | EntryBody::Visit(_) | EntryBody::Record(_) => Vec::new(),
    }
}

/// Keeps the goal pages' index and ratings in step with an entry's current version.
async fn index_goals(conn: &mut Conn, id: &EntryId, date: &str, body: &EntryBody) -> Result<(), sqlx::Error> {
    super::progress::set_links(&mut *conn, id, date, &goal_links(body)).await?;
    if matches!(body, EntryBody::Talk(_)) {
        super::progress::set_ratings(conn, id, date, &goal_ratings(body)).await?;
    }
    Ok(())
}

fn columns(body: &EntryBody) -> (Option<&'static str>, i64, Option<&'static str>) {
    match body {
        EntryBody::Note(n) => (Some(n.category.code()), i64::from(n.important), None),
        EntryBody::Visit(v) => (None, 0, Some(v.outcome.code())),
        EntryBody::Talk(talk) => (Some(TALK_CATEGORY), i64::from(talk.for_advisor), None),
        EntryBody::Record(r) => (Some(r.record_type.code()), 0, None),
    }
}

/// Stores a new entry with its first version, exactly once per id: a second insert with
/// the same id (a repeated send, a second tab, a lost receipt) changes nothing.
pub async fn insert(conn: &mut Conn, entry: NewEntry<'_>) -> Result<Stored, sqlx::Error> {
    let now = now_ms();
    let (category, important, outcome) = columns(entry.body);
    let body = serde_json::to_string(entry.body).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let done = sqlx::query(
        "INSERT INTO entries (id, kind, group_id, youth_id, occurred_on, category, important, outcome, author_id, \
         created_at, version, updated_at, advisors_only) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $10, $11) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(entry.id)
    .bind(entry.body.kind().code())
    .bind(entry.group_id)
    .bind(entry.youth_id)
    .bind(entry.date.to_string())
    .bind(category)
    .bind(important)
    .bind(outcome)
    .bind(entry.author_id)
    .bind(now)
    .bind(i64::from(advisors_only(entry.body)))
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        let (author_id, kind): (UserId, String) =
            sqlx::query_as("SELECT author_id, kind FROM entries WHERE id = $1").bind(entry.id).fetch_one(conn).await?;
        return Ok(Stored::Exists { author_id, kind });
    }
    sqlx::query(
        "INSERT INTO entry_versions (entry_id, version, occurred_on, body, reason, author_id, created_at) \
         VALUES ($1, 1, $2, $3, '', $4, $5)",
    )
    .bind(entry.id)
    .bind(entry.date.to_string())
    .bind(body)
    .bind(entry.author_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let (category, urgent, text) = feed_columns(entry.body);
    let item = super::feed::NewItem {
        id: entry.id.as_str(),
        kind: entry.body.kind().code(),
        group_id: entry.group_id,
        youth_id: entry.youth_id,
        author_id: Some(entry.author_id),
        at: now,
        day: &entry.date.to_string(),
        category,
        urgent,
        // The feed shows what went past the group only to the Fachberatung and Leitung.
        to_advisor: advisors_only(entry.body),
        text: &text,
    };
    if !super::feed::insert(&mut *conn, item).await? {
        // The caller's transaction is rolled back: the entry row above goes with it.
        return Ok(Stored::OtherKind);
    }
    index_goals(conn, entry.id, &entry.date.to_string(), entry.body).await?;
    Ok(Stored::Created)
}

/// What was first stored under an id: author, kind, young person, date and the first
/// version's content (JSON), to tell a resend from a different entry reusing the id.
pub struct FirstVersion {
    pub author_id: UserId,
    pub kind: String,
    pub youth_id: Option<YouthId>,
    pub date: String,
    pub body: String,
}

pub async fn first_version(conn: &mut Conn, id: &EntryId) -> Result<Option<FirstVersion>, sqlx::Error> {
    let row: Option<(UserId, String, Option<YouthId>, String, String)> = sqlx::query_as(
        "SELECT e.author_id, e.kind, e.youth_id, v.occurred_on, v.body FROM entries e \
         JOIN entry_versions v ON v.entry_id = e.id AND v.version = 1 WHERE e.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(author_id, kind, youth_id, date, body)| FirstVersion { author_id, kind, youth_id, date, body }))
}

/// Adds a corrected version; the earlier ones stay. Returns the new version number.
pub async fn correct(
    conn: &mut Conn,
    id: &EntryId,
    date: chrono::NaiveDate,
    body: &EntryBody,
    reason: &str,
    author_id: &UserId,
) -> Result<i64, sqlx::Error> {
    let now = now_ms();
    let (category, important, outcome) = columns(body);
    let json = serde_json::to_string(body).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "UPDATE entries SET version = version + 1, occurred_on = $2, category = $3, important = $4, outcome = $5, \
         updated_at = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(date.to_string())
    .bind(category)
    .bind(important)
    .bind(outcome)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let version: i64 =
        sqlx::query_scalar("SELECT version FROM entries WHERE id = $1").bind(id).fetch_one(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO entry_versions (entry_id, version, occurred_on, body, reason, author_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(version)
    .bind(date.to_string())
    .bind(json)
    .bind(reason)
    .bind(author_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let (category, urgent, text) = feed_columns(body);
    super::feed::update_content(&mut *conn, &id.item(), body.kind().code(), &date.to_string(), category, urgent, &text)
        .await?;
    index_goals(conn, id, &date.to_string(), body).await?;
    Ok(version)
}

/// Where an entry belongs, for the policy: a young person's entry belongs to the group
/// the young person lives in now; a whole-group note to its group.
#[derive(Clone, Debug)]
pub struct Scope {
    pub kind: EntryKind,
    pub group_id: GroupId,
    pub youth_id: Option<YouthId>,
    pub author_id: UserId,
    /// Only the Fachberatung and Leitung read it.
    pub advisors_only: bool,
}

pub async fn scope(conn: &mut Conn, id: &EntryId) -> Result<Option<Scope>, sqlx::Error> {
    let row: Option<(String, GroupId, Option<YouthId>, UserId, i64)> = sqlx::query_as(
        "SELECT e.kind, COALESCE(y.group_id, e.group_id), e.youth_id, e.author_id, e.advisors_only \
         FROM entries e LEFT JOIN youths y ON y.id = e.youth_id WHERE e.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|(kind, group_id, youth_id, author_id, advisors)| {
        EntryKind::parse(&kind).map(|kind| Scope { kind, group_id, youth_id, author_id, advisors_only: advisors != 0 })
    }))
}

#[derive(FromRow)]
struct EntryRow {
    id: EntryId,
    group_id: GroupId,
    youth_id: Option<YouthId>,
    occurred_on: String,
    created_at: i64,
    version: i64,
    body: String,
    author_name: String,
    current_author: String,
    first_name: Option<String>,
    last_name: Option<String>,
    group_name: String,
}

/// A stored entry (its current version), for the pages to show.
pub struct StoredEntry {
    pub id: EntryId,
    pub group_id: GroupId,
    pub youth_id: Option<YouthId>,
    /// "Mia Krause", or the group's name for a whole-group note.
    pub subject_name: String,
    pub date: String,
    pub body: EntryBody,
    pub author_name: String,
    /// When the first version was written.
    pub written_at: chrono::DateTime<chrono::Utc>,
    pub version: i64,
    /// Who wrote the current version, if it is a correction.
    pub corrected_by: Option<String>,
}

impl EntryRow {
    fn into_domain(self) -> Option<(StoredEntry, i64)> {
        let body: EntryBody = match serde_json::from_str(&self.body) {
            Ok(b) => b,
            Err(error) => {
                tracing::error!(%error, id = %self.id, "unreadable entry body");
                return None;
            }
        };
        let subject_name = match (self.first_name, self.last_name) {
            (Some(f), Some(l)) => format!("{f} {l}"),
            _ => self.group_name,
        };
        let corrected_by = (self.version > 1).then_some(self.current_author);
        Some((
            StoredEntry {
                id: self.id,
                group_id: self.group_id,
                youth_id: self.youth_id,
                subject_name,
                date: self.occurred_on,
                body,
                author_name: self.author_name,
                written_at: time_of(self.created_at),
                version: self.version,
                corrected_by,
            },
            self.created_at,
        ))
    }
}

const SELECT: &str = "SELECT e.id, e.group_id, e.youth_id, e.occurred_on, e.created_at, e.version, v.body, \
     a.display_name AS author_name, c.display_name AS current_author, y.first_name, y.last_name, g.name AS group_name \
     FROM entries e \
     JOIN entry_versions v ON v.entry_id = e.id AND v.version = e.version \
     JOIN users a ON a.id = e.author_id \
     JOIN users c ON c.id = v.author_id \
     JOIN groups g ON g.id = e.group_id \
     LEFT JOIN youths y ON y.id = e.youth_id";

const ORDER: &str = " ORDER BY e.occurred_on DESC, e.created_at DESC, e.id DESC";

pub async fn get(conn: &mut Conn, id: &EntryId) -> Result<Option<StoredEntry>, sqlx::Error> {
    let row: Option<EntryRow> =
        sqlx::query_as(&format!("{SELECT} WHERE e.id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.and_then(EntryRow::into_domain).map(|(e, _)| e))
}

/// A young person's entries, newest first, `limit` at a time after the cursor; with
/// those only the Fachberatung and Leitung read if `advisors`.
pub async fn timeline(
    conn: &mut Conn,
    youth_id: &YouthId,
    filter: &TimelineFilter,
    before: Option<&Cursor>,
    limit: usize,
    advisors: bool,
) -> Result<(Vec<StoredEntry>, Option<String>), sqlx::Error> {
    let mut sql = format!("{SELECT} WHERE e.youth_id = $1{}", visible(advisors));
    let filter_value = match filter {
        TimelineFilter::All => None,
        TimelineFilter::Visits => Some("visit"),
        TimelineFilter::Category(c) => Some(c.code()),
    };
    sql.push_str(match filter {
        TimelineFilter::All => " AND $2 = ''",
        TimelineFilter::Visits => " AND e.kind = $2",
        TimelineFilter::Category(_) => " AND e.category = $2",
    });
    if before.is_some() {
        sql.push_str(
            " AND (e.occurred_on < $3 OR (e.occurred_on = $3 AND (e.created_at < $4 \
             OR (e.created_at = $4 AND e.id < $5))))",
        );
    } else {
        sql.push_str(" AND $3 = '' AND $4 = 0 AND $5 = ''");
    }
    sql.push_str(ORDER);
    sql.push_str(&format!(" LIMIT {}", limit + 1));
    let (d, t, i) = before.cloned().unwrap_or_default();
    let rows: Vec<EntryRow> = sqlx::query_as(&sql)
        .bind(youth_id)
        .bind(filter_value.unwrap_or(""))
        .bind(d)
        .bind(t)
        .bind(i)
        .fetch_all(conn)
        .await?;
    let mut entries: Vec<(StoredEntry, i64)> = rows.into_iter().filter_map(EntryRow::into_domain).collect();
    let more = entries.len() > limit;
    entries.truncate(limit);
    let next = if more { entries.last().map(|(e, at)| cursor(&e.date, *at, e.id.as_str())) } else { None };
    Ok((entries.into_iter().map(|(e, _)| e).collect(), next))
}

/// A group's entries of one day: its whole-group notes and the entries of the young
/// people living there now (with those only advisors read if `advisors`).
pub async fn group_day(
    conn: &mut Conn,
    group_id: &GroupId,
    date: &str,
    advisors: bool,
) -> Result<Vec<StoredEntry>, sqlx::Error> {
    let sql = format!(
        "{SELECT} WHERE e.occurred_on = $2 AND ((e.youth_id IS NULL AND e.group_id = $1) \
         OR e.youth_id IN (SELECT id FROM youths WHERE group_id = $1)){}{ORDER}",
        visible(advisors)
    );
    let rows: Vec<EntryRow> = sqlx::query_as(&sql).bind(group_id).bind(date).fetch_all(conn).await?;
    Ok(rows.into_iter().filter_map(EntryRow::into_domain).map(|(e, _)| e).collect())
}

#[derive(FromRow)]
struct VersionRow {
    version: i64,
    occurred_on: String,
    body: String,
    reason: String,
    author_name: String,
    created_at: i64,
}

/// One stored version of an entry.
pub struct StoredVersion {
    pub version: i64,
    pub date: String,
    pub body: EntryBody,
    pub reason: String,
    pub author_name: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Every version of an entry, newest first.
pub async fn versions(conn: &mut Conn, id: &EntryId) -> Result<Vec<StoredVersion>, sqlx::Error> {
    let rows: Vec<VersionRow> = sqlx::query_as(
        "SELECT v.version, v.occurred_on, v.body, v.reason, u.display_name AS author_name, v.created_at \
         FROM entry_versions v JOIN users u ON u.id = v.author_id WHERE v.entry_id = $1 ORDER BY v.version DESC",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let body = serde_json::from_str(&r.body).ok()?;
            Some(StoredVersion {
                version: r.version,
                date: r.occurred_on,
                body,
                reason: r.reason,
                author_name: r.author_name,
                at: time_of(r.created_at),
            })
        })
        .collect())
}

/// Visit outcomes of a young person between two dates (inclusive), for the monthly
/// planned-against-held count.
pub async fn visit_outcomes(
    conn: &mut Conn,
    youth_id: &YouthId,
    from: &str,
    to: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT occurred_on, outcome FROM entries WHERE youth_id = $1 AND kind = 'visit' \
         AND occurred_on >= $2 AND occurred_on <= $3",
    )
    .bind(youth_id)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// How many of these entries are the young person's and visible (to check what a talk
/// ticks).
pub async fn count_of_youth(
    conn: &mut Conn,
    youth: &YouthId,
    ids: &[EntryId],
    advisors: bool,
) -> Result<usize, sqlx::Error> {
    let mut found = 0;
    for id in ids {
        let sql = format!("SELECT COUNT(*) FROM entries e WHERE e.id = $1 AND e.youth_id = $2{}", visible(advisors));
        let n: i64 = sqlx::query_scalar(&sql).bind(id).bind(youth).fetch_one(&mut *conn).await?;
        found += usize::try_from(n).unwrap_or_default();
    }
    Ok(found)
}

/// The date of the newest monthly talk of each young person living in the group.
pub async fn last_talks(conn: &mut Conn, group: &GroupId) -> Result<Vec<(YouthId, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT youth_id, MAX(occurred_on) FROM entries WHERE kind = 'talk' \
         AND youth_id IN (SELECT id FROM youths WHERE group_id = $1) GROUP BY youth_id",
    )
    .bind(group)
    .fetch_all(conn)
    .await
}

/// Number of entries with this id (for tests: exactly once means one).
pub async fn count_with_id(conn: &mut Conn, id: &EntryId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM entries WHERE id = $1").bind(id).fetch_one(conn).await
}
