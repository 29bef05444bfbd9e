//! The current session, as pages need it.

use crate::auth::CurrentUser;
use crate::error::AppError;
use leptos::prelude::*;

/// Who is logged in on this request, or `None`. Anyone may ask; it reveals only the
/// caller's own account.
#[server(prefix = "/api", endpoint = "session/current")]
pub async fn current_session() -> Result<Option<CurrentUser>, AppError> {
    match self::ssr_user() {
        Ok(user) => Ok(Some(user)),
        Err(AppError::Unauthenticated) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(feature = "ssr")]
fn ssr_user() -> Result<CurrentUser, AppError> {
    super::ssr::user()
}
