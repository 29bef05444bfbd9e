//! Kind / Jugendliche:r: a young person placed in a group home, and their master data.

use super::ids::{GroupId, YouthId};
use super::text::Check;
use crate::error::FieldError;
use crate::i18n::texts;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

pub const NAME_MAX: usize = 60;
pub const CASEWORKER_NAME_MAX: usize = 120;
pub const CASEWORKER_CONTACT_MAX: usize = 200;
pub const CUSTODY_MAX: usize = 500;
/// Youth welfare ends at 27 (§ 41 SGB VIII); an older birth date is a typing error.
pub const MAX_AGE_YEARS: u32 = 27;

/// A young person in a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YouthSummary {
    pub id: YouthId,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: String,
    pub group_id: GroupId,
    /// Age in full years today (Europe/Berlin), computed on the server.
    pub age: u32,
}

/// A young person's master data (Stammdaten).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Youth {
    pub id: YouthId,
    pub group_id: GroupId,
    pub group_name: String,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: String,
    pub admission_date: String,
    pub caseworker_name: String,
    pub caseworker_contact: String,
    pub custody: String,
    /// Age in full years today (Europe/Berlin), computed on the server.
    pub age: u32,
}

/// The master-data form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YouthInput {
    pub group_id: String,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: String,
    pub admission_date: String,
    #[serde(default)]
    pub caseworker_name: String,
    #[serde(default)]
    pub caseworker_contact: String,
    #[serde(default)]
    pub custody: String,
}

impl From<&Youth> for YouthInput {
    /// The form as it shows a stored record.
    fn from(youth: &Youth) -> YouthInput {
        YouthInput {
            group_id: youth.group_id.to_string(),
            first_name: youth.first_name.clone(),
            last_name: youth.last_name.clone(),
            birth_date: youth.birth_date.clone(),
            admission_date: youth.admission_date.clone(),
            caseworker_name: youth.caseworker_name.clone(),
            caseworker_contact: youth.caseworker_contact.clone(),
            custody: youth.custody.clone(),
        }
    }
}

/// Checked master data.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidYouth {
    pub group_id: GroupId,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
    pub admission_date: NaiveDate,
    pub caseworker_name: String,
    pub caseworker_contact: String,
    pub custody: String,
}

impl YouthInput {
    /// Checks the form against `today` (Europe/Berlin). Whether the group exists and may be
    /// used is the caller's question: it needs the store and the policy.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidYouth, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let group_id = GroupId::parse(&self.group_id);
        if self.group_id.trim().is_empty() {
            check.fail("group_id", t.v_required);
        } else if group_id.is_none() {
            check.fail("group_id", t.v_unknown_group);
        }
        let first_name = check.required("first_name", &self.first_name, NAME_MAX);
        let last_name = check.required("last_name", &self.last_name, NAME_MAX);
        let birth_date = check.date("birth_date", &self.birth_date);
        if let Some(birth) = birth_date {
            if birth > today {
                check.fail("birth_date", t.v_birth_future);
            } else if today.checked_sub_months(Months::new(12 * MAX_AGE_YEARS)).is_some_and(|limit| birth < limit) {
                check.fail("birth_date", t.v_birth_too_old);
            }
        }
        let admission_date = check.date("admission_date", &self.admission_date);
        if let (Some(birth), Some(admission)) = (birth_date, admission_date)
            && admission < birth
        {
            check.fail("admission_date", t.v_admission_before_birth);
        }
        if let Some(admission) = admission_date
            && today.checked_add_months(Months::new(12)).is_some_and(|limit| admission > limit)
        {
            check.fail("admission_date", t.v_admission_too_far);
        }
        let caseworker_name = check.optional("caseworker_name", &self.caseworker_name, CASEWORKER_NAME_MAX);
        let caseworker_contact = check.optional("caseworker_contact", &self.caseworker_contact, CASEWORKER_CONTACT_MAX);
        let custody = check.optional("custody", &self.custody, CUSTODY_MAX);
        match (group_id, birth_date, admission_date) {
            (Some(group_id), Some(birth_date), Some(admission_date)) => check.finish(ValidYouth {
                group_id,
                first_name,
                last_name,
                birth_date,
                admission_date,
                caseworker_name,
                caseworker_contact,
                custody,
            }),
            _ => Err(check.errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()
    }

    fn input(birth: &str, admission: &str) -> YouthInput {
        YouthInput {
            group_id: "0191d1c2-0000-7000-8000-000000000001".into(),
            first_name: "Mia".into(),
            last_name: "Beispiel".into(),
            birth_date: birth.into(),
            admission_date: admission.into(),
            ..Default::default()
        }
    }

    fn error_field(input: YouthInput) -> String {
        input.validate(today()).unwrap_err()[0].field.clone()
    }

    #[test]
    fn a_plausible_young_person_is_valid() {
        assert!(input("2012-05-01", "2020-09-01").validate(today()).is_ok());
    }

    #[test]
    fn a_birth_date_in_the_future_is_rejected() {
        assert_eq!(error_field(input("2027-01-01", "2027-01-02")), "birth_date");
    }

    #[test]
    fn a_birth_date_over_27_years_ago_is_rejected() {
        assert_eq!(error_field(input("1999-11-22", "2020-01-01")), "birth_date");
        assert!(input("1999-11-24", "2020-01-01").validate(today()).is_ok());
    }

    #[test]
    fn an_admission_before_birth_is_rejected() {
        assert_eq!(error_field(input("2012-05-01", "2012-04-30")), "admission_date");
    }

    #[test]
    fn a_malformed_group_id_is_rejected() {
        let mut bad = input("2012-05-01", "2020-09-01");
        bad.group_id = "../../etc".into();
        assert_eq!(error_field(bad), "group_id");
    }
}
