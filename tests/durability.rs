//! Crash safety of the real release server: notes sent by many phones while the server
//! is killed (SIGKILL) again and again at random moments. A note counts as acknowledged
//! only when its receipt arrived; every acknowledged note must be in the database exactly
//! once afterwards, with its first version and its feed row, and nothing else may be.
//!
//! The clients do what a phone's outbox does: on a refused connection, a reset, a
//! response cut off or a 5xx they wait and send the very same sealed item again until a
//! receipt comes. A receipt saying `duplicate` means an earlier send had committed though
//! its response was lost; those are counted. Sessions live in the database and must
//! survive every restart: a client that has to log in again counts as a failure.
//!
//! Short by default (`GB_DURABILITY_KILLS`=5, `GB_DURABILITY_CLIENTS`=10);
//! `scripts/bench-ops.sh` runs it with 100 kills and 20 clients.

use crate::common::fresh_database_url;
use crate::server_process::{self, Jitter, ServerProcess, backend_name, call, note_payload, try_login};
use gruppenbuch_app::db::Store;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).filter(|n| *n > 0).unwrap_or(default)
}

/// What the clients found, shared with the test.
#[derive(Default)]
struct Tally {
    stop: AtomicBool,
    /// Ids whose receipt arrived.
    acknowledged: Mutex<Vec<String>>,
    /// Receipts with `duplicate: true` after an earlier send of the same item.
    resent_after_lost_response: AtomicU64,
    /// Sends repeated after an error (connection refused or reset, cut-off response, 5xx).
    resends: AtomicU64,
    /// Sessions the server no longer knew (401): must stay 0.
    sessions_lost: AtomicU64,
    /// Anything a correct server never answers.
    anomalies: Mutex<Vec<String>>,
}

impl Tally {
    fn anomaly(&self, what: String) {
        self.anomalies.lock().expect("anomalies").push(what);
    }
}

/// One phone: sends notes one after the other until told to stop, each until its
/// receipt arrives.
async fn phone(addr: SocketAddr, mut cookie: String, ids: Arc<server_process::DemoIds>, tally: Arc<Tally>, n: usize) {
    let mut jitter = Jitter::seeded();
    let mut sent = 0u64;
    while !tally.stop.load(Ordering::SeqCst) {
        sent += 1;
        let id = crate::common::new_id();
        let text = format!("Dauerprobe Telefon {n} Notiz {sent}");
        let body =
            crate::common::sealed_form(&ids.key, &id, "note", &note_payload(&ids.author, &id, &ids.youth, &text));
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if attempt > 2000 {
                tally.anomaly(format!("{id}: no receipt after {attempt} sends"));
                return;
            }
            match call(addr, Some(&cookie), "/api/outbox/deliver", &body).await {
                Ok(res) if res.status == 200 => {
                    let receipt: serde_json::Value = match serde_json::from_str(&res.body) {
                        Ok(v) => v,
                        Err(e) => {
                            tally.anomaly(format!("{id}: receipt is not JSON ({e}): {}", res.body));
                            return;
                        }
                    };
                    if receipt["id"] != id.as_str() {
                        tally.anomaly(format!("{id}: receipt for another id: {}", res.body));
                        return;
                    }
                    if receipt["duplicate"] == true {
                        if attempt == 1 {
                            tally.anomaly(format!("{id}: a fresh id was called a duplicate"));
                        }
                        tally.resent_after_lost_response.fetch_add(1, Ordering::SeqCst);
                    }
                    tally.acknowledged.lock().expect("acknowledged").push(id);
                    break;
                }
                Ok(res) if res.status == 401 => {
                    // The session is gone: log in again (that is the failure counted).
                    tally.sessions_lost.fetch_add(1, Ordering::SeqCst);
                    loop {
                        match try_login(addr, "fachkraft").await {
                            Ok(c) => {
                                cookie = c;
                                break;
                            }
                            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                        }
                    }
                }
                Ok(res) if res.status >= 500 => {
                    tally.resends.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(jitter.between(20, 80))).await;
                }
                Ok(res) => {
                    tally.anomaly(format!("{id}: unexpected {}: {}", res.status, res.body));
                    return;
                }
                Err(_) => {
                    tally.resends.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(jitter.between(20, 80))).await;
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_note_survives_hard_kills_exactly_once() {
    let kills = env_number("GB_DURABILITY_KILLS", 5);
    let clients = usize::try_from(env_number("GB_DURABILITY_CLIENTS", 10)).unwrap_or(10);
    let url = fresh_database_url().await;
    let backend = backend_name(&url);
    let mut server = ServerProcess::start(&url, &[("GB_DEMO", "1")]).await;
    let addr = server.addr;

    // The outbox key and the ids, read directly; the store is closed again so that only
    // the server has the database open while it is being killed.
    let ids = {
        let store = Store::connect(&url).await.expect("open store");
        let ids = server_process::demo_ids(&store).await;
        store.pool().close().await;
        Arc::new(ids)
    };
    let since = gruppenbuch_app::db::now_ms();
    let mut cookies = Vec::new();
    for _ in 0..clients {
        cookies.push(server_process::login(addr, "fachkraft").await);
    }

    let tally = Arc::new(Tally::default());
    let mut phones = tokio::task::JoinSet::new();
    for (n, cookie) in cookies.into_iter().enumerate() {
        phones.spawn(phone(addr, cookie, ids.clone(), tally.clone(), n));
    }
    let mut jitter = Jitter::seeded();
    for _ in 0..kills {
        tokio::time::sleep(Duration::from_millis(jitter.between(150, 1500))).await;
        server.kill_hard();
        server.restart().await;
    }
    // Let the phones finish what they are sending, then stop.
    tally.stop.store(true, Ordering::SeqCst);
    while let Some(done) = phones.join_next().await {
        done.expect("phone task");
    }

    // A last crash, then check on a fresh start.
    server.kill_hard();
    server.restart().await;
    let acknowledged = tally.acknowledged.lock().expect("acknowledged").clone();
    let store = Store::connect(&url).await.expect("open store");
    let mut conn = store.pool().acquire().await.expect("conn");
    let (mut lost, mut duplicated, mut checked) = (0u64, 0u64, 0u64);
    for id in &acknowledged {
        checked += 1;
        match gruppenbuch_app::db::entries::count_with_id(&mut conn, &crate::common::id(id)).await.expect("count") {
            0 => lost += 1,
            1 => {}
            _ => duplicated += 1,
        }
    }
    // Every entry (not only the harness's) has its current version, the version rows
    // exist once each, and every entry is in the feed.
    let without_version: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM entries e WHERE NOT EXISTS \
         (SELECT 1 FROM entry_versions v WHERE v.entry_id = e.id AND v.version = e.version)",
    )
    .fetch_one(&mut *conn)
    .await
    .expect("entries without version");
    let without_feed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM entries e WHERE NOT EXISTS (SELECT 1 FROM feed_items f WHERE f.id = e.id)",
    )
    .fetch_one(&mut *conn)
    .await
    .expect("entries without feed row");
    let stored: Vec<String> = sqlx::query_scalar("SELECT id FROM entries WHERE author_id = $1 AND created_at >= $2")
        .bind(&ids.author)
        .bind(since)
        .fetch_all(&mut *conn)
        .await
        .expect("the harness's entries");
    let harness_versions: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM entry_versions v JOIN entries e ON e.id = v.entry_id \
         WHERE e.author_id = $1 AND e.created_at >= $2",
    )
    .bind(&ids.author)
    .bind(since)
    .fetch_one(&mut *conn)
    .await
    .expect("the harness's versions");
    let integrity = if backend == "sqlite" {
        let rows: Vec<String> =
            sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&mut *conn).await.expect("integrity_check");
        let foreign: Vec<String> = sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_check")
            .fetch_all(&mut *conn)
            .await
            .expect("foreign_key_check");
        assert!(foreign.is_empty(), "foreign key violations in {foreign:?}");
        rows.join("; ")
    } else {
        "ok".to_owned()
    };

    // The server reads some of them back after the restart, with the text that was sent.
    let cookie = server_process::login(server.addr, "fachkraft").await;
    for id in acknowledged.iter().step_by((acknowledged.len() / 10).max(1)) {
        let res = call(server.addr, Some(&cookie), "/api/entries/get", &format!("id={id}")).await.expect("entries/get");
        assert_eq!(res.status, 200, "{id}: {}", res.body);
        let text = res.json()["entry"]["body"]["body"]["text"].as_str().unwrap_or_default().to_owned();
        assert!(text.starts_with("Dauerprobe Telefon"), "{id}: {text}");
    }

    println!(
        "durability: backend={backend} kills={kills} clients={clients} acknowledged={} checked={checked} lost={lost} \
         duplicated={duplicated} resent_after_lost_response={}",
        acknowledged.len(),
        tally.resent_after_lost_response.load(Ordering::SeqCst)
    );
    let anomalies = tally.anomalies.lock().expect("anomalies").clone();
    assert!(anomalies.is_empty(), "answers a correct server never gives: {anomalies:#?}");
    assert_eq!(lost, 0, "acknowledged notes missing after the crashes");
    assert_eq!(duplicated, 0, "acknowledged notes stored more than once");
    assert_eq!(tally.sessions_lost.load(Ordering::SeqCst), 0, "sessions lost across restarts");
    assert_eq!(without_version, 0, "entries without their version row");
    assert_eq!(without_feed, 0, "entries without their feed row");
    assert_eq!(integrity, "ok", "PRAGMA integrity_check");
    let unique: HashSet<&String> = acknowledged.iter().collect();
    assert_eq!(unique.len(), acknowledged.len(), "an id was acknowledged twice");
    let stored: HashSet<&String> = stored.iter().collect();
    assert_eq!(stored, unique, "the stored entries are exactly the acknowledged ones");
    assert_eq!(harness_versions, i64::try_from(acknowledged.len()).unwrap_or(-1), "one version per note");
    assert!(!acknowledged.is_empty(), "nothing was acknowledged");
    assert!(server.running(), "the server must still run");
}
