//! The start page: what each role sees first.

use crate::api::groups::{get_group, list_groups};
use crate::auth::CurrentUser;
use crate::auth::policy::{Home, home};
use crate::components::icon::Icon;
use crate::components::layout::SessionContext;
use crate::components::load::Load;
use crate::components::status::{ErrorNote, PageTitle};
use crate::i18n::{fill, texts};
use leptos::prelude::*;

/// Groups (and, for staff, their young people) for the start page.
type Overview = (Vec<crate::domain::group::Group>, Vec<crate::api::groups::GroupDetail>);

async fn load_overview() -> Result<Overview, crate::error::AppError> {
    let Some(user) = crate::api::session::current_session().await? else {
        return Ok((Vec::new(), Vec::new()));
    };
    if !matches!(home(&user), Home::Group | Home::Advisor | Home::Institute) {
        return Ok((Vec::new(), Vec::new()));
    }
    let groups = list_groups().await?;
    let mut details = Vec::new();
    if home(&user) == Home::Group {
        for group in &groups {
            details.push(get_group(group.id.to_string()).await?);
        }
    }
    Ok((groups, details))
}

#[component]
pub fn StartPage() -> impl IntoView {
    let session = expect_context::<SessionContext>().0;
    // Created here, once, not inside the Suspense below: a resource made while a
    // Suspense resolves would be made (and fetched) again on the second pass.
    let overview = Resource::new(|| (), |_| load_overview());
    view! {
        <Load data=session let:user>
            {match user {
                Some(user) => view! { <StartFor user overview /> }.into_any(),
                None => view! { <ErrorNote error=crate::error::AppError::Unauthenticated /> }.into_any(),
            }}
        </Load>
    }
}

#[component]
fn StartFor(user: CurrentUser, overview: Resource<Result<Overview, crate::error::AppError>>) -> impl IntoView {
    match home(&user) {
        Home::Youth => view! { <YouthStart user /> }.into_any(),
        Home::Accounts => {
            view! { <RoleStart user lead=texts().start_admin_lead link=("/konten", texts().nav_accounts) /> }.into_any()
        }
        Home::Audit => {
            view! { <RoleStart user lead=texts().start_ds_lead link=("/protokoll", texts().audit_title) /> }.into_any()
        }
        Home::Group | Home::Advisor | Home::Institute => view! { <GroupsStart user overview /> }.into_any(),
    }
}

#[component]
fn RoleStart(user: CurrentUser, lead: &'static str, link: (&'static str, &'static str)) -> impl IntoView {
    let t = texts();
    view! {
        <PageTitle text=fill(t.start_welcome, &[("name", &user.display_name)]) />
        <p class="page-lead">{lead}</p>
        <p><a class="btn btn-primary" href=link.0>{link.1}</a></p>
    }
}

/// Staff: "Meine Gruppe" with the young people; Fachberatung: their groups; Leitung: all.
#[component]
fn GroupsStart(user: CurrentUser, overview: Resource<Result<Overview, crate::error::AppError>>) -> impl IntoView {
    let t = texts();
    let (title, lead) = match home(&user) {
        Home::Group => (t.nav_my_group.to_owned(), t.start_staff_lead),
        Home::Advisor => (fill(t.start_welcome, &[("name", &user.display_name)]), t.start_fb_lead),
        _ => (fill(t.start_welcome, &[("name", &user.display_name)]), t.start_leitung_lead),
    };
    let staff = home(&user) == Home::Group;
    view! {
        <PageTitle text=title />
        <p class="page-lead">{lead}</p>
        {(!staff).then(|| view! { <Notices /> })}
        <PlanReminders />
        <Load data=overview let:loaded>
            {match loaded {
                (groups, _) if groups.is_empty() => view! { <p class="empty">{t.start_no_groups}</p> }.into_any(),
                (_, details) if staff => details
                    .into_iter()
                    .map(|d| view! { <crate::pages::groups::GroupYouths detail=d /> })
                    .collect_view()
                    .into_any(),
                (groups, _) => view! { <crate::pages::groups::GroupCards groups /> }.into_any(),
            }}
        </Load>
    }
}

/// The young person's start page: simple words, big buttons.
#[component]
fn YouthStart(user: CurrentUser) -> impl IntoView {
    let t = texts();
    view! {
        <div class="youth-page stack">
            <PageTitle text=fill(t.start_youth_title, &[("name", &user.display_name)]) />
            <p class="page-lead">{t.start_youth_lead}</p>
            <ul class="big-choices grid">
                <li>
                    <a class="big-choice" href="/nachricht/neu?art=beteiligung" id="start-participate">
                        <Icon name="kind-beteiligung" class="big-choice-icon" />
                        <span>{t.start_youth_participate}</span>
                    </a>
                </li>
                <li>
                    <a class="big-choice" href="/nachricht/neu?art=beschwerde" id="start-complain">
                        <Icon name="kind-beschwerde" class="big-choice-icon" />
                        <span>{t.start_youth_complain}</span>
                    </a>
                </li>
                <li>
                    <a class="big-choice" href="/meine-ziele" id="start-goals">
                        <Icon name="mood-gut" class="big-choice-icon" />
                        <span>{t.start_youth_goals}</span>
                    </a>
                </li>
                <li>
                    <a class="big-choice" href="/mein-hilfeplangespraech" id="start-report">
                        <Icon name="kind-beteiligung" class="big-choice-icon" />
                        <span>{t.start_youth_report}</span>
                    </a>
                </li>
                <li>
                    <a class="big-choice" href="/nachrichten">
                        <Icon name="messages" class="big-choice-icon" />
                        <span>{t.youth_my_messages}</span>
                    </a>
                </li>
                <li>
                    <a class="big-choice" href="/meine-rechte">
                        <Icon name="topic-rechte" class="big-choice-icon" />
                        <span>{t.start_youth_rights}</span>
                    </a>
                </li>
            </ul>
        </div>
    }
}

/// At most this many reminders are listed; the rest are counted.
const REMINDERS_SHOWN: usize = 12;

/// What help planning needs soon: review dates, overdue monthly talks, quiet goals.
#[component]
fn PlanReminders() -> impl IntoView {
    use crate::domain::plan::ReminderKind;
    use crate::domain::text::format_date;
    let t = texts();
    let reminders = Resource::new(|| (), |_| crate::api::plans::plan_reminders());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match reminders.await {
                    Ok(list) if !list.is_empty() => {
                        let more = list.len().saturating_sub(REMINDERS_SHOWN);
                        view! {
                            <section class="card" aria-labelledby="reminders-title" id="plan-reminders">
                                <h2 id="reminders-title">{t.reminders_title}</h2>
                                <ul>
                                    {list.into_iter().take(REMINDERS_SHOWN).map(|r| {
                                        let goal = r.goal.clone().map(|g| g.title).unwrap_or_default();
                                        let date = format_date(&r.date);
                                        let (text, href) = match r.kind {
                                            ReminderKind::TalkOverdue => (
                                                if r.date.is_empty() { t.reminder_talk_none.to_owned() } else { fill(t.reminder_talk, &[("date", &date)]) },
                                                format!("/erziehungsplanung/neu?fuer={}", r.youth_id),
                                            ),
                                            ReminderKind::Review => (
                                                fill(t.reminder_review, &[("goal", &goal), ("date", &date)]),
                                                format!("/ziele/{}", r.goal.as_ref().map(|g| g.id.to_string()).unwrap_or_default()),
                                            ),
                                            ReminderKind::QuietGoal => (
                                                fill(t.reminder_quiet, &[("goal", &goal)]),
                                                format!("/ziele/{}", r.goal.as_ref().map(|g| g.id.to_string()).unwrap_or_default()),
                                            ),
                                            ReminderKind::ReportDue => (
                                                fill(t.reminder_report, &[("date", &date)]),
                                                format!("/jugendliche/{}/hilfeplan#berichte", r.youth_id),
                                            ),
                                        };
                                        view! { <li><a href=href>{r.youth_name.clone()}": "{text}</a></li> }
                                    }).collect_view()}
                                </ul>
                                {(more > 0).then(|| view! { <p class="muted">{fill(t.reminders_more, &[("n", &more.to_string())])}</p> })}
                            </section>
                        }
                        .into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Suspense>
    }
}

/// Notices for the Fachberatung and Leitung (an account locked after wrong PINs).
#[component]
fn Notices() -> impl IntoView {
    let t = texts();
    let notices = Resource::new(|| (), |_| crate::api::cards::list_notices());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match notices.await {
                    Ok(list) if !list.is_empty() => view! {
                        <section class="card notices" aria-labelledby="notices-title" id="notices">
                            <h2 id="notices-title">{t.notices_title}</h2>
                            <ul>
                                {list.into_iter().map(|n| view! {
                                    <li>{fill(t.notice_pin_lock, &[("who", &n.who), ("group", &n.group_name)])}</li>
                                }).collect_view()}
                            </ul>
                        </section>
                    }
                    .into_any(),
                    _ => ().into_any(),
                }
            })}
        </Suspense>
    }
}
