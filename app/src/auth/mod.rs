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
