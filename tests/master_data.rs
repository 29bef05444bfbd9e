//! Groups, young people and accounts through the server functions: validation, German
//! messages at the field, nothing half-written, audit rows.

use crate::common::{Client, count, enc, fixtures, spawn_app};

fn youth_form(group: &str, birth: &str, admission: &str) -> String {
    format!(
        "input[group_id]={group}&input[first_name]=Jonas&input[last_name]=Neu&input[birth_date]={birth}\
         &input[admission_date]={admission}&input[caseworker_name]=&input[caseworker_contact]=&input[custody]={}",
        enc("Vormund: Jugendamt")
    )
}

#[tokio::test]
async fn leitung_creates_a_group_and_admits_a_young_person() {
    let app = spawn_app().await;
    let leitung = Client::login(&app, "leitung").await;
    let res = leitung
        .call(
            "/api/groups/create",
            &format!(
                "input[name]={}&input[address]={}&input[phone]={}",
                enc("FWG Eiche"),
                enc("Eichenweg 1"),
                enc("0361 77")
            ),
        )
        .await;
    assert!(res.status < 400, "{res:?}");
    let group: String = {
        let mut conn = app.store.pool().acquire().await.expect("conn");
        sqlx::query_scalar("SELECT id FROM groups WHERE name = 'FWG Eiche'").fetch_one(&mut *conn).await.expect("group")
    };
    let res = leitung.call("/api/youths/create", &youth_form(&group, "2013-02-03", "2024-01-15")).await;
    assert!(res.status < 400, "{res:?}");
    let page = leitung.get(&format!("/gruppen/{group}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Jonas Neu"));
}

#[tokio::test]
async fn implausible_dates_are_rejected_at_the_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let f = fixtures(&app).await;
    let leitung = Client::login(&app, "leitung").await;
    let before = count(&app.store, "youths").await;
    let audit_before = count(&app.store, "audit_log").await;
    for (form, field, message) in [
        (
            youth_form(&f.own_group, "2099-01-01", "2099-01-02"),
            "birth_date",
            "Das Geburtsdatum darf nicht in der Zukunft liegen.",
        ),
        (
            youth_form(&f.own_group, "1990-01-01", "2020-01-01"),
            "birth_date",
            "Das Geburtsdatum liegt mehr als 27 Jahre zurück. Jugendhilfe endet spätestens mit 27.",
        ),
        (
            youth_form(&f.own_group, "2012-05-01", "2011-01-01"),
            "admission_date",
            "Die Aufnahme kann nicht vor der Geburt liegen.",
        ),
        (
            youth_form(&f.own_group, "01.02.", "2020-01-01"),
            "birth_date",
            "Bitte ein Datum im Format TT.MM.JJJJ angeben.",
        ),
        (
            youth_form("0191d1c2-0000-7000-8000-000000000009", "2012-05-01", "2020-01-01"),
            "group_id",
            "Diese Familienwohngruppe gibt es nicht.",
        ),
    ] {
        let res = leitung.call("/api/youths/create", &form).await;
        assert_eq!(res.status, 400, "{form}");
        let errors = res.json();
        let hit = errors["Validation"].as_array().expect("field errors").iter().find(|e| e["field"] == field).cloned();
        assert_eq!(hit.map(|e| e["message"].clone()), Some(serde_json::json!(message)), "{form}: {errors}");
    }
    assert_eq!(count(&app.store, "youths").await, before);
    assert_eq!(count(&app.store, "audit_log").await, audit_before);
}

#[tokio::test]
async fn text_over_the_limit_is_rejected_with_the_limit_named() {
    let app = spawn_app().await;
    let leitung = Client::login(&app, "leitung").await;
    let res = leitung
        .call("/api/groups/create", &format!("input[name]={}&input[address]=a&input[phone]=0361%201", "x".repeat(81)))
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.json()["Validation"][0]["message"], "Höchstens 80 Zeichen.");
}

#[tokio::test]
async fn a_duplicate_login_is_rejected_at_the_field() {
    let app = spawn_app().await;
    let admin = Client::login(&app, "admin").await;
    let before = count(&app.store, "users").await;
    let res = admin
        .call("/api/accounts/create", "input[display_name]=Zweite%20Leitung&input[login]=leitung&input[role]=leitung&input[password]=ein-langes-passwort")
        .await;
    assert_eq!(res.status, 400, "{res:?}");
    assert_eq!(res.json()["Validation"][0]["field"], "login");
    assert_eq!(res.json()["Validation"][0]["message"], "Dieser Benutzername ist schon vergeben.");
    assert_eq!(count(&app.store, "users").await, before);
}

#[tokio::test]
async fn admin_cannot_create_an_account_for_a_young_person() {
    let app = spawn_app().await;
    let f = fixtures(&app).await;
    let admin = Client::login(&app, "admin").await;
    let res = admin
        .call(
            "/api/accounts/create",
            &format!("input[display_name]=Kim&input[login]=kim&input[role]=jugendliche&input[youth_id]={}&input[password]=2468", f.foreign_youth),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.json()["Validation"][0]["message"], "Konten für junge Menschen legt die Leitung an.");
}

#[tokio::test]
async fn staff_are_assigned_to_groups_and_see_only_those() {
    let app = spawn_app().await;
    let f = fixtures(&app).await;
    let admin = Client::login(&app, "admin").await;
    let res = admin
        .call(
            "/api/accounts/create",
            &format!(
                "input[display_name]=Neue%20Kraft&input[login]=neue.kraft&input[role]=fachkraft&input[group_ids][0]={}&input[password]=ein-langes-passwort",
                f.foreign_group
            ),
        )
        .await;
    assert!(res.status < 400, "{res:?}");
    let staff = Client::login_with(&app, "neue.kraft", "ein-langes-passwort").await;
    // The password Admin chose opens only the own account page until it is replaced.
    assert_eq!(staff.call("/api/groups/list", "").await.status, 401);
    let own = "input[current]=ein-langes-passwort&input[password]=mein-eigenes-pw&input[repeat]=mein-eigenes-pw";
    assert_eq!(staff.call("/api/me/password", own).await.status, 200);
    let groups = staff.call("/api/groups/list", "").await;
    assert!(groups.body.contains("FWG Lindenhof") && !groups.body.contains("FWG Sonnenhaus"), "{}", groups.body);
}

#[tokio::test]
async fn reading_a_young_person_writes_an_audit_row_that_datenschutz_can_filter() {
    let app = spawn_app().await;
    let f = fixtures(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    let res = staff.call("/api/youths/get", &format!("id={}", f.own_youth)).await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("Mia"));
    let ds = Client::login(&app, "datenschutz").await;
    let page = ds.call("/api/audit/list", &format!("input[youth_id]={}", f.own_youth)).await;
    assert_eq!(page.status, 200, "{page:?}");
    let entries = page.json()["entries"].as_array().cloned().unwrap_or_default();
    assert!(entries.iter().any(|e| e["actor_login"] == "fachkraft" && e["action"] == "read"), "{entries:?}");
    assert!(entries.iter().all(|e| e["youth_id"] == f.own_youth.as_str()));
    assert!(!page.body.contains("Krause"), "the audit log never carries content");
    let html = ds.get(&format!("/protokoll?jugendliche={}", f.own_youth)).await;
    assert_eq!(html.status, 200);
    assert!(html.body.contains("fachkraft"));
}

#[tokio::test]
async fn the_audit_log_pages_with_a_cursor_and_rejects_a_tampered_one() {
    let app = spawn_app().await;
    let f = fixtures(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    for _ in 0..105 {
        staff.call("/api/youths/get", &format!("id={}", f.own_youth)).await;
    }
    let ds = Client::login(&app, "datenschutz").await;
    let first = ds.call("/api/audit/list", "input[from]=").await.json();
    assert_eq!(first["entries"].as_array().map(Vec::len), Some(100));
    let next = first["next"].as_str().expect("a next page").to_owned();
    let second = ds.call("/api/audit/list", &format!("input[before]={next}")).await.json();
    let ids = |v: &serde_json::Value| {
        v["entries"].as_array().cloned().unwrap_or_default().iter().map(|e| e["id"].to_string()).collect::<Vec<_>>()
    };
    assert!(ids(&second).iter().all(|id| !ids(&first).contains(id)), "pages do not overlap");
    assert_eq!(ds.call("/api/audit/list", "input[before]=9_%27%20OR%201%3D1").await.status, 400);
}

#[tokio::test]
async fn one_page_view_writes_exactly_one_audit_row() {
    let app = spawn_app().await;
    let f = fixtures(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    let before = count(&app.store, "audit_log").await;
    let page = staff.get(&format!("/jugendliche/{}", f.own_youth)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Mia Krause"));
    // One row per thing the page loads, each loaded once: master data, timeline, goals,
    // contact arrangement.
    assert_eq!(count(&app.store, "audit_log").await, before + 4, "a page view reads (and logs) each part once");
    let ds = Client::login(&app, "datenschutz").await;
    let before = count(&app.store, "audit_log").await;
    assert_eq!(ds.get("/protokoll").await.status, 200);
    // One row for reading the log, one for the account list of its filter.
    assert_eq!(count(&app.store, "audit_log").await, before + 2);
}

#[tokio::test]
async fn admin_does_not_see_young_peoples_accounts() {
    let app = spawn_app().await;
    let youth_account: String = {
        let mut conn = app.store.pool().acquire().await.expect("conn");
        sqlx::query_scalar("SELECT id FROM users WHERE role = 'jugendliche'").fetch_one(&mut *conn).await.expect("id")
    };
    let admin = Client::login(&app, "admin").await;
    let list = admin.call("/api/accounts/list", "").await;
    assert_eq!(list.status, 200);
    assert!(!list.body.contains("\"jugendliche\""), "{}", list.body);
    assert_eq!(admin.call("/api/accounts/get", &format!("id={youth_account}")).await.status, 404);
    let leitung = Client::login(&app, "leitung").await;
    assert!(leitung.call("/api/accounts/list", "").await.body.contains("\"jugendliche\""));
    assert_eq!(leitung.call("/api/accounts/get", &format!("id={youth_account}")).await.status, 200);
}

#[tokio::test]
async fn opening_a_group_logs_a_row_for_each_young_person_shown() {
    let app = spawn_app().await;
    let f = fixtures(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    assert_eq!(staff.call("/api/groups/get", &format!("id={}", f.own_group)).await.status, 200);
    let ds = Client::login(&app, "datenschutz").await;
    let page = ds.call("/api/audit/list", &format!("input[youth_id]={}", f.own_youth)).await.json();
    let entries = page["entries"].as_array().cloned().unwrap_or_default();
    assert!(entries.iter().any(|e| e["actor_login"] == "fachkraft" && e["record_kind"] == "group"), "{entries:?}");
}
