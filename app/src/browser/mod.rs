//! Browser-only glue (compiled for the WebAssembly build only).

use leptos::prelude::*;

pub mod outbox;

/// Runs once the app has hydrated: marks the document (end-to-end tests and CSS wait for
/// it) and registers the service worker that caches the hashed app assets.
pub fn on_hydrated() {
    Effect::new(|_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
        let _ = window().navigator().service_worker().register("/sw.js");
        // Let the worker fetch the app files and the capture pages, so the app opens and
        // both forms work without a network later.
        leptos::task::spawn_local(async {
            if let Ok(ready) = window().navigator().service_worker().ready()
                && let Ok(registration) = wasm_bindgen_futures::JsFuture::from(ready).await
                && let Some(worker) = web_sys::ServiceWorkerRegistration::from(registration).active()
            {
                let _ = worker.post_message(&wasm_bindgen::JsValue::from_str("precache"));
            }
        });
    });
}

/// Logs out: first removes everything readable this browser keeps for the app (local and
/// session storage, other IndexedDB databases, the caches holding pages), keeping only
/// the sealed outbox, then sends the logout form.
pub fn logout(ev: web_sys::SubmitEvent) {
    use wasm_bindgen::JsCast;
    let Some(form) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok()) else { return };
    ev.prevent_default();
    // Without a connection the server cannot end the session: clearing the device and
    // then failing to log out would leave the session open for the next person.
    if !window().navigator().on_line() {
        let _ = window().alert_with_message(crate::i18n::texts().logout_offline);
        return;
    }
    leptos::task::spawn_local(async move {
        outbox::clear_readable().await;
        let w = window();
        if let Ok(Some(storage)) = w.local_storage() {
            let _ = storage.clear();
        }
        if let Ok(Some(storage)) = w.session_storage() {
            let _ = storage.clear();
        }
        let _ = form.submit();
    });
}
