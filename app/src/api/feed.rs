//! The feed: one stream of notes, visits, submissions and incidents of the caller's
//! groups, with urgent items pinned, "zur Kenntnis genommen" per item, and comments.

use crate::domain::feed::{FeedPage, FeedQuery};
use crate::domain::incident::CommentInput;
use crate::error::AppError;
use leptos::prelude::*;

/// A page of the feed. Filters out of range and a tampered cursor are 400 with field
/// messages; a group or young person outside the caller's groups is 404.
#[server(prefix = "/api", endpoint = "feed/list")]
pub async fn get_feed(input: FeedQuery) -> Result<FeedPage, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Page, can_open};
    let user = user()?;
    allow(can_open(&user, Page::Feed))?;
    let query = input.validate()?;
    let store = store()?;
    ssr::page(&store, &user, &query).await
}

/// A fingerprint of what the first page of this query shows (items, acknowledgements,
/// comments), for the open feed to see whether it must load itself again. Only a hash:
/// not logged, unlike the page itself.
#[server(prefix = "/api", endpoint = "feed/stamp")]
pub async fn feed_stamp(input: FeedQuery) -> Result<String, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Page, can_open};
    let user = user()?;
    allow(can_open(&user, Page::Feed))?;
    let mut query = input.validate()?;
    query.after = None;
    let store = store()?;
    let mut tx = store.begin().await?;
    let found = ssr::find(&mut tx, &user, &query).await?;
    tx.commit().await?;
    Ok(found.stamp())
}

/// "Zur Kenntnis genommen" for one item (an incident's acknowledgement goes into its
/// chain). The group's Fachberatung and Leitung; 403 for staff, 404 outside the groups.
#[server(prefix = "/api", endpoint = "feed/acknowledge")]
pub async fn acknowledge_item(id: String) -> Result<(), AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    use crate::domain::incident::IncidentEventKind;
    let user = user()?;
    let id = record_id(&id)?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let scope = ssr::visible(&mut tx, &user, &id).await?;
    allow(can(&user, Action::Acknowledge, Resource::Group(&scope.group_id)))?;
    let changed = if scope.kind == "incident" {
        let done = crate::db::incidents::acknowledge(&mut tx, &id, &user.id).await?;
        if done {
            crate::db::incidents::add_event(&mut tx, &id, IncidentEventKind::Acknowledged, Some(&user.id), "").await?;
        }
        done
    } else {
        crate::db::feed::acknowledge(&mut tx, &id, &user.id).await?
    };
    if changed {
        let rec = AuditRecord {
            action: AuditAction::Update,
            record_kind: "feed_item",
            record_id: Some(&id),
            youth_id: scope.youth_id.as_deref(),
        };
        record(&mut tx, &user, rec).await?;
    }
    tx.commit().await?;
    redirect(&ssr::back());
    Ok(())
}

/// A comment on an item, for everyone who sees it (an incident's goes into its chain).
#[server(prefix = "/api", endpoint = "feed/comment")]
pub async fn comment_item(id: String, input: CommentInput) -> Result<(), AppError> {
    use super::ssr::*;
    use crate::db::audit::{AuditAction, AuditRecord, record};
    use crate::domain::incident::IncidentEventKind;
    let user = user()?;
    let id = record_id(&id)?;
    let text = input.validate()?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let scope = ssr::visible(&mut tx, &user, &id).await?;
    if scope.kind == "incident" {
        crate::db::incidents::add_event(&mut tx, &id, IncidentEventKind::Commented, Some(&user.id), &text).await?;
    } else {
        crate::db::feed::add_comment(&mut tx, &id, &user.id, &text).await?;
    }
    let rec = AuditRecord {
        action: AuditAction::Create,
        record_kind: "feed_comment",
        record_id: Some(&id),
        youth_id: scope.youth_id.as_deref(),
    };
    record(&mut tx, &user, rec).await?;
    tx.commit().await?;
    redirect(&ssr::back());
    Ok(())
}

/// The group overview: per group the young people with their entries of the last 14
/// days, days without an entry, planned against held visits this month, and the open
/// complaints and incidents. Fachberatung (own groups) and Leitung.
#[server(prefix = "/api", endpoint = "overview/get")]
pub async fn get_overview() -> Result<Vec<crate::domain::feed::GroupOverview>, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Page, Resource, can, can_open};
    use crate::db::audit::{AuditAction, record_each};
    use crate::domain::feed::{GroupOverview, OVERVIEW_DAYS, YouthOverview};
    use chrono::Datelike;
    let user = user()?;
    allow(can_open(&user, Page::Overview))?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let today = today();
    let since = (today - chrono::Duration::days(OVERVIEW_DAYS - 1)).to_string();
    let month_first = today.with_day(1).unwrap_or(today);
    let mut out = Vec::new();
    let mut shown = Vec::new();
    for group in crate::db::groups::list_all(&mut tx).await? {
        // The counts include complaints past the group: as the monthly counts.
        if !can(&user, Action::ViewFeedbackCounts, Resource::Group(&group.id)) {
            continue;
        }
        let mut youths = Vec::new();
        for y in crate::db::youths::list_in_group(&mut tx, &group.id).await? {
            let (entries, last, held) =
                crate::db::feed::youth_activity(&mut tx, &y.id, &since, &month_first.to_string()).await?;
            let quiet_days = last
                .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
                .map(|d| (today - d).num_days().max(0));
            let planned = crate::db::contacts::get(&mut tx, &y.id).await?.map(|a| a.planned_in(month_first));
            shown.push(y.id.clone());
            youths.push(YouthOverview {
                name: format!("{} {}", y.first_name, y.last_name),
                id: y.id,
                entries,
                quiet_days,
                visits_planned: planned,
                visits_held: held,
            });
        }
        let (open_complaints, open_incidents) = crate::db::feed::group_open(&mut tx, &group.id).await?;
        out.push(GroupOverview { id: group.id, name: group.name, youths, open_complaints, open_incidents });
    }
    let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
    record_each(&mut tx, &user, AuditAction::List, "overview", None, &shown).await?;
    tx.commit().await?;
    Ok(out)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::ssr::visible_youth_group;
    use crate::auth::CurrentUser;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::feed::{Cursor, Filter, ItemRow, Scope};
    use crate::db::{Conn, Store, berlin_minute};
    use crate::domain::Role;
    use crate::domain::feed::{
        FeedComment, FeedItem, FeedPage, FilterChoice, PAGE, PINNED_MAX, ValidQuery, category_label, cursor,
    };
    use crate::domain::text::format_date;
    use crate::error::AppError;

    fn is_feedback(kind: &str) -> bool {
        matches!(kind, "beteiligung" | "beschwerde")
    }

    /// May the caller see this item? Submissions as `HandleFeedback` decides (staff never
    /// see what went past their group), everything else as `ViewEntries`.
    pub fn may_see(user: &CurrentUser, kind: &str, group: &str, to_advisor: bool) -> bool {
        if is_feedback(kind) {
            can(user, Action::HandleFeedback, Resource::Feedback { group, to_advisor })
        } else {
            can(user, Action::ViewEntries, Resource::Group(group))
        }
    }

    /// An item the caller may see; 404 for an unknown one and one outside alike.
    pub async fn visible(conn: &mut Conn, user: &CurrentUser, id: &str) -> Result<Scope, AppError> {
        match crate::db::feed::scope(conn, id).await? {
            Some(s) if may_see(user, &s.kind, &s.group_id, s.to_advisor != 0) => Ok(s),
            _ => Err(AppError::NotFound),
        }
    }

    /// Back to the feed page the request came from (with its filters), or the feed.
    pub fn back() -> String {
        crate::api::ssr::referer_path().filter(|p| p.starts_with("/feed")).unwrap_or_else(|| "/feed".to_owned())
    }

    fn link(kind: &str, id: &str) -> String {
        match kind {
            "incident" => format!("/vorkommnisse/{id}"),
            k if is_feedback(k) => format!("/rueckmeldungen/{id}"),
            _ => format!("/eintraege/{id}"),
        }
    }

    fn item(user: &CurrentUser, row: ItemRow, comments: &[crate::db::feed::CommentRow]) -> FeedItem {
        let youth_name = match (&row.youth_first, &row.youth_last) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            _ => None,
        };
        FeedItem {
            link: link(&row.kind, &row.id),
            can_acknowledge: row.acknowledged_at.is_none()
                && can(user, Action::Acknowledge, Resource::Group(&row.group_id)),
            acknowledged: row.acknowledged(),
            comments: comments
                .iter()
                .filter(|c| c.item_id == row.id)
                .map(|c| FeedComment { at: berlin_minute(c.at), by: c.author_name.clone(), text: c.text.clone() })
                .collect(),
            category: category_label(&row.kind, &row.category).to_owned(),
            at: berlin_minute(row.at),
            day: format_date(&row.day),
            urgent: row.urgent != 0,
            youth_name,
            author: row.author_name,
            group_name: row.group_name,
            excerpt: row.excerpt,
            kind: row.kind,
            id: row.id,
        }
    }

    fn day_ms(day: chrono::NaiveDate) -> i64 {
        crate::db::feedback::day_start_ms(day)
    }

    /// What a query finds, before it is logged and shaped for the page.
    pub struct Found {
        pub visible: Vec<(String, String)>,
        pub rows: Vec<ItemRow>,
        pub pinned: Vec<ItemRow>,
        pub more: bool,
        pub comments: Vec<crate::db::feed::CommentRow>,
    }

    impl Found {
        /// A hash of what the page shows that can change: items, acknowledgements,
        /// comments.
        pub fn stamp(&self) -> String {
            use sha2::{Digest, Sha256};
            let mut hash = Sha256::new();
            for r in self.pinned.iter().chain(&self.rows) {
                let comments = self.comments.iter().filter(|c| c.item_id == r.id).count();
                hash.update(format!("{}:{:?}:{comments}:{};", r.id, r.acknowledged_at, r.excerpt));
            }
            hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
        }
    }

    pub async fn find(tx: &mut Conn, user: &CurrentUser, q: &ValidQuery) -> Result<Found, AppError> {
        let all = crate::db::groups::list_all(tx).await?;
        let visible: Vec<(String, String)> = all
            .into_iter()
            .filter(|g| can(user, Action::ViewEntries, Resource::Group(&g.id)))
            .map(|g| (g.id, g.name))
            .collect();
        let groups: Vec<String> = match &q.group {
            Some(g) if visible.iter().any(|(id, _)| id == g) => vec![g.clone()],
            Some(_) => return Err(AppError::NotFound),
            None => visible.iter().map(|(id, _)| id.clone()).collect(),
        };
        if let Some(youth) = &q.youth {
            visible_youth_group(tx, user, youth).await?;
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
        let staff = user.role == Role::Fachkraft;
        let after = q.after.as_ref().map(|(at, id)| Cursor { at: *at, id: id.clone() });
        let (rows, more) = crate::db::feed::page(tx, &groups, staff, &filter, after.as_ref(), PAGE).await?;
        let pinned =
            if after.is_none() { crate::db::feed::pinned(tx, &groups, staff, PINNED_MAX).await? } else { Vec::new() };
        let seen = |r: &ItemRow| {
            may_see(user, &r.kind, &r.group_id, r.to_advisor != 0)
                && q.youth.as_ref().is_none_or(|y| r.youth_id.as_ref() == Some(y))
        };
        let rows: Vec<ItemRow> = rows.into_iter().filter(seen).collect();
        let pinned: Vec<ItemRow> = pinned.into_iter().filter(seen).collect();
        let ids: Vec<String> = rows.iter().chain(&pinned).map(|r| r.id.clone()).collect();
        let comments = crate::db::feed::comments(tx, &ids).await?;
        Ok(Found { visible, rows, pinned, more, comments })
    }

    pub async fn page(store: &Store, user: &CurrentUser, q: &ValidQuery) -> Result<FeedPage, AppError> {
        use crate::db::audit::{AuditAction, record_each};
        let mut tx = store.begin().await?;
        let found = find(&mut tx, user, q).await?;
        let stamp = found.stamp();
        let Found { visible, rows, pinned, more, comments } = found;
        let next = if more { rows.last().map(|r| cursor(r.at, &r.id)) } else { None };
        let mut named: Vec<&str> = rows.iter().chain(&pinned).filter_map(|r| r.youth_id.as_deref()).collect();
        named.sort_unstable();
        named.dedup();
        record_each(&mut tx, user, AuditAction::List, "feed", None, &named).await?;
        let youths =
            crate::db::feed::youth_choices(&mut tx, &visible.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>())
                .await?;
        tx.commit().await?;
        Ok(FeedPage {
            pinned: pinned.into_iter().map(|r| item(user, r, &comments)).collect(),
            items: rows.into_iter().map(|r| item(user, r, &comments)).collect(),
            next,
            stamp,
            groups: visible.into_iter().map(|(id, name)| FilterChoice { id, name }).collect(),
            youths: youths.into_iter().map(|(id, name)| FilterChoice { id, name }).collect(),
        })
    }
}
