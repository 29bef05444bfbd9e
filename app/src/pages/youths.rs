//! A young person's page (master data) and the admission / edit forms (Leitung).

use super::route_id;
use crate::api::groups::list_groups;
use crate::api::youths::{CreateYouth, UpdateYouth, get_youth};
use crate::auth::policy::Page;
use crate::components::form::{FormStatus, TextArea, TextField, field_error};
use crate::components::status::{ErrorNote, Loading, PageTitle};
use crate::components::status::{Guard, when_allowed};
use crate::domain::group::Group;
use crate::domain::text::format_date;
use crate::domain::youth::{self, Youth};
use crate::error::AppError;
use crate::i18n::{fill, texts};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn YouthPage() -> impl IntoView {
    let t = texts();
    let id = route_id();
    let detail = Resource::new(move || id.get(), |id| when_allowed(Page::Youth, move || get_youth(id)));
    view! {
        <Guard page=Page::Youth>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => {
                        let y = d.youth;
                        let age = fill(t.youth_age, &[("years", &y.age.to_string())]);
                        let or_dash = |s: String| if s.is_empty() { t.none.to_owned() } else { s };
                        view! {
                            <PageTitle text=format!("{} {}", y.first_name, y.last_name) />
                            <p class="page-lead"><a href=format!("/gruppen/{}", y.group_id)>{y.group_name.clone()}</a></p>
                            <h2>{t.youth_master_data}</h2>
                            <dl class="facts">
                                <dt>{t.youth_birth_date}</dt><dd>{format_date(&y.birth_date)}" ("{age}")"</dd>
                                <dt>{t.youth_admission_date}</dt><dd>{format_date(&y.admission_date)}</dd>
                                <dt>{t.youth_caseworker_name}</dt><dd>{or_dash(y.caseworker_name.clone())}</dd>
                                <dt>{t.youth_caseworker_contact}</dt><dd>{or_dash(y.caseworker_contact.clone())}</dd>
                                <dt>{t.youth_custody}</dt><dd>{or_dash(y.custody.clone())}</dd>
                            </dl>
                            {d.can_edit.then(|| view! {
                                <div class="toolbar">
                                    <a class="btn btn-secondary" href=format!("/jugendliche/{}/bearbeiten", y.id)>{t.edit}</a>
                                </div>
                            })}
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Suspense>
        </Guard>
    }
}

#[component]
pub fn NewYouthPage() -> impl IntoView {
    let t = texts();
    let query = use_query_map();
    let preselected = StoredValue::new(query.read_untracked().get("gruppe").unwrap_or_default());
    let groups = Resource::new(|| (), |_| when_allowed(Page::NewYouth, list_groups));
    let action = ServerAction::<CreateYouth>::new();
    let value = Signal::derive(move || action.value().get());
    view! {
        <Guard page=Page::NewYouth>
        <PageTitle text=t.youth_new_title />
        <Suspense fallback=Loading>
            {move || {
                let preselected = preselected.get_value();
                Suspend::new(async move {
                    match groups.await {
                        Ok(groups) => {
                            let blank = Youth {
                                id: String::new(),
                                group_id: preselected,
                                group_name: String::new(),
                                first_name: String::new(),
                                last_name: String::new(),
                                birth_date: String::new(),
                                admission_date: String::new(),
                                caseworker_name: String::new(),
                                caseworker_contact: String::new(),
                                custody: String::new(),
                                age: 0,
                            };
                            view! {
                                <ActionForm action=action attr:class="form" attr:novalidate=true>
                                    <FormStatus value />
                                    <YouthFields value=blank groups error=move |f| field_error(value, f) />
                                    <div class="form-actions">
                                        <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t.save}</button>
                                        <a class="btn btn-link" href="/gruppen">{t.cancel}</a>
                                    </div>
                                </ActionForm>
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
        </Guard>
    }
}

#[component]
pub fn EditYouthPage() -> impl IntoView {
    let t = texts();
    let id = route_id();
    let detail = Resource::new(move || id.get(), |id| when_allowed(Page::EditYouth, move || get_youth(id)));
    let groups = Resource::new(|| (), |_| when_allowed(Page::EditYouth, list_groups));
    let action = ServerAction::<UpdateYouth>::new();
    let value = Signal::derive(move || action.value().get());
    view! {
        <Guard page=Page::EditYouth>
        <PageTitle text=t.youth_edit_title />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match (detail.await, groups.await) {
                    (Ok(d), Ok(groups)) if d.can_edit => {
                        let y = d.youth;
                        view! {
                            <ActionForm action=action attr:class="form" attr:novalidate=true>
                                <FormStatus value />
                                <input type="hidden" name="id" value=y.id.clone() />
                                <YouthFields value=y.clone() groups error=move |f| field_error(value, f) />
                                <div class="form-actions">
                                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t.save}</button>
                                    <a class="btn btn-link" href=format!("/jugendliche/{}", y.id)>{t.cancel}</a>
                                </div>
                            </ActionForm>
                        }
                        .into_any()
                    }
                    (Ok(_), Ok(_)) => view! { <ErrorNote error=AppError::Forbidden /> }.into_any(),
                    (Err(error), _) | (_, Err(error)) => view! { <ErrorNote error /> }.into_any(),
                }
            })}
        </Suspense>
        </Guard>
    }
}

#[component]
fn YouthFields(
    value: Youth,
    groups: Vec<Group>,
    error: impl Fn(&'static str) -> Signal<Option<String>>,
) -> impl IntoView {
    let t = texts();
    let group_error = error("group_id");
    let selected = value.group_id.clone();
    view! {
        <div class="field">
            <label for="youth-group">{t.youth_group}</label>
            <select
                id="youth-group"
                name="input[group_id]"
                required
                aria-invalid=move || group_error.get().is_some().then_some("true")
            >
                <option value="">{t.youth_choose_group}</option>
                {groups
                    .into_iter()
                    .map(|g| {
                        let is_selected = g.id == selected;
                        view! { <option value=g.id selected=is_selected>{g.name}</option> }
                    })
                    .collect_view()}
            </select>
            {move || group_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </div>
        <TextField label=t.youth_first_name name="input[first_name]" id="youth-first-name" value=value.first_name maxlength=youth::NAME_MAX error=error("first_name") />
        <TextField label=t.youth_last_name name="input[last_name]" id="youth-last-name" value=value.last_name maxlength=youth::NAME_MAX error=error("last_name") />
        <TextField label=t.youth_birth_date name="input[birth_date]" id="youth-birth-date" kind="date" value=value.birth_date error=error("birth_date") />
        <TextField label=t.youth_admission_date name="input[admission_date]" id="youth-admission-date" kind="date" value=value.admission_date error=error("admission_date") />
        <TextField label=t.youth_caseworker_name name="input[caseworker_name]" id="youth-caseworker-name" value=value.caseworker_name required=false maxlength=youth::CASEWORKER_NAME_MAX error=error("caseworker_name") />
        <TextField label=t.youth_caseworker_contact name="input[caseworker_contact]" id="youth-caseworker-contact" value=value.caseworker_contact required=false maxlength=youth::CASEWORKER_CONTACT_MAX error=error("caseworker_contact") />
        <TextArea label=t.youth_custody name="input[custody]" id="youth-custody" value=value.custody hint=t.youth_custody_hint maxlength=youth::CUSTODY_MAX error=error("custody") />
    }
}
