//! The report for the Hilfeplangespräch: drafting it from the record, editing it section
//! by section, the Fachberatung's review and comments, Leitung's signature (which freezes
//! it), corrections as new versions, the date it was sent to the youth office, the
//! summary for the young person, and the young person's own view.
//!
//! A report is read by whoever reads the young person's record (the group, its
//! Fachberatung, Leitung); every read is logged. The young person reads only the summary
//! released to them.

use crate::domain::outbox::{Receipt, SealedInput};
use crate::domain::report::{
    CorrectReportInput, OwnViewForm, ReportCommentInput, ReportDateInput, ReportRef, ReportView, RevisionInput,
    SectionInput, StartInput, SummaryInput, TemplateInput, TemplateSection,
};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A young person's reports, and whether the caller may start one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportList {
    pub youth_id: String,
    pub youth_name: String,
    pub reports: Vec<ReportRef>,
    /// The next Hilfeplangespräch as the last plan set it (YYYY-MM-DD or "").
    pub next_meeting: String,
    pub can_start: bool,
}

/// The list of sections as Leitung configured it (or the default one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateView {
    pub sections: Vec<TemplateSection>,
    pub custom: bool,
}

/// A young person's reports. 404 outside the caller's groups.
#[server(prefix = "/api", endpoint = "reports/list")]
pub async fn list_reports(id: String) -> Result<ReportList, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::{Action, Resource};
    use crate::domain::audit::{AuditAction, RecordKind};
    let youth: crate::domain::ids::YouthId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::ViewEntries).await?;
    let group = cx.youth(Action::ViewEntries, &youth).await?;
    let youth_name = super::plans::ssr::youth_name(&mut cx, &youth).await?;
    let reports = crate::db::reports::list_for_youth(cx.tx(), &youth).await?;
    let next_meeting = crate::db::plans::latest(cx.tx(), &youth).await?.map(|p| p.snapshot.next_on).unwrap_or_default();
    let can_start = cx.can(Action::WriteReport, Resource::Group(&group));
    cx.audit(AuditAction::List, RecordKind::Report, Some(youth.as_str()), Some(&youth)).await?;
    cx.commit().await?;
    Ok(ReportList { youth_id: youth.into_string(), youth_name, reports, next_meeting, can_start })
}

/// Starts the report for a planned Hilfeplangespräch: the draft for the period since the
/// last one, in the configured sections. If a report is already being written for the
/// young person, that one is opened instead.
#[server(prefix = "/api", endpoint = "reports/start")]
pub async fn start_report(input: StartInput) -> Result<String, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let youth: crate::domain::ids::YouthId = parse_id(&input.youth_id)?;
    let mut cx = Cx::begin(Action::WriteReport).await?;
    cx.youth(Action::WriteReport, &youth).await?;
    let last = crate::db::plans::latest_date(cx.tx(), &youth).await?.and_then(|d| ssr::date(&d));
    let meeting = input.validate(super::ssr::today(), last)?;
    if let Some(open) = crate::db::reports::open_for_youth(cx.tx(), &youth).await? {
        cx.audit(AuditAction::Read, RecordKind::Report, Some(&open), Some(&youth)).await?;
        cx.commit().await?;
        super::ssr::redirect(&format!("/berichte/{open}"));
        return Ok(open);
    }
    let id = ssr::create(&mut cx, &youth, meeting).await?;
    cx.audit(AuditAction::Create, RecordKind::Report, Some(&id), Some(&youth)).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/berichte/{id}"));
    Ok(id)
}

/// One report version with its comments and versions. 404 outside the caller's groups.
#[server(prefix = "/api", endpoint = "reports/get")]
pub async fn get_report(id: String) -> Result<ReportView, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::ViewEntries).await?;
    let (stored, _) = ssr::load(&mut cx, &id, Action::ViewEntries).await?;
    let youth = stored.youth_id.clone();
    let id = stored.id.clone();
    let view = ssr::view(&mut cx, stored).await?;
    cx.audit(AuditAction::Read, RecordKind::Report, Some(&id), Some(&youth)).await?;
    cx.commit().await?;
    Ok(view)
}

/// Saves one section: the people's text and which generated lines to leave out. Refused
/// once signed, and when the report changed since the editor loaded it.
#[server(prefix = "/api", endpoint = "reports/section")]
pub async fn save_report_section(input: SectionInput) -> Result<i64, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::i18n::texts;
    let t = texts();
    let valid = input.validate()?;
    let mut cx = Cx::begin(Action::WriteReport).await?;
    let (stored, _) = ssr::load(&mut cx, &input.report_id, Action::WriteReport).await?;
    ssr::not_frozen(&stored)?;
    let mut body = stored.body.clone();
    let key = input.section.trim();
    let section = body
        .sections
        .iter_mut()
        .find(|s| s.key == key)
        .ok_or_else(|| AppError::invalid("section", t.v_report_section))?;
    if valid.dropped.iter().any(|&i| i >= section.lines.len()) {
        return Err(AppError::invalid("dropped", t.v_report_lines));
    }
    section.text = valid.text;
    for (i, line) in section.lines.iter_mut().enumerate() {
        line.dropped = valid.dropped.contains(&i);
    }
    section.changed_by = cx.user().display_name.clone();
    section.changed_at = crate::domain::text::berlin_minute(chrono::Utc::now());
    if !crate::db::reports::update_body(cx.tx(), &stored.id, valid.revision, &body, None).await? {
        return Err(AppError::Conflict(t.v_report_revision.into()));
    }
    let record = format!("{}/{key}", stored.id);
    cx.audit(AuditAction::Update, RecordKind::Report, Some(&record), Some(&stored.youth_id)).await?;
    cx.commit().await?;
    Ok(valid.revision + 1)
}

/// Draws entries written since the draft was made into the generated lines, keeping what
/// people wrote and the lines they left out.
#[server(prefix = "/api", endpoint = "reports/regenerate")]
pub async fn regenerate_report(input: RevisionInput) -> Result<i64, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let revision = ssr::revision(&input.revision)?;
    let mut cx = Cx::begin(Action::WriteReport).await?;
    let (stored, _) = ssr::load(&mut cx, &input.report_id, Action::WriteReport).await?;
    ssr::not_frozen(&stored)?;
    let from = ssr::date(&stored.period_from).ok_or(AppError::Internal)?;
    let meeting = ssr::date(&stored.meeting_on).ok_or(AppError::Internal)?;
    let to = super::ssr::today().min(meeting);
    let fresh = ssr::draft(&mut cx, &stored.youth_id, from, to).await?;
    let body = stored.body.regenerated(fresh);
    if !crate::db::reports::update_body(cx.tx(), &stored.id, revision, &body, Some(&to.to_string())).await? {
        return Err(AppError::Conflict(crate::i18n::texts().v_report_revision.into()));
    }
    cx.audit(AuditAction::Update, RecordKind::Report, Some(&stored.id), Some(&stored.youth_id)).await?;
    cx.commit().await?;
    Ok(revision + 1)
}

/// A comment on a section (the group's Fachberatung, Leitung).
#[server(prefix = "/api", endpoint = "reports/comment")]
pub async fn comment_report(input: ReportCommentInput) -> Result<(), AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::text::Check;
    use crate::i18n::texts;
    let t = texts();
    let mut check = Check::default();
    let text = check.optional("text", &input.text, crate::domain::report::COMMENT_MAX);
    if text.is_empty() {
        check.fail("text", t.v_report_comment_empty);
    }
    check.finish(())?;
    let mut cx = Cx::begin(Action::ReviewReport).await?;
    let (stored, _) = ssr::load(&mut cx, &input.report_id, Action::ReviewReport).await?;
    let key = input.section.trim();
    if !stored.body.sections.iter().any(|s| s.key == key) {
        return Err(AppError::invalid("section", t.v_report_section));
    }
    let by = cx.user().id.clone();
    crate::db::reports::add_comment(cx.tx(), &stored.id, key, &by, &text).await?;
    let record = format!("{}/{key}", stored.id);
    cx.audit(AuditAction::Create, RecordKind::Report, Some(&record), Some(&stored.youth_id)).await?;
    cx.commit().await?;
    Ok(())
}

/// The Fachberatung has reviewed this revision.
#[server(prefix = "/api", endpoint = "reports/review")]
pub async fn review_report(input: RevisionInput) -> Result<i64, AppError> {
    use crate::auth::policy::Action;
    ssr::step(input, Action::ReviewReport, crate::db::reports::review).await
}

/// Leitung signs this revision: from now on the version is frozen.
#[server(prefix = "/api", endpoint = "reports/sign")]
pub async fn sign_report(input: RevisionInput) -> Result<i64, AppError> {
    use crate::auth::policy::Action;
    ssr::step(input, Action::SignReport, crate::db::reports::sign).await
}

/// Corrects a signed report: a new version, a copy of the signed one to edit and sign
/// again, with the reason. The signed version stays as it was.
#[server(prefix = "/api", endpoint = "reports/correct")]
pub async fn correct_report(input: CorrectReportInput) -> Result<String, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::db::reports::NewReport;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::text::Check;
    use crate::i18n::texts;
    let t = texts();
    let mut check = Check::default();
    let reason = check.required("reason", &input.reason, crate::domain::report::REASON_MAX);
    check.finish(())?;
    let mut cx = Cx::begin(Action::SignReport).await?;
    let (stored, _) = ssr::load(&mut cx, &input.report_id, Action::SignReport).await?;
    if stored.signed.is_none() {
        return Err(AppError::invalid("reason", t.v_report_not_signed));
    }
    let versions = crate::db::reports::versions(cx.tx(), &stored.series_id).await?;
    if versions.first().is_some_and(|v| v.id != stored.id) {
        return Err(AppError::Conflict(t.v_report_revision.into()));
    }
    let id = uuid::Uuid::now_v7().to_string();
    let by = cx.user().id.clone();
    let mut body = stored.body.clone();
    for section in &mut body.sections {
        section.changed_by.clear();
        section.changed_at.clear();
    }
    crate::db::reports::insert(
        cx.tx(),
        NewReport {
            id: &id,
            series_id: &stored.series_id,
            version: stored.version + 1,
            youth_id: &stored.youth_id,
            meeting_on: &stored.meeting_on,
            period_from: &stored.period_from,
            period_to: &stored.period_to,
            body: &body,
            correction_reason: &reason,
            created_by: &by,
        },
    )
    .await?;
    cx.audit(AuditAction::Create, RecordKind::Report, Some(&id), Some(&stored.youth_id)).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/berichte/{id}"));
    Ok(id)
}

/// The day the signed report was sent to the youth office.
#[server(prefix = "/api", endpoint = "reports/sent")]
pub async fn mark_report_sent(input: ReportDateInput) -> Result<(), AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::i18n::texts;
    let mut cx = Cx::begin(Action::ReviewReport).await?;
    let (stored, _) = ssr::load(&mut cx, &input.report_id, Action::ReviewReport).await?;
    let Some((_, signed_at)) = &stored.signed else {
        return Err(AppError::invalid("date", texts().v_report_not_sent_unsigned));
    };
    let signed_on = signed_at.with_timezone(&chrono_tz::Europe::Berlin).date_naive();
    let on = crate::domain::report::past_date("date", &input.date, super::ssr::today(), Some(signed_on))?;
    crate::db::reports::set_sent(cx.tx(), &stored.id, &on.to_string()).await?;
    cx.audit(AuditAction::Update, RecordKind::Report, Some(&stored.id), Some(&stored.youth_id)).await?;
    cx.commit().await?;
    Ok(())
}

/// The summary in simple words for the young person; released, they read it on their
/// phone and it no longer changes.
#[server(prefix = "/api", endpoint = "reports/summary")]
pub async fn save_report_summary(input: SummaryInput) -> Result<(), AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::text::Check;
    use crate::i18n::texts;
    let t = texts();
    let mut check = Check::default();
    let summary = check.optional("summary", &input.summary, crate::domain::report::SUMMARY_MAX);
    let release = input.release.trim() == "ja";
    if release && summary.is_empty() {
        check.fail("summary", t.v_report_summary_missing);
    }
    check.finish(())?;
    let mut cx = Cx::begin(Action::WriteReport).await?;
    let (stored, _) = ssr::load(&mut cx, &input.report_id, Action::WriteReport).await?;
    if !crate::db::reports::set_summary(cx.tx(), &stored.id, &summary, release).await? {
        return Err(AppError::invalid("summary", t.v_report_released));
    }
    cx.audit(
        AuditAction::Update,
        RecordKind::Report,
        Some(&format!("{}/zusammenfassung", stored.id)),
        Some(&stored.youth_id),
    )
    .await?;
    cx.commit().await?;
    Ok(())
}

/// The day the report was explained to the young person.
#[server(prefix = "/api", endpoint = "reports/explained")]
pub async fn mark_report_explained(input: ReportDateInput) -> Result<(), AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let on = crate::domain::report::past_date("date", &input.date, super::ssr::today(), None)?;
    let mut cx = Cx::begin(Action::WriteReport).await?;
    let (stored, _) = ssr::load(&mut cx, &input.report_id, Action::WriteReport).await?;
    let by = cx.user().id.clone();
    crate::db::reports::set_explained(cx.tx(), &stored.id, &on.to_string(), &by).await?;
    cx.audit(AuditAction::Update, RecordKind::Report, Some(&stored.id), Some(&stored.youth_id)).await?;
    cx.commit().await?;
    Ok(())
}

/// The list of sections the report has (Leitung).
#[server(prefix = "/api", endpoint = "reports/template")]
pub async fn get_report_template() -> Result<TemplateView, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::ConfigureReports).await?;
    cx.institute(Action::ConfigureReports)?;
    let stored = crate::db::reports::template(cx.tx()).await?;
    cx.commit().await?;
    Ok(match stored {
        Some(sections) => TemplateView { sections, custom: true },
        None => TemplateView { sections: crate::domain::report::default_template(), custom: false },
    })
}

/// Sets the list of sections for reports started from now on (Leitung).
#[server(prefix = "/api", endpoint = "reports/save-template")]
pub async fn save_report_template(input: TemplateInput) -> Result<(), AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let sections = input.validate()?;
    let mut cx = Cx::begin(Action::ConfigureReports).await?;
    cx.institute(Action::ConfigureReports)?;
    let by = cx.user().id.clone();
    crate::db::reports::set_template(cx.tx(), &sections, &by).await?;
    cx.audit(AuditAction::Update, RecordKind::ReportTemplate, Some("default"), None).await?;
    cx.commit().await?;
    super::ssr::redirect("/einstellungen/bericht?gespeichert=1");
    Ok(())
}

/// "Mein Hilfeplangespräch": what the young person's phone needs to send their view
/// through the outbox, the days they sent one, and the summaries released to them.
#[server(prefix = "/api", endpoint = "me/report")]
pub async fn my_report() -> Result<OwnViewForm, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::report::OwnReport;
    use crate::domain::text::{berlin_minute, format_date};
    let mut cx = Cx::begin(Action::OwnReport).await?;
    let youth = cx.own_youth(Action::OwnReport)?;
    let sent = crate::db::reports::view_dates(cx.tx(), &youth).await?.iter().map(|d| format_date(d)).collect();
    let summaries = crate::db::reports::released_summaries(cx.tx(), &youth)
        .await?
        .into_iter()
        .map(|(meeting_on, summary, at)| OwnReport { meeting_on, summary, released_at: berlin_minute(at) })
        .collect();
    let settings = cx.settings().clone();
    let outbox_key = super::ssr::outbox_public_key(cx.tx(), &settings).await?;
    let author_id = cx.user().id.to_string();
    cx.audit(AuditAction::Read, RecordKind::Report, None, Some(&youth)).await?;
    cx.commit().await?;
    Ok(OwnViewForm { author_id, fresh_id: uuid::Uuid::now_v7().to_string(), outbox_key, sent, summaries })
}

/// Receives a young person's sealed view from their phone's outbox and stores it once.
/// Only the account that wrote it may deliver it (401 without a session, 409 otherwise).
#[server(prefix = "/api", endpoint = "reports/deliver-view")]
pub async fn deliver_view(input: SealedInput) -> Result<Receipt, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::report::SealedView;
    use crate::i18n::texts;
    let t = texts();
    let broken = || AppError::BadRequest(t.fb_v_broken.into());
    let mut cx = Cx::begin(Action::OwnReport).await?;
    let youth = cx.own_youth(Action::OwnReport)?;
    let settings = cx.settings().clone();
    let (id, plain) =
        super::ssr::open_sealed(cx.tx(), &settings, &input, crate::domain::report::VIEW_KIND, broken).await?;
    let sealed: SealedView = serde_json::from_slice(&plain).map_err(|_| broken())?;
    if sealed.view.id.trim() != id {
        return Err(broken());
    }
    let user = cx.user().id.clone();
    if sealed.author_id != user.as_str() {
        return Err(AppError::Conflict(t.fb_v_not_yours.into()));
    }
    if let Some((_, author)) = crate::db::reports::view_owner(cx.tx(), &id).await? {
        if author != user {
            return Err(AppError::Conflict(t.fb_v_not_yours.into()));
        }
        cx.commit_unaudited(super::cx::Unaudited::Resend).await?;
        return Ok(Receipt { id, duplicate: true });
    }
    let (_, body) = sealed.view.validate()?;
    let today = super::ssr::today().to_string();
    crate::db::reports::insert_view(cx.tx(), &id, &youth, &user, &body, &today).await?;
    cx.audit(AuditAction::Create, RecordKind::YouthView, Some(&id), Some(&youth)).await?;
    cx.commit().await?;
    Ok(Receipt { id, duplicate: false })
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::cx::Cx;
    use crate::auth::policy::{Action, Resource};
    use crate::db::reports::{NewReport, StoredReport};
    use crate::domain::ids::{GroupId, YouthId};
    use crate::domain::report::{DraftSource, ReportBody, ReportComment, ReportView, RevisionInput, report_id};
    use crate::domain::text::berlin_minute;
    use crate::error::AppError;
    use crate::i18n::texts;
    use chrono::NaiveDate;

    pub fn date(s: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
    }

    pub fn revision(value: &str) -> Result<i64, AppError> {
        value.trim().parse::<i64>().map_err(|_| AppError::invalid("revision", texts().v_report_revision))
    }

    /// A report the caller may take `action` on: 404 for an unknown id and outside the
    /// caller's groups, 403 when they see it but may not act.
    pub async fn load(cx: &mut Cx, id: &str, action: Action) -> Result<(StoredReport, GroupId), AppError> {
        let id = report_id(id).map_err(|_| AppError::NotFound)?;
        let youth = crate::db::reports::youth_of(cx.tx(), &id).await?.ok_or(AppError::NotFound)?;
        cx.youth(Action::ViewEntries, &youth).await?;
        let group = cx.youth(action, &youth).await?;
        let stored = crate::db::reports::get(cx.tx(), &id).await?.ok_or(AppError::NotFound)?;
        Ok((stored, group))
    }

    pub fn not_frozen(stored: &StoredReport) -> Result<(), AppError> {
        if stored.signed.is_some() { Err(AppError::Conflict(texts().v_report_frozen.into())) } else { Ok(()) }
    }

    /// Marking as reviewed and signing: on the revision the person saw.
    pub async fn step(
        input: RevisionInput,
        action: Action,
        store: impl AsyncFnOnce(&mut crate::db::Conn, &str, i64, &crate::domain::ids::UserId) -> Result<bool, sqlx::Error>,
    ) -> Result<i64, AppError> {
        use crate::domain::audit::{AuditAction, RecordKind};
        let revision = revision(&input.revision)?;
        let mut cx = Cx::begin(action).await?;
        let (stored, _) = load(&mut cx, &input.report_id, action).await?;
        not_frozen(&stored)?;
        let by = cx.user().id.clone();
        if !store(cx.tx(), &stored.id, revision, &by).await? {
            return Err(AppError::Conflict(texts().v_report_revision.into()));
        }
        let audit = if action == Action::SignReport { AuditAction::Sign } else { AuditAction::Update };
        cx.audit(audit, RecordKind::Report, Some(&stored.id), Some(&stored.youth_id)).await?;
        cx.commit().await?;
        Ok(revision + 1)
    }

    /// The sections configured, or the default list.
    pub async fn template(cx: &mut Cx) -> Result<Vec<crate::domain::report::TemplateSection>, AppError> {
        Ok(crate::db::reports::template(cx.tx()).await?.unwrap_or_else(crate::domain::report::default_template))
    }

    /// The draft of the period from the record.
    pub async fn draft(cx: &mut Cx, youth: &YouthId, from: NaiveDate, to: NaiveDate) -> Result<ReportBody, AppError> {
        let source = source(cx, youth, from, to).await?;
        let template = template(cx).await?;
        Ok(crate::domain::report::generate(&template, &source))
    }

    /// Everything the draft is made from, read in the caller's transaction.
    pub async fn source(cx: &mut Cx, youth: &YouthId, from: NaiveDate, to: NaiveDate) -> Result<DraftSource, AppError> {
        let (f, t) = (from.to_string(), to.to_string());
        let mut person = crate::db::youths::get(cx.tx(), youth).await?.ok_or(AppError::NotFound)?;
        person.age = crate::domain::text::age_from_iso(&person.birth_date, to);
        let plan = crate::db::plans::latest(cx.tx(), youth).await?.map(|p| (p.id, p.agreed_on, p.snapshot));
        let goals = crate::db::goals::list_for_youth(cx.tx(), youth).await?;
        let entries = crate::db::reports::entries_between(cx.tx(), youth, &f, &t).await?;
        let ratings = crate::db::reports::ratings_between(cx.tx(), youth, &f, &t).await?;
        let links = crate::db::reports::links_between(cx.tx(), youth, &f, &t).await?;
        let arrangement = crate::db::contacts::get(cx.tx(), youth).await?;
        let incidents = crate::db::reports::incidents_between(cx.tx(), youth, &f, &t).await?;
        let complaints = crate::db::reports::complaints_between(cx.tx(), youth, &f, &t).await?;
        let views = crate::db::reports::views_between(cx.tx(), youth, &f, &t).await?;
        Ok(DraftSource {
            youth: person,
            period_from: from,
            period_to: to,
            plan,
            goals,
            entries,
            ratings,
            links,
            arrangement,
            incidents,
            complaints,
            views,
        })
    }

    /// Makes and stores the draft of a new report; returns its id.
    pub async fn create(cx: &mut Cx, youth: &YouthId, meeting: NaiveDate) -> Result<String, AppError> {
        let last = crate::db::plans::latest_date(cx.tx(), youth).await?.and_then(|d| date(&d));
        let admission = crate::db::youths::get(cx.tx(), youth).await?.and_then(|y| date(&y.admission_date));
        let (from, to) = crate::domain::report::period(last, admission, crate::api::ssr::today(), meeting);
        let body = draft(cx, youth, from, to).await?;
        let id = uuid::Uuid::now_v7().to_string();
        let by = cx.user().id.clone();
        crate::db::reports::insert(
            cx.tx(),
            NewReport {
                id: &id,
                series_id: &id,
                version: 1,
                youth_id: youth,
                meeting_on: &meeting.to_string(),
                period_from: &from.to_string(),
                period_to: &to.to_string(),
                body: &body,
                correction_reason: "",
                created_by: &by,
            },
        )
        .await?;
        Ok(id)
    }

    /// The page's view of a stored version, with what the caller may do.
    pub async fn view(cx: &mut Cx, stored: StoredReport) -> Result<ReportView, AppError> {
        let y = crate::db::youths::get(cx.tx(), &stored.youth_id).await?.ok_or(AppError::NotFound)?;
        let comments = crate::db::reports::comments(cx.tx(), &stored.id)
            .await?
            .into_iter()
            .map(|(section, author_name, at, text)| ReportComment { section, author_name, at: berlin_minute(at), text })
            .collect();
        let versions = crate::db::reports::versions(cx.tx(), &stored.series_id).await?;
        let group = Resource::Group(&y.group_id);
        let latest = versions.first().is_some_and(|v| v.id == stored.id);
        let open = stored.signed.is_none();
        let status = stored.status();
        Ok(ReportView {
            can_edit: open && cx.can(Action::WriteReport, group),
            can_write: cx.can(Action::WriteReport, group),
            can_review: cx.can(Action::ReviewReport, group),
            can_sign: latest && cx.can(Action::SignReport, group),
            id: stored.id,
            version: stored.version,
            youth_name: format!("{} {}", y.first_name, y.last_name),
            group_name: y.group_name,
            youth_id: stored.youth_id,
            meeting_on: stored.meeting_on,
            period_from: stored.period_from,
            period_to: stored.period_to,
            body: stored.body,
            revision: stored.revision,
            status,
            correction_reason: stored.correction_reason,
            created_by: stored.created_by,
            reviewed_by: stored.reviewed.as_ref().map(|(n, _)| n.clone()).unwrap_or_default(),
            reviewed_at: stored.reviewed.as_ref().map(|(_, at)| berlin_minute(*at)).unwrap_or_default(),
            signed_by: stored.signed.as_ref().map(|(n, _)| n.clone()).unwrap_or_default(),
            signed_at: stored.signed.as_ref().map(|(_, at)| berlin_minute(*at)).unwrap_or_default(),
            sent_on: stored.sent_on.unwrap_or_default(),
            summary: stored.summary,
            summary_released_at: stored.summary_released_at.map(berlin_minute).unwrap_or_default(),
            explained_on: stored.explained.as_ref().map(|(on, _)| on.clone()).unwrap_or_default(),
            explained_by: stored.explained.map(|(_, by)| by).unwrap_or_default(),
            comments,
            versions,
        })
    }

    /// The PDF of a report version, for a plain GET (the download link): the same access
    /// as reading it, and a read in the audit log. Returns the file and its name.
    pub async fn pdf(
        store: crate::db::Store,
        settings: std::sync::Arc<crate::api::ssr::Settings>,
        actor: Option<crate::domain::user::CurrentUser>,
        id: &str,
    ) -> Result<(Vec<u8>, String), AppError> {
        use crate::domain::audit::{AuditAction, RecordKind};
        let mut cx = Cx::open(store, settings.clone(), actor, Action::ViewEntries).await?;
        let (stored, _) = load(&mut cx, id, Action::ViewEntries).await?;
        let youth = stored.youth_id.clone();
        let report = view(&mut cx, stored).await?;
        cx.audit(AuditAction::Export, RecordKind::Report, Some(&report.id), Some(&youth)).await?;
        cx.commit().await?;
        let name = crate::domain::report::file_name(&report.youth_name, &report.meeting_on, report.version);
        let document = super::print::document(&report, &settings.institute_name);
        let bytes = render_pdf(document).await?;
        Ok((bytes, name))
    }

    /// Typesetting takes 0.1 to 1.5 s of CPU: it runs on the blocking pool, so the
    /// runtime's workers go on answering other requests meanwhile.
    pub async fn render_pdf(document: gruppenbuch_pdf::Document) -> Result<Vec<u8>, AppError> {
        let rendered = tokio::task::spawn_blocking(move || gruppenbuch_pdf::render(&document)).await;
        match rendered {
            Ok(Ok(bytes)) => Ok(bytes),
            Ok(Err(error)) => {
                tracing::error!(%error, "pdf failed");
                Err(AppError::Internal)
            }
            Err(error) => {
                tracing::error!(%error, "pdf task failed");
                Err(AppError::Internal)
            }
        }
    }
}

/// The report as the PDF sets it.
#[cfg(feature = "ssr")]
pub mod print {
    use crate::domain::report::{LineStyle, ReportView};
    use crate::domain::text::format_date;
    use crate::i18n::{fill, texts};
    use gruppenbuch_pdf::{Block, Document, Section, Signature};

    pub fn document(report: &ReportView, institute: &str) -> Document {
        let t = texts();
        let mut version_label = fill(t.report_pdf_version, &[("n", &report.version.to_string())]);
        version_label.push_str(" · ");
        version_label.push_str(report.status.label());
        if !report.signed_at.is_empty() {
            version_label.push_str(&format!(" {}", report.signed_at));
        }
        let mut facts = vec![
            (t.report_meeting_on.to_owned(), format_date(&report.meeting_on)),
            (
                t.rs_md_period.to_owned(),
                format!("{} – {}", format_date(&report.period_from), format_date(&report.period_to)),
            ),
        ];
        if !report.correction_reason.is_empty() {
            facts.push((t.report_correction_reason.to_owned(), report.correction_reason.clone()));
        }
        let sections = report
            .body
            .sections
            .iter()
            .map(|s| {
                let mut blocks: Vec<Block> = Vec::new();
                let mut facts: Vec<(String, String)> = Vec::new();
                let flush = |facts: &mut Vec<(String, String)>, blocks: &mut Vec<Block>| {
                    if !facts.is_empty() {
                        blocks.push(Block::Facts { rows: std::mem::take(facts) });
                    }
                };
                for line in s.lines.iter().filter(|l| !l.dropped) {
                    if line.style == LineStyle::Fact {
                        facts.push((line.label.clone(), line.text.clone()));
                        continue;
                    }
                    flush(&mut facts, &mut blocks);
                    blocks.push(match line.style {
                        LineStyle::Item => Block::Item { date: line.label.clone(), text: line.text.clone() },
                        LineStyle::Quote => Block::Quote {
                            text: if line.label.is_empty() {
                                line.text.clone()
                            } else {
                                format!("{}: {}", line.label, line.text)
                            },
                            source: line.quote_source.clone(),
                        },
                        LineStyle::Heading => Block::Subheading { text: line.text.clone() },
                        _ => Block::Remark { text: line.text.clone() },
                    });
                }
                flush(&mut facts, &mut blocks);
                if !s.text.trim().is_empty() {
                    blocks.push(Block::Paragraph { text: s.text.clone() });
                }
                if blocks.is_empty() {
                    blocks.push(Block::Remark { text: t.report_section_empty.to_owned() });
                }
                Section { title: s.title.clone(), blocks }
            })
            .collect();
        let signatures = vec![
            Signature { role: t.report_sig_group.to_owned(), name: report.created_by.clone(), date: String::new() },
            Signature {
                role: t.report_sig_advisor.to_owned(),
                name: report.reviewed_by.clone(),
                date: report.reviewed_at.clone(),
            },
            Signature {
                role: t.report_sig_lead.to_owned(),
                name: report.signed_by.clone(),
                date: report.signed_at.clone(),
            },
        ];
        Document {
            institute: institute.to_owned(),
            title: t.report_title.to_owned(),
            subtitle: format!("{} · {}", report.youth_name, report.group_name),
            version_label,
            facts,
            sections,
            signatures,
        }
    }
}
