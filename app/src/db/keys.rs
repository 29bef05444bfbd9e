//! The server's outbox key pairs as stored: the public half, the private half wrapped
//! (see `sealing::keys`, which mints and wraps them), and when a key was retired.

use super::{Conn, now_ms};
use sqlx::FromRow;

#[derive(FromRow)]
pub struct StoredKey {
    pub key_id: String,
    pub public_key: String,
    /// Wrapped (or, from before wrapping, marked plain until the next start-up).
    pub private_key: String,
    pub retired_at: Option<i64>,
}

const SELECT: &str = "SELECT key_id, public_key, private_key, retired_at FROM outbox_keys";

/// The key devices seal to now.
pub async fn current(conn: &mut Conn) -> Result<Option<StoredKey>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE retired_at IS NULL ORDER BY created_at DESC, key_id DESC LIMIT 1"))
        .fetch_optional(conn)
        .await
}

pub async fn by_id(conn: &mut Conn, key_id: &str) -> Result<Option<StoredKey>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE key_id = $1")).bind(key_id).fetch_optional(conn).await
}

pub async fn all(conn: &mut Conn) -> Result<Vec<StoredKey>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} ORDER BY created_at, key_id")).fetch_all(conn).await
}

/// Stores a new current key, unless a current one exists (a unique index allows one).
pub async fn insert_current(conn: &mut Conn, key_id: &str, public_key: &str, wrapped: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox_keys (key_id, public_key, private_key, created_at, retired_at, current_marker) \
         VALUES ($1, $2, $3, $4, NULL, 1) ON CONFLICT DO NOTHING",
    )
    .bind(key_id)
    .bind(public_key)
    .bind(wrapped)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_private(conn: &mut Conn, key_id: &str, wrapped: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE outbox_keys SET private_key = $2 WHERE key_id = $1")
        .bind(key_id)
        .bind(wrapped)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn retire(conn: &mut Conn, key_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE outbox_keys SET retired_at = $2, current_marker = NULL WHERE key_id = $1 AND retired_at IS NULL",
    )
    .bind(key_id)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}
