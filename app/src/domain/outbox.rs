//! What devices send from their outbox: a sealed item, what it decrypts to, and the
//! receipt that lets the device delete it.

use super::note::NoteInput;
use super::talk::TalkInput;
use super::visit::VisitInput;
use serde::{Deserialize, Serialize};

/// What a sealed outbox item decrypts to: the author the device meant, and the form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedPayload {
    pub author_id: String,
    #[serde(default)]
    pub note: Option<NoteInput>,
    #[serde(default)]
    pub visit: Option<VisitInput>,
    #[serde(default)]
    pub talk: Option<TalkInput>,
}

/// A sealed outbox item as the device sends it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedInput {
    pub id: String,
    pub kind: String,
    pub key_id: String,
    pub epk: String,
    pub iv: String,
    pub ct: String,
}

/// The server's answer to a delivered entry: only this removes it from the outbox.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub id: String,
    /// The entry was already stored by an earlier send.
    pub duplicate: bool,
}
