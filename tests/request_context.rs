//! The request context (`api::cx::Cx`): what it makes impossible. Every server function
//! goes through it; these tests hold it to its promises directly, on the real store.

use crate::common::{fixtures, id, spawn_app};
use gruppenbuch_app::api::cx::Cx;
use gruppenbuch_app::auth::policy::Action;
use gruppenbuch_app::domain::audit::{AuditAction, RecordKind};
use gruppenbuch_app::error::AppError;

async fn staff(app: &crate::common::TestApp) -> gruppenbuch_app::auth::CurrentUser {
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let user: gruppenbuch_app::domain::ids::UserId =
        sqlx::query_scalar("SELECT id FROM users WHERE login = 'fachkraft'").fetch_one(&mut *conn).await.expect("user");
    let token = gruppenbuch_app::auth::session::start(&mut conn, &user, chrono::Utc::now()).await.expect("session");
    let hash = gruppenbuch_app::auth::session::token_hash(&token);
    gruppenbuch_app::auth::session::resolve(&mut conn, &hash, chrono::Utc::now()).await.expect("resolve").expect("live")
}

async fn throttle_rows(app: &crate::common::TestApp) -> i64 {
    crate::common::count(&app.store, "login_failures").await
}

#[tokio::test]
async fn a_context_that_read_personal_data_cannot_commit_without_an_audit_row() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let user = staff(&app).await;
    let before = throttle_rows(&app).await;

    let mut cx = Cx::open(app.store.clone(), app.settings.clone(), Some(user.clone()), Action::ViewEntries)
        .await
        .expect("context");
    cx.youth(Action::ViewEntries, &id(&fx.own_youth)).await.expect("own young person");
    // Something written in the same transaction, to see it go.
    gruppenbuch_app::db::throttle::record_failure(cx.tx(), "probe", 1).await.expect("write");
    assert_eq!(cx.commit().await, Err(AppError::Internal), "no audit row: refused");
    assert_eq!(throttle_rows(&app).await, before, "and nothing of it was written");

    let mut cx =
        Cx::open(app.store.clone(), app.settings.clone(), Some(user), Action::ViewEntries).await.expect("context");
    cx.youth(Action::ViewEntries, &id(&fx.own_youth)).await.expect("own young person");
    gruppenbuch_app::db::throttle::record_failure(cx.tx(), "probe", 1).await.expect("write");
    cx.audit(AuditAction::Read, RecordKind::Youth, Some(&fx.own_youth), Some(&id(&fx.own_youth))).await.expect("audit");
    assert_eq!(cx.commit().await, Ok(()));
    assert_eq!(throttle_rows(&app).await, before + 1);
}

#[tokio::test]
async fn a_context_decides_from_the_stored_record_and_refuses_before_looking_for_roles_that_never_may() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let user = staff(&app).await;
    // Staff never acknowledge: refused before anything is looked up.
    let never = Cx::open(app.store.clone(), app.settings.clone(), Some(user.clone()), Action::Acknowledge).await;
    assert_eq!(never.err(), Some(AppError::Forbidden));
    let mut cx =
        Cx::open(app.store.clone(), app.settings.clone(), Some(user), Action::ViewEntries).await.expect("context");
    // Another group's young person is "not found", exactly like one that does not exist.
    assert_eq!(cx.youth(Action::ViewEntries, &id(&fx.foreign_youth)).await, Err(AppError::NotFound));
    let unknown = gruppenbuch_app::domain::ids::YouthId::fresh();
    assert_eq!(cx.youth(Action::ViewEntries, &unknown).await, Err(AppError::NotFound));
    // Their own young person's record they see, but may not keep the case plan: forbidden.
    assert_eq!(cx.youth(Action::ManageCasePlan, &id(&fx.own_youth)).await, Err(AppError::Forbidden));
    // Lists: what went past the group is not in the staff's scope.
    let scope = cx.scope(Action::ViewFeed).await.expect("scope");
    let own: gruppenbuch_app::domain::ids::GroupId = id(&fx.own_group);
    assert!(scope.includes(&own) && !scope.past_group(&own));
    assert!(!scope.includes(&id(&fx.foreign_group)));
    cx.rollback().await.expect("rollback");
}
