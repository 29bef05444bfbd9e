//! Backup and restore of a whole installation, on the backend `TEST_DATABASE_URL` names:
//! a consistent snapshot taken while staff keep writing, a restore that shows the same
//! entries and audit log, and refusals that change nothing (damaged, cut off, wrong key,
//! newer schema, a target with data). The last test drives the real command line.

use crate::common::{Client, TestApp, count, fresh_database_url, new_id, sealed_form, spawn_app, today};
use gruppenbuch_app::db::{Backend, Store, known_schema_version};
use gruppenbuch_server::backup::{self, BackupError, BackupKey};
use std::path::{Path, PathBuf};

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gruppenbuch-backup-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// What users see of an installation: entries, their versions, the audit log, the feed.
async fn contents(store: &Store) -> Vec<String> {
    let mut conn = store.pool().acquire().await.expect("conn");
    let mut rows = Vec::new();
    let entries: Vec<(String, String, i64, i64)> =
        sqlx::query_as("SELECT id, kind, version, created_at FROM entries ORDER BY id")
            .fetch_all(&mut *conn)
            .await
            .expect("entries");
    rows.extend(entries.into_iter().map(|r| format!("entry {r:?}")));
    let versions: Vec<(String, i64, String)> =
        sqlx::query_as("SELECT entry_id, version, body FROM entry_versions ORDER BY entry_id, version")
            .fetch_all(&mut *conn)
            .await
            .expect("versions");
    rows.extend(versions.into_iter().map(|r| format!("version {r:?}")));
    let audit: Vec<(String, i64, String, String, String)> =
        sqlx::query_as("SELECT id, at, actor_login, action, record_kind FROM audit_log ORDER BY id")
            .fetch_all(&mut *conn)
            .await
            .expect("audit");
    rows.extend(audit.into_iter().map(|r| format!("audit {r:?}")));
    let feed: Vec<(String, String)> =
        sqlx::query_as("SELECT id, kind FROM feed_items ORDER BY id").fetch_all(&mut *conn).await.expect("feed");
    rows.extend(feed.into_iter().map(|r| format!("feed {r:?}")));
    rows
}

async fn open(url: &str) -> Store {
    Store::connect(url).await.expect("open restored store")
}

/// Sends a sealed note as `fachkraft`'s phone would, about Mia (the demo's own group).
async fn send_note(app: &TestApp, staff: &Client, text: &str) {
    let key = crate::common::outbox_key(app).await;
    let author = crate::common::user_id(app, "fachkraft").await;
    let youth: String = {
        let mut conn = app.store.pool().acquire().await.expect("conn");
        sqlx::query_scalar("SELECT id FROM youths WHERE first_name = 'Mia'").fetch_one(&mut *conn).await.expect("Mia")
    };
    let id = new_id();
    let payload = serde_json::json!({
        "author_id": author,
        "note": { "id": id, "subject": youth, "date": today(), "category": "schule", "text": text }
    });
    let res = staff.call("/api/outbox/deliver", &sealed_form(&key, &id, "note", &payload)).await;
    assert_eq!(res.status, 200, "{res:?}");
}

/// A target database that does not exist yet (SQLite) or is empty (PostgreSQL).
async fn empty_target() -> String {
    fresh_database_url().await
}

/// Whether a target is still untouched: no SQLite file, or no tables in PostgreSQL.
async fn untouched(url: &str) -> bool {
    match gruppenbuch_app::db::sqlite_file(url) {
        Some(file) => !file.exists(),
        None => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
            let tables: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()")
                .fetch_one(&mut conn)
                .await
                .expect("tables");
            tables == 0
        }
    }
}

#[tokio::test]
async fn a_backup_taken_while_staff_write_restores_the_same_entries_and_audit_log() {
    let app = spawn_app().await;
    let staff = Client::login(&app, "fachkraft").await;
    send_note(&app, &staff, "Vor der Sicherung").await;
    let dir = temp_dir();

    // Staff keep writing while the backup runs: it neither blocks them nor breaks.
    let writing = {
        let (app_url, store, addr, settings) =
            (app.database_url.clone(), app.store.clone(), app.addr, app.settings.clone());
        let staff = staff.clone();
        tokio::spawn(async move {
            let app = TestApp { addr, store, database_url: app_url, settings };
            for i in 0..15 {
                send_note(&app, &staff, &format!("Während der Sicherung {i}")).await;
            }
        })
    };
    let during = backup::backup(&app.database_url, &dir.join("during.gbb"), None).await.expect("backup while writing");
    writing.await.expect("writes during the backup");
    let target = empty_target().await;
    let restored = backup::restore(&target, &dir.join("during.gbb"), None, false).await.expect("restore");
    assert_eq!(restored.header, during.header);
    let restored_store = open(&target).await;
    // One moment in time: the restored installation holds what the backup counted, every
    // entry with its versions.
    for table in ["entries", "entry_versions", "audit_log", "feed_items", "users"] {
        assert_eq!(count(&restored_store, table).await, during.header.tables[table], "{table}");
    }
    assert_eq!(count(&restored_store, "entries").await, count(&restored_store, "entry_versions").await);

    // Quiet now: a second backup, encrypted, restores to exactly what the source shows.
    let key_file = dir.join("schluessel");
    backup::write_key_file(&key_file).expect("key file");
    let key = backup::read_key_file(&key_file).expect("read key");
    let quiet = backup::backup(&app.database_url, &dir.join("quiet.gbb"), Some(&key)).await.expect("backup");
    assert!(quiet.header.encryption.is_some());
    // The new machine's server was started once: its database has the tables, no rows.
    // That is empty: no --force needed.
    let target = empty_target().await;
    let fresh = open(&target).await;
    fresh.migrate().await.expect("migrate the new machine's database");
    fresh.pool().close().await;
    backup::restore(&target, &dir.join("quiet.gbb"), Some(&key), false).await.expect("restore encrypted");
    let restored_store = open(&target).await;
    assert_eq!(contents(&restored_store).await, contents(&app.store).await);
    // A restored installation starts: its migrations are in place and it is ready.
    restored_store.migrate().await.expect("migrate restored");
    assert!(restored_store.ping().await);
    assert_eq!(restored_store.schema_version().await.expect("version"), quiet.header.schema_version);

    // The backup does not overwrite an existing file.
    assert!(matches!(
        backup::backup(&app.database_url, &dir.join("quiet.gbb"), None).await,
        Err(BackupError::Exists(_))
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_damaged_cut_off_foreign_or_too_new_backup_and_a_full_target_are_refused_and_nothing_changes() {
    let app = spawn_app().await;
    let dir = temp_dir();
    let key_file = dir.join("schluessel");
    backup::write_key_file(&key_file).expect("key file");
    let key = backup::read_key_file(&key_file).expect("key");
    let good = dir.join("gut.gbb");
    backup::backup(&app.database_url, &good, Some(&key)).await.expect("backup");
    let bytes = std::fs::read(&good).expect("read");

    let variant = |name: &str, data: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, data).expect("write variant");
        path
    };
    let cut = variant("abgeschnitten.gbb", &bytes[..bytes.len() * 2 / 3]);
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x01;
    let flipped = variant("kaputt.gbb", &flipped);
    let foreign = variant("fremd.gbb", b"PK\x03\x04 this is a zip file, not a backup");
    let empty = variant("leer.gbb", b"");

    let target = empty_target().await;
    let other_key = BackupKey::generate();
    let refusals: Vec<(&Path, Option<&BackupKey>, &str)> = vec![
        (&cut, Some(&key), "Truncated"),
        (&flipped, Some(&key), "Corrupt"),
        (&foreign, Some(&key), "NotABackup"),
        (&empty, Some(&key), "NotABackup"),
        (&good, None, "KeyNeeded"),
        (&good, Some(&other_key), "WrongKey"),
    ];
    for (file, key, expected) in refusals {
        let err = backup::restore(&target, file, key, false).await.expect_err("must be refused");
        assert!(format!("{err:?}").starts_with(expected), "{}: {err:?}", file.display());
        assert!(err.target_unchanged());
        assert!(!err.to_string().is_empty());
        assert!(untouched(&target).await, "{} changed the target", file.display());
        // `verify-backup` sees the same.
        assert!(backup::verify(file, key).await.is_err());
    }
    assert!(backup::verify(&good, Some(&key)).await.is_ok());

    // A backup written by a newer program version: refused before anything is read.
    let backend = app.store.backend();
    let newer = dir.join("neuer.gbb");
    {
        let mut header = backup::verify(&good, Some(&key)).await.expect("header").header;
        header.schema_version = known_schema_version(backend) + 1;
        let out = std::fs::File::create(&newer).expect("create");
        let frames = backup::archive::start(out, header, None).expect("start");
        let gz = backup::archive::gzip(frames);
        gz.finish().expect("gzip").finish().expect("finish");
    }
    let err = backup::restore(&target, &newer, None, false).await.expect_err("newer schema");
    assert!(matches!(err, BackupError::NewerSchema { .. }), "{err:?}");
    assert!(err.to_string().contains("neueren Programmversion"));
    assert!(untouched(&target).await);

    // A target with data is not overwritten without --force; with it, it is replaced.
    let other = spawn_app().await;
    let staff = Client::login(&other, "fachkraft").await;
    send_note(&other, &staff, "Nur im Ziel").await;
    let before = contents(&other.store).await;
    let err = backup::restore(&other.database_url, &good, Some(&key), false).await.expect_err("full target");
    assert!(matches!(err, BackupError::TargetNotEmpty(_)), "{err:?}");
    assert_eq!(contents(&other.store).await, before);
    // Forced, onto a target whose server is stopped (SQLite replaces the file).
    other.store.pool().close().await;
    backup::restore(&other.database_url, &good, Some(&key), true).await.expect("forced restore");
    let replaced = open(&other.database_url).await;
    assert_eq!(contents(&replaced).await, contents(&app.store).await);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn scheduled_backups_come_when_due_and_keep_only_the_newest() {
    let app = spawn_app().await;
    let dir = temp_dir();
    // Older scheduled backups from earlier days (names sort by time) and a foreign file.
    for day in ["20261101-020000", "20261102-020000", "20261103-020000"] {
        std::fs::write(dir.join(format!("gruppenbuch-{day}.gbb")), b"old").expect("old backup");
    }
    std::fs::write(dir.join("notizen.txt"), b"bleibt").expect("foreign file");
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3 * 24 * 3600);
    for entry in std::fs::read_dir(&dir).expect("dir").flatten() {
        std::fs::File::options()
            .write(true)
            .open(entry.path())
            .and_then(|f| f.set_modified(past))
            .expect("age the file");
    }
    let schedule =
        backup::Schedule { dir: dir.clone(), every: std::time::Duration::from_secs(24 * 3600), keep: 2, key: None };
    let made = backup::run_schedule_once(&app.database_url, &schedule).await.expect("due").expect("a new backup");
    assert!(backup::verify(&made, None).await.is_ok());
    // Not due again right after.
    assert!(backup::run_schedule_once(&app.database_url, &schedule).await.expect("not due").is_none());
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).expect("dir").flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(names[0], "gruppenbuch-20261103-020000.gbb", "the two oldest are gone: {names:?}");
    assert_eq!(names[1], made.file_name().expect("name").to_string_lossy());
    assert_eq!(names[2], "notizen.txt");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The release binary `make build` made (or `GB_SERVER_BIN`).
fn server_binary() -> PathBuf {
    let path = std::env::var_os("GB_SERVER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/gruppenbuch-server"));
    assert!(path.exists(), "{} is missing: run `make build` first", path.display());
    path
}

fn run(args: &[&str], database_url: &str) -> (bool, String) {
    let out = std::process::Command::new(server_binary())
        .args(args)
        .env("DATABASE_URL", database_url)
        .env_remove("GB_BACKUP_DIR")
        .output()
        .expect("run the server binary");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[tokio::test]
async fn the_command_line_backs_up_restores_and_explains_refusals_with_a_failing_exit_code() {
    let app = spawn_app().await;
    let dir = temp_dir();
    let file = dir.join("sicherung.gbb");
    let key = dir.join("schluessel");
    let (file_s, key_s) = (file.display().to_string(), key.display().to_string());

    let (ok, text) = run(&["backup-key", &key_s], &app.database_url);
    assert!(ok, "{text}");
    let (ok, text) = run(&["backup-key", &key_s], &app.database_url);
    assert!(!ok && text.contains("gibt es schon"), "{text}");

    let (ok, text) = run(&["backup", &file_s, "--key", &key_s], &app.database_url);
    assert!(ok, "{text}");
    assert!(text.contains("geprüft") && text.contains("verschlüsselt"), "{text}");
    let (ok, text) = run(&["verify-backup", &file_s, "--key", &key_s], &app.database_url);
    assert!(ok, "{text}");

    // Into the installation it came from: it has data.
    let (ok, text) = run(&["restore", &file_s, "--key", &key_s], &app.database_url);
    assert!(!ok, "{text}");
    assert!(text.contains("--force") && text.contains("nichts verändert"), "{text}");
    // Without the key, with a cut-off copy.
    let target = empty_target().await;
    let (ok, text) = run(&["restore", &file_s], &target);
    assert!(!ok && text.contains("verschlüsselt"), "{text}");
    let bytes = std::fs::read(&file).expect("read");
    let cut = dir.join("halb.gbb");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let (ok, text) = run(&["restore", &cut.display().to_string(), "--key", &key_s], &target);
    assert!(!ok && text.contains("unvollständig") && text.contains("nichts verändert"), "{text}");
    assert!(untouched(&target).await);
    let (ok, text) = run(&["restore", "--kaputt", &file_s], &target);
    assert!(!ok && text.contains("Unbekannte Option"), "{text}");

    let (ok, text) = run(&["restore", &file_s, "--key", &key_s], &target);
    assert!(ok, "{text}");
    assert!(text.contains("Wiederhergestellt"), "{text}");
    assert_eq!(contents(&open(&target).await).await, contents(&app.store).await);
    if app.store.backend() == Backend::Sqlite {
        // The snapshot and the partial file are gone; only the backup and the key remain.
        let mut left: Vec<String> =
            std::fs::read_dir(&dir).expect("dir").flatten().map(|e| e.file_name().to_string_lossy().into()).collect();
        left.sort();
        assert_eq!(left, ["halb.gbb", "schluessel", "sicherung.gbb"]);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
