//! The Gruppenbuch server: configuration, start-up (database, migrations, demo data),
//! the HTTP stack and its middleware. The application itself — pages, server functions,
//! store, policy — lives in `gruppenbuch-app`; this crate only wires it up.

/// Escalation of unacknowledged incidents and the alarm e-mails.
pub mod alerts;
/// Login and logout form handlers.
pub mod auth_routes;
/// Backup and restore, also scheduled.
pub mod backup;
/// The operator's commands: create-admin, backup, restore, verify-backup, backup-key.
pub mod cli;
/// Configuration from the environment.
pub mod config;
/// Security headers, CSRF defence, sessions, the page gate, error statuses.
pub mod middleware;
pub mod report_routes;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use gruppenbuch_app::api::ssr::AppState;
use gruppenbuch_app::app::{App, shell};
use gruppenbuch_app::db::Store;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use config::Config;

/// Errors that stop start-up.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("configuration: {0}")]
    Leptos(String),
    #[error(transparent)]
    Store(#[from] gruppenbuch_app::db::StoreError),
    #[error("{0}")]
    Config(String),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens the store and applies migrations; a failed migration stops start-up.
pub async fn open_store(config: &Config) -> Result<Store, StartupError> {
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    Ok(store)
}

/// Builds the whole HTTP application for a store.
pub fn router(state: AppState) -> Router {
    let routes = route_list().to_vec();
    let leptos_options = state.leptos_options.clone();
    let request_timeout =
        std::time::Duration::from_millis(u64::try_from(state.settings.request_timeout_ms).unwrap_or(60_000));
    let context_state = state.clone();
    let context = move || provide_context(context_state.clone());

    // `leptos_routes_with_context` registers every server function at its own path; this
    // catch-all only answers paths that name no server function (400).
    let api = Router::new().route("/api/{*fn_name}", post(server_fn_handler).get(server_fn_handler));

    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/auth/login", post(auth_routes::login))
        .route("/auth/logout", post(auth_routes::logout))
        .route("/auth/card", post(auth_routes::card_login))
        .route("/berichte/{id}/bericht.pdf", get(report_routes::report_pdf))
        .route("/kinderschutz/{id}/{document}", get(report_routes::protection_pdf))
        .merge(api)
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback({
            let files = leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell);
            move |uri, state, req| isolated(files(uri, state, req))
        })
        // Innermost, so every handler sees at most 1 MiB; larger bodies get 413.
        .layer(RequestBodyLimitLayer::new(middleware::BODY_LIMIT))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|req: &Request<Body>| {
                            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                            // The path only (query strings may carry search terms), without the
                            // tokens of login cards and group links.
                            let path = middleware::loggable_path(req.uri().path());
                            // The anonymous channel leaves no line with a time in the log:
                            // beside a session's requests it would tell who sent what.
                            if middleware::unlogged_path(path) {
                                return tracing::Span::none();
                            }
                            tracing::info_span!("request", method = %req.method(), path = %path, request_id = %id)
                        })
                        // One line per request at the default level: status and latency, in the
                        // span above (no personal data).
                        .on_response(
                            |res: &axum::http::Response<Body>, latency: std::time::Duration, span: &tracing::Span| {
                                if !span.is_none() {
                                    tracing::info!(
                                        status = res.status().as_u16(),
                                        latency = %format_args!("{} ms", latency.as_millis()),
                                        "finished processing request"
                                    );
                                }
                            },
                        ),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::security_headers))
                // No request needs a minute (`GB_REQUEST_TIMEOUT_SECONDS`); a client that
                // stalls mid-request gets 408 instead of holding a connection. Inside the
                // security headers, so the 408 carries them like every other response.
                .layer(tower_http::timeout::TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    request_timeout,
                ))
                .layer(axum::middleware::from_fn(middleware::csrf_guard))
                .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::resolve_session))
                .layer(axum::middleware::from_fn(middleware::page_gate))
                .layer(axum::middleware::from_fn(middleware::server_fn_status))
                .layer(axum::middleware::from_fn(middleware::server_fn_arguments)),
        )
        .with_state(state)
}

async fn server_fn_handler(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    isolated(handle_server_fns_with_context(move || provide_context(state.clone()), req)).await
}

/// Polls a leptos_axum handler under a reactive root of its own.
///
/// The static-file and server-function handlers make their reactive owner with
/// `Owner::new()`: a child of whatever owner the worker thread last left current, which
/// can be another request's page render. The static-file handler then took that page's
/// `ResponseOptions` headers (its CSP with the nonce) onto a `.wasm` response, and the
/// page went out with the middleware's nonce-less policy, so its scripts were blocked.
fn isolated<F: std::future::Future>(fut: F) -> ScopedFuture<F> {
    ScopedFuture { owner: Owner::new_root(None), observer: None, fut }
}

async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    if state.store.ping().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

/// Builds the application state from the configuration and Leptos' settings.
pub async fn build_state(config: &Config) -> Result<AppState, StartupError> {
    let leptos = get_configuration(None).map_err(|e| StartupError::Leptos(e.to_string()))?;
    config.check().map_err(StartupError::Config)?;
    let mut settings = config.settings.clone();
    settings.key_wrapping = config.wrapping_key().map_err(StartupError::Config)?;
    let store = open_store(config).await?;
    {
        let mut conn = store.pool().acquire().await.map_err(gruppenbuch_app::db::StoreError::from)?;
        gruppenbuch_app::sealing::keys::prepare(&mut conn, &settings.key_wrapping)
            .await
            .map_err(gruppenbuch_app::db::StoreError::from)?;
        gruppenbuch_app::api::submissions::ssr::key_pickups(&mut conn, &settings)
            .await
            .map_err(gruppenbuch_app::db::StoreError::from)?;
    }
    // The dummy hash for unknown logins is made now, not on the first unknown login
    // (which would then take twice as long and tell that the login does not exist).
    tokio::task::spawn_blocking(|| gruppenbuch_app::auth::password::verify("", None)).await.ok();
    Ok(AppState { store, settings: Arc::new(settings), leptos_options: leptos.leptos_options })
}

/// Serves until Ctrl-C or SIGTERM, finishing requests in flight.
pub async fn serve(state: AppState) -> Result<(), StartupError> {
    let addr = state.leptos_options.site_addr;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tracing::info!("listening on http://{local}");
    println!("Gruppenbuch läuft auf http://{local}");
    let (stopping, mut stop_seen) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            let _ = stopping.send(true);
        });
    // Requests in flight get their time, but a client that stalls mid-request must not
    // hold the stop until the supervisor kills the process.
    let deadline = async move {
        let _ = stop_seen.wait_for(|stopping| *stopping).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        served = server => served?,
        () = deadline => tracing::warn!("requests still running {} s after the stop signal; stopping anyway", SHUTDOWN_GRACE.as_secs()),
    }
    Ok(())
}

/// How long requests in flight may take after SIGTERM (systemd waits 30 s by default
/// before it kills).
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(20);

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

/// The page routes of the app, in axum's path syntax (for the access-matrix test).
pub fn route_paths() -> Vec<String> {
    route_list().iter().map(|r| r.path().to_owned()).collect()
}

/// The route list, generated once per process.
///
/// Generating it runs the whole app with resource loading suppressed by a process-wide
/// flag; a page render whose resource starts meanwhile waits forever (leptos#4773). A
/// server generates it once at start-up anyway; the integration tests build many
/// routers while other tests render pages, and must not generate it again.
fn route_list() -> &'static [leptos_axum::AxumRouteListing] {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App))
}
