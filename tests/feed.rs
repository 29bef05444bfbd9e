//! The feed and the group overview through the real server: who sees what, keyset pages
//! that neither skip nor repeat, filters and search, "zur Kenntnis genommen", comments,
//! and bad input that changes nothing.

use crate::common::{Client, TestApp, enc, fixtures, new_id, spawn_app};
use gruppenbuch_app::domain::entry::EntryBody;
use gruppenbuch_app::domain::note::{NoteBody, NoteCategory};

fn ids(page: &serde_json::Value, list: &str) -> Vec<String> {
    page[list].as_array().expect(list).iter().map(|i| i["id"].as_str().unwrap_or_default().to_owned()).collect()
}

async fn feed(client: &Client, form: &str) -> serde_json::Value {
    let form = if form.is_empty() { "input[q]=" } else { form };
    let res = client.call("/api/feed/list", form).await;
    assert_eq!(res.status, 200, "{form}: {}", res.body);
    res.json()
}

/// Stores `n` notes about a young person directly (as the API would), with `word` in each.
async fn notes(app: &TestApp, group: &str, youth: &str, author: &str, n: usize, word: &str) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..n {
        let body = EntryBody::Note(NoteBody {
            category: NoteCategory::School,
            text: format!("Hausaufgaben {word} Nummer {i}"),
            important: false,
            goal_ids: vec![],
        });
        let id = crate::common::entry_fixture(&app.store, group, youth, author, body).await;
        out.push(id);
    }
    out
}

#[tokio::test]
async fn each_viewer_sees_their_groups_and_staff_never_what_went_past_them() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let advisor = feed(&Client::login(&app, "fachberatung").await, "").await;
    let staff = feed(&Client::login(&app, "fachkraft").await, "").await;
    let leitung = feed(&Client::login(&app, "leitung").await, "").await;
    let all = |p: &serde_json::Value| [ids(p, "pinned"), ids(p, "items")].concat();
    let (a, s, l) = (all(&advisor), all(&staff), all(&leitung));
    for own in [&fx.own_note, &fx.own_visit, &fx.own_incident, &fx.own_feedback, &fx.own_feedback_past] {
        assert!(a.contains(own) && l.contains(own), "{own}");
    }
    for foreign in [&fx.foreign_note, &fx.foreign_visit, &fx.foreign_incident, &fx.foreign_feedback] {
        assert!(!a.contains(foreign) && !s.contains(foreign) && l.contains(foreign), "{foreign}");
    }
    assert!(s.contains(&fx.own_note) && s.contains(&fx.own_feedback));
    assert!(!s.contains(&fx.own_feedback_past), "staff never see what went past the group");
    let staff_text = staff.to_string();
    assert!(!staff_text.contains("Beschwerde an die Fachberatung") && !staff_text.contains("Lindenhof"));
    // Urgent and unacknowledged on top: the incident and the complaint past the group.
    let pinned = ids(&advisor, "pinned");
    assert!(pinned.contains(&fx.own_incident) && pinned.contains(&fx.own_feedback_past), "{pinned:?}");
    assert!(!ids(&staff, "pinned").contains(&fx.own_feedback_past));
}

#[tokio::test]
async fn pages_follow_each_other_without_gaps_or_repeats_and_filters_narrow_them() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let author = crate::common::user_id(&app, "fachkraft").await;
    // Letters only, so that no digit of it matches the number searched below.
    let letters: String = new_id()
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .map(|c| (b'g' + (c.to_digit(16).unwrap_or(0) as u8)) as char)
        .take(8)
        .collect();
    let word = format!("Seitenprobe{letters}");
    let mut made = notes(&app, &fx.own_group, &fx.own_youth, &author, 75, &word).await;
    let advisor = Client::login(&app, "fachberatung").await;

    // Searching the word, page by page: all 75, newest first, each once.
    let mut seen = Vec::new();
    let mut after = String::new();
    for _ in 0..10 {
        let page = feed(&advisor, &format!("input[q]={}&input[after]={}", enc(&word), enc(&after))).await;
        seen.extend(ids(&page, "items"));
        match page["next"].as_str() {
            Some(next) => after = next.to_owned(),
            None => break,
        }
    }
    made.reverse();
    assert_eq!(seen, made, "every note once, newest first");

    // Filters: kind, young person, period, unread, urgent.
    let incidents = feed(&advisor, "input[kind]=incident").await;
    assert_eq!(ids(&incidents, "items"), vec![fx.own_incident.clone()]);
    let mia = feed(&advisor, &format!("input[youth]={}&input[kind]=visit", fx.own_youth)).await;
    assert_eq!(ids(&mia, "items"), vec![fx.own_visit.clone()]);
    let future = feed(&advisor, "input[from]=2099-01-01").await;
    assert!(ids(&future, "items").is_empty());
    let urgent = feed(&advisor, "input[important]=ja").await;
    assert!(ids(&urgent, "items").iter().all(|id| *id == fx.own_incident || *id == fx.own_feedback_past));
    let two_words = feed(&advisor, &format!("input[q]={}", enc(&format!("{word} nummer 42")))).await;
    assert_eq!(ids(&two_words, "items").len(), 1, "both words must occur: only 'Nummer 42'");
}

#[tokio::test]
async fn bad_filters_and_foreign_scopes_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let advisor = Client::login(&app, "fachberatung").await;
    let audit_before = crate::common::count(&app.store, "audit_log").await;
    for (form, status) in [
        (format!("input[q]={}", "x".repeat(10_000)), 400),
        ("input[after]=123.not-an-id".to_owned(), 400),
        ("input[after]=-5.01a20826-ceb0-7086-825e-6c2739426b14".to_owned(), 400),
        ("input[kind]=tagebuch".to_owned(), 400),
        ("input[from]=2026-13-01".to_owned(), 400),
        ("input[from]=2026-12-01&input[to]=2026-11-01".to_owned(), 400),
        ("input[unread]=vielleicht".to_owned(), 400),
        ("input[category]=%27%3B%20DROP%20TABLE%20feed_items".to_owned(), 400),
        ("input[bogus]=1".to_owned(), 400),
        (format!("input[group]={}", fx.foreign_group), 404),
        (format!("input[youth]={}", fx.foreign_youth), 404),
    ] {
        let res = advisor.call("/api/feed/list", &form).await;
        assert_eq!(res.status, status, "{form}: {}", res.body);
        assert!(!res.body.contains("Lindenhof") && !res.body.contains("Noah"), "{form} leaks: {}", res.body);
    }
    assert_eq!(crate::common::count(&app.store, "audit_log").await, audit_before, "nothing read, nothing logged");
    // A well-formed cursor that names no item is simply a page further down, in scope.
    let res = advisor.call("/api/feed/list", &format!("input[after]=1.{}", new_id())).await;
    assert_eq!(res.status, 200);
    assert!(!res.body.contains("Lindenhof"));
}

#[tokio::test]
async fn the_advisor_acknowledges_and_comments_and_the_group_reads_it() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let advisor = Client::login(&app, "fachberatung").await;
    let other = Client::login(&app, "fachberatung2").await;
    let staff = Client::login(&app, "fachkraft").await;
    let note = &fx.own_note;

    let stamp = |c: &Client| {
        let c = c.clone();
        async move { c.call("/api/feed/stamp", "input[q]=").await.body }
    };
    let audit_before = crate::common::count(&app.store, "audit_log").await;
    let first = stamp(&advisor).await;
    assert_eq!(first, stamp(&advisor).await, "nothing changed");
    assert_eq!(crate::common::count(&app.store, "audit_log").await, audit_before, "a stamp is not logged");
    assert_eq!(staff.call("/api/feed/acknowledge", &format!("id={note}")).await.status, 403);
    assert_eq!(other.call("/api/feed/acknowledge", &format!("id={note}")).await.status, 404);
    assert!(advisor.call("/api/feed/acknowledge", &format!("id={note}")).await.status < 400);
    let comment = "Danke, bitte beim nächsten Hilfeplangespräch ansprechen.";
    let res = advisor.call("/api/feed/comment", &format!("id={note}&input[text]={}", enc(comment))).await;
    assert!(res.status < 400, "{res:?}");
    assert_eq!(other.call("/api/feed/comment", &format!("id={note}&input[text]=x")).await.status, 404);
    assert_ne!(stamp(&advisor).await, first, "the open feed sees the change");
    let incident_events = advisor.call("/api/incidents/stamp", &format!("id={}", fx.own_incident)).await;
    assert_eq!(incident_events.status, 200);
    assert_eq!(other.call("/api/incidents/stamp", &format!("id={}", fx.own_incident)).await.status, 404);
    let before = crate::common::count(&app.store, "feed_comments").await;
    let huge = format!("id={note}&input[text]={}", enc(&"x".repeat(10_000)));
    assert_eq!(advisor.call("/api/feed/comment", &huge).await.status, 400);
    assert_eq!(crate::common::count(&app.store, "feed_comments").await, before);

    // Staff see who took note, and the comment, on their feed.
    let page = feed(&staff, "").await;
    let item = page["items"].as_array().expect("items").iter().find(|i| i["id"] == note.as_str()).expect("note");
    assert!(item["acknowledged"].as_str().unwrap_or_default().starts_with("Frank Berater"), "{item}");
    assert_eq!(item["comments"][0]["text"], comment);
    assert_eq!(item["can_acknowledge"], false);
    // "Only unread" leaves it out now.
    assert!(!ids(&feed(&advisor, "input[unread]=ja").await, "items").contains(note));

    // An incident acknowledged in the feed is acknowledged in its chain too.
    let incident = &fx.own_incident;
    assert!(advisor.call("/api/feed/acknowledge", &format!("id={incident}")).await.status < 400);
    let detail = advisor.call("/api/incidents/get", &format!("id={incident}")).await.json();
    assert_eq!(detail["summary"]["state"], "Acknowledged");
    assert!(!ids(&feed(&advisor, "").await, "pinned").contains(incident));

    // A corrected note shows its new text in the feed.
    let res = staff
        .call(
            "/api/notes/correct",
            &format!(
                "id={note}&{}&input[reason]=Tippfehler",
                crate::common::note_form(note, &fx.own_youth, "Berichtigter Text der Notiz")
            ),
        )
        .await;
    assert!(res.status < 400, "{res:?}");
    assert_eq!(ids(&feed(&advisor, "input[q]=berichtigter").await, "items"), vec![note.clone()]);
}

#[tokio::test]
async fn the_overview_shows_entries_visits_and_what_is_open_per_group() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let res = Client::login(&app, "fachberatung").await.call("/api/overview/get", "").await;
    assert_eq!(res.status, 200, "{}", res.body);
    let groups = res.json();
    let groups = groups.as_array().expect("groups");
    assert_eq!(groups.len(), 1, "only the advisor's own group");
    let g = &groups[0];
    assert_eq!(g["name"], "FWG Sonnenhaus");
    assert_eq!(g["open_incidents"], 1);
    assert_eq!(g["open_complaints"], 2, "the named one to the group and the anonymous one past it");
    let mia = g["youths"].as_array().expect("youths").iter().find(|y| y["id"] == fx.own_youth.as_str()).expect("Mia");
    assert!(mia["entries"].as_i64().unwrap_or_default() >= 1, "{mia}");
    assert!(mia["quiet_days"].is_number(), "{mia}");
    let res = Client::login(&app, "fachkraft").await.call("/api/overview/get", "").await;
    assert_eq!(res.status, 403);
}

#[tokio::test]
async fn a_viewer_of_many_groups_pages_through_all_of_them_in_order() {
    // Past 20 groups PostgreSQL reads a page with one ordered scan instead of one arm
    // per group: both ways must give the same pages.
    let app = spawn_app().await;
    let author = crate::common::user_id(&app, "leitung").await;
    let word = "vielegruppen";
    let mut made = Vec::new();
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let now = gruppenbuch_app::db::now_ms();
    let mut places = Vec::new();
    for i in 0..24 {
        let (group, youth) = (new_id(), new_id());
        sqlx::query(
            "INSERT INTO groups (id, name, address, phone, created_at, updated_at) VALUES ($1, $2, 'W', '0', $3, $3)",
        )
        .bind(&group)
        .bind(format!("FWG Viele {i}"))
        .bind(now)
        .execute(&mut *conn)
        .await
        .expect("group");
        sqlx::query(
            "INSERT INTO youths (id, group_id, first_name, last_name, birth_date, admission_date, caseworker_name, \
             caseworker_contact, custody, created_at, updated_at) VALUES ($1, $2, 'Kim', 'Viele', '2012-01-01', \
             '2020-01-01', '', '', '', $3, $3)",
        )
        .bind(&youth)
        .bind(&group)
        .bind(now)
        .execute(&mut *conn)
        .await
        .expect("youth");
        places.push((group, youth));
    }
    drop(conn);
    for round in 0..3 {
        for (group, youth) in &places {
            made.extend(notes(&app, group, youth, &author, 1, &format!("{word} {round}")).await);
        }
    }
    let leitung = Client::login(&app, "leitung").await;
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let page = feed(&leitung, &format!("input[q]={word}&input[after]={}", enc(&after))).await;
        seen.extend(ids(&page, "items"));
        match page["next"].as_str() {
            Some(next) => after = next.to_owned(),
            None => break,
        }
    }
    made.reverse();
    assert_eq!(seen, made, "all 72 notes of 24 groups, newest first, each once");
}

#[tokio::test]
async fn a_note_or_visit_under_an_incidents_id_is_refused_and_the_incident_stays_pinned() {
    use crate::common::{incident_form, note_form, visit_form};
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    let advisor = Client::login(&app, "fachberatung").await;
    let incident = fx.own_incident.clone();
    assert!(ids(&feed(&advisor, "").await, "pinned").contains(&incident), "the incident is pinned");

    let note = staff.call("/api/notes/save", &note_form(&incident, &fx.own_youth, "Unter fremder Nummer")).await;
    assert_eq!(note.status, 409, "a note may not take an incident's id: {}", note.body);
    let visit = staff.call("/api/visits/save", &visit_form(&incident, &fx.own_youth)).await;
    assert_eq!(visit.status, 409, "nor a visit: {}", visit.body);
    let correction = format!("id={incident}&{}&input[reason]=x", note_form(&incident, &fx.own_youth, "Umgeschrieben"));
    assert_eq!(staff.call("/api/notes/correct", &correction).await.status, 404, "an incident is no note to correct");
    let other_way = staff.call("/api/incidents/save", &incident_form(&fx.own_note, &fx.own_youth, "x")).await;
    assert_eq!(other_way.status, 409, "an incident may not take a note's id: {}", other_way.body);

    let mut conn = app.store.pool().acquire().await.expect("conn");
    let entries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM entries WHERE id = $1")
        .bind(&incident)
        .fetch_one(&mut *conn)
        .await
        .expect("count");
    assert_eq!(entries, 0, "nothing stored under the incident's id");
    let page = feed(&advisor, "").await;
    assert!(ids(&page, "pinned").contains(&incident), "the incident is still pinned");
    let item = page["pinned"].as_array().expect("pinned").iter().find(|i| i["id"] == incident.as_str()).cloned();
    let item = item.expect("the incident's item");
    assert_eq!(item["kind"], "incident");
    assert!(item["excerpt"].as_str().unwrap_or_default().contains("Mia kam nicht vom Sport zurück"), "{item}");
}
