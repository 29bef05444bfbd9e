//! What daily notes and visit contacts share: the capture forms' choices, the outbox
//! delivery of both, an entry with its versions, a young person's timeline and the
//! group's hand-over. Writing and correcting each kind is in `notes` and `visits`.

use crate::domain::entry::{CaptureChoices, EntryDetail, Handover};
use crate::domain::outbox::{Receipt, SealedInput};
use crate::domain::timeline::{TimelineInput, TimelinePage};
use crate::error::AppError;
use leptos::prelude::*;

/// The young people (and their goals) the caller may write entries for, grouped by group
/// home, with the public key the device seals outbox items to. Leitung and Fachkraft only.
#[server(prefix = "/api", endpoint = "entries/choices")]
pub async fn list_capture_choices() -> Result<CaptureChoices, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::entry::{CaptureGroup, CaptureYouth};
    use crate::domain::goal::GoalChoice;
    let mut cx = Cx::begin(Action::WriteEntry).await?;
    let scope = cx.scope(Action::WriteEntry).await?;
    let mut groups = Vec::new();
    let mut shown = Vec::new();
    for group in crate::db::groups::list_in(cx.tx(), &scope).await? {
        let goals = crate::db::goals::list_for_group(cx.tx(), &group.id).await?;
        let youths = crate::db::youths::list_in_group(cx.tx(), &group.id).await?;
        let youths = youths
            .into_iter()
            .map(|y| {
                shown.push(y.id.clone());
                let goals = goals
                    .iter()
                    .filter(|g| g.youth_id == y.id)
                    .map(|g| GoalChoice { id: g.id.clone(), title: g.title.clone() })
                    .collect();
                CaptureYouth { name: format!("{} {}", y.first_name, y.last_name), id: y.id, goals }
            })
            .collect();
        groups.push(CaptureGroup { id: group.id, name: group.name, youths });
    }
    let shown: Vec<_> = shown.iter().collect();
    cx.audit_each(AuditAction::List, RecordKind::Capture, None, &shown).await?;
    let settings = cx.settings().clone();
    let outbox_key = super::ssr::outbox_public_key(cx.tx(), &settings).await?;
    let author_id = cx.user().id.to_string();
    cx.commit().await?;
    Ok(CaptureChoices {
        author_id,
        today: super::ssr::today().to_string(),
        now: chrono::Utc::now().with_timezone(&chrono_tz::Europe::Berlin).format("%H:%M").to_string(),
        fresh_id: crate::domain::ids::EntryId::fresh().into_string(),
        groups,
        outbox_key,
    })
}

/// Receives one sealed item from a device's outbox, opens it and stores the entry exactly
/// once (keyed by its id). The receipt is what lets the device delete the item. An item
/// sealed by another account is refused (409), so a shared phone never files one
/// person's note under another's name.
#[server(prefix = "/api", endpoint = "outbox/deliver")]
pub async fn deliver(input: SealedInput) -> Result<Receipt, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::WriteEntry).await?;
    let receipt = ssr::deliver(&mut cx, input).await?;
    cx.commit_receipt(receipt.duplicate).await?;
    Ok(receipt)
}

/// An entry with every version (newest first). 404 for entries outside the caller's groups.
#[server(prefix = "/api", endpoint = "entries/get")]
pub async fn get_entry(id: String) -> Result<EntryDetail, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::{Action, Resource};
    use crate::domain::audit::AuditAction;
    let id: crate::domain::ids::EntryId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::ViewEntries).await?;
    let scope = cx.entry(Action::ViewEntries, &id).await?;
    let stored = crate::db::entries::get(cx.tx(), &id).await?.ok_or(AppError::NotFound)?;
    let versions = crate::db::entries::versions(cx.tx(), &id).await?;
    let goals = match &scope.youth_id {
        Some(youth) => crate::db::goals::list_for_youth(cx.tx(), youth).await?,
        None => Vec::new(),
    };
    let mut entry = ssr::view(stored);
    ssr::resolve_goal_titles(std::slice::from_mut(&mut entry), &goals);
    cx.audit(AuditAction::Read, scope.kind.record_kind(), Some(id.as_str()), scope.youth_id.as_ref()).await?;
    // The Fachberatung corrects its own records; staff and Leitung everything else.
    let corrects = if scope.kind == crate::domain::entry::EntryKind::Record {
        Action::WriteCaseRecord
    } else {
        Action::WriteEntry
    };
    let can_correct = cx.can(corrects, Resource::Group(&scope.group_id));
    cx.commit().await?;
    Ok(EntryDetail { entry, versions: versions.into_iter().map(ssr::version).collect(), can_correct, goals })
}

/// A young person's notes and visits, newest first, 20 at a time, optionally only one
/// category or only visits. 404 for a young person outside the caller's groups.
#[server(prefix = "/api", endpoint = "entries/timeline")]
pub async fn youth_timeline(input: TimelineInput) -> Result<TimelinePage, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::timeline::TIMELINE_PAGE;
    let youth: crate::domain::ids::YouthId = parse_id(&input.youth_id)?;
    let (filter, before) = input.validate()?;
    let mut cx = Cx::begin(Action::ViewEntries).await?;
    let group = cx.youth(Action::ViewEntries, &youth).await?;
    let advisors = cx.sees_advisor_records(&group);
    let (stored, next) =
        crate::db::entries::timeline(cx.tx(), &youth, &filter, before.as_ref(), TIMELINE_PAGE, advisors).await?;
    let goals = crate::db::goals::list_for_youth(cx.tx(), &youth).await?;
    let mut entries: Vec<_> = stored.into_iter().map(ssr::view).collect();
    ssr::resolve_goal_titles(&mut entries, &goals);
    cx.audit(AuditAction::List, RecordKind::Timeline, Some(youth.as_str()), Some(&youth)).await?;
    cx.commit().await?;
    Ok(TimelinePage { entries, next })
}

/// A group's entries of today and yesterday: the shift hand-over.
#[server(prefix = "/api", endpoint = "entries/handover")]
pub async fn group_handover(id: String) -> Result<Handover, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let id: crate::domain::ids::GroupId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::ViewEntries).await?;
    let group = cx.group(Action::ViewEntries, &id).await?;
    let advisors = cx.sees_advisor_records(&id);
    let today = super::ssr::today();
    let yesterday = today.pred_opt().unwrap_or(today);
    let mut today_entries: Vec<_> = crate::db::entries::group_day(cx.tx(), &id, &today.to_string(), advisors)
        .await?
        .into_iter()
        .map(ssr::view)
        .collect();
    let mut yesterday_entries: Vec<_> = crate::db::entries::group_day(cx.tx(), &id, &yesterday.to_string(), advisors)
        .await?
        .into_iter()
        .map(ssr::view)
        .collect();
    let mut goals = Vec::new();
    for youth in crate::db::youths::list_in_group(cx.tx(), &id).await? {
        goals.extend(crate::db::goals::list_for_youth(cx.tx(), &youth.id).await?);
    }
    ssr::resolve_goal_titles(&mut today_entries, &goals);
    ssr::resolve_goal_titles(&mut yesterday_entries, &goals);
    let mut youths: Vec<_> =
        today_entries.iter().chain(&yesterday_entries).filter_map(|e| e.youth_id.clone()).collect();
    youths.sort_unstable();
    youths.dedup();
    cx.audit(AuditAction::List, RecordKind::Handover, Some(id.as_str()), None).await?;
    let youths: Vec<_> = youths.iter().collect();
    cx.audit_each(AuditAction::List, RecordKind::Handover, Some(id.as_str()), &youths).await?;
    cx.commit().await?;
    Ok(Handover { group_id: group.id, group_name: group.name, today: today_entries, yesterday: yesterday_entries })
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::cx::Cx;
    use crate::auth::policy::Action;
    use crate::db::entries::{NewEntry, Stored, StoredEntry, StoredVersion};
    use crate::domain::audit::AuditAction;
    use crate::domain::entry::{EntryBody, EntryKind, EntryVersion, EntryView};
    use crate::domain::goal::Goal;
    use crate::domain::ids::{EntryId, GoalId, GroupId, YouthId};
    use crate::domain::outbox::{Receipt, SealedInput, SealedPayload};
    use crate::domain::text::berlin_minute;
    use crate::error::AppError;
    use crate::i18n::texts;

    /// An entry as the pages show it.
    pub fn view(stored: StoredEntry) -> EntryView {
        EntryView {
            id: stored.id,
            group_id: stored.group_id,
            youth_id: stored.youth_id,
            subject_name: stored.subject_name,
            date: stored.date,
            body: stored.body,
            goal_titles: Vec::new(),
            author_name: stored.author_name,
            written_at: berlin_minute(stored.written_at),
            version: stored.version,
            corrected_by: stored.corrected_by,
        }
    }

    pub fn version(stored: StoredVersion) -> EntryVersion {
        EntryVersion {
            version: stored.version,
            date: stored.date,
            body: stored.body,
            reason: stored.reason,
            author_name: stored.author_name,
            at: berlin_minute(stored.at),
        }
    }

    /// The group of a young person the caller may write for; an unknown young person and
    /// one of another group get the same field message.
    pub async fn youth_group(cx: &mut Cx, youth: &YouthId, field: &str) -> Result<GroupId, AppError> {
        match cx.youth(Action::WriteEntry, youth).await {
            Ok(group) => Ok(group),
            Err(AppError::NotFound | AppError::Forbidden) => Err(AppError::invalid(field, texts().v_unknown_youth)),
            Err(other) => Err(other),
        }
    }

    /// The goals a note links to must be the young person's.
    pub async fn check_goals(cx: &mut Cx, youth: Option<&YouthId>, goal_ids: &[GoalId]) -> Result<(), AppError> {
        for goal in goal_ids {
            let found = crate::db::goals::get(cx.tx(), goal).await?;
            if youth.is_none() || found.map(|g| g.youth_id).as_ref() != youth {
                return Err(AppError::invalid("goal_ids", texts().v_unknown_goal));
            }
        }
        Ok(())
    }

    /// A resend of an entry already stored (a lost receipt) is confirmed before anything
    /// else is checked: the young person may have moved or the writer changed groups
    /// since, and the entry must not come back as refused and be typed twice. The same
    /// id with other content is a conflict, never a silent "saved".
    pub async fn already_stored(
        cx: &mut Cx,
        id: &EntryId,
        youth: Option<&YouthId>,
        date: chrono::NaiveDate,
        body: &EntryBody,
    ) -> Result<Option<Receipt>, AppError> {
        let Some(first) = crate::db::entries::first_version(cx.tx(), id).await? else { return Ok(None) };
        let json = serde_json::to_string(body).map_err(|_| AppError::Internal)?;
        let same = first.author_id == cx.user().id
            && first.kind == body.kind().code()
            && first.youth_id.as_ref() == youth
            && first.date == date.to_string()
            && first.body == json;
        if same {
            Ok(Some(Receipt { id: id.to_string(), duplicate: true }))
        } else {
            Err(AppError::Conflict(texts().v_entry_exists.into()))
        }
    }

    /// Stores a new entry with its audit row.
    pub async fn insert(cx: &mut Cx, entry: NewEntry<'_>) -> Result<Receipt, AppError> {
        let id = entry.id.clone();
        let kind = entry.body.kind();
        let youth_id = entry.youth_id.cloned();
        match crate::db::entries::insert(cx.tx(), entry).await? {
            Stored::Created => {
                cx.audit(AuditAction::Create, kind.record_kind(), Some(id.as_str()), youth_id.as_ref()).await?;
                Ok(Receipt { id: id.into_string(), duplicate: false })
            }
            // The same entry sent again: the first send stored it, this one only confirms.
            Stored::Exists { author_id, kind: stored } if author_id == cx.user().id && stored == kind.code() => {
                Ok(Receipt { id: id.into_string(), duplicate: true })
            }
            Stored::Exists { .. } | Stored::OtherKind => Err(AppError::Conflict(texts().v_entry_exists.into())),
        }
    }

    /// Opens a sealed outbox item and stores what it holds.
    pub async fn deliver(cx: &mut Cx, input: SealedInput) -> Result<Receipt, AppError> {
        let t = texts();
        let sealed = || AppError::BadRequest(t.v_sealed.into());
        let kind = EntryKind::parse(input.kind.trim()).ok_or_else(sealed)?;
        let settings = cx.settings().clone();
        let (id, plain) = crate::api::ssr::open_sealed(cx.tx(), &settings, &input, kind.code(), sealed).await?;
        let payload: SealedPayload = serde_json::from_slice(&plain).map_err(|_| sealed())?;
        if payload.author_id != cx.user().id.as_str() {
            return Err(AppError::Conflict(t.v_not_your_entry.into()));
        }
        match (kind, payload.note, payload.visit, payload.talk) {
            (EntryKind::Note, Some(note), None, None) if note.id.trim() == id => {
                crate::api::notes::ssr::store_note(cx, note).await
            }
            (EntryKind::Visit, None, Some(visit), None) if visit.id.trim() == id => {
                crate::api::visits::ssr::store_visit(cx, visit).await
            }
            (EntryKind::Talk, None, None, Some(talk)) if talk.id.trim() == id => {
                crate::api::talks::ssr::store_talk(cx, talk).await
            }
            _ => Err(sealed()),
        }
    }

    /// Adds a corrected version of an entry the caller may write for; `kind` must be the
    /// stored entry's kind (else "not found").
    pub async fn correct(
        cx: &mut Cx,
        id: &EntryId,
        date: chrono::NaiveDate,
        body: EntryBody,
        reason: &str,
    ) -> Result<i64, AppError> {
        let action = if body.kind() == EntryKind::Record { Action::WriteCaseRecord } else { Action::WriteEntry };
        let scope = cx.entry(action, id).await?;
        if scope.kind != body.kind() {
            return Err(AppError::NotFound);
        }
        match (&body, &scope.youth_id) {
            (EntryBody::Note(note), _) => check_goals(cx, scope.youth_id.as_ref(), &note.goal_ids).await?,
            (EntryBody::Talk(talk), Some(youth)) => crate::api::talks::ssr::check_talk(cx, youth, talk).await?,
            (EntryBody::Talk(_) | EntryBody::Record(_), None) => return Err(AppError::NotFound),
            (EntryBody::Record(record), Some(youth)) => {
                crate::api::records::ssr::check_record(cx, youth, id, record).await?;
            }
            (EntryBody::Visit(_), _) => {}
        }
        let author = cx.user().id.clone();
        let version = crate::db::entries::correct(cx.tx(), id, date, &body, reason, &author).await?;
        cx.audit(AuditAction::Update, scope.kind.record_kind(), Some(id.as_str()), scope.youth_id.as_ref()).await?;
        Ok(version)
    }

    /// Fills in the titles of the goals a note links to, or a talk speaks about (one per
    /// goal of the talk, in its order).
    pub fn resolve_goal_titles(entries: &mut [EntryView], goals: &[Goal]) {
        let title = |id: &GoalId| goals.iter().find(|g| &g.id == id).map(|g| g.title.clone());
        for entry in entries {
            entry.goal_titles = match &entry.body {
                EntryBody::Note(note) => note.goal_ids.iter().filter_map(title).collect(),
                EntryBody::Talk(talk) => talk.goals.iter().map(|g| title(&g.goal_id).unwrap_or_default()).collect(),
                EntryBody::Record(record) => record.goal_ids.iter().filter_map(title).collect(),
                EntryBody::Visit(_) => Vec::new(),
            };
        }
    }
}
