//! The real release server as a child process, for the tests that crash it, stop it or
//! run several of it: `durability`, `instances` and `load_bench`.
//!
//! The binary is `GB_SERVER_BIN` or `target/release/gruppenbuch-server` (`make build`
//! makes it before `make test` runs the integration tests). The child runs in the
//! repository root with the environment of `scripts/server-env.sh`, on a port of its own
//! that it keeps across restarts, and writes its standard output and error into files in
//! a temporary directory of its own. It is killed when the handle is dropped.
//!
//! Also here: a small HTTP/1.1 client that, unlike `common::Client`, reports a refused
//! connection, a reset or a cut-off response as an error instead of panicking — what a
//! client sees while a server is being killed.

use crate::common::Response;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long a start may take until `/readyz` answers 200 (migrations on a busy machine).
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a request may take before the client gives up on it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The repository root (the parent of this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from(".."))
}

/// The server binary; panics with what to do when it is missing.
pub fn server_binary() -> PathBuf {
    let path = match std::env::var_os("GB_SERVER_BIN") {
        Some(p) => PathBuf::from(p),
        None => repo_root().join("target/release/gruppenbuch-server"),
    };
    assert!(
        path.is_file(),
        "the release server {} is missing: run `make build` first (or set GB_SERVER_BIN)",
        path.display()
    );
    path
}

/// `sqlite` or `postgres`, as the figures name the backend of a database URL.
pub fn backend_name(database_url: &str) -> &'static str {
    if database_url.starts_with("postgres") { "postgres" } else { "sqlite" }
}

/// A small pseudo-random generator (xorshift), seeded from the clock: for kill moments
/// and jitter, where only spread matters.
pub struct Jitter(u64);

impl Jitter {
    pub fn seeded() -> Jitter {
        let seed = uuid::Uuid::now_v7().as_u128();
        Jitter((seed as u64 ^ (seed >> 64) as u64) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

/// A port nobody listens on, below the range the kernel hands out for outgoing
/// connections: the server gets it again after a crash even while the test's clients
/// and the database connections open and close ephemeral ports.
fn free_port() -> u16 {
    let low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|p| p.parse::<u16>().ok()))
        .unwrap_or(32768)
        .max(12_000);
    let mut jitter = Jitter::seeded();
    for _ in 0..200 {
        let port = u16::try_from(jitter.between(10_000, u64::from(low) - 1)).unwrap_or(10_000);
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port found below {low}");
}

/// One server process (and its restarts).
pub struct ServerProcess {
    pub addr: SocketAddr,
    database_url: String,
    env: Vec<(String, String)>,
    dir: PathBuf,
    child: Option<Child>,
    /// How often it was started.
    pub starts: u32,
}

impl ServerProcess {
    /// Starts the server on `database_url` with extra environment (`GB_DEMO`,
    /// `GB_LOG_FORMAT`, `RUST_LOG`, …) and waits until it is ready.
    pub async fn start(database_url: &str, env: &[(&str, &str)]) -> ServerProcess {
        let mut server = ServerProcess::spawn(database_url, env);
        server.wait_ready().await;
        server
    }

    /// Starts the server without waiting for it (see [`ServerProcess::wait_ready`]), so
    /// that several can start at the same moment.
    pub fn spawn(database_url: &str, env: &[(&str, &str)]) -> ServerProcess {
        let dir = std::env::temp_dir().join(format!("gruppenbuch-server-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("server temp dir");
        let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let mut server = ServerProcess {
            addr,
            database_url: database_url.to_owned(),
            env: env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            dir,
            child: None,
            starts: 0,
        };
        server.launch();
        server
    }

    fn launch(&mut self) {
        assert!(self.child.is_none(), "the server is still running");
        let open = |name: &str| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.dir.join(name))
                .unwrap_or_else(|e| panic!("log file {name}: {e}"))
        };
        let mut cmd = Command::new(server_binary());
        cmd.current_dir(repo_root()).stdin(Stdio::null()).stdout(open("stdout.log")).stderr(open("stderr.log"));
        // Nothing of the test runner's own configuration leaks into the server.
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy().into_owned();
            if name.starts_with("GB_") || name.starts_with("LEPTOS_") || name == "DATABASE_URL" || name == "RUST_LOG" {
                cmd.env_remove(&name);
            }
        }
        cmd.envs([
            ("LEPTOS_OUTPUT_NAME", "gruppenbuch"),
            ("LEPTOS_SITE_ROOT", "target/site"),
            ("LEPTOS_SITE_PKG_DIR", "pkg"),
            ("LEPTOS_HASH_FILES", "true"),
            ("LEPTOS_ENV", "PROD"),
            ("GB_COOKIE_SECURE", "0"),
        ]);
        cmd.env("DATABASE_URL", &self.database_url).env("LEPTOS_SITE_ADDR", self.addr.to_string());
        // Instances of one database share one key file, as in production.
        cmd.env("GB_KEY_FILE", key_file_for(&self.database_url));
        cmd.envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        self.child = Some(cmd.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", server_binary().display())));
        self.starts += 1;
    }

    /// Waits until `/readyz` answers 200; panics with the end of the log when the
    /// process exits first or does not get ready in time.
    pub async fn wait_ready(&mut self) {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!("the server exited before it was ready ({status}):\n{}", self.log_tail(40));
            }
            if let Ok(Ok(res)) = tokio::time::timeout(
                Duration::from_secs(2),
                request(self.addr, "GET", "/readyz", &[("accept", "text/plain")], None, None),
            )
            .await
                && res.status == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server on {} was not ready within {READY_TIMEOUT:?}:\n{}",
                self.addr,
                self.log_tail(40)
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).expect("the server is not running")
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// SIGKILL, and wait until the process is gone: a crash, a power cut of the process.
    pub fn kill_hard(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Sends SIGTERM without waiting.
    pub fn signal_terminate(&self) {
        let status = Command::new("kill").arg("-TERM").arg(self.pid().to_string()).status().expect("run kill");
        assert!(status.success(), "kill -TERM {} failed", self.pid());
    }

    /// Waits up to `timeout` for the process to exit and returns its status.
    pub async fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            let child = self.child.as_mut().expect("the server is not running");
            if let Some(status) = child.try_wait().expect("wait for the server") {
                self.child = None;
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit within {timeout:?}:\n{}", self.log_tail(20));
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGTERM, and wait for the exit (up to 30 s).
    pub async fn terminate(&mut self) -> ExitStatus {
        self.signal_terminate();
        self.wait_exit(Duration::from_secs(30)).await
    }

    /// Starts the server again (same database, same port, same environment), killing it
    /// first if it still runs, and waits until it is ready.
    pub async fn restart(&mut self) {
        self.kill_hard();
        self.launch();
        self.wait_ready().await;
    }

    fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).expect("/proc/<pid>/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|rest| rest.trim_start_matches(':').split_whitespace().next().and_then(|n| n.parse().ok()))
            .unwrap_or_else(|| panic!("no {field} in /proc/<pid>/status"))
    }

    /// Resident memory now (VmRSS), in KiB.
    pub fn rss_kib(&self) -> u64 {
        self.status_kib("VmRSS")
    }

    /// The most resident memory so far (VmHWM), in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        self.status_kib("VmHWM")
    }

    /// Everything the server wrote to standard error, over all its starts.
    pub fn stderr_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("stderr.log")).unwrap_or_default()
    }

    /// The last `n` lines of standard output and standard error.
    pub fn log_tail(&self, n: usize) -> String {
        let mut out = String::new();
        for name in ["stdout.log", "stderr.log"] {
            let text = std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            out.push_str(&format!("--- {name} ({}):\n", self.dir.join(name).display()));
            out.push_str(&lines[lines.len().saturating_sub(n)..].join("\n"));
            out.push('\n');
        }
        out
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill_hard();
        // The logs stay for a failed test to be looked at.
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// One HTTP/1.1 request on a new connection (`connection: close`). A refused
/// connection, a reset, a timeout or a response cut off before its end is an error.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    cookie: Option<&str>,
    body: Option<&[u8]>,
) -> std::io::Result<Response> {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        let mut head = format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(cookie) = cookie {
            head.push_str(&format!("cookie: {cookie}\r\n"));
        }
        let body = body.unwrap_or_default();
        if method != "GET" {
            head.push_str(&format!("content-length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body).await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        parse_complete(&raw)
    };
    tokio::time::timeout(REQUEST_TIMEOUT, exchange)
        .await
        .unwrap_or_else(|_| Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "request timed out")))
}

/// Parses a whole response; one that ends early (the server died while sending) is an
/// error. A leading `100 Continue` is skipped.
pub fn parse_complete(mut raw: &[u8]) -> std::io::Result<Response> {
    let cut = |what: &str| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, what.to_owned());
    loop {
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| cut("no end of the header"))?;
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.split("\r\n");
        let status: u16 = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| cut("no status line"))?;
        let rest = &raw[split + 4..];
        if status == 100 {
            raw = rest;
            continue;
        }
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        let body = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            dechunk(rest).ok_or_else(|| cut("chunked body cut off"))?
        } else if let Some(length) = header("content-length") {
            let length: usize = length.parse().map_err(|_| cut("bad content-length"))?;
            if rest.len() < length {
                return Err(cut("body cut off"));
            }
            rest[..length].to_vec()
        } else {
            rest.to_vec()
        };
        return Ok(Response { status, headers, body: String::from_utf8_lossy(&body).into_owned() });
    }
}

/// A chunked body, or `None` when it ends before its last chunk.
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        if data.len() < size + 2 {
            return None;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// Calls a server function as the hydrated app does (see `common::Client::call`).
pub async fn call(addr: SocketAddr, cookie: Option<&str>, path: &str, form: &str) -> std::io::Result<Response> {
    let origin = format!("http://{addr}");
    let headers = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("accept", "application/json"),
        ("origin", origin.as_str()),
        ("sec-fetch-site", "same-origin"),
    ];
    request(addr, "POST", path, &headers, cookie, Some(form.as_bytes())).await
}

/// Logs in with the demo password through the login form; the session cookie
/// (`name=value`), or an error when the server does not answer or refuses.
pub async fn try_login(addr: SocketAddr, login: &str) -> std::io::Result<String> {
    let origin = format!("http://{addr}");
    let form = format!("login={login}&password={}", crate::common::enc(gruppenbuch_app::db::demo::DEMO_PASSWORD));
    let headers =
        [("content-type", "application/x-www-form-urlencoded"), ("origin", origin.as_str()), ("accept", "text/html")];
    let res = request(addr, "POST", "/auth/login", &headers, None, Some(form.as_bytes())).await?;
    match (res.status, res.header("set-cookie")) {
        (303, Some(cookie)) => Ok(cookie.split(';').next().unwrap_or_default().to_owned()),
        _ => Err(std::io::Error::other(format!("login of {login} answered {}: {}", res.status, res.body))),
    }
}

/// Logs in; panics when that fails.
pub async fn login(addr: SocketAddr, login: &str) -> String {
    try_login(addr, login).await.unwrap_or_else(|e| panic!("{e}"))
}

/// What a phone seals for a daily note of `author` about `subject`.
pub fn note_payload(author: &str, id: &str, subject: &str, text: &str) -> serde_json::Value {
    serde_json::json!({
        "author_id": author,
        "note": { "id": id, "subject": subject, "date": crate::common::today(), "category": "schule", "text": text }
    })
}

/// The key file of the servers on a database (one per database, shared by its instances).
pub fn key_file_for(database_url: &str) -> std::path::PathBuf {
    use sha2::{Digest, Sha256};
    let digest: String = Sha256::digest(database_url.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect();
    std::env::temp_dir().join(format!("gruppenbuch-key-{digest}.key"))
}

/// The ids a harness needs from a database with the demo institute.
pub struct DemoIds {
    pub key: crate::common::OutboxKey,
    /// The account of `fachkraft`.
    pub author: String,
    /// Mia, a young person of `fachkraft`'s group (FWG Sonnenhaus).
    pub youth: String,
}

pub async fn demo_ids(store: &gruppenbuch_app::db::Store) -> DemoIds {
    let mut conn = store.pool().acquire().await.expect("conn");
    // The server made its outbox key at start-up.
    let key = gruppenbuch_app::sealing::keys::current_public(&mut conn).await.expect("outbox key").expect("made");
    let key = crate::common::OutboxKey { key_id: key.key_id, public_key: key.public_key };
    let author: String = sqlx::query_scalar("SELECT id FROM users WHERE login = 'fachkraft'")
        .fetch_one(&mut *conn)
        .await
        .expect("fachkraft");
    let youth: String = sqlx::query_scalar(
        "SELECT y.id FROM youths y JOIN groups g ON g.id = y.group_id \
         WHERE g.name = 'FWG Sonnenhaus' AND y.first_name = 'Mia'",
    )
    .fetch_one(&mut *conn)
    .await
    .expect("Mia");
    DemoIds { key, author, youth }
}

/// The `p` (1..=100) percentile of sorted durations (nearest rank), in milliseconds.
pub fn percentile_ms(sorted: &[Duration], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (sorted.len() * p).div_ceil(100).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}
