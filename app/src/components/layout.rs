//! The frame of every page: skip link, header with menu, role-based navigation, logout.

use crate::api::session::current_session;
use crate::auth::CurrentUser;
use crate::domain::Role;
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
        </footer>
    }
}

struct NavItem {
    label: &'static str,
    href: Option<&'static str>,
}

fn nav_items(role: Role) -> Vec<NavItem> {
    let t = texts();
    let link = |label, href| NavItem { label, href: Some(href) };
    let soon = |label| NavItem { label, href: None };
    match role {
        Role::Fachkraft => vec![
            link(t.nav_my_group, "/"),
            link(t.nav_new_note, "/tagesnotiz/neu"),
            link(t.nav_new_visit, "/besuchskontakt/neu"),
            link(t.nav_feedback, "/rueckmeldungen"),
        ],
        Role::Fachberatung => {
            vec![
                link(t.nav_start, "/"),
                link(t.nav_groups, "/gruppen"),
                link(t.nav_feedback, "/rueckmeldungen"),
                soon(t.nav_feed),
            ]
        }
        Role::Leitung => vec![
            link(t.nav_start, "/"),
            link(t.nav_groups, "/gruppen"),
            link(t.nav_new_note, "/tagesnotiz/neu"),
            link(t.nav_new_visit, "/besuchskontakt/neu"),
            link(t.nav_feedback, "/rueckmeldungen"),
            link(t.nav_accounts, "/konten"),
            soon(t.nav_feed),
        ],
        Role::Jugendliche => {
            vec![
                link(t.nav_start, "/"),
                link(t.youth_my_messages, "/nachrichten"),
                link(t.fb_rights_link, "/meine-rechte"),
            ]
        }
        Role::Admin => vec![link(t.nav_start, "/"), link(t.nav_accounts, "/konten")],
        Role::Datenschutz => vec![link(t.nav_start, "/"), link(t.nav_audit, "/protokoll")],
    }
}

#[component]
fn NavFor(user: CurrentUser) -> impl IntoView {
    let t = texts();
    let items = nav_items(user.role)
        .into_iter()
        .map(|item| match item.href {
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
            <span class="user-name">{user.display_name.clone()}</span>
            " "
            <span class="badge badge-role">{user.role.label()}</span>
            <form class="logout-form" method="post" action="/auth/logout" on:submit=before_logout>
                <button type="submit" class="btn btn-secondary" id="logout">{t.logout}</button>
            </form>
        </div>
    }
}

/// Clears what this browser holds before the logout request leaves.
fn before_logout(ev: leptos::ev::SubmitEvent) {
    #[cfg(feature = "hydrate")]
    crate::browser::logout(ev);
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}
