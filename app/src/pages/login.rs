//! The login page. A plain HTML form posting to `/auth/login`, so it works before (and
//! without) the WebAssembly; the server answers with a redirect either way.

use crate::components::status::PageTitle;
use crate::i18n::texts;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let t = texts();
    let query = use_query_map();
    let failed = move || query.read().get("fehler").is_some();
    let logged_out = move || query.read().get("abgemeldet").is_some();
    let ended = move || query.read().get("sitzung").is_some();
    let bad_card = move || query.read().get("karte").is_some_and(|v| v != "noetig");
    let card_needed = move || query.read().get("karte").is_some_and(|v| v == "noetig");
    let next = move || {
        query
            .read()
            .get("weiter")
            .filter(|n| n.starts_with('/') && !n.starts_with("//") && n.chars().all(|c| c.is_ascii_graphic()))
            .unwrap_or_else(|| "/".into())
    };
    view! {
        <div class="login-page">
            <div class="login-card card">
                <PageTitle text=t.login_title />
                <p class="page-lead">{t.login_lead}</p>
                {move || failed().then(|| view! { <div class="alert alert-error" role="alert" id="login-error">{t.login_failed}</div> })}
                {move || logged_out().then(|| view! { <div class="alert alert-success" role="status">{t.login_logged_out}</div> })}
                {move || ended().then(|| view! { <div class="alert alert-info" role="status">{t.login_session_ended}</div> })}
                {move || bad_card().then(|| view! { <div class="alert alert-error" role="alert">{t.card_login_invalid}</div> })}
                {move || card_needed().then(|| view! { <div class="alert alert-info" role="alert" id="card-needed">{t.card_login_needed}</div> })}
                <form class="form" method="post" action="/auth/login">
                    <input type="hidden" name="next" value=next />
                    <div class="field">
                        <label for="login">{t.login_name}</label>
                        <input id="login" name="login" type="text" required autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="40" />
                    </div>
                    <div class="field">
                        <label for="password">{t.login_password}</label>
                        <input id="password" name="password" type="password" required autocomplete="current-password" maxlength="128" aria-describedby="password-hint" />
                        <p class="hint" id="password-hint">{t.login_pin_hint}</p>
                    </div>
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary">{t.login_submit}</button>
                    </div>
                </form>
            </div>
        </div>
    }
}
