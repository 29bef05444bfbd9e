//! The audit log as the Datenschutz role reads it: who did what to which record, when.
//! Never the content.

use super::text::Check;
use crate::error::FieldError;
use crate::i18n::texts;
use serde::{Deserialize, Serialize};

/// One row of the audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: String,
    /// UTC unix milliseconds.
    pub at: i64,
    /// The time as people in the group homes read it (Europe/Berlin), set by the server.
    pub at_text: String,
    pub actor_login: String,
    pub actor_role: String,
    pub action: String,
    pub record_kind: String,
    pub record_id: Option<String>,
    pub youth_id: Option<String>,
}

/// A page of the audit log; `next` continues with older rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next: Option<String>,
}

/// The filter form, as typed (all optional).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditFilterInput {
    #[serde(default)]
    pub actor_id: String,
    #[serde(default)]
    pub youth_id: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// Opaque cursor from the previous page.
    #[serde(default)]
    pub before: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditFilter {
    pub actor_id: Option<String>,
    pub youth_id: Option<String>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    /// (at, id) of the last row already shown.
    pub before: Option<(i64, String)>,
}

impl AuditFilterInput {
    pub fn validate(&self) -> Result<AuditFilter, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let id = |check: &mut Check, field: &str, v: &str| {
            let v = v.trim();
            if v.is_empty() {
                None
            } else if super::is_uuid(v) {
                Some(v.to_owned())
            } else {
                check.fail(field, t.v_invalid_id);
                None
            }
        };
        let actor_id = id(&mut check, "actor_id", &self.actor_id);
        let youth_id = id(&mut check, "youth_id", &self.youth_id);
        let from = (!self.from.trim().is_empty()).then(|| check.date("from", &self.from)).flatten();
        let to = (!self.to.trim().is_empty()).then(|| check.date("to", &self.to)).flatten();
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            check.fail("to", t.v_period);
        }
        let before = match self.before.trim() {
            "" => None,
            cursor => match parse_cursor(cursor) {
                Some(c) => Some(c),
                None => {
                    check.fail("before", t.v_invalid_id);
                    None
                }
            },
        };
        check.finish(AuditFilter { actor_id, youth_id, from, to, before })
    }
}

/// Cursor text: `<unix-ms>_<uuid>`.
pub fn cursor(at: i64, id: &str) -> String {
    format!("{at}_{id}")
}

fn parse_cursor(s: &str) -> Option<(i64, String)> {
    let (at, id) = s.split_once('_')?;
    let at: i64 = at.parse().ok().filter(|v| *v >= 0)?;
    super::is_uuid(id).then(|| (at, id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tampered_cursor_is_rejected() {
        let input = AuditFilterInput { before: "1_'; DROP TABLE".into(), ..Default::default() };
        assert_eq!(input.validate().unwrap_err()[0].field, "before");
    }

    #[test]
    fn a_cursor_round_trips() {
        let id = "0191d1c2-0000-7000-8000-000000000001";
        let input = AuditFilterInput { before: cursor(42, id), ..Default::default() };
        assert_eq!(input.validate().map(|f| f.before), Ok(Some((42, id.to_owned()))));
    }

    #[test]
    fn a_period_ending_before_it_starts_is_rejected() {
        let input = AuditFilterInput { from: "2026-02-01".into(), to: "2026-01-01".into(), ..Default::default() };
        assert_eq!(input.validate().unwrap_err()[0].field, "to");
    }
}
