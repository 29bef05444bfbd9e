//! Sessions: random tokens in an `HttpOnly`, `SameSite=Strict` cookie; the database holds
//! only their SHA-256, so sessions are revocable (logout, deactivation, password reset)
//! and shared by every app instance. The rules (when a session has expired, how often it
//! is refreshed) are here; `db::sessions` only stores.

use crate::db::Conn;
use crate::domain::ids::UserId;
use crate::domain::user::CurrentUser;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// How long a session lives without a request.
pub const IDLE_MS: i64 = 12 * 60 * 60 * 1000;
/// How long a session lives at most, however active.
pub const ABSOLUTE_MS: i64 = 14 * 24 * 60 * 60 * 1000;
/// `last_seen_at` is refreshed at most this often, to keep reads from becoming writes.
pub const TOUCH_EVERY_MS: i64 = 5 * 60 * 1000;

/// Starts a session for `user`: mints the token, stores its hash, and returns the token
/// for the cookie (the only place it ever exists in clear).
pub async fn start(conn: &mut Conn, user: &UserId, now: DateTime<Utc>) -> Result<String, sqlx::Error> {
    start_on(conn, user, None, now).await
}

/// [`start`] for a browser that said what it is (its `User-Agent`): the session keeps a
/// coarse name of it ([`device_label`]), so its owner recognises it in their list.
pub async fn start_on(
    conn: &mut Conn,
    user: &UserId,
    user_agent: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let token = new_token();
    let device = user_agent.and_then(device_label);
    let expires = now + Duration::milliseconds(ABSOLUTE_MS);
    crate::db::sessions::insert(conn, &token_hash(&token), user, device.as_deref(), now, expires).await?;
    Ok(token)
}

/// The browser and system of a `User-Agent`, coarse enough to be no fingerprint ("Firefox
/// auf Android", "Chrome auf Windows"); `None` when neither is recognised.
pub fn device_label(user_agent: &str) -> Option<String> {
    let ua = user_agent;
    let browser = if ua.contains("Firefox/") || ua.contains("FxiOS/") {
        Some("Firefox")
    } else if ua.contains("Edg/") || ua.contains("EdgA/") || ua.contains("EdgiOS/") {
        Some("Edge")
    } else if ua.contains("SamsungBrowser/") {
        Some("Samsung Internet")
    } else if ua.contains("OPR/") {
        Some("Opera")
    } else if ua.contains("Chrome/") || ua.contains("CriOS/") || ua.contains("Chromium/") {
        Some("Chrome")
    } else if ua.contains("Safari/") && ua.contains("Version/") {
        Some("Safari")
    } else {
        None
    };
    let system = if ua.contains("Android") {
        Some("Android")
    } else if ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iPod") {
        Some("iOS")
    } else if ua.contains("Windows") {
        Some("Windows")
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        Some("macOS")
    } else if ua.contains("CrOS") {
        Some("ChromeOS")
    } else if ua.contains("Linux") {
        Some("Linux")
    } else {
        None
    };
    match (browser, system) {
        (Some(b), Some(s)) => Some(format!("{b} auf {s}")),
        (Some(b), None) => Some(b.to_owned()),
        (None, Some(s)) => Some(s.to_owned()),
        (None, None) => None,
    }
}

/// The public name of a stored session: derived from its hash, so the list can name a
/// session to end without handing out anything that opens it.
pub fn public_id(token_hash: &str) -> String {
    let digest = Sha256::digest(format!("gruppenbuch-session-id:{token_hash}").as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The live sessions of `user`, newest first; `current` is this request's.
pub async fn list_own(
    conn: &mut Conn,
    user: &UserId,
    current: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<crate::domain::user::OwnSession>, sqlx::Error> {
    let idle = Duration::milliseconds(IDLE_MS);
    Ok(crate::db::sessions::list_for_user(conn, user)
        .await?
        .into_iter()
        .filter(|s| now < s.expires_at && now - s.last_seen_at < idle)
        .map(|s| crate::domain::user::OwnSession {
            id: public_id(&s.token_hash),
            current: current == Some(s.token_hash.as_str()),
            device: s.device,
            since_text: crate::domain::text::berlin_minute(s.created_at),
            last_seen_text: crate::domain::text::berlin_minute(s.last_seen_at),
        })
        .collect())
}

/// The stored hash of `user`'s session with the public name `id`, if they have one.
pub async fn own_by_public_id(conn: &mut Conn, user: &UserId, id: &str) -> Result<Option<String>, sqlx::Error> {
    Ok(crate::db::sessions::list_for_user(conn, user)
        .await?
        .into_iter()
        .map(|s| s.token_hash)
        .find(|hash| public_id(hash) == id))
}

/// The account behind a session token, if the session is live and the account active.
/// A session past its idle or absolute limit, or of a deactivated account, is removed on
/// the way; a live one is refreshed at most every [`TOUCH_EVERY_MS`].
pub async fn resolve(
    conn: &mut Conn,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    let Some(session) = crate::db::sessions::find(conn, token_hash).await? else {
        crate::db::sessions::delete(conn, token_hash).await?;
        return Ok(None);
    };
    let idle = now - session.last_seen_at;
    if !session.active || now >= session.expires_at || idle >= Duration::milliseconds(IDLE_MS) {
        crate::db::sessions::delete(conn, token_hash).await?;
        return Ok(None);
    }
    if idle >= Duration::milliseconds(TOUCH_EVERY_MS) {
        crate::db::sessions::touch(conn, token_hash, now).await?;
    }
    Ok(Some(session.user))
}

/// Removes every session that can no longer be used.
pub async fn purge_expired(conn: &mut Conn, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    crate::db::sessions::delete_older(conn, now, now - Duration::milliseconds(IDLE_MS)).await
}

/// A fresh random session token (256 bits, URL-safe).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The session cookie's name: with the `__Host-` prefix wherever cookies are `Secure`, so
/// the browser accepts it only from this host, over HTTPS, for the whole site, and no
/// other host under the same domain can plant a session cookie (plain HTTP on localhost
/// cannot carry the prefix).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { super::SECURE_SESSION_COOKIE } else { super::SESSION_COOKIE }
}

/// The `Set-Cookie` value that installs a session: a browser-session cookie (no
/// `Max-Age`), gone when the browser ends; the server ends it sooner when idle.
pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    )
}

/// Reads the session token from a `Cookie` header (the cookie of [`cookie_name`] only).
pub fn token_from_cookie_header(header: &str, secure: bool) -> Option<&str> {
    let wanted = cookie_name(secure);
    header.split(';').map(str::trim).find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (name == wanted && !value.is_empty()).then_some(value)
    })
}

/// The session token a request carries, if any.
pub fn token_of(headers: &http::HeaderMap, secure: bool) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| token_from_cookie_header(v, secure).map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hashes_stable() {
        let a = new_token();
        assert_ne!(a, new_token());
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_eq!(token_hash(&a).len(), 64);
    }

    #[test]
    fn the_session_token_is_found_among_other_cookies() {
        assert_eq!(token_from_cookie_header("a=1; gb_session=xyz; b=2", false), Some("xyz"));
        assert_eq!(token_from_cookie_header("gb_session=", false), None);
        assert_eq!(token_from_cookie_header("a=1; __Host-gb_session=xyz", true), Some("xyz"));
        // Where cookies are secure, a cookie without the prefix (planted by another host
        // of the domain) is no session.
        assert_eq!(token_from_cookie_header("gb_session=xyz", true), None);
    }

    #[test]
    fn devices_are_named_coarsely() {
        let phone = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";
        assert_eq!(device_label(phone).as_deref(), Some("Chrome auf Android"));
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        assert_eq!(device_label(iphone).as_deref(), Some("Safari auf iOS"));
        let desk = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(device_label(desk).as_deref(), Some("Firefox auf Windows"));
        assert_eq!(device_label("curl/8.5.0"), None);
    }

    #[test]
    fn public_ids_do_not_reveal_the_hash() {
        let hash = token_hash(&new_token());
        let id = public_id(&hash);
        assert_eq!(id.len(), 32);
        assert!(!hash.contains(&id));
        assert_eq!(id, public_id(&hash));
    }

    #[test]
    fn cookies_are_http_only_and_strict() {
        let c = session_cookie("t", true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Secure"));
        assert!(c.starts_with("__Host-gb_session=t;") && c.contains("Path=/") && !c.contains("Domain"));
        // A browser-session cookie: no lifetime of its own.
        assert!(!c.contains("Max-Age") && !c.contains("Expires"), "{c}");
        assert!(clear_cookie(true).starts_with("__Host-gb_session=;"));
    }
}
