//! Institute-wide texts: the "Meine Rechte" page.

use super::{Conn, now_ms, time_of};
use crate::domain::ids::UserId;

/// An institute text and when it was last changed, if it was ever saved.
pub async fn text(conn: &mut Conn, name: &str) -> Result<Option<(String, chrono::DateTime<chrono::Utc>)>, sqlx::Error> {
    let row: Option<(String, i64)> = sqlx::query_as("SELECT body, updated_at FROM institute_texts WHERE name = $1")
        .bind(name)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|(body, at)| (body, time_of(at))))
}

pub async fn set_text(conn: &mut Conn, name: &str, body: &str, by: &UserId) -> Result<(), sqlx::Error> {
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
