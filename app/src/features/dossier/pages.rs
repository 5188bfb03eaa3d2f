use super::{Dossier, DossierAlert, DossierOrder, Event, get_dossier};
use crate::{
    domain::{Fen, ROSTER_ROLES, SECTORS, evaluation::Grade, label_of, records::PAYMENT_KINDS},
    features::{
        attendance::MemberRate,
        changes::ChangeRow,
        evaluations::EvalRow,
        filings::RosterMember,
        payments::PaymentRow,
        personnel::{self, penalties_text},
        progress::{ProgressChart, SiteMap, point_text},
    },
    kit::{
        layout::PageHeader,
        map::leaflet_ready,
        records::{FiguresCard, delta_cell, flag_badges, status_badge},
        status::Loaded,
        table::{DataTable, id_param},
    },
};
use leptos::prelude::*;
use leptos_meta::{Stylesheet, Title};

#[component]
pub fn DossierPage() -> impl IntoView {
    let id = id_param();
    let data = Resource::new(move || id.get(), get_dossier);
    let ready = leaflet_ready(false);
    view! {
        <Title text="项目档案 · 标后履约监管"/>
        <Stylesheet id="leaflet-css" href="/vendor/leaflet/leaflet.css"/>
        <PageHeader title="项目档案">
            <a class="btn" href="/map">"项目一张图"</a>
        </PageHeader>
        <Loaded resource=data children=move |d: Dossier| view! { <DossierBody d ready/> }/>
    }
}

const SECTIONS: [(&str, &str); 9] = [
    ("money", "金额"),
    ("progress", "进度"),
    ("site", "位置"),
    ("people", "人员"),
    ("changes", "变更"),
    ("payments", "拨付"),
    ("evaluations", "考评"),
    ("alerts", "预警督办"),
    ("timeline", "大事记"),
];

#[component]
fn DossierBody(d: Dossier, ready: Signal<bool>) -> impl IntoView {
    let f = d.filing.clone();
    let a = &f.award;
    let id = f.id;
    let progress = d.progress.clone();
    let site_map = progress.clone().map(|p| {
        let site = p.site.as_ref().and_then(|s| s.lat.zip(s.lng));
        let text = site.map(|(la, ln)| point_text(la, ln)).unwrap_or_default();
        let address = p.site.as_ref().map(|s| s.address.clone()).unwrap_or_default();
        let has_any = site.is_some() || !p.areas.is_empty();
        view! {
            <section class="card" id="site" aria-label="工地位置与考勤区域">
                <h2>"工地位置与考勤区域"</h2>
                <p>{if address.is_empty() { "未填写工程地点".to_string() } else { address }}</p>
                {if has_any {
                    let (areas, tile_url, datum) = (p.areas.clone(), p.tile_url.clone(), p.tile_datum.clone());
                    view! {
                        <Show when=move || ready.get()
                            fallback=|| view! { <div class="map map-site map-placeholder">"地图加载中…"</div> }>
                            <SiteMap site areas=areas.clone() tile_url=tile_url.clone() datum=datum.clone()
                                point=RwSignal::new(text.clone()) editable=false/>
                        </Show>
                    }.into_any()
                } else {
                    view! { <p class="muted">"尚未标注工地位置，也未划定考勤区域。"</p> }.into_any()
                }}
            </section>
        }
    });
    view! {
        <section class="card dossier-head" aria-label="项目概况">
            <h2>{format!("{} · {}", a.project_name, a.section_name)}</h2>
            {d.light.clone().map(|(l, why)| view! {
                <p class="dossier-light"><span class=l.badge()>{l.label()}</span>" "{why}</p>
            })}
            <dl class="facts">
                <dt>"项目编号"</dt><dd>{format!("{} / {}", a.project_code, a.section_code)}</dd>
                <dt>"行业"</dt><dd>{label_of(&SECTORS, &a.sector).to_string()}</dd>
                <dt>"建设单位"</dt><dd>{a.owner_name.clone()}</dd>
                <dt>"施工单位"</dt><dd>{a.contractor_name.clone()}</dd>
                <dt>"监理单位"</dt><dd>{f.supervisor_engineer_name.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"合同编号"</dt><dd>{f.contract_no.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"签订日期"</dt><dd>{f.signed_on.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"计划工期"</dt><dd>{format!("{} 至 {}", f.planned_start.clone().unwrap_or_default(), f.planned_completion.clone().unwrap_or_default())}</dd>
            </dl>
            <p class="links">
                <a href=format!("/filings/{id}")>"合同备案"</a>
                <a href=format!("/progress/{id}")>"工程进度"</a>
                <a href=format!("/filings/{id}/areas")>"考勤区域"</a>
                <a href=format!("/attendance?filing_id={id}")>"考勤"</a>
            </p>
        </section>
        <nav class="chips dossier-nav" aria-label="本页目录">
            {SECTIONS.iter().map(|(anchor, label)| view! { <a href=format!("#{anchor}")>{*label}</a> }).collect_view()}
        </nav>
        <div id="money"><FiguresCard figures=d.figures.clone()/></div>
        <div id="progress">
            {progress.map(|p| {
                let has_months = !p.months.is_empty();
                view! {
                    {has_months.then(|| view! { <ProgressChart months=p.months.clone()/> })}
                    {(!has_months).then(|| view! {
                        <section class="card"><h2>"计划与实际进度"</h2><p class="muted">"尚未报送月度进度。"</p></section>
                    })}
                }
            })}
        </div>
        {site_map}
        <People roster=f.roster.clone() changes=d.personnel.clone() attendance=d.attendance.clone()
            from=d.attendance_from.clone() to=d.attendance_to.clone()/>
        <section class="card" id="changes" aria-label="合同变更">
            <h2>"合同变更"</h2>
            <DataTable
                columns=vec!["批准日期", "变更事项", "金额（元）", "工期（天）", "批准文号", "状态"]
                rows=d.changes.clone()
                row=|c: ChangeRow| vec![
                    c.approved_on.clone().into_any(),
                    view! { <a href=format!("/changes/{}", c.id)>{c.title.clone()}</a> {flag_badges(c.flags.clone())} }.into_any(),
                    delta_cell(c.price_delta_fen),
                    format!("{:+}", c.days_delta).into_any(),
                    c.approval_no.clone().into_any(),
                    status_badge(c.status),
                ]
                empty="没有合同变更"
            />
        </section>
        <section class="card" id="payments" aria-label="合同款拨付">
            <h2>"合同款拨付"</h2>
            <DataTable
                columns=vec!["拨付日期", "类型", "金额（万元）", "收款单位", "凭证号", "状态"]
                rows=d.payments.clone()
                row=|p: PaymentRow| vec![
                    view! { <a href=format!("/payments/{}", p.id)>{p.paid_on.clone()}</a> }.into_any(),
                    view! { {label_of(&PAYMENT_KINDS, &p.kind).to_string()} {flag_badges(p.flags.clone())} }.into_any(),
                    view! { <span class="num">{Fen(p.amount_fen).wan()}</span> }.into_any(),
                    p.payee.clone().into_any(),
                    p.voucher_no.clone().into_any(),
                    status_badge(p.status),
                ]
                empty="没有拨付记录"
            />
        </section>
        <section class="card" id="evaluations" aria-label="履约考评">
            <h2>"履约考评"</h2>
            <DataTable
                columns=vec!["考评期间", "总分", "等级", "异议", "状态"]
                rows=d.evaluations.clone()
                row=|e: EvalRow| {
                    let grade = e.grade().map(|g: Grade| view! { <span class=g.badge()>{g.label()}</span> });
                    let objection = e.objection().map(|o| view! { <span class=o.badge()>{o.label()}</span> });
                    vec![
                        view! { <a href=format!("/evaluations/{}", e.id)>{e.period_label()}</a> }.into_any(),
                        e.total.map_or("—".to_string(), |t| t.to_string()).into_any(),
                        view! { {grade} }.into_any(),
                        view! { {objection} }.into_any(),
                        status_badge(e.status),
                    ]
                }
                empty="没有考评"
            />
        </section>
        <AlertsOrders alerts=d.alerts.clone() orders=d.orders.clone()/>
        <Timeline events=d.timeline.clone()/>
    }
}

/// The roster as it stands, its replacements, and attendance over 90 days.
#[component]
fn People(
    roster: Vec<RosterMember>,
    changes: Vec<personnel::ChangeRow>,
    attendance: Vec<MemberRate>,
    from: String,
    to: String,
) -> impl IntoView {
    view! {
        <section class="card" id="people" aria-label="关键人员">
            <h2>"关键人员"</h2>
            <DataTable
                columns=vec!["岗位", "姓名", "证书编号", "在岗起始"]
                rows=roster
                row=|m: RosterMember| vec![
                    label_of(&ROSTER_ROLES, &m.role).into_any(),
                    m.name.clone().into_any(),
                    m.cert_no.clone().into_any(),
                    m.joined_on.clone().unwrap_or_else(|| "—".into()).into_any(),
                ]
                empty="名单为空"
            />
            <h3>{format!("到岗情况（{from} 至 {to}）")}</h3>
            <DataTable
                columns=vec!["岗位", "姓名", "应出勤（天）", "已出勤（天）", "出勤率"]
                rows={attendance.into_iter().filter(|m| m.required > 0).collect::<Vec<_>>()}
                row=|m: MemberRate| {
                    let rate = m.rate().unwrap_or(0.0);
                    vec![
                        label_of(&ROSTER_ROLES, &m.role).into_any(),
                        m.name.clone().into_any(),
                        m.required.into_any(),
                        m.counted.into_any(),
                        view! { <span class:bad={rate < 80.0}>{format!("{rate:.0}%")}</span> }.into_any(),
                    ]
                }
                empty="这段时间没有应出勤的日子"
            />
            <h3>"人员变更"</h3>
            <DataTable
                columns=vec!["生效日期", "岗位", "原人员 → 接替人员", "处罚", "状态"]
                rows=changes
                row=|x: personnel::ChangeRow| vec![
                    view! { <a href=format!("/personnel/{}", x.id)>{x.effective_on.clone()}</a> }.into_any(),
                    label_of(&ROSTER_ROLES, &x.role).into_any(),
                    format!("{} → {}", x.leaving, x.new_name).into_any(),
                    penalties_text(x.fine_fen, x.credit_points, x.interview == 1, x.censure == 1, None).into_any(),
                    status_badge(x.status),
                ]
                empty="没有人员变更"
            />
        </section>
    }
}

#[component]
fn AlertsOrders(alerts: Vec<DossierAlert>, orders: Vec<DossierOrder>) -> impl IntoView {
    view! {
        <section class="card" id="alerts" aria-label="预警与督办">
            <h2>"预警"</h2>
            <DataTable
                columns=vec!["规则", "内容", "开始", "消除"]
                rows=alerts
                row=|a: DossierAlert| vec![
                    view! { <span class:bad={a.cleared_on.is_none()}>{a.rule.clone()}</span> }.into_any(),
                    a.message.clone().into_any(),
                    a.started_on.clone().unwrap_or_default().into_any(),
                    a.cleared_on.clone().unwrap_or_else(|| "未消除".into()).into_any(),
                ]
                empty="没有预警"
            />
            <h2>"督办"</h2>
            <DataTable
                columns=vec!["督办编号", "事实", "办理期限", "状态"]
                rows=orders
                row=|o: DossierOrder| vec![
                    view! { <a href=format!("/orders/{}", o.id)>{o.order_no.clone()}</a> }.into_any(),
                    o.facts.clone().into_any(),
                    o.deadline.clone().into_any(),
                    o.status.label().into_any(),
                ]
                empty="没有督办"
            />
        </section>
    }
}

/// 大事记: every dated event, latest first.
#[component]
fn Timeline(events: Vec<Event>) -> impl IntoView {
    view! {
        <section class="card" id="timeline" aria-label="大事记">
            <h2>"大事记"</h2>
            <ol class="timeline">
                {events.into_iter().map(|e| view! {
                    <li>
                        <time>{e.day.clone()}</time>
                        <span class="tag">{e.kind.clone()}</span>
                        {match e.href.clone() {
                            Some(h) => view! { <a href=h>{e.text.clone()}</a> }.into_any(),
                            None => view! { <span>{e.text.clone()}</span> }.into_any(),
                        }}
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
