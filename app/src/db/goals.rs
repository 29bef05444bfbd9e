//! Help-plan goals (Hilfeplanziele) per young person, with their steps and status.

use super::{Conn, now_ms};
use crate::domain::goal::{Goal, GoalLevel, GoalStatus, Step, ValidGoal};
use crate::domain::ids::{GoalId, GroupId, YouthId};
use sqlx::FromRow;

#[derive(FromRow)]
struct GoalRow {
    id: GoalId,
    youth_id: YouthId,
    title: String,
    description: String,
    review_on: Option<String>,
    level: String,
    parent_id: Option<GoalId>,
    status: String,
    status_reason: String,
    steps: String,
    youth_title: String,
    created_at: i64,
}

impl GoalRow {
    fn into_domain(self) -> (Goal, i64) {
        let steps: Vec<Step> = serde_json::from_str(&self.steps).unwrap_or_else(|error| {
            tracing::error!(%error, id = %self.id, "unreadable goal steps");
            Vec::new()
        });
        let goal = Goal {
            id: self.id,
            youth_id: self.youth_id,
            title: self.title,
            description: self.description,
            review_on: self.review_on.unwrap_or_default(),
            level: GoalLevel::parse(&self.level).unwrap_or(GoalLevel::Action),
            parent_id: self.parent_id,
            status: GoalStatus::parse(&self.status).unwrap_or(GoalStatus::Open),
            status_reason: self.status_reason,
            steps,
            youth_title: self.youth_title,
        };
        (goal, self.created_at)
    }
}

const COLUMNS: &str = "g.id, g.youth_id, g.title, g.description, g.review_on, g.level, g.parent_id, g.status, \
     g.status_reason, g.steps, g.youth_title, g.created_at";

/// A young person's goals, oldest first (the order of the help plan).
pub async fn list_for_youth(conn: &mut Conn, youth_id: &YouthId) -> Result<Vec<Goal>, sqlx::Error> {
    let rows: Vec<GoalRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM goals g WHERE g.youth_id = $1 ORDER BY g.created_at, g.id"))
            .bind(youth_id)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|r| r.into_domain().0).collect())
}

/// The goals of the young people of one group (for the capture form).
pub async fn list_for_group(conn: &mut Conn, group_id: &GroupId) -> Result<Vec<Goal>, sqlx::Error> {
    let rows: Vec<GoalRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM goals g JOIN youths y ON y.id = g.youth_id WHERE y.group_id = $1 \
         ORDER BY g.created_at, g.id"
    ))
    .bind(group_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.into_domain().0).collect())
}

pub async fn get(conn: &mut Conn, id: &GoalId) -> Result<Option<Goal>, sqlx::Error> {
    Ok(get_with_date(conn, id).await?.map(|(g, _)| g))
}

/// A goal with when it was set (UTC ms).
pub async fn get_with_date(conn: &mut Conn, id: &GoalId) -> Result<Option<(Goal, i64)>, sqlx::Error> {
    let row: Option<GoalRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM goals g WHERE g.id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.map(GoalRow::into_domain))
}

fn steps_json(goal: &ValidGoal) -> Result<String, sqlx::Error> {
    serde_json::to_string(&goal.steps).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

pub async fn insert(conn: &mut Conn, youth: &YouthId, goal: &ValidGoal) -> Result<GoalId, sqlx::Error> {
    let id = GoalId::fresh();
    sqlx::query(
        "INSERT INTO goals (id, youth_id, title, description, review_on, level, parent_id, status, status_reason, \
         steps, youth_title, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
    )
    .bind(&id)
    .bind(youth)
    .bind(&goal.title)
    .bind(&goal.description)
    .bind(goal.review_on.map(|d| d.to_string()))
    .bind(goal.level.code())
    .bind(goal.parent_id.as_ref())
    .bind(goal.status.code())
    .bind(&goal.status_reason)
    .bind(steps_json(goal)?)
    .bind(&goal.youth_title)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn update(conn: &mut Conn, id: &GoalId, goal: &ValidGoal) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE goals SET title = $2, description = $3, review_on = $4, level = $5, parent_id = $6, status = $7, \
         status_reason = $8, steps = $9, youth_title = $10, updated_at = $11 WHERE id = $1",
    )
    .bind(id)
    .bind(&goal.title)
    .bind(&goal.description)
    .bind(goal.review_on.map(|d| d.to_string()))
    .bind(goal.level.code())
    .bind(goal.parent_id.as_ref())
    .bind(goal.status.code())
    .bind(&goal.status_reason)
    .bind(steps_json(goal)?)
    .bind(&goal.youth_title)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whose goals [`activity`] reads.
pub enum Of<'a> {
    Youth(&'a YouthId),
    /// The young people living in the group now.
    Group(&'a GroupId),
}

/// Goals with when each was set (UTC ms) and the date of its newest linked entry (of
/// entries the caller may read: without `advisors`, none only advisors read). One query
/// for a young person or a whole group, for the plan, the reminders and the overview.
pub async fn activity(
    conn: &mut Conn,
    of: Of<'_>,
    advisors: bool,
) -> Result<Vec<(Goal, i64, Option<String>)>, sqlx::Error> {
    let visible = if advisors { "" } else { " AND e.advisors_only = 0" };
    let (filter, id) = match of {
        Of::Youth(y) => ("g.youth_id = $1", y.as_str()),
        Of::Group(g) => ("g.youth_id IN (SELECT id FROM youths WHERE group_id = $1)", g.as_str()),
    };
    let sql = format!(
        "SELECT {COLUMNS}, (SELECT MAX(l.occurred_on) FROM entry_goals l JOIN entries e ON e.id = l.entry_id \
         WHERE l.goal_id = g.id{visible}) AS last_entry FROM goals g WHERE {filter} ORDER BY g.created_at, g.id"
    );
    let rows: Vec<ActivityRow> = sqlx::query_as(&sql).bind(id).fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let (goal, at) = r.goal.into_domain();
            (goal, at, r.last_entry)
        })
        .collect())
}

#[derive(FromRow)]
struct ActivityRow {
    #[sqlx(flatten)]
    goal: GoalRow,
    last_entry: Option<String>,
}

/// Whether any Handlungsziel hangs under this goal (then it must stay a Richtungsziel).
pub async fn has_actions(conn: &mut Conn, id: &GoalId) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM goals WHERE parent_id = $1").bind(id).fetch_one(conn).await?;
    Ok(n > 0)
}
