//! Opening the sealed outbox items that `public/outbox.js` writes on the phone.
//!
//! The phone seals every entry to the server's public outbox key before storing it, so the
//! device cannot read its own outbox back. Scheme `gruppenbuch-outbox-v1`, identical on both
//! sides:
//!
//! - ECDH P-256 between a fresh ephemeral key pair (made per item in the browser, private half
//!   discarded) and the server key pair; the shared secret is the 32-byte x-coordinate.
//! - HKDF-SHA256 over that secret, salt = the ephemeral public key as 65 uncompressed SEC1
//!   bytes, info = `gruppenbuch-outbox-v1`, gives a 32-byte AES-256-GCM key.
//! - AES-256-GCM with a 12-byte random IV, additional authenticated data `"{id}|{kind}"`, the
//!   16-byte tag appended to the ciphertext. The AAD binds the ciphertext to its item id and
//!   kind, so a sealed note cannot be replayed under another id or as another kind.
//!
//! Keys travel as base64url without padding: the private key as its 32-byte scalar, the public
//! key as the 65-byte uncompressed point (the page carries `KEYID.PUBLIC` in
//! `<meta name="gb-outbox-key">`).

pub mod keys;

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::elliptic_curve::zeroize::Zeroizing;
use p256::{FieldBytes, PublicKey, SecretKey};
use sha2::Sha256;

/// HKDF info string; a new scheme gets a new string so old and new keys never mix.
pub const INFO: &[u8] = b"gruppenbuch-outbox-v1";

/// Largest ciphertext accepted (decoded, tag included): entries are text, far below this.
pub const MAX_CIPHERTEXT: usize = 256 * 1024;

const SCALAR_LEN: usize = 32;
const POINT_LEN: usize = 65;
const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// Why a sealed item could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealError {
    /// A field the client sent is malformed: not base64url, wrong length, too large, or the
    /// ephemeral key is not a point on P-256. The client's fault (answer 400).
    BadEncoding,
    /// The server's own private key is malformed. A configuration fault (answer 500).
    BadKey,
    /// The ciphertext does not authenticate: tampered, sealed to another key, or sent with
    /// another id or kind than it was sealed with.
    Decrypt,
}

impl std::fmt::Display for SealError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SealError::BadEncoding => "sealed item is malformed",
            SealError::BadKey => "outbox private key is malformed",
            SealError::Decrypt => "sealed item does not authenticate",
        })
    }
}

impl std::error::Error for SealError {}

/// A server outbox key pair, both halves base64url without padding.
pub struct KeyPair {
    /// The 32-byte private scalar. Secret: stays on the server.
    pub private_b64: String,
    /// The 65-byte uncompressed public point, as the browser imports it.
    pub public_b64: String,
}

/// Makes a new outbox key pair from the operating system's random source.
pub fn generate() -> KeyPair {
    let secret = SecretKey::random(&mut rand::rngs::OsRng);
    let scalar = Zeroizing::new(secret.to_bytes());
    KeyPair { private_b64: URL_SAFE_NO_PAD.encode(scalar.as_slice()), public_b64: encode_public(&secret.public_key()) }
}

/// The public half (65-byte uncompressed point, base64url) of a stored private key, so
/// configuration needs to hold only the private key.
pub fn public_key(private_b64: &str) -> Result<String, SealError> {
    Ok(encode_public(&decode_private(private_b64)?.public_key()))
}

/// Opens one sealed item and returns its plaintext (the payload JSON as UTF-8 bytes).
///
/// `id` and `kind` must be exactly the values the item was sealed with; they are authenticated,
/// not encrypted. Any malformed input is an error, never a panic.
pub fn open(
    private_b64: &str,
    id: &str,
    kind: &str,
    epk_b64: &str,
    iv_b64: &str,
    ct_b64: &str,
) -> Result<Vec<u8>, SealError> {
    // Check the encoded length first, so an oversized field is refused before it is decoded.
    if ct_b64.len() > MAX_CIPHERTEXT.div_ceil(3) * 4 {
        return Err(SealError::BadEncoding);
    }
    let epk = decode(epk_b64)?;
    let iv = decode(iv_b64)?;
    let ct = decode(ct_b64)?;
    // Only the uncompressed form is agreed on; from_sec1_bytes would also take compressed points.
    if epk.len() != POINT_LEN || epk.first() != Some(&0x04) {
        return Err(SealError::BadEncoding);
    }
    if iv.len() != IV_LEN || ct.len() < TAG_LEN || ct.len() > MAX_CIPHERTEXT {
        return Err(SealError::BadEncoding);
    }
    // Rejects points not on the curve (and the identity), which would leak key bits.
    let ephemeral = PublicKey::from_sec1_bytes(&epk).map_err(|_| SealError::BadEncoding)?;
    let secret = decode_private(private_b64)?;

    let key = derive_key(&secret, &ephemeral, &epk)?;
    let cipher = Aes256Gcm::new_from_slice(key.as_slice()).map_err(|_| SealError::BadKey)?;
    let aad = format!("{id}|{kind}");
    cipher.decrypt(Nonce::from_slice(&iv), Payload { msg: &ct, aad: aad.as_bytes() }).map_err(|_| SealError::Decrypt)
}

/// ECDH + HKDF as in the module doc; `epk_raw` is the ephemeral key's 65-byte encoding (the salt).
fn derive_key(secret: &SecretKey, peer: &PublicKey, epk_raw: &[u8]) -> Result<Zeroizing<[u8; 32]>, SealError> {
    let shared = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), peer.as_affine());
    let hkdf = Hkdf::<Sha256>::new(Some(epk_raw), shared.raw_secret_bytes());
    let mut key = Zeroizing::new([0u8; 32]);
    hkdf.expand(INFO, key.as_mut_slice()).map_err(|_| SealError::BadKey)?;
    Ok(key)
}

/// The device's side of the scheme, in Rust: what `outbox.js` does in the browser. The
/// server never seals; tests and the delivery benchmark use this to act as a phone.
/// Returns (epk, iv, ct), base64url.
pub fn seal(public_b64: &str, id: &str, kind: &str, plaintext: &[u8]) -> Result<(String, String, String), SealError> {
    use rand::RngCore;
    let server = PublicKey::from_sec1_bytes(&decode(public_b64)?).map_err(|_| SealError::BadEncoding)?;
    let ephemeral = SecretKey::random(&mut rand::rngs::OsRng);
    let epk = ephemeral.public_key().to_encoded_point(false).as_bytes().to_vec();
    let key = derive_key(&ephemeral, &server, &epk)?;
    let mut iv = [0u8; IV_LEN];
    rand::rngs::OsRng.fill_bytes(&mut iv);
    let aad = format!("{id}|{kind}");
    let ct = Aes256Gcm::new_from_slice(key.as_slice())
        .map_err(|_| SealError::BadKey)?
        .encrypt(Nonce::from_slice(&iv), Payload { msg: plaintext, aad: aad.as_bytes() })
        .map_err(|_| SealError::Decrypt)?;
    Ok((URL_SAFE_NO_PAD.encode(epk), URL_SAFE_NO_PAD.encode(iv), URL_SAFE_NO_PAD.encode(ct)))
}

fn decode_private(private_b64: &str) -> Result<SecretKey, SealError> {
    let bytes = Zeroizing::new(URL_SAFE_NO_PAD.decode(private_b64.trim()).map_err(|_| SealError::BadKey)?);
    // SecretKey::from_slice would left-pad short input; the stored key is always 32 bytes.
    if bytes.len() != SCALAR_LEN {
        return Err(SealError::BadKey);
    }
    SecretKey::from_bytes(FieldBytes::from_slice(&bytes)).map_err(|_| SealError::BadKey)
}

fn encode_public(public: &PublicKey) -> String {
    URL_SAFE_NO_PAD.encode(public.to_encoded_point(false).as_bytes())
}

fn decode(b64: &str) -> Result<Vec<u8>, SealError> {
    URL_SAFE_NO_PAD.decode(b64).map_err(|_| SealError::BadEncoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(public_b64: &str, id: &str, kind: &str, plaintext: &[u8]) -> (String, String, String) {
        super::seal(public_b64, id, kind, plaintext).unwrap()
    }

    const ID: &str = "01890a5d-ac96-774b-bcce-b302099a8057";

    #[test]
    fn generated_keys_have_the_agreed_sizes() {
        let pair = generate();
        assert_eq!(URL_SAFE_NO_PAD.decode(&pair.private_b64).unwrap().len(), 32);
        let public = URL_SAFE_NO_PAD.decode(&pair.public_b64).unwrap();
        assert_eq!(public.len(), 65);
        assert_eq!(public[0], 0x04);
        assert_eq!(public_key(&pair.private_b64).unwrap(), pair.public_b64);
        assert_ne!(generate().private_b64, pair.private_b64);
    }

    #[test]
    fn round_trip() {
        let pair = generate();
        let text = r#"{"text":"Gespräch über die Schule, gut gelaufen."}"#.as_bytes();
        let (epk, iv, ct) = seal(&pair.public_b64, ID, "note", text);
        assert_eq!(open(&pair.private_b64, ID, "note", &epk, &iv, &ct).unwrap(), text);
        // Empty payload: the ciphertext is the tag alone.
        let (epk, iv, ct) = seal(&pair.public_b64, ID, "visit", b"");
        assert_eq!(open(&pair.private_b64, ID, "visit", &epk, &iv, &ct).unwrap(), b"");
    }

    #[test]
    fn id_kind_key_and_ciphertext_are_all_authenticated() {
        let pair = generate();
        let (epk, iv, ct) = seal(&pair.public_b64, ID, "note", b"hallo");
        let p = &pair.private_b64;
        assert_eq!(open(p, "01890a5d-ac96-774b-bcce-b302099a8058", "note", &epk, &iv, &ct), Err(SealError::Decrypt));
        assert_eq!(open(p, ID, "visit", &epk, &iv, &ct), Err(SealError::Decrypt));
        // Sealed to another server key.
        assert_eq!(open(&generate().private_b64, ID, "note", &epk, &iv, &ct), Err(SealError::Decrypt));
        let mut bytes = URL_SAFE_NO_PAD.decode(&ct).unwrap();
        bytes[0] ^= 1;
        assert_eq!(open(p, ID, "note", &epk, &iv, &URL_SAFE_NO_PAD.encode(&bytes)), Err(SealError::Decrypt));
        let other_iv = URL_SAFE_NO_PAD.encode([7u8; IV_LEN]);
        assert_eq!(open(p, ID, "note", &epk, &other_iv, &ct), Err(SealError::Decrypt));
        let (other_epk, _, _) = seal(&pair.public_b64, ID, "note", b"hallo");
        assert_eq!(open(p, ID, "note", &other_epk, &iv, &ct), Err(SealError::Decrypt));
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        let pair = generate();
        let (epk, iv, ct) = seal(&pair.public_b64, ID, "note", b"hallo");
        let p = pair.private_b64.as_str();
        let epk_bytes = URL_SAFE_NO_PAD.decode(&epk).unwrap();
        let b = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);

        // The server key.
        for bad in ["", "!!!", "AAAA", &b(&[0u8; 32]), &b(&[0xffu8; 32]), &b(&[1u8; 31]), &b(&[1u8; 33])] {
            assert_eq!(open(bad, ID, "note", &epk, &iv, &ct), Err(SealError::BadKey), "{bad}");
            assert_eq!(public_key(bad), Err(SealError::BadKey));
        }

        // The ephemeral key: bad base64, padding, wrong lengths, compressed, off the curve, zero.
        let mut compressed = vec![0x02 | (epk_bytes[64] & 1)];
        compressed.extend_from_slice(&epk_bytes[1..33]);
        let mut off_curve = epk_bytes.clone();
        off_curve[64] ^= 1;
        let mut zero = vec![0x04];
        zero.extend_from_slice(&[0u8; 64]);
        let mut wrong_tag = epk_bytes.clone();
        wrong_tag[0] = 0x05;
        let padded = format!("{epk}=");
        for bad in [
            "".to_owned(),
            "*".to_owned(),
            padded,
            b(&epk_bytes[..64]),
            b(&[epk_bytes.as_slice(), &[0]].concat()),
            b(&compressed),
            b(&off_curve),
            b(&zero),
            b(&wrong_tag),
            b(&[0u8]),
        ] {
            assert_eq!(open(p, ID, "note", &bad, &iv, &ct), Err(SealError::BadEncoding), "{bad}");
        }

        // The IV and the ciphertext.
        for bad in ["".to_owned(), "$".to_owned(), b(&[0u8; 11]), b(&[0u8; 13]), b(&[0u8; 16])] {
            assert_eq!(open(p, ID, "note", &epk, &bad, &ct), Err(SealError::BadEncoding), "{bad}");
        }
        for bad in ["".to_owned(), "a b".to_owned(), b(&[0u8; 15])] {
            assert_eq!(open(p, ID, "note", &epk, &iv, &bad), Err(SealError::BadEncoding), "{bad}");
        }
        assert_eq!(open(p, ID, "note", &epk, &iv, &b(&[0u8; 16])), Err(SealError::Decrypt));
    }

    #[test]
    fn oversized_ciphertext_is_refused() {
        let pair = generate();
        let (epk, iv, _) = seal(&pair.public_b64, ID, "note", b"");
        let too_big = URL_SAFE_NO_PAD.encode(vec![0u8; MAX_CIPHERTEXT + 1]);
        assert_eq!(open(&pair.private_b64, ID, "note", &epk, &iv, &too_big), Err(SealError::BadEncoding));
        let huge = "A".repeat(10 * MAX_CIPHERTEXT);
        assert_eq!(open(&pair.private_b64, ID, "note", &epk, &iv, &huge), Err(SealError::BadEncoding));
        // Exactly the limit is still opened (and fails only on the tag).
        let at_limit = URL_SAFE_NO_PAD.encode(vec![0u8; MAX_CIPHERTEXT]);
        assert_eq!(open(&pair.private_b64, ID, "note", &epk, &iv, &at_limit), Err(SealError::Decrypt));
        // A sealed payload at the limit opens.
        let (epk, iv, ct) = seal(&pair.public_b64, ID, "note", &vec![b'x'; MAX_CIPHERTEXT - TAG_LEN]);
        assert_eq!(open(&pair.private_b64, ID, "note", &epk, &iv, &ct).unwrap().len(), MAX_CIPHERTEXT - TAG_LEN);
    }

    /// An envelope made by `seal()` of public/outbox.js running in Node's WebCrypto, against a
    /// fixed key pair made only for this test. If this fails, the browser and the server no
    /// longer agree on the scheme.
    #[test]
    fn opens_what_outbox_js_sealed() {
        const PRIVATE: &str = "wQjJi72LKQo1BSmNTQ17YUxqxKylhZ4k72peikUw43I";
        const PUBLIC: &str = "BPpS265i4sfo8QU2uP_tlNzzqufHIvnPnEjI99U42KoszIeJ6bdRAtW8Zvc_ZDkkdgMxZKg0Z_E1Bw6lpRptOlo";
        const VECTOR_ID: &str = "01925f3e-7c1a-7b2e-9a4d-5f6e7d8c9b0a";
        const KIND: &str = "note";
        const EPK: &str = "BB5IE1oB7v3VMi7obP_n0JAmDiwFVsJjphqTfENjhZ1UbrBsiXcqfVmmqDBFuE5cyJLXQDhrLTjFLsNvOIf18nI";
        const IV: &str = "Jr3lqdyJgApavKIH";
        const CT: &str = "tXkd-rG0MzS2SlNKf3kZ8UjhbdxMjyF4qijKfD6PKcDu5Y6y1dpKEIGTnPQbs390Gm4O_gjN40xohdH2hkvdnZ3_BJPUFMqjDbVDF00YNh2eQUykeuznTjEyHDSd7CBtN_9unurCsgQjIfvYYcD1O6G2cg";
        const PAYLOAD: &str =
            r#"{"youth_id":12,"text":"Lena hat beim Kochen geholfen – „super“ 👍","at":"2025-03-01T18:30"}"#;
        assert_eq!(public_key(PRIVATE).unwrap(), PUBLIC);
        assert_eq!(open(PRIVATE, VECTOR_ID, KIND, EPK, IV, CT).unwrap(), PAYLOAD.as_bytes());
        assert_eq!(open(PRIVATE, VECTOR_ID, "visit", EPK, IV, CT), Err(SealError::Decrypt));
    }
}
