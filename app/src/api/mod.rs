//! Server functions: the application's public API, one file per feature. Each is thin:
//! authenticate → authorize (the policy) → validate → store (with its audit row, in one
//! transaction) → map errors. Paths are stable (`/api/<feature>/<verb>`) because the
//! access matrix names them.
//!
//! Convention: arguments are named `id` (a record id) and/or `input` (a form struct that
//! denies unknown fields). The server rejects any other top-level field.

pub mod accounts;
pub mod audit;
pub mod cards;
pub mod contacts;
#[cfg(feature = "ssr")]
pub mod cx;
pub mod entries;
pub mod feed;
pub mod goals;
pub mod groups;
pub mod incidents;
pub mod licence;
pub mod notes;
pub mod own_account;
pub mod own_goals;
pub mod plans;
pub mod protection;
pub mod records;
pub mod reports;
pub mod rights;
pub mod session;
pub mod submissions;
pub mod talks;
pub mod visits;
pub mod youths;

/// Server-side plumbing shared by the server functions.
#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::auth::CurrentUser;
    use crate::db::Store;
    use crate::error::AppError;
    use leptos::prelude::*;
    use std::sync::Arc;

    /// Settings the request handlers need.
    #[derive(Clone, Debug)]
    pub struct Settings {
        /// Mark cookies `Secure` (off only for plain-HTTP local development).
        pub cookie_secure: bool,
        /// Take the client address from `X-Forwarded-For` (behind a trusted proxy).
        pub trust_proxy: bool,
        /// Failed logins per account within the window before it is throttled.
        pub login_max_per_account: i64,
        /// Failed logins per client address within the window.
        pub login_max_per_address: i64,
        /// Wrong PINs in a row on a young person's login card before the account is
        /// locked until the Fachberatung or Leitung gives a new PIN.
        pub pin_lock_after: i64,
        /// The throttling window (also of the two limits below).
        pub login_window_ms: i64,
        /// Submissions through a group's public link per client address and link within
        /// the window (three times as many per address over all links).
        pub feedback_max_per_address: i64,
        /// Submissions through one group's link from all addresses within the window.
        pub feedback_max_per_link: i64,
        /// Wrong pickup codes per client address within the window.
        pub pickup_max_per_address: i64,
        /// The address every link the server prints or mails starts with (`GB_PUBLIC_URL`,
        /// e.g. `https://gruppenbuch.example.org`): QR posters, login cards, alarm
        /// e-mails. Never taken from a request's `Host` header.
        pub public_url: String,
        /// The key that wraps the outbox private keys in the database (`GB_KEY_FILE`).
        pub key_wrapping: crate::sealing::keys::WrappingKey,
        /// The longest a request may take, reading its body included; then 408.
        pub request_timeout_ms: i64,
        /// Days without a linked entry after which an active help-plan goal is flagged.
        pub goal_stale_days: i64,
        /// Days since the last monthly Erziehungsplanungsgespräch after which it is
        /// shown as overdue.
        pub talk_overdue_days: i64,
        /// The institute's name in the head of every printed report (`GB_INSTITUTE_NAME`).
        pub institute_name: String,
        /// Hours within which Leitung takes note of a Kinderschutz observation.
        pub cp_ack_hours: i64,
        /// Working days within which the insoweit erfahrene Fachkraft is consulted.
        pub cp_specialist_days: i64,
        /// Days until a procedure's Wiedervorlage.
        pub cp_review_days: i64,
    }

    impl Default for Settings {
        fn default() -> Self {
            Settings {
                cookie_secure: true,
                trust_proxy: false,
                login_max_per_account: 5,
                login_max_per_address: 30,
                login_window_ms: 15 * 60 * 1000,
                pin_lock_after: 10,
                feedback_max_per_address: 10,
                feedback_max_per_link: 60,
                pickup_max_per_address: 10,
                public_url: "http://127.0.0.1:3000".to_owned(),
                key_wrapping: crate::sealing::keys::WrappingKey::random(),
                request_timeout_ms: 60_000,
                goal_stale_days: 28,
                talk_overdue_days: 35,
                institute_name: "Städtisches Institut für erzieherische Hilfen (SIEH)".into(),
                cp_ack_hours: crate::domain::protection::ACK_HOURS,
                cp_specialist_days: i64::from(crate::domain::protection::SPECIALIST_WORKING_DAYS),
                cp_review_days: crate::domain::protection::REVIEW_DAYS,
            }
        }
    }

    /// A link the server prints or mails: the configured public address and a path.
    pub fn public_link(settings: &Settings, path: &str) -> String {
        format!("{}{path}", settings.public_url.trim_end_matches('/'))
    }

    /// Everything a request handler needs, provided as context to every server function
    /// and page render.
    #[derive(Clone, Debug)]
    pub struct AppState {
        pub store: Store,
        pub settings: Arc<Settings>,
        pub leptos_options: LeptosOptions,
    }

    impl axum::extract::FromRef<AppState> for LeptosOptions {
        fn from_ref(state: &AppState) -> Self {
            state.leptos_options.clone()
        }
    }

    pub fn store() -> Result<Store, AppError> {
        use_context::<AppState>().map(|s| s.store).ok_or(AppError::Internal)
    }

    /// The authenticated account of this request (resolved by the session middleware).
    pub fn user() -> Result<CurrentUser, AppError> {
        let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
        parts.extensions.get::<CurrentUser>().cloned().ok_or(AppError::Unauthenticated)
    }

    /// Today's date where the group homes are.
    pub fn today() -> chrono::NaiveDate {
        chrono::Utc::now().with_timezone(&chrono_tz::Europe::Berlin).date_naive()
    }

    /// The client address: the socket peer, or — behind a trusted proxy — the last
    /// `X-Forwarded-For` entry, the one that proxy appended (earlier entries are whatever
    /// the client claimed).
    pub fn client_address_of(
        trust_proxy: bool,
        headers: &http::HeaderMap,
        peer: Option<std::net::SocketAddr>,
    ) -> String {
        if trust_proxy
            && let Some(forwarded) = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
            && let Some(last) = forwarded.rsplit(',').next().map(str::trim).filter(|s| !s.is_empty())
        {
            return last.to_owned();
        }
        peer.map(|p| p.ip().to_string()).unwrap_or_else(|| "-".to_owned())
    }

    /// The client address of this request (see [`client_address_of`]).
    pub fn client_address() -> String {
        let trust_proxy = use_context::<AppState>().is_some_and(|s| s.settings.trust_proxy);
        match use_context::<http::request::Parts>() {
            Some(parts) => {
                let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0);
                client_address_of(trust_proxy, &parts.headers, peer)
            }
            None => "-".to_owned(),
        }
    }

    /// The path and query of the same-origin page this request was sent from (its
    /// `Referer`), for answering a plain form post with a redirect back.
    pub fn referer_path() -> Option<String> {
        let parts = use_context::<http::request::Parts>()?;
        let referer = parts.headers.get(http::header::REFERER)?.to_str().ok()?;
        let host = parts.headers.get(http::header::HOST)?.to_str().ok()?;
        let rest = referer.split_once("://")?.1;
        let path = rest.strip_prefix(host)?;
        (path.starts_with('/') && !path.starts_with("//")).then(|| path.to_owned())
    }

    /// Answers a plain form post (no JavaScript) and a hydrated call alike with a redirect.
    pub fn redirect(path: &str) {
        leptos_axum::redirect(path);
    }

    /// Opens a sealed outbox item of `kind` (the phone's envelope, `crate::sealing`):
    /// the id must be a UUID, the key one of the server's outbox keys (the current one or
    /// a retired one a phone may still have sealed to), and the seal must authenticate
    /// for this id and kind. Returns the id and the plaintext; every failure is
    /// `refused()` (the caller's message), never a hint which check failed.
    pub async fn open_sealed(
        conn: &mut crate::db::Conn,
        settings: &Settings,
        input: &crate::domain::outbox::SealedInput,
        kind: &str,
        refused: impl Fn() -> AppError,
    ) -> Result<(String, Vec<u8>), AppError> {
        let id = input.id.trim();
        if input.kind.trim() != kind || !crate::domain::is_uuid(id) {
            return Err(refused());
        }
        let private = crate::sealing::keys::private_key(conn, &settings.key_wrapping, input.key_id.trim())
            .await?
            .ok_or_else(&refused)?;
        let plain =
            crate::sealing::open(&private, id, kind, &input.epk, &input.iv, &input.ct).map_err(|_| refused())?;
        Ok((id.to_owned(), plain))
    }

    /// The public outbox key devices seal to, as the pages carry it ("key_id.base64url").
    pub async fn outbox_public_key(conn: &mut crate::db::Conn, settings: &Settings) -> Result<String, AppError> {
        let key = crate::sealing::keys::current(conn, &settings.key_wrapping).await?;
        Ok(format!("{}.{}", key.key_id, key.public_key))
    }
}
