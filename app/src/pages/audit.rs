//! The audit log (Datenschutz): filter by account, young person and period; newest first.

use crate::api::audit::{list_audit, list_audit_actors};
use crate::auth::policy::Page;
use crate::components::load::{Both, Load};
use crate::components::status::PageTitle;
use crate::components::status::{Guard, when_allowed};
use crate::domain::audit::AuditFilterInput;
use crate::i18n::texts;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AuditPage() -> impl IntoView {
    let t = texts();
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        AuditFilterInput {
            actor_id: q.get("benutzer").unwrap_or_default(),
            youth_id: q.get("jugendliche").unwrap_or_default(),
            from: q.get("von").unwrap_or_default(),
            to: q.get("bis").unwrap_or_default(),
            before: q.get("vor").unwrap_or_default(),
        }
    });
    let page = Resource::new(move || filter.get(), |f| when_allowed(Page::Audit, move || list_audit(f)));
    let actors = Resource::new(|| (), |_| when_allowed(Page::Audit, list_audit_actors));
    view! {
        <Guard page=Page::Audit>
        <PageTitle text=t.audit_title />
        <p class="page-lead">{t.audit_lead}</p>
        <Load data=Both(actors, page) let:loaded>
            {
                let f = filter.get_untracked();
                let (actors, page) = loaded;
                let next = page.next.clone().map(|cursor| {
                    format!("/protokoll?benutzer={}&jugendliche={}&von={}&bis={}&vor={}", f.actor_id, f.youth_id, f.from, f.to, cursor)
                });
                view! {
                    <form class="filter-form cluster" method="get" action="/protokoll">
                        <div class="field">
                            <label for="audit-user">{t.audit_filter_user}</label>
                            <select id="audit-user" name="benutzer">
                                <option value="">{t.audit_all}</option>
                                {actors.into_iter().map(|a| {
                                    let selected = a.id == f.actor_id;
                                    view! { <option value=a.id selected=selected>{format!("{} ({})", a.display_name, a.login)}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="audit-youth">{t.audit_filter_youth}</label>
                            <input id="audit-youth" name="jugendliche" type="text" value=f.youth_id.clone() maxlength="36" />
                        </div>
                        <div class="field">
                            <label for="audit-from">{t.audit_filter_from}</label>
                            <input id="audit-from" name="von" type="date" value=f.from.clone() />
                        </div>
                        <div class="field">
                            <label for="audit-to">{t.audit_filter_to}</label>
                            <input id="audit-to" name="bis" type="date" value=f.to.clone() />
                        </div>
                        <div class="form-actions">
                            <button type="submit" class="btn btn-primary">{t.audit_filter_apply}</button>
                        </div>
                    </form>
                    {if page.entries.is_empty() {
                        view! { <p class="empty">{t.audit_empty}</p> }.into_any()
                    } else {
                        view! {
                            <div class="table-wrap" tabindex="0" role="region" aria-label=t.audit_title>
                                <table class="data-table" id="audit-table">
                                    <thead>
                                        <tr>
                                            <th scope="col">{t.audit_when}</th>
                                            <th scope="col">{t.audit_who}</th>
                                            <th scope="col">{t.audit_role}</th>
                                            <th scope="col">{t.audit_action}</th>
                                            <th scope="col">{t.audit_record}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {page.entries.into_iter().map(|e| view! {
                                            <tr>
                                                <td>{e.at_text}</td>
                                                <td>{e.actor_login}</td>
                                                <td>{e.actor_role}</td>
                                                <td>{e.action}</td>
                                                <td>{format!("{} {}", e.record_kind, e.record_id.unwrap_or_default())}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }}
                    {next.map(|href| view! { <p class="pager"><a class="btn btn-secondary" href=href>{t.audit_more}</a></p> })}
                }
            }
        </Load>
        </Guard>
    }
}
