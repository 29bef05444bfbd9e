//! Headers, CSRF, body limits and malformed requests.

use crate::common::{Client, count, spawn_app, spawn_app_serving};
use gruppenbuch_app::api::ssr::Settings;

#[tokio::test]
async fn pages_carry_security_headers_and_a_csp_with_a_fresh_nonce() {
    let app = spawn_app().await;
    let client = Client::login(&app, "leitung").await;
    let page = client.get("/gruppen").await;
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").expect("CSP").to_owned();
    assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("'nonce-"), "{csp}");
    assert!(!csp.contains("unsafe-inline"));
    let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).expect("nonce");
    assert!(page.body.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the nonce");
    let again = client.get("/gruppen").await;
    assert_ne!(again.header("content-security-policy"), Some(csp.as_str()), "a nonce is used once");
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(page.header(name), Some(value), "{name}");
    }
}

/// A static file served while a page renders must not take the page's headers: the page
/// would go out with the nonce-less policy and its scripts would be blocked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_served_during_page_renders_leave_the_pages_csp_alone() {
    let root = std::env::temp_dir().join(format!("gruppenbuch-site-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&root).expect("site root");
    std::fs::write(root.join("probe.txt"), "probe").expect("probe file");
    let app = spawn_app_serving(Settings { cookie_secure: false, ..Settings::default() }, Some(&root)).await;
    let client = Client::login(&app, "fachberatung").await;
    for _ in 0..40 {
        let page = tokio::spawn({
            let client = client.clone();
            async move { client.get("/").await }
        });
        let files: Vec<_> = (0..4)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move { client.send("GET", "/probe.txt", &[], None).await })
            })
            .collect();
        let wait = std::time::Duration::from_secs(10);
        let page = tokio::time::timeout(wait, page).await.expect("the page answers").expect("page task");
        assert_eq!(page.status, 200);
        let csp = page.header("content-security-policy").expect("CSP");
        let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next());
        let nonce = nonce.unwrap_or_else(|| panic!("the page's CSP lost its nonce: {csp}"));
        assert!(page.body.contains(&format!("nonce=\"{nonce}\"")));
        for file in files {
            let file = tokio::time::timeout(wait, file).await.expect("the file answers").expect("file task");
            assert_eq!((file.status, file.body.as_str()), (200, "probe"));
            let csp = file.header("content-security-policy").expect("CSP");
            assert!(!csp.contains("'nonce-"), "a static file took a page's policy: {csp}");
        }
    }
}

#[tokio::test]
async fn data_responses_are_never_cached() {
    let app = spawn_app().await;
    let client = Client::login(&app, "leitung").await;
    let res = client.call("/api/groups/list", "").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert!(res.header("content-security-policy").is_some());
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let client = Client::login(&app, "leitung").await;
    let before = count(&app.store, "groups").await;
    let form = "input[name]=Fremd&input[address]=Weg%201&input[phone]=0361%201";
    let attempts: [&[(&str, &str)]; 3] = [
        &[("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")],
        &[("origin", "https://evil.example")],
        &[],
    ];
    for extra in attempts {
        let mut headers = vec![("content-type", "application/x-www-form-urlencoded"), ("accept", "application/json")];
        headers.extend_from_slice(extra);
        let res = client.send("POST", "/api/groups/create", &headers, Some(form.as_bytes())).await;
        assert_eq!(res.status, 403, "{extra:?}");
    }
    assert_eq!(count(&app.store, "groups").await, before);
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let app = spawn_app().await;
    let client = Client::login(&app, "leitung").await;
    let big = format!("input[name]={}&input[address]=a&input[phone]=1", "x".repeat(1024 * 1024 + 10));
    let res = client.call("/api/groups/create", &big).await;
    assert_eq!(res.status, 413);
}

#[tokio::test]
async fn unknown_fields_and_malformed_bodies_get_400_and_change_nothing() {
    let app = spawn_app().await;
    let client = Client::login(&app, "leitung").await;
    let before = count(&app.store, "groups").await;
    for body in [
        "input[name]=A&input[address]=B&input[phone]=0361%201&input[admin]=1",
        "input[name]=A&input[address]=B&input[phone]=0361%201&evil=1",
        "input[name]=A",
        "%%%&&&===",
        "input=5",
    ] {
        let res = client.call("/api/groups/create", body).await;
        assert_eq!(res.status, 400, "{body}: {res:?}");
    }
    assert_eq!(count(&app.store, "groups").await, before);
    let res = client.call("/api/youths/get", "id=not-a-uuid").await;
    assert_eq!(res.status, 404);
    let res = client.call("/api/audit/list", "input[before]=1_x").await;
    assert_eq!(res.status, 403, "only Datenschutz reads the audit log");
}

#[tokio::test]
async fn health_endpoints_answer_without_a_session() {
    let app = spawn_app().await;
    let client = Client::new(&app);
    assert_eq!(client.get("/healthz").await.status, 200);
    assert_eq!(client.get("/readyz").await.status, 200);
}

#[tokio::test]
async fn a_client_that_stalls_while_sending_gets_408_and_nothing_is_stored() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app =
        spawn_app_serving(Settings { cookie_secure: false, request_timeout_ms: 1_500, ..Settings::default() }, None)
            .await;
    let staff = Client::login(&app, "fachkraft").await;
    let entries = count(&app.store, "entries").await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.expect("connect");
    let origin = staff.origin();
    let head = format!(
        "POST /api/outbox/deliver HTTP/1.1\r\nhost: {}\r\nconnection: close\r\ncontent-type: application/x-www-form-urlencoded\r\naccept: application/json\r\norigin: {origin}\r\nsec-fetch-site: same-origin\r\ncookie: {}\r\ncontent-length: 5000\r\n\r\ninput[id]=",
        app.addr,
        staff.cookie.as_deref().unwrap_or_default()
    );
    stream.write_all(head.as_bytes()).await.expect("write the start");
    // ... and then nothing more: the server answers 408 after its timeout.
    let mut raw = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(20), stream.read_to_end(&mut raw))
        .await
        .expect("the server answers a stalled request within its timeout")
        .expect("read");
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert_eq!(count(&app.store, "entries").await, entries);
    // The 408 is a response like any other: it carries the security headers too.
    let head = text.split("\r\n\r\n").next().unwrap_or_default().to_ascii_lowercase();
    for (name, value) in [
        ("content-security-policy", "default-src"),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "deny"),
        ("referrer-policy", "same-origin"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cache-control", "no-store"),
    ] {
        let line = head.lines().find(|line| line.starts_with(&format!("{name}:")));
        assert!(line.is_some_and(|line| line.contains(value)), "408 without {name}: {value}:\n{text}");
    }
}
