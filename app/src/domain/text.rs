//! Field-level helpers shared by every input: trimming, length limits, dates.

use crate::error::FieldError;
use crate::i18n::{fill, texts};
use chrono::NaiveDate;

/// Collects field errors while a form is checked, so the user sees all of them at once.
#[derive(Default)]
pub struct Check {
    pub errors: Vec<FieldError>,
}

impl Check {
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        if !self.errors.iter().any(|e| e.field == field) {
            self.errors.push(FieldError::new(field, message));
        }
    }

    /// A trimmed required text of at most `max` characters.
    pub fn required(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = value.trim();
        if value.is_empty() {
            self.fail(field, texts().v_required);
        } else {
            self.max_len(field, value, max);
        }
        value.to_owned()
    }

    /// A trimmed optional text of at most `max` characters ("" when empty).
    pub fn optional(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = value.trim();
        self.max_len(field, value, max);
        value.to_owned()
    }

    fn max_len(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.fail(field, fill(texts().v_too_long, &[("max", &max.to_string())]));
        }
    }

    /// A required calendar date, as a browser date input sends it (YYYY-MM-DD) or as
    /// people type it (TT.MM.JJJJ).
    pub fn date(&mut self, field: &str, value: &str) -> Option<NaiveDate> {
        let value = value.trim();
        if value.is_empty() {
            self.fail(field, texts().v_required);
            return None;
        }
        let parsed =
            NaiveDate::parse_from_str(value, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(value, "%d.%m.%Y"));
        match parsed {
            Ok(date) => Some(date),
            Err(_) => {
                self.fail(field, texts().v_date_format);
                None
            }
        }
    }

    /// A required "ja"/"nein" choice (radio buttons); `message` when neither was chosen.
    pub fn yes_no(&mut self, field: &str, value: &str, message: &str) -> Option<bool> {
        match value.trim() {
            "ja" => Some(true),
            "nein" => Some(false),
            _ => {
                self.fail(field, message);
                None
            }
        }
    }

    pub fn finish<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.errors.is_empty() { Ok(value) } else { Err(self.errors) }
    }
}

/// German date for screens: `2026-11-03` → `03.11.2026`. Plain string work, so the
/// browser build needs no date library.
pub fn format_date(iso: &str) -> String {
    match iso.split('-').collect::<Vec<_>>().as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => format!("{d}.{m}.{y}"),
        _ => iso.to_owned(),
    }
}

/// Full years between two dates.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> u32 {
    today.years_since(birth).unwrap_or(0)
}

/// Age in full years of someone born on `birth_iso` (YYYY-MM-DD), 0 if unparsable.
pub fn age_from_iso(birth_iso: &str, today: NaiveDate) -> u32 {
    NaiveDate::parse_from_str(birth_iso, "%Y-%m-%d").map(|b| age_on(b, today)).unwrap_or(0)
}

/// `23.11.2026 14:05:09` in Europe/Berlin, where the group homes are.
#[cfg(feature = "ssr")]
pub fn berlin_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Berlin).format("%d.%m.%Y %H:%M:%S").to_string()
}

/// `23.11.2026 14:05` in Europe/Berlin.
#[cfg(feature = "ssr")]
pub fn berlin_minute(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Berlin).format("%d.%m.%Y %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_is_trimmed_and_limited() {
        let mut check = Check::default();
        assert_eq!(check.required("name", "  Anna ", 10), "Anna");
        check.required("long", &"x".repeat(11), 10);
        check.required("empty", "   ", 10);
        let errors = check.finish(()).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].field, "long");
        assert_eq!(errors[0].message, "Höchstens 10 Zeichen.");
        assert_eq!(errors[1].message, "Bitte ausfüllen.");
    }

    #[test]
    fn dates_are_accepted_in_iso_and_german_form() {
        let mut check = Check::default();
        assert_eq!(check.date("a", "2012-03-04"), NaiveDate::from_ymd_opt(2012, 3, 4));
        assert_eq!(check.date("b", "04.03.2012"), NaiveDate::from_ymd_opt(2012, 3, 4));
        assert_eq!(check.date("c", "4th March"), None);
        assert_eq!(check.errors.len(), 1);
    }

    #[test]
    fn age_counts_full_years() {
        let birth = NaiveDate::from_ymd_opt(2010, 6, 15).unwrap_or_default();
        let day_before = NaiveDate::from_ymd_opt(2026, 6, 14).unwrap_or_default();
        assert_eq!(age_on(birth, day_before), 15);
        assert_eq!(format_date("2010-06-15"), "15.06.2010");
    }
}
