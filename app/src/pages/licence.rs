//! § 47 Meldungen: the list, the form (offered from an incident or a Kinderschutz
//! procedure of a licensed group) and one Meldung.

use super::incidents::options;
use crate::api::licence::{SaveLicence, get_licence, get_licence_form, list_licences};
use crate::auth::policy::Page;
use crate::components::form::{FormStatus, SelectField, TextArea, TextField, field_error};
use crate::components::load::Load;
use crate::components::status::{Guard, PageTitle, when_allowed};
use crate::domain::licence::{self as l47, LicenceCategory, LicenceForm, LicenceFrom};
use crate::i18n::{fill, texts};
use leptos::prelude::*;

/// `/meldungen-47`: the Meldungen of one's groups.
#[component]
pub fn LicenceListPage() -> impl IntoView {
    let t = texts();
    let list = Resource::new(|| (), |_| when_allowed(Page::LicenceReports, list_licences));
    view! {
        <Guard page=Page::LicenceReports>
        <PageTitle text=t.l47_title />
        <p class="page-lead">{t.l47_lead}</p>
        <p><a class="btn btn-primary" href="/meldungen-47/neu" id="licence-new-link">{t.l47_new}</a></p>
        <Load data=list let:items>
            {if items.is_empty() {
                view! { <p class="muted" id="licence-none">{t.l47_none}</p> }.into_any()
            } else {
                view! {
                    <ul class="incident-list stack" id="licence-list">
                        {items.into_iter().map(|l| view! {
                            <li class="card incident-card">
                                <a href=format!("/meldungen-47/{}", l.id)><strong>{l.category.label()}</strong>" – "{l.group_name.clone()}</a>
                                <p class="entry-meta">{fill(t.l47_event_at, &[("when", &l.occurred)])}" · "{fill(t.l47_reported_at_line, &[("when", &l.reported)])}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </Load>
        </Guard>
    }
}

/// `/meldungen-47/neu`: the form; `?vorkommnis=` or `?verfahren=` fill it from an
/// incident or a procedure.
#[component]
pub fn NewLicencePage() -> impl IntoView {
    let t = texts();
    let query = leptos_router::hooks::use_query_map();
    let from = StoredValue::new(LicenceFrom {
        incident_id: query.read_untracked().get("vorkommnis").unwrap_or_default(),
        case_id: query.read_untracked().get("verfahren").unwrap_or_default(),
    });
    let form =
        Resource::new(|| (), move |_| when_allowed(Page::NewLicenceReport, move || get_licence_form(from.get_value())));
    view! {
        <Guard page=Page::NewLicenceReport>
        <PageTitle text=t.l47_new />
        <p class="page-lead">{t.l47_form_lead}</p>
        <Load data=form let:f>
            <LicenceFormView form=f />
        </Load>
        </Guard>
    }
}

#[component]
fn LicenceFormView(form: LicenceForm) -> impl IntoView {
    let t = texts();
    let action = ServerAction::<SaveLicence>::new();
    let value = Signal::derive(move || action.value().get());
    if form.groups.is_empty() {
        return view! { <p class="alert alert-info" id="licence-no-group">{t.l47_no_group}</p> }.into_any();
    }
    view! {
        <ActionForm action=action attr:class="form" attr:novalidate=true attr:id="licence-form">
            <FormStatus value=value />
            <input type="hidden" name="input[key]" value=form.key />
            <input type="hidden" name="input[incident_id]" value=form.incident_id />
            <input type="hidden" name="input[case_id]" value=form.case_id />
            <SelectField label=t.fb_group_label name="input[group_id]" id="licence-group" options=form.groups selected=form.group_id placeholder=t.choose error=field_error(value, "group_id") />
            <SelectField label=t.l47_category name="input[category]" id="licence-category" options=options(LicenceCategory::ALL, LicenceCategory::code, LicenceCategory::label) selected=form.category placeholder=t.choose error=field_error(value, "category") />
            <TextField label=t.l47_occurred_at name="input[occurred_at]" id="licence-occurred" kind="datetime-local" value=form.occurred_at error=field_error(value, "occurred_at") />
            <TextArea label=t.l47_description name="input[description]" id="licence-description" required=true rows=6 maxlength=l47::TEXT_MAX hint=t.l47_description_hint error=field_error(value, "description") />
            <TextArea label=t.l47_measures name="input[measures]" id="licence-measures" rows=3 maxlength=l47::TEXT_MAX error=field_error(value, "measures") />
            <TextField label=t.l47_recipient name="input[recipient]" id="licence-recipient" maxlength=l47::RECIPIENT_MAX hint=t.l47_recipient_hint error=field_error(value, "recipient") />
            <TextField label=t.l47_reported_at name="input[reported_at]" id="licence-reported" kind="datetime-local" error=field_error(value, "reported_at") />
            <p class="hint">{t.l47_frozen_hint}</p>
            <button type="submit" class="btn btn-primary" id="licence-save" disabled=move || action.pending().get()>{t.l47_save}</button>
        </ActionForm>
    }
    .into_any()
}

/// `/meldungen-47/:id`: one Meldung.
#[component]
pub fn LicencePage() -> impl IntoView {
    let t = texts();
    let id = super::route_id();
    let detail = Resource::new(move || id.get(), |id| when_allowed(Page::LicenceReports, move || get_licence(id)));
    view! {
        <Guard page=Page::LicenceReports>
        <Load data=detail let:l>
            <PageTitle text=format!("{}: {}", t.l47_title_one, l.category.label()) />
            <dl class="facts">
                <dt>{t.fb_group_label}</dt><dd>{l.group_name.clone()}</dd>
                <dt>{t.l47_occurred_at}</dt><dd>{l.occurred.clone()}</dd>
                <dt>{t.l47_recipient}</dt><dd>{l.body.recipient.clone()}</dd>
                <dt>{t.l47_reported_at}</dt><dd id="licence-reported-at">{l.reported.clone()}</dd>
                <dt>{t.inc_reported_by}</dt><dd>{l.author_name.clone()}</dd>
            </dl>
            <h2>{t.l47_description}</h2>
            <p class="message-text" id="licence-description-text">{l.body.description.clone()}</p>
            {(!l.body.measures.is_empty()).then(|| view! {
                <h2>{t.l47_measures}</h2>
                <p class="message-text">{l.body.measures.clone()}</p>
            })}
            {l.incident_id.clone().map(|i| view! { <p><a href=format!("/vorkommnisse/{i}")>{t.l47_to_incident}</a></p> })}
            {l.case_id.clone().map(|c| view! { <p><a href=format!("/kinderschutz/{c}")>{t.cp_to_case}</a></p> })}
        </Load>
        <p><a href="/meldungen-47">{t.l47_title}</a></p>
        </Guard>
    }
}
