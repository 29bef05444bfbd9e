//! The access matrix, enforced: `docs/access-matrix.md` is the specification, this test
//! calls every registered server function and every page as every role, on a record of
//! the caller's own group and on one of a foreign group, and compares. Submissions of
//! young people are also asked for on one that went past the group to the Fachberatung
//! (staff must not see it), and public rows (`anyone`) are also called without a session.

use crate::common::{
    Client, Fixtures, TestApp, enc, fixtures, incident_form, new_id, note_form, random_pickup, record_form,
    sealed_form, spawn_app_with, talk_form, today, visit_form,
};
use gruppenbuch_app::api::ssr::Settings;
use std::collections::BTreeSet;

const ROLES: [&str; 6] = ["leitung", "fachberatung", "fachkraft", "jugendliche", "admin", "datenschutz"];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Cell {
    /// Public: also without a session.
    Anyone,
    Yes,
    All,
    Own,
    No,
}

/// Which record a request is about.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Scope {
    /// A record of the caller's own group (for submissions: one addressed to the group).
    Own,
    Foreign,
    /// A submission of the caller's own group that went past the group to the
    /// Fachberatung: like `Own`, except that staff must not see it.
    OwnPast,
    /// A submission of a foreign group that went to the Fachberatung.
    ForeignPast,
}

struct Row {
    /// The first column (server function name, or the page).
    name: String,
    key: String,
    cells: Vec<Cell>,
}

impl Row {
    fn public(&self) -> bool {
        self.cells.iter().all(|c| *c == Cell::Anyone)
    }
}

fn matrix() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/access-matrix.md"))
        .expect("docs/access-matrix.md")
}

/// Rows of the table under `heading`: the key is the column `key_col`, the six role cells
/// are the last six columns.
fn table(doc: &str, heading: &str, key_col: usize) -> Vec<Row> {
    let section = doc.split(heading).nth(1).expect("section").split("\n## ").next().unwrap_or_default();
    section
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---") && !l.contains("leitung |"))
        .map(|l| {
            let cols: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            let cells: Vec<Cell> = cols[cols.len() - 6..]
                .iter()
                .map(|c| match *c {
                    "anyone" => Cell::Anyone,
                    "yes" => Cell::Yes,
                    "all" => Cell::All,
                    "own" => Cell::Own,
                    "—" => Cell::No,
                    other => panic!("unknown cell {other:?} in {l}"),
                })
                .collect();
            let public = cells.iter().filter(|c| **c == Cell::Anyone).count();
            assert!(public == 0 || public == 6, "`anyone` in some cells only: {l}");
            Row { name: cols[0].to_owned(), key: cols[key_col].to_owned(), cells }
        })
        .collect()
}

fn expected(cell: Cell, scope: Scope, role: &str) -> bool {
    match cell {
        Cell::Anyone | Cell::Yes | Cell::All => true,
        Cell::Own => match scope {
            Scope::Own => true,
            // Staff never see what went past their group (see the matrix notes).
            Scope::OwnPast => role != "fachkraft",
            Scope::Foreign | Scope::ForeignPast => false,
        },
        Cell::No => false,
    }
}

/// Names that belong to the record a request is about, which a denial must not contain.
fn markers(scope: Scope) -> [&'static str; 3] {
    match scope {
        Scope::Own | Scope::OwnPast => ["FWG Sonnenhaus", "Krause", "Am Sonnenhang"],
        Scope::Foreign | Scope::ForeignPast => ["FWG Lindenhof", "Schulz", "Lindenweg"],
    }
}

fn group_form(name: &str) -> String {
    format!(
        "input[name]={}&input[address]={}&input[phone]={}&input[licensed]=ja",
        enc(name),
        enc("Testweg 1"),
        enc("0361 1")
    )
}

fn youth_form(group: &str, first: &str, last: &str, birth: &str, admission: &str) -> String {
    format!(
        "input[group_id]={group}&input[first_name]={first}&input[last_name]={last}&input[birth_date]={birth}&input[admission_date]={admission}"
    )
}

struct Targets {
    fx: Fixtures,
    account: String,
    /// Account id per role, in ROLES order (sealed outbox items name their author).
    user_ids: Vec<String>,
    outbox_key: crate::common::OutboxKey,
    /// Tokens of the login cards of Mia (own group) and Noah (foreign group).
    own_card: String,
    foreign_card: String,
    /// Per role (ROLES order), the public id of a second session of that account, for
    /// ending one's own session in another browser.
    spare_sessions: Vec<String>,
    /// Per role (ROLES order), an account that role adds to a Kinderschutz procedure.
    helpers: Vec<String>,
}

impl Targets {
    /// The submission a scope names.
    fn feedback(&self, scope: Scope) -> &str {
        match scope {
            Scope::Own => &self.fx.own_feedback,
            Scope::Foreign => &self.fx.foreign_feedback,
            Scope::OwnPast => &self.fx.own_feedback_past,
            Scope::ForeignPast => &self.fx.foreign_feedback_past,
        }
    }
}

/// A sealed outbox item with a new note for the caller's own young person.
fn sealed_note(t: &Targets, author_id: &str) -> String {
    let id = new_id();
    let note = serde_json::json!({
        "author_id": author_id,
        "note": { "id": id, "subject": t.fx.own_youth, "date": today(), "category": "schule", "text": "Matrix" }
    });
    sealed_form(&t.outbox_key, &id, "note", &note)
}

/// A sealed outbox item with a new incident of the caller's own young person.
fn sealed_incident(t: &Targets, author_id: &str) -> String {
    let id = new_id();
    let payload = serde_json::json!({
        "author_id": author_id,
        "incident": {
            "id": id, "youth_ids": [t.fx.own_youth], "date": today(), "time": "14:05",
            "category": "polizeieinsatz", "what": "Matrix", "measures": "", "informed": []
        }
    });
    sealed_form(&t.outbox_key, &id, "incident", &payload)
}

/// A sealed observation (§ 8a) about the caller's own young person.
fn sealed_observation(t: &Targets, author_id: &str) -> String {
    let id = new_id();
    let payload = serde_json::json!({
        "author_id": author_id,
        "observation": {
            "id": id, "youth_id": t.fx.own_youth, "date": today(), "time": "07:40",
            "fact": "Matrix", "source": "kind", "assessment": ""
        }
    });
    sealed_form(&t.outbox_key, &id, "observation", &payload)
}

/// A sealed view of Mia for her Hilfeplangespräch.
fn sealed_view(t: &Targets, author_id: &str, n: usize) -> String {
    let id = new_id();
    let payload = serde_json::json!({
        "author_id": author_id,
        "view": { "id": id, "mood": "gut", "going_well": format!("Matrix {n}"), "change": "", "wish": "" }
    });
    sealed_form(&t.outbox_key, &id, "hpg_view", &payload)
}

/// A sealed submission: with an account (`author_id`, named, to the group) or through a
/// group's public link (`group_token`, anonymous with a fresh pickup code).
fn sealed_feedback(t: &Targets, author_id: Option<&str>, group_token: Option<&str>, n: usize) -> String {
    let id = new_id();
    let link = group_token.is_some();
    let payload = serde_json::json!({
        "author_id": author_id,
        "group_token": group_token,
        "feedback": {
            "id": id,
            "kind": "beteiligung",
            "topic": "freizeit",
            "mood": "gut",
            "text": format!("Matrix {n}"),
            "recipient": if link { "" } else { "gruppe" },
            "anonymous": if link { "ja" } else { "" },
            "pickup_code": if link { random_pickup() } else { String::new() },
        }
    });
    sealed_form(&t.outbox_key, &id, "feedback", &payload)
}

/// The request of a row, for the record of the given scope, as the role with index
/// `role` (ROLES order; `None` without a session).
fn request(row: &Row, scope: Scope, t: &Targets, n: usize, role: Option<usize>) -> String {
    let author = &t.user_ids[role.unwrap_or(3)];
    match row.name.as_str() {
        "deliver" => sealed_note(t, &t.user_ids[role.unwrap_or(0)]),
        "end_my_session" => format!("id={}", t.spare_sessions[role.unwrap_or(0)]),
        "deliver_incident" => sealed_incident(t, &t.user_ids[role.unwrap_or(0)]),
        "deliver_observation" => sealed_observation(t, &t.user_ids[role.unwrap_or(0)]),
        // Leitung takes note, everyone else co-signs as the second professional.
        "sign_step" => {
            let step = if matches!(scope, Scope::Own | Scope::OwnPast) { &t.fx.own_step } else { &t.fx.foreign_step };
            let as_role = if role == Some(0) { "leitung" } else { "zweitkraft" };
            format!("id={step}&input[signed_as]={as_role}")
        }
        // Each role adds a person of its own, so that no call meets an earlier one.
        "add_member" => {
            let case = if matches!(scope, Scope::Own | Scope::OwnPast) { &t.fx.own_case } else { &t.fx.foreign_case };
            format!("id={case}&input[user_id]={}", t.helpers[role.unwrap_or(0)])
        }
        "deliver_view" => sealed_view(t, author, n),
        "deliver_feedback (account)" => sealed_feedback(t, Some(author), None, n),
        "deliver_feedback (link)" => {
            let token = if matches!(scope, Scope::Own | Scope::OwnPast) { &t.fx.own_link } else { &t.fx.foreign_link };
            sealed_feedback(t, None, Some(token), n)
        }
        _ => body(&row.key, scope, t, n),
    }
}

/// The request body for a server function, for the record of the given scope.
fn body(path: &str, scope: Scope, t: &Targets, n: usize) -> String {
    let own = matches!(scope, Scope::Own | Scope::OwnPast);
    let (group, youth) =
        if own { (&t.fx.own_group, &t.fx.own_youth) } else { (&t.fx.foreign_group, &t.fx.foreign_youth) };
    let (note, visit, goal) = if own {
        (&t.fx.own_note, &t.fx.own_visit, &t.fx.own_goal)
    } else {
        (&t.fx.foreign_note, &t.fx.foreign_visit, &t.fx.foreign_goal)
    };
    let (link, pickup) =
        if own { (&t.fx.own_link, &t.fx.own_pickup) } else { (&t.fx.foreign_link, &t.fx.foreign_pickup) };
    let feedback = t.feedback(scope);
    let incident = if own { &t.fx.own_incident } else { &t.fx.foreign_incident };
    let report = if own { &t.fx.own_report } else { &t.fx.foreign_report };
    let group_name = if own { "FWG Sonnenhaus" } else { "FWG Lindenhof" };
    match path {
        "/api/groups/get" => format!("id={group}"),
        "/api/groups/create" => group_form(&format!("FWG Matrix {n}")),
        "/api/groups/update" => format!("id={group}&{}", group_form(group_name)),
        "/api/youths/get" => format!("id={youth}"),
        "/api/youths/create" => youth_form(group, "Test", &format!("Matrix{n}"), "2012-01-01", "2020-01-01"),
        "/api/youths/update" if own => {
            format!("id={youth}&{}", youth_form(group, "Mia", "Krause", "2012-04-17", "2021-09-01"))
        }
        "/api/youths/update" => {
            format!("id={youth}&{}", youth_form(group, "Noah", "Schulz", "2011-01-09", "2020-08-20"))
        }
        "/api/accounts/get" => format!("id={}", t.account),
        "/api/accounts/create" => format!(
            "input[display_name]=Matrix&input[login]=matrix{n}&input[role]=fachkraft&input[group_ids][0]={}&input[password]=ein-langes-passwort",
            t.fx.own_group
        ),
        "/api/accounts/update" => format!(
            "id={}&input[display_name]=Ziel&input[login]=zielkonto&input[role]=fachkraft&input[group_ids][0]={}",
            t.account, t.fx.own_group
        ),
        "/api/accounts/reset-password" => format!("id={}&input[password]=ein-anderes-passwort", t.account),
        "/api/accounts/set-active" => format!("id={}&input[active]=true", t.account),
        "/api/audit/list" => "input[from]=".to_owned(),
        // Writing is checked with the caller's own young person (see the matrix notes).
        "/api/notes/save" => note_form(&new_id(), &t.fx.own_youth, "Matrix"),
        "/api/visits/save" => visit_form(&new_id(), &t.fx.own_youth),
        "/api/records/save" => record_form(&new_id(), &t.fx.own_youth, "elterngespraech", &format!("Matrix {n}")),
        "/api/records/correct" => {
            let record = if own { &t.fx.own_record } else { &t.fx.foreign_record };
            format!("id={record}&{}&input[reason]=Matrix", record_form(record, youth, "elterngespraech", "korrigiert"))
        }
        "/api/talks/save" => talk_form(&new_id(), &t.fx.own_youth, &t.fx.own_goal, &[]),
        "/api/talks/correct" => {
            let (talk, goal) =
                if own { (&t.fx.own_talk, &t.fx.own_goal) } else { (&t.fx.foreign_talk, &t.fx.foreign_goal) };
            format!("id={talk}&{}&input[reason]=Matrix", talk_form(talk, youth, goal, &[]))
        }
        "/api/entries/get" => format!("id={note}"),
        "/api/notes/correct" => format!("id={note}&{}&input[reason]=Matrix", note_form(note, youth, "korrigiert")),
        "/api/visits/correct" => format!("id={visit}&{}&input[reason]=Matrix", visit_form(visit, youth)),
        "/api/entries/timeline" => format!("input[youth_id]={youth}"),
        "/api/entries/handover" => format!("id={group}"),
        "/api/goals/list" | "/api/contacts/get" => format!("id={youth}"),
        "/api/goals/create" => format!("input[youth_id]={youth}&input[title]=Matrix{n}"),
        "/api/goals/update" => format!("id={goal}&input[title]=Matrix{n}"),
        "/api/goals/progress" => format!("id={goal}"),
        // Mia rates her own goal (the only young person with an account).
        "/api/me/rate-goal" => format!("input[goal_id]={}&input[rating]=4", t.fx.own_goal),
        "/api/plans/get" => format!("id={youth}"),
        "/api/plans/version" => format!("id={}", if own { &t.fx.own_plan } else { &t.fx.foreign_plan }),
        "/api/plans/create" => format!(
            "input[youth_id]={youth}&input[agreed_on]={}&input[participants]=Matrix&input[legal_basis]=34&input[key_worker]=Matrix",
            today()
        ),
        "/api/reports/list" => format!("id={youth}"),
        "/api/reports/start" => {
            let meeting = chrono::Utc::now().date_naive() + chrono::Duration::days(20);
            format!("input[youth_id]={youth}&input[meeting_on]={meeting}")
        }
        "/api/reports/get" => format!("id={report}"),
        "/api/reports/section" => {
            format!("input[report_id]={report}&input[section]=einschaetzung&input[revision]=1&input[text]=Matrix{n}")
        }
        "/api/reports/regenerate" | "/api/reports/review" | "/api/reports/sign" => {
            format!("input[report_id]={report}&input[revision]=1")
        }
        "/api/reports/comment" => {
            format!("input[report_id]={report}&input[section]=einschaetzung&input[text]=Matrix{n}")
        }
        "/api/reports/correct" => format!("input[report_id]={report}&input[reason]=Matrix{n}"),
        "/api/reports/sent" | "/api/reports/explained" => format!("input[report_id]={report}&input[date]={}", today()),
        "/api/reports/summary" => format!("input[report_id]={report}&input[summary]=Matrix{n}"),
        "/api/reports/save-template" => {
            "input[titel_stammdaten]=Stammdaten&input[titel_einschaetzung]=Einsch%C3%A4tzung".to_owned()
        }
        "/api/contacts/set" => {
            format!("id={youth}&input[times]=2&input[period]=monat&input[kind]=besuch&input[supervised]=ja")
        }
        "/api/feedback/link-form" => format!("id={link}"),
        "/api/feedback/pickup" => format!("input[code]={pickup}"),
        "/api/feedback/list" => "input[status]=".to_owned(),
        "/api/feedback/get" => format!("id={feedback}"),
        "/api/feedback/answer" => {
            format!("id={feedback}&input[status]=in_bearbeitung&input[answer]={}", enc(&format!("Matrix {n}")))
        }
        // This month.
        "/api/feedback/counts" => "id=".to_owned(),
        "/api/feedback/group-link" => format!("id={group}"),
        "/api/feedback/login-card" => format!("id={youth}&input[pin]="),
        // Reporting is checked with the caller's own young person (as notes).
        "/api/incidents/save" => incident_form(&new_id(), &t.fx.own_youth, &format!("Matrix {n}")),
        "/api/incidents/get" | "/api/incidents/acknowledge" | "/api/incidents/stamp" => format!("id={incident}"),
        "/api/feed/stamp" => "input[q]=".to_owned(),
        "/api/incidents/comment" => format!("id={incident}&input[text]={}", enc(&format!("Matrix {n}"))),
        "/api/feed/list" => "input[q]=".to_owned(),
        // On a note, or (past-group scopes) on a submission.
        "/api/feed/acknowledge" | "/api/feed/comment" => {
            let item = if matches!(scope, Scope::OwnPast | Scope::ForeignPast) { feedback } else { note.as_str() };
            if path.ends_with("comment") {
                format!("id={item}&input[text]={}", enc(&format!("Matrix {n}")))
            } else {
                format!("id={item}")
            }
        }
        "/api/me/password" => {
            let new = "ein-neues-passwort-1";
            format!("input[current]=gruppenbuch&input[password]={new}&input[repeat]={new}")
        }
        "/api/rights/set" => format!("input[body]={}", enc(&format!("Du hast Rechte. (Matrix {n})"))),
        "/api/protection/observe" => format!(
            "input[id]={}&input[youth_id]={}&input[date]={}&input[time]=07:40&input[fact]=Matrix{n}&input[source]=selbst",
            new_id(),
            t.fx.own_youth,
            today()
        ),
        "/api/protection/observation" | "/api/protection/acknowledge" => {
            format!("id={}", if own { &t.fx.own_observation } else { &t.fx.foreign_observation })
        }
        "/api/protection/open" => format!("input[key]={}&input[from]={youth}", new_id()),
        "/api/protection/get" => format!("id={}", if own { &t.fx.own_case } else { &t.fx.foreign_case }),
        "/api/licence/form" => "input[incident_id]=".to_owned(),
        "/api/licence/save" => format!(
            "input[key]={}&input[group_id]={group}&input[category]=brand&input[occurred_at]={}T06%3A00&input[description]=Matrix{n}&input[recipient]=Landesjugendamt&input[reported_at]={}T06%3A30",
            new_id(),
            today(),
            today()
        ),
        "/api/licence/get" => format!("id={}", if own { &t.fx.own_licence } else { &t.fx.foreign_licence }),
        "/api/protection/step" => format!(
            "id={}&input[key]={}&input[kind]=wiedervorlage&input[date]={}&input[text]=Matrix{n}",
            if own { &t.fx.own_case } else { &t.fx.foreign_case },
            new_id(),
            today()
        ),
        _ => String::new(),
    }
}

/// The scopes a row is checked in.
fn scopes(row: &Row) -> &'static [Scope] {
    const PAST_GROUP: [&str; 5] = [
        "/api/feedback/get",
        "/api/feedback/answer",
        "/rueckmeldungen/:id",
        "/api/feed/acknowledge",
        "/api/feed/comment",
    ];
    if PAST_GROUP.contains(&row.key.as_str()) {
        &[Scope::Own, Scope::Foreign, Scope::OwnPast, Scope::ForeignPast]
    } else if scoped(&row.key) || row.name == "deliver_feedback (link)" {
        &[Scope::Own, Scope::Foreign]
    } else {
        &[Scope::Own]
    }
}

fn scoped(path: &str) -> bool {
    const ENTRY_PATHS: [&str; 44] = [
        "/api/protection/observation",
        "/api/protection/acknowledge",
        "/api/protection/open",
        "/api/protection/get",
        "/api/protection/step",
        "/api/protection/sign",
        "/api/licence/save",
        "/api/licence/get",
        "/api/reports/list",
        "/api/reports/start",
        "/api/reports/get",
        "/api/reports/section",
        "/api/reports/regenerate",
        "/api/reports/comment",
        "/api/reports/review",
        "/api/reports/sign",
        "/api/reports/correct",
        "/api/reports/sent",
        "/api/reports/summary",
        "/api/reports/explained",
        "/api/records/correct",
        "/api/talks/correct",
        "/api/goals/progress",
        "/api/plans/get",
        "/api/plans/version",
        "/api/plans/create",
        "/api/incidents/stamp",
        "/api/incidents/get",
        "/api/incidents/acknowledge",
        "/api/incidents/comment",
        "/api/entries/get",
        "/api/notes/correct",
        "/api/visits/correct",
        "/api/entries/timeline",
        "/api/entries/handover",
        "/api/goals/list",
        "/api/goals/create",
        "/api/goals/update",
        "/api/contacts/get",
        "/api/contacts/set",
        "/api/feedback/link-form",
        "/api/feedback/pickup",
        "/api/feedback/group-link",
        "/api/feedback/login-card",
    ];
    ENTRY_PATHS.contains(&path)
        || path.starts_with("/eintraege/:id")
        || path.starts_with("/vorkommnisse/:id")
        || path.starts_with("/hilfeplan/:id")
        || path.starts_with("/ziele/:id")
        || path.starts_with("/berichte/:id")
        || path.starts_with("/kinderschutz/:id")
        || path.starts_with("/meldungen-47/:id")
        || path.starts_with("/kinderschutz/beobachtungen/:id")
        || path == "/api/protection/member"
        || path.starts_with("/mitreden/:id")
        || path.starts_with("/karte/:id")
        || path.contains("/groups/get")
        || path.contains("/groups/update")
        || path.contains("/youths/") && !path.ends_with("/choices")
        || path.starts_with("/gruppen/:id")
        || path.starts_with("/jugendliche/:id")
}

async fn setup() -> (TestApp, Targets, Vec<Client>) {
    // Every role sends through the public link; the limits are not what is tested here.
    let settings = Settings {
        cookie_secure: false,
        feedback_max_per_address: 1000,
        pickup_max_per_address: 1000,
        ..Settings::default()
    };
    let app = spawn_app_with(settings).await;
    let fx = fixtures(&app).await;
    let leitung = Client::login(&app, "leitung").await;
    let res = leitung
        .call(
            "/api/accounts/create",
            &format!(
                "input[display_name]=Ziel&input[login]=zielkonto&input[role]=fachkraft&input[group_ids][0]={}&input[password]=ein-langes-passwort",
                fx.own_group
            ),
        )
        .await;
    assert!(res.status < 400, "{res:?}");
    // Noah (foreign group) gets an account too, so that both scopes have a login card.
    let res = leitung
        .call(
            "/api/accounts/create",
            &format!(
                "input[display_name]=Noah&input[login]=noah&input[role]=jugendliche&input[youth_id]={}&input[password]=1357",
                fx.foreign_youth
            ),
        )
        .await;
    assert!(res.status < 400, "{res:?}");
    let login_id = |login: &'static str| {
        let store = app.store.clone();
        async move {
            let mut conn = store.pool().acquire().await.expect("conn");
            sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE login = $1")
                .bind(login)
                .fetch_one(&mut *conn)
                .await
                .expect("account")
        }
    };
    // Accounts to add to Kinderschutz procedures (Fachkräfte of the foreign group).
    for n in 0..ROLES.len() {
        let res = leitung
            .call(
                "/api/accounts/create",
                &format!(
                    "input[display_name]=Helfer{n}&input[login]=helfer{n}&input[role]=fachkraft&input[group_ids][0]={}&input[password]=ein-langes-passwort",
                    fx.foreign_group
                ),
            )
            .await;
        assert!(res.status < 400, "{res:?}");
    }
    let mut helpers = Vec::new();
    for n in 0..ROLES.len() {
        let store = app.store.clone();
        let mut conn = store.pool().acquire().await.expect("conn");
        helpers.push(
            sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE login = $1")
                .bind(format!("helfer{n}"))
                .fetch_one(&mut *conn)
                .await
                .expect("helper"),
        );
    }
    let account = login_id("zielkonto").await;
    let noah = login_id("noah").await;
    let mut clients = Vec::new();
    let mut user_ids = Vec::new();
    let mut conn = app.store.pool().acquire().await.expect("conn");
    for role in ROLES {
        clients.push(Client::login(&app, role).await);
        let id = sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE login = $1")
            .bind(role)
            .fetch_one(&mut *conn)
            .await
            .expect("role account");
        user_ids.push(id);
    }
    let outbox_key = crate::common::outbox_key_of(&mut conn, &app.settings.key_wrapping).await;
    // A second session of every account, in another "browser".
    let mut spare_sessions = Vec::new();
    for role in ROLES {
        let other = Client::login(&app, role).await;
        let token = other.cookie.as_deref().and_then(|c| c.split_once('=')).map(|(_, t)| t).expect("cookie");
        let hash = gruppenbuch_app::auth::session::token_hash(token);
        spare_sessions.push(gruppenbuch_app::auth::session::public_id(&hash));
    }
    // Login cards for Mia and Noah, and a lock notice for each of their groups.
    use gruppenbuch_app::auth::session::token_hash;
    let (own_card, foreign_card) =
        (gruppenbuch_app::auth::session::new_token(), gruppenbuch_app::auth::session::new_token());
    let (mia, leitung_id) = (&user_ids[3], &user_ids[0]);
    for (account, card) in [(mia, &own_card), (&noah, &foreign_card)] {
        let (account, leitung_id) = (crate::common::id(account), crate::common::id(leitung_id));
        gruppenbuch_app::db::cards::set_card(&mut conn, &account, &token_hash(card), &leitung_id).await.expect("card");
        assert!(gruppenbuch_app::db::cards::notice_pin_lock(&mut conn, &account, 0).await.expect("notice"));
    }
    drop(conn);
    (app, Targets { fx, account, user_ids, outbox_key, own_card, foreign_card, spare_sessions, helpers }, clients)
}

#[tokio::test]
async fn every_registered_server_function_is_in_the_matrix_and_nothing_else() {
    let documented: BTreeSet<String> = table(&matrix(), "## Server functions", 1).into_iter().map(|r| r.key).collect();
    // The server's router registers them; make sure the app is linked.
    let _ = gruppenbuch_server::router;
    let registered: BTreeSet<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_owned()).collect();
    assert_eq!(registered, documented, "server functions and docs/access-matrix.md differ");
}

#[tokio::test]
async fn every_route_of_the_app_is_in_the_matrix() {
    let documented: BTreeSet<String> =
        table(&matrix(), "## Routes", 0).into_iter().map(|r| r.key.replace(":id", "{id}")).collect();
    let routes: BTreeSet<String> = leptos_axum_routes().into_iter().filter(|p| p != "/anmelden").collect();
    assert_eq!(routes, documented);
}

fn leptos_axum_routes() -> Vec<String> {
    gruppenbuch_server::route_paths()
}

/// The functions that act on a report's revision get the one stored now (earlier calls of
/// the test changed it).
async fn with_revision(app: &TestApp, path: &str, scope: Scope, t: &Targets, form: String) -> String {
    const REVISED: [&str; 4] =
        ["/api/reports/section", "/api/reports/regenerate", "/api/reports/review", "/api/reports/sign"];
    if !REVISED.contains(&path) {
        return form;
    }
    let report = if matches!(scope, Scope::Own | Scope::OwnPast) { &t.fx.own_report } else { &t.fx.foreign_report };
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let revision: i64 = sqlx::query_scalar("SELECT revision FROM reports WHERE id = $1")
        .bind(report)
        .fetch_one(&mut *conn)
        .await
        .expect("revision");
    form.replace("input[revision]=1", &format!("input[revision]={revision}"))
}

#[tokio::test]
async fn server_functions_answer_each_role_as_the_matrix_says() {
    let (app, targets, clients) = setup().await;
    let rows = table(&matrix(), "## Server functions", 1);
    let anonymous = Client::new(&app);
    let mut n = 0;
    let mut failures = Vec::new();
    for row in &rows {
        let (path, name) = (row.key.as_str(), row.name.as_str());
        if path != "/api/session/current" {
            n += 1;
            let res = anonymous.call(path, &request(row, Scope::Own, &targets, n, None)).await;
            let ok = if row.public() { (200..400).contains(&res.status) } else { res.status == 401 };
            if !ok {
                failures.push(format!("anonymous {name} {path}: {} {}", res.status, res.body));
            }
        }
        for (i, role) in ROLES.iter().enumerate() {
            for &scope in scopes(row) {
                n += 1;
                let form = with_revision(&app, path, scope, &targets, request(row, scope, &targets, n, Some(i))).await;
                let res = clients[i].call(path, &form).await;
                let allowed = expected(row.cells[i], scope, role);
                if allowed && !(200..400).contains(&res.status) {
                    failures.push(format!(
                        "{role} {name} {path} {scope:?}: expected success, got {} {}",
                        res.status, res.body
                    ));
                }
                if !allowed {
                    if ![401, 403, 404].contains(&res.status) {
                        failures.push(format!("{role} {name} {path} {scope:?}: expected denial, got {}", res.status));
                    }
                    if let Some(m) = markers(scope).iter().find(|m| res.body.contains(*m)) {
                        failures.push(format!("{role} {path} {scope:?}: denial leaks {m:?}"));
                    }
                }
                // Scoped lists contain only the caller's groups.
                const LISTS: [&str; 6] = [
                    "/api/groups/list",
                    "/api/feedback/counts",
                    "/api/notices/list",
                    "/api/incidents/board",
                    "/api/feed/list",
                    "/api/overview/get",
                ];
                if LISTS.contains(&path) && allowed {
                    let foreign = res.body.contains("FWG Lindenhof");
                    if (row.cells[i] == Cell::Own) == foreign {
                        failures.push(format!("{role} {path}: list scope wrong: {}", res.body));
                    }
                }
                // The list of submissions holds exactly those the caller may open.
                if path == "/api/feedback/list" && allowed {
                    for s in [Scope::Own, Scope::Foreign, Scope::OwnPast, Scope::ForeignPast] {
                        let listed = res.body.contains(targets.feedback(s));
                        if listed != expected(row.cells[i], s, role) {
                            failures.push(format!("{role} {path}: {s:?} submission listed: {listed}"));
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} violations:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn pages_answer_each_role_as_the_matrix_says() {
    let (app, targets, clients) = setup().await;
    let rows = table(&matrix(), "## Routes", 0);
    let anonymous = Client::new(&app);
    let mut failures = Vec::new();
    for row in &rows {
        let route = row.key.as_str();
        for &scope in scopes(row) {
            let own = matches!(scope, Scope::Own | Scope::OwnPast);
            let fx = &targets.fx;
            let id = match route.split('/').nth(1) {
                Some("gruppen") => {
                    if own {
                        &fx.own_group
                    } else {
                        &fx.foreign_group
                    }
                }
                Some("jugendliche") => {
                    if own {
                        &fx.own_youth
                    } else {
                        &fx.foreign_youth
                    }
                }
                Some("eintraege") => {
                    if own {
                        &fx.own_note
                    } else {
                        &fx.foreign_note
                    }
                }
                Some("rueckmeldungen") => targets.feedback(scope),
                Some("hilfeplan") => {
                    if own {
                        &fx.own_plan
                    } else {
                        &fx.foreign_plan
                    }
                }
                Some("berichte") => {
                    if own {
                        &fx.own_report
                    } else {
                        &fx.foreign_report
                    }
                }
                Some("ziele") => {
                    if own {
                        &fx.own_goal
                    } else {
                        &fx.foreign_goal
                    }
                }
                Some("meldungen-47") => {
                    if own {
                        &fx.own_licence
                    } else {
                        &fx.foreign_licence
                    }
                }
                Some("kinderschutz") if route.contains("beobachtungen") => {
                    if own {
                        &fx.own_observation
                    } else {
                        &fx.foreign_observation
                    }
                }
                Some("kinderschutz") => {
                    if own {
                        &fx.own_case
                    } else {
                        &fx.foreign_case
                    }
                }
                Some("vorkommnisse") => {
                    if own {
                        &fx.own_incident
                    } else {
                        &fx.foreign_incident
                    }
                }
                Some("mitreden") => {
                    if own {
                        &fx.own_link
                    } else {
                        &fx.foreign_link
                    }
                }
                Some("karte") => {
                    if own {
                        &targets.own_card
                    } else {
                        &targets.foreign_card
                    }
                }
                _ => &targets.account,
            };
            let path = route.replace(":id", id);
            let res = anonymous.get(&path).await;
            let ok = if row.public() {
                res.status == 200
            } else {
                res.status == 303 && res.header("location").unwrap_or_default().starts_with("/anmelden")
            };
            if !ok {
                failures.push(format!("anonymous {route} {scope:?}: {}", res.status));
            }
            for (i, role) in ROLES.iter().enumerate() {
                let res = clients[i].get(&path).await;
                let allowed = expected(row.cells[i], scope, role);
                if allowed && res.status != 200 {
                    failures.push(format!("{role} {route} {scope:?}: expected 200, got {}", res.status));
                }
                if !allowed {
                    if ![403, 404].contains(&res.status) {
                        failures.push(format!("{role} {route} {scope:?}: expected 403/404, got {}", res.status));
                    }
                    if let Some(m) = markers(scope).iter().find(|m| res.body.contains(*m)) {
                        failures.push(format!("{role} {route} {scope:?}: denial leaks {m:?}"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} violations:\n{}", failures.len(), failures.join("\n"));
}
