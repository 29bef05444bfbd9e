//! Young people's login cards (a QR code and their PIN) and the notices when an account
//! was locked after wrong PINs.

use crate::domain::feedback::{LoginCard, Notice};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The form for a new login card: an optional new PIN.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardInput {
    #[serde(default)]
    pub pin: String,
}

/// Makes a new login card for a young person's account (the old card stops working) and,
/// if given, sets a new PIN (which ends the account's sessions).
#[server(prefix = "/api", endpoint = "feedback/login-card")]
pub async fn issue_login_card(id: String, input: CardInput) -> Result<LoginCard, AppError> {
    use super::cx::{Cx, id as parse_id};
    use crate::auth::policy::Action;
    use crate::auth::session::{new_token, token_hash};
    use crate::domain::audit::{AuditAction, RecordKind};
    let youth: crate::domain::ids::YouthId = parse_id(&id)?;
    let mut cx = Cx::begin(Action::IssueLoginCard).await?;
    match cx.youth(Action::IssueLoginCard, &youth).await {
        Err(AppError::Forbidden) => Err(AppError::NotFound),
        other => other,
    }?;
    let pin = input.pin.trim().to_owned();
    if !pin.is_empty() {
        let mut check = crate::domain::text::Check::default();
        crate::domain::account::check_pin(&mut check, "pin", &pin);
        check.finish(())?;
    }
    let Some((account, login, display_name)) = crate::db::cards::youth_account(cx.tx(), &youth).await? else {
        return Err(AppError::BadRequest(crate::i18n::texts().card_no_account.into()));
    };
    let token = new_token();
    let by = cx.user().id.clone();
    crate::db::cards::set_card(cx.tx(), &account, &token_hash(&token), &by).await?;
    if !pin.is_empty() {
        let hash = super::accounts::ssr::hash_with(cx.settings(), true, pin).await?;
        crate::db::accounts::set_password(cx.tx(), &account, &hash).await?;
        crate::db::sessions::delete_for_user(cx.tx(), &account).await?;
        // A new PIN also lifts a lock after wrong PINs: the adult who sets it has just
        // spoken with the young person.
        crate::db::throttle::clear(cx.tx(), &format!("acct:{login}"), 0).await?;
        crate::db::accounts::pin_reset(cx.tx(), &account).await?;
    }
    let action = if input.pin.trim().is_empty() { AuditAction::Update } else { AuditAction::PasswordReset };
    cx.audit(action, RecordKind::LoginCard, Some(account.as_str()), Some(&youth)).await?;
    let url = super::ssr::public_link(cx.settings(), &format!("/karte/{token}"));
    cx.commit().await?;
    let qr_svg = ssr::qr_svg(&url)?;
    Ok(LoginCard { display_name, login, url, qr_svg })
}

/// Notices of the last 14 days for the caller's groups (Leitung: all; Fachberatung: own).
#[server(prefix = "/api", endpoint = "notices/list")]
pub async fn list_notices() -> Result<Vec<Notice>, AppError> {
    use super::cx::Cx;
    use crate::auth::policy::Action;
    use crate::domain::audit::{AuditAction, RecordKind};
    // The same people as the monthly counts: Leitung, and Fachberatung for their groups.
    let mut cx = Cx::begin(Action::ViewFeedbackCounts).await?;
    let scope = cx.scope(Action::ViewFeedbackCounts).await?;
    let since = crate::db::now_ms() - 14 * 24 * 60 * 60 * 1000;
    let rows = crate::db::cards::notices_since(cx.tx(), since, &scope).await?;
    // The notices name young people's accounts: reading them is logged.
    cx.audit(AuditAction::List, RecordKind::Notices, None, None).await?;
    cx.commit().await?;
    Ok(rows.into_iter().map(|(group_name, who)| Notice { group_name, who }).collect())
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::error::AppError;

    /// A QR code of `text` as an SVG document (no inline styles: the CSP forbids them).
    pub fn qr_svg(text: &str) -> Result<String, AppError> {
        use qrcode::render::svg;
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
            .map_err(|_| AppError::Internal)?;
        Ok(code
            .render::<svg::Color<'_>>()
            .min_dimensions(240, 240)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build())
    }
}
