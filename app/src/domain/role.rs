use crate::i18n::texts;
use serde::{Deserialize, Serialize};

/// The six roles of the access model (`docs/access-matrix.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Management: all groups, groups and young people, accounts.
    Leitung,
    /// Social-work consultant: the groups assigned to them.
    Fachberatung,
    /// Staff of one or more group homes.
    Fachkraft,
    /// A young person: their own submissions only.
    Jugendliche,
    /// Technical administration: accounts and settings, no case content.
    Admin,
    /// Data-protection officer: reads the audit log.
    Datenschutz,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Leitung, Role::Fachberatung, Role::Fachkraft, Role::Jugendliche, Role::Admin, Role::Datenschutz];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Leitung => "leitung",
            Role::Fachberatung => "fachberatung",
            Role::Fachkraft => "fachkraft",
            Role::Jugendliche => "jugendliche",
            Role::Admin => "admin",
            Role::Datenschutz => "datenschutz",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        let t = texts();
        match self {
            Role::Leitung => t.role_leitung,
            Role::Fachberatung => t.role_fachberatung,
            Role::Fachkraft => t.role_fachkraft,
            Role::Jugendliche => t.role_jugendliche,
            Role::Admin => t.role_admin,
            Role::Datenschutz => t.role_datenschutz,
        }
    }

    /// Roles that work with group homes through `user_groups`.
    pub fn has_groups(self) -> bool {
        matches!(self, Role::Fachberatung | Role::Fachkraft)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_code_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
