//! Domain types and their validation. No I/O here: every function is pure and unit-tested
//! next to its type. Inputs arrive as `*Input` structs from forms (strings, as typed),
//! and `validate` turns them into checked values or German field errors.

pub mod account;
pub mod audit;
pub mod choice;
pub mod contact;
pub mod entry;
pub mod feed;
pub mod feedback;
pub mod goal;
pub mod group;
pub mod ids;
pub mod incident;
pub mod licence;
pub mod note;
pub mod outbox;
pub mod plan;
pub mod progress;
pub mod protection;
pub mod record;
pub mod report;
pub mod role;
pub mod scope;
pub mod talk;
pub mod text;
pub mod timeline;
pub mod user;
pub mod visit;
pub mod youth;

pub use role::Role;

/// Checks that a string is a UUID as we issue them (hyphenated, lowercase hex).
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}
