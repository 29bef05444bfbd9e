//! The report for the Hilfeplangespräch as a PDF download: a plain GET, so the browser
//! saves the file. The same request context as every server function decides the access
//! and writes the audit row; the file is never cached.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gruppenbuch_app::api::ssr::AppState;
use gruppenbuch_app::auth::CurrentUser;
use gruppenbuch_app::error::AppError;

pub async fn report_pdf(
    State(state): State<AppState>,
    Path(id): Path<String>,
    user: Option<Extension<CurrentUser>>,
) -> Response {
    let actor = user.map(|Extension(u)| u);
    match gruppenbuch_app::api::reports::ssr::pdf(state.store.clone(), state.settings.clone(), actor, &id).await {
        Ok((bytes, name)) => {
            let mut res = bytes.into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            // The name is ASCII letters, digits and hyphens (`domain::report::file_name`).
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            res
        }
        Err(error) => {
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            if matches!(error, AppError::Internal) {
                tracing::error!("report pdf failed");
            }
            let mut res = (status, error.message()).into_response();
            res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
            res
        }
    }
}
