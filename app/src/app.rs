//! The document shell, the root component and the route table.

use crate::components::layout::Layout;
use crate::pages;
use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, SsrMode, path};

/// Renders the whole HTML document on the server. The Content-Security-Policy is sent as
/// a header carrying this response's nonce (see the server's security middleware); the
/// hydration scripts are the only inline scripts and carry the nonce.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="de">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#1f4e5f" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="icon" href="/icons/favicon.png" type="image/png" />
                <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png" />
                <leptos_meta::HashedStylesheet options=options.clone() id="leptos" />
                <OutboxScript />
                <HydrationScript options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The device outbox (`public/outbox.js`): seals entries, keeps them in IndexedDB and
/// sends them. A plain module script, so it runs (and sends what waits) even on pages
/// whose WebAssembly is still loading.
#[component]
fn OutboxScript() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string());
    #[cfg(not(feature = "ssr"))]
    let nonce: Option<String> = None;
    view! { <script type="module" src="/outbox.js" nonce=nonce></script> }
}

/// Starts the WebAssembly once the page has loaded and the browser is idle (at the
/// latest 1.5 s after load), instead of leptos' `HydrationScripts`, which preloads the
/// main module and the route's chunks from the `<head>`: on a phone those 300 KB share
/// the connection with the style sheet and the page's first paint. The page is usable
/// before (server-rendered, forms post without JavaScript); it only becomes interactive
/// a moment later. The chunks of the route come once the main module asks for them.
#[component]
fn HydrationScript(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let (files, nonce) = (bundle_files(&options), leptos::nonce::use_nonce().map(|n| n.to_string()));
    #[cfg(not(feature = "ssr"))]
    let (files, nonce) = ((String::new(), String::new()), None::<String>);
    let _ = options;
    let (js, wasm) = files;
    let script = format!(
        "const start = () => import({js:?}).then((m) => m.default({{ module_or_path: {wasm:?} }}).then(() => m.hydrate()));\n\
         const idle = () => (window.requestIdleCallback ? requestIdleCallback(start, {{ timeout: 1500 }}) : setTimeout(start, 0));\n\
         if (document.readyState === \"complete\") idle(); else addEventListener(\"load\", idle, {{ once: true }});"
    );
    view! { <script type="module" nonce=nonce>{script}</script> }
}

/// The addresses of the main JavaScript and WebAssembly files of this build: with hashed
/// names, the hashes cargo-leptos wrote next to the server binary (as leptos reads them).
#[cfg(feature = "ssr")]
fn bundle_files(options: &LeptosOptions) -> (String, String) {
    use std::sync::OnceLock;
    static FILES: OnceLock<(String, String)> = OnceLock::new();
    FILES
        .get_or_init(|| {
            let pkg = format!("/{}/{}", options.site_pkg_dir, options.output_name);
            let hashes = options
                .hash_files
                .then(|| std::env::current_exe().ok()?.parent().map(|dir| dir.join(options.hash_file.as_ref())))
                .flatten()
                .and_then(|path| std::fs::read_to_string(path).ok())
                .unwrap_or_default();
            let hash = |kind: &str| {
                hashes.lines().find_map(|line| {
                    let (file, hash) = line.split_once(':')?;
                    (file.trim() == kind).then(|| format!(".{}", hash.trim()))
                })
            };
            match (hash("js"), hash("wasm")) {
                (Some(js), Some(wasm)) => (format!("{pkg}{js}.js"), format!("{pkg}{wasm}.wasm")),
                _ => (format!("{pkg}.js"), format!("{pkg}.wasm")),
            }
        })
        .clone()
}

/// The hydrated root: meta context, router, routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "ssr")]
    set_csp_header();
    #[cfg(feature = "hydrate")]
    crate::browser::on_hydrated();
    let t = crate::i18n::texts();
    view! {
        <Title formatter=move |page: String| if page.is_empty() { t.app_name.to_owned() } else { format!("{page} – {}", t.app_name) } />
        <Meta name="description" content=t.app_tagline />
        <Link rel="preconnect" href="/" />
        <Router>
            <Layout>
                <Routes fallback=pages::not_found::NotFound>
                    // Login and start are in the main bundle: they are the first page. Every
                    // other page is in a lazily loaded WebAssembly chunk (`cargo leptos
                    // --split`); pages that share code share a chunk (see `chunk_pages!`).
                    <Route path=path!("/anmelden") view=pages::login::LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/") view=pages::start::StartPage ssr=SsrMode::Async />
                    <ParentRoute path=path!("/gruppen") view=Outlet ssr=SsrMode::Async>
                        <Route path=path!("") view={Lazy::<GroupsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("neu") view={Lazy::<NewGroupRoute>::new()} ssr=SsrMode::Async />
                        <ParentRoute path=path!(":id") view=Outlet ssr=SsrMode::Async>
                            <Route path=path!("") view={Lazy::<GroupRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("bearbeiten") view={Lazy::<EditGroupRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("uebergabe") view={Lazy::<HandoverRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("aushang") view={Lazy::<PosterRoute>::new()} ssr=SsrMode::Async />
                        </ParentRoute>
                    </ParentRoute>
                    <ParentRoute path=path!("/jugendliche") view=Outlet ssr=SsrMode::Async>
                        <Route path=path!("neu") view={Lazy::<NewYouthRoute>::new()} ssr=SsrMode::Async />
                        <ParentRoute path=path!(":id") view=Outlet ssr=SsrMode::Async>
                            <Route path=path!("") view={Lazy::<YouthRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("bearbeiten") view={Lazy::<EditYouthRoute>::new()} ssr=SsrMode::Async />
                            <Route path=path!("karte") view={Lazy::<LoginCardRoute>::new()} ssr=SsrMode::Async />
                        </ParentRoute>
                    </ParentRoute>
                    <ParentRoute path=path!("/konten") view=Outlet ssr=SsrMode::Async>
                        <Route path=path!("") view={Lazy::<AccountsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("neu") view={Lazy::<NewAccountRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!(":id") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async />
                    </ParentRoute>
                    <Route path=path!("/protokoll") view={Lazy::<AuditRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/tagesnotiz/neu") view={Lazy::<NewNoteRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/besuchskontakt/neu") view={Lazy::<NewVisitRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/eintraege/:id") view={Lazy::<EntryRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/vorkommnis/neu") view={Lazy::<NewIncidentRoute>::new()} ssr=SsrMode::Async />
                    <ParentRoute path=path!("/vorkommnisse") view=Outlet ssr=SsrMode::Async>
                        <Route path=path!("") view={Lazy::<IncidentsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!(":id") view={Lazy::<IncidentRoute>::new()} ssr=SsrMode::Async />
                    </ParentRoute>
                    <Route path=path!("/feed") view={Lazy::<FeedRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/uebersicht") view={Lazy::<OverviewRoute>::new()} ssr=SsrMode::Async />
                    <ParentRoute path=path!("/rueckmeldungen") view=Outlet ssr=SsrMode::Async>
                        <Route path=path!("") view={Lazy::<FeedbackListRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!(":id") view={Lazy::<FeedbackRoute>::new()} ssr=SsrMode::Async />
                    </ParentRoute>
                    <Route path=path!("/auswertung") view={Lazy::<CountsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/nachricht/neu") view={Lazy::<NewMessageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/nachrichten") view={Lazy::<MyMessagesRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/mitreden/:id") view={Lazy::<LinkFormRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/karte/:id") view={Lazy::<CardLoginRoute>::new()} ssr=SsrMode::Async />
                    <ParentRoute path=path!("/meine-rechte") view=Outlet ssr=SsrMode::Async>
                        <Route path=path!("") view={Lazy::<RightsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("bearbeiten") view={Lazy::<EditRightsRoute>::new()} ssr=SsrMode::Async />
                    </ParentRoute>
                </Routes>
            </Layout>
        </Router>
    }
}

/// Puts this response's nonce into its Content-Security-Policy header.
#[cfg(feature = "ssr")]
fn set_csp_header() {
    use leptos::nonce::use_nonce;
    if let (Some(nonce), Some(response)) = (use_nonce(), use_context::<leptos_axum::ResponseOptions>())
        && let Ok(value) = http::HeaderValue::from_str(&crate::csp::policy(Some(&nonce)))
    {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Declares one lazily loaded route per page, all of whose code goes into the one
/// WebAssembly chunk named first (`cargo leptos build --split`). Pages that share code
/// must share a chunk: wasm-split moves code used by two chunks into the main module,
/// which is the first page's download. Each page still gets its own route type, so the
/// router (not the page) decides which page a path shows.
///
/// Per page: the route type, the name of its split function, and the component. This is
/// what `#[lazy_route]` expands to, except that `#[lazy]` names every split function's
/// chunk after the function (one chunk per route); `wasm_split` with a shared name puts
/// several into one. (No server-side `<link rel="preload">` for the chunk: see
/// `HydrationScript`.)
macro_rules! chunk_pages {
    ($chunk:ident: $($route:ident($split:ident) => $($page:ident)::+),+ $(,)?) => {
        $(
            #[derive(Debug)]
            struct $route;

            mod $split {
                use super::*;

                #[::leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, preload(preload))]
                pub(super) fn $split() -> AnyView {
                    view! { <$($page)::+ /> }.into_any()
                }
            }

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> AnyView {
                    $split::$split().await
                }

                // The router loads the chunk before it builds the view (and, on the page
                // the browser opened, before hydration).
                async fn preload() {
                    $split::preload().await;
                }
            }
        )+
    };
}

// Master data (Leitung, and the group pages staff and Fachberatung read): the group and
// young-person forms share their fields.
chunk_pages!(masterdata:
    GroupsRoute(groups_page) => pages::groups::GroupsPage,
    NewGroupRoute(new_group_page) => pages::groups::NewGroupPage,
    GroupRoute(group_page) => pages::groups::GroupPage,
    EditGroupRoute(edit_group_page) => pages::groups::EditGroupPage,
    NewYouthRoute(new_youth_page) => pages::youths::NewYouthPage,
    EditYouthRoute(edit_youth_page) => pages::youths::EditYouthPage,
);
chunk_pages!(accounts:
    AccountsRoute(accounts_page) => pages::accounts::AccountsPage,
    NewAccountRoute(new_account_page) => pages::accounts::NewAccountPage,
    AccountRoute(account_page) => pages::accounts::AccountPage,
);
chunk_pages!(audit: AuditRoute(audit_page) => pages::audit::AuditPage);
// The staff's case work: a young person's page, the capture forms, an entry, the
// hand-over, incidents, the feed and the overview, and the staff's side of
// participation and complaints. They share entry cards, form fields, the outbox
// sealing and the list code.
chunk_pages!(case:
    YouthRoute(youth_page) => pages::youths::YouthPage,
    NewNoteRoute(new_note_page) => pages::capture::NewNotePage,
    NewVisitRoute(new_visit_page) => pages::capture::NewVisitPage,
    EntryRoute(entry_page) => pages::entries::EntryPage,
    HandoverRoute(handover_page) => pages::entries::HandoverPage,
    NewIncidentRoute(new_incident_page) => pages::incidents::NewIncidentPage,
    IncidentsRoute(incidents_page) => pages::incidents::IncidentsPage,
    IncidentRoute(incident_page) => pages::incidents::IncidentPage,
    FeedRoute(feed_page) => pages::feed::FeedScreen,
    OverviewRoute(overview_page) => pages::feed::OverviewScreen,
    FeedbackListRoute(feedback_list_page) => pages::feedback_desk::FeedbackListPage,
    FeedbackRoute(feedback_page) => pages::feedback_desk::FeedbackDetailPage,
    CountsRoute(counts_page) => pages::feedback_desk::CountsPage,
    PosterRoute(poster_page) => pages::feedback_desk::PosterPage,
    LoginCardRoute(login_card_page) => pages::feedback_desk::LoginCardPage,
    EditRightsRoute(edit_rights_page) => pages::feedback_desk::EditRightsPage,
);
// The young people's pages: their form, their messages, the public link form, the card
// login and "Meine Rechte".
chunk_pages!(youth:
    NewMessageRoute(new_message_page) => pages::feedback::NewMessagePage,
    MyMessagesRoute(my_messages_page) => pages::feedback::MyMessagesPage,
    LinkFormRoute(link_form_page) => pages::feedback::LinkFormPage,
    CardLoginRoute(card_login_page) => pages::feedback::CardLoginPage,
    RightsRoute(rights_page) => pages::feedback::RightsPage,
);
