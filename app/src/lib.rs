//! The Gruppenbuch application: everything that is shared between the server and the
//! browser — routes, pages, server functions, domain types and validation.
//!
//! Server-only code (database, sessions, audit, policy enforcement) is compiled with the
//! `ssr` feature; the WebAssembly entry point with `hydrate`. Nothing in here starts a
//! server or binds a port: that is the `gruppenbuch-server` crate's job.

/// Server functions, one file per feature: authorize → validate → store → map errors.
pub mod api;
/// The root component, the document shell and the route table.
pub mod app;
/// Accounts, roles, sessions and the one policy that decides every access.
pub mod auth;
/// Browser-only glue: hydration marker, service-worker registration, storage cleanup.
#[cfg(feature = "hydrate")]
pub mod browser;
/// Reusable view pieces: page layout, navigation, form fields, error notes.
pub mod components;
/// The Content-Security-Policy text.
pub mod csp;
/// All SQL, behind one store API that runs on SQLite and PostgreSQL.
#[cfg(feature = "ssr")]
pub mod db;
/// Domain types and their validation; no I/O.
pub mod domain;
/// The one error type that crosses the wire, with its HTTP status mapping.
pub mod error;
/// The translation catalogue: every user-facing text.
pub mod i18n;
/// One component per route.
pub mod pages;
/// Opening what devices seal into their outbox (ECDH P-256 + AES-GCM).
#[cfg(feature = "ssr")]
pub mod sealing;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Waits for the lazily loaded chunk of the current route, then hydrates.
    leptos::mount::hydrate_lazy(app::App);
}
