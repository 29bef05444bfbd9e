//! Argon2id password hashing. Verification always does the full work, also for unknown
//! accounts (against a fixed dummy hash), so the response time does not reveal whether a
//! login exists.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::{Condvar, Mutex, OnceLock};

/// Each Argon2 run holds 19 MiB. At most this many run at once (more would not finish
/// sooner on the machine's cores anyway); the rest wait their turn, so fifty logins at
/// once cost 19 MiB times this, not times fifty.
fn slots() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8)
}

/// Runs `f` holding one of the hashing slots. Called on blocking threads only.
fn with_slot<T>(f: impl FnOnce() -> T) -> T {
    static BUSY: Mutex<usize> = Mutex::new(0);
    static FREED: Condvar = Condvar::new();
    let limit = slots();
    {
        let mut busy = BUSY.lock().unwrap_or_else(|e| e.into_inner());
        while *busy >= limit {
            busy = FREED.wait(busy).unwrap_or_else(|e| e.into_inner());
        }
        *busy += 1;
    }
    struct Release;
    impl Drop for Release {
        fn drop(&mut self) {
            let mut busy = BUSY.lock().unwrap_or_else(|e| e.into_inner());
            *busy -= 1;
            FREED.notify_one();
        }
    }
    let _release = Release;
    f()
}

pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    with_slot(|| Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string()))
}

/// Verifies `password` against `stored`, or against a dummy hash when there is no account.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let dummy = dummy_hash();
    let (encoded, real) = match stored {
        Some(s) => (s, true),
        None => (dummy.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(encoded) else {
        return false;
    };
    let ok = with_slot(|| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok());
    ok && real
}

/// How a PIN's hash starts when Argon2 ran over the PIN keyed with the server's secret
/// (`GB_KEY_FILE`). A PIN has ten thousand values: Argon2 alone would let anyone with a
/// copy of the database try them all in minutes; without the key file there is nothing
/// to try them against. A hash without the prefix is from before and is replaced at the
/// young person's next successful login.
pub const PEPPERED: &str = "pepper1$";

/// The hash of a young person's PIN (see [`PEPPERED`]).
pub fn hash_pin(key: &crate::sealing::keys::WrappingKey, pin: &str) -> Result<String, argon2::password_hash::Error> {
    Ok(format!("{PEPPERED}{}", hash(&key.keyed_hash("pin", pin))?))
}

/// Verifies a login's secret against its stored hash, a peppered PIN's or a plain one.
/// The second value says the hash should be replaced by a peppered one (a PIN stored
/// before peppering; the caller knows whether the account signs in with a PIN).
pub fn verify_stored(key: &crate::sealing::keys::WrappingKey, secret: &str, stored: Option<&str>) -> (bool, bool) {
    match stored.and_then(|s| s.strip_prefix(PEPPERED)) {
        Some(peppered) => (verify(&key.keyed_hash("pin", secret), Some(peppered)), false),
        None => {
            let ok = verify(secret, stored);
            (ok, ok)
        }
    }
}

fn dummy_hash() -> &'static String {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash("no account has this password").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = super::hash("richtig-richtig").unwrap_or_default();
        assert!(super::verify("richtig-richtig", Some(&h)));
        assert!(!super::verify("falsch-falsch", Some(&h)));
        assert!(!super::verify("richtig-richtig", None));
    }

    #[test]
    fn a_peppered_pin_verifies_only_with_its_key() {
        let key = crate::sealing::keys::WrappingKey::random();
        let h = super::hash_pin(&key, "2468").unwrap_or_default();
        assert!(h.starts_with(super::PEPPERED));
        assert_eq!(super::verify_stored(&key, "2468", Some(&h)), (true, false));
        assert!(!super::verify_stored(&key, "1357", Some(&h)).0);
        let other = crate::sealing::keys::WrappingKey::random();
        assert!(!super::verify_stored(&other, "2468", Some(&h)).0);
        // Argon2 of the bare PIN does not open it either: the database alone is not enough.
        let bare = h.trim_start_matches(super::PEPPERED);
        assert!(!super::verify("2468", Some(bare)));
        // A hash from before peppering verifies and asks to be replaced.
        let old = super::hash("2468").unwrap_or_default();
        assert_eq!(super::verify_stored(&key, "2468", Some(&old)), (true, true));
    }
}
