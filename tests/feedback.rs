//! Participation and complaints (Beteiligung und Beschwerde) through the real server:
//! what went past the group stays with the Fachberatung, anonymous means anonymous, the
//! public link and the pickup code work without a session and are rate-limited, and the
//! young people's PIN, login card and "Meine Rechte" page.

use crate::common::OutboxKey;
use crate::common::{
    Client, TestApp, count, enc, fixtures, new_id, outbox_key, random_pickup, sealed_form, spawn_app, spawn_app_with,
    today, user_id,
};
use gruppenbuch_app::api::ssr::Settings;
use gruppenbuch_app::auth::session::token_hash;
use serde_json::{Value, json};

const DELIVER: &str = "/api/feedback/deliver";
const LIST: &str = "/api/feedback/list";

/// A named complaint as the form collects it.
fn complaint(id: &str, recipient: &str, text: &str) -> Value {
    json!({
        "id": id,
        "kind": "beschwerde",
        "topic": "behandlung",
        "mood": "schlecht",
        "text": text,
        "recipient": recipient,
    })
}

/// What the young person's device sends: the form sealed with their account.
fn from_account(key: &OutboxKey, author: &str, feedback: &Value) -> String {
    let id = feedback["id"].as_str().expect("id");
    sealed_form(key, id, "feedback", &json!({ "author_id": author, "feedback": feedback }))
}

/// What a device sends from a group's public link (no account).
fn from_link(key: &OutboxKey, token: &str, feedback: &Value) -> String {
    let id = feedback["id"].as_str().expect("id");
    sealed_form(key, id, "feedback", &json!({ "group_token": token, "feedback": feedback }))
}

/// An anonymous submission from the link form.
fn link_form(id: &str, code: &str) -> Value {
    json!({
        "id": id,
        "kind": "beschwerde",
        "topic": "rechte",
        "text": "Wir dürfen abends nicht telefonieren.",
        "pickup_code": code,
    })
}

/// The entry with `id` in a JSON list of submissions.
fn find(list: &Value, id: &str) -> Option<Value> {
    list.as_array().expect("a list").iter().find(|v| v["id"] == id).cloned()
}

async fn rows_with(app: &TestApp, id: &str) -> i64 {
    let mut conn = app.store.pool().acquire().await.expect("conn");
    sqlx::query_scalar("SELECT COUNT(*) FROM feedback WHERE id = $1").bind(id).fetch_one(&mut *conn).await.expect("n")
}

async fn scalar_i64(app: &TestApp, sql: &str, bind: &str) -> i64 {
    let mut conn = app.store.pool().acquire().await.expect("conn");
    sqlx::query_scalar(sql).bind(bind).fetch_one(&mut *conn).await.expect("query")
}

async fn scalar_text(app: &TestApp, sql: &str, bind: &str) -> String {
    let mut conn = app.store.pool().acquire().await.expect("conn");
    sqlx::query_scalar(sql).bind(bind).fetch_one(&mut *conn).await.expect("query")
}

fn answer_form(id: &str, status: &str, answer: &str) -> String {
    format!("id={id}&input[status]={status}&input[answer]={}", enc(answer))
}

#[tokio::test]
async fn a_named_complaint_past_the_group_is_seen_and_answered_by_its_fachberatung_only() {
    let app = spawn_app().await;
    let youth = Client::login(&app, "jugendliche").await;
    let key = outbox_key(&app).await;
    let mia = user_id(&app, "jugendliche").await;
    let id = new_id();
    let text = "Ich darf nie mit zum Ausflug.";
    let sent = from_account(&key, &mia, &complaint(&id, "fachberatung", text));
    let res = youth.call(DELIVER, &sent).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!((res.json()["id"].as_str(), res.json()["duplicate"].as_bool()), (Some(id.as_str()), Some(false)));
    // A lost receipt: the device sends the same item once more.
    let again = youth.call(DELIVER, &sent).await;
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!((again.json()["id"].as_str(), again.json()["duplicate"].as_bool()), (Some(id.as_str()), Some(true)));
    assert_eq!(rows_with(&app, &id).await, 1);
    // Something else under the same id is a conflict, never a silent "sent".
    let other = youth.call(DELIVER, &from_account(&key, &mia, &complaint(&id, "fachberatung", "Anders"))).await;
    assert_eq!(other.status, 409, "{other:?}");
    assert_eq!(rows_with(&app, &id).await, 1);
    // Only her account delivers what she sealed: 401 without a session, and an item
    // sealed by another account is refused with 409 (a shared phone).
    let foreign_item = complaint(&new_id(), "fachberatung", text);
    assert_eq!(Client::new(&app).call(DELIVER, &from_account(&key, &mia, &foreign_item)).await.status, 401);
    let staff_id = user_id(&app, "fachkraft").await;
    let res = youth.call(DELIVER, &from_account(&key, &staff_id, &foreign_item)).await;
    assert_eq!(res.status, 409, "{res:?}");
    assert!(res.body.contains("anderen Konto"), "{}", res.body);
    assert_eq!(rows_with(&app, foreign_item["id"].as_str().unwrap_or_default()).await, 0);
    // A named submission is in the audit log as hers.
    let created =
        "SELECT COUNT(*) FROM audit_log WHERE actor_login = 'jugendliche' AND action = 'create' AND record_id = $1";
    assert_eq!(scalar_i64(&app, created, &id).await, 1);

    // The group's staff cannot learn that it exists.
    let staff = Client::login(&app, "fachkraft").await;
    let list = staff.call(LIST, "input[status]=").await;
    assert_eq!(list.status, 200, "{list:?}");
    assert!(!list.body.contains(&id), "{}", list.body);
    let hidden = staff.call("/api/feedback/get", &format!("id={id}")).await;
    let unknown = staff.call("/api/feedback/get", &format!("id={}", new_id())).await;
    assert_eq!(hidden.status, 404, "{hidden:?}");
    assert_eq!((hidden.status, &hidden.body), (unknown.status, &unknown.body));
    let res = staff.call("/api/feedback/answer", &answer_form(&id, "beantwortet", "Von der Gruppe")).await;
    assert_eq!(res.status, 404, "{res:?}");
    assert_eq!(staff.call("/api/feedback/counts", "id=").await.status, 403);

    // The Fachberatung of the group sees it, with the name.
    let advisor = Client::login(&app, "fachberatung").await;
    let list = advisor.call(LIST, "input[status]=").await;
    assert_eq!(list.status, 200, "{list:?}");
    let item = find(&list.json(), &id).expect("listed for the Fachberatung");
    assert_eq!(item["author"], "Mia");
    assert_eq!(item["recipient"], "fachberatung");
    assert_eq!(item["anonymous"], false);
    let detail = advisor.call("/api/feedback/get", &format!("id={id}")).await;
    assert_eq!(detail.status, 200, "{detail:?}");
    assert_eq!(detail.json()["text"], text);
    let counts = advisor.call("/api/feedback/counts", "id=").await;
    assert_eq!(counts.status, 200, "{counts:?}");
    let groups = counts.json()["groups"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = groups.iter().filter_map(|g| g["group_name"].as_str()).collect();
    assert_eq!(names, ["FWG Sonnenhaus"], "Fachberatung counts only their own groups");
    let row = groups[0]["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["kind"] == "beschwerde" && r["topic"] == "behandlung").cloned())
        .expect("a count row");
    assert_eq!(row["by_status"], json!([1, 0, 0, 0]));

    // The Fachberatung of another group does not.
    let other_advisor = Client::login(&app, "fachberatung2").await;
    let list = other_advisor.call(LIST, "input[status]=").await;
    assert_eq!(list.status, 200);
    assert!(!list.body.contains(&id), "{}", list.body);
    let res = other_advisor.call("/api/feedback/get", &format!("id={id}")).await;
    assert_eq!((res.status, &res.body), (unknown.status, &unknown.body));

    // The Fachberatung answers; the young person reads it.
    let reply = "Danke, dass du das geschrieben hast. Ich komme am Donnerstag vorbei.";
    let before = chrono::Utc::now().timestamp_millis();
    let res = advisor.call("/api/feedback/answer", &answer_form(&id, "beantwortet", reply)).await;
    assert!(res.status < 400, "{res:?}");
    let after = chrono::Utc::now().timestamp_millis();
    let mine = youth.call("/api/feedback/mine", "").await;
    assert_eq!(mine.status, 200, "{mine:?}");
    let item = find(&mine.json(), &id).expect("among her messages");
    assert_eq!(item["status"], "beantwortet");
    assert_eq!(item["text"], text);
    assert_eq!(item["steps"][0]["answer"], reply);
    assert_eq!(item["steps"][0]["by"], "der Fachberatung");

    // Who answered and when: the detail names the person, the database the account.
    let detail = advisor.call("/api/feedback/get", &format!("id={id}")).await.json();
    assert_eq!(detail["status"], "beantwortet");
    let step = &detail["steps"][0];
    assert_eq!(step["by"], "Frank Berater");
    let at = step["at"].as_i64().expect("at");
    assert!((before..=after).contains(&at), "{at} not in {before}..={after}");
    let advisor_id = user_id(&app, "fachberatung").await;
    let mut conn = app.store.pool().acquire().await.expect("conn");
    // actor, role, status, answer, at
    type Event = (String, String, Option<String>, Option<String>, i64);
    let events: Vec<Event> =
        sqlx::query_as("SELECT actor_id, actor_role, status, answer, at FROM feedback_events WHERE feedback_id = $1")
            .bind(&id)
            .fetch_all(&mut *conn)
            .await
            .expect("events");
    assert_eq!(
        events,
        [(advisor_id, "fachberatung".to_owned(), Some("beantwortet".to_owned()), Some(reply.to_owned()), at)]
    );
    // The history of steps cannot be rewritten, not even by the application's database user.
    let rewrite = sqlx::query("UPDATE feedback_events SET answer = 'x' WHERE feedback_id = $1")
        .bind(&id)
        .execute(&mut *conn)
        .await;
    assert!(rewrite.is_err(), "feedback steps are append-only");
    drop(conn);
    let audit =
        "SELECT COUNT(*) FROM audit_log WHERE actor_login = 'fachberatung' AND action = 'update' AND record_id = $1";
    assert_eq!(scalar_i64(&app, audit, &id).await, 1);
}

#[tokio::test]
async fn a_submission_to_the_group_is_handled_by_the_groups_staff() {
    let app = spawn_app().await;
    let youth = Client::login(&app, "jugendliche").await;
    let key = outbox_key(&app).await;
    let mia = user_id(&app, "jugendliche").await;
    let id = new_id();
    let mut wish = complaint(&id, "gruppe", "Mehr Taschengeld für Ausflüge");
    wish["kind"] = json!("beteiligung");
    wish["topic"] = json!("taschengeld");
    let res = youth.call(DELIVER, &from_account(&key, &mia, &wish)).await;
    assert_eq!(res.status, 200, "{res:?}");

    let staff = Client::login(&app, "fachkraft").await;
    let item = find(&staff.call(LIST, "input[status]=").await.json(), &id).expect("listed for the group's staff");
    assert_eq!(item["author"], "Mia");
    assert_eq!(item["recipient"], "gruppe");
    let detail = staff.call("/api/feedback/get", &format!("id={id}")).await;
    assert_eq!(detail.status, 200, "{detail:?}");
    assert_eq!(detail.json()["can_answer"], true);
    let reply = "Das besprechen wir am Sonntag in der Gruppenrunde.";
    let res = staff.call("/api/feedback/answer", &answer_form(&id, "in_bearbeitung", reply)).await;
    assert!(res.status < 400, "{res:?}");
    // Only open ones, and by status.
    assert!(staff.call(LIST, "input[status]=offen").await.body.contains(&id));
    assert!(staff.call(LIST, "input[status]=in_bearbeitung").await.body.contains(&id));
    assert!(!staff.call(LIST, "input[status]=erledigt").await.body.contains(&id));

    let mine = find(&youth.call("/api/feedback/mine", "").await.json(), &id).expect("among her messages");
    assert_eq!(mine["status"], "in_bearbeitung");
    assert_eq!(mine["steps"][0]["answer"], reply);
    assert_eq!(mine["steps"][0]["by"], "deiner Wohngruppe");

    // Staff of another group do not see it.
    let other = Client::login(&app, "fachkraft2").await;
    assert_eq!(other.call("/api/feedback/get", &format!("id={id}")).await.status, 404);
    assert!(!other.call(LIST, "input[status]=").await.body.contains(&id));
}

#[tokio::test]
async fn an_anonymous_submission_keeps_nothing_that_names_the_sender() {
    let app = spawn_app().await;
    let youth = Client::login(&app, "jugendliche").await;
    let key = outbox_key(&app).await;
    let mia = user_id(&app, "jugendliche").await;
    let device_id = new_id();
    let code = "ABCD-EFGH-JKMN";
    let mut anonymous_complaint = complaint(&device_id, "fachberatung", "Im Bad ist es immer kalt.");
    anonymous_complaint["anonymous"] = json!("ja");
    anonymous_complaint["pickup_code"] = json!(code);
    let res = youth.call(DELIVER, &from_account(&key, &mia, &anonymous_complaint)).await;
    assert_eq!(res.status, 200, "{res:?}");
    // The device needs no id: it has the pickup code.
    assert_eq!(res.json()["id"], "");
    assert_eq!(res.json()["duplicate"], false);

    let mut conn = app.store.pool().acquire().await.expect("conn");
    type Stored = (String, Option<String>, Option<String>, String, i64, i64, Option<String>);
    let (id, author, youth_id, received_on, listed_at, updated_at, pickup_hash): Stored = sqlx::query_as(
        "SELECT id, author_id, youth_id, received_on, listed_at, updated_at, pickup_hash FROM feedback \
         WHERE device_key = $1",
    )
    .bind(token_hash(&device_id))
    .fetch_one(&mut *conn)
    .await
    .expect("stored once");
    assert_eq!((author, youth_id), (None, None));
    assert_ne!(id, device_id);
    assert_eq!(uuid::Uuid::parse_str(&id).expect("uuid").get_version_num(), 4, "a random id, not a time-ordered one");
    assert_eq!(received_on, today());
    let midnight = {
        use chrono::TimeZone;
        let day = chrono::NaiveDate::parse_from_str(&received_on, "%Y-%m-%d").expect("day");
        chrono_tz::Europe::Berlin
            .from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"))
            .earliest()
            .expect("Berlin midnight")
            .timestamp_millis()
    };
    assert_eq!((listed_at, updated_at), (midnight, midnight), "no time of day");
    let keyed = gruppenbuch_app::api::submissions::ssr::pickup_hash(&app.settings, code);
    assert_eq!(pickup_hash, Some(keyed), "the code is kept only hashed, keyed with the server's secret");
    assert!(!pickup_hash.unwrap_or_default().contains(&token_hash(code)));
    drop(conn);
    // No audit row links her account to it: none by her about it, no creation at all.
    let by_her = "SELECT COUNT(*) FROM audit_log WHERE actor_login = 'jugendliche' AND record_id = $1";
    assert_eq!(scalar_i64(&app, by_her, &id).await, 0);
    let created = "SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND record_id = $1";
    assert_eq!(scalar_i64(&app, created, &id).await, 0);
    let any = "SELECT COUNT(*) FROM audit_log WHERE actor_id = $1 AND record_kind = 'feedback'";
    assert_eq!(scalar_i64(&app, any, &mia).await, 0);
    // It is not among her named messages either.
    let mine = youth.call("/api/feedback/mine", "").await;
    assert_eq!(mine.status, 200);
    assert_eq!(mine.json(), json!([]));

    // The Fachberatung handles it without a name.
    let advisor = Client::login(&app, "fachberatung").await;
    let item = find(&advisor.call(LIST, "input[status]=").await.json(), &id).expect("listed");
    assert_eq!((item["anonymous"].as_bool(), item["author"].is_null()), (Some(true), true));
    let detail = advisor.call("/api/feedback/get", &format!("id={id}")).await.json();
    assert!(detail["author"].is_null(), "{detail}");
    assert_eq!(detail["text"], "Im Bad ist es immer kalt.");
    let reply = "Danke! Der Hausmeister schaut sich die Heizung an.";
    let res = advisor.call("/api/feedback/answer", &answer_form(&id, "beantwortet", reply)).await;
    assert!(res.status < 400, "{res:?}");

    // Whoever has the code reads the answer, without a session (typed in any case).
    let anonymous = Client::new(&app);
    let res = anonymous.call("/api/feedback/pickup", &format!("input[code]={}", enc("abcd efgh jkmn"))).await;
    assert_eq!(res.status, 200, "{res:?}");
    let view = res.json();
    assert_eq!(view["status"], "beantwortet");
    assert_eq!(view["steps"][0]["answer"], reply);
    assert_eq!(view["steps"][0]["by"], "der Fachberatung");
    assert!(view["author"].is_null());
    // A wrong code gets the same answer as one that never existed; a code that cannot be
    // one is told its shape.
    let wrong = anonymous.call("/api/feedback/pickup", "input[code]=ABCD-EFGH-JKMP").await;
    let unknown = anonymous.call("/api/feedback/pickup", "input[code]=ZZZZ-ZZZZ-ZZZZ").await;
    assert_eq!(wrong.status, 400, "{wrong:?}");
    assert_eq!((wrong.status, &wrong.body), (unknown.status, &unknown.body));
    assert_eq!(
        wrong.json()["Validation"][0]["message"],
        "Zu diesem Code haben wir nichts gefunden. Bitte prüf deinen Code."
    );
    let malformed = anonymous.call("/api/feedback/pickup", "input[code]=ABC").await;
    assert_eq!(malformed.status, 400, "{malformed:?}");
    let message = malformed.json()["Validation"][0]["message"].as_str().unwrap_or_default().to_owned();
    assert!(message.starts_with("Ein Abholcode hat 12 Zeichen"), "{message}");
}

#[tokio::test]
async fn the_public_link_delivers_to_the_fachberatung_without_a_session() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let key = outbox_key(&app).await;
    let advisor = Client::login(&app, "fachberatung").await;
    let link = advisor.call("/api/feedback/group-link", &format!("id={}", fx.own_group)).await;
    assert_eq!(link.status, 200, "{link:?}");
    let link = link.json();
    assert_eq!(link["group_name"], "FWG Sonnenhaus");
    assert!(link["qr_svg"].as_str().unwrap_or_default().contains("<svg"));
    let url = link["url"].as_str().expect("url");
    let token = url.rsplit_once("/mitreden/").map(|(_, t)| t.to_owned()).expect("a /mitreden/ link");
    assert_eq!(token, fx.own_link);

    let device = Client::new(&app);
    let form = device.call("/api/feedback/link-form", &format!("id={token}")).await;
    assert_eq!(form.status, 200, "{form:?}");
    assert_eq!(form.json()["group_name"], "FWG Sonnenhaus");
    assert_eq!(form.json()["outbox_key"], format!("{}.{}", key.key_id, key.public_key));
    assert!(form.json()["author_id"].is_null());

    let before = count(&app.store, "feedback").await;
    let id = new_id();
    let res = device.call(DELIVER, &from_link(&key, &token, &link_form(&id, &random_pickup()))).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!((res.json()["id"].as_str(), res.json()["duplicate"].as_bool()), (Some(""), Some(false)));
    assert_eq!(count(&app.store, "feedback").await, before + 1);
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let (row_id, group, recipient, anonymous, author): (String, String, String, i64, Option<String>) =
        sqlx::query_as("SELECT id, group_id, recipient, anonymous, author_id FROM feedback WHERE device_key = $1")
            .bind(token_hash(&id))
            .fetch_one(&mut *conn)
            .await
            .expect("stored");
    drop(conn);
    assert_eq!(
        (group.as_str(), recipient.as_str(), anonymous, author),
        (fx.own_group.as_str(), "fachberatung", 1, None)
    );
    assert!(advisor.call(LIST, "input[status]=").await.body.contains(&row_id));
    let staff = Client::login(&app, "fachkraft").await;
    assert!(!staff.call(LIST, "input[status]=").await.body.contains(&row_id));

    // A link that names no group: a friendly 400, and nothing is stored.
    let first = if token.starts_with('A') { 'B' } else { 'A' };
    let tampered = format!("{first}{}", &token[1..]);
    let res = device.call(DELIVER, &from_link(&key, &tampered, &link_form(&new_id(), &random_pickup()))).await;
    assert_eq!(res.status, 400, "{res:?}");
    assert!(res.body.contains("Dieser Link stimmt nicht"), "{}", res.body);
    let res = device.call("/api/feedback/link-form", &format!("id={tampered}")).await;
    assert_eq!(res.status, 400, "{res:?}");
    assert!(res.body.contains("Dieser Link stimmt nicht"), "{}", res.body);
    assert_eq!(count(&app.store, "feedback").await, before + 1);
}

#[tokio::test]
async fn the_public_link_and_the_pickup_are_rate_limited_per_address() {
    let settings = Settings {
        cookie_secure: false,
        feedback_max_per_address: 3,
        pickup_max_per_address: 3,
        ..Settings::default()
    };
    let app = spawn_app_with(settings).await;
    let fx = fixtures(&app).await;
    let key = outbox_key(&app).await;
    let device = Client::new(&app);
    let codes: Vec<String> = (0..4).map(|_| random_pickup()).collect();
    for code in &codes[..3] {
        let res = device.call(DELIVER, &from_link(&key, &fx.own_link, &link_form(&new_id(), code))).await;
        assert_eq!(res.status, 200, "{res:?}");
    }
    let before = count(&app.store, "feedback").await;
    let id = new_id();
    let flood = device.call(DELIVER, &from_link(&key, &fx.own_link, &link_form(&id, &codes[3]))).await;
    assert_eq!(flood.status, 429, "{flood:?}");
    assert!(flood.header("retry-after").and_then(|v| v.parse::<u64>().ok()).is_some_and(|s| s > 0));
    assert_eq!(count(&app.store, "feedback").await, before);
    assert_eq!(scalar_i64(&app, "SELECT COUNT(*) FROM feedback WHERE device_key = $1", &token_hash(&id)).await, 0);

    // Guessing pickup codes: after the limit of wrong ones, even a right one waits.
    let right = format!("input[code]={}", codes[0]);
    assert_eq!(device.call("/api/feedback/pickup", &right).await.status, 200);
    for _ in 0..3 {
        let res = device.call("/api/feedback/pickup", &format!("input[code]={}", random_pickup())).await;
        assert_eq!(res.status, 400, "{res:?}");
    }
    let res = device.call("/api/feedback/pickup", &right).await;
    assert_eq!(res.status, 429, "{res:?}");
    // Counted per client address (not for everyone at once).
    let counted = "SELECT COUNT(*) FROM login_failures WHERE throttle_key = $1";
    assert_eq!(scalar_i64(&app, counted, "feedback:127.0.0.1").await, 3);
    assert_eq!(scalar_i64(&app, counted, "pickup:127.0.0.1").await, 3);

    // Per link too: the same address still reaches another group's link.
    let other = device.call(DELIVER, &from_link(&key, &fx.foreign_link, &link_form(&new_id(), &random_pickup()))).await;
    assert_eq!(other.status, 200, "{other:?}");
}

#[tokio::test]
async fn parallel_pickup_guesses_do_not_pass_the_limit() {
    let settings = Settings { cookie_secure: false, pickup_max_per_address: 3, ..Settings::default() };
    let app = spawn_app_with(settings).await;
    let device = Client::new(&app);
    let guesses: Vec<_> = (0..12)
        .map(|_| {
            let device = device.clone();
            tokio::spawn(async move {
                device.call("/api/feedback/pickup", &format!("input[code]={}", random_pickup())).await.status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for guess in guesses {
        statuses.push(guess.await.expect("guess"));
    }
    let answered = statuses.iter().filter(|s| **s == 400).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((answered, refused), (3, 9), "{statuses:?}");
    let counted = "SELECT COUNT(*) FROM login_failures WHERE throttle_key = $1";
    assert_eq!(scalar_i64(&app, counted, "pickup:127.0.0.1").await, 3);
}

#[tokio::test]
async fn pickup_codes_are_stored_keyed_and_hashes_from_before_are_converted_at_start() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let key = outbox_key(&app).await;
    let device = Client::new(&app);
    let code = random_pickup();
    let res = device.call(DELIVER, &from_link(&key, &fx.own_link, &link_form(&new_id(), &code))).await;
    assert_eq!(res.status, 200, "{res:?}");
    let stored: Vec<String> = {
        let mut conn = app.store.pool().acquire().await.expect("conn");
        sqlx::query_scalar("SELECT pickup_hash FROM feedback WHERE pickup_hash IS NOT NULL")
            .fetch_all(&mut *conn)
            .await
            .expect("hashes")
    };
    let normalized = gruppenbuch_app::domain::feedback::normalize_pickup(&code).expect("code");
    let unkeyed = token_hash(&normalized);
    let keyed = gruppenbuch_app::api::submissions::ssr::pickup_hash(&app.settings, &normalized);
    assert!(stored.contains(&keyed), "{stored:?}");
    assert!(stored.iter().all(|h| h.starts_with("h1:") && !h.contains(&unkeyed)), "{stored:?}");
    // A row from before keyed hashing: SHA-256 of the code. Start-up converts it.
    {
        let mut conn = app.store.pool().acquire().await.expect("conn");
        sqlx::query("UPDATE feedback SET pickup_hash = $1 WHERE pickup_hash = $2")
            .bind(&unkeyed)
            .bind(&keyed)
            .execute(&mut *conn)
            .await
            .expect("update");
        assert_eq!(device.call("/api/feedback/pickup", &format!("input[code]={code}")).await.status, 400);
        let converted =
            gruppenbuch_app::api::submissions::ssr::key_pickups(&mut conn, &app.settings).await.expect("convert");
        assert_eq!(converted, 1);
        let again = gruppenbuch_app::api::submissions::ssr::key_pickups(&mut conn, &app.settings).await.expect("again");
        assert_eq!(again, 0);
    }
    let res = device.call("/api/feedback/pickup", &format!("input[code]={code}")).await;
    assert_eq!(res.status, 200, "{res:?}");
}

#[tokio::test]
async fn an_empty_or_too_long_submission_gets_messages_at_the_fields_and_nothing_is_stored() {
    let app = spawn_app().await;
    let youth = Client::login(&app, "jugendliche").await;
    let key = outbox_key(&app).await;
    let mia = user_id(&app, "jugendliche").await;
    let before = count(&app.store, "feedback").await;
    let id = new_id();
    let empty = json!({ "id": id, "kind": "beschwerde", "topic": "", "text": "", "recipient": "fachberatung" });
    let res = youth.call(DELIVER, &from_account(&key, &mia, &empty)).await;
    assert_eq!(res.status, 400, "{res:?}");
    let errors = res.json()["Validation"].as_array().cloned().unwrap_or_default();
    let fields: Vec<&str> = errors.iter().filter_map(|e| e["field"].as_str()).collect();
    assert!(fields.contains(&"topic") && fields.contains(&"text"), "{fields:?}");
    assert!(
        res.body.contains("Bitte wähle ein Thema.") && res.body.contains("Bitte wähle ein Gesicht"),
        "{}",
        res.body
    );

    let long = complaint(&new_id(), "gruppe", &"x".repeat(2001));
    let res = youth.call(DELIVER, &from_account(&key, &mia, &long)).await;
    assert_eq!(res.status, 400, "{res:?}");
    assert_eq!(res.json()["Validation"][0]["field"], "text");
    assert!(res.body.contains("höchstens 2000 Zeichen"), "{}", res.body);
    assert_eq!(count(&app.store, "feedback").await, before);
    // 2000 characters are fine.
    let longest = complaint(&new_id(), "gruppe", &"ä".repeat(2000));
    assert_eq!(youth.call(DELIVER, &from_account(&key, &mia, &longest)).await.status, 200);
}

#[tokio::test]
async fn wrong_pins_on_the_card_pause_it_and_tell_its_fachberatung() {
    let app = spawn_app().await;
    let card = gruppenbuch_app::db::demo::DEMO_CARD;
    // The young person logs in with card and PIN.
    let youth = Client::login_with(&app, "jugendliche", "2468").await;
    assert_eq!(youth.call("/api/feedback/form", "").await.status, 200);
    let device = Client::new(&app);
    for _ in 0..5 {
        let res = device.post_form("/auth/card", &format!("card={card}&password=0000")).await;
        assert_eq!(res.status, 303, "{res:?}");
        assert_eq!(res.header("location"), Some(format!("/karte/{card}?fehler=1").as_str()));
    }
    let advisor = Client::login(&app, "fachberatung").await;
    let leitung = Client::login(&app, "leitung").await;
    let other_advisor = Client::login(&app, "fachberatung2").await;
    for client in [&advisor, &leitung] {
        let notices = client.call("/api/notices/list", "").await;
        assert_eq!(notices.status, 200, "{notices:?}");
        let notices = notices.json();
        assert_eq!(notices.as_array().map(Vec::len), Some(1), "{notices}");
        assert_eq!(
            (notices[0]["who"].as_str(), notices[0]["group_name"].as_str()),
            (Some("Mia"), Some("FWG Sonnenhaus"))
        );
    }
    assert_eq!(other_advisor.call("/api/notices/list", "").await.json(), json!([]));
    assert_eq!(Client::login(&app, "fachkraft").await.call("/api/notices/list", "").await.status, 403);
    // Paused: even the right PIN waits now, and the notice is not repeated.
    let blocked = device.post_form("/auth/card", &format!("card={card}&password=2468")).await;
    assert_eq!(blocked.status, 429, "{blocked:?}");
    assert!(blocked.header("set-cookie").is_none());
    assert_eq!(advisor.call("/api/notices/list", "").await.json().as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_typed_login_name_never_opens_a_young_persons_account_and_cannot_lock_it() {
    let app = spawn_app().await;
    let device = Client::new(&app);
    // The right PIN with the login name: not even tried; the same answer as a wrong one.
    let right = device.post_form("/auth/login", "login=jugendliche&password=2468").await;
    let wrong = device.post_form("/auth/login", "login=jugendliche&password=1111").await;
    for res in [&right, &wrong] {
        assert_eq!((res.status, res.header("location")), (303, Some("/anmelden?karte=noetig")), "{res:?}");
        assert!(res.header("set-cookie").is_none());
    }
    let page = device.get("/anmelden?karte=noetig").await;
    assert!(page.body.contains("über deine Anmeldekarte an"), "{}", page.body);
    // Twenty tries by name do not count against the child: the card still opens at once.
    for _ in 0..20 {
        let res = device.post_form("/auth/login", "login=jugendliche&password=0000").await;
        if res.status == 429 {
            break; // the client address's own limit (30 per window) may end it first
        }
    }
    let card = gruppenbuch_app::db::demo::DEMO_CARD;
    let child = Client::new(&app);
    let res = child.post_form("/auth/card", &format!("card={card}&password=2468")).await;
    assert_eq!((res.status, res.header("location")), (303, Some("/")), "{res:?}");
    let pin_failures = "SELECT pin_failures FROM users WHERE login = $1";
    assert_eq!(scalar_i64(&app, pin_failures, "jugendliche").await, 0);
}

#[tokio::test]
async fn a_card_locks_after_wrong_pins_in_a_row_until_its_fachberatung_gives_a_new_pin() {
    let settings =
        Settings { cookie_secure: false, login_max_per_account: 100, pin_lock_after: 3, ..Settings::default() };
    let app = spawn_app_with(settings).await;
    let fx = fixtures(&app).await;
    let card = gruppenbuch_app::db::demo::DEMO_CARD;
    let device = Client::new(&app);
    let mut locations = Vec::new();
    for _ in 0..3 {
        let res = device.post_form("/auth/card", &format!("card={card}&password=0000")).await;
        assert_eq!(res.status, 303, "{res:?}");
        locations.push(res.header("location").unwrap_or_default().to_owned());
    }
    assert_eq!(
        locations,
        vec![format!("/karte/{card}?fehler=1"), format!("/karte/{card}?fehler=1"), format!("/karte/{card}?gesperrt=1")]
    );
    // Locked: the right PIN does not open it, and the page says why in simple words.
    let res = device.post_form("/auth/card", &format!("card={card}&password=2468")).await;
    assert_eq!((res.status, res.header("location")), (303, Some(format!("/karte/{card}?gesperrt=1").as_str())));
    assert!(res.header("set-cookie").is_none());
    let page = device.get(&format!("/karte/{card}?gesperrt=1")).await;
    assert!(page.body.contains("Deine Karte ist gesperrt"), "{}", page.body);
    // The group's Fachberatung sees it at once.
    let advisor = Client::login(&app, "fachberatung").await;
    let notices = advisor.call("/api/notices/list", "").await.json();
    assert_eq!(notices.as_array().map(Vec::len), Some(1), "{notices}");
    assert_eq!(notices[0]["who"], "Mia");
    // A new PIN on a new card lifts the lock; the old card is gone.
    let issued = advisor.call("/api/feedback/login-card", &format!("id={}&input[pin]=1357", fx.own_youth)).await;
    assert_eq!(issued.status, 200, "{issued:?}");
    let url = issued.json()["url"].as_str().unwrap_or_default().to_owned();
    let token = url.rsplit_once("/karte/").map(|(_, t)| t.to_owned()).expect("token");
    let res = device.post_form("/auth/card", &format!("card={token}&password=1357")).await;
    assert_eq!((res.status, res.header("location")), (303, Some("/")), "{res:?}");
    // Both the lock and the new PIN are in the audit log.
    let resets = "SELECT COUNT(*) FROM audit_log WHERE action = 'password_reset' AND record_id = $1";
    assert_eq!(scalar_i64(&app, resets, user_id(&app, "jugendliche").await.as_str()).await, 1);
}

#[tokio::test]
async fn pins_are_stored_keyed_with_the_server_secret_and_old_hashes_are_replaced_at_login() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let hash_of = "SELECT password_hash FROM users WHERE login = $1";
    // The demo PIN was stored before keying: the first login replaces its hash.
    let before = scalar_text(&app, hash_of, "jugendliche").await;
    assert!(!before.starts_with(gruppenbuch_app::auth::password::PEPPERED), "{before}");
    Client::login_with(&app, "jugendliche", "2468").await;
    let after = scalar_text(&app, hash_of, "jugendliche").await;
    assert!(after.starts_with(gruppenbuch_app::auth::password::PEPPERED), "{after}");
    // A copy of the database alone does not tell the PIN: Argon2 of the bare PIN fails.
    let bare = after.trim_start_matches(gruppenbuch_app::auth::password::PEPPERED);
    assert!(!gruppenbuch_app::auth::password::verify("2468", Some(bare)));
    // The replaced hash still opens the card, also a second time.
    Client::login_with(&app, "jugendliche", "2468").await;
    // A new PIN is keyed from the start.
    let advisor = Client::login(&app, "fachberatung").await;
    let res = advisor.call("/api/feedback/login-card", &format!("id={}&input[pin]=9753", fx.own_youth)).await;
    assert_eq!(res.status, 200, "{res:?}");
    let set = scalar_text(&app, hash_of, "jugendliche").await;
    assert!(set.starts_with(gruppenbuch_app::auth::password::PEPPERED), "{set}");
    // Adults' passwords are not keyed: a lost key file must not lock Admin out.
    let adult = scalar_text(&app, hash_of, "leitung").await;
    assert!(!adult.starts_with(gruppenbuch_app::auth::password::PEPPERED), "{adult}");
}

#[tokio::test]
async fn a_login_card_logs_in_with_the_pin_until_a_new_card_is_made() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let advisor = Client::login(&app, "fachberatung").await;
    let issue =
        || async { advisor.call("/api/feedback/login-card", &format!("id={}&input[pin]=", fx.own_youth)).await };
    let card = issue().await;
    assert_eq!(card.status, 200, "{card:?}");
    let card = card.json();
    assert_eq!((card["login"].as_str(), card["display_name"].as_str()), (Some("jugendliche"), Some("Mia")));
    assert!(card["qr_svg"].as_str().unwrap_or_default().contains("<svg"));
    let url = card["url"].as_str().expect("url");
    let device = Client::new(&app);
    assert!(url.starts_with(&format!("{}/karte/", device.origin())), "{url}");
    let token = url.rsplit_once("/karte/").map(|(_, t)| t.to_owned()).expect("token");

    // A wrong PIN goes back to the card's page; the right one logs in.
    let res = device.post_form("/auth/card", &format!("card={token}&password=1111")).await;
    assert_eq!(res.status, 303, "{res:?}");
    assert_eq!(res.header("location"), Some(format!("/karte/{token}?fehler=1").as_str()));
    assert!(res.header("set-cookie").is_none());
    let res = device.post_form("/auth/card", &format!("card={token}&password=2468")).await;
    assert_eq!(res.status, 303, "{res:?}");
    assert_eq!(res.header("location"), Some("/"));
    let cookie = res.header("set-cookie").expect("session cookie");
    assert!(cookie.starts_with("gb_session="), "{cookie}");
    let youth = Client { cookie: Some(cookie.split(';').next().unwrap_or_default().to_owned()), ..device.clone() };
    let form = youth.call("/api/feedback/form", "").await;
    assert_eq!(form.status, 200, "{form:?}");
    assert_eq!(form.json()["author_id"], user_id(&app, "jugendliche").await.as_str());

    // A new card: the old one stops working.
    let second = issue().await.json();
    let new_token = second["url"].as_str().and_then(|u| u.rsplit_once("/karte/")).map(|(_, t)| t.to_owned());
    let new_token = new_token.expect("new token");
    assert_ne!(new_token, token);
    let res = device.post_form("/auth/card", &format!("card={token}&password=2468")).await;
    assert_eq!(res.status, 303, "{res:?}");
    assert_eq!(res.header("location"), Some("/anmelden?karte=ungueltig"));
    assert!(res.header("set-cookie").is_none());
    let res = device.post_form("/auth/card", &format!("card={new_token}&password=2468")).await;
    assert_eq!((res.status, res.header("location")), (303, Some("/")));

    // Staff do not print cards, nor does the Fachberatung of another group.
    let staff = Client::login(&app, "fachkraft").await;
    let res = staff.call("/api/feedback/login-card", &format!("id={}&input[pin]=", fx.own_youth)).await;
    assert!([403, 404].contains(&res.status), "{res:?}");
    let other = Client::login(&app, "fachberatung2").await;
    let res = other.call("/api/feedback/login-card", &format!("id={}&input[pin]=", fx.own_youth)).await;
    assert_eq!(res.status, 404, "{res:?}");
    // The card still works after those refusals.
    let res = device.post_form("/auth/card", &format!("card={new_token}&password=2468")).await;
    assert_eq!(res.header("location"), Some("/"));
}

#[tokio::test]
async fn my_rights_are_public_and_only_leitung_changes_them() {
    let app = spawn_app().await;
    let anonymous = Client::new(&app);
    let res = anonymous.call("/api/rights/get", "").await;
    assert_eq!(res.status, 200, "{res:?}");
    let default = res.json()["body"].as_str().unwrap_or_default().to_owned();
    assert!(!default.is_empty());
    assert_eq!((res.json()["can_edit"].as_bool(), res.json()["updated_on"].as_str()), (Some(false), Some("")));

    let leitung = Client::login(&app, "leitung").await;
    assert_eq!(leitung.call("/api/rights/get", "").await.json()["can_edit"], true);
    let text = "Du darfst mitbestimmen.\n\nDu darfst dich beschweren, auch ohne Namen.";
    let res = leitung.call("/api/rights/set", &format!("input[body]={}", enc(text))).await;
    assert!(res.status < 400, "{res:?}");
    let now = anonymous.call("/api/rights/get", "").await.json();
    let today = chrono::NaiveDate::parse_from_str(&today(), "%Y-%m-%d").expect("today").format("%d.%m.%Y").to_string();
    assert_eq!((now["body"].as_str(), now["updated_on"].as_str()), (Some(text), Some(today.as_str())));

    let advisor = Client::login(&app, "fachberatung").await;
    assert_eq!(advisor.call("/api/rights/get", "").await.json()["can_edit"], false);
    let res = advisor.call("/api/rights/set", "input[body]=Anders").await;
    assert_eq!(res.status, 403, "{res:?}");
    assert_eq!(anonymous.call("/api/rights/set", "input[body]=Anders").await.status, 401);
    assert_eq!(anonymous.call("/api/rights/get", "").await.json()["body"], text);
}

/// A request as the hydrated app sends it, but with a `Host` header of the client's
/// choosing.
/// Calls a server function with a forged `Host` header. Over a raw socket: HTTP clients
/// put the address they connect to into `Host` whatever the caller sets.
async fn call_with_host(client: &Client, host: &str, path: &str, form: &str) -> crate::common::Response {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let origin = client.origin();
    let cookie = client.cookie.as_deref().map(|c| format!("cookie: {c}\r\n")).unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\
         content-type: application/x-www-form-urlencoded\r\naccept: application/json\r\n\
         origin: {origin}\r\nsec-fetch-site: same-origin\r\n{cookie}content-length: {}\r\n\r\n{form}",
        form.len()
    );
    let mut stream = tokio::net::TcpStream::connect(client.addr).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked { dechunk(body) } else { body.to_owned() };
    crate::common::Response { status, headers, body }
}

/// The body of a chunked HTTP/1.1 response.
fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else { break };
        if size == 0 || tail.len() < size {
            break;
        }
        out.push_str(&tail[..size]);
        rest = tail[size..].trim_start_matches("\r\n");
    }
    out
}

#[tokio::test]
async fn printed_and_mailed_links_use_the_configured_address_never_the_host_header() {
    let settings =
        Settings { cookie_secure: false, public_url: "https://gruppenbuch.example.org".into(), ..Settings::default() };
    let app = spawn_app_with(settings).await;
    let fx = fixtures(&app).await;
    let advisor = Client::login(&app, "fachberatung").await;
    let staff = Client::login(&app, "fachkraft").await;

    let poster =
        call_with_host(&advisor, "evil.example", "/api/feedback/group-link", &format!("id={}", fx.own_group)).await;
    assert_eq!(poster.status, 200, "{}", poster.body);
    let url = poster.json()["url"].as_str().unwrap_or_default().to_owned();
    assert!(url.starts_with("https://gruppenbuch.example.org/mitreden/"), "the poster's link: {url}");

    let card = call_with_host(
        &advisor,
        "evil.example",
        "/api/feedback/login-card",
        &format!("id={}&input[pin]=", fx.own_youth),
    )
    .await;
    assert_eq!(card.status, 200, "{}", card.body);
    let url = card.json()["url"].as_str().unwrap_or_default().to_owned();
    assert!(url.starts_with("https://gruppenbuch.example.org/karte/"), "the card's link: {url}");

    let report = crate::common::incident_form(&new_id(), &fx.own_youth, "Nicht zurückgekommen");
    let reported = call_with_host(&staff, "evil.example", "/api/incidents/save", &report).await;
    assert!(reported.status < 400, "{}", reported.body);
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let bodies: Vec<String> =
        sqlx::query_scalar("SELECT body FROM mail_queue").fetch_all(&mut *conn).await.expect("mails");
    assert!(!bodies.is_empty(), "alarm mails are queued");
    for body in bodies {
        assert!(body.contains("https://gruppenbuch.example.org/vorkommnisse/"), "{body}");
        assert!(!body.contains("evil.example"), "{body}");
    }
}
