//! Daily notes and visit contacts through the real server: exactly-once storage of sealed
//! outbox items, refusal of foreign and malformed entries, corrections with history, and
//! planned-against-held contact counts.

use crate::common::{
    Client, OutboxKey, TestApp, count, enc, fixtures, new_id, note_form, spawn_app, today, visit_form,
};

async fn key(app: &TestApp) -> OutboxKey {
    crate::common::outbox_key(app).await
}

async fn user_id(app: &TestApp, login: &str) -> String {
    let mut conn = app.store.pool().acquire().await.expect("conn");
    sqlx::query_scalar("SELECT id FROM users WHERE login = $1").bind(login).fetch_one(&mut *conn).await.expect("user")
}

/// What a phone sends for a sealed note.
fn sealed(key: &OutboxKey, id: &str, kind: &str, payload: &serde_json::Value) -> String {
    let (epk, iv, ct) =
        gruppenbuch_app::sealing::seal(&key.public_key, id, kind, payload.to_string().as_bytes()).expect("seal");
    format!(
        "input[id]={id}&input[kind]={kind}&input[key_id]={}&input[epk]={epk}&input[iv]={iv}&input[ct]={ct}",
        key.key_id
    )
}

fn note_payload(author: &str, id: &str, subject: &str, text: &str) -> serde_json::Value {
    serde_json::json!({
        "author_id": author,
        "note": { "id": id, "subject": subject, "date": today(), "category": "schule", "text": text }
    })
}

async fn entries_with(app: &TestApp, id: &str) -> i64 {
    let mut conn = app.store.pool().acquire().await.expect("conn");
    gruppenbuch_app::db::entries::count_with_id(&mut conn, &crate::common::id(id)).await.expect("count")
}

#[tokio::test]
async fn the_same_note_sent_five_times_at_once_and_again_directly_is_stored_once() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    let key = key(&app).await;
    let author = user_id(&app, "fachkraft").await;
    let id = new_id();
    let body = sealed(&key, &id, "note", &note_payload(&author, &id, &fx.own_youth, "Fünfmal gesendet"));
    let versions_before = count(&app.store, "entry_versions").await;
    let mut sends = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let (client, body) = (staff.clone(), body.clone());
        sends.spawn(async move { client.call("/api/outbox/deliver", &body).await });
    }
    let mut fresh = 0;
    while let Some(res) = sends.join_next().await {
        let res = res.expect("task");
        assert_eq!(res.status, 200, "{res:?}");
        let receipt = res.json();
        assert_eq!(receipt["id"], id.as_str());
        if receipt["duplicate"] == false {
            fresh += 1;
        }
    }
    assert_eq!(fresh, 1, "exactly one send stores the note, the others only confirm it");
    // A lost receipt: the device sends the same item once more, and a plain form post with
    // the same id (a double tap without JavaScript) changes nothing either.
    assert_eq!(staff.call("/api/outbox/deliver", &body).await.json()["duplicate"], true);
    let direct = staff.call("/api/notes/save", &note_form(&id, &fx.own_youth, "Fünfmal gesendet")).await;
    assert!(direct.status < 400, "{direct:?}");
    assert_eq!(entries_with(&app, &id).await, 1);
    assert_eq!(count(&app.store, "entry_versions").await, versions_before + 1);
    // Another note reusing the id is a conflict, never a silent "saved".
    let reused = staff.call("/api/notes/save", &note_form(&id, &fx.own_youth, "Etwas anderes")).await;
    assert_eq!(reused.status, 409, "{reused:?}");
}

#[tokio::test]
async fn a_young_person_of_another_group_is_refused_on_every_write_path() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    let key = key(&app).await;
    let author = user_id(&app, "fachkraft").await;
    let before = count(&app.store, "entries").await;
    let id = new_id();
    let res = staff.call("/api/notes/save", &note_form(&id, &fx.foreign_youth, "Fremd")).await;
    assert_eq!(res.status, 400, "{res:?}");
    assert!(res.body.contains("Diesen jungen Menschen gibt es nicht."), "{}", res.body);
    let res = staff.call("/api/visits/save", &visit_form(&new_id(), &fx.foreign_youth)).await;
    assert_eq!(res.status, 400, "{res:?}");
    let res = staff.call("/api/notes/save", &note_form(&new_id(), &format!("gruppe:{}", fx.foreign_group), "x")).await;
    assert_eq!(res.status, 400, "{res:?}");
    let res = staff
        .call(
            "/api/outbox/deliver",
            &sealed(&key, &id, "note", &note_payload(&author, &id, &fx.foreign_youth, "Fremd")),
        )
        .await;
    assert_eq!(res.status, 400, "{res:?}");
    // A goal of another young person cannot be linked.
    let res = staff
        .call(
            "/api/notes/save",
            &format!("{}&input[goal_ids][0]={}", note_form(&new_id(), &fx.own_youth, "Ziel"), fx.foreign_goal),
        )
        .await;
    assert_eq!(res.status, 400, "{res:?}");
    assert!(res.body.contains("Hilfeplanziel"), "{}", res.body);
    assert_eq!(count(&app.store, "entries").await, before);
}

#[tokio::test]
async fn an_item_sealed_for_another_account_or_tampered_with_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    let key = key(&app).await;
    let other = user_id(&app, "leitung").await;
    let before = count(&app.store, "entries").await;
    let id = new_id();
    let res = staff
        .call("/api/outbox/deliver", &sealed(&key, &id, "note", &note_payload(&other, &id, &fx.own_youth, "x")))
        .await;
    assert_eq!(res.status, 409, "{res:?}");
    assert!(res.body.contains("anderen Konto"), "{}", res.body);

    let author = user_id(&app, "fachkraft").await;
    let good = sealed(&key, &id, "note", &note_payload(&author, &id, &fx.own_youth, "x"));
    // The same ciphertext under another id, or as another kind, does not open.
    let replayed = good.replace(&format!("input[id]={id}"), &format!("input[id]={}", new_id()));
    assert_eq!(staff.call("/api/outbox/deliver", &replayed).await.status, 400);
    assert_eq!(
        staff.call("/api/outbox/deliver", &good.replace("input[kind]=note", "input[kind]=visit")).await.status,
        400
    );
    let res = staff.call("/api/outbox/deliver", &good.replace("input[ct]=", "input[ct]=AAAA")).await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("nicht geöffnet"), "{}", res.body);
    assert_eq!(staff.call("/api/outbox/deliver", "input[id]=x").await.status, 400);
    assert_eq!(count(&app.store, "entries").await, before);
}

#[tokio::test]
async fn bad_notes_and_visits_get_a_message_at_the_field_and_nothing_is_saved() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    let before = count(&app.store, "entries").await;
    let empty = staff.call("/api/notes/save", &note_form(&new_id(), &fx.own_youth, "  ")).await;
    assert_eq!(empty.status, 400);
    assert!(empty.body.contains("\"field\":\"text\""), "{}", empty.body);
    let future = chrono::Utc::now().date_naive() + chrono::Days::new(3);
    let res = staff
        .call("/api/notes/save", &note_form(&new_id(), &fx.own_youth, "x").replace(&today(), &future.to_string()))
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("höchstens einen Tag in der Zukunft"), "{}", res.body);
    let long = staff.call("/api/notes/save", &note_form(&new_id(), &fx.own_youth, &"x".repeat(4001))).await;
    assert!(long.body.contains("Höchstens 4000 Zeichen."), "{}", long.body);
    let visit = visit_form(&new_id(), &fx.own_youth)
        .replace("input[kind]=besuch", "input[kind]=")
        .replace("input[outcome]=stattgefunden", "input[outcome]=");
    let res = staff.call("/api/visits/save", &visit).await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("Art des Kontakts") && res.body.contains("stattgefunden hat"), "{}", res.body);
    let unknown =
        staff.call("/api/notes/save", &format!("{}&input[mood]=1", note_form(&new_id(), &fx.own_youth, "x"))).await;
    assert_eq!(unknown.status, 400);
    // Fachberatung reads but does not write entries.
    let advisor = Client::login(&app, "fachberatung").await;
    assert_eq!(advisor.call("/api/notes/save", &note_form(&new_id(), &fx.own_youth, "x")).await.status, 403);
    assert_eq!(count(&app.store, "entries").await, before);
}

#[tokio::test]
async fn a_correction_adds_a_version_with_reason_and_author_and_keeps_the_old_ones() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    let leitung = Client::login(&app, "leitung").await;
    let id = new_id();
    assert!(staff.call("/api/notes/save", &note_form(&id, &fx.own_youth, "Erste Fassung")).await.status < 400);
    let correct = |text: &str, reason: &str| {
        format!("id={id}&{}&input[reason]={}", note_form(&id, &fx.own_youth, text), enc(reason))
    };
    let no_reason = staff.call("/api/notes/correct", &format!("id={id}&{}", note_form(&id, &fx.own_youth, "y"))).await;
    assert_eq!(no_reason.status, 400);
    assert!(staff.call("/api/notes/correct", &correct("Zweite Fassung", "Tippfehler")).await.status < 400);
    assert!(leitung.call("/api/notes/correct", &correct("Dritte Fassung", "Name ergänzt")).await.status < 400);
    // Fachberatung sees the note but may not change it.
    let advisor = Client::login(&app, "fachberatung").await;
    assert_eq!(advisor.call("/api/notes/correct", &correct("Vierte", "x")).await.status, 403);
    let detail = staff.call("/api/entries/get", &format!("id={id}")).await.json();
    assert_eq!(detail["entry"]["version"], 3);
    assert_eq!(detail["entry"]["body"]["body"]["text"], "Dritte Fassung");
    assert_eq!(detail["entry"]["corrected_by"], "Petra Leitner");
    let versions = detail["versions"].as_array().expect("versions");
    let texts: Vec<_> = versions.iter().map(|v| v["body"]["body"]["text"].as_str().unwrap_or_default()).collect();
    assert_eq!(texts, ["Dritte Fassung", "Zweite Fassung", "Erste Fassung"]);
    let reasons: Vec<_> = versions.iter().map(|v| v["reason"].as_str().unwrap_or_default()).collect();
    assert_eq!(reasons, ["Name ergänzt", "Tippfehler", ""]);
    assert_eq!(versions[2]["author_name"], "Sabine Sonnen");
    // History cannot be rewritten, not even by the application's own database user.
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let rewrite =
        sqlx::query("UPDATE entry_versions SET body = '{}' WHERE entry_id = $1").bind(&id).execute(&mut *conn).await;
    assert!(rewrite.is_err(), "entry versions are append-only");
}

#[tokio::test]
async fn the_contact_overview_counts_planned_against_held_contacts_per_month() {
    use chrono::Datelike;
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let leitung = Client::login(&app, "leitung").await;
    let youth = &fx.foreign_youth;
    let set = format!("id={youth}&input[times]=1&input[period]=woche&input[kind]=besuch&input[supervised]=ja");
    assert!(leitung.call("/api/contacts/set", &set).await.status < 400);
    // The fixture holds one held call today; add two held visits and one cancelled today,
    // and one held visit on the first day of last month.
    for outcome in ["stattgefunden", "stattgefunden", "abgesagt_familie"] {
        let form = visit_form(&new_id(), youth).replace("stattgefunden", outcome);
        assert!(leitung.call("/api/visits/save", &form).await.status < 400);
    }
    let today = chrono::NaiveDate::parse_from_str(&today(), "%Y-%m-%d").expect("today");
    let first = today.with_day(1).expect("first");
    let last_month = first.pred_opt().expect("previous day").with_day(1).expect("first of last month");
    let old = visit_form(&new_id(), youth).replace(&today.to_string(), &last_month.to_string());
    assert!(leitung.call("/api/visits/save", &old).await.status < 400);
    let overview = leitung.call("/api/contacts/get", &format!("id={youth}")).await.json();
    let months = overview["months"].as_array().expect("months");
    assert_eq!(months.len(), 4);
    let weekly = gruppenbuch_app::domain::contact::ContactArrangement {
        times: 1,
        period: gruppenbuch_app::domain::contact::ContactPeriod::Week,
        kind: gruppenbuch_app::domain::visit::VisitKind::Visit,
        supervised: true,
        note: String::new(),
    };
    assert_eq!(months[0]["planned"], weekly.planned_in(first));
    assert_eq!((months[0]["held"].as_u64(), months[0]["missed"].as_u64()), (Some(3), Some(1)));
    assert_eq!(months[1]["held"], 1);
    assert_eq!(months[1]["planned"], weekly.planned_in(last_month));
    assert_eq!(months[3]["held"], 0);
    // Staff of the group read it, but only Leitung and Fachberatung set it.
    let staff = Client::login(&app, "fachkraft2").await;
    assert_eq!(staff.call("/api/contacts/get", &format!("id={youth}")).await.status, 200);
    assert_eq!(staff.call("/api/contacts/set", &set).await.status, 403);
}

#[tokio::test]
async fn timelines_page_newest_first_and_filter_by_category() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    for i in 0..25 {
        let form = note_form(&new_id(), &fx.own_youth, &format!("Notiz {i}"));
        let form = if i % 5 == 0 { form.replace("input[category]=schule", "input[category]=freizeit") } else { form };
        assert!(staff.call("/api/notes/save", &form).await.status < 400);
    }
    let first = staff.call("/api/entries/timeline", &format!("input[youth_id]={}", fx.own_youth)).await.json();
    let entries = first["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 20);
    assert_eq!(entries[0]["body"]["body"]["text"], "Notiz 24", "newest first");
    let next = first["next"].as_str().expect("a next page");
    let second = staff
        .call("/api/entries/timeline", &format!("input[youth_id]={}&input[before]={next}", fx.own_youth))
        .await
        .json();
    // 25 new notes plus the demo note, visit and parent talk, and the fixtures' monthly
    // talk and record.
    assert_eq!(second["entries"].as_array().map(Vec::len), Some(10));
    assert!(second["next"].is_null());
    let leisure = staff
        .call("/api/entries/timeline", &format!("input[youth_id]={}&input[filter]=freizeit", fx.own_youth))
        .await
        .json();
    assert_eq!(leisure["entries"].as_array().map(Vec::len), Some(5));
    let visits = staff
        .call("/api/entries/timeline", &format!("input[youth_id]={}&input[filter]=besuche", fx.own_youth))
        .await
        .json();
    assert_eq!(visits["entries"].as_array().map(Vec::len), Some(1));
    // The hand-over shows today's entries of the group.
    let handover = staff.call("/api/entries/handover", &format!("id={}", fx.own_group)).await.json();
    assert!(handover["today"].as_array().map(Vec::len).unwrap_or_default() >= 25);
}

#[tokio::test]
async fn items_sealed_to_a_retired_outbox_key_still_open_after_a_rotation() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    let author = user_id(&app, "fachkraft").await;
    let old = key(&app).await;
    // Sealed on a phone while offline; delivered only after the server's key was rotated.
    let waiting = new_id();
    let sealed_old = sealed(&old, &waiting, "note", &note_payload(&author, &waiting, &fx.own_youth, "Vor dem Wechsel"));
    {
        let mut conn = app.store.pool().acquire().await.expect("conn");
        let new_id =
            gruppenbuch_app::sealing::keys::rotate(&mut conn, &app.settings.key_wrapping).await.expect("rotate");
        assert_ne!(new_id, old.key_id);
    }
    let new = key(&app).await;
    assert_ne!(new.key_id, old.key_id, "pages now carry the new key");
    let choices = staff.call("/api/entries/choices", "").await.json();
    assert_eq!(choices["outbox_key"], format!("{}.{}", new.key_id, new.public_key));

    let res = staff.call("/api/outbox/deliver", &sealed_old).await;
    assert_eq!(res.status, 200, "an item sealed to the retired key is delivered: {res:?}");
    assert_eq!(entries_with(&app, &waiting).await, 1);
    let fresh = new_id();
    let sealed_new = sealed(&new, &fresh, "note", &note_payload(&author, &fresh, &fx.own_youth, "Nach dem Wechsel"));
    assert_eq!(staff.call("/api/outbox/deliver", &sealed_new).await.status, 200);
    // A key id nobody issued opens nothing.
    let forged = sealed(
        &OutboxKey { key_id: "unbekannt".into(), public_key: new.public_key.clone() },
        &crate::common::new_id(),
        "note",
        &note_payload(&author, &fresh, &fx.own_youth, "x"),
    );
    assert_eq!(staff.call("/api/outbox/deliver", &forged).await.status, 400);
}

#[tokio::test]
async fn outbox_private_keys_are_stored_wrapped_and_a_database_copy_alone_opens_nothing() {
    let app = spawn_app().await;
    let _ = key(&app).await;
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let stored: Vec<(String, String)> =
        sqlx::query_as("SELECT key_id, private_key FROM outbox_keys").fetch_all(&mut *conn).await.expect("keys");
    assert!(!stored.is_empty());
    for (key_id, private) in &stored {
        assert!(private.starts_with("aesgcm1."), "wrapped: {private}");
        let other_key_file = gruppenbuch_app::sealing::keys::WrappingKey::random();
        let opened =
            gruppenbuch_app::sealing::keys::private_key(&mut conn, &other_key_file, key_id).await.expect("read");
        assert_eq!(opened, None, "without the key file the database's copy opens nothing");
        let opened = gruppenbuch_app::sealing::keys::private_key(&mut conn, &app.settings.key_wrapping, key_id).await;
        assert!(opened.expect("read").is_some(), "with it, it does");
    }
    // A key from before wrapping (in clear, as the migration carries it over) is wrapped
    // at the next start-up, and still opens.
    let pair = gruppenbuch_app::sealing::generate();
    sqlx::query("UPDATE outbox_keys SET private_key = $1, public_key = $2")
        .bind(format!("plain.{}", pair.private_b64))
        .bind(&pair.public_b64)
        .execute(&mut *conn)
        .await
        .expect("legacy key");
    gruppenbuch_app::sealing::keys::prepare(&mut conn, &app.settings.key_wrapping).await.expect("prepare");
    let private: String = sqlx::query_scalar("SELECT private_key FROM outbox_keys WHERE retired_at IS NULL")
        .fetch_one(&mut *conn)
        .await
        .expect("key");
    assert!(private.starts_with("aesgcm1.") && !private.contains(&pair.private_b64), "{private}");
}
