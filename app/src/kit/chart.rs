//! Charts drawn as SVG on the server: they show before the wasm loads, print
//! as they look, and cost no chart library in the first load. Every chart
//! comes with its figures as a table (for screen readers and for copying).
use leptos::prelude::*;

/// One line of a chart: a value (or a gap) per label.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// `planned` (dashed grey), `actual` (solid blue), … (CSS classes).
    pub class: &'static str,
    pub values: Vec<Option<f64>>,
}

const W: f64 = 640.0;
const H: f64 = 240.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

fn fmt(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A line chart over `labels` with a y axis from 0 to `y_max` (`unit` after
/// each figure), and the same figures as a table below it.
#[component]
pub fn LineChart(
    /// What the chart shows, for its caption and `aria-label`.
    title: String,
    labels: Vec<String>,
    series: Vec<Series>,
    #[prop(default = 100.0)] y_max: f64,
    #[prop(default = "%")] unit: &'static str,
) -> impl IntoView {
    let n = labels.len().max(1);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let x = move |i: usize| {
        if n == 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = move |v: f64| TOP + plot_h * (1.0 - (v / y_max).clamp(0.0, 1.0));
    let grid = (0..=4)
        .map(|k| {
            let v = y_max * k as f64 / 4.0;
            let yy = y(v);
            view! {
                <line class="chart-grid" x1=LEFT x2=W - RIGHT y1=yy y2=yy/>
                <text class="chart-tick" x=LEFT - 6.0 y=yy + 4.0 text-anchor="end">{format!("{}{unit}", fmt(v))}</text>
            }
        })
        .collect_view();
    // At most about eight labels fit under the axis.
    let step = n.div_ceil(8).max(1);
    let ticks = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0 || *i == n - 1)
        .map(|(i, l)| {
            view! { <text class="chart-tick" x=x(i) y=H - 8.0 text-anchor="middle">{l.clone()}</text> }
        })
        .collect_view();
    let lines = series
        .iter()
        .map(|s| {
            // A gap in the values starts a new segment.
            let mut d = String::new();
            let mut pen_down = false;
            for (i, v) in s.values.iter().enumerate() {
                match v {
                    Some(v) => {
                        d.push_str(&format!(
                            "{}{:.1},{:.1} ",
                            if pen_down { "L" } else { "M" },
                            x(i),
                            y(*v)
                        ));
                        pen_down = true;
                    }
                    None => pen_down = false,
                }
            }
            let dots = s
                .values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i, v)))
                .map(|(i, v)| view! { <circle class="chart-dot" cx=x(i) cy=y(v) r=2.5/> })
                .collect_view();
            view! {
                <g class=format!("chart-series chart-{}", s.class)>
                    <path d=d fill="none"/>
                    {dots}
                </g>
            }
        })
        .collect_view();
    let legend = series
        .iter()
        .map(|s| view! { <li class=format!("chart-key chart-{}", s.class)><i></i>{s.name.clone()}</li> })
        .collect_view();
    let head = series
        .iter()
        .map(|s| view! { <th scope="col">{s.name.clone()}</th> })
        .collect_view();
    let rows = labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let cells = series
                .iter()
                .map(|s| {
                    let v = s.values.get(i).copied().flatten();
                    view! { <td class="num">{v.map(|v| format!("{}{unit}", fmt((v * 10.0).round() / 10.0))).unwrap_or_else(|| "—".into())}</td> }
                })
                .collect_view();
            view! { <tr><th scope="row">{l.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=title.clone() preserveAspectRatio="xMidYMid meet">
                {grid}
                {ticks}
                {lines}
            </svg>
            <figcaption><ul class="chart-legend">{legend}</ul></figcaption>
            <details class="chart-data">
                <summary>"数据表"</summary>
                <div class="table-wrap">
                    <table class="table">
                        <caption class="sr-only">{title}</caption>
                        <thead><tr><th scope="col">""</th>{head}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </figure>
    }
}
