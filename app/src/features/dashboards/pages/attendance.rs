//! 统计分析 · 关键人员到岗: the month's on-duty rates of project managers and
//! chief supervisors by sector, owner unit and firm, the twelve months'
//! line, who fell below the bar, and who owes today's check-in.
use super::Tabs;
use crate::{
    domain::{ROSTER_ROLES, label_of},
    features::dashboards::{AttendanceBoard, Duty, DutyGroup, DutyPerson, load_attendance_board},
    kit::{
        chart::{Bar, BarChart, LineChart, Series},
        layout::PageHeader,
        status::Loaded,
        table::{DataTable, FilterSelect, text_param},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

fn pct(d: Duty) -> String {
    d.rate().map_or("—".to_string(), |r| format!("{r:.1}%"))
}

/// "86.4%（19/22 天）": the rate, then days on duty of days owed.
fn pct_days(d: Duty) -> String {
    match d.rate() {
        Some(r) => format!("{r:.1}%（{}/{} 天）", d.counted, d.required),
        None => "—".to_string(),
    }
}

fn rate_bars(groups: &[DutyGroup]) -> Vec<Bar> {
    groups
        .iter()
        .filter(|g| g.all().required > 0)
        .map(|g| Bar {
            label: g.name.clone(),
            values: vec![g.all().rate().unwrap_or(0.0)],
            href: g.href.clone(),
            note: Some(if g.below > 0 {
                format!("{}（{} 人低于）", pct(g.all()), g.below)
            } else {
                pct(g.all())
            }),
        })
        .collect()
}

#[component]
pub fn AttendanceDashboardPage() -> impl IntoView {
    let month = text_param("month");
    let board = Resource::new(
        move || month.get(),
        |m| load_attendance_board((!m.is_empty()).then_some(m)),
    );
    view! {
        <Title text="统计分析 · 关键人员到岗 · 标后履约监管"/>
        <PageHeader title="统计分析"/>
        <Tabs current="/dashboards/attendance"/>
        <Loaded resource=board children=|b: AttendanceBoard| view! { <AttendanceBody b/> }/>
    }
}

#[component]
fn AttendanceBody(b: AttendanceBoard) -> impl IntoView {
    // The months come newest first: the first is the current one.
    let choices: Vec<(String, String)> = b
        .months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let label = if i == 0 {
                format!("{m}（本月至昨日）")
            } else {
                m.clone()
            };
            (m.clone(), label)
        })
        .collect();
    let limit = b.limit_pct;
    let labels: Vec<String> = b.by_month.iter().map(|m| m.0.clone()).collect();
    let series = vec![
        Series {
            name: "项目经理".into(),
            class: "actual",
            values: b.by_month.iter().map(|m| m.1.rate()).collect(),
        },
        Series {
            name: "总监理工程师".into(),
            class: "closed",
            values: b.by_month.iter().map(|m| m.2.rate()).collect(),
        },
        Series {
            name: format!("考勤率下限 {limit:.0}%"),
            class: "planned",
            values: b.by_month.iter().map(|_| Some(limit)).collect(),
        },
    ];
    let key = vec![("到岗率".to_string(), "#1b5fc1".to_string())];
    let span = if b.partial {
        format!("{}（本月 1 日至昨日）", b.month)
    } else {
        b.month.clone()
    };
    let today_missing = b.today.required - b.today.counted;
    view! {
        <Form method="GET" action="" attr:class="filters">
            <FilterSelect name="month" label="统计月份" all_label="上月" options=choices/>
            <button type="submit" class="btn">"统计"</button>
        </Form>
        <p class="hint">{format!(
            "{span}：项目经理、总监理工程师在项目考勤日历的应出勤日（在册期间、完工前）有有效打卡的比例；低于 {limit:.0}% 的人员见下表（预警规则“关键人员考勤率不足”）；括号内为有效打卡天数/应出勤天数。"
        )}</p>
        <div class="stats">
            <div class="stat stat-key"><strong class="num">{pct(b.total.pm)}</strong><span>"项目经理到岗率"</span></div>
            <div class="stat stat-key"><strong class="num">{pct(b.total.chief)}</strong><span>"总监到岗率"</span></div>
            <div class="stat" class:stat-bad={b.total.below > 0}><strong class="num">{b.total.below}</strong><span>{format!("低于 {limit:.0}% 的人员（共 {} 人）", b.total.people)}</span></div>
            <a class="stat" href="#today" class:stat-bad={today_missing > 0}>
                <strong class="num">{format!("{} / {}", b.today.counted, b.today.required)}</strong>
                <span>{format!("今日已打卡 / 应打卡（{}）", b.as_of)}</span>
            </a>
        </div>
        <section class="card" aria-label="按月份">
            <h2>"近 12 个月到岗率"</h2>
            <LineChart title="近 12 个月项目经理与总监到岗率".to_string() labels series/>
        </section>
        <div class="grid-2 dash-grid">
            <section class="card" aria-label="按行业">
                <h2>{format!("按行业（{}）", b.month)}</h2>
                <BarChart title="各行业关键人员到岗率".to_string() keys=key.clone() bars=rate_bars(&b.by_sector) unit="%" decimals=1 scale=100.0/>
            </section>
            <section class="card" aria-label="按建设单位">
                <h2>{format!("按建设单位（{}）", b.month)}</h2>
                <BarChart title="各建设单位项目关键人员到岗率".to_string() keys=key bars=rate_bars(&b.by_owner) unit="%" decimals=1 scale=100.0/>
            </section>
        </div>
        <section class="card" aria-label="按参建单位">
            <h2>{format!("按参建单位（{}）：施工单位的项目经理、监理单位的总监", b.month)}</h2>
            <DataTable
                columns=vec!["单位", "项目经理到岗率", "总监到岗率", "人数", "低于下限"]
                rows=b.by_firm.clone()
                row=|g: DutyGroup| vec![
                    g.name.clone().into_any(),
                    pct_days(g.pm).into_any(),
                    pct_days(g.chief).into_any(),
                    g.people.into_any(),
                    view! { <span class:bad={g.below > 0}>{g.below}</span> }.into_any(),
                ]
                empty="本月没有应出勤的关键人员"
            />
        </section>
        <section class="card" aria-label="低于下限的人员">
            <h2>{format!("到岗率低于 {limit:.0}% 的人员（{}）", b.month)}</h2>
            <PeopleTable rows=b.below.clone() with_rate=true empty="没有低于下限的人员"/>
        </section>
        <section class="card" id="today" aria-label="今日未打卡">
            <h2>{format!("今日未打卡（{}，{} 人）", b.as_of, today_missing)}</h2>
            <p class="hint">"今日为其项目应出勤日、到此刻尚无有效打卡的项目经理和总监。"</p>
            <PeopleTable rows=b.missing.clone() with_rate=false
                empty=if b.today.required == 0 { "今日不是应出勤日，没有应打卡的人员" } else { "今日应打卡的人员均已打卡" }/>
        </section>
    }
}

#[component]
fn PeopleTable(rows: Vec<DutyPerson>, with_rate: bool, empty: &'static str) -> impl IntoView {
    let mut columns = vec!["项目", "岗位", "姓名", "单位"];
    if with_rate {
        columns.push("到岗率");
    }
    view! {
        <DataTable
            columns
            rows
            row=move |p: DutyPerson| {
                let mut cells = vec![
                    view! { <a href=format!("/projects/{}", p.filing_id)>{p.project.clone()}</a> }.into_any(),
                    label_of(&ROSTER_ROLES, &p.role).to_string().into_any(),
                    p.name.clone().into_any(),
                    p.firm.clone().into_any(),
                ];
                if with_rate {
                    cells.push(view! { <span class="bad">{pct_days(p.duty)}</span> }.into_any());
                }
                cells
            }
            empty
        />
    }
}
