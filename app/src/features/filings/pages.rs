use super::{
    AddMember, Attachment, BackEntryRow, Filing, FilingRow, ProjectOption, RemoveAttachment,
    RemoveMember, RosterMember, SaveFiling, StartFiling, SubmitFiling, back_entry_report,
    get_filing, list_filings, project_options, supervisor_engineers,
};
use crate::{
    domain::{
        ATTACHMENT_KINDS, Fen, FilingStatus, ROSTER_ROLES, Role, SectionKind, TENDER_METHODS,
        label_of, sector_label,
    },
    error::AppError,
    features::audit::ChangeHistory,
    features::awards::{Award, filing_state, list_awards},
    features::shell::ForRole,
    fmt::datetime,
    kit::{
        form::{FormAlert, FormErrors, SelectField, SubmitButton, TextField, successes},
        layout::PageHeader,
        records::ProjectFiguresCard,
        status::Loaded,
        table::{DataTable, ExportLink, FilterBar, Page, Pager, id_param, page_param, text_param},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

fn pairs(list: &[(&'static str, &'static str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(c, l)| (c.to_string(), l.to_string()))
        .collect()
}

fn status_badge(status: FilingStatus) -> AnyView {
    let class = match status {
        FilingStatus::Submitted => "badge badge-ok",
        FilingStatus::Draft => "badge badge-warn",
    };
    view! { <span class=class>{status.label()}</span> }.into_any()
}

fn flags(back_entry: bool, price_flag: bool) -> AnyView {
    view! {
        {back_entry.then(|| view! { <span class="badge badge-info">"补录"</span> })}
        {price_flag.then(|| view! { <span class="badge badge-bad" title="合同价与中标价偏离超过设定比例">"价格偏离"</span> })}
    }
    .into_any()
}

#[component]
pub fn FilingsPage() -> impl IntoView {
    let (q, status, page) = (text_param("q"), text_param("status"), page_param());
    let filings = Resource::new(
        move || (q.get(), status.get(), page.get()),
        |(q, s, p)| list_filings(q, s, p),
    );
    // Made here, not inside ForRole's Suspend: resources created in a
    // resolved Suspend do not hydrate.
    let pending = Resource::new(|| (), |_| list_awards(String::new(), "pending".into(), 1));
    let start = ServerAction::<StartFiling>::new();
    let options = vec![
        ("draft".to_string(), "草稿".to_string()),
        ("submitted".into(), "已备案".into()),
        ("back_entry".into(), "补录".into()),
        ("price_flag".into(), "价格偏离".into()),
    ];
    view! {
        <Title text="合同备案 · 标后履约监管"/>
        <PageHeader title="合同备案（标后基本信息）">
            <ForRole roles=&[Role::Admin, Role::Supervisor]>
                <a class="btn" href="/filings/back-entry">"补录统计"</a>
            </ForRole>
        </PageHeader>
        <ForRole roles=&[Role::Owner]>
            <PendingAwards pending start/>
        </ForRole>
        <FilterBar placeholder="项目、标段、合同编号或单位" select="status" select_label="状态" options all_label="全部状态" export="/export/filings.xlsx"/>
        <Loaded resource=filings children={|page: Page<FilingRow>| {
            let (total, p, pages) = (page.total, page.page, page.pages());
            view! {
                <DataTable
                    columns=vec!["项目 / 标段", "建设单位", "施工单位", "合同编号", "合同价（万元）", "签订日期", "状态"]
                    rows=page.items
                    row=|f: FilingRow| vec![
                        view! {
                            <a href=format!("/filings/{}", f.id)><strong>{f.project_name}</strong><br/><span class="muted">{f.section_name}</span></a>
                            {(f.status == FilingStatus::Submitted).then(|| view! { " " {crate::kit::records::dossier_link(f.id)} })}
                        }.into_any(),
                        f.owner_name.into_any(),
                        f.contractor_name.into_any(),
                        f.contract_no.unwrap_or_else(|| "—".into()).into_any(),
                        view! {
                            <span class="num">{f.contract_price_fen.map(|v| Fen(v).wan()).unwrap_or_else(|| "—".into())}</span>
                            {(f.revised_price_fen != f.contract_price_fen).then(|| view! {
                                <br/><span class="muted" title="含已批准变更">"修订 " {f.revised_price_fen.map(|v| Fen(v.max(0)).wan())}</span>
                            })}
                        }.into_any(),
                        f.signed_on.unwrap_or_else(|| "—".into()).into_any(),
                        view! { <div class="cell-actions">{status_badge(f.status)} {flags(f.back_entry, f.price_flag)}</div> }.into_any(),
                    ]
                    empty="暂无备案"
                />
                <Pager total page=p pages/>
            }
        }}/>
    }
}

/// The owner's awarded sections that still wait for filing (待备案).
#[component]
fn PendingAwards(
    pending: Resource<Result<Page<Award>, AppError>>,
    start: ServerAction<StartFiling>,
) -> impl IntoView {
    view! {
        <section class="card pending">
            <h2>"待备案的中标项目"</h2>
            <FormAlert errors=FormErrors::of(start)/>
            <Loaded resource=pending children={move |page: Page<Award>| {
                let more = page.total > page.items.len() as i64;
                view! {
                    <DataTable
                        columns=vec!["项目 / 标段", "中标单位", "中标价（万元）", "中标通知书日期", "状态", "操作"]
                        rows=page.items
                        row=move |a: Award| vec![
                            view! { <div><strong>{a.project_name.clone()}</strong><br/><span class="muted">{a.section_name.clone()}</span></div> }.into_any(),
                            a.contractor_name.clone().into_any(),
                            view! { <span class="num">{Fen(a.award_price_fen).wan()}</span> }.into_any(),
                            a.award_date.clone().into_any(),
                            filing_state(&a),
                            match a.filing_id {
                                Some(id) => view! { <a class="btn btn-small" href=format!("/filings/{id}")>"继续备案"</a> }.into_any(),
                                None => view! {
                                    <ActionForm action=start attr:class="inline">
                                        <input type="hidden" name="award_id" value=a.id/>
                                        <button type="submit" class="btn btn-small btn-primary">"开始备案"</button>
                                    </ActionForm>
                                }.into_any(),
                            },
                        ]
                        empty="没有待备案的项目"
                    />
                    {more.then(|| view! { <p><a href="/awards?status=pending">"查看全部待备案项目"</a></p> })}
                }
            }}/>
        </section>
    }
}

#[component]
pub fn FilingPage() -> impl IntoView {
    let id = id_param();
    let save = ServerAction::<SaveFiling>::new();
    let submit = ServerAction::<SubmitFiling>::new();
    let add = ServerAction::<AddMember>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let detach = ServerAction::<RemoveAttachment>::new();
    let (s1, s2, s3, s4, s5) = (
        successes(save),
        successes(submit),
        successes(add),
        successes(remove),
        successes(detach),
    );
    let version = Signal::derive(move || s1.get() + s2.get() + s3.get() + s4.get() + s5.get());
    let filing = Resource::new(move || (id.get(), version.get()), |(id, _)| get_filing(id));
    let engineers = Resource::new(|| (), |_| supervisor_engineers());
    let (saved, submitted, uploaded, upload_error) = (
        text_param("saved"),
        text_param("submitted"),
        text_param("uploaded"),
        text_param("error"),
    );
    view! {
        <Title text="合同备案 · 标后履约监管"/>
        <PageHeader title="合同备案">
            <a class="btn" href=move || format!("/filings/{}/areas", id.get())>"考勤区域"</a>
            <a class="btn" href=move || format!("/attendance?filing_id={}", id.get())>"考勤统计"</a>
            <a class="btn" href=move || format!("/changes?filing_id={}", id.get())>"项目变更"</a>
            <a class="btn" href=move || format!("/payments?filing_id={}", id.get())>"资金拨付"</a>
            <a class="btn" href=move || format!("/progress/{}", id.get())>"工程进度"</a>
            <a class="btn" href=move || format!("/personnel?filing_id={}", id.get())>"人员变更"</a>
            <a class="btn" href="/filings">"返回列表"</a>
        </PageHeader>
        <Show when=move || saved.get() == "1"><div class="alert alert-ok" role="status">"已保存"</div></Show>
        <Show when=move || submitted.get() == "1"><div class="alert alert-ok" role="status">"已提交备案"</div></Show>
        <Loaded resource=filing children={move |f: Filing| {
            let engineers = engineers;
            let submitted = f.status == FilingStatus::Submitted;
            let editable = f.editable;
            view! {
                <AwardSummary f=f.clone()/>
                <section class="card">
                    <h2>"合同信息"</h2>
                    {if editable {
                        view! { <ContractForm f=f.clone() action=save engineers/> }.into_any()
                    } else {
                        view! { <ContractFacts f=f.clone()/> }.into_any()
                    }}
                </section>
                <Roster f=f.clone() add remove/>
                <Attachments f=f.clone() detach uploaded upload_error/>
                {(editable && !submitted).then(|| view! {
                    <section class="card">
                        <h2>"提交备案"</h2>
                        <p class="hint">{format!(
                            "提交前须保存合同信息、名单中有{}，并上传合同扫描件和中标通知书。提交后修改为更正，须填写原因，每一版都留痕。",
                            label_of(&ROSTER_ROLES, f.award.section_kind.lead_role())
                        )}</p>
                        <ActionForm action=submit attr:class="form">
                            <FormAlert errors=FormErrors::of(submit)/>
                            <input type="hidden" name="id" value=f.id/>
                            <div class="form-actions"><SubmitButton label="提交备案" pending=submit.pending()/></div>
                        </ActionForm>
                    </section>
                })}
            }
        }}/>
        <ProjectFiguresCard filing_id=id/>
        <ChangeHistory entity="filing" id version/>
    }
}

#[component]
fn AwardSummary(f: Filing) -> impl IntoView {
    let a = f.award;
    view! {
        <section class="card summary">
            <div class="summary-head">
                <h2>{a.project_name} " · " {a.section_name}</h2>
                <div>{status_badge(f.status)} {flags(f.back_entry, f.price_flag)}</div>
            </div>
            <dl class="facts">
                <dt>"项目 / 标段编号"</dt><dd><code>{a.project_code} " / " {a.section_code}</code></dd>
                <dt>"建设单位"</dt><dd>{a.owner_name}</dd>
                <dt>"标段类型"</dt><dd>{a.section_kind.label()}</dd>
                <dt>{if a.section_kind == SectionKind::Supervision { "中标单位（监理单位）" } else { "中标单位" }}</dt><dd>{a.contractor_name}</dd>
                <dt>"中标价"</dt><dd>{Fen(a.award_price_fen).yuan()} " 元"</dd>
                <dt>"中标通知书日期"</dt><dd>{a.award_date}</dd>
                <dt>"招标方式 / 行业"</dt><dd>{label_of(&TENDER_METHODS, &a.tender_method)} " / " {sector_label(&a.sector)}</dd>
                {f.submitted_at.map(|t| view! { <dt>"提交备案时间"</dt><dd>{datetime(t)}</dd> })}
            </dl>
        </section>
    }
}

#[component]
fn ContractFacts(f: Filing) -> impl IntoView {
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    view! {
        <dl class="facts">
            <dt>"合同编号"</dt><dd>{or_dash(f.contract_no)}</dd>
            <dt>"签订日期"</dt><dd>{or_dash(f.signed_on)}</dd>
            <dt>"合同价"</dt><dd>{f.contract_price_fen.map(|v| format!("{} 元", Fen(v).yuan())).unwrap_or_else(|| "—".into())}</dd>
            <dt>"工期"</dt><dd>{f.duration_days.map(|d| format!("{d} 天")).unwrap_or_else(|| "—".into())}</dd>
            <dt>"计划开工 / 竣工"</dt><dd>{or_dash(f.planned_start)} " / " {or_dash(f.planned_completion)}</dd>
            <dt>"付款方式"</dt><dd class="pre">{or_dash(f.payment_terms)}</dd>
            <dt>"监理单位"</dt><dd>{or_dash(f.supervisor_engineer_name)}</dd>
            <dt>"备注"</dt><dd class="pre">{or_dash(f.remarks)}</dd>
        </dl>
    }
}

#[component]
fn ContractForm(
    f: Filing,
    action: ServerAction<SaveFiling>,
    engineers: Resource<Result<Vec<(i64, String)>, AppError>>,
) -> impl IntoView {
    let errors = FormErrors::of(action);
    let submitted = f.status == FilingStatus::Submitted;
    let se = f
        .supervisor_engineer_unit_id
        .map(|v| v.to_string())
        .unwrap_or_default();
    view! {
        <ActionForm action attr:class="form" attr:novalidate=true>
            <FormAlert errors/>
            <input type="hidden" name="id" value=f.id/>
            <input type="hidden" name="version" value=f.version/>
            <div class="form-grid">
                <TextField label="合同编号" name="contract_no" errors value=f.contract_no.unwrap_or_default() required=true maxlength=50/>
                <TextField label="合同签订日期" name="signed_on" errors value=f.signed_on.unwrap_or_default() input_type="date" required=true
                    hint="不早于中标通知书日期，不晚于今天"/>
                <TextField label="合同价（元）" name="contract_price" errors value=f.contract_price_fen.map(|v| Fen(v).plain()).unwrap_or_default()
                    required=true maxlength=20 hint="如 12345678.90" input_mode="decimal"/>
                <TextField label="工期（日历天）" name="duration_days" errors value=f.duration_days.map(|d| d.to_string()).unwrap_or_default()
                    required=true maxlength=4 input_mode="numeric" hint="含开工当日，须与计划日期一致"/>
                <TextField label="计划开工日期" name="planned_start" errors value=f.planned_start.unwrap_or_default() input_type="date" required=true/>
                <TextField label="计划竣工日期" name="planned_completion" errors value=f.planned_completion.unwrap_or_default() input_type="date" required=true/>
            </div>
            <TextField label="付款方式" name="payment_terms" errors value=f.payment_terms.unwrap_or_default() required=true maxlength=500
                hint="如：预付款 10%，按月进度款 80%，结算后付至 97%，质保金 3%"/>
            // A supervision contract's winner is the supervising engineer unit.
            {(f.award.section_kind != SectionKind::Supervision).then(|| view! {
                <Transition fallback=|| ()>
                    {move || {
                        let se = se.clone();
                        Suspend::new(async move {
                            let options = engineers.await.unwrap_or_default().into_iter().map(|(id, n)| (id.to_string(), n)).collect();
                            view! {
                                <SelectField label="监理单位" name="supervisor_engineer_unit_id" errors options value=se
                                    placeholder="（无监理或暂未确定）" hint="列表中没有时，请联系管理员登记该监理单位"/>
                            }
                        })
                    }}
                </Transition>
            })}
            <TextField label="备注" name="remarks" errors value=f.remarks.unwrap_or_default() maxlength=500/>
            {submitted.then(|| view! {
                <TextField label="更正原因" name="reason" errors required=true maxlength=200 hint="已备案的信息修改为更正，原因记入变更记录"/>
            })}
            <div class="form-actions">
                <SubmitButton label=if submitted { "保存更正" } else { "保存" } pending=action.pending()/>
            </div>
        </ActionForm>
    }
}

#[component]
fn Roster(
    f: Filing,
    add: ServerAction<AddMember>,
    remove: ServerAction<RemoveMember>,
) -> impl IntoView {
    let errors = FormErrors::of(add);
    let remove_errors = FormErrors::of(remove);
    let submitted = f.status == FilingStatus::Submitted;
    let (editable, filing_id) = (f.editable, f.id);
    let added = move || add.value().get().and_then(Result::ok);
    // The lead the section's kind needs before submission.
    let roster_empty = match f.award.section_kind {
        SectionKind::Construction => "尚未添加关键人员（须有项目经理）",
        SectionKind::Supervision => "尚未添加关键人员（须有总监理工程师）",
        SectionKind::SurveyDesign | SectionKind::Other => "尚未添加关键人员（须有项目负责人）",
    };
    view! {
        <section class="card" id="roster">
            <h2>"关键人员名单"</h2>
            // After filing, a key person leaves by a recorded replacement
            // (reason, consent, penalties; the roster is dated from it).
            {(editable && submitted).then(|| view! {
                <p class="hint">"备案后更换关键人员，请 "
                    <a href=format!("/personnel/new?filing_id={filing_id}")>"登记人员变更"</a>
                    "（原因、建设单位同意文件、处罚措施），名单自生效日起变更。"</p>
            })}
            <FormAlert errors=remove_errors/>
            <DataTable
                columns=vec!["岗位", "姓名", "身份证号", "手机号", "注册证书编号", "登录名", ""]
                rows=f.roster
                row=move |m: RosterMember| vec![
                    label_of(&ROSTER_ROLES, &m.role).into_any(),
                    view! { <span>{m.name}{m.joined_on.map(|d| view! { <br/><small class="muted">{d} " 起"</small> })}</span> }.into_any(),
                    view! { <code>{m.id_number}</code> }.into_any(),
                    m.mobile.into_any(),
                    (if m.cert_no.is_empty() { "—".to_string() } else { m.cert_no }).into_any(),
                    m.username.into_any(),
                    editable.then(|| view! {
                        <ActionForm action=remove attr:class="inline">
                            <input type="hidden" name="filing_id" value=filing_id/>
                            <input type="hidden" name="member_id" value=m.id/>
                            {submitted.then(|| view! { <input name="reason" placeholder="移出原因" maxlength=200 aria-label="移出原因" required/> })}
                            <button type="submit" class="btn btn-small btn-danger">"移出"</button>
                        </ActionForm>
                    }).into_any(),
                ]
                empty=roster_empty
            />
            {move || added().map(|msg| view! { <div class="alert alert-ok" role="status">{msg}</div> })}
            {editable.then(|| view! {
                <details class="add-member" open=true>
                    <summary>"添加关键人员"</summary>
                    <ActionForm action=add attr:class="form" attr:novalidate=true>
                        <FormAlert errors/>
                        <input type="hidden" name="filing_id" value=filing_id/>
                        <div class="form-grid">
                            <SelectField label="岗位" name="role" errors options=pairs(&ROSTER_ROLES) placeholder="请选择" required=true/>
                            <TextField label="姓名" name="name" errors required=true maxlength=20/>
                            <TextField label="身份证号" name="id_number" errors required=true maxlength=18 autocomplete="off" hint="18 位，按 GB 11643 校验"/>
                            <TextField label="手机号" name="mobile" errors required=true maxlength=13 input_type="tel" hint="本人用此号登录打卡"/>
                            <TextField label="注册证书编号" name="cert_no" errors maxlength=40 hint="项目经理、总监理工程师必填"/>
                            {submitted.then(|| view! { <TextField label="更正原因" name="reason" errors required=true maxlength=200/> })}
                        </div>
                        <div class="form-actions"><SubmitButton label="添加" pending=add.pending()/></div>
                    </ActionForm>
                </details>
            })}
        </section>
    }
}

#[component]
fn Attachments(
    f: Filing,
    detach: ServerAction<RemoveAttachment>,
    uploaded: Memo<String>,
    upload_error: Memo<String>,
) -> impl IntoView {
    let submitted = f.status == FilingStatus::Submitted;
    let (editable, filing_id) = (f.editable, f.id);
    view! {
        <section class="card" id="attachments">
            <h2>"附件"</h2>
            <FormAlert errors=FormErrors::of(detach)/>
            <DataTable
                columns=vec!["类型", "文件", "大小", "上传时间", ""]
                rows=f.attachments
                row=move |a: Attachment| vec![
                    label_of(&ATTACHMENT_KINDS, &a.kind).into_any(),
                    view! { <a href=format!("/files/attachments/{}", a.id) target="_blank" rel="noopener">{a.file_name}</a> }.into_any(),
                    format!("{:.1} KB", a.size_bytes as f64 / 1024.0).into_any(),
                    datetime(a.created_at).into_any(),
                    editable.then(|| view! {
                        <ActionForm action=detach attr:class="inline">
                            <input type="hidden" name="filing_id" value=filing_id/>
                            <input type="hidden" name="attachment_id" value=a.id/>
                            {submitted.then(|| view! { <input name="reason" placeholder="移除原因" maxlength=200 aria-label="移除原因" required/> })}
                            <button type="submit" class="btn btn-small btn-danger">"移除"</button>
                        </ActionForm>
                    }).into_any(),
                ]
                empty="尚未上传附件（须有合同扫描件和中标通知书）"
            />
            <Show when=move || uploaded.get() == "1"><div class="alert alert-ok" role="status">"已上传"</div></Show>
            {editable.then(|| view! {
                <form class="form" method="post" action=format!("/filings/{filing_id}/attachments") enctype="multipart/form-data">
                    <div class="form-grid">
                        <div class="field">
                            <label for="f-kind">"附件类型" <span class="req" aria-hidden="true">"*"</span></label>
                            <select id="f-kind" name="kind" required>
                                {ATTACHMENT_KINDS.iter().map(|(c, l)| view! { <option value=*c>{*l}</option> }).collect_view()}
                            </select>
                        </div>
                        <div class="field" class:has-error=move || !upload_error.get().is_empty()>
                            <label for="f-file">"文件" <span class="req" aria-hidden="true">"*"</span></label>
                            <input id="f-file" type="file" name="file" required accept="application/pdf,image/jpeg,image/png" aria-describedby="f-file-err"/>
                            <p class="hint">"PDF、JPEG 或 PNG，按文件内容校验"</p>
                            <p class="field-error" id="f-file-err" role="alert">{move || upload_error.get()}</p>
                        </div>
                        {submitted.then(|| view! {
                            <div class="field">
                                <label for="f-upload-reason">"更正原因" <span class="req" aria-hidden="true">"*"</span></label>
                                <input id="f-upload-reason" name="reason" required maxlength=200/>
                            </div>
                        })}
                    </div>
                    <div class="form-actions"><button type="submit" class="btn btn-primary">"上传"</button></div>
                </form>
            })}
        </section>
    }
}

#[component]
pub fn BackEntryPage() -> impl IntoView {
    let report = Resource::new(|| (), |_| back_entry_report());
    view! {
        <Title text="补录统计 · 标后履约监管"/>
        <PageHeader title="补录统计">
            <ExportLink href="/export/back-entry.xlsx"/>
            <a class="btn" href="/filings">"合同备案"</a>
        </PageHeader>
        <p class="hint">"2022 年 6 月 30 日以后的中标项目，按建设单位统计已备案和未备案的数量；补录指上线前签订、上线后备案的合同。"</p>
        <Loaded resource=report children={|rows: Vec<BackEntryRow>| view! {
            <DataTable
                columns=vec!["建设单位", "中标项目", "已备案", "未备案", "其中补录"]
                rows
                row=|r: BackEntryRow| vec![
                    r.owner_name.into_any(),
                    r.awards.into_any(),
                    r.filed.into_any(),
                    view! { <span class:bad={r.unfiled > 0}>{r.unfiled}</span> }.into_any(),
                    r.back_entries.into_any(),
                ]
                empty="范围内没有 2022-06-30 以后的中标项目"
            />
        }}/>
    }
}

/// A select of filed projects in the user's scope: the only projects that
/// the later modules (changes, payments, progress, attendance…) may use.
#[component]
pub fn ProjectPicker(
    /// Form field name (the value is the filing id).
    #[prop(default = "filing_id")]
    name: &'static str,
    #[prop(optional, into)] value: String,
) -> impl IntoView {
    let projects = Resource::new(|| (), |_| project_options());
    view! {
        <Transition fallback=|| view! { <select disabled=true><option>"加载中…"</option></select> }>
            {move || {
                let value = value.clone();
                Suspend::new(async move {
                    let list = projects.await.unwrap_or_default();
                    view! {
                        <select name=name id=format!("f-{name}") required=true>
                            <option value="">{if list.is_empty() { "（没有已备案的项目）" } else { "请选择已备案项目" }}</option>
                            {list.into_iter().map(|p: ProjectOption| {
                                let sel = p.id.to_string() == value;
                                view! { <option value=p.id selected=sel>{p.label}</option> }
                            }).collect_view()}
                        </select>
                    }
                })
            }}
        </Transition>
    }
}
