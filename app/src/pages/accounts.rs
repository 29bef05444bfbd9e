//! Account management (Admin, Leitung): list, create, edit, reset password, deactivate.

use super::route_id;
use crate::api::accounts::{CreateAccount, ResetPassword, SetAccountActive, UpdateAccount, get_account, list_accounts};
use crate::api::groups::list_groups;
use crate::api::youths::list_youth_choices;
use crate::auth::policy::Page;
use crate::components::form::{FormStatus, TextField, field_error};
use crate::components::layout::SessionContext;
use crate::components::load::{Both, Load};
use crate::components::status::PageTitle;
use crate::components::status::{Guard, when_allowed};
use crate::domain::Role;
use crate::domain::account::{self, Account, AccountInput};
use crate::domain::group::Group;
use crate::domain::youth::YouthSummary;
use crate::i18n::texts;
use leptos::prelude::*;

#[component]
pub fn AccountsPage() -> impl IntoView {
    let t = texts();
    let accounts = Resource::new(|| (), |_| when_allowed(Page::Accounts, list_accounts));
    let groups = Resource::new(|| (), |_| when_allowed(Page::Accounts, list_groups));
    view! {
        <Guard page=Page::Accounts>
        <PageTitle text=t.accounts_title />
        <div class="toolbar cluster"><a class="btn btn-primary" href="/konten/neu">{t.accounts_new}</a></div>
        <Load data=Both(accounts, groups) let:loaded>
            {match loaded {
                (accounts, groups) if !accounts.is_empty() => view! { <AccountTable accounts groups /> }.into_any(),
                _ => view! { <p class="empty">{t.accounts_empty}</p> }.into_any(),
            }}
        </Load>
        </Guard>
    }
}

#[component]
fn AccountTable(accounts: Vec<Account>, groups: Vec<Group>) -> impl IntoView {
    let t = texts();
    let group_names = move |ids: &[crate::domain::ids::GroupId]| {
        ids.iter()
            .filter_map(|id| groups.iter().find(|g| &g.id == id).map(|g| g.name.clone()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=t.accounts_title>
            <table class="data-table">
                <thead>
                    <tr>
                        <th scope="col">{t.account_name}</th>
                        <th scope="col">{t.account_login}</th>
                        <th scope="col">{t.account_role}</th>
                        <th scope="col">{t.account_groups}</th>
                        <th scope="col">{t.account_status}</th>
                    </tr>
                </thead>
                <tbody>
                    {accounts
                        .into_iter()
                        .map(|a| {
                            let groups = group_names(&a.group_ids);
                            view! {
                                <tr>
                                    <td><a href=format!("/konten/{}", a.id)>{a.display_name}</a></td>
                                    <td>{a.login}</td>
                                    <td>{a.role.label()}</td>
                                    <td>{groups}</td>
                                    <td>
                                        {if a.active {
                                            view! { <span class="badge">{t.account_active}</span> }.into_any()
                                        } else {
                                            view! { <span class="badge badge-inactive">{t.account_inactive}</span> }.into_any()
                                        }}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Whether the caller may handle young people's accounts here (Leitung).
fn is_leitung() -> impl Fn() -> bool + Copy {
    use crate::auth::policy::{Action, Resource, can};
    let session = expect_context::<SessionContext>().0;
    move || {
        session
            .get()
            .and_then(|r| r.ok())
            .flatten()
            .is_some_and(|u| can(&u, Action::LinkYouthAccount, Resource::Institute))
    }
}

#[component]
pub fn NewAccountPage() -> impl IntoView {
    let t = texts();
    let leitung = is_leitung();
    let groups = Resource::new(|| (), |_| when_allowed(Page::NewAccount, list_groups));
    let youths =
        Resource::new(
            leitung,
            |leitung| async move { if leitung { list_youth_choices().await } else { Ok(Vec::new()) } },
        );
    let action = ServerAction::<CreateAccount>::new();
    let value = Signal::derive(move || action.value().get());
    view! {
        <Guard page=Page::NewAccount>
        <PageTitle text=t.account_new_title />
        <Load data=Both(groups, youths) let:loaded>
            {
                let (groups, youths) = loaded;
                let blank = AccountInput { role: Role::Fachkraft.as_str().to_owned(), ..AccountInput::default() };
                view! {
                    <ActionForm action=action attr:class="form" attr:novalidate=true>
                        <FormStatus value />
                        <AccountFields value=blank groups youths leitung=leitung() error=move |f| field_error(value, f) />
                        <TextField label=t.account_password name="input[password]" id="account-password" kind="password" hint=t.account_password_hint maxlength=account::PASSWORD_MAX autocomplete="new-password" error=field_error(value, "password") />
                        <div class="form-actions">
                            <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t.save}</button>
                            <a class="btn btn-link" href="/konten">{t.cancel}</a>
                        </div>
                    </ActionForm>
                }
            }
        </Load>
        </Guard>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let t = texts();
    let leitung = is_leitung();
    let id = route_id();
    let update = ServerAction::<UpdateAccount>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let set_active = ServerAction::<SetAccountActive>::new();
    let account = Resource::new(
        move || (id.get(), set_active.version().get()),
        |(id, _)| when_allowed(Page::Account, move || get_account(id)),
    );
    let groups = Resource::new(|| (), |_| when_allowed(Page::Account, list_groups));
    let youths =
        Resource::new(
            leitung,
            |leitung| async move { if leitung { list_youth_choices().await } else { Ok(Vec::new()) } },
        );
    let update_value = Signal::derive(move || update.value().get());
    let reset_value = Signal::derive(move || reset.value().get());
    let active_value = Signal::derive(move || set_active.value().get());
    view! {
        <Guard page=Page::Account>
        <PageTitle text=t.account_edit_title />
        <Load data=Both(account, Both(groups, youths)) let:loaded>
            {
                let (a, (groups, youths)) = loaded;
                let active = a.active;
                let (id_update, id_reset, id_active) = (a.id.clone(), a.id.clone(), a.id.clone());
                view! {
                    <ActionForm action=update attr:class="form" attr:novalidate=true>
                        <FormStatus value=update_value />
                        <input type="hidden" name="id" value=id_update />
                        <AccountFields value=AccountInput::from(&a) groups youths leitung=leitung() error=move |f| field_error(update_value, f) />
                        <div class="form-actions">
                            <button type="submit" class="btn btn-primary" disabled=move || update.pending().get()>{t.save}</button>
                            <a class="btn btn-link" href="/konten">{t.back}</a>
                        </div>
                    </ActionForm>
                    <h2>{t.account_reset_password}</h2>
                    <ActionForm action=reset attr:class="form" attr:novalidate=true>
                        <FormStatus value=reset_value success=t.account_password_reset_done />
                        <input type="hidden" name="id" value=id_reset />
                        <TextField label=t.account_new_password name="input[password]" id="account-new-password" kind="password" hint=t.account_password_hint maxlength=account::PASSWORD_MAX autocomplete="new-password" error=field_error(reset_value, "password") />
                        <div class="form-actions">
                            <button type="submit" class="btn btn-secondary" disabled=move || reset.pending().get()>{t.account_reset_password}</button>
                        </div>
                    </ActionForm>
                    <h2>{t.account_status}": "{if active { t.account_active } else { t.account_inactive }}</h2>
                    <ActionForm action=set_active attr:class="form">
                        <FormStatus value=active_value success=if active { t.account_activated_done } else { t.account_deactivated_done } />
                        <input type="hidden" name="id" value=id_active />
                        <input type="hidden" name="input[active]" value=(!active).to_string() />
                        <div class="form-actions">
                            {if active {
                                view! { <button type="submit" class="btn btn-danger" id="account-deactivate">{t.account_deactivate}</button> }.into_any()
                            } else {
                                view! { <button type="submit" class="btn btn-secondary" id="account-activate">{t.account_activate}</button> }.into_any()
                            }}
                        </div>
                    </ActionForm>
                }
            }
        </Load>
        </Guard>
    }
}

#[component]
fn AccountFields(
    value: AccountInput,
    groups: Vec<Group>,
    youths: Vec<YouthSummary>,
    leitung: bool,
    error: impl Fn(&'static str) -> Signal<Option<String>>,
) -> impl IntoView {
    let t = texts();
    let role_error = error("role");
    let groups_error = error("group_ids");
    let youth_error = error("youth_id");
    let roles: Vec<Role> = Role::ALL.into_iter().filter(|r| leitung || !r.has_youth_record()).collect();
    let current_role = Role::parse(&value.role);
    let member = value.group_ids.clone();
    let linked = value.youth_id.clone();
    view! {
        <TextField label=t.account_name name="input[display_name]" id="account-name" value=value.display_name maxlength=account::DISPLAY_NAME_MAX error=error("display_name") />
        <TextField label=t.account_login name="input[login]" id="account-login" value=value.login hint=t.account_login_hint maxlength=account::LOGIN_MAX autocomplete="off" error=error("login") />
        <TextField label=t.account_email name="input[email]" id="account-email" kind="email" required=false value=value.email.clone() hint=t.account_email_hint maxlength=account::EMAIL_MAX autocomplete="off" error=error("email") />
        <div class="field">
            <label for="account-role">{t.account_role}</label>
            <select id="account-role" name="input[role]" required aria-invalid=move || role_error.get().is_some().then_some("true")>
                {roles
                    .into_iter()
                    .map(|r| view! { <option value=r.as_str() selected=Some(r) == current_role>{r.label()}</option> })
                    .collect_view()}
            </select>
            {move || role_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </div>
        <fieldset class="field-group">
            <legend>{t.account_groups}</legend>
            <p class="hint">{t.account_groups_hint}</p>
            {groups
                .into_iter()
                .enumerate()
                .map(|(i, g)| {
                    let checked = member.iter().any(|m| g.id == *m);
                    let id = format!("account-group-{i}");
                    let label_for = id.clone();
                    view! {
                        <label class="choice" for=label_for>
                            <input type="checkbox" id=id name=format!("input[group_ids][{i}]") value=g.id checked=checked />
                            <span>{g.name}</span>
                        </label>
                    }
                })
                .collect_view()}
            {move || groups_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </fieldset>
        {leitung.then(|| view! {
            <div class="field">
                <label for="account-youth">{t.account_youth}" "<span class="muted">"("{t.optional}")"</span></label>
                <select id="account-youth" name="input[youth_id]" aria-describedby="account-youth-hint" aria-invalid=move || youth_error.get().is_some().then_some("true")>
                    <option value="">{t.none}</option>
                    {youths
                        .into_iter()
                        .map(|y| {
                            let is_linked = y.id == linked;
                            view! { <option value=y.id selected=is_linked>{format!("{} {}", y.first_name, y.last_name)}</option> }
                        })
                        .collect_view()}
                </select>
                <p class="hint" id="account-youth-hint">{t.account_youth_hint}</p>
                {move || youth_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            </div>
        })}
    }
}
