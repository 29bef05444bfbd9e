//! § 47 Meldungen through the real server: offered from an incident and a procedure of a
//! licensed group, stored once and never changed, refused for other groups and for the
//! group's staff.

use crate::common::{Client, count, fixtures, new_id, spawn_app, today};
use serde_json::Value;

fn form(group: &str, extra: &str) -> (String, String) {
    let key = new_id();
    let day = today();
    (
        key.clone(),
        format!(
            "input[key]={key}&input[group_id]={group}&input[category]=vermisst&input[occurred_at]={day}T06%3A00\
             &input[description]=Mia%20kam%20nicht%20zur%C3%BCck&input[recipient]=Landesjugendamt%2C%20Herr%20B.\
             &input[reported_at]={day}T06%3A40{extra}"
        ),
    )
}

#[tokio::test]
async fn a_meldung_is_offered_stored_once_and_refused_outside_its_licensed_group() {
    let app = spawn_app().await;
    let fx = fixtures(&app).await;
    let leitung = Client::login(&app, "leitung").await;
    let advisor = Client::login(&app, "fachberatung").await;
    let staff = Client::login(&app, "fachkraft").await;

    // The incident (Mia missing, a licensed group) offers one; the form starts from it.
    let incident = leitung.call("/api/incidents/get", &format!("id={}", fx.own_incident)).await;
    let incident: Value = serde_json::from_str(&incident.body).expect("json");
    assert_eq!(incident["licence_offer"], Value::Bool(true));
    let start = leitung.call("/api/licence/form", &format!("input[incident_id]={}", fx.own_incident)).await;
    let start: Value = serde_json::from_str(&start.body).expect("json");
    assert_eq!(start["category"], "vermisst");
    assert_eq!(start["group_id"], fx.own_group.as_str());

    let before = count(&app.store, "licence_reports").await;
    let (key, saved) = form(&fx.own_group, &format!("&input[incident_id]={}", fx.own_incident));
    let res = advisor.call("/api/licence/save", &saved).await;
    assert!(res.status < 400, "{res:?}");
    assert_eq!(advisor.call("/api/licence/save", &saved).await.status, 409, "a resend stores nothing");
    let one = advisor.call("/api/licence/get", &format!("id={key}")).await;
    assert!(one.body.contains("Landesjugendamt, Herr B."), "{one:?}");
    let list = advisor.call("/api/licence/list", "").await;
    assert!(list.body.contains(&key) && !list.body.contains("FWG Lindenhof"), "{list:?}");

    // The group's staff never; the Fachberatung not for a group it does not advise; an
    // incident of another group is refused; nothing of it is stored.
    assert_eq!(staff.call("/api/licence/save", &form(&fx.own_group, "").1).await.status, 403);
    assert_eq!(staff.call("/api/licence/list", "").await.status, 403);
    assert_eq!(advisor.call("/api/licence/save", &form(&fx.foreign_group, "").1).await.status, 404);
    let wrong = leitung
        .call("/api/licence/save", &form(&fx.foreign_group, &format!("&input[incident_id]={}", fx.own_incident)).1)
        .await;
    assert_eq!(wrong.status, 400, "{wrong:?}");
    assert!(wrong.body.contains("gehört nicht zu dieser Familienwohngruppe"), "{}", wrong.body);
    let (_, late) = form(&fx.own_group, "");
    let early = late.replace("T06%3A40", "T05%3A00");
    let res = leitung.call("/api/licence/save", &early).await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("vor dem Ereignis"), "{}", res.body);

    // Without an operating licence there is no Meldung, and incidents offer none.
    let mut conn = app.store.pool().acquire().await.expect("conn");
    sqlx::query("UPDATE groups SET licensed = 0 WHERE id = $1")
        .bind(&fx.foreign_group)
        .execute(&mut *conn)
        .await
        .expect("unlicense");
    let res = leitung.call("/api/licence/save", &form(&fx.foreign_group, "").1).await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("keine Betriebserlaubnis"), "{}", res.body);
    let foreign = leitung.call("/api/incidents/get", &format!("id={}", fx.foreign_incident)).await;
    assert!(foreign.body.contains("\"licence_offer\":false"), "{}", foreign.body);
    assert_eq!(count(&app.store, "licence_reports").await, before + 1);

    // A stored Meldung never changes.
    for sql in ["UPDATE licence_reports SET body = '{}' WHERE id = $1", "DELETE FROM licence_reports WHERE id = $1"] {
        assert!(sqlx::query(sql).bind(&key).execute(&mut *conn).await.is_err(), "{sql}");
    }
    drop(conn);

    // A procedure about the group home's adults offers one too, with its category.
    let case = leitung
        .call(
            "/api/protection/open",
            &format!("input[key]={}&input[from]={}&input[concerns_staff]=ja", new_id(), fx.own_youth),
        )
        .await;
    let case: String = serde_json::from_str(&case.body).expect("case id");
    let view: Value =
        serde_json::from_str(&leitung.call("/api/protection/get", &format!("id={case}")).await.body).expect("json");
    assert_eq!(view["licence_offer"], Value::Bool(true));
    assert_eq!(view["summary"]["concerns_staff"], Value::Bool(true));
    let start = leitung.call("/api/licence/form", &format!("input[case_id]={case}")).await;
    assert!(start.body.contains("fehlverhalten_personal"), "{}", start.body);
    // The group's Fachkraft does not see this procedure either.
    assert_eq!(staff.call("/api/protection/get", &format!("id={case}")).await.status, 404);
}
