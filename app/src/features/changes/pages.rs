use super::{Change, ChangeRow, SaveChange, get_change, list_changes};
use crate::{
    domain::{
        Fen, RecordStatus, Role, label_of,
        records::{
            APPROVER_LEVELS, CHANGE_FILE_KINDS, CHANGE_KINDS, RESPONSIBILITIES, signed_yuan,
        },
    },
    features::{audit::ChangeHistory, filings::project_options, shell::ForRole},
    kit::{
        form::{FormAlert, FormErrors, SelectField, SubmitButton, TextArea, TextField},
        layout::PageHeader,
        records::{
            FiguresCard, ProjectFiguresCard, ProjectSelect, RecordActions, RecordFiles,
            RecordNotice, delta_cell, filing_param, flag_badges, record_status_options,
            signed_plain, status_badge,
        },
        status::Loaded,
        table::{DataTable, FilterBar, Page, Pager, id_param, page_param, text_param},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

fn pairs(list: &[(&'static str, &'static str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(c, l)| (c.to_string(), l.to_string()))
        .collect()
}

#[component]
pub fn ChangesPage() -> impl IntoView {
    let (q, status, page, filing) = (
        text_param("q"),
        text_param("status"),
        page_param(),
        filing_param(),
    );
    let list = Resource::new(
        move || (q.get(), status.get(), filing.get(), page.get()),
        |(q, s, f, p)| list_changes(q, s, f, p),
    );
    view! {
        <Title text="项目变更 · 标后履约监管"/>
        <PageHeader title="项目变更">
            <ForRole roles=&[Role::Owner]>
                <a class="btn btn-primary" href=move || match filing.get() { 0 => "/changes/new".to_string(), f => format!("/changes/new?filing_id={f}") }>"登记变更"</a>
            </ForRole>
        </PageHeader>
        <Show when=move || filing.get() != 0>
            <ProjectFiguresCard filing_id=filing/>
        </Show>
        <FilterBar placeholder="项目、标题或批准文号" select="status" select_label="状态" options=record_status_options() all_label="全部状态" export="/export/changes.xlsx"/>
        <Loaded resource=list children={|page: Page<ChangeRow>| {
            let (total, p, pages) = (page.total, page.page, page.pages());
            view! {
                <DataTable
                    columns=vec!["项目 / 标段", "变更", "变更金额（元）", "工期（天）", "批准文号 / 日期", "状态"]
                    rows=page.items
                    row=|c: ChangeRow| vec![
                        view! { <div><a href=format!("/changes?filing_id={}", c.filing_id)>{c.project}</a> {crate::kit::records::dossier_link(c.filing_id)}<br/><span class="muted">{c.owner_name}</span></div> }.into_any(),
                        view! { <div><a href=format!("/changes/{}", c.id)><strong>{c.title}</strong></a><br/><span class="muted">{label_of(&CHANGE_KINDS, &c.kind)}</span></div> }.into_any(),
                        delta_cell(c.price_delta_fen),
                        view! { <span class="num">{if c.days_delta > 0 { format!("+{}", c.days_delta) } else { c.days_delta.to_string() }}</span> }.into_any(),
                        view! { <div>{c.approval_no}<br/><span class="muted nowrap">{c.approved_on}</span></div> }.into_any(),
                        view! { <div class="cell-actions">{status_badge(c.status)} {flag_badges(c.flags)}</div> }.into_any(),
                    ]
                    empty="暂无变更记录"
                />
                <Pager total page=p pages/>
            }
        }}/>
    }
}

#[component]
pub fn ChangeNewPage() -> impl IntoView {
    let save = ServerAction::<SaveChange>::new();
    let filing = text_param("filing_id");
    let projects = Resource::new(|| (), |_| project_options());
    view! {
        <Title text="登记变更 · 标后履约监管"/>
        <PageHeader title="登记项目变更">
            <a class="btn" href="/changes">"返回列表"</a>
        </PageHeader>
        <ForRole roles=&[Role::Owner]>
            <section class="card">
                <p class="hint">"先保存为草稿，再上传变更批准文件并提交登记；登记后计入修订后合同价和计划竣工日期。"</p>
                <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
                    {move || Suspend::new(async move {
                        let options = projects.await.unwrap_or_default().into_iter().map(|p| (p.id, p.label)).collect();
                        view! { <ChangeForm action=save change=None filing=filing.get_untracked() options/> }
                    })}
                </Transition>
            </section>
        </ForRole>
    }
}

#[component]
fn ChangeForm(
    action: ServerAction<SaveChange>,
    change: Option<Change>,
    #[prop(optional)] filing: String,
    #[prop(optional)] options: Vec<(i64, String)>,
) -> impl IntoView {
    let errors = FormErrors::of(action);
    let c = change.clone();
    let get = move |f: fn(&Change) -> String| c.as_ref().map(f).unwrap_or_default();
    let submitted = change
        .as_ref()
        .is_some_and(|c| c.status == RecordStatus::Submitted);
    let id = change.as_ref().map(|c| c.id).unwrap_or(0);
    let version = change
        .as_ref()
        .map(|c| c.version.to_string())
        .unwrap_or_default();
    let filing_value = change
        .as_ref()
        .map(|c| c.filing_id.to_string())
        .unwrap_or(filing);
    view! {
        <ActionForm action attr:class="form" attr:novalidate=true>
            <FormAlert errors/>
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="version" value=version/>
            {if id == 0 {
                view! { <ProjectSelect options value=filing_value errors/> }.into_any()
            } else {
                view! { <input type="hidden" name="filing_id" value=filing_value/> }.into_any()
            }}
            <div class="form-grid">
                <SelectField label="变更类型" name="kind" errors options=pairs(&CHANGE_KINDS) value=get(|c| c.kind.clone()) placeholder="请选择" required=true/>
                <TextField label="变更标题" name="title" errors value=get(|c| c.title.clone()) required=true maxlength=100/>
                <SelectField label="责任方" name="responsibility" errors options=pairs(&RESPONSIBILITIES) value=get(|c| c.responsibility.clone()) placeholder="请选择" required=true/>
                <TextField label="变更金额（元）" name="price_delta" errors value=get(|c| signed_plain(c.price_delta_fen)) required=true maxlength=20
                    input_mode="decimal" hint="增加为正，核减为负，无变化填 0"/>
                <TextField label="工期变化（天）" name="days_delta" errors value=get(|c| c.days_delta.to_string()) required=true maxlength=6
                    hint="延长为正，缩短为负，无变化填 0"/>
                <TextField label="审批机关" name="approver" errors value=get(|c| c.approver.clone()) required=true maxlength=100/>
                <SelectField label="审批层级" name="approver_level" errors options=pairs(&APPROVER_LEVELS) value=get(|c| c.approver_level.clone()) placeholder="请选择" required=true
                    hint="单项 50 万元以上的变更须经上级主管部门或县政府审批"/>
                <TextField label="批准文号" name="approval_no" errors value=get(|c| c.approval_no.clone()) required=true maxlength=60 hint="如 平教基〔2025〕45号"/>
                <TextField label="批准日期" name="approved_on" errors value=get(|c| c.approved_on.clone()) input_type="date" required=true hint="不早于合同签订日期，不晚于今天"/>
            </div>
            <TextArea label="变更内容" name="content" errors value=get(|c| c.content.clone()) required=true maxlength=2000/>
            <TextArea label="变更原因" name="cause" errors value=get(|c| c.cause.clone()) required=true maxlength=1000 rows=2/>
            {submitted.then(|| view! {
                <TextField label="更正原因" name="reason" errors required=true maxlength=200 hint="已登记的变更修改为更正，原因记入变更记录"/>
            })}
            <div class="form-actions">
                <SubmitButton label=if submitted { "保存更正" } else if id == 0 { "保存草稿" } else { "保存" } pending=action.pending()/>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn ChangePage() -> impl IntoView {
    let id = id_param();
    let save = ServerAction::<SaveChange>::new();
    let change = Resource::new(move || id.get(), get_change);
    view! {
        <Title text="项目变更 · 标后履约监管"/>
        <PageHeader title="项目变更">
            <a class="btn" href="/changes">"返回列表"</a>
        </PageHeader>
        <RecordNotice/>
        <Loaded resource=change children={move |c: Change| {
            let total = c.prior_fen + c.price_delta_fen;
            view! {
                <section class="card summary">
                    <div class="summary-head">
                        <h2>{c.title.clone()}</h2>
                        <div>{status_badge(c.status)} {flag_badges(c.flags.clone())}</div>
                    </div>
                    <div class="stats">
                        <div class="stat"><strong class="num">{Fen(c.contract_price_fen).wan()}</strong><span>"原合同价（万元）"</span></div>
                        <div class="stat"><strong class="num">{crate::domain::records::signed_wan(c.prior_fen)}</strong><span>"累计变更（不含本次，万元）"</span></div>
                        <div class="stat stat-key"><strong class="num">{crate::domain::records::signed_wan(c.price_delta_fen)}</strong><span>"本次（万元）"</span></div>
                        <div class="stat"><strong class="num">{crate::domain::records::signed_wan(total)}</strong><span>"累计（含本次，万元）"</span></div>
                        <div class="stat"><strong class="num">{format!("{:.2}%", c.share_pct())}</strong><span>"累计占原合同价"</span></div>
                    </div>
                    <dl class="facts">
                        <dt>"项目"</dt>
                        <dd>
                            <a href=format!("/filings/{}", c.filing_id)>{c.project.clone()}</a>
                            " · " <a href=format!("/changes?filing_id={}", c.filing_id)>"本项目全部变更"</a>
                        </dd>
                        <dt>"变更类型 / 责任方"</dt><dd>{label_of(&CHANGE_KINDS, &c.kind)} " / " {label_of(&RESPONSIBILITIES, &c.responsibility)}</dd>
                        <dt>"变更金额"</dt><dd>{signed_yuan(c.price_delta_fen)} " 元"</dd>
                        <dt>"工期变化"</dt><dd>{c.days_delta} " 天"</dd>
                        <dt>"审批"</dt><dd>{c.approver.clone()} "（" {label_of(&APPROVER_LEVELS, &c.approver_level)} "） " {c.approval_no.clone()} " · " {c.approved_on.clone()}</dd>
                        <dt>"变更内容"</dt><dd class="pre">{c.content.clone()}</dd>
                        <dt>"变更原因"</dt><dd class="pre">{c.cause.clone()}</dd>
                        {c.void_reason.clone().map(|r| view! { <dt>"作废原因"</dt><dd class="bad">{r}</dd> })}
                    </dl>
                </section>
                {c.editable.then(|| view! {
                    <section class="card">
                        <h2>{if c.status == RecordStatus::Submitted { "更正" } else { "编辑草稿" }}</h2>
                        <ChangeForm action=save change=Some(c.clone())/>
                    </section>
                })}
                <RecordFiles entity="change" id=c.id files=c.files.clone() kinds=&CHANGE_FILE_KINDS status=c.status editable=c.editable/>
                {c.editable.then(|| view! {
                    <RecordActions entity="change" id=c.id version=c.version status=c.status required="变更批准文件" has_required=c.has_approval()/>
                })}
                <FiguresCard figures=c.figures.clone()/>
            }
        }}/>
        <ChangeHistory entity="change" id/>
    }
}
