//! The record kit's pieces on the page, for every project record (changes,
//! payments, …): the project's money figures, the record's files with their
//! upload form, and its submit and void forms. Files, submit and void are
//! plain HTML forms posted to `platform::records` routes, so they work the
//! same with and without JavaScript; the outcome comes back in the URL
//! (`?done=…`, or `?error=…&at=…`).
use crate::{
    domain::{Fen, ProjectFigures, RecordStatus, records::PAYMENT_KINDS, records::signed_yuan},
    error::AppError,
    fmt::datetime,
    kit::table::{DataTable, text_param},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A file attached to a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordFile {
    pub id: i64,
    pub kind: String,
    pub kind_label: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub created_at: i64,
}

/// The project's money and dates today, for any page about it.
#[server(endpoint = "projects/figures")]
pub async fn load_project_figures(filing_id: i64) -> Result<ProjectFigures, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        let mut conn = st.db.pool.acquire().await?;
        let p = crate::platform::project::read(&mut conn, &actor, filing_id).await?;
        // A draft filing has no contract money to show yet.
        if !p.is_submitted() {
            return Err(AppError::NotFound);
        }
        crate::platform::project::figures(&mut conn, &p, crate::platform::time::today()).await
    })
}

fn pct_text(v: f64) -> String {
    format!("{v:.1}%")
}

/// 合同金额: original price, approved changes, revised price and completion,
/// paid by kind and the balance, as county approval forms show them.
#[component]
pub fn FiguresCard(figures: ProjectFigures) -> impl IntoView {
    let f = figures;
    let over = f.balance_fen() < 0;
    let days = f.change_days;
    let kinds = f
        .paid_by_kind
        .iter()
        .filter(|(_, v)| *v > 0)
        .map(|(k, v)| {
            let label = crate::domain::label_of(&PAYMENT_KINDS, k);
            view! { <li>{label} " " <span class="num">{Fen(*v).wan()}</span> " 万元"</li> }
        })
        .collect_view();
    view! {
        <section class="card figures" aria-label="合同金额">
            <h2>"合同金额与拨付" <span class="muted">{f.label.clone()}</span></h2>
            <div class="stats">
                <div class="stat"><strong class="num">{Fen(f.contract_price_fen).wan()}</strong><span>"原合同价（万元）"</span></div>
                <div class="stat"><strong class="num">{crate::domain::records::signed_wan(f.change_fen)}</strong><span>{format!("已批准变更 {} 项（万元）", f.change_count)}</span></div>
                <div class="stat"><strong class="num">{pct_text(f.change_pct())}</strong><span>"累计变更占原合同价"</span></div>
                <div class="stat stat-key"><strong class="num">{Fen(f.revised_fen().max(0)).wan()}</strong><span>"修订后合同价（万元）"</span></div>
                <div class="stat"><strong class="num">{Fen(f.paid_fen).wan()}</strong><span>{format!("累计拨付 {} 笔（万元）", f.payment_count)}</span></div>
                <div class="stat" class:stat-bad=over><strong class="num">{pct_text(f.paid_pct())}</strong><span>"拨付占修订后合同价"</span></div>
                <div class="stat" class:stat-bad=over><strong class="num">{Fen(f.balance_fen().abs()).wan()}</strong><span>{if over { "超付（万元）" } else { "未付余额（万元）" }}</span></div>
            </div>
            <dl class="facts">
                <dt>"计划竣工"</dt><dd>{f.planned_completion.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"修订后计划竣工"</dt>
                <dd>
                    <strong>{f.revised_completion.clone().unwrap_or_else(|| "—".into())}</strong>
                    {(days != 0).then(|| format!("（工期变更 {}{} 天）", if days > 0 { "+" } else { "" }, days))}
                </dd>
                <dt>"按类型拨付"</dt><dd><ul class="inline-list">{kinds}</ul></dd>
                {(f.open_alerts > 0).then(|| view! {
                    <dt>"未消除预警"</dt><dd><a href="/alerts" class="bad">{f.open_alerts} " 条"</a></dd>
                })}
            </dl>
        </section>
    }
}

/// The way from any list to the project's file (一项目一档).
pub fn dossier_link(filing_id: i64) -> AnyView {
    view! {
        <a class="dossier-link" href=format!("/projects/{filing_id}") title="项目档案" aria-label="项目档案">"档案"</a>
    }
    .into_any()
}

/// The figures of one project, loaded for pages keyed by a filing id.
#[component]
pub fn ProjectFiguresCard(#[prop(into)] filing_id: Signal<i64>) -> impl IntoView {
    let figures = Resource::new(move || filing_id.get(), load_project_figures);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                figures.await.ok().map(|f| view! { <FiguresCard figures=f/> })
            })}
        </Transition>
    }
}

pub fn status_badge(status: RecordStatus) -> AnyView {
    view! { <span class=status.badge()>{status.label()}</span> }.into_any()
}

/// A money delta with its sign, coloured.
pub fn delta_cell(fen: i64) -> AnyView {
    view! { <span class="num" class:delta-up={fen > 0} class:delta-down={fen < 0}>{signed_yuan(fen)}</span> }
        .into_any()
}

/// `?error=` of a failed plain post, if it came from the form `at`.
pub fn error_at(at: &'static str) -> Signal<String> {
    let (error, from) = (text_param("error"), text_param("at"));
    Signal::derive(move || {
        if from.get() == at {
            error.get()
        } else {
            String::new()
        }
    })
}

/// "已上传", "已提交" …: the outcome of the last plain post.
#[component]
pub fn RecordNotice() -> impl IntoView {
    let done = text_param("done");
    let text = move || match done.get().as_str() {
        "saved" => "已保存",
        "uploaded" => "已上传",
        "detached" => "已移除",
        "submitted" => "已提交登记",
        "voided" => "已作废",
        "objected" => "已提出异议",
        _ => "",
    };
    view! {
        <Show when=move || !text().is_empty()>
            <div class="alert alert-ok" role="status">{text}</div>
        </Show>
    }
}

/// The record's files, and (for its owner) the upload and remove forms.
#[component]
pub fn RecordFiles(
    entity: &'static str,
    id: i64,
    files: Vec<RecordFile>,
    kinds: &'static [(&'static str, &'static str)],
    status: RecordStatus,
    editable: bool,
    /// The first kind is required before submission (false: all optional).
    #[prop(default = true)]
    required: bool,
) -> impl IntoView {
    let submitted = status == RecordStatus::Submitted;
    let editable = editable && status != RecordStatus::Voided;
    let error = error_at("files");
    let detach_error = error_at("detach");
    let hint = if required {
        format!("PDF、JPEG 或 PNG，按文件内容校验；登记前须有{}", kinds[0].1)
    } else {
        "PDF、JPEG 或 PNG，按文件内容校验".to_string()
    };
    view! {
        <section class="card" id="files">
            <h2>"附件"</h2>
            <Show when=move || !detach_error.get().is_empty()>
                <div class="alert alert-error" role="alert">{move || detach_error.get()}</div>
            </Show>
            <DataTable
                columns=vec!["类型", "文件", "大小", "上传时间", ""]
                rows=files
                row=move |f: RecordFile| vec![
                    f.kind_label.into_any(),
                    view! { <a href=format!("/files/records/{}", f.id) target="_blank" rel="noopener">{f.file_name}</a> }.into_any(),
                    format!("{:.1} KB", f.size_bytes as f64 / 1024.0).into_any(),
                    datetime(f.created_at).into_any(),
                    editable.then(|| view! {
                        <form class="inline" method="post" action=format!("/records/{entity}/{id}/detach")>
                            <input type="hidden" name="file_id" value=f.id/>
                            {submitted.then(|| view! { <input name="reason" placeholder="移除原因" maxlength=200 aria-label="移除原因" required/> })}
                            <button type="submit" class="btn btn-small btn-danger">"移除"</button>
                        </form>
                    }).into_any(),
                ]
                empty="尚未上传附件"
            />
            {editable.then(|| view! {
                <form class="form" method="post" action=format!("/records/{entity}/{id}/files") enctype="multipart/form-data">
                    <div class="form-grid">
                        <div class="field">
                            <label for="f-file-kind">"附件类型" <span class="req" aria-hidden="true">"*"</span></label>
                            <select id="f-file-kind" name="kind" required>
                                {kinds.iter().map(|(c, l)| view! { <option value=*c>{*l}</option> }).collect_view()}
                            </select>
                        </div>
                        <div class="field" class:has-error=move || !error.get().is_empty()>
                            <label for="f-file">"文件" <span class="req" aria-hidden="true">"*"</span></label>
                            <input id="f-file" type="file" name="file" required accept="application/pdf,image/jpeg,image/png" aria-describedby="f-file-err"/>
                            <p class="hint">{hint.clone()}</p>
                            <p class="field-error" id="f-file-err" role="alert">{move || error.get()}</p>
                        </div>
                        {submitted.then(|| view! {
                            <div class="field">
                                <label for="f-upload-reason">"更正原因" <span class="req" aria-hidden="true">"*"</span></label>
                                <input id="f-upload-reason" name="reason" required maxlength=200/>
                            </div>
                        })}
                    </div>
                    <div class="form-actions"><button type="submit" class="btn">"上传"</button></div>
                </form>
            })}
        </section>
    }
}

/// Submit (a draft) and void (with a reason) for the record's owner.
#[component]
pub fn RecordActions(
    entity: &'static str,
    id: i64,
    version: i64,
    status: RecordStatus,
    /// The document submission needs ("变更批准文件").
    required: &'static str,
    has_required: bool,
    /// Offer submission here (false: the page has its own submit form).
    #[prop(default = true)]
    submit: bool,
) -> impl IntoView {
    let submit_error = error_at("submit");
    let void_error = error_at("void");
    view! {
        <section class="card" id="actions">
            {(submit && status == RecordStatus::Draft).then(|| view! {
                <h2>"提交登记"</h2>
                <p class="hint">{format!("草稿不计入合同金额和拨付合计。上传{required}后提交登记；登记后修改为更正，须填写原因，每一版都留痕。")}</p>
                <Show when=move || !submit_error.get().is_empty()>
                    <div class="alert alert-error" role="alert">{move || submit_error.get()}</div>
                </Show>
                <form class="form" method="post" action=format!("/records/{entity}/{id}/submit")>
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary" disabled=!has_required>"提交登记"</button>
                        {(!has_required).then(|| view! { <span class="hint">{format!("尚未上传{required}")}</span> })}
                    </div>
                </form>
            })}
            <details class="void" open=move || !void_error.get().is_empty()>
                <summary>"作废此记录"</summary>
                <form class="form" method="post" action=format!("/records/{entity}/{id}/void")>
                    <input type="hidden" name="version" value=version/>
                    <div class="field" class:has-error=move || !void_error.get().is_empty()>
                        <label for="f-void_reason">"作废原因" <span class="req" aria-hidden="true">"*"</span></label>
                        <input id="f-void_reason" name="void_reason" required maxlength=200 aria-describedby="f-void_reason-err"/>
                        <p class="hint">"作废的记录保留可查，但不再计入合计和预警。"</p>
                        <p class="field-error" id="f-void_reason-err" role="alert">{move || void_error.get()}</p>
                    </div>
                    <div class="form-actions"><button type="submit" class="btn btn-danger">"作废"</button></div>
                </form>
            </details>
        </section>
    }
}

/// The `filing_id` query parameter (0 when absent): a record list of one project.
pub fn filing_param() -> Memo<i64> {
    let raw = text_param("filing_id");
    Memo::new(move |_| raw.get().parse().unwrap_or(0))
}

/// The names of the open alerts about a record, as red badges.
pub fn flag_badges(flags: Vec<String>) -> AnyView {
    flags
        .into_iter()
        .map(|f| view! { <span class="badge badge-bad">{f}</span> })
        .collect_view()
        .into_any()
}

/// Status choices of a record list's filter.
pub fn record_status_options() -> Vec<(String, String)> {
    vec![
        ("draft".into(), "草稿".into()),
        ("submitted".into(), "已登记".into()),
        ("voided".into(), "已作废".into()),
        ("flagged".into(), "有预警".into()),
    ]
}

/// A signed amount as an edit form starts with it (`-1200.00`).
pub fn signed_plain(fen: i64) -> String {
    if fen < 0 {
        format!("-{}", Fen(-fen).plain())
    } else {
        Fen(fen).plain()
    }
}

/// The project of a new record: filed projects the user may write, as
/// (filing id, label). The page loads them (a resource made at its top).
#[component]
pub fn ProjectSelect(
    options: Vec<(i64, String)>,
    #[prop(into)] value: String,
    errors: crate::kit::form::FormErrors,
) -> impl IntoView {
    let err = errors.field("filing_id");
    let value = errors.submitted("filing_id").unwrap_or(value);
    let empty = options.is_empty();
    view! {
        <div class="field" class:has-error=move || err().is_some()>
            <label for="f-filing_id">"项目" <span class="req" aria-hidden="true">"*"</span></label>
            <select id="f-filing_id" name="filing_id" required aria-describedby="f-filing_id-err">
                <option value="">{if empty { "（没有已备案的项目）" } else { "请选择已备案项目" }}</option>
                {options.into_iter().map(|(id, label)| {
                    let sel = id.to_string() == value;
                    view! { <option value=id selected=sel>{label}</option> }
                }).collect_view()}
            </select>
            <p class="hint">"只能选择本单位已提交备案的项目"</p>
            <p class="field-error" id="f-filing_id-err">{err}</p>
        </div>
    }
}
