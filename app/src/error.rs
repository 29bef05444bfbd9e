//! The one error type of the application. It crosses the wire from server functions to
//! the browser, so it carries only what the user may see: a kind and, for validation,
//! German messages per field. Details go to the server log, never to the client.

use crate::i18n::texts;
use serde::{Deserialize, Serialize};

/// A validation message that belongs next to one form field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self { field: field.to_owned(), message: message.into() }
    }
}

/// Everything that can go wrong in a request, as the user sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not logged in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("conflict")]
    Conflict(String),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("network")]
    Network,
    #[error("internal error")]
    Internal,
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Validation(_) | AppError::BadRequest(_) => 400,
            AppError::Conflict(_) => 409,
            AppError::TooManyRequests { .. } => 429,
            AppError::Network => 503,
            AppError::Internal => 500,
        }
    }

    /// One German sentence for the user.
    pub fn message(&self) -> String {
        let t = texts();
        match self {
            AppError::Unauthenticated => t.error_unauthenticated.into(),
            AppError::Forbidden => t.error_forbidden.into(),
            AppError::NotFound => t.error_not_found.into(),
            AppError::Validation(_) => t.error_validation.into(),
            AppError::BadRequest(msg) if !msg.is_empty() => msg.clone(),
            AppError::BadRequest(_) => t.error_bad_request.into(),
            AppError::Conflict(msg) if !msg.is_empty() => msg.clone(),
            AppError::Conflict(_) => t.error_conflict.into(),
            AppError::TooManyRequests { .. } => t.error_too_many.into(),
            AppError::Network => t.error_network.into(),
            AppError::Internal => t.error_internal.into(),
        }
    }

    /// The message for one field, if this is a validation error that names it.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Validation(errors) => errors.iter().find(|e| e.field == name).map(|e| e.message.clone()),
            _ => None,
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::new(field, message)])
    }
}

impl From<Vec<FieldError>> for AppError {
    fn from(errors: Vec<FieldError>) -> Self {
        AppError::Validation(errors)
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            // Malformed bodies, unknown fields and wrong types never reach our code: the
            // client gets a 400 and nothing is written.
            E::Args(_) | E::Deserialization(_) | E::MissingArg(_) | E::UnsupportedRequestMethod(_) => {
                AppError::BadRequest(String::new())
            }
            E::Request(_) | E::Response(_) => AppError::Network,
            E::Registration(_) => AppError::NotFound,
            E::ServerError(_) | E::MiddlewareError(_) | E::Serialization(_) => AppError::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database error");
        AppError::Internal
    }
}
