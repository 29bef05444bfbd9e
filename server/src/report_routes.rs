//! The PDF downloads (the report for the Hilfeplangespräch, the Kinderschutz documents):
//! plain GETs, so the browser saves the file. The same request context as every server
//! function decides the access and writes the audit row; the file is never cached.

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
    pdf_response(gruppenbuch_app::api::reports::ssr::pdf(state.store.clone(), state.settings.clone(), actor, &id).await)
}

/// `/kinderschutz/{id}/{document}`: `mitteilung.pdf` (the notice to the youth office) or
/// `fachkraft.pdf` (pseudonymised, for the insoweit erfahrene Fachkraft).
pub async fn protection_pdf(
    State(state): State<AppState>,
    Path((id, document)): Path<(String, String)>,
    user: Option<Extension<CurrentUser>>,
) -> Response {
    let pseudonymised = match document.as_str() {
        "mitteilung.pdf" => false,
        "fachkraft.pdf" => true,
        _ => return pdf_response(Err(AppError::NotFound)),
    };
    let actor = user.map(|Extension(u)| u);
    let settings = state.settings.clone();
    pdf_response(
        gruppenbuch_app::api::protection::ssr::pdf(state.store.clone(), settings, actor, &id, pseudonymised).await,
    )
}

fn pdf_response(result: Result<(Vec<u8>, String), AppError>) -> Response {
    match result {
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
                tracing::error!("pdf download failed");
            }
            let mut res = (status, error.message()).into_response();
            res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
            res
        }
    }
}
