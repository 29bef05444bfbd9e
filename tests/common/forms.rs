//! What a device sends: the forms of notes, visits and incidents, and sealed outbox items.

use super::{TestApp, enc};

/// A complete visit form (as `input[...]` pairs) for a young person.
pub fn visit_form(id: &str, youth: &str) -> String {
    format!(
        "input[id]={id}&input[youth_id]={youth}&input[date]={}&input[time]=15:00&input[kind]=besuch\
         &input[place]=wohngruppe&input[participants][0]=mutter&input[supervised]=nein&input[outcome]=stattgefunden",
        today()
    )
}

/// A complete incident form for one young person.
pub fn incident_form(id: &str, youth: &str, what: &str) -> String {
    format!(
        "input[id]={id}&input[youth_ids][0]={youth}&input[date]={}&input[time]=14:05&input[category]=entweichung\
         &input[what]={}&input[informed][0]=polizei",
        today(),
        enc(what)
    )
}

/// A complete monthly talk form for a young person, rating one goal (staff "4", the
/// young person "5") and ticking `entries` as showing it.
pub fn talk_form(id: &str, youth: &str, goal: &str, entries: &[&str]) -> String {
    let mut form = format!(
        "input[id]={id}&input[youth_id]={youth}&input[date]={}&input[participants]={}&input[youth_present]=ja\
         &input[goals][0][goal_id]={goal}&input[goals][0][happened]={}&input[goals][0][staff]=4&input[goals][0][youth]=5",
        today(),
        enc("Sabine Sonnen, Frau Krause"),
        enc("Jeden Tag pünktlich in der Schule")
    );
    for (j, entry) in entries.iter().enumerate() {
        form.push_str(&format!("&input[goals][0][entry_ids][{j}]={entry}"));
    }
    form
}

/// A complete record form of the Fachberatung (`kind`: a `RecordType` code other than
/// diagnostics) about a young person.
pub fn record_form(id: &str, youth: &str, kind: &str, outcome: &str) -> String {
    format!(
        "input[id]={id}&input[youth_id]={youth}&input[date]={}&input[record_type]={kind}&input[participants]={}\
         &input[content]={}&input[outcome]={}",
        today(),
        enc("Frank Berater, Frau Krause"),
        enc("Besprochen wurden die Besuche."),
        enc(outcome)
    )
}

/// A complete note form for a subject (a young person's id or `gruppe:<id>`).
pub fn note_form(id: &str, subject: &str, text: &str) -> String {
    format!(
        "input[id]={id}&input[subject]={subject}&input[date]={}&input[category]=schule&input[text]={}",
        today(),
        enc(text)
    )
}

/// Today in Europe/Berlin, as the server sees it.
pub fn today() -> String {
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Berlin).date_naive().to_string()
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A fresh pickup code (`ABCD-EFGH-JKMN` form), as a device makes one.
pub fn random_pickup() -> String {
    let random = gruppenbuch_app::auth::session::new_token();
    gruppenbuch_app::domain::feedback::pickup_from_random(random.as_bytes()).expect("pickup code")
}

/// The public half of the server's outbox key, as a page carries it.
#[derive(Clone, Debug)]
pub struct OutboxKey {
    pub key_id: String,
    pub public_key: String,
}

/// The server's key for sealed outbox items.
pub async fn outbox_key(app: &TestApp) -> OutboxKey {
    let mut conn = app.store.pool().acquire().await.expect("conn");
    outbox_key_of(&mut conn, &app.settings.key_wrapping).await
}

/// The current outbox key of a database whose key file the test knows.
pub async fn outbox_key_of(
    conn: &mut gruppenbuch_app::db::Conn,
    wrapping: &gruppenbuch_app::sealing::keys::WrappingKey,
) -> OutboxKey {
    let key = gruppenbuch_app::sealing::keys::current(conn, wrapping).await.expect("outbox key");
    OutboxKey { key_id: key.key_id, public_key: key.public_key }
}

/// The account id of a login.
pub async fn user_id(app: &TestApp, login: &str) -> String {
    let mut conn = app.store.pool().acquire().await.expect("conn");
    sqlx::query_scalar("SELECT id FROM users WHERE login = $1").bind(login).fetch_one(&mut *conn).await.expect("user")
}

/// What a device's outbox sends for a sealed item (`SealedInput` as `input[...]` pairs).
pub fn sealed_form(key: &OutboxKey, id: &str, kind: &str, payload: &serde_json::Value) -> String {
    let (epk, iv, ct) =
        gruppenbuch_app::sealing::seal(&key.public_key, id, kind, payload.to_string().as_bytes()).expect("seal");
    format!(
        "input[id]={id}&input[kind]={kind}&input[key_id]={}&input[epk]={epk}&input[iv]={iv}&input[ct]={ct}",
        key.key_id
    )
}
