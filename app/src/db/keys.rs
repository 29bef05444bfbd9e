//! The server's key pair for sealed outbox items. Kept in the database so every instance
//! behind a load balancer opens what any device sealed.

use super::{Conn, now_ms};

/// The outbox key: its id, and the private and public halves (base64url).
#[derive(Clone)]
pub struct OutboxKey {
    pub key_id: String,
    pub private_key: String,
    pub public_key: String,
}

const OUTBOX: &str = "outbox";

/// The outbox key, created on first use. Two instances starting together both try to
/// insert; the second insert does nothing and both read the same row.
pub async fn outbox_key(conn: &mut Conn) -> Result<OutboxKey, sqlx::Error> {
    if let Some(key) = read(conn).await? {
        return Ok(key);
    }
    let pair = crate::sealing::generate();
    let key_id = uuid::Uuid::now_v7().simple().to_string()[..12].to_owned();
    sqlx::query(
        "INSERT INTO server_keys (purpose, key_id, private_key, public_key, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (purpose) DO NOTHING",
    )
    .bind(OUTBOX)
    .bind(&key_id)
    .bind(&pair.private_b64)
    .bind(&pair.public_b64)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    read(conn).await?.ok_or(sqlx::Error::RowNotFound)
}

async fn read(conn: &mut Conn) -> Result<Option<OutboxKey>, sqlx::Error> {
    let row: Option<(String, String, String)> =
        sqlx::query_as("SELECT key_id, private_key, public_key FROM server_keys WHERE purpose = $1")
            .bind(OUTBOX)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(key_id, private_key, public_key)| OutboxKey { key_id, private_key, public_key }))
}
