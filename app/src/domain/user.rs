//! The account behind a request, as the policy and the pages see it.

use super::Role;
use super::ids::{GroupId, UserId, YouthId};
use serde::{Deserialize, Serialize};

/// The logged-in account, as pages need it (navigation, greeting, start page) and as the
/// policy decides with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    /// Groups the account works with (staff) or advises (Fachberatung).
    pub group_ids: Vec<GroupId>,
    /// For young people: their own master-data record.
    pub youth_id: Option<YouthId>,
    /// The password was chosen by someone else (a new account, a reset): until its owner
    /// sets their own, the session opens only their account page.
    #[serde(default)]
    pub password_change_required: bool,
}

impl CurrentUser {
    /// Whether the account works with or advises this group.
    pub fn in_group(&self, group: &GroupId) -> bool {
        self.group_ids.iter().any(|g| g == group)
    }
}

/// One of the caller's own live sessions, as "Mein Konto" lists them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnSession {
    /// A public name of the session (derived from its stored hash, never the token).
    pub id: String,
    /// The browser, as recognised at login ("Firefox auf Android"); `None` if unknown.
    pub device: Option<String>,
    /// When it began and when it was last used, as people in the group homes read it
    /// (Europe/Berlin, to the minute; set by the server).
    pub since_text: String,
    pub last_seen_text: String,
    /// The session of this very request.
    pub current: bool,
}

/// What "Mein Konto" shows: the caller's sessions, and whether (and why) they must set
/// a password of their own first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnAccount {
    pub display_name: String,
    pub login: String,
    /// Whether the account may change its password here (young people get a new PIN with
    /// a new login card instead).
    pub can_change_password: bool,
    pub password_change_required: bool,
    /// When the password was last reset by someone else, and by whom (their name).
    pub reset: Option<PasswordReset>,
    pub sessions: Vec<OwnSession>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PasswordReset {
    /// Date and time (Europe/Berlin), set by the server.
    pub date_text: String,
    pub time_text: String,
    /// The name of who reset it.
    pub by: Option<String>,
}
