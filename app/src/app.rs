//! The document shell, the root component and the route table.

use crate::components::layout::Layout;
use crate::pages;
use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

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
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
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
                    <Route path=path!("/anmelden") view=pages::login::LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/") view=pages::start::StartPage ssr=SsrMode::Async />
                    <Route path=path!("/gruppen") view=pages::groups::GroupsPage ssr=SsrMode::Async />
                    <Route path=path!("/gruppen/neu") view=pages::groups::NewGroupPage ssr=SsrMode::Async />
                    <Route path=path!("/gruppen/:id") view=pages::groups::GroupPage ssr=SsrMode::Async />
                    <Route path=path!("/gruppen/:id/bearbeiten") view=pages::groups::EditGroupPage ssr=SsrMode::Async />
                    <Route path=path!("/jugendliche/neu") view=pages::youths::NewYouthPage ssr=SsrMode::Async />
                    <Route path=path!("/jugendliche/:id") view=pages::youths::YouthPage ssr=SsrMode::Async />
                    <Route path=path!("/jugendliche/:id/bearbeiten") view=pages::youths::EditYouthPage ssr=SsrMode::Async />
                    <Route path=path!("/konten") view=pages::accounts::AccountsPage ssr=SsrMode::Async />
                    <Route path=path!("/konten/neu") view=pages::accounts::NewAccountPage ssr=SsrMode::Async />
                    <Route path=path!("/konten/:id") view=pages::accounts::AccountPage ssr=SsrMode::Async />
                    <Route path=path!("/protokoll") view=pages::audit::AuditPage ssr=SsrMode::Async />
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
