//! Besonderes Vorkommnis / Krise: what staff report from the phone when something serious
//! happens (seed 000, sections 4.2 and 4.7). The Fachberatung and Leitung are told at
//! once; the incident stays open until someone acknowledges it, and escalates to Leitung
//! when nobody does in time.

use super::choice::choices;
use super::entry::{entry_date, entry_id, time_of_day};
use super::ids::{IncidentId, YouthId};
use super::text::Check;
use crate::error::FieldError;
use crate::i18n::texts;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const WHAT_MAX: usize = 4000;
pub const MEASURES_MAX: usize = 2000;
pub const COMMENT_MAX: usize = 2000;
/// More young people than live in a group is a tampered form.
pub const YOUTHS_MAX: usize = 12;
/// Minutes without acknowledgement before an incident escalates to Leitung (default).
pub const ESCALATE_AFTER_MINUTES: i64 = 60;

choices!(
    /// The categories of an incident (the list).
    IncidentCategory {
        Injury = "verletzung" => inc_injury,
        Violence = "gewalt" => inc_violence,
        Missing = "entweichung" => inc_missing,
        Police = "polizeieinsatz" => inc_police,
        Hospital = "krankenhaus" => inc_hospital,
        SelfHarm = "selbstgefaehrdung" => inc_self_harm,
        Suicidal = "suizidaeusserung" => inc_suicidal,
        FamilyConflict = "konflikt_herkunftsfamilie" => inc_family_conflict,
        PlanDeviation = "abweichung_hilfeplan" => inc_plan_deviation,
        Other = "sonstiges" => inc_other,
    }
);

choices!(
    /// Who was informed already.
    Informed {
        YouthOffice = "jugendamt" => informed_youth_office,
        Police = "polizei" => informed_police,
        Parents = "eltern" => informed_parents,
        Doctor = "arzt" => informed_doctor,
    }
);

choices!(
    /// The links of an incident's chain.
    IncidentEventKind {
        Reported = "gemeldet" => inc_event_reported,
        Notified = "benachrichtigt" => inc_event_notified,
        Read = "gelesen" => inc_event_read,
        Acknowledged = "zur_kenntnis" => inc_event_acknowledged,
        Commented = "kommentar" => inc_event_commented,
        Escalated = "eskaliert" => inc_event_escalated,
    }
);

/// What an incident says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentBody {
    pub what: String,
    pub measures: String,
    pub informed: Vec<Informed>,
}

/// The incident form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentInput {
    /// Made on the device when "Melden" is pressed.
    pub id: String,
    #[serde(default)]
    pub youth_ids: Vec<String>,
    pub date: String,
    #[serde(default)]
    pub time: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub what: String,
    #[serde(default)]
    pub measures: String,
    #[serde(default)]
    pub informed: Vec<String>,
}

/// A checked incident. Whether the young people exist, share one group and may be written
/// for is the caller's question (store and policy).
#[derive(Clone, Debug, PartialEq)]
pub struct ValidIncident {
    pub id: IncidentId,
    pub youth_ids: Vec<YouthId>,
    pub date: NaiveDate,
    pub time: String,
    pub category: IncidentCategory,
    pub body: IncidentBody,
}

impl IncidentInput {
    pub fn validate(&self, today: NaiveDate) -> Result<ValidIncident, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let id = entry_id(&mut check, &self.id);
        let mut youth_ids: Vec<YouthId> = Vec::new();
        for youth in &self.youth_ids {
            match YouthId::parse(youth) {
                None => check.fail("youth_ids", t.v_unknown_youth),
                Some(youth) if !youth_ids.contains(&youth) => youth_ids.push(youth),
                Some(_) => {}
            }
        }
        if youth_ids.is_empty() || youth_ids.len() > YOUTHS_MAX {
            check.fail("youth_ids", t.v_incident_youths);
        }
        let date = entry_date(&mut check, &self.date, today);
        let time = time_of_day(&mut check, &self.time);
        let category = IncidentCategory::parse(&self.category);
        if category.is_none() {
            check.fail("category", t.v_incident_category);
        }
        let what = check.required("what", &self.what, WHAT_MAX);
        let measures = check.optional("measures", &self.measures, MEASURES_MAX);
        let mut informed = Vec::new();
        for who in &self.informed {
            match Informed::parse(who) {
                Some(who) if !informed.contains(&who) => informed.push(who),
                Some(_) => {}
                None => check.fail("informed", t.v_informed),
            }
        }
        match (id, date, time, category) {
            (Some(id), Some(date), Some(time), Some(category)) => check.finish(ValidIncident {
                id,
                youth_ids,
                date,
                time,
                category,
                body: IncidentBody { what, measures, informed },
            }),
            _ => Err(check.errors),
        }
    }

    /// The form's fields as a form post names them (`input[...]`).
    pub fn from_fields(fields: &[(String, String)]) -> IncidentInput {
        use super::entry::{form_list, form_value};
        IncidentInput {
            id: form_value(fields, "id"),
            youth_ids: form_list(fields, "youth_ids"),
            date: form_value(fields, "date"),
            time: form_value(fields, "time"),
            category: form_value(fields, "category"),
            what: form_value(fields, "what"),
            measures: form_value(fields, "measures"),
            informed: form_list(fields, "informed"),
        }
    }
}

/// What the device seals for an incident.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedIncident {
    pub author_id: String,
    pub incident: IncidentInput,
}

/// Where an incident stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IncidentState {
    Open,
    Escalated,
    Acknowledged,
}

impl IncidentState {
    pub fn label(self) -> &'static str {
        let t = texts();
        match self {
            IncidentState::Open => t.inc_state_open,
            IncidentState::Escalated => t.inc_state_escalated,
            IncidentState::Acknowledged => t.inc_state_acknowledged,
        }
    }
}

/// An incident in a list: enough to decide whether to open it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentSummary {
    pub id: IncidentId,
    pub group_name: String,
    pub youth_names: Vec<String>,
    pub category: IncidentCategory,
    /// "23.11.2026, 14:05" (when it happened).
    pub occurred: String,
    pub state: IncidentState,
    pub comments: i64,
}

/// One link of the chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentEvent {
    pub kind: IncidentEventKind,
    /// "23.11.2026, 14:07" (Europe/Berlin).
    pub at: String,
    pub by: Option<String>,
    pub detail: String,
}

/// An incident with its whole chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentDetail {
    pub summary: IncidentSummary,
    pub body: IncidentBody,
    pub author_name: String,
    pub events: Vec<IncidentEvent>,
    /// The caller may acknowledge it (Fachberatung of the group, Leitung) and nobody has.
    pub can_acknowledge: bool,
    /// Who acknowledged it and when ("Name, 23.11.2026, 14:30").
    pub acknowledged: Option<String>,
    /// For those who may open a Kinderschutz procedure from it: the new procedure's id
    /// (made when the page is drawn) and the young people (id, name) to choose from.
    pub open_protection: Option<(String, Vec<(String, String)>)>,
    /// The incident lies in the institution's sphere, its group runs under an operating
    /// licence and the caller writes § 47 Meldungen: the page offers one.
    pub licence_offer: bool,
}

/// The text of an alarm e-mail: a link to the incident and nothing that names anyone or
/// says what happened (e-mail leaves the institute's systems).
pub fn alarm_mail(public_url: &str, incident_id: &str, escalated: bool) -> (String, String) {
    let subject = if escalated {
        "Gruppenbuch: Vorkommnis noch nicht zur Kenntnis genommen".to_owned()
    } else {
        "Gruppenbuch: Neues besonderes Vorkommnis".to_owned()
    };
    let lead = if escalated {
        "Ein besonderes Vorkommnis wurde noch nicht zur Kenntnis genommen und ist an die Leitung eskaliert."
    } else {
        "Es wurde ein besonderes Vorkommnis gemeldet."
    };
    let body = format!(
        "{lead}\r\n\r\nBitte im Gruppenbuch öffnen:\r\n{}/vorkommnisse/{incident_id}\r\n\r\n\
         Diese E-Mail enthält bewusst keine Namen und keine Einzelheiten.\r\n",
        public_url.trim_end_matches('/')
    );
    (subject, body)
}

/// The desk's view: open incidents pinned, then the latest others.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IncidentBoard {
    pub pinned: Vec<IncidentSummary>,
    pub recent: Vec<IncidentSummary>,
    pub can_report: bool,
}

/// A comment on an incident.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    #[serde(default)]
    pub text: String,
}

impl CommentInput {
    pub fn validate(&self) -> Result<String, Vec<FieldError>> {
        let mut check = Check::default();
        let text = check.required("text", &self.text, COMMENT_MAX);
        check.finish(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn input() -> IncidentInput {
        IncidentInput {
            id: "01a20826-ceb0-7086-825e-6c2739426b14".into(),
            youth_ids: vec!["01a20826-ceb0-7086-825e-6c2739426b15".into()],
            date: "2026-11-23".into(),
            time: "14:05".into(),
            category: "entweichung".into(),
            what: "Nicht vom Sport zurück.".into(),
            measures: String::new(),
            informed: vec!["polizei".into(), "polizei".into()],
        }
    }

    #[test]
    fn a_complete_incident_passes_and_duplicates_fold() {
        let v = input().validate(today()).expect("valid");
        assert_eq!(v.category, IncidentCategory::Missing);
        assert_eq!(v.body.informed, vec![Informed::Police]);
    }

    #[test]
    fn every_missing_part_is_named() {
        let bad = IncidentInput {
            youth_ids: vec![],
            category: "x".into(),
            what: " ".into(),
            informed: vec!["nachbar".into()],
            ..input()
        };
        let errors = bad.validate(today()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for field in ["youth_ids", "category", "what", "informed"] {
            assert!(fields.contains(&field), "{field} in {fields:?}");
        }
    }

    #[test]
    fn an_oversized_text_is_refused() {
        let bad = IncidentInput { what: "x".repeat(WHAT_MAX + 1), ..input() };
        assert!(bad.validate(today()).is_err());
    }
}
