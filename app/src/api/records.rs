//! The Fachberatung's own records about a young person: Fachgespräch, Elterngespräch,
//! medical-therapeutic talk, contact with the youth office, the team's case reflection
//! and diagnostics. The Fachberatung of the group and Leitung write them (at the desk, as
//! plain forms); everyone who reads the young person's record reads them, except the case
//! reflection, which only the Fachberatung and Leitung read.

use crate::domain::outbox::Receipt;
use crate::domain::record::RecordInput;
use crate::error::AppError;
use leptos::prelude::*;

/// Saves a record. Idempotent by its id (made when the form was rendered); 400 with
/// field messages on bad input, including a goal that is not the young person's.
#[server(prefix = "/api", endpoint = "records/save")]
pub async fn save_record(input: RecordInput) -> Result<Receipt, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::WriteCaseRecord).await?;
    let (receipt, youth) = ssr::store_record(&mut cx, input).await?;
    cx.commit_receipt(receipt.duplicate).await?;
    super::ssr::redirect(&format!("/jugendliche/{youth}#verlauf"));
    Ok(receipt)
}

/// Corrects a record: a new version with a reason; its kind stays what it was.
#[server(prefix = "/api", endpoint = "records/correct")]
pub async fn correct_record(id: String, input: RecordInput) -> Result<i64, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::entry::{EntryBody, Purpose};
    let id: crate::domain::ids::EntryId = parse_id(&id)?;
    let record = input.validate(super::ssr::today(), Purpose::Correct)?;
    let mut cx = Cx::begin(Action::WriteCaseRecord).await?;
    let version =
        super::entries::ssr::correct(&mut cx, &id, record.date, EntryBody::Record(record.body), &record.reason).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/eintraege/{id}"));
    Ok(version)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::cx::Cx;
    use crate::api::entries::ssr::{already_stored, check_goals, insert};
    use crate::auth::policy::Action;
    use crate::db::entries::NewEntry;
    use crate::domain::entry::{EntryBody, Purpose};
    use crate::domain::ids::{EntryId, YouthId};
    use crate::domain::outbox::Receipt;
    use crate::domain::record::{RecordBody, RecordInput};
    use crate::error::AppError;
    use crate::i18n::texts;

    /// A correction names the young person's goals and keeps the record's kind (a talk
    /// does not become a case reflection, which others could no longer read, or back).
    pub async fn check_record(cx: &mut Cx, youth: &YouthId, id: &EntryId, record: &RecordBody) -> Result<(), AppError> {
        check_goals(cx, Some(youth), &record.goal_ids).await?;
        let stored = crate::db::entries::get(cx.tx(), id).await?.ok_or(AppError::NotFound)?;
        match stored.body {
            EntryBody::Record(before) if before.record_type == record.record_type => Ok(()),
            _ => Err(AppError::invalid("record_type", texts().v_record_type_fixed)),
        }
    }

    /// Checks and stores a new record; returns its receipt and the young person.
    pub async fn store_record(cx: &mut Cx, input: RecordInput) -> Result<(Receipt, YouthId), AppError> {
        let t = texts();
        let record = input.validate(crate::api::ssr::today(), Purpose::Create)?;
        let youth = record.youth_id.clone().ok_or_else(|| AppError::invalid("youth_id", t.v_choose_youth))?;
        let body = EntryBody::Record(record.body.clone());
        if let Some(receipt) = already_stored(cx, &record.id, Some(&youth), record.date, &body).await? {
            return Ok((receipt, youth));
        }
        let group = match cx.youth(Action::WriteCaseRecord, &youth).await {
            Ok(group) => group,
            Err(AppError::NotFound | AppError::Forbidden) => {
                return Err(AppError::invalid("youth_id", t.v_unknown_youth));
            }
            Err(other) => return Err(other),
        };
        check_goals(cx, Some(&youth), &record.body.goal_ids).await?;
        let author = cx.user().id.clone();
        let entry = NewEntry {
            id: &record.id,
            group_id: &group,
            youth_id: Some(&youth),
            date: record.date,
            body: &body,
            author_id: &author,
        };
        Ok((insert(cx, entry).await?, youth))
    }
}
