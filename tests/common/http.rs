//! A browser-like HTTP client for the tests (`reqwest`): it keeps the session cookie and
//! sends our own origin, and it follows no redirects, so tests see what the server says.
//! Tests that need a raw socket (a stalled body, a cut connection) write their own.

use std::net::SocketAddr;
use std::sync::OnceLock;

/// An HTTP response, decoded.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// The login card token to log in `login` with, if it is a young person's account.
async fn youth_card(app: &super::TestApp, login: &str) -> Option<String> {
    use gruppenbuch_app::db::demo::DEMO_CARD;
    let mut conn = app.store.pool().acquire().await.expect("connection");
    let row: Option<(gruppenbuch_app::domain::ids::UserId, String)> =
        sqlx::query_as("SELECT id, role FROM users WHERE login = $1")
            .bind(login)
            .fetch_optional(&mut *conn)
            .await
            .expect("account");
    let (id, role) = row?;
    if role != "jugendliche" {
        return None;
    }
    if login == "jugendliche" {
        return Some(DEMO_CARD.to_owned());
    }
    let token = format!("test-karte-{login}");
    let hash = gruppenbuch_app::auth::session::token_hash(&token);
    gruppenbuch_app::db::cards::set_card(&mut conn, &id, &hash, &id).await.expect("card");
    Some(token)
}

fn http() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // Each test's server ends with the test: no connection outlives it.
            .pool_max_idle_per_host(0)
            .build()
            .expect("HTTP client")
    })
}

/// A browser-like client: keeps the session cookie, sends our own `Origin`.
#[derive(Clone)]
pub struct Client {
    pub addr: SocketAddr,
    pub cookie: Option<String>,
}

impl Client {
    pub fn new(app: &super::TestApp) -> Client {
        Client { addr: app.addr, cookie: None }
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send("GET", path, &[("accept", "text/html")], None).await
    }

    /// Calls a server function the way the hydrated app does.
    pub async fn call(&self, path: &str, form: &str) -> Response {
        let origin = self.origin();
        self.send(
            "POST",
            path,
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("accept", "application/json"),
                ("origin", &origin),
                ("sec-fetch-site", "same-origin"),
            ],
            Some(form.as_bytes()),
        )
        .await
    }

    /// Posts a plain HTML form.
    pub async fn post_form(&self, path: &str, form: &str) -> Response {
        let origin = self.origin();
        self.send(
            "POST",
            path,
            &[("content-type", "application/x-www-form-urlencoded"), ("origin", &origin), ("accept", "text/html")],
            Some(form.as_bytes()),
        )
        .await
    }

    /// Logs in with the demo password and keeps the session cookie.
    pub async fn login(app: &super::TestApp, login: &str) -> Client {
        let secret = match login {
            "jugendliche" => gruppenbuch_app::db::demo::DEMO_PIN,
            _ => gruppenbuch_app::db::demo::DEMO_PASSWORD,
        };
        Client::login_with(app, login, secret).await
    }

    /// Logs in and keeps the session cookie. Panics if the login fails.
    /// Young people log in with their login card: the demo young person's card, or a new
    /// one made for another young person's account.
    pub async fn login_with(app: &super::TestApp, login: &str, password: &str) -> Client {
        let mut client = Client::new(app);
        let res = match youth_card(app, login).await {
            Some(card) => client.post_form("/auth/card", &format!("card={card}&password={}", enc(password))).await,
            None => client.post_form("/auth/login", &format!("login={login}&password={}", enc(password))).await,
        };
        assert_eq!(res.status, 303, "login of {login} failed: {res:?}");
        assert_eq!(res.header("location"), Some("/"), "login of {login} failed: {res:?}");
        let cookie = res.header("set-cookie").expect("session cookie");
        client.cookie = Some(cookie.split(';').next().unwrap_or_default().to_owned());
        client
    }

    /// One request with exactly these headers (and the session cookie, if any).
    pub async fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Response {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let is_get = method == reqwest::Method::GET;
        let mut request = http().request(method, format!("http://{}{path}", self.addr));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if !is_get {
            request = request.body(body.unwrap_or_default().to_vec());
        }
        let res = request.send().await.unwrap_or_else(|e| panic!("request to {path}: {e}"));
        let status = res.status().as_u16();
        let headers = res
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let body = res.text().await.unwrap_or_else(|e| panic!("response of {path}: {e}"));
        Response { status, headers, body }
    }
}

impl Client {
    /// A GET whose body is a file (a PDF): status, content type and the bytes.
    pub async fn get_bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let mut request = http().get(format!("http://{}{path}", self.addr));
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        let res = request.send().await.unwrap_or_else(|e| panic!("request to {path}: {e}"));
        let status = res.status().as_u16();
        let kind = res
            .headers()
            .get("content-type")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        let bytes = res.bytes().await.unwrap_or_else(|e| panic!("response of {path}: {e}")).to_vec();
        (status, kind, bytes)
    }
}

/// The text of a PDF, as `pdftotext` (poppler-utils, installed by `make setup`) reads it.
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("gb-pdf-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("report.pdf");
    std::fs::write(&file, pdf).expect("write pdf");
    let out = std::process::Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils; `make setup` installs it)");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Percent-encodes a form value.
pub fn enc(value: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    utf8_percent_encode(value, VALUE).to_string()
}
