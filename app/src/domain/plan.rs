//! Der Hilfeplan: the plan agreed in a Hilfeplangespräch (§ 36 SGB VIII). Each
//! Hilfeplangespräch records a new version with its date, participants, the legal basis
//! of the placement and the Bezugsbetreuer:in; the version keeps the goals as they stood,
//! word for word, while the current goals go on changing status between meetings.

use super::choice::choices;
use super::goal::{Goal, GoalWarning};
use super::ids::{GoalId, PlanId, YouthId};
use super::text::Check;
use crate::error::FieldError;
use crate::i18n::texts;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const PARTICIPANTS_MAX: usize = 1000;
pub const KEY_WORKER_MAX: usize = 120;

choices!(
    /// The legal basis of a placement.
    LegalBasis {
        FosterGroup = "33" => legal_basis_33,
        Residential = "34" => legal_basis_34,
        Integration = "35a" => legal_basis_35a,
        YoungAdult = "41" => legal_basis_41,
    }
);

choices!(
    /// The 5-step scale of the monthly talks.
    Rating {
        Not = "1" => rating_1,
        Slightly = "2" => rating_2,
        Partly = "3" => rating_3,
        Mostly = "4" => rating_4,
        Fully = "5" => rating_5,
    }
);

impl Rating {
    pub fn step(self) -> i64 {
        match self {
            Rating::Not => 1,
            Rating::Slightly => 2,
            Rating::Partly => 3,
            Rating::Mostly => 4,
            Rating::Fully => 5,
        }
    }

    pub fn from_step(step: i64) -> Option<Rating> {
        Rating::ALL.iter().copied().find(|r| r.step() == step)
    }
}

choices!(
    /// From whose view a goal is rated.
    Perspective {
        Staff = "staff" => perspective_staff,
        Youth = "youth" => perspective_youth,
        Parents = "parents" => perspective_parents,
    }
);

/// The form for a new version of the plan, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    #[serde(default)]
    pub youth_id: String,
    /// The date of the Hilfeplangespräch that agreed it.
    #[serde(default)]
    pub agreed_on: String,
    #[serde(default)]
    pub participants: String,
    #[serde(default)]
    pub legal_basis: String,
    #[serde(default)]
    pub key_worker: String,
    /// Where the Hilfeplangespräch took place.
    #[serde(default)]
    pub place: String,
    /// What it agreed: the results and the mandate to the group.
    #[serde(default)]
    pub results: String,
    /// The planned date of the next Hilfeplangespräch ("" if not set yet).
    #[serde(default)]
    pub next_on: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidPlan {
    pub agreed_on: NaiveDate,
    pub participants: String,
    pub legal_basis: LegalBasis,
    pub key_worker: String,
    pub place: String,
    pub results: String,
    pub next_on: Option<NaiveDate>,
}

pub const PLACE_MAX: usize = 200;
pub const RESULTS_MAX: usize = 20_000;

impl PlanInput {
    pub fn validate(&self, today: NaiveDate) -> Result<ValidPlan, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let agreed_on = check.date("agreed_on", &self.agreed_on);
        if agreed_on.is_some_and(|d| d > today) {
            check.fail("agreed_on", t.v_plan_future);
        }
        let participants = check.required("participants", &self.participants, PARTICIPANTS_MAX);
        let legal_basis = LegalBasis::parse(&self.legal_basis);
        if legal_basis.is_none() {
            check.fail("legal_basis", t.v_legal_basis);
        }
        let key_worker = check.required("key_worker", &self.key_worker, KEY_WORKER_MAX);
        let place = check.optional("place", &self.place, PLACE_MAX);
        let results = check.optional("results", &self.results, RESULTS_MAX);
        let next_on = if self.next_on.trim().is_empty() { None } else { check.date("next_on", &self.next_on) };
        if let (Some(next), Some(agreed)) = (next_on, agreed_on)
            && next <= agreed
        {
            check.fail("next_on", t.v_plan_next_before);
        }
        match (agreed_on, legal_basis) {
            (Some(agreed_on), Some(legal_basis)) if check.errors.is_empty() => {
                Ok(ValidPlan { agreed_on, participants, legal_basis, key_worker, place, results, next_on })
            }
            _ => Err(check.errors),
        }
    }
}

impl ValidPlan {
    /// What the version keeps: this header and the goals as they stand.
    pub fn snapshot(&self, goals: Vec<Goal>) -> PlanSnapshot {
        PlanSnapshot {
            participants: self.participants.clone(),
            legal_basis: self.legal_basis,
            key_worker: self.key_worker.clone(),
            goals,
            place: self.place.clone(),
            results: self.results.clone(),
            next_on: self.next_on.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

/// What a version keeps (stored as JSON): its header and the goals word for word.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanSnapshot {
    pub participants: String,
    pub legal_basis: LegalBasis,
    pub key_worker: String,
    pub goals: Vec<Goal>,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub results: String,
    /// YYYY-MM-DD of the next Hilfeplangespräch as planned then, or "".
    #[serde(default)]
    pub next_on: String,
}

/// One version of a plan, as its page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanVersion {
    pub id: PlanId,
    pub youth_id: YouthId,
    pub youth_name: String,
    pub version: i64,
    /// YYYY-MM-DD.
    pub agreed_on: String,
    pub snapshot: PlanSnapshot,
    pub author_name: String,
    /// When it was recorded (Europe/Berlin).
    pub recorded_at: String,
    /// The newest version, or the number of the one after it.
    pub newer: Option<PlanVersionRef>,
}

/// A version in the list of versions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanVersionRef {
    pub id: PlanId,
    pub version: i64,
    pub agreed_on: String,
}

/// The latest ratings of a goal, one per perspective (YYYY-MM-DD of the talk).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LatestRatings {
    pub staff: Option<(Rating, String)>,
    pub youth: Option<(Rating, String)>,
    pub parents: Option<(Rating, String)>,
}

impl LatestRatings {
    pub fn set(&mut self, perspective: Perspective, rating: Rating, date: String) {
        let slot = match perspective {
            Perspective::Staff => &mut self.staff,
            Perspective::Youth => &mut self.youth,
            Perspective::Parents => &mut self.parents,
        };
        if slot.as_ref().is_none_or(|(_, d)| *d <= date) {
            *slot = Some((rating, date));
        }
    }
}

/// A goal in the plan overview: what it is, what to point out, how it was last rated and
/// whether entries still come in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalOverview {
    pub goal: Goal,
    pub warnings: Vec<GoalWarning>,
    pub latest: LatestRatings,
    /// The date of the newest entry linked to it ("" if none).
    pub last_entry_on: String,
    /// Active, and no linked entry for the configured weeks.
    pub stale: bool,
}

/// A young person's help plan: the current goals (Richtungsziele, each followed by its
/// Handlungsziele), the newest version's header and every version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HelpPlan {
    pub youth_id: YouthId,
    pub youth_name: String,
    pub legal_basis: Option<LegalBasis>,
    pub current: Option<PlanVersion>,
    /// Newest first.
    pub versions: Vec<PlanVersionRef>,
    pub goals: Vec<GoalOverview>,
    pub can_edit: bool,
    /// The weeks without a linked entry after which an active goal is flagged.
    pub stale_weeks: i64,
}

/// Orders goals as a plan reads: each Richtungsziel followed by its Handlungsziele, then
/// Handlungsziele without one. Keeps the given (creation) order within each.
pub fn plan_order(goals: Vec<Goal>) -> Vec<Goal> {
    use super::goal::GoalLevel;
    let (directions, actions): (Vec<Goal>, Vec<Goal>) =
        goals.into_iter().partition(|g| g.level == GoalLevel::Direction);
    let mut out = Vec::new();
    let mut rest = actions;
    for direction in directions {
        let id = direction.id.clone();
        out.push(direction);
        let (under, others): (Vec<Goal>, Vec<Goal>) = rest.into_iter().partition(|g| g.parent_id.as_ref() == Some(&id));
        out.extend(under);
        rest = others;
    }
    out.extend(rest);
    out
}

/// Whether an active goal has gone without a linked entry for `days`: counted from the
/// newest entry, or from the day the goal was set if it has none yet.
pub fn is_stale(active: bool, last_entry_on: &str, set_on: NaiveDate, today: NaiveDate, days: i64) -> bool {
    let last = NaiveDate::parse_from_str(last_entry_on, "%Y-%m-%d").ok().map_or(set_on, |d| d.max(set_on));
    active && (today - last).num_days() >= days
}

/// Days ahead in which a goal's review date is shown on the start page.
pub const REVIEW_AHEAD_DAYS: i64 = 14;

/// What the start pages remind of in help planning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReminderKind {
    /// A goal's review date is within [`REVIEW_AHEAD_DAYS`] or has passed.
    Review,
    /// The monthly talk is overdue.
    TalkOverdue,
    /// An active goal without a linked entry for the configured weeks.
    QuietGoal,
    /// The next Hilfeplangespräch is four weeks away (or closer) and its report is not
    /// started yet.
    ReportDue,
}

/// Whether the report for a planned Hilfeplangespräch should be started: from
/// [`crate::domain::report::START_DAYS_BEFORE`] days before it until two weeks after,
/// unless a report for a meeting around that date exists.
pub fn report_due(next_on: &str, report_meetings: &[&str], today: NaiveDate) -> bool {
    let Ok(next) = NaiveDate::parse_from_str(next_on, "%Y-%m-%d") else { return false };
    let start = next - chrono::Duration::days(crate::domain::report::START_DAYS_BEFORE);
    let started = report_meetings
        .iter()
        .filter_map(|m| NaiveDate::parse_from_str(m, "%Y-%m-%d").ok())
        .any(|m| (m - next).num_days().abs() <= 60);
    today >= start && today <= next + chrono::Duration::days(14) && !started
}

/// One reminder: about whom, which goal, which date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reminder {
    pub kind: ReminderKind,
    pub youth_id: YouthId,
    pub youth_name: String,
    pub group_name: String,
    pub goal: Option<GoalRef>,
    /// The review date, or the last talk's ("" if there was none); YYYY-MM-DD.
    pub date: String,
}

/// When a young person's monthly talk is overdue: the last talk (or, before the first,
/// the admission) lies `days` or more back.
pub fn talk_overdue(last_talk: Option<&str>, admitted: &str, today: NaiveDate, days: i64) -> bool {
    let since = last_talk.unwrap_or(admitted);
    NaiveDate::parse_from_str(since, "%Y-%m-%d").is_ok_and(|d| (today - d).num_days() >= days)
}

/// Whether a review date is due for a reminder: within the days ahead, or passed.
pub fn review_due(review_on: &str, today: NaiveDate) -> bool {
    NaiveDate::parse_from_str(review_on, "%Y-%m-%d").is_ok_and(|d| (d - today).num_days() <= REVIEW_AHEAD_DAYS)
}

/// A goal as the young person sees it under "Meine Ziele".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnGoal {
    pub id: GoalId,
    /// In simple words if the plan has them, else the goal's title.
    pub title: String,
    /// A Richtungsziel (the big goal) rather than a step towards it.
    pub direction: bool,
    /// Their own newest rating, and when (Europe/Berlin).
    pub rating: Option<Rating>,
    pub rated_on: String,
}

/// A goal with the day it was set and the date of its own newest linked entry.
#[derive(Clone, Debug, PartialEq)]
pub struct GoalActivity {
    pub goal: Goal,
    pub set_on: NaiveDate,
    /// YYYY-MM-DD, "" without any.
    pub last_own: String,
}

/// Per goal, in the given order: the newest entry that counts for it (a Richtungsziel's
/// include those of its Handlungsziele: it is worked on through them) and whether it has
/// gone quiet for `days`.
pub fn activity(items: &[GoalActivity], today: NaiveDate, days: i64) -> Vec<(String, bool)> {
    items
        .iter()
        .map(|item| {
            let last = items
                .iter()
                .filter(|o| o.goal.id == item.goal.id || o.goal.parent_id.as_ref() == Some(&item.goal.id))
                .map(|o| o.last_own.clone())
                .max()
                .unwrap_or_default();
            let stale = is_stale(item.goal.status.active(), &last, item.set_on, today, days);
            (last, stale)
        })
        .collect()
}

/// A goal of the plan as the goal page's links name it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalRef {
    pub id: GoalId,
    pub title: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::goal::{GoalLevel, GoalStatus};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// An open goal of one young person (the same for every call of a test).
    fn goal(title: &str, level: GoalLevel, parent: Option<&GoalId>) -> Goal {
        Goal {
            id: GoalId::fresh(),
            youth_id: YouthId::parse("01900000-0000-7000-8000-000000000009").unwrap(),
            title: title.into(),
            description: String::new(),
            review_on: String::new(),
            level,
            parent_id: parent.cloned(),
            status: GoalStatus::Open,
            status_reason: String::new(),
            steps: Vec::new(),
            youth_title: String::new(),
        }
    }

    #[test]
    fn a_plan_needs_a_past_date_participants_a_legal_basis_and_a_key_worker() {
        let today = day("2026-12-03");
        let errors = PlanInput { agreed_on: "2026-12-04".into(), legal_basis: "36".into(), ..Default::default() }
            .validate(today)
            .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["agreed_on", "participants", "legal_basis", "key_worker"]);
        let ok = PlanInput {
            youth_id: String::new(),
            agreed_on: "03.12.2026".into(),
            participants: "Mia, Frau Krause, Herr Amt".into(),
            legal_basis: "35a".into(),
            key_worker: "Sabine Sonnen".into(),
            ..Default::default()
        };
        assert_eq!(ok.validate(today).unwrap().legal_basis, LegalBasis::Integration);
        let next = PlanInput { next_on: "2026-12-01".into(), ..ok.clone() }.validate(today).unwrap_err();
        assert_eq!(next[0].field, "next_on");
    }

    #[test]
    fn ratings_keep_the_newest_per_perspective() {
        let mut latest = LatestRatings::default();
        latest.set(Perspective::Staff, Rating::Partly, "2026-11-01".into());
        latest.set(Perspective::Staff, Rating::Not, "2026-10-01".into());
        latest.set(Perspective::Youth, Rating::Fully, "2026-10-01".into());
        assert_eq!(latest.staff, Some((Rating::Partly, "2026-11-01".into())));
        assert_eq!(latest.youth, Some((Rating::Fully, "2026-10-01".into())));
        assert_eq!(Rating::from_step(4), Some(Rating::Mostly));
        assert_eq!(Rating::from_step(6), None);
    }

    #[test]
    fn stale_counts_from_the_newest_entry_or_the_day_the_goal_was_set() {
        let today = day("2026-12-03");
        assert!(is_stale(true, "2026-11-05", day("2026-01-01"), today, 28));
        assert!(!is_stale(true, "2026-11-06", day("2026-01-01"), today, 28));
        assert!(!is_stale(true, "", day("2026-11-20"), today, 28));
        assert!(is_stale(true, "", day("2026-10-20"), today, 28));
        assert!(!is_stale(false, "", day("2026-01-01"), today, 28));
    }

    #[test]
    fn talks_are_overdue_after_the_days_and_reviews_due_two_weeks_ahead() {
        let today = day("2026-12-03");
        assert!(talk_overdue(Some("2026-10-29"), "2020-01-01", today, 35));
        assert!(!talk_overdue(Some("2026-10-30"), "2020-01-01", today, 35));
        assert!(!talk_overdue(None, "2026-11-20", today, 35));
        assert!(talk_overdue(None, "2026-01-01", today, 35));
        assert!(review_due("2026-12-17", today) && review_due("2026-11-01", today));
        assert!(!review_due("2026-12-18", today) && !review_due("", today));
    }

    #[test]
    fn a_direction_counts_the_entries_of_its_actions() {
        let direction = goal("Schulabschluss", GoalLevel::Direction, None);
        let action = goal("Hausaufgaben", GoalLevel::Action, Some(&direction.id));
        let alone = goal("Schwimmen", GoalLevel::Direction, None);
        let set_on = day("2026-01-01");
        let items = vec![
            GoalActivity { goal: direction, set_on, last_own: String::new() },
            GoalActivity { goal: action, set_on, last_own: "2026-11-30".into() },
            GoalActivity { goal: alone, set_on, last_own: String::new() },
        ];
        let flags = activity(&items, day("2026-12-03"), 28);
        assert_eq!(flags, [("2026-11-30".into(), false), ("2026-11-30".into(), false), (String::new(), true)]);
    }

    #[test]
    fn the_plan_reads_direction_then_its_actions() {
        let school = goal("Schulabschluss", GoalLevel::Direction, None);
        let family = goal("Familie", GoalLevel::Direction, None);
        let loose = goal("Schwimmen", GoalLevel::Action, None);
        let visits = goal("Besuche", GoalLevel::Action, Some(&family.id));
        let homework = goal("Hausaufgaben", GoalLevel::Action, Some(&school.id));
        let titles: Vec<_> =
            plan_order(vec![loose, school, visits, family, homework]).into_iter().map(|g| g.title).collect();
        assert_eq!(titles, ["Schulabschluss", "Hausaufgaben", "Familie", "Besuche", "Schwimmen"]);
    }
}
