//! Running the release server as several processes, and stopping one.
//!
//! Two instances on one PostgreSQL database (PostgreSQL only; on SQLite the test prints a
//! note and returns): both start at the same moment and migrate once; a session made on
//! one works on the other and ends on both at logout; an entry delivered through one is
//! in the other's feed; their JSON logs carry request ids and no personal data.
//!
//! A server stopped with SIGTERM (a rolling restart) finishes the requests it already
//! took, and exits with 0 (both backends).

use crate::common::{fresh_database_url, new_id, sealed_form};
use crate::server_process::{self, ServerProcess, backend_name, call, login, note_payload, request};
use gruppenbuch_app::db::Store;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The migration versions shipped for PostgreSQL (`migrations/postgres/NNNN_*.sql`).
fn shipped_migrations() -> Vec<i64> {
    let dir = server_process::repo_root().join("migrations/postgres");
    let mut versions: Vec<i64> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".sql"))
        .filter_map(|name| name.split('_').next()?.parse().ok())
        .collect();
    versions.sort_unstable();
    versions
}

/// A word of letters only that nothing else in the database or the logs contains.
fn canary() -> String {
    let letters: String = new_id()
        .chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| char::from(b'g' + u8::try_from(c.to_digit(16).unwrap_or(0)).unwrap_or(0)))
        .take(12)
        .collect();
    format!("kanarienvogel{letters}")
}

/// The value of a `name=value` session cookie.
fn token(cookie: &str) -> &str {
    cookie.split_once('=').map(|(_, v)| v).unwrap_or(cookie)
}

fn feed_ids(page: &serde_json::Value) -> Vec<String> {
    ["pinned", "items"]
        .iter()
        .flat_map(|list| page[list].as_array().cloned().unwrap_or_default())
        .filter_map(|item| item["id"].as_str().map(str::to_owned))
        .collect()
}

/// Checks a JSON log: every line an object; every line logged inside a request names
/// its request id (a UUID); none of `secrets` anywhere. Returns how many lines were
/// logged inside a request.
fn check_json_log(name: &str, log: &str, secrets: &[&str]) -> usize {
    let mut in_request = 0;
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{name}: a log line that is not JSON ({e}): {line}"));
        assert!(value.is_object(), "{name}: a log line that is not a JSON object: {line}");
        let mut spans: Vec<&serde_json::Value> =
            value["spans"].as_array().map(|s| s.iter().collect()).unwrap_or_default();
        spans.push(&value["span"]);
        if let Some(span) = spans.into_iter().find(|s| s["name"] == "request") {
            in_request += 1;
            let id = span["request_id"].as_str().unwrap_or_default();
            assert!(uuid::Uuid::parse_str(id).is_ok(), "{name}: a request log line without a request id: {line}");
        }
    }
    for secret in secrets {
        assert!(!log.contains(secret), "{name}: the log contains {secret:?}:\n{log}");
    }
    in_request
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_database_share_migrations_sessions_and_entries() {
    let url = fresh_database_url().await;
    if backend_name(&url) != "postgres" {
        println!("instances: skipped on SQLite; several instances need PostgreSQL (TEST_DATABASE_URL=postgres://…)");
        return;
    }
    // Both at the same moment, on an empty database, both asked to seed the demo
    // institute: one seeds it, the other finds it seeded; both come up. Default log level:
    // every request is logged once.
    let mut a = ServerProcess::spawn(&url, &[("GB_LOG_FORMAT", "json"), ("GB_DEMO", "1")]);
    let mut b = ServerProcess::spawn(&url, &[("GB_LOG_FORMAT", "json"), ("GB_DEMO", "1")]);
    tokio::join!(a.wait_ready(), b.wait_ready());

    let store = Store::connect(&url).await.expect("open store");
    {
        let mut conn = store.pool().acquire().await.expect("conn");
        let applied: Vec<(i64, bool)> =
            sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&mut *conn)
                .await
                .expect("_sqlx_migrations");
        let versions: Vec<i64> = applied.iter().map(|(v, _)| *v).collect();
        assert_eq!(versions, shipped_migrations(), "each migration applied exactly once");
        assert!(applied.iter().all(|(_, ok)| *ok), "every migration succeeded: {applied:?}");
    }
    assert!(!gruppenbuch_app::db::demo::seed_if_empty(&store).await.expect("seed"), "an instance seeded it");
    {
        let mut conn = store.pool().acquire().await.expect("conn");
        let groups: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM groups").fetch_one(&mut *conn).await.expect("groups");
        assert_eq!(groups, 2, "the demo institute once, not twice");
    }
    let ids = server_process::demo_ids(&store).await;

    // A session made on A works on B.
    let staff = login(a.addr, "fachkraft").await;
    let anonymous = call(b.addr, None, "/api/feed/list", "input[q]=").await.expect("feed on B");
    assert_eq!(anonymous.status, 401, "the feed needs a session: {}", anonymous.body);
    let on_b = call(b.addr, Some(&staff), "/api/feed/list", "input[q]=").await.expect("feed on B");
    assert_eq!(on_b.status, 200, "A's session on B: {}", on_b.body);

    // A note delivered through A is stored once, whichever instance gets it again, and
    // B's feed shows it to the Fachberatung.
    let word = canary();
    let id = new_id();
    let body =
        sealed_form(&ids.key, &id, "note", &note_payload(&ids.author, &id, &ids.youth, &format!("Notiz {word} Ende")));
    let first = call(a.addr, Some(&staff), "/api/outbox/deliver", &body).await.expect("deliver on A");
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.json()["id"], id.as_str());
    assert_eq!(first.json()["duplicate"], false);
    let again = call(b.addr, Some(&staff), "/api/outbox/deliver", &body).await.expect("deliver on B");
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["duplicate"], true, "B knows what A stored");
    let advisor = login(b.addr, "fachberatung").await;
    let page = call(b.addr, Some(&advisor), "/api/feed/list", &format!("input[q]={word}")).await.expect("feed on B");
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(feed_ids(&page.json()), vec![id.clone()], "B's feed finds the note delivered through A");

    // Logging out on A ends the session on B as well.
    let origin = format!("http://{}", a.addr);
    let out = request(
        a.addr,
        "POST",
        "/auth/logout",
        &[("content-type", "application/x-www-form-urlencoded"), ("origin", &origin), ("accept", "text/html")],
        Some(&staff),
        Some(b""),
    )
    .await
    .expect("logout on A");
    assert_eq!(out.status, 303, "{}", out.body);
    let after = call(b.addr, Some(&staff), "/api/feed/list", "input[q]=").await.expect("feed on B");
    assert_eq!(after.status, 401, "a session ended on A is refused by B: {}", after.body);

    // A cross-site post: A logs a warning inside the request.
    let refused = request(
        a.addr,
        "POST",
        "/api/feed/list",
        &[("content-type", "application/x-www-form-urlencoded"), ("origin", "http://evil.example")],
        Some(&advisor),
        Some(b"input[q]="),
    )
    .await
    .expect("cross-site post");
    assert_eq!(refused.status, 403);

    for (name, server) in [("A", &mut a), ("B", &mut b)] {
        let status = server.terminate().await;
        assert!(status.success(), "instance {name} stopped with {status}:\n{}", server.log_tail(20));
    }
    let secrets = [word.as_str(), "fachkraft", "fachberatung", token(&staff), token(&advisor)];
    let in_request_a = check_json_log("instance A", &a.stderr_log(), &secrets);
    let in_request_b = check_json_log("instance B", &b.stderr_log(), &secrets);
    println!("instances: log lines inside a request: A={in_request_a} B={in_request_b}, all JSON with a request id");
    assert!(in_request_a >= 3, "A logged its requests and the refused cross-site post:\n{}", a.stderr_log());
    assert!(in_request_b >= 6, "B logged its requests:\n{}", b.stderr_log());
}

/// Sends the head of a sealed delivery with `Expect: 100-continue` and waits for the
/// `100 Continue`: hyper sends it when the handler starts reading the body, so the
/// request has been accepted and is being processed.
async fn start_delivery(addr: std::net::SocketAddr, cookie: &str, body: &str) -> tokio::net::TcpStream {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST /api/outbox/deliver HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\
         content-type: application/x-www-form-urlencoded\r\naccept: application/json\r\norigin: http://{addr}\r\n\
         sec-fetch-site: same-origin\r\ncookie: {cookie}\r\ncontent-length: {}\r\nexpect: 100-continue\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write head");
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    tokio::time::timeout(Duration::from_secs(20), async {
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await.expect("read 100 Continue");
            assert!(n > 0, "connection closed before 100 Continue");
            got.extend_from_slice(&buf[..n]);
        }
    })
    .await
    .expect("no 100 Continue within 20 s");
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 100"), "expected 100 Continue, got {text}");
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminated_server_finishes_the_requests_it_took_and_exits_cleanly() {
    const IN_FLIGHT: usize = 4;
    let url = fresh_database_url().await;
    let mut server = ServerProcess::start(&url, &[("GB_DEMO", "1")]).await;
    let addr = server.addr;
    let ids = {
        let store = Store::connect(&url).await.expect("open store");
        let ids = server_process::demo_ids(&store).await;
        store.pool().close().await;
        ids
    };
    let cookie = login(addr, "fachkraft").await;
    let mut open = Vec::new();
    for i in 0..IN_FLIGHT {
        let id = new_id();
        let body =
            sealed_form(&ids.key, &id, "note", &note_payload(&ids.author, &id, &ids.youth, &format!("Im Flug {i}")));
        let stream = start_delivery(addr, &cookie, &body).await;
        open.push((id, body, stream));
    }

    server.signal_terminate();
    // The server stops taking connections (so the shutdown is under way) …
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match tokio::net::TcpStream::connect(addr).await {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => break,
            _ => {
                assert!(Instant::now() < deadline, "the server still accepts connections 20 s after SIGTERM");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
    // … and still finishes each request it had taken, with a whole response.
    let mut delivered = Vec::new();
    for (id, body, mut stream) in open {
        stream.write_all(body.as_bytes()).await.expect("write body");
        let mut raw = Vec::new();
        tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut raw))
            .await
            .expect("response within 30 s")
            .expect("read response");
        let res = server_process::parse_complete(&raw)
            .unwrap_or_else(|e| panic!("{id}: incomplete response ({e}): {}", String::from_utf8_lossy(&raw)));
        assert_eq!(res.status, 200, "{id}: {}", res.body);
        assert_eq!(res.json()["id"], id.as_str());
        assert_eq!(res.json()["duplicate"], false);
        delivered.push(id);
    }
    let status = server.wait_exit(Duration::from_secs(30)).await;
    assert!(status.success(), "exit status after SIGTERM: {status}\n{}", server.log_tail(20));

    let store = Store::connect(&url).await.expect("open store");
    let mut conn = store.pool().acquire().await.expect("conn");
    for id in &delivered {
        let stored =
            gruppenbuch_app::db::entries::count_with_id(&mut conn, &crate::common::id(id)).await.expect("count");
        assert_eq!(stored, 1, "{id}: the note in flight was stored once");
    }
}
