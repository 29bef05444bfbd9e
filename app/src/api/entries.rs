//! Daily notes and visit contacts: writing them (directly, or sealed from the device's
//! outbox), reading them per young person and per group, and correcting them.

use crate::domain::entry::{
    CaptureChoices, EntryDetail, Handover, NoteInput, Receipt, SealedInput, TimelineInput, TimelinePage, VisitInput,
};
use crate::error::AppError;
use leptos::prelude::*;

/// The young people (and their goals) the caller may write entries for, grouped by group
/// home, with the public key the device seals outbox items to. Leitung and Fachkraft only.
#[server(prefix = "/api", endpoint = "entries/choices")]
pub async fn list_capture_choices() -> Result<CaptureChoices, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::domain::entry::{CaptureGroup, CaptureYouth};
    use crate::domain::goal::GoalChoice;
    let user = user()?;
    allow(crate::auth::policy::can_open(&user, crate::auth::policy::Page::NewNote))?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let all = crate::db::groups::list_all(&mut tx).await?;
    let mut groups = Vec::new();
    let mut shown = Vec::new();
    for group in all.into_iter().filter(|g| can(&user, Action::WriteEntry, Resource::Group(&g.id))) {
        let goals = crate::db::goals::list_for_group(&mut tx, &group.id).await?;
        let youths = crate::db::youths::list_in_group(&mut tx, &group.id).await?;
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
    use crate::db::audit::{AuditAction, record_each};
    let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
    record_each(&mut tx, &user, AuditAction::List, "capture", None, &shown).await?;
    let key = crate::db::keys::outbox_key(&mut tx).await?;
    tx.commit().await?;
    Ok(CaptureChoices {
        author_id: user.id,
        today: today().to_string(),
        now: chrono::Utc::now().with_timezone(&chrono_tz::Europe::Berlin).format("%H:%M").to_string(),
        fresh_id: uuid::Uuid::now_v7().to_string(),
        groups,
        outbox_key: format!("{}.{}", key.key_id, key.public_key),
    })
}

/// Saves a daily note sent as a plain form (no JavaScript, or online without the outbox).
/// Idempotent by the note's id. 400 with field messages on bad input, including a young
/// person, group or goal the caller may not write for (the same answer as an unknown one).
#[server(prefix = "/api", endpoint = "notes/save")]
pub async fn save_note(input: NoteInput) -> Result<Receipt, AppError> {
    use super::ssr::*;
    let user = user()?;
    let store = store()?;
    let receipt = ssr::store_note(&store, &user, input).await?;
    redirect("/tagesnotiz/neu?gespeichert=1");
    Ok(receipt)
}

/// Saves a visit contact sent as a plain form. Idempotent by id; bad input as `notes/save`.
#[server(prefix = "/api", endpoint = "visits/save")]
pub async fn save_visit(input: VisitInput) -> Result<Receipt, AppError> {
    use super::ssr::*;
    let user = user()?;
    let store = store()?;
    let receipt = ssr::store_visit(&store, &user, input).await?;
    redirect("/besuchskontakt/neu?gespeichert=1");
    Ok(receipt)
}

/// Receives one sealed item from a device's outbox, opens it and stores the entry exactly
/// once (keyed by its id). The receipt is what lets the device delete the item. An item
/// sealed by another account is refused (409), so a shared phone never files one
/// person's note under another's name.
#[server(prefix = "/api", endpoint = "outbox/deliver")]
pub async fn deliver(input: SealedInput) -> Result<Receipt, AppError> {
    use super::ssr::*;
    let user = user()?;
    let store = store()?;
    ssr::deliver(&store, &user, input).await
}

/// An entry with every version (newest first). 404 for entries outside the caller's groups.
#[server(prefix = "/api", endpoint = "entries/get")]
pub async fn get_entry(id: String) -> Result<EntryDetail, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    let id = record_id(&id)?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let scope = crate::db::entries::scope(&mut tx, &id).await?.ok_or(AppError::NotFound)?;
    if !can(&user, Action::ViewEntries, Resource::Group(&scope.group_id)) {
        return Err(AppError::NotFound);
    }
    let mut entry = crate::db::entries::get(&mut tx, &id).await?.ok_or(AppError::NotFound)?;
    let versions = crate::db::entries::versions(&mut tx, &id).await?;
    let goals = match &scope.youth_id {
        Some(youth) => crate::db::goals::list_for_youth(&mut tx, youth).await?,
        None => Vec::new(),
    };
    ssr::resolve_goal_titles(std::slice::from_mut(&mut entry), &goals);
    let rec = AuditRecord {
        action: AuditAction::Read,
        record_kind: scope.kind.record_kind(),
        record_id: Some(&id),
        youth_id: scope.youth_id.as_deref(),
    };
    record(&mut tx, &user, rec).await?;
    tx.commit().await?;
    let can_correct = can(&user, Action::WriteEntry, Resource::Group(&scope.group_id));
    Ok(EntryDetail { entry, versions, can_correct, goals })
}

/// Corrects a daily note: a new version with a reason; the earlier versions stay.
#[server(prefix = "/api", endpoint = "notes/correct")]
pub async fn correct_note(id: String, input: NoteInput) -> Result<i64, AppError> {
    use super::ssr::*;
    let user = user()?;
    let id = record_id(&id)?;
    let store = store()?;
    let version = ssr::correct(&store, &user, &id, ssr::Correction::Note(Box::new(input))).await?;
    redirect(&format!("/eintraege/{id}"));
    Ok(version)
}

/// Corrects a visit contact: a new version with a reason.
#[server(prefix = "/api", endpoint = "visits/correct")]
pub async fn correct_visit(id: String, input: VisitInput) -> Result<i64, AppError> {
    use super::ssr::*;
    let user = user()?;
    let id = record_id(&id)?;
    let store = store()?;
    let version = ssr::correct(&store, &user, &id, ssr::Correction::Visit(Box::new(input))).await?;
    redirect(&format!("/eintraege/{id}"));
    Ok(version)
}

/// A young person's notes and visits, newest first, 20 at a time, optionally only one
/// category or only visits. 404 for a young person outside the caller's groups.
#[server(prefix = "/api", endpoint = "entries/timeline")]
pub async fn youth_timeline(input: TimelineInput) -> Result<TimelinePage, AppError> {
    use super::ssr::*;
    use crate::db::audit::{AuditAction, AuditRecord, record};
    use crate::domain::entry::TIMELINE_PAGE;
    let user = user()?;
    let youth_id = record_id(&input.youth_id)?;
    let (filter, before) = input.validate()?;
    let store = store()?;
    let mut tx = store.begin().await?;
    visible_youth_group(&mut tx, &user, &youth_id).await?;
    let (mut entries, next) =
        crate::db::entries::timeline(&mut tx, &youth_id, &filter, before.as_ref(), TIMELINE_PAGE).await?;
    let goals = crate::db::goals::list_for_youth(&mut tx, &youth_id).await?;
    ssr::resolve_goal_titles(&mut entries, &goals);
    let rec = AuditRecord {
        action: AuditAction::List,
        record_kind: "timeline",
        record_id: Some(&youth_id),
        youth_id: Some(&youth_id),
    };
    record(&mut tx, &user, rec).await?;
    tx.commit().await?;
    Ok(TimelinePage { entries, next })
}

/// A group's entries of today and yesterday: the shift hand-over.
#[server(prefix = "/api", endpoint = "entries/handover")]
pub async fn group_handover(id: String) -> Result<Handover, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record, record_each};
    let user = user()?;
    let id = record_id(&id)?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let group = crate::db::groups::get(&mut tx, &id).await?.ok_or(AppError::NotFound)?;
    if !can(&user, Action::ViewEntries, Resource::Group(&group.id)) {
        return Err(AppError::NotFound);
    }
    let today = today();
    let yesterday = today.pred_opt().unwrap_or(today);
    let mut today_entries = crate::db::entries::group_day(&mut tx, &id, &today.to_string()).await?;
    let mut yesterday_entries = crate::db::entries::group_day(&mut tx, &id, &yesterday.to_string()).await?;
    let mut goals = Vec::new();
    for youth in crate::db::youths::list_in_group(&mut tx, &id).await? {
        goals.extend(crate::db::goals::list_for_youth(&mut tx, &youth.id).await?);
    }
    ssr::resolve_goal_titles(&mut today_entries, &goals);
    ssr::resolve_goal_titles(&mut yesterday_entries, &goals);
    let mut youths: Vec<&str> =
        today_entries.iter().chain(&yesterday_entries).filter_map(|e| e.youth_id.as_deref()).collect();
    youths.sort_unstable();
    youths.dedup();
    record(
        &mut tx,
        &user,
        AuditRecord { action: AuditAction::List, record_kind: "handover", record_id: Some(&id), youth_id: None },
    )
    .await?;
    record_each(&mut tx, &user, AuditAction::List, "handover", Some(&id), &youths).await?;
    tx.commit().await?;
    Ok(Handover { group_id: group.id, group_name: group.name, today: today_entries, yesterday: yesterday_entries })
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::super::ssr::today;
    use crate::auth::CurrentUser;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::Store;
    use crate::db::audit::{AuditAction, AuditRecord, record};
    use crate::db::entries::{NewEntry, Stored};
    use crate::domain::entry::{
        EntryBody, EntryKind, EntryView, NoteInput, Purpose, Receipt, SealedInput, SealedPayload, Subject, VisitInput,
    };
    use crate::domain::goal::Goal;
    use crate::error::AppError;
    use crate::i18n::texts;

    /// Fails with 403 for roles that never write entries, before anything is looked up.
    fn may_write_at_all(user: &CurrentUser) -> Result<(), AppError> {
        use crate::domain::Role;
        if matches!(user.role, Role::Leitung | Role::Fachkraft) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// The group of a young person the caller may write for; an unknown young person and
    /// one of another group get the same field message.
    async fn youth_group(
        tx: &mut crate::db::Conn,
        user: &CurrentUser,
        youth: &str,
        field: &str,
    ) -> Result<String, AppError> {
        match crate::db::youths::group_of(tx, youth).await? {
            Some(group) if can(user, Action::WriteEntry, Resource::Group(&group)) => Ok(group),
            _ => Err(AppError::invalid(field, texts().v_unknown_youth)),
        }
    }

    async fn check_goals(tx: &mut crate::db::Conn, youth: Option<&str>, goal_ids: &[String]) -> Result<(), AppError> {
        for goal in goal_ids {
            let found = crate::db::goals::get(tx, goal).await?;
            if youth.is_none() || found.map(|g| g.youth_id) != youth.map(str::to_owned) {
                return Err(AppError::invalid("goal_ids", texts().v_unknown_goal));
            }
        }
        Ok(())
    }

    /// A resend of an entry already stored (a lost receipt) is confirmed before anything
    /// else is checked: the young person may have moved or the writer changed groups
    /// since, and the entry must not come back as refused and be typed twice. The same
    /// id with other content is a conflict, never a silent "saved".
    async fn already_stored(
        tx: &mut crate::db::Tx,
        user: &CurrentUser,
        entry: &NewEntry<'_>,
    ) -> Result<Option<Receipt>, AppError> {
        let Some(first) = crate::db::entries::first_version(tx, entry.id).await? else { return Ok(None) };
        let body = serde_json::to_string(entry.body).map_err(|_| AppError::Internal)?;
        let same = first.author_id == user.id
            && first.kind == entry.body.kind().code()
            && first.youth_id.as_deref() == entry.youth_id
            && first.date == entry.date.to_string()
            && first.body == body;
        if same {
            Ok(Some(Receipt { id: entry.id.to_owned(), duplicate: true }))
        } else {
            Err(AppError::Conflict(texts().v_entry_exists.into()))
        }
    }

    async fn insert(tx: &mut crate::db::Tx, user: &CurrentUser, entry: NewEntry<'_>) -> Result<Receipt, AppError> {
        let id = entry.id.to_owned();
        let kind = entry.body.kind();
        let youth_id = entry.youth_id.map(str::to_owned);
        match crate::db::entries::insert(tx, entry).await? {
            Stored::Created => {
                let rec = AuditRecord {
                    action: AuditAction::Create,
                    record_kind: kind.record_kind(),
                    record_id: Some(&id),
                    youth_id: youth_id.as_deref(),
                };
                record(tx, user, rec).await?;
                Ok(Receipt { id, duplicate: false })
            }
            // The same entry sent again: the first send stored it, this one only confirms.
            Stored::Exists { author_id, kind: stored } if author_id == user.id && stored == kind.code() => {
                Ok(Receipt { id, duplicate: true })
            }
            Stored::Exists { .. } => Err(AppError::Conflict(texts().v_entry_exists.into())),
        }
    }

    pub async fn store_note(store: &Store, user: &CurrentUser, input: NoteInput) -> Result<Receipt, AppError> {
        may_write_at_all(user)?;
        let note = input.validate(today(), Purpose::Create)?;
        let mut tx = store.begin().await?;
        let body = EntryBody::Note(note.body.clone());
        let probe_youth = match &note.subject {
            Subject::Youth(youth) => Some(youth.as_str()),
            Subject::Group(_) => None,
        };
        let probe = NewEntry {
            id: &note.id,
            group_id: "",
            youth_id: probe_youth,
            date: note.date,
            body: &body,
            author_id: &user.id,
        };
        if let Some(receipt) = already_stored(&mut tx, user, &probe).await? {
            return Ok(receipt);
        }
        let (group, youth) = match &note.subject {
            Subject::Youth(youth) => (youth_group(&mut tx, user, youth, "subject").await?, Some(youth.as_str())),
            Subject::Group(group) => {
                let known = crate::db::groups::exists(&mut tx, group).await?;
                if !known || !can(user, Action::WriteEntry, Resource::Group(group)) {
                    return Err(AppError::invalid("subject", texts().v_unknown_group));
                }
                (group.clone(), None)
            }
        };
        check_goals(&mut tx, youth, &note.body.goal_ids).await?;
        let entry = NewEntry {
            id: &note.id,
            group_id: &group,
            youth_id: youth,
            date: note.date,
            body: &body,
            author_id: &user.id,
        };
        let receipt = insert(&mut tx, user, entry).await?;
        tx.commit().await?;
        Ok(receipt)
    }

    pub async fn store_visit(store: &Store, user: &CurrentUser, input: VisitInput) -> Result<Receipt, AppError> {
        may_write_at_all(user)?;
        let visit = input.validate(today(), Purpose::Create)?;
        let mut tx = store.begin().await?;
        let body = EntryBody::Visit(visit.body.clone());
        let probe = NewEntry {
            id: &visit.id,
            group_id: "",
            youth_id: Some(&visit.youth_id),
            date: visit.date,
            body: &body,
            author_id: &user.id,
        };
        if let Some(receipt) = already_stored(&mut tx, user, &probe).await? {
            return Ok(receipt);
        }
        let group = youth_group(&mut tx, user, &visit.youth_id, "youth_id").await?;
        let entry = NewEntry {
            id: &visit.id,
            group_id: &group,
            youth_id: Some(&visit.youth_id),
            date: visit.date,
            body: &body,
            author_id: &user.id,
        };
        let receipt = insert(&mut tx, user, entry).await?;
        tx.commit().await?;
        Ok(receipt)
    }

    /// Opens a sealed outbox item and stores what it holds.
    pub async fn deliver(store: &Store, user: &CurrentUser, input: SealedInput) -> Result<Receipt, AppError> {
        let t = texts();
        may_write_at_all(user)?;
        let sealed = || AppError::BadRequest(t.v_sealed.into());
        let kind = EntryKind::parse(input.kind.trim()).ok_or_else(sealed)?;
        let (id, plain) = crate::api::ssr::open_sealed(store, &input, kind.code(), sealed).await?;
        let id = id.as_str();
        let payload: SealedPayload = serde_json::from_slice(&plain).map_err(|_| sealed())?;
        if payload.author_id != user.id {
            return Err(AppError::Conflict(t.v_not_your_entry.into()));
        }
        match (kind, payload.note, payload.visit) {
            (EntryKind::Note, Some(note), None) if note.id == id => store_note(store, user, note).await,
            (EntryKind::Visit, None, Some(visit)) if visit.id == id => store_visit(store, user, visit).await,
            _ => Err(sealed()),
        }
    }

    pub enum Correction {
        Note(Box<NoteInput>),
        Visit(Box<VisitInput>),
    }

    /// Adds a corrected version of an entry the caller may write for.
    pub async fn correct(store: &Store, user: &CurrentUser, id: &str, correction: Correction) -> Result<i64, AppError> {
        let (kind, date, body, reason) = match &correction {
            Correction::Note(input) => {
                let v = input.validate(today(), Purpose::Correct)?;
                (EntryKind::Note, v.date, EntryBody::Note(v.body), v.reason)
            }
            Correction::Visit(input) => {
                let v = input.validate(today(), Purpose::Correct)?;
                (EntryKind::Visit, v.date, EntryBody::Visit(v.body), v.reason)
            }
        };
        let mut tx = store.begin().await?;
        let scope = crate::db::entries::scope(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        if !can(user, Action::WriteEntry, Resource::Group(&scope.group_id)) {
            return Err(if can(user, Action::ViewEntries, Resource::Group(&scope.group_id)) {
                AppError::Forbidden
            } else {
                AppError::NotFound
            });
        }
        if scope.kind != kind {
            return Err(AppError::NotFound);
        }
        if let EntryBody::Note(note) = &body {
            check_goals(&mut tx, scope.youth_id.as_deref(), &note.goal_ids).await?;
        }
        let version = crate::db::entries::correct(&mut tx, id, date, &body, &reason, &user.id).await?;
        let rec = AuditRecord {
            action: AuditAction::Update,
            record_kind: kind.record_kind(),
            record_id: Some(id),
            youth_id: scope.youth_id.as_deref(),
        };
        record(&mut tx, user, rec).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Fills in the titles of the goals a note links to.
    pub fn resolve_goal_titles(entries: &mut [EntryView], goals: &[Goal]) {
        for entry in entries {
            if let EntryBody::Note(note) = &entry.body {
                entry.goal_titles = note
                    .goal_ids
                    .iter()
                    .filter_map(|id| goals.iter().find(|g| &g.id == id).map(|g| g.title.clone()))
                    .collect();
            }
        }
    }
}
