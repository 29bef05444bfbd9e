//! The test harness: the real application on a random port over a real database
//! (`mod.rs`), a browser-like HTTP client (`http`), the forms and sealed items a device
//! sends (`forms`), and the demo records each test starts from (`fixtures`).

mod fixtures;
mod forms;
mod http;

pub use fixtures::*;
pub use forms::*;
pub use http::*;

use gruppenbuch_app::api::ssr::{AppState, Settings};
use gruppenbuch_app::db::Store;
use gruppenbuch_app::domain::ids::RecordId;
use std::net::SocketAddr;
use std::sync::Arc;

/// A fresh, empty database URL: a new SQLite file, or a new database on the PostgreSQL
/// server named by `TEST_DATABASE_URL`.
pub async fn fresh_database_url() -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            use sqlx::Connection;
            let name = format!("gb_{}", uuid::Uuid::now_v7().simple());
            let mut admin = sqlx::PgConnection::connect(&url).await.expect("connect to TEST_DATABASE_URL");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create test database");
            let base = url.rsplit_once('/').map(|(b, _)| b).expect("database URL with a path");
            format!("{base}/{name}")
        }
        _ => {
            let dir = std::env::temp_dir().join(format!("gruppenbuch-test-{}", uuid::Uuid::now_v7().simple()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            format!("sqlite://{}/test.db", dir.display())
        }
    }
}

pub async fn fresh_store() -> Store {
    let store = Store::connect(&fresh_database_url().await).await.expect("open store");
    store.migrate().await.expect("migrate");
    store
}

/// A running application.
pub struct TestApp {
    pub addr: SocketAddr,
    pub store: Store,
    /// The `DATABASE_URL` of `store`.
    pub database_url: String,
    pub settings: Arc<Settings>,
}

/// Spawns the app on 127.0.0.1:0 with the demo institute seeded.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Settings { cookie_secure: false, ..Settings::default() }).await
}

pub async fn spawn_app_with(settings: Settings) -> TestApp {
    spawn_app_serving(settings, None).await
}

/// Spawns the app; with `site_root`, static files are served from that directory.
pub async fn spawn_app_serving(settings: Settings, site_root: Option<&std::path::Path>) -> TestApp {
    let database_url = fresh_database_url().await;
    let store = Store::connect(&database_url).await.expect("open store");
    store.migrate().await.expect("migrate");
    gruppenbuch_app::db::demo::seed_if_empty(&store).await.expect("seed");
    let mut leptos_options = leptos::prelude::get_configuration(None).expect("leptos configuration").leptos_options;
    if let Some(root) = site_root {
        leptos_options.site_root = root.display().to_string().into();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    // Links the server prints point at this server, unless a test configures an address.
    let mut settings = settings;
    if settings.public_url == Settings::default().public_url {
        settings.public_url = format!("http://{addr}");
    }
    let settings = Arc::new(settings);
    let state = AppState { store: store.clone(), settings: settings.clone(), leptos_options };
    let app = gruppenbuch_server::router(state).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    TestApp { addr, store, database_url, settings }
}

/// A record id from a fixture's text.
pub fn id<T: RecordId>(text: &str) -> T {
    T::parse_id(text).unwrap_or_else(|| panic!("not an id: {text:?}"))
}

pub async fn count(store: &Store, table: &str) -> i64 {
    let mut conn = store.pool().acquire().await.expect("conn");
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut *conn).await.expect("count")
}
