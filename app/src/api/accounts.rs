//! Accounts: create, change, reset passwords, deactivate (Admin and Leitung). Accounts of
//! young people are Leitung's alone (the policy: linking one needs sight of case data).

use crate::domain::account::{Account, AccountInput};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The password-reset form.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordInput {
    pub password: String,
}

/// The activate/deactivate form: `active` is "true" or "false".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActiveInput {
    pub active: String,
}

/// The accounts the caller may manage (Admin, Leitung). Writes an audit row: accounts are
/// personal data too.
#[server(prefix = "/api", endpoint = "accounts/list")]
pub async fn list_accounts() -> Result<Vec<Account>, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::{Action, Resource};
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::ManageAccounts).await?;
    cx.institute(Action::ManageAccounts)?;
    let mut accounts = crate::db::accounts::list(cx.tx()).await?;
    accounts.retain(|a| cx.can(Action::ManageAccounts, Resource::Account { role: a.role }));
    cx.audit(AuditAction::List, RecordKind::Account, None, None).await?;
    cx.commit().await?;
    Ok(accounts)
}

/// One account (Admin, Leitung); 404 for one the caller may not manage.
#[server(prefix = "/api", endpoint = "accounts/get")]
pub async fn get_account(id: String) -> Result<Account, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::ManageAccounts).await?;
    let id: crate::domain::ids::UserId = parse_id(&id)?;
    let account = cx.account(Action::ManageAccounts, &id).await.map_err(|e| match e {
        AppError::Forbidden => AppError::NotFound,
        other => other,
    })?;
    cx.audit(AuditAction::Read, RecordKind::Account, Some(id.as_str()), None).await?;
    cx.commit().await?;
    Ok(account)
}

/// Creates an account (Admin, Leitung; accounts of young people only Leitung, who can see
/// whom they link). 400 with field messages: duplicate login, unknown group, staff without
/// group, short password.
#[server(prefix = "/api", endpoint = "accounts/create")]
pub async fn create_account(input: AccountInput) -> Result<String, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::ManageAccounts).await?;
    cx.institute(Action::ManageAccounts)?;
    let (valid, password) = input.validate(true)?;
    ssr::check_references(&mut cx, &valid, None).await?;
    let hash = ssr::hash_secret(cx.settings(), valid.role, password).await?;
    let id = crate::db::accounts::insert(cx.tx(), &valid, &hash).await.map_err(ssr::duplicate_login)?;
    // The password was chosen by whoever created the account: its owner sets their own at
    // the first login. (A young person's PIN comes with the login card.)
    if !valid.role.signs_in_with_pin() {
        crate::db::accounts::require_password_change(cx.tx(), &id, None).await?;
    }
    cx.audit(AuditAction::Create, RecordKind::Account, Some(id.as_str()), valid.youth_id.as_ref()).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/konten/{id}"));
    Ok(id.into_string())
}

/// Changes an account's name, login, role, groups or youth link (Admin, Leitung). A change
/// of role or groups ends the account's sessions. Nobody changes their own role.
#[server(prefix = "/api", endpoint = "accounts/update")]
pub async fn update_account(id: String, input: AccountInput) -> Result<String, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::ManageAccounts).await?;
    let id: crate::domain::ids::UserId = parse_id(&id)?;
    let (valid, _) = input.validate(false)?;
    if !crate::auth::policy::may_set_role(cx.user(), &id, valid.role) {
        return Err(AppError::invalid("role", crate::i18n::texts().v_cannot_change_own_role));
    }
    cx.account(Action::ManageAccounts, &id).await?;
    ssr::check_references(&mut cx, &valid, Some(&id)).await?;
    crate::db::accounts::update(cx.tx(), &id, &valid).await.map_err(ssr::duplicate_login)?;
    cx.audit(AuditAction::Update, RecordKind::Account, Some(id.as_str()), valid.youth_id.as_ref()).await?;
    cx.commit().await?;
    super::ssr::redirect(&format!("/konten/{id}"));
    Ok(id.into_string())
}

/// Sets a new password (Admin, Leitung) and ends all sessions of the account; the owner
/// must replace it with their own at the next login.
#[server(prefix = "/api", endpoint = "accounts/reset-password")]
pub async fn reset_password(id: String, input: PasswordInput) -> Result<(), AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::ManageAccounts).await?;
    let id: crate::domain::ids::UserId = parse_id(&id)?;
    let target = cx.account(Action::ManageAccounts, &id).await?;
    // A young person's "password" is a PIN.
    let mut check = crate::domain::text::Check::default();
    let password = if target.role.signs_in_with_pin() {
        crate::domain::account::check_pin(&mut check, "password", &input.password)
    } else {
        crate::domain::account::check_password(&mut check, "password", &input.password)
    };
    check.finish(())?;
    let hash = ssr::hash_secret(cx.settings(), target.role, password).await?;
    crate::db::accounts::set_password(cx.tx(), &id, &hash).await?;
    crate::db::accounts::pin_reset(cx.tx(), &id).await?;
    // The owner is told at their next login who reset it and when, and sets their own.
    if !target.role.signs_in_with_pin() {
        let by = cx.user().id.clone();
        crate::db::accounts::require_password_change(cx.tx(), &id, Some(&by)).await?;
    }
    cx.audit(AuditAction::PasswordReset, RecordKind::Account, Some(id.as_str()), None).await?;
    cx.commit().await?;
    Ok(())
}

/// Deactivates (ending every session at once) or reactivates an account (Admin, Leitung).
/// Nobody deactivates themselves.
#[server(prefix = "/api", endpoint = "accounts/set-active")]
pub async fn set_account_active(id: String, input: ActiveInput) -> Result<bool, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::ManageAccounts).await?;
    let id: crate::domain::ids::UserId = parse_id(&id)?;
    let active = match input.active.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::BadRequest(String::new())),
    };
    if id == cx.user().id && !active {
        return Err(AppError::invalid("active", crate::i18n::texts().v_cannot_deactivate_self));
    }
    cx.account(Action::ManageAccounts, &id).await?;
    crate::db::accounts::set_active(cx.tx(), &id, active).await?;
    let action = if active { AuditAction::Activate } else { AuditAction::Deactivate };
    cx.audit(action, RecordKind::Account, Some(id.as_str()), None).await?;
    cx.commit().await?;
    Ok(active)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::cx::Cx;
    use crate::auth::policy::{Action, Resource};
    use crate::domain::account::ValidAccount;
    use crate::domain::ids::UserId;
    use crate::error::AppError;

    /// The stored hash of a password, or of a PIN for the roles that sign in with one
    /// (peppered with the server's secret: see `auth::password::PEPPERED`).
    pub async fn hash_secret(
        settings: &crate::api::ssr::Settings,
        role: crate::domain::Role,
        secret: String,
    ) -> Result<String, AppError> {
        hash_with(settings, role.signs_in_with_pin(), secret).await
    }

    /// The stored hash of a PIN (`pin`) or a password.
    pub async fn hash_with(
        settings: &crate::api::ssr::Settings,
        pin: bool,
        secret: String,
    ) -> Result<String, AppError> {
        let key = settings.key_wrapping.clone();
        tokio::task::spawn_blocking(move || {
            if pin { crate::auth::password::hash_pin(&key, &secret) } else { crate::auth::password::hash(&secret) }
        })
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|_| AppError::Internal)
    }

    /// Groups and the linked young person must exist; the caller must be allowed to keep
    /// accounts of the role (young people's: Leitung only).
    pub async fn check_references(
        cx: &mut Cx,
        account: &ValidAccount,
        account_id: Option<&UserId>,
    ) -> Result<(), AppError> {
        let t = crate::i18n::texts();
        for group_id in &account.group_ids {
            if !crate::db::groups::exists(cx.tx(), group_id).await? {
                return Err(AppError::invalid("group_ids", t.v_unknown_group));
            }
        }
        if !cx.can(Action::ManageAccounts, Resource::Account { role: account.role }) {
            return Err(AppError::invalid("role", t.v_youth_link_only_leitung));
        }
        if let Some(youth_id) = &account.youth_id {
            if crate::db::youths::group_of(cx.tx(), youth_id).await?.is_none() {
                return Err(AppError::invalid("youth_id", t.v_unknown_youth));
            }
            if crate::db::accounts::youth_linked_elsewhere(cx.tx(), youth_id, account_id).await? {
                return Err(AppError::invalid("youth_id", t.v_youth_has_account));
            }
        }
        Ok(())
    }

    pub fn duplicate_login(error: sqlx::Error) -> AppError {
        if crate::db::is_unique_violation(&error) {
            AppError::invalid("login", crate::i18n::texts().v_login_taken)
        } else {
            error.into()
        }
    }
}
