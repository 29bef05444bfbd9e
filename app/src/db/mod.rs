//! The store: all SQL of the application, written once for SQLite and PostgreSQL through
//! `sqlx::Any`. Queries use `$n` placeholders (both dialects accept them), ids are UUID
//! text, timestamps UTC unix milliseconds, flags 0/1 integers — inside this module only:
//! what it returns has typed ids (`domain::ids`), times as `chrono` values and flags as
//! `bool`; row structs stay private. Formatting for the screen is not done here.
//!
//! Every function takes a `&mut AnyConnection` so that callers run a read or write and
//! its audit row in one transaction (the request context, `api::cx::Cx`). This module
//! depends on `domain` only, never on `auth` or `api`.

pub mod accounts;
pub mod audit;
pub mod cards;
pub mod contacts;
pub mod demo;
pub mod entries;
pub mod feed;
pub mod goals;
pub mod groups;
pub mod incidents;
pub mod keys;
pub mod licence;
pub mod plans;
pub mod progress;
pub mod protection;
pub mod reports;
pub mod rights;
pub mod sessions;
pub mod sql;
pub mod submissions;
pub mod throttle;
pub mod youths;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::str::FromStr;
use std::time::Duration;

pub type Tx = Transaction<'static, Any>;
pub type Conn = sqlx::AnyConnection;

/// Which database engine the store talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Errors opening or migrating the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported DATABASE_URL (use sqlite:// or postgres://)")]
    UnsupportedUrl,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create the data directory: {0}")]
    DataDir(#[from] std::io::Error),
}

/// The one store API. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Opens a pool. SQLite files (and their folder) are created on first use and run in
    /// WAL mode with `synchronous=FULL`: a saved entry survives a power cut.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url).ok_or(StoreError::UnsupportedUrl)?;
        let url = if backend == Backend::Sqlite { prepare_sqlite_url(url)? } else { url.to_owned() };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Store { pool, backend })
    }

    /// Applies pending migrations. PostgreSQL takes an advisory lock, so instances that
    /// start together migrate once.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("../migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("../migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    /// Starts a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`):
    /// nearly every request writes an audit row, and upgrading a read transaction later
    /// could fail under concurrency instead of waiting.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// The newest migration applied to the database (0 before the first).
    pub async fn schema_version(&self) -> Result<i64, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        applied_schema_version(&mut conn).await
    }
}

/// The newest migration this program knows for a backend: a database (or a backup) with a
/// newer one was written by a newer program version.
pub fn known_schema_version(backend: Backend) -> i64 {
    let migrator = match backend {
        Backend::Sqlite => sqlx::migrate!("../migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("../migrations/postgres"),
    };
    migrator.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The newest migration applied through `conn` (0 before the first).
pub async fn applied_schema_version(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut *conn)
        .await
}

/// The backend a `DATABASE_URL` names, if any.
pub fn backend_of(url: &str) -> Option<Backend> {
    if url.starts_with("sqlite:") {
        Some(Backend::Sqlite)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Some(Backend::Postgres)
    } else {
        None
    }
}

/// The database file of a `sqlite://` URL (`None` for other URLs and `:memory:`).
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split_once('?').map_or(rest, |(p, _)| p);
    (path != ":memory:" && !path.is_empty()).then(|| std::path::PathBuf::from(path))
}

/// Makes sure the SQLite file may be created, and its folder exists.
fn prepare_sqlite_url(url: &str) -> Result<String, StoreError> {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:"
        && let Some(parent) = std::path::Path::new(path).parent().filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)?;
    }
    let query = if query.contains("mode=") {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// Current time as UTC unix milliseconds.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A stored time (UTC unix milliseconds) as a time.
pub fn time_of(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// A new time-ordered id.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Whether an error is a unique-constraint violation (a duplicate login or name).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(db) => db.is_unique_violation(),
        _ => false,
    }
}
