//! The frame of every page: skip link, header with menu, role-based navigation, logout.

use crate::api::session::current_session;
use crate::auth::CurrentUser;
use crate::i18n::texts;
use leptos::prelude::*;
use leptos_router::components::A;

/// The signed-in account, shared with pages through context (None on the login page).
#[derive(Clone, Copy)]
pub struct SessionContext(pub Resource<Result<Option<CurrentUser>, crate::error::AppError>>);

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let t = texts();
    let session = Resource::new(|| (), |_| current_session());
    provide_context(SessionContext(session));
    let (open, set_open) = signal(false);
    view! {
        <a class="visually-hidden skip-link" href="#inhalt">{t.skip_to_content}</a>
        <header class="app-header">
            <a class="brand" href="/">{t.app_name}</a>
            <button
                type="button"
                class="menu-toggle"
                id="menu-toggle"
                aria-controls="app-nav"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| set_open.update(|o| *o = !*o)
            >
                {t.menu}
            </button>
        </header>
        <nav id="app-nav" class="app-nav" class:open=move || open.get() aria-label=t.nav_label>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match session.await {
                        Ok(Some(user)) => view! { <NavFor user /> }.into_any(),
                        _ => ().into_any(),
                    }
                })}
            </Suspense>
        </nav>
        <crate::components::outbox::OutboxBar />
        <main class="page" id="inhalt" tabindex="-1">
            {children()}
        </main>
        <footer class="app-footer">
            <p class="muted">{t.app_tagline}</p>
            <OfflineReady />
        </footer>
    }
}

/// On a connection that asks to save data, the service worker fetches nothing ahead of
/// time; this button (shown only then) lets the user ask for it, once per device.
#[component]
fn OfflineReady() -> impl IntoView {
    let t = texts();
    let wanted = RwSignal::new(false);
    let started = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| wanted.set(crate::browser::offline_needs_consent()));
    let ask = move |_| {
        #[cfg(feature = "hydrate")]
        crate::browser::allow_offline();
        started.set(true);
    };
    move || {
        wanted.get().then(|| {
            view! {
                <div class="offline-ready cluster" id="offline-ready">
                    <p class="muted">{if started.get() { t.offline_ready_started } else { t.offline_ready_hint }}</p>
                    <button type="button" class="btn btn-secondary" on:click=ask disabled=move || started.get()>{t.offline_ready}</button>
                </div>
            }
        })
    }
}

/// The incident board: its menu entry carries the number of open incidents.
const INCIDENTS: &str = "/vorkommnisse";
const PROTECTION: &str = "/kinderschutz";

struct NavItem {
    label: &'static str,
    href: Option<&'static str>,
}

/// The menu of an account: its pages as the policy lists them, in the order of its day.
fn nav_items(user: &CurrentUser) -> Vec<NavItem> {
    use crate::auth::policy::{Home, Page, can_open, home, menu};
    let t = texts();
    // Pages the session may not open yet (a password someone else chose) are left out.
    menu(user)
        .iter()
        .filter(|page| can_open(user, **page))
        .filter_map(|page| {
            let (label, href) = match page {
                Page::Start if home(user) == Home::Group => (t.nav_my_group, "/"),
                Page::Start => (t.nav_start, "/"),
                Page::Feed => (t.nav_feed, "/feed"),
                Page::Incidents => (t.nav_incidents, INCIDENTS),
                Page::Protection => (t.nav_protection, PROTECTION),
                Page::LicenceReports => (t.nav_licence, "/meldungen-47"),
                Page::Overview => (t.nav_overview, "/uebersicht"),
                Page::Groups => (t.nav_groups, "/gruppen"),
                Page::NewNote => (t.nav_new_note, "/tagesnotiz/neu"),
                Page::NewVisit => (t.nav_new_visit, "/besuchskontakt/neu"),
                Page::NewIncident => (t.nav_new_incident, "/vorkommnis/neu"),
                Page::Feedback => (t.nav_feedback, "/rueckmeldungen"),
                Page::Accounts => (t.nav_accounts, "/konten"),
                Page::Audit => (t.nav_audit, "/protokoll"),
                Page::YouthFeedback => (t.youth_my_messages, "/nachrichten"),
                Page::OwnGoals => (t.own_goals_title, "/meine-ziele"),
                Page::OwnReport => (t.own_report_title, "/mein-hilfeplangespraech"),
                Page::ReportTemplate => (t.nav_report_template, "/einstellungen/bericht"),
                Page::Rights => (t.fb_rights_link, "/meine-rechte"),
                _ => return None,
            };
            Some(NavItem { label, href: Some(href) })
        })
        .collect()
}

#[component]
fn NavFor(user: CurrentUser) -> impl IntoView {
    let t = texts();
    // Those incidents are reported to see how many wait for them, on every page: the
    // browser asks at once and every 30 seconds and writes the number into the badge
    // (plain DOM, no reactive resource: this is in the first page's bundle).
    let alerted = crate::auth::policy::receives_alarms(&user);
    #[cfg(feature = "hydrate")]
    if alerted {
        watch_open_incidents();
    }
    let items = nav_items(&user)
        .into_iter()
        .map(|item| match item.href {
            Some(PROTECTION) if alerted => view! {
                <li>
                    <A href=PROTECTION exact=true>
                        {item.label}" "<span class="badge badge-alarm" id="nav-protection-open" hidden=true></span>
                    </A>
                </li>
            }
            .into_any(),
            Some(INCIDENTS) if alerted => view! {
                <li>
                    <A href=INCIDENTS exact=true>
                        {item.label}" "<span class="badge badge-alarm" id="nav-incidents-open" hidden=true></span>
                    </A>
                </li>
            }
            .into_any(),
            Some(href) => view! { <li><A href=href exact=true>{item.label}</A></li> }.into_any(),
            None => view! {
                <li class="nav-soon" aria-disabled="true">
                    {item.label}" "<span class="badge">{t.nav_soon}</span>
                </li>
            }
            .into_any(),
        })
        .collect_view();
    view! {
            <ul>{items}</ul>
            <div class="user-box">
                <span class="visually-hidden">{t.logged_in_as}" "</span>
    <a class="user-name" href="/konto" id="own-account-link">
                    {user.display_name.clone()}<span class="visually-hidden">" – "{t.own_link}</span>
                </a>
                " "
                <span class="badge badge-role">{user.role.label()}</span>
                <form class="logout-form" method="post" action="/auth/logout" on:submit=before_logout>
                    <button type="submit" class="btn btn-secondary" id="logout">{t.logout}</button>
                </form>
            </div>
        }
}

/// Writes a count into a menu badge (hidden at 0).
#[cfg(feature = "hydrate")]
fn set_badge(id: &str, n: i64, label: &str) {
    if let Some(badge) = document().get_element_by_id(id) {
        let label = crate::i18n::fill(label, &[("n", &n.to_string())]);
        badge.set_text_content(Some(&n.to_string()));
        let _ = badge.set_attribute("title", &label);
        let _ = badge.set_attribute("aria-label", &label);
        if n > 0 {
            let _ = badge.remove_attribute("hidden");
        } else {
            let _ = badge.set_attribute("hidden", "");
        }
    }
}

/// Keeps the menu badges with the number of open incidents and of Kinderschutz
/// observations waiting (and deadlines overdue) up to date.
#[cfg(feature = "hydrate")]
fn watch_open_incidents() {
    let update = || {
        leptos::task::spawn_local(async {
            if let Ok(n) = crate::api::incidents::open_incident_count().await {
                set_badge("nav-incidents-open", n, texts().nav_incidents_open);
            }
            if document().get_element_by_id("nav-protection-open").is_some()
                && let Ok(n) = crate::api::protection::protection_count().await
            {
                set_badge("nav-protection-open", n, texts().nav_protection_open);
            }
        });
    };
    update();
    if let Ok(handle) = set_interval_with_handle(update, std::time::Duration::from_secs(30)) {
        on_cleanup(move || handle.clear());
    }
}

/// Clears what this browser holds before the logout request leaves.
fn before_logout(ev: leptos::ev::SubmitEvent) {
    #[cfg(feature = "hydrate")]
    crate::browser::logout(ev);
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}
