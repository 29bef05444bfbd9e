//! The document shell, the root component and the route table.

use crate::components::layout::Layout;
use crate::pages;
use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::{ChooseView, SsrMode, path};

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
                    // Login is in the main bundle: it is the first page. Every other page is
                    // in a lazily loaded WebAssembly chunk (`cargo leptos --split`); pages
                    // that share code share a chunk (see `chunk_pages!`).
                    <Route path=path!("/anmelden") view=pages::login::LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/") view=Start::Home ssr=SsrMode::Async />
                    <ParentRoute path=path!("/gruppen") view=Outlet ssr=SsrMode::Async>
                        <Route path=path!("") view=Masterdata::Groups ssr=SsrMode::Async />
                        <Route path=path!("neu") view=Masterdata::NewGroup ssr=SsrMode::Async />
                        <ParentRoute path=path!(":id") view=Outlet ssr=SsrMode::Async>
                            <Route path=path!("") view=Masterdata::Group ssr=SsrMode::Async />
                            <Route path=path!("bearbeiten") view=Masterdata::EditGroup ssr=SsrMode::Async />
                            <Route path=path!("uebergabe") view=Case::Handover ssr=SsrMode::Async />
                            <Route path=path!("aushang") view=Case::Poster ssr=SsrMode::Async />
                        </ParentRoute>
                    </ParentRoute>
                    <ParentRoute path=path!("/jugendliche") view=Outlet ssr=SsrMode::Async>
                        <Route path=path!("neu") view=Masterdata::NewYouth ssr=SsrMode::Async />
                        <ParentRoute path=path!(":id") view=Outlet ssr=SsrMode::Async>
                            <Route path=path!("") view=Case::Youth ssr=SsrMode::Async />
                            <Route path=path!("bearbeiten") view=Masterdata::EditYouth ssr=SsrMode::Async />
                            <Route path=path!("karte") view=Case::LoginCard ssr=SsrMode::Async />
                            <Route path=path!("hilfeplan") view=Case::HelpPlan ssr=SsrMode::Async />
                            <Route path=path!("aufzeichnung/neu") view=Case::NewRecord ssr=SsrMode::Async />
                        </ParentRoute>
                    </ParentRoute>
                    <ParentRoute path=path!("/konten") view=Outlet ssr=SsrMode::Async>
                        <Route path=path!("") view=Accounts::List ssr=SsrMode::Async />
                        <Route path=path!("neu") view=Accounts::New ssr=SsrMode::Async />
                        <Route path=path!(":id") view=Accounts::Account ssr=SsrMode::Async />
                    </ParentRoute>
                    <Route path=path!("/protokoll") view=Audit::Log ssr=SsrMode::Async />
                    <Route path=path!("/konto") view=Own::Account ssr=SsrMode::Async />
                    <Route path=path!("/tagesnotiz/neu") view=Case::NewNote ssr=SsrMode::Async />
                    <Route path=path!("/besuchskontakt/neu") view=Case::NewVisit ssr=SsrMode::Async />
                    <Route path=path!("/erziehungsplanung/neu") view=Case::NewTalk ssr=SsrMode::Async />
                    <Route path=path!("/eintraege/:id") view=Case::Entry ssr=SsrMode::Async />
                    <Route path=path!("/hilfeplan/:id") view=Case::PlanVersion ssr=SsrMode::Async />
                    <Route path=path!("/ziele/:id") view=Case::Goal ssr=SsrMode::Async />
                    <Route path=path!("/berichte/:id") view=Case::Report ssr=SsrMode::Async />
                    <Route path=path!("/einstellungen/bericht") view=Case::ReportTemplate ssr=SsrMode::Async />
                    <Route path=path!("/vorkommnis/neu") view=Case::NewIncident ssr=SsrMode::Async />
                    <ParentRoute path=path!("/vorkommnisse") view=Outlet ssr=SsrMode::Async>
                        <Route path=path!("") view=Case::Incidents ssr=SsrMode::Async />
                        <Route path=path!(":id") view=Case::Incident ssr=SsrMode::Async />
                    </ParentRoute>
                    <ParentRoute path=path!("/kinderschutz") view=Outlet ssr=SsrMode::Async>
                        <Route path=path!("") view=Case::Protection ssr=SsrMode::Async />
                        <Route path=path!("beobachtung/neu") view=Case::NewObservation ssr=SsrMode::Async />
                        <Route path=path!("beobachtungen/:id") view=Case::Observation ssr=SsrMode::Async />
                        <Route path=path!(":id") view=Case::Procedure ssr=SsrMode::Async />
                    </ParentRoute>
                    <ParentRoute path=path!("/meldungen-47") view=Outlet ssr=SsrMode::Async>
                        <Route path=path!("") view=Case::Licences ssr=SsrMode::Async />
                        <Route path=path!("neu") view=Case::NewLicence ssr=SsrMode::Async />
                        <Route path=path!(":id") view=Case::Licence ssr=SsrMode::Async />
                    </ParentRoute>
                    <Route path=path!("/feed") view=Case::Feed ssr=SsrMode::Async />
                    <Route path=path!("/uebersicht") view=Case::Overview ssr=SsrMode::Async />
                    <ParentRoute path=path!("/rueckmeldungen") view=Outlet ssr=SsrMode::Async>
                        <Route path=path!("") view=Case::FeedbackList ssr=SsrMode::Async />
                        <Route path=path!(":id") view=Case::Feedback ssr=SsrMode::Async />
                    </ParentRoute>
                    <Route path=path!("/auswertung") view=Case::Counts ssr=SsrMode::Async />
                    <Route path=path!("/nachricht/neu") view=Youth::NewMessage ssr=SsrMode::Async />
                    <Route path=path!("/nachrichten") view=Youth::MyMessages ssr=SsrMode::Async />
                    <Route path=path!("/meine-ziele") view=Youth::OwnGoals ssr=SsrMode::Async />
                    <Route path=path!("/mein-hilfeplangespraech") view=Youth::OwnReport ssr=SsrMode::Async />
                    <Route path=path!("/mitreden/:id") view=Youth::LinkForm ssr=SsrMode::Async />
                    <Route path=path!("/karte/:id") view=Youth::CardLogin ssr=SsrMode::Async />
                    <ParentRoute path=path!("/meine-rechte") view=Outlet ssr=SsrMode::Async>
                        <Route path=path!("") view=Youth::Rights ssr=SsrMode::Async />
                        <Route path=path!("bearbeiten") view=Case::EditRights ssr=SsrMode::Async />
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

/// Declares the pages of one lazily loaded WebAssembly chunk (`cargo leptos build
/// --split`): an enum with one value per page, which the route table names as the
/// route's view, and one split function that shows a page, so the code of all these
/// pages (and what only they share) is in the one chunk named first. Pages that share
/// code must share a chunk: wasm-split moves code used by two chunks into the main
/// module, which is the first page's download.
///
/// The enum is the route's view (`ChooseView`): `preload` loads the chunk before the
/// router builds the view (and, on the page the browser opened, before hydration),
/// `choose` shows the page. `#[lazy_route]` would give every page a chunk of its own
/// (`#[lazy]` names a chunk after its function) and a route type of its own, whose
/// router code is in the main module.
macro_rules! chunk_pages {
    ($chunk:ident: $pages:ident, $show:ident, $load:ident { $($page:ident => $($component:ident)::+),+ $(,)? }) => {
        #[derive(Clone, Copy, Debug, PartialEq)]
        #[repr(u8)]
        enum $pages {
            $($page),+
        }

        #[::leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, preload($load))]
        fn $show(page: $pages) -> AnyView {
            match page {
                $($pages::$page => view! { <$($component)::+ /> }.into_any()),+
            }
        }

        impl ChooseView for $pages {
            async fn choose(self) -> AnyView {
                $show(self).await
            }

            async fn preload(&self) {
                $load().await;
            }
        }
    };
}

// The start page of each role (what follows the login).
chunk_pages!(start: Start, start_page, load_start { Home => pages::start::StartPage });
// Master data (Leitung, and the group pages staff and Fachberatung read): the group and
// young-person forms share their fields.
chunk_pages!(masterdata: Masterdata, masterdata_page, load_masterdata {
    Groups => pages::groups::GroupsPage,
    NewGroup => pages::groups::NewGroupPage,
    Group => pages::groups::GroupPage,
    EditGroup => pages::groups::EditGroupPage,
    NewYouth => pages::youths::NewYouthPage,
    EditYouth => pages::youths::EditYouthPage,
});
chunk_pages!(accounts: Accounts, accounts_page, load_accounts {
    List => pages::accounts::AccountsPage,
    New => pages::accounts::NewAccountPage,
    Account => pages::accounts::AccountPage,
});
chunk_pages!(audit: Audit, audit_page, load_audit { Log => pages::audit::AuditPage });
// Everyone's own account: sessions and password.
chunk_pages!(own: Own, own_page, load_own { Account => pages::own_account::OwnAccountPage });
// The staff's case work: a young person's page, the capture forms, an entry, the
// hand-over, incidents, the feed and the overview, the help plan and its goals, and the
// staff's side of participation and complaints. They share entry cards, form fields,
// the outbox sealing and the list code.
chunk_pages!(case: Case, case_page, load_case {
    Youth => pages::youths::YouthPage,
    NewNote => pages::capture::NewNotePage,
    NewVisit => pages::capture::NewVisitPage,
    NewTalk => pages::talk::NewTalkPage,
    Entry => pages::entries::EntryPage,
    Handover => pages::entries::HandoverPage,
    NewIncident => pages::incidents::NewIncidentPage,
    Incidents => pages::incidents::IncidentsPage,
    Incident => pages::incidents::IncidentPage,
    Feed => pages::feed::FeedScreen,
    Overview => pages::feed::OverviewScreen,
    FeedbackList => pages::feedback_desk::FeedbackListPage,
    Feedback => pages::feedback_desk::FeedbackDetailPage,
    Counts => pages::feedback_desk::CountsPage,
    Poster => pages::feedback_desk::PosterPage,
    LoginCard => pages::feedback_desk::LoginCardPage,
    EditRights => pages::feedback_desk::EditRightsPage,
    HelpPlan => pages::plan::HelpPlanPage,
    PlanVersion => pages::plan::PlanVersionPage,
    Goal => pages::plan::GoalPage,
    NewRecord => pages::record::NewRecordPage,
    Report => pages::report::ReportPage,
    ReportTemplate => pages::report::ReportTemplatePage,
    NewObservation => pages::protection::NewObservationPage,
    Protection => pages::protection::ProtectionPage,
    Observation => pages::protection::ObservationPage,
    Procedure => pages::protection::CasePage,
    Licences => pages::licence::LicenceListPage,
    NewLicence => pages::licence::NewLicencePage,
    Licence => pages::licence::LicencePage,
});
// The young people's pages: their form, their messages, their goals, the public link
// form, the card login and "Meine Rechte".
chunk_pages!(youth: Youth, youth_page, load_youth {
    NewMessage => pages::feedback::NewMessagePage,
    MyMessages => pages::feedback::MyMessagesPage,
    OwnGoals => pages::own_goals::OwnGoalsPage,
    OwnReport => pages::own_report::OwnReportPage,
    LinkForm => pages::feedback::LinkFormPage,
    CardLogin => pages::feedback::CardLoginPage,
    Rights => pages::feedback::RightsPage,
});
