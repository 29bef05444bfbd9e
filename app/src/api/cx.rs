//! The request context. Every server function and every form route starts with one, and
//! the safe way is the only way through it:
//!
//! ```text
//! let mut cx = Cx::begin(Action::ViewEntries).await?;   // who, may they at all, a transaction
//! let group = cx.youth(Action::ViewEntries, &youth).await?; // the stored record, the policy
//! let entries = db::entries::timeline(cx.tx(), …).await?;   // store calls in the transaction
//! cx.audit(AuditAction::List, RecordKind::Timeline, …).await?;
//! cx.commit().await?;                                        // refused without the audit row
//! ```
//!
//! `begin` authenticates (401), asks the policy whether the role may take the action at
//! all (403, before anything is looked up) and opens the transaction. Each resource is
//! loaded from the store and decided by the policy (404 when the caller cannot see it, 403
//! when they see it but may not act); lists get their [`ListScope`] from the policy. Once
//! a context has authorized access to personal data, `commit` refuses (500, logged) unless
//! an audit row was written — or the function says, with a reason the reader can check,
//! why none may be written ([`Unaudited`]).

use crate::api::ssr::{AppState, Settings};
use crate::auth::policy::{self, Action, Refusal, Resource};
use crate::db::{Conn, Store, Tx};
use crate::domain::audit::{AuditAction, RecordKind};
use crate::domain::ids::{EntryId, FeedbackId, GroupId, IncidentId, ItemId, RecordId, UserId, YouthId};
use crate::domain::scope::ListScope;
use crate::domain::user::CurrentUser;
use crate::error::AppError;
use leptos::prelude::use_context;
use std::sync::Arc;

/// Why a context that touched personal data commits without an audit row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unaudited {
    /// An anonymous submission: no row may name, or by its time point to, the sender.
    AnonymousSender,
    /// A resend of what was stored before: the receipt confirms it, nothing was read or
    /// written.
    Resend,
}

enum Connection {
    Tx(Tx),
    /// Polls read without a transaction: on SQLite a transaction takes the write lock,
    /// and a poll writes nothing.
    Plain(sqlx::pool::PoolConnection<sqlx::Any>),
}

/// Who is asking in this request, and what they were allowed so far.
pub struct Cx {
    actor: Option<CurrentUser>,
    store: Store,
    settings: Arc<Settings>,
    conn: Connection,
    /// The first action that gave access to personal data.
    personal: Option<Action>,
    audited: bool,
}

impl Cx {
    /// A server function of a logged-in account: 401 without a session, 403 for a role
    /// that may never take `action`.
    pub async fn begin(action: Action) -> Result<Cx, AppError> {
        let state = use_context::<AppState>().ok_or(AppError::Internal)?;
        let actor = crate::api::ssr::user()?;
        Cx::open(state.store, state.settings, Some(actor), action).await
    }

    /// A public server function (the poster link, the pickup, "Meine Rechte"): the
    /// session is not needed, and what it returns is decided by the link or the code.
    pub async fn public() -> Result<Cx, AppError> {
        let state = use_context::<AppState>().ok_or(AppError::Internal)?;
        let actor = crate::api::ssr::user().ok();
        let conn = Connection::Tx(state.store.begin().await?);
        Ok(Cx { actor, store: state.store, settings: state.settings, conn, personal: None, audited: false })
    }

    /// The same for handlers outside a server function (the login and logout routes),
    /// which have the state and the resolved account at hand.
    pub async fn open(
        store: Store,
        settings: Arc<Settings>,
        actor: Option<CurrentUser>,
        action: Action,
    ) -> Result<Cx, AppError> {
        let Some(user) = actor else { return Err(AppError::Unauthenticated) };
        // A password someone else chose opens the owner's account page only.
        if policy::awaits_own_password(&user, action) {
            return Err(AppError::Unauthenticated);
        }
        if !policy::may_ever(&user, action) {
            return Err(AppError::Forbidden);
        }
        let conn = if action == Action::PollChanges {
            Connection::Plain(store.pool().acquire().await?)
        } else {
            Connection::Tx(store.begin().await?)
        };
        Ok(Cx { actor: Some(user), store, settings, conn, personal: None, audited: false })
    }

    /// A context before anyone is authenticated (a login attempt).
    pub async fn anonymous(store: Store, settings: Arc<Settings>) -> Result<Cx, AppError> {
        let conn = Connection::Tx(store.begin().await?);
        Ok(Cx { actor: None, store, settings, conn, personal: None, audited: false })
    }

    /// The authenticated account. (Public contexts without a session have none: they
    /// never call this.)
    pub fn user(&self) -> &CurrentUser {
        static NOBODY: std::sync::OnceLock<CurrentUser> = std::sync::OnceLock::new();
        self.actor.as_ref().unwrap_or_else(|| {
            NOBODY.get_or_init(|| CurrentUser {
                id: UserId::fresh(),
                login: String::new(),
                display_name: String::new(),
                role: crate::domain::Role::Jugendliche,
                group_ids: Vec::new(),
                youth_id: None,
                password_change_required: false,
            })
        })
    }

    /// The account, if the request has a session.
    pub fn session_user(&self) -> Option<&CurrentUser> {
        self.actor.as_ref()
    }

    /// The connection all store calls of this request use.
    pub fn tx(&mut self) -> &mut Conn {
        match &mut self.conn {
            Connection::Tx(tx) => tx,
            Connection::Plain(conn) => conn,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether the policy lets the caller `action` on `resource` (for what a page may
    /// offer: an edit button, an acknowledge button). Decides nothing by itself.
    pub fn can(&self, action: Action, resource: Resource<'_>) -> bool {
        self.actor.as_ref().is_some_and(|u| policy::can(u, action, resource))
    }

    fn decide(&mut self, action: Action, resource: Resource<'_>) -> Result<(), AppError> {
        let Some(user) = &self.actor else { return Err(AppError::Unauthenticated) };
        if policy::can(user, action, resource) {
            if action.personal() && self.personal.is_none() {
                self.personal = Some(action);
            }
            Ok(())
        } else {
            Err(match policy::refusal(user, resource) {
                Refusal::NotFound => AppError::NotFound,
                Refusal::Forbidden => AppError::Forbidden,
            })
        }
    }

    /// `action` on something institute-wide (the account list, the audit log).
    pub fn institute(&mut self, action: Action) -> Result<(), AppError> {
        self.decide(action, Resource::Institute)
    }

    /// `action` in a group the caller names (a new young person's group): the group must
    /// exist (else a field error on `field`), and the policy must allow it.
    pub async fn in_group(&mut self, action: Action, group: &GroupId, field: &str) -> Result<(), AppError> {
        if !crate::db::groups::exists(self.tx(), group).await? {
            return Err(AppError::invalid(field, crate::i18n::texts().v_unknown_group));
        }
        self.decide(action, Resource::Group(group))
    }

    /// A group home, for `action`.
    pub async fn group(&mut self, action: Action, id: &GroupId) -> Result<crate::domain::group::Group, AppError> {
        let group = crate::db::groups::get(self.tx(), id).await?.ok_or(AppError::NotFound)?;
        self.decide(action, Resource::Group(id))?;
        Ok(group)
    }

    /// The group of a young person, for `action` on their record.
    pub async fn youth(&mut self, action: Action, id: &YouthId) -> Result<GroupId, AppError> {
        let group = crate::db::youths::group_of(self.tx(), id).await?.ok_or(AppError::NotFound)?;
        self.decide(action, Resource::Group(&group))?;
        Ok(group)
    }

    /// Where an entry belongs, for `action` on it. An entry only the Fachberatung and
    /// Leitung read is "not found" for everyone else.
    pub async fn entry(&mut self, action: Action, id: &EntryId) -> Result<crate::db::entries::Scope, AppError> {
        let scope = crate::db::entries::scope(self.tx(), id).await?.ok_or(AppError::NotFound)?;
        if scope.advisors_only && !self.sees_advisor_records(&scope.group_id) {
            return Err(AppError::NotFound);
        }
        self.decide(action, Resource::Group(&scope.group_id))?;
        Ok(scope)
    }

    /// Whether lists and counts of this group's entries include those only the
    /// Fachberatung and Leitung read.
    pub fn sees_advisor_records(&self, group: &GroupId) -> bool {
        self.can(Action::ViewAdvisorRecords, Resource::Group(group))
    }

    /// The group of an incident, for `action` on it.
    pub async fn incident(&mut self, action: Action, id: &IncidentId) -> Result<GroupId, AppError> {
        let group = crate::db::incidents::group_of(self.tx(), id).await?.ok_or(AppError::NotFound)?;
        self.decide(action, Resource::Group(&group))?;
        Ok(group)
    }

    /// A Kinderschutz procedure, for `action` on it: by participation, not by group.
    pub async fn protection(&mut self, action: Action, id: &crate::domain::ids::CaseId) -> Result<GroupId, AppError> {
        let user = self.user().id.clone();
        let (group, member) = crate::db::protection::scope(self.tx(), id, &user).await?.ok_or(AppError::NotFound)?;
        self.decide(action, Resource::Protection { group: &group, member })?;
        Ok(group)
    }

    /// An observation (§ 8a), for `action` on it: its writer and those who review the
    /// group's procedures; when it joined a procedure, also who takes part in that.
    pub async fn observation(
        &mut self,
        action: Action,
        id: &crate::domain::ids::ObservationId,
    ) -> Result<crate::db::protection::Observation, AppError> {
        let row = crate::db::protection::observation(self.tx(), id).await?.ok_or(AppError::NotFound)?;
        let author = row.author_id == self.user().id;
        if action == Action::WorkChildProtection
            && !author
            && let Some(case) = &row.case_id
        {
            let user = self.user().id.clone();
            if let Some((group, true)) = crate::db::protection::scope(self.tx(), case, &user).await? {
                self.decide(action, Resource::Protection { group: &group, member: true })?;
                return Ok(row);
            }
        }
        self.decide(action, Resource::Observation { group: &row.group_id, author })?;
        Ok(row)
    }

    /// A submission, for `action` on it (staff never see what went past the group: 404).
    pub async fn feedback(
        &mut self,
        action: Action,
        id: &FeedbackId,
    ) -> Result<crate::db::submissions::Submission, AppError> {
        let row = crate::db::submissions::get(self.tx(), id).await?.ok_or(AppError::NotFound)?;
        self.decide(action, Resource::Feedback { group: &row.group_id, to_advisor: row.to_advisor })?;
        Ok(row)
    }

    /// A feed item, for `action` on its group. Whether the caller sees it at all is
    /// decided like its source: a submission as `HandleFeedback`, anything else as
    /// `ViewEntries` (404 otherwise).
    pub async fn feed_item(&mut self, action: Action, id: &ItemId) -> Result<crate::db::feed::Scope, AppError> {
        let scope = crate::db::feed::scope(self.tx(), id).await?.ok_or(AppError::NotFound)?;
        let sight = if scope.is_feedback() {
            (Action::HandleFeedback, Resource::Feedback { group: &scope.group_id, to_advisor: scope.to_advisor })
        } else {
            (Action::ViewEntries, Resource::Group(&scope.group_id))
        };
        if !self.can(sight.0, sight.1) {
            return Err(AppError::NotFound);
        }
        self.decide(action, Resource::Group(&scope.group_id))?;
        Ok(scope)
    }

    /// An account, for `action` on it.
    pub async fn account(&mut self, action: Action, id: &UserId) -> Result<crate::domain::account::Account, AppError> {
        let account = crate::db::accounts::get(self.tx(), id).await?.ok_or(AppError::NotFound)?;
        self.decide(action, Resource::Account { role: account.role })?;
        Ok(account)
    }

    /// An account of `role` to be (re)written, for `action`.
    pub fn account_role(&mut self, action: Action, role: crate::domain::Role) -> Result<(), AppError> {
        self.decide(action, Resource::Account { role })
    }

    /// What a list for `action` may show: the policy's scope over every group.
    pub async fn scope(&mut self, action: Action) -> Result<ListScope, AppError> {
        let all = crate::db::groups::ids(self.tx()).await?;
        let Some(user) = &self.actor else { return Err(AppError::Unauthenticated) };
        let scope = policy::scope(user, action, all);
        if action.personal() && self.personal.is_none() {
            self.personal = Some(action);
        }
        Ok(scope)
    }

    /// The caller's own young person's record (self-service of young people, for
    /// `action`): 403 for an account without one.
    pub fn own_youth(&mut self, action: Action) -> Result<YouthId, AppError> {
        self.institute(action)?;
        self.user().youth_id.clone().ok_or(AppError::Forbidden)
    }

    /// Writes one audit row in this request's transaction.
    pub async fn audit(
        &mut self,
        action: AuditAction,
        kind: RecordKind,
        record_id: Option<&str>,
        youth: Option<&YouthId>,
    ) -> Result<(), AppError> {
        let rec = crate::db::audit::AuditRecord { action, record_kind: kind, record_id, youth_id: youth };
        match self.actor.clone() {
            Some(user) => crate::db::audit::record(self.tx(), &user, rec).await?,
            None => return Err(AppError::Internal),
        }
        self.audited = true;
        Ok(())
    }

    /// One audit row per young person shown (a list or an overview that names them), so
    /// "who saw X" also finds list views. `record_id` is the record listed (a group, a
    /// timeline); `None` names each young person's own record. A list that named nobody
    /// has been logged completely with no row.
    pub async fn audit_each(
        &mut self,
        action: AuditAction,
        kind: RecordKind,
        record_id: Option<&str>,
        youths: &[&YouthId],
    ) -> Result<(), AppError> {
        for youth in youths {
            self.audit(action, kind, Some(record_id.unwrap_or(youth.as_str())), Some(youth)).await?;
        }
        self.audited = true;
        Ok(())
    }

    /// Writes an audit row for someone without a session (a failed login, a pickup with
    /// a code), naming them by what they typed or used.
    pub async fn audit_anonymous(
        &mut self,
        who: &str,
        action: AuditAction,
        kind: RecordKind,
        record_id: Option<&str>,
    ) -> Result<(), AppError> {
        let rec = crate::db::audit::AuditRecord { action, record_kind: kind, record_id, youth_id: None };
        crate::db::audit::record_anonymous(self.tx(), who, rec).await?;
        self.audited = true;
        Ok(())
    }

    /// Writes an audit row for an account that has just proven who it is (a login).
    pub async fn audit_as(
        &mut self,
        user: &CurrentUser,
        action: AuditAction,
        kind: RecordKind,
        record_id: Option<&str>,
    ) -> Result<(), AppError> {
        let rec = crate::db::audit::AuditRecord { action, record_kind: kind, record_id, youth_id: None };
        crate::db::audit::record(self.tx(), user, rec).await?;
        self.audited = true;
        Ok(())
    }

    /// Commits. A context that was given access to personal data and wrote no audit row
    /// is refused: the request fails (500, logged) and its writes are rolled back.
    pub async fn commit(self) -> Result<(), AppError> {
        if let Some(action) = self.personal
            && !self.audited
        {
            tracing::error!(?action, "refused to commit: personal data without an audit row");
            return Err(AppError::Internal);
        }
        self.finish().await
    }

    /// Commits a context that touched personal data and must not write an audit row.
    pub async fn commit_unaudited(self, why: Unaudited) -> Result<(), AppError> {
        tracing::debug!(?why, "committed without an audit row");
        self.finish().await
    }

    /// Commits what stored a record from a device: a resend only confirms what was
    /// stored before (a lost receipt, a send racing another), and writes no audit row.
    pub async fn commit_receipt(self, duplicate: bool) -> Result<(), AppError> {
        if duplicate { self.commit_unaudited(Unaudited::Resend).await } else { self.commit().await }
    }

    async fn finish(self) -> Result<(), AppError> {
        match self.conn {
            Connection::Tx(tx) => tx.commit().await?,
            Connection::Plain(_) => {}
        }
        Ok(())
    }

    /// Ends the transaction without writing anything (a refused attempt that must still
    /// count elsewhere).
    pub async fn rollback(self) -> Result<(), AppError> {
        if let Connection::Tx(tx) = self.conn {
            tx.rollback().await?;
        }
        Ok(())
    }
}

/// An id from the client: anything that is not one of our ids cannot name a record, so it
/// is "not found" (never a database error).
pub fn id<T: RecordId>(text: &str) -> Result<T, AppError> {
    T::parse_id(text).ok_or(AppError::NotFound)
}
