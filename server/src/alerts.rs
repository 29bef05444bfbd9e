//! The alert worker: escalates incidents nobody acknowledged in time and sends the queued
//! alarm e-mails. Every instance runs it; each escalation and each e-mail is claimed by
//! one instance only (see `db::incidents`), so several instances never send twice.
//!
//! E-mail goes to the configured relay (the institute's mail server) with `lettre`: plain,
//! STARTTLS or TLS from the first byte, with a login when the relay wants one. The
//! messages carry a link and nothing else: no names, no details.

use gruppenbuch_app::db::{Store, incidents, now_ms};
use gruppenbuch_app::domain::incident::IncidentEventKind;
pub use gruppenbuch_app::domain::incident::alarm_mail;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How the connection to the relay is protected (`GB_SMTP_TLS`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP: only for a relay on this machine or on a network the institute trusts.
    None,
    /// STARTTLS when the relay offers it, else plain. Someone on the path can remove the
    /// offer unnoticed, so a password is never sent this way.
    #[default]
    Opportunistic,
    /// STARTTLS or nothing: no mail goes out when the relay does not offer it or its
    /// certificate does not verify (submission port 587).
    StartTls,
    /// TLS from the first byte ("SMTPS", port 465).
    Implicit,
}

impl SmtpTls {
    /// The values of `GB_SMTP_TLS`.
    pub const NAMES: &str = "none, opportunistic, starttls, tls";

    pub fn parse(value: &str) -> Option<SmtpTls> {
        match value.trim().to_ascii_lowercase().as_str() {
            "none" => Some(SmtpTls::None),
            "opportunistic" => Some(SmtpTls::Opportunistic),
            "starttls" => Some(SmtpTls::StartTls),
            "tls" => Some(SmtpTls::Implicit),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SmtpTls::None => "none",
            SmtpTls::Opportunistic => "opportunistic",
            SmtpTls::StartTls => "starttls",
            SmtpTls::Implicit => "tls",
        }
    }

    /// The port relays usually listen on for this kind of connection.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::None | SmtpTls::Opportunistic => 25,
            SmtpTls::StartTls => 587,
            SmtpTls::Implicit => 465,
        }
    }

    /// Whether the connection is encrypted for certain before anything is sent.
    pub fn always_encrypted(self) -> bool {
        matches!(self, SmtpTls::StartTls | SmtpTls::Implicit)
    }
}

/// The account the server logs in with at the relay (AUTH PLAIN or LOGIN).
#[derive(Clone)]
pub struct SmtpLogin {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for SmtpLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpLogin").field("user", &self.user).finish_non_exhaustive()
    }
}

/// Where alarm e-mails go out, and how.
#[derive(Clone, Debug)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub from: String,
    pub tls: SmtpTls,
    pub login: Option<SmtpLogin>,
    /// PEM certificates trusted besides the built-in (Mozilla) roots: the institute's own
    /// certificate authority, or the relay's own certificate.
    pub trust_pem: Option<String>,
    /// The longest one message may take: connecting, TLS, login and sending together. A
    /// relay that stops answering must not hold the worker (and its escalations).
    pub timeout: Duration,
}

impl Default for Smtp {
    fn default() -> Smtp {
        Smtp {
            host: "localhost".into(),
            port: 25,
            from: "gruppenbuch@localhost".into(),
            tls: SmtpTls::default(),
            login: None,
            trust_pem: None,
            timeout: Duration::from_secs(30),
        }
    }
}

impl Smtp {
    /// The transport for these settings. Fails on a sender address or certificates that
    /// cannot be used, which start-up checks once (`config::smtp_from`).
    pub fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
        self.from.parse::<Address>().map_err(|e| format!("sender address {:?}: {e}", self.from))?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.host.as_str())
            .port(self.port)
            .hello_name(ClientId::Domain("gruppenbuch".into()))
            // lettre's own timeout covers connecting only; `send` bounds the whole message.
            .timeout(Some(self.timeout));
        let tls = if self.tls == SmtpTls::None {
            Tls::None
        } else {
            let mut parameters = TlsParameters::builder(self.host.clone());
            if let Some(pem) = &self.trust_pem {
                let certificate = Certificate::from_pem(pem.as_bytes()).map_err(|e| format!("certificates: {e}"))?;
                parameters = parameters.add_root_certificate(certificate);
            }
            let parameters = parameters.build().map_err(|e| format!("TLS: {e}"))?;
            match self.tls {
                SmtpTls::Implicit => Tls::Wrapper(parameters),
                SmtpTls::StartTls => Tls::Required(parameters),
                SmtpTls::Opportunistic | SmtpTls::None => Tls::Opportunistic(parameters),
            }
        };
        builder = builder.tls(tls);
        if let Some(login) = &self.login {
            builder = builder
                .credentials(Credentials::new(login.user.clone(), login.password.clone()))
                .authentication(vec![Mechanism::Plain, Mechanism::Login]);
        }
        Ok(builder.build())
    }
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
    /// Claimed but not tried, because the relay was unreachable or stopped answering for
    /// an earlier one; they go out when their claim runs out (five minutes).
    pub deferred: usize,
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
    let overdue = gruppenbuch_app::api::protection::ssr::escalate_due(&mut tx, &config.public_url).await?;
    tx.commit().await?;
    done.escalated = due.len() + overdue;

    let Some(smtp) = &config.smtp else { return Ok(done) };
    let transport = match smtp.transport() {
        Ok(transport) => transport,
        Err(error) => {
            tracing::error!(%error, "mail relay settings unusable; alarm e-mails wait in the queue");
            return Ok(done);
        }
    };
    let mut conn = store.pool().acquire().await?;
    let mut due = incidents::claim_due_mail(&mut conn, 20, 5 * 60_000).await?.into_iter();
    for mail in due.by_ref() {
        match send(smtp, &transport, &mail.recipient, &mail.subject, &mail.body).await {
            Ok(()) => {
                incidents::mail_sent(&mut conn, &mail.id).await?;
                done.sent += 1;
            }
            Err(failure) => {
                tracing::warn!(mail = %mail.id, error = %failure.message, "alarm e-mail not sent; will retry");
                incidents::mail_failed(&mut conn, &mail, &failure.message).await?;
                done.failed += 1;
                if failure.relay_down {
                    break;
                }
            }
        }
    }
    done.deferred = due.len();
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

/// Why a message did not go out.
#[derive(Debug)]
pub struct SendFailure {
    pub message: String,
    /// The relay could not be reached, did not answer in time or failed TLS: the next
    /// message would fare no better.
    pub relay_down: bool,
}

impl SendFailure {
    fn message(message: impl Into<String>) -> SendFailure {
        SendFailure { message: message.into(), relay_down: false }
    }
}

/// Sends one plain-text message (quoted-printable, so relays without 8BITMIME take it).
pub async fn send(
    smtp: &Smtp,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), SendFailure> {
    let message = message(smtp, to, subject, body).map_err(SendFailure::message)?;
    match tokio::time::timeout(smtp.timeout, transport.send(message)).await {
        Err(_) => Err(SendFailure {
            message: format!("no answer from the relay within {} s", smtp.timeout.as_secs()),
            relay_down: true,
        }),
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => {
            // An SMTP reply (4xx, 5xx) is about this message or this login; anything else
            // (refused, reset, TLS, connect timeout) is about the relay.
            let answered = error.is_transient() || error.is_permanent() || error.is_client();
            Err(SendFailure { message: error.to_string(), relay_down: !answered })
        }
    }
}

fn message(smtp: &Smtp, to: &str, subject: &str, body: &str) -> Result<Message, String> {
    let from: Address = smtp.from.parse().map_err(|e| format!("sender address: {e}"))?;
    let to: Address = to.parse().map_err(|e| format!("recipient address: {e}"))?;
    if subject.contains(['\r', '\n']) {
        return Err("line break in the subject".into());
    }
    let envelope = lettre::address::Envelope::new(Some(from.clone()), vec![to.clone()]).map_err(|e| e.to_string())?;
    Message::builder()
        .from(Mailbox::new(Some("Gruppenbuch".into()), from))
        // `<address>` rather than lettre's bare address for a mailbox without a name: the
        // form the alarm mails have always had, which the end-to-end test looks for.
        .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("To"), format!("<{to}>")))
        .envelope(envelope)
        .subject(subject)
        .message_id(Some(format!("<{}@gruppenbuch>", uuid::Uuid::now_v7())))
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .header(ContentTransferEncoding::QuotedPrintable)
                .body(body.to_owned()),
        )
        .map_err(|e| e.to_string())
}
