use super::{ChainStatus, HEAD_READERS, HeadRow, HistoryEntry, TrailRow};
use crate::features::TRAIL;
use crate::{
    domain::{Role, UnitKind, sector_label},
    error::AppError,
    kit::table::{PER_PAGE, Page},
    platform::{
        actor::Actor,
        audit::{self, ENTRY_COLUMNS, Entry},
        db::Db,
        trail,
    },
};
use serde_json::Value;

pub async fn record_history(
    db: &Db,
    actor: &Actor,
    entity: &str,
    id: &str,
) -> Result<Vec<HistoryEntry>, AppError> {
    let numeric: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    // Each feature declares who may read its records' history.
    let Some(e) = trail::entity(TRAIL, entity) else {
        return Err(AppError::Forbidden);
    };
    if !e.read.allows(db, actor, numeric).await? {
        return Err(AppError::Forbidden);
    }
    let entries = audit::history(db, entity, id).await?;
    Ok(entries.into_iter().map(to_history).collect())
}

fn to_history(e: Entry) -> HistoryEntry {
    let parse = |s: &Option<String>| {
        s.as_deref()
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
    };
    let changes = diff(
        parse(&e.before_json).as_ref(),
        parse(&e.after_json).as_ref(),
    );
    HistoryEntry {
        seq: e.seq,
        at: e.at,
        actor: e.actor_name,
        action_label: action_label(&e.action).into(),
        changes,
    }
}

/// Field-by-field differences of two JSON objects, labelled for people.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<(String, String, String)> {
    let empty = serde_json::Map::new();
    let b = before.and_then(Value::as_object).unwrap_or(&empty);
    let a = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.dedup();
    let mut seen = std::collections::BTreeSet::new();
    keys.into_iter()
        .filter(|k| seen.insert(k.as_str()))
        .filter(|k| k.as_str() != "id")
        .filter_map(|k| {
            // A missing key and null are the same "empty".
            let (bv, av) = (
                b.get(k).filter(|v| !v.is_null()),
                a.get(k).filter(|v| !v.is_null()),
            );
            (bv != av).then(|| (field_label(k).to_string(), show(k, bv), show(k, av)))
        })
        .collect()
}

fn show(key: &str, v: Option<&Value>) -> String {
    // Coded values are shown as people know them.
    if let Some(code) = v.and_then(Value::as_str) {
        let label = match key {
            "kind" => UnitKind::parse(code).ok().map(UnitKind::label),
            "role" => Role::parse(code).ok().map(Role::label),
            "sector" => Some(sector_label(code)).filter(|l| *l != "—"),
            _ => None,
        };
        if let Some(label) = label {
            return label.to_string();
        }
    }
    match v {
        None | Some(Value::Null) => "（空）".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(true)) => "是".into(),
        Some(Value::Bool(false)) => "否".into(),
        Some(other) => other.to_string(),
    }
}

/// Labels for the keys that audited records use (declared by each feature).
fn field_label(key: &str) -> &str {
    trail::label(TRAIL, |s| s.fields, key)
}

fn entity_label(entity: &str) -> &str {
    trail::entity(TRAIL, entity).map_or(entity, |e| e.label)
}

pub fn action_label(action: &str) -> &str {
    trail::label(TRAIL, |s| s.actions, action)
}

pub async fn trail(db: &Db, page: i64, entity: &str) -> Result<Page<TrailRow>, AppError> {
    let page = crate::kit::table::clamp_page(page);
    let entity = entity.trim();
    // Placeholders are numbered in the order they appear (SQLite binds `$N`
    // by first appearance), so the optional filter comes first.
    let (total, entries): (i64, Vec<Entry>) = if entity.is_empty() {
        let total = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&db.pool)
            .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT $1 OFFSET $2"
        ))
        .bind(PER_PAGE)
        .bind((page - 1) * PER_PAGE)
        .fetch_all(&db.pool)
        .await?;
        (total, rows)
    } else {
        let total = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE entity = $1")
            .bind(entity)
            .fetch_one(&db.pool)
            .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE entity = $1 ORDER BY seq DESC LIMIT $2 OFFSET $3"
        ))
        .bind(entity)
        .bind(PER_PAGE)
        .bind((page - 1) * PER_PAGE)
        .fetch_all(&db.pool)
        .await?;
        (total, rows)
    };
    let items = entries
        .into_iter()
        .map(|e| TrailRow {
            seq: e.seq,
            at: e.at,
            actor: e.actor_name,
            entity: entity_label(&e.entity).to_string(),
            entity_id: e.entity_id,
            action_label: action_label(&e.action).into(),
            ip: e.ip,
            hash: e.hash,
        })
        .collect();
    Ok(Page {
        items,
        total,
        page,
        per_page: PER_PAGE,
    })
}

pub async fn chain_status(db: &Db) -> Result<ChainStatus, AppError> {
    let r = audit::verify(db).await?;
    Ok(match r.problem {
        None => ChainStatus {
            checked: r.checked,
            ok: true,
            problem_seq: None,
            message: format!("校验通过：共 {} 条记录，链条完整", r.checked),
        },
        Some((seq, msg)) => ChainStatus {
            checked: r.checked,
            ok: false,
            problem_seq: Some(seq),
            message: msg,
        },
    })
}

/// The published heads, newest first: about two years of days.
pub async fn published_heads(db: &Db, actor: &Actor) -> Result<Vec<HeadRow>, AppError> {
    actor.require(HEAD_READERS)?;
    Ok(audit::heads::list(db, 800)
        .await?
        .into_iter()
        .map(|h| HeadRow {
            day: h.day,
            seq: h.seq,
            hash: h.hash,
            at: h.at,
        })
        .collect())
}

/// Checks a head copied from a printed or exported list: the whole chain
/// must verify and still hold that seal at that number.
pub async fn check_head(
    db: &Db,
    actor: &Actor,
    seq: &str,
    hash: &str,
) -> Result<ChainStatus, AppError> {
    actor.require(HEAD_READERS)?;
    let mut fields = crate::error::FieldErrors::new();
    let seq_n = seq.trim().parse::<i64>().ok().filter(|n| *n >= 0);
    if seq_n.is_none() {
        fields.insert("seq".into(), "请填写公示的序号（非负整数）".into());
    }
    let hash = hash.trim().to_ascii_lowercase();
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        fields.insert(
            "hash".into(),
            "请填写公示的链头哈希（64 位十六进制）".into(),
        );
    }
    let Some(seq) = seq_n.filter(|_| fields.is_empty()) else {
        return Err(AppError::fields(fields));
    };
    let whole = chain_status(db).await?;
    if !whole.ok {
        return Ok(whole);
    }
    let problem = if seq == 0 {
        (hash != audit::GENESIS).then(|| "第 0 条的哈希应为全零".to_string())
    } else {
        audit::check_published(db, seq, &hash).await?
    };
    Ok(match problem {
        None => ChainStatus {
            checked: whole.checked,
            ok: true,
            problem_seq: None,
            message: format!(
                "核对一致：第 {seq} 条记录的哈希与公示的相同，留痕链完整（共 {} 条）",
                whole.checked
            ),
        },
        Some(message) => ChainStatus {
            checked: whole.checked,
            ok: false,
            problem_seq: Some(seq),
            message,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_changed_fields_with_labels() {
        let b = json!({"id": 1, "name": "甲", "sector": null});
        let a = json!({"id": 1, "name": "乙", "sector": "housing"});
        let d = diff(Some(&b), Some(&a));
        assert_eq!(
            d,
            vec![
                ("名称".to_string(), "甲".to_string(), "乙".to_string()),
                ("行业".to_string(), "（空）".to_string(), "住建".to_string()),
            ]
        );
    }

    #[test]
    fn creation_lists_the_filled_fields_with_labels() {
        let a = json!({"name": "甲", "kind": "owner", "sector": null});
        assert_eq!(
            diff(None, Some(&a)),
            vec![
                ("名称".to_string(), "（空）".to_string(), "甲".to_string()),
                (
                    "单位类型".to_string(),
                    "（空）".to_string(),
                    "建设单位".to_string()
                ),
            ]
        );
    }
}
