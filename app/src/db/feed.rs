//! The feed: one row per note, visit, submission and incident (`feed_items`), written in
//! the transaction of its source, and read page by page.
//!
//! A page is read per group by keyset, `(group_id, at, id)` below the cursor, each group
//! limited to the page size, and the groups merged: the cost of a page is at most
//! (groups × page size) index steps, whatever the size of the table. Which groups (and
//! whether submissions past the group may be shown) is the caller's decision
//! (`api::feed`); this module only reads what it is given.

use super::{Conn, berlin_minute, new_id, now_ms};
use sqlx::FromRow;

/// What a new feed row says about its source.
pub struct NewItem<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub group_id: &'a str,
    pub youth_id: Option<&'a str>,
    pub author_id: Option<&'a str>,
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

pub async fn insert(conn: &mut Conn, item: NewItem<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
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
    Ok(())
}

/// A corrected entry: its day, category, urgency and text change; the feed keeps its place.
pub async fn update_content(
    conn: &mut Conn,
    id: &str,
    day: &str,
    category: &str,
    urgent: bool,
    text: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE feed_items SET day = $2, category = $3, urgent = $4, excerpt = $5, search = $6 WHERE id = $1")
        .bind(id)
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
pub async fn acknowledge(conn: &mut Conn, id: &str, user_id: &str) -> Result<bool, sqlx::Error> {
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

pub async fn add_comment(conn: &mut Conn, item_id: &str, author_id: &str, text: &str) -> Result<(), sqlx::Error> {
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

/// What the policy needs to know of an item.
#[derive(Clone, Debug, FromRow)]
pub struct Scope {
    pub kind: String,
    pub group_id: String,
    pub youth_id: Option<String>,
    pub to_advisor: i64,
}

pub async fn scope(conn: &mut Conn, id: &str) -> Result<Option<Scope>, sqlx::Error> {
    sqlx::query_as("SELECT kind, group_id, youth_id, to_advisor FROM feed_items WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
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
    pub youth_id: Option<String>,
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

/// A feed row as the page shows it.
#[derive(Clone, Debug, FromRow)]
pub struct ItemRow {
    pub id: String,
    pub kind: String,
    pub group_id: String,
    pub group_name: String,
    pub youth_id: Option<String>,
    pub youth_first: Option<String>,
    pub youth_last: Option<String>,
    pub author_name: Option<String>,
    pub at: i64,
    pub day: String,
    pub category: String,
    pub urgent: i64,
    pub to_advisor: i64,
    pub excerpt: String,
    pub acknowledged_at: Option<i64>,
    pub acknowledged_by_name: Option<String>,
}

impl ItemRow {
    pub fn acknowledged(&self) -> Option<String> {
        let at = berlin_minute(self.acknowledged_at?);
        Some(match &self.acknowledged_by_name {
            Some(name) => format!("{name}, {at}"),
            None => at,
        })
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

/// Bind values of a query, in `$n` order.
enum Bind {
    Text(String),
    Int(i64),
}

/// The conditions every arm shares, numbering its placeholders from `next`.
fn conditions(filter: &Filter, staff: bool, cursor: Option<&Cursor>, binds: &mut Vec<Bind>) -> String {
    let mut sql = String::new();
    let push = |binds: &mut Vec<Bind>, value: Bind| {
        binds.push(value);
        binds.len()
    };
    if staff {
        sql.push_str(" AND to_advisor = 0");
    }
    if let Some(c) = cursor {
        let at = push(binds, Bind::Int(c.at));
        let id = push(binds, Bind::Text(c.id.clone()));
        sql.push_str(&format!(" AND (at < ${at} OR (at = ${at} AND id < ${id}))"));
    }
    if let Some(kind) = &filter.kind {
        let n = push(binds, Bind::Text(kind.clone()));
        sql.push_str(&format!(" AND kind = ${n}"));
    }
    if let Some(category) = &filter.category {
        let n = push(binds, Bind::Text(category.clone()));
        sql.push_str(&format!(" AND category = ${n}"));
    }
    if let Some(from) = filter.from {
        let n = push(binds, Bind::Int(from));
        sql.push_str(&format!(" AND at >= ${n}"));
    }
    if let Some(until) = filter.until {
        let n = push(binds, Bind::Int(until));
        sql.push_str(&format!(" AND at < ${n}"));
    }
    if filter.unread {
        sql.push_str(" AND acknowledged_at IS NULL");
    }
    if filter.urgent {
        sql.push_str(" AND urgent = 1");
    }
    for word in &filter.words {
        let n = push(binds, Bind::Text(like_pattern(word)));
        sql.push_str(&format!(" AND search LIKE ${n} ESCAPE '\\'"));
    }
    sql
}

const ROW: &str = "SELECT f.id, f.kind, f.group_id, g.name AS group_name, f.youth_id, y.first_name AS youth_first, \
     y.last_name AS youth_last, u.display_name AS author_name, f.at, f.day, f.category, f.urgent, f.to_advisor, \
     f.excerpt, f.acknowledged_at, ab.display_name AS acknowledged_by_name \
     FROM feed_items f JOIN groups g ON g.id = f.group_id LEFT JOIN youths y ON y.id = f.youth_id \
     LEFT JOIN users u ON u.id = f.author_id LEFT JOIN users ab ON ab.id = f.acknowledged_by";

/// From this many groups on, PostgreSQL reads a page with one ordered scan (see `page`).
const SCAN_GROUPS: usize = 20;

/// One page of the stream, newest first: at most `limit` rows of the given groups below
/// `cursor`, and whether more follow. `staff`: leave out submissions past the group.
pub async fn page(
    conn: &mut Conn,
    groups: &[String],
    staff: bool,
    filter: &Filter,
    cursor: Option<&Cursor>,
    limit: i64,
) -> Result<(Vec<ItemRow>, bool), sqlx::Error> {
    if groups.is_empty() {
        return Ok((Vec::new(), false));
    }
    let mut binds = Vec::new();
    let shared = conditions(filter, staff, cursor, &mut binds);
    binds.push(Bind::Int(limit + 1));
    let lim = binds.len();
    // One arm per group (or one for the young person), each an index range scan
    // limited to the page; merged and cut to the page. On PostgreSQL a viewer of many
    // groups gets one ordered scan of `(at, id)` filtered by group instead: planning a
    // query of a hundred arms costs more there than the scan, which stops as soon as
    // the page is full because most rows belong to the viewer's groups.
    let one_scan = filter.youth_id.is_none() && groups.len() > SCAN_GROUPS && conn.backend_name() == "PostgreSQL";
    let arms: Vec<String> = match &filter.youth_id {
        None if one_scan => {
            let mut marks = Vec::new();
            for g in groups {
                binds.push(Bind::Text(g.clone()));
                marks.push(format!("${}", binds.len()));
            }
            vec![format!(
                "SELECT id, at FROM (SELECT id, at FROM feed_items WHERE group_id IN ({}){shared} \
                 ORDER BY at DESC, id DESC LIMIT ${lim}) a0",
                marks.join(", ")
            )]
        }
        Some(youth) => {
            binds.push(Bind::Text(youth.clone()));
            let y = binds.len();
            let mut marks = Vec::new();
            for g in groups {
                binds.push(Bind::Text(g.clone()));
                marks.push(format!("${}", binds.len()));
            }
            vec![format!(
                "SELECT id, at FROM (SELECT id, at FROM feed_items WHERE youth_id = ${y} AND group_id IN ({}){shared} \
                 ORDER BY at DESC, id DESC LIMIT ${lim}) a0",
                marks.join(", ")
            )]
        }
        None => groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                binds.push(Bind::Text(g.clone()));
                let n = binds.len();
                format!(
                    "SELECT id, at FROM (SELECT id, at FROM feed_items WHERE group_id = ${n}{shared} \
                     ORDER BY at DESC, id DESC LIMIT ${lim}) a{i}"
                )
            })
            .collect(),
    };
    let sql = format!("{} ORDER BY at DESC, id DESC LIMIT ${lim}", arms.join(" UNION ALL "));
    let mut query = sqlx::query_as::<_, (String, i64)>(&sql);
    for bind in binds {
        query = match bind {
            Bind::Text(t) => query.bind(t),
            Bind::Int(n) => query.bind(n),
        };
    }
    let mut keys = query.fetch_all(&mut *conn).await?;
    let more = keys.len() as i64 > limit;
    keys.truncate(usize::try_from(limit).unwrap_or(0));
    let ids: Vec<String> = keys.into_iter().map(|(id, _)| id).collect();
    Ok((rows(conn, &ids).await?, more))
}

/// The rows of some ids, newest first.
pub async fn rows(conn: &mut Conn, ids: &[String]) -> Result<Vec<ItemRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!("{ROW} WHERE f.id IN ({}) ORDER BY f.at DESC, f.id DESC", marks.join(", "));
    let mut query = sqlx::query_as(&sql);
    for id in ids {
        query = query.bind(id);
    }
    query.fetch_all(conn).await
}

/// What is pinned above the stream: urgent and not acknowledged, newest first.
pub async fn pinned(conn: &mut Conn, groups: &[String], staff: bool, limit: i64) -> Result<Vec<ItemRow>, sqlx::Error> {
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (2..groups.len() + 2).map(|i| format!("${i}")).collect();
    let staff_only = if staff { " AND f.to_advisor = 0" } else { "" };
    let sql = format!(
        "{ROW} WHERE f.urgent = 1 AND f.acknowledged_at IS NULL AND f.group_id IN ({}){staff_only} \
         ORDER BY f.at DESC, f.id DESC LIMIT $1",
        marks.join(", ")
    );
    let mut query = sqlx::query_as(&sql).bind(limit);
    for g in groups {
        query = query.bind(g);
    }
    query.fetch_all(conn).await
}

/// A comment shown with its item.
#[derive(Clone, Debug, FromRow)]
pub struct CommentRow {
    pub item_id: String,
    pub at: i64,
    pub author_name: String,
    pub text: String,
}

/// The comments of some items, oldest first (an incident's are in its chain).
pub async fn comments(conn: &mut Conn, ids: &[String]) -> Result<Vec<CommentRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let list = marks.join(", ");
    let sql = format!(
        "SELECT c.item_id, c.at, u.display_name AS author_name, c.text FROM feed_comments c \
         JOIN users u ON u.id = c.author_id WHERE c.item_id IN ({list}) \
         UNION ALL SELECT e.incident_id AS item_id, e.at, u.display_name AS author_name, e.detail AS text \
         FROM incident_events e JOIN users u ON u.id = e.actor_id WHERE e.kind = 'kommentar' AND e.incident_id IN ({list}) \
         ORDER BY at"
    );
    let mut query = sqlx::query_as(&sql);
    for id in ids {
        query = query.bind(id);
    }
    query.fetch_all(conn).await
}

/// The young people of some groups, for the filter: (id, "Vorname Nachname").
pub async fn youth_choices(conn: &mut Conn, groups: &[String]) -> Result<Vec<(String, String)>, sqlx::Error> {
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=groups.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT id, first_name, last_name FROM youths WHERE group_id IN ({}) ORDER BY first_name, last_name, id",
        marks.join(", ")
    );
    let mut query = sqlx::query_as::<_, (String, String, String)>(&sql);
    for g in groups {
        query = query.bind(g);
    }
    let rows = query.fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(id, first, last)| (id, format!("{first} {last}"))).collect())
}

/// Per young person: entries about them since `since_day`, the day of their last entry,
/// and visits held since `month_start` (days as YYYY-MM-DD).
pub async fn youth_activity(
    conn: &mut Conn,
    youth_id: &str,
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
pub async fn group_open(conn: &mut Conn, group_id: &str) -> Result<(i64, i64), sqlx::Error> {
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
