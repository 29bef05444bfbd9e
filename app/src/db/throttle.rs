//! Login throttling, kept in the database so that every instance counts the same
//! failures. A key is `acct:<login>` or `ip:<address>`.

use super::{Conn, new_id};

/// Serializes attempts on `key` until the transaction ends, so parallel guesses cannot
/// all read "under the limit" before any of them is recorded. SQLite transactions
/// (`BEGIN IMMEDIATE`) are serialized already; PostgreSQL takes an advisory lock.
pub async fn lock(conn: &mut Conn, backend: super::Backend, key: &str) -> Result<(), sqlx::Error> {
    if backend == super::Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(key).execute(conn).await?;
    }
    Ok(())
}

/// Failed attempts for `key` since `since_ms`, and the oldest of them (for Retry-After).
pub async fn failures_since(conn: &mut Conn, key: &str, since_ms: i64) -> Result<(i64, Option<i64>), sqlx::Error> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE throttle_key = $1 AND at >= $2")
        .bind(key)
        .bind(since_ms)
        .fetch_one(&mut *conn)
        .await?;
    let oldest: Option<i64> =
        sqlx::query_scalar("SELECT at FROM login_failures WHERE throttle_key = $1 AND at >= $2 ORDER BY at LIMIT 1")
            .bind(key)
            .bind(since_ms)
            .fetch_optional(&mut *conn)
            .await?;
    Ok((count, oldest))
}

/// Records an attempt (counted as failed until it succeeds); returns its id.
pub async fn record_failure(conn: &mut Conn, key: &str, at_ms: i64) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query("INSERT INTO login_failures (id, throttle_key, at) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(key)
        .bind(at_ms)
        .execute(conn)
        .await?;
    Ok(id)
}

/// Removes one recorded attempt (it turned out to be a successful login).
pub async fn forget(conn: &mut Conn, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE id = $1").bind(id).execute(conn).await?;
    Ok(())
}

/// Forgets failures of a key (after a successful login) and everything too old to count.
pub async fn clear(conn: &mut Conn, key: &str, older_than_ms: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1 OR at < $2")
        .bind(key)
        .bind(older_than_ms)
        .execute(conn)
        .await?;
    Ok(())
}
