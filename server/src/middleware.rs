//! Request middleware: security headers, cache rules, CSRF defence, session resolution,
//! the login gate for pages, and the mapping of server-function errors to 4xx statuses.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use gruppenbuch_app::api::ssr::AppState;
use gruppenbuch_app::auth::session::{token_hash, token_of};
use gruppenbuch_app::error::AppError;

/// Largest request body accepted anywhere (1 MiB).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Paths anyone may fetch without a session.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/anmelden"
            | "/healthz"
            | "/readyz"
            | "/sw.js"
            | "/outbox.js"
            | "/offline.html"
            | "/offline-assets.json"
            | "/manifest.webmanifest"
            | "/robots.txt"
            | "/favicon.ico"
            | "/meine-rechte"
    ) || path.starts_with("/pkg/")
        || path.starts_with("/mitreden/")
        || path.starts_with("/karte/")
        || path.starts_with("/icons/")
        || path.starts_with("/auth/")
        || path.starts_with("/api/")
}

/// Security headers on every response, and the cache rule for its kind: hashed assets are
/// immutable, the shell's icons cache for a day, everything else — every page and every
/// data response — is `no-store`, so no personal data stays in a browser cache.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: header::HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "same-origin");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(
        h,
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    set(h, header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(h, header::HeaderName::from_static("cross-origin-resource-policy"), "same-origin");
    if state.settings.cookie_secure {
        set(h, header::STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
    if !h.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(v) = HeaderValue::from_str(&gruppenbuch_app::csp::policy(None))
    {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    let cache = if path.starts_with("/pkg/") && res.status().is_success() {
        "public, max-age=31536000, immutable"
    } else if (path.starts_with("/icons/") || path == "/manifest.webmanifest" || path == "/robots.txt")
        && res.status().is_success()
    {
        "public, max-age=86400"
    } else if matches!(path.as_str(), "/sw.js" | "/outbox.js" | "/offline.html" | "/offline-assets.json") {
        // Unhashed app files: revalidated on every use, so a new release arrives at once.
        "no-cache"
    } else {
        "no-store"
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if cache == "no-store" {
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    res
}

/// CSRF defence for every state-changing request: the browser must say the request comes
/// from our own pages (`Sec-Fetch-Site: same-origin`), or, for browsers that do not send
/// that header, the `Origin` must be ours. Together with `SameSite=Strict` cookies this
/// stops cross-site form posts and fetches.
pub async fn csrf_guard(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let allowed = match (site, origin, host) {
        (Some(site), _, _) => site == "same-origin" || site == "none",
        (None, Some(origin), Some(host)) => {
            origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://")) == Some(host)
        }
        _ => false,
    };
    if allowed {
        next.run(req).await
    } else {
        tracing::warn!(?site, ?origin, "cross-site request refused");
        plain(StatusCode::FORBIDDEN, "Anfrage abgelehnt: Sie kam nicht von einer Seite des Gruppenbuchs.")
    }
}

/// Marks a request whose session cookie named no live session (expired, revoked).
#[derive(Clone, Copy)]
pub struct StaleSession;

/// Resolves the session cookie to the account and puts it into the request extensions.
/// Every request asks the database, so a deactivated account or a revoked session is
/// refused on its very next request, on every instance.
pub async fn resolve_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let token = token_of(req.headers(), state.settings.cookie_secure);
    if let Some(token) = token {
        let resolved = async {
            let mut conn = state.store.pool().acquire().await?;
            let now = gruppenbuch_app::db::time_of(gruppenbuch_app::db::now_ms());
            gruppenbuch_app::auth::session::resolve(&mut conn, &token_hash(&token), now).await
        }
        .await;
        match resolved {
            Ok(Some(user)) => {
                req.extensions_mut().insert(user);
            }
            Ok(None) => {
                req.extensions_mut().insert(StaleSession);
            }
            Err(error) => {
                tracing::error!(%error, "session lookup failed");
                return plain(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Der Dienst ist gerade nicht erreichbar. Bitte versuche es gleich noch einmal.",
                );
            }
        }
    }
    next.run(req).await
}

/// The page of one's own account.
const OWN_ACCOUNT: &str = "/konto";

/// Pages need a session: without one, a page request is sent to the login page (and
/// comes back to where it was going afterwards). A logged-in user asking for the login
/// page goes to their start page.
pub async fn page_gate(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let account = req.extensions().get::<gruppenbuch_app::auth::CurrentUser>();
    let user = account.is_some();
    if path == "/anmelden" && user && req.method() == Method::GET {
        return Redirect::to("/").into_response();
    }
    // A password someone else chose opens only "Mein Konto", where its owner sets their own.
    if account.is_some_and(|a| a.password_change_required)
        && path != OWN_ACCOUNT
        && !is_public(path)
        && matches!(*req.method(), Method::GET | Method::HEAD)
    {
        return Redirect::to(OWN_ACCOUNT).into_response();
    }
    if !user && !is_public(path) && matches!(*req.method(), Method::GET | Method::HEAD) {
        let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let stale = if req.extensions().get::<StaleSession>().is_some() { "sitzung=beendet&" } else { "" };
        let location = format!("/anmelden?{stale}weiter={}", encode_query_value(target));
        return Redirect::to(&location).into_response();
    }
    next.run(req).await
}

/// Server functions take only the arguments `id` and `input` (see `app::api`); a request
/// with any other top-level field is malformed and refused before anything runs.
pub async fn server_fn_arguments(req: Request, next: Next) -> Response {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    if req.method() != Method::POST || !is_form || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        return app_error(
            AppError::BadRequest(gruppenbuch_app::i18n::texts().error_too_large.into()),
            StatusCode::PAYLOAD_TOO_LARGE,
        );
    };
    let unknown = form_urlencoded::parse(&bytes).any(|(key, _)| {
        let name = top_level_name(&key);
        name != "id" && name != "input"
    });
    if unknown {
        return app_error(AppError::BadRequest(String::new()), StatusCode::BAD_REQUEST);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// The argument name of a decoded form key: `input[name]` → `input`.
fn top_level_name(key: &str) -> &str {
    key.split('[').next().unwrap_or_default()
}

/// A path as logs may show it: the secret part of `/karte/<token>` and
/// `/mitreden/<token>` is left out.
pub fn loggable_path(path: &str) -> &str {
    for prefix in ["/karte/", "/mitreden/"] {
        if path.starts_with(prefix) {
            return prefix;
        }
    }
    path
}

/// Requests of the anonymous channel, which the request log leaves out: the delivery of
/// submissions (also a logged-in young person's anonymous ones) and the pickup of answers.
pub fn unlogged_path(path: &str) -> bool {
    matches!(path, "/api/feedback/deliver" | "/api/feedback/pickup")
}

/// A value for a query string (the way back after login): everything but unreserved
/// characters and `/` percent-encoded.
pub fn encode_query_value(value: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const KEEP: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b'/');
    utf8_percent_encode(value, KEEP).to_string()
}

/// Server functions answer every error with 500; this gives each its real status (400,
/// 401, 403, 404, 409, 429) from the error the body carries.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR || !res.headers().contains_key("serverfnerror") {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        return plain(StatusCode::INTERNAL_SERVER_ERROR, "");
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let AppError::TooManyRequests { retry_after_secs } = error
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            parts.headers.insert(header::RETRY_AFTER, v);
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A JSON error body in the server functions' format, with an explicit status.
pub fn app_error(error: AppError, status: StatusCode) -> Response {
    let body = serde_json::to_vec(&error).unwrap_or_default();
    let mut res = (status, body).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

pub fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut res = (status, text).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_keys_are_reduced_to_their_argument_name() {
        let keys: Vec<String> = form_urlencoded::parse(b"input%5Bname%5D=1&input[group_ids][0]=2&id=3&evil=4&a%2=5")
            .map(|(k, _)| top_level_name(&k).to_owned())
            .collect();
        assert_eq!(keys, ["input", "input", "id", "evil", "a%2"]);
        assert_eq!(encode_query_value("/feed?x=ä b"), "/feed%3Fx%3D%C3%A4%20b");
    }

    #[test]
    fn only_own_pages_are_public() {
        assert!(is_public("/anmelden") && is_public("/pkg/app.wasm"));
        assert!(!is_public("/") && !is_public("/jugendliche/x"));
    }
}
