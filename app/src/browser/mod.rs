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
        // both forms work without a network later. The worker waits until the page's own
        // requests are done and fetches at low priority (public/sw.js, "precache").
        precache(false);
    });
}

/// Where this device keeps the user's "yes, prepare for offline use" (asked only on a
/// connection that saves data). Not personal; logout clears it with the rest.
const OFFLINE_CONSENT: &str = "gb-offline";

/// Asks the service worker to fetch what working offline needs. `asked`: the user pressed
/// the button (then it happens even on a connection that saves data).
fn precache(asked: bool) {
    leptos::task::spawn_local(async move {
        if let Ok(ready) = window().navigator().service_worker().ready()
            && let Ok(registration) = wasm_bindgen_futures::JsFuture::from(ready).await
            && let Some(worker) = web_sys::ServiceWorkerRegistration::from(registration).active()
        {
            let consent = asked || local_flag(OFFLINE_CONSENT);
            let message = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&message, &"type".into(), &"precache".into());
            let _ = js_sys::Reflect::set(&message, &"offline".into(), &consent.into());
            let _ = worker.post_message(&message);
        }
    });
}

fn local_flag(key: &str) -> bool {
    window().local_storage().ok().flatten().and_then(|s| s.get_item(key).ok().flatten()).is_some()
}

/// Whether the connection asks to save data (`navigator.connection.saveData`) and the
/// user has not yet allowed the offline download on this device.
pub fn offline_needs_consent() -> bool {
    let connection = js_sys::Reflect::get(&window().navigator(), &"connection".into()).unwrap_or_default();
    let save_data = js_sys::Reflect::get(&connection, &"saveData".into()).ok().and_then(|v| v.as_bool());
    save_data == Some(true) && !local_flag(OFFLINE_CONSENT)
}

/// The user allows the offline download: remembered on this device, and started now.
pub fn allow_offline() {
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = storage.set_item(OFFLINE_CONSENT, "1");
    }
    precache(true);
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
