use super::{Below, Compliance, UnitStats, load_compliance};
use crate::{
    domain::Fen,
    kit::{
        layout::PageHeader,
        status::Loaded,
        table::{DataTable, FilterSelect, text_param},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

fn pct(v: Option<f64>) -> String {
    v.map_or("—".to_string(), |p| format!("{p:.1}%"))
}

fn columns() -> Vec<&'static str> {
    vec![
        "排名",
        "建设单位",
        "中标",
        "按期备案",
        "超期备案",
        "逾期未备案",
        "补录",
        "月报按时/应报",
        "拨付（笔/万元）",
        "到岗率",
        "考评",
        "督办未办结/逾期",
        "得分",
    ]
}

fn cells(r: UnitStats) -> Vec<AnyView> {
    let bad = |n: i64| view! { <span class:bad={n > 0}>{n}</span> }.into_any();
    vec![
        r.rank.into_any(),
        view! { <strong>{r.unit.clone()}</strong> }.into_any(),
        r.awards.into_any(),
        r.filed_on_time.into_any(),
        bad(r.filed_late),
        bad(r.unfiled),
        r.back_entries.into_any(),
        view! {
            <span class:bad={r.reports_on_time < r.reports_due}>{format!("{}/{}", r.reports_on_time, r.reports_due)}</span>
        }
        .into_any(),
        format!("{} / {}", r.payments, Fen(r.paid_fen).wan()).into_any(),
        pct(r.attendance_pct()).into_any(),
        r.evaluations.into_any(),
        view! { {r.orders_open} " / " <span class:bad={r.orders_overdue > 0}>{r.orders_overdue}</span> }.into_any(),
        view! { <strong>{format!("{:.1}", r.score)}</strong> }.into_any(),
    ]
}

#[component]
pub fn CompliancePage() -> impl IntoView {
    let period = text_param("period");
    let data = Resource::new(move || period.get(), load_compliance);
    view! {
        <Title text="合规统计与通报 · 标后履约监管"/>
        <PageHeader title="合规统计与通报"/>
        <Loaded resource=data children=|c: Compliance| {
            let code = c.period.code.clone();
            view! {
                <Form method="GET" action="" attr:class="filters">
                    <FilterSelect name="period" label="统计期间" all_label="上月" options=c.choices.clone()/>
                    <button type="submit" class="btn">"统计"</button>
                    <a class="btn" href=format!("/export/compliance.xlsx?period={code}") download="">"导出 Excel"</a>
                    <a class="btn btn-primary" href=format!("/compliance/notice?period={code}")>"通报稿（打印）"</a>
                </Form>
                <p class="hint">{format!(
                    "{}（{} 至 {}）各建设单位使用系统情况。得分为按期备案率、月报按时率、到岗率的平均值，每项逾期未办结督办扣 5 分；排名仅供参考。",
                    c.period.label, c.period.from, c.period.to
                )}</p>
                <div class="compliance-table">
                    <DataTable columns=columns() rows=c.rows.clone() row=cells empty="本期没有建设单位的记录"/>
                </div>
                <BelowList below=c.below.clone()/>
            }
        }/>
    }
}

#[component]
fn BelowList(below: Vec<Below>) -> impl IntoView {
    view! {
        <section class="card" aria-label="未达要求的单位">
            <h2>"未达要求的单位"</h2>
            <ul class="below-list">
                {below.into_iter().map(|b| view! {
                    <li>
                        <strong>{b.what.clone()}</strong>"："
                        {if b.units.is_empty() { "无".to_string() } else { b.units.join("、") }}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

/// The notice as a resource office sends it: one A4 page or more, printed.
#[component]
pub fn NoticePage() -> impl IntoView {
    let period = text_param("period");
    let data = Resource::new(move || period.get(), load_compliance);
    view! {
        <Title text="通报稿 · 标后履约监管"/>
        <Loaded resource=data children=|c: Compliance| view! { <Notice c/> }/>
    }
}

#[component]
fn Notice(c: Compliance) -> impl IntoView {
    let units = c.rows.len();
    let awards: i64 = c.rows.iter().map(|r| r.awards).sum();
    let on_time: i64 = c.rows.iter().map(|r| r.filed_on_time).sum();
    let (due, reported): (i64, i64) = c.rows.iter().fold((0, 0), |(d, o), r| {
        (d + r.reports_due, o + r.reports_on_time)
    });
    let paid: i64 = c.rows.iter().map(|r| r.paid_fen).sum();
    let payments: i64 = c.rows.iter().map(|r| r.payments).sum();
    let day = c.today.replacen('-', " 年 ", 1).replacen('-', " 月 ", 1) + " 日";
    let back = format!("/compliance?period={}", c.period.code);
    view! {
        <div class="no-print notice-actions">
            <button type="button" class="btn btn-primary" on:click=|_| print_page()>"打印"</button>
            <a class="btn" href=back>"返回统计"</a>
        </div>
        <article class="notice-sheet">
            <h1>{format!("关于{}标后履约监管系统使用情况的通报", c.period.label)}</h1>
            <p class="notice-to">"各建设单位："</p>
            <p>{format!(
                "为加强政府投资工程建设项目标后履约监管，根据县标后履约监管工作要求，现将{}（{} 至 {}）各建设单位在标后履约监管系统中合同备案、进度填报、资金拨付登记、关键人员到岗和督办办理情况通报如下。",
                c.period.label, c.period.from, c.period.to
            )}</p>
            <h2>"一、总体情况"</h2>
            <p>{format!(
                "本期共有 {units} 家建设单位纳入统计。新增中标项目 {awards} 个，按期完成合同备案 {on_time} 个；应报月度进度 {due} 次，按时报送 {reported} 次；登记资金拨付 {payments} 笔、{} 万元。",
                Fen(paid).wan()
            )}</p>
            <h2>"二、各单位情况"</h2>
            <table class="notice-table">
                <thead><tr>
                    <th>"排名"</th><th>"建设单位"</th><th>"中标"</th><th>"按期备案"</th><th>"超期/未备案"</th>
                    <th>"补录"</th><th>"月报按时/应报"</th><th>"到岗率"</th><th>"督办逾期"</th><th>"得分"</th>
                </tr></thead>
                <tbody>
                    {c.rows.iter().map(|r| view! {
                        <tr>
                            <td>{r.rank}</td><td class="left">{r.unit.clone()}</td><td>{r.awards}</td>
                            <td>{r.filed_on_time}</td><td>{r.filed_late + r.unfiled}</td><td>{r.back_entries}</td>
                            <td>{format!("{}/{}", r.reports_on_time, r.reports_due)}</td>
                            <td>{pct(r.attendance_pct())}</td><td>{r.orders_overdue}</td>
                            <td>{format!("{:.1}", r.score)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h2>"三、存在的问题"</h2>
            <ol class="notice-below">
                {c.below.iter().filter(|b| !b.units.is_empty()).map(|b| view! {
                    <li>{format!("{}：{}。", b.what, b.units.join("、"))}</li>
                }).collect_view()}
            </ol>
            <h2>"四、工作要求"</h2>
            <p>"请上述单位于收到本通报之日起 10 个工作日内完成整改：补齐合同备案和月度进度，落实项目经理、总监理工程师到岗履职，按期办结督办事项，并将整改情况书面报送。我办将持续开展抽查，对整改不到位的单位予以通报批评。"</p>
            <p class="notice-sign">{c.issuer.clone()}<br/>{day}</p>
        </article>
    }
}

fn print_page() {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().print();
    }
}
