//! Browser-only glue (compiled for the WebAssembly build only).

use leptos::prelude::*;

/// Runs once the app has hydrated: marks the document (end-to-end tests and CSS wait for
/// it) and registers the service worker that caches the hashed app assets.
pub fn on_hydrated() {
    Effect::new(|_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
        let _ = window().navigator().service_worker().register("/sw.js");
    });
}

/// Removes everything readable this browser keeps for the app (local and session storage,
/// and caches other than the app shell's) before logout.
pub fn clear_local_data() {
    let w = window();
    if let Ok(Some(storage)) = w.local_storage() {
        let _ = storage.clear();
    }
    if let Ok(Some(storage)) = w.session_storage() {
        let _ = storage.clear();
    }
    if let Some(controller) = w.navigator().service_worker().controller() {
        let message = js_sys_object_logout();
        let _ = controller.post_message(&message);
    }
}

fn js_sys_object_logout() -> wasm_bindgen::JsValue {
    wasm_bindgen::JsValue::from_str("logout")
}
