//! The contact arrangement with the birth family (Umgangsregelung) and the count of
//! planned against held contacts.

use crate::domain::contact::{ArrangementInput, ContactOverview};
use crate::error::AppError;
use leptos::prelude::*;

/// A young person's arrangement with planned against held contacts for this month and
/// the three before. 404 outside the caller's groups.
#[server(prefix = "/api", endpoint = "contacts/get")]
pub async fn get_contacts(id: String) -> Result<ContactOverview, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    use crate::domain::contact::{ContactMonth, last_four_months, month_label};
    use crate::domain::entry::VisitOutcome;
    let user = user()?;
    let youth = record_id(&id)?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let group = visible_youth_group(&mut tx, &user, &youth).await?;
    let arrangement = crate::db::contacts::get(&mut tx, &youth).await?;
    let today = today();
    let months = last_four_months(today);
    let oldest = months.last().copied().unwrap_or(today);
    let outcomes = crate::db::entries::visit_outcomes(&mut tx, &youth, &oldest.to_string(), &today.to_string()).await?;
    let months = months
        .into_iter()
        .map(|first| {
            let prefix = first.format("%Y-%m").to_string();
            let in_month = outcomes.iter().filter(|(date, _)| date.starts_with(&prefix));
            let (held, missed) = in_month.fold((0, 0), |(h, m), (_, outcome)| {
                if VisitOutcome::parse(outcome) == Some(VisitOutcome::Held) { (h + 1, m) } else { (h, m + 1) }
            });
            ContactMonth {
                label: month_label(first),
                planned: arrangement.as_ref().map(|a| a.planned_in(first)),
                held,
                missed,
            }
        })
        .collect();
    let rec = AuditRecord {
        action: AuditAction::Read,
        record_kind: "contact_arrangement",
        record_id: Some(&youth),
        youth_id: Some(&youth),
    };
    record(&mut tx, &user, rec).await?;
    tx.commit().await?;
    let can_edit = can(&user, Action::ManageCasePlan, Resource::Group(&group));
    Ok(ContactOverview { youth_id: youth, arrangement, months, can_edit })
}

/// Sets a young person's contact arrangement (Leitung; Fachberatung of the group).
#[server(prefix = "/api", endpoint = "contacts/set")]
pub async fn set_contacts(id: String, input: ArrangementInput) -> Result<String, AppError> {
    use super::ssr::*;
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    let youth = record_id(&id)?;
    let arrangement = input.validate()?;
    let store = store()?;
    let mut tx = store.begin().await?;
    super::goals::may_manage(&mut tx, &user, &youth).await?;
    crate::db::contacts::set(&mut tx, &youth, &arrangement, &user.id).await?;
    let rec = AuditRecord {
        action: AuditAction::Update,
        record_kind: "contact_arrangement",
        record_id: Some(&youth),
        youth_id: Some(&youth),
    };
    record(&mut tx, &user, rec).await?;
    tx.commit().await?;
    redirect(&format!("/jugendliche/{youth}#umgang"));
    Ok(youth)
}
