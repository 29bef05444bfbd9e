//! `scripts/bench-ops.sh`: how many sealed notes the real release server stores per second
//! under 50 phones sending at once, with which latency and memory. Not a pass/fail test
//! (ignored in `make test`).
//!
//! 50 clients, each with a `fachkraft` session of its own, send sealed daily notes
//! through `POST /api/outbox/deliver` one after the other (each note sealed by the client
//! as a phone does, then sent on a new connection) for `GB_LOAD_SECONDS` (default 20).
//! Without `TEST_DATABASE_URL` on SQLite with one instance; with a PostgreSQL
//! `TEST_DATABASE_URL` on PostgreSQL with one instance, then with two instances on one
//! database (clients alternate between them, no balancer). Memory is each process's
//! resident set after start-up (idle) and its high-water mark at the end, after the 50
//! logins and the load (peak); with two instances both are printed as `A,B`.

use crate::common::{fresh_database_url, new_id, sealed_form};
use crate::server_process::{self, ServerProcess, backend_name, call, login, note_payload, percentile_ms};
use gruppenbuch_app::db::Store;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 50;

#[derive(Default)]
struct ClientResult {
    latencies: Vec<Duration>,
    errors: u64,
    first_error: Option<String>,
}

async fn client(
    addr: std::net::SocketAddr,
    cookie: String,
    ids: Arc<server_process::DemoIds>,
    until: Instant,
    n: usize,
) -> ClientResult {
    let mut out = ClientResult::default();
    let mut sent = 0u64;
    while Instant::now() < until {
        sent += 1;
        let id = new_id();
        let text = format!("Lastprobe Telefon {n} Notiz {sent}: Hausaufgaben gemacht, beim Sport gewesen.");
        let body = sealed_form(&ids.key, &id, "note", &note_payload(&ids.author, &id, &ids.youth, &text));
        let start = Instant::now();
        let res = call(addr, Some(&cookie), "/api/outbox/deliver", &body).await;
        let took = start.elapsed();
        match res {
            Ok(res) if res.status == 200 && res.json()["id"] == id.as_str() && res.json()["duplicate"] == false => {
                out.latencies.push(took);
            }
            other => {
                out.errors += 1;
                if out.first_error.is_none() {
                    out.first_error = Some(format!("{other:?}"));
                }
            }
        }
    }
    out
}

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

async fn run(instances: usize, seconds: u64) {
    let url = fresh_database_url().await;
    let backend = backend_name(&url);
    // One after the other: the first seeds the demo institute.
    let mut servers = vec![ServerProcess::start(&url, &[("GB_DEMO", "1")]).await];
    for _ in 1..instances {
        servers.push(ServerProcess::start(&url, &[]).await);
    }
    let ids = {
        let store = Store::connect(&url).await.expect("open store");
        let ids = server_process::demo_ids(&store).await;
        store.pool().close().await;
        Arc::new(ids)
    };
    let rss_idle: Vec<String> = servers.iter().map(|s| mib(s.rss_kib())).collect();
    let since = gruppenbuch_app::db::now_ms();
    let mut sessions = Vec::new();
    for n in 0..CLIENTS {
        let addr = servers[n % instances].addr;
        sessions.push((addr, login(addr, "fachkraft").await));
    }

    let start = Instant::now();
    let until = start + Duration::from_secs(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for (n, (addr, cookie)) in sessions.into_iter().enumerate() {
        tasks.spawn(client(addr, cookie, ids.clone(), until, n));
    }
    let mut latencies = Vec::new();
    let (mut errors, mut first_error) = (0, None);
    while let Some(done) = tasks.join_next().await {
        let done = done.expect("client task");
        latencies.extend(done.latencies);
        errors += done.errors;
        first_error = first_error.or(done.first_error);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let rss_peak: Vec<String> = servers.iter().map(|s| mib(s.peak_rss_kib())).collect();
    latencies.sort_unstable();

    let store = Store::connect(&url).await.expect("open store");
    let mut conn = store.pool().acquire().await.expect("conn");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM entries WHERE author_id = $1 AND created_at >= $2")
        .bind(&ids.author)
        .bind(since)
        .fetch_one(&mut *conn)
        .await
        .expect("count");
    println!(
        "load-bench: backend={backend} instances={instances} clients={CLIENTS} seconds={elapsed:.1} entries={} \
         entries_per_s={:.0} p50_ms={:.1} p99_ms={:.1} rss_idle_mib={} rss_peak_mib={} errors={errors}",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        percentile_ms(&latencies, 50),
        percentile_ms(&latencies, 99),
        rss_idle.join(","),
        rss_peak.join(","),
    );
    if let Some(e) = first_error {
        println!("load-bench: first error: {e}");
    }
    assert_eq!(stored, i64::try_from(latencies.len()).unwrap_or(-1), "every acknowledged note is stored");
    for server in &mut servers {
        assert!(server.running(), "the server died under load:\n{}", server.log_tail(20));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run by scripts/bench-ops.sh"]
async fn load_bench() {
    let seconds = std::env::var("GB_LOAD_SECONDS").ok().and_then(|v| v.parse().ok()).filter(|s| *s > 0).unwrap_or(20);
    let postgres = std::env::var("TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres"));
    run(1, seconds).await;
    if postgres {
        run(2, seconds).await;
    }
}
