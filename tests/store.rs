//! The store against a real database (SQLite file or PostgreSQL).

use crate::common::{count, fresh_store};
use gruppenbuch_app::auth::CurrentUser;
use gruppenbuch_app::auth::session;
use gruppenbuch_app::db::{self, audit, demo, now_ms};
use gruppenbuch_app::domain::Role;
use gruppenbuch_app::domain::group::ValidGroup;

fn group(name: &str) -> ValidGroup {
    ValidGroup { name: name.into(), address: "Weg 1, 99084 Erfurt".into(), phone: "0361 1".into(), licensed: false }
}

#[tokio::test]
async fn the_demo_institute_is_seeded_once() {
    let store = fresh_store().await;
    assert!(demo::seed_if_empty(&store).await.expect("seed"));
    assert!(!demo::seed_if_empty(&store).await.expect("second seed"));
    assert_eq!(count(&store, "groups").await, 2);
    assert_eq!(count(&store, "youths").await, 6);
    assert_eq!(count(&store, "users").await, 8);
}

#[tokio::test]
async fn migrations_can_run_twice() {
    let store = fresh_store().await;
    store.migrate().await.expect("second migration run is a no-op");
}

#[tokio::test]
async fn a_group_name_is_unique_regardless_of_case() {
    let store = fresh_store().await;
    let mut tx = store.begin().await.expect("tx");
    db::groups::insert(&mut tx, &group("FWG Eiche")).await.expect("insert");
    let error = db::groups::insert(&mut tx, &group("fwg eiche")).await.expect_err("duplicate");
    assert!(db::is_unique_violation(&error));
}

#[tokio::test]
async fn a_rolled_back_transaction_leaves_nothing_behind() {
    let store = fresh_store().await;
    {
        let mut tx = store.begin().await.expect("tx");
        db::groups::insert(&mut tx, &group("FWG Weide")).await.expect("insert");
        // dropped without commit
    }
    assert_eq!(count(&store, "groups").await, 0);
}

#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes() {
    let store = fresh_store().await;
    let actor = CurrentUser {
        id: crate::common::id("0191d1c2-0000-7000-8000-000000000001"),
        login: "pruefer".into(),
        display_name: "Prüfer".into(),
        role: Role::Datenschutz,
        group_ids: vec![],
        youth_id: None,
        password_change_required: false,
    };
    let mut tx = store.begin().await.expect("tx");
    audit::record(
        &mut tx,
        &actor,
        audit::AuditRecord {
            action: gruppenbuch_app::domain::audit::AuditAction::Read,
            record_kind: gruppenbuch_app::domain::audit::RecordKind::Youth,
            record_id: None,
            youth_id: None,
        },
    )
    .await
    .expect("append");
    tx.commit().await.expect("commit");
    let mut conn = store.pool().acquire().await.expect("conn");
    assert!(sqlx::query("UPDATE audit_log SET action = 'x'").execute(&mut *conn).await.is_err());
    assert!(sqlx::query("DELETE FROM audit_log").execute(&mut *conn).await.is_err());
    assert_eq!(count(&store, "audit_log").await, 1);
}

#[tokio::test]
async fn a_session_ends_when_its_account_is_deactivated() {
    let store = fresh_store().await;
    demo::seed_if_empty(&store).await.expect("seed");
    let mut tx = store.begin().await.expect("tx");
    let user_id = db::accounts::credentials(&mut tx, "fachkraft").await.expect("query").expect("exists").id;
    let now = db::time_of(now_ms());
    let token = session::start(&mut tx, &user_id, now).await.expect("session");
    let hash = session::token_hash(&token);
    let user = session::resolve(&mut tx, &hash, now).await.expect("resolve").expect("live");
    assert_eq!(user.role, Role::Fachkraft);
    assert_eq!(user.group_ids.len(), 1);
    db::accounts::set_active(&mut tx, &user_id, false).await.expect("deactivate");
    assert!(session::resolve(&mut tx, &hash, now).await.expect("resolve").is_none());
}

#[tokio::test]
async fn an_idle_session_expires() {
    let store = fresh_store().await;
    demo::seed_if_empty(&store).await.expect("seed");
    let mut tx = store.begin().await.expect("tx");
    let user_id = db::accounts::credentials(&mut tx, "leitung").await.expect("query").expect("exists").id;
    let then = db::time_of(now_ms() - session::IDLE_MS - 1);
    let token = session::start(&mut tx, &user_id, then).await.expect("session");
    let now = db::time_of(now_ms());
    assert!(session::resolve(&mut tx, &session::token_hash(&token), now).await.expect("resolve").is_none());
    assert_eq!(session::purge_expired(&mut tx, now).await.expect("purge"), 0, "resolve already removed it");
}

#[tokio::test]
async fn login_failures_are_counted_per_key_within_the_window() {
    let store = fresh_store().await;
    let mut tx = store.begin().await.expect("tx");
    let now = now_ms();
    db::throttle::record_failure(&mut tx, "acct:a", now - 10_000).await.expect("f1");
    db::throttle::record_failure(&mut tx, "acct:a", now - 5_000).await.expect("f2");
    db::throttle::record_failure(&mut tx, "acct:b", now).await.expect("f3");
    db::throttle::record_failure(&mut tx, "acct:a", now - 100_000_000).await.expect("old");
    let (n, oldest) = db::throttle::failures_since(&mut tx, "acct:a", now - 60_000).await.expect("count");
    assert_eq!((n, oldest), (2, Some(now - 10_000)));
    db::throttle::clear(&mut tx, "acct:a", now - 60_000).await.expect("clear");
    assert_eq!(db::throttle::failures_since(&mut tx, "acct:a", 0).await.expect("count").0, 0);
    assert_eq!(db::throttle::failures_since(&mut tx, "acct:b", 0).await.expect("count").0, 1);
}
