//! Incidents in the store: stored once, a chain that cannot be rewritten, escalation and
//! e-mails claimed by one instance only.

use crate::common::fresh_store;
use crate::common::id;
use gruppenbuch_app::db::{self, demo, incidents};
use gruppenbuch_app::domain::ids::{GroupId, UserId};
use gruppenbuch_app::domain::incident::{IncidentEventKind, IncidentInput};

async fn ids(store: &db::Store, sql: &str) -> Vec<String> {
    let mut conn = store.pool().acquire().await.expect("conn");
    sqlx::query_scalar(sql).fetch_all(&mut *conn).await.expect("ids")
}

#[tokio::test]
async fn an_incident_is_stored_once_with_its_chain_and_escalates_once() {
    let store = fresh_store().await;
    demo::seed_if_empty(&store).await.expect("seed");
    let group = ids(&store, "SELECT id FROM groups ORDER BY name DESC").await.remove(0);
    let youth: String = {
        let mut conn = store.pool().acquire().await.expect("conn");
        sqlx::query_scalar("SELECT id FROM youths WHERE group_id = $1 ORDER BY id")
            .bind(&group)
            .fetch_one(&mut *conn)
            .await
            .expect("youth")
    };
    let author = ids(&store, "SELECT id FROM users WHERE login = 'fachkraft'").await.remove(0);
    let input = IncidentInput {
        id: uuid::Uuid::now_v7().to_string(),
        youth_ids: vec![youth.clone()],
        date: chrono::Utc::now().date_naive().to_string(),
        time: "14:05".into(),
        category: "entweichung".into(),
        what: "Nicht vom Sport zurückgekommen.".into(),
        measures: "Umgebung abgesucht.".into(),
        informed: vec!["polizei".into()],
    };
    let valid = input.validate(chrono::Utc::now().date_naive()).expect("valid");

    let (group, author): (GroupId, UserId) = (id(&group), id(&author));
    let mut tx = store.begin().await.expect("tx");
    assert_eq!(incidents::insert(&mut tx, &valid, &group, &author).await.expect("insert"), incidents::Stored::Created);
    assert!(matches!(
        incidents::insert(&mut tx, &valid, &group, &author).await.expect("resend"),
        incidents::Stored::Exists { .. }
    ));
    tx.commit().await.expect("commit");

    let mut conn = store.pool().acquire().await.expect("conn");
    let row = incidents::get(&mut conn, &valid.id).await.expect("get").expect("stored");
    assert_eq!(row.body.measures, "Umgebung abgesucht.");
    assert_eq!(incidents::youths(&mut conn, &valid.id).await.expect("youths").len(), 1);
    let chain = incidents::events(&mut conn, &valid.id).await.expect("events");
    assert_eq!(chain.iter().map(|e| e.kind).collect::<Vec<_>>(), vec![IncidentEventKind::Reported]);
    let rewrite = sqlx::query("UPDATE incident_events SET detail = 'x' WHERE incident_id = $1")
        .bind(&valid.id)
        .execute(&mut *conn)
        .await;
    assert!(rewrite.is_err(), "the chain is append-only");

    // The group's Fachberatung and Leitung are told; the other group's Fachberatung is not.
    let told: Vec<String> = incidents::recipients(&mut conn, &group)
        .await
        .expect("recipients")
        .into_iter()
        .map(|r| r.id.into_string())
        .collect();
    let advisor = ids(&store, "SELECT id FROM users WHERE login = 'fachberatung'").await.remove(0);
    let other = ids(&store, "SELECT id FROM users WHERE login = 'fachberatung2'").await.remove(0);
    let leitung = ids(&store, "SELECT id FROM users WHERE login = 'leitung'").await.remove(0);
    assert!(told.contains(&advisor) && told.contains(&leitung) && !told.contains(&other), "{told:?}");

    // Not yet due, then due: escalated exactly once, and never after an acknowledgement.
    assert!(incidents::claim_due_escalations(&mut conn, 0).await.expect("early").is_empty());
    let far = db::now_ms() + 60_000;
    assert_eq!(incidents::claim_due_escalations(&mut conn, far).await.expect("due").len(), 1);
    assert!(incidents::claim_due_escalations(&mut conn, far).await.expect("again").is_empty());
    let scope = gruppenbuch_app::domain::scope::ListScope::decided(vec![(group.clone(), true)]);
    assert_eq!(incidents::open_count(&mut conn, &scope).await.expect("count"), 1);
    assert!(incidents::acknowledge(&mut conn, &valid.id, &id(&advisor)).await.expect("ack"));
    assert!(!incidents::acknowledge(&mut conn, &valid.id, &id(&leitung)).await.expect("second ack"));
    assert_eq!(incidents::open_count(&mut conn, &scope).await.expect("count"), 0);
}

#[tokio::test]
async fn a_queued_mail_is_claimed_once_and_retried_later_after_a_failure() {
    let store = fresh_store().await;
    let mut conn = store.pool().acquire().await.expect("conn");
    incidents::queue_mail(&mut conn, "fb@example.org", "Betreff", "Link").await.expect("queue");
    let first = incidents::claim_due_mail(&mut conn, 10, 60_000).await.expect("claim");
    assert_eq!(first.len(), 1);
    assert!(incidents::claim_due_mail(&mut conn, 10, 60_000).await.expect("claimed already").is_empty());
    incidents::mail_failed(&mut conn, &first[0], "connection refused").await.expect("failed");
    assert!(incidents::claim_due_mail(&mut conn, 10, 60_000).await.expect("backing off").is_empty());
    sqlx::query("UPDATE mail_queue SET next_try_at = 0").execute(&mut *conn).await.expect("due now");
    let again = incidents::claim_due_mail(&mut conn, 10, 60_000).await.expect("retry");
    assert_eq!(again[0].attempts, 1);
    incidents::mail_sent(&mut conn, &again[0].id).await.expect("sent");
    sqlx::query("UPDATE mail_queue SET next_try_at = 0").execute(&mut *conn).await.expect("due now");
    assert!(incidents::claim_due_mail(&mut conn, 10, 60_000).await.expect("sent").is_empty());
}

/// A real SMTP listener on loopback that keeps every message it receives.
async fn smtp_sink() -> (u16, std::sync::Arc<tokio::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let inbox = std::sync::Arc::new(tokio::sync::Mutex::new(Vec::new()));
    let keep = inbox.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let keep = keep.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut read = BufReader::new(read);
                let _ = write.write_all(b"220 sink\r\n").await;
                let mut data: Option<String> = None;
                let mut line = String::new();
                while read.read_line(&mut line).await.unwrap_or(0) > 0 {
                    let reply: &[u8] = match data.as_mut() {
                        Some(text) if line == ".\r\n" => {
                            keep.lock().await.push(std::mem::take(text));
                            data = None;
                            b"250 queued\r\n"
                        }
                        Some(text) => {
                            text.push_str(&line);
                            b""
                        }
                        None if line.starts_with("EHLO") => b"250-sink\r\n250 8BITMIME\r\n",
                        None if line.starts_with("DATA") => {
                            data = Some(String::new());
                            b"354 go on\r\n"
                        }
                        None if line.starts_with("QUIT") => b"221 bye\r\n",
                        None => b"250 ok\r\n",
                    };
                    let _ = write.write_all(reply).await;
                    line.clear();
                }
            });
        }
    });
    (port, inbox)
}

#[tokio::test]
async fn an_unacknowledged_incident_escalates_and_leitung_gets_a_mail_without_names() {
    use gruppenbuch_server::alerts::{AlertConfig, Smtp, round};
    let store = fresh_store().await;
    demo::seed_if_empty(&store).await.expect("seed");
    let (port, inbox) = smtp_sink().await;
    let mut conn = store.pool().acquire().await.expect("conn");
    sqlx::query("UPDATE users SET email = 'leitung@example.org' WHERE login = 'leitung'")
        .execute(&mut *conn)
        .await
        .expect("e-mail");
    let (youth, group, first_name): (String, String, String) =
        sqlx::query_as("SELECT id, group_id, first_name FROM youths ORDER BY id LIMIT 1")
            .fetch_one(&mut *conn)
            .await
            .expect("youth");
    let author = ids(&store, "SELECT id FROM users WHERE login = 'fachkraft'").await.remove(0);
    let today = chrono::Utc::now().date_naive();
    let input = IncidentInput {
        id: uuid::Uuid::now_v7().to_string(),
        youth_ids: vec![youth],
        date: today.to_string(),
        time: "22:10".into(),
        category: "selbstgefaehrdung".into(),
        what: "Streng vertraulicher Hergang.".into(),
        ..Default::default()
    };
    let valid = input.validate(today).expect("valid");
    incidents::insert(&mut conn, &valid, &id(&group), &id(&author)).await.expect("insert");
    drop(conn);

    let config = AlertConfig {
        smtp: Some(Smtp { host: "127.0.0.1".into(), port, from: "gruppenbuch@example.org".into(), ..Smtp::default() }),
        public_url: "https://gb.example.org".into(),
        escalate_after: std::time::Duration::ZERO,
        interval: std::time::Duration::from_secs(1),
    };
    let done = round(&store, &config).await.expect("round");
    assert_eq!((done.escalated, done.sent, done.failed), (1, 1, 0));
    assert_eq!(round(&store, &config).await.expect("second round").escalated, 0, "escalates once");

    let mail = inbox.lock().await.pop().expect("an e-mail arrived");
    assert!(mail.contains("To: <leitung@example.org>"), "{mail}");
    assert!(mail.contains("Subject: Gruppenbuch: Vorkommnis noch nicht zur Kenntnis genommen"), "{mail}");
    assert!(mail.contains(&format!("https://gb.example.org/vorkommnisse/{}", valid.id)), "{mail}");
    for secret in [first_name.as_str(), "vertraulich", "Selbstgef"] {
        assert!(!mail.contains(secret), "the e-mail names no one and tells nothing: {secret}");
    }
    let mut conn = store.pool().acquire().await.expect("conn");
    let chain = incidents::events(&mut conn, &valid.id).await.expect("events");
    assert_eq!(chain.last().map(|e| e.kind), Some(IncidentEventKind::Escalated));
    let row = incidents::get(&mut conn, &valid.id).await.expect("get").expect("row");
    assert_eq!(row.state, gruppenbuch_app::domain::incident::IncidentState::Escalated);
}

#[tokio::test]
async fn a_mail_relay_that_is_down_leaves_the_mail_queued_for_a_retry() {
    use gruppenbuch_server::alerts::{AlertConfig, Smtp, round};
    let store = fresh_store().await;
    let mut conn = store.pool().acquire().await.expect("conn");
    incidents::queue_mail(&mut conn, "fb@example.org", "Betreff", "Link").await.expect("queue");
    drop(conn);
    // A port nobody listens on.
    let port = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind").local_addr().expect("addr").port();
    let config = AlertConfig {
        smtp: Some(Smtp { host: "127.0.0.1".into(), port, from: "gb@example.org".into(), ..Smtp::default() }),
        public_url: "https://gb.example.org".into(),
        escalate_after: std::time::Duration::from_secs(3600),
        interval: std::time::Duration::from_secs(1),
    };
    let done = round(&store, &config).await.expect("round");
    assert_eq!((done.sent, done.failed), (0, 1));
    let mut conn = store.pool().acquire().await.expect("conn");
    let (attempts, sent): (i64, Option<i64>) =
        sqlx::query_as("SELECT attempts, sent_at FROM mail_queue").fetch_one(&mut *conn).await.expect("row");
    assert_eq!((attempts, sent), (1, None));
}

/// The young person of a first name, and their group.
async fn youth_of(app: &crate::common::TestApp, first: &str) -> (String, String) {
    let mut conn = app.store.pool().acquire().await.expect("conn");
    sqlx::query_as("SELECT id, group_id FROM youths WHERE first_name = $1")
        .bind(first)
        .fetch_one(&mut *conn)
        .await
        .expect("youth")
}

async fn scalar(app: &crate::common::TestApp, sql: &str, bind: &str) -> i64 {
    let mut conn = app.store.pool().acquire().await.expect("conn");
    sqlx::query_scalar(sql).bind(bind).fetch_one(&mut *conn).await.expect("count")
}

#[tokio::test]
async fn a_report_reaches_its_groups_advisor_and_leitung_who_acknowledge_and_answer() {
    use crate::common::{Client, incident_form, new_id, spawn_app};
    let app = spawn_app().await;
    let (mia, _) = youth_of(&app, "Mia").await;
    let staff = Client::login(&app, "fachkraft").await;
    let advisor = Client::login(&app, "fachberatung").await;
    let other_advisor = Client::login(&app, "fachberatung2").await;
    let leitung = Client::login(&app, "leitung").await;

    let id = new_id();
    let form = incident_form(&id, &mia, "Mia ist nicht vom Sport zurückgekommen.");
    let res = staff.call("/api/incidents/save", &form).await;
    assert!(res.status < 400, "{res:?}");
    // A resend (lost answer) is confirmed and stores nothing twice.
    let res = staff.call("/api/incidents/save", &form).await;
    assert!(res.status < 400, "{res:?}");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM incidents WHERE id = $1", &id).await, 1);

    // Told at once, in the same transaction: the group's Fachberatung and Leitung, by
    // e-mail too (the demo accounts have addresses); the other group's Fachberatung not.
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let mut recipients: Vec<String> =
        sqlx::query_scalar("SELECT recipient FROM mail_queue").fetch_all(&mut *conn).await.expect("mails");
    recipients.sort();
    assert_eq!(recipients, vec!["fachberatung@gruppenbuch.example", "leitung@gruppenbuch.example"]);
    let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM mail_queue").fetch_all(&mut *conn).await.expect("b");
    assert!(bodies.iter().all(|b| b.contains(&format!("/vorkommnisse/{id}")) && !b.contains("Mia")), "{bodies:?}");
    drop(conn);

    assert_eq!(advisor.call("/api/incidents/count", "").await.body, "1");
    assert_eq!(leitung.call("/api/incidents/count", "").await.body, "1");
    assert_eq!(other_advisor.call("/api/incidents/count", "").await.body, "0");
    let board = advisor.call("/api/incidents/board", "").await.json();
    assert_eq!(board["pinned"][0]["id"], id.as_str(), "{board}");
    let foreign_board = other_advisor.call("/api/incidents/board", "").await;
    assert!(!foreign_board.body.contains(&id) && !foreign_board.body.contains("Krause"), "{}", foreign_board.body);

    // Staff may not acknowledge (403), the other group's Fachberatung does not see it (404).
    assert_eq!(staff.call("/api/incidents/acknowledge", &format!("id={id}")).await.status, 403);
    let res = other_advisor.call("/api/incidents/acknowledge", &format!("id={id}")).await;
    assert_eq!(res.status, 404);
    assert!(!res.body.contains("Krause"));
    assert_eq!(other_advisor.call("/api/incidents/get", &format!("id={id}")).await.status, 404);

    // Opening it adds "gelesen" once; acknowledging adds "zur Kenntnis genommen" once.
    for _ in 0..2 {
        assert_eq!(advisor.call("/api/incidents/get", &format!("id={id}")).await.status, 200);
    }
    assert!(advisor.call("/api/incidents/acknowledge", &format!("id={id}")).await.status < 400);
    assert!(leitung.call("/api/incidents/acknowledge", &format!("id={id}")).await.status < 400);
    assert_eq!(advisor.call("/api/incidents/count", "").await.body, "0");
    let comment = "Bitte heute noch das Jugendamt informieren.";
    let res =
        advisor.call("/api/incidents/comment", &format!("id={id}&input[text]={}", crate::common::enc(comment))).await;
    assert!(res.status < 400, "{res:?}");

    let detail = staff.call("/api/incidents/get", &format!("id={id}")).await.json();
    let kinds: Vec<&str> =
        detail["events"].as_array().expect("events").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["gemeldet", "benachrichtigt", "gelesen", "zur_kenntnis", "kommentar"], "{detail}");
    let notified = detail["events"][1]["detail"].as_str().unwrap_or_default();
    assert!(notified.contains("Frank Berater") && notified.contains("Petra Leitner") && !notified.contains("Fatma"));
    assert_eq!(detail["events"][4]["detail"], comment);
    assert_eq!(detail["summary"]["state"], "Acknowledged");
    assert!(detail["acknowledged"].as_str().unwrap_or_default().starts_with("Frank Berater"), "{detail}");
    assert_eq!(detail["can_acknowledge"], false);

    // Every read and change is in the audit log, naming Mia.
    let audited = scalar(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE record_kind IN ('incident', 'incident_comment') AND youth_id = $1",
        &mia,
    )
    .await;
    assert!(audited >= 6, "audit rows: {audited}");
}

#[tokio::test]
async fn bad_or_foreign_incident_requests_change_nothing() {
    use crate::common::{Client, enc, incident_form, new_id, outbox_key, sealed_form, spawn_app, user_id};
    let app = spawn_app().await;
    let (mia, _) = youth_of(&app, "Mia").await;
    let (noah, _) = youth_of(&app, "Noah").await;
    let staff = Client::login(&app, "fachkraft").await;
    let leitung = Client::login(&app, "leitung").await;
    let advisor = Client::login(&app, "fachberatung").await;

    // A young person of another group: the message of an unknown one.
    let res = staff.call("/api/incidents/save", &incident_form(&new_id(), &noah, "x")).await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("Diesen jungen Menschen gibt es nicht"), "{}", res.body);
    // Young people of two groups in one report.
    let two = format!("{}&input[youth_ids][1]={noah}", incident_form(&new_id(), &mia, "x"));
    let res = leitung.call("/api/incidents/save", &two).await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("derselben Gruppe"), "{}", res.body);
    // No category, an oversized text, an unknown field.
    let res = staff.call("/api/incidents/save", &incident_form(&new_id(), &mia, &"x".repeat(10_000))).await;
    assert_eq!(res.status, 400);
    let res =
        staff.call("/api/incidents/save", &format!("{}&input[extra]=1", incident_form(&new_id(), &mia, "x"))).await;
    assert_eq!(res.status, 400);
    // The Fachberatung reads but does not report.
    assert_eq!(advisor.call("/api/incidents/save", &incident_form(&new_id(), &mia, "x")).await.status, 403);
    assert_eq!(crate::common::count(&app.store, "incidents").await, 0);
    assert_eq!(crate::common::count(&app.store, "mail_queue").await, 0);

    // Sealed: by another account (a shared phone) is 409, tampered is 400.
    let key = outbox_key(&app).await;
    let id = new_id();
    let payload = serde_json::json!({
        "author_id": user_id(&app, "leitung").await,
        "incident": { "id": id, "youth_ids": [mia], "date": crate::common::today(), "time": "09:00",
                      "category": "verletzung", "what": "Sturz", "measures": "", "informed": [] }
    });
    let sealed = sealed_form(&key, &id, "incident", &payload);
    assert_eq!(staff.call("/api/incidents/deliver", &sealed).await.status, 409);
    let as_note = sealed.replace("input[kind]=incident", "input[kind]=note");
    assert_eq!(leitung.call("/api/incidents/deliver", &as_note).await.status, 400);
    assert!(leitung.call("/api/incidents/deliver", &sealed).await.status < 400);
    assert!(leitung.call("/api/incidents/deliver", &sealed).await.status < 400, "a resend is confirmed");
    assert_eq!(crate::common::count(&app.store, "incidents").await, 1);

    // Comments: empty or 10 kB are refused; a tampered id is 404; nothing is added.
    let events = crate::common::count(&app.store, "incident_events").await;
    assert_eq!(advisor.call("/api/incidents/comment", &format!("id={id}&input[text]=")).await.status, 400);
    let long = format!("id={id}&input[text]={}", enc(&"ä".repeat(5_000)));
    assert_eq!(advisor.call("/api/incidents/comment", &long).await.status, 400);
    assert_eq!(advisor.call("/api/incidents/comment", "id=../../etc&input[text]=x").await.status, 404);
    assert_eq!(advisor.call("/api/incidents/get", &format!("id={}", new_id())).await.status, 404);
    assert_eq!(crate::common::count(&app.store, "incident_events").await, events);
}
