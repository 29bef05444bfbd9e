//! Besondere Vorkommnisse: reporting one (directly, or sealed from the device's outbox),
//! the board of one's groups with the unacknowledged ones pinned, an incident with its
//! chain, acknowledging and commenting. Reporting tells the group's Fachberatung and
//! every Leitung in the same transaction that stores the incident.

use crate::domain::incident::{CommentInput, IncidentBoard, IncidentDetail, IncidentInput};
use crate::domain::outbox::{Receipt, SealedInput};
use crate::error::AppError;
use leptos::prelude::*;

/// Reports an incident sent as a plain form. Idempotent by the incident's id; 400 with
/// field messages on bad input, including young people the caller may not write for.
#[server(prefix = "/api", endpoint = "incidents/save")]
pub async fn save_incident(input: IncidentInput) -> Result<Receipt, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::WriteEntry).await?;
    let receipt = ssr::store_incident(&mut cx, input).await?;
    cx.commit_receipt(receipt.duplicate).await?;
    super::ssr::redirect(&format!("/vorkommnisse/{}", receipt.id));
    Ok(receipt)
}

/// Receives a sealed incident from a device's outbox and stores it exactly once.
#[server(prefix = "/api", endpoint = "incidents/deliver")]
pub async fn deliver_incident(input: SealedInput) -> Result<Receipt, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::WriteEntry).await?;
    let receipt = ssr::deliver(&mut cx, input).await?;
    cx.commit_receipt(receipt.duplicate).await?;
    Ok(receipt)
}

/// The incidents of the caller's groups: every unacknowledged one pinned on top, then the
/// latest acknowledged ones.
#[server(prefix = "/api", endpoint = "incidents/board")]
pub async fn get_incident_board() -> Result<IncidentBoard, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::ViewEntries).await?;
    let scope = cx.scope(Action::ViewEntries).await?;
    let open = crate::db::incidents::list(cx.tx(), &scope, true, ssr::PINNED_MAX).await?;
    let latest = crate::db::incidents::list(cx.tx(), &scope, false, ssr::RECENT_MAX).await?;
    let latest: Vec<_> = latest.into_iter().filter(|row| row.acknowledged.is_some()).collect();
    let mut named = Vec::new();
    let pinned = ssr::summaries(&mut cx, open, &mut named).await?;
    let recent = ssr::summaries(&mut cx, latest, &mut named).await?;
    let can_report = crate::auth::policy::may_ever(cx.user(), Action::WriteEntry);
    named.sort_unstable();
    named.dedup();
    let named: Vec<_> = named.iter().collect();
    cx.audit_each(AuditAction::List, RecordKind::Incidents, None, &named).await?;
    cx.commit().await?;
    Ok(IncidentBoard { pinned, recent, can_report })
}

/// An incident with its whole chain. The first opening by someone it is reported to adds
/// "gelesen" to the chain. 404 outside the caller's groups.
#[server(prefix = "/api", endpoint = "incidents/get")]
pub async fn get_incident(id: String) -> Result<IncidentDetail, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::{Action, Resource};
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::incident::{IncidentEvent, IncidentEventKind};
    use crate::domain::text::berlin_minute;
    let id: crate::domain::ids::IncidentId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::ViewEntries).await?;
    let group = cx.incident(Action::ViewEntries, &id).await?;
    let row = crate::db::incidents::get(cx.tx(), &id).await?.ok_or(AppError::NotFound)?;
    let may_acknowledge = cx.can(Action::Acknowledge, Resource::Group(&group));
    let user = cx.user().id.clone();
    if may_acknowledge && !crate::db::incidents::has_read(cx.tx(), &id, &user).await? {
        crate::db::incidents::add_event(cx.tx(), &id, IncidentEventKind::Read, Some(&user), "").await?;
    }
    let youths = crate::db::incidents::youths(cx.tx(), &id).await?;
    let events = crate::db::incidents::events(cx.tx(), &id).await?;
    let open_protection =
        cx.can(Action::ManageChildProtection, Resource::Protection { group: &group, member: false }).then(|| {
            let choices = youths.iter().map(|(id, name)| (id.to_string(), name.clone())).collect();
            (crate::domain::ids::CaseId::fresh().into_string(), choices)
        });
    let licence_offer = crate::domain::licence::LicenceCategory::for_incident(row.category).is_some()
        && super::licence::ssr::offered(&mut cx, &group).await?;
    let youth_ids: Vec<_> = youths.iter().map(|(id, _)| id).collect();
    cx.audit_each(AuditAction::Read, RecordKind::Incident, Some(id.as_str()), &youth_ids).await?;
    cx.commit().await?;
    Ok(IncidentDetail {
        licence_offer,
        body: row.body.clone(),
        author_name: row.author_name.clone(),
        can_acknowledge: may_acknowledge && row.acknowledged.is_none(),
        acknowledged: ssr::acknowledged(&row),
        open_protection,
        events: events
            .into_iter()
            .map(|e| IncidentEvent { kind: e.kind, at: berlin_minute(e.at), by: e.by, detail: e.detail })
            .collect(),
        summary: ssr::summary(&row, youths.into_iter().map(|(_, name)| name).collect()),
    })
}

/// How many links an incident's chain has, for an open incident page to see whether it
/// must load itself again. Only a number: not logged, unlike opening the incident.
#[server(prefix = "/api", endpoint = "incidents/stamp")]
pub async fn incident_stamp(id: String) -> Result<i64, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    let id: crate::domain::ids::IncidentId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::PollChanges).await?;
    cx.incident(Action::PollChanges, &id).await?;
    let count = crate::db::incidents::event_count(cx.tx(), &id).await?;
    cx.commit().await?;
    Ok(count)
}

/// "Zur Kenntnis genommen": by the group's Fachberatung or Leitung. A second
/// acknowledgement changes nothing. 404 outside the caller's groups, 403 for staff.
#[server(prefix = "/api", endpoint = "incidents/acknowledge")]
pub async fn acknowledge_incident(id: String) -> Result<(), AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::incident::IncidentEventKind;
    let id: crate::domain::ids::IncidentId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::Acknowledge).await?;
    cx.incident(Action::Acknowledge, &id).await?;
    let user = cx.user().id.clone();
    if crate::db::incidents::acknowledge(cx.tx(), &id, &user).await? {
        crate::db::incidents::add_event(cx.tx(), &id, IncidentEventKind::Acknowledged, Some(&user), "").await?;
        let youths = crate::db::incidents::youths(cx.tx(), &id).await?;
        let youth_ids: Vec<_> = youths.iter().map(|(id, _)| id).collect();
        cx.audit_each(AuditAction::Update, RecordKind::Incident, Some(id.as_str()), &youth_ids).await?;
        cx.commit().await?;
    } else {
        cx.rollback().await?;
    }
    // Acknowledged from the board (the x key, or the board without JavaScript): back to
    // the board, so the review goes on with the next one.
    super::ssr::redirect(&if ssr::came_from("/vorkommnisse") {
        "/vorkommnisse".to_owned()
    } else {
        format!("/vorkommnisse/{id}")
    });
    Ok(())
}

/// A comment on an incident: the Fachberatung answers the group, the group replies.
/// Everyone who may read the incident may comment; 404 outside the caller's groups.
#[server(prefix = "/api", endpoint = "incidents/comment")]
pub async fn comment_incident(id: String, input: CommentInput) -> Result<(), AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::incident::IncidentEventKind;
    let id: crate::domain::ids::IncidentId = parse_id(&id)?;
    let text = input.validate()?;
    let mut cx = Cx::begin(Action::Comment).await?;
    cx.incident(Action::Comment, &id).await?;
    let user = cx.user().id.clone();
    crate::db::incidents::add_event(cx.tx(), &id, IncidentEventKind::Commented, Some(&user), &text).await?;
    let youths = crate::db::incidents::youths(cx.tx(), &id).await?;
    let youth_ids: Vec<_> = youths.iter().map(|(id, _)| id).collect();
    cx.audit_each(AuditAction::Create, RecordKind::IncidentComment, Some(id.as_str()), &youth_ids).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/vorkommnisse/{id}"));
    Ok(())
}

/// How many incidents of the caller's groups nobody has acknowledged yet (the badge in
/// the menu). Only a number: no audit row.
#[server(prefix = "/api", endpoint = "incidents/count")]
pub async fn open_incident_count() -> Result<i64, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::PollChanges).await?;
    let scope = cx.scope(Action::PollChanges).await?;
    let count = crate::db::incidents::open_count(cx.tx(), &scope).await?;
    cx.commit().await?;
    Ok(count)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::cx::Cx;
    use crate::api::ssr::{public_link, today};
    use crate::auth::policy::Action;
    use crate::db::incidents::{Stored, StoredIncident};
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::ids::{GroupId, IncidentId, YouthId};
    use crate::domain::incident::{IncidentEventKind, IncidentInput, IncidentSummary, SealedIncident, alarm_mail};
    use crate::domain::outbox::{Receipt, SealedInput};
    use crate::domain::text::berlin_minute;
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

    /// "Name, 23.11.2026 14:30" once acknowledged.
    pub fn acknowledged(row: &StoredIncident) -> Option<String> {
        let (at, by) = row.acknowledged.as_ref()?;
        Some(match by {
            Some(name) => format!("{name}, {}", berlin_minute(*at)),
            None => berlin_minute(*at),
        })
    }

    /// An incident as a list shows it.
    pub fn summary(row: &StoredIncident, youth_names: Vec<String>) -> IncidentSummary {
        let occurred = match chrono::NaiveDate::parse_from_str(&row.occurred_on, "%Y-%m-%d") {
            Ok(day) => format!("{}, {}", day.format("%d.%m.%Y"), row.occurred_time),
            Err(_) => row.occurred_on.clone(),
        };
        IncidentSummary {
            id: row.id.clone(),
            group_name: row.group_name.clone(),
            youth_names,
            category: row.category,
            occurred,
            state: row.state,
            comments: row.comments,
        }
    }

    /// The list entries of some incidents; the young people they name are added to
    /// `named` (for the audit rows).
    pub async fn summaries(
        cx: &mut Cx,
        rows: Vec<StoredIncident>,
        named: &mut Vec<YouthId>,
    ) -> Result<Vec<IncidentSummary>, AppError> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let youths = crate::db::incidents::youths(cx.tx(), &row.id).await?;
            named.extend(youths.iter().map(|(id, _)| id.clone()));
            out.push(summary(&row, youths.into_iter().map(|(_, name)| name).collect()));
        }
        Ok(out)
    }

    /// Stores a reported incident and tells those it is reported to, in one transaction.
    pub async fn store_incident(cx: &mut Cx, input: IncidentInput) -> Result<Receipt, AppError> {
        let t = texts();
        let incident = input.validate(today())?;
        let body = serde_json::to_string(&incident.body).map_err(|_| AppError::Internal)?;
        let author = cx.user().id.clone();
        let resent = |stored_author: &crate::domain::ids::UserId, stored_body: &str| {
            if *stored_author == author && stored_body == body {
                Ok(Receipt { id: incident.id.to_string(), duplicate: true })
            } else {
                Err(AppError::Conflict(t.v_entry_exists.into()))
            }
        };
        // A resend (a lost receipt) is confirmed before anything else is checked.
        if let Some((stored_author, stored_body)) = crate::db::incidents::stored(cx.tx(), &incident.id).await? {
            return resent(&stored_author, &stored_body);
        }
        let mut group: Option<GroupId> = None;
        for youth in &incident.youth_ids {
            let found = match cx.youth(Action::WriteEntry, youth).await {
                Ok(g) => g,
                Err(AppError::NotFound | AppError::Forbidden) => {
                    return Err(AppError::invalid("youth_ids", t.v_unknown_youth));
                }
                Err(other) => return Err(other),
            };
            match &group {
                Some(first) if *first != found => return Err(AppError::invalid("youth_ids", t.v_incident_one_group)),
                _ => group = Some(found),
            }
        }
        let group = group.ok_or_else(|| AppError::invalid("youth_ids", t.v_incident_youths))?;
        match crate::db::incidents::insert(cx.tx(), &incident, &group, &author).await? {
            Stored::Created => {}
            // Stored meanwhile by a concurrent send of the same item.
            Stored::Exists { author_id, body: stored_body } => return resent(&author_id, &stored_body),
            Stored::OtherKind => return Err(AppError::Conflict(t.v_entry_exists.into())),
        }
        let youth_ids: Vec<_> = incident.youth_ids.iter().collect();
        cx.audit_each(AuditAction::Create, RecordKind::Incident, Some(incident.id.as_str()), &youth_ids).await?;
        notify(cx, &incident.id, &group).await?;
        Ok(Receipt { id: incident.id.to_string(), duplicate: false })
    }

    /// Tells the group's Fachberatung and every Leitung: the chain names them (the badge
    /// shows them the incident), and those with an e-mail address get the alarm mail.
    async fn notify(cx: &mut Cx, id: &IncidentId, group: &GroupId) -> Result<(), AppError> {
        let recipients = crate::db::incidents::recipients(cx.tx(), group).await?;
        let base = public_link(cx.settings(), "");
        let (subject, mail) = alarm_mail(&base, id.as_str(), false);
        let mut names = Vec::new();
        for r in &recipients {
            match &r.email {
                Some(address) => {
                    crate::db::incidents::queue_mail(cx.tx(), address, &subject, &mail).await?;
                    names.push(format!("{} ({})", r.display_name, texts().inc_by_mail));
                }
                None => names.push(r.display_name.clone()),
            }
        }
        crate::db::incidents::add_event(cx.tx(), id, IncidentEventKind::Notified, None, &names.join(", ")).await?;
        Ok(())
    }

    /// Opens a sealed outbox item and stores the incident it holds.
    pub async fn deliver(cx: &mut Cx, input: SealedInput) -> Result<Receipt, AppError> {
        let t = texts();
        let sealed = || AppError::BadRequest(t.v_sealed.into());
        let settings = cx.settings().clone();
        let (id, plain) = crate::api::ssr::open_sealed(cx.tx(), &settings, &input, KIND, sealed).await?;
        let payload: SealedIncident = serde_json::from_slice(&plain).map_err(|_| sealed())?;
        if payload.author_id != cx.user().id.as_str() {
            return Err(AppError::Conflict(t.v_not_your_entry.into()));
        }
        if payload.incident.id.trim() != id {
            return Err(sealed());
        }
        store_incident(cx, payload.incident).await
    }
}
