//! What stops the server from starting: settings without which it would do harm. Each
//! test runs the real binary and expects it to refuse with a message that says what to do.

use crate::server_process::{repo_root, server_binary};
use std::process::Command;

/// Runs the server with this environment (and nothing of the test runner's); returns
/// whether it exited with failure, and what it printed.
fn start_with(env: &[(&str, &str)]) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("gruppenbuch-startup-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut cmd = Command::new(server_binary());
    cmd.current_dir(repo_root()).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd.envs([
        ("LEPTOS_OUTPUT_NAME", "gruppenbuch"),
        ("LEPTOS_SITE_ROOT", "target/site"),
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0"),
        ("DATABASE_URL", &format!("sqlite://{}/start.db", dir.display())),
    ]);
    cmd.envs(env.iter().copied());
    let out = cmd.output().expect("run the server");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (!out.status.success(), text)
}

#[tokio::test]
async fn a_production_start_without_its_public_address_is_refused() {
    let (failed, output) = start_with(&[("GB_COOKIE_SECURE", "1")]);
    assert!(failed, "the server must not start: {output}");
    assert!(output.contains("GB_PUBLIC_URL"), "it says what is missing: {output}");
    let (failed, output) = start_with(&[("GB_COOKIE_SECURE", "1"), ("GB_PUBLIC_URL", "http://gb.example.org")]);
    assert!(failed && output.contains("https://"), "a plain-HTTP address is refused too: {output}");
}

#[tokio::test]
async fn a_postgresql_installation_needs_a_key_file_for_its_outbox_keys() {
    let (failed, output) =
        start_with(&[("GB_COOKIE_SECURE", "0"), ("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")]);
    assert!(failed, "the server must not start: {output}");
    assert!(output.contains("GB_KEY_FILE"), "it says what is missing: {output}");
}
