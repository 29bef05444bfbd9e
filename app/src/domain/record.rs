//! Die Aufzeichnungen der Fachberatung: what the supervising social workers write about a
//! young person themselves — a Fachgespräch, a talk with the birth family, a
//! medical-therapeutic talk, a contact with the youth office's caseworker, the team's own
//! case reflection, and the diagnostics from intake on. Each names who took part and what
//! came of it, and may point at the help-plan goals it concerns. A Fallreflexion is the
//! SIEH team's: the group's staff do not see it.

use super::choice::choices;
use super::entry::{Purpose, entry_date, entry_id, reason, youth_for};
use super::ids::{EntryId, GoalId, YouthId};
use super::text::Check;
use crate::error::FieldError;
use crate::i18n::texts;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const PARTICIPANTS_MAX: usize = 1000;
pub const TEXT_MAX: usize = 6000;
pub const OUTCOME_MAX: usize = 3000;
pub const ASSESSOR_MAX: usize = 200;
pub const INSTRUMENT_MAX: usize = 300;
pub const GOALS_MAX: usize = 20;

choices!(
    /// The kinds of the Fachberatung's records.
    RecordType {
        ExpertTalk = "fachgespraech" => record_expert_talk,
        ParentTalk = "elterngespraech" => record_parent_talk,
        Medical = "med_therapeutisch" => record_medical,
        YouthOffice = "jugendamt" => record_youth_office,
        Reflection = "fallreflexion" => record_reflection,
        Diagnostics = "diagnostik" => record_diagnostics,
    }
);

impl RecordType {
    /// Only the Fachberatung and Leitung see it (the team's own case reflection).
    pub fn advisors_only(self) -> bool {
        self == RecordType::Reflection
    }
}

choices!(
    /// When diagnostics were done: at intake or during the help.
    DiagnosticPhase {
        Intake = "eingang" => diagnostics_intake,
        Progress = "verlauf" => diagnostics_progress,
    }
);

/// One version of a record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordBody {
    pub record_type: RecordType,
    pub participants: String,
    /// What was discussed (a talk), or the reason for the assessment (diagnostics).
    pub content: String,
    /// What came of it: agreements, results, next steps.
    pub outcome: String,
    pub goal_ids: Vec<GoalId>,
    /// Diagnostics only: who assessed, with which instrument or method, what was found.
    pub phase: Option<DiagnosticPhase>,
    pub assessor: String,
    pub instrument: String,
    pub findings: String,
}

impl RecordBody {
    pub fn advisors_only(&self) -> bool {
        self.record_type.advisors_only()
    }

    /// The text the feed shows and searches.
    pub fn feed_text(&self) -> String {
        [self.content.as_str(), self.outcome.as_str(), self.findings.as_str()]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// The record form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordInput {
    pub id: String,
    #[serde(default)]
    pub youth_id: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub record_type: String,
    #[serde(default)]
    pub participants: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub goal_ids: Vec<String>,
    #[serde(default)]
    pub phase: String,
    #[serde(default)]
    pub assessor: String,
    #[serde(default)]
    pub instrument: String,
    #[serde(default)]
    pub findings: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidRecord {
    pub id: EntryId,
    /// `None` for a correction: it keeps the stored young person.
    pub youth_id: Option<YouthId>,
    pub date: NaiveDate,
    pub body: RecordBody,
    pub reason: String,
}

impl RecordInput {
    pub fn validate(&self, today: NaiveDate, purpose: Purpose) -> Result<ValidRecord, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let id = entry_id(&mut check, &self.id);
        let youth_id = youth_for(&mut check, &self.youth_id, purpose);
        let date = entry_date(&mut check, &self.date, today);
        let record_type = RecordType::parse(&self.record_type);
        if record_type.is_none() {
            check.fail("record_type", t.v_record_type);
        }
        let diagnostics = record_type == Some(RecordType::Diagnostics);
        let participants = if diagnostics {
            check.optional("participants", &self.participants, PARTICIPANTS_MAX)
        } else {
            check.required("participants", &self.participants, PARTICIPANTS_MAX)
        };
        let content = check.optional("content", &self.content, TEXT_MAX);
        let outcome = if diagnostics {
            check.optional("outcome", &self.outcome, OUTCOME_MAX)
        } else {
            check.required("outcome", &self.outcome, OUTCOME_MAX)
        };
        let (phase, assessor, instrument, findings) = if diagnostics {
            let phase = DiagnosticPhase::parse(&self.phase);
            if phase.is_none() {
                check.fail("phase", t.v_record_phase);
            }
            (
                phase,
                check.required("assessor", &self.assessor, ASSESSOR_MAX),
                check.required("instrument", &self.instrument, INSTRUMENT_MAX),
                check.required("findings", &self.findings, TEXT_MAX),
            )
        } else {
            (None, String::new(), String::new(), String::new())
        };
        let mut goal_ids: Vec<GoalId> = Vec::new();
        for goal in &self.goal_ids {
            match GoalId::parse(goal.trim()) {
                Some(g) if !goal_ids.contains(&g) => goal_ids.push(g),
                Some(_) => {}
                None => check.fail("goal_ids", t.v_unknown_goal),
            }
        }
        if goal_ids.len() > GOALS_MAX {
            check.fail("goal_ids", t.v_unknown_goal);
        }
        let reason = reason(&mut check, &self.reason, purpose);
        match (id, youth_id, date, record_type) {
            (Some(id), Some(youth_id), Some(date), Some(record_type)) if check.errors.is_empty() => Ok(ValidRecord {
                id,
                youth_id,
                date,
                body: RecordBody {
                    record_type,
                    participants,
                    content,
                    outcome,
                    goal_ids,
                    phase,
                    assessor,
                    instrument,
                    findings,
                },
                reason,
            }),
            _ => Err(check.errors),
        }
    }
}

impl From<(&RecordBody, &str, &str)> for RecordInput {
    /// The form as it shows a stored record (id, date) for a correction.
    fn from((body, id, date): (&RecordBody, &str, &str)) -> RecordInput {
        RecordInput {
            id: id.to_owned(),
            youth_id: String::new(),
            date: date.to_owned(),
            record_type: body.record_type.code().to_owned(),
            participants: body.participants.clone(),
            content: body.content.clone(),
            outcome: body.outcome.clone(),
            goal_ids: body.goal_ids.iter().map(ToString::to_string).collect(),
            phase: body.phase.map(|p| p.code().to_owned()).unwrap_or_default(),
            assessor: body.assessor.clone(),
            instrument: body.instrument.clone(),
            findings: body.findings.clone(),
            reason: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "01900000-0000-7000-8000-000000000001";
    const YOUTH: &str = "01900000-0000-7000-8000-000000000002";

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default()
    }

    fn talk() -> RecordInput {
        RecordInput {
            id: ID.into(),
            youth_id: YOUTH.into(),
            date: "2026-12-02".into(),
            record_type: "elterngespraech".into(),
            participants: "Frau Krause, Frank Berater".into(),
            outcome: "Besuche bleiben begleitet.".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_talk_needs_participants_and_an_outcome() {
        let valid = talk().validate(today(), Purpose::Create).unwrap();
        assert_eq!(valid.body.record_type, RecordType::ParentTalk);
        assert!(!valid.body.advisors_only());
        let empty = RecordInput { participants: " ".into(), outcome: String::new(), ..talk() };
        let fields: Vec<_> =
            empty.validate(today(), Purpose::Create).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["participants", "outcome"]);
        let bad = RecordInput { record_type: "kaffeeklatsch".into(), ..talk() };
        assert_eq!(bad.validate(today(), Purpose::Create).unwrap_err()[0].field, "record_type");
    }

    #[test]
    fn diagnostics_need_phase_assessor_instrument_and_findings() {
        let input = RecordInput {
            record_type: "diagnostik".into(),
            participants: String::new(),
            outcome: String::new(),
            ..talk()
        };
        let fields: Vec<_> =
            input.validate(today(), Purpose::Create).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["phase", "assessor", "instrument", "findings"]);
        let ok = RecordInput {
            phase: "eingang".into(),
            assessor: "Dr. Weiß (KJP)".into(),
            instrument: "SDQ, Elternversion".into(),
            findings: "Auffällig im Bereich emotionale Probleme.".into(),
            ..input
        };
        let valid = ok.validate(today(), Purpose::Create).unwrap();
        assert_eq!(valid.body.phase, Some(DiagnosticPhase::Intake));
        let reflection = RecordInput { record_type: "fallreflexion".into(), ..talk() };
        assert!(reflection.validate(today(), Purpose::Create).unwrap().body.advisors_only());
    }
}
