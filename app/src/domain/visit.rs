//! Besuchskontakt: a contact with the birth family, planned in the help plan, as it
//! took place (or did not).

use super::choice::choices;
use super::entry::{Purpose, entry_date, entry_id, form_list, form_value, reason, time_of_day};
use super::ids::{EntryId, YouthId};
use super::text::Check;
use crate::error::FieldError;
use crate::i18n::{fill, texts};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const VISIT_NOTES_MAX: usize = 4000;
pub const MOOD_TEXT_MAX: usize = 500;
pub const PARTICIPANTS_OTHER_MAX: usize = 200;
pub const SUPERVISED_BY_MAX: usize = 120;

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
    pub id: EntryId,
    /// `None` for a correction: it keeps the stored young person.
    pub youth_id: Option<YouthId>,
    pub date: NaiveDate,
    pub body: VisitBody,
    pub reason: String,
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
        let youth_id = match purpose {
            Purpose::Create => {
                let youth = YouthId::parse(&self.youth_id);
                if youth.is_none() {
                    check.fail("youth_id", t.v_choose_youth);
                }
                youth
            }
            Purpose::Correct => None,
        };
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
        match (id, date, time, kind, place, supervised, outcome) {
            (Some(id), Some(date), Some(time), Some(kind), Some(place), Some(supervised), Some(outcome))
                if check.errors.is_empty() =>
            {
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
}
