//! Loading and error states.

use crate::error::AppError;
use crate::i18n::texts;
use leptos::prelude::*;

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="muted" role="status">{texts().loading}</p> }
}

/// An error in place of a page's content. During server rendering it also sets the HTTP
/// status, so a denied or missing record is a 403/404 for every client, not a 200.
#[component]
pub fn ErrorNote(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response
            .set_status(http::StatusCode::from_u16(error.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR));
    }
    let t = texts();
    let login = matches!(error, AppError::Unauthenticated);
    let title = match error {
        AppError::Forbidden => t.title_forbidden,
        AppError::NotFound => t.title_not_found,
        AppError::Unauthenticated => t.title_login_needed,
        _ => t.error_title,
    };
    view! {
        <leptos_meta::Title text=title />
        <div class="alert alert-error" role="alert">
            <p>{error.message()}</p>
            {login.then(|| view! { <p><a href="/anmelden">{t.login_title}</a></p> })}
        </div>
    }
}

/// A page title that also sets the document title.
#[component]
pub fn PageTitle(#[prop(into)] text: String) -> impl IntoView {
    view! {
        <leptos_meta::Title text=text.clone() />
        <h1 class="page-title">{text}</h1>
    }
}

/// Renders `children` only if the policy lets the signed-in account open `page`; otherwise
/// a "Kein Zugriff" note (HTTP 403 when rendered on the server). The page's own data is
/// then never requested.
#[component]
pub fn Guard(page: crate::auth::policy::Page, children: ChildrenFn) -> impl IntoView {
    let session = expect_context::<crate::components::layout::SessionContext>().0;
    view! {
        <crate::components::load::Load data=session let:user>
            {match user {
                Some(user) if crate::auth::policy::can_open(&user, page) => children().into_any(),
                Some(_) => view! { <ErrorNote error=AppError::Forbidden /> }.into_any(),
                None => view! { <ErrorNote error=AppError::Unauthenticated /> }.into_any(),
            }}
        </crate::components::load::Load>
    }
}

/// Runs a page's loader only if the policy lets the signed-in account open `page`, so a
/// denied page requests no data at all (the server functions check again anyway).
pub async fn when_allowed<T, Fut>(page: crate::auth::policy::Page, load: impl FnOnce() -> Fut) -> Result<T, AppError>
where
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    match crate::api::session::current_session().await? {
        Some(user) if crate::auth::policy::can_open(&user, page) => load().await,
        Some(_) => Err(AppError::Forbidden),
        None => Err(AppError::Unauthenticated),
    }
}
