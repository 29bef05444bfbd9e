//! Login and logout as plain form posts, so they work before the WebAssembly loads.
//!
//! A wrong password, an unknown login and a deactivated account get the same answer in
//! the same time (the password hash is always verified). Failed attempts are counted per
//! account and per client address in the database; past the limit the answer is 429 with
//! `Retry-After`.

use crate::middleware::plain;
use axum::Form;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use gruppenbuch_app::api::cx::Cx;
use gruppenbuch_app::api::ssr::AppState;
use gruppenbuch_app::auth::session::{clear_cookie, session_cookie, token_hash, token_of};
use gruppenbuch_app::db::{self, now_ms};
use gruppenbuch_app::domain::audit::{AuditAction, RecordKind};
use gruppenbuch_app::error::AppError;
use gruppenbuch_app::i18n::{fill, texts};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginForm {
    login: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Where to go after login: only a path on this site. Browsers drop tabs and line breaks
/// from URLs (`/\t/evil` becomes `//evil`), so only visible ASCII is accepted.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/')
        && !next.starts_with("//")
        && next.chars().all(|c| c.is_ascii_graphic())
        && !next.contains('\\')
        && !next.starts_with("/anmelden")
    {
        next
    } else {
        "/"
    }
}

/// The client address (see `gruppenbuch_app::api::ssr::client_address_of`).
pub fn client_address(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> String {
    gruppenbuch_app::api::ssr::client_address_of(state.settings.trust_proxy, headers, Some(peer))
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return plain(StatusCode::BAD_REQUEST, "Die Anmeldung war unvollständig. Bitte fülle das Formular aus.");
    };
    match attempt(&state, &headers, peer, form, None).await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(%error, "login failed with a database error");
            plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "Der Dienst ist gerade nicht erreichbar. Bitte versuche es gleich noch einmal.",
            )
        }
    }
}

/// The login form of a young person's login card: the card's token and the PIN.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardForm {
    card: String,
    password: String,
}

/// Login with a login card: the card names the account, the PIN proves it is its owner.
/// A card that no longer works goes back to the login page with a message; a wrong PIN
/// back to the card's page. Wrong PINs count against the account like any login.
pub async fn card_login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<CardForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return plain(StatusCode::BAD_REQUEST, "Die Anmeldung war unvollständig. Bitte fülle das Formular aus.");
    };
    let card = form.card.trim().to_owned();
    let result = async {
        let plausible = !card.is_empty()
            && card.len() <= 64
            && card.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        let owner = if plausible {
            let mut conn = state.store.pool().acquire().await?;
            db::cards::card_owner(&mut conn, &token_hash(&card)).await?
        } else {
            None
        };
        match owner {
            Some((login, _)) => {
                let login_form = LoginForm { login, password: form.password, next: "/".to_owned() };
                attempt(&state, &headers, peer, login_form, Some(format!("/karte/{card}?fehler=1"))).await
            }
            None => Ok(Redirect::to("/anmelden?karte=ungueltig").into_response()),
        }
    }
    .await;
    result.unwrap_or_else(|error| {
        tracing::error!(%error, "card login failed with a database error");
        plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "Der Dienst ist gerade nicht erreichbar. Bitte versuche es gleich noch einmal.",
        )
    })
}

async fn attempt(
    state: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    form: LoginForm,
    failed_to: Option<String>,
) -> Result<Response, AppError> {
    let settings = &state.settings;
    let login = form.login.trim().to_lowercase();
    let next = safe_next(&form.next).to_owned();
    let now = now_ms();
    let since = now - settings.login_window_ms;
    let account_key = format!("acct:{login}");
    let address_key = format!("ip:{}", client_address(state, headers, peer));

    // Count and record the attempt in one transaction before any work is done, so
    // parallel guesses see each other; a successful login removes its rows again.
    let (address_attempt, account_attempt, by_account) = {
        let mut tx = state.store.begin().await?;
        db::throttle::lock(&mut tx, state.store.backend(), &account_key).await?;
        db::throttle::lock(&mut tx, state.store.backend(), &address_key).await?;
        let (by_account, oldest_a) = db::throttle::failures_since(&mut tx, &account_key, since).await?;
        let (by_address, oldest_b) = db::throttle::failures_since(&mut tx, &address_key, since).await?;
        let oldest = if by_account >= settings.login_max_per_account {
            oldest_a
        } else if by_address >= settings.login_max_per_address {
            oldest_b
        } else {
            None
        };
        if let Some(oldest) = oldest {
            // A young person's account locked after wrong PINs: the Fachberatung hears of it.
            if by_account >= settings.login_max_per_account {
                notice_lock(&mut tx, &login, since).await?;
                tx.commit().await?;
            }
            let wait_secs = ((oldest + settings.login_window_ms - now) / 1000).max(1);
            return Ok(throttled(wait_secs as u64));
        }
        let account_attempt = db::throttle::record_failure(&mut tx, &account_key, now).await?;
        let id = db::throttle::record_failure(&mut tx, &address_key, now).await?;
        tx.commit().await?;
        (id, account_attempt, by_account)
    };

    let plausible = !login.is_empty() && login.len() <= 40 && !form.password.is_empty() && form.password.len() <= 128;
    let credentials = if plausible {
        let mut conn = state.store.pool().acquire().await?;
        db::accounts::credentials(&mut conn, &login).await?
    } else {
        None
    };
    let via_card = failed_to.is_some();
    let signs_in_with_pin = credentials.as_ref().and_then(|c| c.role).is_some_and(|r| r.signs_in_with_pin());

    // A young person's PIN opens the account only together with the login card: with a
    // typed login name, whoever knows the login could guess the PIN. The PIN is not even
    // tried, so the answer is the same for a right and a wrong one, and the try does not
    // count towards the child's lock (the client address's count keeps it).
    if signs_in_with_pin && !via_card {
        let mut cx = Cx::anonymous(state.store.clone(), state.settings.clone()).await?;
        db::throttle::forget(cx.tx(), &account_attempt).await?;
        let record_id = credentials.as_ref().map(|c| c.id.to_string());
        cx.audit_anonymous(&login, AuditAction::LoginFailed, RecordKind::Session, record_id.as_deref()).await?;
        cx.commit().await?;
        return Ok(Redirect::to("/anmelden?karte=noetig").into_response());
    }
    // A card locked after too many wrong PINs: nothing is tried until a new PIN is given.
    if let (Some(c), Some(target)) = (credentials.as_ref().filter(|c| c.pin_locked), failed_to.as_ref()) {
        let mut cx = Cx::anonymous(state.store.clone(), state.settings.clone()).await?;
        let record_id = c.id.to_string();
        cx.audit_anonymous(&login, AuditAction::LoginFailed, RecordKind::Session, Some(&record_id)).await?;
        cx.commit().await?;
        let locked = target.replace("?fehler=1", "?gesperrt=1");
        return Ok(Redirect::to(&locked).into_response());
    }

    let stored = credentials.as_ref().map(|c| c.password_hash.clone());
    let password = form.password;
    let key = settings.key_wrapping.clone();
    let secret = password.clone();
    let (verified, outdated) = tokio::task::spawn_blocking(move || {
        gruppenbuch_app::auth::password::verify_stored(&key, &secret, stored.as_deref())
    })
    .await
    .unwrap_or((false, false));

    let mut cx = Cx::anonymous(state.store.clone(), state.settings.clone()).await?;
    match credentials {
        Some(c) if verified && c.active => {
            if signs_in_with_pin {
                db::accounts::pin_reset(cx.tx(), &c.id).await?;
                if outdated {
                    let hash = gruppenbuch_app::api::accounts::ssr::hash_with(settings, true, password).await?;
                    db::accounts::rehash(cx.tx(), &c.id, &hash).await?;
                }
            }
            // A login ends the session this browser had before (another account's on a
            // shared phone, or an older one of the same account): one browser, one session.
            if let Some(previous) = token_of(headers, settings.cookie_secure) {
                db::sessions::delete(cx.tx(), &token_hash(&previous)).await?;
            }
            let moment = db::time_of(now);
            let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
            let token = gruppenbuch_app::auth::session::start_on(cx.tx(), &c.id, agent, moment).await?;
            db::throttle::clear(cx.tx(), &account_key, since).await?;
            db::throttle::forget(cx.tx(), &address_attempt).await?;
            let user = gruppenbuch_app::auth::session::resolve(cx.tx(), &token_hash(&token), moment).await?;
            if let Some(user) = &user {
                cx.audit_as(user, AuditAction::Login, RecordKind::Session, None).await?;
            }
            cx.commit().await?;
            let mut res = Redirect::to(&next).into_response();
            if let Ok(v) = HeaderValue::from_str(&session_cookie(&token, settings.cookie_secure)) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            Ok(res)
        }
        known => {
            // Typed logins of unknown accounts are not logged: people type passwords
            // into the wrong field.
            let who = if known.is_some() { login.as_str() } else { "(unbekannt)" };
            let record_id = known.as_ref().map(|c| c.id.to_string());
            cx.audit_anonymous(who, AuditAction::LoginFailed, RecordKind::Session, record_id.as_deref()).await?;
            let mut locked_now = false;
            if let Some(c) = known.as_ref().filter(|_| signs_in_with_pin) {
                locked_now = db::accounts::pin_failed(cx.tx(), &c.id, settings.pin_lock_after).await?;
            }
            if locked_now || (known.is_some() && by_account + 1 >= settings.login_max_per_account) {
                notice_lock(cx.tx(), &login, if locked_now { now } else { since }).await?;
            }
            cx.commit().await?;
            if let Some(target) = failed_to {
                let target = if locked_now { target.replace("?fehler=1", "?gesperrt=1") } else { target };
                return Ok(Redirect::to(&target).into_response());
            }
            let target = if next == "/" {
                "/anmelden?fehler=1".to_owned()
            } else {
                format!("/anmelden?fehler=1&weiter={}", crate::middleware::encode_query_value(&next))
            };
            Ok(Redirect::to(&target).into_response())
        }
    }
}

/// Tells the Fachberatung that a young person's account is locked (once per lock).
async fn notice_lock(conn: &mut db::Conn, login: &str, since: i64) -> Result<(), sqlx::Error> {
    if let Some(user_id) = db::cards::youth_user_by_login(conn, login).await? {
        db::cards::notice_pin_lock(conn, &user_id, since).await?;
    }
    Ok(())
}

fn throttled(wait_secs: u64) -> Response {
    let t = texts();
    let minutes = wait_secs.div_ceil(60).to_string();
    let message = fill(t.login_throttled, &[("minutes", &minutes)]);
    let body = format!(
        "<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body><main><h1>{title}</h1><p role=\"alert\">{message}</p><p><a href=\"/anmelden\">{back}</a></p></main></body></html>",
        title = t.login_title,
        back = t.login_back,
    );
    let mut res = (StatusCode::TOO_MANY_REQUESTS, Html(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&wait_secs.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// Ends the session (in the database, so it is gone on every instance), removes the
/// cookie and tells the browser to drop its HTTP cache.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let token = token_of(&headers, state.settings.cookie_secure);
    if let Some(token) = token {
        let hash = token_hash(&token);
        let done: Result<(), AppError> = async {
            let mut cx = Cx::anonymous(state.store.clone(), state.settings.clone()).await?;
            let now = db::time_of(now_ms());
            if let Some(user) = gruppenbuch_app::auth::session::resolve(cx.tx(), &hash, now).await? {
                cx.audit_as(&user, AuditAction::Logout, RecordKind::Session, None).await?;
            }
            db::sessions::delete(cx.tx(), &hash).await?;
            cx.commit().await
        }
        .await;
        if let Err(error) = done {
            tracing::error!(%error, "logout failed");
            return plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "Der Dienst ist gerade nicht erreichbar. Bitte versuche es gleich noch einmal.",
            );
        }
    }
    let mut res = Redirect::to("/anmelden?abgemeldet=1").into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&clear_cookie(state.settings.cookie_secure)) {
        h.insert(header::SET_COOKIE, v);
    }
    h.insert(header::HeaderName::from_static("clear-site-data"), HeaderValue::from_static("\"cache\""));
    res
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(super::safe_next("/gruppen"), "/gruppen");
        assert_eq!(super::safe_next("//evil.example"), "/");
        assert_eq!(super::safe_next("https://evil.example"), "/");
        assert_eq!(super::safe_next("/anmelden?x"), "/");
        assert_eq!(super::safe_next("/\t/evil.example"), "/");
        assert_eq!(super::safe_next("/\n/evil.example"), "/");
        assert_eq!(super::safe_next("/\\evil.example"), "/");
    }
}
