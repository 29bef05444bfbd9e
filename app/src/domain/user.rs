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
}

impl CurrentUser {
    /// Whether the account works with or advises this group.
    pub fn in_group(&self, group: &GroupId) -> bool {
        self.group_ids.iter().any(|g| g == group)
    }
}
