//! The audit log as the Datenschutz role reads it: who did what to which record, when.
//! Never the content.

use super::text::Check;
use crate::error::FieldError;
use crate::i18n::texts;
use serde::{Deserialize, Serialize};

/// What an audit row says happened. Stored as text; never the content itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAction {
    Login,
    LoginFailed,
    Logout,
    Read,
    List,
    Create,
    Update,
    PasswordReset,
    /// The owner set their own password.
    PasswordChange,
    /// The owner ended one of their own sessions (another browser).
    SessionEnd,
    Deactivate,
    Activate,
    /// A report was signed (and so frozen).
    Sign,
    /// A record left the system as a file (a report's PDF).
    Export,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::Logout => "logout",
            AuditAction::Read => "read",
            AuditAction::List => "list",
            AuditAction::Create => "create",
            AuditAction::Update => "update",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::PasswordChange => "password_change",
            AuditAction::SessionEnd => "session_end",
            AuditAction::Deactivate => "deactivate",
            AuditAction::Activate => "activate",
            AuditAction::Sign => "sign",
            AuditAction::Export => "export",
        }
    }
}

/// Which kind of record an audit row is about. The stored text of each kind never
/// changes: the Datenschutz filters and years of rows depend on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    Account,
    AuditLog,
    /// A record of the Fachberatung.
    CaseRecord,
    /// The young people offered on the capture forms.
    Capture,
    ContactArrangement,
    Feed,
    FeedComment,
    FeedItem,
    Feedback,
    FeedbackCounts,
    Goal,
    /// A young person's own rating of their goal.
    GoalRating,
    Group,
    Handover,
    /// A version of a young person's help plan, or the plan as a whole.
    HelpPlan,
    Incident,
    IncidentComment,
    /// The incident board.
    Incidents,
    LoginCard,
    Note,
    Notices,
    Overview,
    /// A report for the Hilfeplangespräch (a version, or one of its sections).
    Report,
    /// The list of the report's sections.
    ReportTemplate,
    RightsText,
    Session,
    /// An Erziehungsplanungsgespräch (the monthly talk).
    Talk,
    Timeline,
    Visit,
    Youth,
    /// A young person's own view for their Hilfeplangespräch.
    YouthView,
    /// An observation that a child's welfare may be at risk (§ 8a).
    Observation,
    /// A Kinderschutz procedure (§ 8a), one of its steps, signatures or documents.
    Protection,
    /// The Kinderschutz page (observations and procedures listed).
    ProtectionBoard,
    /// A § 47 Meldung, or the list of them.
    LicenceReport,
}

impl RecordKind {
    pub const ALL: [RecordKind; 35] = [
        RecordKind::Account,
        RecordKind::AuditLog,
        RecordKind::CaseRecord,
        RecordKind::Capture,
        RecordKind::ContactArrangement,
        RecordKind::Feed,
        RecordKind::FeedComment,
        RecordKind::FeedItem,
        RecordKind::Feedback,
        RecordKind::FeedbackCounts,
        RecordKind::Goal,
        RecordKind::GoalRating,
        RecordKind::Group,
        RecordKind::Handover,
        RecordKind::HelpPlan,
        RecordKind::Incident,
        RecordKind::IncidentComment,
        RecordKind::Incidents,
        RecordKind::LoginCard,
        RecordKind::Note,
        RecordKind::Notices,
        RecordKind::Overview,
        RecordKind::Report,
        RecordKind::ReportTemplate,
        RecordKind::RightsText,
        RecordKind::Session,
        RecordKind::Talk,
        RecordKind::Timeline,
        RecordKind::Visit,
        RecordKind::Youth,
        RecordKind::YouthView,
        RecordKind::Observation,
        RecordKind::Protection,
        RecordKind::ProtectionBoard,
        RecordKind::LicenceReport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Account => "account",
            RecordKind::AuditLog => "audit_log",
            RecordKind::CaseRecord => "case_record",
            RecordKind::Capture => "capture",
            RecordKind::ContactArrangement => "contact_arrangement",
            RecordKind::Feed => "feed",
            RecordKind::FeedComment => "feed_comment",
            RecordKind::FeedItem => "feed_item",
            RecordKind::Feedback => "feedback",
            RecordKind::FeedbackCounts => "feedback_counts",
            RecordKind::Goal => "goal",
            RecordKind::GoalRating => "goal_rating",
            RecordKind::Group => "group",
            RecordKind::Handover => "handover",
            RecordKind::HelpPlan => "help_plan",
            RecordKind::Incident => "incident",
            RecordKind::IncidentComment => "incident_comment",
            RecordKind::Incidents => "incidents",
            RecordKind::LoginCard => "login_card",
            RecordKind::Note => "daily_note",
            RecordKind::Notices => "notices",
            RecordKind::Overview => "overview",
            RecordKind::Report => "report",
            RecordKind::ReportTemplate => "report_template",
            RecordKind::RightsText => "rights_text",
            RecordKind::Session => "session",
            RecordKind::Talk => "planning_talk",
            RecordKind::Timeline => "timeline",
            RecordKind::Visit => "visit",
            RecordKind::Youth => "youth",
            RecordKind::YouthView => "youth_view",
            RecordKind::Observation => "cp_observation",
            RecordKind::Protection => "child_protection",
            RecordKind::ProtectionBoard => "child_protection_board",
            RecordKind::LicenceReport => "licence_report",
        }
    }
}

/// One row of the audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: String,
    /// The time as people in the group homes read it (Europe/Berlin), set by the server.
    pub at_text: String,
    pub actor_login: String,
    pub actor_role: String,
    pub action: String,
    pub record_kind: String,
    pub record_id: Option<String>,
    pub youth_id: Option<String>,
}

/// A page of the audit log; `next` continues with older rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next: Option<String>,
}

/// The filter form, as typed (all optional).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditFilterInput {
    #[serde(default)]
    pub actor_id: String,
    #[serde(default)]
    pub youth_id: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// Opaque cursor from the previous page.
    #[serde(default)]
    pub before: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditFilter {
    pub actor_id: Option<super::ids::UserId>,
    pub youth_id: Option<super::ids::YouthId>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    /// (at, id) of the last row already shown.
    pub before: Option<(i64, String)>,
}

impl AuditFilterInput {
    pub fn validate(&self) -> Result<AuditFilter, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let actor_id = optional_id(&mut check, "actor_id", &self.actor_id, super::ids::UserId::parse);
        let youth_id = optional_id(&mut check, "youth_id", &self.youth_id, super::ids::YouthId::parse);
        let from = (!self.from.trim().is_empty()).then(|| check.date("from", &self.from)).flatten();
        let to = (!self.to.trim().is_empty()).then(|| check.date("to", &self.to)).flatten();
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            check.fail("to", t.v_period);
        }
        let before = match self.before.trim() {
            "" => None,
            cursor => match parse_cursor(cursor) {
                Some(c) => Some(c),
                None => {
                    check.fail("before", t.v_invalid_id);
                    None
                }
            },
        };
        check.finish(AuditFilter { actor_id, youth_id, from, to, before })
    }
}

/// An optional id field: empty is none, anything else must be an id.
fn optional_id<T>(check: &mut Check, field: &str, value: &str, parse: fn(&str) -> Option<T>) -> Option<T> {
    if value.trim().is_empty() {
        return None;
    }
    let id = parse(value);
    if id.is_none() {
        check.fail(field, texts().v_invalid_id);
    }
    id
}

/// Cursor text: `<unix-ms>_<uuid>`.
pub fn cursor(at: i64, id: &str) -> String {
    format!("{at}_{id}")
}

fn parse_cursor(s: &str) -> Option<(i64, String)> {
    let (at, id) = s.split_once('_')?;
    let at: i64 = at.parse().ok().filter(|v| *v >= 0)?;
    super::is_uuid(id).then(|| (at, id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_kinds_have_distinct_stored_names() {
        let mut names: Vec<&str> = RecordKind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RecordKind::ALL.len());
    }

    #[test]
    fn a_tampered_cursor_is_rejected() {
        let input = AuditFilterInput { before: "1_'; DROP TABLE".into(), ..Default::default() };
        assert_eq!(input.validate().unwrap_err()[0].field, "before");
    }

    #[test]
    fn a_cursor_round_trips() {
        let id = "0191d1c2-0000-7000-8000-000000000001";
        let input = AuditFilterInput { before: cursor(42, id), ..Default::default() };
        assert_eq!(input.validate().map(|f| f.before), Ok(Some((42, id.to_owned()))));
    }

    #[test]
    fn a_period_ending_before_it_starts_is_rejected() {
        let input = AuditFilterInput { from: "2026-02-01".into(), to: "2026-01-01".into(), ..Default::default() };
        assert_eq!(input.validate().unwrap_err()[0].field, "to");
    }
}
