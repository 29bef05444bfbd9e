//! Alarm e-mail through a relay like the institute's: a real SMTP peer on loopback that
//! speaks STARTTLS, or TLS from the first byte, with a certificate made here, and wants a
//! login (AUTH PLAIN or LOGIN) before it takes a message; a relay that never answers; and
//! the settings that stop the server before it starts. The plain relay of the incident
//! tests is in `incidents.rs`.

use crate::common::fresh_store;
use gruppenbuch_app::db::{Store, incidents};
use gruppenbuch_server::alerts::{AlertConfig, Round, Smtp, alarm_mail, round};
use gruppenbuch_server::config::smtp_from;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::Mutex;

const USER: &str = "gruppenbuch@relay.example";
/// With spaces and punctuation: a password is taken as it is.
const PASSWORD: &str = "Sommer 2026, Haus 3!";

/// How the relay answers.
#[derive(Clone, Copy)]
struct Behaviour {
    /// TLS from the first byte (port 465) instead of STARTTLS.
    implicit_tls: bool,
    /// The `AUTH` mechanisms it offers once the connection is encrypted.
    mechanisms: &'static str,
}

/// A message the relay took, and how it came.
#[derive(Clone, Debug)]
struct Delivery {
    text: String,
    encrypted: bool,
    /// `"PLAIN <user>"` or `"LOGIN <user>"`.
    login: String,
}

type Inbox = Arc<Mutex<Vec<Delivery>>>;

/// A relay on 127.0.0.1 with a self-signed certificate for that address.
struct Relay {
    port: u16,
    certificate_pem: String,
    inbox: Inbox,
}

async fn relay(behaviour: Behaviour) -> Relay {
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("certificate");
    let certificate_pem = made.cert.pem();
    let chain: Vec<CertificateDer<'static>> = vec![made.cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let tls = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server certificate");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let inbox = Inbox::default();
    let keep = inbox.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, inbox) = (acceptor.clone(), keep.clone());
            tokio::spawn(async move {
                if behaviour.implicit_tls {
                    if let Ok(tls) = acceptor.accept(tcp).await {
                        converse(tls, true, behaviour, &inbox).await;
                    }
                } else if let Some(tcp) = converse(tcp, false, behaviour, &inbox).await
                    && let Ok(tls) = acceptor.accept(tcp).await
                {
                    converse_encrypted(tls, behaviour, &inbox).await;
                }
            });
        }
    });
    Relay { port, certificate_pem, inbox }
}

/// After STARTTLS the client speaks first (EHLO again), without a greeting.
async fn converse_encrypted<S: AsyncRead + AsyncWrite + Unpin>(stream: S, behaviour: Behaviour, inbox: &Inbox) {
    session(BufReader::new(stream), true, behaviour, inbox).await;
}

/// Greets and runs one SMTP session; gives the connection back when the client asks for
/// STARTTLS.
async fn converse<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    encrypted: bool,
    behaviour: Behaviour,
    inbox: &Inbox,
) -> Option<S> {
    let mut stream = BufReader::new(stream);
    stream.get_mut().write_all(b"220 relay.example ESMTP\r\n").await.ok()?;
    session(stream, encrypted, behaviour, inbox).await
}

async fn session<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: BufReader<S>,
    encrypted: bool,
    behaviour: Behaviour,
    inbox: &Inbox,
) -> Option<S> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let decode = |text: &str| String::from_utf8(b64.decode(text.trim()).unwrap_or_default()).unwrap_or_default();
    let mut login: Option<String> = None;
    loop {
        let line = read_line(&mut stream).await?;
        let verb = line.to_ascii_uppercase();
        let reply = if verb.starts_with("EHLO") {
            // Like real relays: a login is offered only on an encrypted connection. No
            // 8BITMIME, so the message has to be 7-bit.
            let offer = if encrypted {
                format!("250-AUTH {}\r\n", behaviour.mechanisms)
            } else {
                "250-STARTTLS\r\n".to_owned()
            };
            format!("250-relay.example\r\n{offer}250 SIZE 1000000\r\n")
        } else if verb.starts_with("STARTTLS") && !encrypted {
            stream.get_mut().write_all(b"220 2.0.0 go ahead\r\n").await.ok()?;
            return Some(stream.into_inner());
        } else if verb.starts_with("AUTH") && !encrypted {
            "538 5.7.11 Encryption required\r\n".to_owned()
        } else if verb.starts_with("AUTH PLAIN") && behaviour.mechanisms.contains("PLAIN") {
            let given = decode(&line["AUTH PLAIN".len()..]);
            if given == format!("\0{USER}\0{PASSWORD}") {
                login = Some(format!("PLAIN {USER}"));
                "235 2.7.0 ok\r\n".to_owned()
            } else {
                "535 5.7.8 wrong user or password\r\n".to_owned()
            }
        } else if verb.starts_with("AUTH LOGIN") && behaviour.mechanisms.contains("LOGIN") {
            stream.get_mut().write_all(b"334 VXNlcm5hbWU6\r\n").await.ok()?;
            let user = decode(&read_line(&mut stream).await?);
            stream.get_mut().write_all(b"334 UGFzc3dvcmQ6\r\n").await.ok()?;
            let password = decode(&read_line(&mut stream).await?);
            if (user.as_str(), password.as_str()) == (USER, PASSWORD) {
                login = Some(format!("LOGIN {USER}"));
                "235 2.7.0 ok\r\n".to_owned()
            } else {
                "535 5.7.8 wrong user or password\r\n".to_owned()
            }
        } else if verb.starts_with("AUTH") {
            "504 5.5.4 mechanism not offered\r\n".to_owned()
        } else if verb.starts_with("MAIL") && login.is_none() {
            "530 5.7.0 Authentication required\r\n".to_owned()
        } else if verb.starts_with("DATA") {
            stream.get_mut().write_all(b"354 go on\r\n").await.ok()?;
            let mut text = String::new();
            loop {
                let line = read_line(&mut stream).await?;
                if line == ".\r\n" {
                    break;
                }
                text.push_str(&line);
            }
            let login = login.clone().unwrap_or_default();
            inbox.lock().await.push(Delivery { text, encrypted, login });
            "250 2.0.0 queued\r\n".to_owned()
        } else if verb.starts_with("QUIT") {
            let _ = stream.get_mut().write_all(b"221 bye\r\n").await;
            return None;
        } else {
            "250 ok\r\n".to_owned()
        };
        stream.get_mut().write_all(reply.as_bytes()).await.ok()?;
    }
}

async fn read_line<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut BufReader<S>) -> Option<String> {
    let mut line = String::new();
    match stream.read_line(&mut line).await {
        Ok(n) if n > 0 => Some(line),
        _ => None,
    }
}

/// The body of a quoted-printable message part, decoded.
fn quoted_printable_body(message: &str) -> String {
    let body = message.split_once("\r\n\r\n").map(|(_, body)| body).unwrap_or_default();
    let joined = body.replace("=\r\n", "");
    let mut bytes = Vec::new();
    let mut rest = joined.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        let hex = tail.get(..2).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (first, hex) {
            (b'=', Some(byte)) => {
                bytes.push(byte);
                rest = &tail[2..];
            }
            _ => {
                bytes.push(first);
                rest = tail;
            }
        }
    }
    String::from_utf8(bytes).expect("UTF-8 body")
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gruppenbuch-mail-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write");
    path.display().to_string()
}

/// The relay as the operator would configure it, through the server's own parser.
fn settings(pairs: &[(&str, &str)]) -> Result<Option<Smtp>, String> {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    smtp_from(|name| map.get(name).cloned())
}

fn alerts(smtp: Smtp) -> AlertConfig {
    AlertConfig {
        smtp: Some(smtp),
        public_url: "https://gb.example.org".into(),
        escalate_after: Duration::from_secs(3600),
        interval: Duration::from_secs(1),
    }
}

/// Queues the alarm of a new incident for `to`; its id and the body.
async fn queue_alarm(store: &Store, to: &str) -> (String, String) {
    let id = uuid::Uuid::now_v7().to_string();
    let (subject, body) = alarm_mail("https://gb.example.org", &id, false);
    let mut conn = store.pool().acquire().await.expect("conn");
    incidents::queue_mail(&mut conn, to, &subject, &body).await.expect("queue");
    (id, body)
}

async fn queue_row(store: &Store) -> (i64, Option<i64>, Option<String>) {
    let mut conn = store.pool().acquire().await.expect("conn");
    sqlx::query_as("SELECT attempts, sent_at, last_error FROM mail_queue").fetch_one(&mut *conn).await.expect("row")
}

#[tokio::test]
async fn alarm_mail_goes_through_starttls_after_a_plain_login_with_the_password_from_a_file() {
    let relay = relay(Behaviour { implicit_tls: false, mechanisms: "PLAIN LOGIN" }).await;
    let dir = temp_dir();
    let port = relay.port.to_string();
    let password_file = write(&dir, "smtp-passwort", &format!("{PASSWORD}\n"));
    let ca_file = write(&dir, "relay.pem", &relay.certificate_pem);
    let smtp = settings(&[
        ("GB_SMTP_HOST", "127.0.0.1"),
        ("GB_SMTP_PORT", &port),
        ("GB_SMTP_TLS", "starttls"),
        ("GB_SMTP_USER", USER),
        ("GB_SMTP_PASSWORD_FILE", &password_file),
        ("GB_SMTP_CA_FILE", &ca_file),
        ("GB_MAIL_FROM", "gruppenbuch@example.org"),
    ])
    .expect("valid settings")
    .expect("a relay");
    let store = fresh_store().await;
    let (id, body) = queue_alarm(&store, "leitung@example.org").await;

    let done = round(&store, &alerts(smtp)).await.expect("round");
    assert_eq!(done, Round { sent: 1, ..Round::default() });
    let inbox = relay.inbox.lock().await.clone();
    let [mail] = inbox.as_slice() else { panic!("one message: {inbox:?}") };
    assert!(mail.encrypted, "the message went over TLS");
    assert_eq!(mail.login, format!("PLAIN {USER}"));
    assert!(mail.text.is_ascii(), "7-bit for relays without 8BITMIME: {}", mail.text);
    assert!(mail.text.contains("To: <leitung@example.org>\r\n"), "{}", mail.text);
    assert!(mail.text.contains("Subject: Gruppenbuch: Neues besonderes Vorkommnis\r\n"), "{}", mail.text);
    assert!(mail.text.contains("Content-Transfer-Encoding: quoted-printable"), "{}", mail.text);
    let decoded = quoted_printable_body(&mail.text);
    // The line ends after the text belong to the message's framing.
    assert_eq!(decoded.trim_end(), body.trim_end(), "the body is the alarm text and nothing else");
    assert!(decoded.contains(&format!("https://gb.example.org/vorkommnisse/{id}")));
    assert!(queue_row(&store).await.1.is_some(), "marked sent");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_relay_on_port_465_gets_tls_from_the_first_byte_and_an_auth_login() {
    let relay = relay(Behaviour { implicit_tls: true, mechanisms: "LOGIN" }).await;
    let dir = temp_dir();
    let port = relay.port.to_string();
    let ca_file = write(&dir, "relay.pem", &relay.certificate_pem);
    let smtp = settings(&[
        ("GB_SMTP_HOST", "127.0.0.1"),
        ("GB_SMTP_PORT", &port),
        ("GB_SMTP_TLS", "tls"),
        ("GB_SMTP_USER", USER),
        ("GB_SMTP_PASSWORD", PASSWORD),
        ("GB_SMTP_CA_FILE", &ca_file),
    ])
    .expect("valid settings")
    .expect("a relay");
    let store = fresh_store().await;
    queue_alarm(&store, "fachberatung@example.org").await;
    assert_eq!(round(&store, &alerts(smtp)).await.expect("round").sent, 1);
    let inbox = relay.inbox.lock().await.clone();
    assert_eq!(inbox.len(), 1, "{inbox:?}");
    assert!(inbox[0].encrypted);
    assert_eq!(inbox[0].login, format!("LOGIN {USER}"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_wrong_password_or_an_untrusted_certificate_sends_nothing_and_keeps_the_mail_for_a_retry() {
    let relay = relay(Behaviour { implicit_tls: false, mechanisms: "PLAIN LOGIN" }).await;
    let dir = temp_dir();
    let port = relay.port.to_string();
    let ca_file = write(&dir, "relay.pem", &relay.certificate_pem);
    let base = [("GB_SMTP_HOST", "127.0.0.1"), ("GB_SMTP_PORT", port.as_str()), ("GB_SMTP_TLS", "starttls")];

    let wrong =
        [&base[..], &[("GB_SMTP_USER", USER), ("GB_SMTP_PASSWORD", "falsch"), ("GB_SMTP_CA_FILE", &ca_file)]].concat();
    let store = fresh_store().await;
    queue_alarm(&store, "leitung@example.org").await;
    let done = round(&store, &alerts(settings(&wrong).expect("valid").expect("relay"))).await.expect("round");
    assert_eq!((done.sent, done.failed), (0, 1));
    let (attempts, sent, error) = queue_row(&store).await;
    assert_eq!((attempts, sent), (1, None));
    assert!(error.unwrap_or_default().contains("535"), "the relay's answer is kept for the operator");

    // The relay's certificate is not trusted (no GB_SMTP_CA_FILE): nothing goes out, and
    // the password is never sent.
    let untrusted = [&base[..], &[("GB_SMTP_USER", USER), ("GB_SMTP_PASSWORD", PASSWORD)]].concat();
    let store = fresh_store().await;
    queue_alarm(&store, "leitung@example.org").await;
    let done = round(&store, &alerts(settings(&untrusted).expect("valid").expect("relay"))).await.expect("round");
    assert_eq!((done.sent, done.failed), (0, 1));
    assert_eq!(queue_row(&store).await.0, 1);
    assert!(relay.inbox.lock().await.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_relay_that_never_answers_holds_the_worker_for_one_timeout_only() {
    // Takes the connection and then says nothing, ever.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port().to_string();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let smtp = settings(&[("GB_SMTP_HOST", "127.0.0.1"), ("GB_SMTP_PORT", &port), ("GB_SMTP_TIMEOUT_SECONDS", "1")])
        .expect("valid")
        .expect("relay");
    let store = fresh_store().await;
    for to in ["a@example.org", "b@example.org", "c@example.org"] {
        queue_alarm(&store, to).await;
    }
    let started = Instant::now();
    let done = tokio::time::timeout(Duration::from_secs(10), round(&store, &alerts(smtp)))
        .await
        .expect("the round ends")
        .expect("round");
    assert!(started.elapsed() < Duration::from_secs(4), "one timeout, not one per mail: {:?}", started.elapsed());
    assert_eq!(done, Round { failed: 1, deferred: 2, ..Round::default() });
    let mut conn = store.pool().acquire().await.expect("conn");
    let rows: Vec<(i64, Option<i64>)> = sqlx::query_as("SELECT attempts, sent_at FROM mail_queue ORDER BY attempts")
        .fetch_all(&mut *conn)
        .await
        .expect("rows");
    assert_eq!(rows, [(0, None), (0, None), (1, None)], "all still queued; the two untried keep their attempts");
}

#[test]
fn relay_settings_that_cannot_work_are_refused_with_one_line_naming_the_setting() {
    let dir = temp_dir();
    let empty = write(&dir, "leer", "");
    let not_pem = write(&dir, "kein.pem", "kein Zertifikat");
    let missing = dir.join("fehlt").display().to_string();
    let host = ("GB_SMTP_HOST", "mail.example.org");
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[host, ("GB_SMTP_PORT", "abc")], "GB_SMTP_PORT"),
        (&[host, ("GB_SMTP_PORT", "70000")], "GB_SMTP_PORT"),
        (&[host, ("GB_SMTP_TLS", "ja")], "GB_SMTP_TLS"),
        (&[host, ("GB_SMTP_USER", USER), ("GB_SMTP_PASSWORD", "x")], "GB_SMTP_TLS=opportunistic"),
        (&[host, ("GB_SMTP_TLS", "none"), ("GB_SMTP_USER", USER), ("GB_SMTP_PASSWORD", "x")], "GB_SMTP_TLS=none"),
        (&[host, ("GB_SMTP_TLS", "starttls"), ("GB_SMTP_USER", USER)], "GB_SMTP_PASSWORD"),
        (&[host, ("GB_SMTP_TLS", "starttls"), ("GB_SMTP_PASSWORD", "x")], "GB_SMTP_USER"),
        (
            &[host, ("GB_SMTP_TLS", "starttls"), ("GB_SMTP_USER", USER), ("GB_SMTP_PASSWORD_FILE", &missing)],
            "GB_SMTP_PASSWORD_FILE",
        ),
        (
            &[host, ("GB_SMTP_TLS", "starttls"), ("GB_SMTP_USER", USER), ("GB_SMTP_PASSWORD_FILE", &empty)],
            "GB_SMTP_PASSWORD_FILE",
        ),
        (
            &[
                host,
                ("GB_SMTP_TLS", "tls"),
                ("GB_SMTP_USER", USER),
                ("GB_SMTP_PASSWORD", "x"),
                ("GB_SMTP_PASSWORD_FILE", &empty),
            ],
            "GB_SMTP_PASSWORD_FILE",
        ),
        (&[host, ("GB_SMTP_CA_FILE", &missing)], "GB_SMTP_CA_FILE"),
        (&[host, ("GB_SMTP_CA_FILE", &not_pem)], "GB_SMTP_CA_FILE"),
        (&[host, ("GB_SMTP_TIMEOUT_SECONDS", "0")], "GB_SMTP_TIMEOUT_SECONDS"),
        (&[host, ("GB_MAIL_FROM", "gruppenbuch")], "GB_MAIL_FROM"),
        (&[("GB_SMTP_HOST", "smtp://mail.example.org:587")], "GB_SMTP_HOST"),
        (&[("GB_SMTP_USER", USER)], "GB_SMTP_HOST"),
    ];
    for (pairs, named) in cases {
        let message = settings(pairs).expect_err("refused");
        assert!(message.contains(named) && !message.contains('\n'), "{pairs:?}: {message}");
    }
    // What works: no relay at all, a trusted relay without login, a login over STARTTLS.
    assert!(settings(&[]).expect("no relay").is_none());
    let plain = settings(&[host]).expect("valid").expect("relay");
    assert_eq!((plain.port, plain.tls.name()), (25, "opportunistic"));
    let submission =
        settings(&[host, ("GB_SMTP_TLS", "starttls"), ("GB_SMTP_USER", USER), ("GB_SMTP_PASSWORD", PASSWORD)])
            .expect("valid")
            .expect("relay");
    assert_eq!(submission.port, 587);
    assert!(!format!("{submission:?}").contains(PASSWORD), "the password stays out of debug output");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_server_refuses_to_start_with_a_relay_login_without_tls_and_touches_no_database() {
    let dir = temp_dir();
    let database = dir.join("gruppenbuch.db");
    let out = std::process::Command::new(crate::server_process::server_binary())
        .env("DATABASE_URL", format!("sqlite://{}", database.display()))
        .env_remove("GB_BACKUP_DIR")
        .env("GB_SMTP_HOST", "127.0.0.1")
        .env("GB_SMTP_TLS", "none")
        .env("GB_SMTP_USER", USER)
        .env("GB_SMTP_PASSWORD", PASSWORD)
        .output()
        .expect("run the server binary");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("GB_SMTP_TLS=none") && !stderr.contains(PASSWORD), "{stderr}");
    assert!(!database.exists(), "refused before the database was opened");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_running_server_sends_an_incident_alarm_through_starttls_with_a_login() {
    use crate::server_process::{ServerProcess, call, login};
    let relay = relay(Behaviour { implicit_tls: false, mechanisms: "PLAIN LOGIN" }).await;
    let dir = temp_dir();
    let port = relay.port.to_string();
    let password_file = write(&dir, "smtp-passwort", PASSWORD);
    let ca_file = write(&dir, "relay.pem", &relay.certificate_pem);
    let database_url = crate::common::fresh_database_url().await;
    let server = ServerProcess::start(
        &database_url,
        &[
            ("GB_DEMO", "1"),
            ("GB_SMTP_HOST", "127.0.0.1"),
            ("GB_SMTP_PORT", &port),
            ("GB_SMTP_TLS", "starttls"),
            ("GB_SMTP_USER", USER),
            ("GB_SMTP_PASSWORD_FILE", &password_file),
            ("GB_SMTP_CA_FILE", &ca_file),
            ("GB_MAIL_FROM", "gruppenbuch@gruppenbuch.example"),
            ("GB_PUBLIC_URL", "https://gb.example.org"),
            ("GB_ALERT_INTERVAL_SECONDS", "1"),
        ],
    )
    .await;
    let store = Store::connect(&database_url).await.expect("open store");
    let mia: String = {
        let mut conn = store.pool().acquire().await.expect("conn");
        sqlx::query_scalar("SELECT id FROM youths WHERE first_name = 'Mia'").fetch_one(&mut *conn).await.expect("Mia")
    };
    let cookie = login(server.addr, "fachkraft").await;
    let id = crate::common::new_id();
    let form = crate::common::incident_form(&id, &mia, "Mia ist nicht vom Sport zurückgekommen.");
    let res = call(server.addr, Some(&cookie), "/api/incidents/save", &form).await.expect("report");
    assert!(res.status < 400, "{res:?}");

    let deadline = Instant::now() + Duration::from_secs(30);
    let inbox = loop {
        let inbox = relay.inbox.lock().await.clone();
        if inbox.len() >= 2 || Instant::now() > deadline {
            break inbox;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let mut to: Vec<&str> = inbox.iter().filter_map(|m| m.text.lines().find_map(|l| l.strip_prefix("To: "))).collect();
    to.sort();
    assert_eq!(to, ["<fachberatung@gruppenbuch.example>", "<leitung@gruppenbuch.example>"], "{}", server.log_tail(40));
    for mail in &inbox {
        assert!(mail.encrypted && mail.login == format!("PLAIN {USER}"), "{mail:?}");
        let body = quoted_printable_body(&mail.text);
        assert!(body.contains(&format!("https://gb.example.org/vorkommnisse/{id}")), "{body}");
        for secret in ["Mia", "Krause", "Sport"] {
            assert!(!mail.text.contains(secret) && !body.contains(secret), "the mail names no one: {secret}");
        }
    }
    assert!(!server.stderr_log().contains(PASSWORD), "the password is not logged");
    let _ = std::fs::remove_dir_all(&dir);
}
