//! The operator's commands besides serving: `create-admin` (the first administration
//! account, password from `GB_ADMIN_PASSWORD` or the first line of standard input),
//! `backup`, `restore`, `verify-backup` and `backup-key` (`docs/operations.md`), and `help`.
//! Messages are German (the operators are the institute's staff); `main` prints an error
//! and exits with code 1.

use crate::{Config, open_store};

/// Runs the command `args[0]` with the rest of `args`.
pub async fn run(config: Config, args: &[String]) -> Result<(), String> {
    let Some((command, rest)) = args.split_first() else {
        return Err(USAGE.to_owned());
    };
    match command.as_str() {
        "create-admin" => create_admin(config, rest).await,
        "backup" => backup_command(&config, rest).await,
        "restore" => restore_command(&config, rest).await,
        "verify-backup" => verify_command(rest).await,
        "backup-key" => key_command(rest),
        "rotate-outbox-key" => rotate_command(&config, rest).await,
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("Unbekannter Befehl: {other}\n\n{USAGE}")),
    }
}

const USAGE: &str = "Aufruf:
  gruppenbuch-server [serve]
  gruppenbuch-server create-admin <login> <Name>   (Passwort aus GB_ADMIN_PASSWORD oder Standardeingabe)
  gruppenbuch-server backup <Datei> [--key <Schlüsseldatei>]
  gruppenbuch-server restore <Datei> [--key <Schlüsseldatei>] [--force]
  gruppenbuch-server verify-backup <Datei> [--key <Schlüsseldatei>]
  gruppenbuch-server backup-key <Schlüsseldatei>   (legt einen neuen Schlüssel an)
  gruppenbuch-server rotate-outbox-key             (neuer Schlüssel für die Geräte; alte öffnen weiter)
Die Datenbank nennt DATABASE_URL, die Schlüsseldatei der Geräte-Schlüssel GB_KEY_FILE.";

/// The arguments of the backup commands: one file, `--key <file>`, and `--force` where
/// allowed.
struct BackupArgs {
    file: std::path::PathBuf,
    key: Option<crate::backup::BackupKey>,
    force: bool,
}

fn backup_args(args: &[String], allow_force: bool) -> Result<BackupArgs, String> {
    let mut file = None;
    let mut key = None;
    let mut force = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--key" => {
                let path = rest.next().ok_or_else(|| format!("--key braucht eine Schlüsseldatei.\n\n{USAGE}"))?;
                key = Some(crate::backup::read_key_file(std::path::Path::new(path)).map_err(|e| e.to_string())?);
            }
            "--force" if allow_force => force = true,
            other if other.starts_with('-') => return Err(format!("Unbekannte Option: {other}\n\n{USAGE}")),
            other if file.is_none() => file = Some(std::path::PathBuf::from(other)),
            other => return Err(format!("Zu viele Angaben: {other}\n\n{USAGE}")),
        }
    }
    let file = file.ok_or_else(|| format!("Welche Datei?\n\n{USAGE}"))?;
    Ok(BackupArgs { file, key, force })
}

async fn backup_command(config: &Config, args: &[String]) -> Result<(), String> {
    let args = backup_args(args, false)?;
    let summary = crate::backup::backup(&config.database_url, &args.file, args.key.as_ref())
        .await
        .map_err(|e| format!("Sicherung fehlgeschlagen: {e}"))?;
    println!("Sicherung geschrieben und geprüft: {}\n{}", args.file.display(), summary.describe());
    Ok(())
}

async fn restore_command(config: &Config, args: &[String]) -> Result<(), String> {
    let args = backup_args(args, true)?;
    let summary =
        crate::backup::restore(&config.database_url, &args.file, args.key.as_ref(), args.force).await.map_err(|e| {
            if e.target_unchanged() {
                format!("Wiederherstellen abgelehnt: {e}\nAm Ziel wurde nichts verändert.")
            } else {
                e.to_string()
            }
        })?;
    println!("Wiederhergestellt und geprüft: {}\n{}", args.file.display(), summary.describe());
    Ok(())
}

/// Makes a new outbox key; the running servers hand it to the devices from their next
/// page on, and items sealed to the old one still open (it is kept, retired).
async fn rotate_command(config: &Config, args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err(USAGE.to_owned());
    }
    let wrapping = config.wrapping_key()?;
    let store = crate::open_store(config).await.map_err(|e| e.to_string())?;
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    // With another key file, the new key would be one the servers cannot open.
    if !gruppenbuch_app::sealing::keys::opens_current(&mut tx, &wrapping).await.map_err(|e| e.to_string())? {
        return Err("GB_KEY_FILE passt nicht zu dieser Datenbank: mit ihr lässt sich der jetzige Geräte-Schlüssel \
                    nicht öffnen. Bitte dieselbe Schlüsseldatei wie der Server angeben."
            .into());
    }
    let key_id = gruppenbuch_app::sealing::keys::rotate(&mut tx, &wrapping).await.map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    println!("Neuer Geräte-Schlüssel {key_id}; der bisherige öffnet weiter, was Geräte mit ihm versiegelt haben.");
    Ok(())
}

async fn verify_command(args: &[String]) -> Result<(), String> {
    let args = backup_args(args, false)?;
    let summary = crate::backup::verify(&args.file, args.key.as_ref())
        .await
        .map_err(|e| format!("Prüfung fehlgeschlagen: {e}"))?;
    println!("Sicherung in Ordnung: {}\n{}", args.file.display(), summary.describe());
    Ok(())
}

fn key_command(args: &[String]) -> Result<(), String> {
    let [path] = args else {
        return Err(USAGE.to_owned());
    };
    crate::backup::write_key_file(std::path::Path::new(path)).map_err(|e| e.to_string())?;
    println!(
        "Neuer Sicherungsschlüssel in {path}. Bewahren Sie ihn getrennt von den Sicherungen auf: ohne ihn lässt sich keine verschlüsselte Sicherung wiederherstellen."
    );
    Ok(())
}

async fn create_admin(config: Config, args: &[String]) -> Result<(), String> {
    use gruppenbuch_app::domain::account::AccountInput;
    let (Some(login), Some(name)) = (args.first(), args.get(1)) else {
        return Err(USAGE.to_owned());
    };
    let password = match std::env::var("GB_ADMIN_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).map_err(|e| e.to_string())?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let input = AccountInput {
        display_name: name.clone(),
        login: login.clone(),
        role: "admin".into(),
        group_ids: Vec::new(),
        youth_id: String::new(),
        email: String::new(),
        password,
    };
    let (account, password) = input.validate(true).map_err(|errors| {
        errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("\n")
    })?;
    let store = open_store(&config).await.map_err(|e| e.to_string())?;
    let hash = gruppenbuch_app::auth::password::hash(&password).map_err(|e| e.to_string())?;
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    let id = gruppenbuch_app::db::accounts::insert(&mut tx, &account, &hash).await.map_err(|e| {
        if gruppenbuch_app::db::is_unique_violation(&e) {
            "Dieser Benutzername ist schon vergeben.".to_owned()
        } else {
            e.to_string()
        }
    })?;
    gruppenbuch_app::db::audit::record_anonymous(
        &mut tx,
        "(Kommandozeile)",
        gruppenbuch_app::db::audit::AuditRecord {
            action: gruppenbuch_app::domain::audit::AuditAction::Create,
            record_kind: gruppenbuch_app::domain::audit::RecordKind::Account,
            record_id: Some(id.as_str()),
            youth_id: None,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    println!("Admin-Konto „{login}“ angelegt.");
    Ok(())
}
