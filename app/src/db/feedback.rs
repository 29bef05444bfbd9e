//! Participation and complaints, their steps, and the public links of the groups'
//! anonymous forms. What a row may carry is decided in `api::feedback`; this module only
//! stores: an anonymous row gets no account, no young person and no time of day.

use super::{Conn, new_id, now_ms};
use crate::domain::feedback::{FeedbackKind, FeedbackStatus, FeedbackStep, Mood, Recipient, Topic, ValidFeedback};
use sqlx::FromRow;

/// A checked submission with its group and (for named ones) its author.
pub struct NewFeedback<'a> {
    pub feedback: &'a ValidFeedback,
    pub group_id: &'a str,
    pub author_id: Option<&'a str>,
    pub youth_id: Option<&'a str>,
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
    Created(String),
    /// Stored before under this device key: the content hash of that first send.
    Exists {
        id: String,
        content_hash: String,
    },
}

/// Midnight of a day in Berlin, in UTC milliseconds (the sort time of an anonymous row).
pub fn day_start_ms(day: chrono::NaiveDate) -> i64 {
    use chrono::TimeZone;
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| chrono_tz::Europe::Berlin.from_local_datetime(&t).earliest())
        .map(|t| t.timestamp_millis())
        .unwrap_or_default()
}

/// A random id that, unlike the time-ordered ids elsewhere, tells nothing about when the
/// row was made.
fn random_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}

/// Stores a submission exactly once per device key.
pub async fn insert(conn: &mut Conn, new: NewFeedback<'_>) -> Result<Stored, sqlx::Error> {
    let f = new.feedback;
    let now = now_ms();
    let (id, listed_at) = if f.anonymous { (random_id(), day_start_ms(new.today)) } else { (f.id.clone(), now) };
    let done = sqlx::query(
        "INSERT INTO feedback (id, device_key, content_hash, group_id, kind, topic, mood, body, recipient, anonymous, \
         author_id, youth_id, pickup_hash, received_on, listed_at, status, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $15) \
         ON CONFLICT (device_key) DO NOTHING",
    )
    .bind(&id)
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
        use crate::domain::feedback::{FeedbackKind, Recipient};
        let past_group = f.recipient == Recipient::Advisor;
        let item = super::feed::NewItem {
            id: &id,
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
        super::feed::insert(conn, item).await?;
        return Ok(Stored::Created(id));
    }
    let (id, content_hash): (String, String) =
        sqlx::query_as("SELECT id, content_hash FROM feedback WHERE device_key = $1")
            .bind(new.device_key)
            .fetch_one(conn)
            .await?;
    Ok(Stored::Exists { id, content_hash })
}

/// A stored submission, as the pages need it.
#[derive(Clone, Debug, FromRow)]
pub struct FeedbackRow {
    pub id: String,
    pub group_id: String,
    pub group_name: String,
    pub kind: String,
    pub topic: String,
    pub mood: Option<String>,
    pub body: String,
    pub recipient: String,
    pub anonymous: i64,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    /// The named sender's record (for audit rows); `None` when anonymous.
    pub youth_id: Option<String>,
    pub received_on: String,
    pub status: String,
}

impl FeedbackRow {
    pub fn to_advisor(&self) -> bool {
        self.recipient != Recipient::Group.code()
    }

    /// The row in domain terms; `None` for a row with codes this version does not know.
    pub fn into_view(self, with_text: bool, with_author: bool) -> Option<crate::domain::feedback::FeedbackView> {
        Some(crate::domain::feedback::FeedbackView {
            kind: FeedbackKind::parse(&self.kind)?,
            topic: Topic::parse(&self.topic)?,
            mood: self.mood.as_deref().and_then(Mood::parse),
            recipient: Recipient::parse(&self.recipient)?,
            status: FeedbackStatus::parse(&self.status)?,
            text: if with_text { self.body } else { String::new() },
            anonymous: self.anonymous != 0,
            author: if with_author && self.anonymous == 0 { self.author_name } else { None },
            id: self.id,
            group_id: self.group_id,
            group_name: self.group_name,
            received_on: self.received_on,
            steps: Vec::new(),
            can_answer: false,
        })
    }
}

const SELECT: &str = "SELECT f.id, f.group_id, g.name AS group_name, f.kind, f.topic, f.mood, f.body, f.recipient, \
     f.anonymous, f.author_id, y.first_name AS author_name, f.youth_id, f.received_on, f.status \
     FROM feedback f JOIN groups g ON g.id = f.group_id LEFT JOIN youths y ON y.id = f.youth_id";

pub async fn get(conn: &mut Conn, id: &str) -> Result<Option<FeedbackRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE f.id = $1")).bind(id).fetch_optional(conn).await
}

pub async fn by_pickup(conn: &mut Conn, pickup_hash: &str) -> Result<Option<FeedbackRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE f.pickup_hash = $1")).bind(pickup_hash).fetch_optional(conn).await
}

/// Which rows a list may even consider. The policy decides each row again.
pub enum ListScope<'a> {
    /// Every group (Leitung).
    All,
    /// The groups an account works with (`user_groups`); `group_only` leaves out what
    /// went past the group (staff).
    Groups { user_id: &'a str, group_only: bool },
}

/// Submissions in scope, newest first, at most `limit`. `status`: `None` for all,
/// `Some(None)` for all not done, `Some(Some(s))` for one status.
pub async fn list(
    conn: &mut Conn,
    scope: ListScope<'_>,
    status: Option<Option<FeedbackStatus>>,
    limit: i64,
) -> Result<Vec<FeedbackRow>, sqlx::Error> {
    let mut sql = format!("{SELECT} WHERE 1 = 1");
    let mut binds: Vec<String> = Vec::new();
    if let ListScope::Groups { user_id, group_only } = &scope {
        binds.push((*user_id).to_owned());
        sql.push_str(&format!(
            " AND f.group_id IN (SELECT group_id FROM user_groups WHERE user_id = ${})",
            binds.len()
        ));
        if *group_only {
            binds.push(Recipient::Group.code().to_owned());
            sql.push_str(&format!(" AND f.recipient = ${}", binds.len()));
        }
    }
    match status {
        None => {}
        Some(None) => {
            binds.push(FeedbackStatus::Done.code().to_owned());
            sql.push_str(&format!(" AND f.status <> ${}", binds.len()));
        }
        Some(Some(s)) => {
            binds.push(s.code().to_owned());
            sql.push_str(&format!(" AND f.status = ${}", binds.len()));
        }
    }
    sql.push_str(&format!(" ORDER BY f.listed_at DESC, f.id DESC LIMIT {limit}"));
    let mut query = sqlx::query_as(&sql);
    for b in &binds {
        query = query.bind(b);
    }
    query.fetch_all(conn).await
}

/// A young person's own named submissions, newest first.
pub async fn mine(conn: &mut Conn, author_id: &str) -> Result<Vec<FeedbackRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE f.author_id = $1 AND f.anonymous = 0 ORDER BY f.listed_at DESC, f.id DESC"))
        .bind(author_id)
        .fetch_all(conn)
        .await
}

#[derive(FromRow)]
struct StepRow {
    at: i64,
    actor_name: String,
    actor_role: String,
    status: Option<String>,
    answer: Option<String>,
}

/// Every step on a submission, oldest first. `by_name`: staff see who; the young person
/// sees the role ("der Fachberatung").
pub async fn steps(conn: &mut Conn, id: &str, by_name: bool) -> Result<Vec<FeedbackStep>, sqlx::Error> {
    let rows: Vec<StepRow> = sqlx::query_as(
        "SELECT e.at, u.display_name AS actor_name, e.actor_role, e.status, e.answer FROM feedback_events e \
         JOIN users u ON u.id = e.actor_id WHERE e.feedback_id = $1 ORDER BY e.at, e.id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    let t = crate::i18n::texts();
    Ok(rows
        .into_iter()
        .map(|r| FeedbackStep {
            at: r.at,
            when: super::berlin_minute(r.at),
            by: if by_name {
                r.actor_name
            } else {
                match r.actor_role.as_str() {
                    "fachberatung" => t.fb_who_advisor.to_owned(),
                    "leitung" => t.fb_who_leitung.to_owned(),
                    _ => t.fb_who_group.to_owned(),
                }
            },
            status: r.status.as_deref().and_then(FeedbackStatus::parse),
            answer: r.answer,
        })
        .collect())
}

/// Records a step and moves the submission to its status.
pub async fn add_step(
    conn: &mut Conn,
    id: &str,
    actor: &crate::auth::CurrentUser,
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
    .bind(&actor.id)
    .bind(actor.role.as_str())
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
) -> Result<Vec<(String, String, String, String, i64)>, sqlx::Error> {
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

/// The token of a group's public link, made on first use. Two instances asking at once
/// both insert; the second insert does nothing and both read the same row.
pub async fn group_token(conn: &mut Conn, group_id: &str) -> Result<String, sqlx::Error> {
    let token = crate::auth::session::new_token();
    sqlx::query(
        "INSERT INTO group_links (group_id, token, created_at) VALUES ($1, $2, $3) ON CONFLICT (group_id) DO NOTHING",
    )
    .bind(group_id)
    .bind(&token)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar("SELECT token FROM group_links WHERE group_id = $1").bind(group_id).fetch_one(conn).await
}

/// The group a public link belongs to.
pub async fn group_of_token(conn: &mut Conn, token: &str) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT g.id, g.name FROM group_links l JOIN groups g ON g.id = l.group_id WHERE l.token = $1")
        .bind(token)
        .fetch_optional(conn)
        .await
}

// ------------------------------------------------------------ login cards

/// Replaces a young person's login card.
pub async fn set_card(conn: &mut Conn, user_id: &str, token_hash: &str, by: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_cards WHERE user_id = $1").bind(user_id).execute(&mut *conn).await?;
    sqlx::query("INSERT INTO login_cards (user_id, token_hash, created_at, created_by) VALUES ($1, $2, $3, $4)")
        .bind(user_id)
        .bind(token_hash)
        .bind(now_ms())
        .bind(by)
        .execute(conn)
        .await?;
    Ok(())
}

/// The login and first name of an active account a card belongs to.
pub async fn card_owner(conn: &mut Conn, token_hash: &str) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.login, u.display_name FROM login_cards c JOIN users u ON u.id = c.user_id \
         WHERE c.token_hash = $1 AND u.active = 1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

/// The account of a young person's record, if there is one.
pub async fn youth_account(conn: &mut Conn, youth_id: &str) -> Result<Option<(String, String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, login, display_name FROM users WHERE youth_id = $1 AND role = 'jugendliche'")
        .bind(youth_id)
        .fetch_optional(conn)
        .await
}

// ------------------------------------------------------------ notices

/// The id of a young person's account by login (for the lock notice).
pub async fn youth_user_by_login(conn: &mut Conn, login: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM users WHERE login = $1 AND role = 'jugendliche'")
        .bind(login)
        .fetch_optional(conn)
        .await
}

/// Records that an account was locked after wrong PINs, once per lock: nothing is added
/// while a notice for the account newer than `since` exists.
pub async fn notice_pin_lock(conn: &mut Conn, user_id: &str, since: i64) -> Result<bool, sqlx::Error> {
    let group: Option<Option<String>> =
        sqlx::query_scalar("SELECT y.group_id FROM users u JOIN youths y ON y.id = u.youth_id WHERE u.id = $1")
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(Some(group)) = group else { return Ok(false) };
    let recent: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM notices WHERE user_id = $1 AND kind = 'pin_lock' AND at >= $2")
            .bind(user_id)
            .bind(since)
            .fetch_one(&mut *conn)
            .await?;
    if recent > 0 {
        return Ok(false);
    }
    sqlx::query("INSERT INTO notices (id, group_id, kind, user_id, at) VALUES ($1, $2, 'pin_lock', $3, $4)")
        .bind(new_id())
        .bind(group)
        .bind(user_id)
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(true)
}

/// Notices since `since`, newest first: (at, group id, group name, account's name). With
/// `user_id`, only those of the groups that account works with (else all groups).
pub async fn notices_since(
    conn: &mut Conn,
    since: i64,
    user_id: Option<&str>,
) -> Result<Vec<(i64, String, String, String)>, sqlx::Error> {
    let scope =
        if user_id.is_some() { " AND n.group_id IN (SELECT group_id FROM user_groups WHERE user_id = $2)" } else { "" };
    sqlx::query_as(&format!(
        "SELECT n.at, n.group_id, g.name, COALESCE(u.display_name, '') FROM notices n JOIN groups g ON g.id = n.group_id \
         LEFT JOIN users u ON u.id = n.user_id WHERE n.at >= $1{scope} ORDER BY n.at DESC LIMIT 50"
    ))
    .bind(since)
    .bind(user_id.unwrap_or_default())
    .fetch_all(conn)
    .await
}

// ------------------------------------------------------------ institute texts

/// An institute text and when it was last changed, if it was ever saved.
pub async fn text(conn: &mut Conn, name: &str) -> Result<Option<(String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT body, updated_at FROM institute_texts WHERE name = $1").bind(name).fetch_optional(conn).await
}

pub async fn set_text(conn: &mut Conn, name: &str, body: &str, by: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO institute_texts (name, body, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(name)
    .bind(body)
    .bind(now_ms())
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}
