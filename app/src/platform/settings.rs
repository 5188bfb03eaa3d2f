//! Runtime settings. The server binary fills them from environment variables
//! (see the README's table); tests build them directly.
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub data_dir: PathBuf,
    /// Failed logins in a row that lock an account.
    pub login_max_failures: i64,
    pub login_lock_minutes: i64,
    pub session_idle_minutes: i64,
    /// Send the session cookie only over HTTPS.
    pub cookie_secure: bool,
    /// Take the client IP from X-Forwarded-For (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// Map tiles, e.g. `https://t{s}.tianditu.gov.cn/...`; empty = plain background.
    pub tile_url: String,
    /// `wgs84` (Tianditu, OSM) or `gcj02` (Gaode-style tiles).
    pub tile_datum: String,
}

impl Settings {
    /// Defaults for a given data directory (the database lives inside it).
    pub fn with_data_dir(data_dir: PathBuf) -> Self {
        let database_url = format!("sqlite://{}/bhly.db", data_dir.display());
        Self {
            database_url,
            data_dir,
            login_max_failures: 5,
            login_lock_minutes: 15,
            session_idle_minutes: 30,
            cookie_secure: false,
            trust_proxy: false,
            tile_url: String::new(),
            tile_datum: "wgs84".into(),
        }
    }
}
