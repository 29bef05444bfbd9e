//! Reusable view pieces.

pub mod form;
pub mod layout;
pub mod outbox;
pub mod status;
