//! "Mein Konto": one's own sessions and password, and the password someone else chose,
//! through the real HTTP stack.

use crate::common::{Client, TestApp, count, enc, spawn_app, spawn_app_with};
use gruppenbuch_app::api::ssr::Settings;
use gruppenbuch_app::db::demo::DEMO_PASSWORD;

const PHONE: &str = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0";

/// Logs in `login` from a browser that names itself `agent`.
async fn login_from(app: &TestApp, login: &str, password: &str, agent: &str) -> Client {
    let mut client = Client::new(app);
    let origin = client.origin();
    let form = format!("login={login}&password={}", enc(password));
    let res = client
        .send(
            "POST",
            "/auth/login",
            &[("content-type", "application/x-www-form-urlencoded"), ("origin", &origin), ("user-agent", agent)],
            Some(form.as_bytes()),
        )
        .await;
    assert_eq!(res.status, 303, "{res:?}");
    let cookie = res.header("set-cookie").expect("session cookie");
    client.cookie = Some(cookie.split(';').next().unwrap_or_default().to_owned());
    client
}

fn password_form(current: &str, new: &str, repeat: &str) -> String {
    format!("input[current]={}&input[password]={}&input[repeat]={}", enc(current), enc(new), enc(repeat))
}

async fn user_id(app: &TestApp, login: &str) -> String {
    let mut conn = app.store.pool().acquire().await.expect("conn");
    sqlx::query_scalar("SELECT id FROM users WHERE login = $1").bind(login).fetch_one(&mut *conn).await.expect("id")
}

async fn audit_actions(app: &TestApp, login: &str) -> Vec<String> {
    let mut conn = app.store.pool().acquire().await.expect("conn");
    sqlx::query_scalar("SELECT action FROM audit_log WHERE actor_login = $1 ORDER BY at")
        .bind(login)
        .fetch_all(&mut *conn)
        .await
        .expect("rows")
}

#[tokio::test]
async fn a_reset_password_opens_only_the_own_account_until_its_owner_sets_their_own() {
    let app = spawn_app().await;
    let admin = Client::login(&app, "admin").await;
    let id = user_id(&app, "fachkraft").await;
    let res = admin.call("/api/accounts/reset-password", &format!("id={id}&input[password]=von-admin-gewaehlt")).await;
    assert_eq!(res.status, 200, "{res:?}");

    let staff = Client::login_with(&app, "fachkraft", "von-admin-gewaehlt").await;
    // Every page leads to the own account page, and nothing of a case answers.
    for page in ["/", "/tagesnotiz/neu", "/gruppen", "/feed"] {
        let res = staff.get(page).await;
        assert_eq!(res.status, 303, "{page}");
        assert_eq!(res.header("location"), Some("/konto"), "{page}");
    }
    for (path, body) in [("/api/groups/list", ""), ("/api/feed/list", "input[q]="), ("/api/entries/choices", "")] {
        assert_eq!(staff.call(path, body).await.status, 401, "{path}");
    }
    let page = staff.get("/konto").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("zurückgesetzt") && page.body.contains("Adam Admin"), "{}", page.body);
    assert!(!page.body.contains("Mia"), "the own account page names no young person");
    let me = staff.call("/api/me/account", "").await;
    assert_eq!(me.status, 200, "{me:?}");
    assert_eq!(me.json()["password_change_required"], true);

    // Wrong, short, mistyped and unchanged passwords are refused with a message each.
    let cases = [
        (
            password_form("falsch-falsch", "mein-eigenes-pw", "mein-eigenes-pw"),
            "current",
            "Das bisherige Passwort stimmt nicht.",
        ),
        (password_form("von-admin-gewaehlt", "kurz", "kurz"), "password", "Mindestens 10 Zeichen."),
        (
            password_form("von-admin-gewaehlt", "mein-eigenes-pw", "mein-eigenes-pX"),
            "repeat",
            "Die beiden neuen Passwörter sind nicht gleich.",
        ),
        (
            password_form("von-admin-gewaehlt", "von-admin-gewaehlt", "von-admin-gewaehlt"),
            "password",
            "Das neue Passwort muss sich vom bisherigen unterscheiden.",
        ),
        (password_form("", "mein-eigenes-pw", "mein-eigenes-pw"), "current", "Bitte ausfüllen."),
    ];
    for (form, field, message) in cases {
        let res = staff.call("/api/me/password", &form).await;
        assert_eq!(res.status, 400, "{form}: {res:?}");
        let errors = res.json()["Validation"].as_array().cloned().unwrap_or_default();
        assert!(errors.iter().any(|e| e["field"] == field && e["message"] == message), "{form}: {errors:?}");
    }
    assert_eq!(staff.call("/api/groups/list", "").await.status, 401, "refusals change nothing");

    let res = staff
        .call("/api/me/password", &password_form("von-admin-gewaehlt", "mein-eigenes-pw", "mein-eigenes-pw"))
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(staff.get("/").await.status, 200, "the session stays and opens everything again");
    assert_eq!(staff.call("/api/groups/list", "").await.status, 200);
    assert!(audit_actions(&app, "fachkraft").await.contains(&"password_change".to_owned()));
    // Only the owner's password works now.
    let old = Client::new(&app).post_form("/auth/login", "login=fachkraft&password=von-admin-gewaehlt").await;
    assert_eq!(old.header("location"), Some("/anmelden?fehler=1"));
    Client::login_with(&app, "fachkraft", "mein-eigenes-pw").await;
}

#[tokio::test]
async fn a_new_account_sets_its_own_password_at_the_first_login() {
    let app = spawn_app().await;
    let leitung = Client::login(&app, "leitung").await;
    let group = {
        let mut conn = app.store.pool().acquire().await.expect("conn");
        sqlx::query_scalar::<_, String>("SELECT id FROM groups ORDER BY name LIMIT 1")
            .fetch_one(&mut *conn)
            .await
            .expect("group")
    };
    let form = format!(
        "input[display_name]=Neu&input[login]=neu.kraft&input[role]=fachkraft&input[group_ids][0]={group}&input[password]=von-leitung-gewaehlt"
    );
    assert!(leitung.call("/api/accounts/create", &form).await.status < 400);
    let staff = Client::login_with(&app, "neu.kraft", "von-leitung-gewaehlt").await;
    assert_eq!(staff.get("/").await.header("location"), Some("/konto"));
    let page = staff.get("/konto").await;
    assert!(page.body.contains("Ihr Konto ist neu angelegt."), "{}", page.body);
    let form = password_form("von-leitung-gewaehlt", "selbst-gewaehlt-1", "selbst-gewaehlt-1");
    assert_eq!(staff.call("/api/me/password", &form).await.status, 200);
    assert_eq!(staff.get("/").await.status, 200);
}

#[tokio::test]
async fn everyone_sees_their_own_sessions_and_ends_another_browsers() {
    let app = spawn_app().await;
    let desk = Client::login(&app, "fachkraft").await;
    let phone = login_from(&app, "fachkraft", DEMO_PASSWORD, PHONE).await;
    let other = Client::login(&app, "fachberatung").await;

    let me = desk.call("/api/me/account", "").await;
    assert_eq!(me.status, 200, "{me:?}");
    let sessions = me.json()["sessions"].as_array().cloned().unwrap_or_default();
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    let on_phone = sessions.iter().find(|s| s["current"] == false).expect("the phone's session");
    assert_eq!(on_phone["device"], "Firefox auf Android");
    let phone_id = on_phone["id"].as_str().expect("id").to_owned();
    let desk_id = sessions.iter().find(|s| s["current"] == true).and_then(|s| s["id"].as_str()).expect("id");
    // Nothing that opens a session is on the page.
    let token = desk.cookie.as_deref().and_then(|c| c.split_once('=')).map(|(_, t)| t).expect("token");
    assert!(!me.body.contains(token) && !me.body.contains(&gruppenbuch_app::auth::session::token_hash(token)));

    // Someone else's session is not found, as is an id that is none.
    assert_eq!(other.call("/api/me/end-session", &format!("id={phone_id}")).await.status, 404);
    for bad in ["", "zz", "0123456789abcdef0123456789abcdef", &"a".repeat(5000)] {
        assert_eq!(desk.call("/api/me/end-session", &format!("id={bad}")).await.status, 404, "{bad:.20}");
    }
    // The session one works in is ended by logging out.
    let current = desk.call("/api/me/end-session", &format!("id={desk_id}")).await;
    assert_eq!(current.status, 400);
    assert!(current.body.contains("melden Sie sich ab"), "{}", current.body);
    assert_eq!(phone.call("/api/groups/list", "").await.status, 200);

    let res = desk.call("/api/me/end-session", &format!("id={phone_id}")).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(phone.call("/api/groups/list", "").await.status, 401, "the phone's session is over");
    assert_eq!(desk.call("/api/groups/list", "").await.status, 200, "this one goes on");
    assert_eq!(desk.call("/api/me/end-session", &format!("id={phone_id}")).await.status, 404, "once only");
    let actions = audit_actions(&app, "fachkraft").await;
    assert!(actions.contains(&"session_end".to_owned()), "{actions:?}");
    let page = desk.get("/konto").await;
    assert!(page.body.contains("Meine Anmeldungen") && page.body.contains("Dieser Browser"), "{}", page.body);
}

#[tokio::test]
async fn a_new_password_ends_every_other_session_and_keeps_this_one() {
    let app = spawn_app().await;
    let desk = Client::login(&app, "fachberatung").await;
    let phone = login_from(&app, "fachberatung", DEMO_PASSWORD, PHONE).await;
    let res =
        desk.call("/api/me/password", &password_form(DEMO_PASSWORD, "ein-neues-passwort", "ein-neues-passwort")).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(phone.call("/api/groups/list", "").await.status, 401);
    assert_eq!(desk.call("/api/groups/list", "").await.status, 200);
}

#[tokio::test]
async fn wrong_current_passwords_count_against_the_accounts_login_limit() {
    let app = spawn_app_with(Settings { cookie_secure: false, login_max_per_account: 3, ..Settings::default() }).await;
    let staff = Client::login(&app, "fachkraft").await;
    let before = count(&app.store, "login_failures").await;
    for i in 0..3 {
        let res = staff
            .call("/api/me/password", &password_form(&format!("geraten-{i:02}-x"), "ein-neues-pw-1", "ein-neues-pw-1"))
            .await;
        assert_eq!(res.status, 400, "{res:?}");
    }
    assert_eq!(count(&app.store, "login_failures").await, before + 3);
    let res = staff.call("/api/me/password", &password_form(DEMO_PASSWORD, "ein-neues-pw-1", "ein-neues-pw-1")).await;
    assert_eq!(res.status, 429, "past the limit even the right one waits: {res:?}");
    assert!(res.header("retry-after").is_some());
    // Parallel guesses see each other: no more than the limit are checked.
    let app = spawn_app_with(Settings { cookie_secure: false, login_max_per_account: 3, ..Settings::default() }).await;
    let staff = Client::login(&app, "fachkraft").await;
    let mut guesses = Vec::new();
    for i in 0..12 {
        let staff = staff.clone();
        guesses.push(tokio::spawn(async move {
            staff
                .call(
                    "/api/me/password",
                    &password_form(&format!("parallel-{i:02}-x"), "ein-neues-pw-1", "ein-neues-pw-1"),
                )
                .await
                .status
        }));
    }
    let mut checked = 0;
    for guess in guesses {
        if guess.await.expect("guess") == 400 {
            checked += 1;
        }
    }
    assert_eq!(checked, 3);
}

#[tokio::test]
async fn young_people_see_their_sessions_but_get_a_new_pin_only_with_a_new_card() {
    let app = spawn_app().await;
    let youth = Client::login(&app, "jugendliche").await;
    let me = youth.call("/api/me/account", "").await;
    assert_eq!(me.status, 200, "{me:?}");
    assert_eq!(me.json()["can_change_password"], false);
    let res = youth.call("/api/me/password", &password_form("2468", "1357913579", "1357913579")).await;
    assert_eq!(res.status, 403);
    let page = youth.get("/konto").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Anmeldekarte"), "{}", page.body);
    assert!(!page.body.contains("own-password-form"));
}
