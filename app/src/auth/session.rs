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
    let token = new_token();
    crate::db::sessions::insert(conn, &token_hash(&token), user, now, now + Duration::milliseconds(ABSOLUTE_MS))
        .await?;
    Ok(token)
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
    fn cookies_are_http_only_and_strict() {
        let c = session_cookie("t", true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Secure"));
        assert!(c.starts_with("__Host-gb_session=t;") && c.contains("Path=/") && !c.contains("Domain"));
        // A browser-session cookie: no lifetime of its own.
        assert!(!c.contains("Max-Age") && !c.contains("Expires"), "{c}");
        assert!(clear_cookie(true).starts_with("__Host-gb_session=;"));
    }
}
