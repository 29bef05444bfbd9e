//! Daily notes (Tagesnotizen): writing one as a plain form, and correcting it. The sealed
//! outbox delivers them through `entries::deliver`.

use crate::domain::note::NoteInput;
use crate::domain::outbox::Receipt;
use crate::error::AppError;
use leptos::prelude::*;

/// Saves a daily note sent as a plain form (no JavaScript, or online without the outbox).
/// Idempotent by the note's id. 400 with field messages on bad input, including a young
/// person, group or goal the caller may not write for (the same answer as an unknown one).
#[server(prefix = "/api", endpoint = "notes/save")]
pub async fn save_note(input: NoteInput) -> Result<Receipt, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::WriteEntry).await?;
    let receipt = ssr::store_note(&mut cx, input).await?;
    cx.commit_receipt(receipt.duplicate).await?;
    super::ssr::redirect("/tagesnotiz/neu?gespeichert=1");
    Ok(receipt)
}

/// Corrects a daily note: a new version with a reason; the earlier versions stay.
#[server(prefix = "/api", endpoint = "notes/correct")]
pub async fn correct_note(id: String, input: NoteInput) -> Result<i64, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::entry::{EntryBody, Purpose};
    let id: crate::domain::ids::EntryId = parse_id(&id)?;
    let note = input.validate(super::ssr::today(), Purpose::Correct)?;
    let mut cx = Cx::begin(Action::WriteEntry).await?;
    let version =
        super::entries::ssr::correct(&mut cx, &id, note.date, EntryBody::Note(note.body), &note.reason).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/eintraege/{id}"));
    Ok(version)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::cx::Cx;
    use crate::api::entries::ssr::{already_stored, check_goals, insert, youth_group};
    use crate::auth::policy::Action;
    use crate::db::entries::NewEntry;
    use crate::domain::entry::{EntryBody, Purpose};
    use crate::domain::note::{NoteInput, Subject};
    use crate::domain::outbox::Receipt;
    use crate::error::AppError;
    use crate::i18n::texts;

    /// Checks and stores a new daily note (a plain form or a sealed item).
    pub async fn store_note(cx: &mut Cx, input: NoteInput) -> Result<Receipt, AppError> {
        let note = input.validate(crate::api::ssr::today(), Purpose::Create)?;
        let subject = note.subject.ok_or_else(|| AppError::invalid("subject", texts().v_subject))?;
        let body = EntryBody::Note(note.body.clone());
        let author = cx.user().id.clone();
        let youth = match &subject {
            Subject::Youth(youth) => Some(youth),
            Subject::Group(_) => None,
        };
        if let Some(receipt) = already_stored(cx, &note.id, youth, note.date, &body).await? {
            return Ok(receipt);
        }
        let group = match &subject {
            Subject::Youth(youth) => youth_group(cx, youth, "subject").await?,
            Subject::Group(group) => match cx.group(Action::WriteEntry, group).await {
                Ok(found) => found.id,
                Err(AppError::NotFound | AppError::Forbidden) => {
                    return Err(AppError::invalid("subject", texts().v_unknown_group));
                }
                Err(other) => return Err(other),
            },
        };
        check_goals(cx, youth, &note.body.goal_ids).await?;
        let entry = NewEntry {
            id: &note.id,
            group_id: &group,
            youth_id: youth,
            date: note.date,
            body: &body,
            author_id: &author,
        };
        insert(cx, entry).await
    }
}
