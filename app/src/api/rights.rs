//! "Meine Rechte": the page in simple language that tells young people their rights and
//! how to complain. Anyone reads it; Leitung edits it.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

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

/// The name of the "Meine Rechte" text.
#[cfg(feature = "ssr")]
const RIGHTS: &str = "rights";

/// The "Meine Rechte" text (anyone: it is meant for young people without an account too).
#[server(prefix = "/api", endpoint = "rights/get")]
pub async fn get_rights() -> Result<Rights, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::{Action, Resource};
    let mut cx = Cx::public().await?;
    let stored = crate::db::rights::text(cx.tx(), RIGHTS).await?;
    let can_edit = cx.can(Action::EditRights, Resource::Institute);
    cx.commit().await?;
    Ok(match stored {
        Some((body, at)) => {
            let updated_on = at.with_timezone(&chrono_tz::Europe::Berlin).format("%d.%m.%Y").to_string();
            Rights { body, updated_on, can_edit }
        }
        None => Rights { body: crate::i18n::RIGHTS_DEFAULT.to_owned(), updated_on: String::new(), can_edit },
    })
}

/// Changes the "Meine Rechte" text (Leitung).
#[server(prefix = "/api", endpoint = "rights/set")]
pub async fn set_rights(input: RightsInput) -> Result<(), AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::EditRights).await?;
    cx.institute(Action::EditRights)?;
    let mut check = crate::domain::text::Check::default();
    let body = check.required("body", &input.body, 20_000);
    check.finish(())?;
    let by = cx.user().id.clone();
    crate::db::rights::set_text(cx.tx(), RIGHTS, &body, &by).await?;
    cx.audit(AuditAction::Update, RecordKind::RightsText, None, None).await?;
    cx.commit().await?;
    super::ssr::redirect("/meine-rechte?gespeichert=1");
    Ok(())
}
