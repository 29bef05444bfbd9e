use super::{Conn, now_ms};
use crate::domain::ids::{GroupId, YouthId};
use crate::domain::youth::{ValidYouth, Youth, YouthSummary};
use sqlx::FromRow;

#[derive(FromRow)]
struct SummaryRow {
    id: YouthId,
    first_name: String,
    last_name: String,
    birth_date: String,
    group_id: GroupId,
}

#[derive(FromRow)]
struct YouthRow {
    id: YouthId,
    group_id: GroupId,
    group_name: String,
    first_name: String,
    last_name: String,
    birth_date: String,
    admission_date: String,
    caseworker_name: String,
    caseworker_contact: String,
    custody: String,
}

impl SummaryRow {
    fn into_domain(self) -> YouthSummary {
        YouthSummary {
            id: self.id,
            first_name: self.first_name,
            last_name: self.last_name,
            age: 0,
            birth_date: self.birth_date,
            group_id: self.group_id,
        }
    }
}

impl YouthRow {
    fn into_domain(self) -> Youth {
        Youth {
            id: self.id,
            group_id: self.group_id,
            group_name: self.group_name,
            first_name: self.first_name,
            last_name: self.last_name,
            birth_date: self.birth_date,
            admission_date: self.admission_date,
            caseworker_name: self.caseworker_name,
            caseworker_contact: self.caseworker_contact,
            custody: self.custody,
            age: 0,
        }
    }
}

/// The young people of one group, by first name (as the group calls them).
pub async fn list_in_group(conn: &mut Conn, group_id: &GroupId) -> Result<Vec<YouthSummary>, sqlx::Error> {
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "SELECT id, first_name, last_name, birth_date, group_id FROM youths WHERE group_id = $1 \
         ORDER BY first_name, last_name",
    )
    .bind(group_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(SummaryRow::into_domain).collect())
}

/// Every young person, for linking an account (Leitung only).
pub async fn list_all(conn: &mut Conn) -> Result<Vec<YouthSummary>, sqlx::Error> {
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "SELECT id, first_name, last_name, birth_date, group_id FROM youths ORDER BY last_name, first_name",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(SummaryRow::into_domain).collect())
}

pub async fn get(conn: &mut Conn, id: &YouthId) -> Result<Option<Youth>, sqlx::Error> {
    let row: Option<YouthRow> = sqlx::query_as(
        "SELECT y.id, y.group_id, g.name AS group_name, y.first_name, y.last_name, y.birth_date, \
         y.admission_date, y.caseworker_name, y.caseworker_contact, y.custody \
         FROM youths y JOIN groups g ON g.id = y.group_id WHERE y.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(YouthRow::into_domain))
}

/// The admission date of each young person living in the group (YYYY-MM-DD).
pub async fn admissions_in_group(conn: &mut Conn, group_id: &GroupId) -> Result<Vec<(YouthId, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, admission_date FROM youths WHERE group_id = $1").bind(group_id).fetch_all(conn).await
}

/// The group a young person belongs to, for the policy.
pub async fn group_of(conn: &mut Conn, id: &YouthId) -> Result<Option<GroupId>, sqlx::Error> {
    sqlx::query_scalar("SELECT group_id FROM youths WHERE id = $1").bind(id).fetch_optional(conn).await
}

pub async fn insert(conn: &mut Conn, youth: &ValidYouth) -> Result<YouthId, sqlx::Error> {
    let id = YouthId::fresh();
    sqlx::query(
        "INSERT INTO youths (id, group_id, first_name, last_name, birth_date, admission_date, \
         caseworker_name, caseworker_contact, custody, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(&id)
    .bind(&youth.group_id)
    .bind(&youth.first_name)
    .bind(&youth.last_name)
    .bind(youth.birth_date.to_string())
    .bind(youth.admission_date.to_string())
    .bind(&youth.caseworker_name)
    .bind(&youth.caseworker_contact)
    .bind(&youth.custody)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn update(conn: &mut Conn, id: &YouthId, youth: &ValidYouth) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE youths SET group_id = $2, first_name = $3, last_name = $4, birth_date = $5, \
         admission_date = $6, caseworker_name = $7, caseworker_contact = $8, custody = $9, updated_at = $10 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(&youth.group_id)
    .bind(&youth.first_name)
    .bind(&youth.last_name)
    .bind(youth.birth_date.to_string())
    .bind(youth.admission_date.to_string())
    .bind(&youth.caseworker_name)
    .bind(&youth.caseworker_contact)
    .bind(&youth.custody)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
