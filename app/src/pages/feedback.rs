//! The young people's pages: the form to take part or complain (with an account, or
//! through a group's public link without one), their own messages with the answers, the
//! pickup of an answer by code, the login-card page and "Meine Rechte". They share one
//! lazily loaded chunk (`youth` in `app.rs`).
//!
//! Simple words, big tiles, pictures. Every touch target is at least 44×44 px (the
//! end-to-end test measures them).

use crate::api::rights::get_rights;
use crate::api::submissions::{PickupAnswer, get_feedback_form, get_link_form, my_feedback};
use crate::components::icon::Icon;
use crate::components::load::Load;
use crate::components::status::PageTitle;
use crate::domain::feedback::{
    FeedbackForm, FeedbackKind, FeedbackStatus, FeedbackView, Mood, Recipient, Sender, Topic,
};
use crate::domain::text::format_date;
use crate::error::FieldError;
use crate::i18n::{fill, texts};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

// ------------------------------------------------------------------ the form

/// `/nachricht/neu?art=beteiligung|beschwerde`: a young person with an account.
#[component]
pub fn NewMessagePage() -> impl IntoView {
    let t = texts();
    let query = use_query_map();
    let kind = query.read_untracked().get("art").and_then(|a| FeedbackKind::parse(&a));
    let form = Resource::new(
        || (),
        |_| crate::components::status::when_allowed(crate::auth::policy::Page::YouthFeedback, get_feedback_form),
    );
    let title = match kind {
        Some(FeedbackKind::Participation) => t.fb_new_participation,
        _ => t.fb_new_complaint,
    };
    view! {
        <div class="youth-page stack">
            <PageTitle text=title />
            <Load data=form let:form>
                <MessageForm form sender=Sender::Account kind />
            </Load>
            <YouthLinks />
        </div>
    }
}

/// `/mitreden/:token`: anyone with the group's link (no account); always anonymous, always
/// to the Fachberatung. Below the form: reading an answer with the pickup code.
#[component]
pub fn LinkFormPage() -> impl IntoView {
    let t = texts();
    let token = super::route_id();
    let form = Resource::new(move || token.get(), get_link_form);
    view! {
        <div class="youth-page stack">
            <PageTitle text=t.fb_link_title />
            <Load data=form let:form>
                <p class="page-lead">{fill(t.fb_link_lead, &[("group", &form.group_name)])}</p>
                <MessageForm form sender=Sender::Link kind=None />
                <PickupBox />
            </Load>
            <p><a class="btn btn-secondary btn-block" href="/meine-rechte">{t.fb_rights_link}</a></p>
        </div>
    }
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Sent {
    Idle,
    Sending,
    Done { waiting: bool, code: Option<String> },
    Failed(String),
}

/// The form both paths share. It checks on the device with the server's own rules, seals
/// the message to the server key (the phone cannot read it back), puts it into the
/// outbox and waits briefly for the receipt.
#[component]
fn MessageForm(form: FeedbackForm, sender: Sender, kind: Option<FeedbackKind>) -> impl IntoView {
    let t = texts();
    let kind = RwSignal::new(kind);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let sent = RwSignal::new(Sent::Idle);
    // Sending needs the WebAssembly (sealing); until it runs the button stays off, so a
    // tap before hydration cannot send the text as a plain form.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let form = StoredValue::new(form);
    let err = move |field: &'static str| crate::components::form::error_in(errors, field);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        send(ev, sender, form.get_value(), errors, sent);
    };
    let topics = move || kind.get().map(Topic::for_kind).unwrap_or_default();
    view! {
        <leptos_meta::Meta name="gb-outbox-key" content=form.with_value(|f| f.outbox_key.clone()) />
        {move || match sent.get() {
            Sent::Done { waiting, code } => view! {
                <div class="card stack" id="message-sent">
                    <p class="alert alert-success" role="status">{if waiting { t.fb_waiting } else { t.fb_sent }}</p>
                    {code.map(|code| view! {
                        <h2>{t.fb_code_title}</h2>
                        <p class="pickup-code" id="pickup-code">{code}</p>
                        <p>{t.fb_code_lead}</p>
                    })}
                    <button type="button" class="btn btn-primary btn-block" on:click=move |_| sent.set(Sent::Idle)>{t.fb_send_another}</button>
                </div>
            }
            .into_any(),
            _ => ().into_any(),
        }}
        <form
            class="form youth-form"
            id="message-form"
            novalidate=true
            on:submit=on_submit
            class:visually-hidden=move || matches!(sent.get(), Sent::Done { .. })
        >
            <fieldset class="field tiles" id="fb-kind">
                <legend>{t.fb_link_kind_question}</legend>
                {FeedbackKind::ALL
                    .iter()
                    .map(|&k| {
                        let label = match k {
                            FeedbackKind::Participation => t.fb_new_participation,
                            FeedbackKind::Complaint => t.fb_new_complaint,
                        };
                        view! {
                            <label class="big-choice tile">
                                <input
                                    type="radio"
                                    class="tile-input"
                                    name="kind"
                                    value=k.code()
                                    prop:checked=move || kind.get() == Some(k)
                                    on:change=move |_| kind.set(Some(k))
                                />
                                <Icon name=format!("kind-{}", k.code()) class="big-choice-icon" />
                                <span>{label}</span>
                            </label>
                        }
                    })
                    .collect_view()}
                <FieldMessage error=err("kind") id="fb-kind-fehler" />
            </fieldset>
            <fieldset class="field tiles" id="fb-topic">
                <legend>{t.fb_topic_question}</legend>
                {move || {
                    let list = topics();
                    if list.is_empty() {
                        return view! { <p class="muted">{t.fb_v_kind}</p> }.into_any();
                    }
                    list.iter()
                        .map(|&topic| view! {
                            <label class="big-choice tile">
                                <input type="radio" class="tile-input" name="topic" value=topic.code() />
                                <Icon name=format!("topic-{}", topic.code()) class="big-choice-icon" />
                                <span>{topic.label()}</span>
                            </label>
                        })
                        .collect_view()
                        .into_any()
                }}
                <FieldMessage error=err("topic") id="fb-topic-fehler" />
            </fieldset>
            <fieldset class="field" id="fb-mood">
                <legend>{t.fb_mood_question}</legend>
                <div class="mood-row">
                    {Mood::ALL
                        .iter()
                        .map(|&mood| view! {
                            <label class="mood">
                                <input type="radio" class="tile-input" name="mood" value=mood.code() />
                                <Icon name=format!("mood-{}", mood.code()) class="mood-icon" />
                                <span>{mood.label()}</span>
                            </label>
                        })
                        .collect_view()}
                </div>
                <FieldMessage error=err("mood") id="fb-mood-fehler" />
            </fieldset>
            <crate::components::form::TextArea
                label=t.fb_text_question
                name="text"
                id="fb-text"
                hint=t.fb_text_hint
                maxlength=crate::domain::feedback::TEXT_MAX
                rows=5
                error=err("text")
            />
            {(sender == Sender::Account).then(|| view! {
                <fieldset class="field tiles" id="fb-recipient">
                    <legend>{t.fb_recipient_question}</legend>
                    {Recipient::ALL
                        .iter()
                        .map(|&r| view! {
                            <label class="big-choice tile">
                                <input type="radio" class="tile-input" name="recipient" value=r.code() />
                                <Icon name=format!("to-{}", r.code()) class="big-choice-icon" />
                                <span>{r.label()}</span>
                            </label>
                        })
                        .collect_view()}
                    <FieldMessage error=err("recipient") id="fb-recipient-fehler" />
                </fieldset>
                <div class="field">
                    <label class="big-choice tile tile-check">
                        <input type="checkbox" class="tile-input" name="anonymous" value="ja" id="fb-anonymous" />
                        <Icon name="anonymous" class="big-choice-icon" />
                        <span>{t.fb_anonymous}</span>
                    </label>
                    <p class="hint">{t.fb_anonymous_hint}</p>
                </div>
            })}
            {move || match sent.get() {
                Sent::Failed(message) => view! { <div class="alert alert-error" role="alert" id="message-error">{message}</div> }.into_any(),
                _ if !errors.read().is_empty() => view! { <div class="alert alert-error" role="alert">{t.error_validation}</div> }.into_any(),
                _ => ().into_any(),
            }}
            <div class="form-actions">
                <button
                    type="submit"
                    class="btn btn-primary btn-block btn-large"
                    id="message-send"
                    disabled=move || !ready.get() || sent.get() == Sent::Sending
                >
                    {move || if sent.get() == Sent::Sending { t.fb_sending } else { t.fb_send }}
                </button>
            </div>
        </form>
    }
}

#[component]
pub(crate) fn FieldMessage(error: Signal<Option<String>>, #[prop(into)] id: String) -> impl IntoView {
    move || error.get().map(|e| view! { <p class="field-error" id=id.clone() role="alert">{e}</p> })
}

/// Checks, seals and sends the form; then waits up to a few seconds for the receipt.
#[cfg(feature = "hydrate")]
fn send(
    ev: leptos::ev::SubmitEvent,
    sender: Sender,
    form: FeedbackForm,
    errors: RwSignal<Vec<FieldError>>,
    sent: RwSignal<Sent>,
) {
    use crate::browser::outbox::{self, Delivery};
    use crate::domain::entry::form_value;
    use crate::domain::feedback::{FeedbackInput, SealedFeedback, pickup_from_random};
    use wasm_bindgen::JsCast;
    let Some(element) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok()) else { return };
    if sent.get_untracked() == Sent::Sending {
        return;
    }
    let fields: Vec<(String, String)> =
        outbox::form_fields(&element).into_iter().map(|(k, v)| (format!("input[{k}]"), v)).collect();
    let id = outbox::new_id();
    let anonymous = sender == Sender::Link || form_value(&fields, "anonymous") == "ja";
    let pickup_code =
        if anonymous { pickup_from_random(&outbox::random_bytes(48)).unwrap_or_default() } else { String::new() };
    let input = FeedbackInput {
        id: id.clone(),
        kind: form_value(&fields, "kind"),
        topic: form_value(&fields, "topic"),
        mood: form_value(&fields, "mood"),
        text: form_value(&fields, "text"),
        recipient: form_value(&fields, "recipient"),
        anonymous: if anonymous && sender == Sender::Account { "ja".into() } else { String::new() },
        pickup_code: pickup_code.clone(),
    };
    if let Err(e) = input.validate(sender) {
        errors.set(e);
        return;
    }
    errors.set(Vec::new());
    let sealed = SealedFeedback { author_id: form.author_id.clone(), group_token: form.token.clone(), feedback: input };
    let Ok(json) = serde_json::to_string(&sealed) else { return };
    sent.set(Sent::Sending);
    leptos::task::spawn_local(async move {
        if outbox::put(&id, "feedback", &json).await.is_err() {
            sent.set(Sent::Failed(texts().fb_v_broken.into()));
            return;
        }
        let code = anonymous.then_some(pickup_code);
        let outcome = outbox::settle(&id, 6000).await;
        match outcome {
            Delivery::Delivered | Delivery::Waiting => {
                element.reset();
                sent.set(Sent::Done { waiting: outcome == Delivery::Waiting, code });
            }
            Delivery::TooMany => {
                element.reset();
                sent.set(Sent::Failed(format!("{} {}", texts().fb_too_many, texts().fb_waiting)));
            }
            Delivery::Refused(body) => {
                let message = serde_json::from_str::<crate::error::AppError>(&body)
                    .map(|e| e.message())
                    .unwrap_or_else(|_| texts().fb_v_broken.into());
                sent.set(Sent::Failed(message));
            }
        }
    });
}

// ------------------------------------------------------------------ answers

/// Reading an answer with a pickup code (on the link page and on "Meine Nachrichten").
#[component]
fn PickupBox() -> impl IntoView {
    let t = texts();
    let action = ServerAction::<PickupAnswer>::new();
    let value = action.value();
    view! {
        <section class="card stack" aria-labelledby="pickup-title" id="pickup">
            <h2 id="pickup-title">{t.fb_pickup_title}</h2>
            <p>{t.fb_pickup_lead}</p>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <div class="field">
                    <label for="pickup-code-input">{t.fb_pickup_code}</label>
                    <input
                        id="pickup-code-input"
                        name="input[code]"
                        type="text"
                        autocomplete="off"
                        autocapitalize="characters"
                        spellcheck="false"
                        maxlength="20"
                        class="input-large"
                    />
                </div>
                <button type="submit" class="btn btn-primary btn-block" id="pickup-submit" disabled=move || action.pending().get()>{t.fb_pickup_submit}</button>
            </ActionForm>
            {move || match value.get() {
                Some(Ok(view)) => view! { <MessageCard message=view /> }.into_any(),
                Some(Err(e)) => {
                    let message = match &e {
                        crate::error::AppError::TooManyRequests { .. } => t.fb_too_many.to_owned(),
                        e => e.field("code").unwrap_or_else(|| e.message()),
                    };
                    view! { <p class="alert alert-error" role="alert" id="pickup-fehler">{message}</p> }.into_any()
                }
                None => ().into_any(),
            }}
        </section>
    }
}

/// One message with its status and answers, in the young person's words.
#[component]
fn MessageCard(message: FeedbackView) -> impl IntoView {
    let t = texts();
    let answers: Vec<_> = message.steps.iter().filter(|s| s.answer.is_some()).cloned().collect();
    let status_class = match message.status {
        FeedbackStatus::Received => "badge",
        FeedbackStatus::InProgress => "badge badge-warn",
        FeedbackStatus::Answered | FeedbackStatus::Done => "badge badge-ok",
    };
    view! {
        <article class="card stack message-card" data-id=message.id.clone()>
            <h3 class="with-icon">
                <Icon name=format!("topic-{}", message.topic.code()) />
                <span>{message.kind.label()}": "{message.topic.label()}</span>
            </h3>
            <p>
                {t.fb_status_label}": "<span class=status_class>{message.status.label()}</span>
                " · "{fill(t.fb_sent_on, &[("date", &format_date(&message.received_on))])}
            </p>
            {message.mood.map(|m| view! { <p class="with-icon"><Icon name=format!("mood-{}", m.code()) /><span>{m.label()}</span></p> })}
            {(!message.text.is_empty()).then(|| view! { <p class="message-text">{message.text.clone()}</p> })}
            {if answers.is_empty() {
                view! { <p class="muted">{t.fb_no_answer_yet}</p> }.into_any()
            } else {
                answers
                    .into_iter()
                    .map(|a| view! {
                        <div class="answer">
                            <p class="answer-from">{fill(t.fb_answer_from, &[("who", &a.by)])}</p>
                            <p class="answer-text">{a.answer.unwrap_or_default()}</p>
                        </div>
                    })
                    .collect_view()
                    .into_any()
            }}
        </article>
    }
}

/// `/nachrichten`: the young person's own named messages, with the answers.
#[component]
pub fn MyMessagesPage() -> impl IntoView {
    let t = texts();
    let mine = Resource::new(
        || (),
        |_| crate::components::status::when_allowed(crate::auth::policy::Page::YouthFeedback, my_feedback),
    );
    view! {
        <div class="youth-page stack">
            <PageTitle text=t.fb_mine_title />
            <Load data=mine let:list>
                {if list.is_empty() {
                    view! { <p class="empty">{t.fb_mine_empty}</p> }.into_any()
                } else {
                    view! {
                        <div class="stack" id="my-messages">
                            {list.into_iter().map(|message| view! { <MessageCard message /> }).collect_view()}
                        </div>
                    }
                    .into_any()
                }}
            </Load>
            <p class="hint">{t.fb_mine_anonymous_hint}</p>
            <PickupBox />
            <YouthLinks />
        </div>
    }
}

/// The way on from a young person's page.
#[component]
fn YouthLinks() -> impl IntoView {
    let t = texts();
    let session = expect_context::<crate::components::layout::SessionContext>().0;
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let logged_in = matches!(session.await, Ok(Some(_)));
                logged_in.then(|| view! {
                    <nav class="youth-links" aria-label=t.nav_label>
                        <a class="btn btn-secondary btn-block" href="/">{t.nav_start}</a>
                        <a class="btn btn-secondary btn-block" href="/nachrichten">{t.youth_my_messages}</a>
                        <a class="btn btn-secondary btn-block" href="/meine-rechte">{t.fb_rights_link}</a>
                    </nav>
                })
            })}
        </Suspense>
    }
}

// ------------------------------------------------------------------ card login

/// `/karte/:token`: the page a login card's QR code opens. The card names the account;
/// the PIN proves it is the owner's.
#[component]
pub fn CardLoginPage() -> impl IntoView {
    let t = texts();
    let token = super::route_id();
    let query = use_query_map();
    let failed = move || query.read().get("fehler").is_some();
    let locked = move || query.read().get("gesperrt").is_some();
    view! {
        <div class="youth-page stack login-card-page">
            <PageTitle text=t.card_login_title />
            <p class="page-lead">{t.card_login_lead}</p>
            {move || failed().then(|| view! { <div class="alert alert-error" role="alert" id="login-error">{t.card_login_failed}</div> })}
            {move || locked().then(|| view! { <div class="alert alert-error" role="alert" id="card-locked">{t.card_login_locked}</div> })}
            <form class="form" method="post" action="/auth/card">
                <input type="hidden" name="card" value=move || token.get() />
                <div class="field">
                    <label for="card-pin">{t.card_login_pin}</label>
                    <input id="card-pin" name="password" type="password" inputmode="numeric" autocomplete="current-password" required maxlength="8" class="input-large" />
                </div>
                <button type="submit" class="btn btn-primary btn-block btn-large">{t.login_submit}</button>
            </form>
        </div>
    }
}

// ------------------------------------------------------------------ rights

/// `/meine-rechte`: the young people's rights in simple words (public).
#[component]
pub fn RightsPage() -> impl IntoView {
    let t = texts();
    let rights = Resource::new(|| (), |_| get_rights());
    let query = use_query_map();
    let saved = move || query.read().get("gespeichert").is_some();
    view! {
        <div class="youth-page stack">
            <PageTitle text=t.rights_title />
            {move || saved().then(|| view! { <p class="alert alert-success" role="status">{t.rights_saved}</p> })}
            <Load data=rights let:rights>
                <div class="rights-text" id="rights-text">{render_rights(&rights.body)}</div>
                {(!rights.updated_on.is_empty()).then(|| view! {
                    <p class="muted">{fill(t.rights_updated, &[("date", &rights.updated_on)])}</p>
                })}
                {rights.can_edit.then(|| view! {
                    <p><a class="btn btn-secondary" href="/meine-rechte/bearbeiten">{t.rights_edit}</a></p>
                })}
            </Load>
            <YouthLinks />
        </div>
    }
}

/// The rights text's small markup: blank line = paragraph, "# " = heading, "- " = item.
/// Everything is text (no HTML), so an edit cannot inject markup.
fn render_rights(body: &str) -> impl IntoView + use<> {
    body.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|block| !block.is_empty())
        .map(|block| {
            if let Some(heading) = block.strip_prefix("# ") {
                return view! { <h2>{heading.to_owned()}</h2> }.into_any();
            }
            let lines: Vec<&str> = block.lines().map(str::trim).collect();
            let (intro, items): (Vec<&str>, Vec<&str>) = lines.iter().partition(|l| !l.starts_with("- "));
            let intro = intro.join(" ");
            view! {
                {(!intro.is_empty()).then(|| view! { <p>{intro.clone()}</p> })}
                {(!items.is_empty()).then(|| view! {
                    <ul>{items.iter().map(|i| view! { <li>{i.trim_start_matches("- ").to_owned()}</li> }).collect_view()}</ul>
                })}
            }
            .into_any()
        })
        .collect_view()
}
