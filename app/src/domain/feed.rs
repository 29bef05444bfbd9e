//! The Fachberatung's feed: one chronological stream of daily notes, visit contacts,
//! submissions (as access allows) and incidents of the viewer's groups, with filters,
//! search, "zur Kenntnis genommen" per item and comments back to the group.

use super::feedback::Topic;
use super::incident::IncidentCategory;
use super::note::NoteCategory;
use super::text::Check;
use super::visit::VisitKind;
use crate::error::FieldError;
use crate::i18n::texts;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Items per page.
pub const PAGE: i64 = 30;
/// At most this many pinned items are shown.
pub const PINNED_MAX: i64 = 100;
/// A search of more characters is refused (a search is a few words, not a text).
pub const SEARCH_MAX: usize = 100;
/// At most this many words of a search count.
pub const SEARCH_WORDS_MAX: usize = 6;

/// The kinds of items, as the kind filter and the badges name them.
pub const KINDS: [&str; 7] = ["note", "visit", "talk", "case_record", "beteiligung", "beschwerde", "incident"];

/// The label of a kind code.
pub fn kind_label(kind: &str) -> &'static str {
    let t = texts();
    match kind {
        "note" => t.feed_kind_note,
        "visit" => t.feed_kind_visit,
        "talk" => t.feed_kind_talk,
        "case_record" => t.feed_kind_record,
        "beteiligung" => t.fb_kind_participation,
        "beschwerde" => t.fb_kind_complaint,
        "incident" => t.feed_kind_incident,
        _ => "",
    }
}

/// The label of a category code of an item of this kind.
pub fn category_label(kind: &str, code: &str) -> &'static str {
    match kind {
        "note" => NoteCategory::parse(code).map(NoteCategory::label),
        "visit" => VisitKind::parse(code).map(VisitKind::label),
        "talk" => Some(texts().feed_kind_talk),
        "case_record" => super::record::RecordType::parse(code).map(super::record::RecordType::label),
        "beteiligung" | "beschwerde" => Topic::parse(code).map(Topic::label),
        "incident" => IncidentCategory::parse(code).map(IncidentCategory::label),
        _ => None,
    }
    .unwrap_or("")
}

/// Every category a filter may name: (code, label), grouped by kind, without repeats.
pub fn categories() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |code: &'static str, label: &'static str| {
        if !out.iter().any(|(c, _)| c == code) {
            out.push((code.to_owned(), label.to_owned()));
        }
    };
    NoteCategory::ALL.iter().for_each(|c| add(c.code(), c.label()));
    VisitKind::ALL.iter().for_each(|c| add(c.code(), c.label()));
    Topic::ALL.iter().for_each(|c| add(c.code(), c.label()));
    IncidentCategory::ALL.iter().for_each(|c| add(c.code(), c.label()));
    out
}

/// The feed's filters and page, as the address bar or the filter form has them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub youth: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub category: String,
    /// YYYY-MM-DD, inclusive.
    #[serde(default)]
    pub from: String,
    /// YYYY-MM-DD, inclusive.
    #[serde(default)]
    pub to: String,
    /// "ja": only what nobody acknowledged yet.
    #[serde(default)]
    pub unread: String,
    /// "ja": only what is marked urgent (incidents, complaints past the group, notes
    /// marked "wichtig").
    #[serde(default)]
    pub important: String,
    #[serde(default)]
    pub q: String,
    /// Where the page starts (from the previous page's `next`).
    #[serde(default)]
    pub after: String,
}

/// A checked query.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ValidQuery {
    pub group: Option<super::ids::GroupId>,
    pub youth: Option<super::ids::YouthId>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub from: Option<NaiveDate>,
    /// Inclusive.
    pub to: Option<NaiveDate>,
    pub unread: bool,
    pub important: bool,
    pub words: Vec<String>,
    pub after: Option<(i64, String)>,
}

/// `<at>.<id>`: where the next page starts.
pub fn cursor(at: i64, id: &str) -> String {
    format!("{at}.{id}")
}

fn parse_cursor(value: &str) -> Option<(i64, String)> {
    let (at, id) = value.split_once('.')?;
    let at: i64 = at.parse().ok().filter(|n| *n >= 0)?;
    super::is_uuid(id).then(|| (at, id.to_owned()))
}

impl FeedQuery {
    pub fn validate(&self) -> Result<ValidQuery, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        fn id<T: super::ids::RecordId>(check: &mut Check, field: &str, value: &str) -> Option<T> {
            if value.trim().is_empty() {
                return None;
            }
            let id = T::parse_id(value);
            if id.is_none() {
                check.fail(field, texts().v_feed_filter);
            }
            id
        }
        let group = id(&mut check, "group", &self.group);
        let youth = id(&mut check, "youth", &self.youth);
        let kind = Some(self.kind.trim()).filter(|k| !k.is_empty()).map(str::to_owned);
        if kind.as_deref().is_some_and(|k| !KINDS.contains(&k)) {
            check.fail("kind", t.v_feed_filter);
        }
        let category = Some(self.category.trim()).filter(|c| !c.is_empty()).map(str::to_owned);
        if let Some(c) = &category
            && !categories().iter().any(|(code, _)| code == c)
        {
            check.fail("category", t.v_feed_filter);
        }
        let day = |check: &mut Check, field: &str, value: &str| {
            let value = value.trim();
            if value.is_empty() {
                return None;
            }
            match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
                Ok(d) if d.year_ce().1 >= 2000 && d.year_ce().1 <= 2100 => Some(d),
                _ => {
                    check.fail(field, t.v_date_format);
                    None
                }
            }
        };
        let from = day(&mut check, "from", &self.from);
        let to = day(&mut check, "to", &self.to);
        if let (Some(f), Some(u)) = (from, to)
            && f > u
        {
            check.fail("to", t.v_feed_period);
        }
        let flag = |check: &mut Check, field: &str, value: &str| match value.trim() {
            "" => false,
            "ja" | "true" | "on" => true,
            _ => {
                check.fail(field, t.v_feed_filter);
                false
            }
        };
        let unread = flag(&mut check, "unread", &self.unread);
        let important = flag(&mut check, "important", &self.important);
        let q = self.q.trim();
        let mut words = Vec::new();
        if q.chars().count() > SEARCH_MAX {
            check.fail("q", crate::i18n::fill(t.v_too_long, &[("max", &SEARCH_MAX.to_string())]));
        } else {
            for word in q.split_whitespace().take(SEARCH_WORDS_MAX) {
                let word = word.to_lowercase();
                if !words.contains(&word) {
                    words.push(word);
                }
            }
        }
        let after = match self.after.trim() {
            "" => None,
            value => match parse_cursor(value) {
                Some(c) => Some(c),
                None => {
                    check.fail("after", t.v_feed_cursor);
                    None
                }
            },
        };
        check.finish(ValidQuery { group, youth, kind, category, from, to, unread, important, words, after })
    }

    /// The query string of this query (for links), without the page.
    pub fn to_query_string(&self) -> String {
        let pairs = [
            ("gruppe", &self.group),
            ("jung", &self.youth),
            ("art", &self.kind),
            ("kategorie", &self.category),
            ("von", &self.from),
            ("bis", &self.to),
            ("ungelesen", &self.unread),
            ("wichtig", &self.important),
            ("suche", &self.q),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", urlencode(v.trim())))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Percent-encodes a query value: everything but the unreserved characters of RFC 3986.
pub fn urlencode(value: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

use chrono::Datelike;

/// A comment shown with its item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedComment {
    pub at: String,
    pub by: String,
    pub text: String,
}

/// One item of the feed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedItem {
    pub id: super::ids::ItemId,
    pub kind: String,
    pub group_name: String,
    pub youth_name: Option<String>,
    /// Who wrote it; `None` for an anonymous submission.
    pub author: Option<String>,
    /// "23.11.2026 14:05": when it arrived.
    pub at: String,
    /// "23.11.2026": the day it concerns.
    pub day: String,
    pub category: String,
    pub urgent: bool,
    pub excerpt: String,
    /// "Name, 23.11.2026 14:30" once someone took note.
    pub acknowledged: Option<String>,
    pub comments: Vec<FeedComment>,
    /// Where the whole item is.
    pub link: String,
    pub can_acknowledge: bool,
}

/// A choice in a filter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FilterChoice {
    pub id: String,
    pub name: String,
}

/// A page of the feed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedPage {
    /// Urgent and not acknowledged (first page only).
    pub pinned: Vec<FeedItem>,
    pub items: Vec<FeedItem>,
    /// The cursor of the next page, if there is one.
    pub next: Option<String>,
    /// What `feed/stamp` answers while this page is still current.
    pub stamp: String,
    pub groups: Vec<FilterChoice>,
    pub youths: Vec<FilterChoice>,
}

/// Days without an entry from which the overview warns.
pub const QUIET_DAYS_WARN: i64 = 3;
/// The overview counts entries of this many days.
pub const OVERVIEW_DAYS: i64 = 14;

/// One young person in the group overview.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YouthOverview {
    pub id: super::ids::YouthId,
    pub name: String,
    /// Notes and visits about them in the last [`OVERVIEW_DAYS`] days.
    pub entries: i64,
    /// Days since the last entry about them (`None`: never one).
    pub quiet_days: Option<i64>,
    /// Visit contacts planned this month by the contact arrangement (`None`: none set).
    pub visits_planned: Option<u32>,
    /// Visit contacts held this month.
    pub visits_held: i64,
    /// Active help-plan goals without a linked entry for the configured weeks.
    #[serde(default)]
    pub quiet_goals: i64,
}

/// One group in the overview.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupOverview {
    pub id: super::ids::GroupId,
    pub name: String,
    pub youths: Vec<YouthOverview>,
    /// Complaints not yet done (to the group and past it).
    pub open_complaints: i64,
    /// Incidents nobody acknowledged yet.
    pub open_incidents: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_query_is_the_first_page_of_everything() {
        assert_eq!(FeedQuery::default().validate().expect("valid"), ValidQuery::default());
    }

    #[test]
    fn filters_out_of_range_and_tampered_cursors_are_named() {
        let bad = FeedQuery {
            group: "x".into(),
            kind: "tagebuch".into(),
            category: "'; DROP".into(),
            from: "2026-12-01".into(),
            to: "2026-11-01".into(),
            unread: "vielleicht".into(),
            after: "17.../etc".into(),
            ..Default::default()
        };
        let errors = bad.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for field in ["group", "kind", "category", "to", "unread", "after"] {
            assert!(fields.contains(&field), "{field} in {fields:?}");
        }
    }

    #[test]
    fn a_search_of_ten_kilobytes_is_refused_and_words_are_lowercased() {
        let long = FeedQuery { q: "a".repeat(10_000), ..Default::default() };
        assert_eq!(long.validate().unwrap_err()[0].field, "q");
        let q = FeedQuery { q: "  Schule  SCHULE Arzt ".into(), ..Default::default() };
        assert_eq!(q.validate().expect("valid").words, vec!["schule", "arzt"]);
    }

    #[test]
    fn a_cursor_round_trips() {
        let c = cursor(1_700_000_000_000, "01a20826-ceb0-7086-825e-6c2739426b14");
        let q = FeedQuery { after: c, ..Default::default() };
        assert_eq!(q.validate().expect("valid").after.map(|a| a.0), Some(1_700_000_000_000));
    }
}
