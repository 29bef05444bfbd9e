//! `gruppenbuch-server [serve]` runs the app: configuration, logging, the database and
//! its migrations, demo data, the background workers, then the HTTP server until SIGTERM.
//! Every other first argument is one of the operator's commands in `cli`
//! (`create-admin`, `backup`, `restore`, `verify-backup`, `backup-key`, `help`).

use gruppenbuch_app::db::demo::{DEMO_CARD, DEMO_LOGINS, DEMO_PASSWORD, DEMO_PIN, seed_if_empty};
use gruppenbuch_server::{Config, build_state, serve};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::from_env();
    init_tracing(config.log_json);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None | Some("serve") => run(config).await,
        Some(_) => gruppenbuch_server::cli::run(config, &args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), String> {
    // Settings that cannot work stop the start before the database is touched.
    let config = config.for_serving()?;
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
        println!(
            "  Jugendliche melden sich mit ihrer Anmeldekarte an: {}/karte/{DEMO_CARD} (PIN {DEMO_PIN})",
            state.settings.public_url.trim_end_matches('/')
        );
    } else {
        let mut conn = state.store.pool().acquire().await.map_err(|e| e.to_string())?;
        if gruppenbuch_app::db::accounts::count(&mut conn).await.map_err(|e| e.to_string())? == 0 {
            println!(
                "Noch kein Konto vorhanden. Lege das erste Admin-Konto an mit:\n  GB_ADMIN_PASSWORD='…' gruppenbuch-server create-admin <login> \"<Name>\""
            );
        }
    }
    let _alerts = gruppenbuch_server::alerts::spawn(state.store.clone(), config.alerts.clone());
    let _backups = config
        .backups
        .clone()
        .map(|schedule| gruppenbuch_server::backup::spawn_schedule(config.database_url.clone(), schedule));
    serve(state).await.map_err(|e| e.to_string())
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
