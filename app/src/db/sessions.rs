//! Sessions as stored: the SHA-256 of the token, the account, and three times. When a
//! session counts as expired is `auth::session`'s rule; this module only reads and writes.

use super::Conn;
use crate::domain::Role;
use crate::domain::ids::{GroupId, UserId, YouthId};
use crate::domain::user::CurrentUser;
use sqlx::FromRow;

/// A stored session with its account.
pub struct SessionRecord {
    pub user: CurrentUser,
    pub active: bool,
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

#[derive(FromRow)]
struct SessionRow {
    id: UserId,
    login: String,
    display_name: String,
    role: String,
    active: i64,
    youth_id: Option<YouthId>,
    password_change_required: i64,
    last_seen_at: i64,
    expires_at: i64,
}

/// A stored session of one account, for the owner's list.
pub struct StoredSession {
    pub token_hash: String,
    pub device: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

pub async fn insert(
    conn: &mut Conn,
    token_hash: &str,
    user: &UserId,
    device: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
    expires: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, device) \
         VALUES ($1, $2, $3, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user)
    .bind(now.timestamp_millis())
    .bind(expires.timestamp_millis())
    .bind(device)
    .execute(conn)
    .await?;
    Ok(())
}

/// The session of a token hash with its account, if stored. An account whose stored role
/// this program does not know is treated as no session.
pub async fn find(conn: &mut Conn, token_hash: &str) -> Result<Option<SessionRecord>, sqlx::Error> {
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT u.id, u.login, u.display_name, u.role, u.active, u.youth_id, u.password_change_required, \
         s.last_seen_at, s.expires_at \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let Some(role) = Role::parse(&row.role) else { return Ok(None) };
    let group_ids: Vec<GroupId> =
        sqlx::query_scalar("SELECT group_id FROM user_groups WHERE user_id = $1 ORDER BY group_id")
            .bind(&row.id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(Some(SessionRecord {
        user: CurrentUser {
            id: row.id,
            login: row.login,
            display_name: row.display_name,
            role,
            group_ids,
            youth_id: row.youth_id,
            password_change_required: row.password_change_required != 0,
        },
        active: row.active != 0,
        last_seen_at: super::time_of(row.last_seen_at),
        expires_at: super::time_of(row.expires_at),
    }))
}

pub async fn touch(conn: &mut Conn, token_hash: &str, now: chrono::DateTime<chrono::Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(now.timestamp_millis())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(conn).await?;
    Ok(())
}

/// The sessions of one account, newest first.
pub async fn list_for_user(conn: &mut Conn, user: &UserId) -> Result<Vec<StoredSession>, sqlx::Error> {
    let rows: Vec<(String, Option<String>, i64, i64, i64)> = sqlx::query_as(
        "SELECT token_hash, device, created_at, last_seen_at, expires_at FROM sessions \
         WHERE user_id = $1 ORDER BY last_seen_at DESC, created_at DESC",
    )
    .bind(user)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(token_hash, device, created, seen, expires)| StoredSession {
            token_hash,
            device,
            created_at: super::time_of(created),
            last_seen_at: super::time_of(seen),
            expires_at: super::time_of(expires),
        })
        .collect())
}

/// Ends one session of `user` (nothing if the hash belongs to another account).
pub async fn delete_of_user(conn: &mut Conn, user: &UserId, token_hash: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash = $2")
        .bind(user)
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends every session of `user` except the one with `keep`.
pub async fn delete_others(conn: &mut Conn, user: &UserId, keep: &str) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user)
        .bind(keep)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

pub async fn delete_for_user(conn: &mut Conn, user: &UserId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user).execute(conn).await?;
    Ok(())
}

/// Removes sessions that expired before `expired_before` or were last seen before
/// `idle_before`.
pub async fn delete_older(
    conn: &mut Conn,
    expired_before: chrono::DateTime<chrono::Utc>,
    idle_before: chrono::DateTime<chrono::Utc>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(expired_before.timestamp_millis())
        .bind(idle_before.timestamp_millis())
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
