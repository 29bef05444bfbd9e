//! Test harness: spawn the real application, talk HTTP to it.

use gruppenbuch_app::api::ssr::{AppState, Settings};
use gruppenbuch_app::db::Store;
use gruppenbuch_app::db::entries::NewEntry;
use gruppenbuch_app::domain::entry::{
    EntryBody, NoteBody, NoteCategory, Participant, VisitBody, VisitKind, VisitOutcome, VisitPlace,
};
use gruppenbuch_app::domain::feedback::{FeedbackKind, Mood, Recipient, Topic, ValidFeedback};
use gruppenbuch_app::domain::goal::ValidGoal;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A fresh, empty database URL: a new SQLite file, or a new database on the PostgreSQL
/// server named by `TEST_DATABASE_URL`.
pub async fn fresh_database_url() -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            use sqlx::Connection;
            let name = format!("gb_{}", uuid::Uuid::now_v7().simple());
            let mut admin = sqlx::PgConnection::connect(&url).await.expect("connect to TEST_DATABASE_URL");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create test database");
            let base = url.rsplit_once('/').map(|(b, _)| b).expect("database URL with a path");
            format!("{base}/{name}")
        }
        _ => {
            let dir = std::env::temp_dir().join(format!("gruppenbuch-test-{}", uuid::Uuid::now_v7().simple()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            format!("sqlite://{}/test.db", dir.display())
        }
    }
}

pub async fn fresh_store() -> Store {
    let store = Store::connect(&fresh_database_url().await).await.expect("open store");
    store.migrate().await.expect("migrate");
    store
}

/// A running application.
pub struct TestApp {
    pub addr: SocketAddr,
    pub store: Store,
    /// The `DATABASE_URL` of `store`.
    pub database_url: String,
}

/// Spawns the app on 127.0.0.1:0 with the demo institute seeded.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Settings { cookie_secure: false, ..Settings::default() }).await
}

pub async fn spawn_app_with(settings: Settings) -> TestApp {
    spawn_app_serving(settings, None).await
}

/// Spawns the app; with `site_root`, static files are served from that directory.
pub async fn spawn_app_serving(settings: Settings, site_root: Option<&std::path::Path>) -> TestApp {
    let database_url = fresh_database_url().await;
    let store = Store::connect(&database_url).await.expect("open store");
    store.migrate().await.expect("migrate");
    gruppenbuch_app::db::demo::seed_if_empty(&store).await.expect("seed");
    let mut leptos_options = leptos::prelude::get_configuration(None).expect("leptos configuration").leptos_options;
    if let Some(root) = site_root {
        leptos_options.site_root = root.display().to_string().into();
    }
    let state = AppState { store: store.clone(), settings: Arc::new(settings), leptos_options };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = gruppenbuch_server::router(state).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    TestApp { addr, store, database_url }
}

/// An HTTP response, decoded.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A browser-like client: keeps the session cookie, sends our own `Origin`.
#[derive(Clone)]
pub struct Client {
    pub addr: SocketAddr,
    pub cookie: Option<String>,
}

impl Client {
    pub fn new(app: &TestApp) -> Client {
        Client { addr: app.addr, cookie: None }
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send("GET", path, &[("accept", "text/html")], None).await
    }

    /// Calls a server function the way the hydrated app does.
    pub async fn call(&self, path: &str, form: &str) -> Response {
        let origin = self.origin();
        self.send(
            "POST",
            path,
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("accept", "application/json"),
                ("origin", &origin),
                ("sec-fetch-site", "same-origin"),
            ],
            Some(form.as_bytes()),
        )
        .await
    }

    /// Posts a plain HTML form.
    pub async fn post_form(&self, path: &str, form: &str) -> Response {
        let origin = self.origin();
        self.send(
            "POST",
            path,
            &[("content-type", "application/x-www-form-urlencoded"), ("origin", &origin), ("accept", "text/html")],
            Some(form.as_bytes()),
        )
        .await
    }

    /// Logs in with the demo password and keeps the session cookie.
    pub async fn login(app: &TestApp, login: &str) -> Client {
        let secret = match login {
            "jugendliche" => gruppenbuch_app::db::demo::DEMO_PIN,
            _ => gruppenbuch_app::db::demo::DEMO_PASSWORD,
        };
        Client::login_with(app, login, secret).await
    }

    /// Logs in and keeps the session cookie. Panics if the login fails.
    pub async fn login_with(app: &TestApp, login: &str, password: &str) -> Client {
        let mut client = Client::new(app);
        let res = client.post_form("/auth/login", &format!("login={login}&password={}", enc(password))).await;
        assert_eq!(res.status, 303, "login of {login} failed: {res:?}");
        let cookie = res.header("set-cookie").expect("session cookie");
        client.cookie = Some(cookie.split(';').next().unwrap_or_default().to_owned());
        client
    }

    pub async fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Response {
        let mut stream = tokio::net::TcpStream::connect(self.addr).await.expect("connect");
        let mut head = format!("{method} {path} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n", self.addr);
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(cookie) = &self.cookie {
            head.push_str(&format!("cookie: {cookie}\r\n"));
        }
        let body = body.unwrap_or_default();
        if method != "GET" {
            head.push_str(&format!("content-length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.expect("write");
        stream.write_all(body).await.expect("write body");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read");
        parse_response(&raw)
    }
}

fn parse_response(raw: &[u8]) -> Response {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 =
        lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Response { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16).unwrap_or(0);
        data = &data[line_end + 2..];
        if size == 0 || data.len() < size {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[(size + 2).min(data.len())..];
    }
    out
}

/// Percent-encodes a form value.
pub fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Ids of the demo fixtures.
pub struct Fixtures {
    pub own_group: String,
    pub foreign_group: String,
    pub own_youth: String,
    pub foreign_youth: String,
    /// Mia's demo note and visit, and one of her goals.
    pub own_note: String,
    pub own_visit: String,
    pub own_goal: String,
    /// A note, a visit and a goal of Noah (FWG Lindenhof), made here.
    pub foreign_note: String,
    pub foreign_visit: String,
    pub foreign_goal: String,
    /// Submissions (Beteiligung und Beschwerde), stored directly: of the own group one
    /// named by Mia to the group, and one anonymous past the group to the Fachberatung;
    /// of the foreign group one anonymous to the group and one anonymous to the
    /// Fachberatung.
    pub own_feedback: String,
    pub own_feedback_past: String,
    pub foreign_feedback: String,
    pub foreign_feedback_past: String,
    /// The pickup codes of `own_feedback_past` and `foreign_feedback_past`.
    pub own_pickup: String,
    pub foreign_pickup: String,
    /// Incidents: one of Mia (reported by `fachkraft`), one of Noah (by `fachkraft2`).
    pub own_incident: String,
    pub foreign_incident: String,
    /// The tokens of the groups' public links (`/mitreden/<token>`).
    pub own_link: String,
    pub foreign_link: String,
}

/// Pickup codes of the anonymous fixture submissions.
pub const OWN_PICKUP_PAST: &str = "MTRX-WGSS-2345";
pub const FOREIGN_PICKUP: &str = "MTRX-WGFG-6789";
pub const FOREIGN_PICKUP_PAST: &str = "MTRX-WGFB-6789";

/// A complete visit form (as `input[...]` pairs) for a young person.
pub fn visit_form(id: &str, youth: &str) -> String {
    format!(
        "input[id]={id}&input[youth_id]={youth}&input[date]={}&input[time]=15:00&input[kind]=besuch\
         &input[place]=wohngruppe&input[participants][0]=mutter&input[supervised]=nein&input[outcome]=stattgefunden",
        today()
    )
}

/// A complete incident form for one young person.
pub fn incident_form(id: &str, youth: &str, what: &str) -> String {
    format!(
        "input[id]={id}&input[youth_ids][0]={youth}&input[date]={}&input[time]=14:05&input[category]=entweichung\
         &input[what]={}&input[informed][0]=polizei",
        today(),
        enc(what)
    )
}

/// Stores an incident directly (as the report would), reported by `author` in `group`.
pub async fn incident_fixture(store: &Store, group: &str, youth: &str, author: &str, what: &str) -> String {
    use gruppenbuch_app::domain::incident::{IncidentBody, IncidentCategory, Informed, ValidIncident};
    let id = new_id();
    let incident = ValidIncident {
        id: id.clone(),
        youth_ids: vec![youth.to_owned()],
        date: chrono::NaiveDate::parse_from_str(&today(), "%Y-%m-%d").expect("today"),
        time: "14:05".into(),
        category: IncidentCategory::Missing,
        body: IncidentBody { what: what.into(), measures: String::new(), informed: vec![Informed::Police] },
    };
    let mut tx = store.begin().await.expect("tx");
    gruppenbuch_app::db::incidents::insert(&mut tx, &incident, group, author).await.expect("incident");
    tx.commit().await.expect("commit");
    id
}

/// A complete note form for a subject (a young person's id or `gruppe:<id>`).
pub fn note_form(id: &str, subject: &str, text: &str) -> String {
    format!(
        "input[id]={id}&input[subject]={subject}&input[date]={}&input[category]=schule&input[text]={}",
        today(),
        enc(text)
    )
}

/// Today in Europe/Berlin, as the server sees it.
pub fn today() -> String {
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Berlin).date_naive().to_string()
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A fresh pickup code (`ABCD-EFGH-JKMN` form), as a device makes one.
pub fn random_pickup() -> String {
    let random = gruppenbuch_app::auth::session::new_token();
    gruppenbuch_app::domain::feedback::pickup_from_random(random.as_bytes()).expect("pickup code")
}

/// The server's key for sealed outbox items.
pub async fn outbox_key(app: &TestApp) -> gruppenbuch_app::db::keys::OutboxKey {
    let mut conn = app.store.pool().acquire().await.expect("conn");
    gruppenbuch_app::db::keys::outbox_key(&mut conn).await.expect("outbox key")
}

/// The account id of a login.
pub async fn user_id(app: &TestApp, login: &str) -> String {
    let mut conn = app.store.pool().acquire().await.expect("conn");
    sqlx::query_scalar("SELECT id FROM users WHERE login = $1").bind(login).fetch_one(&mut *conn).await.expect("user")
}

/// What a device's outbox sends for a sealed item (`SealedInput` as `input[...]` pairs).
pub fn sealed_form(
    key: &gruppenbuch_app::db::keys::OutboxKey,
    id: &str,
    kind: &str,
    payload: &serde_json::Value,
) -> String {
    let (epk, iv, ct) =
        gruppenbuch_app::sealing::seal(&key.public_key, id, kind, payload.to_string().as_bytes()).expect("seal");
    format!(
        "input[id]={id}&input[kind]={kind}&input[key_id]={}&input[epk]={epk}&input[iv]={iv}&input[ct]={ct}",
        key.key_id
    )
}

/// A submission stored directly (as `api::feedback` would after opening it): named when
/// `author` (account id, young person's id) is given, else anonymous with `pickup`.
async fn feedback_fixture(
    store: &Store,
    group: &str,
    author: Option<(&str, &str)>,
    recipient: Recipient,
    pickup: Option<&str>,
    text: &str,
) -> String {
    use gruppenbuch_app::auth::session::token_hash;
    use gruppenbuch_app::db::feedback::{NewFeedback, Stored, insert};
    let device_id = new_id();
    let feedback = ValidFeedback {
        id: device_id.clone(),
        kind: FeedbackKind::Complaint,
        topic: Topic::Food,
        mood: Some(Mood::Bad),
        text: text.to_owned(),
        recipient,
        anonymous: author.is_none(),
        pickup_code: pickup.map(str::to_owned),
    };
    let pickup_hash = pickup.map(token_hash);
    let day = chrono::NaiveDate::parse_from_str(&today(), "%Y-%m-%d").expect("today");
    let new = NewFeedback {
        feedback: &feedback,
        group_id: group,
        author_id: author.map(|a| a.0),
        youth_id: author.map(|a| a.1),
        device_key: &token_hash(&device_id),
        content_hash: &token_hash(text),
        pickup_hash: pickup_hash.as_deref(),
        today: day,
    };
    let mut conn = store.pool().acquire().await.expect("conn");
    match insert(&mut conn, new).await.expect("feedback fixture") {
        Stored::Created(id) => id,
        other => panic!("feedback fixture not created: {other:?}"),
    }
}

pub async fn fixtures(store: &Store) -> Fixtures {
    let mut conn = store.pool().acquire().await.expect("conn");
    let group =
        |name: &'static str| sqlx::query_scalar::<_, String>("SELECT id FROM groups WHERE name = $1").bind(name);
    let own_group = group("FWG Sonnenhaus").fetch_one(&mut *conn).await.expect("own group");
    let foreign_group = group("FWG Lindenhof").fetch_one(&mut *conn).await.expect("foreign group");
    let youth = |first: &'static str| {
        sqlx::query_scalar::<_, String>("SELECT id FROM youths WHERE first_name = $1").bind(first)
    };
    let own_youth = youth("Mia").fetch_one(&mut *conn).await.expect("own youth");
    let foreign_youth = youth("Noah").fetch_one(&mut *conn).await.expect("foreign youth");
    let entry = |kind: &'static str, youth: String| {
        sqlx::query_scalar::<_, String>("SELECT id FROM entries WHERE kind = $1 AND youth_id = $2 ORDER BY id LIMIT 1")
            .bind(kind)
            .bind(youth)
    };
    let own_note = entry("note", own_youth.clone()).fetch_one(&mut *conn).await.expect("own note");
    let own_visit = entry("visit", own_youth.clone()).fetch_one(&mut *conn).await.expect("own visit");
    let own_goal = sqlx::query_scalar::<_, String>("SELECT id FROM goals WHERE youth_id = $1 ORDER BY id LIMIT 1")
        .bind(&own_youth)
        .fetch_one(&mut *conn)
        .await
        .expect("own goal");
    let foreign_staff = sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE login = 'fachkraft2'")
        .fetch_one(&mut *conn)
        .await
        .expect("foreign staff");
    let foreign = |body: EntryBody| {
        let (store, group, youth, staff) =
            (store.clone(), foreign_group.clone(), foreign_youth.clone(), foreign_staff.clone());
        async move {
            let mut tx = store.begin().await.expect("tx");
            let id = new_id();
            let day = chrono::NaiveDate::parse_from_str(&today(), "%Y-%m-%d").expect("today");
            let entry = NewEntry {
                id: &id,
                group_id: &group,
                youth_id: Some(&youth),
                date: day,
                body: &body,
                author_id: &staff,
            };
            gruppenbuch_app::db::entries::insert(&mut tx, entry).await.expect("foreign entry");
            tx.commit().await.expect("commit");
            id
        }
    };
    let foreign_note = foreign(EntryBody::Note(NoteBody {
        category: NoteCategory::Leisure,
        text: "Noah Schulz beim Fußball".into(),
        important: false,
        goal_ids: vec![],
    }))
    .await;
    let foreign_visit = foreign(EntryBody::Visit(VisitBody {
        time: "10:00".into(),
        kind: VisitKind::Call,
        place: VisitPlace::Group,
        participants: vec![Participant::Father],
        participants_other: String::new(),
        supervised: false,
        supervised_by: String::new(),
        outcome: VisitOutcome::Held,
        mood_before: None,
        mood_before_text: String::new(),
        mood_after: None,
        mood_after_text: String::new(),
        notes: "Telefonat mit Herrn Schulz".into(),
    }))
    .await;
    let foreign_goal = gruppenbuch_app::db::goals::insert(
        &mut conn,
        &ValidGoal {
            youth_id: foreign_youth.clone(),
            title: "Noahs Ziel".into(),
            description: String::new(),
            review_on: None,
        },
    )
    .await
    .expect("foreign goal");
    let mia_account = sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE login = 'jugendliche'")
        .fetch_one(&mut *conn)
        .await
        .expect("Mia's account");
    let own_feedback = feedback_fixture(
        store,
        &own_group,
        Some((&mia_account, &own_youth)),
        Recipient::Group,
        None,
        "Matrix: Das Essen am Wochenende",
    )
    .await;
    let own_feedback_past = feedback_fixture(
        store,
        &own_group,
        None,
        Recipient::Advisor,
        Some(OWN_PICKUP_PAST),
        "Matrix: Beschwerde an die Fachberatung",
    )
    .await;
    let foreign_feedback = feedback_fixture(
        store,
        &foreign_group,
        None,
        Recipient::Group,
        Some(FOREIGN_PICKUP),
        "Matrix: Lindenhof Gruppe",
    )
    .await;
    let foreign_feedback_past = feedback_fixture(
        store,
        &foreign_group,
        None,
        Recipient::Advisor,
        Some(FOREIGN_PICKUP_PAST),
        "Matrix: Lindenhof Fachberatung",
    )
    .await;
    let own_staff = sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE login = 'fachkraft'")
        .fetch_one(&mut *conn)
        .await
        .expect("own staff");
    let own_incident =
        incident_fixture(store, &own_group, &own_youth, &own_staff, "Matrix: Mia kam nicht vom Sport zurück").await;
    let foreign_incident =
        incident_fixture(store, &foreign_group, &foreign_youth, &foreign_staff, "Matrix: Noah Schulz abgängig").await;
    let own_link = gruppenbuch_app::db::feedback::group_token(&mut conn, &own_group).await.expect("own link");
    let foreign_link =
        gruppenbuch_app::db::feedback::group_token(&mut conn, &foreign_group).await.expect("foreign link");
    Fixtures {
        own_group,
        foreign_group,
        own_youth,
        foreign_youth,
        own_note,
        own_visit,
        own_goal,
        foreign_note,
        foreign_visit,
        foreign_goal,
        own_feedback,
        own_feedback_past,
        foreign_feedback,
        foreign_feedback_past,
        own_pickup: OWN_PICKUP_PAST.to_owned(),
        foreign_pickup: FOREIGN_PICKUP_PAST.to_owned(),
        own_incident,
        foreign_incident,
        own_link,
        foreign_link,
    }
}

pub async fn count(store: &Store, table: &str) -> i64 {
    let mut conn = store.pool().acquire().await.expect("conn");
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut *conn).await.expect("count")
}
