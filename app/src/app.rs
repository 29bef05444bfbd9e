//! The document shell, the root component and the route table.

use crate::components::layout::Layout;
use crate::pages;
use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, SsrMode, lazy_route, path};

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
                <HydrationScripts options />
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
                    // other page is a lazily loaded WebAssembly chunk (`cargo leptos --split`).
                    <Route path=path!("/anmelden") view=pages::login::LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/") view=pages::start::StartPage ssr=SsrMode::Async />
                    <Route path=path!("/gruppen") view={Lazy::<GroupsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/gruppen/neu") view={Lazy::<NewGroupRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/gruppen/:id") view={Lazy::<GroupRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/gruppen/:id/bearbeiten") view={Lazy::<EditGroupRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/jugendliche/neu") view={Lazy::<NewYouthRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/jugendliche/:id") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/jugendliche/:id/bearbeiten") view={Lazy::<EditYouthRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/konten") view={Lazy::<AccountsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/konten/neu") view={Lazy::<NewAccountRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/konten/:id") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/protokoll") view={Lazy::<AuditRoute>::new()} ssr=SsrMode::Async />
                    // The case pages (a young person, the capture forms, an entry, the
                    // hand-over) share most of their code, so they share one chunk (see
                    // `pages::case`): code used by two chunks moves into the first page's bundle.
                    <Route path=path!("/tagesnotiz/neu") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/besuchskontakt/neu") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/eintraege/:id") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/gruppen/:id/uebergabe") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/vorkommnis/neu") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/vorkommnisse") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/vorkommnisse/:id") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/feed") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/uebersicht") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
                    // Young people's pages (their form, their messages, the public link form,
                    // the card login, "Meine Rechte") share one chunk. The staff's pages of
                    // submissions, the feed, the overview and the incidents are in the case
                    // chunk: they share its form and list code.
                    <Route path=path!("/nachricht/neu") view={Lazy::<YouthRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/nachrichten") view={Lazy::<YouthRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/mitreden/:id") view={Lazy::<YouthRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/karte/:id") view={Lazy::<YouthRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/meine-rechte") view={Lazy::<YouthRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/rueckmeldungen") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/rueckmeldungen/:id") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/auswertung") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/gruppen/:id/aushang") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/jugendliche/:id/karte") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/meine-rechte/bearbeiten") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
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

/// Declares a lazily loaded route for a page component: its code is split out of the main
/// WebAssembly and fetched when the route is first visited (or, for the page the browser
/// opened, before hydration).
macro_rules! lazy_page {
    ($route:ident, $($page:ident)::+) => {
        #[derive(Debug)]
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$($page)::+ /> }.into_any()
            }
        }
    };
}

lazy_page!(GroupsRoute, pages::groups::GroupsPage);
lazy_page!(NewGroupRoute, pages::groups::NewGroupPage);
lazy_page!(GroupRoute, pages::groups::GroupPage);
lazy_page!(EditGroupRoute, pages::groups::EditGroupPage);
lazy_page!(NewYouthRoute, pages::youths::NewYouthPage);
lazy_page!(EditYouthRoute, pages::youths::EditYouthPage);
lazy_page!(AccountsRoute, pages::accounts::AccountsPage);
lazy_page!(NewAccountRoute, pages::accounts::NewAccountPage);
lazy_page!(AccountRoute, pages::accounts::AccountPage);
lazy_page!(AuditRoute, pages::audit::AuditPage);
lazy_page!(CaseRoute, pages::case::CasePage);
lazy_page!(YouthRoute, pages::feedback::YouthPages);
