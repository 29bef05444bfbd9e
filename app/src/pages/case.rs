//! The case pages of a young person: their page, the two capture forms, an entry, and
//! the group's hand-over. They share most of their code (entry cards, the note and visit
//! fields), so one lazily loaded route chunk serves them all, chosen here by the path;
//! code shared by two chunks would otherwise move into the first page's bundle.

use leptos::prelude::*;

#[component]
pub fn CasePage() -> impl IntoView {
    let path = leptos_router::hooks::use_location().pathname.get_untracked();
    if path.starts_with("/tagesnotiz") {
        view! { <super::capture::NewNotePage /> }.into_any()
    } else if path.starts_with("/besuchskontakt") {
        view! { <super::capture::NewVisitPage /> }.into_any()
    } else if path.starts_with("/eintraege") {
        view! { <super::entries::EntryPage /> }.into_any()
    } else if path.ends_with("/uebergabe") {
        view! { <super::entries::HandoverPage /> }.into_any()
    } else {
        view! { <super::youths::YouthPage /> }.into_any()
    }
}
