//! What the goal pages read: the index of entries linked to goals (kept with every entry
//! version), the monthly talks' ratings, and the young people's own ratings.

use super::{Conn, now_ms};
use crate::domain::ids::{EntryId, GoalId, YouthId};

/// Replaces the goals an entry links to (its current version's).
pub async fn set_links(conn: &mut Conn, entry: &EntryId, date: &str, goals: &[GoalId]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM entry_goals WHERE entry_id = $1").bind(entry).execute(&mut *conn).await?;
    let mut seen: Vec<&GoalId> = Vec::new();
    for goal in goals {
        if seen.contains(&goal) {
            continue;
        }
        seen.push(goal);
        sqlx::query("INSERT INTO entry_goals (goal_id, entry_id, occurred_on) VALUES ($1, $2, $3)")
            .bind(goal)
            .bind(entry)
            .bind(date)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Replaces the ratings a monthly talk gave: (goal, perspective code, step 1–5).
pub async fn set_ratings(
    conn: &mut Conn,
    entry: &EntryId,
    date: &str,
    ratings: &[(GoalId, &'static str, i64)],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM goal_ratings WHERE entry_id = $1").bind(entry).execute(&mut *conn).await?;
    for (goal, perspective, step) in ratings {
        sqlx::query(
            "INSERT INTO goal_ratings (entry_id, goal_id, perspective, step, occurred_on) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(entry)
        .bind(goal)
        .bind(*perspective)
        .bind(*step)
        .bind(date)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Leaves out entries only the Fachberatung and Leitung read, unless `advisors`.
fn visible(advisors: bool) -> &'static str {
    if advisors { "" } else { " AND e.advisors_only = 0" }
}

/// An entry linked to a goal: id, kind code, date, current body (JSON), author.
pub type LinkRow = (EntryId, String, String, String, String);

/// The newest `limit` entries linked to a goal.
pub async fn linked_entries(
    conn: &mut Conn,
    goal: &GoalId,
    limit: usize,
    advisors: bool,
) -> Result<Vec<LinkRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT e.id, e.kind, e.occurred_on, v.body, u.display_name FROM entry_goals l \
         JOIN entries e ON e.id = l.entry_id \
         JOIN entry_versions v ON v.entry_id = e.id AND v.version = e.version \
         JOIN users u ON u.id = e.author_id \
         WHERE l.goal_id = $1{} ORDER BY l.occurred_on DESC, e.created_at DESC, e.id DESC LIMIT {limit}",
        visible(advisors)
    ))
    .bind(goal)
    .fetch_all(conn)
    .await
}

/// The entries linked to a goal from `from` on (id, date, current body), newest first.
pub async fn linked_since(
    conn: &mut Conn,
    goal: &GoalId,
    from: &str,
    advisors: bool,
) -> Result<Vec<(EntryId, String, String)>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT e.id, e.occurred_on, v.body FROM entry_goals l JOIN entries e ON e.id = l.entry_id \
         JOIN entry_versions v ON v.entry_id = e.id AND v.version = e.version \
         WHERE l.goal_id = $1 AND l.occurred_on >= $2{} ORDER BY l.occurred_on DESC, e.id DESC LIMIT 30",
        visible(advisors)
    ))
    .bind(goal)
    .bind(from)
    .fetch_all(conn)
    .await
}

/// Linked entries per month ("YYYY-MM") from `from` on, and how many there are in all.
pub async fn month_counts(
    conn: &mut Conn,
    goal: &GoalId,
    from: &str,
    advisors: bool,
) -> Result<(Vec<(String, i64)>, i64), sqlx::Error> {
    let linked =
        format!("FROM entry_goals l JOIN entries e ON e.id = l.entry_id WHERE l.goal_id = $1{}", visible(advisors));
    let days: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT l.occurred_on, COUNT(*) {linked} AND l.occurred_on >= $2 GROUP BY l.occurred_on"
    ))
    .bind(goal)
    .bind(from)
    .fetch_all(&mut *conn)
    .await?;
    let mut months: Vec<(String, i64)> = Vec::new();
    for (day, n) in days {
        let month = day.get(..7).unwrap_or_default().to_owned();
        match months.iter_mut().find(|(m, _)| *m == month) {
            Some((_, total)) => *total += n,
            None => months.push((month, n)),
        }
    }
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {linked}")).bind(goal).fetch_one(conn).await?;
    Ok((months, total))
}

/// A goal's ratings, oldest first: (date, perspective code, step).
pub async fn ratings(conn: &mut Conn, goal: &GoalId) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT occurred_on, perspective, step FROM goal_ratings WHERE goal_id = $1 ORDER BY occurred_on, perspective",
    )
    .bind(goal)
    .fetch_all(conn)
    .await
}

/// Per goal of a young person and perspective: the newest rating (goal, perspective,
/// step, date).
pub async fn latest_ratings(
    conn: &mut Conn,
    youth: &YouthId,
) -> Result<Vec<(GoalId, String, i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.goal_id, r.perspective, r.step, r.occurred_on FROM goal_ratings r \
         JOIN goals g ON g.id = r.goal_id \
         WHERE g.youth_id = $1 AND r.occurred_on = (SELECT MAX(r2.occurred_on) FROM goal_ratings r2 \
           WHERE r2.goal_id = r.goal_id AND r2.perspective = r.perspective)",
    )
    .bind(youth)
    .fetch_all(conn)
    .await
}

/// A young person's own rating of a goal with faces.
pub async fn rate_own(conn: &mut Conn, goal: &GoalId, step: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO youth_goal_ratings (goal_id, step, rated_at) VALUES ($1, $2, $3)")
        .bind(goal)
        .bind(step)
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(())
}

/// The young person's newest own rating per goal (goal, step, when in UTC ms).
pub async fn own_ratings(conn: &mut Conn, youth: &YouthId) -> Result<Vec<(GoalId, i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.goal_id, r.step, r.rated_at FROM youth_goal_ratings r JOIN goals g ON g.id = r.goal_id \
         WHERE g.youth_id = $1 AND r.rated_at = (SELECT MAX(r2.rated_at) FROM youth_goal_ratings r2 \
           WHERE r2.goal_id = r.goal_id)",
    )
    .bind(youth)
    .fetch_all(conn)
    .await
}
