//! The case pages of a young person: their page, the two capture forms, an entry, and
//! the group's hand-over, the incident pages (their form shares the capture frame), the
//! staff's pages of submissions, the feed and the group overview. They share most of their code (entry cards, the note and visit
//! fields), so one lazily loaded route chunk serves them all, chosen here by the path;
//! code shared by two chunks would otherwise move into the first page's bundle.

use leptos::prelude::*;

#[component]
pub fn CasePage() -> impl IntoView {
    let path = leptos_router::hooks::use_location().pathname.get_untracked();
    let desk = ["/rueckmeldungen", "/auswertung", "/meine-rechte/bearbeiten"];
    if desk.iter().any(|p| path.starts_with(p)) || path.ends_with("/aushang") || path.ends_with("/karte") {
        view! { <super::feedback_desk::FeedbackDeskPages /> }.into_any()
    } else if path == "/feed" {
        view! { <super::feed::FeedScreen /> }.into_any()
    } else if path == "/uebersicht" {
        view! { <super::feed::OverviewScreen /> }.into_any()
    } else if path.starts_with("/tagesnotiz") {
        view! { <super::capture::NewNotePage /> }.into_any()
    } else if path.starts_with("/besuchskontakt") {
        view! { <super::capture::NewVisitPage /> }.into_any()
    } else if path.starts_with("/eintraege") {
        view! { <super::entries::EntryPage /> }.into_any()
    } else if path.starts_with("/vorkommnis/") {
        view! { <super::incidents::NewIncidentPage /> }.into_any()
    } else if path == "/vorkommnisse" || path == "/vorkommnisse/" {
        view! { <super::incidents::IncidentsPage /> }.into_any()
    } else if path.starts_with("/vorkommnisse/") {
        view! { <super::incidents::IncidentPage /> }.into_any()
    } else if path.ends_with("/uebergabe") {
        view! { <super::entries::HandoverPage /> }.into_any()
    } else {
        view! { <super::youths::YouthPage /> }.into_any()
    }
}
