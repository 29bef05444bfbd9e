//! Participation and complaints (Beteiligung und Beschwerde): young people send them —
//! with their account, or anonymously through their group's public link — sealed from
//! the device's outbox; staff, the Fachberatung and Leitung read and answer them.
//!
//! What went past the group to the Fachberatung is invisible to the group's staff on
//! every path: lists leave it out (the policy's scope), a detail by id answers 404 exactly
//! like an unknown id, counts are not for staff at all.

use crate::domain::feedback::{
    AnswerInput, FeedbackFilter, FeedbackForm, FeedbackReceipt, FeedbackView, GroupLink, MonthlyCounts, PickupInput,
};
use crate::domain::outbox::SealedInput;
use crate::error::AppError;
use leptos::prelude::*;

/// What the account form needs: the key to seal to and the author to seal along.
#[server(prefix = "/api", endpoint = "feedback/form")]
pub async fn get_feedback_form() -> Result<FeedbackForm, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    // Only the key and the caller's own id: nothing of a record is read.
    let mut cx = Cx::begin(Action::SubmitFeedback).await?;
    let settings = cx.settings().clone();
    let outbox_key = super::ssr::outbox_public_key(cx.tx(), &settings).await?;
    let author_id = Some(cx.user().id.to_string());
    cx.commit().await?;
    Ok(FeedbackForm { outbox_key, author_id, group_name: String::new(), token: None })
}

/// What the public form of a group's link needs (anyone; the link is printed on a poster
/// in the group home). A link that names no group gets a friendly 400.
#[server(prefix = "/api", endpoint = "feedback/link-form")]
pub async fn get_link_form(id: String) -> Result<FeedbackForm, AppError> {
    use super::cx::Cx;
    let mut cx = Cx::public().await?;
    let (_, group_name) = ssr::group_of_link(&mut cx, &id).await?;
    let settings = cx.settings().clone();
    let outbox_key = super::ssr::outbox_public_key(cx.tx(), &settings).await?;
    cx.commit().await?;
    Ok(FeedbackForm { outbox_key, author_id: None, group_name, token: Some(id.trim().to_owned()) })
}

/// Receives one sealed submission from a device's outbox and stores it exactly once.
/// With an account: only that account may deliver it (401 without a session, 409 with
/// another). Through a group's link: no session needed, rate-limited per address.
#[server(prefix = "/api", endpoint = "feedback/deliver")]
pub async fn deliver_feedback(input: SealedInput) -> Result<FeedbackReceipt, AppError> {
    ssr::deliver(&input).await
}

/// The young person's own named submissions with their answers.
#[server(prefix = "/api", endpoint = "feedback/mine")]
pub async fn my_feedback() -> Result<Vec<FeedbackView>, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::SubmitFeedback).await?;
    let youth = cx.own_youth(Action::SubmitFeedback)?;
    let user = cx.user().id.clone();
    let rows = crate::db::submissions::mine(cx.tx(), &user).await?;
    let mut out = Vec::new();
    for row in rows {
        let steps = crate::db::submissions::steps(cx.tx(), &row.id).await?;
        let mut view = ssr::view(row, true, false);
        view.steps = ssr::steps(steps, false);
        out.push(view);
    }
    cx.audit(AuditAction::List, RecordKind::Feedback, None, Some(&youth)).await?;
    cx.commit().await?;
    Ok(out)
}

/// The answers to an anonymous submission, for whoever has its pickup code (anyone; no
/// session). An unknown code and a wrong one get the same answer; wrong codes are counted
/// per address and past the limit answered with 429.
#[server(prefix = "/api", endpoint = "feedback/pickup")]
pub async fn pickup_answer(input: PickupInput) -> Result<FeedbackView, AppError> {
    ssr::pickup(&input).await
}

/// The submissions the caller may handle, newest first (at most 200).
#[server(prefix = "/api", endpoint = "feedback/list")]
pub async fn list_feedback(input: FeedbackFilter) -> Result<Vec<FeedbackView>, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::feedback::FeedbackStatus;
    let mut cx = Cx::begin(Action::HandleFeedback).await?;
    let status = match input.status.trim() {
        "" => None,
        "offen" => Some(None),
        code => Some(Some(
            FeedbackStatus::parse(code).ok_or_else(|| AppError::invalid("status", crate::i18n::texts().fb_v_status))?,
        )),
    };
    let scope = cx.scope(Action::HandleFeedback).await?;
    let rows = crate::db::submissions::list(cx.tx(), &scope, status, 200).await?;
    cx.audit(AuditAction::List, RecordKind::Feedback, None, None).await?;
    let mut out = Vec::new();
    for row in rows {
        if let Some(youth) = row.youth_id.clone() {
            cx.audit(AuditAction::List, RecordKind::Feedback, Some(row.id.as_str()), Some(&youth)).await?;
        }
        out.push(ssr::view(row, false, true));
    }
    cx.commit().await?;
    Ok(out)
}

/// One submission with its steps. 404 for one the caller may not handle — for staff that
/// includes everything that went past the group — exactly as for an unknown id.
#[server(prefix = "/api", endpoint = "feedback/get")]
pub async fn get_feedback(id: String) -> Result<FeedbackView, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let id: crate::domain::ids::FeedbackId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::HandleFeedback).await?;
    let row = ssr::handled(&mut cx, &id).await?;
    let youth = row.youth_id.clone();
    let steps = crate::db::submissions::steps(cx.tx(), &id).await?;
    let mut view = ssr::view(row, true, true);
    view.steps = ssr::steps(steps, true);
    view.can_answer = true;
    cx.audit(AuditAction::Read, RecordKind::Feedback, Some(id.as_str()), youth.as_ref()).await?;
    cx.commit().await?;
    Ok(view)
}

/// Sets a submission's status and, optionally, writes an answer the young person reads.
#[server(prefix = "/api", endpoint = "feedback/answer")]
pub async fn answer_feedback(id: String, input: AnswerInput) -> Result<(), AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let id: crate::domain::ids::FeedbackId = parse_id(&id)?;
    let (status, answer) = input.validate()?;
    let mut cx = Cx::begin(Action::HandleFeedback).await?;
    let row = ssr::handled(&mut cx, &id).await?;
    let (actor, role) = (cx.user().id.clone(), cx.user().role);
    crate::db::submissions::add_step(cx.tx(), &id, &actor, role, status, answer.as_deref()).await?;
    cx.audit(AuditAction::Update, RecordKind::Feedback, Some(id.as_str()), row.youth_id.as_ref()).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/rueckmeldungen/{id}?gespeichert=1"));
    Ok(())
}

/// Counts of one month (`YYYY-MM`, default this month) per group the caller may see,
/// by kind, topic and status. No names, no texts. Leitung and Fachberatung only: the
/// counts include what went past the group.
#[server(prefix = "/api", endpoint = "feedback/counts")]
pub async fn feedback_counts(id: String) -> Result<MonthlyCounts, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::ViewFeedbackCounts).await?;
    let counts = ssr::counts(&mut cx, &id).await?;
    cx.commit().await?;
    Ok(counts)
}

/// A group's poster: the link to its anonymous form, and the link as a QR code.
#[server(prefix = "/api", endpoint = "feedback/group-link")]
pub async fn get_group_link(id: String) -> Result<GroupLink, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    let id: crate::domain::ids::GroupId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::ViewGroupLink).await?;
    let group = match cx.group(Action::ViewGroupLink, &id).await {
        Err(AppError::Forbidden) => Err(AppError::NotFound),
        other => other,
    }?;
    let fresh = crate::auth::session::new_token();
    let token = crate::db::submissions::group_token(cx.tx(), &group.id, &fresh).await?;
    let url = super::ssr::public_link(cx.settings(), &format!("/mitreden/{token}"));
    cx.commit().await?;
    let qr_svg = super::cards::ssr::qr_svg(&url)?;
    Ok(GroupLink { group_name: group.name, url, qr_svg })
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::cx::{Cx, Unaudited};
    use crate::api::ssr::{client_address, today};
    use crate::auth::policy::Action;
    use crate::db::submissions::{NewFeedback, Stored, Submission};
    use crate::domain::Role;
    use crate::domain::feedback::{
        CountRow, FeedbackKind, FeedbackReceipt, FeedbackStatus, FeedbackStep, FeedbackView, GroupCounts,
        MonthlyCounts, PickupInput, SealedFeedback, Sender, Topic, normalize_pickup, parse_month,
    };
    use crate::domain::ids::{FeedbackId, GroupId};
    use crate::domain::outbox::SealedInput;
    use crate::domain::text::berlin_minute;
    use crate::error::AppError;
    use crate::i18n::texts;
    use sha2::{Digest, Sha256};

    /// The outbox kind of a sealed submission.
    pub const KIND: &str = "feedback";

    fn sha256(text: &str) -> String {
        Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }

    /// How a pickup code is stored: keyed with the server's secret (`GB_KEY_FILE`), so a
    /// copy of the database alone cannot be ground for codes (2^60 values, but cheap to
    /// try per hash). Over the code's SHA-256, so hashes from before can be converted
    /// without the codes ([`key_pickups`]).
    pub fn pickup_hash(settings: &crate::api::ssr::Settings, code: &str) -> String {
        keyed_pickup(settings, &sha256(code))
    }

    fn keyed_pickup(settings: &crate::api::ssr::Settings, unkeyed: &str) -> String {
        format!("h1:{}", settings.key_wrapping.keyed_hash("pickup", unkeyed))
    }

    /// Start-up: converts the pickup hashes stored before keyed hashing.
    pub async fn key_pickups(
        conn: &mut crate::db::Conn,
        settings: &crate::api::ssr::Settings,
    ) -> Result<usize, sqlx::Error> {
        let old = crate::db::submissions::unkeyed_pickups(conn).await?;
        for (id, hash) in &old {
            crate::db::submissions::replace_pickup(conn, id, hash, &keyed_pickup(settings, hash)).await?;
        }
        Ok(old.len())
    }

    /// A submission as a page shows it; the text only where it is read (`with_text`), the
    /// name of a named sender only for those who handle it (`with_author`).
    pub fn view(row: Submission, with_text: bool, with_author: bool) -> FeedbackView {
        FeedbackView {
            kind: row.kind,
            topic: row.topic,
            mood: row.mood,
            recipient: row.recipient,
            status: row.status,
            text: if with_text { row.text } else { String::new() },
            anonymous: row.anonymous,
            author: if with_author && !row.anonymous { row.author_name } else { None },
            id: row.id,
            group_id: row.group_id,
            group_name: row.group_name,
            received_on: row.received_on,
            steps: Vec::new(),
            can_answer: false,
        }
    }

    /// The steps of a submission. `by_name`: staff see who; the young person sees the
    /// role ("der Fachberatung").
    pub fn steps(steps: Vec<crate::db::submissions::Step>, by_name: bool) -> Vec<FeedbackStep> {
        steps
            .into_iter()
            .map(|s| FeedbackStep {
                at: s.at.timestamp_millis(),
                when: berlin_minute(s.at),
                by: if by_name { s.actor_name } else { Role::answered_by(s.actor_role).to_owned() },
                status: s.status,
                answer: s.answer,
            })
            .collect()
    }

    /// A submission the caller may handle; 404 otherwise (for staff also one that went
    /// past the group, exactly as an unknown id).
    pub async fn handled(cx: &mut Cx, id: &FeedbackId) -> Result<Submission, AppError> {
        match cx.feedback(Action::HandleFeedback, id).await {
            Err(AppError::Forbidden) => Err(AppError::NotFound),
            other => other,
        }
    }

    /// The group of a public link; anything else is a friendly 400.
    pub async fn group_of_link(cx: &mut Cx, token: &str) -> Result<(GroupId, String), AppError> {
        let token = token.trim();
        let plausible = !token.is_empty()
            && token.len() <= 64
            && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        let found = if plausible { crate::db::submissions::group_of_token(cx.tx(), token).await? } else { None };
        found.ok_or_else(|| AppError::BadRequest(texts().fb_v_link.into()))
    }

    /// Counts one attempt on each of `limits` (key, most within the window) and refuses
    /// with 429 when any is used up; returns the ids of the recorded attempts (a caller
    /// may forget them again). The attempt is recorded before the caller does anything,
    /// under a lock per key, so parallel requests cannot all pass as "under the limit".
    /// Its own transaction: called while no request context holds one (on SQLite a
    /// second writer would wait for the first).
    async fn take_slots(limits: &[(String, i64)]) -> Result<Vec<String>, AppError> {
        let state = leptos::prelude::use_context::<crate::api::ssr::AppState>().ok_or(AppError::Internal)?;
        let store = state.store.clone();
        let window = state.settings.login_window_ms;
        let now = crate::db::now_ms();
        let since = now - window;
        let mut tx = store.begin().await?;
        let mut ids = Vec::with_capacity(limits.len());
        for (key, max) in limits {
            crate::db::throttle::lock(&mut tx, store.backend(), key).await?;
            let (count, oldest) = crate::db::throttle::failures_since(&mut tx, key, since).await?;
            if count >= *max {
                let wait = ((oldest.unwrap_or(now) + window - now) / 1000).max(1);
                return Err(AppError::TooManyRequests { retry_after_secs: wait as u64 });
            }
            ids.push(crate::db::throttle::record_failure(&mut tx, key, now).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// The limits on a submission through a group's link: per client address and link,
    /// per address over all links, and per link over all addresses. Keys carry a hash
    /// of the link, never the link itself.
    fn link_limits(settings: &crate::api::ssr::Settings, token: &str, address: &str) -> Vec<(String, i64)> {
        let link = &sha256(token)[..16];
        vec![
            (format!("feedback:{link}:{address}"), settings.feedback_max_per_address),
            (format!("feedback:{address}"), settings.feedback_max_per_address * 3),
            (format!("feedback-link:{link}"), settings.feedback_max_per_link),
        ]
    }

    /// Opens a sealed submission and stores it.
    pub async fn deliver(input: &SealedInput) -> Result<FeedbackReceipt, AppError> {
        let t = texts();
        let broken = || AppError::BadRequest(t.fb_v_broken.into());
        let mut cx = Cx::public().await?;
        let settings = cx.settings().clone();
        let (id, plain) = crate::api::ssr::open_sealed(cx.tx(), &settings, input, KIND, broken).await?;
        let sealed: SealedFeedback = serde_json::from_slice(&plain).map_err(|_| broken())?;
        if sealed.feedback.id.trim() != id {
            return Err(broken());
        }
        let content_hash = sha256(&String::from_utf8_lossy(&plain));
        match (&sealed.author_id, &sealed.group_token) {
            (Some(author), None) => {
                let Some(user) = cx.session_user().cloned() else { return Err(AppError::Unauthenticated) };
                if user.id.as_str() != author {
                    return Err(AppError::Conflict(t.fb_v_not_yours.into()));
                }
                let youth = cx.own_youth(Action::SubmitFeedback)?;
                let feedback = sealed.feedback.validate(Sender::Account)?;
                let group = crate::db::youths::group_of(cx.tx(), &youth).await?.ok_or(AppError::Forbidden)?;
                // Anonymous means anonymous: no account, no young person, no audit row
                // that names the sender, and an id that tells nothing.
                let (author_id, youth_id) =
                    if feedback.anonymous { (None, None) } else { (Some(&user.id), Some(&youth)) };
                let row_id =
                    if feedback.anonymous { FeedbackId::parse(&random_id()) } else { Some(feedback.id.clone()) };
                let row_id = row_id.ok_or(AppError::Internal)?;
                let pickup_hash = feedback.pickup_code.as_deref().map(|c| pickup_hash(&settings, c));
                let new = NewFeedback {
                    feedback: &feedback,
                    group_id: &group,
                    author_id,
                    youth_id,
                    device_key: &sha256(&id),
                    content_hash: &content_hash,
                    pickup_hash: pickup_hash.as_deref(),
                    today: today(),
                };
                let receipt = store_once(&mut cx, new, &row_id).await?;
                if feedback.anonymous {
                    cx.commit_unaudited(Unaudited::AnonymousSender).await?;
                    // The device needs no id of an anonymous row: it has the pickup code.
                    return Ok(FeedbackReceipt { id: String::new(), ..receipt });
                }
                if !receipt.duplicate {
                    use crate::domain::audit::{AuditAction, RecordKind};
                    cx.audit(AuditAction::Create, RecordKind::Feedback, Some(&receipt.id), Some(&youth)).await?;
                    cx.commit().await?;
                } else {
                    cx.commit_unaudited(Unaudited::Resend).await?;
                }
                Ok(receipt)
            }
            (None, Some(token)) => {
                let limits = link_limits(&settings, token, &client_address());
                cx.rollback().await?;
                take_slots(&limits).await?;
                let mut cx = Cx::public().await?;
                let feedback = sealed.feedback.validate(Sender::Link)?;
                let (group, _) = group_of_link(&mut cx, token).await?;
                let pickup_hash = feedback.pickup_code.as_deref().map(|c| pickup_hash(&settings, c));
                let row_id = FeedbackId::parse(&random_id()).ok_or(AppError::Internal)?;
                let new = NewFeedback {
                    feedback: &feedback,
                    group_id: &group,
                    author_id: None,
                    youth_id: None,
                    device_key: &sha256(&id),
                    content_hash: &content_hash,
                    pickup_hash: pickup_hash.as_deref(),
                    today: today(),
                };
                let receipt = store_once(&mut cx, new, &row_id).await?;
                cx.commit_unaudited(Unaudited::AnonymousSender).await?;
                Ok(FeedbackReceipt { id: String::new(), ..receipt })
            }
            _ => Err(broken()),
        }
    }

    /// A random id that, unlike the time-ordered ids elsewhere, tells nothing about when
    /// the row was made.
    fn random_id() -> String {
        use rand::RngCore;
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
    }

    async fn store_once(cx: &mut Cx, new: NewFeedback<'_>, row_id: &FeedbackId) -> Result<FeedbackReceipt, AppError> {
        let content_hash = new.content_hash.to_owned();
        match crate::db::submissions::insert(cx.tx(), new, row_id).await {
            Ok(Stored::Created(id)) => Ok(FeedbackReceipt { id: id.into_string(), duplicate: false }),
            Ok(Stored::Exists { id, content_hash: first }) if first == content_hash => {
                Ok(FeedbackReceipt { id: id.into_string(), duplicate: true })
            }
            Ok(Stored::Exists { .. } | Stored::OtherKind) => Err(AppError::Conflict(texts().v_entry_exists.into())),
            // Two codes alike (one in 2^60): the device must make a new one.
            Err(e) if crate::db::is_unique_violation(&e) => Err(AppError::Conflict(texts().fb_v_broken.into())),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn pickup(input: &PickupInput) -> Result<FeedbackView, AppError> {
        use crate::domain::audit::{AuditAction, RecordKind};
        let t = texts();
        let Some(code) = normalize_pickup(&input.code) else {
            return Err(AppError::invalid("code", t.fb_v_code_shape));
        };
        let state = leptos::prelude::use_context::<crate::api::ssr::AppState>().ok_or(AppError::Internal)?;
        let key = format!("pickup:{}", client_address());
        let max = state.settings.pickup_max_per_address;
        // Counted before the lookup; a code that was right is forgotten again.
        let attempts = take_slots(&[(key, max)]).await?;
        let mut cx = Cx::public().await?;
        let hash = pickup_hash(cx.settings(), &code);
        let Some(row) = crate::db::submissions::by_pickup(cx.tx(), &hash).await? else {
            cx.rollback().await?;
            return Err(AppError::invalid("code", t.fb_v_code_unknown));
        };
        for attempt in &attempts {
            crate::db::throttle::forget(cx.tx(), attempt).await?;
        }
        let id = row.id.clone();
        let steps = crate::db::submissions::steps(cx.tx(), &id).await?;
        let mut view = view(row, false, false);
        view.steps = steps_view(steps);
        cx.audit_anonymous("(Abholcode)", AuditAction::Read, RecordKind::Feedback, Some(id.as_str())).await?;
        cx.commit().await?;
        Ok(view)
    }

    fn steps_view(s: Vec<crate::db::submissions::Step>) -> Vec<FeedbackStep> {
        steps(s, false)
    }

    pub async fn counts(cx: &mut Cx, month: &str) -> Result<MonthlyCounts, AppError> {
        use crate::domain::audit::{AuditAction, RecordKind};
        use chrono::Datelike;
        let now = today();
        let (year, month) = if month.trim().is_empty() {
            (now.year(), now.month())
        } else {
            parse_month(month).ok_or_else(|| AppError::invalid("month", texts().v_date_format))?
        };
        let first = chrono::NaiveDate::from_ymd_opt(year, month, 1).ok_or(AppError::Internal)?;
        let last =
            first.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).ok_or(AppError::Internal)?;
        let scope = cx.scope(Action::ViewFeedbackCounts).await?;
        let groups = crate::db::groups::list_in(cx.tx(), &scope).await?;
        let rows = crate::db::submissions::counts(cx.tx(), &first.to_string(), &last.to_string()).await?;
        let mut out = Vec::new();
        for group in groups {
            let mut counts: Vec<CountRow> = Vec::new();
            for (_, kind, topic, status, n) in rows.iter().filter(|r| r.0 == group.id) {
                let (Some(kind), Some(topic), Some(status)) =
                    (FeedbackKind::parse(kind), Topic::parse(topic), FeedbackStatus::parse(status))
                else {
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
        cx.audit(AuditAction::Read, RecordKind::FeedbackCounts, None, None).await?;
        Ok(MonthlyCounts { month: format!("{year:04}-{month:02}"), groups: out })
    }
}
