use super::{Conn, now_ms};
use crate::domain::Role;
use crate::domain::account::{Account, ValidAccount};
use crate::domain::ids::{GroupId, UserId, YouthId};
use sqlx::FromRow;

#[derive(FromRow)]
struct AccountRow {
    id: UserId,
    login: String,
    display_name: String,
    role: String,
    active: i64,
    youth_id: Option<YouthId>,
    email: Option<String>,
}

/// Credentials for a login attempt.
pub struct Credentials {
    pub id: UserId,
    pub password_hash: String,
    pub active: bool,
    pub role: Option<Role>,
    /// Locked for good after too many wrong PINs (young people only).
    pub pin_locked: bool,
}

async fn groups_of(conn: &mut Conn, user_id: &UserId) -> Result<Vec<GroupId>, sqlx::Error> {
    sqlx::query_scalar("SELECT group_id FROM user_groups WHERE user_id = $1 ORDER BY group_id")
        .bind(user_id)
        .fetch_all(conn)
        .await
}

impl AccountRow {
    fn into_domain(self, group_ids: Vec<GroupId>) -> Option<Account> {
        Some(Account {
            role: Role::parse(&self.role)?,
            id: self.id,
            login: self.login,
            display_name: self.display_name,
            active: self.active != 0,
            group_ids,
            youth_id: self.youth_id,
            email: self.email,
        })
    }
}

const SELECT: &str = "SELECT id, login, display_name, role, active, youth_id, email FROM users";

pub async fn list(conn: &mut Conn) -> Result<Vec<Account>, sqlx::Error> {
    let rows: Vec<AccountRow> =
        sqlx::query_as(&format!("{SELECT} ORDER BY display_name")).fetch_all(&mut *conn).await?;
    let memberships: Vec<(UserId, GroupId)> =
        sqlx::query_as("SELECT user_id, group_id FROM user_groups ORDER BY group_id").fetch_all(&mut *conn).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let groups = memberships.iter().filter(|(u, _)| *u == row.id).map(|(_, g)| g.clone()).collect();
            row.into_domain(groups)
        })
        .collect())
}

pub async fn get(conn: &mut Conn, id: &UserId) -> Result<Option<Account>, sqlx::Error> {
    let row: Option<AccountRow> =
        sqlx::query_as(&format!("{SELECT} WHERE id = $1")).bind(id).fetch_optional(&mut *conn).await?;
    match row {
        Some(row) => {
            let groups = groups_of(conn, &row.id).await?;
            Ok(row.into_domain(groups))
        }
        None => Ok(None),
    }
}

pub async fn credentials(conn: &mut Conn, login: &str) -> Result<Option<Credentials>, sqlx::Error> {
    let row: Option<(UserId, String, i64, String, Option<i64>)> =
        sqlx::query_as("SELECT id, password_hash, active, role, pin_locked_at FROM users WHERE login = $1")
            .bind(login)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(id, password_hash, active, role, locked)| Credentials {
        id,
        password_hash,
        active: active != 0,
        role: Role::parse(&role),
        pin_locked: locked.is_some(),
    }))
}

pub async fn count(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(conn).await
}

/// Whether another account is already linked to this young person.
pub async fn youth_linked_elsewhere(
    conn: &mut Conn,
    youth_id: &YouthId,
    except: Option<&UserId>,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE youth_id = $1 AND id <> $2")
        .bind(youth_id)
        .bind(except.map(UserId::as_str).unwrap_or_default())
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// Inserts an account with its groups; a duplicate login is a unique violation.
pub async fn insert(conn: &mut Conn, account: &ValidAccount, password_hash: &str) -> Result<UserId, sqlx::Error> {
    let id = UserId::fresh();
    sqlx::query(
        "INSERT INTO users (id, login, display_name, role, password_hash, active, youth_id, created_at, updated_at, email) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $7, $8)",
    )
    .bind(&id)
    .bind(&account.login)
    .bind(&account.display_name)
    .bind(account.role.as_str())
    .bind(password_hash)
    .bind(account.youth_id.as_ref())
    .bind(now_ms())
    .bind(account.email.as_deref())
    .execute(&mut *conn)
    .await?;
    set_groups(conn, &id, &account.group_ids).await?;
    Ok(id)
}

/// Updates name, login, role, groups and youth link. Ends the account's sessions when its
/// role or groups change, so nobody keeps access they no longer have.
pub async fn update(conn: &mut Conn, id: &UserId, account: &ValidAccount) -> Result<bool, sqlx::Error> {
    let Some(before) = get(conn, id).await? else {
        return Ok(false);
    };
    sqlx::query(
        "UPDATE users SET login = $2, display_name = $3, role = $4, youth_id = $5, updated_at = $6, email = $7 WHERE id = $1",
    )
    .bind(id)
    .bind(&account.login)
    .bind(&account.display_name)
    .bind(account.role.as_str())
    .bind(account.youth_id.as_ref())
    .bind(now_ms())
    .bind(account.email.as_deref())
    .execute(&mut *conn)
    .await?;
    set_groups(conn, id, &account.group_ids).await?;
    if before.role != account.role || before.group_ids != account.group_ids {
        super::sessions::delete_for_user(conn, id).await?;
    }
    Ok(true)
}

async fn set_groups(conn: &mut Conn, user_id: &UserId, group_ids: &[GroupId]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM user_groups WHERE user_id = $1").bind(user_id).execute(&mut *conn).await?;
    for group_id in group_ids {
        sqlx::query("INSERT INTO user_groups (user_id, group_id) VALUES ($1, $2)")
            .bind(user_id)
            .bind(group_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn set_password(conn: &mut Conn, id: &UserId, password_hash: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(password_hash)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    super::sessions::delete_for_user(conn, id).await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a hash by one of the same secret in a newer form (a PIN peppered at its
/// owner's next login); sessions stay.
pub async fn rehash(conn: &mut Conn, id: &UserId, password_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1").bind(id).bind(password_hash).execute(conn).await?;
    Ok(())
}

/// Counts a wrong PIN; at `lock_after` in a row the account is locked for good. Returns
/// whether this failure locked it.
pub async fn pin_failed(conn: &mut Conn, id: &UserId, lock_after: i64) -> Result<bool, sqlx::Error> {
    sqlx::query("UPDATE users SET pin_failures = pin_failures + 1 WHERE id = $1").bind(id).execute(&mut *conn).await?;
    let locked = sqlx::query(
        "UPDATE users SET pin_locked_at = $2 WHERE id = $1 AND pin_failures >= $3 AND pin_locked_at IS NULL",
    )
    .bind(id)
    .bind(now_ms())
    .bind(lock_after)
    .execute(conn)
    .await?;
    Ok(locked.rows_affected() == 1)
}

/// A right PIN, or a new one: the count of wrong ones starts again and a lock is lifted.
pub async fn pin_reset(conn: &mut Conn, id: &UserId) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET pin_failures = 0, pin_locked_at = NULL WHERE id = $1").bind(id).execute(conn).await?;
    Ok(())
}

/// Activates or deactivates an account; deactivation ends its sessions at once.
pub async fn set_active(conn: &mut Conn, id: &UserId, active: bool) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE users SET active = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(i64::from(active))
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    if !active {
        super::sessions::delete_for_user(conn, id).await?;
    }
    Ok(done.rows_affected() == 1)
}

/// Marks the account's password as chosen by someone else: its owner sets their own at
/// the next login. `reset_by` is who reset it (none for a new account).
pub async fn require_password_change(
    conn: &mut Conn,
    id: &UserId,
    reset_by: Option<&UserId>,
) -> Result<(), sqlx::Error> {
    match reset_by {
        Some(by) => {
            sqlx::query(
                "UPDATE users SET password_change_required = 1, password_reset_at = $2, password_reset_by = $3 WHERE id = $1",
            )
            .bind(id)
            .bind(now_ms())
            .bind(by)
            .execute(conn)
            .await?
        }
        None => sqlx::query("UPDATE users SET password_change_required = 1 WHERE id = $1").bind(id).execute(conn).await?,
    };
    Ok(())
}

/// The stored password hash of an account (for checking the current password).
pub async fn password_hash(conn: &mut Conn, id: &UserId) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1").bind(id).fetch_optional(conn).await
}

/// The owner's own new password: stored, the requirement to change it lifted, and every
/// other session of the account ended (`keep` is the session the owner changed it in).
pub async fn set_own_password(
    conn: &mut Conn,
    id: &UserId,
    password_hash: &str,
    keep: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $2, password_change_required = 0, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(password_hash)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    super::sessions::delete_others(conn, id, keep).await?;
    Ok(())
}

/// When the account's password was last reset by someone else, and that person's name.
pub async fn last_reset(
    conn: &mut Conn,
    id: &UserId,
) -> Result<Option<(chrono::DateTime<chrono::Utc>, Option<String>)>, sqlx::Error> {
    let row: Option<(Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT u.password_reset_at, r.display_name FROM users u LEFT JOIN users r ON r.id = u.password_reset_by \
         WHERE u.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|(at, by)| at.map(|at| (super::time_of(at), by))))
}
