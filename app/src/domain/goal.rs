//! Hilfeplanziele: the goals agreed in a young person's help plan. Leitung and
//! Fachberatung keep the list; daily notes link to them.

use super::text::Check;
use crate::error::FieldError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const TITLE_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 2000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    pub id: super::ids::GoalId,
    pub youth_id: super::ids::YouthId,
    pub title: String,
    pub description: String,
    /// YYYY-MM-DD or "" when no review date is set.
    pub review_on: String,
}

/// A goal as the note form offers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalChoice {
    pub id: super::ids::GoalId,
    pub title: String,
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
}

impl From<&Goal> for GoalInput {
    /// The form as it shows a stored goal.
    fn from(goal: &Goal) -> GoalInput {
        GoalInput {
            youth_id: goal.youth_id.to_string(),
            title: goal.title.clone(),
            description: goal.description.clone(),
            review_on: goal.review_on.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidGoal {
    pub title: String,
    pub description: String,
    pub review_on: Option<NaiveDate>,
}

impl GoalInput {
    pub fn validate(&self) -> Result<ValidGoal, Vec<FieldError>> {
        let mut check = Check::default();
        let title = check.required("title", &self.title, TITLE_MAX);
        let description = check.optional("description", &self.description, DESCRIPTION_MAX);
        let review_on = if self.review_on.trim().is_empty() { None } else { check.date("review_on", &self.review_on) };
        check.finish(ValidGoal { title, description, review_on })
    }
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
        assert_eq!(ok.validate().unwrap().review_on, None);
    }
}
