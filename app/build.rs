//! Rebuilds the app when a migration changes: `sqlx::migrate!` embeds the SQL files at
//! compile time, and cargo would not notice an edited `.sql` file on its own.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
