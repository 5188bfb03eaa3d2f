use super::{
    ContractorProject, ContractorRecord, ContractorRow, OrderRow, PersonAttendance, ReplacementRow,
    get_contractor, list_contractors,
};
use crate::{
    domain::{Fen, ROSTER_ROLES, SECTORS, evaluation::Grade, label_of, records::PERSONNEL_REASONS},
    features::{evaluations::EvalRow, personnel::penalties_text},
    kit::{
        layout::PageHeader,
        status::Loaded,
        table::{DataTable, id_param, text_param},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

fn grade_cell(code: Option<&str>) -> AnyView {
    match code.and_then(Grade::parse) {
        Some(g) => view! { <span class=g.badge()>{g.label()}</span> }.into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
}

#[component]
pub fn ContractorsPage() -> impl IntoView {
    let q = text_param("q");
    let list = Resource::new(move || q.get(), list_contractors);
    view! {
        <Title text="履约档案 · 标后履约监管"/>
        <PageHeader title="施工单位履约档案"/>
        <p class="hint">"各施工（监理）单位在本县的项目、考评等级、人员更换与处罚、督办：发布通报、信用评价时的依据。"</p>
        <Form method="GET" action="" attr:class="filters">
            <input type="search" name="q" placeholder="单位名称" value=q.get_untracked() maxlength=50 aria-label="搜索"/>
            <button type="submit" class="btn">"查询"</button>
        </Form>
        <Loaded resource=list children={|rows: Vec<ContractorRow>| view! {
            <DataTable
                columns=vec!["单位", "项目", "考评", "平均分", "不合格", "人员更换", "罚款（元）", "未办结督办"]
                rows
                row=|r: ContractorRow| vec![
                    view! { <a href=format!("/contractors/{}", r.unit_id)><strong>{r.name.clone()}</strong></a> }.into_any(),
                    r.projects.into_any(),
                    r.evaluations.into_any(),
                    r.average.map_or("—".to_string(), |a| format!("{a:.1}")).into_any(),
                    view! { <span class:bad={r.fails > 0}>{r.fails}</span> }.into_any(),
                    r.replacements.into_any(),
                    Fen(r.fines_fen).yuan().into_any(),
                    r.open_orders.into_any(),
                ]
                empty="暂无施工单位"
            />
        }}/>
    }
}

#[component]
pub fn ContractorPage() -> impl IntoView {
    let id = id_param();
    let record = Resource::new(move || id.get(), get_contractor);
    view! {
        <Title text="履约档案 · 标后履约监管"/>
        <Loaded resource=record children={|r: ContractorRecord| view! { <Record r/> }}/>
    }
}

#[component]
fn Record(r: ContractorRecord) -> impl IntoView {
    let (good, pass, fail) = r.grades;
    let fines: i64 = r.replacements.iter().map(|x| x.fine_fen).sum();
    let points: i64 = r.replacements.iter().map(|x| x.credit_points).sum();
    view! {
        <PageHeader title="施工单位履约档案">
            <a class="btn" href="/contractors">"全部单位"</a>
        </PageHeader>
        <section class="card summary">
            <div class="summary-head"><h2>{r.name.clone()}</h2><span class="muted">{r.credit_code.clone()}</span></div>
            <div class="tiles">
                <div class="tile"><strong>{r.projects.len()}</strong><span>"项目"</span></div>
                <div class="tile"><strong>{r.average.map_or("—".to_string(), |a| format!("{a:.1}"))}</strong><span>"考评平均分"</span></div>
                <div class="tile"><strong>{format!("{good} / {pass} / {fail}")}</strong><span>"良好 / 合格 / 不合格"</span></div>
                <div class="tile"><strong>{r.replacements.len()}</strong><span>{format!("人员更换（罚款 {} 元，扣 {points} 分）", Fen(fines).yuan())}</span></div>
                <div class="tile"><strong>{r.orders.iter().filter(|o| o.status != crate::features::orders::OrderStatus::Closed).count()}</strong><span>"未办结督办"</span></div>
            </div>
        </section>
        <section class="card" aria-label="项目">
            <h2>"项目"</h2>
            <DataTable
                columns=vec!["项目 / 标段", "建设单位", "行业", "合同价（元）", "签订日期", "最近考评", "预警"]
                rows=r.projects.clone()
                row=|p: ContractorProject| vec![
                    view! { <a href=format!("/evaluations?filing_id={}", p.filing_id)>{p.project.clone()}</a> }.into_any(),
                    p.owner_name.into_any(),
                    label_of(&SECTORS, &p.sector).into_any(),
                    Fen(p.contract_price_fen).yuan().into_any(),
                    p.signed_on.unwrap_or_default().into_any(),
                    grade_cell(p.latest_grade.as_deref()),
                    view! { <span class:bad={p.open_alerts > 0}>{p.open_alerts}</span> }.into_any(),
                ]
                empty="没有已备案的项目"
            />
        </section>
        <section class="card" aria-label="考评">
            <h2>"考评"</h2>
            <DataTable
                columns=vec!["考评期间", "项目 / 标段", "建设单位", "总分", "等级", "异议"]
                rows=r.evaluations.clone()
                row=|e: EvalRow| {
                    let objection = e.objection().map(|o| view! { <span class=o.badge()>{o.label()}</span> });
                    vec![
                        view! { <a href=format!("/evaluations/{}", e.id)>{e.period_label()}</a> }.into_any(),
                        e.project.clone().into_any(),
                        e.owner_name.clone().into_any(),
                        e.total.map_or("—".to_string(), |t| t.to_string()).into_any(),
                        grade_cell(e.grade.as_deref()),
                        view! { {objection} }.into_any(),
                    ]
                }
                empty="暂无已提交的考评"
            />
        </section>
        <section class="card" aria-label="关键人员出勤">
            <h2>"关键人员出勤 " <span class="muted">{format!("{} 起 90 天", r.since)}</span></h2>
            <DataTable
                columns=vec!["项目 / 标段", "岗位", "姓名", "应出勤", "已出勤", "出勤率"]
                rows=r.attendance.clone()
                row=|a: PersonAttendance| {
                    let rate = a.counted as f64 * 100.0 / a.required.max(1) as f64;
                    vec![
                        a.project.into_any(),
                        label_of(&ROSTER_ROLES, &a.role).into_any(),
                        a.name.into_any(),
                        a.required.into_any(),
                        a.counted.into_any(),
                        view! { <span class:bad={rate < 80.0}>{format!("{rate:.0}%")}</span> }.into_any(),
                    ]
                }
                empty="近 90 天无应出勤记录"
            />
        </section>
        <section class="card" aria-label="人员更换与处罚">
            <h2>"人员更换与处罚"</h2>
            <DataTable
                columns=vec!["生效日期", "项目 / 标段", "岗位", "原人员 → 接替人员", "原因", "处罚"]
                rows=r.replacements.clone()
                row=|x: ReplacementRow| vec![
                    view! { <a href=format!("/personnel/{}", x.id)>{x.effective_on.clone()}</a> }.into_any(),
                    x.project.clone().into_any(),
                    label_of(&ROSTER_ROLES, &x.role).into_any(),
                    format!("{} → {}", x.leaving, x.new_name).into_any(),
                    label_of(&PERSONNEL_REASONS, &x.reason).into_any(),
                    penalties_text(x.fine_fen, x.credit_points, x.interview == 1, x.censure == 1, None).into_any(),
                ]
                empty="没有人员更换"
            />
        </section>
        <section class="card" aria-label="督办">
            <h2>"督办"</h2>
            <DataTable
                columns=vec!["督办编号", "项目 / 标段", "办理期限", "状态"]
                rows=r.orders.clone()
                row=|o: OrderRow| vec![
                    o.order_no.clone().into_any(),
                    o.project.clone().into_any(),
                    o.deadline.clone().into_any(),
                    o.status.label().into_any(),
                ]
                empty="没有督办"
            />
        </section>
    }
}
