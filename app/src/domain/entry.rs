//! Tagesnotiz (daily note), Besuchskontakt (visit contact) and Erziehungsplanungsgespräch
//! (the monthly talk): the entries staff write on their phones. An entry is never changed in place: a correction adds a version with a
//! reason, and every version stays readable.

use super::ids::{EntryId, GroupId, YouthId};
use super::note::NoteBody;
use super::record::RecordBody;
use super::talk::TalkBody;
use super::text::Check;
use super::visit::VisitBody;
use crate::i18n::texts;
use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

pub const REASON_MAX: usize = 500;
/// Entries are written the same evening, or a few days late after a weekend away; older
/// than this is a typing error in the year.
pub const MAX_AGE_MONTHS: u32 = 24;

/// One version of an entry's content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum EntryBody {
    Note(NoteBody),
    Visit(VisitBody),
    Talk(TalkBody),
    Record(RecordBody),
}

impl EntryBody {
    pub fn kind(&self) -> EntryKind {
        match self {
            EntryBody::Note(_) => EntryKind::Note,
            EntryBody::Visit(_) => EntryKind::Visit,
            EntryBody::Talk(_) => EntryKind::Talk,
            EntryBody::Record(_) => EntryKind::Record,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Note,
    Visit,
    Talk,
    /// A record of the Fachberatung (a talk, a contact, diagnostics, a case reflection).
    Record,
}

impl EntryKind {
    pub fn code(self) -> &'static str {
        match self {
            EntryKind::Note => "note",
            EntryKind::Visit => "visit",
            EntryKind::Talk => "talk",
            EntryKind::Record => "case_record",
        }
    }

    pub fn parse(code: &str) -> Option<EntryKind> {
        match code {
            "note" => Some(EntryKind::Note),
            "visit" => Some(EntryKind::Visit),
            "talk" => Some(EntryKind::Talk),
            "case_record" => Some(EntryKind::Record),
            _ => None,
        }
    }

    /// The kind of record audit rows name.
    pub fn record_kind(self) -> super::audit::RecordKind {
        match self {
            EntryKind::Note => super::audit::RecordKind::Note,
            EntryKind::Visit => super::audit::RecordKind::Visit,
            EntryKind::Talk => super::audit::RecordKind::Talk,
            EntryKind::Record => super::audit::RecordKind::CaseRecord,
        }
    }
}

/// Whether a form creates an entry or corrects one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Create,
    Correct,
}

pub(crate) fn entry_date(check: &mut Check, value: &str, today: NaiveDate) -> Option<NaiveDate> {
    let t = texts();
    let date = check.date("date", value)?;
    if today.checked_add_days(Days::new(1)).is_some_and(|limit| date > limit) {
        check.fail("date", t.v_entry_future);
        return None;
    }
    if today.checked_sub_months(Months::new(MAX_AGE_MONTHS)).is_some_and(|limit| date < limit) {
        check.fail("date", t.v_entry_too_old);
        return None;
    }
    Some(date)
}

/// The id a device made for a record when "Speichern" was pressed.
pub(crate) fn entry_id<T: super::ids::RecordId>(check: &mut Check, value: &str) -> Option<T> {
    let id = T::parse_id(value);
    if id.is_none() {
        check.fail("id", texts().v_entry_id);
    }
    id
}

/// The young person a new entry is about (`Some(None)` after a failed check); a
/// correction keeps the stored one (`Some(None)` too, and nothing is checked).
pub(crate) fn youth_for(check: &mut Check, value: &str, purpose: Purpose) -> Option<Option<YouthId>> {
    match purpose {
        Purpose::Create => {
            let youth = YouthId::parse(value.trim());
            if youth.is_none() {
                check.fail("youth_id", texts().v_choose_youth);
            }
            Some(youth)
        }
        Purpose::Correct => Some(None),
    }
}

pub(crate) fn reason(check: &mut Check, value: &str, purpose: Purpose) -> String {
    match purpose {
        Purpose::Create => String::new(),
        Purpose::Correct => check.required("reason", value, REASON_MAX),
    }
}

/// "HH:MM" (24 h) or "H:MM".
pub(crate) fn time_of_day(check: &mut Check, value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        check.fail("time", texts().v_required);
        return None;
    }
    match chrono::NaiveTime::parse_from_str(value, "%H:%M") {
        Ok(time) => Some(time.format("%H:%M").to_string()),
        Err(_) => {
            check.fail("time", texts().v_time_format);
            None
        }
    }
}

/// An entry as timelines and the detail page show it (its current version).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntryView {
    pub id: EntryId,
    pub group_id: GroupId,
    pub youth_id: Option<YouthId>,
    /// "Mia Krause", or the group's name for a whole-group note.
    pub subject_name: String,
    /// YYYY-MM-DD.
    pub date: String,
    pub body: EntryBody,
    /// Titles of the linked goals, in the order they were linked (a talk: in the order
    /// of its goals).
    pub goal_titles: Vec<String>,
    pub author_name: String,
    /// When the first version was written (Europe/Berlin, set by the server).
    pub written_at: String,
    pub version: i64,
    /// Who wrote the current version, if it is a correction.
    pub corrected_by: Option<String>,
}

/// One version in an entry's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntryVersion {
    pub version: i64,
    pub date: String,
    pub body: EntryBody,
    pub reason: String,
    pub author_name: String,
    pub at: String,
}

/// An entry with every version, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntryDetail {
    pub entry: EntryView,
    pub versions: Vec<EntryVersion>,
    pub can_correct: bool,
    /// The young person's goals, for the correction form.
    pub goals: Vec<super::goal::Goal>,
}

/// The shift hand-over view of a group: today's and yesterday's entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Handover {
    pub group_id: GroupId,
    pub group_name: String,
    pub today: Vec<EntryView>,
    pub yesterday: Vec<EntryView>,
}

/// What the capture forms may offer: the writer's groups, their young people and goals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaptureChoices {
    /// The account's id, sealed along so another account cannot file the item.
    pub author_id: String,
    pub today: String,
    /// The time now (HH:MM), the visit form's default.
    pub now: String,
    /// An id for the form when it is sent without JavaScript.
    pub fresh_id: String,
    pub groups: Vec<CaptureGroup>,
    /// The server's public outbox key ("key_id.base64url"), for sealing on the device.
    pub outbox_key: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaptureGroup {
    pub id: GroupId,
    pub name: String,
    pub youths: Vec<CaptureYouth>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaptureYouth {
    pub id: YouthId,
    pub name: String,
    pub goals: Vec<super::goal::GoalChoice>,
}

/// The value of a form field (`input[name]`), "" if absent.
pub fn form_value(fields: &[(String, String)], name: &str) -> String {
    let key = format!("input[{name}]");
    fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()).unwrap_or_default()
}

/// The values of a list field (`input[name][i]`), in form order.
pub fn form_list(fields: &[(String, String)], name: &str) -> Vec<String> {
    let prefix = format!("input[{name}][");
    fields.iter().filter(|(k, _)| k.starts_with(&prefix)).map(|(_, v)| v.clone()).collect()
}
