//! `gruppenbuch-server [serve]` runs the app; `gruppenbuch-server create-admin <login>
//! <name>` creates the first administration account (password from the environment
//! variable `GB_ADMIN_PASSWORD` or the first line of standard input).

use gruppenbuch_app::db::demo::{DEMO_LOGINS, DEMO_PASSWORD, DEMO_PIN, seed_if_empty};
use gruppenbuch_server::{Config, build_state, open_store, serve};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::from_env();
    init_tracing(config.log_json);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None | Some("serve") => run(config).await,
        Some("create-admin") => create_admin(config, &args[1..]).await,
        Some(other) => Err(format!("Unbekannter Befehl: {other}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "Aufruf:\n  gruppenbuch-server [serve]\n  gruppenbuch-server create-admin <login> <Name>   (Passwort aus GB_ADMIN_PASSWORD oder Standardeingabe)";

async fn run(config: Config) -> Result<(), String> {
    let state = build_state(&config).await.map_err(|e| format!("Start fehlgeschlagen: {e}"))?;
    if config.demo {
        let seeded = seed_if_empty(&state.store).await.map_err(|e| format!("Demodaten: {e}"))?;
        if seeded {
            println!(
                "Demo-Institut angelegt. Anmeldungen (Passwort für alle: {DEMO_PASSWORD}; Jugendliche: PIN {DEMO_PIN}):"
            );
        } else {
            println!(
                "Demo-Anmeldungen (Passwort für alle: {DEMO_PASSWORD}; Jugendliche: PIN {DEMO_PIN}), sofern nicht geändert:"
            );
        }
        for l in DEMO_LOGINS {
            println!("  {:<15} {:<15} {}", l.login, l.role.label(), l.note);
        }
    } else {
        let mut conn = state.store.pool().acquire().await.map_err(|e| e.to_string())?;
        if gruppenbuch_app::db::accounts::count(&mut conn).await.map_err(|e| e.to_string())? == 0 {
            println!(
                "Noch kein Konto vorhanden. Lege das erste Admin-Konto an mit:\n  GB_ADMIN_PASSWORD='…' gruppenbuch-server create-admin <login> \"<Name>\""
            );
        }
    }
    let _alerts = gruppenbuch_server::alerts::spawn(state.store.clone(), config.alerts.clone());
    serve(state).await.map_err(|e| e.to_string())
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
            action: gruppenbuch_app::db::audit::AuditAction::Create,
            record_kind: "account",
            record_id: Some(&id),
            youth_id: None,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    println!("Admin-Konto „{login}“ angelegt.");
    Ok(())
}

fn init_tracing(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}
