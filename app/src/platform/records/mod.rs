//! The record kit's server side: what every project record (a change, a
//! payment, and the later modules' records) shares, written once.
//!
//! A record is a row of its feature's table with `id`, `filing_id`, `status`
//! (draft → submitted → voided), `version`, `submitted_at`, `voided_at` and
//! `void_reason`. Here: the owner's write access to one record (through the
//! project core), submission (the required document must be there), void
//! with a reason, the record's files, and the plain-form routes for those
//! (they work without JavaScript).
//!
//! Split by concern: the lifecycle here (access, submit, void), the files
//! (`files`), the plain-form routes (`routes`), the scoped lists (`list`).
mod files;
mod list;
mod routes;

pub use files::*;
pub use list::*;
pub use routes::*;

use super::{
    actor::Actor,
    audit::AuditedTx,
    db::Db,
    project::{self, Project},
    time::now_ms,
};
use crate::{
    domain::{RecordStatus, Role, record_prose},
    error::AppError,
};
use serde::Serialize;
use sqlx::AnyConnection;

/// The trail's words for what the record kit writes, for every record kind.
pub const TRAIL: super::trail::TrailSpec = super::trail::TrailSpec {
    entities: &[],
    actions: &[("register", "提交登记"), ("void", "作废")],
    fields: &[
        ("status", "状态"),
        ("reason", "原因"),
        ("attachment", "附件"),
    ],
};

/// What a feature declares about one kind of record.
#[derive(Debug)]
pub struct RecordKind {
    /// The trail's entity code (`change`).
    pub entity: &'static str,
    /// Its table (`project_changes`).
    pub table: &'static str,
    /// The list page; a record's page is `{page}/{id}`.
    pub page: &'static str,
    /// (code, label) of the files it carries; the first is required before
    /// the record can be submitted.
    pub file_kinds: &'static [(&'static str, &'static str)],
    /// File kinds that take photos only (JPEG or PNG, by content).
    pub photo_kinds: &'static [&'static str],
    /// What submission does besides changing the state, in its transaction
    /// (a personnel change puts the successor on the roster).
    pub on_submit: Option<OnSubmit>,
    /// A submitted record may be voided (false: what it did cannot be undone
    /// by voiding; it is corrected instead).
    pub void_submitted: bool,
    /// The first file kind must be there before submission (false: files
    /// are optional).
    pub requires_file: bool,
}

/// A record kind's own step at submission: (transaction, actor, record id)
/// → a message for the person who submitted (shown once, never stored).
pub type OnSubmit = for<'t, 'c> fn(
    &'t mut AuditedTx<'c>,
    &'t Actor,
    i64,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Option<String>, AppError>> + Send + 't>,
>;

impl RecordKind {
    /// A plain record: files of any accepted type, nothing done at
    /// submission, voidable in any state.
    pub const PLAIN: Self = Self {
        entity: "",
        table: "",
        page: "",
        file_kinds: &[],
        photo_kinds: &[],
        on_submit: None,
        void_submitted: true,
        requires_file: true,
    };

    /// Refuses a file whose content does not fit its kind.
    pub fn accepts(&self, file_kind: &str, content_type: &str) -> Result<(), AppError> {
        if self.photo_kinds.contains(&file_kind) && !content_type.starts_with("image/") {
            return Err(AppError::field(
                "file",
                "照片须为 JPEG 或 PNG 图片（按文件内容判断）",
            ));
        }
        Ok(())
    }

    fn required_file(&self) -> (&'static str, &'static str) {
        self.file_kinds[0]
    }
}

/// The columns every record has.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Head {
    pub id: i64,
    pub filing_id: i64,
    #[sqlx(try_from = "String")]
    pub status: RecordStatus,
    pub version: i64,
}

impl Head {
    /// Refuses a form filled in against an older version.
    pub fn check_version(&self, seen: Option<i64>) -> Result<(), AppError> {
        match seen {
            Some(v) if v != self.version => Err(AppError::Conflict),
            _ => Ok(()),
        }
    }

    /// A change to a submitted record is a correction and needs a reason.
    pub fn correction(&self, reason: &str) -> Result<Option<String>, AppError> {
        self.correction_in(reason, "reason")
    }

    /// [`Self::correction`] with the reason in the form's `field` (for forms
    /// whose `reason` means something else).
    pub fn correction_in(&self, reason: &str, field: &str) -> Result<Option<String>, AppError> {
        if self.status != RecordStatus::Submitted {
            return Ok(None);
        }
        match record_prose(reason, "更正原因", 200).map_err(|e| AppError::field(field, e))? {
            Some(r) => Ok(Some(r)),
            None => Err(AppError::field(
                field,
                "已登记的记录修改为更正，请填写更正原因",
            )),
        }
    }
}

/// A form's `version` field ("" when the client never loaded the record).
pub fn seen_version(v: &str) -> Result<Option<i64>, AppError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse()
        .map(Some)
        .map_err(|_| AppError::invalid("表单已损坏，请刷新后重试"))
}

/// A missing record answers as another unit's does ([`project::missing`]).
fn hide_missing(e: AppError, actor: &Actor) -> AppError {
    match e {
        AppError::NotFound => project::missing(actor),
        other => other,
    }
}

async fn head(conn: &mut AnyConnection, kind: &RecordKind, id: i64) -> Result<Head, AppError> {
    sqlx::query_as::<_, Head>(&format!(
        "SELECT id, filing_id, status, version FROM {} WHERE id = $1",
        kind.table
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)
}

/// One record for reading: its project must be readable by the actor.
pub async fn read(
    conn: &mut AnyConnection,
    actor: &Actor,
    kind: &RecordKind,
    id: i64,
) -> Result<(Project, Head), AppError> {
    let h = head(conn, kind, id)
        .await
        .map_err(|e| hide_missing(e, actor))?;
    let p = project::read(conn, actor, h.filing_id).await?;
    Ok((p, h))
}

/// One record for a write by its project's owner unit, inside the write's
/// transaction. A voided record is never changed again.
pub async fn for_owner(
    tx: &mut AuditedTx<'_>,
    actor: &Actor,
    kind: &RecordKind,
    id: i64,
) -> Result<(Project, Head), AppError> {
    actor.require(&[Role::Owner])?;
    let h = head(tx.conn(), kind, id)
        .await
        .map_err(|e| hide_missing(e, actor))?;
    let p = project::for_owner(tx, actor, h.filing_id).await?;
    if h.status == RecordStatus::Voided {
        return Err(AppError::invalid("该记录已作废，不能再修改"));
    }
    Ok((p, h))
}

/// The project for a new record: filed (已备案) and the actor's own.
pub async fn project_for_new(
    tx: &mut AuditedTx<'_>,
    actor: &Actor,
    filing_id: i64,
) -> Result<Project, AppError> {
    let p = project::for_owner(tx, actor, filing_id).await?;
    if !p.is_submitted() {
        return Err(AppError::field(
            "filing_id",
            "该项目尚未提交备案，备案后才能登记",
        ));
    }
    Ok(p)
}

#[derive(Serialize)]
struct StatusSnap<'a> {
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

/// Draft → submitted, once the required document is there. Returns the
/// kind's message from its own step at submission, if any.
pub async fn submit(
    db: &Db,
    actor: &Actor,
    kind: &RecordKind,
    id: i64,
) -> Result<Option<String>, AppError> {
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (_, h) = for_owner(&mut tx, actor, kind, id).await?;
    if h.status != RecordStatus::Draft {
        return Err(AppError::invalid("该记录已登记，无需再次提交"));
    }
    if kind.requires_file {
        let (file_kind, file_label) = kind.required_file();
        let files: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM record_files WHERE entity = $1 AND record_id = $2 AND kind = $3 AND removed_at IS NULL",
        )
        .bind(kind.entity)
        .bind(id)
        .bind(file_kind)
        .fetch_one(tx.conn())
        .await?;
        if files == 0 {
            return Err(AppError::field("file", format!("提交前请上传{file_label}")));
        }
    }
    let now = now_ms();
    sqlx::query(&format!(
        "UPDATE {} SET status = 'submitted', submitted_at = $1, updated_at = $2, version = version + 1 WHERE id = $3",
        kind.table
    ))
    .bind(now)
    .bind(now)
    .bind(id)
    .execute(tx.conn())
    .await?;
    let message = match kind.on_submit {
        Some(hook) => hook(&mut tx, actor, id).await?,
        None => None,
    };
    tx.record(
        kind.entity,
        id,
        "register",
        Some(&StatusSnap {
            status: RecordStatus::Draft.label(),
            reason: None,
        }),
        Some(&StatusSnap {
            status: RecordStatus::Submitted.label(),
            reason: None,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(message)
}

/// Voids a record with a reason: it stays, shown as 已作废, and counts nowhere.
pub async fn void(
    db: &Db,
    actor: &Actor,
    kind: &RecordKind,
    id: i64,
    reason: &str,
    version: Option<i64>,
) -> Result<(), AppError> {
    let reason = record_prose(reason, "作废原因", 200)
        .map_err(|e| AppError::field("void_reason", e))?
        .ok_or_else(|| AppError::field("void_reason", "请填写作废原因"))?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (_, h) = for_owner(&mut tx, actor, kind, id).await?;
    h.check_version(version)?;
    if h.status == RecordStatus::Submitted && !kind.void_submitted {
        return Err(AppError::field(
            "void_reason",
            "已生效的记录不能作废，请更正",
        ));
    }
    let now = now_ms();
    sqlx::query(&format!(
        "UPDATE {} SET status = 'voided', voided_at = $1, void_reason = $2, updated_at = $3, version = version + 1 WHERE id = $4",
        kind.table
    ))
    .bind(now)
    .bind(&reason)
    .bind(now)
    .bind(id)
    .execute(tx.conn())
    .await?;
    tx.record(
        kind.entity,
        id,
        "void",
        Some(&StatusSnap {
            status: h.status.label(),
            reason: None,
        }),
        Some(&StatusSnap {
            status: RecordStatus::Voided.label(),
            reason: Some(&reason),
        }),
    )
    .await?;
    tx.commit().await
}
