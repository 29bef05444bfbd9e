//! Visit contacts with the birth family (Besuchskontakte): writing one as a plain form,
//! and correcting it. The sealed outbox delivers them through `entries::deliver`.

use crate::domain::outbox::Receipt;
use crate::domain::visit::VisitInput;
use crate::error::AppError;
use leptos::prelude::*;

/// Saves a visit contact sent as a plain form. Idempotent by id; bad input as `notes/save`.
#[server(prefix = "/api", endpoint = "visits/save")]
pub async fn save_visit(input: VisitInput) -> Result<Receipt, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::WriteEntry).await?;
    let receipt = ssr::store_visit(&mut cx, input).await?;
    cx.commit_receipt(receipt.duplicate).await?;
    super::ssr::redirect("/besuchskontakt/neu?gespeichert=1");
    Ok(receipt)
}

/// Corrects a visit contact: a new version with a reason.
#[server(prefix = "/api", endpoint = "visits/correct")]
pub async fn correct_visit(id: String, input: VisitInput) -> Result<i64, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::entry::{EntryBody, Purpose};
    let id: crate::domain::ids::EntryId = parse_id(&id)?;
    let visit = input.validate(super::ssr::today(), Purpose::Correct)?;
    let mut cx = Cx::begin(Action::WriteEntry).await?;
    let version =
        super::entries::ssr::correct(&mut cx, &id, visit.date, EntryBody::Visit(visit.body), &visit.reason).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/eintraege/{id}"));
    Ok(version)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::cx::Cx;
    use crate::api::entries::ssr::{already_stored, insert, youth_group};
    use crate::db::entries::NewEntry;
    use crate::domain::entry::{EntryBody, Purpose};
    use crate::domain::outbox::Receipt;
    use crate::domain::visit::VisitInput;
    use crate::error::AppError;
    use crate::i18n::texts;

    /// Checks and stores a new visit contact (a plain form or a sealed item).
    pub async fn store_visit(cx: &mut Cx, input: VisitInput) -> Result<Receipt, AppError> {
        let visit = input.validate(crate::api::ssr::today(), Purpose::Create)?;
        let youth = visit.youth_id.clone().ok_or_else(|| AppError::invalid("youth_id", texts().v_choose_youth))?;
        let body = EntryBody::Visit(visit.body.clone());
        let author = cx.user().id.clone();
        if let Some(receipt) = already_stored(cx, &visit.id, Some(&youth), visit.date, &body).await? {
            return Ok(receipt);
        }
        let group = youth_group(cx, &youth, "youth_id").await?;
        let entry = NewEntry {
            id: &visit.id,
            group_id: &group,
            youth_id: Some(&youth),
            date: visit.date,
            body: &body,
            author_id: &author,
        };
        insert(cx, entry).await
    }
}
