//! Help-plan goals (Hilfeplanziele) per young person.

use super::{Conn, now_ms};
use crate::domain::goal::{Goal, ValidGoal};
use crate::domain::ids::{GoalId, GroupId, YouthId};
use sqlx::FromRow;

#[derive(FromRow)]
struct GoalRow {
    id: GoalId,
    youth_id: YouthId,
    title: String,
    description: String,
    review_on: Option<String>,
}

impl GoalRow {
    fn into_domain(self) -> Goal {
        Goal {
            id: self.id,
            youth_id: self.youth_id,
            title: self.title,
            description: self.description,
            review_on: self.review_on.unwrap_or_default(),
        }
    }
}

/// A young person's goals, oldest first (the order of the help plan).
pub async fn list_for_youth(conn: &mut Conn, youth_id: &YouthId) -> Result<Vec<Goal>, sqlx::Error> {
    let rows: Vec<GoalRow> = sqlx::query_as(
        "SELECT id, youth_id, title, description, review_on FROM goals WHERE youth_id = $1 ORDER BY created_at, id",
    )
    .bind(youth_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(GoalRow::into_domain).collect())
}

/// The goals of the young people of one group (for the capture form).
pub async fn list_for_group(conn: &mut Conn, group_id: &GroupId) -> Result<Vec<Goal>, sqlx::Error> {
    let rows: Vec<GoalRow> = sqlx::query_as(
        "SELECT g.id, g.youth_id, g.title, g.description, g.review_on FROM goals g \
         JOIN youths y ON y.id = g.youth_id WHERE y.group_id = $1 ORDER BY g.created_at, g.id",
    )
    .bind(group_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(GoalRow::into_domain).collect())
}

pub async fn get(conn: &mut Conn, id: &GoalId) -> Result<Option<Goal>, sqlx::Error> {
    let row: Option<GoalRow> =
        sqlx::query_as("SELECT id, youth_id, title, description, review_on FROM goals WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(GoalRow::into_domain))
}

pub async fn insert(conn: &mut Conn, youth: &YouthId, goal: &ValidGoal) -> Result<GoalId, sqlx::Error> {
    let id = GoalId::fresh();
    sqlx::query(
        "INSERT INTO goals (id, youth_id, title, description, review_on, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(youth)
    .bind(&goal.title)
    .bind(&goal.description)
    .bind(goal.review_on.map(|d| d.to_string()))
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn update(conn: &mut Conn, id: &GoalId, goal: &ValidGoal) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE goals SET title = $2, description = $3, review_on = $4, updated_at = $5 WHERE id = $1")
            .bind(id)
            .bind(&goal.title)
            .bind(&goal.description)
            .bind(goal.review_on.map(|d| d.to_string()))
            .bind(now_ms())
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}
