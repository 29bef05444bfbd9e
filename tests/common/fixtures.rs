//! The records the access and feature tests start from: the demo institute, plus what
//! it lacks (entries, goals, submissions and incidents of the other group).

use super::{id as parse, new_id, today};
use gruppenbuch_app::db::Store;
use gruppenbuch_app::db::entries::NewEntry;
use gruppenbuch_app::domain::entry::EntryBody;
use gruppenbuch_app::domain::feedback::{FeedbackKind, Mood, Recipient, Topic, ValidFeedback};
use gruppenbuch_app::domain::goal::{GoalLevel, GoalStatus, ValidGoal};
use gruppenbuch_app::domain::note::{NoteBody, NoteCategory};
use gruppenbuch_app::domain::visit::{Participant, VisitBody, VisitKind, VisitOutcome, VisitPlace};

/// Ids of the demo fixtures.
pub struct Fixtures {
    pub own_group: String,
    pub foreign_group: String,
    pub own_youth: String,
    pub foreign_youth: String,
    /// Mia's demo note and visit, and one of her goals.
    pub own_note: String,
    pub own_visit: String,
    pub own_goal: String,
    /// A monthly talk of Mia (by `fachkraft`) and one of Noah (by `fachkraft2`), made here.
    pub own_talk: String,
    pub foreign_talk: String,
    /// An Elterngespräch of the Fachberatung about Mia, and one about Noah, made here.
    pub own_record: String,
    pub foreign_record: String,
    /// Mia's demo help plan (version 1), and one made here for Noah.
    pub own_plan: String,
    pub foreign_plan: String,
    /// A note, a visit and a goal of Noah (FWG Lindenhof), made here.
    pub foreign_note: String,
    pub foreign_visit: String,
    pub foreign_goal: String,
    /// Submissions (Beteiligung und Beschwerde), stored directly: of the own group one
    /// named by Mia to the group, and one anonymous past the group to the Fachberatung;
    /// of the foreign group one anonymous to the group and one anonymous to the
    /// Fachberatung.
    pub own_feedback: String,
    pub own_feedback_past: String,
    pub foreign_feedback: String,
    pub foreign_feedback_past: String,
    /// The pickup codes of `own_feedback_past` and `foreign_feedback_past`.
    pub own_pickup: String,
    pub foreign_pickup: String,
    /// Incidents: one of Mia (reported by `fachkraft`), one of Noah (by `fachkraft2`).
    pub own_incident: String,
    pub foreign_incident: String,
    /// The tokens of the groups' public links (`/mitreden/<token>`).
    pub own_link: String,
    pub foreign_link: String,
    /// A report draft for Mia's next Hilfeplangespräch (by `fachkraft`), and one for Noah's
    /// (by `fachkraft2`), stored directly.
    pub own_report: String,
    pub foreign_report: String,
    /// Kinderschutz: an observation about Mia and one about Noah (written by Leitung), a
    /// procedure opened from each, and its Ersteinschätzung (by Leitung), stored directly.
    pub own_observation: String,
    pub foreign_observation: String,
    pub own_case: String,
    pub foreign_case: String,
    pub own_step: String,
    pub foreign_step: String,
    /// A § 47 Meldung of each group (by Leitung), stored directly.
    pub own_licence: String,
    pub foreign_licence: String,
}

/// A § 47 Meldung of `group` (a fire), by `author`.
pub async fn licence_fixture(conn: &mut gruppenbuch_app::db::Conn, group: &str, author: &str) -> String {
    let today = chrono::Utc::now().date_naive();
    let key = new_id();
    let licence = gruppenbuch_app::domain::licence::LicenceInput {
        key: key.clone(),
        group_id: group.to_owned(),
        category: "brand".into(),
        occurred_at: format!("{today}T05:00"),
        description: "Matrix: Brand in der Küche".into(),
        recipient: "Landesjugendamt".into(),
        reported_at: format!("{today}T05:30"),
        ..Default::default()
    }
    .validate(today)
    .expect("licence");
    assert!(gruppenbuch_app::db::licence::insert(conn, &licence, &parse(author)).await.expect("licence"));
    key
}

/// An observation about `youth` by `author`, a procedure opened from it and its
/// Ersteinschätzung; returns (observation, procedure, step).
pub async fn protection_fixture(
    conn: &mut gruppenbuch_app::db::Conn,
    group: &str,
    youth: &str,
    author: &str,
    fact: &str,
) -> (String, String, String) {
    use gruppenbuch_app::db::protection as store;
    use gruppenbuch_app::domain::protection::{ObservationInput, StepInput};
    let today = chrono::Utc::now().date_naive();
    let observation = ObservationInput {
        id: new_id(),
        youth_id: youth.to_owned(),
        date: today.to_string(),
        time: "08:15".into(),
        fact: fact.into(),
        source: "selbst".into(),
        assessment: String::new(),
    }
    .validate(today)
    .expect("observation");
    let (group, author) = (parse(group), parse(author));
    assert!(store::insert_observation(conn, &observation, &group, &author).await.expect("observation").is_none());
    let case = parse(&new_id());
    store::insert_case(conn, &case, &group, &observation.youth_id, false, None, &author).await.expect("case");
    assert!(store::attach(conn, &observation.id, &case).await.expect("attach"));
    let step = StepInput {
        kind: "ersteinschaetzung".into(),
        date: today.to_string(),
        participants: "Leitung, Fachberatung".into(),
        result: "anhaltspunkte".into(),
        ..Default::default()
    }
    .validate(today)
    .expect("step");
    let step_id = parse(&new_id());
    store::insert_step(conn, &step_id, &case, &step, &author).await.expect("step");
    (observation.id.to_string(), case.to_string(), step_id.to_string())
}

/// Stores a report draft with the default sections and nothing generated.
pub async fn report_fixture(conn: &mut gruppenbuch_app::db::Conn, youth: &str, author: &str) -> String {
    use gruppenbuch_app::domain::report::{ReportBody, Section, default_template};
    let id = new_id();
    let body = ReportBody {
        sections: default_template()
            .into_iter()
            .map(|s| Section {
                key: s.key,
                kind: s.kind,
                title: s.title,
                lines: Vec::new(),
                text: String::new(),
                changed_by: String::new(),
                changed_at: String::new(),
            })
            .collect(),
    };
    let today = today();
    gruppenbuch_app::db::reports::insert(
        conn,
        gruppenbuch_app::db::reports::NewReport {
            id: &id,
            series_id: &id,
            version: 1,
            youth_id: &parse(youth),
            meeting_on: &today,
            period_from: &today,
            period_to: &today,
            body: &body,
            correction_reason: "",
            created_by: &parse(author),
        },
    )
    .await
    .expect("report fixture");
    id
}

/// Pickup codes of the anonymous fixture submissions.
pub const OWN_PICKUP_PAST: &str = "MTRX-WGSS-2345";
pub const FOREIGN_PICKUP: &str = "MTRX-WGFG-6789";
pub const FOREIGN_PICKUP_PAST: &str = "MTRX-WGFB-6789";

/// Stores an incident directly (as the report would), reported by `author` in `group`.
pub async fn incident_fixture(store: &Store, group: &str, youth: &str, author: &str, what: &str) -> String {
    use gruppenbuch_app::domain::incident::{IncidentBody, IncidentCategory, Informed, ValidIncident};
    let id = new_id();
    let incident = ValidIncident {
        id: parse(&id),
        youth_ids: vec![parse(youth)],
        date: chrono::NaiveDate::parse_from_str(&today(), "%Y-%m-%d").expect("today"),
        time: "14:05".into(),
        category: IncidentCategory::Missing,
        body: IncidentBody { what: what.into(), measures: String::new(), informed: vec![Informed::Police] },
    };
    let mut tx = store.begin().await.expect("tx");
    gruppenbuch_app::db::incidents::insert(&mut tx, &incident, &parse(group), &parse(author)).await.expect("incident");
    tx.commit().await.expect("commit");
    id
}

/// Stores an entry of today directly (as the API would after its checks); returns its id.
pub async fn entry_fixture(store: &Store, group: &str, youth: &str, author: &str, body: EntryBody) -> String {
    let day = chrono::NaiveDate::parse_from_str(&today(), "%Y-%m-%d").expect("today");
    entry_fixture_on(store, group, youth, author, day, body).await
}

/// The same on a given day.
pub async fn entry_fixture_on(
    store: &Store,
    group: &str,
    youth: &str,
    author: &str,
    day: chrono::NaiveDate,
    body: EntryBody,
) -> String {
    let id = new_id();
    let (entry_id, group, youth, author) = (parse(&id), parse(group), parse(youth), parse(author));
    let entry = NewEntry {
        id: &entry_id,
        group_id: &group,
        youth_id: Some(&youth),
        date: day,
        body: &body,
        author_id: &author,
    };
    let mut tx = store.begin().await.expect("tx");
    gruppenbuch_app::db::entries::insert(&mut tx, entry).await.expect("entry");
    tx.commit().await.expect("commit");
    id
}

/// A submission stored directly (as `api::feedback` would after opening it): named when
/// `author` (account id, young person's id) is given, else anonymous with `pickup`.
pub async fn feedback_fixture(
    store: &Store,
    group: &str,
    author: Option<(&str, &str)>,
    recipient: Recipient,
    pickup: Option<&str>,
    text: &str,
) -> String {
    use gruppenbuch_app::auth::session::token_hash;
    use gruppenbuch_app::db::submissions::{NewFeedback, Stored, insert};
    let device_id = new_id();
    let feedback = ValidFeedback {
        id: parse(&device_id),
        kind: FeedbackKind::Complaint,
        topic: Topic::Food,
        mood: Some(Mood::Bad),
        text: text.to_owned(),
        recipient,
        anonymous: author.is_none(),
        pickup_code: pickup.map(str::to_owned),
    };
    let pickup_hash = pickup.map(token_hash);
    let day = chrono::NaiveDate::parse_from_str(&today(), "%Y-%m-%d").expect("today");
    let (group, author_id, youth_id) = (parse(group), author.map(|a| parse(a.0)), author.map(|a| parse(a.1)));
    // Named rows keep the device's id; anonymous ones get an id that tells nothing.
    let row_id = if author.is_some() { feedback.id.clone() } else { gruppenbuch_app::domain::ids::FeedbackId::fresh() };
    let new = NewFeedback {
        feedback: &feedback,
        group_id: &group,
        author_id: author_id.as_ref(),
        youth_id: youth_id.as_ref(),
        device_key: &token_hash(&device_id),
        content_hash: &token_hash(text),
        pickup_hash: pickup_hash.as_deref(),
        today: day,
    };
    let mut conn = store.pool().acquire().await.expect("conn");
    match insert(&mut conn, new, &row_id).await.expect("feedback fixture") {
        Stored::Created(id) => id.into_string(),
        other => panic!("feedback fixture not created: {other:?}"),
    }
}

pub async fn fixtures(app: &super::TestApp) -> Fixtures {
    let store = &app.store;
    let mut conn = store.pool().acquire().await.expect("conn");
    let group =
        |name: &'static str| sqlx::query_scalar::<_, String>("SELECT id FROM groups WHERE name = $1").bind(name);
    let own_group = group("FWG Sonnenhaus").fetch_one(&mut *conn).await.expect("own group");
    let foreign_group = group("FWG Lindenhof").fetch_one(&mut *conn).await.expect("foreign group");
    let youth = |first: &'static str| {
        sqlx::query_scalar::<_, String>("SELECT id FROM youths WHERE first_name = $1").bind(first)
    };
    let own_youth = youth("Mia").fetch_one(&mut *conn).await.expect("own youth");
    let foreign_youth = youth("Noah").fetch_one(&mut *conn).await.expect("foreign youth");
    let entry = |kind: &'static str, youth: String| {
        sqlx::query_scalar::<_, String>("SELECT id FROM entries WHERE kind = $1 AND youth_id = $2 ORDER BY id LIMIT 1")
            .bind(kind)
            .bind(youth)
    };
    let own_note = entry("note", own_youth.clone()).fetch_one(&mut *conn).await.expect("own note");
    let own_visit = entry("visit", own_youth.clone()).fetch_one(&mut *conn).await.expect("own visit");
    let own_goal = sqlx::query_scalar::<_, String>(
        "SELECT id FROM goals WHERE youth_id = $1 AND title = 'Regelmäßiger Schulbesuch'",
    )
    .bind(&own_youth)
    .fetch_one(&mut *conn)
    .await
    .expect("own goal");
    let own_plan = sqlx::query_scalar::<_, String>("SELECT id FROM help_plans WHERE youth_id = $1 AND version = 1")
        .bind(&own_youth)
        .fetch_one(&mut *conn)
        .await
        .expect("own plan");
    let foreign_staff = sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE login = 'fachkraft2'")
        .fetch_one(&mut *conn)
        .await
        .expect("foreign staff");
    let foreign = |body: EntryBody| entry_fixture(store, &foreign_group, &foreign_youth, &foreign_staff, body);
    let foreign_note = foreign(EntryBody::Note(NoteBody {
        category: NoteCategory::Leisure,
        text: "Noah Schulz beim Fußball".into(),
        important: false,
        goal_ids: vec![],
    }))
    .await;
    let foreign_visit = foreign(EntryBody::Visit(VisitBody {
        time: "10:00".into(),
        kind: VisitKind::Call,
        place: VisitPlace::Group,
        participants: vec![Participant::Father],
        participants_other: String::new(),
        supervised: false,
        supervised_by: String::new(),
        outcome: VisitOutcome::Held,
        mood_before: None,
        mood_before_text: String::new(),
        mood_after: None,
        mood_after_text: String::new(),
        notes: "Telefonat mit Herrn Schulz".into(),
    }))
    .await;
    let foreign_goal = gruppenbuch_app::db::goals::insert(
        &mut conn,
        &parse(&foreign_youth),
        &ValidGoal {
            title: "Noahs Ziel".into(),
            description: String::new(),
            review_on: None,
            level: GoalLevel::Action,
            parent_id: None,
            status: GoalStatus::Open,
            status_reason: String::new(),
            steps: Vec::new(),
            youth_title: String::new(),
        },
    )
    .await
    .expect("foreign goal")
    .into_string();
    let foreign_staff_id: gruppenbuch_app::domain::ids::UserId = parse(&foreign_staff);
    let foreign_plan = {
        use gruppenbuch_app::domain::plan::{LegalBasis, ValidPlan};
        let plan = ValidPlan {
            agreed_on: chrono::NaiveDate::parse_from_str(&today(), "%Y-%m-%d").expect("today"),
            participants: "Noah Schulz, Herr Schulz".into(),
            legal_basis: LegalBasis::Residential,
            key_worker: "Lars Linden".into(),
            place: String::new(),
            results: String::new(),
            next_on: None,
        };
        let goals = gruppenbuch_app::db::goals::list_for_youth(&mut conn, &parse(&foreign_youth)).await.expect("goals");
        let snapshot = plan.snapshot(goals);
        gruppenbuch_app::db::plans::insert(&mut conn, &parse(&foreign_youth), &plan, &snapshot, &foreign_staff_id)
            .await
            .expect("foreign plan")
            .0
            .into_string()
    };
    let own_staff = sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE login = 'fachkraft'")
        .fetch_one(&mut *conn)
        .await
        .expect("own staff");
    let talk = |goal: &str| {
        EntryBody::Talk(gruppenbuch_app::domain::talk::TalkBody {
            participants: "Matrix".into(),
            youth_present: true,
            goals: vec![gruppenbuch_app::domain::talk::TalkGoal {
                goal_id: parse(goal),
                happened: "Matrix".into(),
                entry_ids: vec![],
                staff: Some(gruppenbuch_app::domain::plan::Rating::Partly),
                youth: None,
                parents: None,
            }],
            next_who: String::new(),
            next_what: String::new(),
            next_by: String::new(),
            youth_words: String::new(),
            hpg_topics: String::new(),
            for_advisor: false,
        })
    };
    let own_talk = entry_fixture(store, &own_group, &own_youth, &own_staff, talk(&own_goal)).await;
    let foreign_talk = entry_fixture(store, &foreign_group, &foreign_youth, &foreign_staff, talk(&foreign_goal)).await;
    let record = |who: &str| {
        EntryBody::Record(gruppenbuch_app::domain::record::RecordBody {
            record_type: gruppenbuch_app::domain::record::RecordType::ParentTalk,
            participants: who.into(),
            content: "Matrix".into(),
            outcome: "Matrix".into(),
            goal_ids: vec![],
            phase: None,
            assessor: String::new(),
            instrument: String::new(),
            findings: String::new(),
        })
    };
    let advisor_of =
        |login: &'static str| sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE login = $1").bind(login);
    let own_advisor = advisor_of("fachberatung").fetch_one(&mut *conn).await.expect("own advisor");
    let foreign_advisor = advisor_of("fachberatung2").fetch_one(&mut *conn).await.expect("foreign advisor");
    let own_record = entry_fixture(store, &own_group, &own_youth, &own_advisor, record("Frau Krause")).await;
    let foreign_record =
        entry_fixture(store, &foreign_group, &foreign_youth, &foreign_advisor, record("Herr Schulz")).await;
    let mia_account = sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE login = 'jugendliche'")
        .fetch_one(&mut *conn)
        .await
        .expect("Mia's account");
    let own_feedback = feedback_fixture(
        store,
        &own_group,
        Some((&mia_account, &own_youth)),
        Recipient::Group,
        None,
        "Matrix: Das Essen am Wochenende",
    )
    .await;
    let own_feedback_past = feedback_fixture(
        store,
        &own_group,
        None,
        Recipient::Advisor,
        Some(OWN_PICKUP_PAST),
        "Matrix: Beschwerde an die Fachberatung",
    )
    .await;
    let foreign_feedback = feedback_fixture(
        store,
        &foreign_group,
        None,
        Recipient::Group,
        Some(FOREIGN_PICKUP),
        "Matrix: Lindenhof Gruppe",
    )
    .await;
    let foreign_feedback_past = feedback_fixture(
        store,
        &foreign_group,
        None,
        Recipient::Advisor,
        Some(FOREIGN_PICKUP_PAST),
        "Matrix: Lindenhof Fachberatung",
    )
    .await;
    let own_staff = sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE login = 'fachkraft'")
        .fetch_one(&mut *conn)
        .await
        .expect("own staff");
    let own_incident =
        incident_fixture(store, &own_group, &own_youth, &own_staff, "Matrix: Mia kam nicht vom Sport zurück").await;
    let foreign_incident =
        incident_fixture(store, &foreign_group, &foreign_youth, &foreign_staff, "Matrix: Noah Schulz abgängig").await;
    let link = gruppenbuch_app::db::submissions::group_token;
    let fresh = gruppenbuch_app::auth::session::new_token;
    let own_link = link(&mut conn, &parse(&own_group), &fresh()).await.expect("own link");
    let foreign_link = link(&mut conn, &parse(&foreign_group), &fresh()).await.expect("foreign link");
    // The pickup rows above were stored as before keyed hashing; the server converts
    // such rows at start-up, and so does this (the running test server is started).
    gruppenbuch_app::api::submissions::ssr::key_pickups(&mut conn, &app.settings).await.expect("key pickups");
    let own_report = report_fixture(&mut conn, &own_youth, &own_staff).await;
    let foreign_report = report_fixture(&mut conn, &foreign_youth, &foreign_staff).await;
    let leitung = sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE login = 'leitung'")
        .fetch_one(&mut *conn)
        .await
        .expect("leitung");
    let (own_observation, own_case, own_step) =
        protection_fixture(&mut conn, &own_group, &own_youth, &leitung, "Matrix: Mia hat Hämatome").await;
    let (foreign_observation, foreign_case, foreign_step) =
        protection_fixture(&mut conn, &foreign_group, &foreign_youth, &leitung, "Matrix: Noah Schulz weint").await;
    let own_licence = licence_fixture(&mut conn, &own_group, &leitung).await;
    let foreign_licence = licence_fixture(&mut conn, &foreign_group, &leitung).await;
    Fixtures {
        own_licence,
        foreign_licence,
        own_group,
        foreign_group,
        own_youth,
        foreign_youth,
        own_note,
        own_visit,
        own_goal,
        own_plan,
        foreign_plan,
        own_talk,
        foreign_talk,
        own_record,
        foreign_record,
        foreign_note,
        foreign_visit,
        foreign_goal,
        own_feedback,
        own_feedback_past,
        foreign_feedback,
        foreign_feedback_past,
        own_pickup: OWN_PICKUP_PAST.to_owned(),
        foreign_pickup: FOREIGN_PICKUP_PAST.to_owned(),
        own_incident,
        foreign_incident,
        own_link,
        foreign_link,
        own_report,
        foreign_report,
        own_observation,
        foreign_observation,
        own_case,
        foreign_case,
        own_step,
        foreign_step,
    }
}
