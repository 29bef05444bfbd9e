//! One component per route (see `app.rs` for the table).

pub mod accounts;
pub mod audit;
pub mod capture;
pub mod entries;
pub mod feed;
pub mod feedback;
pub mod feedback_desk;
pub mod groups;
pub mod incidents;
pub mod licence;
pub mod login;
pub mod not_found;
pub mod own_account;
pub mod own_goals;
pub mod own_report;
pub mod plan;
pub mod protection;
pub mod record;
pub mod report;
pub mod start;
pub mod talk;
pub mod youths;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The `:id` segment of the current route.
pub(crate) fn route_id() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("id").unwrap_or_default())
}
