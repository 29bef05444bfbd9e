//! Kinderschutz in the store: observations, procedures, their steps, signatures,
//! deadlines and history. Who may see or do what is decided in `api::protection`; this
//! module only stores and reads. Steps, signatures and history are append-only (the
//! migration's triggers refuse changes), an observation's content is frozen.

use super::sql::Sql;
use super::{Conn, new_id, now_ms};
use crate::domain::ids::{CaseId, GroupId, IncidentId, ObservationId, StepId, UserId, YouthId};
use crate::domain::protection::{
    DeadlineKind, ObservationBody, Outcome, SignRole, StepBody, StepKind, ValidObservation, ValidStep,
};
use sqlx::FromRow;

/// Stores an observation exactly once (keyed by the device's id); `Some` with the stored
/// author and body when the id was used before.
pub async fn insert_observation(
    conn: &mut Conn,
    observation: &ValidObservation,
    group_id: &GroupId,
    author_id: &UserId,
) -> Result<Option<(UserId, String)>, sqlx::Error> {
    let body = serde_json::to_string(&observation.body).unwrap_or_default();
    let done = sqlx::query(
        "INSERT INTO cp_observations (id, group_id, youth_id, occurred_on, occurred_time, body, author_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&observation.id)
    .bind(group_id)
    .bind(&observation.youth_id)
    .bind(observation.date.to_string())
    .bind(&observation.time)
    .bind(&body)
    .bind(author_id)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return stored_observation(conn, &observation.id).await;
    }
    Ok(None)
}

/// Who stored an observation under this id, and its body as stored.
pub async fn stored_observation(conn: &mut Conn, id: &ObservationId) -> Result<Option<(UserId, String)>, sqlx::Error> {
    sqlx::query_as("SELECT author_id, body FROM cp_observations WHERE id = $1").bind(id).fetch_optional(conn).await
}

#[derive(FromRow)]
struct ObservationRowRaw {
    id: ObservationId,
    group_id: GroupId,
    group_name: String,
    youth_id: YouthId,
    first_name: String,
    last_name: String,
    occurred_on: String,
    occurred_time: String,
    body: String,
    author_id: UserId,
    author_name: String,
    created_at: i64,
    acknowledged_at: Option<i64>,
    acknowledged_by_name: Option<String>,
    case_id: Option<CaseId>,
    overdue: i64,
}

/// A stored observation.
#[derive(Clone, Debug)]
pub struct Observation {
    pub id: ObservationId,
    pub group_id: GroupId,
    pub group_name: String,
    pub youth_id: YouthId,
    pub youth_name: String,
    pub occurred_on: String,
    pub occurred_time: String,
    pub body: ObservationBody,
    pub author_id: UserId,
    pub author_name: String,
    pub created_at: i64,
    pub acknowledged: Option<(i64, Option<String>)>,
    pub case_id: Option<CaseId>,
    /// Its deadline escalated (Leitung did not take note in time).
    pub overdue: bool,
}

impl ObservationRowRaw {
    fn into_observation(self) -> Observation {
        let body = serde_json::from_str(&self.body).unwrap_or(ObservationBody {
            fact: self.body.clone(),
            source: crate::domain::protection::ObservationSource::Seen,
            assessment: String::new(),
        });
        Observation {
            id: self.id,
            group_id: self.group_id,
            group_name: self.group_name,
            youth_id: self.youth_id,
            youth_name: format!("{} {}", self.first_name, self.last_name),
            occurred_on: self.occurred_on,
            occurred_time: self.occurred_time,
            body,
            author_id: self.author_id,
            author_name: self.author_name,
            created_at: self.created_at,
            acknowledged: self.acknowledged_at.map(|at| (at, self.acknowledged_by_name)),
            case_id: self.case_id,
            overdue: self.overdue > 0,
        }
    }
}

const OBSERVATION: &str = "SELECT o.id, o.group_id, g.name AS group_name, o.youth_id, y.first_name, y.last_name, \
     o.occurred_on, o.occurred_time, o.body, o.author_id, u.display_name AS author_name, o.created_at, \
     o.acknowledged_at, ab.display_name AS acknowledged_by_name, o.case_id, \
     (SELECT COUNT(*) FROM cp_deadlines d WHERE d.observation_id = o.id AND d.escalated_at IS NOT NULL \
      AND d.met_at IS NULL) AS overdue \
     FROM cp_observations o JOIN groups g ON g.id = o.group_id JOIN youths y ON y.id = o.youth_id \
     JOIN users u ON u.id = o.author_id LEFT JOIN users ab ON ab.id = o.acknowledged_by";

pub async fn observation(conn: &mut Conn, id: &ObservationId) -> Result<Option<Observation>, sqlx::Error> {
    let row: Option<ObservationRowRaw> =
        sqlx::query_as(&format!("{OBSERVATION} WHERE o.id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.map(ObservationRowRaw::into_observation))
}

/// The observations of these groups Leitung has not taken note of, oldest first.
pub async fn waiting(conn: &mut Conn, groups: &[GroupId]) -> Result<Vec<Observation>, sqlx::Error> {
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("{OBSERVATION} WHERE o.acknowledged_at IS NULL AND o.group_id IN ("));
    sql.bind_list(groups.iter().map(GroupId::as_str)).push(") ORDER BY o.created_at, o.id LIMIT 200");
    let rows: Vec<ObservationRowRaw> = sql.fetch_all(conn).await?;
    Ok(rows.into_iter().map(ObservationRowRaw::into_observation).collect())
}

/// How many observations of these groups wait for Leitung's note (the menu badge).
pub async fn waiting_count(conn: &mut Conn, groups: &[GroupId]) -> Result<i64, sqlx::Error> {
    if groups.is_empty() {
        return Ok(0);
    }
    let mut sql = Sql::new("SELECT COUNT(*) FROM cp_observations WHERE acknowledged_at IS NULL AND group_id IN (");
    sql.bind_list(groups.iter().map(GroupId::as_str)).push(")");
    let counted: Vec<(i64,)> = sql.fetch_all(conn).await?;
    Ok(counted.first().map_or(0, |c| c.0))
}

/// What one account wrote, newest first.
pub async fn by_author(conn: &mut Conn, author: &UserId) -> Result<Vec<Observation>, sqlx::Error> {
    let rows: Vec<ObservationRowRaw> =
        sqlx::query_as(&format!("{OBSERVATION} WHERE o.author_id = $1 ORDER BY o.created_at DESC, o.id LIMIT 50"))
            .bind(author)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(ObservationRowRaw::into_observation).collect())
}

/// The observations a procedure was opened from or joined.
pub async fn of_case(conn: &mut Conn, case: &CaseId) -> Result<Vec<Observation>, sqlx::Error> {
    let rows: Vec<ObservationRowRaw> =
        sqlx::query_as(&format!("{OBSERVATION} WHERE o.case_id = $1 ORDER BY o.created_at, o.id"))
            .bind(case)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(ObservationRowRaw::into_observation).collect())
}

/// Leitung takes note; `false` when someone did before.
pub async fn acknowledge(conn: &mut Conn, id: &ObservationId, by: &UserId) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE cp_observations SET acknowledged_at = $1, acknowledged_by = $2 WHERE id = $3 AND acknowledged_at IS NULL",
    )
    .bind(now)
    .bind(by)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        sqlx::query("UPDATE cp_deadlines SET met_at = $1 WHERE observation_id = $2 AND met_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(conn)
            .await?;
        return Ok(true);
    }
    Ok(false)
}

// ------------------------------------------------------------------ procedures

#[derive(Clone, Debug, FromRow)]
pub struct Case {
    pub id: CaseId,
    pub group_id: GroupId,
    pub group_name: String,
    pub youth_id: YouthId,
    pub first_name: String,
    pub last_name: String,
    pub concerns_staff: i64,
    pub incident_id: Option<IncidentId>,
    pub opened_at: i64,
    pub opened_by_name: String,
    pub closed_at: Option<i64>,
    pub outcome: Option<String>,
    /// The kind of the last step recorded.
    pub stage: Option<String>,
    /// Deadlines that escalated and are not met.
    pub overdue: i64,
}

impl Case {
    pub fn youth_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    pub fn outcome(&self) -> Option<Outcome> {
        self.outcome.as_deref().and_then(Outcome::parse)
    }

    pub fn stage(&self) -> Option<StepKind> {
        self.stage.as_deref().and_then(StepKind::parse)
    }
}

const CASE: &str = "SELECT c.id, c.group_id, g.name AS group_name, c.youth_id, y.first_name, y.last_name, \
     c.concerns_staff, c.incident_id, c.opened_at, u.display_name AS opened_by_name, c.closed_at, c.outcome, \
     (SELECT s.kind FROM cp_steps s WHERE s.case_id = c.id ORDER BY s.created_at DESC, s.id DESC LIMIT 1) AS stage, \
     (SELECT COUNT(*) FROM cp_deadlines d WHERE d.case_id = c.id AND d.escalated_at IS NOT NULL \
      AND d.met_at IS NULL) AS overdue \
     FROM cp_cases c JOIN groups g ON g.id = c.group_id JOIN youths y ON y.id = c.youth_id \
     JOIN users u ON u.id = c.opened_by";

pub async fn insert_case(
    conn: &mut Conn,
    id: &CaseId,
    group: &GroupId,
    youth: &YouthId,
    concerns_staff: bool,
    incident: Option<&IncidentId>,
    by: &UserId,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO cp_cases (id, group_id, youth_id, concerns_staff, incident_id, opened_at, opened_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(group)
    .bind(youth)
    .bind(i64::from(concerns_staff))
    .bind(incident)
    .bind(now_ms())
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

/// Joins an observation to a procedure; `false` when it belongs to one already.
pub async fn attach(conn: &mut Conn, observation: &ObservationId, case: &CaseId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE cp_observations SET case_id = $1 WHERE id = $2 AND case_id IS NULL")
        .bind(case)
        .bind(observation)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn case(conn: &mut Conn, id: &CaseId) -> Result<Option<Case>, sqlx::Error> {
    sqlx::query_as(&format!("{CASE} WHERE c.id = $1")).bind(id).fetch_optional(conn).await
}

/// The group of a procedure and whether `user` was added to it (for the policy).
pub async fn scope(conn: &mut Conn, id: &CaseId, user: &UserId) -> Result<Option<(GroupId, bool)>, sqlx::Error> {
    let row: Option<(GroupId, i64)> = sqlx::query_as(
        "SELECT c.group_id, (SELECT COUNT(*) FROM cp_members m WHERE m.case_id = c.id AND m.user_id = $2) \
         FROM cp_cases c WHERE c.id = $1",
    )
    .bind(id)
    .bind(user)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(group, member)| (group, member > 0)))
}

/// The procedures of these groups and those `user` was added to, open ones first.
pub async fn cases_for(conn: &mut Conn, groups: &[GroupId], user: &UserId) -> Result<Vec<Case>, sqlx::Error> {
    let mut sql = Sql::new(&format!("{CASE} WHERE c.id IN (SELECT m.case_id FROM cp_members m WHERE m.user_id = "));
    sql.bind(user.as_str()).push(")");
    if !groups.is_empty() {
        sql.push(" OR c.group_id IN (").bind_list(groups.iter().map(GroupId::as_str)).push(")");
    }
    sql.push(" ORDER BY (CASE WHEN c.closed_at IS NULL THEN 0 ELSE 1 END), c.opened_at DESC, c.id LIMIT 200");
    sql.fetch_all(conn).await
}

/// Whether any of these groups has an open procedure with an escalated deadline, and how
/// many such deadlines there are (the badge).
pub async fn overdue_count(conn: &mut Conn, groups: &[GroupId]) -> Result<i64, sqlx::Error> {
    if groups.is_empty() {
        return Ok(0);
    }
    let mut sql = Sql::new(
        "SELECT COUNT(*) FROM cp_deadlines d LEFT JOIN cp_cases c ON c.id = d.case_id \
         LEFT JOIN cp_observations o ON o.id = d.observation_id \
         WHERE d.escalated_at IS NOT NULL AND d.met_at IS NULL AND COALESCE(c.group_id, o.group_id) IN (",
    );
    sql.bind_list(groups.iter().map(GroupId::as_str)).push(")");
    let counted: Vec<(i64,)> = sql.fetch_all(conn).await?;
    Ok(counted.first().map_or(0, |c| c.0))
}

pub async fn members(conn: &mut Conn, case: &CaseId) -> Result<Vec<(UserId, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id, u.display_name FROM cp_members m JOIN users u ON u.id = m.user_id WHERE m.case_id = $1 \
         ORDER BY m.added_at, u.id",
    )
    .bind(case)
    .fetch_all(conn)
    .await
}

/// Adds someone; `false` when they were added before.
pub async fn add_member(conn: &mut Conn, case: &CaseId, user: &UserId, by: &UserId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO cp_members (case_id, user_id, added_at, added_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (case_id, user_id) DO NOTHING",
    )
    .bind(case)
    .bind(user)
    .bind(now_ms())
    .bind(by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Active staff accounts (Fachkraft, Fachberatung) who could be added, with their role's
/// code.
pub async fn candidates(conn: &mut Conn) -> Result<Vec<(UserId, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, display_name, role FROM users WHERE active = 1 AND role IN ('fachkraft', 'fachberatung') \
         ORDER BY display_name, id",
    )
    .fetch_all(conn)
    .await
}

/// The active account with this id and its role's code.
pub async fn account_role(conn: &mut Conn, user: &UserId) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT role FROM users WHERE id = $1 AND active = 1").bind(user).fetch_optional(conn).await
}

pub async fn close(conn: &mut Conn, case: &CaseId, outcome: Outcome) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cp_cases SET closed_at = $1, outcome = $2 WHERE id = $3")
        .bind(now_ms())
        .bind(outcome.code())
        .bind(case)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE cp_deadlines SET met_at = $1 WHERE case_id = $2 AND met_at IS NULL")
        .bind(now_ms())
        .bind(case)
        .execute(conn)
        .await?;
    Ok(())
}

// ------------------------------------------------------------------ steps

pub async fn insert_step(
    conn: &mut Conn,
    id: &StepId,
    case: &CaseId,
    step: &ValidStep,
    author: &UserId,
) -> Result<(), sqlx::Error> {
    let body = serde_json::to_string(&step.body).unwrap_or_default();
    sqlx::query(
        "INSERT INTO cp_steps (id, case_id, kind, occurred_on, participants, body, author_id, created_at, corrects, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(case)
    .bind(step.body.kind().code())
    .bind(step.date.to_string())
    .bind(&step.participants)
    .bind(&body)
    .bind(author)
    .bind(now_ms())
    .bind(step.corrects.as_ref().map(|(id, _)| id))
    .bind(step.corrects.as_ref().map(|(_, reason)| reason.as_str()))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct StepRowRaw {
    id: StepId,
    kind: String,
    occurred_on: String,
    participants: String,
    body: String,
    author_id: UserId,
    author_name: String,
    created_at: i64,
    corrects: Option<StepId>,
    reason: Option<String>,
}

/// A recorded step.
#[derive(Clone, Debug)]
pub struct Step {
    pub id: StepId,
    pub kind: StepKind,
    pub occurred_on: String,
    pub participants: String,
    pub body: Option<StepBody>,
    pub author_id: UserId,
    pub author_name: String,
    pub created_at: i64,
    pub corrects: Option<(StepId, String)>,
}

pub async fn steps(conn: &mut Conn, case: &CaseId) -> Result<Vec<Step>, sqlx::Error> {
    let rows: Vec<StepRowRaw> = sqlx::query_as(
        "SELECT s.id, s.kind, s.occurred_on, s.participants, s.body, s.author_id, u.display_name AS author_name, \
         s.created_at, s.corrects, s.reason FROM cp_steps s JOIN users u ON u.id = s.author_id \
         WHERE s.case_id = $1 ORDER BY s.created_at, s.id",
    )
    .bind(case)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Step {
                kind: StepKind::parse(&r.kind)?,
                body: serde_json::from_str(&r.body).ok(),
                id: r.id,
                occurred_on: r.occurred_on,
                participants: r.participants,
                author_id: r.author_id,
                author_name: r.author_name,
                created_at: r.created_at,
                corrects: r.corrects.map(|id| (id, r.reason.unwrap_or_default())),
            })
        })
        .collect())
}

/// The procedure a step belongs to, and its author.
pub async fn step_scope(conn: &mut Conn, step: &StepId) -> Result<Option<(CaseId, UserId)>, sqlx::Error> {
    sqlx::query_as("SELECT case_id, author_id FROM cp_steps WHERE id = $1").bind(step).fetch_optional(conn).await
}

/// A signature: (step, role, signer's id, signer's name, when).
pub type SignatureRow = (StepId, String, UserId, String, i64);

pub async fn signatures(conn: &mut Conn, case: &CaseId) -> Result<Vec<SignatureRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT g.step_id, g.role, g.user_id, u.display_name, g.at FROM cp_signatures g JOIN cp_steps s ON s.id = g.step_id \
         JOIN users u ON u.id = g.user_id WHERE s.case_id = $1 ORDER BY g.at, g.step_id",
    )
    .bind(case)
    .fetch_all(conn)
    .await
}

/// Signs a step in a role; `false` when the role has signed it before.
pub async fn sign(conn: &mut Conn, step: &StepId, role: SignRole, user: &UserId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO cp_signatures (step_id, role, user_id, at) VALUES ($1, $2, $3, $4) ON CONFLICT (step_id, role) DO NOTHING",
    )
    .bind(step)
    .bind(role.code())
    .bind(user)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

// ------------------------------------------------------------------ deadlines, history

pub async fn add_deadline(
    conn: &mut Conn,
    case: Option<&CaseId>,
    observation: Option<&ObservationId>,
    kind: DeadlineKind,
    due_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO cp_deadlines (id, case_id, observation_id, kind, due_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(new_id())
        .bind(case)
        .bind(observation)
        .bind(kind.code())
        .bind(due_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks a procedure's open deadlines of this kind as met.
pub async fn meet(conn: &mut Conn, case: &CaseId, kind: DeadlineKind) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cp_deadlines SET met_at = $1 WHERE case_id = $2 AND kind = $3 AND met_at IS NULL")
        .bind(now_ms())
        .bind(case)
        .bind(kind.code())
        .execute(conn)
        .await?;
    Ok(())
}

/// A deadline: (kind, due, met, escalated).
pub type DeadlineRow = (String, i64, Option<i64>, Option<i64>);

/// A procedure's deadlines and those of its observations.
pub async fn deadlines(conn: &mut Conn, case: &CaseId) -> Result<Vec<DeadlineRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT d.kind, d.due_at, d.met_at, d.escalated_at FROM cp_deadlines d WHERE d.case_id = $1 \
         OR d.observation_id IN (SELECT o.id FROM cp_observations o WHERE o.case_id = $1) ORDER BY d.due_at, d.id",
    )
    .bind(case)
    .fetch_all(conn)
    .await
}

/// A deadline that escalated: its kind, the procedure or observation, and the group.
#[derive(Clone, Debug, FromRow)]
pub struct Due {
    pub id: String,
    pub kind: String,
    pub case_id: Option<CaseId>,
    pub observation_id: Option<ObservationId>,
    pub group_id: GroupId,
}

/// Claims the deadlines due by `now` that are neither met nor escalated. Each is claimed
/// by one instance only (the update checks again), so it escalates once.
pub async fn claim_due(conn: &mut Conn, now: i64) -> Result<Vec<Due>, sqlx::Error> {
    let due: Vec<Due> = sqlx::query_as(
        "SELECT d.id, d.kind, d.case_id, d.observation_id, COALESCE(c.group_id, o.group_id) AS group_id \
         FROM cp_deadlines d LEFT JOIN cp_cases c ON c.id = d.case_id LEFT JOIN cp_observations o ON o.id = d.observation_id \
         WHERE d.met_at IS NULL AND d.escalated_at IS NULL AND d.due_at <= $1 ORDER BY d.due_at LIMIT 100",
    )
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    let mut claimed = Vec::new();
    for d in due {
        let done = sqlx::query(
            "UPDATE cp_deadlines SET escalated_at = $1 WHERE id = $2 AND escalated_at IS NULL AND met_at IS NULL",
        )
        .bind(now_ms())
        .bind(&d.id)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            claimed.push(d);
        }
    }
    Ok(claimed)
}

pub async fn add_event(
    conn: &mut Conn,
    case: &CaseId,
    kind: &str,
    actor: Option<&UserId>,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO cp_events (id, case_id, at, kind, actor_id, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(new_id())
        .bind(case)
        .bind(now_ms())
        .bind(kind)
        .bind(actor)
        .bind(detail)
        .execute(conn)
        .await?;
    Ok(())
}

/// A history line: (when, kind, actor's name, detail).
pub type EventRow = (i64, String, Option<String>, String);

pub async fn events(conn: &mut Conn, case: &CaseId) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.at, e.kind, u.display_name, e.detail FROM cp_events e LEFT JOIN users u ON u.id = e.actor_id \
         WHERE e.case_id = $1 ORDER BY e.at, e.id",
    )
    .bind(case)
    .fetch_all(conn)
    .await
}
