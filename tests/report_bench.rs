//! `make bench`: how long the report for the Hilfeplangespräch takes for a young person
//! with three years of record. Not a pass/fail test (ignored in `make test`);
//! `scripts/bench-feed.sh` runs it on SQLite and PostgreSQL and the figures go into
//! docs/performance.md.
//!
//! A young person admitted three years ago, with no Hilfeplangespräch recorded yet, so
//! the draft covers all of it (the worst case: a report covers six months): about 3,000
//! entries written through the store as the app writes them (daily notes in every
//! category, many linked to goals; a visit contact every two weeks, some cancelled; a
//! monthly talk rating three goals), plus an incident a quarter. The first PDF after the
//! server started (fonts parsed once) is timed on its own. Timed through the real
//! server with a real session: drawing the draft anew (`reports/regenerate`: read,
//! generate, store), loading it in the editor (`reports/get`), and the PDF download.

use crate::common::{Client, entry_fixture_on, fixtures, incident_fixture, spawn_app, user_id};
use chrono::{Duration, NaiveDate};
use gruppenbuch_app::domain::entry::EntryBody;
use gruppenbuch_app::domain::note::{NoteBody, NoteCategory};
use gruppenbuch_app::domain::plan::Rating;
use gruppenbuch_app::domain::talk::{TalkBody, TalkGoal};
use gruppenbuch_app::domain::visit::{Participant, VisitBody, VisitKind, VisitOutcome, VisitPlace};
use std::time::Instant;

const SAMPLES: usize = 20;
const DAYS: i64 = 3 * 365;

fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(|a, b| a.total_cmp(b));
    let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

#[tokio::test]
#[ignore = "a benchmark: run by `make bench` (scripts/bench-feed.sh)"]
async fn report_bench() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let backend = if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        "postgresql"
    } else {
        "sqlite"
    };
    let leitung = Client::login(&app, "leitung").await;
    let today = chrono::Utc::now().date_naive();
    let admitted = today - Duration::days(DAYS);
    let res = leitung
        .call(
            "/api/youths/create",
            &format!(
                "input[group_id]={}&input[first_name]=Jonas&input[last_name]=Drei&input[birth_date]=2010-01-01\
                 &input[admission_date]={admitted}",
                fx.own_group
            ),
        )
        .await;
    let youth = res.json().as_str().expect("youth").to_owned();
    let mut goals = Vec::new();
    for title in ["Schule regelmäßig besuchen", "Freundschaften pflegen", "Selbstständig einkaufen"] {
        let res = leitung
            .call("/api/goals/create", &format!("input[youth_id]={youth}&input[title]={}", crate::common::enc(title)))
            .await;
        goals.push(res.json().as_str().expect("goal").to_owned());
    }
    let staff = user_id(&app, "fachkraft").await;
    let group = fx.own_group.clone();
    let started = Instant::now();
    let categories = NoteCategory::ALL;
    let mut written = 0;
    for d in 0..DAYS {
        let day: NaiveDate = admitted + Duration::days(d);
        let category = categories[usize::try_from(d).unwrap_or(0) % categories.len()];
        let goal_ids =
            if d % 3 == 0 { vec![crate::common::id(&goals[usize::try_from(d).unwrap_or(0) % 3])] } else { vec![] };
        let note = EntryBody::Note(NoteBody {
            category,
            text: format!(
                "Tag {d}: Hausaufgaben gemacht, beim Training gewesen, abends ein Gespräch über die Woche. \
                 Stimmung ausgeglichen, mit den anderen gut ausgekommen."
            ),
            important: d % 50 == 0,
            goal_ids,
        });
        entry_fixture_on(&app.store, &group, &youth, &staff, day, note).await;
        written += 1;
        // A second note every day, a third every other day.
        for (n, category) in [(1, NoteCategory::Health), (2, NoteCategory::Mood)] {
            if n == 2 && d % 2 == 1 {
                continue;
            }
            let more = EntryBody::Note(NoteBody {
                category,
                text: format!("Tag {d}, Eintrag {n}: beim Arzt zur Kontrolle, danach ruhig und zufrieden."),
                important: false,
                goal_ids: vec![],
            });
            entry_fixture_on(&app.store, &group, &youth, &staff, day, more).await;
            written += 1;
        }
        if d % 14 == 0 {
            let outcome = if d % 56 == 0 { VisitOutcome::CancelledByFamily } else { VisitOutcome::Held };
            let visit = EntryBody::Visit(VisitBody {
                time: "15:00".into(),
                kind: VisitKind::Visit,
                place: VisitPlace::Office,
                participants: vec![Participant::Mother],
                participants_other: String::new(),
                supervised: true,
                supervised_by: "Frank Berater".into(),
                outcome,
                mood_before: Some(3),
                mood_before_text: String::new(),
                mood_after: Some(4),
                mood_after_text: String::new(),
                notes: "Ruhiger Besuch, gemeinsam gespielt.".into(),
            });
            entry_fixture_on(&app.store, &group, &youth, &staff, day, visit).await;
            written += 1;
        }
        if d % 30 == 0 {
            let step = Rating::from_step(1 + (d / 30) % 5).unwrap_or(Rating::Partly);
            let talk = EntryBody::Talk(TalkBody {
                participants: "Jonas, Bezugsbetreuerin".into(),
                youth_present: true,
                goals: goals
                    .iter()
                    .map(|g| TalkGoal {
                        goal_id: crate::common::id(g),
                        happened: "Hat gut geklappt.".into(),
                        entry_ids: vec![],
                        staff: Some(step),
                        youth: Some(step),
                        parents: None,
                    })
                    .collect(),
                next_who: String::new(),
                next_what: String::new(),
                next_by: String::new(),
                youth_words: "Ich will weiter zum Training.".into(),
                hpg_topics: String::new(),
                for_advisor: false,
            });
            entry_fixture_on(&app.store, &group, &youth, &staff, day, talk).await;
            written += 1;
        }
    }
    for _ in 0..12 {
        incident_fixture(&app.store, &group, &youth, &staff, "Streit in der Gruppe").await;
    }
    if backend == "postgresql" {
        let mut conn = app.store.pool().acquire().await.expect("conn");
        sqlx::query("ANALYZE").execute(&mut *conn).await.expect("analyze");
    }
    println!("\nreport-bench {backend}: {written} entries written in {:.1} s", started.elapsed().as_secs_f64());

    let client = Client::login(&app, "fachkraft").await;
    let meeting = today + Duration::days(14);
    let res = client.call("/api/reports/start", &format!("input[youth_id]={youth}&input[meeting_on]={meeting}")).await;
    assert_eq!(res.status, 200, "{res:?}");
    let id = res.json().as_str().expect("report").to_owned();
    let report = client.call("/api/reports/get", &format!("id={id}")).await.json();
    let lines: usize = report["body"]["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .map(|s| s["lines"].as_array().map_or(0, Vec::len))
        .sum();

    let mut draft = Vec::new();
    let mut get = Vec::new();
    let mut pdf = Vec::new();
    let mut pages = 0;
    let t = Instant::now();
    let (status, _, _) = client.get_bytes(&format!("/berichte/{id}/bericht.pdf")).await;
    assert_eq!(status, 200);
    println!(
        "report-bench {backend} {written} entries: the first PDF after start: {:.1} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    for _ in 0..SAMPLES {
        let revision = client.call("/api/reports/get", &format!("id={id}")).await.json()["revision"].clone();
        let t = Instant::now();
        let res =
            client.call("/api/reports/regenerate", &format!("input[report_id]={id}&input[revision]={revision}")).await;
        draft.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(res.status, 200, "{res:?}");
        let t = Instant::now();
        let res = client.call("/api/reports/get", &format!("id={id}")).await;
        get.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(res.status, 200);
        let t = Instant::now();
        let (status, _, bytes) = client.get_bytes(&format!("/berichte/{id}/bericht.pdf")).await;
        pdf.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(status, 200);
        if pages == 0 {
            pages = crate::common::pdf_text(&bytes).matches('\u{c}').count();
        }
    }
    for (what, samples) in [
        ("reports/regenerate (draft from the record)", &mut draft),
        ("reports/get (the editor's data)", &mut get),
        ("GET /berichte/:id/bericht.pdf", &mut pdf),
    ] {
        let (p50, p99) = (percentile(samples, 50.0), percentile(samples, 99.0));
        println!(
            "report-bench {backend} {written} entries, {lines} lines, {pages} pages: {what}: p50 {p50:.1} ms, p99 {p99:.1} ms"
        );
    }
}
