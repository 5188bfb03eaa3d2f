//! Runtime settings. The server binary fills them from environment variables
//! (see the README's table); tests build them directly.
use chrono::NaiveDate;
use std::path::PathBuf;

/// Where attachment bytes are kept.
#[derive(Debug, Clone, PartialEq)]
pub enum StorageConfig {
    /// Under `DATA_DIR/files` (default).
    Local,
    /// An S3-compatible bucket; credentials from the usual `AWS_*` variables
    /// unless given here (tests against a local S3 server).
    S3 {
        bucket: String,
        endpoint: Option<String>,
        region: String,
        keys: Option<(String, String)>,
    },
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub data_dir: PathBuf,
    /// The audit trail's key (64 hex digits), created at the first start.
    /// Keep it apart from the database and its backups.
    pub trail_key_file: PathBuf,
    /// Failed logins in a row that lock an account.
    pub login_max_failures: i64,
    pub login_lock_minutes: i64,
    /// Login attempts one client address may make per minute (any account).
    pub login_attempts_per_minute: i64,
    pub session_idle_minutes: i64,
    /// Administrators and supervisors must use a second factor (TOTP)
    /// (`TWO_FACTOR=required`); otherwise anyone may enrol (`optional`).
    pub two_factor_required: bool,
    /// A session ends this long after its login, however active (等保),
    /// in milliseconds (`SESSION_MAX_HOURS`).
    pub session_max_ms: i64,
    /// Send the session cookie only over HTTPS.
    pub cookie_secure: bool,
    /// Take the client IP from X-Forwarded-For (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// Map tiles, e.g. `https://t{s}.tianditu.gov.cn/...`; empty = plain background.
    pub tile_url: String,
    /// `wgs84` (Tianditu, OSM) or `gcj02` (Gaode-style tiles).
    pub tile_datum: String,
    /// Largest attachment accepted, in bytes.
    pub upload_max_bytes: usize,
    pub storage: StorageConfig,
    /// A contract price further than this from the award price (percent) is
    /// accepted but flagged for supervisors.
    pub price_deviation_pct: i64,
    /// A contract signed more than this many days after the award notice
    /// raises 合同签订超期 (招标投标法 第四十六条: 30 days).
    pub sign_within_days: i64,
    /// An award without a submitted filing this many days after the award
    /// notice raises 未按期备案 (the same 30 days: the contract is due then).
    pub file_within_days: i64,
    /// Contracts signed from 2022-06-30 up to (not including) this date and
    /// filed afterwards count as back-entries (补录).
    pub go_live: NaiveDate,
    /// Check-in attempts one person may make per minute (then 429).
    pub checkin_attempts_per_minute: i64,
    /// A reading less accurate than this (metres) is refused.
    pub checkin_max_accuracy_m: f64,
    /// At most this much of the reported accuracy counts as tolerance at an
    /// area's edge (metres).
    pub checkin_accuracy_cap_m: f64,
    /// A move from the previous check-in faster than this is flagged.
    pub checkin_max_speed_kmh: f64,
    /// A project manager's monthly attendance rate below this (percent)
    /// raises an alert.
    pub alert_attendance_pct: f64,
    /// This many flagged check-ins of one person on one project in a month
    /// raise 存疑打卡频繁.
    pub alert_flagged_per_month: i64,
    /// Requests handled at once; more are answered 503 with Retry-After.
    pub max_in_flight: usize,
    /// The money rules' thresholds (README: 预警规则).
    pub money: MoneyRules,
    /// Supervision orders (督办): numbering and default deadlines.
    pub orders: OrderRules,
    /// The progress rules' thresholds (README: 预警规则).
    pub progress: ProgressRules,
    /// The personnel-change rules' thresholds.
    pub personnel: PersonnelRules,
    /// The evaluation rules' thresholds (the form itself is in the database).
    pub evaluation: EvaluationRules,
}

/// Thresholds of the evaluation rules.
#[derive(Debug, Clone)]
pub struct EvaluationRules {
    /// A period's evaluation is due this many days after the period ends.
    pub due_within_days: i64,
    /// A score above the evidence's proposal by more than this share of the
    /// item's weight (percent) is flagged.
    pub overscore_pct: f64,
}

impl Default for EvaluationRules {
    fn default() -> Self {
        Self {
            due_within_days: 15,
            overscore_pct: 20.0,
        }
    }
}

/// Thresholds of the progress rules.
#[derive(Debug, Clone)]
pub struct ProgressRules {
    /// A month's update is due by this day of the next month.
    pub report_by_day: u32,
    /// Behind the planned line by more than this many points: yellow (亮黄灯) …
    pub behind_yellow_pts: f64,
    /// … and by more than this: red (亮红灯).
    pub behind_red_pts: f64,
    /// Progress payments may run ahead of the reported percent by this many
    /// points of the revised price before they are flagged.
    pub paid_ahead_pts: f64,
}

impl Default for ProgressRules {
    fn default() -> Self {
        Self {
            report_by_day: 5,
            behind_yellow_pts: 10.0,
            behind_red_pts: 30.0,
            paid_ahead_pts: 5.0,
        }
    }
}

/// Thresholds of the personnel-change rules.
#[derive(Debug, Clone)]
pub struct PersonnelRules {
    /// A replacement is recorded within this many working days of taking effect.
    pub record_within_workdays: i64,
    /// More replacements than this of one role on one project raise an alert.
    pub max_per_role: i64,
}

impl Default for PersonnelRules {
    fn default() -> Self {
        Self {
            record_within_workdays: 5,
            max_per_role: 1,
        }
    }
}

/// How supervision orders are numbered and how long the owner has.
#[derive(Debug, Clone)]
pub struct OrderRules {
    /// The number's prefix: 平资督〔2026〕12号.
    pub prefix: String,
    /// Default days to answer, by the most serious alert of the order.
    pub days_serious: i64,
    pub days_warning: i64,
    pub days_notice: i64,
}

impl Default for OrderRules {
    fn default() -> Self {
        Self {
            prefix: "平资督".into(),
            days_serious: 3,
            days_warning: 15,
            days_notice: 30,
        }
    }
}

/// Thresholds of the change and payment rules, each with its source in the
/// README's table of alert rules.
#[derive(Debug, Clone)]
pub struct MoneyRules {
    /// 预付款 above this share of the contract price (《建设工程价款结算暂行办法》第十二条: 10–30 %).
    pub advance_max_pct: f64,
    /// Cumulative payments at a progress payment below this share of the
    /// completed work value confirmed then (财建〔2022〕183号: at least 80 %) …
    pub progress_min_pct: f64,
    /// … for contracts signed from this day (the notice's effective date).
    pub progress_rule_from: NaiveDate,
    /// After settlement, more held back than this share of the settlement (建质〔2017〕138号: at most 3 %).
    pub retention_max_pct: f64,
    /// 缺陷责任期 counted from the settlement payment, in months (建质〔2017〕138号: usually 12–24).
    pub defects_months: u32,
    /// Cumulative approved changes above this share of the original price (county practice).
    pub change_max_pct: f64,
    /// A single change of at least this amount (fen) needs approval above the owner unit.
    pub change_large_fen: i64,
}

impl Default for MoneyRules {
    fn default() -> Self {
        Self {
            advance_max_pct: 30.0,
            progress_min_pct: 80.0,
            progress_rule_from: NaiveDate::from_ymd_opt(2022, 8, 1).expect("valid date"),
            retention_max_pct: 3.0,
            defects_months: 24,
            change_max_pct: 10.0,
            change_large_fen: 500_000 * 100,
        }
    }
}

/// The date from which every contract must be filed (the county's notice).
pub fn filing_obligation_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 6, 30).expect("valid date")
}

impl Settings {
    /// Must a user of `role` enrol a second factor before anything else?
    /// (`TWO_FACTOR=required`, a privileged role, none enrolled yet.) The
    /// one answer for the page gate, the actor and the login's redirect.
    pub fn second_factor_due(&self, role: crate::domain::Role, enrolled: bool) -> bool {
        self.two_factor_required && role.is_privileged() && !enrolled
    }
}

impl Settings {
    /// Defaults for a given data directory (the database lives inside it).
    pub fn with_data_dir(data_dir: PathBuf) -> Self {
        let database_url = format!("sqlite://{}/bhly.db", data_dir.display());
        Self {
            database_url,
            trail_key_file: data_dir.join("trail.key"),
            data_dir,
            login_max_failures: 5,
            login_lock_minutes: 15,
            login_attempts_per_minute: 30,
            checkin_attempts_per_minute: 12,
            session_idle_minutes: 30,
            session_max_ms: 12 * 3_600_000,
            two_factor_required: true,
            cookie_secure: false,
            trust_proxy: false,
            tile_url: String::new(),
            tile_datum: "wgs84".into(),
            upload_max_bytes: 20 * 1024 * 1024,
            storage: StorageConfig::Local,
            price_deviation_pct: 20,
            sign_within_days: 30,
            file_within_days: 30,
            go_live: NaiveDate::from_ymd_opt(2026, 12, 1).expect("valid date"),
            checkin_max_accuracy_m: 100.0,
            checkin_accuracy_cap_m: 50.0,
            checkin_max_speed_kmh: 150.0,
            alert_attendance_pct: 80.0,
            alert_flagged_per_month: 3,
            max_in_flight: 512,
            money: MoneyRules::default(),
            orders: OrderRules::default(),
            progress: ProgressRules::default(),
            personnel: PersonnelRules::default(),
            evaluation: EvaluationRules::default(),
        }
    }
}
