//! The report for the Hilfeplangespräch through the real server: the draft of a seeded
//! half-year holds the period's record and nothing else, review and signature freeze it,
//! the young person's view arrives once, and the PDF reads back.

use crate::common::{
    Client, TestApp, count, enc, entry_fixture_on, feedback_fixture, fixtures, incident_fixture, new_id, pdf_text,
    sealed_form, spawn_app, today, user_id,
};
use chrono::{Duration, NaiveDate};
use gruppenbuch_app::domain::entry::EntryBody;
use gruppenbuch_app::domain::feedback::Recipient;
use gruppenbuch_app::domain::note::{NoteBody, NoteCategory};
use gruppenbuch_app::domain::plan::Rating;
use gruppenbuch_app::domain::record::{RecordBody, RecordType};
use gruppenbuch_app::domain::talk::{TalkBody, TalkGoal};
use gruppenbuch_app::domain::visit::{Participant, VisitBody, VisitKind, VisitOutcome, VisitPlace};
use serde_json::Value;
use std::collections::BTreeMap;

fn day() -> NaiveDate {
    NaiveDate::parse_from_str(&today(), "%Y-%m-%d").expect("today")
}

fn note(category: NoteCategory, text: &str, goals: &[&str]) -> EntryBody {
    EntryBody::Note(NoteBody {
        category,
        text: text.into(),
        important: false,
        goal_ids: goals.iter().map(|g| crate::common::id(g)).collect(),
    })
}

fn visit(outcome: VisitOutcome, before: Option<u8>, after: Option<u8>) -> EntryBody {
    EntryBody::Visit(VisitBody {
        time: "15:00".into(),
        kind: VisitKind::Visit,
        place: VisitPlace::Office,
        participants: vec![Participant::Mother],
        participants_other: String::new(),
        supervised: true,
        supervised_by: "Frank Berater".into(),
        outcome,
        mood_before: before,
        mood_before_text: String::new(),
        mood_after: after,
        mood_after_text: String::new(),
        notes: String::new(),
    })
}

fn talk(goal: &str, staff: Rating, youth: Option<Rating>, words: &str) -> EntryBody {
    EntryBody::Talk(TalkBody {
        participants: "Lea, Sabine Sonnen".into(),
        youth_present: true,
        goals: vec![TalkGoal {
            goal_id: crate::common::id(goal),
            happened: "Hausaufgaben jeden Tag gemacht".into(),
            entry_ids: vec![],
            staff: Some(staff),
            youth,
            parents: None,
        }],
        next_who: String::new(),
        next_what: String::new(),
        next_by: String::new(),
        youth_words: words.into(),
        hpg_topics: "Übernachtungen bei der Mutter".into(),
        for_advisor: false,
    })
}

fn record(kind: RecordType, content: &str) -> EntryBody {
    EntryBody::Record(RecordBody {
        record_type: kind,
        participants: "Frau Beispiel".into(),
        content: content.into(),
        outcome: String::new(),
        goal_ids: vec![],
        phase: None,
        assessor: String::new(),
        instrument: String::new(),
        findings: String::new(),
    })
}

/// A young person of the own group with half a year of record since the last
/// Hilfeplangespräch, and a note, a reflection and a complaint that must not reach the
/// report.
struct HalfYear {
    youth: String,
    goal: String,
    from: NaiveDate,
    /// Entries of the period (id → day).
    period: BTreeMap<String, String>,
    visits: Vec<String>,
    before: String,
    reflection: String,
    incident: String,
    complaint: String,
    complaint_past: String,
}

const BEFORE: &str = "Notiz aus der Zeit vor dem letzten Hilfeplangespräch";
const SECRET: &str = "Sorge im Team um die Belastung der Wohngruppe";
const PAST: &str = "Ich will nicht, dass die Gruppe das liest";

async fn half_year(app: &TestApp) -> HalfYear {
    let fx = fixtures(app).await;
    let leitung = Client::login(app, "leitung").await;
    let res = leitung
        .call(
            "/api/youths/create",
            &format!(
                "input[group_id]={}&input[first_name]=Lea&input[last_name]=Beispiel&input[birth_date]=2011-03-02\
                 &input[admission_date]=2023-02-01&input[caseworker_name]={}",
                fx.own_group,
                enc("Herr Amtmann")
            ),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    let youth = res.json().as_str().expect("id").to_owned();
    let res = leitung
        .call(
            "/api/goals/create",
            &format!("input[youth_id]={youth}&input[title]={}", enc("Lea geht regelmäßig zur Schule")),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    let goal = res.json().as_str().expect("goal").to_owned();
    let from = day() - Duration::days(182);
    let res = leitung
        .call(
            "/api/plans/create",
            &format!(
                "input[youth_id]={youth}&input[agreed_on]={from}&input[participants]=Lea&input[legal_basis]=34\
                 &input[key_worker]={}&input[results]={}&input[next_on]={}",
                enc("Sabine Sonnen"),
                enc("Lea bleibt in der Gruppe."),
                day() + Duration::days(14)
            ),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    let res = leitung
        .call(
            "/api/contacts/set",
            &format!("id={youth}&input[times]=2&input[period]=monat&input[kind]=besuch&input[supervised]=ja"),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");

    let staff = user_id(app, "fachkraft").await;
    let advisor = user_id(app, "fachberatung").await;
    let group = fx.own_group.clone();
    let at = |days: i64| day() - Duration::days(days);
    let store = &app.store;
    let before =
        entry_fixture_on(store, &group, &youth, &staff, at(200), note(NoteCategory::School, BEFORE, &[])).await;
    let mut period = BTreeMap::new();
    let mut add = |id: String, days: i64| {
        period.insert(id.clone(), at(days).to_string());
        id
    };
    add(
        entry_fixture_on(
            store,
            &group,
            &youth,
            &staff,
            at(150),
            note(NoteCategory::School, "Lea hat die Mathearbeit mit einer Zwei geschrieben.", &[&goal]),
        )
        .await,
        150,
    );
    add(
        entry_fixture_on(
            store,
            &group,
            &youth,
            &staff,
            at(120),
            note(NoteCategory::Health, "Termin beim Kinderarzt, alles in Ordnung.", &[]),
        )
        .await,
        120,
    );
    add(
        entry_fixture_on(
            store,
            &group,
            &youth,
            &staff,
            at(20),
            note(NoteCategory::Leisure, "Lea geht jetzt zum Handballtraining.", &[&goal]),
        )
        .await,
        20,
    );
    let mut visits = Vec::new();
    for (days, outcome, b, a) in [
        (90, VisitOutcome::Held, Some(2), Some(4)),
        (60, VisitOutcome::CancelledByFamily, None, None),
        (30, VisitOutcome::Held, Some(3), Some(3)),
    ] {
        let id = entry_fixture_on(store, &group, &youth, &staff, at(days), visit(outcome, b, a)).await;
        visits.push(add(id, days));
    }
    add(
        entry_fixture_on(
            store,
            &group,
            &youth,
            &staff,
            at(100),
            talk(&goal, Rating::Slightly, Some(Rating::Partly), "Ich will mehr Zeit mit Mama"),
        )
        .await,
        100,
    );
    add(entry_fixture_on(store, &group, &youth, &staff, at(10), talk(&goal, Rating::Mostly, None, "")).await, 10);
    add(
        entry_fixture_on(
            store,
            &group,
            &youth,
            &advisor,
            at(45),
            record(RecordType::ParentTalk, "Die Mutter wünscht sich Übernachtungen am Wochenende."),
        )
        .await,
        45,
    );
    let reflection =
        entry_fixture_on(store, &group, &youth, &advisor, at(40), record(RecordType::Reflection, SECRET)).await;
    let incident = incident_fixture(store, &group, &youth, &staff, "Lea kam nachts nicht nach Hause").await;
    let mia = user_id(app, "jugendliche").await;
    let complaint =
        feedback_fixture(store, &group, Some((&mia, &youth)), Recipient::Group, None, "Das Essen ist kalt").await;
    let complaint_past = feedback_fixture(store, &group, Some((&mia, &youth)), Recipient::Advisor, None, PAST).await;
    HalfYear { youth, goal, from, period, visits, before, reflection, incident, complaint, complaint_past }
}

/// Every source of every line that is still in the report.
fn sources(report: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for section in report["body"]["sections"].as_array().expect("sections") {
        for line in section["lines"].as_array().expect("lines") {
            for s in line["sources"].as_array().expect("sources") {
                out.push((
                    s["kind"].as_str().unwrap_or_default().to_owned(),
                    s["id"].as_str().unwrap_or_default().to_owned(),
                    s["date"].as_str().unwrap_or_default().to_owned(),
                ));
            }
        }
    }
    out
}

fn section<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["body"]["sections"].as_array().expect("sections").iter().find(|s| s["key"] == key).expect("section")
}

fn texts_of(section: &Value) -> Vec<String> {
    section["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| format!("{} {}", l["label"].as_str().unwrap_or_default(), l["text"].as_str().unwrap_or_default()))
        .collect()
}

async fn start(client: &Client, youth: &str) -> String {
    let meeting = day() + Duration::days(14);
    let res = client.call("/api/reports/start", &format!("input[youth_id]={youth}&input[meeting_on]={meeting}")).await;
    assert_eq!(res.status, 200, "{res:?}");
    res.json().as_str().expect("report id").to_owned()
}

#[tokio::test]
async fn a_half_year_gives_a_draft_of_the_period_whose_every_line_names_its_sources() {
    let app = spawn_app().await;
    let h = half_year(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    let id = start(&staff, &h.youth).await;
    let report = staff.call("/api/reports/get", &format!("id={id}")).await.json();
    assert_eq!(report["period_from"], h.from.to_string());
    assert_eq!(report["period_to"], today());
    let all = report.to_string();

    // Every entry named is one of the period's, with its day; nothing from before the
    // period, nothing only the Fachberatung reads, nothing sent past the group.
    let named = sources(&report);
    for (kind, source, date) in &named {
        if kind == "entry" {
            assert_eq!(h.period.get(source), Some(date), "entry {source} of {date} is not one of the period");
        }
        if !date.is_empty() && kind != "plan" {
            assert!(date.as_str() >= h.from.to_string().as_str() && date.as_str() <= today().as_str(), "{kind} {date}");
        }
    }
    for absent in [&h.before, &h.reflection, &h.complaint_past] {
        assert!(!all.contains(absent.as_str()), "{absent} is in the report");
    }
    for text in [BEFORE, SECRET, PAST] {
        assert!(!all.contains(text), "{text:?} is in the report");
    }
    // Every entry of the period is named somewhere.
    for entry in h.period.keys() {
        assert!(named.iter().any(|(_, s, _)| s == entry), "{entry} is not in the report");
    }

    // The contact figures match the visits.
    let family = section(&report, "herkunftsfamilie");
    let lines = texts_of(family);
    let recorded = family["lines"].as_array().expect("lines").iter().find(|l| l["label"] == "Erfasst").expect("counts");
    assert!(
        recorded["text"]
            .as_str()
            .expect("text")
            .starts_with("3 Termine, davon 2 stattgefunden; abgesagt von der Familie: 1, von der Wohngruppe: 0"),
        "{recorded}"
    );
    let mut counted: Vec<String> = recorded["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|s| s["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    counted.sort();
    let mut visits = h.visits.clone();
    visits.sort();
    assert_eq!(counted, visits);
    let arrangement = gruppenbuch_app::domain::contact::ContactArrangement {
        times: 2,
        period: gruppenbuch_app::domain::contact::ContactPeriod::Month,
        kind: VisitKind::Visit,
        supervised: true,
        note: String::new(),
    };
    let planned = gruppenbuch_app::domain::report::planned_between(&arrangement, h.from, day());
    assert!(lines.iter().any(|l| l.contains(&format!("im Berichtszeitraum {planned} Kontakte"))), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("vorher: ") && l.contains("nachher: ")), "{lines:?}");

    // The other sections state what the record holds.
    let development = texts_of(section(&report, "entwicklung")).join("\n");
    assert!(
        development.contains("Mathearbeit") && development.contains("Kinderarzt") && development.contains("Handball")
    );
    let goals = texts_of(section(&report, "zielerreichung")).join("\n");
    assert!(goals.contains("2 → 4 (steigend)"), "{goals}");
    assert!(goals.contains("4 Einträge"), "{goals}");
    let events = section(&report, "ereignisse").to_string();
    assert!(events.contains(&h.incident) && events.contains(&h.complaint), "{events}");
    assert!(!events.contains("Das Essen ist kalt"), "a complaint is one line with its status, not its text");
    let youth_view = section(&report, "sicht_jung").to_string();
    assert!(youth_view.contains("Ich will mehr Zeit mit Mama"));
    let parents = section(&report, "sicht_eltern").to_string();
    assert!(parents.contains("Übernachtungen am Wochenende") && parents.contains("Elterngespräch am"));
    let mandate = texts_of(section(&report, "auftrag")).join("\n");
    assert!(mandate.contains("Lea bleibt in der Gruppe.") && mandate.contains("Lea geht regelmäßig zur Schule"));
    assert!(section(&report, "einschaetzung")["lines"].as_array().expect("lines").is_empty());

    // The PDF: the same content, readable, nothing of what must not be in it.
    let (status, kind, pdf) = staff.get_bytes(&format!("/berichte/{id}/bericht.pdf")).await;
    assert_eq!((status, kind.as_str()), (200, "application/pdf"));
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdf_text(&pdf);
    for expected in ["Bericht zum Hilfeplangespräch", "Lea Beispiel", "Mathearbeit", "Seite 1 von", "Fassung 1"] {
        assert!(text.contains(expected), "{expected:?} missing in the PDF:\n{text}");
    }
    for absent in [BEFORE, SECRET, PAST] {
        assert!(!text.contains(absent), "{absent:?} in the PDF");
    }
    // Every read is logged: the report, and the download.
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let reads: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE record_kind = 'report' AND record_id = $1 AND youth_id = $2 ORDER BY at",
    )
    .bind(&id)
    .bind(&h.youth)
    .fetch_all(&mut *conn)
    .await
    .expect("audit");
    assert_eq!(reads, ["create", "read", "export"]);
    let _ = &h.goal;
}

#[tokio::test]
async fn review_and_signature_freeze_a_report_and_a_correction_is_a_new_version() {
    let app = spawn_app().await;
    let h = half_year(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    let advisor = Client::login(&app, "fachberatung").await;
    let leitung = Client::login(&app, "leitung").await;
    let id = start(&staff, &h.youth).await;
    // Starting again opens the same draft.
    assert_eq!(start(&advisor, &h.youth).await, id);
    let get = |c: &Client| {
        let c = c.clone();
        let id = id.clone();
        async move { c.call("/api/reports/get", &format!("id={id}")).await.json() }
    };
    let field =
        |res: &crate::common::Response| res.json()["Validation"][0]["field"].as_str().unwrap_or_default().to_owned();

    // The group writes its assessment and leaves a line out.
    let report = get(&staff).await;
    let revision = report["revision"].as_i64().expect("revision");
    let assessment = "Lea hat sich gut eingelebt. Wir empfehlen, die Hilfe fortzusetzen.";
    let res = staff
        .call(
            "/api/reports/section",
            &format!(
                "input[report_id]={id}&input[section]=einschaetzung&input[revision]={revision}&input[text]={}",
                enc(assessment)
            ),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    let res = staff
        .call(
            "/api/reports/section",
            &format!(
                "input[report_id]={id}&input[section]=entwicklung&input[revision]={}&input[dropped][0]=1",
                revision + 1
            ),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    // A stale revision, an unknown section, a line that is not there, too much text:
    // refused, nothing changed.
    let before = get(&staff).await;
    for (form, status, expected) in [
        (format!("input[section]=einschaetzung&input[revision]={revision}&input[text]=alt"), 409, ""),
        (format!("input[section]=gibtsnicht&input[revision]={}&input[text]=x", revision + 2), 400, "section"),
        (format!("input[section]=entwicklung&input[revision]={}&input[dropped][0]=999", revision + 2), 400, "dropped"),
        (
            format!("input[section]=einschaetzung&input[revision]={}&input[text]={}", revision + 2, "x".repeat(20_001)),
            400,
            "text",
        ),
        ("input[section]=einschaetzung&input[revision]=zwei&input[text]=x".to_owned(), 400, "revision"),
    ] {
        let res = staff.call("/api/reports/section", &format!("input[report_id]={id}&{form}")).await;
        assert_eq!(res.status, status, "{form}: {res:?}");
        if !expected.is_empty() {
            assert_eq!(field(&res), expected);
        }
    }
    assert_eq!(get(&staff).await["body"], before["body"]);
    let written = section(&before, "einschaetzung");
    assert_eq!(written["text"], assessment);
    assert_eq!(written["changed_by"].as_str().map(|s| !s.is_empty()), Some(true));
    assert_eq!(section(&before, "entwicklung")["lines"][1]["dropped"], true);

    // The Fachberatung comments and reviews; staff may do neither, nor sign.
    let comment =
        format!("input[report_id]={id}&input[section]=einschaetzung&input[text]={}", enc("Bitte die Schule ergänzen."));
    assert_eq!(staff.call("/api/reports/comment", &comment).await.status, 403);
    assert_eq!(advisor.call("/api/reports/comment", &comment).await.status, 200);
    let res = advisor
        .call("/api/reports/comment", &format!("input[report_id]={id}&input[section]=einschaetzung&input[text]="))
        .await;
    assert_eq!((res.status, field(&res).as_str()), (400, "text"));
    let rev = |r: &Value| r["revision"].as_i64().expect("revision");
    let r = get(&advisor).await;
    assert_eq!(r["comments"][0]["text"], "Bitte die Schule ergänzen.");
    let step = |rev: i64| format!("input[report_id]={id}&input[revision]={rev}");
    assert_eq!(staff.call("/api/reports/review", &step(rev(&r))).await.status, 403);
    assert_eq!(advisor.call("/api/reports/review", &step(rev(&r))).await.status, 200);
    let r = get(&leitung).await;
    assert_eq!(r["status"], "geprueft");
    assert_eq!(staff.call("/api/reports/sign", &step(rev(&r))).await.status, 403);
    assert_eq!(advisor.call("/api/reports/sign", &step(rev(&r))).await.status, 403);
    // Sending before signing is refused.
    let sent = |date: &str| format!("input[report_id]={id}&input[date]={date}");
    assert_eq!(advisor.call("/api/reports/sent", &sent(&today())).await.status, 400);
    assert_eq!(leitung.call("/api/reports/sign", &step(rev(&r))).await.status, 200);
    let signed = get(&staff).await;
    assert_eq!(signed["status"], "unterschrieben");
    assert_eq!(signed["can_edit"], false);

    // Frozen: no section, no line, no review changes it; the database refuses it too.
    let res = staff
        .call(
            "/api/reports/section",
            &format!(
                "input[report_id]={id}&input[section]=einschaetzung&input[revision]={}&input[text]=neu",
                rev(&signed)
            ),
        )
        .await;
    assert_eq!(res.status, 409, "{res:?}");
    assert_eq!(staff.call("/api/reports/regenerate", &step(rev(&signed))).await.status, 409);
    assert_eq!(leitung.call("/api/reports/sign", &step(rev(&signed))).await.status, 409);
    {
        let mut conn = app.store.pool().acquire().await.expect("conn");
        let tampered = sqlx::query("UPDATE reports SET body = '{}' WHERE id = $1").bind(&id).execute(&mut *conn).await;
        assert!(tampered.is_err(), "the database let a signed report change");
    }
    assert_eq!(get(&staff).await["body"], signed["body"]);

    // Sent to the youth office: not in the future, then recorded.
    let tomorrow = (day() + Duration::days(1)).to_string();
    let res = advisor.call("/api/reports/sent", &sent(&tomorrow)).await;
    assert_eq!((res.status, field(&res).as_str()), (400, "date"));
    assert_eq!(advisor.call("/api/reports/sent", &sent(&today())).await.status, 200);
    assert_eq!(get(&staff).await["status"], "versandt");

    // A correction: a new version with a reason; the signed one stays.
    assert_eq!(
        advisor.call("/api/reports/correct", &format!("input[report_id]={id}&input[reason]=x")).await.status,
        403
    );
    let res = leitung.call("/api/reports/correct", &format!("input[report_id]={id}&input[reason]=")).await;
    assert_eq!((res.status, field(&res).as_str()), (400, "reason"));
    let res = leitung
        .call(
            "/api/reports/correct",
            &format!("input[report_id]={id}&input[reason]={}", enc("Schulwechsel nachgetragen")),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    let second = res.json().as_str().expect("id").to_owned();
    let v2 = staff.call("/api/reports/get", &format!("id={second}")).await.json();
    assert_eq!((v2["version"].as_i64(), v2["status"].as_str()), (Some(2), Some("entwurf")));
    assert_eq!(v2["correction_reason"], "Schulwechsel nachgetragen");
    assert_eq!(section(&v2, "einschaetzung")["text"], assessment);
    assert_eq!(v2["versions"].as_array().map(Vec::len), Some(2));
    assert_eq!(get(&staff).await["status"], "versandt");
    // Only the newest version is corrected.
    assert_eq!(
        leitung.call("/api/reports/correct", &format!("input[report_id]={id}&input[reason]=nochmal")).await.status,
        409
    );

    // Who changed what is in the audit log.
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT actor_login, action, record_id FROM audit_log WHERE record_kind = 'report' AND action <> 'read' ORDER BY at, id",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("audit");
    let has =
        |login: &str, action: &str, record: &str| rows.iter().any(|r| r.0 == login && r.1 == action && r.2 == record);
    assert!(has("fachkraft", "update", &format!("{id}/einschaetzung")), "{rows:?}");
    assert!(has("fachkraft", "update", &format!("{id}/entwicklung")));
    assert!(has("fachberatung", "create", &format!("{id}/einschaetzung")));
    assert!(has("leitung", "sign", &id));
    assert!(has("leitung", "create", &second));
}

#[tokio::test]
async fn the_summary_is_released_once_and_the_young_person_reads_only_that() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    let mia = Client::login(&app, "jugendliche").await;
    let id = start(&staff, &fx.own_youth).await;
    let field =
        |res: &crate::common::Response| res.json()["Validation"][0]["field"].as_str().unwrap_or_default().to_owned();
    let summary = |text: &str, release: bool| {
        format!("input[report_id]={id}&input[summary]={}{}", enc(text), if release { "&input[release]=ja" } else { "" })
    };
    let res = staff.call("/api/reports/summary", &summary("", true)).await;
    assert_eq!((res.status, field(&res).as_str()), (400, "summary"));
    assert_eq!(staff.call("/api/reports/summary", &summary("Entwurf", false)).await.status, 200);
    // Not released yet: Mia reads nothing of it.
    let own = mia.call("/api/me/report", "").await;
    assert_eq!(own.status, 200);
    assert!(!own.body.contains("Entwurf") && !own.body.contains(&id));
    let text = "Im Bericht steht, dass du gut in der Schule bist.";
    assert_eq!(staff.call("/api/reports/summary", &summary(text, true)).await.status, 200);
    let own = mia.call("/api/me/report", "").await.json();
    assert_eq!(own["summaries"][0]["summary"], text);
    assert!(!own.to_string().contains(&id), "the young person gets the summary, not the report");
    let res = staff.call("/api/reports/summary", &summary("anders", false)).await;
    assert_eq!((res.status, field(&res).as_str()), (400, "summary"));
    // Mia cannot open the report itself.
    assert_eq!(mia.call("/api/reports/get", &format!("id={id}")).await.status, 403);
    assert_eq!(mia.get_bytes(&format!("/berichte/{id}/bericht.pdf")).await.0, 403);
    // That it was explained: not in the future, then recorded with who.
    let tomorrow = (day() + Duration::days(1)).to_string();
    let res = staff.call("/api/reports/explained", &format!("input[report_id]={id}&input[date]={tomorrow}")).await;
    assert_eq!((res.status, field(&res).as_str()), (400, "date"));
    assert_eq!(
        staff.call("/api/reports/explained", &format!("input[report_id]={id}&input[date]={}", today())).await.status,
        200
    );
    let r = staff.call("/api/reports/get", &format!("id={id}")).await.json();
    assert_eq!(r["explained_on"], today());
    assert!(!r["explained_by"].as_str().unwrap_or_default().is_empty());
    // A report of another group is not found, also as PDF.
    let foreign = Client::login(&app, "fachkraft2").await;
    assert_eq!(foreign.call("/api/reports/get", &format!("id={id}")).await.status, 404);
    let (status, _, body) = foreign.get_bytes(&format!("/berichte/{id}/bericht.pdf")).await;
    assert_eq!(status, 404);
    assert!(!String::from_utf8_lossy(&body).contains("Krause"));
    assert_eq!(Client::new(&app).get_bytes(&format!("/berichte/{id}/bericht.pdf")).await.0, 303);
}

#[tokio::test]
async fn the_young_person_s_view_arrives_once_from_their_own_account_and_goes_into_the_draft() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let mia = Client::login(&app, "jugendliche").await;
    let staff = Client::login(&app, "fachkraft").await;
    let key = crate::common::outbox_key(&app).await;
    let mia_id = user_id(&app, "jugendliche").await;
    let view = |id: &str, author: &str, wish: &str| {
        let payload = serde_json::json!({
            "author_id": author,
            "view": { "id": id, "mood": "gut", "going_well": "Schule", "change": "", "wish": wish }
        });
        sealed_form(&key, id, "hpg_view", &payload)
    };
    let id = new_id();
    let res = mia.call("/api/reports/deliver-view", &view(&id, &mia_id, "Mehr Ausgang am Wochenende")).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.json()["duplicate"], false);
    let again = mia.call("/api/reports/deliver-view", &view(&id, &mia_id, "Mehr Ausgang am Wochenende")).await;
    assert_eq!(again.json()["duplicate"], true);
    assert_eq!(count(&app.store, "youth_views").await, 1);
    // Empty, another account's, broken, or sent by staff: refused, nothing stored.
    let res = mia.call("/api/reports/deliver-view", &view(&new_id(), &mia_id, "")).await;
    let empty = serde_json::json!({ "author_id": mia_id, "view": { "id": new_id(), "mood": "", "going_well": "", "change": "", "wish": "" } });
    let empty_id = empty["view"]["id"].as_str().unwrap_or_default().to_owned();
    let res_empty = mia.call("/api/reports/deliver-view", &sealed_form(&key, &empty_id, "hpg_view", &empty)).await;
    assert_eq!(res.status, 200, "a face alone is enough");
    assert_eq!(res_empty.status, 400, "{res_empty:?}");
    let staff_id = user_id(&app, "fachkraft").await;
    assert_eq!(mia.call("/api/reports/deliver-view", &view(&new_id(), &staff_id, "x")).await.status, 409);
    assert_eq!(staff.call("/api/reports/deliver-view", &view(&new_id(), &staff_id, "x")).await.status, 403);
    let broken = view(&new_id(), &mia_id, "x").replace("input[kind]=hpg_view", "input[kind]=feedback");
    assert_eq!(mia.call("/api/reports/deliver-view", &broken).await.status, 400);
    assert_eq!(count(&app.store, "youth_views").await, 2);
    let form = mia.call("/api/me/report", "").await.json();
    assert!(form["sent"].as_array().is_some_and(|s| !s.is_empty()));
    // The draft quotes it as the young person's own words once new entries are drawn in.
    let report_id = start(&staff, &fx.own_youth).await;
    assert_eq!(report_id, fx.own_report);
    let before = staff.call("/api/reports/get", &format!("id={report_id}")).await.json();
    assert!(!before.to_string().contains("Mehr Ausgang am Wochenende"));
    let form = format!("input[report_id]={report_id}&input[revision]={}", before["revision"]);
    assert_eq!(staff.call("/api/reports/regenerate", &form).await.status, 200);
    let report = staff.call("/api/reports/get", &format!("id={report_id}")).await.json();
    let own = section(&report, "sicht_jung").to_string();
    assert!(own.contains("Mehr Ausgang am Wochenende") && own.contains("selbst gesagt am"), "{own}");
}

#[tokio::test]
async fn leitung_sets_the_sections_and_the_start_page_reminds_four_weeks_before() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let leitung = Client::login(&app, "leitung").await;
    let staff = Client::login(&app, "fachkraft").await;
    let res = leitung
        .call(
            "/api/youths/create",
            &format!(
                "input[group_id]={}&input[first_name]=Ben&input[last_name]=Neu&input[birth_date]=2012-05-05\
                 &input[admission_date]=2025-01-01",
                fx.own_group
            ),
        )
        .await;
    let youth = res.json().as_str().expect("youth").to_owned();
    let plan = |next: NaiveDate| {
        format!(
            "input[youth_id]={youth}&input[agreed_on]={}&input[participants]=Ben&input[legal_basis]=34\
             &input[key_worker]=Sabine&input[next_on]={next}",
            day() - Duration::days(150)
        )
    };
    // Next meeting in five weeks: no reminder yet; in three weeks: the report is due.
    assert_eq!(leitung.call("/api/plans/create", &plan(day() + Duration::days(35))).await.status, 200);
    let due = |r: &Value| {
        r.as_array().expect("list").iter().any(|x| x["kind"] == "ReportDue" && x["youth_id"] == youth.as_str())
    };
    assert!(!due(&staff.call("/api/plans/reminders", "").await.json()));
    assert_eq!(leitung.call("/api/plans/create", &plan(day() + Duration::days(21))).await.status, 200);
    let reminders = staff.call("/api/plans/reminders", "").await.json();
    assert!(due(&reminders), "{reminders}");
    assert_eq!(staff.call("/api/reports/template", "").await.status, 403);
    let res = leitung.call("/api/reports/save-template", "input[titel_unbekannt]=x").await;
    assert_eq!(res.status, 400, "{res:?}");
    let res = leitung.call("/api/reports/save-template", "").await;
    assert_eq!(res.status, 400, "{res:?}");
    let form = format!(
        "input[titel_stammdaten]={}&input[position_stammdaten]=1&input[titel_frei_1]={}&input[position_frei_1]=2\
         &input[titel_einschaetzung]={}&input[position_einschaetzung]=3",
        enc("Angaben zur Person"),
        enc("Schulische Situation"),
        enc("Empfehlung")
    );
    let res = leitung.call("/api/reports/save-template", &form).await;
    assert_eq!(res.status, 200, "{res:?}");
    let template = leitung.call("/api/reports/template", "").await.json();
    assert_eq!(template["custom"], true);
    let id = start(&staff, &youth).await;
    let report = staff.call("/api/reports/get", &format!("id={id}")).await.json();
    let titles: Vec<&str> =
        report["body"]["sections"].as_array().expect("sections").iter().filter_map(|s| s["title"].as_str()).collect();
    assert_eq!(titles, ["Angaben zur Person", "Schulische Situation", "Empfehlung"]);
    // Started: the reminder is gone.
    let reminders = staff.call("/api/plans/reminders", "").await.json();
    assert!(!due(&reminders), "{reminders}");
    // A meeting before the last one, or a broken date: refused, nothing started.
    let reports = count(&app.store, "reports").await;
    for date in ["2020-01-01", "morgen"] {
        let res = leitung
            .call("/api/reports/start", &format!("input[youth_id]={}&input[meeting_on]={date}", fx.foreign_youth))
            .await;
        assert_eq!(res.status, 400, "{date}: {res:?}");
    }
    assert_eq!(count(&app.store, "reports").await, reports);
}
