//! The bridge to the device outbox (`public/outbox.js`, `window.gbOutbox`): sealing,
//! IndexedDB and sending live there; this side hands over entries and reads the counts.

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = gbOutbox, js_name = put, catch)]
    fn js_put(item: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = gbOutbox, js_name = flush, catch)]
    fn js_flush(manual: bool) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = gbOutbox, js_name = stats, catch)]
    fn js_stats() -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = gbOutbox, js_name = list, catch)]
    fn js_list() -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = gbOutbox, js_name = clearReadable, catch)]
    fn js_clear_readable() -> Result<js_sys::Promise, JsValue>;
}

/// What waits on this device.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Stats {
    pub pending: u32,
    pub failed: u32,
    pub last_sent_at: Option<f64>,
    #[serde(default)]
    pub needs_login: bool,
}

/// One waiting or refused item (no content: that is sealed).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Item {
    pub id: String,
    pub kind: String,
    pub created_at: f64,
    pub state: String,
    pub status: Option<u16>,
    pub error_body: Option<String>,
}

async fn call<T: for<'de> Deserialize<'de>>(promise: Result<js_sys::Promise, JsValue>) -> Option<T> {
    let value = JsFuture::from(promise.ok()?).await.ok()?;
    let json = js_sys::JSON::stringify(&value).ok()?.as_string()?;
    serde_json::from_str(&json).ok()
}

/// Seals `payload` and stores it in the outbox; resolves once it is durably stored.
pub async fn put(id: &str, kind: &str, payload: &str) -> Result<(), String> {
    let item = js_sys::Object::new();
    for (key, value) in [("id", id), ("kind", kind), ("payload", payload)] {
        js_sys::Reflect::set(&item, &key.into(), &value.into()).map_err(|_| String::new())?;
    }
    let promise = js_put(&item).map_err(|e| format!("{e:?}"))?;
    JsFuture::from(promise).await.map(|_| ()).map_err(|e| format!("{e:?}"))
}

pub async fn flush(manual: bool) {
    if let Ok(promise) = js_flush(manual) {
        let _ = JsFuture::from(promise).await;
    }
}

pub async fn stats() -> Option<Stats> {
    call(js_stats()).await
}

pub async fn list() -> Vec<Item> {
    call(js_list()).await.unwrap_or_default()
}

/// Clears everything readable before logout (the sealed items stay).
pub async fn clear_readable() {
    if let Ok(promise) = js_clear_readable() {
        let _ = JsFuture::from(promise).await;
    }
}

/// Today's date on this device, for the checks made before an entry is sealed.
pub fn today() -> chrono::NaiveDate {
    let now = js_sys::Date::new_0();
    chrono::NaiveDate::from_ymd_opt(now.get_full_year() as i32, now.get_month() + 1, now.get_date()).unwrap_or_default()
}

/// "20:15" for a timestamp on this device's clock.
pub fn clock(ms: f64) -> String {
    let d = js_sys::Date::new(&JsValue::from_f64(ms));
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// A fresh entry id.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Every name/value pair of a form, as the browser would send it.
pub fn form_fields(form: &web_sys::HtmlFormElement) -> Vec<(String, String)> {
    let Ok(data) = web_sys::FormData::new_with_form(form) else { return Vec::new() };
    let mut out = Vec::new();
    if let Ok(Some(iter)) = js_sys::try_iter(&data) {
        for pair in iter.flatten() {
            let pair = js_sys::Array::from(&pair);
            if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                out.push((k, v));
            }
        }
    }
    out
}

/// `n` random bytes from the browser's cryptographic generator (empty if it is missing).
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
        .is_some();
    if filled { bytes } else { Vec::new() }
}

/// Waits until the item `id` has left the outbox (delivered), was refused, or `wait_ms`
/// passed; polls the outbox, which other tabs and the flush change underneath.
pub async fn settle(id: &str, wait_ms: u32) -> Delivery {
    let mut waited = 0;
    loop {
        let items = list().await;
        match items.into_iter().find(|i| i.id == id) {
            None => return Delivery::Delivered,
            Some(item) if item.state == "failed" => return Delivery::Refused(item.error_body.unwrap_or_default()),
            Some(item) if item.status == Some(429) => return Delivery::TooMany,
            Some(_) if waited >= wait_ms => return Delivery::Waiting,
            Some(_) => {}
        }
        sleep(200).await;
        waited += 200;
    }
}

/// What became of an item sent from a form.
#[derive(Clone, Debug, PartialEq)]
pub enum Delivery {
    Delivered,
    /// Still in the outbox: no connection (it goes out later by itself).
    Waiting,
    /// The server refused it for good; its answer.
    Refused(String),
    /// The server said "too many for now"; it goes out later by itself.
    TooMany,
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}
