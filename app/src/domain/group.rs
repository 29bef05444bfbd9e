//! Familienwohngruppe: a family-style group home.

use super::text::Check;
use crate::error::FieldError;
use crate::i18n::texts;
use serde::{Deserialize, Serialize};

pub const NAME_MAX: usize = 80;
pub const ADDRESS_MAX: usize = 200;
pub const PHONE_MAX: usize = 30;

/// A group home as lists show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: super::ids::GroupId,
    pub name: String,
    pub address: String,
    pub phone: String,
    pub youth_count: i64,
    /// Runs under an operating licence (§ 45 SGB VIII): § 47 Meldungen are offered.
    pub licensed: bool,
}

/// The group form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    pub name: String,
    pub address: String,
    pub phone: String,
    /// "ja" when the group runs under an operating licence.
    #[serde(default)]
    pub licensed: String,
}

impl From<&Group> for GroupInput {
    /// The form as it shows a stored group.
    fn from(group: &Group) -> GroupInput {
        GroupInput {
            name: group.name.clone(),
            address: group.address.clone(),
            phone: group.phone.clone(),
            licensed: if group.licensed { "ja".into() } else { String::new() },
        }
    }
}

/// A checked group form.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidGroup {
    pub name: String,
    pub address: String,
    pub phone: String,
    pub licensed: bool,
}

impl GroupInput {
    pub fn validate(&self) -> Result<ValidGroup, Vec<FieldError>> {
        let mut check = Check::default();
        let name = check.required("name", &self.name, NAME_MAX);
        let address = check.required("address", &self.address, ADDRESS_MAX);
        let phone = check.required("phone", &self.phone, PHONE_MAX);
        if !phone.is_empty() && !is_phone(&phone) {
            check.fail("phone", texts().v_phone);
        }
        let licensed = match self.licensed.trim() {
            "" => false,
            "ja" => true,
            _ => {
                check.fail("licensed", texts().v_cp_concerns_staff);
                false
            }
        };
        check.finish(ValidGroup { name, address, phone, licensed })
    }
}

fn is_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    digits >= 3 && s.chars().all(|c| c.is_ascii_digit() || " +-/()".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, phone: &str) -> GroupInput {
        GroupInput {
            name: name.into(),
            address: "Lindenweg 3, 99084 Erfurt".into(),
            phone: phone.into(),
            licensed: String::new(),
        }
    }

    #[test]
    fn a_complete_group_is_valid() {
        let group = input(" FWG Sonnenhaus ", "+49 361 123-45").validate();
        assert_eq!(group.map(|g| g.name), Ok("FWG Sonnenhaus".to_owned()));
    }

    #[test]
    fn a_phone_with_letters_is_rejected() {
        let errors = input("FWG", "call me").validate().unwrap_err();
        assert_eq!(errors[0].field, "phone");
    }

    #[test]
    fn an_empty_name_is_rejected() {
        let errors = input("", "0361 1").validate().unwrap_err();
        assert_eq!(errors[0].field, "name");
    }
}
