//! Hilfeplanziele: the goals agreed in a young person's help plan, on two levels
//! (Richtungsziele and the Handlungsziele under them), each with steps (who does what by
//! when) and a status. Leitung and Fachberatung keep them; entries link to them.

use super::choice::choices;
use super::ids::GoalId;
use super::text::Check;
use crate::error::FieldError;
use crate::i18n::texts;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const TITLE_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 2000;
pub const REASON_MAX: usize = 500;
pub const STEP_WHO_MAX: usize = 120;
pub const STEP_WHAT_MAX: usize = 300;
/// A goal with more steps than this is a plan of its own.
pub const STEPS_MAX: usize = 10;
/// Blank step rows the form offers under the filled ones.
pub const BLANK_STEPS: usize = 2;

choices!(
    /// Richtungsziel (the long-term direction) or Handlungsziel (what is done towards it).
    GoalLevel {
        Direction = "richtung" => goal_level_direction,
        Action = "handlung" => goal_level_action,
    }
);

choices!(
    /// Where a goal stands.
    GoalStatus {
        Open = "offen" => goal_status_open,
        InProgress = "in_arbeit" => goal_status_in_progress,
        Reached = "erreicht" => goal_status_reached,
        Dropped = "nicht_weiterverfolgt" => goal_status_dropped,
    }
);

impl GoalStatus {
    /// Still worked on: the monthly talk rates it and a month without entries is flagged.
    pub fn active(self) -> bool {
        matches!(self, GoalStatus::Open | GoalStatus::InProgress)
    }
}

/// One step of a goal: who does what by when.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub who: String,
    pub what: String,
    /// YYYY-MM-DD.
    pub by: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    pub id: GoalId,
    pub youth_id: super::ids::YouthId,
    pub title: String,
    pub description: String,
    /// YYYY-MM-DD or "" when no review date is set.
    pub review_on: String,
    pub level: GoalLevel,
    /// The Richtungsziel a Handlungsziel belongs to.
    pub parent_id: Option<GoalId>,
    pub status: GoalStatus,
    /// Why a goal is no longer pursued ("" otherwise).
    pub status_reason: String,
    pub steps: Vec<Step>,
    /// The goal in simple words for the young person ("" shows the title).
    #[serde(default)]
    pub youth_title: String,
}

impl Goal {
    /// What the young person reads as their goal.
    pub fn for_youth(&self) -> &str {
        if self.youth_title.is_empty() { &self.title } else { &self.youth_title }
    }
}

/// What the plan page points out about a goal without refusing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GoalWarning {
    /// A Handlungsziel without a review date and without a dated step.
    NoDate,
    /// A goal phrased as what should stop ("nicht mehr …"): say what should happen.
    Negation,
}

impl GoalWarning {
    pub fn text(self) -> &'static str {
        let t = texts();
        match self {
            GoalWarning::NoDate => t.goal_warn_no_date,
            GoalWarning::Negation => t.goal_warn_negation,
        }
    }
}

/// Words that make a goal a negation ("Mia schwänzt nicht mehr", "keine Schlägereien").
const NEGATIONS: &[&str] = &["nicht", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals"];

impl Goal {
    pub fn warnings(&self) -> Vec<GoalWarning> {
        let mut out = Vec::new();
        if self.level == GoalLevel::Action && self.review_on.is_empty() && self.steps.iter().all(|s| s.by.is_empty()) {
            out.push(GoalWarning::NoDate);
        }
        let negated = self
            .title
            .split(|c: char| !c.is_alphanumeric())
            .any(|word| NEGATIONS.contains(&word.to_lowercase().as_str()));
        if negated {
            out.push(GoalWarning::Negation);
        }
        out
    }
}

/// A goal as the note form offers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalChoice {
    pub id: GoalId,
    pub title: String,
}

/// One step row of the goal form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    #[serde(default)]
    pub who: String,
    #[serde(default)]
    pub what: String,
    #[serde(default)]
    pub by: String,
}

/// The goal form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalInput {
    #[serde(default)]
    pub youth_id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub review_on: String,
    /// "richtung" or "handlung" ("" is a Handlungsziel).
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub parent_id: String,
    /// "" is "offen".
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub status_reason: String,
    #[serde(default)]
    pub steps: Vec<StepInput>,
    #[serde(default)]
    pub youth_title: String,
}

impl From<&Goal> for GoalInput {
    /// The form as it shows a stored goal.
    fn from(goal: &Goal) -> GoalInput {
        GoalInput {
            youth_id: goal.youth_id.to_string(),
            title: goal.title.clone(),
            description: goal.description.clone(),
            review_on: goal.review_on.clone(),
            level: goal.level.code().to_owned(),
            parent_id: goal.parent_id.as_ref().map(ToString::to_string).unwrap_or_default(),
            status: goal.status.code().to_owned(),
            status_reason: goal.status_reason.clone(),
            steps: goal
                .steps
                .iter()
                .map(|s| StepInput { who: s.who.clone(), what: s.what.clone(), by: s.by.clone() })
                .collect(),
            youth_title: goal.youth_title.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidGoal {
    pub title: String,
    pub description: String,
    pub review_on: Option<NaiveDate>,
    pub level: GoalLevel,
    /// Whether it is one of the young person's Richtungsziele is the caller's question.
    pub parent_id: Option<GoalId>,
    pub status: GoalStatus,
    pub status_reason: String,
    pub steps: Vec<Step>,
    pub youth_title: String,
}

impl ValidGoal {
    /// The earliest date of the goal (a step's or the review date): none may lie before
    /// the plan that agreed it.
    pub fn earliest_date(&self) -> Option<(&'static str, NaiveDate)> {
        let steps = self.steps.iter().filter_map(|s| NaiveDate::parse_from_str(&s.by, "%Y-%m-%d").ok());
        let step = steps.min().map(|d| ("steps", d));
        let review = self.review_on.map(|d| ("review_on", d));
        [step, review].into_iter().flatten().min_by_key(|(_, d)| *d)
    }
}

impl GoalInput {
    pub fn validate(&self) -> Result<ValidGoal, Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let title = check.required("title", &self.title, TITLE_MAX);
        let description = check.optional("description", &self.description, DESCRIPTION_MAX);
        let review_on = if self.review_on.trim().is_empty() { None } else { check.date("review_on", &self.review_on) };
        let level = if self.level.trim().is_empty() { Some(GoalLevel::Action) } else { GoalLevel::parse(&self.level) };
        if level.is_none() {
            check.fail("level", t.v_goal_level);
        }
        let parent_id = match self.parent_id.trim() {
            "" => None,
            value => {
                let parsed = GoalId::parse(value);
                if parsed.is_none() || level == Some(GoalLevel::Direction) {
                    check.fail("parent_id", t.v_goal_parent);
                }
                parsed
            }
        };
        let status =
            if self.status.trim().is_empty() { Some(GoalStatus::Open) } else { GoalStatus::parse(&self.status) };
        if status.is_none() {
            check.fail("status", t.v_goal_status);
        }
        let status_reason = if status == Some(GoalStatus::Dropped) {
            check.required("status_reason", &self.status_reason, REASON_MAX)
        } else {
            check.optional("status_reason", &self.status_reason, REASON_MAX);
            String::new()
        };
        let steps = steps(&mut check, &self.steps);
        let youth_title = check.optional("youth_title", &self.youth_title, TITLE_MAX);
        check.finish(ValidGoal {
            title,
            description,
            review_on,
            level: level.unwrap_or(GoalLevel::Action),
            parent_id,
            status: status.unwrap_or(GoalStatus::Open),
            status_reason,
            steps,
            youth_title,
        })
    }
}

/// The filled step rows (blank ones are the form's spare rows): each needs who, what and
/// by when.
fn steps(check: &mut Check, rows: &[StepInput]) -> Vec<Step> {
    let t = texts();
    let filled: Vec<&StepInput> = rows
        .iter()
        .filter(|s| !(s.who.trim().is_empty() && s.what.trim().is_empty() && s.by.trim().is_empty()))
        .collect();
    if filled.len() > STEPS_MAX {
        check.fail("steps", crate::i18n::fill(t.v_goal_steps_max, &[("max", &STEPS_MAX.to_string())]));
        return Vec::new();
    }
    let mut out = Vec::new();
    for row in filled {
        let mut one = Check::default();
        let who = one.required("steps", &row.who, STEP_WHO_MAX);
        let what = one.required("steps", &row.what, STEP_WHAT_MAX);
        let by = one.date("steps", &row.by);
        if !one.errors.is_empty() {
            check.fail("steps", t.v_goal_step);
            continue;
        }
        out.push(Step { who, what, by: by.map(|d| d.to_string()).unwrap_or_default() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_goal_needs_a_title_and_a_real_review_date() {
        let input = GoalInput { title: " ".into(), review_on: "bald".into(), ..Default::default() };
        let errors = input.validate().unwrap_err();
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["title", "review_on"]);
        let ok = GoalInput { title: "Schule regelmäßig besuchen".into(), ..Default::default() };
        let valid = ok.validate().unwrap();
        assert_eq!(valid.review_on, None);
        assert_eq!((valid.level, valid.status), (GoalLevel::Action, GoalStatus::Open));
    }

    #[test]
    fn a_dropped_goal_needs_a_reason_and_a_direction_has_no_parent() {
        let input = GoalInput {
            title: "Eigenes Zimmer aufräumen".into(),
            status: "nicht_weiterverfolgt".into(),
            level: "richtung".into(),
            parent_id: GoalId::fresh().to_string(),
            ..Default::default()
        };
        let fields: Vec<_> = input.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["parent_id", "status_reason"]);
        let bad = GoalInput { title: "x".into(), level: "ober".into(), status: "fertig".into(), ..Default::default() };
        let fields: Vec<_> = bad.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["level", "status"]);
    }

    #[test]
    fn steps_need_who_what_and_a_date_and_blank_rows_are_ignored() {
        let step = |who: &str, what: &str, by: &str| StepInput { who: who.into(), what: what.into(), by: by.into() };
        let input = GoalInput {
            title: "Pünktlich zur Schule".into(),
            steps: vec![step("Mia", "Wecker stellen", "2026-12-20"), step("", "", ""), step("Team", "", "morgen")],
            ..Default::default()
        };
        let errors = input.validate().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "steps");
        let ok = GoalInput { steps: vec![step("Mia", "Wecker stellen", "20.12.2026"), step("", "", "")], ..input };
        let valid = ok.validate().unwrap();
        assert_eq!(
            valid.steps,
            vec![Step { who: "Mia".into(), what: "Wecker stellen".into(), by: "2026-12-20".into() }]
        );
        assert_eq!(valid.earliest_date(), Some(("steps", NaiveDate::from_ymd_opt(2026, 12, 20).unwrap())));
        let many = GoalInput { steps: vec![step("a", "b", "2026-12-20"); STEPS_MAX + 1], ..ok };
        assert_eq!(many.validate().unwrap_err()[0].field, "steps");
    }

    #[test]
    fn undated_and_negated_goals_are_pointed_out() {
        let goal = |title: &str, review_on: &str, level: GoalLevel| Goal {
            id: GoalId::fresh(),
            youth_id: super::super::ids::YouthId::fresh(),
            title: title.into(),
            description: String::new(),
            review_on: review_on.into(),
            level,
            parent_id: None,
            status: GoalStatus::Open,
            status_reason: String::new(),
            steps: Vec::new(),
            youth_title: String::new(),
        };
        assert_eq!(
            goal("Mia schwänzt nicht mehr", "2027-01-31", GoalLevel::Action).warnings(),
            [GoalWarning::Negation]
        );
        assert_eq!(
            goal("Keine Schlägereien", "", GoalLevel::Action).warnings(),
            [GoalWarning::NoDate, GoalWarning::Negation]
        );
        assert!(goal("Mia geht jeden Tag zur Schule", "", GoalLevel::Direction).warnings().is_empty());
        assert!(goal("Nichtschwimmerin lernt schwimmen", "2027-06-30", GoalLevel::Action).warnings().is_empty());
    }
}
