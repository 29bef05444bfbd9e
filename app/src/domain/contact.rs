//! Umgangsregelung: the agreed contact arrangement with the birth family, and the count
//! of planned against held contacts per month.

use super::choice::choices;
use super::text::Check;
use super::visit::VisitKind;
use crate::error::FieldError;
use crate::i18n::texts;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

pub const NOTE_MAX: usize = 500;
/// More than daily contact is not an arrangement but living together.
pub const TIMES_MAX: u32 = 31;

choices!(
    ContactPeriod {
        Week = "woche" => period_week,
        Month = "monat" => period_month,
    }
);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactArrangement {
    pub times: u32,
    pub period: ContactPeriod,
    pub kind: VisitKind,
    pub supervised: bool,
    pub note: String,
}

impl ContactArrangement {
    /// Contacts planned in the month that starts on `first` (weekly arrangements are
    /// counted by the days of that month, rounded to whole contacts).
    pub fn planned_in(&self, first: NaiveDate) -> u32 {
        match self.period {
            ContactPeriod::Month => self.times,
            ContactPeriod::Week => {
                let days = days_in_month(first);
                (self.times * days + 3) / 7
            }
        }
    }
}

fn days_in_month(first: NaiveDate) -> u32 {
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    next.map(|n| (n - first).num_days() as u32).unwrap_or(30)
}

/// The arrangement form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArrangementInput {
    pub times: String,
    pub period: String,
    pub kind: String,
    pub supervised: String,
    #[serde(default)]
    pub note: String,
}

impl ArrangementInput {
    pub fn validate(&self) -> Result<ContactArrangement, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let times = match self.times.trim().parse::<u32>() {
            Ok(n) if (1..=TIMES_MAX).contains(&n) => Some(n),
            _ => {
                check.fail("times", t.v_times);
                None
            }
        };
        let period = ContactPeriod::parse(&self.period);
        if period.is_none() {
            check.fail("period", t.v_contact_period);
        }
        let kind = VisitKind::parse(&self.kind);
        if kind.is_none() {
            check.fail("kind", t.v_visit_kind);
        }
        let supervised = check.yes_no("supervised", &self.supervised, t.v_supervised);
        let note = check.optional("note", &self.note, NOTE_MAX);
        match (times, period, kind, supervised) {
            (Some(times), Some(period), Some(kind), Some(supervised)) => {
                check.finish(ContactArrangement { times, period, kind, supervised, note })
            }
            _ => Err(check.errors),
        }
    }
}

/// Planned against held contacts in one month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactMonth {
    /// "November 2026".
    pub label: String,
    pub planned: Option<u32>,
    pub held: u32,
    /// Cancelled or not attended.
    pub missed: u32,
}

/// A young person's contact arrangement with this month's and the last three months'
/// counts, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactOverview {
    pub youth_id: super::ids::YouthId,
    pub arrangement: Option<ContactArrangement>,
    pub months: Vec<ContactMonth>,
    pub can_edit: bool,
}

/// The first days of this month and the three before it, newest first.
pub fn last_four_months(today: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let (mut y, mut m) = (today.year(), today.month());
    for _ in 0..4 {
        if let Some(d) = NaiveDate::from_ymd_opt(y, m, 1) {
            out.push(d);
        }
        if m == 1 {
            y -= 1;
            m = 12;
        } else {
            m -= 1;
        }
    }
    out
}

/// "November 2026".
pub fn month_label(first: NaiveDate) -> String {
    let t = texts();
    let names = [
        t.month_1, t.month_2, t.month_3, t.month_4, t.month_5, t.month_6, t.month_7, t.month_8, t.month_9, t.month_10,
        t.month_11, t.month_12,
    ];
    format!("{} {}", names[(first.month0()) as usize], first.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn weekly_contacts_are_counted_by_the_days_of_the_month() {
        let weekly = ContactArrangement {
            times: 1,
            period: ContactPeriod::Week,
            kind: VisitKind::Visit,
            supervised: true,
            note: String::new(),
        };
        assert_eq!(weekly.planned_in(d(2026, 2, 1)), 4);
        assert_eq!(weekly.planned_in(d(2026, 11, 1)), 4);
        let twice = ContactArrangement { times: 2, ..weekly.clone() };
        assert_eq!(twice.planned_in(d(2026, 12, 1)), 9);
        let monthly = ContactArrangement { period: ContactPeriod::Month, times: 2, ..weekly };
        assert_eq!(monthly.planned_in(d(2026, 12, 1)), 2);
    }

    #[test]
    fn the_last_four_months_cross_the_year() {
        assert_eq!(last_four_months(d(2026, 2, 14)), [d(2026, 2, 1), d(2026, 1, 1), d(2025, 12, 1), d(2025, 11, 1)]);
        assert_eq!(month_label(d(2026, 11, 1)), "November 2026");
    }

    #[test]
    fn an_arrangement_needs_a_sensible_frequency() {
        let input = ArrangementInput {
            times: "0".into(),
            period: "jahr".into(),
            kind: "besuch".into(),
            supervised: "ja".into(),
            note: String::new(),
        };
        let errors = input.validate().unwrap_err();
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["times", "period"]);
    }
}
