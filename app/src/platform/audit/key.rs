//! The trail's key: entries are sealed with HMAC-SHA-256 under a secret that
//! lives in a file outside the database (`TRAIL_KEY_FILE`). Whoever can write
//! the database but not read that file cannot recompute a rewritten chain;
//! the daily published heads ([`super::heads`]) cover the key holder too.
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::{fmt, path::Path, sync::Arc};

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
