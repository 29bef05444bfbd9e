//! § 47 Meldungen: the form (offered from an incident or a Kinderschutz procedure of a
//! group that runs under an operating licence), storing one, the list and one Meldung.
//! Leitung and the group's Fachberatung; never the group's staff (a Meldung may be about
//! them).

use crate::domain::licence::{LicenceForm, LicenceFrom, LicenceInput, LicenceView};
use crate::error::AppError;
use leptos::prelude::*;

/// The form's choices (the licensed groups the caller reports for) and what it starts
/// with when it comes from an incident or a procedure.
#[server(prefix = "/api", endpoint = "licence/form")]
pub async fn get_licence_form(input: LicenceFrom) -> Result<LicenceForm, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::ReportLicence).await?;
    let form = ssr::form(&mut cx, input).await?;
    cx.commit().await?;
    Ok(form)
}

/// Stores a Meldung. 400 with field messages on bad input, for a group without an
/// operating licence, or for an incident or procedure of another group; 409 for a
/// second send of the same form.
#[server(prefix = "/api", endpoint = "licence/save")]
pub async fn save_licence(input: LicenceInput) -> Result<String, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::ReportLicence).await?;
    let id = ssr::save(&mut cx, input).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/meldungen-47/{id}"));
    Ok(id)
}

/// The Meldungen of the caller's groups, newest event first.
#[server(prefix = "/api", endpoint = "licence/list")]
pub async fn list_licences() -> Result<Vec<LicenceView>, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::ReportLicence).await?;
    let scope = cx.scope(Action::ReportLicence).await?;
    let groups: Vec<_> = scope.groups().cloned().collect();
    let rows = crate::db::licence::list(cx.tx(), &groups).await?;
    cx.audit(AuditAction::List, RecordKind::LicenceReport, None, None).await?;
    cx.commit().await?;
    Ok(rows.into_iter().map(ssr::view).collect())
}

/// One Meldung; 404 outside the caller's groups.
#[server(prefix = "/api", endpoint = "licence/get")]
pub async fn get_licence(id: String) -> Result<LicenceView, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let id: crate::domain::ids::EntryId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::ReportLicence).await?;
    let row = crate::db::licence::get(cx.tx(), &id).await?.ok_or(AppError::NotFound)?;
    cx.group(Action::ReportLicence, &row.group_id).await?;
    cx.audit(AuditAction::Read, RecordKind::LicenceReport, Some(id.as_str()), None).await?;
    cx.commit().await?;
    Ok(ssr::view(row))
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::cx::Cx;
    use crate::api::ssr::today;
    use crate::auth::policy::{Action, Resource};
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::ids::{CaseId, EntryId, IncidentId};
    use crate::domain::licence::{LicenceCategory, LicenceForm, LicenceFrom, LicenceInput, LicenceView};
    use crate::error::AppError;
    use crate::i18n::texts;

    fn shown(at: &str) -> String {
        chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M")
            .map_or_else(|_| at.to_owned(), |at| at.format("%d.%m.%Y, %H:%M").to_string())
    }

    pub fn view(row: crate::db::licence::Licence) -> LicenceView {
        LicenceView {
            id: row.id.to_string(),
            group_name: row.group_name,
            category: row.category,
            occurred: shown(&row.occurred_at),
            reported: shown(&row.reported_at),
            body: row.body,
            author_name: row.author_name,
            incident_id: row.incident_id,
            case_id: row.case_id,
        }
    }

    /// Whether the caller may write a Meldung for this group, and the group runs under
    /// an operating licence: then incidents and procedures offer one.
    pub async fn offered(cx: &mut Cx, group: &crate::domain::ids::GroupId) -> Result<bool, AppError> {
        Ok(cx.can(Action::ReportLicence, Resource::Group(group)) && crate::db::groups::licensed(cx.tx(), group).await?)
    }

    pub async fn form(cx: &mut Cx, input: LicenceFrom) -> Result<LicenceForm, AppError> {
        let t = texts();
        let mut groups = Vec::new();
        for group in crate::db::groups::list_all(cx.tx()).await? {
            if cx.can(Action::ReportLicence, Resource::Group(&group.id))
                && crate::db::groups::licensed(cx.tx(), &group.id).await?
            {
                groups.push((group.id.to_string(), group.name));
            }
        }
        let mut form = LicenceForm {
            group_id: if groups.len() == 1 { groups[0].0.clone() } else { String::new() },
            groups,
            incident_id: String::new(),
            case_id: String::new(),
            category: String::new(),
            occurred_at: String::new(),
            key: EntryId::fresh().into_string(),
        };
        let mut source: Option<String> = None;
        if !input.incident_id.trim().is_empty() {
            let id: IncidentId = crate::api::cx::id(&input.incident_id)?;
            let group = cx.incident(Action::ViewEntries, &id).await?;
            let row = crate::db::incidents::get(cx.tx(), &id).await?.ok_or(AppError::NotFound)?;
            form.group_id = group.to_string();
            form.incident_id = id.to_string();
            form.category =
                LicenceCategory::for_incident(row.category).map(|c| c.code().to_owned()).unwrap_or_default();
            form.occurred_at = format!("{}T{}", row.occurred_on, row.occurred_time);
            source = Some(id.to_string());
        } else if !input.case_id.trim().is_empty() {
            let id: CaseId = crate::api::cx::id(&input.case_id)?;
            let group = cx.protection(Action::WorkChildProtection, &id).await?;
            let case = crate::db::protection::case(cx.tx(), &id).await?.ok_or(AppError::NotFound)?;
            form.group_id = group.to_string();
            form.case_id = id.to_string();
            if case.concerns_staff != 0 {
                form.category = LicenceCategory::StaffConduct.code().to_owned();
            }
            source = Some(id.to_string());
        }
        if !form.group_id.is_empty() && !form.groups.iter().any(|(g, _)| *g == form.group_id) {
            return Err(AppError::invalid("group_id", t.v_l47_unlicensed));
        }
        cx.audit(AuditAction::Read, RecordKind::LicenceReport, source.as_deref(), None).await?;
        Ok(form)
    }

    pub async fn save(cx: &mut Cx, input: LicenceInput) -> Result<String, AppError> {
        let t = texts();
        let licence = input.validate(today())?;
        if crate::db::licence::get(cx.tx(), &licence.key).await?.is_some() {
            return Err(AppError::Conflict(t.v_entry_exists.into()));
        }
        cx.in_group(Action::ReportLicence, &licence.group_id, "group_id").await?;
        if !crate::db::groups::licensed(cx.tx(), &licence.group_id).await? {
            return Err(AppError::invalid("group_id", t.v_l47_unlicensed));
        }
        let mut youth = None;
        if let Some(incident) = &licence.incident_id {
            let group = crate::db::incidents::group_of(cx.tx(), incident).await?;
            if group.as_ref() != Some(&licence.group_id) {
                return Err(AppError::invalid("incident_id", t.v_l47_source));
            }
            youth = crate::db::incidents::youths(cx.tx(), incident).await?.into_iter().next().map(|(id, _)| id);
        }
        if let Some(case) = &licence.case_id {
            let user = cx.user().id.clone();
            let scope = crate::db::protection::scope(cx.tx(), case, &user).await?;
            let sees = scope.as_ref().is_some_and(|(group, member)| {
                *group == licence.group_id
                    && cx.can(Action::WorkChildProtection, Resource::Protection { group, member: *member })
            });
            if !sees {
                return Err(AppError::invalid("case_id", t.v_l47_source));
            }
            youth = crate::db::protection::case(cx.tx(), case).await?.map(|c| c.youth_id);
        }
        let author = cx.user().id.clone();
        if !crate::db::licence::insert(cx.tx(), &licence, &author).await? {
            return Err(AppError::Conflict(t.v_entry_exists.into()));
        }
        cx.audit(AuditAction::Create, RecordKind::LicenceReport, Some(licence.key.as_str()), youth.as_ref()).await?;
        Ok(licence.key.to_string())
    }
}
