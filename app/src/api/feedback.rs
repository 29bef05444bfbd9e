//! Participation and complaints (Beteiligung und Beschwerde): young people send them —
//! with their account, or anonymously through their group's public link — sealed from
//! the device's outbox; staff, the Fachberatung and Leitung read and answer them.
//!
//! What went past the group to the Fachberatung is invisible to the group's staff on
//! every path: lists leave it out, a detail by id answers 404 exactly like an unknown id,
//! counts are not for staff at all.

use crate::domain::entry::SealedInput;
use crate::domain::feedback::{
    AnswerInput, FeedbackFilter, FeedbackForm, FeedbackReceipt, FeedbackView, GroupLink, LoginCard, MonthlyCounts,
    Notice, PickupInput,
};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The form for a new login card: an optional new PIN.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardInput {
    #[serde(default)]
    pub pin: String,
}

/// The "Meine Rechte" text as edited.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RightsInput {
    pub body: String,
}

/// The "Meine Rechte" page: its text, and when it was last changed ("" for the default).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rights {
    pub body: String,
    pub updated_on: String,
    pub can_edit: bool,
}

/// What the account form needs: the key to seal to and the author to seal along.
#[server(prefix = "/api", endpoint = "feedback/form")]
pub async fn get_feedback_form() -> Result<FeedbackForm, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    let user = user()?;
    allow(can(&user, Action::SubmitFeedback, Resource::Institute))?;
    let store = store()?;
    let mut conn = store.pool().acquire().await?;
    let key = crate::db::keys::outbox_key(&mut conn).await?;
    Ok(FeedbackForm {
        outbox_key: format!("{}.{}", key.key_id, key.public_key),
        author_id: Some(user.id),
        group_name: String::new(),
        token: None,
    })
}

/// What the public form of a group's link needs (anyone; the link is printed on a poster
/// in the group home). A link that names no group gets a friendly 400.
#[server(prefix = "/api", endpoint = "feedback/link-form")]
pub async fn get_link_form(id: String) -> Result<FeedbackForm, AppError> {
    use super::ssr::*;
    let store = store()?;
    let mut conn = store.pool().acquire().await?;
    let (_, group_name) = ssr::group_of_link(&mut conn, &id).await?;
    let key = crate::db::keys::outbox_key(&mut conn).await?;
    Ok(FeedbackForm {
        outbox_key: format!("{}.{}", key.key_id, key.public_key),
        author_id: None,
        group_name,
        token: Some(id.trim().to_owned()),
    })
}

/// Receives one sealed submission from a device's outbox and stores it exactly once.
/// With an account: only that account may deliver it (401 without a session, 409 with
/// another). Through a group's link: no session needed, rate-limited per address.
#[server(prefix = "/api", endpoint = "feedback/deliver")]
pub async fn deliver_feedback(input: SealedInput) -> Result<FeedbackReceipt, AppError> {
    use super::ssr::*;
    let store = store()?;
    ssr::deliver(&store, &input).await
}

/// The young person's own named submissions with their answers.
#[server(prefix = "/api", endpoint = "feedback/mine")]
pub async fn my_feedback() -> Result<Vec<FeedbackView>, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    allow(can(&user, Action::SubmitFeedback, Resource::Institute))?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let rows = crate::db::feedback::mine(&mut tx, &user.id).await?;
    let mut out = Vec::new();
    for row in rows {
        let id = row.id.clone();
        if let Some(mut view) = row.into_view(true, false) {
            view.steps = crate::db::feedback::steps(&mut tx, &id, false).await?;
            out.push(view);
        }
    }
    let rec = AuditRecord {
        action: AuditAction::List,
        record_kind: "feedback",
        record_id: None,
        youth_id: user.youth_id.as_deref(),
    };
    record(&mut tx, &user, rec).await?;
    tx.commit().await?;
    Ok(out)
}

/// The answers to an anonymous submission, for whoever has its pickup code (anyone; no
/// session). An unknown code and a wrong one get the same answer; wrong codes are counted
/// per address and past the limit answered with 429.
#[server(prefix = "/api", endpoint = "feedback/pickup")]
pub async fn pickup_answer(input: PickupInput) -> Result<FeedbackView, AppError> {
    use super::ssr::*;
    let store = store()?;
    ssr::pickup(&store, &input).await
}

/// The submissions the caller may handle, newest first (at most 200).
#[server(prefix = "/api", endpoint = "feedback/list")]
pub async fn list_feedback(input: FeedbackFilter) -> Result<Vec<FeedbackView>, AppError> {
    use super::ssr::*;
    let user = user()?;
    let store = store()?;
    ssr::list(&store, &user, &input).await
}

/// One submission with its steps. 404 for one the caller may not handle — for staff that
/// includes everything that went past the group — exactly as for an unknown id.
#[server(prefix = "/api", endpoint = "feedback/get")]
pub async fn get_feedback(id: String) -> Result<FeedbackView, AppError> {
    use super::ssr::*;
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    let id = record_id(&id)?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let (row, youth) = ssr::visible(&mut tx, &user, &id).await?;
    let mut view = row.into_view(true, true).ok_or(AppError::NotFound)?;
    view.steps = crate::db::feedback::steps(&mut tx, &id, true).await?;
    view.can_answer = true;
    let rec = AuditRecord {
        action: AuditAction::Read,
        record_kind: "feedback",
        record_id: Some(&id),
        youth_id: youth.as_deref(),
    };
    record(&mut tx, &user, rec).await?;
    tx.commit().await?;
    Ok(view)
}

/// Sets a submission's status and, optionally, writes an answer the young person reads.
#[server(prefix = "/api", endpoint = "feedback/answer")]
pub async fn answer_feedback(id: String, input: AnswerInput) -> Result<(), AppError> {
    use super::ssr::*;
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    let id = record_id(&id)?;
    let (status, answer) = input.validate()?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let (_, youth) = ssr::visible(&mut tx, &user, &id).await?;
    crate::db::feedback::add_step(&mut tx, &id, &user, status, answer.as_deref()).await?;
    let rec = AuditRecord {
        action: AuditAction::Update,
        record_kind: "feedback",
        record_id: Some(&id),
        youth_id: youth.as_deref(),
    };
    record(&mut tx, &user, rec).await?;
    tx.commit().await?;
    redirect(&format!("/rueckmeldungen/{id}?gespeichert=1"));
    Ok(())
}

/// Counts of one month (`YYYY-MM`, default this month) per group the caller may see,
/// by kind, topic and status. No names, no texts. Leitung and Fachberatung only: the
/// counts include what went past the group.
#[server(prefix = "/api", endpoint = "feedback/counts")]
pub async fn feedback_counts(id: String) -> Result<MonthlyCounts, AppError> {
    use super::ssr::*;
    let user = user()?;
    let store = store()?;
    ssr::counts(&store, &user, &id).await
}

/// A group's poster: the link to its anonymous form, and the link as a QR code.
#[server(prefix = "/api", endpoint = "feedback/group-link")]
pub async fn get_group_link(id: String) -> Result<GroupLink, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    let user = user()?;
    let id = record_id(&id)?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let group = crate::db::groups::get(&mut tx, &id).await?.ok_or(AppError::NotFound)?;
    if !can(&user, Action::ViewGroupLink, Resource::Group(&group.id)) {
        return Err(AppError::NotFound);
    }
    let token = crate::db::feedback::group_token(&mut tx, &group.id).await?;
    tx.commit().await?;
    let url = format!("{}/mitreden/{token}", public_origin());
    let qr_svg = ssr::qr_svg(&url)?;
    Ok(GroupLink { group_name: group.name, url, qr_svg })
}

/// Makes a new login card for a young person's account (the old card stops working) and,
/// if given, sets a new PIN (which ends the account's sessions).
#[server(prefix = "/api", endpoint = "feedback/login-card")]
pub async fn issue_login_card(id: String, input: CardInput) -> Result<LoginCard, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    let youth = record_id(&id)?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let group = crate::db::youths::group_of(&mut tx, &youth).await?.ok_or(AppError::NotFound)?;
    if !can(&user, Action::IssueLoginCard, Resource::Group(&group)) {
        return Err(AppError::NotFound);
    }
    let pin = input.pin.trim().to_owned();
    if !pin.is_empty() {
        let mut check = crate::domain::text::Check::default();
        crate::domain::account::check_pin(&mut check, "pin", &pin);
        check.finish(())?;
    }
    let Some((account, login, display_name)) = crate::db::feedback::youth_account(&mut tx, &youth).await? else {
        return Err(AppError::BadRequest(crate::i18n::texts().card_no_account.into()));
    };
    let token = crate::auth::session::new_token();
    crate::db::feedback::set_card(&mut tx, &account, &crate::auth::session::token_hash(&token), &user.id).await?;
    if !pin.is_empty() {
        let hash = super::accounts::hash_password(pin).await?;
        crate::db::accounts::set_password(&mut tx, &account, &hash).await?;
        crate::db::sessions::delete_for_user(&mut tx, &account).await?;
        // A new PIN also lifts a lock after wrong PINs: the adult who sets it has just
        // spoken with the young person.
        crate::db::throttle::clear(&mut tx, &format!("acct:{login}"), 0).await?;
    }
    let rec = AuditRecord {
        action: if input.pin.trim().is_empty() { AuditAction::Update } else { AuditAction::PasswordReset },
        record_kind: "login_card",
        record_id: Some(&account),
        youth_id: Some(&youth),
    };
    record(&mut tx, &user, rec).await?;
    tx.commit().await?;
    let url = format!("{}/karte/{token}", public_origin());
    let qr_svg = ssr::qr_svg(&url)?;
    Ok(LoginCard { display_name, login, url, qr_svg })
}

/// The "Meine Rechte" text (anyone: it is meant for young people without an account too).
#[server(prefix = "/api", endpoint = "rights/get")]
pub async fn get_rights() -> Result<Rights, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    let store = store()?;
    let mut conn = store.pool().acquire().await?;
    let stored = crate::db::feedback::text(&mut conn, ssr::RIGHTS).await?;
    let can_edit = user().is_ok_and(|u| can(&u, Action::EditRights, Resource::Institute));
    Ok(match stored {
        Some((body, at)) => Rights { body, updated_on: crate::db::berlin_time(at)[..10].to_owned(), can_edit },
        None => Rights { body: crate::i18n::RIGHTS_DEFAULT.to_owned(), updated_on: String::new(), can_edit },
    })
}

/// Changes the "Meine Rechte" text (Leitung).
#[server(prefix = "/api", endpoint = "rights/set")]
pub async fn set_rights(input: RightsInput) -> Result<(), AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    allow(can(&user, Action::EditRights, Resource::Institute))?;
    let mut check = crate::domain::text::Check::default();
    let body = check.required("body", &input.body, 20_000);
    check.finish(())?;
    let store = store()?;
    let mut tx = store.begin().await?;
    crate::db::feedback::set_text(&mut tx, ssr::RIGHTS, &body, &user.id).await?;
    let rec = AuditRecord { action: AuditAction::Update, record_kind: "rights_text", record_id: None, youth_id: None };
    record(&mut tx, &user, rec).await?;
    tx.commit().await?;
    redirect("/meine-rechte?gespeichert=1");
    Ok(())
}

/// Notices of the last 14 days for the caller's groups (Leitung: all; Fachberatung: own).
#[server(prefix = "/api", endpoint = "notices/list")]
pub async fn list_notices() -> Result<Vec<Notice>, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    // The same people as the monthly counts: Leitung, and Fachberatung for their groups.
    allow(crate::auth::policy::can_open(&user, crate::auth::policy::Page::FeedbackCounts))?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let since = crate::db::now_ms() - 14 * 24 * 60 * 60 * 1000;
    let scope = (user.role != crate::domain::Role::Leitung).then_some(user.id.as_str());
    let rows = crate::db::feedback::notices_since(&mut tx, since, scope).await?;
    let notices: Vec<Notice> = rows
        .into_iter()
        .filter(|(_, group, _, _)| can(&user, Action::ViewFeedbackCounts, Resource::Group(group)))
        .map(|(at, _, group_name, who)| Notice { at, group_name, who })
        .collect();
    // The notices name young people's accounts: reading them is logged.
    let rec = AuditRecord { action: AuditAction::List, record_kind: "notices", record_id: None, youth_id: None };
    record(&mut tx, &user, rec).await?;
    tx.commit().await?;
    Ok(notices)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::ssr::{AppState, client_address, today};
    use crate::auth::CurrentUser;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::feedback::{FeedbackRow, ListScope, NewFeedback, Stored};
    use crate::db::{Conn, Store};
    use crate::domain::Role;
    use crate::domain::entry::SealedInput;
    use crate::domain::feedback::{
        CountRow, FeedbackFilter, FeedbackReceipt, FeedbackStatus, FeedbackView, GroupCounts, MonthlyCounts,
        PickupInput, SealedFeedback, Sender, normalize_pickup, parse_month,
    };
    use crate::error::AppError;
    use crate::i18n::texts;
    use leptos::prelude::use_context;
    use sha2::{Digest, Sha256};

    /// The name of the "Meine Rechte" text.
    pub const RIGHTS: &str = "rights";
    /// The outbox kind of a sealed submission.
    pub const KIND: &str = "feedback";

    fn sha256(text: &str) -> String {
        Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }

    fn settings() -> Result<std::sync::Arc<crate::api::ssr::Settings>, AppError> {
        use_context::<AppState>().map(|s| s.settings).ok_or(AppError::Internal)
    }

    /// The group of a public link; anything else is a friendly 400.
    pub async fn group_of_link(conn: &mut Conn, token: &str) -> Result<(String, String), AppError> {
        let token = token.trim();
        let plausible = !token.is_empty()
            && token.len() <= 64
            && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        let found = if plausible { crate::db::feedback::group_of_token(conn, token).await? } else { None };
        found.ok_or_else(|| AppError::BadRequest(texts().fb_v_link.into()))
    }

    /// Counts one attempt on `key` and refuses with 429 past `max` in the window.
    async fn take_slot(store: &Store, key: &str, max: i64, count_it: bool) -> Result<(), AppError> {
        let settings = settings()?;
        let now = crate::db::now_ms();
        let since = now - settings.login_window_ms;
        let mut tx = store.begin().await?;
        crate::db::throttle::lock(&mut tx, store.backend(), key).await?;
        let (count, oldest) = crate::db::throttle::failures_since(&mut tx, key, since).await?;
        if count >= max {
            let wait = ((oldest.unwrap_or(now) + settings.login_window_ms - now) / 1000).max(1);
            return Err(AppError::TooManyRequests { retry_after_secs: wait as u64 });
        }
        if count_it {
            crate::db::throttle::record_failure(&mut tx, key, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Opens a sealed submission and stores it.
    pub async fn deliver(store: &Store, input: &SealedInput) -> Result<FeedbackReceipt, AppError> {
        let t = texts();
        let broken = || AppError::BadRequest(t.fb_v_broken.into());
        let (id, plain) = crate::api::ssr::open_sealed(store, input, KIND, broken).await?;
        let id = id.as_str();
        let sealed: SealedFeedback = serde_json::from_slice(&plain).map_err(|_| broken())?;
        if sealed.feedback.id.trim() != id {
            return Err(broken());
        }
        let content_hash = sha256(&String::from_utf8_lossy(&plain));
        match (&sealed.author_id, &sealed.group_token) {
            (Some(author), None) => {
                let user = crate::api::ssr::user()?;
                if &user.id != author {
                    return Err(AppError::Conflict(t.fb_v_not_yours.into()));
                }
                if !can(&user, Action::SubmitFeedback, Resource::Institute) {
                    return Err(AppError::Forbidden);
                }
                let feedback = sealed.feedback.validate(Sender::Account)?;
                let youth = user.youth_id.clone().ok_or(AppError::Forbidden)?;
                let mut tx = store.begin().await?;
                let group = crate::db::youths::group_of(&mut tx, &youth).await?.ok_or(AppError::Forbidden)?;
                // Anonymous means anonymous: no account, no young person, no audit row
                // that names the sender.
                let (author_id, youth_id) =
                    if feedback.anonymous { (None, None) } else { (Some(user.id.as_str()), Some(youth.as_str())) };
                let pickup_hash = feedback.pickup_code.as_deref().map(sha256);
                let new = NewFeedback {
                    feedback: &feedback,
                    group_id: &group,
                    author_id,
                    youth_id,
                    device_key: &sha256(id),
                    content_hash: &content_hash,
                    pickup_hash: pickup_hash.as_deref(),
                    today: today(),
                };
                let receipt = store_once(&mut tx, new).await?;
                if !receipt.duplicate && !feedback.anonymous {
                    use crate::db::audit::{AuditAction, AuditRecord, record};
                    let rec = AuditRecord {
                        action: AuditAction::Create,
                        record_kind: "feedback",
                        record_id: Some(&receipt.id),
                        youth_id: Some(&youth),
                    };
                    record(&mut tx, &user, rec).await?;
                }
                tx.commit().await?;
                // The device needs no id of an anonymous row: it has the pickup code.
                Ok(FeedbackReceipt { id: if feedback.anonymous { String::new() } else { receipt.id }, ..receipt })
            }
            (None, Some(token)) => {
                let settings = settings()?;
                let address = client_address();
                take_slot(store, &format!("feedback:{address}"), settings.feedback_max_per_address, true).await?;
                let feedback = sealed.feedback.validate(Sender::Link)?;
                let mut tx = store.begin().await?;
                let (group, _) = group_of_link(&mut tx, token).await?;
                let pickup_hash = feedback.pickup_code.as_deref().map(sha256);
                let new = NewFeedback {
                    feedback: &feedback,
                    group_id: &group,
                    author_id: None,
                    youth_id: None,
                    device_key: &sha256(id),
                    content_hash: &content_hash,
                    pickup_hash: pickup_hash.as_deref(),
                    today: today(),
                };
                let receipt = store_once(&mut tx, new).await?;
                tx.commit().await?;
                Ok(FeedbackReceipt { id: String::new(), ..receipt })
            }
            _ => Err(broken()),
        }
    }

    async fn store_once(tx: &mut crate::db::Tx, new: NewFeedback<'_>) -> Result<FeedbackReceipt, AppError> {
        let content_hash = new.content_hash.to_owned();
        match crate::db::feedback::insert(tx, new).await {
            Ok(Stored::Created(id)) => Ok(FeedbackReceipt { id, duplicate: false }),
            Ok(Stored::Exists { id, content_hash: first }) if first == content_hash => {
                Ok(FeedbackReceipt { id, duplicate: true })
            }
            Ok(Stored::Exists { .. }) => Err(AppError::Conflict(texts().v_entry_exists.into())),
            // Two codes alike (one in 2^60): the device must make a new one.
            Err(e) if crate::db::is_unique_violation(&e) => Err(AppError::Conflict(texts().fb_v_broken.into())),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn pickup(store: &Store, input: &PickupInput) -> Result<FeedbackView, AppError> {
        let t = texts();
        let settings = settings()?;
        let Some(code) = normalize_pickup(&input.code) else {
            return Err(AppError::invalid("code", t.fb_v_code_shape));
        };
        let key = format!("pickup:{}", client_address());
        take_slot(store, &key, settings.pickup_max_per_address, false).await?;
        let mut tx = store.begin().await?;
        let Some(row) = crate::db::feedback::by_pickup(&mut tx, &sha256(&code)).await? else {
            tx.rollback().await?;
            take_slot(store, &key, settings.pickup_max_per_address, true).await?;
            return Err(AppError::invalid("code", t.fb_v_code_unknown));
        };
        let id = row.id.clone();
        let mut view = row.into_view(false, false).ok_or(AppError::Internal)?;
        view.steps = crate::db::feedback::steps(&mut tx, &id, false).await?;
        use crate::db::audit::{AuditAction, AuditRecord, record_anonymous};
        let rec =
            AuditRecord { action: AuditAction::Read, record_kind: "feedback", record_id: Some(&id), youth_id: None };
        record_anonymous(&mut tx, "(Abholcode)", rec).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// A submission the caller may handle, and its named young person; 404 otherwise.
    pub async fn visible(
        conn: &mut Conn,
        user: &CurrentUser,
        id: &str,
    ) -> Result<(FeedbackRow, Option<String>), AppError> {
        let row = crate::db::feedback::get(conn, id).await?.ok_or(AppError::NotFound)?;
        let resource = Resource::Feedback { group: &row.group_id, to_advisor: row.to_advisor() };
        if !can(user, Action::HandleFeedback, resource) {
            return Err(AppError::NotFound);
        }
        let youth = row.youth_id.clone();
        Ok((row, youth))
    }

    pub async fn list(
        store: &Store,
        user: &CurrentUser,
        filter: &FeedbackFilter,
    ) -> Result<Vec<FeedbackView>, AppError> {
        let scope = match user.role {
            Role::Leitung => ListScope::All,
            Role::Fachberatung => ListScope::Groups { user_id: &user.id, group_only: false },
            Role::Fachkraft => ListScope::Groups { user_id: &user.id, group_only: true },
            _ => return Err(AppError::Forbidden),
        };
        let status = match filter.status.trim() {
            "" => None,
            "offen" => Some(None),
            code => {
                Some(Some(FeedbackStatus::parse(code).ok_or_else(|| AppError::invalid("status", texts().fb_v_status))?))
            }
        };
        let mut tx = store.begin().await?;
        let rows = crate::db::feedback::list(&mut tx, scope, status, 200).await?;
        let mut named: Vec<(String, String)> = Vec::new();
        let mut out = Vec::new();
        for row in rows {
            // The policy decides each row again; the query's scope is only the first cut.
            if !can(
                user,
                Action::HandleFeedback,
                Resource::Feedback { group: &row.group_id, to_advisor: row.to_advisor() },
            ) {
                continue;
            }
            if let Some(youth) = &row.youth_id {
                named.push((row.id.clone(), youth.clone()));
            }
            if let Some(view) = row.into_view(false, true) {
                out.push(view);
            }
        }
        use crate::db::audit::{AuditAction, AuditRecord, record};
        let rec = AuditRecord { action: AuditAction::List, record_kind: "feedback", record_id: None, youth_id: None };
        record(&mut tx, user, rec).await?;
        for (id, youth) in &named {
            let rec = AuditRecord {
                action: AuditAction::List,
                record_kind: "feedback",
                record_id: Some(id),
                youth_id: Some(youth),
            };
            record(&mut tx, user, rec).await?;
        }
        tx.commit().await?;
        Ok(out)
    }

    pub async fn counts(store: &Store, user: &CurrentUser, month: &str) -> Result<MonthlyCounts, AppError> {
        use chrono::Datelike;
        if !matches!(user.role, Role::Leitung | Role::Fachberatung) {
            return Err(AppError::Forbidden);
        }
        let now = today();
        let (year, month) = if month.trim().is_empty() {
            (now.year(), now.month())
        } else {
            parse_month(month).ok_or_else(|| AppError::invalid("month", texts().v_date_format))?
        };
        let first = chrono::NaiveDate::from_ymd_opt(year, month, 1).ok_or(AppError::Internal)?;
        let last =
            first.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).ok_or(AppError::Internal)?;
        let mut tx = store.begin().await?;
        let groups = crate::db::groups::list_all(&mut tx).await?;
        let rows = crate::db::feedback::counts(&mut tx, &first.to_string(), &last.to_string()).await?;
        let mut out = Vec::new();
        for group in groups.into_iter().filter(|g| can(user, Action::ViewFeedbackCounts, Resource::Group(&g.id))) {
            let mut counts: Vec<CountRow> = Vec::new();
            for (g, kind, topic, status, n) in rows.iter().filter(|r| r.0 == group.id) {
                let _ = g;
                let (Some(kind), Some(topic), Some(status)) = (
                    crate::domain::feedback::FeedbackKind::parse(kind),
                    crate::domain::feedback::Topic::parse(topic),
                    FeedbackStatus::parse(status),
                ) else {
                    continue;
                };
                let at = FeedbackStatus::ALL.iter().position(|s| *s == status).unwrap_or_default();
                match counts.iter_mut().find(|r| r.kind == kind && r.topic == topic) {
                    Some(row) => row.by_status[at] += n,
                    None => {
                        let mut by_status = vec![0; FeedbackStatus::ALL.len()];
                        by_status[at] = *n;
                        counts.push(CountRow { kind, topic, by_status });
                    }
                }
            }
            out.push(GroupCounts { group_id: group.id, group_name: group.name, rows: counts });
        }
        use crate::db::audit::{AuditAction, AuditRecord, record};
        let rec =
            AuditRecord { action: AuditAction::Read, record_kind: "feedback_counts", record_id: None, youth_id: None };
        record(&mut tx, user, rec).await?;
        tx.commit().await?;
        Ok(MonthlyCounts { month: format!("{year:04}-{month:02}"), groups: out })
    }

    /// A QR code of `text` as an SVG document (no inline styles: the CSP forbids them).
    pub fn qr_svg(text: &str) -> Result<String, AppError> {
        use qrcode::render::svg;
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
            .map_err(|_| AppError::Internal)?;
        Ok(code
            .render::<svg::Color<'_>>()
            .min_dimensions(240, 240)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build())
    }
}
