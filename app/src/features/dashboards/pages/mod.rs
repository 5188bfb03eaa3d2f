mod attendance;

pub use attendance::AttendanceDashboardPage;

use super::{
    AlertsBoard, Delayed, LightGroup, PaidRow, PaymentsBoard, ProgressBoard, UnitAlerts,
    load_alerts_board, load_payments_board, load_progress_board,
};
use crate::{
    domain::{Fen, label_of, progress::Light, records::PAYMENT_KINDS},
    kit::{
        chart::{Bar, BarChart, LineChart, Series},
        layout::PageHeader,
        status::Loaded,
        table::DataTable,
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The dashboards' tabs.
#[component]
pub(super) fn Tabs(current: &'static str) -> impl IntoView {
    let tabs = [
        ("/dashboards/progress", "工程进度"),
        ("/dashboards/payments", "资金拨付"),
        ("/dashboards/attendance", "关键人员到岗"),
        ("/dashboards/alerts", "预警督办"),
    ];
    view! {
        <nav class="tabs" aria-label="统计分析">
            {tabs.into_iter().map(|(href, label)| view! {
                <a href=href class:active=href == current aria-current=(href == current).then_some("page")>{label}</a>
            }).collect_view()}
        </nav>
    }
}

fn light_keys() -> Vec<(String, String)> {
    Light::ALL
        .iter()
        .map(|l| (l.label().to_string(), l.colour().to_string()))
        .collect()
}

fn light_bars(groups: &[LightGroup]) -> Vec<Bar> {
    groups
        .iter()
        .map(|g| Bar {
            label: g.name.clone(),
            values: g.counts.iter().map(|c| *c as f64).collect(),
            href: Some(g.href.clone()),
            note: None,
        })
        .collect()
}

#[component]
pub fn ProgressDashboardPage() -> impl IntoView {
    let board = Resource::new(|| (), |_| load_progress_board());
    view! {
        <Title text="统计分析 · 工程进度 · 标后履约监管"/>
        <PageHeader title="统计分析"/>
        <Tabs current="/dashboards/progress"/>
        <Loaded resource=board children=|b: ProgressBoard| view! { <ProgressBody b/> }/>
    }
}

#[component]
fn ProgressBody(b: ProgressBoard) -> impl IntoView {
    let all: i64 = b.total.iter().sum();
    let series = vec![
        Series {
            name: "序时进度（计划）".into(),
            class: "planned",
            values: b.planned.clone(),
        },
        Series {
            name: "累计完成（实际）".into(),
            class: "actual",
            values: b.actual.clone(),
        },
    ];
    view! {
        <p class="hint">{format!("{} 个已备案施工项目，按 {} 的月报与序时进度亮灯；点击数字或名称在项目一张图上查看。", all, b.as_of)}</p>
        <div class="stats light-stats">
            {Light::ALL.iter().zip(b.total.iter()).map(|(l, n)| view! {
                <a class="stat" href=format!("/map?light={}", l.code()) data-light=l.code()>
                    <strong class="num" style=format!("color:{}", l.colour())>{*n}</strong>
                    <span>{l.label()}</span>
                </a>
            }).collect_view()}
        </div>
        <div class="grid-2 dash-grid">
            <section class="card" aria-label="按行业">
                <h2>"按行业"</h2>
                <BarChart title="各行业项目亮灯情况".to_string() keys=light_keys() bars=light_bars(&b.by_sector) unit=" 个"/>
            </section>
            <section class="card" aria-label="按乡镇">
                <h2>"按乡镇"</h2>
                <BarChart title="各乡镇项目亮灯情况".to_string() keys=light_keys() bars=light_bars(&b.by_town) unit=" 个"/>
            </section>
            <section class="card" aria-label="按建设单位">
                <h2>"按建设单位"</h2>
                <BarChart title="各建设单位项目亮灯情况".to_string() keys=light_keys() bars=light_bars(&b.by_owner) unit=" 个"/>
            </section>
        </div>
        <section class="card" aria-label="计划与实际">
            <h2>"全县在建项目：计划与实际累计完成（按合同价加权）"</h2>
            <LineChart title="全县在建项目计划与实际累计完成比例".to_string() labels=b.months.clone() series/>
        </section>
        <section class="card" aria-label="滞后最严重的项目">
            <h2>"滞后最严重的项目"</h2>
            <DataTable
                columns=vec!["项目", "建设单位", "状态", "逾期（天）", "落后序时进度（百分点）", "说明"]
                rows=b.delayed.clone()
                row=|d: Delayed| vec![
                    view! { <a href=format!("/projects/{}", d.filing_id)>{d.name.clone()}</a> }.into_any(),
                    d.owner.clone().into_any(),
                    view! { <span class=d.light.badge()>{d.light.label()}</span> }.into_any(),
                    d.days_late.map_or("—".to_string(), |n| n.to_string()).into_any(),
                    d.behind.map_or("—".to_string(), |g| format!("{g:.1}")).into_any(),
                    d.why.clone().into_any(),
                ]
                empty="没有滞后的项目"
            />
        </section>
    }
}

#[component]
pub fn PaymentsDashboardPage() -> impl IntoView {
    let board = Resource::new(|| (), |_| load_payments_board());
    view! {
        <Title text="统计分析 · 资金拨付 · 标后履约监管"/>
        <PageHeader title="统计分析"/>
        <Tabs current="/dashboards/payments"/>
        <Loaded resource=board children=|b: PaymentsBoard| view! { <PaymentsBody b/> }/>
    }
}

/// How many projects the per-project chart shows (the table lists all).
const LARGEST: usize = 15;

/// Fen in 万元.
fn wan(fen: i64) -> f64 {
    fen as f64 / 1_000_000.0
}

#[component]
fn PaymentsBody(b: PaymentsBoard) -> impl IntoView {
    let share = if b.revised_fen > 0 {
        b.paid_fen as f64 * 100.0 / b.revised_fen as f64
    } else {
        0.0
    };
    let flagged: Vec<PaidRow> = b
        .projects
        .iter()
        .filter(|p| p.over_price || p.ahead)
        .cloned()
        .collect();
    let kinds: Vec<Bar> = b
        .by_kind
        .iter()
        .filter(|(_, fen)| *fen > 0)
        .map(|(k, fen)| Bar {
            label: label_of(&PAYMENT_KINDS, k).to_string(),
            values: vec![wan(*fen)],
            href: None,
            note: None,
        })
        .collect();
    let months: Vec<Bar> = b
        .by_month
        .iter()
        .map(|(m, fen)| Bar {
            label: m.clone(),
            values: vec![wan(*fen)],
            href: None,
            note: None,
        })
        .collect();
    // The largest projects by revised price, each bar its price with the
    // paid part, its end the paid share.
    let mut largest: Vec<&PaidRow> = b.projects.iter().collect();
    largest.sort_by_key(|p| std::cmp::Reverse(p.revised_fen));
    let projects: Vec<Bar> = largest
        .into_iter()
        .take(LARGEST)
        .map(|p| Bar {
            label: p.name.clone(),
            values: vec![wan(p.paid_fen), wan((p.revised_fen - p.paid_fen).max(0))],
            href: Some(format!("/projects/{}", p.filing_id)),
            note: Some(format!("{:.1}%", p.paid_pct())),
        })
        .collect();
    let paid_key = vec![("拨付（万元）".to_string(), "#1b5fc1".to_string())];
    let ahead = b.ahead_pts;
    view! {
        <div class="stats">
            <div class="stat stat-key"><strong class="num">{Fen(b.revised_fen).wan()}</strong><span>"修订后合同价合计（万元）"</span></div>
            <div class="stat"><strong class="num">{Fen(b.paid_fen).wan()}</strong><span>"累计拨付（万元）"</span></div>
            <div class="stat"><strong class="num">{format!("{share:.1}%")}</strong><span>"拨付占修订后合同价"</span></div>
            <div class="stat" class:stat-bad={!flagged.is_empty()}><strong class="num">{flagged.len()}</strong><span>"超付或拨付超进度的项目"</span></div>
        </div>
        <div class="grid-2 dash-grid">
            <section class="card" aria-label="按类型">
                <h2>"按拨付类型（万元）"</h2>
                <BarChart title="按拨付类型".to_string() keys=paid_key.clone() bars=kinds decimals=2/>
            </section>
            <section class="card" aria-label="按月份">
                <h2>"近 12 个月拨付（万元）"</h2>
                <BarChart title="近 12 个月拨付".to_string() keys=paid_key bars=months decimals=2/>
            </section>
        </div>
        <section class="card" aria-label="需关注的拨付">
            <h2>"超付或拨付超进度"</h2>
            <p class="hint">{format!("进度款占修订后合同价超过累计完成比例 {ahead:.0} 个百分点以上，或累计拨付超过修订后合同价。")}</p>
            <PaidTable rows=flagged empty="没有超付或拨付超进度的项目"/>
        </section>
        <section class="card" aria-label="各项目拨付">
            <h2>{format!("合同价最大的 {LARGEST} 个项目：拨付与修订后合同价（万元）")}</h2>
            <BarChart title="各项目拨付与修订后合同价".to_string()
                keys=vec![("已拨付".to_string(), "#1b5fc1".to_string()), ("未拨付".to_string(), "#cfd8e3".to_string())]
                bars=projects decimals=2 wide=true/>
            <h3>"全部项目"</h3>
            <PaidTable rows=b.projects.clone() empty="没有项目"/>
        </section>
    }
}

#[component]
fn PaidTable(rows: Vec<PaidRow>, empty: &'static str) -> impl IntoView {
    view! {
        <DataTable
            columns=vec!["项目", "建设单位", "修订后合同价（万元）", "累计拨付（万元）", "拨付比例", "累计完成", "提示"]
            rows
            row=|p: PaidRow| {
                let note = match (p.over_price, p.ahead) {
                    (true, _) => "超付",
                    (false, true) => "拨付超进度",
                    _ => "",
                };
                vec![
                    view! { <a href=format!("/projects/{}", p.filing_id)>{p.name.clone()}</a> }.into_any(),
                    p.owner.clone().into_any(),
                    view! { <span class="num">{Fen(p.revised_fen).wan()}</span> }.into_any(),
                    view! { <span class="num">{Fen(p.paid_fen).wan()}</span> }.into_any(),
                    format!("{:.1}%", p.paid_pct()).into_any(),
                    p.percent.map_or("—".to_string(), |k| format!("{k}%")).into_any(),
                    view! { <span class:bad={!note.is_empty()}>{note}</span> }.into_any(),
                ]
            }
            empty
        />
    }
}

#[component]
pub fn AlertsDashboardPage() -> impl IntoView {
    let board = Resource::new(|| (), |_| load_alerts_board());
    view! {
        <Title text="统计分析 · 预警与督办 · 标后履约监管"/>
        <PageHeader title="统计分析"/>
        <Tabs current="/dashboards/alerts"/>
        <Loaded resource=board children=|b: AlertsBoard| view! { <AlertsBody b/> }/>
    }
}

#[component]
fn AlertsBody(b: AlertsBoard) -> impl IntoView {
    let severity_keys = vec![
        ("提示".to_string(), "#8a8f98".to_string()),
        ("一般".to_string(), "#e8a400".to_string()),
        ("严重".to_string(), "#d93025".to_string()),
    ];
    let rules: Vec<Bar> = b
        .by_rule
        .iter()
        .map(|r| Bar {
            label: r.name.clone(),
            values: r.open.iter().map(|n| *n as f64).collect(),
            href: Some(format!("/alerts?rule={}", r.code)),
            note: None,
        })
        .collect();
    let top = b
        .by_month
        .iter()
        .map(|(_, a, i, c)| *a.max(i).max(c))
        .max()
        .unwrap_or(0)
        .max(4);
    // A y axis in whole counts, a multiple of four.
    let y_max = (top + 3) / 4 * 4;
    let labels: Vec<String> = b.by_month.iter().map(|m| m.0.clone()).collect();
    let series = vec![
        Series {
            name: "新增预警".into(),
            class: "planned",
            values: b.by_month.iter().map(|m| Some(m.1 as f64)).collect(),
        },
        Series {
            name: "下发督办".into(),
            class: "actual",
            values: b.by_month.iter().map(|m| Some(m.2 as f64)).collect(),
        },
        Series {
            name: "办结督办".into(),
            class: "closed",
            values: b.by_month.iter().map(|m| Some(m.3 as f64)).collect(),
        },
    ];
    let days = |d: Option<f64>| d.map_or("—".to_string(), |d| format!("{d:.1}"));
    view! {
        <div class="stats">
            <a class="stat" href="/alerts"><strong class="num">{b.alerts_open}</strong><span>"未消除预警"</span></a>
            <div class="stat" class:stat-bad={b.alerts_serious > 0}><strong class="num">{b.alerts_serious}</strong><span>"其中严重"</span></div>
            <a class="stat" href="/orders"><strong class="num">{b.orders_open}</strong><span>"未办结督办"</span></a>
            <div class="stat" class:stat-bad={b.orders_overdue > 0}><strong class="num">{b.orders_overdue}</strong><span>"逾期未办结"</span></div>
            <div class="stat"><strong class="num">{b.orders_closed}</strong><span>"已办结督办"</span></div>
            <div class="stat"><strong class="num">{days(b.close_days)}</strong><span>"平均办结（天）"</span></div>
        </div>
        <section class="card" aria-label="按规则">
            <h2>"未消除预警：按规则与严重程度"</h2>
            <BarChart title="未消除预警按规则".to_string() keys=severity_keys bars=rules unit=" 条" wide=true/>
        </section>
        <section class="card" aria-label="按月份">
            <h2>"近 12 个月：新增预警、下发与办结督办"</h2>
            <LineChart title="近 12 个月预警与督办".to_string() labels series y_max=y_max as f64 unit=""/>
        </section>
        <section class="card" aria-label="按建设单位">
            <h2>"按建设单位"</h2>
            <DataTable
                columns=vec!["建设单位", "未消除预警", "未办结督办", "逾期未办结", "已办结", "平均办结（天）"]
                rows=b.by_unit.clone()
                row=move |u: UnitAlerts| vec![
                    u.unit.clone().into_any(),
                    u.alerts_open.into_any(),
                    u.orders_open.into_any(),
                    view! { <span class:bad={u.orders_overdue > 0}>{u.orders_overdue}</span> }.into_any(),
                    u.orders_closed.into_any(),
                    days(u.close_days).into_any(),
                ]
                empty="没有预警和督办"
            />
        </section>
    }
}
