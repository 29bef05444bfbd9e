//! Familienwohngruppen: list, detail with the young people, create and edit (Leitung).

use super::route_id;
use crate::api::groups::{CreateGroup, UpdateGroup, get_group, list_groups};
use crate::auth::policy::Page;
use crate::components::form::{FormStatus, TextField, field_error};
use crate::components::layout::SessionContext;
use crate::components::load::Load;
use crate::components::status::{ErrorNote, PageTitle};
use crate::components::status::{Guard, when_allowed};
use crate::domain::group::{self, Group, GroupInput};
use crate::i18n::{fill, texts};
use leptos::prelude::*;

#[component]
pub fn GroupsPage() -> impl IntoView {
    let t = texts();
    let session = expect_context::<SessionContext>().0;
    let groups = Resource::new(|| (), |_| when_allowed(Page::Groups, list_groups));
    let is_leitung = move || {
        session
            .get()
            .and_then(|r| r.ok())
            .flatten()
            .is_some_and(|u| crate::auth::policy::may_ever(&u, crate::auth::policy::Action::CreateGroup))
    };
    view! {
        <Guard page=Page::Groups>
        <PageTitle text=t.groups_title />
        <Load data=groups let:groups>
            {is_leitung().then(|| view! {
                <div class="toolbar cluster"><a class="btn btn-primary" href="/gruppen/neu">{t.groups_new}</a></div>
            })}
            <GroupCards groups />
        </Load>
        </Guard>
    }
}

/// Cards linking to each group.
#[component]
pub fn GroupCards(groups: Vec<Group>) -> impl IntoView {
    let t = texts();
    if groups.is_empty() {
        return view! { <p class="empty">{t.groups_empty}</p> }.into_any();
    }
    view! {
        <ul class="card-list grid">
            {groups
                .into_iter()
                .map(|g| {
                    let count = fill(t.group_youth_count, &[("count", &g.youth_count.to_string())]);
                    view! {
                        <li class="card">
                            <h2><a href=format!("/gruppen/{}", g.id)>{g.name}</a></h2>
                            <p class="muted">{g.address}</p>
                            <p>{count}</p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// The young people of one group as a tappable list (the staff start page).
#[component]
pub fn GroupYouths(detail: crate::api::groups::GroupDetail) -> impl IntoView {
    let t = texts();
    let heading = detail.group.name.clone();
    let label = heading.clone();
    let handover = format!("/gruppen/{}/uebergabe", detail.group.id);
    view! {
        <section class="stack" aria-label=label>
            <h2>{heading}</h2>
            <div class="toolbar cluster"><a class="btn btn-secondary" href=handover>{t.handover_link}</a></div>
            {if detail.youths.is_empty() {
                view! { <p class="empty">{t.group_no_youths}</p> }.into_any()
            } else {
                view! { <YouthList youths=detail.youths /> }.into_any()
            }}
        </section>
    }
}

#[component]
fn YouthList(youths: Vec<crate::domain::youth::YouthSummary>) -> impl IntoView {
    let t = texts();
    view! {
        <ul class="list">
            {youths
                .into_iter()
                .map(|y| {
                    let age = fill(t.youth_age, &[("years", &y.age.to_string())]);
                    view! {
                        <li class="list-item">
                            <a href=format!("/jugendliche/{}", y.id)>
                                <span class="youth-name">{format!("{} {}", y.first_name, y.last_name)}</span>
                                " "
                                <span class="muted">{age}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
pub fn GroupPage() -> impl IntoView {
    let t = texts();
    let id = route_id();
    let detail = Resource::new(move || id.get(), |id| when_allowed(Page::Group, move || get_group(id)));
    view! {
        <Guard page=Page::Group>
        <Load data=detail let:d>
            {
                let g = d.group;
                view! {
                    <PageTitle text=g.name.clone() />
                    <dl class="facts">
                        <dt>{t.group_address}</dt><dd>{g.address.clone()}</dd>
                        <dt>{t.group_phone}</dt><dd><a href=format!("tel:{}", g.phone.replace(' ', ""))>{g.phone.clone()}</a></dd>
                    </dl>
                    <p class="toolbar cluster">
                        <a class="btn btn-secondary" href=format!("/gruppen/{}/uebergabe", g.id)>{t.handover_link}</a>
                        <a class="btn btn-secondary" href=format!("/gruppen/{}/aushang", g.id)>{t.fb_group_link_nav}</a>
                    </p>
                    {d.can_edit.then(|| view! {
                        <div class="toolbar cluster">
                            <a class="btn btn-secondary" href=format!("/gruppen/{}/bearbeiten", g.id)>{t.edit}</a>
                            <a class="btn btn-primary" href=format!("/jugendliche/neu?gruppe={}", g.id)>{t.youth_new}</a>
                        </div>
                    })}
                    <h2>{t.group_youths}</h2>
                    {if d.youths.is_empty() {
                        view! { <p class="empty">{t.group_no_youths}</p> }.into_any()
                    } else {
                        view! { <YouthList youths=d.youths /> }.into_any()
                    }}
                }
            }
        </Load>
        </Guard>
    }
}

#[component]
pub fn NewGroupPage() -> impl IntoView {
    let t = texts();
    let action = ServerAction::<CreateGroup>::new();
    let value = Signal::derive(move || action.value().get());
    view! {
        <Guard page=Page::NewGroup>
        <PageTitle text=t.group_new_title />
        <ActionForm action=action attr:class="form" attr:novalidate=true>
            <FormStatus value />
            <GroupFields value=GroupInput::default() error=move |f| field_error(value, f) />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t.save}</button>
                <a class="btn btn-link" href="/gruppen">{t.cancel}</a>
            </div>
        </ActionForm>
        </Guard>
    }
}

#[component]
pub fn EditGroupPage() -> impl IntoView {
    let t = texts();
    let id = route_id();
    let detail = Resource::new(move || id.get(), |id| when_allowed(Page::EditGroup, move || get_group(id)));
    let action = ServerAction::<UpdateGroup>::new();
    let value = Signal::derive(move || action.value().get());
    view! {
        <Guard page=Page::EditGroup>
        <PageTitle text=t.group_edit_title />
        <Load data=detail let:d>
            {match d {
                    d if d.can_edit => view! {
                        <ActionForm action=action attr:class="form" attr:novalidate=true>
                            <FormStatus value />
                            <input type="hidden" name="id" value=d.group.id.clone() />
                            <GroupFields value=GroupInput::from(&d.group) error=move |f| field_error(value, f) />
                            <div class="form-actions">
                                <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t.save}</button>
                                <a class="btn btn-link" href=format!("/gruppen/{}", d.group.id)>{t.cancel}</a>
                            </div>
                        </ActionForm>
                    }
                    .into_any(),
                    _ => view! { <ErrorNote error=crate::error::AppError::Forbidden /> }.into_any(),
            }}
        </Load>
        </Guard>
    }
}

#[component]
fn GroupFields(value: GroupInput, error: impl Fn(&'static str) -> Signal<Option<String>>) -> impl IntoView {
    let t = texts();
    view! {
        <TextField label=t.group_name name="input[name]" id="group-name" value=value.name maxlength=group::NAME_MAX error=error("name") />
        <TextField label=t.group_address name="input[address]" id="group-address" value=value.address maxlength=group::ADDRESS_MAX autocomplete="street-address" error=error("address") />
        <TextField label=t.group_phone name="input[phone]" id="group-phone" kind="tel" value=value.phone maxlength=group::PHONE_MAX autocomplete="tel" error=error("phone") />
        <label class="choice" for="group-licensed">
            <input type="checkbox" id="group-licensed" name="input[licensed]" value="ja" checked=value.licensed == "ja" />
            <span>{t.group_licensed}</span>
        </label>
    }
}
