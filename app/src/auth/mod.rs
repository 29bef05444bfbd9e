//! Who is asking, and may they? `CurrentUser` is what the browser learns about its own
//! session; `policy::can` is the one place that decides every access. Sessions, password
//! hashing and login throttling are server-only (`session`, `password`).

#[cfg(feature = "ssr")]
pub mod password;
pub mod policy;
#[cfg(feature = "ssr")]
pub mod session;

use crate::domain::Role;
use serde::{Deserialize, Serialize};

/// The logged-in account, as pages need it (navigation, greeting, start page).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    /// Groups the account works with (staff) or advises (Fachberatung).
    pub group_ids: Vec<String>,
    /// For young people: their own master-data record.
    pub youth_id: Option<String>,
}

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "gb_session";
