//! The demo institute that `make run` starts with: two group homes, six young people,
//! one account per role (plus a second staff member and Fachberatung for the other
//! group, so need-to-know can be tried out). Only ever seeded into an empty database.

use super::{Conn, Store, StoreError};
use crate::domain::Role;
use crate::domain::account::ValidAccount;
use crate::domain::group::ValidGroup;
use crate::domain::ids::{GroupId, UserId, YouthId};
use crate::domain::youth::ValidYouth;
use chrono::NaiveDate;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "gruppenbuch";
/// The PIN of the demo young person (young people log in with a PIN, not a password).
pub const DEMO_PIN: &str = "2468";

/// The token of the demo young person's login card: young people log in with their card
/// (`/karte/demo-karte-mia`) and the PIN. Known to everyone, as the demo passwords are.
pub const DEMO_CARD: &str = "demo-karte-mia";

/// The secret a demo account logs in with.
pub fn demo_secret(role: Role) -> &'static str {
    if role.signs_in_with_pin() { DEMO_PIN } else { DEMO_PASSWORD }
}

/// A demo login, for printing.
pub struct DemoLogin {
    pub login: &'static str,
    pub role: Role,
    pub note: &'static str,
}

pub const DEMO_LOGINS: [DemoLogin; 8] = [
    DemoLogin { login: "leitung", role: Role::Leitung, note: "alle Gruppen" },
    DemoLogin { login: "fachberatung", role: Role::Fachberatung, note: "FWG Sonnenhaus" },
    DemoLogin { login: "fachberatung2", role: Role::Fachberatung, note: "FWG Lindenhof" },
    DemoLogin { login: "fachkraft", role: Role::Fachkraft, note: "FWG Sonnenhaus" },
    DemoLogin { login: "fachkraft2", role: Role::Fachkraft, note: "FWG Lindenhof" },
    DemoLogin { login: "jugendliche", role: Role::Jugendliche, note: "Mia, FWG Sonnenhaus" },
    DemoLogin { login: "admin", role: Role::Admin, note: "Konten" },
    DemoLogin { login: "datenschutz", role: Role::Datenschutz, note: "Zugriffsprotokoll" },
];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Seeds the demo institute if the database has no accounts yet. Returns whether it did.
pub async fn seed_if_empty(store: &Store) -> Result<bool, StoreError> {
    let mut tx = store.begin().await?;
    if super::accounts::count(&mut tx).await? > 0 {
        return Ok(false);
    }
    match seed(&mut tx).await {
        Ok(()) => {}
        // Another instance seeded the same database at the same moment (PostgreSQL lets
        // both see no accounts); its demo institute stands, this transaction rolls back.
        Err(StoreError::Database(e)) if super::is_unique_violation(&e) => return Ok(false),
        Err(e) => return Err(e),
    }
    match tx.commit().await {
        Ok(()) => Ok(true),
        Err(e) if super::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

async fn seed(conn: &mut Conn) -> Result<(), StoreError> {
    let sonnenhaus = super::groups::insert(
        conn,
        &ValidGroup {
            name: "FWG Sonnenhaus".into(),
            address: "Am Sonnenhang 12, 99084 Erfurt".into(),
            phone: "0361 5550 101".into(),
            licensed: true,
        },
    )
    .await?;
    let lindenhof = super::groups::insert(
        conn,
        &ValidGroup {
            name: "FWG Lindenhof".into(),
            address: "Lindenweg 3, 99089 Erfurt".into(),
            phone: "0361 5550 202".into(),
            licensed: true,
        },
    )
    .await?;
    let youths = [
        (&sonnenhaus, "Mia", "Krause", date(2012, 4, 17), date(2021, 9, 1), "Sorgeberechtigt: Mutter"),
        (&sonnenhaus, "Leon", "Vogel", date(2010, 11, 3), date(2019, 2, 15), "Vormund: Jugendamt Erfurt"),
        (&sonnenhaus, "Emma", "Richter", date(2014, 7, 22), date(2023, 5, 10), "Sorgeberechtigt: beide Eltern"),
        (&lindenhof, "Noah", "Schulz", date(2011, 1, 9), date(2020, 8, 20), "Vormund: Herr Beispiel"),
        (&lindenhof, "Lina", "Wagner", date(2013, 3, 30), date(2022, 1, 12), "Sorgeberechtigt: Vater"),
        (&lindenhof, "Finn", "Becker", date(2009, 12, 5), date(2018, 6, 4), "Sorgeberechtigt: Mutter"),
    ];
    let mut first_youth = None;
    for (group, first, last, birth, admission, custody) in youths {
        let id = super::youths::insert(
            conn,
            &ValidYouth {
                group_id: group.clone(),
                first_name: first.into(),
                last_name: last.into(),
                birth_date: birth,
                admission_date: admission,
                caseworker_name: "Frau Sommer, Jugendhilfedienst Erfurt".into(),
                caseworker_contact: "0361 5550 900".into(),
                custody: custody.into(),
            },
        )
        .await?;
        first_youth.get_or_insert(id);
    }
    let hash =
        crate::auth::password::hash(DEMO_PASSWORD).map_err(|_| sqlx::Error::Protocol("hashing failed".into()))?;
    let pin_hash = crate::auth::password::hash(DEMO_PIN).map_err(|_| sqlx::Error::Protocol("hashing failed".into()))?;
    let accounts = [
        ("leitung", "Petra Leitner", Role::Leitung, vec![], None),
        ("fachberatung", "Frank Berater", Role::Fachberatung, vec![sonnenhaus.clone()], None),
        ("fachberatung2", "Fatma Beraterin", Role::Fachberatung, vec![lindenhof.clone()], None),
        ("fachkraft", "Sabine Sonnen", Role::Fachkraft, vec![sonnenhaus.clone()], None),
        ("fachkraft2", "Lars Linden", Role::Fachkraft, vec![lindenhof.clone()], None),
        ("jugendliche", "Mia", Role::Jugendliche, vec![], first_youth.clone()),
        ("admin", "Adam Admin", Role::Admin, vec![], None),
        ("datenschutz", "Dana Schutz", Role::Datenschutz, vec![], None),
    ];
    let mut staff = None;
    let mut advisor = None;
    for (login, name, role, group_ids, youth_id) in accounts {
        // Those an incident is reported to get alarm e-mails (the `.example` domain
        // reaches nobody; a test relay or `make run` with GB_SMTP_HOST shows them).
        let email = login.starts_with("fachberatung") || login == "leitung";
        let email = email.then(|| format!("{login}@gruppenbuch.example"));
        let account = ValidAccount { display_name: name.into(), login: login.into(), role, group_ids, youth_id, email };
        let secret = if role.signs_in_with_pin() { &pin_hash } else { &hash };
        let id = super::accounts::insert(conn, &account, secret).await?;
        if role.signs_in_with_pin() {
            // Stored as every card token is: its SHA-256 (`auth::session::token_hash`).
            use sha2::{Digest, Sha256};
            let hash: String = Sha256::digest(DEMO_CARD.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
            super::cards::set_card(conn, &id, &hash, &id).await?;
        }
        match login {
            "fachkraft" => staff = Some(id),
            "fachberatung" => advisor = Some(id),
            _ => {}
        }
    }
    if let (Some(mia), Some(staff), Some(advisor)) = (first_youth, staff, advisor) {
        seed_case(conn, &sonnenhaus, &mia, &staff, &advisor).await?;
    }
    Ok(())
}

/// Mia's help plan (recorded by the Fachberatung), contact arrangement and a first note
/// and visit, so the pages show what they are for.
async fn seed_case(
    conn: &mut Conn,
    group: &GroupId,
    mia: &YouthId,
    staff: &UserId,
    advisor: &UserId,
) -> Result<(), StoreError> {
    use crate::domain::contact::{ContactArrangement, ContactPeriod};
    use crate::domain::entry::EntryBody;
    use crate::domain::goal::{GoalLevel, GoalStatus, Step, ValidGoal};
    use crate::domain::note::{NoteBody, NoteCategory};
    use crate::domain::plan::{LegalBasis, ValidPlan};
    use crate::domain::visit::{Participant, VisitBody, VisitKind, VisitOutcome, VisitPlace};
    let today = chrono::Utc::now().date_naive();
    let agreed_on = today.checked_sub_days(chrono::Days::new(45)).unwrap_or(today);
    let in_days = |n: u64| today.checked_add_days(chrono::Days::new(n)).unwrap_or(today).to_string();
    let goal = |title: &str, youth: &str, level, parent: Option<&crate::domain::ids::GoalId>, steps| ValidGoal {
        title: title.to_owned(),
        description: String::new(),
        review_on: (level == GoalLevel::Action).then(|| date(2027, 3, 1)),
        level,
        parent_id: parent.cloned(),
        status: if level == GoalLevel::Action { GoalStatus::InProgress } else { GoalStatus::Open },
        status_reason: String::new(),
        steps,
        youth_title: youth.to_owned(),
    };
    let step = |who: &str, what: &str, by: String| Step { who: who.into(), what: what.into(), by };
    let graduation = super::goals::insert(
        conn,
        mia,
        &goal(
            "Mia schafft den Hauptschulabschluss",
            "Ich schaffe meinen Schulabschluss.",
            GoalLevel::Direction,
            None,
            vec![],
        ),
    )
    .await?;
    let school = super::goals::insert(
        conn,
        mia,
        &goal(
            "Regelmäßiger Schulbesuch",
            "Ich gehe jeden Tag zur Schule.",
            GoalLevel::Action,
            Some(&graduation),
            vec![
                step("Mia", "Stellt sich den Wecker selbst", in_days(14)),
                step("Sabine Sonnen", "Gespräch mit der Klassenlehrerin", in_days(30)),
            ],
        ),
    )
    .await?;
    let family = super::goals::insert(
        conn,
        mia,
        &goal(
            "Mia hat eine verlässliche Beziehung zur Mutter",
            "Ich verstehe mich gut mit Mama.",
            GoalLevel::Direction,
            None,
            vec![],
        ),
    )
    .await?;
    let contact = super::goals::insert(
        conn,
        mia,
        &goal(
            "Kontakt zur Mutter stabilisieren",
            "Ich sehe Mama alle zwei Wochen.",
            GoalLevel::Action,
            Some(&family),
            vec![step("Frank Berater", "Besuchsplan mit der Mutter abstimmen", in_days(21))],
        ),
    )
    .await?;
    let plan = ValidPlan {
        agreed_on,
        participants: "Mia Krause, Frau Krause (Mutter), Herr Amtmann (Jugendamt), Sabine Sonnen, Frank Berater".into(),
        legal_basis: LegalBasis::Residential,
        key_worker: "Sabine Sonnen".into(),
        place: "Jugendamt, Zimmer 214".into(),
        results: "Mia bleibt in der Familienwohngruppe. Schwerpunkte bis zum nächsten Gespräch: \
                  der Schulbesuch und ein verlässlicher Kontakt zur Mutter."
            .into(),
        // The next meeting is three weeks ahead, so the start page reminds of the report.
        next_on: Some(today + chrono::Duration::days(21)),
    };
    let goals = crate::domain::plan::plan_order(super::goals::list_for_youth(conn, mia).await?);
    let snapshot = plan.snapshot(goals);
    super::plans::insert(conn, mia, &plan, &snapshot, advisor).await?;
    let arrangement = ContactArrangement {
        times: 2,
        period: ContactPeriod::Month,
        kind: VisitKind::Visit,
        supervised: true,
        note: "Begleiteter Umgang mit der Mutter in den SIEH-Räumen, jeden zweiten Samstag.".into(),
    };
    super::contacts::set(conn, mia, &arrangement, staff).await?;
    let yesterday = today.pred_opt().unwrap_or(today);
    let note = EntryBody::Note(NoteBody {
        category: NoteCategory::School,
        text: "Hausaufgaben in Mathe selbstständig erledigt. Mia war stolz darauf.".into(),
        important: false,
        goal_ids: vec![school],
    });
    let visit = EntryBody::Visit(VisitBody {
        time: "14:00".into(),
        kind: VisitKind::Visit,
        place: VisitPlace::Office,
        participants: vec![Participant::Mother],
        participants_other: String::new(),
        supervised: true,
        supervised_by: "Frank Berater".into(),
        outcome: VisitOutcome::Held,
        mood_before: Some(2),
        mood_before_text: "Aufgeregt, wenig gegessen.".into(),
        mood_after: Some(4),
        mood_after_text: "Erzählt viel, wirkt gelöst.".into(),
        notes: "Gemeinsam gespielt, Abschied ohne Tränen.".into(),
    });
    let parent_talk = EntryBody::Record(crate::domain::record::RecordBody {
        record_type: crate::domain::record::RecordType::ParentTalk,
        participants: "Frau Krause (Mutter), Frank Berater".into(),
        content: "Wie die begleiteten Besuche für Mia und ihre Mutter laufen.".into(),
        outcome: "Die Besuche bleiben begleitet, alle zwei Wochen samstags. Frau Krause ruft vorher an.".into(),
        goal_ids: vec![contact],
        phase: None,
        assessor: String::new(),
        instrument: String::new(),
        findings: String::new(),
    });
    for (body, day, author) in [(note, today, staff), (visit, yesterday, staff), (parent_talk, yesterday, advisor)] {
        let id = crate::domain::ids::EntryId::fresh();
        let entry = super::entries::NewEntry {
            id: &id,
            group_id: group,
            youth_id: Some(mia),
            date: day,
            body: &body,
            author_id: author,
        };
        super::entries::insert(conn, entry).await?;
    }
    Ok(())
}
