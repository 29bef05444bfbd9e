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

    /// Staff work in at least one group home; an account without one is a mistake.
    pub fn needs_group(self) -> bool {
        self == Role::Fachkraft
    }

    /// A young person's account belongs to their own record.
    pub fn has_youth_record(self) -> bool {
        self == Role::Jugendliche
    }

    /// Young people sign in with a PIN (on their card), everyone else with a password.
    pub fn signs_in_with_pin(self) -> bool {
        self == Role::Jugendliche
    }

    /// Who answered a submission, as the young person reads it ("die Fachberatung").
    pub fn answered_by(role: Option<Role>) -> &'static str {
        let t = texts();
        match role {
            Some(Role::Fachberatung) => t.fb_who_advisor,
            Some(Role::Leitung) => t.fb_who_leitung,
            _ => t.fb_who_group,
        }
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
