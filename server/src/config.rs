//! Configuration from the environment. Every setting, its default and its variable are
//! listed in `docs/operations.md`.

use gruppenbuch_app::api::ssr::Settings;

/// The server's configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://…` (embedded, default) or `postgres://…`.
    pub database_url: String,
    /// Seed the demo institute into an empty database and print its logins.
    pub demo: bool,
    /// Log as JSON lines (for log collectors) instead of human-readable text.
    pub log_json: bool,
    pub settings: Settings,
    /// Escalation and alarm e-mails (the relay is filled in by `for_serving`).
    pub alerts: crate::alerts::AlertConfig,
    /// Scheduled backups (`GB_BACKUP_DIR`); filled in by `for_serving` at start-up.
    pub backups: Option<crate::backup::Schedule>,
}

fn flag(name: &str, default: bool) -> bool {
    match std::env::var(name) {
        Ok(v) => matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"),
        Err(_) => default,
    }
}

fn number(name: &str, default: i64) -> i64 {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).filter(|v| *v > 0).unwrap_or(default)
}

/// `GB_PUBLIC_URL` (the start of links in e-mails), `GB_ESCALATE_AFTER_MINUTES` (60; or
/// `GB_ESCALATE_AFTER_SECONDS` for drills and tests), `GB_ALERT_INTERVAL_SECONDS` (15).
/// The mail relay comes from [`smtp_from`] when the server starts ([`Config::for_serving`]).
fn alerts_from_env() -> crate::alerts::AlertConfig {
    use crate::alerts::AlertConfig;
    use gruppenbuch_app::domain::incident::ESCALATE_AFTER_MINUTES;
    let text = |name: &str| std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let minutes = u64::try_from(number("GB_ESCALATE_AFTER_MINUTES", ESCALATE_AFTER_MINUTES)).unwrap_or(60);
    AlertConfig {
        smtp: None,
        public_url: public_url_from_env(),
        // Seconds, when given, win over minutes: for drills and the end-to-end test.
        escalate_after: std::time::Duration::from_secs(match text("GB_ESCALATE_AFTER_SECONDS") {
            Some(_) => u64::try_from(number("GB_ESCALATE_AFTER_SECONDS", 60)).unwrap_or(60),
            None => minutes * 60,
        }),
        interval: std::time::Duration::from_secs(u64::try_from(number("GB_ALERT_INTERVAL_SECONDS", 15)).unwrap_or(15)),
    }
}

/// `GB_PUBLIC_URL`, or for local development (`GB_COOKIE_SECURE=0`, as `make run` sets it)
/// the listen address. Links the server prints or mails are never built from a request's
/// `Host` header, which a client chooses.
fn public_url_from_env() -> String {
    match std::env::var("GB_PUBLIC_URL").ok().map(|v| v.trim().trim_end_matches('/').to_owned()) {
        Some(url) if !url.is_empty() => url,
        _ => {
            let addr = std::env::var("LEPTOS_SITE_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
            format!("http://{}", addr.trim())
        }
    }
}

/// The settings of the mail relay besides `GB_SMTP_HOST`.
const SMTP_SETTINGS: [&str; 7] = [
    "GB_SMTP_PORT",
    "GB_SMTP_TLS",
    "GB_SMTP_USER",
    "GB_SMTP_PASSWORD",
    "GB_SMTP_PASSWORD_FILE",
    "GB_SMTP_CA_FILE",
    "GB_SMTP_TIMEOUT_SECONDS",
];

/// The mail relay for alarm e-mails: `GB_SMTP_HOST` (no e-mail without it), `GB_SMTP_TLS`
/// (`opportunistic`), `GB_SMTP_PORT` (by `GB_SMTP_TLS`: 25, 587 for `starttls`, 465 for
/// `tls`), `GB_SMTP_USER` with `GB_SMTP_PASSWORD` or `GB_SMTP_PASSWORD_FILE`,
/// `GB_SMTP_CA_FILE`, `GB_SMTP_TIMEOUT_SECONDS` (30) and `GB_MAIL_FROM`.
///
/// `var` reads one variable (the environment, or a map in tests). A setting that cannot
/// work is an error of one German sentence naming the variable: the server does not start
/// rather than start without alarm e-mails. A login is only accepted with `starttls` or
/// `tls`, so a password never travels unencrypted.
pub fn smtp_from(var: impl Fn(&str) -> Option<String>) -> Result<Option<crate::alerts::Smtp>, String> {
    use crate::alerts::{Smtp, SmtpLogin, SmtpTls};
    let text = |name: &str| var(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let Some(host) = text("GB_SMTP_HOST") else {
        if let Some(name) = SMTP_SETTINGS.iter().find(|name| text(name).is_some()) {
            return Err(format!(
                "{name} ist gesetzt, aber GB_SMTP_HOST nicht: ohne Mailserver geht keine E-Mail hinaus. Bitte GB_SMTP_HOST setzen oder {name} entfernen."
            ));
        }
        return Ok(None);
    };
    if host.contains("://") || host.contains(char::is_whitespace) || host.contains('/') {
        return Err(format!(
            "GB_SMTP_HOST: „{host}“ ist kein Rechnername. Bitte nur den Namen angeben (z. B. mail.example.org), den Port in GB_SMTP_PORT."
        ));
    }
    let tls = match text("GB_SMTP_TLS") {
        None => SmtpTls::default(),
        Some(value) => SmtpTls::parse(&value)
            .ok_or_else(|| format!("GB_SMTP_TLS: „{value}“ gibt es nicht; möglich sind {}.", SmtpTls::NAMES))?,
    };
    let port = match text("GB_SMTP_PORT") {
        None => tls.default_port(),
        Some(value) => value
            .parse::<u16>()
            .ok()
            .filter(|port| *port > 0)
            .ok_or_else(|| format!("GB_SMTP_PORT: „{value}“ ist keine Portnummer (1 bis 65535)."))?,
    };
    // A password is taken as it is (spaces belong to it); only the line end of a file is not.
    let password = match (var("GB_SMTP_PASSWORD").filter(|v| !v.is_empty()), text("GB_SMTP_PASSWORD_FILE")) {
        (Some(_), Some(_)) => {
            return Err("GB_SMTP_PASSWORD und GB_SMTP_PASSWORD_FILE sind beide gesetzt; bitte nur eines.".into());
        }
        (Some(password), None) => Some(password),
        (None, Some(path)) => {
            let content = std::fs::read_to_string(&path)
                .map_err(|e| format!("GB_SMTP_PASSWORD_FILE: {path} lässt sich nicht lesen ({e})."))?;
            let password = content.strip_suffix('\n').map(|p| p.strip_suffix('\r').unwrap_or(p)).unwrap_or(&content);
            if password.is_empty() {
                return Err(format!("GB_SMTP_PASSWORD_FILE: {path} ist leer."));
            }
            Some(password.to_owned())
        }
        (None, None) => None,
    };
    let login = match (text("GB_SMTP_USER"), password) {
        (Some(user), Some(password)) => Some(SmtpLogin { user, password }),
        (Some(_), None) => {
            return Err(
                "GB_SMTP_USER ist gesetzt, aber kein Passwort: bitte GB_SMTP_PASSWORD oder GB_SMTP_PASSWORD_FILE setzen."
                    .into(),
            );
        }
        (None, Some(_)) => {
            return Err("Ein Passwort für den Mailserver ist gesetzt, aber kein GB_SMTP_USER.".into());
        }
        (None, None) => None,
    };
    if login.is_some() && !tls.always_encrypted() {
        return Err(format!(
            "GB_SMTP_USER mit GB_SMTP_TLS={}: das Passwort ginge unverschlüsselt zum Mailserver. Bitte GB_SMTP_TLS=starttls (meist Port 587) oder tls (Port 465) setzen.",
            tls.name()
        ));
    }
    let trust_pem = match text("GB_SMTP_CA_FILE") {
        None => None,
        Some(_) if tls == SmtpTls::None => {
            return Err(
                "GB_SMTP_CA_FILE ist gesetzt, aber GB_SMTP_TLS=none: ohne TLS prüft niemand ein Zertifikat.".into()
            );
        }
        Some(path) => {
            let pem = std::fs::read_to_string(&path)
                .map_err(|e| format!("GB_SMTP_CA_FILE: {path} lässt sich nicht lesen ({e})."))?;
            if !pem.contains("-----BEGIN CERTIFICATE-----") {
                return Err(format!("GB_SMTP_CA_FILE: {path} enthält kein Zertifikat im PEM-Format."));
            }
            Some(pem)
        }
    };
    let timeout = match text("GB_SMTP_TIMEOUT_SECONDS") {
        None => 30,
        Some(value) => value.parse::<u64>().ok().filter(|s| (1..=600).contains(s)).ok_or_else(|| {
            format!("GB_SMTP_TIMEOUT_SECONDS: „{value}“ ist keine Zahl von Sekunden zwischen 1 und 600.")
        })?,
    };
    let from = text("GB_MAIL_FROM").unwrap_or_else(|| "gruppenbuch@localhost".into());
    if from.parse::<lettre::Address>().is_err() {
        return Err(format!("GB_MAIL_FROM: „{from}“ ist keine E-Mail-Adresse."));
    }
    let smtp = Smtp { host, port, from, tls, login, trust_pem, timeout: std::time::Duration::from_secs(timeout) };
    smtp.transport().map_err(|e| format!("GB_SMTP_CA_FILE: die Zertifikate lassen sich nicht verwenden ({e})."))?;
    Ok(Some(smtp))
}

impl Config {
    /// What stops a production start: links on posters, login cards and in alarm mails
    /// need the installation's public address (`GB_PUBLIC_URL`, an `https://` address
    /// once cookies are secure).
    pub fn check(&self) -> Result<(), String> {
        if self.settings.cookie_secure {
            let configured = std::env::var("GB_PUBLIC_URL").ok().filter(|v| !v.trim().is_empty());
            match configured {
                None => {
                    return Err("GB_PUBLIC_URL fehlt: die öffentliche Adresse des Gruppenbuchs, z. B. https://gruppenbuch.example.org \
                                (Links auf Aushängen, Login-Karten und in Alarm-E-Mails). Nur für lokale \
                                Entwicklung ohne HTTPS: GB_COOKIE_SECURE=0."
                        .into());
                }
                Some(url) if !url.trim().starts_with("https://") => {
                    return Err(format!("GB_PUBLIC_URL muss mit https:// beginnen (ist: {}).", url.trim()));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// The key that wraps the outbox keys in the database: `GB_KEY_FILE`, or for SQLite
    /// `gruppenbuch.key` beside the database file. Made (mode 0600) on the first start.
    /// PostgreSQL installations must name one file that every instance reads.
    pub fn wrapping_key(&self) -> Result<gruppenbuch_app::sealing::keys::WrappingKey, String> {
        use gruppenbuch_app::sealing::keys::WrappingKey;
        let path = match std::env::var("GB_KEY_FILE").ok().filter(|v| !v.trim().is_empty()) {
            Some(path) => std::path::PathBuf::from(path.trim()),
            None => match gruppenbuch_app::db::sqlite_file(&self.database_url) {
                Some(db) => db.with_file_name("gruppenbuch.key"),
                None if self.database_url.starts_with("sqlite:") => {
                    // An in-memory database lives as long as the process: so may its key.
                    return Ok(WrappingKey::random());
                }
                None => {
                    return Err("GB_KEY_FILE fehlt: bei PostgreSQL lesen alle Instanzen dieselbe Schlüsseldatei \
                                (fehlt die Datei beim ersten Start, legt der Server sie an)."
                        .into());
                }
            },
        };
        read_or_create_key(&path).map_err(|e| format!("GB_KEY_FILE {}: {e}", path.display()))
    }

    pub fn from_env() -> Config {
        let defaults = Settings::default();
        Config {
            database_url: std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://data/gruppenbuch.db".into()),
            demo: flag("GB_DEMO", false),
            log_json: std::env::var("GB_LOG_FORMAT").is_ok_and(|v| v == "json"),
            settings: Settings {
                cookie_secure: flag("GB_COOKIE_SECURE", true),
                trust_proxy: flag("GB_TRUST_PROXY", false),
                login_max_per_account: number("GB_LOGIN_MAX_PER_ACCOUNT", defaults.login_max_per_account),
                login_max_per_address: number("GB_LOGIN_MAX_PER_ADDRESS", defaults.login_max_per_address),
                pin_lock_after: number("GB_PIN_LOCK_AFTER", defaults.pin_lock_after).max(1),
                login_window_ms: number("GB_LOGIN_WINDOW_MINUTES", defaults.login_window_ms / 60_000) * 60_000,
                feedback_max_per_address: number("GB_FEEDBACK_MAX_PER_ADDRESS", defaults.feedback_max_per_address),
                feedback_max_per_link: number("GB_FEEDBACK_MAX_PER_LINK", defaults.feedback_max_per_link),
                pickup_max_per_address: number("GB_PICKUP_MAX_PER_ADDRESS", defaults.pickup_max_per_address),
                public_url: public_url_from_env(),
                // Read from the key file at start-up (`wrapping_key`).
                key_wrapping: defaults.key_wrapping,
                request_timeout_ms: number("GB_REQUEST_TIMEOUT_SECONDS", defaults.request_timeout_ms / 1000) * 1000,
                goal_stale_days: number("GB_GOAL_STALE_WEEKS", defaults.goal_stale_days / 7).max(1) * 7,
                talk_overdue_days: number("GB_TALK_OVERDUE_WEEKS", defaults.talk_overdue_days / 7).max(1) * 7,
                institute_name: std::env::var("GB_INSTITUTE_NAME")
                    .ok()
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
                    .unwrap_or(defaults.institute_name),
                cp_ack_hours: number("GB_CP_ACK_HOURS", defaults.cp_ack_hours).max(1),
                cp_specialist_days: number("GB_CP_SPECIALIST_WORKING_DAYS", defaults.cp_specialist_days).max(1),
                cp_review_days: number("GB_CP_REVIEW_DAYS", defaults.cp_review_days).max(1),
            },
            alerts: alerts_from_env(),
            backups: None,
        }
    }

    /// What only the serving process needs, checked before it opens the database: the
    /// scheduled backups and the mail relay. The commands (`backup`, `restore`, …) do not
    /// read them, so a broken mail setting never stands in the way of a restore.
    pub fn for_serving(self) -> Result<Config, String> {
        let backups = self.backup_schedule()?;
        let smtp = smtp_from(|name| std::env::var(name).ok())?;
        Ok(Config { backups, alerts: crate::alerts::AlertConfig { smtp, ..self.alerts }, ..self })
    }

    /// Scheduled backups from `GB_BACKUP_DIR` (none without it), `GB_BACKUP_EVERY_HOURS`
    /// (24), `GB_BACKUP_KEEP` (14) and `GB_BACKUP_KEY_FILE` (unencrypted without it). A
    /// key file that cannot be read stops start-up: better no server than silently no
    /// backups.
    fn backup_schedule(&self) -> Result<Option<crate::backup::Schedule>, String> {
        let Some(dir) = std::env::var("GB_BACKUP_DIR").ok().filter(|v| !v.trim().is_empty()) else {
            return Ok(None);
        };
        let key = match std::env::var("GB_BACKUP_KEY_FILE").ok().filter(|v| !v.trim().is_empty()) {
            Some(path) => Some(
                crate::backup::read_key_file(std::path::Path::new(path.trim()))
                    .map_err(|e| format!("GB_BACKUP_KEY_FILE: {e}"))?,
            ),
            None => None,
        };
        Ok(Some(crate::backup::Schedule {
            dir: std::path::PathBuf::from(dir.trim()),
            every: std::time::Duration::from_secs(
                u64::try_from(number("GB_BACKUP_EVERY_HOURS", 24)).unwrap_or(24) * 3600,
            ),
            keep: usize::try_from(number("GB_BACKUP_KEEP", 14)).unwrap_or(14),
            key,
        }))
    }
}

/// Reads a key file, or makes one (readable by the owner only) where none is.
pub fn read_or_create_key(path: &std::path::Path) -> std::io::Result<gruppenbuch_app::sealing::keys::WrappingKey> {
    use gruppenbuch_app::sealing::keys::WrappingKey;
    use std::io::Write;
    match std::fs::read_to_string(path) {
        Ok(text) => WrappingKey::from_text(&text)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "keine gültige Schlüsseldatei")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = WrappingKey::random();
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = match options.open(path) {
                Ok(file) => file,
                // Another instance made it a moment ago.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return read_or_create_key(path),
                Err(e) => return Err(e),
            };
            writeln!(file, "{}", key.to_text())?;
            file.sync_all()?;
            Ok(key)
        }
        Err(e) => Err(e),
    }
}
