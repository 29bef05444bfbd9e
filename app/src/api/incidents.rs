//! Besondere Vorkommnisse: reporting one (directly, or sealed from the device's outbox),
//! the board of one's groups with the unacknowledged ones pinned, an incident with its
//! chain, acknowledging and commenting. Reporting tells the group's Fachberatung and
//! every Leitung in the same transaction that stores the incident.

use crate::domain::entry::{Receipt, SealedInput};
use crate::domain::incident::{CommentInput, IncidentBoard, IncidentDetail, IncidentInput};
use crate::error::AppError;
use leptos::prelude::*;

/// Reports an incident sent as a plain form. Idempotent by the incident's id; 400 with
/// field messages on bad input, including young people the caller may not write for.
#[server(prefix = "/api", endpoint = "incidents/save")]
pub async fn save_incident(input: IncidentInput) -> Result<Receipt, AppError> {
    use super::ssr::*;
    let user = user()?;
    let store = store()?;
    let receipt = ssr::store_incident(&store, &user, input).await?;
    redirect(&format!("/vorkommnisse/{}", receipt.id));
    Ok(receipt)
}

/// Receives a sealed incident from a device's outbox and stores it exactly once.
#[server(prefix = "/api", endpoint = "incidents/deliver")]
pub async fn deliver_incident(input: SealedInput) -> Result<Receipt, AppError> {
    use super::ssr::*;
    let user = user()?;
    let store = store()?;
    ssr::deliver(&store, &user, input).await
}

/// The incidents of the caller's groups: every unacknowledged one pinned on top, then the
/// latest acknowledged ones.
#[server(prefix = "/api", endpoint = "incidents/board")]
pub async fn get_incident_board() -> Result<IncidentBoard, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Page, can_open};
    use crate::db::audit::{AuditAction, record_each};
    let user = user()?;
    allow(can_open(&user, Page::Incidents))?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let groups = ssr::visible_groups(&mut tx, &user).await?;
    let open = crate::db::incidents::list(&mut tx, &groups, true, ssr::PINNED_MAX).await?;
    let latest = crate::db::incidents::list(&mut tx, &groups, false, ssr::RECENT_MAX).await?;
    let latest: Vec<_> = latest.into_iter().filter(|row| row.acknowledged_at.is_some()).collect();
    let mut named: Vec<String> = Vec::new();
    let pinned = ssr::summaries(&mut tx, open, &mut named).await?;
    let recent = ssr::summaries(&mut tx, latest, &mut named).await?;
    let board = IncidentBoard { pinned, recent, can_report: can_open(&user, Page::NewIncident) };
    named.sort_unstable();
    named.dedup();
    let named: Vec<&str> = named.iter().map(String::as_str).collect();
    record_each(&mut tx, &user, AuditAction::List, "incidents", None, &named).await?;
    tx.commit().await?;
    Ok(board)
}

/// An incident with its whole chain. The first opening by someone it is reported to adds
/// "gelesen" to the chain. 404 outside the caller's groups.
#[server(prefix = "/api", endpoint = "incidents/get")]
pub async fn get_incident(id: String) -> Result<IncidentDetail, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, record_each};
    use crate::domain::incident::IncidentEventKind;
    let user = user()?;
    let id = record_id(&id)?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let group = ssr::visible_group(&mut tx, &user, &id).await?;
    let row = crate::db::incidents::get(&mut tx, &id).await?.ok_or(AppError::NotFound)?;
    let may_acknowledge = can(&user, Action::Acknowledge, Resource::Group(&group));
    if may_acknowledge && !crate::db::incidents::has_read(&mut tx, &id, &user.id).await? {
        crate::db::incidents::add_event(&mut tx, &id, IncidentEventKind::Read, Some(&user.id), "").await?;
    }
    let youths = crate::db::incidents::youths(&mut tx, &id).await?;
    let events = crate::db::incidents::events(&mut tx, &id).await?;
    let youth_ids: Vec<&str> = youths.iter().map(|(id, _)| id.as_str()).collect();
    record_each(&mut tx, &user, AuditAction::Read, "incident", Some(&id), &youth_ids).await?;
    tx.commit().await?;
    Ok(IncidentDetail {
        body: row.body(),
        author_name: row.author_name.clone(),
        can_acknowledge: may_acknowledge && row.acknowledged_at.is_none(),
        acknowledged: row.acknowledged(),
        events,
        summary: row.summary(youths.into_iter().map(|(_, name)| name).collect()),
    })
}

/// How many links an incident's chain has, for an open incident page to see whether it
/// must load itself again. Only a number: not logged, unlike opening the incident.
#[server(prefix = "/api", endpoint = "incidents/stamp")]
pub async fn incident_stamp(id: String) -> Result<i64, AppError> {
    use super::ssr::*;
    let user = user()?;
    let id = record_id(&id)?;
    let store = store()?;
    let mut conn = store.pool().acquire().await?;
    ssr::visible_group(&mut conn, &user, &id).await?;
    Ok(crate::db::incidents::event_count(&mut conn, &id).await?)
}

/// "Zur Kenntnis genommen": by the group's Fachberatung or Leitung. A second
/// acknowledgement changes nothing. 404 outside the caller's groups, 403 for staff.
#[server(prefix = "/api", endpoint = "incidents/acknowledge")]
pub async fn acknowledge_incident(id: String) -> Result<(), AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, record_each};
    use crate::domain::incident::IncidentEventKind;
    let user = user()?;
    let id = record_id(&id)?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let group = ssr::visible_group(&mut tx, &user, &id).await?;
    allow(can(&user, Action::Acknowledge, Resource::Group(&group)))?;
    if crate::db::incidents::acknowledge(&mut tx, &id, &user.id).await? {
        crate::db::incidents::add_event(&mut tx, &id, IncidentEventKind::Acknowledged, Some(&user.id), "").await?;
        let youths = crate::db::incidents::youths(&mut tx, &id).await?;
        let youth_ids: Vec<&str> = youths.iter().map(|(id, _)| id.as_str()).collect();
        record_each(&mut tx, &user, AuditAction::Update, "incident", Some(&id), &youth_ids).await?;
    }
    tx.commit().await?;
    // Acknowledged from the board (the x key, or the board without JavaScript): back to
    // the board, so the review goes on with the next one.
    redirect(&if ssr::came_from("/vorkommnisse") { "/vorkommnisse".to_owned() } else { format!("/vorkommnisse/{id}") });
    Ok(())
}

/// A comment on an incident: the Fachberatung answers the group, the group replies.
/// Everyone who may read the incident may comment; 404 outside the caller's groups.
#[server(prefix = "/api", endpoint = "incidents/comment")]
pub async fn comment_incident(id: String, input: CommentInput) -> Result<(), AppError> {
    use super::ssr::*;
    use crate::db::audit::{AuditAction, record_each};
    use crate::domain::incident::IncidentEventKind;
    let user = user()?;
    let id = record_id(&id)?;
    let text = input.validate()?;
    let store = store()?;
    let mut tx = store.begin().await?;
    ssr::visible_group(&mut tx, &user, &id).await?;
    crate::db::incidents::add_event(&mut tx, &id, IncidentEventKind::Commented, Some(&user.id), &text).await?;
    let youths = crate::db::incidents::youths(&mut tx, &id).await?;
    let youth_ids: Vec<&str> = youths.iter().map(|(id, _)| id.as_str()).collect();
    record_each(&mut tx, &user, AuditAction::Create, "incident_comment", Some(&id), &youth_ids).await?;
    tx.commit().await?;
    redirect(&format!("/vorkommnisse/{id}"));
    Ok(())
}

/// How many incidents of the caller's groups nobody has acknowledged yet (the badge in
/// the menu). Only a number: no audit row.
#[server(prefix = "/api", endpoint = "incidents/count")]
pub async fn open_incident_count() -> Result<i64, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Page, can_open};
    let user = user()?;
    allow(can_open(&user, Page::Incidents))?;
    let store = store()?;
    let mut conn = store.pool().acquire().await?;
    let groups = ssr::visible_groups(&mut conn, &user).await?;
    Ok(crate::db::incidents::open_count(&mut conn, &groups).await?)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::ssr::{public_url, today};
    use crate::auth::CurrentUser;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, record_each};
    use crate::db::incidents::Stored;
    use crate::db::{Conn, Store};
    use crate::domain::entry::{Receipt, SealedInput};
    use crate::domain::incident::{IncidentEventKind, IncidentInput, IncidentSummary, SealedIncident, alarm_mail};
    use crate::error::AppError;
    use crate::i18n::texts;

    /// The outbox kind of a sealed incident.
    pub const KIND: &str = "incident";
    /// At most this many unacknowledged incidents are pinned (a backlog beyond that is
    /// a case for the telephone, not a longer list).
    pub const PINNED_MAX: i64 = 200;
    pub const RECENT_MAX: i64 = 30;

    /// Whether this request was sent from the page at `path` (its `Referer`).
    pub fn came_from(path: &str) -> bool {
        let referer = leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|p| p.headers.get(http::header::REFERER).and_then(|h| h.to_str().ok()).map(str::to_owned));
        referer.is_some_and(|r| {
            let after_scheme = r.split_once("://").map_or(r.as_str(), |(_, rest)| rest);
            let path_part = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
            path_part.split(['?', '#']).next() == Some(path)
        })
    }

    /// The list entries of some incidents; the ids of the young people they name are
    /// added to `named` (for the audit row).
    pub async fn summaries(
        conn: &mut Conn,
        rows: Vec<crate::db::incidents::IncidentRow>,
        named: &mut Vec<String>,
    ) -> Result<Vec<IncidentSummary>, AppError> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let youths = crate::db::incidents::youths(conn, &row.id).await?;
            named.extend(youths.iter().map(|(id, _)| id.clone()));
            out.push(row.summary(youths.into_iter().map(|(_, name)| name).collect()));
        }
        Ok(out)
    }

    /// The groups whose incidents the caller may read.
    pub async fn visible_groups(conn: &mut Conn, user: &CurrentUser) -> Result<Vec<String>, AppError> {
        let all = crate::db::groups::list_all(conn).await?;
        Ok(all.into_iter().filter(|g| can(user, Action::ViewEntries, Resource::Group(&g.id))).map(|g| g.id).collect())
    }

    /// The group of an incident the caller may read; 404 for an unknown one and for one
    /// of another group alike.
    pub async fn visible_group(conn: &mut Conn, user: &CurrentUser, id: &str) -> Result<String, AppError> {
        match crate::db::incidents::group_of(conn, id).await? {
            Some(group) if can(user, Action::ViewEntries, Resource::Group(&group)) => Ok(group),
            _ => Err(AppError::NotFound),
        }
    }

    /// Stores a reported incident and tells those it is reported to, in one transaction.
    pub async fn store_incident(store: &Store, user: &CurrentUser, input: IncidentInput) -> Result<Receipt, AppError> {
        use crate::domain::Role;
        let t = texts();
        if !matches!(user.role, Role::Leitung | Role::Fachkraft) {
            return Err(AppError::Forbidden);
        }
        let incident = input.validate(today())?;
        let body = serde_json::to_string(&incident.body).map_err(|_| AppError::Internal)?;
        let mut tx = store.begin().await?;
        // A resend (a lost receipt) is confirmed before anything else is checked.
        if let Some((author, stored_body)) = crate::db::incidents::stored(&mut tx, &incident.id).await? {
            return if author == user.id && stored_body == body {
                Ok(Receipt { id: incident.id, duplicate: true })
            } else {
                Err(AppError::Conflict(t.v_entry_exists.into()))
            };
        }
        let mut group: Option<String> = None;
        for youth in &incident.youth_ids {
            match crate::db::youths::group_of(&mut tx, youth).await? {
                Some(g) if can(user, Action::WriteEntry, Resource::Group(&g)) => match &group {
                    Some(first) if *first != g => return Err(AppError::invalid("youth_ids", t.v_incident_one_group)),
                    _ => group = Some(g),
                },
                _ => return Err(AppError::invalid("youth_ids", t.v_unknown_youth)),
            }
        }
        let group = group.ok_or_else(|| AppError::invalid("youth_ids", t.v_incident_youths))?;
        match crate::db::incidents::insert(&mut tx, &incident, &group, &user.id).await? {
            Stored::Created => {}
            // Stored meanwhile by a concurrent send of the same item.
            Stored::Exists { author_id, body: stored_body } => {
                return if author_id == user.id && stored_body == body {
                    Ok(Receipt { id: incident.id, duplicate: true })
                } else {
                    Err(AppError::Conflict(t.v_entry_exists.into()))
                };
            }
        }
        let youth_ids: Vec<&str> = incident.youth_ids.iter().map(String::as_str).collect();
        record_each(&mut tx, user, AuditAction::Create, "incident", Some(&incident.id), &youth_ids).await?;
        notify(&mut tx, &incident.id, &group).await?;
        tx.commit().await?;
        Ok(Receipt { id: incident.id, duplicate: false })
    }

    /// Tells the group's Fachberatung and every Leitung: the chain names them (the badge
    /// shows them the incident), and those with an e-mail address get the alarm mail.
    async fn notify(conn: &mut Conn, id: &str, group: &str) -> Result<(), AppError> {
        let recipients = crate::db::incidents::recipients(conn, group).await?;
        let (subject, mail) = alarm_mail(&public_url(), id, false);
        let mut names = Vec::new();
        for r in &recipients {
            match &r.email {
                Some(address) => {
                    crate::db::incidents::queue_mail(conn, address, &subject, &mail).await?;
                    names.push(format!("{} ({})", r.display_name, texts().inc_by_mail));
                }
                None => names.push(r.display_name.clone()),
            }
        }
        crate::db::incidents::add_event(conn, id, IncidentEventKind::Notified, None, &names.join(", ")).await?;
        Ok(())
    }

    /// Opens a sealed outbox item and stores the incident it holds.
    pub async fn deliver(store: &Store, user: &CurrentUser, input: SealedInput) -> Result<Receipt, AppError> {
        use crate::domain::Role;
        let t = texts();
        if !matches!(user.role, Role::Leitung | Role::Fachkraft) {
            return Err(AppError::Forbidden);
        }
        let sealed = || AppError::BadRequest(t.v_sealed.into());
        let (id, plain) = crate::api::ssr::open_sealed(store, &input, KIND, sealed).await?;
        let id = id.as_str();
        let payload: SealedIncident = serde_json::from_slice(&plain).map_err(|_| sealed())?;
        if payload.author_id != user.id {
            return Err(AppError::Conflict(t.v_not_your_entry.into()));
        }
        if payload.incident.id != id {
            return Err(sealed());
        }
        store_incident(store, user, payload.incident).await
    }
}
