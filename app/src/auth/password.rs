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
}
