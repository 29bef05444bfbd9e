//! The outbox bar: how many entries wait on this device, when the last one arrived, which
//! ones the server refused and why, and "Jetzt senden".

use crate::error::AppError;
use crate::i18n::{fill, texts};
use leptos::prelude::*;

/// What the bar shows (read from the device outbox after hydration).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OutboxState {
    pub pending: u32,
    pub failed: u32,
    pub last_sent: Option<String>,
    pub needs_login: bool,
    /// (what, when, why) for every refused item.
    pub refused: Vec<(String, String, String)>,
}

/// The German reason from a refused item's response body.
pub fn refusal_reason(status: Option<u16>, body: Option<&str>) -> String {
    match body.and_then(|b| serde_json::from_str::<AppError>(b).ok()) {
        Some(AppError::Validation(errors)) => errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" "),
        Some(error) => error.message(),
        None => match status {
            Some(413) => texts().error_too_large.to_owned(),
            Some(403) => texts().error_forbidden.to_owned(),
            Some(404) => texts().error_not_found.to_owned(),
            _ => texts().error_bad_request.to_owned(),
        },
    }
}

#[component]
pub fn OutboxBar() -> impl IntoView {
    let t = texts();
    let state = RwSignal::new(None::<OutboxState>);
    let sending = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        Effect::new(move |_| {
            refresh(state);
            let handler = move |_: web_sys::Event| refresh(state);
            let _ = window_event_listener_untyped("gb-outbox-change", handler);
            let _ = window_event_listener_untyped("online", handler);
        });
    }
    let send = move |_| {
        sending.set(true);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            crate::browser::outbox::flush(true).await;
            refresh(state);
            sending.set(false);
        });
    };
    move || {
        state.get().filter(|s| s.pending + s.failed > 0 || s.last_sent.is_some()).map(|s| {
            let waiting = if s.pending == 1 { t.outbox_waiting_one } else { t.outbox_waiting };
            let last = match &s.last_sent {
                Some(time) => fill(t.outbox_last_sent, &[("time", time)]),
                None => t.outbox_never_sent.to_owned(),
            };
            view! {
                <section class="outbox-bar" id="outbox" aria-live="polite" aria-label=t.outbox_label>
                    <p class="outbox-status">
                        <span class="badge badge-count" id="outbox-count" data-pending=s.pending.to_string()>{s.pending}</span>
                        " "{waiting}" · "<span id="outbox-last">{last}</span>
                    </p>
                    {s.needs_login.then(|| view! { <p class="muted">{t.outbox_needs_login}</p> })}
                    {(s.failed > 0).then(|| view! {
                        <div class="alert alert-error" role="alert" id="outbox-refused">
                            <p>{fill(t.outbox_refused, &[("count", &s.failed.to_string())])}</p>
                            <ul>
                                {s.refused.iter().map(|(what, when, why)| view! {
                                    <li><strong>{what.clone()}</strong>" ("{when.clone()}"): "{why.clone()}</li>
                                }).collect_view()}
                            </ul>
                        </div>
                    })}
                    <button type="button" class="btn btn-secondary" id="outbox-send" disabled=move || sending.get() on:click=send>
                        {t.outbox_send_now}
                    </button>
                </section>
            }
        })
    }
}

#[cfg(feature = "hydrate")]
fn refresh(state: RwSignal<Option<OutboxState>>) {
    use crate::browser::outbox;
    leptos::task::spawn_local(async move {
        let Some(stats) = outbox::stats().await else { return };
        let t = texts();
        let refused = if stats.failed > 0 {
            outbox::list()
                .await
                .into_iter()
                .filter(|i| i.state == "failed")
                .map(|i| {
                    let what = match i.kind.as_str() {
                        "visit" => t.outbox_kind_visit,
                        "talk" => t.outbox_kind_talk,
                        "incident" => t.feed_kind_incident,
                        "feedback" => t.nav_feedback,
                        _ => t.outbox_kind_note,
                    };
                    (what.to_owned(), outbox::clock(i.created_at), refusal_reason(i.status, i.error_body.as_deref()))
                })
                .collect()
        } else {
            Vec::new()
        };
        state.set(Some(OutboxState {
            pending: stats.pending,
            failed: stats.failed,
            last_sent: stats.last_sent_at.map(outbox::clock),
            needs_login: stats.needs_login,
            refused,
        }));
    });
}
