//! The feed: one row per note, visit, submission and incident (`feed_items`), written in
//! the transaction of its source, and read page by page.
//!
//! A page is read per group by keyset, `(group_id, at, id)` below the cursor, each group
//! limited to the page size, and the groups merged: the cost of a page is at most
//! (groups × page size) index steps, whatever the size of the table. Which groups, and
//! per group whether submissions past the group may be shown, is the policy's decision
//! (a [`ListScope`]); this module only reads what it is given.

use super::sql::Sql;
use super::{Conn, new_id, now_ms, time_of};
use crate::domain::ids::{GroupId, ItemId, UserId, YouthId};
use crate::domain::scope::ListScope;
use sqlx::FromRow;

/// What a new feed row says about its source.
pub struct NewItem<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub group_id: &'a GroupId,
    pub youth_id: Option<&'a YouthId>,
    pub author_id: Option<&'a UserId>,
    pub at: i64,
    pub day: &'a str,
    pub category: &'a str,
    pub urgent: bool,
    pub to_advisor: bool,
    /// The whole text; the feed keeps a short excerpt and a lowercase copy for search.
    pub text: &'a str,
}

/// The first characters of a text (on a character boundary).
pub fn excerpt(text: &str) -> String {
    const MAX: usize = 300;
    match text.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

/// Files a record in the feed. False when the id is taken already — by an earlier send
/// of the same record, or by a record of another kind (the caller decides which).
pub async fn insert(conn: &mut Conn, item: NewItem<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO feed_items (id, kind, group_id, youth_id, author_id, at, day, category, urgent, to_advisor, \
         excerpt, search) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING",
    )
    .bind(item.id)
    .bind(item.kind)
    .bind(item.group_id)
    .bind(item.youth_id)
    .bind(item.author_id)
    .bind(item.at)
    .bind(item.day)
    .bind(item.category)
    .bind(i64::from(item.urgent))
    .bind(i64::from(item.to_advisor))
    .bind(excerpt(item.text))
    .bind(item.text.to_lowercase())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The kind of the record filed under an id, if any.
pub async fn kind_of(conn: &mut Conn, id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT kind FROM feed_items WHERE id = $1").bind(id).fetch_optional(conn).await
}

/// A corrected entry: its day, category, urgency and text change; the feed keeps its
/// place. Only a row of the same kind is touched: an id is never another record's.
pub async fn update_content(
    conn: &mut Conn,
    id: &ItemId,
    kind: &str,
    day: &str,
    category: &str,
    urgent: bool,
    text: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE feed_items SET day = $3, category = $4, urgent = $5, excerpt = $6, search = $7 \
         WHERE id = $1 AND kind = $2",
    )
    .bind(id)
    .bind(kind)
    .bind(day)
    .bind(category)
    .bind(i64::from(urgent))
    .bind(excerpt(text))
    .bind(text.to_lowercase())
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks an item acknowledged; false if it already was (or does not exist).
pub async fn acknowledge(conn: &mut Conn, id: &ItemId, user_id: &UserId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE feed_items SET acknowledged_at = $1, acknowledged_by = $2 WHERE id = $3 AND acknowledged_at IS NULL",
    )
    .bind(now_ms())
    .bind(user_id)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn add_comment(conn: &mut Conn, item_id: &ItemId, author_id: &UserId, text: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO feed_comments (id, item_id, at, author_id, text) VALUES ($1, $2, $3, $4, $5)")
        .bind(new_id())
        .bind(item_id)
        .bind(now_ms())
        .bind(author_id)
        .bind(text)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(FromRow)]
struct ScopeRow {
    kind: String,
    group_id: GroupId,
    youth_id: Option<YouthId>,
    to_advisor: i64,
}

/// What the policy needs to know of an item.
#[derive(Clone, Debug)]
pub struct Scope {
    pub kind: String,
    pub group_id: GroupId,
    pub youth_id: Option<YouthId>,
    pub to_advisor: bool,
}

impl Scope {
    /// A young person's submission (seen as `HandleFeedback` decides).
    pub fn is_feedback(&self) -> bool {
        is_feedback(&self.kind)
    }
}

/// Whether a feed kind is a young person's submission.
pub fn is_feedback(kind: &str) -> bool {
    matches!(kind, "beteiligung" | "beschwerde")
}

pub async fn scope(conn: &mut Conn, id: &ItemId) -> Result<Option<Scope>, sqlx::Error> {
    let row: Option<ScopeRow> =
        sqlx::query_as("SELECT kind, group_id, youth_id, to_advisor FROM feed_items WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|r| Scope { kind: r.kind, group_id: r.group_id, youth_id: r.youth_id, to_advisor: r.to_advisor != 0 }))
}

/// Where a page starts: below this (at, id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub at: i64,
    pub id: String,
}

/// Filters, already checked (see `domain::feed`).
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// One young person (their items in the given groups).
    pub youth_id: Option<YouthId>,
    pub kind: Option<String>,
    pub category: Option<String>,
    /// `at` bounds in milliseconds: from (inclusive), until (exclusive).
    pub from: Option<i64>,
    pub until: Option<i64>,
    pub unread: bool,
    pub urgent: bool,
    /// Lowercase words; each must occur.
    pub words: Vec<String>,
}

#[derive(FromRow)]
struct ItemRow {
    id: ItemId,
    kind: String,
    group_id: GroupId,
    group_name: String,
    youth_id: Option<YouthId>,
    youth_first: Option<String>,
    youth_last: Option<String>,
    author_name: Option<String>,
    at: i64,
    day: String,
    category: String,
    urgent: i64,
    to_advisor: i64,
    excerpt: String,
    acknowledged_at: Option<i64>,
    acknowledged_by_name: Option<String>,
}

/// A feed item as stored, for the page to show.
#[derive(Clone, Debug)]
pub struct Item {
    pub id: ItemId,
    pub kind: String,
    pub group_id: GroupId,
    pub group_name: String,
    pub youth_id: Option<YouthId>,
    /// "Vorname Nachname" of the young person, if the item names one.
    pub youth_name: Option<String>,
    pub author_name: Option<String>,
    pub at: chrono::DateTime<chrono::Utc>,
    /// The day it concerns (YYYY-MM-DD).
    pub day: String,
    pub category: String,
    pub urgent: bool,
    pub to_advisor: bool,
    pub excerpt: String,
    /// When, and by whom, it was acknowledged.
    pub acknowledged: Option<(chrono::DateTime<chrono::Utc>, Option<String>)>,
    /// Its position for the next page's cursor.
    pub cursor_at: i64,
}

impl ItemRow {
    fn into_item(self) -> Item {
        let youth_name = match (self.youth_first, self.youth_last) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            _ => None,
        };
        Item {
            id: self.id,
            kind: self.kind,
            group_id: self.group_id,
            group_name: self.group_name,
            youth_id: self.youth_id,
            youth_name,
            author_name: self.author_name,
            at: time_of(self.at),
            day: self.day,
            category: self.category,
            urgent: self.urgent != 0,
            to_advisor: self.to_advisor != 0,
            excerpt: self.excerpt,
            acknowledged: self.acknowledged_at.map(|at| (time_of(at), self.acknowledged_by_name)),
            cursor_at: self.at,
        }
    }
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
fn like_pattern(word: &str) -> String {
    let mut out = String::from("%");
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The conditions every arm shares, with their values bound into `sql`.
fn conditions(filter: &Filter, cursor: Option<&Cursor>, sql: &mut Sql) -> String {
    let mut text = String::new();
    if let Some(c) = cursor {
        let at = sql.arg_int(c.at);
        let id = sql.arg(c.id.clone());
        text.push_str(&format!(" AND (at < {at} OR (at = {at} AND id < {id}))"));
    }
    if let Some(kind) = &filter.kind {
        text.push_str(&format!(" AND kind = {}", sql.arg(kind.clone())));
    }
    if let Some(category) = &filter.category {
        text.push_str(&format!(" AND category = {}", sql.arg(category.clone())));
    }
    if let Some(from) = filter.from {
        text.push_str(&format!(" AND at >= {}", sql.arg_int(from)));
    }
    if let Some(until) = filter.until {
        text.push_str(&format!(" AND at < {}", sql.arg_int(until)));
    }
    if filter.unread {
        text.push_str(" AND acknowledged_at IS NULL");
    }
    if filter.urgent {
        text.push_str(" AND urgent = 1");
    }
    for word in &filter.words {
        text.push_str(&format!(" AND search LIKE {} ESCAPE '\\'", sql.arg(like_pattern(word))));
    }
    text
}

/// The scope as one condition: the groups whose submissions past the group may be
/// shown, and the groups of which only what went to the group may be shown.
fn scope_condition(scope: &ListScope, column_prefix: &str, sql: &mut Sql) -> String {
    let (past, group_only): (Vec<&GroupId>, Vec<&GroupId>) = {
        let mut past = Vec::new();
        let mut only = Vec::new();
        for (g, with_past) in scope.entries() {
            if with_past { past.push(g) } else { only.push(g) }
        }
        (past, only)
    };
    let list =
        |sql: &mut Sql, groups: &[&GroupId]| groups.iter().map(|g| sql.arg(g.as_str())).collect::<Vec<_>>().join(", ");
    let mut parts = Vec::new();
    if !past.is_empty() {
        parts.push(format!("{column_prefix}group_id IN ({})", list(sql, &past)));
    }
    if !group_only.is_empty() {
        parts.push(format!(
            "({column_prefix}group_id IN ({}) AND {column_prefix}to_advisor = 0)",
            list(sql, &group_only)
        ));
    }
    format!("({})", parts.join(" OR "))
}

const ROW: &str = "SELECT f.id, f.kind, f.group_id, g.name AS group_name, f.youth_id, y.first_name AS youth_first, \
     y.last_name AS youth_last, u.display_name AS author_name, f.at, f.day, f.category, f.urgent, f.to_advisor, \
     f.excerpt, f.acknowledged_at, ab.display_name AS acknowledged_by_name \
     FROM feed_items f JOIN groups g ON g.id = f.group_id LEFT JOIN youths y ON y.id = f.youth_id \
     LEFT JOIN users u ON u.id = f.author_id LEFT JOIN users ab ON ab.id = f.acknowledged_by";

/// From this many groups on, PostgreSQL reads a page with one ordered scan (see `page`).
const SCAN_GROUPS: usize = 20;

/// One page of the stream, newest first: at most `limit` items of the scope below
/// `cursor`, and whether more follow.
pub async fn page(
    conn: &mut Conn,
    scope: &ListScope,
    filter: &Filter,
    cursor: Option<&Cursor>,
    limit: i64,
) -> Result<(Vec<Item>, bool), sqlx::Error> {
    if scope.is_empty() {
        return Ok((Vec::new(), false));
    }
    let mut sql = Sql::default();
    let shared = conditions(filter, cursor, &mut sql);
    let lim = sql.arg_int(limit + 1);
    // One arm per group (or one for the young person), each an index range scan
    // limited to the page; merged and cut to the page. On PostgreSQL a viewer of many
    // groups gets one ordered scan of `(at, id)` filtered by group instead: planning a
    // query of a hundred arms costs more there than the scan, which stops as soon as
    // the page is full because most rows belong to the viewer's groups.
    let one_scan = filter.youth_id.is_none() && scope.len() > SCAN_GROUPS && conn.backend_name() == "PostgreSQL";
    let arms: Vec<String> = match &filter.youth_id {
        None if one_scan => {
            let groups = scope_condition(scope, "", &mut sql);
            vec![format!(
                "SELECT id, at FROM (SELECT id, at FROM feed_items WHERE {groups}{shared} \
                 ORDER BY at DESC, id DESC LIMIT {lim}) a0"
            )]
        }
        Some(youth) => {
            let y = sql.arg(youth.as_str());
            let groups = scope_condition(scope, "", &mut sql);
            vec![format!(
                "SELECT id, at FROM (SELECT id, at FROM feed_items WHERE youth_id = {y} AND {groups}{shared} \
                 ORDER BY at DESC, id DESC LIMIT {lim}) a0"
            )]
        }
        None => scope
            .entries()
            .enumerate()
            .map(|(i, (g, past))| {
                let n = sql.arg(g.as_str());
                let only_to_group = if past { "" } else { " AND to_advisor = 0" };
                format!(
                    "SELECT id, at FROM (SELECT id, at FROM feed_items WHERE group_id = {n}{only_to_group}{shared} \
                     ORDER BY at DESC, id DESC LIMIT {lim}) a{i}"
                )
            })
            .collect(),
    };
    sql.push(&format!("{} ORDER BY at DESC, id DESC LIMIT {lim}", arms.join(" UNION ALL ")));
    let mut keys: Vec<(String, i64)> = sql.fetch_all(&mut *conn).await?;
    let more = keys.len() as i64 > limit;
    keys.truncate(usize::try_from(limit).unwrap_or(0));
    let ids: Vec<String> = keys.into_iter().map(|(id, _)| id).collect();
    Ok((rows(conn, &ids).await?, more))
}

/// The items of some ids, newest first.
async fn rows(conn: &mut Conn, ids: &[String]) -> Result<Vec<Item>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(ROW);
    sql.push(" WHERE f.id IN (").bind_list(ids).push(") ORDER BY f.at DESC, f.id DESC");
    let rows: Vec<ItemRow> = sql.fetch_all(conn).await?;
    Ok(rows.into_iter().map(ItemRow::into_item).collect())
}

/// What is pinned above the stream: urgent and not acknowledged, newest first.
pub async fn pinned(conn: &mut Conn, scope: &ListScope, limit: i64) -> Result<Vec<Item>, sqlx::Error> {
    if scope.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(ROW);
    let groups = scope_condition(scope, "f.", &mut sql);
    sql.push(&format!(
        " WHERE f.urgent = 1 AND f.acknowledged_at IS NULL AND {groups} ORDER BY f.at DESC, f.id DESC LIMIT "
    ));
    sql.bind_int(limit);
    let rows: Vec<ItemRow> = sql.fetch_all(conn).await?;
    Ok(rows.into_iter().map(ItemRow::into_item).collect())
}

#[derive(FromRow)]
struct CommentRow {
    item_id: ItemId,
    at: i64,
    author_name: String,
    text: String,
}

/// A comment shown with its item.
#[derive(Clone, Debug)]
pub struct Comment {
    pub item_id: ItemId,
    pub at: chrono::DateTime<chrono::Utc>,
    pub author_name: String,
    pub text: String,
}

/// The comments of some items, oldest first (an incident's are in its chain).
pub async fn comments(conn: &mut Conn, ids: &[&ItemId]) -> Result<Vec<Comment>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("");
    let list = ids.iter().map(|id| sql.arg(id.as_str())).collect::<Vec<_>>().join(", ");
    sql.push(&format!(
        "SELECT c.item_id, c.at, u.display_name AS author_name, c.text FROM feed_comments c \
         JOIN users u ON u.id = c.author_id WHERE c.item_id IN ({list}) \
         UNION ALL SELECT e.incident_id AS item_id, e.at, u.display_name AS author_name, e.detail AS text \
         FROM incident_events e JOIN users u ON u.id = e.actor_id WHERE e.kind = 'kommentar' AND e.incident_id IN ({list}) \
         ORDER BY at"
    ));
    let rows: Vec<CommentRow> = sql.fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|r| Comment { item_id: r.item_id, at: time_of(r.at), author_name: r.author_name, text: r.text })
        .collect())
}

/// The young people of a scope's groups, for the filter: (id, "Vorname Nachname").
pub async fn youth_choices(conn: &mut Conn, scope: &ListScope) -> Result<Vec<(YouthId, String)>, sqlx::Error> {
    if scope.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT id, first_name, last_name FROM youths WHERE group_id IN (");
    sql.bind_list(scope.groups().map(GroupId::as_str)).push(") ORDER BY first_name, last_name, id");
    let rows: Vec<(YouthId, String, String)> = sql.fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(id, first, last)| (id, format!("{first} {last}"))).collect())
}

/// Per young person: entries about them since `since_day`, the day of their last entry,
/// and visits held since `month_start` (days as YYYY-MM-DD).
pub async fn youth_activity(
    conn: &mut Conn,
    youth_id: &YouthId,
    since_day: &str,
    month_start: &str,
) -> Result<(i64, Option<String>, i64), sqlx::Error> {
    let recent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM entries WHERE youth_id = $1 AND occurred_on >= $2")
        .bind(youth_id)
        .bind(since_day)
        .fetch_one(&mut *conn)
        .await?;
    let last: Option<String> = sqlx::query_scalar("SELECT MAX(occurred_on) FROM entries WHERE youth_id = $1")
        .bind(youth_id)
        .fetch_one(&mut *conn)
        .await?;
    let held: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM entries WHERE youth_id = $1 AND occurred_on >= $2 AND kind = 'visit' \
         AND outcome = 'stattgefunden'",
    )
    .bind(youth_id)
    .bind(month_start)
    .fetch_one(&mut *conn)
    .await?;
    Ok((recent, last, held))
}

/// Open complaints (not done) and unacknowledged incidents of a group.
pub async fn group_open(conn: &mut Conn, group_id: &GroupId) -> Result<(i64, i64), sqlx::Error> {
    let complaints: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM feedback WHERE group_id = $1 AND kind = 'beschwerde' AND status <> 'erledigt'",
    )
    .bind(group_id)
    .fetch_one(&mut *conn)
    .await?;
    let incidents: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM incidents WHERE group_id = $1 AND acknowledged_at IS NULL")
            .bind(group_id)
            .fetch_one(&mut *conn)
            .await?;
    Ok((complaints, incidents))
}
