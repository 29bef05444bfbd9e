//! PostgreSQL: `pg_dump --format=custom` inside an exported snapshot, in which the row
//! counts are taken too; `pg_restore` in one transaction for the way back. The client
//! programs come from `GB_PG_BIN` (a folder) or the `PATH`.

use super::{BackupError, BackupKey, Header, blocking, compare_counts, new_header};
use gruppenbuch_app::db::Backend;
use sqlx::{Connection, Executor, PgConnection, Row};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn tool(name: &str) -> PathBuf {
    match std::env::var_os("GB_PG_BIN") {
        Some(dir) if !dir.is_empty() => Path::new(&dir).join(name),
        _ => PathBuf::from(name),
    }
}

fn spawn(name: &str, args: &[&str], stdin: Stdio, stdout: Stdio) -> Result<std::process::Child, BackupError> {
    Command::new(tool(name)).args(args).stdin(stdin).stdout(stdout).stderr(Stdio::piped()).spawn().map_err(|e| {
        BackupError::Tool(format!(
            "{name} lässt sich nicht starten ({e}): PostgreSQL-Client installieren oder GB_PG_BIN auf seinen Ordner setzen"
        ))
    })
}

/// Collects a child's standard error on a thread of its own (so the pipe never fills).
fn collect_stderr(child: &mut std::process::Child) -> std::thread::JoinHandle<String> {
    let mut stderr = child.stderr.take();
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.read_to_string(&mut text);
        }
        text
    })
}

fn finish(
    name: &str,
    mut child: std::process::Child,
    stderr: std::thread::JoinHandle<String>,
) -> Result<(), BackupError> {
    let status = child.wait().map_err(|e| BackupError::Tool(format!("{name}: {e}")))?;
    let text = stderr.join().unwrap_or_default();
    if status.success() {
        Ok(())
    } else {
        Err(BackupError::Tool(format!("{name} ist fehlgeschlagen ({status}): {}", text.trim())))
    }
}

async fn counts(conn: &mut PgConnection) -> Result<(BTreeMap<String, i64>, i64), BackupError> {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
            .fetch_all(&mut *conn)
            .await?;
    let mut tables = BTreeMap::new();
    for name in names {
        let row = sqlx::query(&format!("SELECT COUNT(*) FROM \"{}\"", name.replace('"', "\"\"")))
            .fetch_one(&mut *conn)
            .await?;
        tables.insert(name, row.try_get::<i64, _>(0)?);
    }
    let version = if tables.contains_key("_sqlx_migrations") {
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *conn)
            .await?
    } else {
        0
    };
    Ok((tables, version))
}

pub(super) async fn backup(url: &str, partial: &Path, key: Option<&BackupKey>) -> Result<(Header, u64), BackupError> {
    let mut conn = PgConnection::connect(url).await?;
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?;
    let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()").fetch_one(&mut conn).await?;
    let (tables, version) = counts(&mut conn).await?;
    if !tables.contains_key("_sqlx_migrations") {
        return Err(BackupError::NoDatabase("DATABASE_URL (keine Gruppenbuch-Tabellen)".into()));
    }
    let header = new_header(Backend::Postgres, version, tables);
    // pg_dump reads the very snapshot the counts were taken in; the transaction that
    // exported it stays open until pg_dump is done.
    let written = {
        let (url, partial, key) = (url.to_owned(), partial.to_owned(), key.cloned());
        blocking(move || {
            let snapshot_arg = format!("--snapshot={snapshot}");
            let dbname = format!("--dbname={url}");
            let mut child = spawn(
                "pg_dump",
                &["--format=custom", "--compress=0", "--no-owner", "--no-privileges", &snapshot_arg, &dbname],
                Stdio::null(),
                Stdio::piped(),
            )?;
            let stderr = collect_stderr(&mut child);
            let stdout = child.stdout.take().ok_or_else(|| BackupError::Tool("pg_dump: keine Ausgabe".into()))?;
            let written = super::write_archive(stdout, &partial, header, key.as_ref());
            finish("pg_dump", child, stderr)?;
            written
        })
        .await
    };
    conn.execute("COMMIT").await?;
    written
}

/// Lets `pg_restore --list` read the dump in a backup: it is complete and well-formed.
pub(super) async fn check_dump(file: &Path, key: Option<BackupKey>) -> Result<(), BackupError> {
    let file = file.to_owned();
    blocking(move || {
        let mut child = spawn("pg_restore", &["--list"], Stdio::piped(), Stdio::null())?;
        let stderr = collect_stderr(&mut child);
        let fed = feed(&file, key.as_ref(), &mut child);
        finish("pg_restore", child, stderr)?;
        match fed {
            // `--list` reads the table of contents and stops; the data was checked by
            // reading the whole archive before.
            Err(BackupError::OutputClosed) => Ok(()),
            other => other,
        }
    })
    .await
}

/// Writes the payload of a backup into a child's standard input.
fn feed(file: &Path, key: Option<&BackupKey>, child: &mut std::process::Child) -> Result<(), BackupError> {
    let mut stdin = child.stdin.take().ok_or_else(|| BackupError::Tool("keine Eingabe".into()))?;
    let input = super::open_file(file)?;
    let (_, frames) = super::archive::open(input, key)?;
    super::archive::extract(frames, &mut stdin)?;
    Ok(())
}

pub(super) async fn restore(
    url: &str,
    file: &Path,
    header: &Header,
    key: Option<&BackupKey>,
    force: bool,
) -> Result<(), BackupError> {
    // The whole file first: nothing is touched for a damaged or cut-off backup.
    {
        let (file, key) = (file.to_owned(), key.cloned());
        blocking(move || super::verify_file(&file, key.as_ref())).await?;
    }
    check_dump(file, key.cloned()).await?;
    let mut conn = PgConnection::connect(url).await?;
    let (tables, _) = counts(&mut conn).await?;
    let rows: i64 = tables.iter().filter(|(t, _)| *t != "_sqlx_migrations").map(|(_, n)| n).sum();
    if rows > 0 && !force {
        return Err(BackupError::TargetNotEmpty(rows));
    }
    // pg_restore drops the dump's tables and recreates them in its one transaction, so a
    // failure leaves the target as it was. Tables the backup does not know (a target a
    // newer program version made) would survive that and break the next start: they go
    // first.
    let extra: Vec<&String> = tables.keys().filter(|t| !header.tables.contains_key(*t)).collect();
    if !extra.is_empty() {
        let mut tx = conn.begin().await?;
        for table in &extra {
            tx.execute(format!("DROP TABLE IF EXISTS \"{}\" CASCADE", table.replace('"', "\"\"")).as_str()).await?;
        }
        tx.commit().await?;
    }
    let restored = {
        let (url, file, key) = (url.to_owned(), file.to_owned(), key.cloned());
        blocking(move || {
            let dbname = format!("--dbname={url}");
            let mut child = spawn(
                "pg_restore",
                &[
                    "--single-transaction",
                    "--exit-on-error",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    &dbname,
                ],
                Stdio::piped(),
                Stdio::null(),
            )?;
            let stderr = collect_stderr(&mut child);
            let fed = feed(&file, key.as_ref(), &mut child);
            finish("pg_restore", child, stderr)?;
            fed
        })
        .await
    };
    if let Err(e) = restored {
        return Err(if extra.is_empty() { e } else { BackupError::RestoreBroken(e.to_string()) });
    }
    let (tables, version) = counts(&mut conn).await?;
    compare_counts(&header.tables, &tables).map_err(|e| BackupError::RestoreBroken(e.to_string()))?;
    if version != header.schema_version {
        return Err(BackupError::RestoreBroken(format!("Schema {version} statt {}", header.schema_version)));
    }
    conn.close().await?;
    Ok(())
}
