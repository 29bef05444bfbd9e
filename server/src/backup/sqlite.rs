//! SQLite: `VACUUM INTO` for the snapshot, the database file as the payload.

use super::{BackupError, BackupKey, Header, RemoveOnDrop, blocking, compare_counts, new_header, sync_parent};
use gruppenbuch_app::db::{Backend, Store, sqlite_file};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Row};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn database_file(url: &str) -> Result<PathBuf, BackupError> {
    sqlite_file(url).ok_or(BackupError::UnsupportedUrl)
}

/// A temporary file beside the database: as private as the database itself.
fn beside(db: &Path, what: &str) -> PathBuf {
    let name = format!(".gruppenbuch-{what}-{}.db", uuid::Uuid::now_v7().simple());
    db.with_file_name(name)
}

/// What a database file holds: integrity, rows per table, schema version.
pub(super) async fn inspect(path: &Path) -> Result<(BTreeMap<String, i64>, i64), BackupError> {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .map_err(|e| BackupError::Check(format!("{}: {e}", path.display())))?;
    let problems: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| BackupError::Check(format!("integrity_check: {e}")))?;
    if problems != ["ok"] {
        return Err(BackupError::Check(format!("integrity_check: {}", problems.join("; "))));
    }
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await?;
    if !names.iter().any(|n| n == "_sqlx_migrations") {
        return Err(BackupError::Check("keine Gruppenbuch-Datenbank".into()));
    }
    let mut tables = BTreeMap::new();
    for name in names {
        let row = sqlx::query(&format!("SELECT COUNT(*) FROM \"{}\"", name.replace('"', "\"\"")))
            .fetch_one(&mut conn)
            .await?;
        tables.insert(name, row.try_get::<i64, _>(0)?);
    }
    let version: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    Ok((tables, version))
}

pub(super) async fn backup(url: &str, partial: &Path, key: Option<&BackupKey>) -> Result<(Header, u64), BackupError> {
    let db = database_file(url)?;
    if !db.is_file() {
        return Err(BackupError::NoDatabase(db.display().to_string()));
    }
    let snapshot = beside(&db, "backup");
    let _cleanup = RemoveOnDrop(vec![snapshot.clone()]);
    // One read transaction: the copy is the database at one moment, while the server
    // keeps writing (WAL readers do not block writers).
    let store = Store::connect(url).await.map_err(|e| BackupError::Database(e.to_string()))?;
    sqlx::query("VACUUM INTO $1").bind(snapshot.display().to_string()).execute(store.pool()).await?;
    store.pool().close().await;
    let (tables, version) = inspect(&snapshot).await?;
    let header = new_header(Backend::Sqlite, version, tables);
    let (partial, key) = (partial.to_owned(), key.cloned());
    blocking(move || {
        let source = std::fs::File::open(&snapshot).map_err(|e| BackupError::Read(e.to_string()))?;
        super::write_archive(std::io::BufReader::with_capacity(1 << 20, source), &partial, header, key.as_ref())
    })
    .await
}

/// Rows in the target, all tables but the migration list (0 when there is no file).
async fn rows_in(db: &Path) -> Result<i64, BackupError> {
    if !db.exists() || std::fs::metadata(db).map(|m| m.len()).unwrap_or(0) == 0 {
        return Ok(0);
    }
    let (tables, _) = inspect(db).await.map_err(|e| {
        BackupError::Check(format!("das Ziel {} ist keine lesbare Gruppenbuch-Datenbank ({e})", db.display()))
    })?;
    Ok(tables.iter().filter(|(t, _)| *t != "_sqlx_migrations").map(|(_, n)| n).sum())
}

pub(super) async fn restore(
    url: &str,
    file: &Path,
    header: &Header,
    key: Option<&BackupKey>,
    force: bool,
) -> Result<(), BackupError> {
    let db = database_file(url)?;
    let rows = match rows_in(&db).await {
        Ok(n) => n,
        // An unreadable target is not empty either: only --force replaces it.
        Err(e) if !force => return Err(e),
        Err(_) => 1,
    };
    if rows > 0 && !force {
        return Err(BackupError::TargetNotEmpty(rows));
    }
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| BackupError::Write(format!("{}: {e}", parent.display())))?;
    }
    let restored = beside(&db, "restore");
    let _cleanup = RemoveOnDrop(vec![restored.clone()]);
    {
        let (file, restored, key) = (file.to_owned(), restored.clone(), key.cloned());
        blocking(move || {
            let input = super::open_file(&file)?;
            let (_, frames) = super::archive::open(input, key.as_ref())?;
            let out = std::fs::File::create(&restored).map_err(|e| BackupError::Write(e.to_string()))?;
            let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
            super::archive::extract(frames, &mut out)?;
            let out = out.into_inner().map_err(|e| BackupError::Write(e.to_string()))?;
            out.sync_all().map_err(|e| BackupError::Write(e.to_string()))
        })
        .await?;
    }
    let (tables, version) = inspect(&restored).await?;
    compare_counts(&header.tables, &tables)?;
    if version != header.schema_version {
        return Err(BackupError::Check(format!("Schema {version} statt {}", header.schema_version)));
    }
    // The old database's write-ahead log must not be applied to the restored file.
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = db.clone().into_os_string();
        side.push(suffix);
        match std::fs::remove_file(&side) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(BackupError::Write(format!("{}: {e}", Path::new(&side).display()))),
        }
    }
    std::fs::rename(&restored, &db).map_err(|e| BackupError::RestoreBroken(format!("{}: {e}", db.display())))?;
    sync_parent(&db);
    Ok(())
}
