//! The help plan through the real HTTP stack: versions kept word for word, goals on two
//! levels with steps and status, the goal page's progress, and bad input refused with
//! nothing stored.

use crate::common::{Client, count, enc, fixtures, new_id, note_form, spawn_app, today};

fn plan_form(youth: &str, date: &str, participants: &str) -> String {
    format!(
        "input[youth_id]={youth}&input[agreed_on]={date}&input[participants]={}&input[legal_basis]=35a&input[key_worker]={}",
        enc(participants),
        enc("Sabine Sonnen")
    )
}

fn days_ago(n: u64) -> String {
    let today = chrono::NaiveDate::parse_from_str(&today(), "%Y-%m-%d").expect("today");
    today.checked_sub_days(chrono::Days::new(n)).expect("date").to_string()
}

fn days_ahead(n: u64) -> String {
    let today = chrono::NaiveDate::parse_from_str(&today(), "%Y-%m-%d").expect("today");
    today.checked_add_days(chrono::Days::new(n)).expect("date").to_string()
}

#[tokio::test]
async fn a_version_keeps_its_goals_word_for_word_while_the_goals_go_on() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let advisor = Client::login(&app, "fachberatung").await;
    let youth = &fx.own_youth;

    // The demo plan has one version with Mia's four goals, Richtungsziele first.
    let plan = advisor.call("/api/plans/get", &format!("id={youth}")).await;
    assert_eq!(plan.status, 200, "{plan:?}");
    let plan = plan.json();
    assert_eq!(plan["can_edit"], true);
    assert_eq!(plan["versions"].as_array().map(Vec::len), Some(1));
    assert_eq!(plan["legal_basis"], "34");
    let levels: Vec<String> =
        plan["goals"].as_array().expect("goals").iter().map(|g| g["goal"]["level"].to_string()).collect();
    assert_eq!(levels, ["\"richtung\"", "\"handlung\"", "\"richtung\"", "\"handlung\""]);

    // After a Hilfeplangespräch today: a new goal under the first Richtungsziel, with a
    // step, then the new version.
    let direction = plan["goals"][0]["goal"]["id"].as_str().expect("id").to_owned();
    let goal_form = format!(
        "input[youth_id]={youth}&input[title]={}&input[level]=handlung&input[parent_id]={direction}\
         &input[steps][0][who]=Mia&input[steps][0][what]={}&input[steps][0][by]={}\
         &input[steps][1][who]=&input[steps][1][what]=&input[steps][1][by]=",
        enc("Mia meldet sich einmal pro Stunde im Unterricht"),
        enc("Meldet sich in Mathe"),
        days_ahead(20)
    );
    let created = advisor.call("/api/goals/create", &goal_form).await;
    assert_eq!(created.status, 200, "{created:?}");
    let new_goal = created.json().as_str().expect("id").to_owned();
    let recorded = advisor.call("/api/plans/create", &plan_form(youth, &today(), "Mia, Frau Krause, Jugendamt")).await;
    assert_eq!(recorded.status, 200, "{recorded:?}");
    let second = recorded.json().as_str().expect("id").to_owned();

    // The goal changes afterwards: reached, new wording.
    let update = format!(
        "id={new_goal}&input[title]={}&input[level]=handlung&input[parent_id]={direction}&input[status]=erreicht",
        enc("Mia meldet sich oft im Unterricht")
    );
    let updated = advisor.call("/api/goals/update", &update).await;
    assert_eq!(updated.status, 200, "{updated:?}");

    // The version still says what was agreed; the current plan says what stands now.
    let version = advisor.call("/api/plans/version", &format!("id={second}")).await.json();
    assert_eq!(version["version"], 2);
    assert_eq!(version["snapshot"]["legal_basis"], "35a");
    assert_eq!(version["snapshot"]["participants"], "Mia, Frau Krause, Jugendamt");
    let kept = version["snapshot"]["goals"].as_array().expect("goals").iter().find(|g| g["id"] == new_goal.as_str());
    let kept = kept.expect("the new goal is in version 2");
    assert_eq!(kept["title"], "Mia meldet sich einmal pro Stunde im Unterricht");
    assert_eq!(kept["status"], "offen");
    assert_eq!(kept["steps"][0]["what"], "Meldet sich in Mathe");
    assert_eq!(kept["steps"].as_array().map(Vec::len), Some(1), "the blank row is not a step");
    let first = advisor.call("/api/plans/version", &format!("id={}", fx.own_plan)).await.json();
    assert_eq!(first["version"], 1);
    assert_eq!(first["newer"]["version"], 2);
    assert!(first["snapshot"]["goals"].as_array().expect("goals").iter().all(|g| g["id"] != new_goal.as_str()));
    let now = advisor.call("/api/plans/get", &format!("id={youth}")).await.json();
    assert_eq!(now["versions"][0]["version"], 2);
    assert_eq!(now["current"]["version"], 2);
    assert_eq!(now["legal_basis"], "35a");
    let current = now["goals"].as_array().expect("goals").iter().find(|o| o["goal"]["id"] == new_goal.as_str());
    assert_eq!(current.expect("goal")["goal"]["status"], "erreicht");

    // Versions are history: the store itself refuses to change one.
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let change = sqlx::query("UPDATE help_plans SET body = '{}' WHERE id = $1").bind(&second).execute(&mut *conn).await;
    assert!(change.is_err(), "a plan version was changed in place");
    drop(conn);

    // Staff read the plan but do not keep it; every read is in the audit log.
    let staff = Client::login(&app, "fachkraft").await;
    let read = staff.call("/api/plans/get", &format!("id={youth}")).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["can_edit"], false);
    assert_eq!(staff.call("/api/plans/create", &plan_form(youth, &today(), "Team")).await.status, 403);
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let reads: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE record_kind = 'help_plan' AND actor_login = 'fachkraft' AND action = 'read'",
    )
    .fetch_one(&mut *conn)
    .await
    .expect("audit");
    assert_eq!(reads, 1);
}

#[tokio::test]
async fn bad_plan_and_goal_input_is_refused_with_a_message_and_nothing_is_stored() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let leitung = Client::login(&app, "leitung").await;
    let youth = &fx.own_youth;
    let plans = count(&app.store, "help_plans").await;
    let goals = count(&app.store, "goals").await;
    let field =
        |res: &crate::common::Response| res.json()["Validation"][0]["field"].as_str().unwrap_or_default().to_owned();

    // A plan in the future, before the last version, without participants or basis.
    let future = leitung.call("/api/plans/create", &plan_form(youth, &days_ahead(1), "Mia")).await;
    assert_eq!((future.status, field(&future)), (400, "agreed_on".to_owned()), "{future:?}");
    let before = leitung.call("/api/plans/create", &plan_form(youth, &days_ago(400), "Mia")).await;
    assert_eq!(before.status, 400, "{before:?}");
    assert!(before.body.contains("vor der letzten Fassung"), "{}", before.body);
    let no_basis =
        format!("input[youth_id]={youth}&input[agreed_on]={}&input[participants]=Mia&input[key_worker]=X", today());
    let res = leitung.call("/api/plans/create", &no_basis).await;
    assert_eq!((res.status, field(&res)), (400, "legal_basis".to_owned()));
    assert!(res.body.contains("Rechtsgrundlage"), "{}", res.body);

    // A version or goal that does not exist; a young person of another group.
    assert_eq!(leitung.call("/api/plans/version", &format!("id={}", new_id())).await.status, 404);
    assert_eq!(leitung.call("/api/plans/version", "id=keine-id").await.status, 404);
    assert_eq!(leitung.call("/api/goals/progress", &format!("id={}", new_id())).await.status, 404);
    let advisor = Client::login(&app, "fachberatung").await;
    let foreign = advisor.call("/api/plans/create", &plan_form(&fx.foreign_youth, &today(), "Noah")).await;
    assert_eq!(foreign.status, 404);

    // A Handlungsziel under another young person's goal, or under a Handlungsziel.
    let under = |parent: &str| {
        format!("input[youth_id]={youth}&input[title]=Ziel&input[level]=handlung&input[parent_id]={parent}")
    };
    let res = leitung.call("/api/goals/create", &under(&fx.foreign_goal)).await;
    assert_eq!((res.status, field(&res)), (400, "parent_id".to_owned()), "{res:?}");
    let res = leitung.call("/api/goals/create", &under(&fx.own_goal)).await;
    assert_eq!((res.status, field(&res)), (400, "parent_id".to_owned()), "a Handlungsziel is no parent");
    // A step before the plan's Hilfeplangespräch (45 days ago in the demo).
    let early = format!(
        "input[youth_id]={youth}&input[title]=Ziel&input[steps][0][who]=Mia&input[steps][0][what]=Etwas&input[steps][0][by]={}",
        days_ago(100)
    );
    let res = leitung.call("/api/goals/create", &early).await;
    assert_eq!((res.status, field(&res)), (400, "steps".to_owned()), "{res:?}");
    assert!(res.body.contains("vor dem Hilfeplangespräch"), "{}", res.body);
    // A step without who; dropped without a reason; an unknown status; a field too many.
    let res = leitung
        .call(
            "/api/goals/create",
            &format!(
                "input[youth_id]={youth}&input[title]=Ziel&input[steps][0][what]=Etwas&input[steps][0][by]={}",
                today()
            ),
        )
        .await;
    assert_eq!((res.status, field(&res)), (400, "steps".to_owned()));
    let res = leitung
        .call(
            "/api/goals/create",
            &format!("input[youth_id]={youth}&input[title]=Ziel&input[status]=nicht_weiterverfolgt"),
        )
        .await;
    assert_eq!((res.status, field(&res)), (400, "status_reason".to_owned()));
    let res = leitung
        .call("/api/goals/create", &format!("input[youth_id]={youth}&input[title]=Ziel&input[status]=fertig"))
        .await;
    assert_eq!((res.status, field(&res)), (400, "status".to_owned()));
    let res =
        leitung.call("/api/goals/create", &format!("input[youth_id]={youth}&input[title]=Ziel&input[rating]=9")).await;
    assert_eq!(res.status, 400);
    // A Richtungsziel with Handlungsziele under it stays one.
    let plan = leitung.call("/api/plans/get", &format!("id={youth}")).await.json();
    let direction = plan["goals"][0]["goal"]["id"].as_str().expect("id").to_owned();
    let res =
        leitung.call("/api/goals/update", &format!("id={direction}&input[title]=Ziel&input[level]=handlung")).await;
    assert_eq!((res.status, field(&res)), (400, "level".to_owned()));

    assert_eq!(count(&app.store, "help_plans").await, plans);
    assert_eq!(count(&app.store, "goals").await, goals);
    let still = leitung.call("/api/plans/get", &format!("id={youth}")).await.json();
    assert_eq!(still["goals"][0]["goal"]["level"], "richtung");
}

#[tokio::test]
async fn the_goal_page_follows_linked_entries_and_flags_a_goal_without_any() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    let goal = &fx.own_goal;

    // The demo note of today links the school goal; two more notes do, one is corrected
    // to link nothing.
    let before = staff.call("/api/goals/progress", &format!("id={goal}")).await;
    assert_eq!(before.status, 200, "{before:?}");
    let before = before.json();
    let linked_before = before["entries_total"].as_i64().expect("total");
    let mut ids = Vec::new();
    for text in ["Pünktlich in der Schule angekommen", "Mit dem Bus allein zur Schule"] {
        let id = new_id();
        let form = format!("{}&input[goal_ids][0]={goal}", note_form(&id, &fx.own_youth, text));
        let res = staff.call("/api/notes/save", &form).await;
        assert_eq!(res.status, 200, "{res:?}");
        ids.push(id);
    }
    let corrected = format!("id={}&{}&input[reason]=Falsches%20Ziel", ids[1], note_form(&ids[1], &fx.own_youth, "Bus"));
    assert_eq!(staff.call("/api/notes/correct", &corrected).await.status, 200);

    let progress = staff.call("/api/goals/progress", &format!("id={goal}")).await.json();
    assert_eq!(progress["entries_total"].as_i64(), Some(linked_before + 1));
    assert_eq!(progress["entries"][0]["excerpt"], "Pünktlich in der Schule angekommen");
    let months = progress["months"].as_array().expect("months");
    assert_eq!(months.len(), 12);
    assert_eq!(months[11]["count"].as_i64(), Some(linked_before + 1), "this month's count");
    assert_eq!(progress["stale"], false);
    assert!(progress["months_chart"].as_str().expect("svg").starts_with("<svg"));
    // The fixtures' monthly talk rated it (staff: teilweise).
    assert!(progress["ratings_chart"].as_str().expect("svg").contains("chart-staff"));
    assert_eq!(progress["ratings"][0]["rating"], "3");
    assert_eq!(progress["parent"]["title"], "Mia schafft den Hauptschulabschluss");

    // A goal set six weeks ago without any entry is flagged; one with an entry is not.
    let leitung = Client::login(&app, "leitung").await;
    let swim = format!("input[youth_id]={}&input[title]={}", fx.own_youth, enc("Schwimmen lernen"));
    assert_eq!(leitung.call("/api/goals/create", &swim).await.status, 200);
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let six_weeks_ago = chrono::Utc::now().timestamp_millis() - 42 * 24 * 3600 * 1000;
    sqlx::query("UPDATE goals SET created_at = $1 WHERE youth_id = $2")
        .bind(six_weeks_ago)
        .bind(&fx.own_youth)
        .execute(&mut *conn)
        .await
        .expect("backdate");
    drop(conn);
    let plan = staff.call("/api/plans/get", &format!("id={}", fx.own_youth)).await.json();
    let stale: Vec<(String, bool)> = plan["goals"]
        .as_array()
        .expect("goals")
        .iter()
        .map(|o| (o["goal"]["title"].as_str().unwrap_or_default().to_owned(), o["stale"].as_bool().unwrap_or_default()))
        .collect();
    assert!(stale.contains(&("Regelmäßiger Schulbesuch".to_owned(), false)), "{stale:?}");
    assert!(stale.contains(&("Schwimmen lernen".to_owned(), true)), "{stale:?}");
    // The young person's page and the goal page show it.
    let page = staff.get(&format!("/jugendliche/{}", fx.own_youth)).await;
    assert!(page.body.contains("Wochen oder länger kein Eintrag"), "the youth page flags the quiet goal");
    let page = staff.get(&format!("/ziele/{goal}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Pünktlich in der Schule angekommen") && page.body.contains("<svg"), "{}", page.body);
}

#[tokio::test]
async fn a_young_person_sees_and_rates_only_their_own_active_goals_and_the_talk_offers_the_rating() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let mia = Client::login(&app, "jugendliche").await;
    let mine = mia.call("/api/me/goals", "").await;
    assert_eq!(mine.status, 200, "{mine:?}");
    let mine = mine.json();
    let titles: Vec<&str> = mine.as_array().expect("goals").iter().filter_map(|g| g["title"].as_str()).collect();
    assert_eq!(
        titles,
        [
            "Ich schaffe meinen Schulabschluss.",
            "Ich gehe jeden Tag zur Schule.",
            "Ich verstehe mich gut mit Mama.",
            "Ich sehe Mama alle zwei Wochen."
        ]
    );
    // Nothing else of the case: no steps, no status, no entries, no staff names.
    for forbidden in ["steps", "status", "Sabine", "Frank", "description", "entries"] {
        assert!(!mine.to_string().contains(forbidden), "{forbidden} in {mine}");
    }

    let rate = |goal: &str, rating: &str| format!("input[goal_id]={goal}&input[rating]={rating}");
    let res = mia.call("/api/me/rate-goal", &rate(&fx.own_goal, "2")).await;
    assert_eq!(res.status, 200, "{res:?}");
    let before = count(&app.store, "youth_goal_ratings").await;
    for (form, field) in [
        (rate(&fx.own_goal, "6"), "rating"),
        (rate(&fx.own_goal, ""), "rating"),
        (rate(&fx.foreign_goal, "3"), "goal_id"),
        (rate("kein-ziel", "3"), "goal_id"),
    ] {
        let res = mia.call("/api/me/rate-goal", &form).await;
        assert_eq!(res.status, 400, "{form}: {res:?}");
        assert_eq!(res.json()["Validation"][0]["field"], field);
    }
    // A goal no longer pursued is not hers to rate any more.
    let leitung = Client::login(&app, "leitung").await;
    let drop = format!(
        "id={}&input[title]={}&input[status]=nicht_weiterverfolgt&input[status_reason]={}",
        fx.own_goal,
        enc("Regelmäßiger Schulbesuch"),
        enc("Schulwechsel")
    );
    assert_eq!(leitung.call("/api/goals/update", &drop).await.status, 200);
    assert_eq!(mia.call("/api/me/rate-goal", &rate(&fx.own_goal, "3")).await.status, 400);
    assert_eq!(count(&app.store, "youth_goal_ratings").await, before);
    let staff = Client::login(&app, "fachkraft").await;
    assert_eq!(staff.call("/api/me/rate-goal", &rate(&fx.own_goal, "3")).await.status, 403);
    assert_eq!(staff.call("/api/me/goals", "").await.status, 403);

    // Her face arrives in the monthly talk as her view (on a goal still active).
    let mine = mia.call("/api/me/goals", "").await.json();
    let contact = mine.as_array().expect("goals").iter().find(|g| g["title"] == "Ich sehe Mama alle zwei Wochen.");
    let contact = contact.expect("goal")["id"].as_str().expect("id").to_owned();
    assert_eq!(mia.call("/api/me/rate-goal", &rate(&contact, "5")).await.status, 200);
    let choices = staff.call("/api/talks/choices", "").await.json();
    let offered = choices["youths"]
        .as_array()
        .expect("youths")
        .iter()
        .flat_map(|y| y["goals"].as_array().cloned().unwrap_or_default())
        .find(|g| g["id"] == contact.as_str())
        .expect("offered");
    assert_eq!(offered["own_rating"], "5");
    let page = mia.get("/meine-ziele").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Klappt richtig gut"), "{}", page.body);
}

#[tokio::test]
async fn start_pages_remind_of_reviews_overdue_talks_and_quiet_goals_in_the_own_groups_only() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let leitung = Client::login(&app, "leitung").await;
    let soon = format!(
        "id={}&input[title]={}&input[review_on]={}",
        fx.own_goal,
        enc("Regelmäßiger Schulbesuch"),
        days_ahead(5)
    );
    assert_eq!(leitung.call("/api/goals/update", &soon).await.status, 200);
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let long_ago = chrono::Utc::now().timestamp_millis() - 60 * 24 * 3600 * 1000;
    sqlx::query("UPDATE goals SET created_at = $1").bind(long_ago).execute(&mut *conn).await.expect("backdate");
    // Noah's last monthly talk was six weeks ago.
    sqlx::query("UPDATE entries SET occurred_on = $1 WHERE kind = 'talk' AND youth_id = $2")
        .bind(days_ago(42))
        .bind(&fx.foreign_youth)
        .execute(&mut *conn)
        .await
        .expect("backdate the talk");
    drop(conn);

    let staff = Client::login(&app, "fachkraft").await;
    let reminders = staff.call("/api/plans/reminders", "").await;
    assert_eq!(reminders.status, 200, "{reminders:?}");
    let reminders = reminders.json();
    let list = reminders.as_array().expect("reminders");
    let kinds = |youth: &str| -> Vec<String> {
        list.iter()
            .filter(|r| r["youth_id"] == youth)
            .map(|r| r["kind"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let mia = kinds(&fx.own_youth);
    assert!(mia.contains(&"Review".to_owned()), "{mia:?}");
    assert!(mia.contains(&"QuietGoal".to_owned()), "the contact goal has no entry: {mia:?}");
    assert!(!mia.contains(&"TalkOverdue".to_owned()), "the fixtures held a talk today: {mia:?}");
    assert!(kinds(&fx.foreign_youth).is_empty(), "another group's young person");
    // Leitung sees the other group too, where Noah's monthly talk is overdue.
    let all = leitung.call("/api/plans/reminders", "").await.json();
    let noah: Vec<&str> = all
        .as_array()
        .expect("reminders")
        .iter()
        .filter(|r| r["youth_id"] == fx.foreign_youth.as_str())
        .filter_map(|r| r["kind"].as_str())
        .collect();
    assert!(noah.contains(&"TalkOverdue"), "{noah:?}");
    let page = staff.get("/").await;
    assert!(page.body.contains("Hilfeplanung: bald fällig") && page.body.contains("Überprüfung von"), "{}", page.body);
    // The Fachberatung's overview counts the quiet goals.
    let advisor = Client::login(&app, "fachberatung").await;
    let overview = advisor.call("/api/overview/get", "").await.json();
    let quiet = overview[0]["youths"]
        .as_array()
        .expect("youths")
        .iter()
        .find(|y| y["id"] == fx.own_youth.as_str())
        .map(|y| y["quiet_goals"].as_i64().unwrap_or_default());
    assert!(quiet.is_some_and(|n| n >= 1), "{overview}");
}
