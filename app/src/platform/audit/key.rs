//! The trail's key: entries are sealed with HMAC-SHA-256 under a secret that
//! lives in a file outside the database (`TRAIL_KEY_FILE`). Whoever can write
//! the database but not read that file cannot recompute a rewritten chain;
//! the daily published heads ([`super::heads`]) cover the key holder too.
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::{fmt, path::Path, sync::Arc};

/// The prefix of a sealed value (its format's version).
const SEALED: &str = "sealed1:";

#[derive(Clone)]
pub struct TrailKey(Arc<[u8; 32]>);

impl fmt::Debug for TrailKey {
    // Never print the secret (Db derives Debug).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrailKey({})", self.id())
    }
}

impl TrailKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Arc::new(bytes))
    }

    /// A fresh random key (tests, and the first start).
    pub fn random() -> Self {
        use rand::RngCore;
        let mut b = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut b);
        Self::from_bytes(b)
    }

    /// Reads the key file (64 hex digits), creating it with a random key and
    /// owner-only permissions when it does not exist yet.
    pub fn load_or_create(path: &Path) -> Result<Self, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let bytes = hex::decode(text.trim())
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok())
                    .ok_or_else(|| format!("留痕密钥文件 {} 不是 64 位十六进制", path.display()))?;
                Ok(Self::from_bytes(bytes))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::random();
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
                }
                write_private(path, &hex::encode(*key.0))
                    .map_err(|e| format!("无法创建留痕密钥文件 {}：{e}", path.display()))?;
                tracing::warn!(path = %path.display(), "created a new trail key: back it up apart from the database");
                Ok(key)
            }
            Err(e) => Err(format!("无法读取留痕密钥文件 {}：{e}", path.display())),
        }
    }

    pub fn mac(&self, message: &[u8]) -> String {
        let mut m = Hmac::<Sha256>::new_from_slice(&self.0[..]).expect("any key length");
        m.update(message);
        hex::encode(m.finalize().into_bytes())
    }

    /// Seals a secret the database must keep but need not be able to read
    /// (a TOTP secret): ChaCha20-Poly1305 under a key derived from this one
    /// for `purpose`, bound to `context` (the row it belongs to, so a sealed
    /// value copied to another row does not open). A database dump without
    /// the key file yields nothing usable.
    pub fn seal(&self, purpose: &str, context: &[u8], plain: &[u8]) -> String {
        use ring::aead::{Aad, NONCE_LEN, Nonce};
        let mut nonce = [0u8; NONCE_LEN];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut nonce);
        let mut data = plain.to_vec();
        self.aead(purpose)
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context),
                &mut data,
            )
            .expect("a short secret fits");
        format!("{SEALED}{}{}", hex::encode(nonce), hex::encode(data))
    }

    /// Opens what [`Self::seal`] made for the same purpose and context;
    /// None if it was made under another key or altered.
    pub fn open(&self, purpose: &str, context: &[u8], sealed: &str) -> Option<Vec<u8>> {
        use ring::aead::{Aad, NONCE_LEN, Nonce};
        let bytes = hex::decode(sealed.strip_prefix(SEALED)?).ok()?;
        let (nonce, data) = bytes.split_at_checked(NONCE_LEN)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut data = data.to_vec();
        let plain = self
            .aead(purpose)
            .open_in_place(nonce, Aad::from(context), &mut data)
            .ok()?;
        Some(plain.to_vec())
    }

    /// Whether a stored value is sealed (older rows kept it as it was).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(SEALED)
    }

    fn aead(&self, purpose: &str) -> ring::aead::LessSafeKey {
        let mut m = Hmac::<Sha256>::new_from_slice(&self.0[..]).expect("any key length");
        m.update(b"bhly sealing key: ");
        m.update(purpose.as_bytes());
        let key = m.finalize().into_bytes();
        ring::aead::LessSafeKey::new(
            ring::aead::UnboundKey::new(&ring::aead::CHACHA20_POLY1305, &key)
                .expect("a 32-byte key"),
        )
    }

    /// A fingerprint that names the key without revealing it: the chain
    /// records it, so a server started with another key refuses to start.
    pub fn id(&self) -> String {
        self.mac(b"bhly trail key id")[..16].to_string()
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::TrailKey;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_purpose_and_row() {
        let key = TrailKey::random();
        let sealed = key.seal("totp", b"7", b"JBSWY3DPEHPK3PXP");
        assert!(TrailKey::is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            key.open("totp", b"7", &sealed).as_deref(),
            Some(&b"JBSWY3DPEHPK3PXP"[..])
        );
        // Sealed twice, two different texts (a fresh nonce each time).
        assert_ne!(sealed, key.seal("totp", b"7", b"JBSWY3DPEHPK3PXP"));
        assert_eq!(TrailKey::random().open("totp", b"7", &sealed), None);
        assert_eq!(key.open("totp", b"8", &sealed), None);
        assert_eq!(key.open("other", b"7", &sealed), None);
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'0' { b'1' } else { b'0' };
        assert_eq!(
            key.open("totp", b"7", std::str::from_utf8(&altered).unwrap()),
            None
        );
        assert_eq!(key.open("totp", b"7", "sealed1:00"), None);
        assert_eq!(key.open("totp", b"7", "JBSWY3DPEHPK3PXP"), None);
    }
}
