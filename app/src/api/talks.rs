//! The monthly Erziehungsplanungsgespräch: the form's choices, writing one as a plain
//! form, and correcting it. The sealed outbox delivers it through `entries::deliver`.
//! Staff of the group and Leitung write it, as every entry.

use crate::domain::outbox::Receipt;
use crate::domain::talk::{TalkChoices, TalkInput};
use crate::error::AppError;
use leptos::prelude::*;

/// The young people the caller may hold the talk for, each with their active goals, the
/// entries linked to each in the weeks before, and their own newest rating with faces.
#[server(prefix = "/api", endpoint = "talks/choices")]
pub async fn list_talk_choices() -> Result<TalkChoices, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::talk::TalkYouth;
    let mut cx = Cx::begin(Action::WriteEntry).await?;
    let scope = cx.scope(Action::WriteEntry).await?;
    let mut youths = Vec::new();
    for group in crate::db::groups::list_in(cx.tx(), &scope).await? {
        for youth in crate::db::youths::list_in_group(cx.tx(), &group.id).await? {
            let goals = ssr::goal_choices(&mut cx, &youth.id).await?;
            youths.push(TalkYouth {
                name: format!("{} {}", youth.first_name, youth.last_name),
                id: youth.id,
                group_name: group.name.clone(),
                goals,
            });
        }
    }
    let shown: Vec<_> = youths.iter().map(|y| &y.id).collect();
    cx.audit_each(AuditAction::List, RecordKind::Capture, None, &shown).await?;
    let settings = cx.settings().clone();
    let outbox_key = super::ssr::outbox_public_key(cx.tx(), &settings).await?;
    let author_id = cx.user().id.to_string();
    cx.commit().await?;
    Ok(TalkChoices {
        author_id,
        today: super::ssr::today().to_string(),
        fresh_id: crate::domain::ids::EntryId::fresh().into_string(),
        outbox_key,
        youths,
    })
}

/// Saves a monthly talk sent as a plain form. Idempotent by its id; 400 with field
/// messages on bad input, including a goal or an entry that is not the young person's.
#[server(prefix = "/api", endpoint = "talks/save")]
pub async fn save_talk(input: TalkInput) -> Result<Receipt, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::WriteEntry).await?;
    let receipt = ssr::store_talk(&mut cx, input).await?;
    cx.commit_receipt(receipt.duplicate).await?;
    super::ssr::redirect("/erziehungsplanung/neu?gespeichert=1");
    Ok(receipt)
}

/// Corrects a monthly talk: a new version with a reason; its ratings and links follow
/// the new version, the earlier versions stay.
#[server(prefix = "/api", endpoint = "talks/correct")]
pub async fn correct_talk(id: String, input: TalkInput) -> Result<i64, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::entry::{EntryBody, Purpose};
    let id: crate::domain::ids::EntryId = parse_id(&id)?;
    let talk = input.validate(super::ssr::today(), Purpose::Correct)?;
    let mut cx = Cx::begin(Action::WriteEntry).await?;
    let version =
        super::entries::ssr::correct(&mut cx, &id, talk.date, EntryBody::Talk(talk.body), &talk.reason).await?;
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
    use crate::domain::goal::GoalLevel;
    use crate::domain::ids::YouthId;
    use crate::domain::outbox::Receipt;
    use crate::domain::plan::Rating;
    use crate::domain::progress::excerpt;
    use crate::domain::talk::{OFFER_DAYS, OfferedEntry, TalkBody, TalkGoalChoice, TalkInput};
    use crate::error::AppError;
    use crate::i18n::texts;

    /// The goals a talk rates: the active Handlungsziele (and active goals outside any
    /// Richtungsziel), each with the entries linked to it in the weeks before.
    pub async fn goal_choices(cx: &mut Cx, youth: &YouthId) -> Result<Vec<TalkGoalChoice>, AppError> {
        let goals = crate::domain::plan::plan_order(crate::db::goals::list_for_youth(cx.tx(), youth).await?);
        let own = crate::db::progress::own_ratings(cx.tx(), youth).await?;
        let from = crate::api::ssr::today()
            .checked_sub_days(chrono::Days::new(OFFER_DAYS))
            .map(|d| d.to_string())
            .unwrap_or_default();
        let group = crate::db::youths::group_of(cx.tx(), youth).await?.ok_or(AppError::NotFound)?;
        let advisors = cx.sees_advisor_records(&group);
        let mut out = Vec::new();
        for goal in goals.iter().filter(|g| g.status.active()) {
            let is_direction_with_actions =
                goal.level == GoalLevel::Direction && goals.iter().any(|g| g.parent_id.as_ref() == Some(&goal.id));
            if is_direction_with_actions {
                continue;
            }
            let direction = goal
                .parent_id
                .as_ref()
                .and_then(|p| goals.iter().find(|g| &g.id == p))
                .map(|g| g.title.clone())
                .unwrap_or_default();
            let entries = crate::db::progress::linked_since(cx.tx(), &goal.id, &from, advisors)
                .await?
                .into_iter()
                .filter_map(|(id, date, body)| {
                    let body: EntryBody = serde_json::from_str(&body).ok()?;
                    let text = match body {
                        EntryBody::Note(n) => n.text,
                        EntryBody::Visit(v) => v.notes,
                        EntryBody::Record(r) => r.outcome,
                        EntryBody::Talk(_) => return None,
                    };
                    Some(OfferedEntry { id, date, excerpt: excerpt(&text, 90) })
                })
                .collect();
            let own_rating = own.iter().find(|(g, ..)| *g == goal.id).and_then(|(_, step, _)| Rating::from_step(*step));
            out.push(TalkGoalChoice { id: goal.id.clone(), title: goal.title.clone(), direction, own_rating, entries });
        }
        Ok(out)
    }

    /// The goals and entries a talk names must be the young person's.
    pub async fn check_talk(cx: &mut Cx, youth: &YouthId, body: &TalkBody) -> Result<(), AppError> {
        let t = texts();
        let group = crate::db::youths::group_of(cx.tx(), youth).await?.ok_or(AppError::NotFound)?;
        let advisors = cx.sees_advisor_records(&group);
        for goal in &body.goals {
            let found = crate::db::goals::get(cx.tx(), &goal.goal_id).await?;
            if found.map(|g| g.youth_id).as_ref() != Some(youth) {
                return Err(AppError::invalid("goals", t.v_unknown_goal));
            }
            let found = crate::db::entries::count_of_youth(cx.tx(), youth, &goal.entry_ids, advisors).await?;
            if found != goal.entry_ids.len() {
                return Err(AppError::invalid("goals", t.v_unknown_entry));
            }
        }
        Ok(())
    }

    /// Checks and stores a new monthly talk (a plain form or a sealed item).
    pub async fn store_talk(cx: &mut Cx, input: TalkInput) -> Result<Receipt, AppError> {
        let talk = input.validate(crate::api::ssr::today(), Purpose::Create)?;
        let youth = talk.youth_id.clone().ok_or_else(|| AppError::invalid("youth_id", texts().v_choose_youth))?;
        let body = EntryBody::Talk(talk.body.clone());
        if let Some(receipt) = already_stored(cx, &talk.id, Some(&youth), talk.date, &body).await? {
            return Ok(receipt);
        }
        let group = youth_group(cx, &youth, "youth_id").await?;
        check_talk(cx, &youth, &talk.body).await?;
        let author = cx.user().id.clone();
        let entry = NewEntry {
            id: &talk.id,
            group_id: &group,
            youth_id: Some(&youth),
            date: talk.date,
            body: &body,
            author_id: &author,
        };
        insert(cx, entry).await
    }
}
