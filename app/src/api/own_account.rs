//! "Mein Konto": everyone's own account. The caller sees their live sessions and ends
//! those of other browsers (a phone left somewhere), and sets their own password. A
//! password someone else chose (a new account, a reset) must be replaced here first: until
//! then the session opens nothing else (`policy::awaits_own_password`).

use crate::domain::user::OwnAccount;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The password form: the current password, the new one twice.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnPasswordInput {
    pub current: String,
    pub password: String,
    pub repeat: String,
}

/// The caller's account page: their sessions, and whether they must set a password of
/// their own first (with when and by whom it was reset). Writes an audit row: sessions
/// are personal data.
#[server(prefix = "/api", endpoint = "me/account")]
pub async fn my_account() -> Result<OwnAccount, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::{Action, Resource};
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::OwnAccount).await?;
    cx.institute(Action::OwnAccount)?;
    let user = cx.user().clone();
    let current = ssr::current_hash(cx.settings());
    let now = chrono::Utc::now();
    let sessions = crate::auth::session::list_own(cx.tx(), &user.id, current.as_deref(), now).await?;
    let reset = if user.password_change_required {
        crate::db::accounts::last_reset(cx.tx(), &user.id).await?.map(|(at, by)| {
            let local = at.with_timezone(&chrono_tz::Europe::Berlin);
            crate::domain::user::PasswordReset {
                date_text: local.format("%d.%m.%Y").to_string(),
                time_text: local.format("%H:%M").to_string(),
                by,
            }
        })
    } else {
        None
    };
    let can_change_password = cx.can(Action::ChangeOwnPassword, Resource::Institute);
    cx.audit(AuditAction::Read, RecordKind::Session, Some(user.id.as_str()), None).await?;
    cx.commit().await?;
    Ok(OwnAccount {
        display_name: user.display_name,
        login: user.login,
        can_change_password,
        password_change_required: user.password_change_required,
        reset,
        sessions,
    })
}

/// Ends one of the caller's own sessions in another browser (404 for an id that names
/// none of theirs; the session of this request is ended by logging out).
#[server(prefix = "/api", endpoint = "me/end-session")]
pub async fn end_my_session(id: String) -> Result<(), AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::OwnAccount).await?;
    cx.institute(Action::OwnAccount)?;
    let id = id.trim();
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let user = cx.user().id.clone();
    let hash = crate::auth::session::own_by_public_id(cx.tx(), &user, id).await?.ok_or(AppError::NotFound)?;
    if ssr::current_hash(cx.settings()).as_deref() == Some(hash.as_str()) {
        return Err(AppError::BadRequest(crate::i18n::texts().own_session_is_current.into()));
    }
    crate::db::sessions::delete_of_user(cx.tx(), &user, &hash).await?;
    cx.audit(AuditAction::SessionEnd, RecordKind::Session, Some(user.as_str()), None).await?;
    cx.commit().await?;
    Ok(())
}

/// Sets the caller's own password: the current one must be right (wrong ones count like
/// failed logins of the account, 429 past the limit), the new one long enough, typed the
/// same twice and not the current one. Every other session of the account ends; this one
/// stays. A password someone else chose is thereby replaced.
#[server(prefix = "/api", endpoint = "me/password")]
pub async fn change_password(input: OwnPasswordInput) -> Result<(), AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    let mut cx = Cx::begin(Action::ChangeOwnPassword).await?;
    cx.institute(Action::ChangeOwnPassword)?;
    let t = crate::i18n::texts();
    let mut check = crate::domain::text::Check::default();
    if input.current.is_empty() {
        check.fail("current", t.v_required);
    } else if input.current.chars().count() > crate::domain::account::PASSWORD_MAX {
        check.fail("current", t.own_password_current_wrong);
    }
    let password = crate::domain::account::check_password(&mut check, "password", &input.password);
    if check.errors.iter().all(|e| e.field != "password") {
        if input.repeat != input.password {
            check.fail("repeat", t.own_password_repeat_differs);
        } else if input.password == input.current {
            check.fail("password", t.own_password_unchanged);
        }
    }
    check.finish(())?;
    let user = cx.user().clone();
    let current = ssr::current_hash(cx.settings()).ok_or(AppError::Unauthenticated)?;
    let stored = crate::db::accounts::password_hash(cx.tx(), &user.id).await?;
    // On SQLite a transaction holds the write lock: this one ends before the attempt is
    // counted in a transaction of its own (so that parallel guesses see each other and a
    // wrong one stays counted), and the change is made in a second context.
    cx.rollback().await?;
    let state = use_context::<super::ssr::AppState>().ok_or(AppError::Internal)?;
    let attempt = ssr::count_attempt(&state.store, &state.settings, &user.login).await?;
    let key = state.settings.key_wrapping.clone();
    let (typed, hashed) = (input.current.clone(), stored.clone());
    let (right, _) =
        tokio::task::spawn_blocking(move || crate::auth::password::verify_stored(&key, &typed, hashed.as_deref()))
            .await
            .map_err(|_| AppError::Internal)?;
    if !right {
        return Err(AppError::invalid("current", t.own_password_current_wrong));
    }
    let hash = super::accounts::ssr::hash_with(&state.settings, false, password).await?;
    let mut cx = Cx::begin(Action::ChangeOwnPassword).await?;
    cx.institute(Action::ChangeOwnPassword)?;
    // Reset by someone else in the meantime: that one counts, the owner tries again.
    if crate::db::accounts::password_hash(cx.tx(), &user.id).await? != stored {
        return Err(AppError::Conflict(t.own_password_changed_meanwhile.into()));
    }
    crate::db::accounts::set_own_password(cx.tx(), &user.id, &hash, &current).await?;
    crate::db::throttle::forget(cx.tx(), &attempt).await?;
    cx.audit(AuditAction::PasswordChange, RecordKind::Account, Some(user.id.as_str()), None).await?;
    cx.commit().await?;
    if user.password_change_required {
        super::ssr::redirect("/");
    }
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::api::ssr::Settings;
    use crate::error::AppError;
    use leptos::prelude::use_context;

    /// The stored hash of this request's session token.
    pub fn current_hash(settings: &Settings) -> Option<String> {
        let parts = use_context::<http::request::Parts>()?;
        crate::auth::session::token_of(&parts.headers, settings.cookie_secure)
            .map(|t| crate::auth::session::token_hash(&t))
    }

    /// Counts a try of the current password against the account's login limit (the same
    /// count as failed logins): 429 past the limit. Returns the attempt's row, which a
    /// right password removes again.
    pub async fn count_attempt(store: &crate::db::Store, settings: &Settings, login: &str) -> Result<String, AppError> {
        let now = crate::db::now_ms();
        let since = now - settings.login_window_ms;
        let key = format!("acct:{login}");
        let mut tx = store.begin().await?;
        crate::db::throttle::lock(&mut tx, store.backend(), &key).await?;
        let (failures, oldest) = crate::db::throttle::failures_since(&mut tx, &key, since).await?;
        if failures >= settings.login_max_per_account {
            let wait = oldest.map(|o| (o + settings.login_window_ms - now) / 1000).unwrap_or(60).max(1);
            return Err(AppError::TooManyRequests { retry_after_secs: wait as u64 });
        }
        let attempt = crate::db::throttle::record_failure(&mut tx, &key, now).await?;
        tx.commit().await?;
        Ok(attempt)
    }
}
