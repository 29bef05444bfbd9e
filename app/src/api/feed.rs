//! The feed: one stream of notes, visits, submissions and incidents of the caller's
//! groups, with urgent items pinned, "zur Kenntnis genommen" per item, and comments.
//! Which items a caller sees is the policy's scope (`Action::ViewFeed`): the groups, and
//! per group whether what was addressed past the group is included.

use crate::domain::feed::{FeedPage, FeedQuery};
use crate::domain::incident::CommentInput;
use crate::error::AppError;
use leptos::prelude::*;

/// A page of the feed. Filters out of range and a tampered cursor are 400 with field
/// messages; a group or young person outside the caller's groups is 404.
#[server(prefix = "/api", endpoint = "feed/list")]
pub async fn get_feed(input: FeedQuery) -> Result<FeedPage, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::ViewFeed).await?;
    let query = input.validate()?;
    let page = ssr::page(&mut cx, &query).await?;
    cx.commit().await?;
    Ok(page)
}

/// A fingerprint of what the first page of this query shows (items, acknowledgements,
/// comments), for the open feed to see whether it must load itself again. Only a hash:
/// not logged, unlike the page itself.
#[server(prefix = "/api", endpoint = "feed/stamp")]
pub async fn feed_stamp(input: FeedQuery) -> Result<String, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    let mut cx = Cx::begin(Action::PollChanges).await?;
    let mut query = input.validate()?;
    query.after = None;
    let found = ssr::find(&mut cx, Action::PollChanges, &query).await?;
    cx.commit().await?;
    Ok(found.stamp())
}

/// "Zur Kenntnis genommen" for one item (an incident's acknowledgement goes into its
/// chain). The group's Fachberatung and Leitung; 403 for staff, 404 outside the groups.
#[server(prefix = "/api", endpoint = "feed/acknowledge")]
pub async fn acknowledge_item(id: String) -> Result<(), AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::ids::ItemId;
    use crate::domain::incident::IncidentEventKind;
    let id: ItemId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::Acknowledge).await?;
    let scope = cx.feed_item(Action::Acknowledge, &id).await?;
    let user = cx.user().id.clone();
    let changed = if scope.kind == "incident" {
        let incident = id.incident();
        let done = crate::db::incidents::acknowledge(cx.tx(), &incident, &user).await?;
        if done {
            crate::db::incidents::add_event(cx.tx(), &incident, IncidentEventKind::Acknowledged, Some(&user), "")
                .await?;
        }
        done
    } else {
        crate::db::feed::acknowledge(cx.tx(), &id, &user).await?
    };
    // Looking at whether it was acknowledged already read nothing personal; only a change
    // is logged.
    if changed {
        cx.audit(AuditAction::Update, RecordKind::FeedItem, Some(id.as_str()), scope.youth_id.as_ref()).await?;
        cx.commit().await?;
    } else {
        cx.rollback().await?;
    }
    super::ssr::redirect(&ssr::back());
    Ok(())
}

/// A comment on an item, for everyone who sees it (an incident's goes into its chain).
#[server(prefix = "/api", endpoint = "feed/comment")]
pub async fn comment_item(id: String, input: CommentInput) -> Result<(), AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::ids::ItemId;
    use crate::domain::incident::IncidentEventKind;
    let id: ItemId = parse_id(&id)?;
    let text = input.validate()?;
    let mut cx = Cx::begin(Action::Comment).await?;
    let scope = cx.feed_item(Action::Comment, &id).await?;
    let user = cx.user().id.clone();
    if scope.kind == "incident" {
        let incident = id.incident();
        crate::db::incidents::add_event(cx.tx(), &incident, IncidentEventKind::Commented, Some(&user), &text).await?;
    } else {
        crate::db::feed::add_comment(cx.tx(), &id, &user, &text).await?;
    }
    cx.audit(AuditAction::Create, RecordKind::FeedComment, Some(id.as_str()), scope.youth_id.as_ref()).await?;
    cx.commit().await?;
    super::ssr::redirect(&ssr::back());
    Ok(())
}

/// The group overview: per group the young people with their entries of the last 14
/// days, days without an entry, planned against held visits this month, help-plan goals
/// without entries for weeks, and the open complaints and incidents. Fachberatung (own groups) and Leitung.
#[server(prefix = "/api", endpoint = "overview/get")]
pub async fn get_overview() -> Result<Vec<crate::domain::feed::GroupOverview>, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::feed::{GroupOverview, OVERVIEW_DAYS, YouthOverview};
    use chrono::Datelike;
    // The counts include complaints past the group: as the monthly counts.
    let mut cx = Cx::begin(Action::ViewFeedbackCounts).await?;
    let scope = cx.scope(Action::ViewFeedbackCounts).await?;
    let today = super::ssr::today();
    let since = (today - chrono::Duration::days(OVERVIEW_DAYS - 1)).to_string();
    let month_first = today.with_day(1).unwrap_or(today);
    let mut out = Vec::new();
    let mut shown = Vec::new();
    for group in crate::db::groups::list_in(cx.tx(), &scope).await? {
        let goals = super::plans::ssr::activity(&mut cx, crate::db::goals::Of::Group(&group.id), &group.id).await?;
        let mut youths = Vec::new();
        for y in crate::db::youths::list_in_group(cx.tx(), &group.id).await? {
            let (entries, last, held) =
                crate::db::feed::youth_activity(cx.tx(), &y.id, &since, &month_first.to_string()).await?;
            let quiet_days = last
                .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
                .map(|d| (today - d).num_days().max(0));
            let planned = crate::db::contacts::get(cx.tx(), &y.id).await?.map(|a| a.planned_in(month_first));
            let quiet = goals.iter().filter(|(g, _, stale)| g.youth_id == y.id && *stale).count();
            let quiet_goals = i64::try_from(quiet).unwrap_or_default();
            shown.push(y.id.clone());
            youths.push(YouthOverview {
                name: format!("{} {}", y.first_name, y.last_name),
                id: y.id,
                entries,
                quiet_days,
                visits_planned: planned,
                visits_held: held,
                quiet_goals,
            });
        }
        let (open_complaints, open_incidents) = crate::db::feed::group_open(cx.tx(), &group.id).await?;
        out.push(GroupOverview { id: group.id, name: group.name, youths, open_complaints, open_incidents });
    }
    let shown: Vec<_> = shown.iter().collect();
    cx.audit_each(AuditAction::List, RecordKind::Overview, None, &shown).await?;
    cx.commit().await?;
    Ok(out)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::cx::Cx;
    use crate::auth::policy::{Action, Resource};
    use crate::db::feed::{Comment, Cursor, Filter, Item};
    use crate::domain::audit::{AuditAction, RecordKind};
    use crate::domain::feed::{
        FeedComment, FeedItem, FeedPage, FilterChoice, PAGE, PINNED_MAX, ValidQuery, category_label, cursor,
    };
    use crate::domain::scope::ListScope;
    use crate::domain::text::{berlin_minute, format_date};
    use crate::error::AppError;

    /// Back to the feed page the request came from (with its filters), or the feed.
    pub fn back() -> String {
        crate::api::ssr::referer_path().filter(|p| p.starts_with("/feed")).unwrap_or_else(|| "/feed".to_owned())
    }

    fn link(kind: &str, id: &str) -> String {
        match kind {
            "incident" => format!("/vorkommnisse/{id}"),
            k if crate::db::feed::is_feedback(k) => format!("/rueckmeldungen/{id}"),
            _ => format!("/eintraege/{id}"),
        }
    }

    fn item(cx: &Cx, row: Item, comments: &[Comment]) -> FeedItem {
        let acknowledged = row.acknowledged.as_ref().map(|(at, by)| match by {
            Some(name) => format!("{name}, {}", berlin_minute(*at)),
            None => berlin_minute(*at),
        });
        FeedItem {
            link: link(&row.kind, row.id.as_str()),
            can_acknowledge: row.acknowledged.is_none() && cx.can(Action::Acknowledge, Resource::Group(&row.group_id)),
            acknowledged,
            comments: comments
                .iter()
                .filter(|c| c.item_id == row.id)
                .map(|c| FeedComment { at: berlin_minute(c.at), by: c.author_name.clone(), text: c.text.clone() })
                .collect(),
            category: category_label(&row.kind, &row.category).to_owned(),
            at: berlin_minute(row.at),
            day: format_date(&row.day),
            urgent: row.urgent,
            youth_name: row.youth_name,
            author: row.author_name,
            group_name: row.group_name,
            excerpt: row.excerpt,
            kind: row.kind,
            id: row.id,
        }
    }

    fn day_ms(day: chrono::NaiveDate) -> i64 {
        crate::db::submissions::day_start_ms(day)
    }

    /// What a query finds, before it is logged and shaped for the page.
    pub struct Found {
        pub scope: ListScope,
        pub rows: Vec<Item>,
        pub pinned: Vec<Item>,
        pub more: bool,
        pub comments: Vec<Comment>,
    }

    impl Found {
        /// A hash of what the page shows that can change: items, acknowledgements,
        /// comments.
        pub fn stamp(&self) -> String {
            use sha2::{Digest, Sha256};
            let mut hash = Sha256::new();
            for r in self.pinned.iter().chain(&self.rows) {
                let comments = self.comments.iter().filter(|c| c.item_id == r.id).count();
                let acknowledged = r.acknowledged.as_ref().map(|(at, _)| at.timestamp_millis());
                hash.update(format!("{}:{acknowledged:?}:{comments}:{};", r.id, r.excerpt));
            }
            hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
        }
    }

    /// The items a query finds in the caller's scope for `action` (the feed, or a poll of
    /// it). A group or young person outside the scope is 404.
    pub async fn find(cx: &mut Cx, action: Action, q: &ValidQuery) -> Result<Found, AppError> {
        let visible = cx.scope(action).await?;
        let scope = match &q.group {
            Some(g) => visible.narrowed_to(g).ok_or(AppError::NotFound)?,
            None => visible.clone(),
        };
        if let Some(youth) = &q.youth {
            let group = crate::db::youths::group_of(cx.tx(), youth).await?.ok_or(AppError::NotFound)?;
            if !scope.includes(&group) {
                return Err(AppError::NotFound);
            }
        }
        let filter = Filter {
            youth_id: q.youth.clone(),
            kind: q.kind.clone(),
            category: q.category.clone(),
            from: q.from.map(day_ms),
            until: q.to.and_then(|d| d.succ_opt()).map(day_ms),
            unread: q.unread,
            urgent: q.important,
            words: q.words.clone(),
        };
        let after = q.after.as_ref().map(|(at, id)| Cursor { at: *at, id: id.clone() });
        let (rows, more) = crate::db::feed::page(cx.tx(), &scope, &filter, after.as_ref(), PAGE).await?;
        let mut pinned =
            if after.is_none() { crate::db::feed::pinned(cx.tx(), &scope, PINNED_MAX).await? } else { Vec::new() };
        if let Some(youth) = &q.youth {
            pinned.retain(|r| r.youth_id.as_ref() == Some(youth));
        }
        let ids: Vec<_> = rows.iter().chain(&pinned).map(|r| &r.id).collect();
        let comments = crate::db::feed::comments(cx.tx(), &ids).await?;
        Ok(Found { scope: visible, rows, pinned, more, comments })
    }

    pub async fn page(cx: &mut Cx, q: &ValidQuery) -> Result<FeedPage, AppError> {
        let found = find(cx, Action::ViewFeed, q).await?;
        let stamp = found.stamp();
        let Found { scope, rows, pinned, more, comments } = found;
        let next = if more { rows.last().map(|r| cursor(r.cursor_at, r.id.as_str())) } else { None };
        let mut named: Vec<_> = rows.iter().chain(&pinned).filter_map(|r| r.youth_id.as_ref()).collect();
        named.sort_unstable();
        named.dedup();
        cx.audit_each(AuditAction::List, RecordKind::Feed, None, &named).await?;
        let youths = crate::db::feed::youth_choices(cx.tx(), &scope).await?;
        let groups = crate::db::groups::list_in(cx.tx(), &scope).await?;
        Ok(FeedPage {
            pinned: pinned.into_iter().map(|r| item(cx, r, &comments)).collect(),
            items: rows.into_iter().map(|r| item(cx, r, &comments)).collect(),
            next,
            stamp,
            groups: groups.into_iter().map(|g| FilterChoice { id: g.id.into_string(), name: g.name }).collect(),
            youths: youths.into_iter().map(|(id, name)| FilterChoice { id: id.into_string(), name }).collect(),
        })
    }
}
