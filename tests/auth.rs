//! Login, logout, throttling and revocation, through the real HTTP stack.

use crate::common::{Client, count, enc, spawn_app, spawn_app_with};
use gruppenbuch_app::api::ssr::Settings;
use gruppenbuch_app::db::demo::DEMO_PASSWORD;

#[tokio::test]
async fn every_demo_role_logs_in_lands_on_its_start_page_and_logs_out() {
    let app = spawn_app().await;
    for (login, marker) in [
        ("leitung", "FWG Lindenhof"),
        ("fachberatung", "FWG Sonnenhaus"),
        ("fachkraft", "Meine Gruppe"),
        ("jugendliche", "Ich möchte mich beschweren"),
        ("admin", "Konten"),
        ("datenschutz", "Protokoll"),
    ] {
        let client = Client::login(&app, login).await;
        let cookie = client.cookie.clone().unwrap_or_default();
        assert!(cookie.starts_with("gb_session="));
        let start = client.get("/").await;
        assert_eq!(start.status, 200, "{login}");
        assert!(start.body.contains(marker), "{login} start page lacks {marker}");
        let out = client.post_form("/auth/logout", "").await;
        assert_eq!(out.status, 303);
        assert_eq!(out.header("location"), Some("/anmelden?abgemeldet=1"));
        assert!(out.header("clear-site-data").is_some());
        let after = client.get("/").await;
        assert_eq!(after.status, 303, "{login}: the old cookie must not work after logout");
        assert!(after.header("location").unwrap_or_default().starts_with("/anmelden?sitzung=beendet"));
    }
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_strict() {
    let app = spawn_app_with(Settings { cookie_secure: true, ..Settings::default() }).await;
    let res = Client::new(&app).post_form("/auth/login", &format!("login=leitung&password={DEMO_PASSWORD}")).await;
    let cookie = res.header("set-cookie").unwrap_or_default();
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(cookie.contains(flag), "cookie lacks {flag}: {cookie}");
    }
    // Only this host may set it, and it ends with the browser.
    assert!(cookie.starts_with("__Host-gb_session="), "{cookie}");
    assert!(!cookie.contains("Domain") && !cookie.contains("Max-Age") && !cookie.contains("Expires"), "{cookie}");
    let token = cookie.split(';').next().unwrap_or_default().to_owned();
    let client = Client { cookie: Some(token.clone()), ..Client::new(&app) };
    assert_eq!(client.get("/").await.status, 200);
    // The same token without the prefix is no session.
    let unprefixed = Client { cookie: Some(token.replace("__Host-", "")), ..Client::new(&app) };
    assert_eq!(unprefixed.get("/").await.status, 303);
}

#[tokio::test]
async fn a_login_ends_the_session_the_browser_had_before() {
    let app = spawn_app().await;
    // A shared phone: one adult is logged in, the next logs in over it.
    let first = Client::login(&app, "fachkraft").await;
    assert_eq!(first.get("/").await.status, 200);
    let res = first.post_form("/auth/login", &format!("login=leitung&password={DEMO_PASSWORD}")).await;
    assert_eq!(res.status, 303, "{res:?}");
    let second = res.header("set-cookie").unwrap_or_default().split(';').next().unwrap_or_default().to_owned();
    assert_ne!(Some(&second), first.cookie.as_ref());
    // The first session is gone, not only replaced in this browser's cookie jar.
    let old = first.get("/").await;
    assert_eq!(old.status, 303, "the earlier session must end: {old:?}");
    let now = Client { cookie: Some(second), ..Client::new(&app) };
    assert!(now.get("/").await.body.contains("Petra Leitner"));
    let sessions = {
        let mut conn = app.store.pool().acquire().await.expect("conn");
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sessions").fetch_one(&mut *conn).await.expect("count")
    };
    assert_eq!(sessions, 1);
}

#[tokio::test]
async fn wrong_password_unknown_login_and_deactivated_account_get_the_same_answer() {
    let app = spawn_app().await;
    let leitung = Client::login(&app, "leitung").await;
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let fachkraft2: String =
        sqlx::query_scalar("SELECT id FROM users WHERE login = 'fachkraft2'").fetch_one(&mut *conn).await.expect("id");
    let res = leitung.call("/api/accounts/set-active", &format!("id={fachkraft2}&input[active]=false")).await;
    assert_eq!(res.status, 200, "{res:?}");

    let anonymous = Client::new(&app);
    let mut answers = Vec::new();
    for form in [
        "login=leitung&password=falsch-falsch".to_owned(),
        "login=niemand&password=falsch-falsch".to_owned(),
        format!("login=fachkraft2&password={DEMO_PASSWORD}"),
    ] {
        let res = anonymous.post_form("/auth/login", &form).await;
        assert!(res.header("set-cookie").is_none());
        answers.push((res.status, res.header("location").map(str::to_owned), res.body));
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "answers differ: {answers:?}");
    assert_eq!(answers[0].1.as_deref(), Some("/anmelden?fehler=1"));
}

#[tokio::test]
async fn too_many_failed_logins_are_answered_with_429_and_retry_after() {
    let app = spawn_app_with(Settings { cookie_secure: false, login_max_per_account: 3, ..Settings::default() }).await;
    let client = Client::new(&app);
    for _ in 0..3 {
        assert_eq!(client.post_form("/auth/login", "login=fachkraft&password=falsch-falsch").await.status, 303);
    }
    let blocked = client.post_form("/auth/login", &format!("login=fachkraft&password={DEMO_PASSWORD}")).await;
    assert_eq!(blocked.status, 429);
    let wait: u64 = blocked.header("retry-after").and_then(|v| v.parse().ok()).expect("Retry-After seconds");
    assert!(wait > 0 && wait <= 15 * 60);
    assert!(blocked.body.contains("Zu viele Anmeldeversuche"));
    assert!(blocked.header("set-cookie").is_none());
    // Another account from the same address is not blocked by this account's failures.
    assert_eq!(client.post_form("/auth/login", &format!("login=leitung&password={DEMO_PASSWORD}")).await.status, 303);
}

#[tokio::test]
async fn too_many_failures_from_one_address_are_throttled_across_accounts() {
    let app = spawn_app_with(Settings { cookie_secure: false, login_max_per_address: 4, ..Settings::default() }).await;
    let client = Client::new(&app);
    for i in 0..4 {
        client.post_form("/auth/login", &format!("login=raten{i}&password=falsch-falsch")).await;
    }
    assert_eq!(client.post_form("/auth/login", &format!("login=leitung&password={DEMO_PASSWORD}")).await.status, 429);
}

#[tokio::test]
async fn a_deactivated_accounts_open_session_is_refused_on_its_next_request() {
    let app = spawn_app().await;
    let staff = Client::login(&app, "fachkraft").await;
    assert_eq!(staff.call("/api/groups/list", "").await.status, 200);
    let admin = Client::login(&app, "admin").await;
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let id: String =
        sqlx::query_scalar("SELECT id FROM users WHERE login = 'fachkraft'").fetch_one(&mut *conn).await.expect("id");
    let res = admin.call("/api/accounts/set-active", &format!("id={id}&input[active]=false")).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(staff.call("/api/groups/list", "").await.status, 401);
    assert_eq!(staff.get("/").await.status, 303);
}

#[tokio::test]
async fn logins_and_failed_logins_are_audited_without_the_typed_secret() {
    let app = spawn_app().await;
    let before = count(&app.store, "audit_log").await;
    Client::new(&app).post_form("/auth/login", &format!("login={}&password=geheim-geheim", enc("mein passwort"))).await;
    Client::login(&app, "leitung").await;
    assert_eq!(count(&app.store, "audit_log").await, before + 2);
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let logins: Vec<String> =
        sqlx::query_scalar("SELECT actor_login FROM audit_log").fetch_all(&mut *conn).await.expect("rows");
    assert!(!logins.iter().any(|l| l.contains("passwort") || l.contains("geheim")), "{logins:?}");
}

#[tokio::test]
async fn a_password_reset_ends_the_accounts_sessions_and_the_new_password_works() {
    let app = spawn_app().await;
    let staff = Client::login(&app, "fachkraft").await;
    let admin = Client::login(&app, "admin").await;
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let id: String =
        sqlx::query_scalar("SELECT id FROM users WHERE login = 'fachkraft'").fetch_one(&mut *conn).await.expect("id");
    let short = admin.call("/api/accounts/reset-password", &format!("id={id}&input[password]=kurz")).await;
    assert_eq!(short.status, 400);
    assert_eq!(short.json()["Validation"][0]["message"], "Mindestens 10 Zeichen.");
    let res = admin.call("/api/accounts/reset-password", &format!("id={id}&input[password]=neues-passwort-1")).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(staff.call("/api/groups/list", "").await.status, 401);
    let again = Client::new(&app).post_form("/auth/login", "login=fachkraft&password=neues-passwort-1").await;
    assert_eq!(again.status, 303);
    assert!(again.header("set-cookie").is_some());
}

#[tokio::test]
async fn parallel_guesses_cannot_get_past_the_limit() {
    let app = spawn_app_with(Settings { cookie_secure: false, login_max_per_account: 3, ..Settings::default() }).await;
    let client = Client::new(&app);
    let mut guesses = Vec::new();
    for i in 0..20 {
        let client = client.clone();
        guesses.push(tokio::spawn(async move {
            client.post_form("/auth/login", &format!("login=fachkraft&password=falsch-{i:02}-falsch")).await.status
        }));
    }
    let mut checked = 0;
    for guess in guesses {
        if guess.await.expect("guess") != 429 {
            checked += 1;
        }
    }
    assert_eq!(checked, 3, "only as many passwords are checked as the limit allows");
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_proxys_own_entry_counts_not_the_clients_claim() {
    let app = spawn_app_with(Settings {
        cookie_secure: false,
        trust_proxy: true,
        login_max_per_address: 2,
        ..Settings::default()
    })
    .await;
    let client = Client::new(&app);
    let origin = client.origin();
    for i in 0..3 {
        let spoofed = format!("10.0.0.{i}, 192.0.2.7");
        let res = client
            .send(
                "POST",
                "/auth/login",
                &[
                    ("content-type", "application/x-www-form-urlencoded"),
                    ("origin", &origin),
                    ("x-forwarded-for", &spoofed),
                ],
                Some(format!("login=raten{i}&password=falsch-falsch").as_bytes()),
            )
            .await;
        assert_eq!(res.status, if i < 2 { 303 } else { 429 }, "attempt {i}");
    }
}
