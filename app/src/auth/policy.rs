//! The access policy: deny by default, need to know. This is the one place that knows
//! what a role may do. Every server function asks it through the request context
//! (`api::cx::Cx`), every page through [`can_open`]; lists get their [`ListScope`] from
//! [`scope`], so no query filters by role on its own. The access-matrix test enumerates
//! every server function × role × own/foreign scope and compares with
//! `docs/access-matrix.md`; `scripts/check-policy.sh` (part of `make lint`) refuses role
//! comparisons anywhere outside `auth/`.
//!
//! Scope is decided from the *stored* record (its group), never from what the client
//! claims, so a tampered id yields "not found" or "forbidden", not a foreign record.

use crate::domain::Role;
use crate::domain::ids::GroupId;
use crate::domain::scope::ListScope;
use crate::domain::user::CurrentUser;

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
    /// Write daily notes, visit contacts and incident reports, and correct them (staff of
    /// the group).
    WriteEntry,
    /// Read a group's or a young person's notes, visits, incidents, goals and contact
    /// arrangement.
    ViewEntries,
    /// Keep a young person's help-plan goals and contact arrangement.
    ManageCasePlan,
    /// Send participation input or a complaint with one's own account (young people).
    SubmitFeedback,
    /// Read a submission, set its status and answer it.
    HandleFeedback,
    /// Read a group's monthly counts of submissions, its lock notices and its overview
    /// (they include what was addressed past the group, so the group's staff do not).
    ViewFeedbackCounts,
    /// Print a group's poster with the link to the anonymous form.
    ViewGroupLink,
    /// Print a young person's login card (and set a new PIN with it).
    IssueLoginCard,
    /// Edit the "Meine Rechte" page.
    EditRights,
    /// Take note ("zur Kenntnis genommen") of a group's incident or feed item: those who
    /// review the group (its Fachberatung, Leitung).
    Acknowledge,
    /// Comment on an incident or a feed item: everyone who reads it.
    Comment,
    /// Read the feed of one's groups.
    ViewFeed,
    /// Ask whether something changed (a count, a hash): answers carry no personal data,
    /// so they are not logged. Granted like `ViewEntries`.
    PollChanges,
    /// See one's own account page: one's sessions, and end one of them.
    OwnAccount,
    /// Set one's own password (young people get a new PIN with a new login card).
    ChangeOwnPassword,
    /// See one's own help-plan goals and rate them with faces (young people).
    OwnGoals,
    /// Write and correct the Fachberatung's own records about a young person
    /// (Fachgespräch, Elterngespräch, diagnostics, …).
    WriteCaseRecord,
    /// Read the records only the Fachberatung and Leitung read (the team's case
    /// reflection): without it they are missing from every list, count and link.
    ViewAdvisorRecords,
    /// Start the report for a Hilfeplangespräch, write its sections, the summary for the
    /// young person and that it was explained to them: the group, its Fachberatung,
    /// Leitung. (Reading a report is `ViewEntries`.)
    WriteReport,
    /// Comment on a report's sections, mark it as reviewed and record that it was sent to
    /// the youth office: the group's Fachberatung, Leitung.
    ReviewReport,
    /// Sign a report, which freezes it, and correct a signed one: Leitung.
    SignReport,
    /// Set the list and titles of the report's sections (youth offices prescribe their
    /// own): Leitung, for the whole institute.
    ConfigureReports,
    /// Say what one wants said in one's Hilfeplangespräch, and read the summary of one's
    /// report once it is released (young people).
    OwnReport,
    /// Write an observation that a child's welfare may be at risk (§ 8a): who writes
    /// entries for the group. The writer sees their own observations, nothing more.
    ReportObservation,
    /// Read a Kinderschutz procedure and record its steps: Leitung, the group's
    /// Fachberatung and the people explicitly added to it; never by group alone.
    WorkChildProtection,
    /// Open a procedure (from an observation, an incident or for a young person), add
    /// people to it: Leitung, the group's Fachberatung.
    ManageChildProtection,
    /// Take note of an observation and of the steps (Kenntnisnahme): Leitung.
    AcknowledgeChildProtection,
    /// Write and read the § 47 Meldungen of groups under an operating licence: Leitung,
    /// the group's Fachberatung (never the group's staff: a Meldung may be about them).
    ReportLicence,
}

impl Action {
    /// Actions on the institute as a whole; every other one is taken in a group.
    fn institute_wide(self) -> bool {
        use Action::*;
        matches!(
            self,
            ListGroups
                | CreateGroup
                | ManageAccounts
                | LinkYouthAccount
                | ReadAudit
                | EditRights
                | SubmitFeedback
                | OwnAccount
                | ChangeOwnPassword
                | OwnGoals
                | OwnReport
                | ConfigureReports
        )
    }

    /// What a session whose password was chosen by someone else may do before its owner
    /// sets their own: only that, on their own account page.
    fn before_own_password(self) -> bool {
        matches!(self, Action::OwnAccount | Action::ChangeOwnPassword)
    }

    /// Whether the action reads or writes personal data: then the request must write an
    /// audit row before it commits (`Cx::commit` refuses otherwise).
    pub fn personal(self) -> bool {
        !matches!(
            self,
            Action::ListGroups
                | Action::PollChanges
                | Action::EditRights
                | Action::CreateGroup
                | Action::ViewGroupLink
                | Action::ConfigureReports
        )
    }
}

/// How far a role's right reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Grant {
    No,
    /// Only what the account was explicitly added to (a Kinderschutz procedure).
    Member,
    /// The groups the account works with or advises.
    Own,
    /// Every group, or the institute-wide thing itself.
    All,
}

/// The table: one line per action, the roles that have it and how far.
fn grant(role: Role, action: Action) -> Grant {
    use Action::*;
    use Grant::{All, Member, No, Own};
    use Role::*;
    match (action, role) {
        (ListGroups, Leitung | Admin) => All,
        (ListGroups, Fachberatung | Fachkraft) => Own,
        (ViewGroup | ViewYouth | ViewEntries | Comment | ViewFeed | PollChanges, Leitung) => All,
        (ViewGroup | ViewYouth | ViewEntries | Comment | ViewFeed | PollChanges, Fachberatung | Fachkraft) => Own,
        (CreateGroup | EditGroup | CreateYouth | EditYouth | LinkYouthAccount | EditRights, Leitung) => All,
        (ManageAccounts, Leitung | Admin) => All,
        (ReadAudit, Datenschutz) => All,
        (WriteEntry, Leitung) => All,
        (WriteEntry, Fachkraft) => Own,
        (ManageCasePlan | ViewFeedbackCounts | IssueLoginCard | Acknowledge, Leitung) => All,
        (ManageCasePlan | ViewFeedbackCounts | IssueLoginCard | Acknowledge, Fachberatung) => Own,
        (WriteCaseRecord | ViewAdvisorRecords, Leitung) => All,
        (WriteCaseRecord | ViewAdvisorRecords, Fachberatung) => Own,
        (SubmitFeedback | OwnGoals | OwnReport, Jugendliche) => All,
        (WriteReport, Leitung) => All,
        (WriteReport, Fachberatung | Fachkraft) => Own,
        (ReviewReport, Leitung) => All,
        (ReviewReport, Fachberatung) => Own,
        (SignReport | ConfigureReports, Leitung) => All,
        (ReportObservation, Leitung) => All,
        (ReportObservation, Fachkraft) => Own,
        (WorkChildProtection | ManageChildProtection | AcknowledgeChildProtection, Leitung) => All,
        (WorkChildProtection | ManageChildProtection, Fachberatung) => Own,
        (WorkChildProtection, Fachkraft) => Member,
        (ReportLicence, Leitung) => All,
        (ReportLicence, Fachberatung) => Own,
        (HandleFeedback | ViewGroupLink, Leitung) => All,
        (HandleFeedback | ViewGroupLink, Fachberatung | Fachkraft) => Own,
        (OwnAccount, _) => All,
        (ChangeOwnPassword, Leitung | Fachberatung | Fachkraft | Admin | Datenschutz) => All,
        _ => No,
    }
}

/// What an action concerns, as loaded from the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource<'a> {
    /// Institute-wide things: the group list, accounts, the audit log, "Meine Rechte".
    Institute,
    /// Anything that belongs to one group home: the group itself, its young people and
    /// their records.
    Group(&'a GroupId),
    /// A young person's submission: its group, and whether it went past the group to the
    /// Fachberatung (then the group's staff must not learn that it exists).
    Feedback { group: &'a GroupId, to_advisor: bool },
    /// An account of this role (accounts of young people need sight of case data).
    Account { role: Role },
    /// A Kinderschutz procedure of a group, and whether the caller was added to it.
    Protection { group: &'a GroupId, member: bool },
    /// An observation (§ 8a) of a group, and whether the caller wrote it.
    Observation { group: &'a GroupId, author: bool },
}

/// May `actor` take `action` on anything at all? A server function asks this before it
/// looks anything up: a role that never may gets 403 at once.
pub fn may_ever(actor: &CurrentUser, action: Action) -> bool {
    match action {
        Action::SubmitFeedback | Action::OwnGoals | Action::OwnReport => {
            grant(actor.role, action) == Grant::All && actor.youth_id.is_some()
        }
        _ => grant(actor.role, action) != Grant::No,
    }
}

/// Whether `actor` must first set their own password before taking `action`: then the
/// request is answered as not (yet) logged in, so a phone's outbox keeps what waits
/// instead of taking the refusal for good.
pub fn awaits_own_password(actor: &CurrentUser, action: Action) -> bool {
    actor.password_change_required && !action.before_own_password()
}

/// Whether `actor` must first set their own password before opening `page`.
pub fn page_awaits_own_password(actor: &CurrentUser, page: Page) -> bool {
    actor.password_change_required && page != Page::OwnAccount
}

/// The one decision: may `actor` do `action` on `resource`?
pub fn can(actor: &CurrentUser, action: Action, resource: Resource<'_>) -> bool {
    let reach = grant(actor.role, action);
    let in_reach = |group: &GroupId| match reach {
        Grant::All => true,
        Grant::Own => actor.in_group(group),
        Grant::No | Grant::Member => false,
    };
    match (action, resource) {
        // Participation, not the group: the group's staff see a procedure only when
        // added to it, since the danger may come from the group home's adults.
        (Action::WorkChildProtection, Resource::Protection { group, member }) => {
            in_reach(group) || (member && reach != Grant::No)
        }
        (Action::ManageChildProtection | Action::AcknowledgeChildProtection, Resource::Protection { group, .. }) => {
            in_reach(group)
        }
        (_, Resource::Protection { .. }) => false,
        // An observation: its writer, and those who review the group's procedures.
        (Action::WorkChildProtection, Resource::Observation { group, author }) => {
            (author && reach != Grant::No)
                || can(actor, Action::ManageChildProtection, Resource::Protection { group, member: false })
        }
        (Action::ManageChildProtection | Action::AcknowledgeChildProtection, Resource::Observation { group, .. }) => {
            in_reach(group)
        }
        (_, Resource::Observation { .. }) => false,
        (Action::HandleFeedback, Resource::Feedback { group, to_advisor }) => {
            // What went past the group is the Fachberatung's, never the group staff's.
            in_reach(group) && !(to_advisor && actor.role == Role::Fachkraft)
        }
        (_, Resource::Feedback { .. }) => false,
        (Action::ManageAccounts, Resource::Account { role }) => {
            reach == Grant::All
                && (role != Role::Jugendliche || can(actor, Action::LinkYouthAccount, Resource::Institute))
        }
        (_, Resource::Account { .. }) => false,
        (Action::ListGroups, Resource::Institute) => reach != Grant::No,
        (_, Resource::Institute) => action.institute_wide() && reach == Grant::All && may_ever(actor, action),
        (_, Resource::Group(group)) => in_reach(group),
    }
}

/// How a refusal is answered: a record the caller cannot see at all is "not found", so
/// the answer does not even tell that it exists; one they see is "forbidden".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotFound,
    Forbidden,
}

/// Why `actor` may not take `action` on `resource` (call when `can` said no).
pub fn refusal(actor: &CurrentUser, resource: Resource<'_>) -> Refusal {
    let sees = match resource {
        Resource::Institute => true,
        Resource::Group(_) => can(actor, Action::ViewGroup, resource),
        Resource::Feedback { .. } => can(actor, Action::HandleFeedback, resource),
        // Who manages accounts learns that an account exists; a list and a detail page
        // hide the accounts they may not manage (`accounts::get` answers 404 itself).
        Resource::Account { .. } => may_ever(actor, Action::ManageAccounts),
        // A procedure or an observation one does not see does not exist for one.
        Resource::Protection { .. } | Resource::Observation { .. } => can(actor, Action::WorkChildProtection, resource),
    };
    if sees { Refusal::Forbidden } else { Refusal::NotFound }
}

/// The groups (of `all`) a list for `action` may show, and per group whether it may
/// include what was addressed past the group.
pub fn scope(actor: &CurrentUser, action: Action, all: impl IntoIterator<Item = GroupId>) -> ListScope {
    let groups = all
        .into_iter()
        .filter(|g| can(actor, action, Resource::Group(g)))
        .map(|g| {
            let past = can(actor, Action::HandleFeedback, Resource::Feedback { group: &g, to_advisor: true });
            (g, past)
        })
        .collect();
    ListScope::decided(groups)
}

/// Nobody changes their own role (they could raise it, and would lock themselves out by
/// lowering it).
pub fn may_set_role(actor: &CurrentUser, account: &crate::domain::ids::UserId, role: Role) -> bool {
    *account != actor.id || role == actor.role
}

/// Those who are told at once about an incident (the menu badge, alarms): who reviews
/// groups.
pub fn receives_alarms(actor: &CurrentUser) -> bool {
    may_ever(actor, Action::Acknowledge)
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
    /// Writing the monthly Erziehungsplanungsgespräch.
    NewTalk,
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
    /// "Mein Konto": one's sessions and password.
    OwnAccount,
    /// A young person's help plan, and one version of it.
    HelpPlan,
    /// A goal with its progress.
    Goal,
    /// "Meine Ziele": a young person's own goals, rated with faces.
    OwnGoals,
    /// Writing a record of the Fachberatung.
    NewRecord,
    /// A report for the Hilfeplangespräch, in the editor.
    Report,
    /// Leitung's list of the report's sections.
    ReportTemplate,
    /// "Mein Hilfeplangespräch": what a young person wants said, and their report's summary.
    OwnReport,
    /// Writing an observation (§ 8a) on the phone.
    NewObservation,
    /// Kinderschutz: one's observations and the procedures one takes part in, one
    /// observation, one procedure.
    Protection,
    /// The § 47 Meldungen and one of them.
    LicenceReports,
    /// Writing a § 47 Meldung.
    NewLicenceReport,
}

/// The action a page is for. (Which record a detail page shows is decided again, with
/// the record's group, by the server function that loads it.)
fn page_action(page: Page) -> Option<Action> {
    use Action::*;
    Some(match page {
        Page::Start | Page::Rights => return None,
        Page::Groups => ListGroups,
        Page::Group | Page::Youth => ViewGroup,
        Page::NewGroup => CreateGroup,
        Page::EditGroup => EditGroup,
        Page::NewYouth => CreateYouth,
        Page::EditYouth => EditYouth,
        Page::Accounts | Page::NewAccount | Page::Account => ManageAccounts,
        Page::Audit => ReadAudit,
        Page::NewNote | Page::NewVisit | Page::NewTalk | Page::NewIncident => WriteEntry,
        Page::Entry | Page::Handover | Page::Incidents | Page::HelpPlan | Page::Goal => ViewEntries,
        Page::Feed => ViewFeed,
        Page::Feedback => HandleFeedback,
        Page::GroupLink => ViewGroupLink,
        Page::YouthFeedback => SubmitFeedback,
        Page::FeedbackCounts | Page::Overview => ViewFeedbackCounts,
        Page::LoginCard => IssueLoginCard,
        Page::EditRights => EditRights,
        Page::OwnAccount => OwnAccount,
        Page::OwnGoals => OwnGoals,
        Page::NewRecord => WriteCaseRecord,
        Page::Report => ViewEntries,
        Page::ReportTemplate => ConfigureReports,
        Page::OwnReport => OwnReport,
        Page::NewObservation => ReportObservation,
        Page::Protection => WorkChildProtection,
        Page::LicenceReports | Page::NewLicenceReport => ReportLicence,
    })
}

/// May `actor` open this page at all?
pub fn can_open(actor: &CurrentUser, page: Page) -> bool {
    if page_awaits_own_password(actor, page) {
        return false;
    }
    match page_action(page) {
        None => true,
        // Admin lists group names to assign accounts, but has no page of groups.
        Some(Action::ListGroups) => may_ever(actor, Action::ListGroups) && may_ever(actor, Action::ViewGroup),
        Some(action) => may_ever(actor, action),
    }
}

/// What the start page of an account shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Home {
    /// A young person's: their form, their messages, their rights.
    Youth,
    /// Administration: accounts.
    Accounts,
    /// Datenschutz: the audit log.
    Audit,
    /// Staff: their group's page ("Meine Gruppe").
    Group,
    /// Fachberatung: their groups, the notices.
    Advisor,
    /// Leitung: every group, the notices.
    Institute,
}

pub fn home(actor: &CurrentUser) -> Home {
    match actor.role {
        Role::Jugendliche => Home::Youth,
        Role::Admin => Home::Accounts,
        Role::Datenschutz => Home::Audit,
        Role::Fachkraft => Home::Group,
        Role::Fachberatung => Home::Advisor,
        Role::Leitung => Home::Institute,
    }
}

/// The navigation of a role: its main pages, in the order of its day.
pub fn menu(actor: &CurrentUser) -> &'static [Page] {
    use Page::*;
    match actor.role {
        Role::Fachkraft => &[Start, NewNote, NewVisit, NewIncident, Incidents, Feed, Feedback, Protection],
        Role::Fachberatung => &[Start, Feed, Incidents, Protection, Overview, Groups, Feedback, LicenceReports],
        Role::Leitung => &[
            Start,
            Feed,
            Incidents,
            Protection,
            Overview,
            Groups,
            NewNote,
            NewVisit,
            Feedback,
            LicenceReports,
            Accounts,
            ReportTemplate,
        ],
        Role::Jugendliche => &[Start, YouthFeedback, OwnGoals, OwnReport, Rights],
        Role::Admin => &[Start, Accounts],
        Role::Datenschutz => &[Start, Audit],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gid(name: &str) -> GroupId {
        let n = name.bytes().next().unwrap_or(b'a');
        GroupId::parse(&format!("0191d1c2-0000-7000-8000-0000000000{n:02x}")).expect("id")
    }

    fn user(role: Role, groups: &[&str]) -> CurrentUser {
        CurrentUser {
            id: crate::domain::ids::UserId::fresh(),
            login: "u".into(),
            display_name: "U".into(),
            role,
            group_ids: groups.iter().map(|g| gid(g)).collect(),
            youth_id: None,
            password_change_required: false,
        }
    }

    #[test]
    fn a_child_protection_procedure_is_seen_by_participation_not_by_group() {
        let (a, b) = (gid("a"), gid("b"));
        let staff = user(Role::Fachkraft, &["a"]);
        let advisor = user(Role::Fachberatung, &["a"]);
        let leitung = user(Role::Leitung, &[]);
        let case = |member| Resource::Protection { group: &a, member };
        assert!(!can(&staff, Action::WorkChildProtection, case(false)));
        assert!(can(&staff, Action::WorkChildProtection, case(true)));
        assert!(!can(&staff, Action::ManageChildProtection, case(true)));
        assert!(can(&advisor, Action::WorkChildProtection, case(false)));
        assert!(can(&advisor, Action::ManageChildProtection, case(false)));
        assert!(!can(&advisor, Action::AcknowledgeChildProtection, case(false)));
        assert!(!can(&advisor, Action::WorkChildProtection, Resource::Protection { group: &b, member: false }));
        assert!(can(&advisor, Action::WorkChildProtection, Resource::Protection { group: &b, member: true }));
        assert!(can(&leitung, Action::AcknowledgeChildProtection, case(false)));
        // An observation: its writer and those who review the group, nobody else.
        let other = user(Role::Fachkraft, &["a"]);
        assert!(can(&staff, Action::WorkChildProtection, Resource::Observation { group: &a, author: true }));
        assert!(!can(&other, Action::WorkChildProtection, Resource::Observation { group: &a, author: false }));
        assert!(can(&advisor, Action::WorkChildProtection, Resource::Observation { group: &a, author: false }));
        for role in [Role::Admin, Role::Datenschutz, Role::Jugendliche] {
            let u = user(role, &["a"]);
            assert!(!can(&u, Action::WorkChildProtection, case(true)));
            assert!(!can(&u, Action::WorkChildProtection, Resource::Observation { group: &a, author: true }));
        }
    }

    #[test]
    fn staff_see_their_own_group_only() {
        let staff = user(Role::Fachkraft, &["a"]);
        assert!(can(&staff, Action::ViewYouth, Resource::Group(&gid("a"))));
        assert!(!can(&staff, Action::ViewYouth, Resource::Group(&gid("b"))));
        assert!(!can(&staff, Action::EditYouth, Resource::Group(&gid("a"))));
    }

    #[test]
    fn admins_and_data_protection_see_no_case_content() {
        for role in [Role::Admin, Role::Datenschutz, Role::Jugendliche] {
            let u = user(role, &["a"]);
            assert!(!can(&u, Action::ViewGroup, Resource::Group(&gid("a"))));
            assert!(!can(&u, Action::ViewYouth, Resource::Group(&gid("a"))));
            assert!(!may_ever(&u, Action::ViewFeed));
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
        let (a, b) = (gid("a"), gid("b"));
        assert!(can(&staff, Action::WriteEntry, Resource::Group(&a)));
        assert!(!can(&staff, Action::WriteEntry, Resource::Group(&b)));
        assert!(!can(&staff, Action::ManageCasePlan, Resource::Group(&a)));
        assert!(!can(&advisor, Action::WriteEntry, Resource::Group(&a)));
        assert!(!may_ever(&advisor, Action::WriteEntry));
        assert!(can(&advisor, Action::ManageCasePlan, Resource::Group(&a)));
        assert!(!can(&advisor, Action::ViewEntries, Resource::Group(&b)));
        for role in [Role::Admin, Role::Datenschutz, Role::Jugendliche] {
            assert!(!can(&user(role, &["a"]), Action::ViewEntries, Resource::Group(&a)));
        }
    }

    #[test]
    fn staff_never_handle_what_went_past_the_group() {
        let staff = user(Role::Fachkraft, &["a"]);
        let advisor = user(Role::Fachberatung, &["a"]);
        let (a, b) = (gid("a"), gid("b"));
        let to_group = Resource::Feedback { group: &a, to_advisor: false };
        let past_group = Resource::Feedback { group: &a, to_advisor: true };
        assert!(can(&staff, Action::HandleFeedback, to_group));
        assert!(!can(&staff, Action::HandleFeedback, past_group));
        assert!(can(&advisor, Action::HandleFeedback, past_group));
        assert!(!can(&advisor, Action::HandleFeedback, Resource::Feedback { group: &b, to_advisor: false }));
        assert!(!can(&staff, Action::ViewFeedbackCounts, Resource::Group(&a)));
        assert!(can(&advisor, Action::ViewFeedbackCounts, Resource::Group(&a)));
        for role in [Role::Jugendliche, Role::Admin, Role::Datenschutz] {
            assert!(!can(&user(role, &["a"]), Action::HandleFeedback, to_group));
        }
    }

    #[test]
    fn list_scopes_leave_out_what_went_past_the_group_for_staff() {
        let all = || vec![gid("a"), gid("b")];
        let staff = scope(&user(Role::Fachkraft, &["a"]), Action::ViewFeed, all());
        assert_eq!(staff.groups().collect::<Vec<_>>(), vec![&gid("a")]);
        assert!(!staff.past_group(&gid("a")));
        let advisor = scope(&user(Role::Fachberatung, &["a"]), Action::ViewFeed, all());
        assert!(advisor.past_group(&gid("a")) && !advisor.includes(&gid("b")));
        let leitung = scope(&user(Role::Leitung, &[]), Action::HandleFeedback, all());
        assert!(leitung.past_group(&gid("a")) && leitung.past_group(&gid("b")));
        assert!(scope(&user(Role::Admin, &[]), Action::ViewFeed, all()).is_empty());
    }

    #[test]
    fn only_young_people_with_a_record_submit_with_an_account() {
        let mut youth = user(Role::Jugendliche, &[]);
        assert!(!can(&youth, Action::SubmitFeedback, Resource::Institute));
        youth.youth_id = Some(crate::domain::ids::YouthId::fresh());
        assert!(can(&youth, Action::SubmitFeedback, Resource::Institute));
        assert!(!can(&user(Role::Fachkraft, &["a"]), Action::SubmitFeedback, Resource::Institute));
    }

    #[test]
    fn incidents_are_acknowledged_by_those_they_are_reported_to() {
        let staff = user(Role::Fachkraft, &["a"]);
        let advisor = user(Role::Fachberatung, &["a"]);
        let (a, b) = (gid("a"), gid("b"));
        assert!(can(&user(Role::Leitung, &[]), Action::Acknowledge, Resource::Group(&b)));
        assert!(can(&advisor, Action::Acknowledge, Resource::Group(&a)));
        assert!(!can(&advisor, Action::Acknowledge, Resource::Group(&b)));
        assert!(!can(&staff, Action::Acknowledge, Resource::Group(&a)));
        assert!(can(&staff, Action::WriteEntry, Resource::Group(&a)));
        assert!(receives_alarms(&advisor) && !receives_alarms(&staff));
        for role in [Role::Jugendliche, Role::Admin, Role::Datenschutz] {
            assert!(!can(&user(role, &["a"]), Action::Acknowledge, Resource::Group(&a)));
        }
    }

    #[test]
    fn young_peoples_accounts_are_leitungs_alone() {
        let admin = user(Role::Admin, &[]);
        let leitung = user(Role::Leitung, &[]);
        let youth_account = Resource::Account { role: Role::Jugendliche };
        assert!(can(&admin, Action::ManageAccounts, Resource::Account { role: Role::Fachkraft }));
        assert!(!can(&admin, Action::ManageAccounts, youth_account));
        assert!(can(&leitung, Action::ManageAccounts, youth_account));
        assert_eq!(refusal(&admin, youth_account), Refusal::Forbidden);
        assert_eq!(refusal(&user(Role::Fachkraft, &["a"]), youth_account), Refusal::NotFound);
    }

    #[test]
    fn a_scoped_action_on_the_wrong_resource_kind_is_denied() {
        let leitung = user(Role::Leitung, &[]);
        assert!(!can(&leitung, Action::ViewYouth, Resource::Institute));
        assert!(!can(&leitung, Action::ReadAudit, Resource::Group(&gid("a"))));
        assert!(!can(&leitung, Action::ViewEntries, Resource::Account { role: Role::Fachkraft }));
    }

    #[test]
    fn a_record_out_of_sight_is_not_found_and_one_in_sight_is_forbidden() {
        let staff = user(Role::Fachkraft, &["a"]);
        assert_eq!(refusal(&staff, Resource::Group(&gid("a"))), Refusal::Forbidden);
        assert_eq!(refusal(&staff, Resource::Group(&gid("b"))), Refusal::NotFound);
        let past = Resource::Feedback { group: &gid("a"), to_advisor: true };
        assert_eq!(refusal(&staff, past), Refusal::NotFound);
    }

    #[test]
    fn every_menu_page_may_be_opened_by_its_role() {
        for role in Role::ALL {
            let mut u = user(role, &["a"]);
            u.youth_id = role.has_youth_record().then(crate::domain::ids::YouthId::fresh);
            for page in menu(&u) {
                assert!(can_open(&u, *page), "{role:?} {page:?}");
            }
        }
        assert!(!can_open(&user(Role::Admin, &[]), Page::Groups));
        assert!(can_open(&user(Role::Fachkraft, &["a"]), Page::Groups));
    }

    #[test]
    fn everyone_keeps_their_own_account_and_only_adults_set_a_password_there() {
        for role in Role::ALL {
            let u = user(role, &["a"]);
            assert!(can(&u, Action::OwnAccount, Resource::Institute), "{role:?}");
            assert!(can_open(&u, Page::OwnAccount), "{role:?}");
            let password = can(&u, Action::ChangeOwnPassword, Resource::Institute);
            assert_eq!(password, !role.signs_in_with_pin(), "{role:?}");
        }
    }

    #[test]
    fn a_password_chosen_by_someone_else_opens_only_the_own_account() {
        let mut staff = user(Role::Fachkraft, &["a"]);
        assert!(!awaits_own_password(&staff, Action::ViewEntries));
        staff.password_change_required = true;
        assert!(awaits_own_password(&staff, Action::ViewEntries));
        assert!(awaits_own_password(&staff, Action::WriteEntry));
        assert!(!awaits_own_password(&staff, Action::ChangeOwnPassword));
        assert!(!awaits_own_password(&staff, Action::OwnAccount));
        assert!(page_awaits_own_password(&staff, Page::Start));
        assert!(!page_awaits_own_password(&staff, Page::OwnAccount));
    }
}
