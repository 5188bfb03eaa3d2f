//! The record kit's server side: what every project record (a change, a
//! payment, and the later modules' records) shares, written once.
//!
//! A record is a row of its feature's table with `id`, `filing_id`, `status`
//! (draft → submitted → voided), `version`, `submitted_at`, `voided_at` and
//! `void_reason`. Here: the owner's write access to one record (through the
//! project core), submission (the required document must be there), void
//! with a reason, the record's files, and the plain-form routes for those
//! (they work without JavaScript).
use super::{
    AppState,
    actor::{Acting, Actor, refusal},
    audit::AuditedTx,
    db::Db,
    project::{self, Project},
    time::now_ms,
    upload::{self, error_query},
};
use crate::{
    domain::{RecordStatus, Role, label_of, record_prose},
    error::AppError,
    kit::records::RecordFile,
};
use axum::{
    Form, Router,
    extract::{DefaultBodyLimit, Multipart, Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Serialize;
use sqlx::AnyConnection;
use std::collections::HashMap;

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
}

impl RecordKind {
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
        if self.status != RecordStatus::Submitted {
            return Ok(None);
        }
        match record_prose(reason, "更正原因", 200).map_err(|e| AppError::field("reason", e))? {
            Some(r) => Ok(Some(r)),
            None => Err(AppError::field(
                "reason",
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
    let h = head(conn, kind, id).await?;
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
    let h = head(tx.conn(), kind, id).await?;
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

/// Draft → submitted, once the required document is there.
pub async fn submit(db: &Db, actor: &Actor, kind: &RecordKind, id: i64) -> Result<(), AppError> {
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (_, h) = for_owner(&mut tx, actor, kind, id).await?;
    if h.status != RecordStatus::Draft {
        return Err(AppError::invalid("该记录已登记，无需再次提交"));
    }
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
    tx.commit().await
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

/// The record's files that are not removed.
pub async fn files(
    conn: &mut AnyConnection,
    kind: &RecordKind,
    id: i64,
) -> Result<Vec<RecordFile>, AppError> {
    let rows: Vec<(i64, String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, kind, file_name, size_bytes, created_at FROM record_files
         WHERE entity = $1 AND record_id = $2 AND removed_at IS NULL ORDER BY id",
    )
    .bind(kind.entity)
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, k, file_name, size_bytes, created_at)| RecordFile {
            id,
            kind_label: label_of(kind.file_kinds, &k).to_string(),
            kind: k,
            file_name,
            size_bytes,
            created_at,
        })
        .collect())
}

#[derive(Serialize)]
struct FileSnap {
    attachment: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// Records an uploaded file (its bytes are already in the file store).
#[allow(clippy::too_many_arguments)]
pub async fn attach(
    db: &Db,
    actor: &Actor,
    kind: &RecordKind,
    id: i64,
    file_kind: &str,
    file_name: &str,
    content_type: &str,
    size: usize,
    sha256: &str,
    reason: &str,
) -> Result<i64, AppError> {
    let Some(&(file_kind, file_label)) = kind.file_kinds.iter().find(|(c, _)| *c == file_kind)
    else {
        return Err(AppError::field("kind", "请选择附件类型"));
    };
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (p, h) = for_owner(&mut tx, actor, kind, id).await?;
    let correction = h.correction(reason)?;
    let file_id: i64 = sqlx::query_scalar(
        "INSERT INTO record_files (entity, record_id, filing_id, kind, file_name, content_type, size_bytes, sha256, uploaded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(kind.entity)
    .bind(id)
    .bind(p.id)
    .bind(file_kind)
    .bind(file_name)
    .bind(content_type)
    .bind(size as i64)
    .bind(sha256)
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(tx.conn())
    .await?;
    let snap = FileSnap {
        attachment: format!("{file_label}：{file_name}（SHA-256 {}…）", &sha256[..12]),
        reason: correction,
    };
    tx.record(kind.entity, id, "attach", None, Some(&snap))
        .await?;
    tx.commit().await?;
    Ok(file_id)
}

/// Removes a file from a record (the row stays, marked removed). The
/// required document of a submitted record cannot be removed without a
/// replacement: upload the new one first.
pub async fn detach(
    db: &Db,
    actor: &Actor,
    kind: &RecordKind,
    id: i64,
    file_id: i64,
    reason: &str,
) -> Result<(), AppError> {
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (_, h) = for_owner(&mut tx, actor, kind, id).await?;
    let correction = h.correction(reason)?;
    let (file_kind, name): (String, String) = sqlx::query_as(
        "SELECT kind, file_name FROM record_files WHERE id = $1 AND entity = $2 AND record_id = $3 AND removed_at IS NULL",
    )
    .bind(file_id)
    .bind(kind.entity)
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let (required, required_label) = kind.required_file();
    if h.status == RecordStatus::Submitted && file_kind == required {
        let left: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM record_files WHERE entity = $1 AND record_id = $2 AND kind = $3 AND removed_at IS NULL",
        )
        .bind(kind.entity)
        .bind(id)
        .bind(required)
        .fetch_one(tx.conn())
        .await?;
        if left <= 1 {
            return Err(AppError::invalid(format!(
                "已登记的记录须保留{required_label}：请先上传新的文件，再移除此文件"
            )));
        }
    }
    sqlx::query("UPDATE record_files SET removed_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(file_id)
        .execute(tx.conn())
        .await?;
    let label = label_of(kind.file_kinds, &file_kind);
    tx.record(
        kind.entity,
        id,
        "detach",
        Some(&FileSnap {
            attachment: format!("{label}：{name}"),
            reason: None,
        }),
        Some(&FileSnap {
            attachment: "（已移除）".into(),
            reason: correction,
        }),
    )
    .await?;
    tx.commit().await
}

/// May the actor add a file to this record (checked before the bytes are kept)?
pub async fn check_writable(
    db: &Db,
    actor: &Actor,
    kind: &RecordKind,
    id: i64,
    reason: &str,
) -> Result<(), AppError> {
    actor.require(&[Role::Owner])?;
    let mut conn = db.pool.acquire().await?;
    let (p, h) = read(&mut conn, actor, kind, id).await?;
    if !p.may_write(actor) {
        return Err(AppError::Forbidden);
    }
    if h.status == RecordStatus::Voided {
        return Err(AppError::invalid("该记录已作废，不能再修改"));
    }
    h.correction(reason).map(|_| ())
}

/// A file for download, if the actor may read its project:
/// (file name, content type, sha256).
pub async fn file_for_download(
    db: &Db,
    actor: &Actor,
    file_id: i64,
) -> Result<(String, String, String), AppError> {
    let (filing_id, name, content_type, sha): (i64, String, String, String) = sqlx::query_as(
        "SELECT filing_id, file_name, content_type, sha256 FROM record_files WHERE id = $1",
    )
    .bind(file_id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    project::read(&mut *db.pool.acquire().await?, actor, filing_id).await?;
    Ok((name, content_type, sha))
}

// --- plain-form routes ----------------------------------------------------------

/// What runs after a record's state changed (the features' alert rules).
pub type AfterWrite =
    fn(AppState) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// The routes of every declared record kind: files, submission and void.
pub fn routes(
    upload_limit: usize,
    kinds: &'static [&'static RecordKind],
    after: AfterWrite,
) -> Router<AppState> {
    let find = move |entity: &str| kinds.iter().copied().find(|k| k.entity == entity);
    Router::new()
        .route(
            "/records/{entity}/{id}/files",
            post(
                move |State(st): State<AppState>,
                      acting: Acting,
                      Path((entity, id)): Path<(String, i64)>,
                      form: Multipart| async move {
                    match find(&entity) {
                        Some(k) => upload_file(st, acting, k, id, form).await,
                        None => StatusCode::NOT_FOUND.into_response(),
                    }
                },
            )
            .layer(DefaultBodyLimit::max(upload_limit + 64 * 1024)),
        )
        .route(
            "/records/{entity}/{id}/{action}",
            post(
                move |State(st): State<AppState>,
                      acting: Acting,
                      Path((entity, id, action)): Path<(String, i64, String)>,
                      Form(form): Form<HashMap<String, String>>| async move {
                    match find(&entity) {
                        Some(k) => act(st, acting, k, id, &action, form, after).await,
                        None => StatusCode::NOT_FOUND.into_response(),
                    }
                },
            ),
        )
        .route("/files/records/{id}", get(download))
}

fn back(kind: &RecordKind, id: i64, query: &str, anchor: &str) -> Response {
    Redirect::to(&format!("{}/{id}?{query}#{anchor}", kind.page)).into_response()
}

/// The first message of an error, for the `?error=` of a redirect.
fn message_of(e: &AppError) -> String {
    match e {
        AppError::Invalid { fields, message } => fields
            .values()
            .next()
            .cloned()
            .unwrap_or_else(|| message.clone()),
        other => other.to_string(),
    }
}

async fn act(
    st: AppState,
    acting: Acting,
    kind: &'static RecordKind,
    id: i64,
    action: &str,
    form: HashMap<String, String>,
    after: AfterWrite,
) -> Response {
    let actor = match acting.require(&[Role::Owner]) {
        Ok(a) => a,
        Err(e) => return refusal(e),
    };
    let text = |k: &str| form.get(k).cloned().unwrap_or_default();
    let (result, done, anchor) = match action {
        "submit" => (
            submit(&st.db, &actor, kind, id).await,
            "submitted",
            "actions",
        ),
        "void" => {
            let version = match seen_version(&text("version")) {
                Ok(v) => v,
                Err(e) => return back(kind, id, &error_query(&message_of(&e)), "actions"),
            };
            (
                void(&st.db, &actor, kind, id, &text("void_reason"), version).await,
                "voided",
                "actions",
            )
        }
        "detach" => {
            let Ok(file_id) = text("file_id").parse::<i64>() else {
                return StatusCode::UNPROCESSABLE_ENTITY.into_response();
            };
            (
                detach(&st.db, &actor, kind, id, file_id, &text("reason")).await,
                "detached",
                "files",
            )
        }
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match result {
        Ok(()) => {
            after(st).await;
            back(kind, id, &format!("done={done}"), anchor)
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict)) => back(
            kind,
            id,
            &format!("{}&at={action}", error_query(&message_of(&e))),
            anchor,
        ),
        Err(e) => refusal(e),
    }
}

async fn upload_file(
    st: AppState,
    acting: Acting,
    kind: &'static RecordKind,
    id: i64,
    form: Multipart,
) -> Response {
    let actor = match acting.require(&[Role::Owner]) {
        Ok(a) => a,
        Err(e) => return refusal(e),
    };
    let fail = |m: &str| back(kind, id, &format!("{}&at=files", error_query(m)), "files");
    let up = match upload::read(form, st.settings.upload_max_bytes).await {
        Ok(u) => u,
        Err(e) => return fail(&e.message()),
    };
    let reason = up.fields.get("reason").cloned().unwrap_or_default();
    let file_kind = up.fields.get("kind").cloned().unwrap_or_default();
    // Scope and the correction reason are checked before the bytes are kept.
    match check_writable(&st.db, &actor, kind, id, &reason).await {
        Ok(()) => {}
        Err(e @ AppError::Invalid { .. }) => return fail(&message_of(&e)),
        Err(e) => return refusal(e),
    }
    let kept = match keep(&st.files, up).await {
        Ok(k) => k,
        Err(m) => return fail(m),
    };
    match attach(
        &st.db,
        &actor,
        kind,
        id,
        &file_kind,
        &kept.name,
        kept.content_type,
        kept.size,
        &kept.sha256,
        &reason,
    )
    .await
    {
        Ok(_) => back(kind, id, "done=uploaded", "files"),
        Err(e @ AppError::Invalid { .. }) => fail(&message_of(&e)),
        Err(e) => refusal(e),
    }
}

/// An uploaded file checked by content and stored.
pub struct Kept {
    pub name: String,
    pub content_type: &'static str,
    pub size: usize,
    pub sha256: String,
}

/// Checks an upload's content (PDF, JPEG, PNG) and keeps its bytes, or says
/// why not (for the file field).
pub async fn keep(
    files: &super::storage::FileStore,
    up: upload::Upload,
) -> Result<Kept, &'static str> {
    let content_type =
        sniff(&up.bytes).ok_or("文件内容不是 PDF、JPEG 或 PNG（按文件内容判断，而非扩展名）")?;
    let size = up.bytes.len();
    let sha256 = files
        .put(up.bytes)
        .await
        .map_err(|_| "文件保存失败，请稍后重试")?;
    let name = if up.file_name.is_empty() {
        "附件".to_string()
    } else {
        up.file_name
    };
    Ok(Kept {
        name,
        content_type,
        size,
        sha256,
    })
}

/// The content types accepted, decided from the file's first bytes.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    match infer::get(bytes)?.mime_type() {
        "application/pdf" => Some("application/pdf"),
        "image/jpeg" => Some("image/jpeg"),
        "image/png" => Some("image/png"),
        _ => None,
    }
}

async fn download(State(st): State<AppState>, acting: Acting, Path(id): Path<i64>) -> Response {
    let actor = match acting.require(&[Role::Admin, Role::Supervisor, Role::Owner]) {
        Ok(a) => a,
        Err(e) => return refusal(e),
    };
    let (name, content_type, sha) = match file_for_download(&st.db, &actor, id).await {
        Ok(v) => v,
        Err(e) => return refusal(e),
    };
    inline_file(&st.files, &name, content_type, &sha).await
}

/// A stored file shown inline in the browser (never sniffed as another
/// type, never cached), or the refusal if it cannot be read.
pub async fn inline_file(
    files: &super::storage::FileStore,
    name: &str,
    content_type: String,
    sha: &str,
) -> Response {
    match files.get(sha).await {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, content_type),
                (
                    header::CONTENT_DISPOSITION,
                    crate::kit::export::disposition("inline", name),
                ),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
                (header::CACHE_CONTROL, "private, no-store".into()),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => refusal(e),
    }
}

// --- lists ----------------------------------------------------------------------

/// What a record list is filtered by (the list page's query parameters).
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub q: String,
    /// `draft`, `submitted`, `voided`, `flagged` (has an open alert) or "".
    pub status: String,
    /// One project's records (0: every project in scope).
    pub filing_id: i64,
}

impl ListFilter {
    pub fn parse(q: &str, status: &str, filing_id: i64) -> Self {
        let status = match status {
            "draft" | "submitted" | "voided" | "flagged" => status,
            _ => "",
        };
        Self {
            q: q.to_string(),
            status: status.to_string(),
            filing_id: filing_id.max(0),
        }
    }
}

/// `FROM … WHERE …` of a list of `kind`'s records (alias `r`, with the
/// filing `f`, award `a` and owner unit `o`) in the actor's scope. Binds:
/// `$1..$3` scope, `$4` filing id, `$5` status, `$6` the search pattern
/// over `search` columns; bind them with [`bind_list`].
pub fn list_sql(kind: &RecordKind, search: &[&str]) -> String {
    let like: Vec<String> = ["a.project_name", "a.section_name", "o.name"]
        .iter()
        .chain(search)
        .map(|c| format!("{c} LIKE $6 ESCAPE '\\'"))
        .collect();
    format!(
        "FROM {table} r JOIN filings f ON f.id = r.filing_id JOIN awards a ON a.id = f.award_id
         JOIN units o ON o.id = a.owner_unit_id
         WHERE {scope} AND ($4 = 0 OR r.filing_id = $4)
           AND ($5 = '' OR r.status = $5 OR ($5 = 'flagged' AND EXISTS (SELECT 1 FROM alerts x
                WHERE x.filing_id = r.filing_id AND x.cleared_on IS NULL
                  AND x.subject = '{entity}:' || CAST(r.id AS TEXT))))
           AND ($6 = '' OR {like})",
        table = kind.table,
        scope = project::scope_sql(1),
        entity = kind.entity,
        like = like.join(" OR "),
    )
}

/// Binds [`list_sql`]'s six values.
pub fn bind_list<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    actor: &Actor,
    f: &ListFilter,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let s = project::ScopeBinds::of(actor);
    q.bind(s.mode)
        .bind(s.unit)
        .bind(s.sector)
        .bind(f.filing_id)
        .bind(f.status.clone())
        .bind(super::db::like_pattern(&f.q))
}

/// A list row of a record kind: its id, and where the names of its open
/// alerts go.
pub trait Flagged {
    fn record_id(&self) -> i64;
    fn set_flags(&mut self, names: Vec<String>);
}

/// One page (or all) of `kind`'s records in the actor's scope under
/// `filter`: `columns` over [`list_sql`]'s tables (`r`, `f`, `a`, `o`) map
/// to `T`; each row gets the names (`name_of` a rule code) of its open alerts.
#[allow(clippy::too_many_arguments)]
pub async fn list_page<T>(
    db: &Db,
    actor: &Actor,
    kind: &RecordKind,
    search: &[&str],
    columns: &str,
    order: &str,
    filter: &ListFilter,
    rows: crate::kit::table::Rows,
    name_of: fn(&str) -> &'static str,
) -> Result<crate::kit::table::Page<T>, AppError>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Flagged,
{
    use sqlx::Row;
    actor.require(&[Role::Admin, Role::Supervisor, Role::Owner])?;
    let (limit, offset, page) = rows.window();
    let from = list_sql(kind, search);
    let mut conn = db.pool.acquire().await?;
    let total: i64 = bind_list(
        sqlx::query(&format!("SELECT COUNT(*) AS n {from}")),
        actor,
        filter,
    )
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    let sql = format!("SELECT {columns} {from} ORDER BY {order} LIMIT $7 OFFSET $8");
    let found = bind_list(sqlx::query(&sql), actor, filter)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *conn)
        .await?;
    let mut items = found
        .iter()
        .map(T::from_row)
        .collect::<Result<Vec<T>, _>>()?;
    let ids: Vec<i64> = items.iter().map(Flagged::record_id).collect();
    let flags = open_flags(&mut conn, kind, &ids).await?;
    for item in &mut items {
        if let Some(codes) = flags.get(&item.record_id()) {
            item.set_flags(codes.iter().map(|c| name_of(c).to_string()).collect());
        }
    }
    Ok(crate::kit::table::Page {
        items,
        total,
        page,
        per_page: crate::kit::table::PER_PAGE,
    })
}

/// The total of `column` over the project's submitted records of `kind`
/// dated (by `date_column`) before record `id`: 累计（不含本次）.
pub async fn sum_before(
    conn: &mut AnyConnection,
    kind: &RecordKind,
    column: &str,
    date_column: &str,
    filing_id: i64,
    id: i64,
    day: &str,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT CAST(COALESCE(SUM({column}), 0) AS BIGINT) FROM {table}
         WHERE filing_id = $1 AND status = 'submitted' AND id <> $2
           AND ({date_column} < $3 OR ({date_column} = $4 AND id < $5))",
        table = kind.table
    ))
    .bind(filing_id)
    .bind(id)
    .bind(day)
    .bind(day)
    .bind(id)
    .fetch_one(conn)
    .await?)
}

/// The open alerts about each of `ids` (records of `kind`): id → rule codes.
pub async fn open_flags(
    conn: &mut AnyConnection,
    kind: &RecordKind,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>, AppError> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    // Integers only, so the list is safe to inline.
    let subjects: Vec<String> = ids
        .iter()
        .map(|id| format!("'{}:{id}'", kind.entity))
        .collect();
    let rows: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT subject, kind FROM alerts WHERE cleared_on IS NULL AND subject IN ({}) ORDER BY id",
        subjects.join(", ")
    ))
    .fetch_all(conn)
    .await?;
    for (subject, code) in rows {
        if let Some(id) = subject.rsplit(':').next().and_then(|s| s.parse().ok()) {
            out.entry(id).or_default().push(code);
        }
    }
    Ok(out)
}
