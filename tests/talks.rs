//! The monthly Erziehungsplanungsgespräch through the real server: stored once from a
//! plain form or a sealed outbox item, its ratings and ticked entries on the goal page,
//! corrected with its ratings following, urgent for the Fachberatung when flagged, and
//! refused with nothing stored when it names what is not the young person's.

use crate::common::{
    Client, count, enc, fixtures, new_id, note_form, outbox_key, sealed_form, spawn_app, talk_form, today, user_id,
};

/// Today's ratings on a goal page: (perspective, step).
fn todays_ratings(progress: &serde_json::Value) -> Vec<(String, String)> {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    progress["ratings"]
        .as_array()
        .expect("ratings")
        .iter()
        .filter(|r| r["date"] == today().as_str())
        .map(|r| (text(&r["perspective"]), text(&r["rating"])))
        .collect()
}

#[tokio::test]
async fn a_talk_rates_its_goals_and_a_correction_changes_the_ratings_with_it() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    let (youth, goal) = (&fx.own_youth, &fx.own_goal);

    // The form offers the active Handlungsziele with the weeks' linked entries.
    let note = new_id();
    let form = format!("{}&input[goal_ids][0]={goal}", note_form(&note, youth, "Pünktlich losgegangen"));
    assert_eq!(staff.call("/api/notes/save", &form).await.status, 200);
    let choices = staff.call("/api/talks/choices", "").await;
    assert_eq!(choices.status, 200, "{choices:?}");
    let choices = choices.json();
    let mia = choices["youths"].as_array().expect("youths").iter().find(|y| y["id"] == youth.as_str()).expect("Mia");
    let titles: Vec<&str> =
        mia["goals"].as_array().expect("goals").iter().filter_map(|g| g["title"].as_str()).collect();
    assert_eq!(
        titles,
        ["Regelmäßiger Schulbesuch", "Kontakt zur Mutter stabilisieren"],
        "Richtungsziele are not rated"
    );
    let school = &mia["goals"][0];
    assert_eq!(school["direction"], "Mia schafft den Hauptschulabschluss");
    assert!(school["entries"].as_array().expect("entries").iter().any(|e| e["id"] == note.as_str()));

    // Sealed on the phone, delivered twice (a lost receipt): stored once.
    let key = outbox_key(&app).await;
    let author = user_id(&app, "fachkraft").await;
    let id = new_id();
    let payload = serde_json::json!({
        "author_id": author,
        "talk": {
            "id": id, "youth_id": youth, "date": today(), "participants": "Sabine Sonnen, Frau Krause",
            "youth_present": "ja", "for_advisor": true, "youth_words": "Ich will mehr Zeit mit Mama.",
            "goals": [{ "goal_id": goal, "happened": "Jeden Tag pünktlich", "entry_ids": [note], "staff": "4", "youth": "5", "parents": "3" }]
        }
    });
    let sealed = sealed_form(&key, &id, "talk", &payload);
    let first = staff.call("/api/outbox/deliver", &sealed).await;
    assert_eq!(first.status, 200, "{first:?}");
    assert_eq!(first.json()["duplicate"], false);
    let again = staff.call("/api/outbox/deliver", &sealed).await;
    assert_eq!(again.json()["duplicate"], true);

    let progress = staff.call("/api/goals/progress", &format!("id={goal}")).await.json();
    let ratings = todays_ratings(&progress);
    assert!(ratings.contains(&("staff".into(), "4".into())), "{ratings:?}");
    assert!(ratings.contains(&("youth".into(), "5".into())), "{ratings:?}");
    assert!(ratings.contains(&("parents".into(), "3".into())), "{ratings:?}");
    let chart = progress["ratings_chart"].as_str().expect("chart");
    assert!(chart.starts_with("<svg") && chart.contains("chart-parents"), "{chart}");
    assert_eq!(progress["entries"][0]["id"], id.as_str(), "the talk itself is linked to the goal");
    assert_eq!(progress["entries"][0]["excerpt"], "Jeden Tag pünktlich");
    let plan = staff.call("/api/plans/get", &format!("id={youth}")).await.json();
    let latest =
        plan["goals"].as_array().expect("goals").iter().find(|o| o["goal"]["id"] == goal.as_str()).expect("goal");
    assert_eq!(latest["latest"]["youth"][0], "5");

    // "Thema für die Fachberatung": urgent in the feed.
    let advisor = Client::login(&app, "fachberatung").await;
    let feed = advisor.call("/api/feed/list", "input[q]=").await.json();
    let pinned: Vec<&str> =
        feed["pinned"].as_array().expect("pinned").iter().filter_map(|i| i["id"].as_str()).collect();
    assert!(pinned.contains(&id.as_str()), "{pinned:?}");

    // A correction: the staff rating goes down, the parents' is taken back.
    let correction = format!(
        "id={id}&input[id]={id}&input[date]={}&input[participants]={}&input[youth_present]=ja\
         &input[goals][0][goal_id]={goal}&input[goals][0][happened]=Meist%20p%C3%BCnktlich&input[goals][0][staff]=3\
         &input[goals][0][youth]=5&input[reason]={}",
        today(),
        enc("Sabine Sonnen"),
        enc("Elternsicht war nicht besprochen")
    );
    let res = staff.call("/api/talks/correct", &correction).await;
    assert_eq!(res.status, 200, "{res:?}");
    let progress = staff.call("/api/goals/progress", &format!("id={goal}")).await.json();
    let of_talk = todays_ratings(&progress);
    assert!(of_talk.contains(&("staff".into(), "3".into())), "{of_talk:?}");
    assert!(!of_talk.contains(&("staff".into(), "4".into())), "{of_talk:?}");
    assert!(!of_talk.iter().any(|(p, _)| p == "parents"), "{of_talk:?}");
    let entry = staff.call("/api/entries/get", &format!("id={id}")).await.json();
    assert_eq!(entry["versions"].as_array().map(Vec::len), Some(2));
    assert_eq!(entry["entry"]["goal_titles"][0], "Regelmäßiger Schulbesuch");
    // The young person's page shows it in the timeline; the entry page renders it.
    let page = staff.get(&format!("/eintraege/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Erziehungsplanungsgespräch") && page.body.contains("Meist pünktlich"));
}

#[tokio::test]
async fn a_talk_naming_what_is_not_the_young_persons_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    let (youth, goal) = (&fx.own_youth, &fx.own_goal);
    let entries = count(&app.store, "entries").await;
    let ratings = count(&app.store, "goal_ratings").await;
    let field =
        |res: &crate::common::Response| res.json()["Validation"][0]["field"].as_str().unwrap_or_default().to_owned();

    let cases = [
        // A goal of another young person, an entry of another young person.
        (talk_form(&new_id(), youth, &fx.foreign_goal, &[]), "goals"),
        (talk_form(&new_id(), youth, goal, &[&fx.foreign_note]), "goals"),
        // A rating out of range; the young person of another group.
        (talk_form(&new_id(), youth, goal, &[]).replace("[staff]=4", "[staff]=6"), "goals"),
        (talk_form(&new_id(), &fx.foreign_youth, &fx.foreign_goal, &[]), "youth_id"),
        // Presence not said; a next step before the talk.
        (talk_form(&new_id(), youth, goal, &[]).replace("&input[youth_present]=ja", ""), "youth_present"),
        (
            format!(
                "{}&input[next_who]=Mia&input[next_what]=Lernen&input[next_by]=2020-01-01",
                talk_form(&new_id(), youth, goal, &[])
            ),
            "next_by",
        ),
    ];
    for (form, expected) in cases {
        let res = staff.call("/api/talks/save", &form).await;
        assert_eq!(res.status, 400, "{expected}: {res:?}");
        assert_eq!(field(&res), expected, "{res:?}");
        assert!(!res.json()["Validation"][0]["message"].as_str().unwrap_or_default().is_empty());
    }
    // A field the form does not have; a talk under a note's id.
    let res =
        staff.call("/api/talks/save", &format!("{}&input[grade]=1", talk_form(&new_id(), youth, goal, &[]))).await;
    assert_eq!(res.status, 400);
    let res = staff.call("/api/talks/save", &talk_form(&fx.own_note, youth, goal, &[])).await;
    assert_eq!(res.status, 409, "{res:?}");
    // The Fachberatung reads talks but does not write them.
    let advisor = Client::login(&app, "fachberatung").await;
    assert_eq!(advisor.call("/api/talks/save", &talk_form(&new_id(), youth, goal, &[])).await.status, 403);

    assert_eq!(count(&app.store, "entries").await, entries);
    assert_eq!(count(&app.store, "goal_ratings").await, ratings);
}
