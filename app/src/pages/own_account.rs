//! "Mein Konto" (`/konto`): everyone's own sessions, and their own password. A password
//! someone else chose sends every page here until its owner has set their own.

use crate::api::own_account::{ChangePassword, EndMySession, my_account};
use crate::auth::policy::Page;
use crate::components::form::{FormStatus, TextField, field_error};
use crate::components::layout::SessionContext;
use crate::components::load::Load;
use crate::components::status::{Guard, PageTitle, when_allowed};
use crate::domain::account;
use crate::domain::user::{OwnAccount, OwnSession};
use crate::i18n::{fill, texts};
use leptos::prelude::*;

#[component]
pub fn OwnAccountPage() -> impl IntoView {
    let t = texts();
    let end = ServerAction::<EndMySession>::new();
    let change = ServerAction::<ChangePassword>::new();
    let account = Resource::new(
        move || (end.version().get(), change.version().get()),
        |_| when_allowed(Page::OwnAccount, my_account),
    );
    // A new password lifts the wait for one: the menu (which the session decides) comes
    // back without a reload.
    let session = expect_context::<SessionContext>().0;
    Effect::new(move |_| {
        if matches!(change.value().get(), Some(Ok(()))) {
            session.refetch();
        }
    });
    let end_value = Signal::derive(move || end.value().get());
    let change_value = Signal::derive(move || change.value().get());
    view! {
        <Guard page=Page::OwnAccount>
        <PageTitle text=t.own_title />
        <Load data=account let:account>
            <AccountView account end end_value change change_value />
        </Load>
        </Guard>
    }
}

#[component]
fn AccountView(
    account: OwnAccount,
    end: ServerAction<EndMySession>,
    end_value: Signal<Option<Result<(), crate::error::AppError>>>,
    change: ServerAction<ChangePassword>,
    change_value: Signal<Option<Result<(), crate::error::AppError>>>,
) -> impl IntoView {
    let t = texts();
    let required = account.password_change_required;
    let notice = required.then(|| {
        let why = match &account.reset {
            Some(reset) => fill(
                t.own_password_reset_notice,
                &[
                    ("date", &reset.date_text),
                    ("time", &reset.time_text),
                    ("by", reset.by.as_deref().unwrap_or(t.own_password_reset_by_unknown)),
                ],
            ),
            None => t.own_password_new_account.to_owned(),
        };
        view! {
            <div class="alert alert-error" role="alert" id="own-password-required">
                <p>{why}</p>
                <p>{t.own_password_required}</p>
            </div>
        }
    });
    let password = if account.can_change_password {
        view! {
            <section class="card stack" aria-labelledby="own-password-title">
                <h2 id="own-password-title">{t.own_password_title}</h2>
                <ActionForm action=change attr:class="form" attr:novalidate=true attr:id="own-password-form">
                    <FormStatus value=change_value success=t.own_password_done />
                    <TextField label=t.own_password_current name="input[current]" id="own-password-current" kind="password" maxlength=account::PASSWORD_MAX autocomplete="current-password" error=field_error(change_value, "current") />
                    <TextField label=t.own_password_new name="input[password]" id="own-password-new" kind="password" hint=t.account_password_hint maxlength=account::PASSWORD_MAX autocomplete="new-password" error=field_error(change_value, "password") />
                    <TextField label=t.own_password_repeat name="input[repeat]" id="own-password-repeat" kind="password" maxlength=account::PASSWORD_MAX autocomplete="new-password" error=field_error(change_value, "repeat") />
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary" id="own-password-save" disabled=move || change.pending().get()>{t.own_password_save}</button>
                    </div>
                </ActionForm>
            </section>
        }
        .into_any()
    } else {
        view! { <p class="hint" id="own-pin-hint">{t.own_pin_hint}</p> }.into_any()
    };
    let hint = if account.can_change_password { t.own_sessions_hint } else { t.own_sessions_hint_youth };
    let sessions = account.sessions.into_iter().map(|s| view! { <SessionItem session=s end /> }).collect_view();
    view! {
        <p class="page-lead">{account.display_name}" ("{account.login}")"</p>
        {notice}
        {password}
        <section class="stack" aria-labelledby="own-sessions-title">
            <h2 id="own-sessions-title">{t.own_sessions_title}</h2>
            <p class="hint">{hint}</p>
            <FormStatus value=end_value success=t.own_session_ended />
            <ul class="list card" id="own-sessions">{sessions}</ul>
        </section>
    }
}

#[component]
fn SessionItem(session: OwnSession, end: ServerAction<EndMySession>) -> impl IntoView {
    let t = texts();
    let device = session.device.clone().unwrap_or_else(|| t.own_session_device_unknown.to_owned());
    let label = fill(t.own_session_end_label, &[("device", &device), ("since", &session.since_text)]);
    let action = if session.current {
        view! { <span class="badge badge-ok">{t.own_session_current}</span> }.into_any()
    } else {
        view! {
            <ActionForm action=end attr:class="inline-form">
                <input type="hidden" name="id" value=session.id.clone() />
                <button type="submit" class="btn btn-secondary" aria-label=label>{t.own_session_end}</button>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <li class="list-item session-item cluster" data-current=session.current.to_string()>
            <div class="stack session-what">
                <strong>{device}</strong>
                <span class="muted">{t.own_session_since}": "{session.since_text}</span>
                <span class="muted">{t.own_session_seen}": "{session.last_seen_text}</span>
            </div>
            {action}
        </li>
    }
}
