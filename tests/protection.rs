//! Kinderschutz (§ 8a) through the real server: an observation alerts at once and its
//! deadline escalates once; a procedure is seen by participation only, by no other path;
//! signed steps never change; bad and replayed input changes nothing; the notice to the
//! youth office and the pseudonymised export read back as PDFs.

use crate::common::{Client, TestApp, count, fixtures, new_id, pdf_text, spawn_app, today, user_id};
use serde_json::Value;

fn observation_form(youth: &str, fact: &str) -> (String, String) {
    let id = new_id();
    let form = format!(
        "input[id]={id}&input[youth_id]={youth}&input[date]={}&input[time]=07:40&input[fact]={}&input[source]=kind&input[assessment]={}",
        today(),
        crate::common::enc(fact),
        crate::common::enc("Sie wirkte verängstigt.")
    );
    (id, form)
}

fn step_form(case: &str, kind: &str, extra: &str) -> (String, String) {
    let key = new_id();
    (key.clone(), format!("id={case}&input[key]={key}&input[kind]={kind}&input[date]={}{extra}", today()))
}

async fn json(client: &Client, path: &str, form: &str) -> Value {
    let res = client.call(path, form).await;
    assert!(res.status < 400, "{path}: {res:?}");
    serde_json::from_str(&res.body).unwrap_or(Value::Null)
}

async fn escalation_lines(app: &TestApp, case: &str) -> i64 {
    let mut conn = app.store.pool().acquire().await.expect("conn");
    sqlx::query_scalar("SELECT COUNT(*) FROM cp_events WHERE case_id = $1 AND kind = 'eskaliert'")
        .bind(case)
        .fetch_one(&mut *conn)
        .await
        .expect("count")
}

#[tokio::test]
async fn an_observation_alerts_at_once_and_an_overdue_deadline_escalates_once() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let staff = Client::login(&app, "fachkraft").await;
    let mails = count(&app.store, "mail_queue").await;
    let (id, form) = observation_form(&fx.own_youth, "Blaue Flecken am Oberarm.");
    let res = staff.call("/api/protection/observe", &form).await;
    assert!(res.status < 400, "{res:?}");
    // Leitung and the group's Fachberatung have addresses in the demo: both are mailed,
    // with a link and nothing that names anyone.
    let mut conn = app.store.pool().acquire().await.expect("conn");
    let queued: Vec<(String, String)> =
        sqlx::query_as("SELECT recipient, body FROM mail_queue ORDER BY created_at DESC, id LIMIT 10")
            .fetch_all(&mut *conn)
            .await
            .expect("mail");
    let new: Vec<_> =
        queued.iter().take(usize::try_from(count(&app.store, "mail_queue").await - mails).unwrap()).collect();
    assert!(new.iter().any(|(to, _)| to.starts_with("leitung@")), "{new:?}");
    assert!(new.iter().any(|(to, _)| to.starts_with("fachberatung@")), "{new:?}");
    assert!(
        new.iter()
            .all(|(_, body)| body.contains(&format!("/kinderschutz/beobachtungen/{id}")) && !body.contains("Mia"))
    );
    // The badge of the Fachberatung counts it; the resend is the same observation.
    let advisor = Client::login(&app, "fachberatung").await;
    assert_eq!(json(&advisor, "/api/protection/count", "").await, Value::from(2));
    let again = staff.call("/api/protection/observe", &form).await;
    assert!(again.status < 400, "{again:?}");
    assert_eq!(count(&app.store, "cp_observations").await, 3);

    // Leitung opens the procedure from the observation; nobody took note in time.
    let leitung = Client::login(&app, "leitung").await;
    let case = json(&leitung, "/api/protection/open", &format!("input[key]={}&input[from]={id}", new_id())).await;
    let case = case.as_str().expect("case id").to_owned();
    sqlx::query("UPDATE cp_deadlines SET due_at = 0 WHERE observation_id = $1 OR case_id = $2")
        .bind(&id)
        .bind(&case)
        .execute(&mut *conn)
        .await
        .expect("due");
    let public = "https://gruppenbuch.example";
    let escalated = gruppenbuch_app::api::protection::ssr::escalate_due(&mut conn, public).await.expect("round");
    assert!(escalated >= 2, "the note's and the review's deadlines: {escalated}");
    assert_eq!(gruppenbuch_app::api::protection::ssr::escalate_due(&mut conn, public).await.expect("again"), 0);
    assert_eq!(escalation_lines(&app, &case).await, 1);
    let view = json(&leitung, "/api/protection/get", &format!("id={case}")).await;
    assert_eq!(view["summary"]["overdue"], Value::Bool(true), "{view}");
    // Taking note meets the observation's deadline; it never escalates again.
    let res = leitung.call("/api/protection/acknowledge", &format!("id={id}")).await;
    assert!(res.status < 400, "{res:?}");
    let observation = json(&leitung, "/api/protection/observation", &format!("id={id}")).await;
    assert!(observation["acknowledged"].as_str().unwrap_or_default().contains("Petra"), "{observation}");
    assert_eq!(observation["overdue"], Value::Bool(false));
}

#[tokio::test]
async fn a_fachkraft_of_the_group_sees_a_procedure_by_no_path_until_added() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let leitung = Client::login(&app, "leitung").await;
    let staff = Client::login(&app, "fachkraft").await;
    // The fixture's procedure about Mia, from an observation written by Leitung.
    let marker = "Matrix: Mia hat Hämatome";
    let case = &fx.own_case;
    for (path, form) in [
        ("/api/protection/get", format!("id={case}")),
        ("/api/protection/observation", format!("id={}", fx.own_observation)),
        ("/api/protection/step", step_form(case, "wiedervorlage", "&input[text]=x").1),
        ("/api/protection/sign", format!("id={}&input[signed_as]=zweitkraft", fx.own_step)),
    ] {
        let res = staff.call(path, &form).await;
        assert_eq!(res.status, 404, "{path}: {res:?}");
        assert!(!res.body.contains("Mia"), "{path} leaks");
    }
    let board = staff.call("/api/protection/board", "").await;
    assert!(board.status < 400 && !board.body.contains(marker) && !board.body.contains(case.as_str()), "{board:?}");
    assert_eq!(json(&staff, "/api/protection/count", "").await, Value::from(0));
    // Feed (also searched), timeline, handover, incidents, report draft, reminders.
    let youth = &fx.own_youth;
    for (path, form) in [
        ("/api/feed/list", "input[q]=".to_owned()),
        ("/api/feed/list", "input[q]=H%C3%A4matome".to_owned()),
        ("/api/entries/timeline", format!("input[youth_id]={youth}")),
        ("/api/entries/handover", format!("id={}", fx.own_group)),
        ("/api/incidents/board", String::new()),
        ("/api/plans/reminders", String::new()),
        ("/api/reports/get", format!("id={}", fx.own_report)),
    ] {
        let res = staff.call(path, &form).await;
        assert!(res.status < 400, "{path}: {res:?}");
        assert!(!res.body.contains("Hämatome") && !res.body.contains(case.as_str()), "{path} shows the procedure");
    }
    let meeting = chrono::Utc::now().date_naive() + chrono::Duration::days(20);
    let started =
        json(&leitung, "/api/reports/start", &format!("input[youth_id]={youth}&input[meeting_on]={meeting}")).await;
    let draft = staff.call("/api/reports/get", &format!("id={}", started.as_str().unwrap_or_default())).await;
    assert!(draft.status < 400 && !draft.body.contains("Hämatome"), "the report draft shows the observation");
    // The PDFs: 404 too.
    let (status, _, _) = staff.get_bytes(&format!("/kinderschutz/{case}/mitteilung.pdf")).await;
    assert_eq!(status, 404);

    // Added by Leitung, the Fachkraft takes part: reads it and records a step.
    let staff_id = user_id(&app, "fachkraft").await;
    let res = leitung.call("/api/protection/member", &format!("id={case}&input[user_id]={staff_id}")).await;
    assert!(res.status < 400, "{res:?}");
    let view = json(&staff, "/api/protection/get", &format!("id={case}")).await;
    assert_eq!(view["can_work"], Value::Bool(true));
    assert_eq!(view["can_manage"], Value::Bool(false));
    let board = staff.call("/api/protection/board", "").await;
    assert!(board.body.contains(case.as_str()), "a member's board lists the procedure");
    let (_, form) = step_form(case, "wiedervorlage", "&input[text]=Gespr%C3%A4ch%20gef%C3%BChrt");
    assert!(staff.call("/api/protection/step", &form).await.status < 400);
    // Adding is for Leitung and the Fachberatung; the same person twice is refused.
    let again = leitung.call("/api/protection/member", &format!("id={case}&input[user_id]={staff_id}")).await;
    assert_eq!(again.status, 409);
    let admin = user_id(&app, "admin").await;
    let refused = leitung.call("/api/protection/member", &format!("id={case}&input[user_id]={admin}")).await;
    assert_eq!(refused.status, 400, "{refused:?}");
}

#[tokio::test]
async fn signed_steps_never_change_and_bad_or_replayed_input_stores_nothing() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let leitung = Client::login(&app, "leitung").await;
    let advisor = Client::login(&app, "fachberatung").await;
    let case = json(&advisor, "/api/protection/open", &format!("input[key]={}&input[from]={}", new_id(), fx.own_youth))
        .await
        .as_str()
        .expect("case")
        .to_owned();
    let steps = || count(&app.store, "cp_steps");
    let before = steps().await;
    // Nothing before the Ersteinschätzung; an acute danger needs the time the youth
    // office or police were told; a "Nein" needs its reason.
    let (_, early) = step_form(&case, "wiedervorlage", "&input[text]=zu%20fr%C3%BCh");
    assert_eq!(advisor.call("/api/protection/step", &early).await.status, 400);
    let (_, acute) = step_form(&case, "ersteinschaetzung", "&input[participants]=A%2C%20B&input[result]=akut");
    let res = advisor.call("/api/protection/step", &acute).await;
    assert_eq!(res.status, 400, "{res:?}");
    assert!(res.body.contains("informed_at"), "{}", res.body);
    assert_eq!(steps().await, before);
    let told = "&input[participants]=A%2C%20B&input[result]=akut&input[informed_whom]=Jugendamt&input[informed_at]=";
    let (key, first) = step_form(&case, "ersteinschaetzung", &format!("{told}{}T07%3A55", today()));
    assert!(advisor.call("/api/protection/step", &first).await.status < 400);
    // The same form sent again is a replay: 409, no second step.
    assert_eq!(advisor.call("/api/protection/step", &first).await.status, 409);
    assert_eq!(steps().await, before + 1);
    let (_, involvement) = step_form(
        &case,
        "einbeziehung",
        &format!("&input[parents_involved]=nein&input[child_involved]=ja&input[child_on]={}", today()),
    );
    let res = advisor.call("/api/protection/step", &involvement).await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("parents_reason"), "{}", res.body);
    // A malformed form is a 400, an oversized one too; nothing is stored.
    let (_, long) = step_form(&case, "wiedervorlage", &format!("&input[text]={}", "x".repeat(5000)));
    assert_eq!(advisor.call("/api/protection/step", &long).await.status, 400);
    assert_eq!(advisor.call("/api/protection/step", &format!("id={case}&input[nope]=1")).await.status, 400);
    assert_eq!(steps().await, before + 1);

    // The author cannot co-sign; another professional and Leitung can, once each.
    assert_eq!(
        advisor.call("/api/protection/sign", &format!("id={key}&input[signed_as]=zweitkraft")).await.status,
        409
    );
    assert!(leitung.call("/api/protection/sign", &format!("id={key}&input[signed_as]=zweitkraft")).await.status < 400);
    assert!(leitung.call("/api/protection/sign", &format!("id={key}&input[signed_as]=leitung")).await.status < 400);
    assert_eq!(leitung.call("/api/protection/sign", &format!("id={key}&input[signed_as]=leitung")).await.status, 409);
    assert_eq!(advisor.call("/api/protection/sign", &format!("id={key}&input[signed_as]=leitung")).await.status, 403);
    // The store refuses any change of a signed step or signature.
    let mut conn = app.store.pool().acquire().await.expect("conn");
    for sql in [
        "UPDATE cp_steps SET body = '{}' WHERE id = $1",
        "DELETE FROM cp_steps WHERE id = $1",
        "UPDATE cp_signatures SET user_id = user_id WHERE step_id = $1",
    ] {
        assert!(sqlx::query(sql).bind(&key).execute(&mut *conn).await.is_err(), "{sql}");
    }
    drop(conn);
    // A correction is appended, with its reason; the step stays as it was.
    let (_, fix) = step_form(&case, "ersteinschaetzung", &format!("{told}{}T07%3A50&input[corrects]={key}", today()));
    let res = advisor.call("/api/protection/step", &fix).await;
    assert_eq!(res.status, 400, "a correction without a reason: {res:?}");
    let fix = format!("{fix}&input[reason]=Uhrzeit%20vertippt");
    assert!(advisor.call("/api/protection/step", &fix).await.status < 400);
    let view = json(&advisor, "/api/protection/get", &format!("id={case}")).await;
    let steps_view = view["steps"].as_array().expect("steps");
    assert_eq!(steps_view.len(), 2);
    assert!(steps_view[0]["corrected_by"].as_str().unwrap_or_default().contains("Uhrzeit vertippt"), "{view}");
    assert!(steps_view[0]["lines"].to_string().contains("07:55"), "the corrected step keeps its text");

    // Notice, closing (acute needs its time), and the documents.
    let (_, notice) = step_form(
        &case,
        "mitteilung",
        &format!("&input[recipient]=Frau%20Sommer&input[channel]=telefon&input[notice_at]={}T08%3A10", today()),
    );
    assert!(advisor.call("/api/protection/step", &notice).await.status < 400);
    let (_, closing) = step_form(&case, "abschluss", "&input[outcome]=latent&input[forms][0]=koerperlich");
    assert!(advisor.call("/api/protection/step", &closing).await.status < 400);
    let (_, after) = step_form(&case, "wiedervorlage", "&input[text]=nach%20dem%20Abschluss");
    assert_eq!(advisor.call("/api/protection/step", &after).await.status, 409);
    let (status, headers, pdf) = advisor.get_bytes(&format!("/kinderschutz/{case}/mitteilung.pdf")).await;
    assert_eq!(status, 200, "{headers}");
    let text = pdf_text(&pdf);
    for expected in ["Mitteilung an das Jugendamt", "Mia Krause", "Latente Kindeswohlgefährdung", "Frau Sommer"] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    let (status, _, pdf) = advisor.get_bytes(&format!("/kinderschutz/{case}/fachkraft.pdf")).await;
    assert_eq!(status, 200);
    let text = pdf_text(&pdf);
    assert!(text.contains("M. K.") && !text.contains("Krause") && !text.contains("2012"), "{text}");
    let (status, _, _) = advisor.get_bytes(&format!("/kinderschutz/{case}/anderes.pdf")).await;
    assert_eq!(status, 404);
}
