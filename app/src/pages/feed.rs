//! The feed (`/feed`): urgent items pinned on top, then one chronological stream of the
//! viewer's groups, with filters in the address (so a filtered view can be bookmarked
//! and works without JavaScript), search, "zur Kenntnis genommen", comments, keyboard
//! review and new items without reloading. And the group overview (`/uebersicht`).

use super::incidents::every_few_seconds;
use crate::api::feed::{AcknowledgeItem, CommentItem, feed_stamp, get_feed, get_overview};
use crate::auth::policy::Page;
use crate::components::load::Load;
use crate::components::status::{Guard, PageTitle, when_allowed};
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
    // The item in the reading pane (None: the first one), and whether the pane is open
    // (phones only: there it follows the list when asked for; on a desk it is always
    // beside the list).
    let selected = RwSignal::new(None::<String>);
    let open = RwSignal::new(false);
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
    // A row's link getting the focus (j/k, Tab) or a click on a row (not on its link)
    // shows it in the pane; on a phone the pane then opens below the list.
    let on_focus = move |ev: leptos::ev::FocusEvent| {
        if let Some(id) = row_id(ev.target(), "a.feed-link") {
            selected.set(Some(id));
        }
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if row_id(ev.target(), "a").is_some() {
            return;
        }
        if let Some(id) = row_id(ev.target(), "li.feed-item") {
            selected.set(Some(id));
            #[cfg(feature = "hydrate")]
            if narrow() {
                open.set(true);
                reveal("feed-pane");
            }
        }
    };
    view! {
        <Guard page=Page::Feed>
        <PageTitle text=t.feed_title />
        <Load data=page keep=true let:p>
            {
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
                let all: Vec<FeedItem> = p.pinned.iter().chain(p.items.iter()).cloned().collect();
                view! {
                    <Filters q=q.clone() groups=p.groups.clone() youths=p.youths.clone() />
                    {move || news.get().then(|| view! {
                        <p class="alert alert-info" role="status">
                            <button type="button" class="btn btn-secondary" id="feed-news" on:click=move |_| refresh.update(|n| *n += 1)>{t.feed_news}</button>
                        </p>
                    })}
                    <div class="feed-layout sidebar">
                        <div class="feed-list-col stack" on:focusin=on_focus on:click=on_click>
                            <p class="hint keyboard-hint">{t.feed_keys_hint}</p>
                            {(!p.pinned.is_empty()).then(|| view! {
                                <section class="pinned stack" aria-labelledby="feed-pinned-title">
                                    <h2 id="feed-pinned-title">{t.feed_pinned}" "<span class="badge badge-count">{p.pinned.len()}</span></h2>
                                    <Items items=p.pinned.clone() id="feed-pinned" selected />
                                </section>
                            })}
                            <section class="stack" aria-labelledby="feed-stream-title">
                                <h2 id="feed-stream-title">{t.feed_stream}</h2>
                                {if p.items.is_empty() {
                                    view! { <p class="empty" id="feed-empty">{t.feed_empty}</p> }.into_any()
                                } else {
                                    view! { <Items items=p.items.clone() id="feed-stream" selected /> }.into_any()
                                }}
                            </section>
                            <nav class="pager" aria-label=t.feed_pages>
                                {paged.then(|| view! { <a href=first.clone() id="feed-first">{t.feed_newest}</a> })}
                                {next.map(|href| view! { <a href=href id="feed-next" rel="next">{t.feed_older}</a> })}
                            </nav>
                        </div>
                        <aside class="feed-pane" class:open=move || open.get() id="feed-pane" aria-label=t.feed_pane_label>
                            {move || {
                                let id = selected.get();
                                let item = id.and_then(|id| all.iter().find(|i| i.id == id)).or(all.first()).cloned();
                                match item {
                                    Some(item) => view! { <Pane item acknowledge comment open /> }.into_any(),
                                    None => view! { <p class="muted">{t.feed_pane_empty}</p> }.into_any(),
                                }
                            }}
                        </aside>
                    </div>
                }
            }
        </Load>
        </Guard>
    }
}

/// The `data-id` of the feed row around an event's target, if the target is (inside) an
/// element matching `selector`.
fn row_id(target: Option<leptos::web_sys::EventTarget>, selector: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let element = target?.dyn_into::<web_sys::Element>().ok()?;
        element.closest(selector).ok()??;
        element.closest("li.feed-item").ok()??.get_attribute("data-id")
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (target, selector);
        None
    }
}

/// Whether the window is narrower than the two-column feed (64rem, as in the style sheet).
#[cfg(feature = "hydrate")]
fn narrow() -> bool {
    window().inner_width().ok().and_then(|w| w.as_f64()).is_some_and(|w| w < 1024.0)
}

/// Scrolls the element with this id into view.
#[cfg(feature = "hydrate")]
fn reveal(id: &'static str) {
    request_animation_frame(move || {
        if let Some(element) = document().get_element_by_id(id) {
            element.scroll_into_view();
        }
    });
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

/// The filter form: a plain GET form, so the filters live in the address. The everyday
/// filters in one row; the rest folded away (open when one of them is set).
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
    let more = !(q.youth.is_empty() && q.category.is_empty() && q.from.is_empty() && q.to.is_empty());
    view! {
        <form class="feed-filters" method="get" action="/feed" role="search" id="feed-filters">
            <div class="cluster feed-filters-row">
                <div class="field feed-search">
                    <label for="feed-q">{t.feed_search}</label>
                    <input type="search" id="feed-q" name="suche" value=q.q.clone() maxlength=crate::domain::feed::SEARCH_MAX />
                </div>
                {select("feed-group", "gruppe", t.fb_group_label, q.group.clone(), groups)}
                {select("feed-kind", "art", t.feed_kind, q.kind.clone(), kinds)}
                <div class="feed-checks">
                    <label class="choice" for="feed-unread">
                        <input type="checkbox" id="feed-unread" name="ungelesen" value="ja" checked=!q.unread.is_empty() />
                        <span>{t.feed_unread}</span>
                    </label>
                    <label class="choice" for="feed-important">
                        <input type="checkbox" id="feed-important" name="wichtig" value="ja" checked=!q.important.is_empty() />
                        <span>{t.feed_important}</span>
                    </label>
                </div>
                <div class="cluster feed-filter-actions">
                    <button type="submit" class="btn btn-primary" id="feed-apply">{t.feed_apply}</button>
                    <a class="btn btn-link" href="/feed">{t.feed_reset}</a>
                </div>
            </div>
            <details class="feed-more-filters" open=more>
                <summary>{t.feed_more_filters}</summary>
                <div class="cluster">
                    {select("feed-youth", "jung", t.feed_youth, q.youth.clone(), youths)}
                    {select("feed-category", "kategorie", t.feed_category, q.category.clone(), categories())}
                    <div class="field">
                        <label for="feed-from">{t.feed_from}</label>
                        <input type="date" id="feed-from" name="von" value=q.from.clone() />
                    </div>
                    <div class="field">
                        <label for="feed-to">{t.feed_to}</label>
                        <input type="date" id="feed-to" name="bis" value=q.to.clone() />
                    </div>
                </div>
            </details>
        </form>
    }
}

/// A list of feed rows: what, who, when, an excerpt, whether someone took note, and the
/// comments. No forms: acknowledging and commenting happen in the reading pane, so a
/// page of rows costs the browser little to take over.
#[component]
fn Items(items: Vec<FeedItem>, id: &'static str, selected: RwSignal<Option<String>>) -> impl IntoView {
    let t = texts();
    view! {
        <ul class="feed-list" id=id>
            {items
                .into_iter()
                .map(|i| {
                    let title = item_title(&i);
                    let author = i.author.clone().unwrap_or_else(|| t.fb_anonymous_label.to_owned());
                    let row = i.id.clone();
                    let comments = i.comments.len();
                    view! {
                        <li
                            class="feed-item"
                            class:feed-urgent=i.urgent
                            class:feed-selected=move || selected.get().as_deref() == Some(row.as_str())
                            data-kind=i.kind.clone()
                            data-id=i.id.clone()
                        >
                            <a class="feed-link" href=i.link.clone() data-id=i.id.clone()><strong>{title}</strong></a>
                            <p class="entry-meta">
                                {(!i.category.is_empty()).then(|| view! { <span class="badge">{i.category.clone()}</span>" " })}
                                {i.group_name.clone()}" · "{i.day.clone()}" · "{author}" · "{i.at.clone()}
                            </p>
                            <p class="feed-excerpt">{i.excerpt.clone()}</p>
                            <div class="cluster feed-row-foot">
                                {match i.acknowledged.clone() {
                                    Some(a) => view! { <p class="muted feed-ack">{fill(t.feed_acknowledged, &[("who", &a)])}</p> }.into_any(),
                                    None => view! { <p class="muted">{t.feed_not_acknowledged}</p> }.into_any(),
                                }}
                                {(comments > 0).then(|| view! {
                                    <span class="badge feed-comment-count">{fill(t.inc_comments, &[("n", &comments.to_string())])}</span>
                                })}
                                <button type="button" class="btn btn-secondary feed-select">{t.feed_select}</button>
                            </div>
                            {(!i.comments.is_empty()).then(|| view! { <Comments comments=i.comments.clone() /> })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// Closes the pane on a phone and goes back to the item's row in the list.
fn close(open: RwSignal<bool>, id: &str) {
    open.set(false);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let link = document()
            .query_selector(&format!("a.feed-link[data-id=\"{id}\"]"))
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(link) = link {
            let _ = link.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

fn item_title(i: &FeedItem) -> String {
    match &i.youth_name {
        Some(name) => format!("{} – {name}", kind_label(&i.kind)),
        None => kind_label(&i.kind).to_owned(),
    }
}

#[component]
fn Comments(comments: Vec<crate::domain::feed::FeedComment>) -> impl IntoView {
    view! {
        <ul class="feed-comments">
            {comments.into_iter().map(|c| view! {
                <li><p class="entry-meta">{c.at}" · "{c.by}</p><p class="answer-text">{c.text}</p></li>
            }).collect_view()}
        </ul>
    }
}

/// The reading pane: the selected item in full, "zur Kenntnis genommen", the comments
/// and the comment form. Beside the list on a desk; over it on a phone, when opened.
#[component]
fn Pane(
    item: FeedItem,
    acknowledge: ServerAction<AcknowledgeItem>,
    comment: ServerAction<CommentItem>,
    open: RwSignal<bool>,
) -> impl IntoView {
    let t = texts();
    let author = item.author.clone().unwrap_or_else(|| t.fb_anonymous_label.to_owned());
    let (row, ack_id, comment_id) = (item.id.to_string(), item.id.to_string(), item.id.to_string());
    view! {
        <article class="feed-pane-item stack" data-id=item.id.clone()>
            <button type="button" class="btn btn-secondary feed-pane-close" id="feed-pane-close" on:click=move |_| close(open, &row)>
                {t.feed_pane_close}
            </button>
            <h2>{item_title(&item)}</h2>
            <p class="entry-meta">
                {(!item.category.is_empty()).then(|| view! { <span class="badge">{item.category.clone()}</span>" " })}
                {item.urgent.then(|| view! { <span class="badge badge-important">{t.note_important_badge}</span>" " })}
                {item.group_name.clone()}" · "{item.day.clone()}" · "{author}" · "{item.at.clone()}
            </p>
            <p class="feed-excerpt">{item.excerpt.clone()}</p>
            <p><a href=item.link.clone() id="feed-pane-open">{t.feed_open_item}</a></p>
            {match (item.acknowledged.clone(), item.can_acknowledge) {
                (Some(a), _) => view! { <p class="muted feed-ack">{fill(t.feed_acknowledged, &[("who", &a)])}</p> }.into_any(),
                (None, true) => view! {
                    <ActionForm action=acknowledge attr:class="inline-form">
                        <input type="hidden" name="id" value=ack_id />
                        <button type="submit" class="btn btn-primary feed-ack-button">{t.inc_acknowledge}</button>
                    </ActionForm>
                }
                .into_any(),
                (None, false) => view! { <p class="muted">{t.feed_not_acknowledged}</p> }.into_any(),
            }}
            <h3>{t.feed_comments}</h3>
            {if item.comments.is_empty() {
                view! { <p class="muted">{t.feed_no_comments}</p> }.into_any()
            } else {
                view! { <Comments comments=item.comments.clone() /> }.into_any()
            }}
            <ActionForm action=comment attr:class="form feed-comment" attr:novalidate=true attr:id="feed-pane-comment-form">
                <input type="hidden" name="id" value=comment_id />
                <div class="field">
                    <label for="feed-pane-comment">{t.inc_comment_label}</label>
                    <textarea id="feed-pane-comment" name="input[text]" rows="3" maxlength=crate::domain::incident::COMMENT_MAX required></textarea>
                </div>
                <button type="submit" class="btn btn-secondary">{t.inc_comment_submit}</button>
            </ActionForm>
        </article>
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
        <Load data=overview let:groups>
            {if groups.is_empty() {
                view! { <p class="empty">{t.start_no_groups}</p> }.into_any()
            } else {
                view! { <div class="stack">{groups.into_iter().map(|g| view! { <GroupCard g /> }).collect_view()}</div> }.into_any()
            }}
        </Load>
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
            <p class="overview-open cluster">
                <a href="/vorkommnisse" class:overview-alert=g.open_incidents != 0>{fill(t.overview_open_incidents, &[("n", &g.open_incidents.to_string())])}</a>
                " · "
                <a href="/rueckmeldungen?stand=offen" class:overview-alert=g.open_complaints != 0>{fill(t.overview_open_complaints, &[("n", &g.open_complaints.to_string())])}</a>
                " · "
                <a href=group_feed>{t.overview_to_feed}</a>
            </p>
            <table class="data-table table-stack">
                <caption class="visually-hidden">{g.name.clone()}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t.overview_youth}</th>
                        <th scope="col">{t.overview_entries}</th>
                        <th scope="col">{t.overview_last}</th>
                        <th scope="col">{t.overview_visits}</th>
                        <th scope="col">{t.overview_goals}</th>
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
                                    <td data-label=t.overview_entries>{y.entries}</td>
                                    <td data-label=t.overview_last>{quiet}</td>
                                    <td data-label=t.overview_visits>{visits}</td>
                                    <td data-label=t.overview_goals>
                                        {if y.quiet_goals > 0 {
                                            view! { <a class="badge badge-important" href=format!("/jugendliche/{}/hilfeplan", y.id)>{fill(t.overview_quiet_goals, &[("n", &y.quiet_goals.to_string())])}</a> }.into_any()
                                        } else {
                                            view! { <span>{t.overview_goals_ok}</span> }.into_any()
                                        }}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}
