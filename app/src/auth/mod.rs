//! Who is asking, and may they? `CurrentUser` is what the browser learns about its own
//! session; `policy::can` is the one place that decides every access. Sessions, password
//! hashing and login throttling are server-only (`session`, `password`).

#[cfg(feature = "ssr")]
pub mod password;
pub mod policy;
#[cfg(feature = "ssr")]
pub mod session;

pub use crate::domain::user::CurrentUser;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "gb_session";
/// The session cookie's name where cookies are `Secure` (see `session::cookie_name`).
pub const SECURE_SESSION_COOKIE: &str = "__Host-gb_session";
