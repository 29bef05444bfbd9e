//! Tagesnotiz (daily note) and Besuchskontakt (visit contact): the entries staff write on
//! their phones. An entry is never changed in place: a correction adds a version with a
//! reason, and every version stays readable.

use super::choice::choices;
use super::text::Check;
use crate::error::FieldError;
use crate::i18n::{fill, texts};
use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

pub const NOTE_TEXT_MAX: usize = 4000;
pub const VISIT_NOTES_MAX: usize = 4000;
pub const MOOD_TEXT_MAX: usize = 500;
pub const PARTICIPANTS_OTHER_MAX: usize = 200;
pub const SUPERVISED_BY_MAX: usize = 120;
pub const REASON_MAX: usize = 500;
/// More links than a young person has goals is a tampered form.
pub const GOALS_MAX: usize = 20;
/// Entries are written the same evening, or a few days late after a weekend away; older
/// than this is a typing error in the year.
pub const MAX_AGE_MONTHS: u32 = 24;

choices!(
    /// The categories of a daily note (seed 000, section 4.3).
    NoteCategory {
        School = "schule" => cat_school,
        Health = "gesundheit" => cat_health,
        Meals = "mahlzeiten" => cat_meals,
        Leisure = "freizeit" => cat_leisure,
        Therapy = "therapie" => cat_therapy,
        Mood = "stimmung" => cat_mood,
        SchoolContact = "kontakt_schule" => cat_school_contact,
        Family = "herkunftsfamilie" => cat_family,
        Other = "sonstiges" => cat_other,
    }
);

choices!(
    /// How the contact with the birth family took place.
    VisitKind {
        Visit = "besuch" => visit_kind_visit,
        Call = "telefonat" => visit_kind_call,
        Video = "videoanruf" => visit_kind_video,
        Overnight = "uebernachtung" => visit_kind_overnight,
        HomeLeave = "heimfahrt" => visit_kind_home_leave,
    }
);

choices!(
    VisitPlace {
        Office = "sieh_raeume" => visit_place_office,
        Group = "wohngruppe" => visit_place_group,
        Family = "familie" => visit_place_family,
        Other = "anderer_ort" => visit_place_other,
    }
);

choices!(
    Participant {
        Mother = "mutter" => participant_mother,
        Father = "vater" => participant_father,
        Siblings = "geschwister" => participant_siblings,
        Grandparents = "grosseltern" => participant_grandparents,
        Guardian = "vormund" => participant_guardian,
    }
);

choices!(
    VisitOutcome {
        Held = "stattgefunden" => outcome_held,
        CancelledByFamily = "abgesagt_familie" => outcome_cancelled_family,
        CancelledByGroup = "abgesagt_wohngruppe" => outcome_cancelled_group,
        CancelledByYouth = "abgesagt_jugendliche" => outcome_cancelled_youth,
        NoShow = "nicht_erschienen" => outcome_no_show,
    }
);

/// The five steps of the "how was the young person" scale, worst first.
pub const MOOD_STEPS: [u8; 5] = [1, 2, 3, 4, 5];

/// The label of a mood step.
pub fn mood_label(step: u8) -> &'static str {
    let t = texts();
    match step {
        1 => t.mood_1,
        2 => t.mood_2,
        3 => t.mood_3,
        4 => t.mood_4,
        _ => t.mood_5,
    }
}

/// Whom a daily note is about: one young person or the whole group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Subject {
    Youth(String),
    Group(String),
}

/// The form value for "ganze Gruppe".
pub const GROUP_SUBJECT_PREFIX: &str = "gruppe:";

impl Subject {
    pub fn parse(value: &str) -> Option<Subject> {
        let value = value.trim();
        match value.strip_prefix(GROUP_SUBJECT_PREFIX) {
            Some(group) if super::is_uuid(group) => Some(Subject::Group(group.to_owned())),
            Some(_) => None,
            None if super::is_uuid(value) => Some(Subject::Youth(value.to_owned())),
            None => None,
        }
    }
}

/// What a note says (one version of it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoteBody {
    pub category: NoteCategory,
    pub text: String,
    pub important: bool,
    pub goal_ids: Vec<String>,
}

/// What a visit record says (one version of it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VisitBody {
    /// HH:MM, local time.
    pub time: String,
    pub kind: VisitKind,
    pub place: VisitPlace,
    pub participants: Vec<Participant>,
    pub participants_other: String,
    pub supervised: bool,
    pub supervised_by: String,
    pub outcome: VisitOutcome,
    pub mood_before: Option<u8>,
    pub mood_before_text: String,
    pub mood_after: Option<u8>,
    pub mood_after_text: String,
    pub notes: String,
}

/// One version of an entry's content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum EntryBody {
    Note(NoteBody),
    Visit(VisitBody),
}

impl EntryBody {
    pub fn kind(&self) -> EntryKind {
        match self {
            EntryBody::Note(_) => EntryKind::Note,
            EntryBody::Visit(_) => EntryKind::Visit,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Note,
    Visit,
}

impl EntryKind {
    pub fn code(self) -> &'static str {
        match self {
            EntryKind::Note => "note",
            EntryKind::Visit => "visit",
        }
    }

    pub fn parse(code: &str) -> Option<EntryKind> {
        match code {
            "note" => Some(EntryKind::Note),
            "visit" => Some(EntryKind::Visit),
            _ => None,
        }
    }

    /// The name of the audit record kind.
    pub fn record_kind(self) -> &'static str {
        match self {
            EntryKind::Note => "daily_note",
            EntryKind::Visit => "visit",
        }
    }
}

/// The daily-note form, as typed. The same form corrects a note; then `reason` is
/// required and the subject stays what it was.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    /// The entry's UUID, made on the device when "Speichern" is pressed.
    pub id: String,
    #[serde(default)]
    pub subject: String,
    pub date: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub important: bool,
    #[serde(default)]
    pub goal_ids: Vec<String>,
    #[serde(default)]
    pub reason: String,
}

/// A checked daily note. Whether the subject and the goals exist, belong together and
/// may be written to is the caller's question: it needs the store and the policy.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidNote {
    pub id: String,
    pub subject: Subject,
    pub date: NaiveDate,
    pub body: NoteBody,
    pub reason: String,
}

/// The visit form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitInput {
    pub id: String,
    #[serde(default)]
    pub youth_id: String,
    pub date: String,
    #[serde(default)]
    pub time: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub participants: Vec<String>,
    #[serde(default)]
    pub participants_other: String,
    #[serde(default)]
    pub supervised: String,
    #[serde(default)]
    pub supervised_by: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub mood_before: String,
    #[serde(default)]
    pub mood_before_text: String,
    #[serde(default)]
    pub mood_after: String,
    #[serde(default)]
    pub mood_after_text: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidVisit {
    pub id: String,
    pub youth_id: String,
    pub date: NaiveDate,
    pub body: VisitBody,
    pub reason: String,
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

pub(crate) fn entry_id(check: &mut Check, value: &str) -> String {
    let id = value.trim().to_owned();
    if !super::is_uuid(&id) {
        check.fail("id", texts().v_entry_id);
    }
    id
}

fn reason(check: &mut Check, value: &str, purpose: Purpose) -> String {
    match purpose {
        Purpose::Create => String::new(),
        Purpose::Correct => check.required("reason", value, REASON_MAX),
    }
}

impl NoteInput {
    pub fn validate(&self, today: NaiveDate, purpose: Purpose) -> Result<ValidNote, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let id = entry_id(&mut check, &self.id);
        let subject = match (purpose, Subject::parse(&self.subject)) {
            (_, Some(subject)) => Some(subject),
            (Purpose::Create, None) => {
                check.fail("subject", t.v_subject);
                None
            }
            // A correction keeps the stored subject; what the form says is ignored.
            (Purpose::Correct, None) => Some(Subject::Group(String::new())),
        };
        let date = entry_date(&mut check, &self.date, today);
        let category = NoteCategory::parse(&self.category);
        if category.is_none() {
            check.fail("category", t.v_category);
        }
        let text = check.required("text", &self.text, NOTE_TEXT_MAX);
        let mut goal_ids: Vec<String> = Vec::new();
        for goal in &self.goal_ids {
            let goal = goal.trim();
            if !super::is_uuid(goal) {
                check.fail("goal_ids", t.v_unknown_goal);
            } else if !goal_ids.iter().any(|g| g == goal) {
                goal_ids.push(goal.to_owned());
            }
        }
        if goal_ids.len() > GOALS_MAX {
            check.fail("goal_ids", t.v_unknown_goal);
        }
        if matches!(subject, Some(Subject::Group(_))) && !goal_ids.is_empty() && purpose == Purpose::Create {
            check.fail("goal_ids", t.v_goal_needs_youth);
        }
        let reason = reason(&mut check, &self.reason, purpose);
        match (subject, date, category) {
            (Some(subject), Some(date), Some(category)) => check.finish(ValidNote {
                id,
                subject,
                date,
                body: NoteBody { category, text, important: self.important, goal_ids },
                reason,
            }),
            _ => Err(check.errors),
        }
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

fn mood(check: &mut Check, field: &str, value: &str) -> Option<u8> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse::<u8>() {
        Ok(step) if MOOD_STEPS.contains(&step) => Some(step),
        _ => {
            check.fail(field, texts().v_mood);
            None
        }
    }
}

impl VisitInput {
    pub fn validate(&self, today: NaiveDate, purpose: Purpose) -> Result<ValidVisit, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let id = entry_id(&mut check, &self.id);
        let youth_id = self.youth_id.trim().to_owned();
        if purpose == Purpose::Create && !super::is_uuid(&youth_id) {
            check.fail("youth_id", t.v_choose_youth);
        }
        let date = entry_date(&mut check, &self.date, today);
        let time = time_of_day(&mut check, &self.time);
        let kind = VisitKind::parse(&self.kind);
        if kind.is_none() {
            check.fail("kind", t.v_visit_kind);
        }
        let place = VisitPlace::parse(&self.place);
        if place.is_none() {
            check.fail("place", t.v_visit_place);
        }
        let mut participants = Vec::new();
        for p in &self.participants {
            match Participant::parse(p) {
                Some(p) if !participants.contains(&p) => participants.push(p),
                Some(_) => {}
                None => check.fail("participants", t.v_participants),
            }
        }
        let participants_other = check.optional("participants_other", &self.participants_other, PARTICIPANTS_OTHER_MAX);
        if participants.is_empty() && participants_other.is_empty() {
            check.fail("participants", t.v_participants);
        }
        let supervised = check.yes_no("supervised", &self.supervised, t.v_supervised);
        let supervised_by = check.optional("supervised_by", &self.supervised_by, SUPERVISED_BY_MAX);
        if supervised == Some(true) && supervised_by.is_empty() {
            check.fail("supervised_by", t.v_supervised_by);
        }
        let outcome = VisitOutcome::parse(&self.outcome);
        if outcome.is_none() {
            check.fail("outcome", t.v_visit_outcome);
        }
        let mood_before = mood(&mut check, "mood_before", &self.mood_before);
        let mood_after = mood(&mut check, "mood_after", &self.mood_after);
        let mood_before_text = check.optional("mood_before_text", &self.mood_before_text, MOOD_TEXT_MAX);
        let mood_after_text = check.optional("mood_after_text", &self.mood_after_text, MOOD_TEXT_MAX);
        let notes = check.optional("notes", &self.notes, VISIT_NOTES_MAX);
        let reason = reason(&mut check, &self.reason, purpose);
        match (date, time, kind, place, supervised, outcome) {
            (Some(date), Some(time), Some(kind), Some(place), Some(supervised), Some(outcome)) => {
                check.finish(ValidVisit {
                    id,
                    youth_id,
                    date,
                    body: VisitBody {
                        time,
                        kind,
                        place,
                        participants,
                        participants_other,
                        supervised,
                        supervised_by: if supervised { supervised_by } else { String::new() },
                        outcome,
                        mood_before,
                        mood_before_text,
                        mood_after,
                        mood_after_text,
                        notes,
                    },
                    reason,
                })
            }
            _ => Err(check.errors),
        }
    }
}

/// An entry as timelines and the detail page show it (its current version).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntryView {
    pub id: String,
    pub group_id: String,
    pub youth_id: Option<String>,
    /// "Mia Krause", or the group's name for a whole-group note.
    pub subject_name: String,
    /// YYYY-MM-DD.
    pub date: String,
    pub body: EntryBody,
    /// Titles of the linked goals, in the order they were linked.
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

/// A page of a young person's timeline; `next` continues with older entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelinePage {
    pub entries: Vec<EntryView>,
    pub next: Option<String>,
}

/// The timeline filter, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineInput {
    pub youth_id: String,
    /// "" for everything, a note category code, or "besuch" for visit contacts.
    #[serde(default)]
    pub filter: String,
    #[serde(default)]
    pub before: String,
}

/// The timeline filter value that selects visit contacts.
pub const FILTER_VISITS: &str = "besuche";

#[derive(Clone, Debug, PartialEq)]
pub enum TimelineFilter {
    All,
    Category(NoteCategory),
    Visits,
}

pub const TIMELINE_PAGE: usize = 20;

/// Where a timeline page starts: (date, created_at, id) of the last entry already shown.
pub type Cursor = (String, i64, String);

impl TimelineInput {
    /// The filter and the keyset cursor (date, created_at, id) of the last entry shown.
    pub fn validate(&self) -> Result<(TimelineFilter, Option<Cursor>), Vec<FieldError>> {
        let mut check = Check::default();
        let filter = match self.filter.trim() {
            "" => TimelineFilter::All,
            FILTER_VISITS => TimelineFilter::Visits,
            code => match NoteCategory::parse(code) {
                Some(c) => TimelineFilter::Category(c),
                None => {
                    check.fail("filter", texts().v_category);
                    TimelineFilter::All
                }
            },
        };
        let before = if self.before.trim().is_empty() { None } else { parse_cursor(self.before.trim()) };
        if !self.before.trim().is_empty() && before.is_none() {
            check.fail("before", texts().error_bad_request);
        }
        check.finish((filter, before))
    }
}

pub fn cursor(date: &str, created_at: i64, id: &str) -> String {
    format!("{date}_{created_at}_{id}")
}

fn parse_cursor(s: &str) -> Option<Cursor> {
    let mut parts = s.splitn(3, '_');
    let date = parts.next()?;
    let at = parts.next()?.parse().ok()?;
    let id = parts.next()?;
    (NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok() && super::is_uuid(id))
        .then(|| (date.to_owned(), at, id.to_owned()))
}

/// The shift hand-over view of a group: today's and yesterday's entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Handover {
    pub group_id: String,
    pub group_name: String,
    pub today: Vec<EntryView>,
    pub yesterday: Vec<EntryView>,
}

/// What the capture forms may offer: the writer's groups, their young people and goals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaptureChoices {
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
    pub id: String,
    pub name: String,
    pub youths: Vec<CaptureYouth>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaptureYouth {
    pub id: String,
    pub name: String,
    pub goals: Vec<super::goal::GoalChoice>,
}

/// What a sealed outbox item decrypts to: the author the device meant, and the form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedPayload {
    pub author_id: String,
    #[serde(default)]
    pub note: Option<NoteInput>,
    #[serde(default)]
    pub visit: Option<VisitInput>,
}

/// A sealed outbox item as the device sends it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedInput {
    pub id: String,
    pub kind: String,
    pub key_id: String,
    pub epk: String,
    pub iv: String,
    pub ct: String,
}

/// The server's answer to a delivered entry: only this removes it from the outbox.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub id: String,
    /// The entry was already stored by an earlier send.
    pub duplicate: bool,
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

impl NoteInput {
    /// The note form as the browser collected it.
    pub fn from_fields(fields: &[(String, String)]) -> NoteInput {
        NoteInput {
            id: form_value(fields, "id"),
            subject: form_value(fields, "subject"),
            date: form_value(fields, "date"),
            category: form_value(fields, "category"),
            text: form_value(fields, "text"),
            important: form_value(fields, "important") == "true",
            goal_ids: form_list(fields, "goal_ids"),
            reason: form_value(fields, "reason"),
        }
    }
}

impl VisitInput {
    /// The visit form as the browser collected it.
    pub fn from_fields(fields: &[(String, String)]) -> VisitInput {
        let v = |name| form_value(fields, name);
        VisitInput {
            id: v("id"),
            youth_id: v("youth_id"),
            date: v("date"),
            time: v("time"),
            kind: v("kind"),
            place: v("place"),
            participants: form_list(fields, "participants"),
            participants_other: v("participants_other"),
            supervised: v("supervised"),
            supervised_by: v("supervised_by"),
            outcome: v("outcome"),
            mood_before: v("mood_before"),
            mood_before_text: v("mood_before_text"),
            mood_after: v("mood_after"),
            mood_after_text: v("mood_after_text"),
            notes: v("notes"),
            reason: v("reason"),
        }
    }
}

/// A one-line German summary of a visit's outcome and kind, for lists.
pub fn visit_headline(body: &VisitBody) -> String {
    fill(texts().visit_headline, &[("kind", body.kind.label()), ("outcome", body.outcome.label())])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()
    }

    const ID: &str = "01900000-0000-7000-8000-000000000001";
    const YOUTH: &str = "01900000-0000-7000-8000-000000000002";

    fn note() -> NoteInput {
        NoteInput {
            id: ID.into(),
            subject: YOUTH.into(),
            date: "2026-11-23".into(),
            category: "schule".into(),
            text: "Hausaufgaben erledigt.".into(),
            ..Default::default()
        }
    }

    fn visit() -> VisitInput {
        VisitInput {
            id: ID.into(),
            youth_id: YOUTH.into(),
            date: "2026-11-22".into(),
            time: "15:30".into(),
            kind: "besuch".into(),
            place: "sieh_raeume".into(),
            participants: vec!["mutter".into()],
            supervised: "ja".into(),
            supervised_by: "Frau Berg".into(),
            outcome: "stattgefunden".into(),
            mood_before: "2".into(),
            mood_after: "4".into(),
            ..Default::default()
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_complete_note_is_valid() {
        let valid = note().validate(today(), Purpose::Create).unwrap();
        assert_eq!(valid.subject, Subject::Youth(YOUTH.into()));
        assert_eq!(valid.body.category, NoteCategory::School);
    }

    #[test]
    fn a_note_for_the_whole_group_has_a_group_subject() {
        let input = NoteInput { subject: format!("gruppe:{YOUTH}"), ..note() };
        assert_eq!(input.validate(today(), Purpose::Create).unwrap().subject, Subject::Group(YOUTH.into()));
    }

    #[test]
    fn an_empty_note_names_every_missing_field() {
        let input = NoteInput { id: "x".into(), date: String::new(), ..Default::default() };
        let f = fields(input.validate(today(), Purpose::Create).unwrap_err());
        assert_eq!(f, ["id", "subject", "date", "category", "text"]);
    }

    #[test]
    fn a_note_more_than_a_day_ahead_is_refused_but_tomorrow_is_fine() {
        let tomorrow = NoteInput { date: "2026-11-24".into(), ..note() };
        assert!(tomorrow.validate(today(), Purpose::Create).is_ok());
        let later = NoteInput { date: "25.11.2026".into(), ..note() };
        let errors = later.validate(today(), Purpose::Create).unwrap_err();
        assert_eq!(errors[0].message, "Das Datum darf höchstens einen Tag in der Zukunft liegen.");
    }

    #[test]
    fn a_note_over_the_limit_says_the_limit() {
        let input = NoteInput { text: "x".repeat(NOTE_TEXT_MAX + 1), ..note() };
        let errors = input.validate(today(), Purpose::Create).unwrap_err();
        assert_eq!(errors[0].message, "Höchstens 4000 Zeichen.");
    }

    #[test]
    fn a_correction_needs_a_reason() {
        let f = fields(note().validate(today(), Purpose::Correct).unwrap_err());
        assert_eq!(f, ["reason"]);
        let input = NoteInput { reason: "Tippfehler".into(), ..note() };
        assert!(input.validate(today(), Purpose::Correct).is_ok());
    }

    #[test]
    fn goals_on_a_group_note_are_refused() {
        let input = NoteInput { subject: format!("gruppe:{YOUTH}"), goal_ids: vec![ID.into()], ..note() };
        assert_eq!(fields(input.validate(today(), Purpose::Create).unwrap_err()), ["goal_ids"]);
    }

    #[test]
    fn a_complete_visit_is_valid() {
        let valid = visit().validate(today(), Purpose::Create).unwrap();
        assert_eq!(valid.body.outcome, VisitOutcome::Held);
        assert_eq!(valid.body.mood_before, Some(2));
        assert_eq!(valid.body.time, "15:30");
    }

    #[test]
    fn a_visit_without_kind_or_outcome_is_refused() {
        let input = VisitInput { kind: String::new(), outcome: "vielleicht".into(), ..visit() };
        assert_eq!(fields(input.validate(today(), Purpose::Create).unwrap_err()), ["kind", "outcome"]);
    }

    #[test]
    fn a_supervised_visit_names_the_supervisor() {
        let input = VisitInput { supervised_by: " ".into(), ..visit() };
        assert_eq!(fields(input.validate(today(), Purpose::Create).unwrap_err()), ["supervised_by"]);
        let unsupervised = VisitInput { supervised: "nein".into(), supervised_by: "x".into(), ..visit() };
        assert_eq!(unsupervised.validate(today(), Purpose::Create).unwrap().body.supervised_by, "");
    }

    #[test]
    fn a_visit_needs_a_participant_and_a_mood_on_the_scale() {
        let input = VisitInput { participants: vec![], mood_after: "9".into(), ..visit() };
        assert_eq!(fields(input.validate(today(), Purpose::Create).unwrap_err()), ["participants", "mood_after"]);
        let other = VisitInput { participants: vec![], participants_other: "Tante".into(), ..visit() };
        assert!(other.validate(today(), Purpose::Create).is_ok());
    }

    #[test]
    fn timeline_cursors_round_trip_and_garbage_is_refused() {
        let c = cursor("2026-11-23", 17, ID);
        let input = TimelineInput { youth_id: YOUTH.into(), filter: "besuche".into(), before: c };
        let (filter, before) = input.validate().unwrap();
        assert_eq!(filter, TimelineFilter::Visits);
        assert_eq!(before, Some(("2026-11-23".into(), 17, ID.into())));
        let bad = TimelineInput { before: "x_y".into(), ..input };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn forms_are_read_as_the_browser_sends_them() {
        let fields: Vec<(String, String)> = [
            ("input[id]", ID),
            ("input[subject]", YOUTH),
            ("input[goal_ids][0]", "a"),
            ("input[goal_ids][3]", "b"),
            ("input[important]", "true"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let note = NoteInput::from_fields(&fields);
        assert_eq!((note.id.as_str(), note.important), (ID, true));
        assert_eq!(note.goal_ids, ["a", "b"]);
        assert_eq!(VisitInput::from_fields(&fields).participants, Vec::<String>::new());
    }

    #[test]
    fn bodies_serialize_with_their_codes() {
        let body = EntryBody::Note(NoteBody {
            category: NoteCategory::SchoolContact,
            text: "t".into(),
            important: true,
            goal_ids: vec![],
        });
        let json = serde_json::to_string(&body).unwrap();
        assert!(json.contains("\"kind\":\"note\"") && json.contains("\"kontakt_schule\""), "{json}");
        assert_eq!(serde_json::from_str::<EntryBody>(&json).unwrap(), body);
    }
}
