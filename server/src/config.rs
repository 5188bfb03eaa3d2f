//! Settings from the command line and environment (see the README's table).
use app::platform::settings::Settings;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Database: `sqlite://…` (default: a file in DATA_DIR) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Folder for the SQLite database and uploaded files.
    #[arg(long, env = "DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Consecutive wrong passwords that lock an account.
    #[arg(long, env = "LOGIN_MAX_FAILURES", default_value_t = 5)]
    pub login_max_failures: i64,
    /// How long a locked account stays locked.
    #[arg(long, env = "LOGIN_LOCK_MINUTES", default_value_t = 15)]
    pub login_lock_minutes: i64,
    /// Idle time after which a session ends.
    #[arg(long, env = "SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: i64,
    /// Mark the session cookie Secure (set when served over HTTPS).
    #[arg(long, env = "COOKIE_SECURE", default_value_t = false)]
    pub cookie_secure: bool,
    /// Trust X-Forwarded-For for the client IP (only behind your own proxy).
    #[arg(long, env = "TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,
    /// Map tile URL template; empty draws maps on a plain background.
    #[arg(long, env = "TILE_URL", default_value = "")]
    pub tile_url: String,
    /// Datum of the tiles: wgs84 (Tianditu, OSM) or gcj02 (Gaode-style).
    #[arg(long, env = "TILE_DATUM", default_value = "wgs84")]
    pub tile_datum: String,
}

impl Config {
    pub fn settings(&self) -> Result<Settings, String> {
        let mut s = Settings::with_data_dir(self.data_dir.clone());
        if let Some(url) = self.database_url.as_ref().filter(|u| !u.is_empty()) {
            s.database_url = url.clone();
        }
        let positive = |v: i64, name: &str| {
            if v > 0 {
                Ok(v)
            } else {
                Err(format!("{name} 须为正整数"))
            }
        };
        s.login_max_failures = positive(self.login_max_failures, "LOGIN_MAX_FAILURES")?;
        s.login_lock_minutes = positive(self.login_lock_minutes, "LOGIN_LOCK_MINUTES")?;
        s.session_idle_minutes = positive(self.session_idle_minutes, "SESSION_IDLE_MINUTES")?;
        s.cookie_secure = self.cookie_secure;
        s.trust_proxy = self.trust_proxy;
        s.tile_url = self.tile_url.clone();
        s.tile_datum = match self.tile_datum.as_str() {
            d @ ("wgs84" | "gcj02") => d.to_string(),
            other => return Err(format!("TILE_DATUM 只能是 wgs84 或 gcj02，而不是 {other}")),
        };
        Ok(s)
    }
}
