use super::{
    ApiToken, Award, ImportReport, IssueToken, RevokeToken, get_import, list_awards, list_imports,
    list_tokens,
};
use crate::{
    domain::Role,
    domain::{Fen, TENDER_METHODS, label_of, sector_label},
    features::filings::StartFiling,
    features::shell::ForRole,
    fmt::datetime,
    kit::{
        form::{FormAlert, FormErrors, SubmitButton, TextField},
        layout::PageHeader,
        status::Loaded,
        table::{DataTable, FilterBar, Page, Pager, id_param, page_param, text_param},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

fn status_options() -> Vec<(String, String)> {
    vec![
        ("pending".into(), "待备案".into()),
        ("filed".into(), "已备案".into()),
    ]
}

/// "已备案", "草稿", or "待备案 · 12 天" for an award.
pub fn filing_state(a: &Award) -> AnyView {
    match a.filing_status.as_deref() {
        Some("submitted") => view! { <span class="badge badge-ok">"已备案"</span> }.into_any(),
        Some(_) => {
            view! { <span class="badge badge-warn">"草稿 · " {a.days_since_award} " 天"</span> }
                .into_any()
        }
        None => {
            view! { <span class="badge badge-warn">"待备案 · " {a.days_since_award} " 天"</span> }
                .into_any()
        }
    }
}

#[component]
pub fn AwardsPage() -> impl IntoView {
    let (q, status, page) = (text_param("q"), text_param("status"), page_param());
    let corrected = text_param("corrected");
    let start = ServerAction::<StartFiling>::new();
    let awards = Resource::new(
        move || (q.get(), status.get(), page.get()),
        |(q, s, p)| list_awards(q, s, p),
    );
    view! {
        <Title text="中标项目 · 标后履约监管"/>
        <PageHeader title="中标项目">
            <ForRole roles=&[Role::Admin]>
                <a class="btn btn-primary" href="/awards/import">"导入中标数据"</a>
                <a class="btn" href="/admin/api-tokens">"接口令牌"</a>
            </ForRole>
        </PageHeader>
        <FormAlert errors=FormErrors::of(start)/>
        <Show when=move || corrected.get() == "1">
            <div class="alert alert-ok" role="status">"中标信息已更正，更正及其原因已留痕。"</div>
        </Show>
        <FilterBar placeholder="项目、标段、编号或建设单位" select="status" select_label="备案状态" options=status_options() all_label="全部" export="/export/awards.xlsx"/>
        <Loaded resource=awards children={move |page: Page<Award>| {
            let (total, p, pages) = (page.total, page.page, page.pages());
            view! {
                <DataTable
                    columns=vec!["项目 / 标段", "建设单位", "中标单位", "中标价（万元）", "中标通知书日期", "招标方式 / 行业", "备案"]
                    rows=page.items
                    row=move |a: Award| {
                        let action = match (a.filing_id, a.can_file) {
                            (Some(id), _) => view! { <a href=format!("/filings/{id}")>"查看备案"</a> }.into_any(),
                            (None, true) => view! {
                                <ActionForm action=start attr:class="inline">
                                    <input type="hidden" name="award_id" value=a.id/>
                                    <button type="submit" class="btn btn-small btn-primary">"开始备案"</button>
                                </ActionForm>
                            }.into_any(),
                            (None, false) => ().into_any(),
                        };
                        vec![
                            view! { <div><strong>{a.project_name.clone()}</strong><br/><span class="muted">{a.section_name.clone()} " · " <code>{a.project_code.clone()} "/" {a.section_code.clone()}</code></span></div> }.into_any(),
                            a.owner_name.clone().into_any(),
                            a.contractor_name.clone().into_any(),
                            view! { <span class="num">{Fen(a.award_price_fen).wan()}</span> }.into_any(),
                            a.award_date.clone().into_any(),
                            format!("{} / {}", label_of(&TENDER_METHODS, &a.tender_method), sector_label(&a.sector)).into_any(),
                            {
                                let correct = format!("/awards/{}/correct", a.id);
                                view! { <div class="cell-actions">{filing_state(&a)} {action}
                                    <ForRole roles=&[Role::Admin]><a class="btn btn-small" href=correct.clone()>"更正"</a></ForRole></div> }.into_any()
                            },
                        ]
                    }
                    empty="没有符合条件的中标项目"
                />
                <Pager total page=p pages/>
            }
        }}/>
    }
}

#[component]
pub fn AwardImportPage() -> impl IntoView {
    let error = text_param("error");
    let imports = Resource::new(|| (), |_| list_imports());
    view! {
        <Title text="导入中标数据 · 标后履约监管"/>
        <PageHeader title="导入中标数据">
            <a class="btn" href="/awards">"中标项目"</a>
        </PageHeader>
        <ForRole roles=&[Role::Admin] forbidden=true>
        <section class="card">
            <form class="form" method="post" action="/awards/import" enctype="multipart/form-data">
                <div class="field" class:has-error=move || !error.get().is_empty()>
                    <label for="f-file">"CSV 或 XLSX 文件" <span class="req" aria-hidden="true">"*"</span></label>
                    <input id="f-file" type="file" name="file" required accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" aria-describedby="f-file-err"/>
                    <p class="hint">"第一行为列名；同一项目编号 + 标段编号再次导入时更新原记录，不会重复。"</p>
                    <p class="field-error" id="f-file-err">{move || error.get()}</p>
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary">"上传并导入"</button>
                    <a class="btn" href="/samples/awards.xlsx" download>"下载 XLSX 样例"</a>
                    <a class="btn" href="/samples/awards.csv" download>"下载 CSV 样例"</a>
                </div>
            </form>
        </section>
        <section class="card">
            <h2>"列说明"</h2>
            <DataTable
                columns=vec!["列名", "要求"]
                rows=vec![
                    ("项目编号 / 标段编号", "1–40 位字母、数字或 - _ . /；二者一起唯一确定一条中标记录"),
                    ("项目名称 / 标段名称", "必填，最多 100 字"),
                    ("招标人统一社会信用代码", "18 位，须为系统中已登记的建设单位"),
                    ("中标人统一社会信用代码", "18 位，须为系统中已登记的施工或监理单位"),
                    ("中标价（元）", "大于 0，最多两位小数，可带千分位逗号"),
                    ("中标通知书日期", "如 2025-03-18 或 2025/3/18，不晚于今天"),
                    ("招标方式", "公开招标、邀请招标、竞争性谈判、竞争性磋商、询价、单一来源、其他"),
                    ("行业", "住建、交通、水利、农业农村、其他"),
                ]
                row=|(c, r): (&'static str, &'static str)| vec![c.into_any(), r.into_any()]
            />
            <p class="hint">"其他列（如招标人名称）会被忽略。有问题的行逐行列出原因，其余行照常导入；一行要么整行导入，要么不导入。"</p>
        </section>
        <section class="card">
            <h2>"最近的导入"</h2>
            <Loaded resource=imports children={|list: Vec<ImportReport>| view! {
                <DataTable
                    columns=vec!["时间", "文件", "新增", "更新", "未变", "有误", "导入人"]
                    rows=list
                    row=|r: ImportReport| vec![
                        view! { <a href=format!("/awards/imports/{}", r.id)>{datetime(r.created_at)}</a> }.into_any(),
                        r.file_name.into_any(),
                        r.created.into_any(),
                        r.updated.into_any(),
                        r.unchanged.into_any(),
                        r.failed.into_any(),
                        r.imported_by.into_any(),
                    ]
                    empty="尚未导入过"
                />
            }}/>
        </section>
        </ForRole>
    }
}

#[component]
pub fn ImportReportPage() -> impl IntoView {
    let id = id_param();
    let report = Resource::new(move || id.get(), get_import);
    view! {
        <Title text="导入结果 · 标后履约监管"/>
        <PageHeader title="导入结果">
            <a class="btn" href="/awards/import">"继续导入"</a>
            <a class="btn" href="/awards">"中标项目"</a>
        </PageHeader>
        <Loaded resource=report children={|r: ImportReport| {
            let ok = r.problems.is_empty();
            view! {
                <section class="card">
                    <p>{r.file_name.clone()} " · " {r.format.to_uppercase()} " · " {datetime(r.created_at)} " · " {r.imported_by.clone()}</p>
                    <div class="stats">
                        <div class="stat"><strong>{r.total_rows}</strong><span>"数据行"</span></div>
                        <div class="stat stat-ok"><strong>{r.created}</strong><span>"新增"</span></div>
                        <div class="stat"><strong>{r.updated}</strong><span>"更新"</span></div>
                        <div class="stat"><strong>{r.unchanged}</strong><span>"未变"</span></div>
                        <div class="stat" class:stat-bad=!ok><strong>{r.failed}</strong><span>"有误未导入"</span></div>
                    </div>
                    {ok.then(|| view! { <div class="alert alert-ok" role="status">"全部行已导入"</div> })}
                </section>
                {(!ok).then(|| view! {
                    <section class="card">
                        <h2>"有问题的行"</h2>
                        <DataTable
                            columns=vec!["行号", "列", "原因"]
                            rows=r.problems
                            row=|p: super::Problem| vec![
                                p.line.into_any(),
                                (if p.column.is_empty() { "—".to_string() } else { p.column }).into_any(),
                                p.reason.into_any(),
                            ]
                        />
                    </section>
                })}
            }
        }}/>
    }
}

#[component]
pub fn ApiTokensPage() -> impl IntoView {
    let issue = ServerAction::<IssueToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(
        move || (issue.version().get(), revoke.version().get()),
        |_| list_tokens(),
    );
    let errors = FormErrors::of(issue);
    let issued = move || issue.value().get().and_then(Result::ok);
    view! {
        <Title text="接口令牌 · 标后履约监管"/>
        <PageHeader title="接口令牌">
            <ForRole roles=&[Role::Admin]>
                <a class="btn" href="/api/v1/openapi.json">"接口文档（OpenAPI）"</a>
            </ForRole>
        </PageHeader>
        <ForRole roles=&[Role::Admin] forbidden=true>
        <section class="card">
            <p class="hint">"交易平台以 " <code>"Authorization: Bearer 令牌"</code> " 调用 " <code>"POST /api/v1/awards"</code> " 推送中标数据。令牌只在签发时显示一次，系统只保存其摘要。"</p>
            <ActionForm action=issue attr:class="form form-inline" attr:novalidate=true>
                <FormAlert errors/>
                <TextField label="用途" name="name" errors required=true maxlength=40 placeholder="如：县交易平台生产环境"/>
                <div class="form-actions"><SubmitButton label="签发令牌" pending=issue.pending()/></div>
            </ActionForm>
            {move || issued().map(|t| view! {
                <div class="alert alert-ok token-once" role="status">
                    "新令牌（请立即复制保存，离开本页后无法再次查看）："
                    <code class="token">{t}</code>
                </div>
            })}
        </section>
        <Loaded resource=tokens children={move |list: Vec<ApiToken>| view! {
            <DataTable
                columns=vec!["用途", "尾号", "签发时间", "最近使用", "状态", "操作"]
                rows=list
                row=move |t: ApiToken| vec![
                    t.name.into_any(),
                    view! { <code>"…" {t.hint}</code> }.into_any(),
                    datetime(t.created_at).into_any(),
                    t.last_used_at.map(datetime).unwrap_or_else(|| "—".into()).into_any(),
                    match t.revoked_at {
                        Some(at) => view! { <span class="badge">"已吊销 " {datetime(at)}</span> }.into_any(),
                        None => view! { <span class="badge badge-ok">"有效"</span> }.into_any(),
                    },
                    t.revoked_at.is_none().then(|| view! {
                        <ActionForm action=revoke attr:class="inline">
                            <input type="hidden" name="id" value=t.id/>
                            <button type="submit" class="btn btn-small btn-danger">"吊销"</button>
                        </ActionForm>
                    }).into_any(),
                ]
                empty="尚未签发令牌"
            />
        }}/>
        </ForRole>
    }
}
