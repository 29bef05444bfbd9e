//! What a list may show: the groups, and per group whether it may include what young
//! people addressed past the group to the Fachberatung. Only the policy makes one
//! (`auth::policy::scope`; the lint check refuses `ListScope::decided` anywhere else), so
//! no query can be handed a scope, or a "staff" flag, that the policy did not decide.

use super::ids::GroupId;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListScope {
    groups: Vec<(GroupId, bool)>,
}

impl ListScope {
    /// The policy's decision: `(group, past_group)` per group the caller may list.
    pub fn decided(mut groups: Vec<(GroupId, bool)>) -> ListScope {
        groups.sort();
        groups.dedup_by(|a, b| a.0 == b.0);
        ListScope { groups }
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Every group in the scope.
    pub fn groups(&self) -> impl Iterator<Item = &GroupId> {
        self.groups.iter().map(|(g, _)| g)
    }

    /// Every group with its past-group flag.
    pub fn entries(&self) -> impl Iterator<Item = (&GroupId, bool)> {
        self.groups.iter().map(|(g, past)| (g, *past))
    }

    pub fn includes(&self, group: &GroupId) -> bool {
        self.groups.iter().any(|(g, _)| g == group)
    }

    /// Whether items addressed past this group may be shown (false outside the scope).
    pub fn past_group(&self, group: &GroupId) -> bool {
        self.groups.iter().any(|(g, past)| g == group && *past)
    }

    /// The same decision for one group only, if it is in the scope (a filter by group).
    pub fn narrowed_to(&self, group: &GroupId) -> Option<ListScope> {
        let found: Vec<(GroupId, bool)> = self.groups.iter().filter(|(g, _)| g == group).cloned().collect();
        (!found.is_empty()).then_some(ListScope { groups: found })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> GroupId {
        GroupId::parse(&format!("0191d1c2-0000-7000-8000-0000000000{n:02}")).expect("id")
    }

    #[test]
    fn a_scope_answers_for_its_groups_only() {
        let scope = ListScope::decided(vec![(id(2), false), (id(1), true)]);
        assert!(scope.includes(&id(1)) && scope.includes(&id(2)) && !scope.includes(&id(3)));
        assert!(scope.past_group(&id(1)) && !scope.past_group(&id(2)) && !scope.past_group(&id(3)));
        assert_eq!(scope.narrowed_to(&id(2)).map(|s| s.past_group(&id(2))), Some(false));
        assert_eq!(scope.narrowed_to(&id(3)), None);
    }
}
