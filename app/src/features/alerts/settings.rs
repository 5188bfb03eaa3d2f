//! Reading and saving the rules' settings.
use super::{ParamView, RuleView};
use crate::{
    domain::Role,
    error::{AppError, FieldErrors},
    features::rule_infos,
    platform::{
        actor::Actor,
        audit::AuditedTx,
        db::Db,
        rules::{Overrides, RuleInfo, fmt_num},
        settings::Settings,
        time::now_ms,
    },
};
use std::collections::{BTreeMap, HashMap};

/// Every rule with the settings in force and its open alerts.
pub async fn list(db: &Db, base: &Settings, actor: &Actor) -> Result<Vec<RuleView>, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor])?;
    let overrides = Overrides::load(db).await?;
    let infos = rule_infos();
    let now = overrides.apply(base, &infos);
    let open: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
        "SELECT kind, COUNT(*) FROM alerts WHERE cleared_on IS NULL GROUP BY kind",
    )
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .collect();
    Ok(infos
        .into_iter()
        .map(|info| RuleView {
            code: info.code.into(),
            name: info.name.into(),
            basis: info.basis.into(),
            severity: info.severity.label().into(),
            enabled: overrides.enabled(info.code),
            auto_order: overrides.auto_order(info),
            params: info
                .params
                .iter()
                .map(|p| ParamView {
                    label: p.label.into(),
                    unit: p.unit.into(),
                    value: fmt_num((p.get)(&now)),
                    default: fmt_num((p.get)(base)),
                    min: fmt_num(p.min),
                    max: fmt_num(p.max),
                    integer: p.integer,
                })
                .collect(),
            version: overrides.0.get(info.code).map_or(0, |s| s.version),
            open_alerts: open.get(info.code).copied().unwrap_or(0),
        })
        .collect())
}

/// What the form sends: the switch and the thresholds in the rule's order.
pub struct RuleForm {
    pub enabled: bool,
    pub auto_order: bool,
    pub values: Vec<String>,
    /// The version the form was loaded at ("0": defaults, no stored row).
    pub version: String,
}

/// The rule as the trail shows it: its switch and thresholds in words.
fn snapshot(
    info: &RuleInfo,
    enabled: bool,
    auto_order: bool,
    values: &[f64],
) -> BTreeMap<String, String> {
    let mut snap = BTreeMap::new();
    snap.insert(
        "状态".to_string(),
        if enabled { "启用" } else { "停用" }.to_string(),
    );
    snap.insert(
        "自动督办".to_string(),
        if auto_order { "是" } else { "否" }.to_string(),
    );
    for (p, v) in info.params.iter().zip(values) {
        snap.insert(p.label.to_string(), format!("{} {}", fmt_num(*v), p.unit));
    }
    snap
}

/// Saves one rule's switch and thresholds (administrators), checked against
/// the version the form was loaded at.
pub async fn save(
    db: &Db,
    base: &Settings,
    actor: &Actor,
    code: &str,
    form: &RuleForm,
) -> Result<(), AppError> {
    actor.require(&[Role::Admin])?;
    let info = rule_infos()
        .into_iter()
        .find(|i| i.code == code)
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    let mut values = Vec::with_capacity(info.params.len());
    for (i, p) in info.params.iter().enumerate() {
        let raw = form.values.get(i).map(String::as_str).unwrap_or("");
        match p.parse(raw) {
            Ok(v) => values.push(v),
            Err(msg) => {
                errors.insert(super::PARAM_FIELDS[i].to_string(), msg);
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let version: i64 = form
        .version
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("表单已过期，请刷新后重试"))?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let stored: Option<(i64, i64, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, enabled, params, version, auto_order FROM rule_settings WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(tx.conn())
    .await?;
    let stored_version = stored.as_ref().map_or(0, |s| s.3);
    if stored_version != version {
        return Err(AppError::Conflict);
    }
    // What was in force before: the stored values, else the defaults.
    let before_enabled = stored.as_ref().is_none_or(|s| s.1 != 0);
    let before_auto = stored
        .as_ref()
        .and_then(|s| s.4)
        .map_or(info.auto_order, |v| v != 0);
    let before_params: BTreeMap<String, f64> = stored
        .as_ref()
        .and_then(|s| serde_json::from_str(&s.2).ok())
        .unwrap_or_default();
    let before_values: Vec<f64> = info
        .params
        .iter()
        .map(|p| before_params.get(p.key).copied().unwrap_or((p.get)(base)))
        .collect();
    if before_enabled == form.enabled && before_auto == form.auto_order && before_values == values {
        return Err(AppError::invalid("没有修改"));
    }
    let params: BTreeMap<&str, f64> = info
        .params
        .iter()
        .map(|p| p.key)
        .zip(values.iter().copied())
        .collect();
    let params = serde_json::to_string(&params).map_err(|_| AppError::Internal)?;
    let now = now_ms();
    let id: i64 = match stored {
        Some((id, ..)) => {
            let done = sqlx::query(
                "UPDATE rule_settings SET enabled = $1, auto_order = $2, params = $3, version = version + 1,
                     updated_at = $4, updated_by = $5
                 WHERE id = $6 AND version = $7",
            )
            .bind(form.enabled as i64)
            .bind(form.auto_order as i64)
            .bind(&params)
            .bind(now)
            .bind(actor.user_id)
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
            if done.rows_affected() != 1 {
                return Err(AppError::Conflict);
            }
            id
        }
        None => sqlx::query_scalar(
            "INSERT INTO rule_settings (code, enabled, auto_order, params, version, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, 1, $5, $6) ON CONFLICT (code) DO NOTHING RETURNING id",
        )
        .bind(code)
        .bind(form.enabled as i64)
        .bind(form.auto_order as i64)
        .bind(&params)
        .bind(now)
        .bind(actor.user_id)
        .fetch_optional(tx.conn())
        .await?
        // Another administrator saved the first settings meanwhile.
        .ok_or(AppError::Conflict)?,
    };
    tx.record(
        "rule_setting",
        id,
        "update",
        Some(&snapshot(info, before_enabled, before_auto, &before_values)),
        Some(&snapshot(info, form.enabled, form.auto_order, &values)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
