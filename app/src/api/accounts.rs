//! Accounts: create, change, reset passwords, deactivate (Admin and Leitung).

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

/// All accounts (Admin, Leitung). Writes an audit row: accounts are personal data too.
#[server(prefix = "/api", endpoint = "accounts/list")]
pub async fn list_accounts() -> Result<Vec<Account>, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    allow(can(&user, Action::ManageAccounts, Resource::Institute))?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let mut accounts = crate::db::accounts::list(&mut tx).await?;
    // Young people's accounts carry the child's name and record link: Leitung only.
    if !can(&user, Action::LinkYouthAccount, Resource::Institute) {
        accounts.retain(|a| a.role != crate::domain::Role::Jugendliche);
    }
    record(
        &mut tx,
        &user,
        AuditRecord { action: AuditAction::List, record_kind: "account", record_id: None, youth_id: None },
    )
    .await?;
    tx.commit().await?;
    Ok(accounts)
}

/// One account (Admin, Leitung).
#[server(prefix = "/api", endpoint = "accounts/get")]
pub async fn get_account(id: String) -> Result<Account, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    allow(can(&user, Action::ManageAccounts, Resource::Institute))?;
    let id = record_id(&id)?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let account = crate::db::accounts::get(&mut tx, &id)
        .await?
        .filter(|a| {
            a.role != crate::domain::Role::Jugendliche || can(&user, Action::LinkYouthAccount, Resource::Institute)
        })
        .ok_or(AppError::NotFound)?;
    record(
        &mut tx,
        &user,
        AuditRecord { action: AuditAction::Read, record_kind: "account", record_id: Some(&id), youth_id: None },
    )
    .await?;
    tx.commit().await?;
    Ok(account)
}

/// Creates an account (Admin, Leitung; accounts of young people only Leitung, who can see
/// whom they link). 400 with field messages: duplicate login, unknown group, staff without
/// group, short password.
#[server(prefix = "/api", endpoint = "accounts/create")]
pub async fn create_account(input: AccountInput) -> Result<String, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    allow(can(&user, Action::ManageAccounts, Resource::Institute))?;
    let (valid, password) = input.validate(true)?;
    let store = store()?;
    let mut tx = store.begin().await?;
    check_references(&mut tx, &user, &valid, "").await?;
    let hash = hash_password(password).await?;
    let id = crate::db::accounts::insert(&mut tx, &valid, &hash).await.map_err(duplicate_login)?;
    record(
        &mut tx,
        &user,
        AuditRecord {
            action: AuditAction::Create,
            record_kind: "account",
            record_id: Some(&id),
            youth_id: valid.youth_id.as_deref(),
        },
    )
    .await?;
    tx.commit().await?;
    redirect(&format!("/konten/{id}"));
    Ok(id)
}

/// Changes an account's name, login, role, groups or youth link (Admin, Leitung). A change
/// of role or groups ends the account's sessions. Nobody changes their own role.
#[server(prefix = "/api", endpoint = "accounts/update")]
pub async fn update_account(id: String, input: AccountInput) -> Result<String, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    allow(can(&user, Action::ManageAccounts, Resource::Institute))?;
    let id = record_id(&id)?;
    let (valid, _) = input.validate(false)?;
    if id == user.id && valid.role != user.role {
        return Err(AppError::invalid("role", crate::i18n::texts().v_cannot_change_own_role));
    }
    let store = store()?;
    let mut tx = store.begin().await?;
    let before = crate::db::accounts::get(&mut tx, &id).await?.ok_or(AppError::NotFound)?;
    // Admin never touches accounts of young people: that needs sight of case data.
    if before.role == crate::domain::Role::Jugendliche && !can(&user, Action::LinkYouthAccount, Resource::Institute) {
        return Err(AppError::Forbidden);
    }
    check_references(&mut tx, &user, &valid, &id).await?;
    crate::db::accounts::update(&mut tx, &id, &valid).await.map_err(duplicate_login)?;
    record(
        &mut tx,
        &user,
        AuditRecord {
            action: AuditAction::Update,
            record_kind: "account",
            record_id: Some(&id),
            youth_id: valid.youth_id.as_deref(),
        },
    )
    .await?;
    tx.commit().await?;
    redirect(&format!("/konten/{id}"));
    Ok(id)
}

/// Sets a new password (Admin, Leitung) and ends all sessions of the account.
#[server(prefix = "/api", endpoint = "accounts/reset-password")]
pub async fn reset_password(id: String, input: PasswordInput) -> Result<(), AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    allow(can(&user, Action::ManageAccounts, Resource::Institute))?;
    let id = record_id(&id)?;
    let store = store()?;
    let mut tx = store.begin().await?;
    let target = crate::db::accounts::get(&mut tx, &id).await?.ok_or(AppError::NotFound)?;
    if target.role == crate::domain::Role::Jugendliche && !can(&user, Action::LinkYouthAccount, Resource::Institute) {
        return Err(AppError::Forbidden);
    }
    // A young person's "password" is a PIN.
    let mut check = crate::domain::text::Check::default();
    let password = if target.role == crate::domain::Role::Jugendliche {
        crate::domain::account::check_pin(&mut check, "password", &input.password)
    } else {
        crate::domain::account::check_password(&mut check, "password", &input.password)
    };
    check.finish(())?;
    let hash = hash_password(password).await?;
    crate::db::accounts::set_password(&mut tx, &id, &hash).await?;
    record(
        &mut tx,
        &user,
        AuditRecord {
            action: AuditAction::PasswordReset,
            record_kind: "account",
            record_id: Some(&id),
            youth_id: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deactivates (ending every session at once) or reactivates an account (Admin, Leitung).
/// Nobody deactivates themselves.
#[server(prefix = "/api", endpoint = "accounts/set-active")]
pub async fn set_account_active(id: String, input: ActiveInput) -> Result<bool, AppError> {
    use super::ssr::*;
    use crate::auth::policy::{Action, Resource, can};
    use crate::db::audit::{AuditAction, AuditRecord, record};
    let user = user()?;
    allow(can(&user, Action::ManageAccounts, Resource::Institute))?;
    let id = record_id(&id)?;
    let active = match input.active.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::BadRequest(String::new())),
    };
    if id == user.id && !active {
        return Err(AppError::invalid("active", crate::i18n::texts().v_cannot_deactivate_self));
    }
    let store = store()?;
    let mut tx = store.begin().await?;
    let target = crate::db::accounts::get(&mut tx, &id).await?.ok_or(AppError::NotFound)?;
    if target.role == crate::domain::Role::Jugendliche && !can(&user, Action::LinkYouthAccount, Resource::Institute) {
        return Err(AppError::Forbidden);
    }
    crate::db::accounts::set_active(&mut tx, &id, active).await?;
    let action = if active { AuditAction::Activate } else { AuditAction::Deactivate };
    record(&mut tx, &user, AuditRecord { action, record_kind: "account", record_id: Some(&id), youth_id: None })
        .await?;
    tx.commit().await?;
    Ok(active)
}

#[cfg(feature = "ssr")]
pub(crate) async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || crate::auth::password::hash(&password))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|_| AppError::Internal)
}

/// Groups and the linked young person must exist; only Leitung links young people.
#[cfg(feature = "ssr")]
async fn check_references(
    conn: &mut crate::db::Conn,
    user: &crate::auth::CurrentUser,
    account: &crate::domain::account::ValidAccount,
    account_id: &str,
) -> Result<(), AppError> {
    use crate::auth::policy::{Action, Resource, can};
    let t = crate::i18n::texts();
    for group_id in &account.group_ids {
        if !crate::db::groups::exists(conn, group_id).await? {
            return Err(AppError::invalid("group_ids", t.v_unknown_group));
        }
    }
    if account.role == crate::domain::Role::Jugendliche && !can(user, Action::LinkYouthAccount, Resource::Institute) {
        return Err(AppError::invalid("role", t.v_youth_link_only_leitung));
    }
    if let Some(youth_id) = &account.youth_id {
        if crate::db::youths::group_of(conn, youth_id).await?.is_none() {
            return Err(AppError::invalid("youth_id", t.v_unknown_youth));
        }
        if crate::db::accounts::youth_linked_elsewhere(conn, youth_id, account_id).await? {
            return Err(AppError::invalid("youth_id", t.v_youth_has_account));
        }
    }
    Ok(())
}

#[cfg(feature = "ssr")]
fn duplicate_login(error: sqlx::Error) -> AppError {
    if crate::db::is_unique_violation(&error) {
        AppError::invalid("login", crate::i18n::texts().v_login_taken)
    } else {
        error.into()
    }
}
