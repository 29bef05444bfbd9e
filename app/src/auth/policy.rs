//! The access policy: deny by default, need to know. Every server function and every
//! route asks [`can`] before it touches data; the access-matrix test enumerates every
//! server function × role × own/foreign scope and compares with `docs/access-matrix.md`.
//!
//! Scope is decided from the *stored* record (its group), never from what the client
//! claims, so a tampered id yields "not found" or "forbidden", not a foreign record.

use super::CurrentUser;
use crate::domain::Role;

/// What someone wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// See the list of group homes (names and contact data only).
    ListGroups,
    /// Open a group home with the young people living there.
    ViewGroup,
    CreateGroup,
    EditGroup,
    /// Read a young person's master data.
    ViewYouth,
    CreateYouth,
    EditYouth,
    /// Create, change, reset and deactivate accounts.
    ManageAccounts,
    /// Link an account to a young person's record (needs sight of case data).
    LinkYouthAccount,
    /// Read the audit log.
    ReadAudit,
    /// Write daily notes and visit contacts, and correct them (staff of the group).
    WriteEntry,
    /// Read a group's or a young person's notes, visits, goals and contact arrangement.
    ViewEntries,
    /// Keep a young person's help-plan goals and contact arrangement.
    ManageCasePlan,
    /// Send participation input or a complaint with one's own account (young people).
    SubmitFeedback,
    /// Read a submission, set its status and answer it.
    HandleFeedback,
    /// Read a group's monthly counts of submissions (they include those addressed past
    /// the group, so the group's staff do not see them).
    ViewFeedbackCounts,
    /// Print a group's poster with the link to the anonymous form.
    ViewGroupLink,
    /// Print a young person's login card (and set a new PIN with it).
    IssueLoginCard,
    /// Edit the "Meine Rechte" page.
    EditRights,
    /// Take note ("zur Kenntnis genommen") of a group's incident or feed item: those who
    /// review the group (its Fachberatung, Leitung). Reporting an incident is
    /// `WriteEntry`; reading and commenting need sight of the item.
    Acknowledge,
}

/// What it concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource<'a> {
    /// Institute-wide things: the group list, accounts, the audit log.
    Institute,
    /// Anything that belongs to one group home: the group itself, its young people.
    Group(&'a str),
    /// A young person's submission: its group, and whether it went past the group to the
    /// Fachberatung (then the group's staff must not learn that it exists).
    Feedback { group: &'a str, to_advisor: bool },
}

/// The one decision: may `actor` do `action` on `resource`?
pub fn can(actor: &CurrentUser, action: Action, resource: Resource<'_>) -> bool {
    use Action::*;
    use Role::*;
    let in_group = |group: &str| actor.group_ids.iter().any(|g| g == group);
    match (action, resource) {
        (ListGroups, Resource::Institute) => matches!(actor.role, Leitung | Fachberatung | Fachkraft | Admin),
        (ViewGroup | ViewYouth, Resource::Group(group)) => match actor.role {
            Leitung => true,
            Fachberatung | Fachkraft => in_group(group),
            Jugendliche | Admin | Datenschutz => false,
        },
        (CreateGroup, Resource::Institute) => actor.role == Leitung,
        (EditGroup | CreateYouth | EditYouth, Resource::Group(_)) => actor.role == Leitung,
        (ManageAccounts, Resource::Institute) => matches!(actor.role, Leitung | Admin),
        (LinkYouthAccount, Resource::Institute) => actor.role == Leitung,
        (ReadAudit, Resource::Institute) => actor.role == Datenschutz,
        (WriteEntry, Resource::Group(group)) => match actor.role {
            Leitung => true,
            Fachkraft => in_group(group),
            Fachberatung | Jugendliche | Admin | Datenschutz => false,
        },
        (ViewEntries | ManageCasePlan, Resource::Group(group)) => match (action, actor.role) {
            (_, Leitung) => true,
            (_, Fachberatung) | (ViewEntries, Fachkraft) => in_group(group),
            _ => false,
        },
        (SubmitFeedback, Resource::Institute) => actor.role == Jugendliche && actor.youth_id.is_some(),
        (HandleFeedback, Resource::Feedback { group, to_advisor }) => match actor.role {
            Leitung => true,
            Fachberatung => in_group(group),
            Fachkraft => in_group(group) && !to_advisor,
            Jugendliche | Admin | Datenschutz => false,
        },
        (ViewFeedbackCounts | IssueLoginCard, Resource::Group(group)) => match actor.role {
            Leitung => true,
            Fachberatung => in_group(group),
            _ => false,
        },
        (ViewGroupLink, Resource::Group(group)) => match actor.role {
            Leitung => true,
            Fachberatung | Fachkraft => in_group(group),
            _ => false,
        },
        (EditRights, Resource::Institute) => actor.role == Leitung,
        (Acknowledge, Resource::Group(group)) => match actor.role {
            Leitung => true,
            Fachberatung => in_group(group),
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, groups: &[&str]) -> CurrentUser {
        CurrentUser {
            id: "u".into(),
            login: "u".into(),
            display_name: "U".into(),
            role,
            group_ids: groups.iter().map(|g| g.to_string()).collect(),
            youth_id: None,
        }
    }

    #[test]
    fn staff_see_their_own_group_only() {
        let staff = user(Role::Fachkraft, &["a"]);
        assert!(can(&staff, Action::ViewYouth, Resource::Group("a")));
        assert!(!can(&staff, Action::ViewYouth, Resource::Group("b")));
        assert!(!can(&staff, Action::EditYouth, Resource::Group("a")));
    }

    #[test]
    fn admins_and_data_protection_see_no_case_content() {
        for role in [Role::Admin, Role::Datenschutz, Role::Jugendliche] {
            let u = user(role, &["a"]);
            assert!(!can(&u, Action::ViewGroup, Resource::Group("a")));
            assert!(!can(&u, Action::ViewYouth, Resource::Group("a")));
        }
    }

    #[test]
    fn only_data_protection_reads_the_audit_log() {
        for role in Role::ALL {
            assert_eq!(can(&user(role, &[]), Action::ReadAudit, Resource::Institute), role == Role::Datenschutz);
        }
    }

    #[test]
    fn staff_write_entries_for_their_group_and_fachberatung_keeps_the_case_plan() {
        let staff = user(Role::Fachkraft, &["a"]);
        let advisor = user(Role::Fachberatung, &["a"]);
        assert!(can(&staff, Action::WriteEntry, Resource::Group("a")));
        assert!(!can(&staff, Action::WriteEntry, Resource::Group("b")));
        assert!(!can(&staff, Action::ManageCasePlan, Resource::Group("a")));
        assert!(!can(&advisor, Action::WriteEntry, Resource::Group("a")));
        assert!(can(&advisor, Action::ManageCasePlan, Resource::Group("a")));
        assert!(!can(&advisor, Action::ViewEntries, Resource::Group("b")));
        for role in [Role::Admin, Role::Datenschutz, Role::Jugendliche] {
            assert!(!can(&user(role, &["a"]), Action::ViewEntries, Resource::Group("a")));
        }
    }

    #[test]
    fn staff_never_handle_what_went_past_the_group() {
        let staff = user(Role::Fachkraft, &["a"]);
        let advisor = user(Role::Fachberatung, &["a"]);
        let to_group = Resource::Feedback { group: "a", to_advisor: false };
        let past_group = Resource::Feedback { group: "a", to_advisor: true };
        assert!(can(&staff, Action::HandleFeedback, to_group));
        assert!(!can(&staff, Action::HandleFeedback, past_group));
        assert!(can(&advisor, Action::HandleFeedback, past_group));
        assert!(!can(&advisor, Action::HandleFeedback, Resource::Feedback { group: "b", to_advisor: false }));
        assert!(!can(&staff, Action::ViewFeedbackCounts, Resource::Group("a")));
        assert!(can(&advisor, Action::ViewFeedbackCounts, Resource::Group("a")));
        for role in [Role::Jugendliche, Role::Admin, Role::Datenschutz] {
            assert!(!can(&user(role, &["a"]), Action::HandleFeedback, to_group));
        }
    }

    #[test]
    fn only_young_people_with_a_record_submit_with_an_account() {
        let mut youth = user(Role::Jugendliche, &[]);
        assert!(!can(&youth, Action::SubmitFeedback, Resource::Institute));
        youth.youth_id = Some("y".into());
        assert!(can(&youth, Action::SubmitFeedback, Resource::Institute));
        assert!(!can(&user(Role::Fachkraft, &["a"]), Action::SubmitFeedback, Resource::Institute));
    }

    #[test]
    fn incidents_are_acknowledged_by_those_they_are_reported_to() {
        let staff = user(Role::Fachkraft, &["a"]);
        let advisor = user(Role::Fachberatung, &["a"]);
        assert!(can(&user(Role::Leitung, &[]), Action::Acknowledge, Resource::Group("b")));
        assert!(can(&advisor, Action::Acknowledge, Resource::Group("a")));
        assert!(!can(&advisor, Action::Acknowledge, Resource::Group("b")));
        assert!(!can(&staff, Action::Acknowledge, Resource::Group("a")));
        assert!(can(&staff, Action::WriteEntry, Resource::Group("a")));
        for role in [Role::Jugendliche, Role::Admin, Role::Datenschutz] {
            assert!(!can(&user(role, &["a"]), Action::Acknowledge, Resource::Group("a")));
        }
    }

    #[test]
    fn a_scoped_action_on_the_wrong_resource_kind_is_denied() {
        let leitung = user(Role::Leitung, &[]);
        assert!(!can(&leitung, Action::ViewYouth, Resource::Institute));
        assert!(!can(&leitung, Action::ReadAudit, Resource::Group("a")));
    }
}

/// The pages of the app, for the route part of the access matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Start,
    Groups,
    Group,
    NewGroup,
    EditGroup,
    Youth,
    NewYouth,
    EditYouth,
    Accounts,
    NewAccount,
    Account,
    Audit,
    NewNote,
    NewVisit,
    Entry,
    Handover,
    /// A young person's form (`/nachricht/neu`) and their own messages (`/nachrichten`).
    YouthFeedback,
    /// Staff's list and detail of submissions.
    Feedback,
    FeedbackCounts,
    GroupLink,
    LoginCard,
    /// "Meine Rechte": public, like the anonymous form and the card login.
    Rights,
    EditRights,
    /// Reporting an incident (staff's phone).
    NewIncident,
    /// The incidents of one's groups, and one incident with its chain.
    Incidents,
    /// The feed of one's groups, and the group overview.
    Feed,
    Overview,
}

/// May `actor` open this page at all? (Which record a detail page shows is decided again,
/// with the record's group, by the server function that loads it.)
pub fn can_open(actor: &CurrentUser, page: Page) -> bool {
    use Page::*;
    use Role::*;
    match page {
        Start => true,
        Groups => can(actor, Action::ListGroups, Resource::Institute) && actor.role != Admin,
        Group | Youth => matches!(actor.role, Leitung | Fachberatung | Fachkraft),
        NewGroup | EditGroup | NewYouth | EditYouth => actor.role == Leitung,
        Accounts | NewAccount | Account => can(actor, Action::ManageAccounts, Resource::Institute),
        Audit => can(actor, Action::ReadAudit, Resource::Institute),
        NewNote | NewVisit | NewIncident => matches!(actor.role, Leitung | Fachkraft),
        Entry | Handover | Feedback | GroupLink | Incidents | Feed => {
            matches!(actor.role, Leitung | Fachberatung | Fachkraft)
        }
        YouthFeedback => can(actor, Action::SubmitFeedback, Resource::Institute),
        FeedbackCounts | LoginCard | Overview => matches!(actor.role, Leitung | Fachberatung),
        Rights => true,
        EditRights => can(actor, Action::EditRights, Resource::Institute),
    }
}
