//! Walking the chain, and checking it against a head published earlier.
use super::{ENTRY_COLUMNS, Entry, GENESIS};
use crate::{error::AppError, platform::db::Db};

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VerifyReport {
    pub checked: i64,
    pub head_seq: i64,
    /// The first entry found wrong: its sequence number and what is wrong.
    pub problem: Option<(i64, String)>,
}

/// Walks the whole chain in order. Reads in pages so memory stays flat.
pub async fn verify(db: &Db) -> Result<VerifyReport, AppError> {
    let (head_seq, head_hash, keyed_from): (i64, String, i64) =
        sqlx::query_as("SELECT seq, last_hash, keyed_from FROM audit_head WHERE id = 1")
            .fetch_one(&db.pool)
            .await?;
    let key = |seq: i64| (seq >= keyed_from).then_some(&db.trail_key);
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_string();
    let mut checked = 0i64;
    let problem = |checked: i64, seq: i64, msg: String| -> Result<VerifyReport, AppError> {
        Ok(VerifyReport {
            checked,
            head_seq,
            problem: Some((seq, msg)),
        })
    };
    loop {
        let page: Vec<Entry> = sqlx::query_as(&format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT 1000"
        ))
        .bind(expected_seq)
        .bind(head_seq)
        .fetch_all(&db.pool)
        .await?;
        if page.is_empty() {
            break;
        }
        for e in page {
            if e.seq != expected_seq {
                return problem(
                    checked,
                    expected_seq,
                    format!("第 {expected_seq} 条记录缺失（被删除）"),
                );
            }
            if e.prev_hash != prev {
                return problem(
                    checked,
                    e.seq,
                    format!(
                        "第 {} 条记录与前一条不衔接（前一条被改动，或本条被插入）",
                        e.seq
                    ),
                );
            }
            if e.compute_hash(key(e.seq)) != e.hash {
                return problem(
                    checked,
                    e.seq,
                    format!("第 {} 条记录的内容被改动（或以其他密钥写入）", e.seq),
                );
            }
            prev = e.hash;
            expected_seq += 1;
            checked += 1;
        }
    }
    if checked < head_seq {
        return problem(
            checked,
            checked + 1,
            format!("第 {} 条及以后的记录缺失（被删除）", checked + 1),
        );
    }
    if prev != head_hash {
        return problem(
            checked,
            checked,
            format!("链尾与登记的链头不符，第 {checked} 条可能为伪造追加"),
        );
    }
    // The walk stopped at the head it read: entries appended since moved
    // the head with them; an entry past the head now was not written by the
    // writer (one statement, so both are read at one moment).
    let (now_seq, last_seq): (i64, Option<i64>) = sqlx::query_as(
        "SELECT (SELECT seq FROM audit_head WHERE id = 1), (SELECT MAX(seq) FROM audit_log)",
    )
    .fetch_one(&db.pool)
    .await?;
    if last_seq.is_some_and(|last| last > now_seq) {
        return problem(
            checked,
            now_seq + 1,
            format!("第 {} 条记录在链头之后，可能为伪造追加", now_seq + 1),
        );
    }
    Ok(VerifyReport {
        checked,
        head_seq,
        problem: None,
    })
}

/// Whether the chain still holds `hash` at `seq`, as a published daily head
/// (printed or exported earlier) says it did. `Ok(None)`: it does;
/// otherwise what differs. A rewrite of the past changes every later seal,
/// so it shows here even when done by someone holding the key.
pub async fn check_published(db: &Db, seq: i64, hash: &str) -> Result<Option<String>, AppError> {
    let stored: Option<String> = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
        .bind(seq)
        .fetch_optional(&db.pool)
        .await?;
    Ok(match stored {
        None => Some(format!("留痕中没有第 {seq} 条记录（已被删除）")),
        Some(h) if h.eq_ignore_ascii_case(hash.trim()) => None,
        Some(_) => Some(format!(
            "第 {seq} 条记录的哈希与公示的不符：该条或其之前的记录被改写"
        )),
    })
}
