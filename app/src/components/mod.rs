//! Reusable view pieces.

pub mod form;
pub mod icon;
pub mod layout;
pub mod load;
pub mod outbox;
pub mod status;
