//! The feed (`/feed`): urgent items pinned on top, then one chronological stream of the
//! viewer's groups, with filters in the address (so a filtered view can be bookmarked
//! and works without JavaScript), search, "zur Kenntnis genommen", comments, keyboard
//! review and new items without reloading. And the group overview (`/uebersicht`).

use super::incidents::every_few_seconds;
use crate::api::feed::{AcknowledgeItem, CommentItem, feed_stamp, get_feed, get_overview};
use crate::auth::policy::Page;
use crate::components::status::{ErrorNote, Guard, Loading, PageTitle, when_allowed};
use crate::domain::feed::{FeedItem, FeedQuery, GroupOverview, KINDS, QUIET_DAYS_WARN, categories, kind_label};
use crate::i18n::{fill, texts};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The feed's query from the address bar (German parameter names).
fn query_from(map: &leptos_router::params::ParamsMap) -> FeedQuery {
    let get = |k: &str| map.get(k).unwrap_or_default();
    FeedQuery {
        group: get("gruppe"),
        youth: get("jung"),
        kind: get("art"),
        category: get("kategorie"),
        from: get("von"),
        to: get("bis"),
        unread: get("ungelesen"),
        important: get("wichtig"),
        q: get("suche"),
        after: get("nach"),
    }
}

#[component]
pub fn FeedScreen() -> impl IntoView {
    let t = texts();
    let map = use_query_map();
    let query = Memo::new(move |_| query_from(&map.read()));
    let acknowledge = ServerAction::<AcknowledgeItem>::new();
    let comment = ServerAction::<CommentItem>::new();
    let refresh = RwSignal::new(0u32);
    let shown = StoredValue::new(String::new());
    // New items arrived while someone was typing a comment: offered, not forced.
    let news = RwSignal::new(false);
    let page = Resource::new(
        move || (query.get(), refresh.get(), acknowledge.version().get(), comment.version().get()),
        |(q, _, _, _)| when_allowed(Page::Feed, move || get_feed(q)),
    );
    // The first page looks for news every few seconds and is drawn anew only when
    // something changed (a redraw would take the keyboard focus away).
    every_few_seconds(move || {
        let q = query.get_untracked();
        if !q.after.is_empty() {
            return;
        }
        leptos::task::spawn_local(async move {
            let Ok(stamp) = feed_stamp(q).await else { return };
            if stamp == shown.get_value() {
                return;
            }
            if typing() {
                news.set(true);
            } else {
                refresh.update(|n| *n += 1);
            }
        });
    });
    #[cfg(feature = "hydrate")]
    super::incidents::keyboard_review("a.feed-link", move |id| {
        acknowledge.dispatch(AcknowledgeItem { id });
    });
    view! {
        <Guard page=Page::Feed>
        <PageTitle text=t.feed_title />
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => {
                        shown.set_value(p.stamp.clone());
                        news.set(false);
                        let q = query.get_untracked();
                        let base = q.to_query_string();
                        let next = p.next.clone().map(|n| {
                            let sep = if base.is_empty() { "" } else { "&" };
                            format!("/feed?{base}{sep}nach={}", crate::domain::feed::urlencode(&n))
                        });
                        let paged = !q.after.is_empty();
                        let first = if base.is_empty() { "/feed".to_owned() } else { format!("/feed?{base}") };
                        view! {
                            <Filters q=q.clone() groups=p.groups.clone() youths=p.youths.clone() />
                            {move || news.get().then(|| view! {
                                <p class="alert alert-info" role="status">
                                    <button type="button" class="btn btn-secondary" id="feed-news" on:click=move |_| refresh.update(|n| *n += 1)>{t.feed_news}</button>
                                </p>
                            })}
                            {(!p.pinned.is_empty()).then(|| view! {
                                <section class="pinned" aria-labelledby="feed-pinned-title">
                                    <h2 id="feed-pinned-title">{t.feed_pinned}" "<span class="badge badge-count">{p.pinned.len()}</span></h2>
                                    <Items items=p.pinned.clone() id="feed-pinned" acknowledge comment />
                                </section>
                            })}
                            <p class="hint keyboard-hint">{t.feed_keys_hint}</p>
                            <section aria-labelledby="feed-stream-title">
                                <h2 id="feed-stream-title">{t.feed_stream}</h2>
                                {if p.items.is_empty() {
                                    view! { <p class="empty" id="feed-empty">{t.feed_empty}</p> }.into_any()
                                } else {
                                    view! { <Items items=p.items.clone() id="feed-stream" acknowledge comment /> }.into_any()
                                }}
                            </section>
                            <nav class="pager" aria-label=t.feed_pages>
                                {paged.then(|| view! { <a href=first.clone() id="feed-first">{t.feed_newest}</a> })}
                                {next.map(|href| view! { <a href=href id="feed-next" rel="next">{t.feed_older}</a> })}
                            </nav>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Transition>
        </Guard>
    }
}

/// Whether a comment is being written on this page (then nothing is redrawn by itself).
fn typing() -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Ok(fields) = document().query_selector_all(".feed-comment textarea") else { return false };
        (0..fields.length()).any(|i| {
            fields
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
                .is_some_and(|f| !f.value().trim().is_empty())
        })
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

/// The filter form: a plain GET form, so the filters live in the address.
#[component]
fn Filters(
    q: FeedQuery,
    groups: Vec<crate::domain::feed::FilterChoice>,
    youths: Vec<crate::domain::feed::FilterChoice>,
) -> impl IntoView {
    let t = texts();
    let select =
        |id: &'static str, name: &'static str, label: &'static str, current: String, options: Vec<(String, String)>| {
            view! {
                <div class="field">
                    <label for=id>{label}</label>
                    <select id=id name=name>
                        <option value="">{t.feed_all}</option>
                        {options
                            .into_iter()
                            .map(|(v, l)| {
                                let selected = v == current;
                                view! { <option value=v selected=selected>{l}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
            }
        };
    let kinds = KINDS.iter().map(|k| (k.to_string(), kind_label(k).to_owned())).collect();
    let groups = groups.into_iter().map(|g| (g.id, g.name)).collect();
    let youths = youths.into_iter().map(|y| (y.id, y.name)).collect();
    view! {
        <form class="form feed-filters" method="get" action="/feed" role="search" id="feed-filters">
            <div class="field">
                <label for="feed-q">{t.feed_search}</label>
                <input type="search" id="feed-q" name="suche" value=q.q.clone() maxlength=crate::domain::feed::SEARCH_MAX />
            </div>
            {select("feed-group", "gruppe", t.fb_group_label, q.group.clone(), groups)}
            {select("feed-youth", "jung", t.feed_youth, q.youth.clone(), youths)}
            {select("feed-kind", "art", t.feed_kind, q.kind.clone(), kinds)}
            {select("feed-category", "kategorie", t.feed_category, q.category.clone(), categories())}
            <div class="field-row">
                <div class="field">
                    <label for="feed-from">{t.feed_from}</label>
                    <input type="date" id="feed-from" name="von" value=q.from.clone() />
                </div>
                <div class="field">
                    <label for="feed-to">{t.feed_to}</label>
                    <input type="date" id="feed-to" name="bis" value=q.to.clone() />
                </div>
            </div>
            <div class="field">
                <label class="choice" for="feed-unread">
                    <input type="checkbox" id="feed-unread" name="ungelesen" value="ja" checked=!q.unread.is_empty() />
                    <span>{t.feed_unread}</span>
                </label>
                <label class="choice" for="feed-important">
                    <input type="checkbox" id="feed-important" name="wichtig" value="ja" checked=!q.important.is_empty() />
                    <span>{t.feed_important}</span>
                </label>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" id="feed-apply">{t.feed_apply}</button>
                <a class="btn btn-link" href="/feed">{t.feed_reset}</a>
            </div>
        </form>
    }
}

#[component]
fn Items(
    items: Vec<FeedItem>,
    id: &'static str,
    acknowledge: ServerAction<AcknowledgeItem>,
    comment: ServerAction<CommentItem>,
) -> impl IntoView {
    let t = texts();
    view! {
        <ul class="card-list feed-list" id=id>
            {items
                .into_iter()
                .map(|i| {
                    let title = match &i.youth_name {
                        Some(name) => format!("{} – {name}", kind_label(&i.kind)),
                        None => kind_label(&i.kind).to_owned(),
                    };
                    let author = i.author.clone().unwrap_or_else(|| t.fb_anonymous_label.to_owned());
                    let form_id = format!("{id}-comment-{}", i.id);
                    let (text_id, label_for) = (format!("{form_id}-text"), format!("{form_id}-text"));
                    let (item_id, item_id2) = (i.id.clone(), i.id.clone());
                    view! {
                        <li class="card feed-item" class:feed-urgent=i.urgent data-kind=i.kind.clone()>
                            <a class="feed-link" href=i.link.clone() data-id=i.id.clone()><strong>{title}</strong></a>
                            <p class="entry-meta">
                                {(!i.category.is_empty()).then(|| view! { <span class="badge">{i.category.clone()}</span>" " })}
                                {i.group_name.clone()}" · "{i.day.clone()}" · "{author}" · "{i.at.clone()}
                            </p>
                            <p class="feed-excerpt">{i.excerpt.clone()}</p>
                            {match (i.acknowledged.clone(), i.can_acknowledge) {
                                (Some(a), _) => view! { <p class="muted feed-ack">{fill(t.feed_acknowledged, &[("who", &a)])}</p> }.into_any(),
                                (None, true) => view! {
                                    <ActionForm action=acknowledge attr:class="inline-form">
                                        <input type="hidden" name="id" value=item_id />
                                        <button type="submit" class="btn btn-secondary feed-ack-button">{t.inc_acknowledge}</button>
                                    </ActionForm>
                                }
                                .into_any(),
                                (None, false) => view! { <p class="muted">{t.feed_not_acknowledged}</p> }.into_any(),
                            }}
                            {(!i.comments.is_empty()).then(|| view! {
                                <ul class="feed-comments">
                                    {i.comments.iter().map(|c| view! {
                                        <li><p class="entry-meta">{c.at.clone()}" · "{c.by.clone()}</p><p class="answer-text">{c.text.clone()}</p></li>
                                    }).collect_view()}
                                </ul>
                            })}
                            <details class="feed-comment">
                                <summary>{t.feed_write_comment}</summary>
                                <ActionForm action=comment attr:class="form" attr:novalidate=true attr:id=form_id>
                                    <input type="hidden" name="id" value=item_id2 />
                                    <div class="field">
                                        <label for=label_for>{t.inc_comment_label}</label>
                                        <textarea id=text_id name="input[text]" rows="3" maxlength=crate::domain::incident::COMMENT_MAX required></textarea>
                                    </div>
                                    <button type="submit" class="btn btn-secondary">{t.inc_comment_submit}</button>
                                </ActionForm>
                            </details>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

// ------------------------------------------------------------------ overview

/// `/uebersicht`: per group, the young people with entries and visits, and what is open.
#[component]
pub fn OverviewScreen() -> impl IntoView {
    let t = texts();
    let overview = Resource::new(|| (), |_| when_allowed(Page::Overview, get_overview));
    view! {
        <Guard page=Page::Overview>
        <PageTitle text=t.overview_title />
        <p class="page-lead">{t.overview_lead}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(groups) if groups.is_empty() => view! { <p class="empty">{t.start_no_groups}</p> }.into_any(),
                    Ok(groups) => groups.into_iter().map(|g| view! { <GroupCard g /> }).collect_view().into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Suspense>
        </Guard>
    }
}

#[component]
fn GroupCard(g: GroupOverview) -> impl IntoView {
    let t = texts();
    let (title_id, labelled_by) = (format!("overview-{}", g.id), format!("overview-{}", g.id));
    let group_feed = format!("/feed?gruppe={}", g.id);
    view! {
        <section class="card overview-group" aria-labelledby=labelled_by>
            <h2 id=title_id>{g.name.clone()}</h2>
            <p class="overview-open">
                <a href="/vorkommnisse" class:overview-alert=g.open_incidents != 0>{fill(t.overview_open_incidents, &[("n", &g.open_incidents.to_string())])}</a>
                " · "
                <a href="/rueckmeldungen?stand=offen" class:overview-alert=g.open_complaints != 0>{fill(t.overview_open_complaints, &[("n", &g.open_complaints.to_string())])}</a>
                " · "
                <a href=group_feed>{t.overview_to_feed}</a>
            </p>
            <div class="table-wrap" tabindex="0" role="region" aria-label=g.name.clone()>
            <table class="data-table">
                <thead>
                    <tr>
                        <th scope="col">{t.overview_youth}</th>
                        <th scope="col">{t.overview_entries}</th>
                        <th scope="col">{t.overview_last}</th>
                        <th scope="col">{t.overview_visits}</th>
                    </tr>
                </thead>
                <tbody>
                    {g.youths
                        .into_iter()
                        .map(|y| {
                            let quiet = match y.quiet_days {
                                None => view! { <span class="badge badge-important">{t.overview_never}</span> }.into_any(),
                                Some(d) if d >= QUIET_DAYS_WARN => view! {
                                    <span class="badge badge-important">{fill(t.overview_quiet, &[("n", &d.to_string())])}</span>
                                }
                                .into_any(),
                                Some(0) => view! { <span>{t.overview_today}</span> }.into_any(),
                                Some(d) => view! { <span>{fill(t.overview_days_ago, &[("n", &d.to_string())])}</span> }.into_any(),
                            };
                            let visits = match y.visits_planned {
                                Some(planned) => {
                                    let short = y.visits_held < i64::from(planned);
                                    let text = fill(t.overview_visits_of, &[("held", &y.visits_held.to_string()), ("planned", &planned.to_string())]);
                                    view! { <span class:overview-alert=short>{text}</span> }.into_any()
                                }
                                None => view! { <span>{fill(t.overview_visits_unplanned, &[("held", &y.visits_held.to_string())])}</span> }.into_any(),
                            };
                            view! {
                                <tr>
                                    <th scope="row"><a href=format!("/jugendliche/{}", y.id)>{y.name}</a></th>
                                    <td>{y.entries}</td>
                                    <td>{quiet}</td>
                                    <td>{visits}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            </div>
        </section>
    }
}
