use super::{Conn, now_ms};
use crate::domain::group::{Group, ValidGroup};
use crate::domain::ids::{GroupId, UserId};
use sqlx::FromRow;

#[derive(FromRow)]
struct GroupRow {
    id: GroupId,
    name: String,
    address: String,
    phone: String,
    youth_count: i64,
    licensed: i64,
}

impl GroupRow {
    fn into_domain(self) -> Group {
        Group {
            id: self.id,
            name: self.name,
            address: self.address,
            phone: self.phone,
            youth_count: self.youth_count,
            licensed: self.licensed != 0,
        }
    }
}

const SELECT: &str = "SELECT g.id, g.name, g.address, g.phone, g.licensed, \
     (SELECT COUNT(*) FROM youths y WHERE y.group_id = g.id) AS youth_count FROM groups g";

/// All groups, by name.
pub async fn list_all(conn: &mut Conn) -> Result<Vec<Group>, sqlx::Error> {
    let rows: Vec<GroupRow> = sqlx::query_as(&format!("{SELECT} ORDER BY g.name")).fetch_all(conn).await?;
    Ok(rows.into_iter().map(GroupRow::into_domain).collect())
}

/// The ids of every group (for the policy's list scopes).
pub async fn ids(conn: &mut Conn) -> Result<Vec<GroupId>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM groups ORDER BY id").fetch_all(conn).await
}

/// The groups of a list scope, by name.
pub async fn list_in(conn: &mut Conn, scope: &crate::domain::scope::ListScope) -> Result<Vec<Group>, sqlx::Error> {
    let all = list_all(conn).await?;
    Ok(all.into_iter().filter(|g| scope.includes(&g.id)).collect())
}

/// The groups an account works with.
pub async fn list_for_user(conn: &mut Conn, user_id: &UserId) -> Result<Vec<Group>, sqlx::Error> {
    let rows: Vec<GroupRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE g.id IN (SELECT group_id FROM user_groups WHERE user_id = $1) ORDER BY g.name"
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(GroupRow::into_domain).collect())
}

pub async fn get(conn: &mut Conn, id: &GroupId) -> Result<Option<Group>, sqlx::Error> {
    let row: Option<GroupRow> =
        sqlx::query_as(&format!("{SELECT} WHERE g.id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.map(GroupRow::into_domain))
}

pub async fn exists(conn: &mut Conn, id: &GroupId) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM groups WHERE id = $1").bind(id).fetch_one(conn).await?;
    Ok(n > 0)
}

/// Inserts a group and returns its id. A duplicate name is a unique violation.
pub async fn insert(conn: &mut Conn, group: &ValidGroup) -> Result<GroupId, sqlx::Error> {
    let id = GroupId::fresh();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO groups (id, name, address, phone, created_at, updated_at, licensed) VALUES ($1, $2, $3, $4, $5, $5, $6)",
    )
    .bind(&id)
    .bind(&group.name)
    .bind(&group.address)
    .bind(&group.phone)
    .bind(now)
    .bind(i64::from(group.licensed))
    .execute(conn)
    .await?;
    Ok(id)
}

/// Updates a group; false when it does not exist.
pub async fn update(conn: &mut Conn, id: &GroupId, group: &ValidGroup) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE groups SET name = $2, address = $3, phone = $4, updated_at = $5, licensed = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(&group.name)
    .bind(&group.address)
    .bind(&group.phone)
    .bind(now_ms())
    .bind(i64::from(group.licensed))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether a group runs under an operating licence (§ 45 SGB VIII).
pub async fn licensed(conn: &mut Conn, id: &GroupId) -> Result<bool, sqlx::Error> {
    let n: Option<i64> =
        sqlx::query_scalar("SELECT licensed FROM groups WHERE id = $1").bind(id).fetch_optional(conn).await?;
    Ok(n.unwrap_or(0) != 0)
}
