//! The backup file format, `gruppenbuch-backup-v1`.
//!
//! ```text
//! "GBBACKUP" (8 bytes) · format version (1 byte, = 1)
//! header length (u32 BE) · header (JSON, `Header`)
//! frames: stored length (u32 BE) · last flag (1 byte) · stored bytes
//! trailer: "GBEND" · SHA-256 of every byte before the trailer
//! ```
//!
//! The frames carry the gzip stream of the payload (the SQLite snapshot file or the
//! `pg_dump` archive), at most 1 MiB of it per frame. Encrypted backups store each frame
//! as AES-256-GCM ciphertext under a key derived per file (HKDF-SHA256 of the key file's
//! 32 bytes with the header's random salt); the nonce is the frame's number, and the
//! additional data binds the frame to the header, its position and whether it is the last
//! one, so frames cannot be reordered, dropped or cut off unnoticed. The header carries a
//! check value derived from the same key, so a wrong key is told apart from damage.
//!
//! Unencrypted files are protected by gzip's CRC and by the trailer's SHA-256. Readers
//! refuse frames longer than the format allows before allocating for them.

use super::BackupError;
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Write};

const MAGIC: &[u8; 8] = b"GBBACKUP";
const FORMAT: u8 = 1;
const TRAILER: &[u8; 5] = b"GBEND";
/// Plaintext bytes per frame.
const FRAME: usize = 1024 * 1024;
const TAG: usize = 16;
const MAX_HEADER: u32 = 1024 * 1024;
const INFO_DATA: &[u8] = b"gruppenbuch-backup-v1 data";
const INFO_CHECK: &[u8] = b"gruppenbuch-backup-v1 check";

/// What a backup says about itself, readable without the key.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Header {
    /// Always `gruppenbuch`.
    pub product: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// `sqlite-file` (the database file) or `pg-dump-custom` (`pg_dump --format=custom`).
    pub payload: String,
    /// The newest migration in the snapshot.
    pub schema_version: i64,
    /// Version of the program that wrote it.
    pub app_version: String,
    /// When the snapshot was taken, RFC 3339 UTC.
    pub created_at: String,
    /// Rows per table in the snapshot.
    pub tables: BTreeMap<String, i64>,
    /// Absent for unencrypted backups.
    pub encryption: Option<Encryption>,
}

/// How an encrypted backup's frames are sealed.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Encryption {
    /// `aes-256-gcm/hkdf-sha256`.
    pub scheme: String,
    /// Random per file (base64), the HKDF salt.
    pub salt: String,
    /// HKDF output under `INFO_CHECK` (base64): tells a wrong key from a damaged file.
    pub check: String,
}

/// The 32 bytes of a backup key file.
#[derive(Clone)]
pub struct BackupKey([u8; 32]);

impl BackupKey {
    /// A new random key.
    pub fn generate() -> BackupKey {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        BackupKey(bytes)
    }

    /// The key file's text: the 32 bytes in base64 and a newline.
    pub fn to_file_text(&self) -> String {
        format!("{}\n", STANDARD.encode(self.0))
    }

    /// Reads a key file: base64 of 32 bytes (surrounding white space ignored).
    pub fn from_file_text(text: &str) -> Option<BackupKey> {
        let bytes = STANDARD.decode(text.trim()).ok()?;
        Some(BackupKey(bytes.try_into().ok()?))
    }

    fn derive(&self, salt: &[u8], info: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        // 32 bytes are far below HKDF-SHA256's limit of 8160: expand cannot fail.
        let _ = Hkdf::<Sha256>::new(Some(salt), &self.0).expand(info, &mut out);
        out
    }
}

impl std::fmt::Debug for BackupKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BackupKey(…)")
    }
}

/// Counts and hashes every byte written through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    written: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn frame_aad(header_digest: &[u8; 32], index: u64, last: bool) -> [u8; 41] {
    let mut aad = [0u8; 41];
    aad[..32].copy_from_slice(header_digest);
    aad[32..40].copy_from_slice(&index.to_be_bytes());
    aad[40] = u8::from(last);
    aad
}

fn nonce(index: u64) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[4..].copy_from_slice(&index.to_be_bytes());
    n
}

/// Writes the frames of an archive; gzip goes in front of it (`Writer::gzip`).
pub struct FrameWriter<W: Write> {
    out: Hashing<W>,
    cipher: Option<Aes256Gcm>,
    header_digest: [u8; 32],
    buffer: Vec<u8>,
    index: u64,
    header: Header,
}

/// Starts an archive: writes the magic and the header. With `key`, the header gets its
/// encryption fields and every frame is sealed.
pub fn start<W: Write>(out: W, mut header: Header, key: Option<&BackupKey>) -> Result<FrameWriter<W>, BackupError> {
    let cipher = key.map(|key| {
        use rand::RngCore;
        let mut salt = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        header.encryption = Some(Encryption {
            scheme: "aes-256-gcm/hkdf-sha256".into(),
            salt: STANDARD.encode(salt),
            check: STANDARD.encode(key.derive(&salt, INFO_CHECK)),
        });
        let data_key = key.derive(&salt, INFO_DATA);
        Aes256Gcm::new(&data_key.into())
    });
    if key.is_none() {
        header.encryption = None;
    }
    let header_bytes = serde_json::to_vec(&header).map_err(|e| BackupError::Write(e.to_string()))?;
    let mut out = Hashing { inner: out, hash: Sha256::new(), written: 0 };
    let io = |e: std::io::Error| BackupError::Write(e.to_string());
    out.write_all(MAGIC).map_err(io)?;
    out.write_all(&[FORMAT]).map_err(io)?;
    let len = u32::try_from(header_bytes.len()).map_err(|_| BackupError::Write("header too large".into()))?;
    out.write_all(&len.to_be_bytes()).map_err(io)?;
    out.write_all(&header_bytes).map_err(io)?;
    Ok(FrameWriter {
        out,
        cipher,
        header_digest: Sha256::digest(&header_bytes).into(),
        buffer: Vec::with_capacity(FRAME),
        index: 0,
        header,
    })
}

impl<W: Write> FrameWriter<W> {
    /// The header as written (with its encryption fields).
    pub fn header(&self) -> &Header {
        &self.header
    }

    fn emit(&mut self, last: bool) -> std::io::Result<()> {
        let stored = match &self.cipher {
            Some(cipher) => cipher
                .encrypt(
                    Nonce::from_slice(&nonce(self.index)),
                    Payload { msg: &self.buffer, aad: &frame_aad(&self.header_digest, self.index, last) },
                )
                .map_err(|_| std::io::Error::other("encryption failed"))?,
            None => std::mem::take(&mut self.buffer),
        };
        let len = u32::try_from(stored.len()).map_err(|_| std::io::Error::other("frame too large"))?;
        self.out.write_all(&len.to_be_bytes())?;
        self.out.write_all(&[u8::from(last)])?;
        self.out.write_all(&stored)?;
        self.buffer.clear();
        self.index += 1;
        Ok(())
    }

    /// Writes the last frame and the trailer; returns the output and the archive's size.
    pub fn finish(mut self) -> std::io::Result<(W, u64)> {
        self.emit(true)?;
        let digest = self.out.hash.clone().finalize();
        self.out.inner.write_all(TRAILER)?;
        self.out.inner.write_all(&digest)?;
        self.out.inner.flush()?;
        let size = self.out.written + TRAILER.len() as u64 + 32;
        Ok((self.out.inner, size))
    }
}

impl<W: Write> Write for FrameWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = FRAME - self.buffer.len();
        let n = buf.len().min(room);
        self.buffer.extend_from_slice(&buf[..n]);
        if self.buffer.len() == FRAME {
            self.emit(false)?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The gzip compressor in front of the frames.
pub fn gzip<W: Write>(frames: FrameWriter<W>) -> flate2::write::GzEncoder<FrameWriter<W>> {
    flate2::write::GzEncoder::new(frames, flate2::Compression::fast())
}

/// Reads an archive's header; the frames follow (`FrameReader`).
pub fn open<R: Read>(mut input: R, key: Option<&BackupKey>) -> Result<(Header, FrameReader<R>), BackupError> {
    let mut hash = Sha256::new();
    let mut magic = [0u8; 9];
    read_exact_or(&mut input, &mut magic, BackupError::NotABackup)?;
    if &magic[..8] != MAGIC {
        return Err(BackupError::NotABackup);
    }
    if magic[8] != FORMAT {
        return Err(BackupError::UnsupportedFormat(magic[8]));
    }
    let mut len = [0u8; 4];
    read_exact_or(&mut input, &mut len, BackupError::Truncated)?;
    let len = u32::from_be_bytes(len);
    if len > MAX_HEADER {
        return Err(BackupError::Corrupt("Kopfdaten zu lang".into()));
    }
    let mut header_bytes = vec![0u8; len as usize];
    read_exact_or(&mut input, &mut header_bytes, BackupError::Truncated)?;
    let header: Header =
        serde_json::from_slice(&header_bytes).map_err(|_| BackupError::Corrupt("Kopfdaten nicht lesbar".into()))?;
    if header.product != "gruppenbuch" {
        return Err(BackupError::NotABackup);
    }
    hash.update(magic);
    hash.update(len.to_be_bytes());
    hash.update(&header_bytes);
    let cipher = match (&header.encryption, key) {
        (None, _) => None,
        (Some(_), None) => return Err(BackupError::KeyNeeded),
        (Some(enc), Some(key)) => {
            let salt = STANDARD.decode(&enc.salt).map_err(|_| BackupError::Corrupt("Salz nicht lesbar".into()))?;
            let check = STANDARD.encode(key.derive(&salt, INFO_CHECK));
            if check != enc.check {
                return Err(BackupError::WrongKey);
            }
            Some(Aes256Gcm::new(&key.derive(&salt, INFO_DATA).into()))
        }
    };
    let reader = FrameReader {
        input,
        hash,
        cipher,
        header_digest: Sha256::digest(&header_bytes).into(),
        index: 0,
        frame: Vec::new(),
        pos: 0,
        done: false,
    };
    Ok((header, reader))
}

fn read_exact_or<R: Read>(input: &mut R, buf: &mut [u8], short: BackupError) -> Result<(), BackupError> {
    input.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => short,
        _ => BackupError::Read(e.to_string()),
    })
}

/// Yields the gzip stream stored in the frames; verifies the trailer after the last one.
pub struct FrameReader<R: Read> {
    input: R,
    hash: Sha256,
    cipher: Option<Aes256Gcm>,
    header_digest: [u8; 32],
    index: u64,
    frame: Vec<u8>,
    pos: usize,
    done: bool,
}

/// Marks an `io::Error` as the archive's fault, so callers can tell it from a full disk.
#[derive(Debug)]
struct Damaged(BackupError);

impl std::fmt::Display for Damaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Damaged {}

fn damaged(e: BackupError) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, Damaged(e))
}

/// Turns an error from reading through the archive (gzip included) into what it means.
pub fn classify(e: std::io::Error) -> BackupError {
    if e.get_ref().is_some_and(|inner| inner.is::<Damaged>()) {
        match e.into_inner().map(|inner| inner.downcast::<Damaged>()) {
            Some(Ok(d)) => d.0,
            _ => BackupError::Corrupt("unlesbar".into()),
        }
    } else if e.kind() == std::io::ErrorKind::UnexpectedEof {
        BackupError::Truncated
    } else if e.kind() == std::io::ErrorKind::InvalidInput || e.kind() == std::io::ErrorKind::InvalidData {
        BackupError::Corrupt("Kompression".into())
    } else {
        BackupError::Read(e.to_string())
    }
}

impl<R: Read> FrameReader<R> {
    fn read_raw(&mut self, buf: &mut [u8]) -> std::io::Result<()> {
        self.input.read_exact(buf).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => damaged(BackupError::Truncated),
            _ => e,
        })?;
        self.hash.update(&*buf);
        Ok(())
    }

    /// Loads the next frame; at the last one, checks the trailer.
    fn next_frame(&mut self) -> std::io::Result<()> {
        let mut head = [0u8; 5];
        self.read_raw(&mut head)?;
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let last = match head[4] {
            0 => false,
            1 => true,
            _ => return Err(damaged(BackupError::Corrupt("Rahmen".into()))),
        };
        let max = if self.cipher.is_some() { FRAME + TAG } else { FRAME };
        if len > max || (!last && len != max) {
            return Err(damaged(BackupError::Corrupt("Rahmenlänge".into())));
        }
        let mut stored = vec![0u8; len];
        self.read_raw(&mut stored)?;
        self.frame = match &self.cipher {
            Some(cipher) => cipher
                .decrypt(
                    Nonce::from_slice(&nonce(self.index)),
                    Payload { msg: &stored, aad: &frame_aad(&self.header_digest, self.index, last) },
                )
                .map_err(|_| {
                    damaged(BackupError::Corrupt(format!("Block {} lässt sich nicht entschlüsseln", self.index)))
                })?,
            None => stored,
        };
        self.pos = 0;
        self.index += 1;
        if last {
            self.check_trailer()?;
        }
        Ok(())
    }

    fn check_trailer(&mut self) -> std::io::Result<()> {
        let expected = self.hash.clone().finalize();
        let mut trailer = [0u8; 37];
        self.input.read_exact(&mut trailer).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => damaged(BackupError::Truncated),
            _ => e,
        })?;
        if &trailer[..5] != TRAILER || trailer[5..] != expected[..] {
            return Err(damaged(BackupError::Corrupt("Prüfsumme stimmt nicht".into())));
        }
        let mut extra = [0u8; 1];
        if self.input.read(&mut extra)? != 0 {
            return Err(damaged(BackupError::Corrupt("Daten nach dem Ende".into())));
        }
        self.done = true;
        Ok(())
    }

    /// Reads what is left (there must be nothing but the trailer) and checks it.
    pub fn finish(mut self) -> Result<(), BackupError> {
        let mut sink = [0u8; 4096];
        match self.read(&mut sink) {
            Ok(0) => Ok(()),
            Ok(_) => Err(BackupError::Corrupt("Daten nach dem komprimierten Inhalt".into())),
            Err(e) => Err(classify(e)),
        }
    }
}

impl<R: Read> Read for FrameReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.frame.len() {
            if self.done {
                return Ok(0);
            }
            self.next_frame()?;
        }
        let n = buf.len().min(self.frame.len() - self.pos);
        buf[..n].copy_from_slice(&self.frame[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Decompresses the payload of an opened archive into `out`, then checks the trailer.
pub fn extract<R: Read, W: Write>(frames: FrameReader<R>, out: &mut W) -> Result<u64, BackupError> {
    let mut gz = flate2::read::GzDecoder::new(frames);
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = match gz.read(&mut buf) {
            Ok(n) => n,
            Err(e) => return Err(classify(e)),
        };
        if n == 0 {
            break;
        }
        out.write_all(&buf[..n]).map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => BackupError::OutputClosed,
            _ => BackupError::Write(e.to_string()),
        })?;
        total += n as u64;
    }
    gz.into_inner().finish()?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            product: "gruppenbuch".into(),
            backend: "sqlite".into(),
            payload: "sqlite-file".into(),
            schema_version: 5,
            app_version: "0.1.0".into(),
            created_at: "2026-11-23T18:00:00Z".into(),
            tables: BTreeMap::from([("entries".into(), 3)]),
            encryption: None,
        }
    }

    fn archive(payload: &[u8], key: Option<&BackupKey>) -> Vec<u8> {
        let mut gz = gzip(start(Vec::new(), header(), key).expect("start"));
        gz.write_all(payload).expect("write");
        gz.finish().expect("gzip").finish().expect("finish").0
    }

    fn read_back(bytes: &[u8], key: Option<&BackupKey>) -> Result<Vec<u8>, BackupError> {
        let (_, frames) = open(bytes, key)?;
        let mut out = Vec::new();
        extract(frames, &mut out)?;
        Ok(out)
    }

    fn payload() -> Vec<u8> {
        // Incompressible enough to span several frames.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        (0..2 * FRAME + 1234)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state & 0xff) as u8
            })
            .collect()
    }

    #[test]
    fn round_trip_plain_and_encrypted() {
        let data = payload();
        assert_eq!(read_back(&archive(&data, None), None).expect("plain"), data);
        let key = BackupKey::generate();
        let sealed = archive(&data, Some(&key));
        assert_eq!(read_back(&sealed, Some(&key)).expect("encrypted"), data);
        assert!(matches!(read_back(&sealed, None), Err(BackupError::KeyNeeded)));
        assert!(matches!(read_back(&sealed, Some(&BackupKey::generate())), Err(BackupError::WrongKey)));
        assert_eq!(read_back(&archive(b"", None), None).expect("empty"), b"");
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_refused() {
        let key = BackupKey::generate();
        for key in [None, Some(&key)] {
            let bytes = archive(&payload(), key);
            let step = bytes.len() / 41;
            for cut in (0..bytes.len()).step_by(step.max(1)) {
                assert!(read_back(&bytes[..cut], key).is_err(), "cut at {cut} accepted");
            }
            for at in (0..bytes.len()).step_by(step.max(1)) {
                let mut bad = bytes.clone();
                bad[at] ^= 0x40;
                assert!(read_back(&bad, key).is_err(), "flip at {at} accepted");
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert!(read_back(&longer, key).is_err());
        }
    }

    #[test]
    fn a_truncated_file_says_so() {
        let bytes = archive(&payload(), None);
        assert!(matches!(read_back(&bytes[..bytes.len() / 2], None), Err(BackupError::Truncated)));
        assert!(matches!(read_back(b"not a backup at all", None), Err(BackupError::NotABackup)));
    }

    #[test]
    fn key_files_round_trip_and_refuse_garbage() {
        let key = BackupKey::generate();
        let back = BackupKey::from_file_text(&key.to_file_text()).expect("parse");
        assert_eq!(back.0, key.0);
        assert!(BackupKey::from_file_text("zu kurz").is_none());
        assert!(BackupKey::from_file_text(&STANDARD.encode([0u8; 31])).is_none());
    }
}
