//! Accounts: who may log in, with which role, for which groups.

use super::ids::{GroupId, UserId, YouthId};
use super::role::Role;
use super::text::Check;
use crate::error::FieldError;
use crate::i18n::texts;
use serde::{Deserialize, Serialize};

pub const DISPLAY_NAME_MAX: usize = 80;
pub const LOGIN_MIN: usize = 3;
pub const LOGIN_MAX: usize = 40;
pub const PASSWORD_MIN: usize = 10;
/// Argon2 hashes any length, but an unbounded password is a cheap denial of service.
pub const PASSWORD_MAX: usize = 128;

/// An account as the account list shows it. Never carries the password hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub group_ids: Vec<GroupId>,
    pub youth_id: Option<YouthId>,
    /// Where alarm e-mails go (Fachberatung and Leitung; optional).
    #[serde(default)]
    pub email: Option<String>,
}

/// The account form, as typed. Group ids come as a comma-free list of checkboxes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    pub display_name: String,
    pub login: String,
    pub role: String,
    #[serde(default)]
    pub group_ids: Vec<String>,
    #[serde(default)]
    pub youth_id: String,
    #[serde(default)]
    pub email: String,
    /// Only on creation.
    #[serde(default)]
    pub password: String,
}

impl From<&Account> for AccountInput {
    /// The form as it shows a stored account (never with a password).
    fn from(account: &Account) -> AccountInput {
        AccountInput {
            display_name: account.display_name.clone(),
            login: account.login.clone(),
            role: account.role.as_str().to_owned(),
            group_ids: account.group_ids.iter().map(ToString::to_string).collect(),
            youth_id: account.youth_id.as_ref().map(ToString::to_string).unwrap_or_default(),
            email: account.email.clone().unwrap_or_default(),
            password: String::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidAccount {
    pub display_name: String,
    pub login: String,
    pub role: Role,
    pub group_ids: Vec<GroupId>,
    pub youth_id: Option<YouthId>,
    pub email: Option<String>,
}

/// Longest e-mail address (RFC 5321 path limit).
pub const EMAIL_MAX: usize = 254;

impl AccountInput {
    /// Checks the form; `with_password` on creation.
    pub fn validate(&self, with_password: bool) -> Result<(ValidAccount, String), Vec<FieldError>> {
        let t = texts();
        let mut check = Check::default();
        let display_name = check.required("display_name", &self.display_name, DISPLAY_NAME_MAX);
        let login = self.login.trim().to_owned();
        check_login(&mut check, &login);
        let role = Role::parse(self.role.trim());
        if role.is_none() {
            check.fail("role", t.v_role);
        }
        let named: Vec<&str> = self.group_ids.iter().map(|g| g.trim()).filter(|g| !g.is_empty()).collect();
        let mut group_ids: Vec<GroupId> = named.iter().filter_map(|g| GroupId::parse(g)).collect();
        group_ids.sort();
        group_ids.dedup();
        if group_ids.len() < named.iter().collect::<std::collections::BTreeSet<_>>().len() {
            check.fail("group_ids", t.v_unknown_group);
        }
        let youth_id = YouthId::parse(&self.youth_id);
        let youth_named = !self.youth_id.trim().is_empty();
        if youth_named && youth_id.is_none() {
            check.fail("youth_id", t.v_unknown_youth);
        }
        if let Some(role) = role {
            if role.needs_group() && group_ids.is_empty() {
                check.fail("group_ids", t.v_staff_needs_group);
            }
            if !role.has_groups() && !group_ids.is_empty() {
                check.fail("group_ids", t.v_no_groups_for_role);
            }
            if role.has_youth_record() && !youth_named {
                check.fail("youth_id", t.v_youth_needs_link);
            }
            if !role.has_youth_record() && youth_named {
                check.fail("youth_id", t.v_no_youth_for_role);
            }
        }
        let email = Some(self.email.trim().to_owned()).filter(|e| !e.is_empty());
        if let Some(address) = &email {
            let (local, domain) = address.split_once('@').unwrap_or_default();
            let plain = address.chars().all(|c| c.is_ascii_graphic() && !"<>()[]\\,;:\"".contains(c));
            if address.len() > EMAIL_MAX || local.is_empty() || !domain.contains('.') || domain.contains('@') || !plain
            {
                check.fail("email", t.v_email);
            }
        }
        let password = match (with_password, role) {
            (false, _) => String::new(),
            (true, Some(role)) if role.signs_in_with_pin() => check_pin(&mut check, "password", &self.password),
            (true, _) => check_password(&mut check, "password", &self.password),
        };
        let Some(role) = role else { return Err(check.errors) };
        check.finish((ValidAccount { display_name, login, role, group_ids, youth_id, email }, password))
    }
}

fn check_login(check: &mut Check, login: &str) {
    let t = texts();
    let len = login.chars().count();
    if login.is_empty() {
        check.fail("login", t.v_required);
    } else if len < LOGIN_MIN {
        check.fail("login", crate::i18n::fill(t.v_too_short, &[("min", &LOGIN_MIN.to_string())]));
    } else if len > LOGIN_MAX {
        check.fail("login", crate::i18n::fill(t.v_too_long, &[("max", &LOGIN_MAX.to_string())]));
    } else if !login.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c)) {
        check.fail("login", t.v_login_format);
    }
}

/// Checks a new password's length and returns it untrimmed (spaces are characters).
pub fn check_password(check: &mut Check, field: &str, password: &str) -> String {
    let t = texts();
    let len = password.chars().count();
    if password.is_empty() {
        check.fail(field, t.v_required);
    } else if len < PASSWORD_MIN {
        check.fail(field, crate::i18n::fill(t.v_too_short, &[("min", &PASSWORD_MIN.to_string())]));
    } else if len > PASSWORD_MAX {
        check.fail(field, crate::i18n::fill(t.v_too_long, &[("max", &PASSWORD_MAX.to_string())]));
    }
    password.to_owned()
}

/// Checks a young person's PIN: 4 to 8 digits (their "password"; the login throttle and
/// the lock after wrong PINs make up for the short length).
pub fn check_pin(check: &mut Check, field: &str, pin: &str) -> String {
    let pin = pin.trim();
    if pin.is_empty() {
        check.fail(field, texts().v_required);
    } else if !(4..=8).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        check.fail(field, texts().v_pin_format);
    }
    pin.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(role: &str, groups: &[&str]) -> AccountInput {
        AccountInput {
            display_name: "Kim Beispiel".into(),
            login: "kim.beispiel".into(),
            role: role.into(),
            group_ids: groups.iter().map(|g| g.to_string()).collect(),
            youth_id: String::new(),
            email: String::new(),
            password: "ein langes Passwort".into(),
        }
    }

    const G: &str = "0191d1c2-0000-7000-8000-000000000001";

    #[test]
    fn an_email_address_is_optional_but_must_look_like_one() {
        let mut ok = input("fachberatung", &["01a20826-ceb0-7086-825e-6c2739426b14"]);
        ok.email = " fb@jugendhilfe-erfurt.de ".into();
        assert_eq!(ok.validate(true).expect("valid").0.email.as_deref(), Some("fb@jugendhilfe-erfurt.de"));
        for bad in ["fb", "fb@localhost", "a b@c.de", "x@y.de\r\nBcc: z@q.de", "<fb@c.de>"] {
            let mut wrong = ok.clone();
            wrong.email = bad.into();
            assert_eq!(wrong.validate(true).unwrap_err()[0].field, "email", "{bad}");
        }
    }

    #[test]
    fn staff_without_a_group_is_rejected() {
        let errors = input("fachkraft", &[]).validate(true).unwrap_err();
        assert_eq!(errors[0].field, "group_ids");
    }

    #[test]
    fn staff_with_a_group_is_valid() {
        let (account, _) = input("fachkraft", &[G, G]).validate(true).expect("valid");
        assert_eq!(account.group_ids, vec![GroupId::parse(G).expect("id")]);
    }

    #[test]
    fn an_admin_with_groups_is_rejected() {
        assert_eq!(input("admin", &[G]).validate(true).unwrap_err()[0].field, "group_ids");
    }

    #[test]
    fn logins_with_capitals_or_spaces_are_rejected() {
        let mut bad = input("admin", &[]);
        bad.login = "Kim B".into();
        assert_eq!(bad.validate(true).unwrap_err()[0].field, "login");
    }

    #[test]
    fn a_short_password_is_rejected_on_creation_only() {
        let mut short = input("admin", &[]);
        short.password = "kurz".into();
        assert_eq!(short.validate(true).unwrap_err()[0].field, "password");
        assert!(short.validate(false).is_ok());
    }

    #[test]
    fn young_people_get_a_pin_instead_of_a_password() {
        let mut youth = input("jugendliche", &[]);
        youth.youth_id = G.into();
        assert_eq!(youth.validate(true).unwrap_err()[0].field, "password");
        youth.password = "2468".into();
        assert!(youth.validate(true).is_ok());
        youth.password = "24a8".into();
        assert_eq!(youth.validate(true).unwrap_err()[0].field, "password");
    }

    #[test]
    fn an_unknown_role_is_rejected() {
        assert_eq!(input("root", &[]).validate(true).unwrap_err()[0].field, "role");
    }
}
