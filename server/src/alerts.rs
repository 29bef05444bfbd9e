//! The alert worker: escalates incidents nobody acknowledged in time and sends the queued
//! alarm e-mails. Every instance runs it; each escalation and each e-mail is claimed by
//! one instance only (see `db::incidents`), so several instances never send twice.
//!
//! E-mail goes over plain SMTP to the configured relay (the institute's mail server or a
//! local relay that handles TLS to the outside). The messages carry a link and nothing
//! else: no names, no details.

use gruppenbuch_app::db::{Store, incidents, now_ms};
use gruppenbuch_app::domain::incident::IncidentEventKind;
pub use gruppenbuch_app::domain::incident::alarm_mail;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Where alarm e-mails go out.
#[derive(Clone, Debug)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub from: String,
}

/// What the worker needs.
#[derive(Clone, Debug)]
pub struct AlertConfig {
    /// `None`: no e-mail (the queue keeps the messages until a relay is configured).
    pub smtp: Option<Smtp>,
    /// The address links in e-mails start with, e.g. `https://gruppenbuch.example.org`.
    pub public_url: String,
    /// How long an incident may stay unacknowledged before it escalates to Leitung.
    pub escalate_after: Duration,
    /// How often the worker looks.
    pub interval: Duration,
}

/// What one round did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub escalated: usize,
    pub sent: usize,
    pub failed: usize,
}

/// One round: escalate what is due, then send what waits.
pub async fn round(store: &Store, config: &AlertConfig) -> Result<Round, sqlx::Error> {
    let mut done = Round::default();
    let cutoff = now_ms() - i64::try_from(config.escalate_after.as_millis()).unwrap_or(i64::MAX);
    let mut tx = store.begin().await?;
    let due = incidents::claim_due_escalations(&mut tx, cutoff).await?;
    let leitung = if due.is_empty() { Vec::new() } else { incidents::leitung(&mut tx).await? };
    for (id, _group) in &due {
        let names: Vec<&str> = leitung.iter().map(|r| r.display_name.as_str()).collect();
        incidents::add_event(&mut tx, id, IncidentEventKind::Escalated, None, &names.join(", ")).await?;
        let (subject, body) = alarm_mail(&config.public_url, id.as_str(), true);
        for address in leitung.iter().filter_map(|r| r.email.as_deref()) {
            incidents::queue_mail(&mut tx, address, &subject, &body).await?;
        }
    }
    tx.commit().await?;
    done.escalated = due.len();

    let Some(smtp) = &config.smtp else { return Ok(done) };
    let mut conn = store.pool().acquire().await?;
    for mail in incidents::claim_due_mail(&mut conn, 20, 5 * 60_000).await? {
        match send(smtp, &mail.recipient, &mail.subject, &mail.body).await {
            Ok(()) => {
                incidents::mail_sent(&mut conn, &mail.id).await?;
                done.sent += 1;
            }
            Err(error) => {
                tracing::warn!(mail = %mail.id, %error, "alarm e-mail not sent; will retry");
                incidents::mail_failed(&mut conn, &mail, &error).await?;
                done.failed += 1;
            }
        }
    }
    Ok(done)
}

/// Runs rounds until the process ends.
pub fn spawn(store: Store, config: AlertConfig) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(config.interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(error) = round(&store, &config).await {
                tracing::error!(%error, "alert round failed");
            }
        }
    })
}

/// Sends one message over SMTP (RFC 5321) without authentication or TLS.
pub async fn send(smtp: &Smtp, to: &str, subject: &str, body: &str) -> Result<(), String> {
    let clean = |s: &str| !s.contains(['\r', '\n', '<', '>']);
    if !clean(to) || !clean(&smtp.from) || subject.contains(['\r', '\n']) {
        return Err("invalid address or subject".into());
    }
    let connect = tokio::net::TcpStream::connect((smtp.host.as_str(), smtp.port));
    let stream = tokio::time::timeout(Duration::from_secs(10), connect)
        .await
        .map_err(|_| "connect timeout".to_owned())?
        .map_err(|e| format!("connect: {e}"))?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let conversation = async {
        expect(&mut read, 220).await?;
        command(&mut write, &mut read, "EHLO gruppenbuch", 250).await?;
        command(&mut write, &mut read, &format!("MAIL FROM:<{}>", smtp.from), 250).await?;
        command(&mut write, &mut read, &format!("RCPT TO:<{to}>"), 250).await?;
        command(&mut write, &mut read, "DATA", 354).await?;
        let date = chrono::Utc::now().to_rfc2822();
        let id = uuid::Uuid::now_v7();
        let mut message = format!(
            "From: Gruppenbuch <{}>\r\nTo: <{to}>\r\nSubject: {}\r\nDate: {date}\r\nMessage-ID: <{id}@gruppenbuch>\r\n\
             MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
            smtp.from,
            encode_header(subject)
        );
        for line in body.split("\r\n") {
            // Dot-stuffing: a line starting with "." would end the message early.
            if line.starts_with('.') {
                message.push('.');
            }
            message.push_str(line);
            message.push_str("\r\n");
        }
        message.push_str(".\r\n");
        write.write_all(message.as_bytes()).await.map_err(|e| e.to_string())?;
        expect(&mut read, 250).await?;
        let _ = command(&mut write, &mut read, "QUIT", 221).await;
        Ok::<(), String>(())
    };
    tokio::time::timeout(Duration::from_secs(30), conversation).await.map_err(|_| "timeout".to_owned())?
}

/// RFC 2047 encoding for a subject with umlauts.
fn encode_header(value: &str) -> String {
    if value.is_ascii() {
        return value.to_owned();
    }
    use base64::Engine;
    format!("=?utf-8?B?{}?=", base64::engine::general_purpose::STANDARD.encode(value))
}

async fn command<W, R>(write: &mut W, read: &mut R, line: &str, code: u16) -> Result<(), String>
where
    W: AsyncWriteExt + Unpin,
    R: AsyncBufReadExt + Unpin,
{
    write.write_all(format!("{line}\r\n").as_bytes()).await.map_err(|e| e.to_string())?;
    expect(read, code).await
}

/// Reads a (possibly multi-line) reply and checks its code.
async fn expect<R: AsyncBufReadExt + Unpin>(read: &mut R, code: u16) -> Result<(), String> {
    loop {
        let mut line = String::new();
        if read.read_line(&mut line).await.map_err(|e| e.to_string())? == 0 {
            return Err("connection closed".into());
        }
        let got: u16 = line.get(..3).and_then(|c| c.parse().ok()).ok_or_else(|| format!("bad reply: {line:?}"))?;
        if line.as_bytes().get(3) == Some(&b'-') {
            continue;
        }
        return if got == code { Ok(()) } else { Err(format!("expected {code}, got: {}", line.trim_end())) };
    }
}
