//! § 47 Meldungen in the store: written once, never changed (the migration's triggers
//! refuse it). Who may write or read one is decided in `api::licence`.

use super::sql::Sql;
use super::{Conn, now_ms};
use crate::domain::ids::UserId;
use crate::domain::ids::{CaseId, EntryId, GroupId, IncidentId};
use crate::domain::licence::{LicenceBody, LicenceCategory, ValidLicence};
use sqlx::FromRow;

/// Stores a Meldung; `false` when its key was used before.
pub async fn insert(conn: &mut Conn, licence: &ValidLicence, author: &UserId) -> Result<bool, sqlx::Error> {
    let body = serde_json::to_string(&licence.body).unwrap_or_default();
    let done = sqlx::query(
        "INSERT INTO licence_reports (id, group_id, incident_id, case_id, category, occurred_at, reported_at, body, \
         author_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&licence.key)
    .bind(&licence.group_id)
    .bind(licence.incident_id.as_ref())
    .bind(licence.case_id.as_ref())
    .bind(licence.category.code())
    .bind(licence.occurred_at.format("%Y-%m-%dT%H:%M").to_string())
    .bind(licence.reported_at.format("%Y-%m-%dT%H:%M").to_string())
    .bind(&body)
    .bind(author)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(FromRow)]
struct Row {
    id: EntryId,
    group_id: GroupId,
    group_name: String,
    incident_id: Option<IncidentId>,
    case_id: Option<CaseId>,
    category: String,
    occurred_at: String,
    reported_at: String,
    body: String,
    author_name: String,
}

/// A stored Meldung.
#[derive(Clone, Debug)]
pub struct Licence {
    pub id: EntryId,
    pub group_id: GroupId,
    pub group_name: String,
    pub incident_id: Option<IncidentId>,
    pub case_id: Option<CaseId>,
    pub category: LicenceCategory,
    pub occurred_at: String,
    pub reported_at: String,
    pub body: LicenceBody,
    pub author_name: String,
}

impl Row {
    fn into_licence(self) -> Licence {
        Licence {
            id: self.id,
            group_id: self.group_id,
            group_name: self.group_name,
            incident_id: self.incident_id,
            case_id: self.case_id,
            category: LicenceCategory::parse(&self.category).unwrap_or(LicenceCategory::Other),
            occurred_at: self.occurred_at,
            reported_at: self.reported_at,
            body: serde_json::from_str(&self.body).unwrap_or(LicenceBody {
                description: self.body.clone(),
                measures: String::new(),
                recipient: String::new(),
            }),
            author_name: self.author_name,
        }
    }
}

const SELECT: &str = "SELECT l.id, l.group_id, g.name AS group_name, l.incident_id, l.case_id, l.category, \
     l.occurred_at, l.reported_at, l.body, u.display_name AS author_name \
     FROM licence_reports l JOIN groups g ON g.id = l.group_id JOIN users u ON u.id = l.author_id";

pub async fn get(conn: &mut Conn, id: &EntryId) -> Result<Option<Licence>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE l.id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.map(Row::into_licence))
}

/// The Meldungen of these groups, newest event first.
pub async fn list(conn: &mut Conn, groups: &[GroupId]) -> Result<Vec<Licence>, sqlx::Error> {
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("{SELECT} WHERE l.group_id IN ("));
    sql.bind_list(groups.iter().map(GroupId::as_str)).push(") ORDER BY l.occurred_at DESC, l.id LIMIT 200");
    let rows: Vec<Row> = sql.fetch_all(conn).await?;
    Ok(rows.into_iter().map(Row::into_licence).collect())
}
