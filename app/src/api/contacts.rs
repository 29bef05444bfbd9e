//! The contact arrangement with the birth family (Umgangsregelung) and the count of
//! planned against held contacts.

use crate::domain::contact::{ArrangementInput, ContactOverview};
use crate::error::AppError;
use leptos::prelude::*;

/// A young person's arrangement with planned against held contacts for this month and
/// the three before. 404 outside the caller's groups.
#[server(prefix = "/api", endpoint = "contacts/get")]
pub async fn get_contacts(id: String) -> Result<ContactOverview, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::{Action, Resource};
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::contact::{ContactMonth, last_four_months, month_label};
    use crate::domain::visit::VisitOutcome;
    let youth: crate::domain::ids::YouthId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::ViewEntries).await?;
    let group = cx.youth(Action::ViewEntries, &youth).await?;
    let arrangement = crate::db::contacts::get(cx.tx(), &youth).await?;
    let today = super::ssr::today();
    let months = last_four_months(today);
    let oldest = months.last().copied().unwrap_or(today);
    let outcomes = crate::db::entries::visit_outcomes(cx.tx(), &youth, &oldest.to_string(), &today.to_string()).await?;
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
    cx.audit(AuditAction::Read, RecordKind::ContactArrangement, Some(youth.as_str()), Some(&youth)).await?;
    let can_edit = cx.can(Action::ManageCasePlan, Resource::Group(&group));
    cx.commit().await?;
    Ok(ContactOverview { youth_id: youth, arrangement, months, can_edit })
}

/// Sets a young person's contact arrangement (Leitung; Fachberatung of the group).
#[server(prefix = "/api", endpoint = "contacts/set")]
pub async fn set_contacts(id: String, input: ArrangementInput) -> Result<String, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let youth: crate::domain::ids::YouthId = parse_id(&id)?;
    let arrangement = input.validate()?;
    let mut cx = Cx::begin(Action::ManageCasePlan).await?;
    cx.youth(Action::ManageCasePlan, &youth).await?;
    let by = cx.user().id.clone();
    crate::db::contacts::set(cx.tx(), &youth, &arrangement, &by).await?;
    cx.audit(AuditAction::Update, RecordKind::ContactArrangement, Some(youth.as_str()), Some(&youth)).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/jugendliche/{youth}#umgang"));
    Ok(youth.into_string())
}
