use crate::components::status::PageTitle;
use crate::i18n::texts;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let t = texts();
    view! {
        <PageTitle text=t.not_found_title />
        <p>{t.error_not_found}</p>
        <p><a href="/">{t.not_found_home}</a></p>
    }
}
