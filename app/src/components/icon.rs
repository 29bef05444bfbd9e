//! Pictures for young people who read poorly: inline SVG drawn from the project's own
//! sprite (`public/icons/icons.svg`), the same on every device, never an emoji or an
//! icon font. An icon is decoration next to its text label, so screen readers skip it.
//!
//! The drawings live in the sprite, not in the WebAssembly: every string in the Rust
//! code is data of the main module (the first page's download), while the sprite is one
//! small file the browser and the service worker cache.

use leptos::prelude::*;

/// The sprite's address; `#name` picks a symbol.
const SPRITE: &str = "/icons/icons.svg";

/// `<svg><use href="/icons/icons.svg#name"/></svg>`, hidden from assistive technology
/// (the text beside it is the label). Names are the sprite's symbol ids; the pictures of
/// domain choices are named `<kind>-<code>` (`topic-essen`, `mood-gut`).
#[component]
pub fn Icon(#[prop(into)] name: String, #[prop(optional)] class: Option<&'static str>) -> impl IntoView {
    let class = match class {
        Some(extra) => format!("icon {extra}"),
        None => "icon".to_owned(),
    };
    view! {
        <svg class=class aria-hidden="true" focusable="false" viewBox="0 0 48 48">
            <use_ href=format!("{SPRITE}#{name}") />
        </svg>
    }
}
