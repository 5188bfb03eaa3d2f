//! Settings from the command line and environment (see the README's table).
use app::platform::settings::{Settings, StorageConfig};
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
    /// The audit trail's key file (created at the first start; default
    /// DATA_DIR/trail.key). Keep it on another volume than the database.
    #[arg(long, env = "TRAIL_KEY_FILE")]
    pub trail_key_file: Option<PathBuf>,
    /// Consecutive wrong passwords that lock an account.
    #[arg(long, env = "LOGIN_MAX_FAILURES", default_value_t = 5)]
    pub login_max_failures: i64,
    /// How long a locked account stays locked.
    #[arg(long, env = "LOGIN_LOCK_MINUTES", default_value_t = 15)]
    pub login_lock_minutes: i64,
    /// Login attempts one client address may make per minute, whatever the
    /// account (an office behind one NAT address shares it).
    #[arg(long, env = "LOGIN_ATTEMPTS_PER_MINUTE", default_value_t = 30)]
    pub login_attempts_per_minute: i64,
    /// Check-in attempts one person may make per minute (JSON and photo
    /// alike), then 429.
    #[arg(long, env = "CHECKIN_ATTEMPTS_PER_MINUTE", default_value_t = 12)]
    pub checkin_attempts_per_minute: i64,
    /// Idle time after which a session ends.
    #[arg(long, env = "SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: i64,
    /// `required`: administrators and supervisors must enrol a second factor
    /// (TOTP) before using the system; `optional`: anyone may. Default
    /// `required`, and `optional` with `serve --demo`.
    #[arg(long, env = "TWO_FACTOR")]
    pub two_factor: Option<String>,
    /// A session ends this many hours after its login, however active.
    #[arg(long, env = "SESSION_MAX_HOURS", default_value_t = 12)]
    pub session_max_hours: i64,
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
    /// Largest attachment or import file, in MB.
    #[arg(long, env = "UPLOAD_MAX_MB", default_value_t = 20)]
    pub upload_max_mb: usize,
    /// Where attachments are kept: `local` (DATA_DIR/files) or `s3`.
    #[arg(long, env = "STORAGE", default_value = "local")]
    pub storage: String,
    /// S3 bucket (STORAGE=s3); credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
    #[arg(long, env = "S3_BUCKET", default_value = "")]
    pub s3_bucket: String,
    /// S3-compatible endpoint, e.g. http://minio:9000 (empty: AWS).
    #[arg(long, env = "S3_ENDPOINT", default_value = "")]
    pub s3_endpoint: String,
    #[arg(long, env = "S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,
    /// Contract price further than this percentage from the award price is flagged.
    #[arg(long, env = "PRICE_DEVIATION_PCT", default_value_t = 20)]
    pub price_deviation_pct: i64,
    /// The prefix of supervision order numbers (平资督〔2026〕12号).
    #[arg(long, env = "ORDER_PREFIX", default_value = "平资督")]
    pub order_prefix: String,
    /// Days an owner has to answer an order, by its most serious alert: 严重 / 一般 / 提示.
    #[arg(long, env = "ORDER_DAYS", default_value = "3,15,30")]
    pub order_days: String,
    /// A contract signed more than this many days after the award notice raises an alert.
    #[arg(long, env = "ALERT_SIGN_WITHIN_DAYS", default_value_t = 30)]
    pub alert_sign_within_days: i64,
    /// An award without a submitted filing this many days after its notice raises an alert.
    #[arg(long, env = "ALERT_FILE_WITHIN_DAYS", default_value_t = 30)]
    pub alert_file_within_days: i64,
    /// Go-live date: contracts signed from 2022-06-30 until this day are back-entries (补录).
    #[arg(long, env = "GO_LIVE_DATE", default_value = "2026-12-01")]
    pub go_live_date: String,
    /// A check-in reading less accurate than this (metres) is refused.
    #[arg(long, env = "CHECKIN_MAX_ACCURACY_M", default_value_t = 100.0)]
    pub checkin_max_accuracy_m: f64,
    /// At most this much of the reported accuracy counts at an area's edge (metres).
    #[arg(long, env = "CHECKIN_ACCURACY_CAP_M", default_value_t = 50.0)]
    pub checkin_accuracy_cap_m: f64,
    /// A move since the previous check-in faster than this (km/h) is flagged.
    #[arg(long, env = "CHECKIN_MAX_SPEED_KMH", default_value_t = 150.0)]
    pub checkin_max_speed_kmh: f64,
    /// A project manager's monthly attendance below this (percent) raises an alert.
    #[arg(long, env = "ALERT_ATTENDANCE_PCT", default_value_t = 80.0)]
    pub alert_attendance_pct: f64,
    /// This many flagged check-ins of one person on one project in a month raise an alert.
    #[arg(long, env = "ALERT_FLAGGED_CHECKINS", default_value_t = 3)]
    pub alert_flagged_checkins: i64,
    /// 预付款 above this percentage of the contract price raises an alert.
    #[arg(long, env = "ALERT_ADVANCE_MAX_PCT", default_value_t = 30.0)]
    pub alert_advance_max_pct: f64,
    /// Payments below this percentage of the confirmed work value at a progress payment raise an alert.
    #[arg(long, env = "ALERT_PROGRESS_MIN_PCT", default_value_t = 80.0)]
    pub alert_progress_min_pct: f64,
    /// The progress payment rule applies to contracts signed from this day.
    #[arg(long, env = "ALERT_PROGRESS_FROM", default_value = "2022-08-01")]
    pub alert_progress_from: String,
    /// More retention than this percentage of the settlement raises an alert.
    #[arg(long, env = "ALERT_RETENTION_MAX_PCT", default_value_t = 3.0)]
    pub alert_retention_max_pct: f64,
    /// 缺陷责任期 after the settlement payment, in months.
    #[arg(long, env = "DEFECTS_PERIOD_MONTHS", default_value_t = 24)]
    pub defects_period_months: u32,
    /// Cumulative changes above this percentage of the original price raise an alert.
    #[arg(long, env = "ALERT_CHANGE_MAX_PCT", default_value_t = 10.0)]
    pub alert_change_max_pct: f64,
    /// A single change of at least this many 元 needs approval above the owner unit.
    #[arg(long, env = "ALERT_CHANGE_LARGE_YUAN", default_value_t = 500_000)]
    pub alert_change_large_yuan: i64,
    /// Requests handled at once; past this the server answers 503 with
    /// Retry-After instead of queueing without end.
    #[arg(long, env = "MAX_IN_FLIGHT", default_value_t = 512)]
    pub max_in_flight: usize,
    /// PEM certificate chain: with TLS_KEY the server speaks HTTPS itself.
    #[arg(long, env = "TLS_CERT")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// PEM private key for TLS_CERT.
    #[arg(long, env = "TLS_KEY")]
    pub tls_key: Option<std::path::PathBuf>,
}

impl Config {
    /// Both TLS files, or neither.
    pub fn tls(&self) -> Result<Option<(std::path::PathBuf, std::path::PathBuf)>, String> {
        match (&self.tls_cert, &self.tls_key) {
            (Some(c), Some(k)) => Ok(Some((c.clone(), k.clone()))),
            (None, None) => Ok(None),
            _ => Err("TLS_CERT 与 TLS_KEY 须同时设置".into()),
        }
    }
}

impl Config {
    pub fn settings(&self) -> Result<Settings, String> {
        let mut s = Settings::with_data_dir(self.data_dir.clone());
        if let Some(url) = self.database_url.as_ref().filter(|u| !u.is_empty()) {
            s.database_url = url.clone();
        }
        if let Some(f) = self
            .trail_key_file
            .as_ref()
            .filter(|f| !f.as_os_str().is_empty())
        {
            s.trail_key_file = f.clone();
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
        s.two_factor_required = match self.two_factor.as_deref().map(str::trim) {
            None | Some("") | Some("required") => true,
            Some("optional") => false,
            Some(other) => {
                return Err(format!(
                    "TWO_FACTOR 须为 required 或 optional（现为 {other}）"
                ));
            }
        };
        s.session_max_ms = positive(self.session_max_hours, "SESSION_MAX_HOURS")? * 3_600_000;
        s.checkin_attempts_per_minute = positive(
            self.checkin_attempts_per_minute,
            "CHECKIN_ATTEMPTS_PER_MINUTE",
        )?;
        s.login_attempts_per_minute =
            positive(self.login_attempts_per_minute, "LOGIN_ATTEMPTS_PER_MINUTE")?;
        s.session_idle_minutes = positive(self.session_idle_minutes, "SESSION_IDLE_MINUTES")?;
        s.cookie_secure = self.cookie_secure;
        s.trust_proxy = self.trust_proxy;
        s.tile_url = self.tile_url.clone();
        s.tile_datum = match self.tile_datum.as_str() {
            d @ ("wgs84" | "gcj02") => d.to_string(),
            other => return Err(format!("TILE_DATUM 只能是 wgs84 或 gcj02，而不是 {other}")),
        };
        if self.upload_max_mb == 0 || self.upload_max_mb > 500 {
            return Err("UPLOAD_MAX_MB 须在 1–500 之间".into());
        }
        s.upload_max_bytes = self.upload_max_mb * 1024 * 1024;
        s.storage = match self.storage.as_str() {
            "local" => StorageConfig::Local,
            "s3" if self.s3_bucket.is_empty() => return Err("STORAGE=s3 时须设置 S3_BUCKET".into()),
            "s3" => StorageConfig::S3 {
                bucket: self.s3_bucket.clone(),
                endpoint: (!self.s3_endpoint.is_empty()).then(|| self.s3_endpoint.clone()),
                region: self.s3_region.clone(),
                keys: None,
            },
            other => return Err(format!("STORAGE 只能是 local 或 s3，而不是 {other}")),
        };
        if !(1..=1000).contains(&self.price_deviation_pct) {
            return Err("PRICE_DEVIATION_PCT 须在 1–1000 之间".into());
        }
        s.price_deviation_pct = self.price_deviation_pct;
        if !(1..=365).contains(&self.alert_sign_within_days) {
            return Err("ALERT_SIGN_WITHIN_DAYS 须在 1–365 之间".into());
        }
        s.sign_within_days = self.alert_sign_within_days;
        if !(1..=365).contains(&self.alert_file_within_days) {
            return Err("ALERT_FILE_WITHIN_DAYS 须在 1–365 之间".into());
        }
        s.file_within_days = self.alert_file_within_days;
        let prefix = self.order_prefix.trim();
        if prefix.is_empty() || prefix.chars().count() > 10 {
            return Err("ORDER_PREFIX 须为 1–10 个字".into());
        }
        s.orders.prefix = prefix.to_string();
        let days: Vec<i64> = self
            .order_days
            .split(',')
            .map(|d| d.trim().parse::<i64>())
            .collect::<Result<_, _>>()
            .map_err(|_| "ORDER_DAYS 须为三个整数，如 3,15,30".to_string())?;
        match days[..] {
            [a, b, c] if [a, b, c].iter().all(|d| (1..=365).contains(d)) => {
                (
                    s.orders.days_serious,
                    s.orders.days_warning,
                    s.orders.days_notice,
                ) = (a, b, c);
            }
            _ => return Err("ORDER_DAYS 须为三个 1–365 之间的整数，如 3,15,30".into()),
        }
        let within = |v: f64, lo: f64, hi: f64, name: &str| {
            if v.is_finite() && (lo..=hi).contains(&v) {
                Ok(v)
            } else {
                Err(format!("{name} 须在 {lo}–{hi} 之间"))
            }
        };
        s.checkin_max_accuracy_m = within(
            self.checkin_max_accuracy_m,
            5.0,
            5000.0,
            "CHECKIN_MAX_ACCURACY_M",
        )?;
        s.checkin_accuracy_cap_m = within(
            self.checkin_accuracy_cap_m,
            0.0,
            1000.0,
            "CHECKIN_ACCURACY_CAP_M",
        )?;
        s.checkin_max_speed_kmh = within(
            self.checkin_max_speed_kmh,
            10.0,
            2000.0,
            "CHECKIN_MAX_SPEED_KMH",
        )?;
        if !(1..=100_000).contains(&self.max_in_flight) {
            return Err("MAX_IN_FLIGHT 须在 1–100000 之间".into());
        }
        s.max_in_flight = self.max_in_flight;
        s.alert_attendance_pct = within(
            self.alert_attendance_pct,
            1.0,
            100.0,
            "ALERT_ATTENDANCE_PCT",
        )?;
        if !(1..=31).contains(&self.alert_flagged_checkins) {
            return Err("ALERT_FLAGGED_CHECKINS 须在 1–31 之间".into());
        }
        s.alert_flagged_per_month = self.alert_flagged_checkins;
        s.money.advance_max_pct = within(
            self.alert_advance_max_pct,
            1.0,
            100.0,
            "ALERT_ADVANCE_MAX_PCT",
        )?;
        s.money.progress_min_pct = within(
            self.alert_progress_min_pct,
            1.0,
            100.0,
            "ALERT_PROGRESS_MIN_PCT",
        )?;
        s.money.progress_rule_from =
            chrono::NaiveDate::parse_from_str(&self.alert_progress_from, "%Y-%m-%d").map_err(
                |_| {
                    format!(
                        "ALERT_PROGRESS_FROM 格式应为 2022-08-01，而不是 {}",
                        self.alert_progress_from
                    )
                },
            )?;
        s.money.retention_max_pct = within(
            self.alert_retention_max_pct,
            0.0,
            100.0,
            "ALERT_RETENTION_MAX_PCT",
        )?;
        if !(1..=120).contains(&self.defects_period_months) {
            return Err("DEFECTS_PERIOD_MONTHS 须在 1–120 之间".into());
        }
        s.money.defects_months = self.defects_period_months;
        s.money.change_max_pct = within(
            self.alert_change_max_pct,
            0.1,
            1000.0,
            "ALERT_CHANGE_MAX_PCT",
        )?;
        if !(1..=100_000_000_000).contains(&self.alert_change_large_yuan) {
            return Err("ALERT_CHANGE_LARGE_YUAN 须为正整数（元）".into());
        }
        s.money.change_large_fen = self.alert_change_large_yuan * 100;
        s.go_live =
            chrono::NaiveDate::parse_from_str(&self.go_live_date, "%Y-%m-%d").map_err(|_| {
                format!(
                    "GO_LIVE_DATE 格式应为 2026-12-01，而不是 {}",
                    self.go_live_date
                )
            })?;
        Ok(s)
    }
}
