//! Tagesnotiz: the daily note staff write about one young person or the whole group.
//! Never changed in place: a correction adds a version with a reason (`entry`).

use super::choice::choices;
use super::entry::{Purpose, entry_date, entry_id, form_list, form_value, reason};
use super::ids::{EntryId, GoalId, GroupId, YouthId};
use super::text::Check;
use crate::error::FieldError;
use crate::i18n::texts;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const NOTE_TEXT_MAX: usize = 4000;
/// More links than a young person has goals is a tampered form.
pub const GOALS_MAX: usize = 20;

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

/// Whom a daily note is about: one young person or the whole group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Subject {
    Youth(YouthId),
    Group(GroupId),
}

/// The form value for "ganze Gruppe".
pub const GROUP_SUBJECT_PREFIX: &str = "gruppe:";

impl Subject {
    pub fn parse(value: &str) -> Option<Subject> {
        let value = value.trim();
        match value.strip_prefix(GROUP_SUBJECT_PREFIX) {
            Some(group) => GroupId::parse(group).map(Subject::Group),
            None => YouthId::parse(value).map(Subject::Youth),
        }
    }
}

/// What a note says (one version of it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoteBody {
    pub category: NoteCategory,
    pub text: String,
    pub important: bool,
    pub goal_ids: Vec<GoalId>,
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
    pub id: EntryId,
    /// `None` for a correction: it keeps the stored subject.
    pub subject: Option<Subject>,
    pub date: NaiveDate,
    pub body: NoteBody,
    pub reason: String,
}

impl NoteInput {
    pub fn validate(&self, today: NaiveDate, purpose: Purpose) -> Result<ValidNote, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let id = entry_id(&mut check, &self.id);
        // A correction keeps the stored subject; what the form says is ignored.
        let subject = match purpose {
            Purpose::Create => {
                let subject = Subject::parse(&self.subject);
                if subject.is_none() {
                    check.fail("subject", t.v_subject);
                }
                Some(subject)
            }
            Purpose::Correct => Some(None),
        };
        let date = entry_date(&mut check, &self.date, today);
        let category = NoteCategory::parse(&self.category);
        if category.is_none() {
            check.fail("category", t.v_category);
        }
        let text = check.required("text", &self.text, NOTE_TEXT_MAX);
        let mut goal_ids: Vec<GoalId> = Vec::new();
        for goal in &self.goal_ids {
            match GoalId::parse(goal) {
                None => check.fail("goal_ids", t.v_unknown_goal),
                Some(goal) if !goal_ids.contains(&goal) => goal_ids.push(goal),
                Some(_) => {}
            }
        }
        if goal_ids.len() > GOALS_MAX {
            check.fail("goal_ids", t.v_unknown_goal);
        }
        if matches!(subject, Some(Some(Subject::Group(_)))) && !goal_ids.is_empty() {
            check.fail("goal_ids", t.v_goal_needs_youth);
        }
        let reason = reason(&mut check, &self.reason, purpose);
        match (id, subject, date, category) {
            (Some(id), Some(subject), Some(date), Some(category)) if check.errors.is_empty() => {
                check.finish(ValidNote {
                    id,
                    subject,
                    date,
                    body: NoteBody { category, text, important: self.important, goal_ids },
                    reason,
                })
            }
            _ => Err(check.errors),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::entry::EntryBody;

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

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_complete_note_is_valid() {
        let valid = note().validate(today(), Purpose::Create).unwrap();
        assert_eq!(valid.subject, YouthId::parse(YOUTH).map(Subject::Youth));
        assert_eq!(valid.body.category, NoteCategory::School);
    }

    #[test]
    fn a_note_for_the_whole_group_has_a_group_subject() {
        let input = NoteInput { subject: format!("gruppe:{YOUTH}"), ..note() };
        assert_eq!(
            input.validate(today(), Purpose::Create).unwrap().subject,
            GroupId::parse(YOUTH).map(Subject::Group)
        );
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
        assert_eq!(crate::domain::visit::VisitInput::from_fields(&fields).participants, Vec::<String>::new());
    }
}
