//! § 47 SGB VIII: an institution that runs under an operating licence (§ 45) reports to
//! the supervisory authority (Landesjugendamt, Heimaufsicht) at once any event or
//! development in its own sphere that may impair the young people's well-being. The
//! Meldung is its own record: offered from an incident or a Kinderschutz procedure of a
//! licensed group, written by Leitung or the group's Fachberatung, never changed.

use super::choice::choices;
use super::ids::{CaseId, GroupId, IncidentId};
use super::incident::IncidentCategory;
use super::text::Check;
use crate::error::FieldError;
use crate::i18n::texts;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

pub const TEXT_MAX: usize = 4000;
pub const RECIPIENT_MAX: usize = 300;

choices!(
    /// What the Meldung is about: the institution's own sphere.
    LicenceCategory {
        StaffConduct = "fehlverhalten_personal" => l47_staff,
        Violence = "gewalt_junge_menschen" => l47_violence,
        Missing = "vermisst" => l47_missing,
        SuicideAttempt = "suizidversuch" => l47_suicide,
        Fire = "brand" => l47_fire,
        Understaffing = "personalmangel" => l47_understaffing,
        Other = "sonstiges" => l47_other,
    }
);

impl LicenceCategory {
    /// The category an incident suggests, when it lies in the institution's sphere.
    pub fn for_incident(category: IncidentCategory) -> Option<LicenceCategory> {
        match category {
            IncidentCategory::Violence => Some(LicenceCategory::Violence),
            IncidentCategory::Missing => Some(LicenceCategory::Missing),
            IncidentCategory::SelfHarm | IncidentCategory::Suicidal => Some(LicenceCategory::SuicideAttempt),
            _ => None,
        }
    }
}

/// The Meldung form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceInput {
    /// Made when the form is drawn: a second send stores no second Meldung (409).
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub group_id: String,
    /// The incident or procedure it was written from, if any.
    #[serde(default)]
    pub incident_id: String,
    #[serde(default)]
    pub case_id: String,
    #[serde(default)]
    pub category: String,
    /// When the event happened ("2026-12-03T21:15").
    #[serde(default)]
    pub occurred_at: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub measures: String,
    /// The supervisory authority and the person told.
    #[serde(default)]
    pub recipient: String,
    /// When the authority was told.
    #[serde(default)]
    pub reported_at: String,
}

/// A checked Meldung.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidLicence {
    pub key: super::ids::EntryId,
    pub group_id: GroupId,
    pub incident_id: Option<IncidentId>,
    pub case_id: Option<CaseId>,
    pub category: LicenceCategory,
    pub occurred_at: NaiveDateTime,
    pub body: LicenceBody,
    pub reported_at: NaiveDateTime,
}

/// What a Meldung says, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LicenceBody {
    pub description: String,
    pub measures: String,
    pub recipient: String,
}

/// A required time of day on a date, not in the future.
fn date_time(check: &mut Check, field: &str, value: &str, today: NaiveDate) -> Option<NaiveDateTime> {
    let at = super::protection::date_time(check, field, value)?;
    if at.date() > today {
        check.fail(field, texts().v_cp_future);
        return None;
    }
    Some(at)
}

impl LicenceInput {
    pub fn validate(&self, today: NaiveDate) -> Result<ValidLicence, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let key = super::ids::EntryId::parse(&self.key);
        if key.is_none() {
            check.fail("key", t.v_entry_id);
        }
        let group_id = GroupId::parse(&self.group_id);
        if group_id.is_none() {
            check.fail("group_id", t.v_unknown_group);
        }
        let incident_id = (!self.incident_id.trim().is_empty()).then(|| IncidentId::parse(&self.incident_id));
        if incident_id.as_ref().is_some_and(Option::is_none) {
            check.fail("incident_id", t.v_l47_source);
        }
        let case_id = (!self.case_id.trim().is_empty()).then(|| CaseId::parse(&self.case_id));
        if case_id.as_ref().is_some_and(Option::is_none) {
            check.fail("case_id", t.v_l47_source);
        }
        let category = LicenceCategory::parse(&self.category);
        if category.is_none() {
            check.fail("category", t.v_l47_category);
        }
        let occurred_at = date_time(&mut check, "occurred_at", &self.occurred_at, today);
        let description = check.required("description", &self.description, TEXT_MAX);
        let measures = check.optional("measures", &self.measures, TEXT_MAX);
        let recipient = check.required("recipient", &self.recipient, RECIPIENT_MAX);
        let reported_at = date_time(&mut check, "reported_at", &self.reported_at, today);
        if let (Some(occurred), Some(reported)) = (occurred_at, reported_at)
            && reported < occurred
        {
            check.fail("reported_at", t.v_l47_before);
        }
        match (key, group_id, category, occurred_at, reported_at) {
            (Some(key), Some(group_id), Some(category), Some(occurred_at), Some(reported_at)) => {
                check.finish(ValidLicence {
                    key,
                    group_id,
                    incident_id: incident_id.flatten(),
                    case_id: case_id.flatten(),
                    category,
                    occurred_at,
                    body: LicenceBody { description, measures, recipient },
                    reported_at,
                })
            }
            _ => Err(check.errors),
        }
    }
}

/// What the form starts from: an incident or a procedure (`?vorkommnis=`, `?verfahren=`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceFrom {
    #[serde(default)]
    pub incident_id: String,
    #[serde(default)]
    pub case_id: String,
}

/// The form's choices and what it is filled with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LicenceForm {
    /// The licensed groups the caller may report for (id, name).
    pub groups: Vec<(String, String)>,
    pub group_id: String,
    pub incident_id: String,
    pub case_id: String,
    pub category: String,
    pub occurred_at: String,
    pub key: String,
}

/// A Meldung in the list and on its page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LicenceView {
    pub id: String,
    pub group_name: String,
    pub category: LicenceCategory,
    /// "03.12.2026, 21:15".
    pub occurred: String,
    pub reported: String,
    pub body: LicenceBody,
    pub author_name: String,
    pub incident_id: Option<IncidentId>,
    pub case_id: Option<CaseId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
    }

    fn input() -> LicenceInput {
        LicenceInput {
            key: "01a20826-ceb0-7086-825e-6c2739426b14".into(),
            group_id: "01a20826-ceb0-7086-825e-6c2739426b15".into(),
            category: "brand".into(),
            occurred_at: "2026-12-02T21:15".into(),
            description: "Brand in der Küche, alle unverletzt.".into(),
            recipient: "Landesjugendamt, Heimaufsicht, Herr B.".into(),
            reported_at: "2026-12-03T08:00".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_meldung_passes() {
        let v = input().validate(today()).expect("valid");
        assert_eq!(v.category, LicenceCategory::Fire);
        assert_eq!(v.incident_id, None);
    }

    #[test]
    fn the_report_cannot_precede_the_event_or_lie_in_the_future() {
        let early = LicenceInput { reported_at: "2026-12-02T20:00".into(), ..input() };
        assert_eq!(early.validate(today()).unwrap_err()[0].field, "reported_at");
        let future = LicenceInput { occurred_at: "2026-12-09T10:00".into(), ..input() };
        assert!(future.validate(today()).is_err());
        let bad = LicenceInput { category: "x".into(), incident_id: "nope".into(), ..input() };
        let fields: Vec<String> = bad.validate(today()).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["incident_id", "category"]);
    }

    #[test]
    fn incidents_in_the_institutions_sphere_suggest_a_category() {
        assert_eq!(LicenceCategory::for_incident(IncidentCategory::Missing), Some(LicenceCategory::Missing));
        assert_eq!(LicenceCategory::for_incident(IncidentCategory::Hospital), None);
    }
}
