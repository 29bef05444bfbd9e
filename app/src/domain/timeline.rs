//! A young person's timeline: their notes and visits, newest first, page by page.

use super::entry::EntryView;
use super::note::NoteCategory;
use super::text::Check;
use crate::error::FieldError;
use crate::i18n::texts;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "01900000-0000-7000-8000-000000000001";
    const YOUTH: &str = "01900000-0000-7000-8000-000000000002";

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
}
