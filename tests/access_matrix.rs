//! The access matrix, enforced: `docs/access-matrix.md` is the specification, this test
//! calls every registered server function and every page as every role, on a record of
//! the caller's own group and on one of a foreign group, and compares.

use crate::common::{Client, Fixtures, TestApp, enc, fixtures, new_id, note_form, spawn_app, today, visit_form};
use std::collections::BTreeSet;

const ROLES: [&str; 6] = ["leitung", "fachberatung", "fachkraft", "jugendliche", "admin", "datenschutz"];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Cell {
    Yes,
    All,
    Own,
    No,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Scope {
    Own,
    Foreign,
}

struct Row {
    key: String,
    cells: Vec<Cell>,
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
            let cells = cols[cols.len() - 6..]
                .iter()
                .map(|c| match *c {
                    "yes" => Cell::Yes,
                    "all" => Cell::All,
                    "own" => Cell::Own,
                    "—" => Cell::No,
                    other => panic!("unknown cell {other:?} in {l}"),
                })
                .collect();
            Row { key: cols[key_col].to_owned(), cells }
        })
        .collect()
}

fn expected(cell: Cell, scope: Scope) -> bool {
    match cell {
        Cell::Yes | Cell::All => true,
        Cell::Own => scope == Scope::Own,
        Cell::No => false,
    }
}

/// Names that belong to the record a request is about, which a denial must not contain.
fn markers(scope: Scope) -> [&'static str; 3] {
    match scope {
        Scope::Own => ["FWG Sonnenhaus", "Krause", "Am Sonnenhang"],
        Scope::Foreign => ["FWG Lindenhof", "Schulz", "Lindenweg"],
    }
}

fn group_form(name: &str) -> String {
    format!("input[name]={}&input[address]={}&input[phone]={}", enc(name), enc("Testweg 1"), enc("0361 1"))
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
    outbox_key: gruppenbuch_app::db::keys::OutboxKey,
}

/// A sealed outbox item with a new note for the caller's own young person.
fn sealed_note(t: &Targets, author_id: &str) -> String {
    let id = new_id();
    let note = serde_json::json!({
        "author_id": author_id,
        "note": { "id": id, "subject": t.fx.own_youth, "date": today(), "category": "schule", "text": "Matrix" }
    });
    let (epk, iv, ct) =
        gruppenbuch_app::sealing::seal(&t.outbox_key.public_key, &id, "note", note.to_string().as_bytes())
            .expect("seal");
    format!(
        "input[id]={id}&input[kind]=note&input[key_id]={}&input[epk]={epk}&input[iv]={iv}&input[ct]={ct}",
        t.outbox_key.key_id
    )
}

/// The request body for a server function, for the record of the given scope.
fn body(path: &str, scope: Scope, t: &Targets, n: usize) -> String {
    let (group, youth) = match scope {
        Scope::Own => (&t.fx.own_group, &t.fx.own_youth),
        Scope::Foreign => (&t.fx.foreign_group, &t.fx.foreign_youth),
    };
    let (note, visit, goal) = match scope {
        Scope::Own => (&t.fx.own_note, &t.fx.own_visit, &t.fx.own_goal),
        Scope::Foreign => (&t.fx.foreign_note, &t.fx.foreign_visit, &t.fx.foreign_goal),
    };
    let group_name = if scope == Scope::Own { "FWG Sonnenhaus" } else { "FWG Lindenhof" };
    match path {
        "/api/groups/get" => format!("id={group}"),
        "/api/groups/create" => group_form(&format!("FWG Matrix {n}")),
        "/api/groups/update" => format!("id={group}&{}", group_form(group_name)),
        "/api/youths/get" => format!("id={youth}"),
        "/api/youths/create" => youth_form(group, "Test", &format!("Matrix{n}"), "2012-01-01", "2020-01-01"),
        "/api/youths/update" => match scope {
            Scope::Own => format!("id={youth}&{}", youth_form(group, "Mia", "Krause", "2012-04-17", "2021-09-01")),
            Scope::Foreign => format!("id={youth}&{}", youth_form(group, "Noah", "Schulz", "2011-01-09", "2020-08-20")),
        },
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
        "/api/entries/get" => format!("id={note}"),
        "/api/notes/correct" => format!("id={note}&{}&input[reason]=Matrix", note_form(note, youth, "korrigiert")),
        "/api/visits/correct" => format!("id={visit}&{}&input[reason]=Matrix", visit_form(visit, youth)),
        "/api/entries/timeline" => format!("input[youth_id]={youth}"),
        "/api/entries/handover" => format!("id={group}"),
        "/api/goals/list" | "/api/contacts/get" => format!("id={youth}"),
        "/api/goals/create" => format!("input[youth_id]={youth}&input[title]=Matrix{n}"),
        "/api/goals/update" => format!("id={goal}&input[title]=Matrix{n}"),
        "/api/contacts/set" => {
            format!("id={youth}&input[times]=2&input[period]=monat&input[kind]=besuch&input[supervised]=ja")
        }
        _ => String::new(),
    }
}

fn scoped(path: &str) -> bool {
    const ENTRY_PATHS: [&str; 10] = [
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
    ];
    ENTRY_PATHS.contains(&path)
        || path.starts_with("/eintraege/:id")
        || path.contains("/groups/get")
        || path.contains("/groups/update")
        || path.contains("/youths/") && !path.ends_with("/choices")
        || path.starts_with("/gruppen/:id")
        || path.starts_with("/jugendliche/:id")
}

async fn setup() -> (TestApp, Targets, Vec<Client>) {
    let app = spawn_app().await;
    let fx = fixtures(&app.store).await;
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
    let account = {
        let mut conn = app.store.pool().acquire().await.expect("conn");
        sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE login = 'zielkonto'")
            .fetch_one(&mut *conn)
            .await
            .expect("target account")
    };
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
    let outbox_key = gruppenbuch_app::db::keys::outbox_key(&mut conn).await.expect("outbox key");
    drop(conn);
    (app, Targets { fx, account, user_ids, outbox_key }, clients)
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

#[tokio::test]
async fn server_functions_answer_each_role_as_the_matrix_says() {
    let (app, targets, clients) = setup().await;
    let rows = table(&matrix(), "## Server functions", 1);
    let anonymous = Client::new(&app);
    let mut n = 0;
    let mut failures = Vec::new();
    for row in &rows {
        let path = row.key.as_str();
        if path != "/api/session/current" {
            let request = if path == "/api/outbox/deliver" {
                sealed_note(&targets, &targets.user_ids[0])
            } else {
                body(path, Scope::Own, &targets, 0)
            };
            let res = anonymous.call(path, &request).await;
            if res.status != 401 {
                failures.push(format!("anonymous {path}: {}", res.status));
            }
        }
        for (i, role) in ROLES.iter().enumerate() {
            let scopes: &[Scope] = if scoped(path) { &[Scope::Own, Scope::Foreign] } else { &[Scope::Own] };
            for &scope in scopes {
                n += 1;
                let request = if path == "/api/outbox/deliver" {
                    sealed_note(&targets, &targets.user_ids[i])
                } else {
                    body(path, scope, &targets, n)
                };
                let res = clients[i].call(path, &request).await;
                let allowed = expected(row.cells[i], scope);
                if allowed && !(200..400).contains(&res.status) {
                    failures
                        .push(format!("{role} {path} {scope:?}: expected success, got {} {}", res.status, res.body));
                }
                if !allowed {
                    if ![401, 403, 404].contains(&res.status) {
                        failures.push(format!("{role} {path} {scope:?}: expected denial, got {}", res.status));
                    }
                    if let Some(m) = markers(scope).iter().find(|m| res.body.contains(*m)) {
                        failures.push(format!("{role} {path} {scope:?}: denial leaks {m:?}"));
                    }
                }
                // Scoped lists contain only the caller's groups.
                if path == "/api/groups/list" && allowed {
                    let foreign = res.body.contains("FWG Lindenhof");
                    if (row.cells[i] == Cell::Own) == foreign {
                        failures.push(format!("{role} {path}: list scope wrong: {}", res.body));
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
        let scopes: &[Scope] = if scoped(route) { &[Scope::Own, Scope::Foreign] } else { &[Scope::Own] };
        for &scope in scopes {
            let id = match (route.split('/').nth(1), scope) {
                (Some("gruppen"), Scope::Own) => targets.fx.own_group.clone(),
                (Some("gruppen"), Scope::Foreign) => targets.fx.foreign_group.clone(),
                (Some("jugendliche"), Scope::Own) => targets.fx.own_youth.clone(),
                (Some("jugendliche"), Scope::Foreign) => targets.fx.foreign_youth.clone(),
                (Some("eintraege"), Scope::Own) => targets.fx.own_note.clone(),
                (Some("eintraege"), Scope::Foreign) => targets.fx.foreign_note.clone(),
                _ => targets.account.clone(),
            };
            let path = route.replace(":id", &id);
            let res = anonymous.get(&path).await;
            if res.status != 303 || !res.header("location").unwrap_or_default().starts_with("/anmelden") {
                failures.push(format!("anonymous {path}: {}", res.status));
            }
            for (i, role) in ROLES.iter().enumerate() {
                let res = clients[i].get(&path).await;
                let allowed = expected(row.cells[i], scope);
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
