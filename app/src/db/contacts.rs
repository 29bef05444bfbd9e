//! Contact arrangements (Umgangsregelung) per young person.

use super::{Conn, now_ms};
use crate::domain::contact::{ContactArrangement, ContactPeriod};
use crate::domain::ids::{UserId, YouthId};
use crate::domain::visit::VisitKind;

pub async fn get(conn: &mut Conn, youth_id: &YouthId) -> Result<Option<ContactArrangement>, sqlx::Error> {
    let row: Option<(i64, String, String, i64, String)> =
        sqlx::query_as("SELECT times, period, kind, supervised, note FROM contact_arrangements WHERE youth_id = $1")
            .bind(youth_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.and_then(|(times, period, kind, supervised, note)| {
        Some(ContactArrangement {
            times: u32::try_from(times).ok()?,
            period: ContactPeriod::parse(&period)?,
            kind: VisitKind::parse(&kind)?,
            supervised: supervised != 0,
            note,
        })
    }))
}

/// Sets (or replaces) a young person's arrangement.
pub async fn set(
    conn: &mut Conn,
    youth_id: &YouthId,
    arrangement: &ContactArrangement,
    by: &UserId,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO contact_arrangements (youth_id, times, period, kind, supervised, note, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (youth_id) DO UPDATE SET times = excluded.times, period = excluded.period, \
         kind = excluded.kind, supervised = excluded.supervised, note = excluded.note, \
         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(youth_id)
    .bind(i64::from(arrangement.times))
    .bind(arrangement.period.code())
    .bind(arrangement.kind.code())
    .bind(i64::from(arrangement.supervised))
    .bind(&arrangement.note)
    .bind(now_ms())
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}
