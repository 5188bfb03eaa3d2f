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

/// One bar of a [`BarChart`]: its label, its parts (one value per key,
/// stacked left to right) and where a click on its label goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub values: Vec<f64>,
    pub href: Option<String>,
    /// The figure at the bar's end (its total when None).
    pub note: Option<String>,
}

const BAR_H: f64 = 22.0;
const BAR_GAP: f64 = 8.0;
/// A bar chart's width: narrow ones sit two abreast, their text then as
/// large as a wide one's.
const BAR_W: (f64, f64) = (440.0, 640.0);

/// Horizontal bars, stacked by `keys` (name and colour), with the total at
/// each bar's end and the figures as a table below.
#[component]
pub fn BarChart(
    title: String,
    /// (name, CSS colour) of each part.
    keys: Vec<(String, String)>,
    bars: Vec<Bar>,
    #[prop(default = "")] unit: &'static str,
    /// Decimals of the figures.
    #[prop(default = 0)]
    decimals: usize,
    /// Full width of the card (else half).
    #[prop(default = false)]
    wide: bool,
    /// The value of a full-length bar (rates: 100); else the longest bar.
    #[prop(optional)]
    scale: Option<f64>,
) -> impl IntoView {
    let width = if wide { BAR_W.1 } else { BAR_W.0 };
    let label_w = width * 0.3;
    let max = scale
        .unwrap_or_else(|| {
            bars.iter()
                .map(|b| b.values.iter().sum::<f64>())
                .fold(0.0, f64::max)
        })
        .max(f64::MIN_POSITIVE);
    let plot_w = width - label_w - 70.0;
    let h = bars.len() as f64 * (BAR_H + BAR_GAP) + BAR_GAP;
    let num = move |v: f64| format!("{v:.decimals$}");
    // Labels past the label column are cut (the table has them whole).
    let fits = if wide { 13 } else { 9 };
    let short = move |s: &str| {
        if s.chars().count() > fits {
            format!("{}…", s.chars().take(fits - 1).collect::<String>())
        } else {
            s.to_string()
        }
    };
    let drawn = bars
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let y = BAR_GAP + i as f64 * (BAR_H + BAR_GAP);
            let mut x = label_w;
            let parts = b
                .values
                .iter()
                .zip(keys.iter())
                .filter(|(v, _)| **v > 0.0)
                .map(|(v, (name, colour))| {
                    let w = plot_w * (v / max).min(1.0);
                    let part = view! {
                        <rect x=x y=y width=w.max(1.0) height=BAR_H fill=colour.clone()>
                            <title>{format!("{}：{}{unit}", name, num(*v))}</title>
                        </rect>
                    };
                    x += w;
                    part
                })
                .collect_view();
            let total: f64 = b.values.iter().sum();
            let label = short(&b.label);
            let text = view! { <text class="chart-tick chart-label" x=label_w - 8.0 y=y + 15.0 text-anchor="end">{label}</text> };
            view! {
                <g class="chart-bar">
                    {match b.href.clone() {
                        // Inside `<g>` the macro makes an SVG `<a>`; on its own it made an
                        // HTML one, whose label the browser does not draw when the chart is
                        // built in the browser (client-side navigation).
                        Some(h) => view! { <g><a href=h>{text}</a></g> }.into_any(),
                        None => text.into_any(),
                    }}
                    {parts}
                    <text class="chart-tick" x=x + 6.0 y=y + 15.0>
                        {b.note.clone().unwrap_or_else(|| format!("{}{unit}", num(total)))}
                    </text>
                </g>
            }
        })
        .collect_view();
    let legend = (keys.len() > 1).then(|| {
        keys.iter()
            .map(|(name, colour)| {
                view! { <li class="chart-key"><b class="chart-swatch" style=format!("background:{colour}")></b>{name.clone()}</li> }
            })
            .collect_view()
    });
    let head = keys
        .iter()
        .map(|(name, _)| view! { <th scope="col">{name.clone()}</th> })
        .collect_view();
    let multi = keys.len() > 1;
    let rows = bars
        .iter()
        .map(|b| {
            let cells = b
                .values
                .iter()
                .map(|v| view! { <td class="num">{num(*v)}</td> })
                .collect_view();
            let total: f64 = b.values.iter().sum();
            view! {
                <tr>
                    <th scope="row">{b.label.clone()}</th>
                    {cells}
                    {multi.then(|| view! { <td class="num">{num(total)}</td> })}
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="chart chart-bars">
            <svg viewBox=format!("0 0 {width} {h}") role="img" aria-label=title.clone() preserveAspectRatio="xMinYMin meet">
                {drawn}
            </svg>
            <figcaption><ul class="chart-legend">{legend}</ul></figcaption>
            <details class="chart-data">
                <summary>"数据表"</summary>
                <div class="table-wrap">
                    <table class="table">
                        <caption class="sr-only">{title}</caption>
                        <thead><tr><th scope="col">""</th>{head}{multi.then(|| view! { <th scope="col">"合计"</th> })}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </figure>
    }
}
