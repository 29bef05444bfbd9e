//! Das Erziehungsplanungsgespräch: the monthly talk in every group home about a young
//! person's help-plan goals. Written on the phone (offline through the sealed outbox like
//! every entry): who took part (the young person is always listed, present or not), per
//! active Handlungsziel what happened, which of the month's entries show it, and the
//! ratings from each perspective; the next step; the young person's own words; topics for
//! the next Hilfeplangespräch; and whether the Fachberatung should take it up.

use super::entry::{Purpose, entry_date, entry_id, form_value, reason, youth_for};
use super::ids::{EntryId, GoalId, YouthId};
use super::plan::{Perspective, Rating};
use super::text::Check;
use crate::error::FieldError;
use crate::i18n::texts;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const PARTICIPANTS_MAX: usize = 1000;
pub const HAPPENED_MAX: usize = 2000;
pub const WORDS_MAX: usize = 2000;
pub const STEP_WHO_MAX: usize = 120;
pub const STEP_WHAT_MAX: usize = 300;
/// More goal rows than a plan has Handlungsziele is a tampered form.
pub const GOALS_MAX: usize = 20;
/// Entries ticked per goal.
pub const ENTRIES_MAX: usize = 60;
/// Days back from the talk whose linked entries the form offers for ticking.
pub const OFFER_DAYS: u64 = 42;

/// What the talk says about one goal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TalkGoal {
    pub goal_id: GoalId,
    pub happened: String,
    /// The entries of the month that show it.
    pub entry_ids: Vec<EntryId>,
    pub staff: Option<Rating>,
    pub youth: Option<Rating>,
    pub parents: Option<Rating>,
}

impl TalkGoal {
    /// The ratings given, with their perspective.
    pub fn ratings(&self) -> Vec<(Perspective, Rating)> {
        [(Perspective::Staff, self.staff), (Perspective::Youth, self.youth), (Perspective::Parents, self.parents)]
            .into_iter()
            .filter_map(|(p, r)| r.map(|r| (p, r)))
            .collect()
    }
}

/// One version of a monthly talk's content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TalkBody {
    pub participants: String,
    pub youth_present: bool,
    pub goals: Vec<TalkGoal>,
    pub next_who: String,
    pub next_what: String,
    /// YYYY-MM-DD, or "" without a next step.
    pub next_by: String,
    /// "Das ist mir wichtig", in the young person's own words.
    pub youth_words: String,
    /// Topics for the next Hilfeplangespräch.
    pub hpg_topics: String,
    /// "Thema für die Fachberatung": the talk goes into the Fachberatung's urgent items.
    pub for_advisor: bool,
}

impl TalkBody {
    /// The text the feed shows and searches.
    pub fn feed_text(&self) -> String {
        let mut parts: Vec<&str> = self.goals.iter().map(|g| g.happened.as_str()).collect();
        parts.extend([self.youth_words.as_str(), self.hpg_topics.as_str(), self.next_what.as_str()]);
        parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" · ")
    }
}

/// One goal row of the form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TalkGoalInput {
    #[serde(default)]
    pub goal_id: String,
    #[serde(default)]
    pub happened: String,
    #[serde(default)]
    pub entry_ids: Vec<String>,
    #[serde(default)]
    pub staff: String,
    #[serde(default)]
    pub youth: String,
    #[serde(default)]
    pub parents: String,
}

/// The monthly talk form, as typed. The same form corrects a talk; then `reason` is
/// required and the young person stays who they were.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TalkInput {
    pub id: String,
    #[serde(default)]
    pub youth_id: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub participants: String,
    /// "ja" or "nein".
    #[serde(default)]
    pub youth_present: String,
    #[serde(default)]
    pub goals: Vec<TalkGoalInput>,
    #[serde(default)]
    pub next_who: String,
    #[serde(default)]
    pub next_what: String,
    #[serde(default)]
    pub next_by: String,
    #[serde(default)]
    pub youth_words: String,
    #[serde(default)]
    pub hpg_topics: String,
    #[serde(default)]
    pub for_advisor: bool,
    #[serde(default)]
    pub reason: String,
}

/// A checked talk. Whether the young person, the goals and the entries exist, belong
/// together and may be written to is the caller's question.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidTalk {
    pub id: EntryId,
    /// `None` for a correction: it keeps the stored young person.
    pub youth_id: Option<YouthId>,
    pub date: NaiveDate,
    pub body: TalkBody,
    pub reason: String,
}

fn rating(check: &mut Check, value: &str) -> Option<Rating> {
    match value.trim() {
        "" => None,
        code => {
            let parsed = Rating::parse(code);
            if parsed.is_none() {
                check.fail("goals", texts().v_rating);
            }
            parsed
        }
    }
}

impl TalkInput {
    pub fn validate(&self, today: NaiveDate, purpose: Purpose) -> Result<ValidTalk, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let id = entry_id(&mut check, &self.id);
        let youth_id = youth_for(&mut check, &self.youth_id, purpose);
        let date = entry_date(&mut check, &self.date, today);
        let participants = check.required("participants", &self.participants, PARTICIPANTS_MAX);
        let youth_present = check.yes_no("youth_present", &self.youth_present, t.v_talk_present);
        if self.goals.len() > GOALS_MAX {
            check.fail("goals", t.v_unknown_goal);
        }
        let mut goals: Vec<TalkGoal> = Vec::new();
        for row in self.goals.iter().take(GOALS_MAX) {
            let Some(goal_id) = GoalId::parse(row.goal_id.trim()) else {
                check.fail("goals", t.v_unknown_goal);
                continue;
            };
            if goals.iter().any(|g| g.goal_id == goal_id) {
                check.fail("goals", t.v_unknown_goal);
                continue;
            }
            let happened = check.optional("goals", &row.happened, HAPPENED_MAX);
            let mut entry_ids: Vec<EntryId> = Vec::new();
            if row.entry_ids.len() > ENTRIES_MAX {
                check.fail("goals", t.v_unknown_entry);
            }
            for entry in row.entry_ids.iter().take(ENTRIES_MAX) {
                match EntryId::parse(entry.trim()) {
                    Some(e) if !entry_ids.contains(&e) => entry_ids.push(e),
                    Some(_) => {}
                    None => check.fail("goals", t.v_unknown_entry),
                }
            }
            let staff = rating(&mut check, &row.staff);
            let youth = rating(&mut check, &row.youth);
            let parents = rating(&mut check, &row.parents);
            // A goal the talk said nothing about is not part of it.
            let said = !happened.is_empty()
                || !entry_ids.is_empty()
                || staff.is_some()
                || youth.is_some()
                || parents.is_some();
            if said {
                goals.push(TalkGoal { goal_id, happened, entry_ids, staff, youth, parents });
            }
        }
        let next_who = check.optional("next", &self.next_who, STEP_WHO_MAX);
        let next_what = check.optional("next", &self.next_what, STEP_WHAT_MAX);
        let next_by = match (next_who.is_empty() && next_what.is_empty(), self.next_by.trim().is_empty()) {
            (true, true) => String::new(),
            _ => {
                if next_who.is_empty() || next_what.is_empty() {
                    check.fail("next", t.v_talk_next);
                }
                match check.date("next_by", &self.next_by) {
                    Some(by) if date.is_some_and(|d| by < d) => {
                        check.fail("next_by", t.v_talk_next_before);
                        String::new()
                    }
                    Some(by) => by.to_string(),
                    None => String::new(),
                }
            }
        };
        let youth_words = check.optional("youth_words", &self.youth_words, WORDS_MAX);
        let hpg_topics = check.optional("hpg_topics", &self.hpg_topics, WORDS_MAX);
        let reason = reason(&mut check, &self.reason, purpose);
        match (id, youth_id, date, youth_present) {
            (Some(id), Some(youth_id), Some(date), Some(youth_present)) if check.errors.is_empty() => Ok(ValidTalk {
                id,
                youth_id,
                date,
                body: TalkBody {
                    participants,
                    youth_present,
                    goals,
                    next_who,
                    next_what,
                    next_by,
                    youth_words,
                    hpg_topics,
                    for_advisor: self.for_advisor,
                },
                reason,
            }),
            _ => Err(check.errors),
        }
    }

    /// The form as the browser collected it (`input[goals][i][field]`, entries as
    /// `input[goals][i][entry_ids][j]`).
    pub fn from_fields(fields: &[(String, String)]) -> TalkInput {
        let mut goals: Vec<(String, TalkGoalInput)> = Vec::new();
        for (key, value) in fields {
            let Some(rest) = key.strip_prefix("input[goals][") else { continue };
            let Some((index, rest)) = rest.split_once("][") else { continue };
            let field = rest.trim_end_matches(']');
            let at = match goals.iter().position(|(i, _)| i == index) {
                Some(at) => at,
                None => {
                    goals.push((index.to_owned(), TalkGoalInput::default()));
                    goals.len() - 1
                }
            };
            let row = &mut goals[at].1;
            match field {
                "goal_id" => row.goal_id = value.clone(),
                "happened" => row.happened = value.clone(),
                "staff" => row.staff = value.clone(),
                "youth" => row.youth = value.clone(),
                "parents" => row.parents = value.clone(),
                f if f.starts_with("entry_ids][") => row.entry_ids.push(value.clone()),
                _ => {}
            }
        }
        TalkInput {
            id: form_value(fields, "id"),
            youth_id: form_value(fields, "youth_id"),
            date: form_value(fields, "date"),
            participants: form_value(fields, "participants"),
            youth_present: form_value(fields, "youth_present"),
            goals: goals.into_iter().map(|(_, g)| g).collect(),
            next_who: form_value(fields, "next_who"),
            next_what: form_value(fields, "next_what"),
            next_by: form_value(fields, "next_by"),
            youth_words: form_value(fields, "youth_words"),
            hpg_topics: form_value(fields, "hpg_topics"),
            for_advisor: form_value(fields, "for_advisor") == "true",
            reason: form_value(fields, "reason"),
        }
    }
}

impl From<(&TalkBody, &str, &str)> for TalkInput {
    /// The form as it shows a stored talk (id, date) for a correction.
    fn from((body, id, date): (&TalkBody, &str, &str)) -> TalkInput {
        let code = |r: Option<Rating>| r.map(|r| r.code().to_owned()).unwrap_or_default();
        TalkInput {
            id: id.to_owned(),
            youth_id: String::new(),
            date: date.to_owned(),
            participants: body.participants.clone(),
            youth_present: if body.youth_present { "ja" } else { "nein" }.to_owned(),
            goals: body
                .goals
                .iter()
                .map(|g| TalkGoalInput {
                    goal_id: g.goal_id.to_string(),
                    happened: g.happened.clone(),
                    entry_ids: g.entry_ids.iter().map(ToString::to_string).collect(),
                    staff: code(g.staff),
                    youth: code(g.youth),
                    parents: code(g.parents),
                })
                .collect(),
            next_who: body.next_who.clone(),
            next_what: body.next_what.clone(),
            next_by: body.next_by.clone(),
            youth_words: body.youth_words.clone(),
            hpg_topics: body.hpg_topics.clone(),
            for_advisor: body.for_advisor,
            reason: String::new(),
        }
    }
}

/// An entry the form offers for ticking under a goal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfferedEntry {
    pub id: EntryId,
    pub date: String,
    pub excerpt: String,
}

/// An active goal as the talk form offers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TalkGoalChoice {
    pub id: GoalId,
    pub title: String,
    /// The Richtungsziel it belongs to ("" if none).
    pub direction: String,
    /// The young person's own newest rating with faces.
    pub own_rating: Option<Rating>,
    /// Entries linked to it in the weeks before.
    pub entries: Vec<OfferedEntry>,
}

/// A young person the writer may hold the talk for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TalkYouth {
    pub id: YouthId,
    pub name: String,
    pub group_name: String,
    pub goals: Vec<TalkGoalChoice>,
}

/// What the talk form needs (like the capture forms').
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TalkChoices {
    pub author_id: String,
    pub today: String,
    pub fresh_id: String,
    pub outbox_key: String,
    pub youths: Vec<TalkYouth>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "01900000-0000-7000-8000-000000000001";
    const YOUTH: &str = "01900000-0000-7000-8000-000000000002";
    const GOAL: &str = "01900000-0000-7000-8000-000000000003";
    const ENTRY: &str = "01900000-0000-7000-8000-000000000004";

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default()
    }

    fn talk() -> TalkInput {
        TalkInput {
            id: ID.into(),
            youth_id: YOUTH.into(),
            date: "2026-12-03".into(),
            participants: "Mia, Sabine Sonnen".into(),
            youth_present: "ja".into(),
            goals: vec![TalkGoalInput {
                goal_id: GOAL.into(),
                happened: "Jeden Tag pünktlich".into(),
                entry_ids: vec![ENTRY.into()],
                staff: "4".into(),
                youth: "5".into(),
                parents: String::new(),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn a_talk_keeps_its_ratings_and_drops_goals_it_said_nothing_about() {
        let mut input = talk();
        input.goals.push(TalkGoalInput { goal_id: ENTRY.into(), ..Default::default() });
        let valid = input.validate(today(), Purpose::Create).unwrap();
        assert_eq!(valid.body.goals.len(), 1);
        assert_eq!(
            valid.body.goals[0].ratings(),
            [(Perspective::Staff, Rating::Mostly), (Perspective::Youth, Rating::Fully)]
        );
        assert!(valid.body.youth_present);
        assert_eq!(valid.body.next_by, "");
    }

    #[test]
    fn ratings_out_of_range_a_missing_presence_and_half_a_next_step_are_refused() {
        let mut input = talk();
        input.goals[0].staff = "6".into();
        input.youth_present = String::new();
        input.next_what = "Schulgespräch".into();
        input.next_by = "2026-12-01".into();
        let fields: Vec<_> =
            input.validate(today(), Purpose::Create).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["youth_present", "goals", "next", "next_by"]);
        let mut tampered = talk();
        tampered.goals[0].entry_ids = vec!["nicht-da".into()];
        tampered.goals.push(TalkGoalInput { goal_id: GOAL.into(), happened: "doppelt".into(), ..Default::default() });
        let errors = tampered.validate(today(), Purpose::Create).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "goals");
    }

    #[test]
    fn the_form_fields_come_back_as_the_input() {
        let fields: Vec<(String, String)> = [
            ("input[id]", ID),
            ("input[youth_id]", YOUTH),
            ("input[date]", "2026-12-03"),
            ("input[participants]", "Mia, Sabine Sonnen"),
            ("input[youth_present]", "ja"),
            ("input[goals][0][goal_id]", GOAL),
            ("input[goals][0][happened]", "Jeden Tag pünktlich"),
            ("input[goals][0][entry_ids][0]", ENTRY),
            ("input[goals][0][staff]", "4"),
            ("input[goals][0][youth]", "5"),
            ("input[goals][0][parents]", ""),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        assert_eq!(TalkInput::from_fields(&fields), talk());
        let body = talk().validate(today(), Purpose::Create).unwrap().body;
        let again = TalkInput::from((&body, ID, "2026-12-03"));
        assert_eq!(again.validate(today(), Purpose::Correct).unwrap_err()[0].field, "reason");
    }
}
