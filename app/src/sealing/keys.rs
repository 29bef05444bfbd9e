//! The server's outbox key pairs. Kept in the database so every instance behind a load
//! balancer opens what any device sealed; the private halves only wrapped (AES-256-GCM)
//! under a key that is not in the database (`GB_KEY_FILE`), so a copy or a backup of the
//! database alone opens nothing. Rotation makes a new current key and keeps the retired
//! ones by `key_id`: a phone that sealed items to an old key (offline for days, a page
//! loaded before the rotation) still gets them delivered.

use crate::db::Conn;
use crate::db::keys::StoredKey;
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

/// The key-encryption key. Never printed, never stored in the database.
#[derive(Clone)]
pub struct WrappingKey([u8; 32]);

impl std::fmt::Debug for WrappingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WrappingKey(…)")
    }
}

impl WrappingKey {
    /// A fresh random key (for a new key file, and for tests).
    pub fn random() -> WrappingKey {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        WrappingKey(bytes)
    }

    /// The key as a key file holds it: 43 characters of base64url.
    pub fn to_text(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// Reads a key file's text; `None` if it is not one.
    pub fn from_text(text: &str) -> Option<WrappingKey> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
        bytes.try_into().ok().map(WrappingKey)
    }

    /// Wraps a private key; the key id is bound in as additional data, so a wrapped key
    /// cannot be moved to another row.
    fn wrap(&self, key_id: &str, private_b64: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let cipher = Aes256Gcm::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!("32-byte key"));
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: private_b64.as_bytes(), aad: key_id.as_bytes() })
            .unwrap_or_default();
        format!("{WRAPPED}{}.{}", URL_SAFE_NO_PAD.encode(nonce), URL_SAFE_NO_PAD.encode(sealed))
    }

    /// A keyed hash (HMAC-SHA256 under a key derived from this one for `purpose`), as
    /// lowercase hex. For secrets with few possible values (PINs, pickup codes): without
    /// the key file a copy of the database gives nothing to grind.
    pub fn keyed_hash(&self, purpose: &str, data: &str) -> String {
        use hmac::{Hmac, Mac};
        type HmacSha256 = Hmac<sha2::Sha256>;
        let mut derive = <HmacSha256 as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!("any length"));
        derive.update(b"gruppenbuch-keyed-hash-v1|");
        derive.update(purpose.as_bytes());
        let purpose_key = derive.finalize().into_bytes();
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&purpose_key).unwrap_or_else(|_| unreachable!("any length"));
        mac.update(data.as_bytes());
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn unwrap_key(&self, key_id: &str, stored: &str) -> Option<String> {
        let (nonce, sealed) = stored.strip_prefix(WRAPPED)?.split_once('.')?;
        let nonce = URL_SAFE_NO_PAD.decode(nonce).ok().filter(|n| n.len() == 12)?;
        let sealed = URL_SAFE_NO_PAD.decode(sealed).ok()?;
        let cipher = Aes256Gcm::new_from_slice(&self.0).ok()?;
        let plain = cipher.decrypt(Nonce::from_slice(&nonce), Payload { msg: &sealed, aad: key_id.as_bytes() }).ok()?;
        String::from_utf8(plain).ok()
    }
}

/// How a wrapped private key starts in the database.
const WRAPPED: &str = "aesgcm1.";
/// How a private key from before wrapping starts (wrapped at the next start-up).
const PLAIN: &str = "plain.";

/// The current outbox key's public half, as devices seal to it.
pub struct PublicKey {
    pub key_id: String,
    pub public_key: String,
}

/// The current outbox key, made on first use. Two instances starting together both try
/// to insert; the second insert does nothing and both read the same row.
pub async fn current(conn: &mut Conn, wrapping: &WrappingKey) -> Result<PublicKey, sqlx::Error> {
    if let Some(key) = crate::db::keys::current(conn).await? {
        return Ok(PublicKey { key_id: key.key_id, public_key: key.public_key });
    }
    let pair = super::generate();
    let key_id = new_key_id();
    let wrapped = wrapping.wrap(&key_id, &pair.private_b64);
    crate::db::keys::insert_current(conn, &key_id, &pair.public_b64, &wrapped).await?;
    let key = crate::db::keys::current(conn).await?.ok_or(sqlx::Error::RowNotFound)?;
    Ok(PublicKey { key_id: key.key_id, public_key: key.public_key })
}

/// The private half of an outbox key, current or retired; `None` for an unknown key id
/// and for a key this server cannot unwrap (another key file).
pub async fn private_key(conn: &mut Conn, wrapping: &WrappingKey, key_id: &str) -> Result<Option<String>, sqlx::Error> {
    if key_id.is_empty() || key_id.len() > 64 {
        return Ok(None);
    }
    let Some(key) = crate::db::keys::by_id(conn, key_id).await? else { return Ok(None) };
    Ok(unwrap_stored(wrapping, &key))
}

fn unwrap_stored(wrapping: &WrappingKey, key: &StoredKey) -> Option<String> {
    match key.private_key.strip_prefix(PLAIN) {
        Some(plain) => Some(plain.to_owned()),
        None => {
            let unwrapped = wrapping.unwrap_key(&key.key_id, &key.private_key);
            if unwrapped.is_none() {
                tracing::error!(key_id = %key.key_id, "outbox key cannot be unwrapped: another key file?");
            }
            unwrapped
        }
    }
}

/// The current key's public half without making one (for tools that only read).
pub async fn current_public(conn: &mut Conn) -> Result<Option<PublicKey>, sqlx::Error> {
    Ok(crate::db::keys::current(conn).await?.map(|k| PublicKey { key_id: k.key_id, public_key: k.public_key }))
}

/// Start-up: wraps every private key still stored in clear (from before wrapping),
/// retires a current key this server cannot unwrap (a database restored without its key
/// file), and makes sure a current key exists that devices can seal to.
pub async fn prepare(conn: &mut Conn, wrapping: &WrappingKey) -> Result<(), sqlx::Error> {
    for key in crate::db::keys::all(conn).await? {
        if let Some(plain) = key.private_key.strip_prefix(PLAIN) {
            crate::db::keys::set_private(conn, &key.key_id, &wrapping.wrap(&key.key_id, plain)).await?;
        } else if key.retired_at.is_none() && wrapping.unwrap_key(&key.key_id, &key.private_key).is_none() {
            tracing::warn!(key_id = %key.key_id, "the current outbox key was wrapped under another key file; retiring it");
            crate::db::keys::retire(conn, &key.key_id).await?;
        }
    }
    current(conn, wrapping).await?;
    Ok(())
}

/// Whether this key file opens the current outbox key (true where there is none yet).
pub async fn opens_current(conn: &mut Conn, wrapping: &WrappingKey) -> Result<bool, sqlx::Error> {
    Ok(match crate::db::keys::current(conn).await? {
        Some(key) => unwrap_stored(wrapping, &key).is_some(),
        None => true,
    })
}

/// Makes a new current outbox key and retires the old one (kept to open what devices
/// sealed to it). Returns the new key id.
pub async fn rotate(conn: &mut Conn, wrapping: &WrappingKey) -> Result<String, sqlx::Error> {
    if let Some(old) = crate::db::keys::current(conn).await? {
        crate::db::keys::retire(conn, &old.key_id).await?;
    }
    current(conn, wrapping).await.map(|k| k.key_id)
}

fn new_key_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()[..12].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_key_opens_with_its_key_and_id_only() {
        let kek = WrappingKey::random();
        let wrapped = kek.wrap("k1", "secret");
        assert_eq!(kek.unwrap_key("k1", &wrapped).as_deref(), Some("secret"));
        assert_eq!(kek.unwrap_key("k2", &wrapped), None);
        assert_eq!(WrappingKey::random().unwrap_key("k1", &wrapped), None);
        assert!(!wrapped.contains("secret"));
    }

    #[test]
    fn a_keyed_hash_depends_on_key_purpose_and_data() {
        let key = WrappingKey::random();
        let other = WrappingKey::random();
        let h = key.keyed_hash("pin", "1234");
        assert_eq!(h.len(), 64);
        assert_eq!(h, key.keyed_hash("pin", "1234"));
        assert_ne!(h, key.keyed_hash("pickup", "1234"));
        assert_ne!(h, key.keyed_hash("pin", "1235"));
        assert_ne!(h, other.keyed_hash("pin", "1234"));
    }

    #[test]
    fn a_key_file_round_trips_and_garbage_is_no_key() {
        let kek = WrappingKey::random();
        let back = WrappingKey::from_text(&format!("{}\n", kek.to_text())).expect("key");
        assert_eq!(back.0, kek.0);
        assert!(WrappingKey::from_text("short").is_none());
        assert_eq!(format!("{kek:?}"), "WrappingKey(…)");
    }
}
