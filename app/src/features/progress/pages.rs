use super::{
    MONTH_FILE_KINDS, MonthItem, MonthRecord, ProgressRow, ProgressView, SaveMonth, SaveSite,
    get_month, get_progress, list_progress,
    site_map::{SiteMap, point_text},
};
use crate::{
    domain::{Fen, RecordStatus, progress::ProgressState},
    features::audit::ChangeHistory,
    kit::{
        chart::{LineChart, Series},
        form::{FormAlert, FormErrors, SelectField, SubmitButton, TextArea, TextField},
        layout::PageHeader,
        map::load_scripts,
        records::{RecordActions, RecordFiles, RecordNotice, flag_badges, status_badge},
        status::Loaded,
        table::{DataTable, FilterBar, Page, Pager, id_param, page_param, text_param},
    },
};
use leptos::prelude::*;
use leptos_meta::{Stylesheet, Title};

fn state_options() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = ProgressState::ALL
        .iter()
        .map(|s| (s.code().to_string(), s.label().to_string()))
        .collect();
    v.push(("none".into(), "未填报".into()));
    v.push(("flagged".into(), "有预警".into()));
    v
}

fn pct(v: f64) -> String {
    format!("{v:.0}%")
}

/// Actual against planned as two bars (plain HTML: prints as it shows).
fn progress_bars(actual: Option<i64>, planned: Option<f64>) -> AnyView {
    let gap = match (actual, planned) {
        (Some(a), Some(p)) => p - a as f64,
        _ => 0.0,
    };
    let tone = if gap > 30.0 {
        "bad"
    } else if gap > 10.0 {
        "warn"
    } else {
        "ok"
    };
    view! {
        <div class="pbars">
            <span class=format!("pbar pbar-{tone}") title="累计完成"><i style=format!("width: {}%", actual.unwrap_or(0).clamp(0, 100))></i></span>
            <span class="pbar pbar-plan" title="序时进度"><i style=format!("width: {:.0}%", planned.unwrap_or(0.0).clamp(0.0, 100.0))></i></span>
            <span class="num pbar-text">
                {actual.map(|a| format!("{a}%")).unwrap_or_else(|| "—".into())}
                " / 序时 " {planned.map(pct).unwrap_or_else(|| "—".into())}
            </span>
        </div>
    }
    .into_any()
}

fn state_badge(s: Option<ProgressState>) -> AnyView {
    match s {
        Some(s) => view! { <span class=s.badge()>{s.label()}</span> }.into_any(),
        None => view! { <span class="badge badge-warn">"未填报"</span> }.into_any(),
    }
}

#[component]
pub fn ProgressPage() -> impl IntoView {
    let (q, state, page) = (text_param("q"), text_param("state"), page_param());
    let list = Resource::new(
        move || (q.get(), state.get(), page.get()),
        |(q, s, p)| list_progress(q, s, p),
    );
    view! {
        <Title text="工程进度 · 标后履约监管"/>
        <PageHeader title="工程进度"/>
        <p class="hint">"每个已备案的施工项目一条进度记录（实际开工、工地位置），之后按月填报累计完成比例、形象进度和现场照片。次月 5 日前未填报、落后序时进度、逾期未竣工的项目会自动预警。"</p>
        <FilterBar placeholder="项目、建设单位或施工单位" select="state" select_label="形象进度" options=state_options() all_label="全部" export="/export/progress.xlsx"/>
        <Loaded resource=list children={|page: Page<ProgressRow>| {
            let (total, p, pages) = (page.total, page.page, page.pages());
            view! {
                <DataTable
                    columns=vec!["项目 / 标段", "最近填报", "累计完成 / 序时进度", "形象进度", "修订后计划竣工", "工地位置"]
                    rows=page.items
                    row=|r: ProgressRow| vec![
                        view! { <div><a href=format!("/progress/{}", r.filing_id)><strong>{r.project}</strong></a> {crate::kit::records::dossier_link(r.filing_id)}<br/><span class="muted">{r.owner_name} " · " {r.contractor_name}</span></div> }.into_any(),
                        r.month.unwrap_or_else(|| "—".into()).into_any(),
                        progress_bars(r.percent, r.planned_pct),
                        view! { <div class="cell-actions">{state_badge(r.state)} {flag_badges(r.flags)}</div> }.into_any(),
                        r.revised_completion.unwrap_or_else(|| "—".into()).into_any(),
                        (if r.has_site { "已标注" } else { "未标注" }).into_any(),
                    ]
                    empty="暂无已备案的施工项目"
                />
                <Pager total page=p pages/>
            }
        }}/>
    }
}

/// One project's progress: plan and site, the chart, the months, and (for
/// the owner) the forms.
#[component]
pub fn ProgressProjectPage() -> impl IntoView {
    let id = id_param();
    let site = ServerAction::<SaveSite>::new();
    let month = ServerAction::<SaveMonth>::new();
    let data = Resource::new(move || id.get(), get_progress);
    let hydrated = RwSignal::new(false);
    let scripts = RwSignal::new(false);
    Effect::new(move |_| {
        hydrated.set(true);
        load_scripts(scripts, false);
    });
    view! {
        <Title text="工程进度 · 标后履约监管"/>
        <Stylesheet id="leaflet-css" href="/vendor/leaflet/leaflet.css"/>
        <PageHeader title="工程进度">
            <a class="btn" href="/progress">"返回列表"</a>
        </PageHeader>
        <RecordNotice/>
        <Loaded resource=data children={move |v: ProgressView| {
            let flags = v.flags.clone();
            view! {
                <section class="card summary">
                    <div class="summary-head">
                        <h2>{v.project.clone()}</h2>
                        <div>{flag_badges(flags)}</div>
                    </div>
                    <dl class="facts">
                        <dt>"建设单位"</dt><dd>{v.owner_name.clone()}</dd>
                        <dt>"施工单位"</dt><dd>{v.contractor_name.clone()}</dd>
                        <dt>"合同签订"</dt><dd>{v.signed_on.clone().unwrap_or_else(|| "—".into())}</dd>
                        <dt>"计划开工"</dt><dd>{v.planned_start.clone().unwrap_or_else(|| "—".into())}</dd>
                        <dt>"计划竣工"</dt><dd>{v.planned_completion.clone().unwrap_or_else(|| "—".into())}</dd>
                        <dt>"修订后计划竣工"</dt><dd><strong>{v.revised_completion.clone().unwrap_or_else(|| "—".into())}</strong> <span class="muted">"（含已批准的工期变更）"</span></dd>
                        <dt>"实际开工"</dt><dd>{v.site.as_ref().and_then(|s| s.actual_start.clone()).unwrap_or_else(|| "—".into())}</dd>
                    </dl>
                </section>
                <SiteCard v=v.clone() action=site hydrated scripts/>
                <ProgressChart months=v.months.clone()/>
                {v.editable.then(|| view! { <NewMonth action=month v=v.clone()/> })}
                <MonthTimeline months=v.months.clone()/>
            }
        }}/>
    }
}

#[component]
fn SiteCard(
    v: ProgressView,
    action: ServerAction<SaveSite>,
    hydrated: RwSignal<bool>,
    scripts: RwSignal<bool>,
) -> impl IntoView {
    let errors = FormErrors::of(action);
    let site = v.site.clone();
    let stored = site.as_ref().and_then(|s| s.lat.zip(s.lng));
    let point = RwSignal::new(
        errors
            .submitted("point")
            .or_else(|| stored.map(|(a, b)| point_text(a, b)))
            .unwrap_or_default(),
    );
    let editable = v.editable;
    let (areas, tile_url, datum) = (v.areas.clone(), v.tile_url.clone(), v.tile_datum.clone());
    let point_err = errors.field("point");
    let version = site
        .as_ref()
        .map(|s| s.version.to_string())
        .unwrap_or_default();
    view! {
        <section class="card" id="site">
            <h2>"工地位置"</h2>
            {site.as_ref().map(|s| view! { <p>{s.address.clone()}</p> })}
            <Show when=move || hydrated.get() && scripts.get()
                fallback=|| view! { <div class="map map-site map-placeholder">"地图加载中…"</div> }>
                <SiteMap site=stored areas=areas.clone() tile_url=tile_url.clone() datum=datum.clone() point editable/>
            </Show>
            <p class="hint">{if v.areas.is_empty() { "蓝色为考勤区域（尚未设置）。" } else { "蓝色为考勤区域，供参考。" }}
                {editable.then_some("在地图上点击放置工地标记，可拖动调整；也可直接填写坐标（WGS-84）。")}</p>
            {editable.then(|| view! {
                <ActionForm action attr:class="form" attr:novalidate=true>
                    <FormAlert errors/>
                    <input type="hidden" name="filing_id" value=v.filing_id/>
                    <input type="hidden" name="version" value=version/>
                    <div class="form-grid">
                        <TextField label="工程地点" name="address" errors value=site.as_ref().map(|s| s.address.clone()).unwrap_or_default()
                            required=true maxlength=100 placeholder="如：平阳县昆阳镇城东路与解放街交叉口东北侧"/>
                        <div class="field" class:has-error=move || point_err().is_some()>
                            <label for="f-point">"坐标（纬度, 经度）" <span class="req" aria-hidden="true">"*"</span></label>
                            <input id="f-point" name="point" type="text" inputmode="decimal" maxlength=60 required
                                placeholder="在地图上点选，或填写如 27.6625, 120.5655" aria-describedby="f-point-err"
                                prop:value=move || point.get() on:input=move |e| point.set(event_target_value(&e))/>
                            <p class="field-error" id="f-point-err" role="alert">{point_err}</p>
                        </div>
                        <TextField label="实际开工日期" name="actual_start" errors input_type="date"
                            value=site.as_ref().and_then(|s| s.actual_start.clone()).unwrap_or_default() hint="尚未开工请留空"/>
                    </div>
                    <div class="form-actions">
                        <SubmitButton label="保存工地位置" pending=action.pending()/>
                    </div>
                </ActionForm>
            })}
        </section>
    }
}

/// Planned against actual, month by month (submitted months only).
#[component]
pub fn ProgressChart(months: Vec<MonthItem>) -> impl IntoView {
    let mut done: Vec<&MonthItem> = months
        .iter()
        .filter(|m| m.status == RecordStatus::Submitted)
        .collect();
    done.sort_by(|a, b| a.month.cmp(&b.month));
    (!done.is_empty()).then(|| {
        let labels = done.iter().map(|m| m.month.clone()).collect();
        let series = vec![
            Series {
                name: "序时进度（计划）".into(),
                class: "planned",
                values: done.iter().map(|m| m.planned_pct).collect(),
            },
            Series {
                name: "累计完成（实际）".into(),
                class: "actual",
                values: done.iter().map(|m| Some(m.percent as f64)).collect(),
            },
        ];
        view! {
            <section class="card" aria-label="进度曲线">
                <h2>"计划与实际进度"</h2>
                <LineChart title="计划与实际累计完成比例".to_string() labels series/>
            </section>
        }
    })
}

#[component]
fn MonthTimeline(months: Vec<MonthItem>) -> impl IntoView {
    view! {
        <section class="card" aria-label="月度进度">
            <h2>"月度进度"</h2>
            {if months.is_empty() {
                view! { <p class="muted">"尚未填报月度进度"</p> }.into_any()
            } else {
                view! {
                    <ol class="month-timeline">
                        {months.into_iter().map(|m| {
                            let voided = m.status == RecordStatus::Voided;
                            view! {
                                <li class:voided=voided>
                                    <a href=format!("/progress/months/{}", m.id)><time>{m.month.clone()}</time></a>
                                    <span class="num mt-pct">{format!("{}%", m.percent)}</span>
                                    <span class=m.state.badge()>{m.state.label()}</span>
                                    {(m.status != RecordStatus::Submitted).then(|| status_badge(m.status))}
                                    <span class="muted">{m.planned_pct.map(|p| format!("序时 {p:.0}%"))}</span>
                                    <span class="muted">{format!("照片 {} 张", m.photos)}</span>
                                    <p class="mt-done">{m.work_done.clone()}</p>
                                    {m.drop_reason.clone().map(|r| view! { <p class="bad">"回落原因：" {r}</p> })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

fn states() -> Vec<(String, String)> {
    ProgressState::ALL
        .iter()
        .map(|s| (s.code().to_string(), s.label().to_string()))
        .collect()
}

#[component]
fn NewMonth(action: ServerAction<SaveMonth>, v: ProgressView) -> impl IntoView {
    view! {
        <section class="card" id="new-month">
            <h2>"填报月度进度"</h2>
            <p class="hint">"每月一条：先保存为草稿，再上传现场照片并提交登记。累计完成低于此前月份须说明原因。"</p>
            <MonthFields action month=None filing_id=v.filing_id next=v.next_month.clone()/>
        </section>
    }
}

/// The fields of a month's update (new, draft or correction).
#[component]
fn MonthFields(
    action: ServerAction<SaveMonth>,
    month: Option<MonthRecord>,
    filing_id: i64,
    #[prop(optional)] next: String,
) -> impl IntoView {
    let errors = FormErrors::of(action);
    let m = month.clone();
    let get = move |f: fn(&MonthRecord) -> String| m.as_ref().map(f).unwrap_or_default();
    let submitted = month
        .as_ref()
        .is_some_and(|m| m.status == RecordStatus::Submitted);
    let id = month.as_ref().map(|m| m.id).unwrap_or(0);
    let version = month
        .as_ref()
        .map(|m| m.version.to_string())
        .unwrap_or_default();
    let month_value = month.as_ref().map(|m| m.month.clone()).unwrap_or(next);
    view! {
        <ActionForm action attr:class="form" attr:novalidate=true>
            <FormAlert errors/>
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="filing_id" value=filing_id/>
            <input type="hidden" name="version" value=version/>
            <div class="form-grid">
                <TextField label="月份" name="month" errors value=month_value input_type="month" required=true maxlength=7 hint="YYYY-MM"/>
                <TextField label="累计完成（%）" name="percent" errors value=get(|m| m.percent.to_string()) required=true maxlength=4 input_mode="numeric" hint="0–100 的整数"/>
                <SelectField label="形象进度" name="state" errors options=states() value=get(|m| m.state.code().to_string()) placeholder="请选择" required=true/>
                <TextField label="本月完成投资（元）" name="investment" errors value=get(|m| m.investment_fen.map(|f| Fen(f).plain()).unwrap_or_default()) maxlength=20 input_mode="decimal" hint="选填"/>
            </div>
            <TextArea label="本月完成内容" name="work_done" errors value=get(|m| m.work_done.clone()) required=true maxlength=1000 rows=3/>
            <TextField label="进度回落原因" name="drop_reason" errors value=get(|m| m.drop_reason.clone().unwrap_or_default()) maxlength=200 hint="累计完成低于此前月份时必填"/>
            {submitted.then(|| view! {
                <TextField label="更正原因" name="reason" errors required=true maxlength=200 hint="已登记的月份修改为更正，原因记入变更记录"/>
            })}
            <div class="form-actions">
                <SubmitButton label=if submitted { "保存更正" } else if id == 0 { "保存草稿" } else { "保存" } pending=action.pending()/>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn ProgressMonthPage() -> impl IntoView {
    let id = id_param();
    let save = ServerAction::<SaveMonth>::new();
    let month = Resource::new(move || id.get(), get_month);
    view! {
        <Title text="月度进度 · 标后履约监管"/>
        <PageHeader title="月度进度"/>
        <RecordNotice/>
        <Loaded resource=month children={move |m: MonthRecord| {
            let photos: Vec<_> = m.files.iter().filter(|f| f.kind == "photo").cloned().collect();
            view! {
                <p><a href=format!("/progress/{}", m.filing_id)>"← " {m.project.clone()}</a></p>
                <section class="card summary">
                    <div class="summary-head">
                        <h2>{m.month.clone()} " 月度进度"</h2>
                        <div>{status_badge(m.status)} " " <span class=m.state.badge()>{m.state.label()}</span> {flag_badges(m.flags.clone())}</div>
                    </div>
                    <div class="stats">
                        <div class="stat stat-key"><strong class="num">{format!("{}%", m.percent)}</strong><span>"累计完成"</span></div>
                        <div class="stat"><strong class="num">{m.planned_pct.map(pct).unwrap_or_else(|| "—".into())}</strong><span>"序时进度（月末）"</span></div>
                        <div class="stat"><strong class="num">{m.prior_percent.map(|p| format!("{p}%")).unwrap_or_else(|| "—".into())}</strong><span>"此前月份"</span></div>
                        <div class="stat"><strong class="num">{m.investment_fen.map(|f| Fen(f).wan()).unwrap_or_else(|| "—".into())}</strong><span>"本月完成投资（万元）"</span></div>
                    </div>
                    <dl class="facts">
                        <dt>"本月完成内容"</dt><dd class="pre">{m.work_done.clone()}</dd>
                        {m.drop_reason.clone().map(|r| view! { <dt>"进度回落原因"</dt><dd>{r}</dd> })}
                        {m.void_reason.clone().map(|r| view! { <dt>"作废原因"</dt><dd class="bad">{r}</dd> })}
                    </dl>
                    {(!photos.is_empty()).then(|| view! {
                        <div class="photo-grid">
                            {photos.into_iter().map(|f| view! {
                                <a href=format!("/files/records/{}", f.id) target="_blank" rel="noopener">
                                    <img src=format!("/files/records/{}", f.id) alt=f.file_name.clone() loading="lazy"/>
                                </a>
                            }).collect_view()}
                        </div>
                    })}
                </section>
                {m.editable.then(|| view! {
                    <section class="card">
                        <h2>{if m.status == RecordStatus::Submitted { "更正" } else { "编辑草稿" }}</h2>
                        <MonthFields action=save month=Some(m.clone()) filing_id=m.filing_id/>
                    </section>
                })}
                <RecordFiles entity="progress_month" id=m.id files=m.files.clone() kinds=&MONTH_FILE_KINDS status=m.status editable=m.editable/>
                {m.editable.then(|| view! {
                    <RecordActions entity="progress_month" id=m.id version=m.version status=m.status required="现场照片" has_required=m.has_photo()/>
                })}
            }
        }}/>
        <ChangeHistory entity="progress_month" id/>
    }
}
