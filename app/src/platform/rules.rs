//! The alert engine's core: a rule is a unit of its own (code, name, the
//! rule it rests on, severity, one evaluation as of a day); the engine keeps
//! the `alerts` table true to what the rules find. An alert is raised once
//! while its condition holds (one open alert per rule, project and subject),
//! carries the figures and the day it started, and is cleared (已消除, with
//! the day) when the condition no longer holds. Nothing is deleted.
//!
//! Features own their rules (`features/<name>/rules/`); `features::rules()`
//! lists them. What happens after a run (orders a rule issues by itself)
//! belongs to the features: `features::evaluate_rules_as_of`.
//!
//! Thresholds are settings: defaults from the environment (`Settings`), and
//! an administrator's overrides per rule (`rule_settings`: on/off and each
//! [`Param`]), which every run applies ([`Overrides`]).
use super::{
    audit::{AuditedTx, Who},
    db::Db,
    settings::Settings,
    time::now_ms,
};
use crate::error::AppError;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// How serious a broken rule is, least first (so `max` is the most serious).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Severity {
    /// 提示: to be aware of.
    Notice,
    /// 一般: to be corrected.
    Warning,
    /// 严重: to be corrected now (may lead to a 督办).
    Serious,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Self::Notice => "notice",
            Self::Warning => "warning",
            Self::Serious => "serious",
        }
    }
    /// The stored code; an unknown one reads as 一般.
    pub fn from_code(code: &str) -> Self {
        match code {
            "serious" => Self::Serious,
            "notice" => Self::Notice,
            _ => Self::Warning,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Notice => "提示",
            Self::Warning => "一般",
            Self::Serious => "严重",
        }
    }
}

/// What a rule is, for people and for the engine.
#[derive(Debug)]
pub struct RuleInfo {
    /// Stored as the alert's `kind`.
    pub code: &'static str,
    /// 预付款超比例.
    pub name: &'static str,
    /// The rule it rests on, a line a supervisor can read.
    pub basis: &'static str,
    pub severity: Severity,
    /// The thresholds an administrator may change (none for some rules).
    pub params: &'static [Param],
    /// Issues a 督办 by itself for each new alert unless an administrator
    /// switches it off (and the reverse).
    pub auto_order: bool,
}

/// One threshold of a rule: where it lives in [`Settings`], how people see
/// it, and the range a value must fall in.
#[derive(Debug)]
pub struct Param {
    /// The key in `rule_settings.params`.
    pub key: &'static str,
    /// 预付款上限.
    pub label: &'static str,
    /// `%`, `天`, `次`, `元`, `个月`.
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
    /// Whole numbers only.
    pub integer: bool,
    pub get: fn(&Settings) -> f64,
    pub set: fn(&mut Settings, f64),
}

impl Param {
    /// Parses a typed value: a number within the range, or a message for the
    /// field.
    pub fn parse(&self, raw: &str) -> Result<f64, String> {
        let raw = raw.trim();
        let range = || {
            format!(
                "须在 {}–{} {} 之间",
                fmt_num(self.min),
                fmt_num(self.max),
                self.unit
            )
        };
        if raw.is_empty() {
            return Err(format!("请填写{}", self.label));
        }
        let v: f64 = raw.parse().map_err(|_| format!("{}须为数字", self.label))?;
        if !v.is_finite() || v < self.min || v > self.max {
            return Err(range());
        }
        self.check(v).map_err(|_| format!("{}须为整数", self.label))
    }

    /// A stored value still allowed (rules change their ranges).
    fn check(&self, v: f64) -> Result<f64, ()> {
        let fits = v.is_finite() && v >= self.min && v <= self.max;
        if fits && !(self.integer && v.fract() != 0.0) {
            Ok(v)
        } else {
            Err(())
        }
    }
}

/// `30`, `2.5`: a threshold as people write it.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// An administrator's settings of one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSetting {
    pub enabled: bool,
    /// 自动督办, when an administrator set it (else the rule's default).
    pub auto_order: Option<bool>,
    pub params: std::collections::BTreeMap<String, f64>,
    pub version: i64,
}

/// Every rule's stored settings, by code.
#[derive(Debug, Clone, Default)]
pub struct Overrides(pub HashMap<String, RuleSetting>);

impl Overrides {
    pub async fn load(db: &Db) -> Result<Self, AppError> {
        let rows: Vec<(String, i64, Option<i64>, String, i64)> =
            sqlx::query_as("SELECT code, enabled, auto_order, params, version FROM rule_settings")
                .fetch_all(&db.pool)
                .await?;
        Ok(Self(
            rows.into_iter()
                .map(|(code, enabled, auto_order, params, version)| {
                    let params = serde_json::from_str(&params).unwrap_or_default();
                    (
                        code,
                        RuleSetting {
                            enabled: enabled != 0,
                            auto_order: auto_order.map(|v| v != 0),
                            params,
                            version,
                        },
                    )
                })
                .collect(),
        ))
    }

    pub fn enabled(&self, code: &str) -> bool {
        self.0.get(code).is_none_or(|s| s.enabled)
    }

    /// Does the rule issue orders by itself (its setting, else its default)?
    pub fn auto_order(&self, info: &RuleInfo) -> bool {
        self.0
            .get(info.code)
            .and_then(|s| s.auto_order)
            .unwrap_or(info.auto_order)
    }

    /// `base` with every stored threshold of `rules` applied (values out of
    /// range, from an older version of a rule, are ignored).
    pub fn apply(&self, base: &Settings, rules: &[&RuleInfo]) -> Settings {
        let mut s = base.clone();
        for info in rules {
            let Some(stored) = self.0.get(info.code) else {
                continue;
            };
            for p in info.params {
                if let Some(&v) = stored.params.get(p.key)
                    && p.check(v).is_ok()
                {
                    (p.set)(&mut s, v);
                }
            }
        }
        s
    }
}

/// The settings the rules run with now: the environment's, with the
/// administrator's overrides applied.
pub async fn effective(
    db: &Db,
    base: &Settings,
    rules: &[&RuleInfo],
) -> Result<Settings, AppError> {
    Ok(Overrides::load(db).await?.apply(base, rules))
}

/// What an alert is about: a filed project, or an award whose contract has
/// not been filed (no project yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum On {
    Filing(i64),
    Award(i64),
}

impl On {
    fn of(filing_id: Option<i64>, award_id: i64) -> Self {
        filing_id.map_or(Self::Award(award_id), Self::Filing)
    }
    /// The trail's entity and id the alert is recorded under.
    pub fn entity(self) -> (&'static str, i64) {
        match self {
            Self::Filing(id) => ("filing", id),
            Self::Award(id) => ("award", id),
        }
    }
}

/// One broken rule: a project (or an award), and within it the subject (a
/// payment, a change, a person's month, or the project itself as "").
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub on: On,
    pub subject: String,
    /// The day the condition started.
    pub since: NaiveDate,
    /// The figures that broke the rule, in words.
    pub message: String,
    /// The same figures as data (kept with the alert).
    pub figures: serde_json::Value,
}

#[async_trait::async_trait]
pub trait Rule: Send + Sync {
    fn info(&self) -> &'static RuleInfo;
    /// Everything that breaks the rule as of `as_of`, read in a few
    /// statements (never one per project).
    async fn evaluate(
        &self,
        db: &Db,
        settings: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError>;

    /// Whether this run re-reads an open alert of `subject`: a rule about
    /// closed periods (a month) reads only the latest, and the alerts of
    /// earlier periods stay as they were. By default every open alert is
    /// re-read, and cleared when its finding is gone.
    fn rereads(&self, _subject: &str, _as_of: NaiveDate) -> bool {
        true
    }
}

/// One alert a run raised or cleared.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub alert_id: i64,
    pub rule: &'static str,
    pub on: On,
    pub message: String,
}

/// What one run raised and cleared.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Outcome {
    pub raised: Vec<Change>,
    pub cleared: Vec<Change>,
}

/// One run at a time per process: a run that started after a write reads
/// that write, and never overtakes an earlier run with older findings.
static RUNNING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[derive(Serialize)]
struct AlertSnap<'a> {
    alert: &'a str,
}

/// Evaluates `rules` as of `as_of` and brings the open alerts in line, with
/// the stored overrides applied to `settings`. A rule switched off is not
/// evaluated: it raises nothing, and its open alerts stay as they are (they
/// were true when raised; they clear once it is on again and they no longer
/// hold).
pub async fn run(
    db: &Db,
    settings: &Settings,
    rules: &[&dyn Rule],
    as_of: NaiveDate,
) -> Result<Outcome, AppError> {
    let _one = RUNNING.lock().await;
    let overrides = Overrides::load(db).await?;
    let infos: Vec<&RuleInfo> = rules.iter().map(|r| r.info()).collect();
    let settings = &overrides.apply(settings, &infos);
    let mut found = Vec::with_capacity(rules.len());
    for rule in rules.iter().filter(|r| overrides.enabled(r.info().code)) {
        let began = std::time::Instant::now();
        let findings = rule.evaluate(db, settings, as_of).await?;
        tracing::debug!(
            rule = rule.info().code,
            findings = findings.len(),
            ms = began.elapsed().as_millis() as u64,
            "rule evaluated"
        );
        found.push((*rule, findings));
    }
    let began = std::time::Instant::now();
    let who = Who::system("预警规则");
    let mut tx = AuditedTx::begin(db, &who).await?;
    let mut out = Outcome::default();
    let day = as_of.to_string();
    for (rule, findings) in found {
        let info = rule.info();
        let open: Vec<(i64, i64, Option<i64>, String, String)> = sqlx::query_as(
            "SELECT id, award_id, filing_id, subject, message FROM alerts
             WHERE kind = $1 AND cleared_on IS NULL",
        )
        .bind(info.code)
        .fetch_all(tx.conn())
        .await?;
        let open_keys: HashMap<(On, &str), (i64, &str)> = open
            .iter()
            .map(|(id, a, f, s, m)| ((On::of(*f, *a), s.as_str()), (*id, m.as_str())))
            .collect();
        let found_keys: HashSet<(On, &str)> = findings
            .iter()
            .map(|f| (f.on, f.subject.as_str()))
            .collect();
        // The new findings, each once, written ALERTS_PER_STATEMENT to a
        // statement (a province's first run raises 30,000).
        let mut seen = HashSet::new();
        let new: Vec<&Finding> = findings
            .iter()
            .filter(|f| {
                let key = (f.on, f.subject.as_str());
                !open_keys.contains_key(&key) && seen.insert(key)
            })
            .collect();
        for chunk in new.chunks(ALERTS_PER_STATEMENT) {
            let messages: Vec<String> = chunk
                .iter()
                .map(|f| format!("{}：{}", info.name, f.message))
                .collect();
            let ids = insert_alerts(&mut tx, info, chunk, &messages).await?;
            for ((f, message), new_id) in chunk.iter().zip(messages).zip(ids) {
                let Some(alert_id) = new_id else {
                    continue;
                };
                let (entity, id) = f.on.entity();
                tx.record(
                    entity,
                    id,
                    "alert",
                    None,
                    Some(&AlertSnap { alert: &message }),
                )
                .await?;
                out.raised.push(Change {
                    alert_id,
                    rule: info.code,
                    on: f.on,
                    message,
                });
            }
        }
        let gone: Vec<_> = open_keys
            .iter()
            .filter(|((on, subject), _)| {
                !found_keys.contains(&(*on, *subject)) && rule.rereads(subject, as_of)
            })
            .collect();
        for chunk in gone.chunks(ALERTS_PER_STATEMENT) {
            // Ids from our own rows.
            let ids = chunk
                .iter()
                .map(|(_, (id, _))| id.to_string())
                .collect::<Vec<_>>()
                .join(",");
            sqlx::query(&format!(
                "UPDATE alerts SET cleared_on = $1 WHERE id IN ({ids})"
            ))
            .bind(&day)
            .execute(tx.conn())
            .await?;
            for ((on, _), (id, message)) in chunk {
                let (entity, eid) = on.entity();
                tx.record(
                    entity,
                    eid,
                    "alert_clear",
                    Some(&AlertSnap { alert: message }),
                    Some(&AlertSnap { alert: "已消除" }),
                )
                .await?;
                out.cleared.push(Change {
                    alert_id: *id,
                    rule: info.code,
                    on: *on,
                    message: message.to_string(),
                });
            }
        }
    }
    if !out.raised.is_empty() || !out.cleared.is_empty() {
        tx.commit().await?;
    }
    tracing::debug!(
        raised = out.raised.len(),
        cleared = out.cleared.len(),
        ms = began.elapsed().as_millis() as u64,
        "alerts written"
    );
    Ok(out)
}

/// Alerts raised or cleared per statement (nine bound values each when
/// raised: well inside both databases' limits).
const ALERTS_PER_STATEMENT: usize = 500;

/// Inserts one alert per finding and answers each finding's new alert id,
/// in order (none where an alert was open for its key already).
async fn insert_alerts(
    tx: &mut AuditedTx<'_>,
    info: &RuleInfo,
    findings: &[&Finding],
    messages: &[String],
) -> Result<Vec<Option<i64>>, AppError> {
    let rows = (0..findings.len())
        .map(|i| {
            let p = |k: usize| format!("${}", i * 9 + k);
            format!(
                "({}, {}, COALESCE({}, (SELECT award_id FROM filings WHERE id = {})), NULL, {}, {}, {}, {}, {}, {}, {})",
                p(1), p(2), p(3), p(2), p(4), p(5), p(6), p(7), p(8), p(9), p(4)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO alerts (kind, filing_id, award_id, user_id, period, message, created_at, subject, severity, figures, started_on)
         VALUES {rows} ON CONFLICT DO NOTHING RETURNING id, award_id, filing_id, subject"
    );
    let mut q = sqlx::query_as::<_, (i64, i64, Option<i64>, String)>(&sql);
    let now = now_ms();
    for (f, message) in findings.iter().zip(messages) {
        let (filing_id, award_id) = match f.on {
            On::Filing(id) => (Some(id), None),
            On::Award(id) => (None, Some(id)),
        };
        q = q
            .bind(info.code)
            .bind(filing_id)
            .bind(award_id)
            .bind(f.since.to_string())
            .bind(message)
            .bind(now)
            .bind(&f.subject)
            .bind(info.severity.code())
            .bind(f.figures.to_string());
    }
    let inserted = q.fetch_all(tx.conn()).await?;
    // Back from the stored row to the finding's own key.
    let by_key: HashMap<(On, &str), i64> = inserted
        .iter()
        .map(|(id, a, f, s)| ((On::of(*f, *a), s.as_str()), *id))
        .collect();
    Ok(findings
        .iter()
        .map(|f| by_key.get(&(f.on, f.subject.as_str())).copied())
        .collect())
}

/// `a` as a percentage of `b`, for messages ("31.2%").
pub fn share(a: i64, b: i64) -> String {
    format!("{:.1}%", crate::domain::records::pct(a, b))
}
