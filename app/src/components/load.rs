//! `<Load>`: a page's data, a loading note while it comes, its view when it is there, and
//! the error note (with the HTTP status) when it fails. Every page shows its data this
//! way, so loading and failing look and answer the same everywhere.

use crate::components::status::{ErrorNote, Loading};
use crate::error::AppError;
use leptos::prelude::*;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

/// Shows `children(data)` once `data` has loaded, [`ErrorNote`] if it failed.
///
/// `data` is a resource created at the top of the page (never inside the view: a
/// resource made while a suspense resolves is made again on the second pass), or
/// [`Both`] of two. With `keep`, the content stays while the data loads again (pages that
/// refresh themselves), instead of the loading note.
#[component]
pub fn Load<D, T, F, V>(
    data: D,
    children: F,
    #[prop(optional)] keep: bool,
    /// Shown while loading; the loading note unless given (`|| ()` shows nothing).
    #[prop(optional, into)]
    fallback: Option<ViewFn>,
) -> impl IntoView
where
    D: IntoFuture<Output = Result<T, AppError>> + Clone + Send + Sync + 'static,
    D::IntoFuture: Send + 'static,
    T: 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let fallback = fallback.unwrap_or_else(|| ViewFn::from(Loading));
    let body = move || {
        let (data, children) = (data.clone(), children.clone());
        Suspend::new(async move {
            match data.await {
                Ok(value) => children(value).into_any(),
                Err(error) => view! { <ErrorNote error /> }.into_any(),
            }
        })
    };
    if keep {
        view! { <Transition fallback=move || fallback.run()>{body}</Transition> }.into_any()
    } else {
        view! { <Suspense fallback=move || fallback.run()>{body}</Suspense> }.into_any()
    }
}

/// Two loads as one, for `<Load>`: both values, or the first error.
#[derive(Clone, Copy)]
pub struct Both<A, B>(pub A, pub B);

impl<A, B, TA, TB> IntoFuture for Both<A, B>
where
    A: IntoFuture<Output = Result<TA, AppError>>,
    B: IntoFuture<Output = Result<TB, AppError>>,
    A::IntoFuture: Send + 'static,
    B::IntoFuture: Send + 'static,
    TA: Send + 'static,
    TB: Send + 'static,
{
    type Output = Result<(TA, TB), AppError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        let (a, b) = (self.0.into_future(), self.1.into_future());
        Box::pin(async move { Ok((a.await?, b.await?)) })
    }
}
