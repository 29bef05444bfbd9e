//! Kinderschutz (§ 8a SGB VIII): writing an observation (directly, or sealed from the
//! phone's outbox), which alerts Leitung and the group's Fachberatung in the same
//! transaction; the Kinderschutz page; taking note; opening a procedure from an
//! observation, an incident or for a young person; recording, co-signing and correcting
//! its steps; adding people to it. Visibility is by participation (`policy`): nothing of
//! this reaches the feed, the timeline, the group's counts or a report draft.

use crate::domain::outbox::{Receipt, SealedInput};
use crate::domain::protection::{
    CaseView, MemberInput, ObservationInput, ObservationView, OpenInput, ProtectionBoard, SignInput, StepInput,
};
use crate::error::AppError;
use leptos::prelude::*;

/// Stores an observation sent as a plain form. Idempotent by its id; 400 with field
/// messages on bad input, including a young person the caller may not write for.
#[server(prefix = "/api", endpoint = "protection/observe")]
pub async fn save_observation(input: ObservationInput) -> Result<Receipt, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::ReportObservation).await?;
    let receipt = ssr::store_observation(&mut cx, input).await?;
    cx.commit_receipt(receipt.duplicate).await?;
    super::ssr::redirect(&format!("/kinderschutz/beobachtungen/{}", receipt.id));
    Ok(receipt)
}

/// Receives a sealed observation from a device's outbox and stores it exactly once.
#[server(prefix = "/api", endpoint = "protection/deliver")]
pub async fn deliver_observation(input: SealedInput) -> Result<Receipt, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::ReportObservation).await?;
    let receipt = ssr::deliver(&mut cx, input).await?;
    cx.commit_receipt(receipt.duplicate).await?;
    Ok(receipt)
}

/// The Kinderschutz page: the observations waiting for Leitung's note and the
/// procedures (for those who review the groups and who were added), one's own
/// observations (for everyone who writes them).
#[server(prefix = "/api", endpoint = "protection/board")]
pub async fn get_protection_board() -> Result<ProtectionBoard, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::{Action, may_ever};
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::WorkChildProtection).await?;
    let groups = ssr::managed_groups(&mut cx).await?;
    let user = cx.user().id.clone();
    let waiting = crate::db::protection::waiting(cx.tx(), &groups).await?;
    let cases = crate::db::protection::cases_for(cx.tx(), &groups, &user).await?;
    let own = if may_ever(cx.user(), Action::ReportObservation) {
        crate::db::protection::by_author(cx.tx(), &user).await?
    } else {
        Vec::new()
    };
    let mut named: Vec<crate::domain::ids::YouthId> = Vec::new();
    named.extend(waiting.iter().map(|o| o.youth_id.clone()));
    named.extend(cases.iter().map(|c| c.youth_id.clone()));
    named.extend(own.iter().map(|o| o.youth_id.clone()));
    named.sort_unstable();
    named.dedup();
    let named: Vec<_> = named.iter().collect();
    let can_observe = may_ever(cx.user(), Action::ReportObservation);
    let board = ProtectionBoard {
        waiting: waiting.into_iter().map(|o| ssr::observation_view(&cx, o)).collect(),
        cases: cases.iter().map(ssr::case_summary).collect(),
        own: own.into_iter().map(|o| ssr::observation_view(&cx, o)).collect(),
        can_observe,
        reviews: !groups.is_empty(),
    };
    cx.audit_each(AuditAction::List, RecordKind::ProtectionBoard, None, &named).await?;
    cx.commit().await?;
    Ok(board)
}

/// One observation. 404 for everyone but its writer, those who review the group, and
/// who takes part in the procedure it joined.
#[server(prefix = "/api", endpoint = "protection/observation")]
pub async fn get_observation(id: String) -> Result<ObservationView, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let id: crate::domain::ids::ObservationId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::WorkChildProtection).await?;
    let row = cx.observation(Action::WorkChildProtection, &id).await?;
    let youth = row.youth_id.clone();
    let view = ssr::observation_view(&cx, row);
    cx.audit(AuditAction::Read, RecordKind::Observation, Some(id.as_str()), Some(&youth)).await?;
    cx.commit().await?;
    Ok(view)
}

/// Leitung takes note of an observation (the 24-hour deadline is met). A second note
/// changes nothing.
#[server(prefix = "/api", endpoint = "protection/acknowledge")]
pub async fn acknowledge_observation(id: String) -> Result<(), AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let id: crate::domain::ids::ObservationId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::AcknowledgeChildProtection).await?;
    let row = cx.observation(Action::AcknowledgeChildProtection, &id).await?;
    let user = cx.user().id.clone();
    if crate::db::protection::acknowledge(cx.tx(), &id, &user).await? {
        cx.audit(AuditAction::Update, RecordKind::Observation, Some(id.as_str()), Some(&row.youth_id)).await?;
        cx.commit().await?;
    } else {
        cx.rollback().await?;
    }
    super::ssr::redirect(&format!("/kinderschutz/beobachtungen/{id}"));
    Ok(())
}

/// Opens a procedure from an observation, an incident or for a young person (the
/// group's Fachberatung, Leitung). An observation joins one procedure only (409).
#[server(prefix = "/api", endpoint = "protection/open")]
pub async fn open_case(input: OpenInput) -> Result<String, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::ManageChildProtection).await?;
    let id = ssr::open(&mut cx, input).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/kinderschutz/{id}"));
    Ok(id.to_string())
}

/// A procedure with its observations, steps, signatures, deadlines, people and history.
#[server(prefix = "/api", endpoint = "protection/get")]
pub async fn get_case(id: String) -> Result<CaseView, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let id: crate::domain::ids::CaseId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::WorkChildProtection).await?;
    cx.protection(Action::WorkChildProtection, &id).await?;
    let view = ssr::case_view(&mut cx, &id).await?;
    let youth = ssr::case_youth(&mut cx, &id).await?;
    cx.audit(AuditAction::Read, RecordKind::Protection, Some(id.as_str()), Some(&youth)).await?;
    cx.commit().await?;
    Ok(view)
}

/// Records a step, signed by its author: it never changes afterwards. A correction is a
/// new step naming the one it corrects, with a reason. The form's `key` makes a resend
/// a 409, not a second step.
#[server(prefix = "/api", endpoint = "protection/step")]
pub async fn record_step(id: String, input: StepInput) -> Result<(), AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    let id: crate::domain::ids::CaseId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::WorkChildProtection).await?;
    cx.protection(Action::WorkChildProtection, &id).await?;
    ssr::step(&mut cx, &id, input).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/kinderschutz/{id}#schritte"));
    Ok(())
}

/// Co-signs a step: as the second professional (anyone in the procedure but its author)
/// or as Leitung (Kenntnisnahme). A signature is given once (409 after).
#[server(prefix = "/api", endpoint = "protection/sign")]
pub async fn sign_step(id: String, input: SignInput) -> Result<(), AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    let id: crate::domain::ids::StepId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::WorkChildProtection).await?;
    let case = ssr::sign(&mut cx, &id, input).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/kinderschutz/{case}#schritte"));
    Ok(())
}

/// Adds a Fachkraft or a Fachberatung to a procedure (the group's Fachberatung, Leitung).
#[server(prefix = "/api", endpoint = "protection/member")]
pub async fn add_member(id: String, input: MemberInput) -> Result<(), AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    let id: crate::domain::ids::CaseId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::ManageChildProtection).await?;
    cx.protection(Action::ManageChildProtection, &id).await?;
    ssr::member(&mut cx, &id, input).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/kinderschutz/{id}#beteiligte"));
    Ok(())
}

/// How many observations wait for Leitung's note and how many deadlines are overdue in
/// the groups the caller reviews (the menu badge). Only a number: no audit row.
#[server(prefix = "/api", endpoint = "protection/count")]
pub async fn protection_count() -> Result<i64, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::PollChanges).await?;
    let scope = cx.scope(Action::PollChanges).await?;
    let groups: Vec<_> = scope
        .groups()
        .filter(|g| {
            cx.can(Action::ManageChildProtection, crate::auth::policy::Resource::Protection { group: g, member: false })
        })
        .cloned()
        .collect();
    let waiting = crate::db::protection::waiting_count(cx.tx(), &groups).await?;
    let overdue = crate::db::protection::overdue_count(cx.tx(), &groups).await?;
    cx.commit().await?;
    Ok(waiting + overdue)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::cx::Cx;
    use crate::api::ssr::{public_link, today};
    use crate::auth::policy::{Action, Resource};
    use crate::db::protection as store;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::ids::{CaseId, GroupId, IncidentId, ObservationId, StepId, UserId, YouthId};
    use crate::domain::outbox::{Receipt, SealedInput};
    use crate::domain::protection::{
        Candidate, CaseEvent, CaseSummary, CaseView, DeadlineKind, DeadlineView, FirstResult, MemberInput,
        ObservationInput, ObservationView, OpenInput, SealedObservation, SignInput, SignRole, Signature, StepBody,
        StepInput, StepKind, StepView, add_working_days, alarm_mail,
    };
    use crate::domain::text::berlin_minute;
    use crate::error::AppError;
    use crate::i18n::{fill, texts};

    /// The outbox kind of a sealed observation.
    pub const KIND: &str = "observation";
    const DAY_MS: i64 = 24 * 3_600_000;

    fn minute(ms: i64) -> String {
        berlin_minute(crate::db::time_of(ms))
    }

    /// The end of a Berlin day, in milliseconds.
    fn end_of_day(day: chrono::NaiveDate) -> i64 {
        use chrono::TimeZone;
        let end = day.and_hms_opt(23, 59, 0).unwrap_or_default();
        chrono_tz::Europe::Berlin
            .from_local_datetime(&end)
            .earliest()
            .map_or_else(|| crate::db::now_ms() + DAY_MS, |at| at.timestamp_millis())
    }

    /// The groups whose procedures the caller reviews (Fachberatung, Leitung).
    pub async fn managed_groups(cx: &mut Cx) -> Result<Vec<GroupId>, AppError> {
        let all = crate::db::groups::ids(cx.tx()).await?;
        Ok(all
            .into_iter()
            .filter(|g| cx.can(Action::ManageChildProtection, Resource::Protection { group: g, member: false }))
            .collect())
    }

    pub fn observation_view(cx: &Cx, o: store::Observation) -> ObservationView {
        let group = Resource::Observation { group: &o.group_id, author: false };
        let can_acknowledge = o.acknowledged.is_none() && cx.can(Action::AcknowledgeChildProtection, group);
        let can_start = o.case_id.is_none() && cx.can(Action::ManageChildProtection, group);
        let occurred = match chrono::NaiveDate::parse_from_str(&o.occurred_on, "%Y-%m-%d") {
            Ok(day) => format!("{}, {}", day.format("%d.%m.%Y"), o.occurred_time),
            Err(_) => o.occurred_on.clone(),
        };
        ObservationView {
            id: o.id,
            youth_id: o.youth_id,
            youth_name: o.youth_name,
            group_name: o.group_name,
            occurred,
            body: o.body,
            author_name: o.author_name,
            acknowledged: o.acknowledged.map(|(at, by)| match by {
                Some(name) => format!("{name}, {}", minute(at)),
                None => minute(at),
            }),
            case_id: o.case_id,
            overdue: o.overdue,
            can_acknowledge,
            can_start,
            open_key: CaseId::fresh().into_string(),
        }
    }

    pub fn case_summary(c: &store::Case) -> CaseSummary {
        CaseSummary {
            id: c.id.clone(),
            youth_name: c.youth_name(),
            group_name: c.group_name.clone(),
            opened: minute(c.opened_at),
            concerns_staff: c.concerns_staff != 0,
            stage: c.stage(),
            closed: c.closed_at.is_some(),
            outcome: c.outcome(),
            overdue: c.overdue > 0,
        }
    }

    pub async fn case_youth(cx: &mut Cx, id: &CaseId) -> Result<YouthId, AppError> {
        Ok(store::case(cx.tx(), id).await?.ok_or(AppError::NotFound)?.youth_id)
    }

    /// Stores an observation and tells Leitung and the group's Fachberatung, in one
    /// transaction, with the deadline for Leitung's note.
    pub async fn store_observation(cx: &mut Cx, input: ObservationInput) -> Result<Receipt, AppError> {
        let t = texts();
        let observation = input.validate(today())?;
        let body = serde_json::to_string(&observation.body).map_err(|_| AppError::Internal)?;
        let author = cx.user().id.clone();
        let resent = |stored_author: &UserId, stored_body: &str| {
            if *stored_author == author && stored_body == body {
                Ok(Receipt { id: observation.id.to_string(), duplicate: true })
            } else {
                Err(AppError::Conflict(t.v_entry_exists.into()))
            }
        };
        if let Some((stored_author, stored_body)) = store::stored_observation(cx.tx(), &observation.id).await? {
            return resent(&stored_author, &stored_body);
        }
        let group = match cx.youth(Action::ReportObservation, &observation.youth_id).await {
            Ok(g) => g,
            Err(AppError::NotFound | AppError::Forbidden) => {
                return Err(AppError::invalid("youth_id", t.v_unknown_youth));
            }
            Err(other) => return Err(other),
        };
        if let Some((stored_author, stored_body)) =
            store::insert_observation(cx.tx(), &observation, &group, &author).await?
        {
            return resent(&stored_author, &stored_body);
        }
        let due = crate::db::now_ms() + cx.settings().cp_ack_hours * 3_600_000;
        store::add_deadline(cx.tx(), None, Some(&observation.id), DeadlineKind::Acknowledge, due).await?;
        cx.audit(
            AuditAction::Create,
            RecordKind::Observation,
            Some(observation.id.as_str()),
            Some(&observation.youth_id),
        )
        .await?;
        let path = format!("/kinderschutz/beobachtungen/{}", observation.id);
        alert(cx, &group, &path, false).await?;
        Ok(Receipt { id: observation.id.to_string(), duplicate: false })
    }

    /// Queues the alarm e-mail (a link, no names) to Leitung and the group's
    /// Fachberatung; the menu badge tells them in the app.
    async fn alert(cx: &mut Cx, group: &GroupId, path: &str, overdue: bool) -> Result<(), AppError> {
        let recipients = crate::db::incidents::recipients(cx.tx(), group).await?;
        let base = public_link(cx.settings(), "");
        let (subject, mail) = alarm_mail(&base, path, overdue);
        for address in recipients.iter().filter_map(|r| r.email.as_deref()) {
            crate::db::incidents::queue_mail(cx.tx(), address, &subject, &mail).await?;
        }
        Ok(())
    }

    /// Opens a sealed outbox item and stores the observation it holds.
    pub async fn deliver(cx: &mut Cx, input: SealedInput) -> Result<Receipt, AppError> {
        let t = texts();
        let sealed = || AppError::BadRequest(t.v_sealed.into());
        let settings = cx.settings().clone();
        let (id, plain) = crate::api::ssr::open_sealed(cx.tx(), &settings, &input, KIND, sealed).await?;
        let payload: SealedObservation = serde_json::from_slice(&plain).map_err(|_| sealed())?;
        if payload.author_id != cx.user().id.as_str() {
            return Err(AppError::Conflict(t.v_not_your_entry.into()));
        }
        if payload.observation.id.trim() != id {
            return Err(sealed());
        }
        store_observation(cx, payload.observation).await
    }

    /// Opens a procedure; returns its id.
    pub async fn open(cx: &mut Cx, input: OpenInput) -> Result<CaseId, AppError> {
        let t = texts();
        let concerns_staff = match input.concerns_staff.trim() {
            "" => false,
            "ja" => true,
            _ => return Err(AppError::invalid("concerns_staff", t.v_cp_concerns_staff)),
        };
        let id = CaseId::parse(&input.key).ok_or_else(|| AppError::BadRequest(t.v_entry_id.into()))?;
        if store::case(cx.tx(), &id).await?.is_some() {
            return Err(AppError::Conflict(t.v_entry_exists.into()));
        }
        let from = input.from.trim();
        let (group, youth, observation, incident): (GroupId, YouthId, Option<ObservationId>, Option<IncidentId>) =
            if let Some(id) = ObservationId::parse(from)
                && store::observation(cx.tx(), &id).await?.is_some()
            {
                let row = cx.observation(Action::ManageChildProtection, &id).await?;
                if row.case_id.is_some() {
                    return Err(AppError::Conflict(t.v_cp_already_case.into()));
                }
                (row.group_id, row.youth_id, Some(id), None)
            } else if let Some(id) = IncidentId::parse(from)
                && crate::db::incidents::group_of(cx.tx(), &id).await?.is_some()
            {
                let group = crate::db::incidents::group_of(cx.tx(), &id).await?.ok_or(AppError::NotFound)?;
                if !cx.can(Action::ViewEntries, Resource::Group(&group)) {
                    return Err(AppError::NotFound);
                }
                if !cx.can(Action::ManageChildProtection, Resource::Protection { group: &group, member: false }) {
                    return Err(AppError::Forbidden);
                }
                let youths = crate::db::incidents::youths(cx.tx(), &id).await?;
                let chosen = YouthId::parse(&input.youth_id);
                let youth = match (chosen, youths.as_slice()) {
                    (Some(y), _) if youths.iter().any(|(id, _)| *id == y) => y,
                    (None, [(only, _)]) => only.clone(),
                    _ => return Err(AppError::invalid("youth_id", t.v_unknown_youth)),
                };
                (group, youth, None, Some(id))
            } else if let Some(youth) = YouthId::parse(from) {
                let group = crate::db::youths::group_of(cx.tx(), &youth).await?.ok_or(AppError::NotFound)?;
                if !cx.can(Action::ViewGroup, Resource::Group(&group)) {
                    return Err(AppError::NotFound);
                }
                if !cx.can(Action::ManageChildProtection, Resource::Protection { group: &group, member: false }) {
                    return Err(AppError::Forbidden);
                }
                (group, youth, None, None)
            } else {
                return Err(AppError::invalid("from", t.v_cp_from));
            };
        // Decided (and the request marked personal) through the policy once more.
        let user = cx.user().id.clone();
        store::insert_case(cx.tx(), &id, &group, &youth, concerns_staff, incident.as_ref(), &user).await?;
        if let Some(observation) = &observation
            && !store::attach(cx.tx(), observation, &id).await?
        {
            return Err(AppError::Conflict(t.v_cp_already_case.into()));
        }
        cx.protection(Action::ManageChildProtection, &id).await?;
        let detail = if incident.is_some() { t.cp_from_incident } else { "" };
        store::add_event(cx.tx(), &id, "eroeffnet", Some(&user), detail).await?;
        let due = crate::db::now_ms() + cx.settings().cp_review_days * DAY_MS;
        store::add_deadline(cx.tx(), Some(&id), None, DeadlineKind::Review, due).await?;
        cx.audit(AuditAction::Create, RecordKind::Protection, Some(id.as_str()), Some(&youth)).await?;
        Ok(id)
    }

    /// Records a step (the caller may work on the procedure).
    pub async fn step(cx: &mut Cx, id: &CaseId, input: StepInput) -> Result<(), AppError> {
        let t = texts();
        let today = today();
        let step_id = StepId::parse(&input.key).ok_or_else(|| AppError::BadRequest(t.v_entry_id.into()))?;
        let valid = input.validate(today)?;
        let case = store::case(cx.tx(), id).await?.ok_or(AppError::NotFound)?;
        let steps = store::steps(cx.tx(), id).await?;
        if steps.iter().any(|s| s.id == step_id) || store::step_scope(cx.tx(), &step_id).await?.is_some() {
            return Err(AppError::Conflict(t.v_entry_exists.into()));
        }
        let kind = valid.body.kind();
        match &valid.corrects {
            Some((corrected, _)) => {
                if !steps.iter().any(|s| s.id == *corrected && s.kind == kind) {
                    return Err(AppError::invalid("corrects", t.v_cp_corrects));
                }
            }
            None => {
                if case.closed_at.is_some() {
                    return Err(AppError::Conflict(t.v_cp_closed.into()));
                }
                if kind != StepKind::First && !steps.iter().any(|s| s.kind == StepKind::First) {
                    return Err(AppError::invalid("kind", t.v_cp_first_needed));
                }
            }
        }
        let user = cx.user().id.clone();
        store::insert_step(cx.tx(), &step_id, id, &valid, &user).await?;
        match &valid.body {
            StepBody::First { result: FirstResult::Indications | FirstResult::Acute, .. } => {
                let days = u32::try_from(cx.settings().cp_specialist_days).unwrap_or(3);
                let due = end_of_day(add_working_days(valid.date, days));
                store::add_deadline(cx.tx(), Some(id), None, DeadlineKind::Specialist, due).await?;
            }
            StepBody::Specialist { .. } => store::meet(cx.tx(), id, DeadlineKind::Specialist).await?,
            StepBody::Review { next_review, .. } => {
                store::meet(cx.tx(), id, DeadlineKind::Review).await?;
                let due = match next_review {
                    Some(day) => end_of_day(*day),
                    None => crate::db::now_ms() + cx.settings().cp_review_days * DAY_MS,
                };
                store::add_deadline(cx.tx(), Some(id), None, DeadlineKind::Review, due).await?;
            }
            StepBody::Closing { outcome, .. } if valid.corrects.is_none() || case.closed_at.is_some() => {
                store::close(cx.tx(), id, *outcome).await?;
            }
            _ => {}
        }
        cx.audit(AuditAction::Sign, RecordKind::Protection, Some(step_id.as_str()), Some(&case.youth_id)).await?;
        Ok(())
    }

    /// Co-signs a step; returns its procedure.
    pub async fn sign(cx: &mut Cx, id: &StepId, input: SignInput) -> Result<CaseId, AppError> {
        let t = texts();
        let signed_as =
            SignRole::parse(&input.signed_as).ok_or_else(|| AppError::invalid("signed_as", t.v_cp_sign_role))?;
        let (case, author) = store::step_scope(cx.tx(), id).await?.ok_or(AppError::NotFound)?;
        cx.protection(Action::WorkChildProtection, &case).await?;
        let user = cx.user().id.clone();
        match signed_as {
            SignRole::Second if author == user => return Err(AppError::Conflict(t.v_cp_own_step.into())),
            SignRole::Second => {}
            SignRole::Acknowledgement => {
                cx.protection(Action::AcknowledgeChildProtection, &case).await?;
            }
        }
        if !store::sign(cx.tx(), id, signed_as, &user).await? {
            return Err(AppError::Conflict(t.v_cp_signed.into()));
        }
        let youth = case_youth(cx, &case).await?;
        cx.audit(AuditAction::Sign, RecordKind::Protection, Some(id.as_str()), Some(&youth)).await?;
        Ok(case)
    }

    /// Adds someone to a procedure.
    pub async fn member(cx: &mut Cx, id: &CaseId, input: MemberInput) -> Result<(), AppError> {
        let t = texts();
        let refused = || AppError::invalid("user_id", t.v_cp_member);
        let user_id = UserId::parse(&input.user_id).ok_or_else(refused)?;
        let candidates = store::candidates(cx.tx()).await?;
        let Some((_, name, _)) = candidates.iter().find(|(c, _, _)| *c == user_id) else {
            return Err(refused());
        };
        let name = name.clone();
        let by = cx.user().id.clone();
        if store::add_member(cx.tx(), id, &user_id, &by).await? {
            store::add_event(cx.tx(), id, "hinzugezogen", Some(&by), &name).await?;
            let youth = case_youth(cx, id).await?;
            cx.audit(AuditAction::Update, RecordKind::Protection, Some(id.as_str()), Some(&youth)).await?;
        } else {
            return Err(AppError::Conflict(t.v_cp_member.into()));
        }
        Ok(())
    }

    /// Everything the case page shows.
    pub async fn case_view(cx: &mut Cx, id: &CaseId) -> Result<CaseView, AppError> {
        let t = texts();
        let case = store::case(cx.tx(), id).await?.ok_or(AppError::NotFound)?;
        let observations = store::of_case(cx.tx(), id).await?;
        let steps = store::steps(cx.tx(), id).await?;
        let signatures = store::signatures(cx.tx(), id).await?;
        let deadlines = store::deadlines(cx.tx(), id).await?;
        let members = store::members(cx.tx(), id).await?;
        let events = store::events(cx.tx(), id).await?;
        let user = cx.user().id.clone();
        let resource = Resource::Protection { group: &case.group_id, member: members.iter().any(|(u, _)| *u == user) };
        let can_work = cx.can(Action::WorkChildProtection, resource);
        let can_manage = cx.can(Action::ManageChildProtection, resource);
        let is_leitung = cx.can(Action::AcknowledgeChildProtection, resource);
        let now = crate::db::now_ms();
        let licence_offer = case.concerns_staff != 0 && crate::api::licence::ssr::offered(cx, &case.group_id).await?;
        let step_views = steps
            .iter()
            .map(|s| {
                let signed: Vec<_> = signatures.iter().filter(|g| g.0 == s.id).collect();
                let has = |role: SignRole| signed.iter().any(|g| g.1 == role.code());
                let mut list =
                    vec![Signature { signed_as: None, name: s.author_name.clone(), at: minute(s.created_at) }];
                list.extend(signed.iter().map(|g| Signature {
                    signed_as: SignRole::parse(&g.1),
                    name: g.3.clone(),
                    at: minute(g.4),
                }));
                let corrected_by =
                    steps.iter().find(|later| later.corrects.as_ref().is_some_and(|(c, _)| *c == s.id)).map(|later| {
                        fill(
                            t.cp_corrected_by,
                            &[
                                ("when", &minute(later.created_at)),
                                ("name", &later.author_name),
                                ("reason", later.corrects.as_ref().map_or("", |(_, r)| r.as_str())),
                            ],
                        )
                    });
                StepView {
                    id: s.id.clone(),
                    kind: s.kind,
                    date: crate::domain::text::format_date(&s.occurred_on),
                    participants: s.participants.clone(),
                    lines: s
                        .body
                        .as_ref()
                        .map(|b| b.lines().into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                        .unwrap_or_default(),
                    signatures: list,
                    correction_of: s
                        .corrects
                        .as_ref()
                        .map(|(_, reason)| fill(t.cp_correction_of, &[("reason", reason)])),
                    can_sign_second: can_work
                        && s.author_id != user
                        && !has(SignRole::Second)
                        && corrected_by.is_none(),
                    can_sign_leitung: is_leitung && !has(SignRole::Acknowledgement) && corrected_by.is_none(),
                    can_correct: can_work && corrected_by.is_none(),
                    corrected_by,
                }
            })
            .collect();
        let candidates = if can_manage {
            store::candidates(cx.tx())
                .await?
                .into_iter()
                .filter(|(c, _, _)| !members.iter().any(|(m, _)| m == c))
                .map(|(id, name, role)| Candidate {
                    id,
                    name,
                    role: crate::domain::Role::parse(&role).map(|r| r.label().to_owned()).unwrap_or(role),
                })
                .collect()
        } else {
            Vec::new()
        };
        let event_text = |kind: &str, detail: &str| match kind {
            "eroeffnet" if detail.is_empty() => t.cp_event_opened.to_owned(),
            "eroeffnet" => format!("{} ({detail})", t.cp_event_opened),
            "hinzugezogen" => fill(t.cp_event_member, &[("name", detail)]),
            "eskaliert" => fill(t.cp_event_escalated, &[("what", detail)]),
            "dokument" => fill(t.cp_event_exported, &[("what", detail)]),
            _ => detail.to_owned(),
        };
        Ok(CaseView {
            summary: case_summary(&case),
            observations: observations.into_iter().map(|o| observation_view(cx, o)).collect(),
            steps: step_views,
            deadlines: deadlines
                .into_iter()
                .filter_map(|(kind, due, met, escalated)| {
                    Some(DeadlineView {
                        kind: DeadlineKind::parse(&kind)?,
                        due: minute(due),
                        met: met.is_some(),
                        overdue: met.is_none() && (escalated.is_some() || due <= now),
                    })
                })
                .collect(),
            members: members.into_iter().map(|(_, name)| name).collect(),
            events: events
                .into_iter()
                .map(|(at, kind, by, detail)| CaseEvent { at: minute(at), by, text: event_text(&kind, &detail) })
                .collect(),
            candidates,
            can_work,
            can_manage,
            today: today().to_string(),
            key: StepId::fresh().into_string(),
            licence_offer,
        })
    }

    /// Escalates the deadlines that are due: a line in the procedure's history and an
    /// alarm e-mail to Leitung and the group's Fachberatung, each once. Called by the
    /// server's alert worker.
    pub async fn escalate_due(conn: &mut crate::db::Conn, public_url: &str) -> Result<usize, sqlx::Error> {
        let due = store::claim_due(conn, crate::db::now_ms()).await?;
        let count = due.len();
        for d in due {
            let what = DeadlineKind::parse(&d.kind).map_or_else(|| d.kind.clone(), |k| k.label().to_owned());
            let path = match (&d.case_id, &d.observation_id) {
                (Some(case), _) => {
                    store::add_event(conn, case, "eskaliert", None, &what).await?;
                    format!("/kinderschutz/{case}")
                }
                (None, Some(observation)) => format!("/kinderschutz/beobachtungen/{observation}"),
                (None, None) => "/kinderschutz".to_owned(),
            };
            let recipients = crate::db::incidents::recipients(conn, &d.group_id).await?;
            let (subject, body) = alarm_mail(public_url, &path, true);
            for address in recipients.iter().filter_map(|r| r.email.as_deref()) {
                crate::db::incidents::queue_mail(conn, address, &subject, &body).await?;
            }
        }
        Ok(count)
    }

    /// The Mitteilung an das Jugendamt, or the pseudonymised account for the insoweit
    /// erfahrene Fachkraft, as a PDF for a plain GET: the same access as reading the
    /// procedure, and an export in the audit log. Returns the file and its name.
    pub async fn pdf(
        store_: crate::db::Store,
        settings: std::sync::Arc<crate::api::ssr::Settings>,
        actor: Option<crate::domain::user::CurrentUser>,
        id: &str,
        pseudonymised: bool,
    ) -> Result<(Vec<u8>, String), AppError> {
        let t = texts();
        let mut cx = Cx::open(store_, settings.clone(), actor, Action::WorkChildProtection).await?;
        let id: CaseId = crate::api::cx::id(id)?;
        cx.protection(Action::WorkChildProtection, &id).await?;
        let view = case_view(&mut cx, &id).await?;
        let case = store::case(cx.tx(), &id).await?.ok_or(AppError::NotFound)?;
        let youth = crate::db::youths::get(cx.tx(), &case.youth_id).await?.ok_or(AppError::NotFound)?;
        let names = if pseudonymised { known_names(&mut cx, &youth).await? } else { Vec::new() };
        let what = if pseudonymised { t.cp_export_title } else { t.cp_pdf_title };
        let user = cx.user().id.clone();
        let contact = cx.user().display_name.clone();
        store::add_event(cx.tx(), &id, "dokument", Some(&user), what).await?;
        cx.audit(AuditAction::Export, RecordKind::Protection, Some(id.as_str()), Some(&case.youth_id)).await?;
        cx.commit().await?;
        let document = super::print::document(&view, &youth, &settings.institute_name, &contact, &names, pseudonymised);
        let bytes = crate::api::reports::ssr::render_pdf(document).await?;
        let name = if pseudonymised {
            format!(
                "Fachberatung-8a-{}.pdf",
                crate::domain::protection::initials(&youth.first_name, &youth.last_name).replace(['.', ' '], "")
            )
        } else {
            crate::domain::report::file_name(&format!("Mitteilung-8a-{}", case.youth_name()), &view.today, 1)
        };
        Ok((bytes, name))
    }

    /// The names the pseudonymised export replaces: the young person's, every account's.
    async fn known_names(cx: &mut Cx, youth: &crate::domain::youth::Youth) -> Result<Vec<(String, String)>, AppError> {
        use crate::domain::protection::initials;
        let mut names = vec![
            (format!("{} {}", youth.first_name, youth.last_name), initials(&youth.first_name, &youth.last_name)),
            (youth.first_name.clone(), initials(&youth.first_name, "")),
            (youth.last_name.clone(), initials(&youth.last_name, "")),
        ];
        if !youth.caseworker_name.trim().is_empty() {
            names.push((youth.caseworker_name.clone(), texts().cp_pdf_caseworker.to_owned()));
        }
        for (_, name, _) in store::candidates(cx.tx()).await? {
            let parts: Vec<&str> = name.split_whitespace().collect();
            let stand_in = match parts.as_slice() {
                [first, .., last] => initials(first, last),
                [only] => initials(only, ""),
                [] => continue,
            };
            names.push((name.clone(), stand_in.clone()));
            if let Some(last) = parts.last().filter(|_| parts.len() > 1) {
                names.push(((*last).to_owned(), stand_in));
            }
        }
        Ok(names)
    }
}

#[cfg(feature = "ssr")]
pub mod print {
    use crate::domain::protection::{CaseView, StepKind, scrub};
    use crate::domain::youth::Youth;
    use crate::i18n::texts;
    use gruppenbuch_pdf::{Block, Document, Section};

    /// The PDF's content. With `pseudonymised`, initials instead of names, the age
    /// instead of the birth date, no custody or caseworker, and known names in the free
    /// texts replaced (`names`).
    pub fn document(
        view: &CaseView,
        youth: &Youth,
        institute: &str,
        contact: &str,
        names: &[(String, String)],
        pseudonymised: bool,
    ) -> Document {
        let t = texts();
        let clean = |text: &str| if pseudonymised { scrub(text, names) } else { text.to_owned() };
        let mut facts = vec![(t.cp_pdf_institution.to_owned(), institute.to_owned())];
        if pseudonymised {
            facts.push((
                t.cp_pdf_youth.to_owned(),
                crate::domain::protection::initials(&youth.first_name, &youth.last_name),
            ));
            facts.push((t.cp_pdf_age.to_owned(), youth.age.to_string()));
        } else {
            facts.push((t.cp_pdf_contact.to_owned(), contact.to_owned()));
            facts.push((t.cp_pdf_youth.to_owned(), format!("{} {}", youth.first_name, youth.last_name)));
            facts.push((t.cp_pdf_birth.to_owned(), crate::domain::text::format_date(&youth.birth_date)));
            facts.push((t.cp_pdf_group.to_owned(), youth.group_name.clone()));
            facts.push((t.cp_pdf_custody.to_owned(), youth.custody.clone()));
            facts.push((t.cp_pdf_caseworker.to_owned(), youth.caseworker_name.clone()));
        }
        facts.retain(|(_, v)| !v.trim().is_empty());
        let mut sections = Vec::new();
        let observations: Vec<Block> = view
            .observations
            .iter()
            .flat_map(|o| {
                let mut blocks = vec![Block::Item {
                    date: o.occurred.clone(),
                    text: format!("{} ({})", clean(&o.body.fact), o.body.source.label()),
                }];
                if !o.body.assessment.is_empty() {
                    blocks.push(Block::Remark { text: clean(&o.body.assessment) });
                }
                blocks
            })
            .collect();
        if !observations.is_empty() {
            sections.push(Section { title: t.cp_pdf_observations.to_owned(), blocks: observations });
        }
        // The checklist: every step in the procedure's order, with its dates.
        let mut checklist = Vec::new();
        for kind in StepKind::ALL {
            let done: Vec<&str> = view
                .steps
                .iter()
                .filter(|s| s.kind == *kind && s.corrected_by.is_none())
                .map(|s| s.date.as_str())
                .collect();
            let value = if done.is_empty() { t.cp_step_missing.to_owned() } else { done.join(", ") };
            checklist.push((kind.label().to_owned(), value));
        }
        sections.push(Section { title: t.cp_pdf_steps.to_owned(), blocks: vec![Block::Facts { rows: checklist }] });
        for step in view.steps.iter().filter(|s| s.corrected_by.is_none()) {
            let mut rows = vec![(t.cp_step_date.to_owned(), step.date.clone())];
            if !step.participants.is_empty() {
                rows.push((t.cp_participants.to_owned(), clean(&step.participants)));
            }
            rows.extend(step.lines.iter().map(|(k, v)| (k.clone(), clean(v))));
            let signed: Vec<String> = step
                .signatures
                .iter()
                .map(|s| {
                    let who = if pseudonymised { scrub(&s.name, names) } else { s.name.clone() };
                    match s.signed_as {
                        Some(role) => format!("{}: {who}, {}", role.label(), s.at),
                        None => format!("{who}, {}", s.at),
                    }
                })
                .collect();
            let mut blocks = vec![Block::Facts { rows }];
            if let Some(reason) = &step.correction_of {
                blocks.push(Block::Remark { text: clean(reason) });
            }
            blocks.push(Block::Remark { text: signed.join(" · ") });
            sections.push(Section { title: step.kind.label().to_owned(), blocks });
        }
        let result = match view.summary.outcome {
            Some(outcome) => outcome.label().to_owned(),
            None => t.cp_pdf_no_result.to_owned(),
        };
        sections.push(Section { title: t.cp_pdf_result.to_owned(), blocks: vec![Block::Paragraph { text: result }] });
        Document {
            institute: institute.to_owned(),
            title: if pseudonymised { t.cp_export_title } else { t.cp_pdf_title }.to_owned(),
            subtitle: if pseudonymised { t.cp_export_subtitle } else { t.cp_pdf_subtitle }.to_owned(),
            version_label: crate::domain::text::format_date(&view.today),
            facts,
            sections,
            signatures: Vec::new(),
        }
    }
}
