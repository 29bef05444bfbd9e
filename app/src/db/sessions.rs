use super::Conn;
use crate::auth::CurrentUser;
use crate::auth::session::{ABSOLUTE_MS, IDLE_MS, TOUCH_EVERY_MS};
use crate::domain::Role;

/// id, login, display name, role, active, youth id, last seen, expires.
type SessionRow = (String, String, String, String, i64, Option<String>, i64, i64);

pub async fn create(conn: &mut Conn, token_hash: &str, user_id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .bind(now + ABSOLUTE_MS)
    .execute(conn)
    .await?;
    Ok(())
}

/// The account behind a session token, if the session is live and the account active.
/// Expired sessions are removed on the way.
pub async fn resolve(conn: &mut Conn, token_hash: &str, now: i64) -> Result<Option<CurrentUser>, sqlx::Error> {
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT u.id, u.login, u.display_name, u.role, u.active, u.youth_id, s.last_seen_at, s.expires_at \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, login, display_name, role, active, youth_id, last_seen, expires)) = row else {
        return Ok(None);
    };
    let role = Role::parse(&role);
    if active == 0 || now >= expires || now - last_seen >= IDLE_MS || role.is_none() {
        delete(conn, token_hash).await?;
        return Ok(None);
    }
    if now - last_seen >= TOUCH_EVERY_MS {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    let group_ids: Vec<String> =
        sqlx::query_scalar("SELECT group_id FROM user_groups WHERE user_id = $1 ORDER BY group_id")
            .bind(&id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(role.map(|role| CurrentUser { id, login, display_name, role, group_ids, youth_id }))
}

pub async fn delete(conn: &mut Conn, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(conn).await?;
    Ok(())
}

pub async fn delete_for_user(conn: &mut Conn, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(conn).await?;
    Ok(())
}

/// Removes sessions that can no longer be used.
pub async fn purge_expired(conn: &mut Conn, now: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(now - IDLE_MS)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
