//! "Meine Ziele": the young person's goals in simple words, each rated with a face.

use crate::api::own_goals::{RateMyGoal, my_goals};
use crate::auth::policy::Page;
use crate::components::icon::Icon;
use crate::components::load::Load;
use crate::components::status::{Guard, PageTitle, when_allowed};
use crate::domain::plan::{OwnGoal, Rating};
use crate::i18n::{fill, texts};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The face for a step of the scale.
pub fn face(rating: Rating) -> &'static str {
    match rating {
        Rating::Not => "mood-sehr_schlecht",
        Rating::Slightly => "mood-schlecht",
        Rating::Partly => "mood-mittel",
        Rating::Mostly => "mood-gut",
        Rating::Fully => "mood-sehr_gut",
    }
}

/// What a face says, in simple words.
pub fn face_label(rating: Rating) -> &'static str {
    let t = texts();
    match rating {
        Rating::Not => t.own_rating_1,
        Rating::Slightly => t.own_rating_2,
        Rating::Partly => t.own_rating_3,
        Rating::Mostly => t.own_rating_4,
        Rating::Fully => t.own_rating_5,
    }
}

#[component]
pub fn OwnGoalsPage() -> impl IntoView {
    let t = texts();
    let query = use_query_map();
    let saved_plain = query.read_untracked().get("gespeichert").is_some();
    let rate = ServerAction::<RateMyGoal>::new();
    let goals = Resource::new(move || rate.version().get(), |_| when_allowed(Page::OwnGoals, my_goals));
    let value = Signal::derive(move || rate.value().get());
    let saved = move || saved_plain || matches!(value.get(), Some(Ok(())));
    view! {
        <Guard page=Page::OwnGoals>
        <div class="youth-page stack">
            <PageTitle text=t.own_goals_title />
            <p class="page-lead">{t.own_goals_lead}</p>
            {move || saved().then(|| view! { <div class="alert alert-success" role="status">{t.own_goals_saved}</div> })}
            {move || value.get().and_then(|r| r.err()).map(|e| view! { <div class="alert alert-error" role="alert">{e.field("rating").or_else(|| e.field("goal_id")).unwrap_or_else(|| e.message())}</div> })}
            <Load data=goals let:list>
                {list.is_empty().then(|| view! { <p class="empty">{t.own_goals_empty}</p> })}
                <ul class="list own-goals">
                    {list.into_iter().map(|g| view! { <li class="list-item"><OwnGoalForm goal=g rate /></li> }).collect_view()}
                </ul>
            </Load>
        </div>
        </Guard>
    }
}

#[component]
fn OwnGoalForm(goal: OwnGoal, rate: ServerAction<RateMyGoal>) -> impl IntoView {
    let t = texts();
    let key = goal.id.as_str()[28..].to_owned();
    let current = goal.rating;
    view! {
        <ActionForm action=rate attr:class="form own-goal stack" attr:novalidate=true>
            <input type="hidden" name="input[goal_id]" value=goal.id.to_string() />
            <p class="own-goal-title">
                {goal.direction.then(|| view! { <span class="badge">{t.own_goals_big}</span>" " })}
                <strong>{goal.title.clone()}</strong>
            </p>
            {current.map(|r| view! {
                <p class="with-icon muted"><Icon name=face(r) /><span>{fill(t.own_goals_last, &[("rating", face_label(r)), ("date", &goal.rated_on)])}</span></p>
            })}
            <fieldset class="field">
                <legend>{t.own_goals_question}</legend>
                <div class="mood-row">
                    {Rating::ALL.iter().map(|&r| {
                        let id = format!("own-goal-{key}-{}", r.code());
                        let label_for = id.clone();
                        view! {
                            <label class="mood" for=label_for>
                                <input type="radio" class="tile-input" id=id name="input[rating]" value=r.code() checked=current == Some(r) />
                                <Icon name=face(r) class="mood-icon" />
                                <span>{face_label(r)}</span>
                            </label>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
            <button type="submit" class="btn btn-primary" disabled=move || rate.pending().get()>{t.own_goals_save}</button>
        </ActionForm>
    }
}
