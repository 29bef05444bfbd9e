//! Backup and restore of a whole installation (`gruppenbuch-server backup | restore |
//! verify-backup | backup-key`) and the scheduled backups of a running server.
//!
//! A backup is a consistent snapshot taken while the server keeps running: SQLite's
//! `VACUUM INTO` (one read transaction, so one point in time), PostgreSQL's `pg_dump`
//! inside an exported snapshot in which the row counts are taken too. The snapshot is
//! checked (SQLite `integrity_check`, row counts, the archive read back completely) before
//! the file gets its final name; a half-written backup never carries it. The file format
//! is in `archive.rs`.
//!
//! A restore reads and checks the whole file before it touches the target, refuses a
//! target that holds data unless forced, and checks the result (integrity, the row counts
//! the backup recorded, the schema version).

pub mod archive;
mod postgres;
mod sqlite;

pub use archive::{BackupKey, Header};

use gruppenbuch_app::db::{Backend, backend_of, known_schema_version};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Why a backup, a restore or a check failed. The messages are for the operator, German.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("Diese Datei ist keine Gruppenbuch-Sicherung.")]
    NotABackup,
    #[error("Sicherungsformat {0} kennt dieses Programm nicht; bitte das Programm aktualisieren.")]
    UnsupportedFormat(u8),
    #[error("Die Sicherung ist unvollständig: die Datei ist abgeschnitten.")]
    Truncated,
    #[error("Die Sicherung ist beschädigt ({0}).")]
    Corrupt(String),
    #[error("Die Sicherung ist verschlüsselt: bitte die Schlüsseldatei mit --key <Datei> angeben.")]
    KeyNeeded,
    #[error("Der Schlüssel passt nicht zu dieser Sicherung.")]
    WrongKey,
    #[error("Schlüsseldatei {0}")]
    KeyFile(String),
    #[error(
        "Die Sicherung stammt aus einer neueren Programmversion (Schema {backup}, dieses Programm kennt bis Schema {known}). Bitte zuerst das Programm aktualisieren."
    )]
    NewerSchema { backup: i64, known: i64 },
    #[error("Das ist eine {backup}-Sicherung, DATABASE_URL nennt aber eine {target}-Datenbank.")]
    WrongBackend { backup: String, target: String },
    #[error("Das Ziel enthält schon Daten ({0} Zeilen). Mit --force wird es ersetzt (vorher sichern!).")]
    TargetNotEmpty(i64),
    #[error("Die Datei {0} gibt es schon; eine Sicherung überschreibt nichts.")]
    Exists(PathBuf),
    #[error("Keine Datenbank unter {0}.")]
    NoDatabase(String),
    #[error("DATABASE_URL wird nicht unterstützt (sqlite:// oder postgres://).")]
    UnsupportedUrl,
    #[error("Prüfung fehlgeschlagen: {0}")]
    Check(String),
    #[error("Datenbank: {0}")]
    Database(String),
    #[error("{0}")]
    Tool(String),
    #[error("Lesen fehlgeschlagen: {0}")]
    Read(String),
    #[error("Schreiben fehlgeschlagen: {0}")]
    Write(String),
    /// The program the payload was piped into stopped reading.
    #[error("Das Zielprogramm hat die Eingabe vorzeitig geschlossen.")]
    OutputClosed,
    /// The target was already changed when this happened.
    #[error("Wiederherstellen abgebrochen, das Ziel ist jetzt unvollständig: {0}")]
    RestoreBroken(String),
}

impl BackupError {
    /// Whether the target of a restore is as it was before (every error but one).
    pub fn target_unchanged(&self) -> bool {
        !matches!(self, BackupError::RestoreBroken(_))
    }
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> Self {
        BackupError::Database(e.to_string())
    }
}

/// What a backup or restore did.
#[derive(Debug, Clone)]
pub struct Summary {
    pub header: Header,
    /// Size of the backup file in bytes.
    pub bytes: u64,
    pub took: Duration,
}

impl Summary {
    /// One line per fact, for the command line.
    pub fn describe(&self) -> String {
        let rows: i64 = self.header.tables.values().sum();
        let entries = self.header.tables.get("entries").copied().unwrap_or(0);
        let audit = self.header.tables.get("audit_log").copied().unwrap_or(0);
        format!(
            "Datenbank: {} (Schema {}), Stand {}\nZeilen: {rows} in {} Tabellen, davon {entries} Einträge und {audit} Protokollzeilen\nDatei: {:.1} MB, {}verschlüsselt\nDauer: {:.1} s",
            self.header.backend,
            self.header.schema_version,
            self.header.created_at,
            self.header.tables.len(),
            self.bytes as f64 / 1_000_000.0,
            if self.header.encryption.is_some() { "" } else { "nicht " },
            self.took.as_secs_f64(),
        )
    }
}

fn backend(url: &str) -> Result<Backend, BackupError> {
    backend_of(url).ok_or(BackupError::UnsupportedUrl)
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

fn new_header(backend: Backend, schema_version: i64, tables: BTreeMap<String, i64>) -> Header {
    Header {
        product: "gruppenbuch".into(),
        backend: backend_name(backend).into(),
        payload: match backend {
            Backend::Sqlite => "sqlite-file".into(),
            Backend::Postgres => "pg-dump-custom".into(),
        },
        schema_version,
        app_version: env!("CARGO_PKG_VERSION").into(),
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        tables,
        encryption: None,
    }
}

/// Takes a backup of the installation at `database_url` into `out` (which must not exist).
pub async fn backup(database_url: &str, out: &Path, key: Option<&BackupKey>) -> Result<Summary, BackupError> {
    let started = Instant::now();
    if out.exists() {
        return Err(BackupError::Exists(out.to_owned()));
    }
    let partial = partial_path(out);
    let _cleanup = RemoveOnDrop(vec![partial.clone()]);
    let (header, bytes) = match backend(database_url)? {
        Backend::Sqlite => sqlite::backup(database_url, &partial, key).await?,
        Backend::Postgres => postgres::backup(database_url, &partial, key).await?,
    };
    // Read back before it gets its name: a backup nobody can read is worse than none.
    let check = {
        let partial = partial.clone();
        let key = key.cloned();
        blocking(move || verify_file(&partial, key.as_ref())).await?
    };
    if check.0 != header {
        return Err(BackupError::Check("die geschriebene Datei weicht ab".into()));
    }
    if header.backend == "postgres" {
        postgres::check_dump(&partial, key.cloned()).await?;
    }
    std::fs::rename(&partial, out).map_err(|e| BackupError::Write(format!("{}: {e}", out.display())))?;
    sync_parent(out);
    Ok(Summary { header, bytes, took: started.elapsed() })
}

/// Reads a whole backup file, checking every frame and the trailer. Returns the header and
/// the payload's size.
pub fn verify_file(file: &Path, key: Option<&BackupKey>) -> Result<(Header, u64), BackupError> {
    let input = open_file(file)?;
    let (header, frames) = archive::open(input, key)?;
    let size = archive::extract(frames, &mut std::io::sink())?;
    Ok((header, size))
}

/// Checks a backup file completely (for `verify-backup`): the archive and, for PostgreSQL,
/// that `pg_restore` can read the dump.
pub async fn verify(file: &Path, key: Option<&BackupKey>) -> Result<Summary, BackupError> {
    let started = Instant::now();
    let (header, _) = {
        let (file, key) = (file.to_owned(), key.cloned());
        blocking(move || verify_file(&file, key.as_ref())).await?
    };
    if header.backend == "postgres" {
        postgres::check_dump(file, key.cloned()).await?;
    }
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    Ok(Summary { header, bytes, took: started.elapsed() })
}

/// Restores `file` into the installation at `database_url`.
pub async fn restore(
    database_url: &str,
    file: &Path,
    key: Option<&BackupKey>,
    force: bool,
) -> Result<Summary, BackupError> {
    let started = Instant::now();
    let target = backend(database_url)?;
    let header = {
        let input = open_file(file)?;
        archive::open(input, key)?.0
    };
    if header.backend != backend_name(target) {
        return Err(BackupError::WrongBackend { backup: header.backend, target: backend_name(target).into() });
    }
    let known = known_schema_version(target);
    if header.schema_version > known {
        return Err(BackupError::NewerSchema { backup: header.schema_version, known });
    }
    match target {
        Backend::Sqlite => sqlite::restore(database_url, file, &header, key, force).await?,
        Backend::Postgres => postgres::restore(database_url, file, &header, key, force).await?,
    }
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    Ok(Summary { header, bytes, took: started.elapsed() })
}

/// Compares what a restored database holds with what its backup recorded.
fn compare_counts(expected: &BTreeMap<String, i64>, found: &BTreeMap<String, i64>) -> Result<(), BackupError> {
    for (table, rows) in expected {
        match found.get(table) {
            Some(n) if n == rows => {}
            Some(n) => return Err(BackupError::Check(format!("Tabelle {table}: {n} statt {rows} Zeilen"))),
            None => return Err(BackupError::Check(format!("Tabelle {table} fehlt"))),
        }
    }
    if let Some(extra) = found.keys().find(|t| !expected.contains_key(*t)) {
        return Err(BackupError::Check(format!("unerwartete Tabelle {extra}")));
    }
    Ok(())
}

/// Reads a key file (base64 of 32 bytes).
pub fn read_key_file(path: &Path) -> Result<BackupKey, BackupError> {
    let text = std::fs::read_to_string(path).map_err(|e| BackupError::KeyFile(format!("{}: {e}", path.display())))?;
    BackupKey::from_file_text(&text).ok_or_else(|| {
        BackupError::KeyFile(format!("{}: kein Sicherungsschlüssel (erwartet: 32 Bytes in Base64)", path.display()))
    })
}

/// Writes a new random key file, readable by its owner only; never overwrites one.
pub fn write_key_file(path: &Path) -> Result<(), BackupError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => BackupError::Exists(path.to_owned()),
        _ => BackupError::KeyFile(format!("{}: {e}", path.display())),
    })?;
    file.write_all(BackupKey::generate().to_file_text().as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| BackupError::KeyFile(format!("{}: {e}", path.display())))
}

fn open_file(path: &Path) -> Result<std::io::BufReader<std::fs::File>, BackupError> {
    std::fs::File::open(path)
        .map(|f| std::io::BufReader::with_capacity(1 << 20, f))
        .map_err(|e| BackupError::Read(format!("{}: {e}", path.display())))
}

/// `<file>.partial`: where a backup is written until it is checked.
fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

/// Makes a rename durable: syncs the folder that holds `path`.
fn sync_parent(path: &Path) {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if let Ok(dir) = std::fs::File::open(parent) {
        let _ = dir.sync_all();
    }
}

/// Deletes temporary files when the operation ends, however it ends.
struct RemoveOnDrop(Vec<PathBuf>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        for path in &self.0 {
            let _ = std::fs::remove_file(path);
        }
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, BackupError> + Send + 'static,
) -> Result<T, BackupError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| BackupError::Tool(format!("interner Fehler: {e}")))?
}

/// Scheduled backups of a running server (`GB_BACKUP_DIR` and friends).
#[derive(Clone, Debug)]
pub struct Schedule {
    pub dir: PathBuf,
    pub every: Duration,
    pub keep: usize,
    pub key: Option<BackupKey>,
}

/// Names of scheduled backups: `gruppenbuch-20261123-181500.gbb` (UTC), so that sorting
/// by name sorts by time.
fn scheduled_name(now: chrono::DateTime<chrono::Utc>) -> String {
    format!("gruppenbuch-{}.gbb", now.format("%Y%m%d-%H%M%S"))
}

fn scheduled_backups(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("gruppenbuch-") && n.ends_with(".gbb"))
        })
        .collect();
    files.sort();
    files
}

/// Takes a scheduled backup if the newest one is older than `schedule.every` (or there is
/// none), then deletes the oldest beyond `schedule.keep`. Returns the new file, if any.
pub async fn run_schedule_once(database_url: &str, schedule: &Schedule) -> Result<Option<PathBuf>, BackupError> {
    std::fs::create_dir_all(&schedule.dir)
        .map_err(|e| BackupError::Write(format!("{}: {e}", schedule.dir.display())))?;
    let newest_age = scheduled_backups(&schedule.dir)
        .last()
        .and_then(|p| std::fs::metadata(p).ok()?.modified().ok()?.elapsed().ok());
    if newest_age.is_some_and(|age| age < schedule.every) {
        return Ok(None);
    }
    let out = schedule.dir.join(scheduled_name(chrono::Utc::now()));
    backup(database_url, &out, schedule.key.as_ref()).await?;
    let all = scheduled_backups(&schedule.dir);
    let surplus = all.len().saturating_sub(schedule.keep.max(1));
    for old in &all[..surplus] {
        let _ = std::fs::remove_file(old);
    }
    Ok(Some(out))
}

/// Runs the schedule in the background: looks every few minutes whether a backup is due
/// (so a restarted server neither skips one nor takes one twice).
pub fn spawn_schedule(database_url: String, schedule: Schedule) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let look = schedule.every.min(Duration::from_secs(300)).max(Duration::from_secs(1));
        loop {
            match run_schedule_once(&database_url, &schedule).await {
                Ok(Some(file)) => tracing::info!(file = %file.display(), "scheduled backup written"),
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "scheduled backup failed"),
            }
            tokio::time::sleep(look).await;
        }
    })
}

/// Writes `source` as an archive to `path` (created new) and syncs it. Returns the header
/// as written and the file's size. Blocking.
fn write_archive(
    mut source: impl std::io::Read,
    path: &Path,
    header: Header,
    key: Option<&BackupKey>,
) -> Result<(Header, u64), BackupError> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(|e| BackupError::Write(format!("{}: {e}", path.display())))?;
    let frames = archive::start(std::io::BufWriter::with_capacity(1 << 20, file), header, key)?;
    let header = frames.header().clone();
    let mut gz = archive::gzip(frames);
    std::io::copy(&mut source, &mut gz).map_err(|e| BackupError::Write(e.to_string()))?;
    let (out, size) = gz.finish().and_then(|frames| frames.finish()).map_err(|e| BackupError::Write(e.to_string()))?;
    let file = out.into_inner().map_err(|e| BackupError::Write(e.to_string()))?;
    file.sync_all().map_err(|e| BackupError::Write(e.to_string()))?;
    Ok((header, size))
}
