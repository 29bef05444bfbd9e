//! Young people's login cards, their accounts, and the notices when an account was locked
//! after wrong PINs.

use super::sql::Sql;
use super::{Conn, new_id, now_ms};
use crate::domain::ids::{GroupId, UserId, YouthId};
use crate::domain::scope::ListScope;

/// Replaces a young person's login card.
pub async fn set_card(conn: &mut Conn, user_id: &UserId, token_hash: &str, by: &UserId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_cards WHERE user_id = $1").bind(user_id).execute(&mut *conn).await?;
    sqlx::query("INSERT INTO login_cards (user_id, token_hash, created_at, created_by) VALUES ($1, $2, $3, $4)")
        .bind(user_id)
        .bind(token_hash)
        .bind(now_ms())
        .bind(by)
        .execute(conn)
        .await?;
    Ok(())
}

/// The login and first name of an active account a card belongs to.
pub async fn card_owner(conn: &mut Conn, token_hash: &str) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.login, u.display_name FROM login_cards c JOIN users u ON u.id = c.user_id \
         WHERE c.token_hash = $1 AND u.active = 1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

/// The account of a young person's record, if there is one: id, login, display name.
pub async fn youth_account(
    conn: &mut Conn,
    youth_id: &YouthId,
) -> Result<Option<(UserId, String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, login, display_name FROM users WHERE youth_id = $1 AND role = 'jugendliche'")
        .bind(youth_id)
        .fetch_optional(conn)
        .await
}

/// The id of a young person's account by login (for the lock notice).
pub async fn youth_user_by_login(conn: &mut Conn, login: &str) -> Result<Option<UserId>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM users WHERE login = $1 AND role = 'jugendliche'")
        .bind(login)
        .fetch_optional(conn)
        .await
}

/// Records that an account was locked after wrong PINs, once per lock: nothing is added
/// while a notice for the account newer than `since` exists.
pub async fn notice_pin_lock(conn: &mut Conn, user_id: &UserId, since: i64) -> Result<bool, sqlx::Error> {
    let group: Option<Option<GroupId>> =
        sqlx::query_scalar("SELECT y.group_id FROM users u JOIN youths y ON y.id = u.youth_id WHERE u.id = $1")
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(Some(group)) = group else { return Ok(false) };
    let recent: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM notices WHERE user_id = $1 AND kind = 'pin_lock' AND at >= $2")
            .bind(user_id)
            .bind(since)
            .fetch_one(&mut *conn)
            .await?;
    if recent > 0 {
        return Ok(false);
    }
    sqlx::query("INSERT INTO notices (id, group_id, kind, user_id, at) VALUES ($1, $2, 'pin_lock', $3, $4)")
        .bind(new_id())
        .bind(group)
        .bind(user_id)
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(true)
}

/// Notices of the scope's groups since `since`, newest first: (group name, account's name).
pub async fn notices_since(
    conn: &mut Conn,
    since: i64,
    scope: &ListScope,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    if scope.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT g.name, COALESCE(u.display_name, '') FROM notices n JOIN groups g ON g.id = n.group_id \
         LEFT JOIN users u ON u.id = n.user_id WHERE n.at >= ",
    );
    sql.bind_int(since).push(" AND n.group_id IN (").bind_list(scope.groups().map(GroupId::as_str));
    sql.push(") ORDER BY n.at DESC LIMIT 50");
    sql.fetch_all(conn).await
}
