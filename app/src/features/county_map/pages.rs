use super::{CountyMap, MapFilter, MapProject, load_county_map, map::ProjectsMap};
use crate::{
    domain::{Fen, SECTORS, label_of, progress::Light},
    kit::{
        layout::PageHeader,
        map::leaflet_ready,
        status::Loaded,
        table::{FilterSelect, text_param},
    },
};
use leptos::prelude::*;
use leptos_meta::{Stylesheet, Title};
use leptos_router::components::Form;

/// How many rows the lists under the map show (the map shows them all).
const LIST_ROWS: usize = 300;

#[component]
pub fn CountyMapPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_county_map());
    let ready = leaflet_ready(false);
    view! {
        <Title text="项目一张图 · 标后履约监管"/>
        <Stylesheet id="leaflet-css" href="/vendor/leaflet/leaflet.css"/>
        <PageHeader title="项目一张图"/>
        <Loaded resource=data children=move |v: CountyMap| view! { <MapBody v ready/> }/>
    }
}

/// The filters as the URL holds them.
fn use_filter() -> Memo<MapFilter> {
    let (q, sector, town, owner, contractor, light) = (
        text_param("q"),
        text_param("sector"),
        text_param("town"),
        text_param("owner"),
        text_param("contractor"),
        text_param("light"),
    );
    Memo::new(move |_| MapFilter {
        q: q.get(),
        sector: sector.get(),
        town: town.get(),
        owner: owner.get().parse().unwrap_or(0),
        contractor: contractor.get().parse().unwrap_or(0),
        light: Light::parse(&light.get()),
    })
}

/// The map's link with `f`'s filters and `light`.
fn href(f: &MapFilter, light: Option<Light>) -> String {
    let mut parts = Vec::new();
    let enc = crate::kit::table::urlencode;
    if !f.q.is_empty() {
        parts.push(format!("q={}", enc(&f.q)));
    }
    if !f.sector.is_empty() {
        parts.push(format!("sector={}", enc(&f.sector)));
    }
    if !f.town.is_empty() {
        parts.push(format!("town={}", enc(&f.town)));
    }
    if f.owner != 0 {
        parts.push(format!("owner={}", f.owner));
    }
    if f.contractor != 0 {
        parts.push(format!("contractor={}", f.contractor));
    }
    if let Some(l) = light {
        parts.push(format!("light={}", l.code()));
    }
    if parts.is_empty() {
        "/map".into()
    } else {
        format!("/map?{}", parts.join("&"))
    }
}

#[component]
fn MapBody(v: CountyMap, ready: Signal<bool>) -> impl IntoView {
    let filter = use_filter();
    let data = StoredValue::new(v.clone());
    let shown = Memo::new(move |_| {
        let f = filter.get();
        data.with_value(|d| {
            d.projects
                .iter()
                .filter(|p| f.passes(p, d))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let counts = Memo::new(move |_| {
        let f = filter.get();
        data.with_value(|d| {
            Light::ALL.map(|l| {
                d.projects
                    .iter()
                    .filter(|p| p.light == l && f.passes_but_light(p, d))
                    .count()
            })
        })
    });
    let selected = RwSignal::new(0i64);
    let full = RwSignal::new(false);
    let owners = unit_options(&v, |p| p.owner);
    let contractors = unit_options(&v, |p| p.contractor);
    let sectors: Vec<(String, String)> = SECTORS
        .iter()
        .filter(|(code, _)| v.projects.iter().any(|p| p.sector == *code))
        .map(|(c, l)| (c.to_string(), l.to_string()))
        .collect();
    let towns: Vec<(String, String)> = v
        .projects
        .iter()
        .filter_map(|p| p.town.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|t| (t.clone(), t))
        .collect();
    let lights: Vec<(String, String)> = Light::ALL
        .iter()
        .map(|l| (l.code().to_string(), l.label().to_string()))
        .collect();
    let q = text_param("q");
    let (tile_url, datum) = (v.tile_url.clone(), v.tile_datum.clone());
    view! {
        <Form method="GET" action="" attr:class="filters county-filters">
            <input type="search" name="q" placeholder="项目、建设单位或施工单位" value=q.get_untracked() maxlength=50 aria-label="搜索"/>
            <FilterSelect name="sector" label="行业" all_label="全部行业" options=sectors/>
            <FilterSelect name="town" label="乡镇" all_label="全部乡镇" options=towns/>
            <FilterSelect name="owner" label="建设单位" all_label="全部建设单位" options=owners/>
            <FilterSelect name="contractor" label="施工单位" all_label="全部施工单位" options=contractors/>
            <FilterSelect name="light" label="状态" all_label="全部状态" options=lights/>
            <button type="submit" class="btn">"查询"</button>
        </Form>
        <div class="county-screen" class:county-full=move || full.get()>
        <div class="county-bar">
        <nav class="legend" aria-label="图例">
            {Light::ALL.into_iter().enumerate().map(|(i, l)| view! {
                <a class="legend-item" class:active=move || filter.with(|f| f.light == Some(l))
                    href=move || filter.with(|f| href(f, if f.light == Some(l) { None } else { Some(l) }))
                    data-light=l.code()>
                    <span class="swatch" style=format!("background:{}", l.colour())></span>
                    {l.label()}
                    <strong class="legend-count">{move || counts.with(|c| c[i])}</strong>
                </a>
            }).collect_view()}
            <span class="legend-item"><span class="swatch swatch-ring"></span>"有未办结督办"</span>
            <span class="legend-note">{format!("亮灯按 {} 的月报与序时进度计算", v.as_of)}</span>
        </nav>
        <button type="button" class="btn btn-small" on:click=move |_| full.update(|f| *f = !*f)>
            {move || if full.get() { "退出大屏" } else { "大屏显示" }}
        </button>
        </div>
        <div class="county-layout">
            <div class="county-map">
                <Show when=move || ready.get()
                    fallback=|| view! { <div class="map map-county map-placeholder">"地图加载中…"</div> }>
                    <ProjectsMap projects=shown.into() selected full tile_url=tile_url.clone() datum=datum.clone()/>
                </Show>
            </div>
            <aside class="county-side">
                {move || {
                    let id = selected.get();
                    data.with_value(|d| d.projects.iter().find(|p| p.filing_id == id).cloned().map(|p| {
                        let (owner, contractor) = (d.unit(p.owner).to_string(), d.unit(p.contractor).to_string());
                        view! { <ProjectCard p owner contractor selected/> }
                    }))
                }}
                <Attention shown selected/>
            </aside>
        </div>
        </div>
        <Unsited shown data/>
        <details class="card county-list">
            <summary>{move || format!("项目清单（{} 个）", shown.with(Vec::len))}</summary>
            <ProjectTable shown data/>
        </details>
    }
}

fn unit_options(v: &CountyMap, of: fn(&MapProject) -> i64) -> Vec<(String, String)> {
    v.units
        .iter()
        .filter(|(id, _)| v.projects.iter().any(|p| of(p) == *id))
        .map(|(id, n)| (id.to_string(), n.clone()))
        .collect()
}

/// The selected project's key figures and the way to its page.
#[component]
fn ProjectCard(
    p: MapProject,
    owner: String,
    contractor: String,
    selected: RwSignal<i64>,
) -> impl IntoView {
    view! {
        <section class="card project-card" data-project=p.filing_id>
            <div class="card-head">
                <h2>{p.name.clone()}</h2>
                <button type="button" class="btn-link" aria-label="关闭" on:click=move |_| selected.set(0)>"×"</button>
            </div>
            <p><span class=p.light.badge()>{p.light.label()}</span>" "{p.why.clone()}</p>
            <dl class="facts">
                <dt>"行业"</dt><dd>{label_of(&SECTORS, &p.sector).to_string()}</dd>
                <dt>"乡镇"</dt><dd>{p.town.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"建设单位"</dt><dd>{owner}</dd>
                <dt>"施工单位"</dt><dd>{contractor}</dd>
                <dt>"变更后合同价"</dt><dd>{format!("{} 万元", Fen(p.revised_fen).wan())}</dd>
                <dt>"累计完成"</dt><dd>{p.percent.map_or("—".to_string(), |k| format!("{k}%"))}</dd>
                <dt>"竣工日期（含变更）"</dt><dd>{p.completion.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"未消除预警"</dt><dd class:bad={p.alerts > 0}>{p.alerts}</dd>
                <dt>"未办结督办"</dt><dd class:bad={p.orders > 0}>{p.orders}</dd>
            </dl>
            <a class="btn btn-primary" href=format!("/projects/{}", p.filing_id)>"打开项目档案"</a>
        </section>
    }
}

/// Red and yellow projects with why, most urgent first: a click shows one
/// on the map; its name opens its page.
#[component]
fn Attention(shown: Memo<Vec<MapProject>>, selected: RwSignal<i64>) -> impl IntoView {
    let list = Memo::new(move |_| {
        shown.with(|s| {
            let mut l: Vec<MapProject> = s
                .iter()
                .filter(|p| matches!(p.light, Light::Red | Light::Yellow))
                .cloned()
                .collect();
            l.sort_by_key(|p| (p.light, -p.orders, -p.alerts));
            l
        })
    });
    view! {
        <section class="card attention">
            <h2>{move || format!("需关注（{}）", list.with(Vec::len))}</h2>
            <Show when=move || list.with(Vec::is_empty)>
                <p class="muted">"没有亮红灯或黄灯的项目"</p>
            </Show>
            <ul class="attention-list">
                {move || list.get().into_iter().take(LIST_ROWS).map(|p| {
                    let id = p.filing_id;
                    view! {
                        <li>
                            <span class="swatch" style=format!("background:{}", p.light.colour())></span>
                            <div>
                                <a href=format!("/projects/{id}")>{p.name.clone()}</a>
                                <div class="muted small">{p.why.clone()}
                                    {(p.orders > 0).then(|| format!("；未办结督办 {}", p.orders))}</div>
                            </div>
                            <button type="button" class="btn btn-small" on:click=move |_| selected.set(id)
                                aria-label="在地图上显示">"定位"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Projects the map cannot show: no site placed yet.
#[component]
fn Unsited(shown: Memo<Vec<MapProject>>, data: StoredValue<CountyMap>) -> impl IntoView {
    let list = Memo::new(move |_| {
        shown.with(|s| {
            s.iter()
                .filter(|p| p.site.is_none())
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    view! {
        <Show when=move || !list.with(Vec::is_empty)>
            <section class="card unsited">
                <h2>{move || format!("未标注工地位置的项目（{}）", list.with(Vec::len))}</h2>
                <p class="hint">"建设单位在“工程进度”页标注工地位置后，项目即显示在地图上。"</p>
                <ProjectRows list=list.into() data/>
            </section>
        </Show>
    }
}

#[component]
fn ProjectTable(shown: Memo<Vec<MapProject>>, data: StoredValue<CountyMap>) -> impl IntoView {
    view! { <ProjectRows list=shown.into() data/> }
}

/// A plain table of projects (the map's figures for those who read lists).
#[component]
fn ProjectRows(list: Signal<Vec<MapProject>>, data: StoredValue<CountyMap>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table project-rows">
                <thead><tr><th>"项目"</th><th>"建设单位"</th><th>"状态"</th><th>"说明"</th><th>"督办"</th></tr></thead>
                <tbody>
                    {move || list.get().into_iter().take(LIST_ROWS).map(|p| {
                        let owner = data.with_value(|d| d.unit(p.owner).to_string());
                        view! {
                            <tr data-project=p.filing_id>
                                <td data-label="项目"><a href=format!("/projects/{}", p.filing_id)>{p.name.clone()}</a></td>
                                <td data-label="建设单位">{owner}</td>
                                <td data-label="状态"><span class=p.light.badge()>{p.light.label()}</span></td>
                                <td data-label="说明">{p.why.clone()}</td>
                                <td data-label="督办">{p.orders}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {move || (list.with(Vec::len) > LIST_ROWS).then(|| view! {
                <p class="hint">{format!("仅列出前 {LIST_ROWS} 个；请用筛选缩小范围。")}</p>
            })}
        </div>
    }
}
