//! The Fachberatung's own records through the real server: who writes them, who reads
//! which kind, and that a case reflection reaches the group's staff on no path.

use crate::common::{Client, count, enc, fixtures, new_id, record_form, spawn_app, talk_form};

#[tokio::test]
async fn a_parent_talk_is_everyone_s_and_a_case_reflection_only_the_advisors_on_every_path() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let advisor = Client::login(&app, "fachberatung").await;
    let staff = Client::login(&app, "fachkraft").await;
    let leitung = Client::login(&app, "leitung").await;
    let (youth, goal) = (&fx.own_youth, &fx.own_goal);

    let talk = new_id();
    let form = format!(
        "{}&input[goal_ids][0]={goal}",
        record_form(&talk, youth, "elterngespraech", "Besuche bleiben begleitet")
    );
    let res = advisor.call("/api/records/save", &form).await;
    assert_eq!(res.status, 200, "{res:?}");
    let reflection = new_id();
    let secret = "Sorge um die Belastung im Team der Wohngruppe";
    let form = format!("{}&input[goal_ids][0]={goal}", record_form(&reflection, youth, "fallreflexion", secret));
    assert_eq!(advisor.call("/api/records/save", &form).await.status, 200);

    // The staff: the parent talk everywhere, the reflection nowhere.
    let timeline = staff.call("/api/entries/timeline", &format!("input[youth_id]={youth}")).await;
    assert!(timeline.body.contains("Besuche bleiben begleitet") && !timeline.body.contains(secret));
    assert_eq!(staff.call("/api/entries/get", &format!("id={reflection}")).await.status, 404);
    assert_eq!(staff.call("/api/entries/get", &format!("id={talk}")).await.status, 200);
    let progress = staff.call("/api/goals/progress", &format!("id={goal}")).await.json();
    let staff_total = progress["entries_total"].as_i64().expect("total");
    assert!(!progress.to_string().contains(secret));
    assert!(progress.to_string().contains(&talk));
    let feed = staff.call("/api/feed/list", "input[q]=").await;
    assert!(!feed.body.contains(&reflection) && !feed.body.contains(secret));
    let search = staff.call("/api/feed/list", &format!("input[q]={}", enc("Belastung"))).await;
    assert!(!search.body.contains(&reflection));
    let handover = staff.call("/api/entries/handover", &format!("id={}", fx.own_group)).await;
    assert!(handover.body.contains("Besuche bleiben begleitet") && !handover.body.contains(secret));
    for page in [format!("/jugendliche/{youth}"), format!("/ziele/{goal}"), format!("/eintraege/{reflection}")] {
        assert!(!staff.get(&page).await.body.contains(secret), "{page}");
    }
    // A talk cannot tick it either: to the staff it does not exist.
    let res = staff.call("/api/talks/save", &talk_form(&new_id(), youth, goal, &[&reflection])).await;
    assert_eq!(res.status, 400, "{res:?}");
    let choices = staff.call("/api/talks/choices", "").await;
    assert!(!choices.body.contains(&reflection));
    assert_eq!(staff.call("/api/records/save", &record_form(&new_id(), youth, "fachgespraech", "x")).await.status, 403);

    // The Fachberatung and Leitung read it, counted on the goal page too.
    for reader in [&advisor, &leitung] {
        let entry = reader.call("/api/entries/get", &format!("id={reflection}")).await;
        assert_eq!(entry.status, 200);
        assert_eq!(entry.json()["can_correct"], true);
        let progress = reader.call("/api/goals/progress", &format!("id={goal}")).await.json();
        assert_eq!(progress["entries_total"].as_i64(), Some(staff_total + 1));
        let feed = reader.call("/api/feed/list", "input[q]=").await;
        assert!(feed.body.contains(&reflection));
    }
    let page = advisor.get(&format!("/eintraege/{reflection}")).await;
    assert!(page.body.contains(secret) && page.body.contains("nur Fachberatung und Leitung"));
}

#[tokio::test]
async fn bad_records_are_refused_with_a_message_and_a_correction_keeps_the_kind() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let advisor = Client::login(&app, "fachberatung").await;
    let youth = &fx.own_youth;
    let entries = count(&app.store, "entries").await;
    let field =
        |res: &crate::common::Response| res.json()["Validation"][0]["field"].as_str().unwrap_or_default().to_owned();

    let diagnostics = |id: &str| {
        format!(
            "input[id]={id}&input[youth_id]={youth}&input[date]={}&input[record_type]=diagnostik&input[phase]=eingang\
             &input[assessor]={}&input[instrument]=SDQ",
            crate::common::today(),
            enc("Dr. Weiß")
        )
    };
    let res = advisor.call("/api/records/save", &diagnostics(&new_id())).await;
    assert_eq!((res.status, field(&res)), (400, "findings".to_owned()), "{res:?}");
    let res = advisor.call("/api/records/save", &record_form(&new_id(), youth, "elterngespraech", "")).await;
    assert_eq!((res.status, field(&res)), (400, "outcome".to_owned()));
    let res = advisor.call("/api/records/save", &record_form(&new_id(), youth, "tratsch", "x")).await;
    assert_eq!((res.status, field(&res)), (400, "record_type".to_owned()));
    let foreign_goal =
        format!("{}&input[goal_ids][0]={}", record_form(&new_id(), youth, "fachgespraech", "x"), fx.foreign_goal);
    let res = advisor.call("/api/records/save", &foreign_goal).await;
    assert_eq!((res.status, field(&res)), (400, "goal_ids".to_owned()));
    let res = advisor.call("/api/records/save", &record_form(&new_id(), &fx.foreign_youth, "fachgespraech", "x")).await;
    assert_eq!((res.status, field(&res)), (400, "youth_id".to_owned()));
    assert_eq!(count(&app.store, "entries").await, entries);

    // A diagnostics record with everything stores; the same id again confirms only.
    let id = new_id();
    let complete = format!("{}&input[findings]={}", diagnostics(&id), enc("Unauffällig."));
    let first = advisor.call("/api/records/save", &complete).await;
    assert_eq!(first.status, 200, "{first:?}");
    assert_eq!(advisor.call("/api/records/save", &complete).await.json()["duplicate"], true);
    // A correction may not turn it into a case reflection.
    let turned = format!(
        "id={}&{}&input[reason]=Versehen",
        fx.own_record,
        record_form(&fx.own_record, youth, "fallreflexion", "geheim")
    );
    let res = advisor.call("/api/records/correct", &turned).await;
    assert_eq!((res.status, field(&res)), (400, "record_type".to_owned()), "{res:?}");
    let staff = Client::login(&app, "fachkraft").await;
    assert_eq!(staff.call("/api/entries/get", &format!("id={}", fx.own_record)).await.status, 200);
}
