use super::{
    ChangeRow, PersonnelChange, RosterDay, SaveChange, SubmitChange, get_change, list_changes,
    replaceable_members, roster_on,
};
use crate::{
    domain::{
        Fen, ROSTER_ROLES, RecordStatus, Role, label_of,
        records::{PERSONNEL_FILE_KINDS, PERSONNEL_REASONS},
    },
    features::{audit::ChangeHistory, filings::project_options, shell::ForRole},
    kit::{
        form::{FormAlert, FormErrors, SelectField, SubmitButton, TextField},
        layout::PageHeader,
        records::{
            RecordActions, RecordFiles, RecordNotice, filing_param, flag_badges,
            record_status_options, status_badge,
        },
        status::Loaded,
        table::{DataTable, FilterBar, Page, Pager, id_param, options, page_param, text_param},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PersonnelPage() -> impl IntoView {
    let (q, status, page, filing) = (
        text_param("q"),
        text_param("status"),
        page_param(),
        filing_param(),
    );
    let on = text_param("on");
    let list = Resource::new(
        move || (q.get(), status.get(), filing.get(), page.get()),
        |(q, s, f, p)| list_changes(q, s, f, p),
    );
    let roster = Resource::new(
        move || (filing.get(), on.get()),
        |(f, d)| async move {
            if f == 0 || d.is_empty() {
                Ok(None)
            } else {
                roster_on(f, d).await.map(Some)
            }
        },
    );
    view! {
        <Title text="人员变更 · 标后履约监管"/>
        <PageHeader title="人员变更">
            <ForRole roles=&[Role::Owner]>
                <a class="btn btn-primary" href=move || match filing.get() { 0 => "/personnel/new".to_string(), f => format!("/personnel/new?filing_id={f}") }>"登记人员变更"</a>
            </ForRole>
        </PageHeader>
        <p class="hint">"项目经理、总监理工程师等关键人员的更换：自生效日起原人员不能再在该项目打卡、不再计考勤，接替人员自当日起计考勤。"</p>
        <Show when=move || filing.get() != 0>
            <section class="card" aria-label="某日在岗名单">
                <h2>"某日名单"</h2>
                <form method="get" action="/personnel" class="filters">
                    <input type="hidden" name="filing_id" value=move || filing.get()/>
                    <label for="roster-day">"日期"</label>
                    <input id="roster-day" type="date" name="on" value=move || on.get()/>
                    <button type="submit" class="btn">"查询当日名单"</button>
                </form>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match roster.await {
                            Ok(Some(r)) => view! { <RosterOnDay r/> }.into_any(),
                            Ok(None) => ().into_any(),
                            Err(e) => view! { <p class="field-error" role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </Show>
        <FilterBar placeholder="项目、原人员或接替人员" select="status" select_label="状态" options=record_status_options() all_label="全部状态" export="/export/personnel.xlsx"/>
        <Loaded resource=list children={|page: Page<ChangeRow>| {
            let (total, p, pages) = (page.total, page.page, page.pages());
            view! {
                <DataTable
                    columns=vec!["生效日期", "项目 / 标段", "岗位", "原人员 → 接替人员", "原因", "处罚", "状态"]
                    rows=page.items
                    row=|r: ChangeRow| { let penalties = r.penalties(); vec![
                        view! { <a class="nowrap" href=format!("/personnel/{}", r.id)><strong>{r.effective_on}</strong></a> }.into_any(),
                        view! { <div><a href=format!("/personnel?filing_id={}", r.filing_id)>{r.project}</a> {crate::kit::records::dossier_link(r.filing_id)}<br/><span class="muted">{r.owner_name}</span></div> }.into_any(),
                        label_of(&ROSTER_ROLES, &r.role).into_any(),
                        format!("{} → {}", r.leaving, r.new_name).into_any(),
                        label_of(&PERSONNEL_REASONS, &r.reason).into_any(),
                        penalties.into_any(),
                        view! { <div class="cell-actions">{status_badge(r.status)} {flag_badges(r.flags)}</div> }.into_any(),
                    ] }
                    empty="暂无人员变更"
                />
                <Pager total page=p pages/>
            }
        }}/>
    }
}

#[component]
fn RosterOnDay(r: RosterDay) -> impl IntoView {
    view! {
        <p>{r.project.clone()} " · " <strong>{r.day.clone()}</strong> " 在岗名单"</p>
        <DataTable
            columns=vec!["岗位", "姓名", "进入名单", "离开名单"]
            rows=r.members
            row=|m: super::RosterEntry| vec![
                m.role.into_any(),
                m.name.into_any(),
                m.joined_on.into_any(),
                m.left_on.unwrap_or_else(|| "—".into()).into_any(),
            ]
            empty="当日名单为空"
        />
    }
}

#[component]
pub fn PersonnelNewPage() -> impl IntoView {
    let save = ServerAction::<SaveChange>::new();
    let filing = filing_param();
    let projects = Resource::new(|| (), |_| project_options());
    let members = Resource::new(
        move || filing.get(),
        |f| async move {
            if f == 0 {
                Ok(Vec::new())
            } else {
                replaceable_members(f).await
            }
        },
    );
    view! {
        <Title text="登记人员变更 · 标后履约监管"/>
        <PageHeader title="登记人员变更">
            <a class="btn" href="/personnel">"返回列表"</a>
        </PageHeader>
        <ForRole roles=&[Role::Owner] forbidden=true>
            <section class="card">
                <form method="get" action="/personnel/new" class="form">
                    <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
                        {move || Suspend::new(async move {
                            let list = projects.await.unwrap_or_default();
                            let chosen = filing.get_untracked();
                            view! {
                                <div class="field">
                                    <label for="f-project">"项目"</label>
                                    <select id="f-project" name="filing_id" onchange="this.form.submit()">
                                        <option value="">"请选择已备案项目"</option>
                                        {list.into_iter().map(|p| view! { <option value=p.id selected=p.id == chosen>{p.label}</option> }).collect_view()}
                                    </select>
                                </div>
                            }
                        })}
                    </Transition>
                    <noscript><button type="submit" class="btn">"选择项目"</button></noscript>
                </form>
            </section>
            <Show when=move || filing.get() != 0>
                <section class="card">
                    <p class="hint">"先保存为草稿，再上传建设单位同意更换的文件并提交；提交后原人员自生效日起不能在本项目打卡，接替人员获得打卡账号。"</p>
                    <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
                        {move || Suspend::new(async move {
                            let choices = members.await.unwrap_or_default().into_iter().map(|m| (m.id.to_string(), m.label)).collect();
                            view! { <ChangeFields action=save change=None filing=filing.get_untracked() choices/> }
                        })}
                    </Transition>
                </section>
            </Show>
        </ForRole>
    }
}

#[component]
fn ChangeFields(
    action: ServerAction<SaveChange>,
    change: Option<PersonnelChange>,
    #[prop(optional)] filing: i64,
    #[prop(optional)] choices: Vec<(String, String)>,
) -> impl IntoView {
    let errors = FormErrors::of(action);
    let c = change.clone();
    let get = move |f: fn(&PersonnelChange) -> String| c.as_ref().map(f).unwrap_or_default();
    let submitted = change
        .as_ref()
        .is_some_and(|c| c.status == RecordStatus::Submitted);
    let id = change.as_ref().map(|c| c.id).unwrap_or(0);
    let version = change
        .as_ref()
        .map(|c| c.version.to_string())
        .unwrap_or_default();
    let filing_id = change.as_ref().map(|c| c.filing_id).unwrap_or(filing);
    let member = change
        .as_ref()
        .map(|c| c.member_id.to_string())
        .unwrap_or_default();
    let (interview, censure) = change
        .as_ref()
        .map(|c| (c.interview, c.censure))
        .unwrap_or_default();
    view! {
        <ActionForm action attr:class="form" attr:novalidate=true>
            <FormAlert errors/>
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="version" value=version/>
            <input type="hidden" name="filing_id" value=filing_id/>
            {if id == 0 {
                view! { <SelectField label="被更换人员" name="member_id" errors options=choices value=member placeholder="请选择名单中的人员" required=true hint="接替人员担任同一岗位"/> }.into_any()
            } else {
                view! { <input type="hidden" name="member_id" value=member/> }.into_any()
            }}
            <fieldset>
                <legend>"接替人员"</legend>
                <div class="form-grid">
                    <TextField label="姓名" name="new_name" errors value=get(|c| c.new_name.clone()) required=true maxlength=20 readonly=submitted/>
                    <TextField label="身份证号" name="new_id_number" errors value=get(|c| c.new_id_number.clone()) required=true maxlength=18 readonly=submitted/>
                    <TextField label="手机号" name="new_mobile" errors value=get(|c| c.new_mobile.clone()) required=true maxlength=11 input_mode="tel" readonly=submitted hint="作为打卡登录名"/>
                    <TextField label="注册证书编号" name="new_cert_no" errors value=get(|c| c.new_cert_no.clone()) maxlength=40 hint="项目经理、总监理工程师须有；未填写将预警"/>
                </div>
            </fieldset>
            <div class="form-grid">
                <SelectField label="变更原因" name="reason" errors options=options(&PERSONNEL_REASONS) value=get(|c| c.reason.clone()) placeholder="请选择" required=true/>
                <TextField label="原因说明" name="reason_text" errors value=get(|c| c.reason_text.clone().unwrap_or_default()) maxlength=200 hint="原因为“其他”时必填"/>
                <TextField label="生效日期" name="effective_on" errors value=get(|c| c.effective_on.clone()) input_type="date" required=true hint="自该日起原人员不再计考勤，不晚于今天"/>
            </div>
            <fieldset>
                <legend>"处罚措施"</legend>
                <div class="form-grid">
                    <TextField label="罚款（元）" name="fine" errors value=get(|c| if c.fine_fen > 0 { Fen(c.fine_fen).plain() } else { String::new() }) maxlength=20 input_mode="decimal"/>
                    <TextField label="信用扣分" name="credit_points" errors value=get(|c| if c.credit_points > 0 { c.credit_points.to_string() } else { String::new() }) maxlength=3 input_mode="numeric"/>
                    <TextField label="其他处罚" name="penalty_other" errors value=get(|c| c.penalty_other.clone().unwrap_or_default()) maxlength=200/>
                </div>
                <label class="check"><input type="checkbox" name="interview" value="1" checked=interview/>" 约谈"</label>
                <label class="check"><input type="checkbox" name="censure" value="1" checked=censure/>" 通报批评"</label>
            </fieldset>
            {submitted.then(|| view! {
                <TextField label="更正原因" name="correction" errors required=true maxlength=200 hint="已生效的变更修改为更正，原因记入变更记录"/>
            })}
            <div class="form-actions">
                <SubmitButton label=if submitted { "保存更正" } else if id == 0 { "保存草稿" } else { "保存" } pending=action.pending()/>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn PersonnelChangePage() -> impl IntoView {
    let id = id_param();
    let save = ServerAction::<SaveChange>::new();
    let submit = ServerAction::<SubmitChange>::new();
    let change = Resource::new(
        move || (id.get(), submit.version().get()),
        |(id, _)| get_change(id),
    );
    let submitted = move || submit.value().get().and_then(Result::ok);
    view! {
        <Title text="人员变更 · 标后履约监管"/>
        <PageHeader title="人员变更">
            <a class="btn" href="/personnel">"返回列表"</a>
        </PageHeader>
        <RecordNotice/>
        <Show when=move || submitted().is_some()>
            <div class="alert alert-ok" role="status">"已提交，名单已更新。" {move || submitted().unwrap_or_default()}</div>
        </Show>
        <Loaded resource=change children={move |c: PersonnelChange| {
            let role = label_of(&ROSTER_ROLES, &c.role);
            view! {
                <section class="card summary">
                    <div class="summary-head">
                        <h2>{role} "更换 · " {c.effective_on.clone()} " 起"</h2>
                        <div>{status_badge(c.status)} {flag_badges(c.flags.clone())}</div>
                    </div>
                    <dl class="facts">
                        <dt>"项目"</dt><dd><a href=format!("/personnel?filing_id={}", c.filing_id)>{c.project.clone()}</a></dd>
                        <dt>"原人员"</dt><dd>{c.leaving.clone()} <span class="muted">{format!("（{} 起在名单）", c.leaving_since)}</span></dd>
                        <dt>"接替人员"</dt><dd>{c.new_name.clone()} " · " {c.new_id_number.clone()} " · " {c.new_mobile.clone()}</dd>
                        <dt>"注册证书编号"</dt><dd>{if c.new_cert_no.is_empty() { "未填写".to_string() } else { c.new_cert_no.clone() }}</dd>
                        <dt>"变更原因"</dt><dd>{label_of(&PERSONNEL_REASONS, &c.reason)} {c.reason_text.clone().map(|t| format!("：{t}"))}</dd>
                        <dt>"处罚措施"</dt><dd>{c.penalties()}</dd>
                        {c.void_reason.clone().map(|r| view! { <dt>"作废原因"</dt><dd class="bad">{r}</dd> })}
                    </dl>
                </section>
                {c.editable.then(|| view! {
                    <section class="card">
                        <h2>{if c.status == RecordStatus::Submitted { "更正" } else { "编辑草稿" }}</h2>
                        <ChangeFields action=save change=Some(c.clone())/>
                    </section>
                })}
                <RecordFiles entity="personnel_change" id=c.id files=c.files.clone() kinds=&PERSONNEL_FILE_KINDS status=c.status editable=c.editable/>
                {(c.editable && c.status == RecordStatus::Draft).then(|| {
                    let errors = FormErrors::of(submit);
                    let has = c.has_consent();
                    view! {
                        <section class="card" id="submit">
                            <h2>"提交"</h2>
                            <p class="hint">"提交后原人员自生效日起离开名单，接替人员加入名单并开通打卡账号（初始密码只显示一次）。已生效的变更不能作废，只能更正。"</p>
                            <ActionForm action=submit attr:class="form">
                                <FormAlert errors/>
                                <input type="hidden" name="id" value=c.id/>
                                <div class="form-actions">
                                    <SubmitButton label="提交变更" pending=submit.pending()/>
                                    {(!has).then(|| view! { <span class="hint">"尚未上传建设单位同意更换文件"</span> })}
                                </div>
                            </ActionForm>
                        </section>
                        <RecordActions entity="personnel_change" id=c.id version=c.version status=c.status required="建设单位同意更换文件" has_required=has submit=false/>
                    }
                })}
            }
        }}/>
        <ChangeHistory entity="personnel_change" id/>
    }
}
